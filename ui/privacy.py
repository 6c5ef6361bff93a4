"""Masks personal data in free text before it is stored: questions are about children.

Only used when ``store_question_text`` is on; by default no question text is stored at all.
The patterns lean towards masking too much: a masked word costs nothing, a kept name a lot.
"""

from __future__ import annotations

import re

NAME, EMAIL, PHONE, NHS, POSTCODE, BIRTH = (
    "[name]",
    "[email]",
    "[phone]",
    "[NHS number]",
    "[postcode]",
    "[date of birth]",
)

_RELATION = (
    r"(?:son|daughter|child|boy|girl|kid|grandson|granddaughter|stepson|stepdaughter|"
    r"foster (?:son|daughter|child)|nephew|niece|brother|sister|pupil|student)"
)
# One to three capitalised words: "Tom", "Mary-Jane O'Neil".
# The second letter is lower case so that acronyms (ADHD, EHCP) are not taken for names.
_WORD = r"[A-Z][a-z'’\-][A-Za-z'’\-]*"
_PROPER = _WORD + r"(?:\s+" + _WORD + r"){0,2}"

# "my son is called Tom", "our daughter, Amy,", "my 9 year old son Leo", "my son's name is Ali".
_RELATION_NAME = re.compile(
    r"(?i:\b(?:my|our|his|her|their)\s+(?:[\w\-]+\s+){0,3}?" + _RELATION + r"(?:[’']s\s+name)?)"
    r"(?:,?\s+(?i:is\s+called|is\s+named|is|was\s+called|called|named))?,?\s+(" + _PROPER + r")"
)
_PRONOUN_NAME = re.compile(
    r"(?i:\b(?:he|she|they)\s+(?:is|are|was|were)\s+(?:called|named))\s+(" + _PROPER + r")"
)
_LABELLED_NAME = re.compile(
    r"(?i:\b(?:(?:child|pupil|student|parent|young person)[’']?s?\s+)?(?:full\s+)?name)"
    r"\s*[:=\-]\s*([^\s,;:\n]+(?:[ \t]+[^\s,;:\n]+){0,2})"
)
_EMAIL = re.compile(r"\b[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+\b")
# 10 digits as 3-3-4, spaced, dashed or run together; checked before phone numbers.
_NHS_NUMBER = re.compile(r"(?<![\d+])\d{3}[ \-]?\d{3}[ \-]?\d{4}(?!\d)")
_PHONE = re.compile(r"(?<![\w+])(?:\+44[\s\-]?(?:\(0\)[\s\-]?)?|\(?0)\d[\d\s()\-]{7,14}\d(?!\d)")
_POSTCODE = re.compile(
    r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s*\d[A-Z]{2}\b",
    re.IGNORECASE,
)
_DATE = r"\d{1,2}(?:st|nd|rd|th)?[\s/.\-](?:\d{1,2}|[A-Za-z]{3,9})[\s/.\-,]+\d{2,4}"
_BIRTH_DATE = re.compile(
    r"(?i:\b(?:d\.?o\.?b\.?|date of birth|born(?:\s+on)?)\s*[:\-]?\s*)(" + _DATE + r")"
)


def _mask_group(pattern: re.Pattern[str], text: str, mask: str) -> str:
    """Replace group 1 of every match, keeping the words around it for context."""

    def swap(m: re.Match[str]) -> str:
        start, end = m.span(1)
        whole_start = m.start()
        whole = m.group(0)
        return whole[: start - whole_start] + mask + whole[end - whole_start :]

    return pattern.sub(swap, text)


def _mask_phone(m: re.Match[str]) -> str:
    """A UK number has 10 or 11 digits after any +44; other digit runs are left alone."""
    digits = re.sub(r"\D", "", m.group(0))
    if digits.startswith("44"):
        digits = "0" + digits[2:].lstrip("0")
    return PHONE if len(digits) in (10, 11) else m.group(0)


def redact(text: str) -> str:
    """Mask names, emails, phone and NHS numbers, postcodes and birth dates in ``text``."""
    text = _mask_group(_RELATION_NAME, text, NAME)
    text = _mask_group(_PRONOUN_NAME, text, NAME)
    text = _mask_group(_LABELLED_NAME, text, NAME)
    text = _mask_group(_BIRTH_DATE, text, BIRTH)
    text = _EMAIL.sub(EMAIL, text)
    text = _NHS_NUMBER.sub(NHS, text)
    text = _PHONE.sub(_mask_phone, text)
    return _POSTCODE.sub(POSTCODE, text)
