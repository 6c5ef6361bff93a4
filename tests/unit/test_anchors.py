"""Locator matching, named-provision detection and provision URLs."""

from __future__ import annotations

import pytest

from rag.anchors import locator_matches, make_label, named_provisions, provision_url
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
