"""Statutory deadlines: arithmetic on concrete dates, and every quote checked against the law."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from casework.calendar import add_months, add_working_days, bank_holidays, is_working_day
from casework.dates import format_date, parse_user_date
from casework.deadlines import Deadline, compute_deadlines, status_text
from casework.rules import (
    EVENTS,
    RULES,
    RULES_BY_EVENT,
    DeadlineRule,
    Offset,
    load_rule_table,
    parse_rule_table,
)
from rag.settings import default_corpus_dir

LEGISLATION = default_corpus_dir() / "legislation"


def _by_id(deadlines: list[Deadline]) -> dict[str, Deadline]:
    return {d.rule.rule_id: d for d in deadlines}


# --- the EHC needs assessment timeline -------------------------------------------------------


def test_request_on_3_march_2025() -> None:
    found = _by_id(compute_deadlines("request", date(2025, 3, 3), today=date(2025, 3, 10)))
    assert found["assessment-decision"].due == date(2025, 4, 14)
    assert found["no-plan-notice"].due == date(2025, 6, 23)
    assert found["final-plan"].due == date(2025, 7, 21)
    assert found["assessment-decision"].rule.locator == "reg.5(1)"
    assert found["final-plan"].rule.locator == "reg.13(2)"


def test_deadlines_are_sorted_earliest_first() -> None:
    dues = [d.due for d in compute_deadlines("request", date(2025, 3, 3), date(2025, 3, 3))]
    assert dues == sorted(dues)


def test_passed_and_days_left() -> None:
    on = date(2025, 3, 3)
    before = _by_id(compute_deadlines("request", on, today=date(2025, 4, 4)))
    assert not before["assessment-decision"].passed
    assert before["assessment-decision"].days_left == 10
    on_the_day = _by_id(compute_deadlines("request", on, today=date(2025, 4, 14)))
    assert not on_the_day["assessment-decision"].passed
    assert on_the_day["assessment-decision"].days_left == 0
    after = _by_id(compute_deadlines("request", on, today=date(2025, 5, 1)))
    assert after["assessment-decision"].passed
    assert after["assessment-decision"].days_left == -17
    assert not after["final-plan"].passed


def test_dev_question_five_months_after_request_is_past_16_weeks() -> None:
    # dev-005: "nearly 5 months since I sent the request" and no plan: past reg.10(1).
    found = _by_id(compute_deadlines("request", date(2025, 1, 6), today=date(2025, 6, 2)))
    assert found["no-plan-notice"].passed
    assert found["no-plan-notice"].rule.locator == "reg.10(1)"


def test_draft_comments_count_the_day_served_as_day_one() -> None:
    (deadline,) = compute_deadlines("draft_issued", date(2025, 3, 3), today=date(2025, 3, 5))
    assert deadline.due == date(2025, 3, 17)
    assert deadline.rule.locator == "reg.13(1)(a)"
    assert deadline.days_left == 12


def test_caveats_name_the_exceptions() -> None:
    found = _by_id(compute_deadlines("request", date(2025, 7, 1), today=date(2025, 7, 1)))
    assert "reg.5(4)" in found["assessment-decision"].rule.caveat
    assert "summer holiday" in found["assessment-decision"].rule.caveat
    assert "reg.13(3)" in found["final-plan"].rule.caveat
    assert "reg.10(4)" in found["no-plan-notice"].rule.caveat
    # Exceptions are named, never applied: the summer does not move the date.
    assert found["assessment-decision"].due == date(2025, 8, 12)


# --- reviews ---------------------------------------------------------------------------------


def test_first_review_within_12_months_starting_with_the_plan_date() -> None:
    (deadline,) = compute_deadlines("plan_finalised", date(2025, 3, 3), today=date(2025, 3, 3))
    assert deadline.due == date(2026, 3, 2)
    assert (deadline.rule.source_id, deadline.rule.locator) == ("ukpga-2014-6", "s.44(1)(a)")
    (again,) = compute_deadlines("plan_reviewed", date(2026, 2, 20), today=date(2026, 2, 20))
    assert again.due == date(2027, 2, 19)
    assert again.rule.locator == "s.44(1)(b)"


def test_review_meeting_deadlines_before_and_after() -> None:
    found = _by_id(compute_deadlines("review_meeting", date(2025, 5, 20), today=date(2025, 5, 1)))
    assert found["review-meeting-notice"].due == date(2025, 5, 6)
    assert found["review-advice-circulated"].due == date(2025, 5, 6)
    assert found["review-report"].due == date(2025, 6, 3)
    assert found["review-decision"].due == date(2025, 6, 17)
    assert found["review-decision"].rule.locator == "reg.20(10)"
    assert not found["review-meeting-notice"].passed


def test_dev_question_review_decision_six_weeks_on_is_late() -> None:
    # dev-010: meeting 6 weeks ago and no word: past the 4 weeks of reg.20(10).
    meeting = date(2025, 3, 3)
    found = _by_id(compute_deadlines("review_meeting", meeting, today=meeting + timedelta(42)))
    assert found["review-decision"].passed
    assert found["review-decision"].days_left == -14


def test_amendment_after_review() -> None:
    found = _by_id(compute_deadlines("amendment_proposed", date(2025, 9, 1), date(2025, 9, 1)))
    assert found["amendment-comments"].due == date(2025, 9, 15)
    assert found["amended-plan-final"].due == date(2025, 10, 27)
    assert found["decision-not-to-amend"].due == date(2025, 10, 27)


# --- mediation and working days --------------------------------------------------------------


def test_certificate_three_working_days_across_august_bank_holiday() -> None:
    # Thursday 22 August 2024; Monday 26 August is a bank holiday.
    (deadline,) = compute_deadlines("mediation_declined", date(2024, 8, 22), date(2024, 8, 22))
    assert deadline.due == date(2024, 8, 28)
    assert deadline.rule.locator == "reg.34(1)"
    assert deadline.notes == ()


def test_certificate_across_easter_2025() -> None:
    # Thursday 17 April 2025; Good Friday 18 and Easter Monday 21 April are bank holidays.
    (deadline,) = compute_deadlines("mediation_declined", date(2025, 4, 17), date(2025, 4, 17))
    assert deadline.due == date(2025, 4, 24)


def test_certificate_across_christmas_2026_substitute_day() -> None:
    # Boxing Day 2026 is a Saturday, so Monday 28 December is the bank holiday.
    (deadline,) = compute_deadlines("mediation_concluded", date(2026, 12, 23), date(2026, 12, 23))
    assert deadline.due == date(2026, 12, 30)


def test_working_days_from_a_friday_skip_the_weekend() -> None:
    assert add_working_days(date(2025, 6, 6), 1) == date(2025, 6, 9)
    assert add_working_days(date(2025, 6, 7), 1) == date(2025, 6, 9)  # informed on a Saturday
    assert add_working_days(date(2025, 5, 2), 3) == date(2025, 5, 8)  # early May bank holiday


def test_working_days_in_2028_need_no_note() -> None:
    # The hand table stopped at 2027 and 2028 carried a "check for bank holidays" note; the
    # holidays library knows every year, so nothing is left to check by hand.
    (deadline,) = compute_deadlines("mediation_declined", date(2028, 3, 1), date(2028, 3, 1))
    assert deadline.due == date(2028, 3, 6)
    assert deadline.notes == ()


def test_certificate_across_easter_2031() -> None:
    # Thursday 10 April 2031; Good Friday 11 and Easter Monday 14 April are bank holidays.
    assert date(2031, 4, 14) in bank_holidays(2031)
    (deadline,) = compute_deadlines("mediation_declined", date(2031, 4, 10), date(2031, 4, 10))
    assert deadline.due == date(2031, 4, 17)
    assert deadline.notes == ()


def test_christmas_2032_falls_on_a_weekend_so_monday_and_tuesday_are_off() -> None:
    # 25 December 2032 is a Saturday: the substitute days are Monday 27 and Tuesday 28.
    assert {date(2032, 12, 27), date(2032, 12, 28)} <= bank_holidays(2032)
    assert not is_working_day(date(2032, 12, 27)) and not is_working_day(date(2032, 12, 28))
    (deadline,) = compute_deadlines("mediation_concluded", date(2032, 12, 24), date(2032, 12, 24))
    assert deadline.due == date(2032, 12, 31)  # Wed 29, Thu 30, Fri 31


def test_contact_mediation_adviser_two_months() -> None:
    (deadline,) = compute_deadlines("decision_notice", date(2025, 12, 31), date(2026, 1, 5))
    assert deadline.due == date(2026, 2, 28)
    assert deadline.rule.locator == "reg.33"
    assert "GOV.UK" in deadline.rule.caveat


def test_mediation_arranged_within_30_days() -> None:
    (deadline,) = compute_deadlines("mediation_requested", date(2025, 1, 10), date(2025, 1, 10))
    assert deadline.due == date(2025, 2, 9)


# --- after an appeal -------------------------------------------------------------------------


def test_tribunal_order_deadlines() -> None:
    found = _by_id(compute_deadlines("appeal_decision", date(2025, 6, 2), date(2025, 6, 2)))
    assert found["order-amend-school"].due == date(2025, 6, 16)
    assert found["order-make-plan-draft"].due == date(2025, 7, 7)
    assert found["order-make-plan-final"].due == date(2025, 8, 18)
    assert found["order-assess-final-plan"].due == date(2025, 9, 8)
    assert all(d.rule.title.startswith("If the Tribunal") for d in found.values())


def test_unopposed_appeal_deadlines() -> None:
    found = _by_id(compute_deadlines("appeal_not_opposed", date(2025, 6, 2), date(2025, 6, 2)))
    assert found["unopposed-assess-notify"].due == date(2025, 6, 16)
    assert found["unopposed-make-plan-final"].due == date(2025, 8, 18)


# --- the rule table --------------------------------------------------------------------------


def test_unknown_event_raises_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown event 'draft'.*draft_issued"):
        compute_deadlines("draft", date(2025, 1, 1), date(2025, 1, 1))


def test_rule_table_is_consistent() -> None:
    ids = [r.rule_id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(r.event in EVENTS for r in RULES)
    assert all(RULES_BY_EVENT[event] for event in EVENTS), "an event without rules"
    assert all(re.fullmatch(r"(s|reg)\.\w+(\(\w+\))*", r.locator) for r in RULES)
    assert all(r.source_id in {"uksi-2014-1530", "ukpga-2014-6"} for r in RULES)
    assert all(r.quote == r.quote.strip() and len(r.quote) >= 25 for r in RULES)


def test_required_rules_are_present() -> None:
    cited = {(r.source_id, r.locator) for r in RULES}
    for locator in (
        "reg.5(1)",
        "reg.10(1)",
        "reg.13(2)",
        "reg.13(1)(a)",
        "reg.20(3)",
        "reg.20(4)",
        "reg.20(10)",
        "reg.34(1)",
    ):
        assert ("uksi-2014-1530", locator) in cited, locator
    assert ("ukpga-2014-6", "s.44(1)(a)") in cited


def test_working_days_counted_backwards_is_refused() -> None:
    with pytest.raises(ValueError, match="working days can only be counted 'after'"):
        RULES[0].model_validate(
            RULES[0].model_dump()
            | {"offset": Offset(amount=3, unit="working_days"), "counting": "before"}
        )


def test_offsets_read_as_the_law_writes_them() -> None:
    assert Offset.parse("6 weeks") == Offset(amount=6, unit="weeks")
    assert Offset.parse("1 week") == Offset(amount=1, unit="weeks")
    assert Offset.parse("3 working days") == Offset(amount=3, unit="working_days")
    assert all(Offset.parse(str(r.offset)) == r.offset for r in RULES)
    with pytest.raises(ValueError, match="write it as '6 weeks'"):
        Offset.parse("six weeks")


def test_the_table_is_the_shipped_data_file() -> None:
    assert load_rule_table().rules == RULES
    caveat = RULES_BY_EVENT["request"][0].caveat
    assert "{" not in caveat and "summer holiday" in caveat  # shared wording filled in


_ROW = """
[events]
request = "the request was received"

[caveats]
short = "Short."

[[rules]]
rule_id = "one"
event = "request"
offset = "6 weeks"
source_id = "uksi-2014-1530"
locator = "reg.5(1)"
actor = "the local authority"
title = "A decision"
quote = "within 6 weeks of receiving a request"
caveat = "{short} More."
"""


def test_a_small_table_parses_with_its_shared_caveat() -> None:
    table = parse_rule_table(_ROW)
    (rule,) = table.rules
    assert rule.offset == Offset(amount=6, unit="weeks") and rule.counting == "after"
    assert rule.caveat == "Short. More."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("{short} More.", "{missing} More."), "rule one: unknown shared caveat 'missing'"),
        (('event = "request"', 'event = "requset"'), "unknown event 'requset'"),
        (('offset = "6 weeks"', 'offset = "6 wekes"'), "write it as '6 weeks'"),
        (('title = "A decision"', 'titel = "A decision"'), "titel"),
        (('request = "the request was received"', 'request = "x"\nother = "y"'), "without rules"),
    ],
)
def test_a_wrong_row_fails_when_the_table_loads(change: tuple[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_rule_table(_ROW.replace(*change))


def test_a_duplicate_rule_id_fails() -> None:
    rows = _ROW + _ROW[_ROW.index("[[rules]]") :]
    with pytest.raises(ValueError, match="duplicate rule ids: \\['one'\\]"):
        parse_rule_table(rows)


def test_rules_are_immutable() -> None:
    with pytest.raises(ValueError):
        setattr(RULES[0].offset, "amount", 7)  # noqa: B010 - the point is that it fails


# --- quotes checked against the corpus -------------------------------------------------------

_FOOTNOTE = re.compile(r"\[\^[^\]]+\]")
_PARAGRAPH_LINE = re.compile(r"^- \((?:\d+[A-Z]*|Z[A-Z])\)", re.MULTILINE)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", _FOOTNOTE.sub("", text)).strip()


def _provision_blocks(text: str, number: str) -> list[str]:
    """Every block under a heading '##### 44' / '###### 13', up to the next heading."""
    heading = re.compile(rf"^#{{5,6}} {re.escape(number)}$", re.MULTILINE)
    blocks = []
    for m in heading.finditer(text):
        nxt = re.compile(r"^#", re.MULTILINE).search(text, m.end())
        blocks.append(text[m.end() : nxt.start() if nxt else len(text)])
    return blocks


def _paragraph(block: str, number: str) -> str | None:
    """The text of paragraph ``- (number)`` of a provision, up to the next numbered paragraph."""
    start = re.search(rf"^- \({re.escape(number)}\)", block, re.MULTILINE)
    if not start:
        return None
    nxt = _PARAGRAPH_LINE.search(block, start.end())
    return block[start.start() : nxt.start() if nxt else len(block)]


def _find_quote(text: str, locator: str, quote: str) -> str:
    """Return '' when the quote sits inside the provision the locator names, else why not."""
    m = re.fullmatch(r"(?:s|reg)\.(\w+)((?:\(\w+\))*)", locator)
    assert m, locator
    subs = re.findall(r"\((\w+)\)", m.group(2))
    blocks = _provision_blocks(text, m.group(1))
    if not blocks:
        return f"no heading for provision {m.group(1)}"
    for block in blocks:
        part = _paragraph(block, subs[0]) if subs else block
        if part is None:
            continue
        norm = _normalise(part)
        position = 0
        for sub in subs[1:]:
            position = norm.find(f"- ({sub})", position)
            if position < 0:
                break
        if position >= 0 and _normalise(quote) in norm[position:]:
            return ""
    return f"quote not found in {locator}"


@pytest.fixture(scope="module")
def corpus_texts() -> dict[str, str]:
    if not LEGISLATION.is_dir():
        pytest.skip(f"corpus not found at {LEGISLATION}: the quote check needs ../shared/corpus")
    return {p.stem: p.read_text(encoding="utf-8") for p in LEGISLATION.glob("*.md")}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.rule_id)
def test_quote_is_verbatim_in_the_cited_provision(
    rule: object, corpus_texts: dict[str, str]
) -> None:
    assert isinstance(rule, DeadlineRule)
    text = corpus_texts.get(rule.source_id)
    assert text is not None, f"no corpus file for {rule.source_id}"
    assert _normalise(rule.quote) in _normalise(text), "quote is not verbatim"
    assert _find_quote(text, rule.locator, rule.quote) == ""


def test_locator_check_rejects_a_wrong_paragraph(corpus_texts: dict[str, str]) -> None:
    regs = corpus_texts["uksi-2014-1530"]
    quote = "in any event within 20 weeks of the local authority receiving a request"
    assert _find_quote(regs, "reg.13(2)", quote) == ""
    assert _find_quote(regs, "reg.13(1)", quote) != ""
    assert _find_quote(regs, "reg.13(2)(d)", quote) != ""
    assert _find_quote(regs, "reg.99(1)", quote) == "no heading for provision 99"


def test_the_send_regulations_hold_no_tribunal_appeal_time_limit(
    corpus_texts: dict[str, str],
) -> None:
    # Why there is no appeal-deadline rule: reg.56 is about the local offer, not appeals.
    (reg56,) = _provision_blocks(corpus_texts["uksi-2014-1530"], "56")
    assert "local offer" in reg56 and "First-tier Tribunal" not in reg56
    regs = _normalise(corpus_texts["uksi-2014-1530"])
    # The only 2-month limits are for contacting the mediation adviser (regs 33 and 34(2)).
    assert len(re.findall(r"within 2 months", regs)) == 2
    assert all(r.locator != "reg.56" for r in RULES)


# --- calendar helpers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 12, 31), 12, date(2026, 12, 31)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def _easter(year: int) -> date:
    """Anonymous Gregorian algorithm, to check the table rather than trust it."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _standard_bank_holidays(year: int) -> set[date]:
    def first_monday(month: int) -> date:
        day = date(year, month, 1)
        return day + timedelta((7 - day.weekday()) % 7)

    def last_monday(month: int) -> date:
        day = add_months(date(year, month, 1), 1) - timedelta(1)
        return day - timedelta(day.weekday())

    def substitute(day: date, taken: set[date]) -> date:
        while day.weekday() >= 5 or day in taken:
            day += timedelta(1)
        return day

    days = {substitute(date(year, 1, 1), set())}
    easter = _easter(year)
    days |= {easter - timedelta(2), easter + timedelta(1)}
    days |= {first_monday(5), last_monday(5), last_monday(8)}
    christmas = substitute(date(year, 12, 25), set())
    days |= {christmas, substitute(date(year, 12, 26), {christmas})}
    return days


@pytest.mark.parametrize("year", range(2024, 2036))
def test_bank_holidays_match_the_rules(year: int) -> None:
    # Weekday bank holidays only: the library also lists a holiday that falls on a weekend
    # (Boxing Day 2026, a Saturday) beside its substitute day, and weekends are off anyway.
    weekdays = {d for d in bank_holidays(year) if d.weekday() < 5}
    assert weekdays == _standard_bank_holidays(year)


def test_one_off_bank_holidays_are_known() -> None:
    assert date(2022, 9, 19) in bank_holidays(2022)  # the State Funeral of Queen Elizabeth II
    assert date(2023, 5, 8) in bank_holidays(2023)  # the Coronation of King Charles III


def test_is_working_day() -> None:
    assert is_working_day(date(2025, 3, 3))
    assert not is_working_day(date(2025, 3, 8))
    assert not is_working_day(date(2025, 12, 25))


def test_status_and_date_read_on_a_phone() -> None:
    found = _by_id(compute_deadlines("request", date(2025, 3, 3), today=date(2025, 4, 16)))
    assert format_date(found["assessment-decision"].due) == "14 April 2025"
    assert status_text(found["assessment-decision"]) == "passed 2 days ago"
    assert status_text(found["final-plan"]) == "96 days left"
    assert format_date(date(2025, 7, 1)) == "1 July 2025"


# --- dates typed by people -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "3 March 2025",
        "03/03/2025",
        "2025-03-03",
        "3rd March 2025",
        "3rd of March, 2025",
        "March 3, 2025",
        "Monday 3 March 2025",
        "3 Mar 2025",
        "3/3/25",
        "03.03.2025",
        "  3   MARCH 2025 ",
    ],
)
def test_parse_user_date(text: str) -> None:
    assert parse_user_date(text) == date(2025, 3, 3)


def test_parse_user_date_is_day_first() -> None:
    assert parse_user_date("04/03/2025") == date(2025, 3, 4)
    assert parse_user_date("21st July 2025") == date(2025, 7, 21)


@pytest.mark.parametrize("text", ["next Tuesday", "", "March 2025", "3 Smarch 2025", "2025/03"])
def test_parse_user_date_rejects_unreadable(text: str) -> None:
    with pytest.raises(ValueError, match="could not read .* as a date: write it as"):
        parse_user_date(text)


@pytest.mark.parametrize("text", ["31/02/2025", "13/13/2025", "30 February 2025"])
def test_parse_user_date_rejects_impossible(text: str) -> None:
    with pytest.raises(ValueError, match="not a real date"):
        parse_user_date(text)


@pytest.mark.parametrize("module", ["rules", "calendar", "dates", "deadlines"])
def test_deadline_modules_are_pure(module: str) -> None:
    """No network, no clock: 'today' is always passed in, so every date here is testable."""
    source = (Path(__file__).resolve().parents[2] / "casework" / f"{module}.py").read_text()
    for forbidden in (
        "import ingest",
        "from ingest",
        "requests",
        "urllib",
        "datetime.now",
        "date.today",
    ):
        assert forbidden not in source, forbidden
