"""Statutory deadlines that follow from a date, each with the words of the law that set it.

``compute_deadlines`` applies the rules of ``casework.rules`` to the date of an event;
``deadline_rows`` turns them into plain rows (for the app's table and its /deadlines API),
each linked to the provision in the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TypedDict

from pydantic import BaseModel, ConfigDict, Field

from casework.calendar import add_months, add_working_days
from casework.dates import format_date, parse_user_date
from casework.rules import EVENTS, RULES_BY_EVENT, DeadlineRule
from rag.errors import UserInputError
from rag.schema import Passage, Source


class Deadline(BaseModel):
    """A rule applied to a date: when it falls and where today stands against it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: DeadlineRule
    due: date = Field(description="Last day of the period (or latest day, for 'before' rules).")
    passed: bool = Field(description="True when today is after the due date.")
    days_left: int = Field(description="Days from today to the due date; negative once passed.")
    notes: tuple[str, ...] = Field(
        default=(), description="Remarks on how this date was counted, shown with the caveat."
    )


class DeadlineRow(TypedDict):
    """One deadline as plain JSON: the /deadlines API returns these, the table shows them."""

    title: str
    actor: str
    due: str
    due_text: str
    passed: bool
    days_left: int
    status: str
    locator: str
    label: str
    url: str
    current_to: str | None
    quote: str
    caveat: str
    notes: list[str]


def due_date(rule: DeadlineRule, on: date) -> date:
    """The due date of one rule for an event on ``on`` (see ``casework.rules`` for counting)."""
    amount, unit = rule.offset.amount, rule.offset.unit
    if unit == "working_days":
        return add_working_days(on, amount)
    sign = -1 if rule.counting == "before" else 1
    if unit == "months":
        due = add_months(on, sign * amount)
    else:
        due = on + timedelta(days=sign * amount * (7 if unit == "weeks" else 1))
    return due - timedelta(days=1) if rule.counting == "beginning_with" else due


def compute_deadlines(event: str, on: date, today: date) -> list[Deadline]:
    """Every statutory deadline that follows from an event on ``on``, earliest first."""
    rules = RULES_BY_EVENT.get(event)
    if rules is None:
        known = ", ".join(EVENTS)
        raise UserInputError(f"unknown event {event!r}: expected one of {known}")
    deadlines = []
    for rule in rules:
        due = due_date(rule, on)
        deadlines.append(
            Deadline(rule=rule, due=due, passed=today > due, days_left=(due - today).days)
        )
    return sorted(deadlines, key=lambda d: d.due)


def status_text(deadline: Deadline) -> str:
    """Where today stands: 'passed 2 days ago', 'due today' or '96 days left'."""
    days = deadline.days_left
    if deadline.passed:
        return f"passed {-days} day{'s' if days != -1 else ''} ago"
    if days == 0:
        return "due today"
    return f"{days} day{'s' if days != 1 else ''} left"


def provision_link(
    passages: Sequence[Passage], source_id: str, locator: str, sources: Sequence[Source] = ()
) -> tuple[str, str, str | None]:
    """Label, URL and ``current_to`` date of a provision from the index, to link a deadline.

    A provision the index does not hold is named by its document's short title in the manifest.
    """
    for passage in passages:
        if passage.source_id == source_id and passage.locator == locator:
            return passage.anchor.label, passage.anchor.url, passage.anchor.current_to
    title = next((s.short_title for s in sources if s.source_id == source_id), source_id)
    return f"{title}, {locator}", "", None


def deadline_rows(
    event: str,
    date_text: str,
    today: date,
    passages: Sequence[Passage],
    sources: Sequence[Source] = (),
) -> list[DeadlineRow]:
    """Each statutory deadline that follows from the event typed as ``date_text``, as a row.

    ``passages`` (the index's) link each row to its provision; ``sources`` (the manifest's)
    name a provision the index does not hold.

    Raises:
        UserInputError: (a ValueError) the date cannot be read, or the event is unknown; the
            message is a sentence to show.
    """
    on = parse_user_date(date_text or "")
    rows: list[DeadlineRow] = []
    for d in compute_deadlines(event, on, today):
        label, url, current_to = provision_link(passages, d.rule.source_id, d.rule.locator, sources)
        status = status_text(d)
        rows.append(
            {
                "title": d.rule.title,
                "actor": d.rule.actor,
                "due": d.due.isoformat(),
                "due_text": format_date(d.due),
                "passed": d.passed,
                "days_left": d.days_left,
                "status": status[0].upper() + status[1:],
                "locator": d.rule.locator,
                "label": label,
                "url": url,
                "current_to": current_to,
                "quote": d.rule.quote,
                "caveat": d.rule.caveat,
                "notes": list(d.notes),
            }
        )
    return rows
