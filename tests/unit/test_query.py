"""Question clean-up: invisible characters, the length cap, and questions that are one number."""

from __future__ import annotations

import pytest

from rag.query import MAX_QUESTION_CHARS, bare_provision_number, normalise_question


def test_control_zero_width_and_bidi_characters_are_dropped() -> None:
    assert normalise_question("\x00\u202eWhat\u200b is\x1b  s.42?\ufeff\u202c") == "What is s.42?"


def test_the_cap_applies_unless_the_caller_wants_the_whole_text() -> None:
    long = "why " * 1000
    assert len(normalise_question(long)) == MAX_QUESTION_CHARS
    assert len(normalise_question(long, limit=None)) == len(long.strip())


@pytest.mark.parametrize(
    ("text", "number"),
    [("42", "42"), (" 42? ", "42"), ("36.", "36"), ("13(2)", "13(2)"), ("42A", "42A")],
)
def test_a_question_that_is_only_a_number(text: str, number: str) -> None:
    assert bare_provision_number(text) == number


@pytest.mark.parametrize("text", ["s.42", "9.40", "42 weeks", "what is 42", "1000", ""])
def test_other_questions_are_not_bare_numbers(text: str) -> None:
    assert bare_provision_number(text) is None
