"""Numbers, durations and provision references in a text, and whether a passage states them.

One check shared by the LLM step (a generated sentence may not state a deadline its cited passage
lacks) and the provision notes (a note may not state one its passage lacks): "6-week", "six
weeks" and "6 weeks" are the same fact; "5 weeks" is not supported by "15 weeks".
"""

from __future__ import annotations

import re

_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS = ("twenty", "thirty", "forty", "fifty")
_WORD_NUMBER = (
    rf"(?:(?:{'|'.join(_TENS)})(?:[\s-](?:{'|'.join(_UNITS)}))?|"
    rf"{'|'.join(_TEENS)}|{'|'.join(_UNITS)})"
)
_CHECKABLE = re.compile(
    rf"(?i)\b((?:\d+(?:\.\d+)?|{_WORD_NUMBER})[\s-]*(?:working[\s-]+)?"
    r"(?:days?|weeks?|months?|years?)\b|"
    r"(?:section|regulation|reg\.?|s\.)\s*\d+[A-Z]?|\d{1,3}\s*%)"
)


def normal(text: str) -> str:
    """Lowercase with single spaces: the form facts are compared in."""
    return re.sub(r"\s+", " ", text.lower())


def checkable_facts(text: str) -> list[str]:
    """Durations ("20 weeks", "six-week"), provision references ("section 42") and percentages."""
    return [str(f) for f in _CHECKABLE.findall(text)]


def unsupported_facts(text: str, support: str) -> list[str]:
    """The facts of ``text`` that ``support`` does not state (empty when all are supported)."""
    plain = normal(support)
    return [f for f in checkable_facts(text) if not fact_supported(f, plain)]


def _words_to_number(words: str) -> int | None:
    """'six' -> 6, 'twenty five' -> 25; None when the words are not a number up to 59."""
    parts = words.replace("-", " ").split()
    if not parts:
        return None
    if parts[0] in _UNITS:
        return _UNITS.index(parts[0]) + 1
    if parts[0] in _TEENS:
        return _TEENS.index(parts[0]) + 10
    if parts[0] in _TENS:
        tens = 20 + 10 * _TENS.index(parts[0])
        if len(parts) > 1 and parts[1] in _UNITS:
            return tens + _UNITS.index(parts[1]) + 1
        return tens
    return None


def _number_to_words(n: int) -> str:
    """6 -> 'six', 25 -> 'twenty five'; '' outside 1..59."""
    if 1 <= n <= 9:
        return _UNITS[n - 1]
    if 10 <= n <= 19:
        return _TEENS[n - 10]
    if 20 <= n <= 59:
        tens, units = divmod(n, 10)
        return _TENS[tens - 2] + (f" {_UNITS[units - 1]}" if units else "")
    return ""


def fact_supported(fact: str, support: str) -> bool:
    """True when the passages state the fact, its number in digits, or its number in words.

    Numbers match whole: '5 weeks' is not supported by '15 weeks', nor 'five' by 'twenty five'.
    """
    fact_n = normal(fact).replace("-", " ")
    plain = support.replace("-", " ")
    not_compound = "".join(f"(?<!{tens} )" for tens in _TENS)  # 'five' is not 'twenty five'
    if re.search(rf"(?<![\w.]){not_compound}{re.escape(fact_n)}(?!\w)", plain):
        return True
    digits = re.search(r"\d+(?:\.\d+)?", fact_n)
    if digits:
        n = digits.group(0)
    else:
        spelled = re.match(rf"{_WORD_NUMBER}(?= )", fact_n)
        value = _words_to_number(spelled.group(0)) if spelled else None
        if value is None:
            return False
        n = str(value)
    if re.search(rf"(?<![\d.]){re.escape(n)}(?![\d.])", support):
        return True
    word = _number_to_words(int(n)) if n.isdigit() else ""
    return bool(word) and (
        re.search(rf"{not_compound}\b{re.escape(word)}\b(?! (?:{'|'.join(_UNITS)})\b)", plain)
        is not None
    )
