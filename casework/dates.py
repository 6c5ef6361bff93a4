"""Dates as people in the UK write them: read from what they type, written for them to read."""

from __future__ import annotations

import re
from datetime import date

from rag.errors import UserInputError

_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip

_WEEKDAYS = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*,?\s+"
_MONTH_WORD = r"(?P<month>[a-z]{3,9})\.?"
_DAY_WORD = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_DATE_FORMATS = (
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"),
    re.compile(r"(?P<day>\d{1,2})[/.\-](?P<month>\d{1,2})[/.\-](?P<year>\d{4}|\d{2})"),
    re.compile(rf"{_DAY_WORD}(?:\s+of)?\s+{_MONTH_WORD},?\s+(?P<year>\d{{4}})"),
    re.compile(rf"{_MONTH_WORD}\s+{_DAY_WORD},?\s+(?P<year>\d{{4}})"),
)


def format_date(day: date) -> str:
    """UK style without a leading zero: '14 April 2025' (strftime's %-d is not portable)."""
    return f"{day.day} {_MONTHS[day.month - 1].title()} {day.year}"


def _month_number(token: str) -> int:
    """1-12 from '3', 'march' or 'mar'; 0 when it is not a month."""
    if token.isdigit():
        return int(token)
    for number, name in enumerate(_MONTHS, start=1):
        if token == name or (len(token) >= 3 and name.startswith(token)):
            return number
    return 0


def parse_user_date(text: str) -> date:
    """Read a date as a UK user types it: '3 March 2025', '03/03/2025' (day first), '2025-03-03'.

    Also '3rd of March, 2025', 'March 3, 2025', a leading weekday, and two-digit years
    ('3/3/25' is 2025: SEND law dates from 2014, so no other century is meant).

    Raises:
        UserInputError: (a ValueError) with a message saying which forms are understood.
    """
    cleaned = re.sub(r"\s+", " ", text.strip().lower())
    cleaned = re.sub(rf"^{_WEEKDAYS}", "", cleaned)
    for pattern in _DATE_FORMATS:
        m = pattern.fullmatch(cleaned)
        if not m:
            continue
        month = _month_number(m.group("month"))
        if month == 0:
            continue
        year = int(m.group("year"))
        year += 2000 if year < 100 else 0
        try:
            return date(year, month, int(m.group("day")))
        except ValueError:
            raise UserInputError(
                f"{text.strip()!r} is not a real date: check the day and month"
            ) from None
    raise UserInputError(
        f"could not read {text.strip()!r} as a date: write it as '3 March 2025', "
        "'03/03/2025' (day first) or '2025-03-03'"
    )
