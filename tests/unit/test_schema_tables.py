"""The tables of kinds and authorities, and the names users give to kinds."""

from __future__ import annotations

from typing import get_args

import pytest

from rag.errors import SendQAError, UserInputError
from rag.schema import (
    AUTHORITIES,
    KINDS,
    SOURCE_KINDS,
    Authority,
    SourceKind,
    resolve_kinds,
)


def test_every_kind_and_authority_has_its_row() -> None:
    assert set(KINDS) == set(get_args(SourceKind)) == set(SOURCE_KINDS)
    assert set(AUTHORITIES) == set(get_args(Authority))
    assert {k.authority for k in KINDS.values()} == set(AUTHORITIES)


def test_answers_present_law_first_and_experience_last() -> None:
    order = list(AUTHORITIES)
    assert order[0] == "law" and order[-1] == "experience"


def test_kind_names_resolve_to_kinds() -> None:
    # "guidance" is the group (the Code and other guidance), not only the kind of that name.
    assert resolve_kinds(["law", "guidance"]) == ("legislation", "statutory_guidance", "guidance")
    assert resolve_kinds("reports,testimony") == (
        "inspection_report",
        "parliamentary_record",
        "testimony",
    )
    assert resolve_kinds(["statutory_guidance"]) == ("statutory_guidance",)
    assert resolve_kinds(None) is None and resolve_kinds([" ", ""]) is None


def test_an_unknown_kind_is_a_user_input_error_that_says_what_to_use() -> None:
    with pytest.raises(UserInputError, match="'lwa': use one or more of guidance, "):
        resolve_kinds(["law", "lwa"])
    assert issubclass(UserInputError, SendQAError) and issubclass(UserInputError, ValueError)
