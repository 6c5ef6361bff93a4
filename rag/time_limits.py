"""Time limits and dates: what a question asks about time, and which passages set a limit.

Parents ask "were they late?" and quote durations that are their own wait ("it's been 9 weeks");
the law states limits ("within 16 weeks of ... receiving a request"). Retrieval and quote choice
both read these signals, so they live in one place.
"""

from __future__ import annotations

import re

from rag.lexical import tokenize

_NUMBER_PHRASE = re.compile(
    r"(?i)\b(\d{1,3}|two|three|four|five|six|twelve|fifteen|sixteen|twenty)[\s-]*"
    r"(working\s+days?|days?|weeks?|months?|years?)\b"
)
_WORD_NUMBERS = {
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "twelve": "12",
    "fifteen": "15",
    "sixteen": "16",
    "twenty": "20",
}


#: Words around "9 weeks" that make it time already passed, not a limit being asked about.
_ELAPSED_BEFORE = re.compile(
    r"(?i)\b(?:been|for|nearly|almost|over|about|waited|waiting|after|past|last)\s+$"
)
_ELAPSED_AFTER = re.compile(r"(?i)^\s*(?:ago|since|later|now|already|on)\b")
_TIME_LIMIT = re.compile(
    r"(?i)\bwithin\s+(?:the\s+period\s+of\s+)?(?:\d{1,3}|one|two|three|four|five|six|"
    r"eight|ten|twelve|fifteen|sixteen|twenty)\s+(?:working\s+)?(?:days?|weeks?|months?)\b|"
    r"\bno later than\b|\bbefore the end of the period\b"
)


_LIMIT_EVENT = re.compile(
    r"(?i)\bwithin\s+[^,.;]{0,30}?\b(?:days?|weeks?|months?)\s+(?:of|after|from|beginning with)"
    r"\s+([^,.;—]{5,120})"
)
_EVENT_NOISE = frozenset("day date local authority child young person parent receiving".split())


def stems(text: str) -> list[str]:
    """Crude stems (first five letters) so 'reviewed' meets 'review' and 'requested' 'request'."""
    return [t[:5] for t in tokenize(text) if len(t) > 2 and t not in _EVENT_NOISE]


def time_limit_events(text: str) -> list[set[str]]:
    """What each time limit runs from: 'within 16 weeks of ... receiving a request' -> request."""
    return [set(stems(m.group(1))[:8]) for m in _LIMIT_EVENT.finditer(text)]


_DATE_QUESTION = re.compile(r"(?i)\bwhen (?:did|was|were)\b|\bwhat date\b|\bwhich (?:year|month)\b")
_DATE = re.compile(
    r"(?i)\b\d{1,2}(?:st|nd|rd|th)? (?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december) \d{4}\b"
)


def states_time_limit(text: str) -> bool:
    """True when a passage sets a time limit ('within 16 weeks', 'no later than')."""
    return bool(_TIME_LIMIT.search(text))


def number_phrases(text: str, limits_only: bool = False) -> set[str]:
    """Time limits in a text, normalised: 'six weeks' and '6 week' both give '6 week'.

    With limits_only, durations that have already passed ("it's been 9 weeks", "6 weeks ago")
    are left out: they are the parent's wait, not the limit they ask about.
    """
    found = set()
    for match in _NUMBER_PHRASE.finditer(text):
        num, unit = match.groups()
        if limits_only and (
            _ELAPSED_BEFORE.search(text[max(0, match.start() - 20) : match.start()])
            or _ELAPSED_AFTER.search(text[match.end() : match.end() + 12])
        ):
            continue
        n = _WORD_NUMBERS.get(num.lower(), num)
        found.add(f"{n} {unit.lower().rstrip('s')}")
    return found


def asks_for_date(question: str) -> bool:
    """True for 'when did ...?' questions, whose answer is a date."""
    return bool(_DATE_QUESTION.search(question))


def states_date(text: str) -> bool:
    """True when a text gives a full date ('14 January 2025')."""
    return bool(_DATE.search(text))


_TIME_QUESTION = re.compile(
    r"(?i)\b(deadlines?|time ?limits?|timescales?|timeframes?|timelines?|how long|how many "
    r"(?:weeks|days|months)|late|overdue|by now|by when|in time|supposed to have|"
    r"still (?:nothing|waiting|no|not|haven'?t|hasn'?t)|(?:weeks|months|days) ago|"
    r"(?:weeks|months|days) (?:since|later)|been (?:nearly |almost |over |about )?"
    r"(?:\d+|a|two|three|four|five|six|several) (?:weeks|months|days))\b"
)


def asks_about_time(text: str) -> bool:
    """True when the question is about a deadline: 'were they late?', 'still nothing'."""
    return bool(_TIME_QUESTION.search(text))


def time_span(text: str, date: bool = False) -> tuple[int, int] | None:
    """Where a text states its time limit (or, with date, its date): for excerpts around it."""
    match = (_DATE if date else _TIME_LIMIT).search(text)
    return match.span() if match else None
