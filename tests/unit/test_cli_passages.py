"""``sendqa passages show/audit`` and ``sendqa ask``, on the real corpus without a model.

The index is replaced by a fresh parse of the shared corpus (``open_index`` monkeypatched), so
these run in a second; tests/integration covers the same commands on a real index.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import rag.index
from ingest.documents import collect_documents
from rag.manifest import load_manifest
from rag.schema import Passage
from rag.settings import PROJECT_ROOT
from sendqa.cli import main


@dataclass
class _ParsedIndex:
    ordered: list[Passage]


@pytest.fixture(scope="module")
def parsed(shared_corpus: Path) -> list[Passage]:
    sources = load_manifest(PROJECT_ROOT / "corpus" / "sources.toml")
    docs = collect_documents(sources, shared_corpus)
    return [p for d in docs for p in d.passages]


@pytest.fixture
def cli(
    parsed: list[Passage],
    shared_corpus: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Any:
    held = list(parsed)
    monkeypatch.setattr(rag.index, "open_index", lambda *a, **k: _ParsedIndex(held))

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    run.held = held  # type: ignore[attr-defined]
    run.corpus = str(shared_corpus)  # type: ignore[attr-defined]
    return run


def test_show_section_i_of_an_ehc_plan(cli: Any) -> None:
    code, out, _ = cli("passages", "show", "reg.12(1)(i)", "--source", "uksi-2014-1530")
    assert code == 0
    label, url, _, text = out.strip().split("\n", 3)
    assert label == "SEND Regulations 2014, reg.12(1)(i)"
    assert url == "https://www.legislation.gov.uk/uksi/2014/1530/regulation/12/1"
    assert text.startswith("(i) the name of the school, maintained nursery school")
    assert text.rstrip().endswith("(section I); and")
    code, out, _ = cli("passages", "show", "reg.12(1)(h)", "--source", "uksi-2014-1530")
    assert (
        code == 0 and "(section H1)" in out and "(section H2)" in out and "(section I)" not in out
    )


@pytest.mark.parametrize(
    ("locator", "source", "starts"),
    [
        ("reg.4A", "uksi-2014-1652", "For the purposes of section 49(2), the particular provision"),
        ("sch.1", "uksi-2014-1652", "The following persons may not receive direct payments"),
        ("sch.17 para.3", "ukpga-2010-15", "A claim that a responsible body has contravened"),
        ("sch.3 pt.2", "uksi-2014-1530", "The provisions referred to in regulation 64(1)(b)"),
        ("reg.20", "uksi-2014-1530", "This regulation applies where a local authority carry out"),
        ("s.50", "ukpga-2014-6", "After section 17 of the Children Act 1989"),
        ("s.50(17ZG)(2)", "ukpga-2014-6", "(2) The local authority may continue to provide"),
    ],
)
def test_show_resolves(cli: Any, locator: str, source: str, starts: str) -> None:
    code, out, err = cli("passages", "show", locator, "--source", source)
    assert code == 0, err
    assert out.split("\n\n", 1)[1].startswith(starts)


def test_show_a_whole_regulation_prints_every_subsection(cli: Any) -> None:
    code, out, _ = cli("passages", "show", "reg.20", "--source", "uksi-2014-1530")
    assert code == 0
    labels = [ln for ln in out.splitlines() if ln.startswith("SEND Regulations 2014, reg.20")]
    assert labels[0].endswith("reg.20(ZA)") and labels[-1].endswith("reg.20(12)")
    assert len(labels) == 13


def test_show_nothing_there(cli: Any) -> None:
    code, out, err = cli("passages", "show", "reg.12(1)(z)", "--source", "uksi-2014-1530")
    assert (
        code == 1
        and out == ""
        and err.strip() == ("sendqa: no passage at 'reg.12(1)(z)' in uksi-2014-1530")
    )


def test_audit_passes_on_every_legislation_file(cli: Any) -> None:
    for source in ("ukpga-2014-6", "uksi-2014-1530", "uksi-2014-1652", "uksi-2017-1306"):
        code, out, _ = cli("passages", "audit", "--source", source, "--corpus", cli.corpus)
        assert code == 0, out
        assert out.strip().endswith("have a passage with their words")


def test_audit_reports_a_missing_provision(cli: Any) -> None:
    cli.held[:] = [p for p in cli.held if not (p.locator or "").startswith("reg.4A")]
    code, out, _ = cli("passages", "audit", "--source", "uksi-2014-1652", "--corpus", cli.corpus)
    assert code == 1
    lines = out.strip().splitlines()
    assert [ln.split(":")[0] for ln in lines[:-1]] == ["reg.4A(1)", "reg.4A(2)", "reg.4A(3)"]
    assert lines[-1] == "uksi-2014-1652: 3 problem(s) in 19 provisions checked"


def test_audit_only_reads_legislation(cli: Any) -> None:
    code, _, err = cli("passages", "audit", "--source", "send-code-of-practice-2015")
    assert code == 2 and "legalize-uk Markdown" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli("passages", "audit", "--source", "no-such-thing")
    assert code == 2 and "not in the manifest" in err


class _FakeQA:
    asked: list[str] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def ask(self, question: str, kinds: object = None) -> object:
        from rag.schema import Answer

        _FakeQA.asked.append(question)
        return Answer(question=question, text="An answer.", abstained=True)


def test_ask_reads_the_question_from_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import rag.generate
    import rag.pipeline

    monkeypatch.setattr(rag.pipeline, "SendQA", _FakeQA)
    monkeypatch.setattr(rag.generate, "generator_from_settings", lambda settings: None)
    email = "Dear caseworker,\n\nThe council says it won't assess my son.\nWhat can I do?\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(email.encode("utf-8"))))
    assert main(["ask", "-"]) == 0
    assert _FakeQA.asked[-1] == email
    assert "An answer." in capsys.readouterr().out


@pytest.mark.parametrize("stdin", [b"", b"  \n\t\n", b"\xef\xbb\xbf\n"])
def test_ask_with_empty_standard_input_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: bytes
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    assert main(["ask", "-"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("sendqa: Please type a question")
    assert len(captured.err.strip().splitlines()) == 1


def test_ask_with_an_unknown_kind_is_a_usage_error_before_the_model_loads(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import rag.pipeline

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded for a question that cannot be asked")

    monkeypatch.setattr(rag.pipeline, "SendQA", no_model)
    assert main(["ask", "--kinds", "law,lwa", "What is an EHC plan?"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("sendqa: There is no kind of source called 'lwa'")
    assert len(captured.err.strip().splitlines()) == 1
