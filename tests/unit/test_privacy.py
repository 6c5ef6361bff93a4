"""Redaction of personal data before any question text is stored with feedback."""

from __future__ import annotations

import pytest

from ui.privacy import redact


@pytest.mark.parametrize(
    ("text", "secret", "mask"),
    [
        ("My son is called Tom Smith and he is 9", "Tom Smith", "[name]"),
        ("my daughter is Amy and she hates school", "Amy", "[name]"),
        ("Our son, Ali, has ADHD", "Ali", "[name]"),
        ("my 9 year old son Leo has no plan", "Leo", "[name]"),
        ("My son’s name is Oliver-James", "Oliver-James", "[name]"),
        ("my child called Zara was excluded", "Zara", "[name]"),
        ("She is called Priya", "Priya", "[name]"),
        ("Name: Jane Doe, Year 5", "Jane Doe", "[name]"),
        ("child's name - jamie o'neil", "jamie o'neil", "[name]"),
        ("email a.parent+send@example.co.uk please", "a.parent+send@example.co.uk", "[email]"),
        ("ring 07700 900123 after 6", "07700 900123", "[phone]"),
        ("ring 07700900123 after 6", "07700900123", "[phone]"),
        ("call +44 (0)20 7946 0958", "7946 0958", "[phone]"),
        ("the school is on 0161 496 0000", "0161 496 0000", "[phone]"),
        ("his NHS number is 943 476 5919", "943 476 5919", "[NHS number]"),
        ("NHS no 9434765919", "9434765919", "[NHS number]"),
        ("we live at SW1A 1AA", "SW1A 1AA", "[postcode]"),
        ("postcode m1 1ae", "m1 1ae", "[postcode]"),
        ("DOB: 03/04/2015", "03/04/2015", "[date of birth]"),
        ("she was born on 3 April 2015", "3 April 2015", "[date of birth]"),
    ],
)
def test_personal_data_is_masked(text: str, secret: str, mask: str) -> None:
    redacted = redact(text)
    assert secret not in redacted
    assert mask in redacted


@pytest.mark.parametrize(
    "text",
    [
        "my daughter is autistic and in Year 5",
        "my son ADHD diagnosis was in 2023",
        "The council hasn't decided whether to assess my son and it's been 9 weeks",
        "What does section 42(2) of the Children and Families Act 2014 say?",
        "Is reg.13(2) 20 weeks from 3 March 2025?",
        "Who provides the therapy in section F of an EHC plan?",
    ],
)
def test_the_law_and_ordinary_words_are_kept(text: str) -> None:
    assert redact(text) == text


def test_everything_in_one_message() -> None:
    text = (
        "My son is called Sam Jones, NHS 485 777 3456, we are at LS1 4AP, "
        "mum@example.com or 07700 900456. The council missed the 6 week deadline."
    )
    redacted = redact(text)
    for secret in ("Sam", "Jones", "485 777 3456", "LS1 4AP", "mum@example.com", "900456"):
        assert secret not in redacted
    assert "6 week deadline" in redacted
