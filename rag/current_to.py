"""How current each quoted text is: the date a document's text is revised to, and what to say.

Legislation is held as revised up to a date (legalize-uk's ``last_updated``, CLML's
``dc:modified``); later amendments may be missing, as legislation.gov.uk's "changes to
legislation" notice warns. Guidance, reports and debates carry the date they were published.
Every citation shows its date (``current_to``, one spelling in code, index.json and JSON), and
an answer quoting a text more than a year old says so once, pointing to the official links.

Dates are ISO 8601: ``YYYY-MM-DD``, or ``YYYY-MM`` / ``YYYY`` when the document gives no more.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable

from rag.schema import Passage, SourceKind

#: Older than this, an answer says once that the text quoted may have changed since.
STALE_AFTER_DAYS = 365
_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def normalise_current_to(value: object) -> str | None:
    """An ISO date (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) from front matter or XML, or None.

    YAML reads an unquoted date as a ``date``; a timestamp keeps only its day.
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str | int):
        return None
    m = _ISO.match(str(value).strip())
    if not m:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        if day:
            return dt.date(int(year), int(month), int(day)).isoformat()
        if month:
            return f"{year}-{month}" if 1 <= int(month) <= 12 else None
    except ValueError:
        return None
    return year


def _last_day(current_to: str) -> dt.date:
    """The latest day a (possibly partial) date can mean: '2015-01' is up to 31 January 2015."""
    parts = [int(p) for p in current_to.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return dt.date(parts[0], 12, 31)


def format_current_to(current_to: str) -> str:
    """'7 March 2018', 'January 2015' or '2014', as a person writes dates in England."""
    parts = [int(p) for p in current_to.split("-")]
    if len(parts) == 3:
        return f"{parts[2]} {_MONTHS[parts[1]]} {parts[0]}"
    if len(parts) == 2:
        return f"{_MONTHS[parts[1]]} {parts[0]}"
    return str(parts[0])


def current_to_text(current_to: str | None, kind: SourceKind) -> str:
    """'text as revised to 7 March 2018' for law; 'text dated January 2015' for other documents."""
    if not current_to:
        return "date of this version not known"
    when = format_current_to(current_to)
    return f"text as revised to {when}" if kind == "legislation" else f"text dated {when}"


def is_stale(current_to: str | None, today: dt.date, days: int = STALE_AFTER_DAYS) -> bool:
    """True when even the latest day the date can mean is more than ``days`` before today."""
    return bool(current_to) and (today - _last_day(str(current_to))).days > days


def stale_notice(passages: Iterable[Passage], today: dt.date) -> str:
    """One sentence when a quoted law or guidance text is over a year old; '' otherwise.

    Reports and debates are records of their day, so their age is not a warning. The oldest
    date is named, once, however many sources are old: an answer should not nag.
    """
    old = [
        p for p in passages if p.authority != "experience" and is_stale(p.anchor.current_to, today)
    ]
    if not old:
        return ""
    oldest = min(old, key=lambda p: _last_day(str(p.anchor.current_to)))
    return (
        f"Check for later changes: the oldest text quoted here is "
        f"{current_to_text(oldest.anchor.current_to, oldest.kind).removeprefix('text ')}, "
        "more than a year ago. "
        "Each source's official link shows whether it has changed since."
    )
