"""The real provision notes pass their review against the real corpus (no model)."""

from __future__ import annotations

import pytest

from rag.settings import Settings, default_corpus_dir
from sendqa.cli import main


def test_sendqa_notes_check_passes_on_the_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    if not default_corpus_dir().is_dir():
        pytest.skip("the shared corpus is not beside the checkout")
    code = main(["notes", "check"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "OK" in out
    # Every document the manifest marks is listed with no passage left uncovered.
    assert all(row.split()[-1] == "0" for row in out.splitlines()[1:7]), out


def test_required_documents_are_the_law_and_the_code() -> None:
    from rag.manifest import load_manifest

    required = {s.kind for s in load_manifest(Settings().manifest_path) if s.notes}
    assert required == {"legislation", "statutory_guidance"}
