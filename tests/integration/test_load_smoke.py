"""A small run of benchmarks/bench_load.py: concurrent gradio_client users, no errors.

The benchmark is pointed with ``--url`` at the app the session launches in-process (``app_url``
in tests/integration/conftest.py). No timing is asserted, only that every request got an answer
that cites a passage or abstains.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from rag.settings import PROJECT_ROOT

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bench_load():  # type: ignore[no-untyped-def]
    """The benchmark module (it imports its neighbour ``_common`` as a script would)."""
    sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
    try:
        import bench_load

        yield bench_load
    finally:
        sys.path.remove(str(PROJECT_ROOT / "benchmarks"))


def test_three_users_get_cited_answers_or_abstentions(
    bench_load,
    app_url: str,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "bench_load.json"
    code = bench_load.main(["--url", app_url, "--users", "3", "--duration", "8", "--out", str(out)])
    record = json.loads(out.read_text(encoding="utf-8"))
    summary = record["summary"]
    assert summary["errors"] == 0, summary["error_kinds"]
    assert code == 0
    assert summary["requests"] >= 3
    assert {r["user"] for r in record["requests"]} == {0, 1, 2}
    for r in record["requests"]:
        assert r["error"] is None
        assert r["citations"] > 0 or r["abstained"], r
    assert out.with_suffix(".md").read_text(encoding="utf-8").startswith("# sendqa load test")
