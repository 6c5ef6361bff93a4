"""Locator matching, named-provision detection and provision URLs."""

from __future__ import annotations

import pytest

from rag.anchors import (
    anchored_passage,
    locator_matches,
    make_label,
    named_provisions,
    paragraph_tree,
    provision_url,
    resolve_locator,
    subparagraph_text,
)
from rag.schema import Source

CFA = Source(
    source_id="ukpga-2014-6",
    title="Children and Families Act 2014",
    short_title="Children and Families Act 2014",
    kind="legislation",
    url="https://www.legislation.gov.uk/ukpga/2014/6",
)


@pytest.mark.parametrize(
    ("expected", "actual", "result"),
    [
        ("s.36", "s.36(8)", True),
        ("s.36(8)", "s.36", True),
        ("s.3", "s.36", False),
        ("s.36(8)", "s.36(9)", False),
        (None, "s.1", True),
        (None, None, True),
        ("s.36", None, False),
        ("sch.2", "sch.2 para.3", True),
        ("sch.2", "sch.21 para.3", False),
        ("9.4", "9.40", False),
    ],
)
def test_locator_prefix_rule(expected: str | None, actual: str | None, result: bool) -> None:
    assert locator_matches(expected, actual) is result


@pytest.mark.parametrize(
    ("question", "found"),
    [
        ("what does section 42 say?", [("act", "s.42")]),
        ("s42(2) please", [("act", "s.42(2)")]),
        ("reg 13 SEND regs 2014 pls", [("regs", "reg.13")]),
        ("regulation 13(2)", [("regs", "reg.13(2)")]),
        ("paragraph 9.40 of the code", [("para", "9.40")]),
        ("Schedule 13 para 2", [("sch", "sch.13 para.2")]),
        ("my son's 17 and is in year 12", []),
        ("Section F of the plan", []),
    ],
)
def test_named_provisions(question: str, found: list[tuple[str, str]]) -> None:
    assert named_provisions(question) == found


def test_provision_urls_and_labels() -> None:
    assert (
        provision_url(CFA, "s.42(2)") == "https://www.legislation.gov.uk/ukpga/2014/6/section/42/2"
    )
    assert provision_url(CFA, "sch.2 para.3") == (
        "https://www.legislation.gov.uk/ukpga/2014/6/schedule/2/paragraph/3"
    )
    assert make_label(CFA, "s.42(2)") == "Children and Families Act 2014, s.42(2)"

    assert provision_url(CFA, "sch.3 pt.2") == (
        "https://www.legislation.gov.uk/ukpga/2014/6/schedule/3/part/2"
    )


SEND_REGS = Source(
    source_id="uksi-2014-1530",
    title="The Special Educational Needs and Disability Regulations 2014",
    short_title="SEND Regulations 2014",
    kind="legislation",
    role="regulations",
    url="https://www.legislation.gov.uk/uksi/2014/1530",
)

# reg.12(1) as the passage holds it: (h) has sub-paragraphs (i) and (ii), then paragraph (i).
REG_12_1 = "\n".join(
    [
        "When preparing an EHC plan a local authority must set out—",
        "(a) the views, interests and aspirations of the child (section A);",
        "(b) the child or young person's special educational needs (section B);",
        "(c) the child or young person's health care needs (section C);",
        "(d) the child or young person's social care needs (section D);",
        "(e) the outcomes sought for him or her (section E);",
        "(f) the special educational provision required (section F);",
        "(g) any health care provision reasonably required (section G);",
        "(h)",
        "(i) any social care provision which must be made under section 2 of the Chronically "
        "Sick and Disabled Persons Act 1970 (section H1);",
        "(ii) any other social care provision reasonably required (section H2);",
        "(i) the name of the school, maintained nursery school, post-16 institution or other "
        "institution to be attended (section I); and",
        "(j) where any special educational provision is to be secured by a direct payment "
        "(section J),",
        "and each section must be separately identified.",
    ]
)


def test_roman_sub_items_do_not_take_the_place_of_the_next_letter() -> None:
    tree = paragraph_tree(REG_12_1)
    assert [p.label for p in tree.items] == ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]
    assert [p.kind for p in tree.items[7].children] == ["roman", "roman"]
    assert not tree.anomalies
    assert subparagraph_text(REG_12_1, ["i"]).startswith("(i) the name of the school")  # type: ignore[union-attr]
    assert "(section I)" in subparagraph_text(REG_12_1, ["i"])  # type: ignore[operator]
    h = subparagraph_text(REG_12_1, ["h"])
    assert (
        h is not None and h.splitlines()[0] == "(h)" and "(section H1)" in h and "(section H2)" in h
    )
    assert "(section I)" not in h
    assert "(section H1)" in subparagraph_text(REG_12_1, ["h", "i"])  # type: ignore[operator]
    assert subparagraph_text(REG_12_1, ["j"]) == (
        "(j) where any special educational provision is to be secured by a direct payment "
        "(section J),"
    )  # the closing words belong to the whole subsection, not to (j)
    assert subparagraph_text(REG_12_1, ["k"]) is None
    assert subparagraph_text(REG_12_1, ["h", "iii"]) is None


@pytest.mark.parametrize(
    ("labels", "shape"),
    [
        # (v) after (u) is a letter; (v) after (iv) is a numeral.
        (["t", "u", "v"], ["t", "u", "v"]),
        (["a", "i", "ii", "iii", "iv", "v", "b"], ["a", ["i", "ii", "iii", "iv", "v"], "b"]),
        # (i) after (h) with no (ii) to follow is the letter.
        (["g", "h", "i", "j"], ["g", "h", "i", "j"]),
        # (d) then its numerals, then (e): back to the letters.
        (["c", "d", "i", "ii", "e"], ["c", "d", ["i", "ii"], "e"]),
        # Inserted letters and numbers.
        (["c", "ca", "d"], ["c", "ca", "d"]),
        (["1", "2", "2A", "3"], ["1", "2", "2A", "3"]),
    ],
)
def test_paragraph_sequence(labels: list[str], shape: list[object]) -> None:
    text = "\n".join(f"({label}) words" for label in labels)
    tree = paragraph_tree(text)

    def flat(items: list[object]) -> list[object]:
        out: list[object] = []
        for item in items:
            out.append(item.label)  # type: ignore[attr-defined]
            if item.children:  # type: ignore[attr-defined]
                out.append(flat(item.children))  # type: ignore[attr-defined]
        return out

    assert flat(tree.items) == shape  # type: ignore[arg-type]
    assert not tree.anomalies


def test_inserted_section_in_quotation() -> None:
    """CFA s.50 inserts s.17ZG into the Children Act 1989; its subsections are addressable."""
    text = (
        "After section 17 of the Children Act 1989 (provision of services for children etc) "
        "insert—\n(17ZG)\n(1) This section applies where, immediately before a child in need "
        "reaches the age of 18—\n(a) a local authority in England is providing services, and\n"
        "(b) an EHC plan is maintained for the child.\n(2) The local authority may continue to "
        "provide services.\n(3) In this section “EHC plan” means a plan within section 37(2)."
    )
    assert subparagraph_text(text, ["17ZG", "2"]) == (
        "(2) The local authority may continue to provide services."
    )
    one = subparagraph_text(text, ["17ZG", "1"])
    assert one is not None and one.startswith("(1) This section applies") and "(b) an EHC" in one
    assert subparagraph_text(text, ["17ZG"]).count("\n") == 5  # type: ignore[union-attr]


def test_an_item_out_of_sequence_is_reported() -> None:
    tree = paragraph_tree("(a) one\n(b) two\n(d) four")
    assert tree.anomalies == ["(d) after (b)"]


def test_resolve_locator() -> None:
    passages = [
        anchored_passage(SEND_REGS, "reg.12(1)", REG_12_1, ("Form of EHC plan",), 0),
        anchored_passage(SEND_REGS, "reg.12(2)", "The health care provision...", (), 1),
        anchored_passage(SEND_REGS, "reg.20(ZA)", "This regulation applies...", (), 2),
        anchored_passage(SEND_REGS, "reg.20(1)", "As part of a review...", (), 3),
    ]
    # A whole regulation: every passage under it, in order.
    assert [p.locator for p in resolve_locator(passages, "reg.12")] == ["reg.12(1)", "reg.12(2)"]
    assert [p.locator for p in resolve_locator(passages, "reg.20")] == ["reg.20(ZA)", "reg.20(1)"]
    assert [p.locator for p in resolve_locator(passages, "reg.12(2)")] == ["reg.12(2)"]
    # A paragraph: cut out of its subsection, labelled with the full locator.
    (section_i,) = resolve_locator(passages, "reg.12(1)(i)")
    assert (
        section_i.text.startswith("(i) the name of the school") and "(section I)" in section_i.text
    )
    assert section_i.anchor.label == "SEND Regulations 2014, reg.12(1)(i)"
    assert section_i.anchor.url == "https://www.legislation.gov.uk/uksi/2014/1530/regulation/12/1"
    assert section_i.heading_path == ("Form of EHC plan",)
    (h1,) = resolve_locator(passages, "reg.12(1)(h)(i)")
    assert "(section H1)" in h1.text and "(section I)" not in h1.text
    assert resolve_locator(passages, "reg.12(1)(z)") == []
    assert resolve_locator(passages, "reg.12(3)") == []
    assert resolve_locator(passages, "reg.1") == []
