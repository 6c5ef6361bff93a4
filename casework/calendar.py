"""Calendar arithmetic for statutory periods: calendar months, working days, bank holidays.

Bank holidays in England come from the ``holidays`` library (``UK``, subdivision ``ENG``),
which computes each year by the rules (Easter, first and last Mondays, substitute days) and
lists the one-off days proclaimed so far, so there is no table here to run out. England's bank
holidays are the same as Wales's. A one-off bank holiday proclaimed after the pinned release of
the library is not known until it is upgraded.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from functools import lru_cache

import holidays


def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the month's end: 31 Jan + 1 month is 28 (or 29) Feb."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """Bank holidays in England in ``year``, substitute days included (weekend ones too)."""
    # A fresh object per year, cached as a frozenset: the library's own lazily filled dict is
    # not safe to share between the app's concurrent handlers.
    return frozenset(holidays.country_holidays("UK", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England."""
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(day: date, count: int) -> date:
    """The count-th working day after ``day`` ("within 3 working days of being informed")."""
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
