"""Guidance, reports and testimony parsers on the real shared files."""

from __future__ import annotations

from pathlib import Path

from ingest.markdown import parse_headed_markdown, parse_numbered_markdown
from rag.manifest import load_manifest
from rag.schema import Source
from rag.settings import PROJECT_ROOT

SOURCES = {s.source_id: s for s in load_manifest(PROJECT_ROOT / "corpus" / "sources.toml")}


def _read(shared_corpus: Path, source: Source) -> str:
    return (shared_corpus / source.filename).read_text(encoding="utf-8")


def test_code_of_practice_paragraphs_are_anchored(shared_corpus: Path) -> None:
    source = SOURCES["send-code-of-practice-2015"]
    passages = parse_numbered_markdown(_read(shared_corpus, source), source)
    locators = [p.locator for p in passages if p.locator]
    for expected in ("1.1", "6.37", "9.14", "9.166", "9.168", "11.7", "xiii"):
        assert expected in locators
    p914 = next(p for p in passages if p.locator == "9.14")
    assert p914.text.startswith("In considering whether an EHC needs assessment is necessary")
    assert "evidence of the child or young person’s academic attainment" in p914.text
    assert p914.anchor.label == "SEND Code of Practice, para 9.14"
    assert p914.heading_path[-1].startswith("9 Education, Health and Care")


def test_contents_list_is_not_a_passage(shared_corpus: Path) -> None:
    source = SOURCES["send-code-of-practice-2015"]
    passages = parse_numbered_markdown(_read(shared_corpus, source), source)
    assert not any("Foreword 11" in p.text for p in passages)


def test_explanatory_notes_use_paragraph_numbers(shared_corpus: Path) -> None:
    source = SOURCES["cfa-2014-explanatory-notes"]
    passages = parse_numbered_markdown(_read(shared_corpus, source), source)
    p166 = next(p for p in passages if p.locator == "166")
    assert "Young person is a person over compulsory school age" in p166.text


def test_debate_passages_name_their_speaker(shared_corpus: Path) -> None:
    source = SOURCES["hansard-hc-2025-02-12-send-provision-derbyshire"]
    passages = parse_headed_markdown(_read(shared_corpus, source), source)
    assert all(p.locator is None for p in passages)
    assert any(p.text.startswith("Linsey Farnsworth") for p in passages)
    assert any("88%" in p.text for p in passages)
    assert all("**" not in p.text for p in passages)


def test_headed_passages_are_bounded_and_keep_headings(shared_corpus: Path) -> None:
    source = SOURCES["govuk-children-with-send"]
    passages = parse_headed_markdown(_read(shared_corpus, source), source)
    assert all(len(p.text) <= 1400 for p in passages)
    assert any(p.heading_path[-1] == "Requesting an EHC assessment" for p in passages)


def test_plain_subheadings_stay_out_of_the_paragraph_above(shared_corpus: Path) -> None:
    """'Effect' and 'Background' head stretches of the Explanatory Notes; they are not words of
    the numbered paragraph before them, nor a passage of their own."""
    source = SOURCES["equality-act-2010-explanatory-notes"]
    passages = parse_numbered_markdown(_read(shared_corpus, source), source)
    by_loc = {p.locator: p for p in passages}
    assert by_loc["85"].text.endswith("to an individual disabled person.")
    assert by_loc["889"].text.endswith("in relation to disabled people.")
    assert None not in by_loc
    for p in passages:
        assert not any(line in {"Effect", "Background"} for line in p.text.splitlines())
    # The section stays last in the heading path: notes are linked to the section they explain.
    assert by_loc["86"].heading_path[-1] == "Section 20: Duty to make adjustments"
