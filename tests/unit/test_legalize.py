"""The legislation parser on the real legalize-uk files: every provision anchored, no commentary."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.legalize import parse_legalize_markdown
from rag.manifest import load_manifest
from rag.schema import Passage, Source
from rag.settings import PROJECT_ROOT

MANIFEST = PROJECT_ROOT / "corpus" / "sources.toml"


def _source(source_id: str) -> Source:
    return next(s for s in load_manifest(MANIFEST) if s.source_id == source_id)


def _parse(shared_corpus: Path, source_id: str) -> list[Passage]:
    source = _source(source_id)
    return parse_legalize_markdown((shared_corpus / source.filename).read_text(), source)


def _numbers(passages: list[Passage], prefix: str) -> set[int]:
    found = set()
    for p in passages:
        m = re.match(rf"{re.escape(prefix)}\.(\d+)", p.locator or "")
        if m:
            found.add(int(m.group(1)))
    return found


def test_every_part_3_section_has_a_passage(shared_corpus: Path) -> None:
    passages = _parse(shared_corpus, "ukpga-2014-6")
    assert _numbers(passages, "s") == set(range(19, 84))


def test_only_part_3_is_kept(shared_corpus: Path) -> None:
    passages = _parse(shared_corpus, "ukpga-2014-6")
    assert not any((p.locator or "").startswith("sch.") for p in passages)
    assert all(p.heading_path[0].startswith("PART 3") for p in passages)


def test_every_regulation_has_a_passage(shared_corpus: Path) -> None:
    passages = _parse(shared_corpus, "uksi-2014-1530")
    assert set(range(1, 66)) <= _numbers(passages, "reg")


def test_section_42_2_text_and_anchor(shared_corpus: Path) -> None:
    passages = _parse(shared_corpus, "ukpga-2014-6")
    p = next(p for p in passages if p.locator == "s.42(2)")
    assert p.text == (
        "The local authority must secure the specified special educational provision for the "
        "child or young person."
    )
    assert p.anchor.label == "Children and Families Act 2014, s.42(2)"
    assert p.anchor.url == "https://www.legislation.gov.uk/ukpga/2014/6/section/42/2"
    assert p.heading_path[-1].startswith("Duty to secure special educational provision")


def test_paragraphs_stay_inside_their_subsection(shared_corpus: Path) -> None:
    passages = _parse(shared_corpus, "uksi-2014-1530")
    p = next(p for p in passages if p.locator == "reg.4(1)")
    assert "within 6 weeks" in p.text
    assert "(a) receiving a request for an EHC needs assessment" in p.text


def test_commentary_is_left_out(shared_corpus: Path) -> None:
    for source_id in ("ukpga-2014-6", "uksi-2014-1530", "ukpga-2010-15"):
        for p in _parse(shared_corpus, source_id):
            assert "[^" not in p.text
            assert "in force at" not in p.text
            assert "](http" not in p.text


def test_equality_act_keeps_only_disability_and_schools(shared_corpus: Path) -> None:
    passages = _parse(shared_corpus, "ukpga-2010-15")
    sections = _numbers(passages, "s")
    assert sections == {6, 15, 19, 20, 21, 84, 85, 86, 87, 88, 89}
    schedules = {p.locator.split(" ")[0] for p in passages if (p.locator or "").startswith("sch.")}
    assert schedules == {"sch.10", "sch.13", "sch.17"}
    assert any(p.locator == "sch.13 para.2(2)" for p in passages)


def test_passage_ids_are_deterministic(shared_corpus: Path) -> None:
    first = _parse(shared_corpus, "uksi-2017-1306")
    second = _parse(shared_corpus, "uksi-2017-1306")
    assert [p.passage_id for p in first] == [p.passage_id for p in second]
    assert len({p.passage_id for p in first}) == len(first)


def test_labels_before_subsection_1_are_subsections(shared_corpus: Path) -> None:
    """(ZA) and (A1) come before (1): they are subsections, not text of the bare regulation."""
    regs = {p.locator: p for p in _parse(shared_corpus, "uksi-2014-1530")}
    assert "reg.20" not in regs
    assert regs["reg.20(ZA)"].text.startswith("This regulation applies where a local authority")
    assert regs["reg.20(1)"].text.startswith("As part of a review")
    act = {p.locator: p for p in _parse(shared_corpus, "ukpga-2010-15")}
    assert "s.87" not in act
    assert (
        act["s.87(A1)"].text
        == "Subsections (1) and (2) do not apply in the case of a school in Wales."
    )
    assert act["s.87(A1)"].anchor.url.endswith("/section/87/A1")


def test_provisions_written_after_the_notes_are_put_back(shared_corpus: Path) -> None:
    """reg.4A and reg.2A sit after the Footnotes and Editorial notes in the file."""
    passages = _parse(shared_corpus, "uksi-2014-1652")
    locators = [p.locator for p in passages]
    assert locators[:10] == [
        "reg.1",
        "reg.2",
        "reg.2A(1)",
        "reg.2A(2)",
        "reg.3",
        "reg.4(1)",
        "reg.4(2)",
        "reg.4A(1)",
        "reg.4A(2)",
        "reg.4A(3)",
    ]
    p = passages[locators.index("reg.4A(1)")]
    assert p.text.startswith("For the purposes of section 49(2), the particular provision")
    assert p.heading_path == (
        "Provision for which a local authority is not required to prepare a personal budget",
    )
    assert p.anchor.url == "https://www.legislation.gov.uk/uksi/2014/1652/regulation/4A/1"
    assert [p.position for p in passages] == list(range(len(passages)))
    # The copy of the Schedule legalize-uk writes again among the notes is not a second passage.
    assert sum("may not receive direct payments" in p.text for p in passages) == 1


def test_an_unnumbered_schedule_is_anchored(shared_corpus: Path) -> None:
    passages = _parse(shared_corpus, "uksi-2014-1652")
    p = next(p for p in passages if p.locator == "sch.1")
    assert p.text.startswith("The following persons may not receive direct payments—")
    assert "(h) a person who is subject to a youth rehabilitation order" in p.text
    assert p.anchor.url == "https://www.legislation.gov.uk/uksi/2014/1652/schedule"


def test_schedule_parts_without_paragraphs_are_anchored(shared_corpus: Path) -> None:
    passages = {p.locator: p for p in _parse(shared_corpus, "uksi-2014-1530")}
    for part, reg in (("1", "64(1)(a)"), ("2", "64(1)(b)"), ("3", "64(1)(c)"), ("4", "64(1)(d)")):
        p = passages[f"sch.3 pt.{part}"]
        assert p.text.startswith(f"The provisions referred to in regulation {reg} are—")
        assert p.heading_path[0] == "Schedule 3"
        assert p.heading_path[1].startswith(f"PART {part} —")
        assert p.anchor.url.endswith(f"/uksi/2014/1530/schedule/3/part/{part}")
    assert "section 70(5)" in passages["sch.3 pt.2"].text


def test_equality_act_schedule_17_every_paragraph(shared_corpus: Path) -> None:
    """Parts split Schedule 17, and its Welsh paragraphs 3A and 6A-6F are written elsewhere."""
    passages = _parse(shared_corpus, "ukpga-2010-15")
    paras = []
    for p in passages:
        m = re.match(r"sch\.17 para\.(\w+)", p.locator or "")
        if m and m.group(1) not in paras:
            paras.append(m.group(1))
    # 11 is repealed (a row of dots); 3A and 6A-6F come back in number order.
    expected = "1 2 3 3A 4 5 6 6A 6B 6C 6D 6E 6F 7 8 9 10 12 13 14".split()
    assert paras == expected
    by_loc = {p.locator: p for p in passages}
    p3 = by_loc["sch.17 para.3"]
    assert p3.text.startswith("A claim that a responsible body has contravened Chapter 1 of Part 6")
    assert p3.heading_path[:2] == ("Schedule 17", "Part 2 — Tribunals in England and Wales")
    assert by_loc["sch.17 para.6F(1)"].heading_path[1] == "Part 2 — Tribunals in England and Wales"
    assert by_loc["sch.17 para.14(1)"].heading_path[1] == "Part 4 — Admissions and exclusions"
