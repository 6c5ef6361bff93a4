"""The legislation parser on the real legalize-uk files: every provision anchored, no commentary."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.legalize import parse_legalize_markdown
from ingest.manifest import load_manifest
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
    assert schedules == {"sch.10", "sch.13"}
    assert any(p.locator == "sch.13 para.2(2)" for p in passages)


def test_passage_ids_are_deterministic(shared_corpus: Path) -> None:
    first = _parse(shared_corpus, "uksi-2017-1306")
    second = _parse(shared_corpus, "uksi-2017-1306")
    assert [p.passage_id for p in first] == [p.passage_id for p in second]
    assert len({p.passage_id for p in first}) == len(first)
