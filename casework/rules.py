"""The statutory time limits, one row of data each, read from ``rules.toml`` and validated.

A parent who knows the date the council received the request can be told the date the decision
was due, and the regulation to quote back. Every rule carries a verbatim quote; a unit test checks
each quote against the corpus text, so a rule cannot drift from the law it cites.

How periods are counted (and why):

- ``after``: "within 6 weeks of receiving a request" runs from the day after the event, so a
  request received on Monday 3 March 2025 must be decided by Monday 14 April 2025.
- ``beginning_with``: "at least 15 days, beginning with the day on which the draft plan was
  served" and "the period of 12 months starting with the date on which the plan was first made"
  count the event day as day one, so they end one day earlier than ``after``.
- ``before``: "at least two weeks' notice of the date of the meeting" gives the latest day
  something must happen before the event.
- Months add calendar months and clamp to the month's end (31 January + 1 month = 28 February).
- Working days skip Saturdays, Sundays and bank holidays in England (``casework.calendar``).

The exceptions that let a council miss a limit (reg.5(4), reg.10(4), reg.13(3), reg.27(3),
reg.44(3), reg.45(7)) are never applied automatically: whether one applies is a question of
fact, so each rule names them in its ``caveat`` instead.

The time limit for appealing to the First-tier Tribunal (SEND) itself is set by the Tribunal's
procedure rules, which the corpus does not hold, so it has no rule here; the 2-month limit to
contact a mediation adviser before an appeal (reg.33) does.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Unit = Literal["days", "weeks", "months", "working_days"]
Counting = Literal["after", "beginning_with", "before"]

_OFFSET_TEXT = re.compile(r"(?P<amount>\d+) (?P<unit>days?|weeks?|months?|working days?)")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Offset(_Frozen):
    """A length of time as the law states it: '6 weeks', '15 days', '3 working days'."""

    amount: int = Field(ge=1, description="How many units.")
    unit: Unit = Field(description="days, weeks, months or working_days.")

    def __str__(self) -> str:
        word = self.unit.replace("_", " ")
        return f"{self.amount} {word[:-1] if self.amount == 1 else word}"

    @classmethod
    def parse(cls, text: str) -> Offset:
        """'6 weeks' or '3 working days' (the form ``str`` writes) as an Offset."""
        m = _OFFSET_TEXT.fullmatch(text.strip())
        if not m:
            raise ValueError(
                f"offset {text!r}: write it as '6 weeks', '15 days' or '3 working days'"
            )
        unit = m.group("unit").rstrip("s").replace(" ", "_") + "s"
        return cls(amount=int(m.group("amount")), unit=unit)  # type: ignore[arg-type]


class DeadlineRule(_Frozen):
    """One time limit: what starts it, how long it is, who must act, and the law that sets it."""

    rule_id: str = Field(description="Stable id, e.g. 'assessment-decision'.")
    event: str = Field(description="What the starting date is; a key of EVENTS.")
    title: str = Field(description="What must happen by the date, in plain words.")
    actor: str = Field(description="Who must act: 'the local authority', 'you', ...")
    offset: Offset = Field(description="Length of the period ('6 weeks' in rules.toml).")
    counting: Counting = Field(
        default="after", description="How the period runs from the event (see module docstring)."
    )
    source_id: str = Field(description="Document that sets the limit.")
    locator: str = Field(description="Provision, e.g. 'reg.13(2)' or 's.44(1)(a)'.")
    quote: str = Field(description="Verbatim words of the provision that set the limit.")
    caveat: str = Field(default="", description="Exceptions and limits of this rule.")

    @field_validator("offset", mode="before")
    @classmethod
    def _offset_from_text(cls, value: object) -> object:
        """The table writes periods as the law does ('6 weeks'); code may pass an Offset."""
        return Offset.parse(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _working_days_run_forward(self) -> DeadlineRule:
        """The law counts working days only forward from an event; fail when the table is built."""
        if self.offset.unit == "working_days" and self.counting != "after":
            raise ValueError(f"rule {self.rule_id}: working days can only be counted 'after'")
        return self


class RuleTable(_Frozen):
    """The whole table: the events a user can pick, and the rules that follow from each."""

    events: dict[str, str] = Field(description="Event key -> what its date is, in words.")
    rules: tuple[DeadlineRule, ...] = Field(description="Every time limit, in table order.")

    @model_validator(mode="after")
    def _consistent(self) -> RuleTable:
        """Unique ids, known events, and every event with at least one rule."""
        ids = [r.rule_id for r in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate rule ids: {sorted({i for i in ids if ids.count(i) > 1})}")
        for rule in self.rules:
            if rule.event not in self.events:
                raise ValueError(f"rule {rule.rule_id}: unknown event {rule.event!r}")
        idle = [e for e in self.events if all(r.event != e for r in self.rules)]
        if idle:
            raise ValueError(f"events without rules: {idle}")
        return self


def parse_rule_table(text: str) -> RuleTable:
    """Validate the TOML of a rule table, filling each caveat's {name} from [caveats].

    Raises:
        ValueError: naming the row or the caveat that is wrong.
    """
    data = tomllib.loads(text)
    raw: dict[str, str] = data.get("caveats", {})
    shared = {name: _fill(value, raw, f"caveat {name}") for name, value in raw.items()}
    rows: list[dict[str, Any]] = data.get("rules", [])
    for row in rows:
        if "caveat" in row:
            row["caveat"] = _fill(row["caveat"], shared, f"rule {row.get('rule_id')}")
    return RuleTable(events=data.get("events", {}), rules=tuple(rows))  # type: ignore[arg-type]


def _fill(text: str, shared: dict[str, str], where: str) -> str:
    """Replace {name} with a shared wording; an unknown name fails when the table loads."""
    try:
        return text.format_map(shared)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"{where}: unknown shared caveat {exc}") from None


def load_rule_table() -> RuleTable:
    """The table shipped beside this module (``casework/rules.toml``)."""
    text = resources.files("casework").joinpath("rules.toml").read_text(encoding="utf-8")
    return parse_rule_table(text)


_TABLE = load_rule_table()

#: What each event's date is, in words a user can pick from.
EVENTS: dict[str, str] = dict(_TABLE.events)
#: Every time limit, in table order.
RULES: tuple[DeadlineRule, ...] = _TABLE.rules
#: Rules that apply to each event, in table order.
RULES_BY_EVENT: dict[str, tuple[DeadlineRule, ...]] = {
    event: tuple(r for r in RULES if r.event == event) for event in EVENTS
}
