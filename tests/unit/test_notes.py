"""Provision notes: loading, attaching and the review that can fail (hand-made passages)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.errors import ConfigError
from rag.notes import (
    NoteSkip,
    ProvisionNote,
    attach_notes,
    check_notes,
    load_notes,
    notes_digest,
)
from rag.schema import Anchor, Passage, passage_id_for


def _passage(locator: str, text: str, source_id: str = "uksi-2014-1530") -> Passage:
    anchor = Anchor(source_id=source_id, locator=locator, label=f"SEND Regs, {locator}")
    return Passage(
        passage_id=passage_id_for(source_id, locator, text),
        text=text,
        anchor=anchor,
        kind="legislation",
    )


PASSAGES = [
    _passage("reg.5(1)", "The local authority must notify the parent within 6 weeks."),
    _passage("reg.5(2)", "The authority need not comply with the time limit if impractical."),
    _passage("reg.1", "These Regulations may be cited as the SEND Regulations 2014."),
]


def _note(locator: str, plain: str, *situations: str) -> ProvisionNote:
    return ProvisionNote(
        locator=locator,
        plain=plain,
        situations=situations or (f"{locator} one way", f"{locator} two", f"{locator} three"),
    )


def _good() -> dict[str, list[ProvisionNote | NoteSkip]]:
    return {
        "uksi-2014-1530": [
            _note("reg.5(1)", "The council must tell you within 6 weeks whether it will assess."),
            _note("reg.5(2)", "The council can take longer in some listed situations."),
            NoteSkip(locator="reg.1", skip="citation only"),
        ]
    }


def test_complete_notes_pass() -> None:
    report = check_notes(PASSAGES, _good(), ["uksi-2014-1530"])
    assert report.ok, report.problems
    (coverage,) = report.coverage
    assert (coverage.passages, coverage.noted, coverage.skipped) == (3, 2, 1)
    assert "OK" in report.render()


def test_missing_passage_is_reported() -> None:
    notes = _good()
    notes["uksi-2014-1530"].pop()
    report = check_notes(PASSAGES, notes, ["uksi-2014-1530"])
    assert report.problems == ["uksi-2014-1530 reg.1: no note and no skip reason"]
    assert report.coverage[0].missing == ["reg.1"]


def test_documents_not_required_need_no_notes() -> None:
    assert check_notes(PASSAGES, {}, []).ok
    assert not check_notes(PASSAGES, {}, ["uksi-2014-1530"]).ok


def test_a_note_that_resolves_to_no_passage_is_reported() -> None:
    notes = _good()
    notes["uksi-2014-1530"].append(_note("reg.99", "A rule that is not there at all."))
    report = check_notes(PASSAGES, notes, ["uksi-2014-1530"])
    assert any("reg.99: resolves to 0 passages" in p for p in report.problems)


def test_a_number_the_passage_does_not_state_is_reported() -> None:
    notes = _good()
    notes["uksi-2014-1530"][0] = _note("reg.5(1)", "The council must reply within 16 weeks.")
    report = check_notes(PASSAGES, notes, ["uksi-2014-1530"])
    assert report.problems == [
        "uksi-2014-1530 reg.5(1): '16 weeks' in the note is not in the provision's text"
    ]


def test_a_number_in_words_is_the_same_fact() -> None:
    notes = _good()
    notes["uksi-2014-1530"][0] = _note("reg.5(1)", "The council must reply within six weeks.")
    assert check_notes(PASSAGES, notes, ["uksi-2014-1530"]).ok


def test_a_repeated_situation_is_reported_whatever_its_case() -> None:
    notes = _good()
    notes["uksi-2014-1530"][1] = _note(
        "reg.5(2)", "The council can take longer.", "REG.5(1) one way!", "b is here", "c is here"
    )
    report = check_notes(PASSAGES, notes, ["uksi-2014-1530"])
    assert any("situation repeated from uksi-2014-1530 reg.5(1)" in p for p in report.problems)


def test_notes_for_an_unknown_document_are_reported() -> None:
    report = check_notes(PASSAGES, {"not-a-source": []}, [])
    assert report.problems == ["not-a-source: notes for a document the index does not hold"]


def test_attach_fills_note_and_situations_of_the_right_passage_only() -> None:
    attached = {p.locator: p for p in attach_notes(PASSAGES, _good())}
    assert attached["reg.5(1)"].note.startswith("The council must tell you")
    assert len(attached["reg.5(1)"].situations) == 3
    assert attached["reg.1"].note == "" and attached["reg.1"].note_windows() == []
    assert attached["reg.5(1)"].note_windows()[0] == attached["reg.5(1)"].note
    assert attached["reg.5(1)"].passage_id == PASSAGES[0].passage_id


def test_load_reads_notes_and_skips_and_names_a_bad_line(tmp_path: Path) -> None:
    good = [
        {
            "locator": "reg.5(1)",
            "plain": "The council must tell you.",
            "situations": ["a", "b", "c"],
        },
        {"locator": "reg.1", "skip": "citation only"},
    ]
    path = tmp_path / "uksi-2014-1530.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in good) + "\n", encoding="utf-8")
    loaded = load_notes(tmp_path)
    assert [type(e).__name__ for e in loaded["uksi-2014-1530"]] == ["ProvisionNote", "NoteSkip"]
    before = notes_digest(tmp_path)
    path.write_text(path.read_text() + '{"locator": "reg.2", "plain": "x"}\n', encoding="utf-8")
    assert notes_digest(tmp_path) != before
    with pytest.raises(ConfigError, match=r"uksi-2014-1530.jsonl, line 3"):
        load_notes(tmp_path)
    assert load_notes(tmp_path / "absent") == {}


def test_a_note_needs_three_to_six_situations() -> None:
    with pytest.raises(ValueError):
        ProvisionNote(locator="reg.1", plain="Some plain words.", situations=("a", "b"))
    with pytest.raises(ValueError):
        ProvisionNote(locator="reg.1", plain="Some plain words.", situations=tuple("abcdefg"))
