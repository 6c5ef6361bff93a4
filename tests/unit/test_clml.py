"""CLML parser: anchors agree with legislation.gov.uk's DocumentURIs, text is the law's words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from ingest.clml import parse_clml
from rag.anchors import locator_matches
from rag.errors import IngestError
from rag.schema import Passage, Source, passage_id_for

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "clml"
TITLES = {
    "ukpga-2022-44": "Energy Prices Act 2022",
    "ukpga-2025-16": "Great British Energy Act 2025",
    "uksi-2022-1406": "The Network Rail (Example) Order 2022",
}
_URI = re.compile(r"legislation\.gov\.uk/(?P<type>[a-z]+)/(?P<year>\d+)/(?P<num>\d+)/(?P<rest>.*)$")
_WORDS = {"section": "s", "regulation": "reg", "article": "art"}


def make_source(source_id: str, include: tuple[str, ...] = ()) -> Source:
    kind, year, number = source_id.split("-")
    return Source(
        source_id=source_id,
        title=TITLES.get(source_id, "Test Act"),
        short_title=TITLES.get(source_id, "Test Act"),
        kind="legislation",
        url=f"https://www.legislation.gov.uk/{kind}/{year}/{number}",
        format="clml",
        include=include,
    )


def uri_locator(uri: str) -> str | None:
    """Test oracle, written apart from the parser: '.../section/18/2/a/enacted' -> 's.18(2)(a)'."""
    m = _URI.search(uri)
    if not m:
        return None
    parts = [p for p in m.group("rest").split("/") if p not in ("made", "enacted")]
    if parts[0] == "schedule":
        head, subs = f"sch.{parts[1]} para.{parts[3]}", parts[4:]
    elif parts[0] in _WORDS:
        head, subs = f"{_WORDS[parts[0]]}.{parts[1]}", parts[2:]
    else:
        return None  # a part or cross-heading, not a provision
    return head + "".join(f"({s})" for s in subs)


def fixture_source_id(xml: bytes) -> str:
    m = _URI.search(re.search(rb'DocumentURI="([^"]+)"', xml).group(1).decode())  # type: ignore[union-attr]
    assert m is not None
    return f"{m.group('type')}-{m.group('year')}-{m.group('num')}"


def provision_elements(xml: bytes) -> list[tuple[str, str]]:
    """(oracle locator, first words of own text) for every P1-P7 element with a DocumentURI."""
    root = etree.fromstring(xml)
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str) or not re.fullmatch(r"P\d", etree.QName(el).localname):
            continue
        locator = uri_locator(el.get("DocumentURI", ""))
        if locator is None:
            continue
        texts = el.xpath("./*[local-name()!='Pnumber']//*[local-name()='Text'][1]")
        words = " ".join("".join(texts[0].itertext()).split()[:4]) if texts else ""
        out.append((locator, words))
    return out


def parse_fixture(name: str) -> tuple[bytes, list[Passage]]:
    xml = (FIXTURES / name).read_bytes()
    return xml, parse_clml(xml, make_source(fixture_source_id(xml)))


FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.xml"))
EXPECTED_COUNTS = {
    "clml_fragment_1.xml": 1,
    "clml_fragment_2.xml": 11,
    "clml_fragment_3.xml": 11,
    "clml_fragment_4.xml": 8,
    "clml_fragment_5.xml": 5,
    "clml_fragment_6.xml": 6,
    "clml_fragment_7.xml": 8,
    "clml_fragment_8.xml": 3,
}


def test_fixtures_are_present() -> None:
    assert set(FIXTURE_NAMES) == set(EXPECTED_COUNTS)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_locator_agrees_with_the_document_uris(name: str) -> None:
    xml, passages = parse_fixture(name)
    elements = provision_elements(xml)
    assert len(passages) == EXPECTED_COUNTS[name]
    element_locators = {loc for loc, _ in elements}
    for passage in passages:
        assert passage.locator in element_locators, passage.locator
    for locator, words in elements:
        containing = [p for p in passages if _inside(locator, p.locator)]
        if not containing:
            # Only a provision split into passages may lack one passage holding it.
            assert any(_inside(p.locator, locator) for p in passages), locator
            continue
        assert len(containing) == 1, (locator, [p.locator for p in containing])
        if words:
            assert _bare(words) in _bare(containing[0].text), (locator, words)


def _bare(text: str) -> str:
    """Words only: punctuation spacing is the parser's business, not this check's."""
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _inside(inner: str, outer: str | None) -> bool:
    """inner sits within outer: outer is a prefix of inner at a boundary."""
    return outer is not None and len(outer) <= len(inner) and locator_matches(outer, inner)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_anchor_fields_and_positions(name: str) -> None:
    xml, passages = parse_fixture(name)
    source = make_source(fixture_source_id(xml))
    assert [p.position for p in passages] == list(range(len(passages)))
    for p in passages:
        assert p.anchor.source_id == source.source_id
        assert p.anchor.label == f"{source.short_title}, {p.locator}"
        assert p.passage_id == passage_id_for(source.source_id, p.locator, p.text)
        assert p.kind == "legislation"
        assert p.text == " ".join(p.text.split())
        assert "key-" not in p.text and "CommentaryRef" not in p.text


def test_subsection_keeps_its_paragraphs_and_quoted_amendment() -> None:
    _, passages = parse_fixture("clml_fragment_5.xml")
    by_locator = {p.locator: p for p in passages}
    assert list(by_locator) == ["s.18(1)", "s.18(2)", "s.18(3)", "s.18(4)", "s.18(5)"]
    s18_2 = by_locator["s.18(2)"]
    assert s18_2.text.startswith("In section 6 (power to make regulations")
    assert "— (a) after subsection (1) insert— “(1A) The reference in subsection (1)" in s18_2.text
    assert "existing generating stations.”, and (b) in subsection (8)" in s18_2.text
    assert s18_2.text.endswith(
        "“(aa) the first regulations made after the passing of the Energy "
        "Prices Act 2022 which make provision falling within each of the "
        "sections mentioned in paragraph (a);”."
    )
    assert s18_2.heading_path == ("Reducing the price of electricity", "Contracts for difference")
    assert s18_2.anchor.url == "https://www.legislation.gov.uk/ukpga/2022/44/section/18/2"
    s18_5 = by_locator["s.18(5)"]
    assert (
        "(i) in paragraph (c), after “the Northern Ireland system operator” insert "
        "“, an electricity supplier”, (ii) after paragraph (c) insert— “(ca) for the" in s18_5.text
    )


def test_lone_paragraph_fragment_is_anchored_by_its_uri() -> None:
    _, passages = parse_fixture("clml_fragment_1.xml")
    assert [p.locator for p in passages] == ["s.18(2)(a)"]
    assert passages[0].text == (
        "after subsection (1) insert— “(1A) The reference in subsection (1) to encouraging low "
        "carbon electricity generation includes encouraging the continuation of, or an increase "
        "in, low carbon electricity generation by existing generating stations.”, and"
    )


def test_group_titles_make_the_heading_path() -> None:
    _, passages = parse_fixture("clml_fragment_3.xml")
    by_locator = {p.locator: p for p in passages}
    crossheading = "Reduction of domestic energy bills in England, Wales and Scotland"
    title = "Interpretation of sections 1 to 3"
    assert by_locator["s.4(1)"].heading_path == (crossheading, title)
    assert by_locator["s.4(6)"].heading_path == (crossheading, title, "Expressions relating to gas")
    assert by_locator["s.4(8)"].text == (
        "“Gas shipper” has the same meaning as in Part 1 of the Gas Act 1986 "
        "(see section 7A(11) of that Act)."
    )


def test_order_articles_keep_the_article_word_and_part_heading() -> None:
    _, passages = parse_fixture("clml_fragment_6.xml")
    assert [p.locator for p in passages] == [
        "art.6(1)", "art.6(2)", "art.6(3)", "art.6(4)", "art.6(5)", "art.7"
    ]  # fmt: skip
    art7 = passages[-1]
    assert art7.heading_path == (
        "PART 2 — WORKS PROVISIONS",
        "Principal Powers",
        "Power to deviate",
    )
    assert "(b) deviate vertically from the levels shown on the deposited sections— (i) to any" in (
        art7.text
    )
    assert art7.anchor.url == "https://www.legislation.gov.uk/uksi/2022/1406/article/7"


def test_adjacent_links_and_definition_lists() -> None:
    _, passages = parse_fixture("clml_fragment_7.xml")
    by_locator = {p.locator: p for p in passages}
    assert by_locator["s.1(5)"].text.startswith(
        "A notice under subsection (4)(b)— (a) must specify"
    )
    assert by_locator["s.1(8)"].text == (
        "In this section— “company” means a company registered under the Companies Act 2006; "
        "“Minister of the Crown” has the same meaning as in the Ministers of the Crown Act 1975 "
        "(see section 8(1) of that Act)."
    )


NS = "http://www.legislation.gov.uk/namespaces/legislation"


def whole_document(kind: str = "ukpga", word: str = "section") -> str:
    """A small whole document: metadata, prelims, a Part, a schedule and commentaries."""
    base = f"http://www.legislation.gov.uk/{kind}/2099/1"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Legislation xmlns="{NS}" xmlns:ukm="http://www.legislation.gov.uk/namespaces/metadata"
    xmlns:dc="http://purl.org/dc/elements/1.1/" DocumentURI="{base}">
  <ukm:Metadata><dc:title>METADATA TITLE</dc:title></ukm:Metadata>
  <Primary>
    <PrimaryPrelims><LongTitle>An Act to test LONG TITLE things.</LongTitle></PrimaryPrelims>
    <Body>
      <Part DocumentURI="{base}/part/1" id="part-1">
        <Number>PART 1</Number><Title>General</Title>
        <Pblock><Title>Assessments</Title>
          <P1group><Title>Duty to assess</Title>
            <P1 DocumentURI="{base}/{word}/1" id="{word}-1">
              <Pnumber>1</Pnumber>
              <P1para>
                <P2 DocumentURI="{base}/{word}/1/1" id="{word}-1-1"><Pnumber>1</Pnumber>
                  <P2para><Text>A local authority must <Substitution ChangeId="c1"
                    CommentaryRef="key-1">secure</Substitution><CommentaryRef Ref="key-1"/>
                    an assessment—</Text>
                    <P3 DocumentURI="{base}/{word}/1/1/a"><Pnumber>a</Pnumber>
                      <P3para><Text>within 6 weeks, and</Text></P3para></P3>
                    <P3 DocumentURI="{base}/{word}/1/1/b"><Pnumber>b</Pnumber>
                      <P3para><Text>after consulting the parent<FootnoteRef Ref="f1"/>.</Text>
                      </P3para></P3>
                  </P2para>
                </P2>
                <P2 DocumentURI="{base}/{word}/1/2" id="{word}-1-2"><Pnumber>2</Pnumber>
                  <P2para><Text>The authority must notify the parent.</Text></P2para>
                </P2>
              </P1para>
            </P1>
          </P1group>
          <P1group><Title>Plans</Title>
            <P1 DocumentURI="{base}/{word}/2" id="{word}-2"><Pnumber>2</Pnumber>
              <P1para><Text>A plan must set out—</Text>
                <P3 DocumentURI="{base}/{word}/2/a"><Pnumber>a</Pnumber>
                  <P3para><Text>the needs;</Text></P3para></P3>
              </P1para>
            </P1>
          </P1group>
          <P1group><Title>Repealed</Title>
            <P1 DocumentURI="{base}/{word}/3" id="{word}-3"><Pnumber>3</Pnumber>
              <P1para><Text>. . . . . . .</Text></P1para>
            </P1>
          </P1group>
        </Pblock>
      </Part>
    </Body>
    <Schedules>
      <Title>SCHEDULES</Title>
      <Schedule DocumentURI="{base}/schedule/1" id="schedule-1">
        <Number>SCHEDULE 1</Number>
        <TitleBlock><Title>Consequential amendments</Title></TitleBlock>
        <Reference>Section 2</Reference>
        <ScheduleBody>
          <P1group><Title>The Education Act 1996</Title>
            <P1 DocumentURI="{base}/schedule/1/paragraph/1" id="schedule-1-paragraph-1">
              <Pnumber>1</Pnumber>
              <P1para>
                <P2 DocumentURI="{base}/schedule/1/paragraph/1/1"><Pnumber>1</Pnumber>
                  <P2para><Text>The Education Act 1996 is amended as follows.</Text></P2para>
                </P2>
                <P2 DocumentURI="{base}/schedule/1/paragraph/1/2"><Pnumber>2</Pnumber>
                  <P2para><Text>Omit section 312.</Text></P2para>
                </P2>
              </P1para>
            </P1>
            <P1 DocumentURI="{base}/schedule/1/paragraph/2" id="schedule-1-paragraph-2">
              <Pnumber>2</Pnumber>
              <P1para><Text>Omit section 313.</Text></P1para>
            </P1>
          </P1group>
        </ScheduleBody>
      </Schedule>
    </Schedules>
  </Primary>
  <Versions><Version id="v1"><P1group><Title>Old</Title>
    <P1 id="{word}-1-old"><Pnumber>1</Pnumber><P1para><Text>OLD VERSION TEXT</Text></P1para></P1>
  </P1group></Version></Versions>
  <Commentaries>
    <Commentary id="key-1" Type="F"><Para><Text>COMMENTARY: word substituted by S.I.</Text>
    </Para></Commentary>
  </Commentaries>
  <Footnotes><Footnote id="f1"><FootnoteText><Para><Text>FOOTNOTE TEXT</Text></Para>
  </FootnoteText></Footnote></Footnotes>
</Legislation>
"""


def test_whole_document_with_namespaces_and_schedules() -> None:
    passages = parse_clml(whole_document(), make_source("ukpga-2099-1"))
    assert [p.locator for p in passages] == [
        "s.1(1)", "s.1(2)", "s.2", "sch.1 para.1(1)", "sch.1 para.1(2)", "sch.1 para.2"
    ]  # fmt: skip
    first = passages[0]
    assert first.text == (
        "A local authority must secure an assessment— (a) within 6 weeks, and "
        "(b) after consulting the parent."
    )
    assert first.heading_path == ("PART 1 — General", "Assessments", "Duty to assess")
    assert passages[2].text == "A plan must set out— (a) the needs;"
    schedule = passages[3]
    assert schedule.heading_path == (
        "SCHEDULE 1 — Consequential amendments",
        "The Education Act 1996",
    )
    assert (
        schedule.anchor.url
        == "https://www.legislation.gov.uk/ukpga/2099/1/schedule/1/paragraph/1/1"
    )
    everything = " ".join(p.text for p in passages)
    for unwanted in (
        "METADATA",
        "LONG TITLE",
        "COMMENTARY",
        "FOOTNOTE",
        "OLD VERSION",
        "SCHEDULES",
    ):
        assert unwanted not in everything


def test_statutory_instrument_gets_regulation_locators() -> None:
    passages = parse_clml(whole_document("uksi", "regulation"), make_source("uksi-2099-1"))
    assert [p.locator for p in passages][:3] == ["reg.1(1)", "reg.1(2)", "reg.2"]
    assert passages[0].anchor.url == "https://www.legislation.gov.uk/uksi/2099/1/regulation/1/1"


def test_include_keeps_only_listed_provisions() -> None:
    source = make_source("ukpga-2099-1", include=("s.2", "sch.1"))
    passages = parse_clml(whole_document().encode(), source)
    assert [p.locator for p in passages] == [
        "s.2", "sch.1 para.1(1)", "sch.1 para.1(2)", "sch.1 para.2"
    ]  # fmt: skip
    only_section_1 = parse_clml(whole_document(), make_source("ukpga-2099-1", include=("s.1",)))
    assert [p.locator for p in only_section_1] == ["s.1(1)", "s.1(2)"]


def test_malformed_xml_raises_ingest_error() -> None:
    with pytest.raises(IngestError, match="ukpga-2099-1"):
        parse_clml("<Legislation><Body><P1>", make_source("ukpga-2099-1"))
