"""The crisis banks are reviewed data: well-formed, balanced, no entry twice (no model)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import get_args

import pytest

from rag.crisis import RISK_BANK, SAFE_BANK, CrisisCategory, load_bank, message_units
from rag.errors import ConfigError


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", "", text.lower().replace("’", "'")).split())


def test_banks_load_with_a_reason_per_entry() -> None:
    risk, safe = load_bank(RISK_BANK), load_bank(SAFE_BANK)
    assert all(e.category in get_args(CrisisCategory) for e in risk)
    assert {e.category for e in safe} <= {"idiom", "ordinary"}
    assert all(e.reason.strip() and e.reason != e.category for e in (*risk, *safe))


def test_every_kind_of_risk_is_covered() -> None:
    counts = Counter(e.category for e in load_bank(RISK_BANK))
    assert set(counts) == set(get_args(CrisisCategory))
    assert min(counts.values()) >= 20, counts


def test_no_entry_is_written_twice_in_either_bank_or_in_both() -> None:
    risk, safe = load_bank(RISK_BANK), load_bank(SAFE_BANK)
    for bank in (risk, safe):
        repeated = [k for k, n in Counter(_key(e.text) for e in bank).items() if n > 1]
        assert not repeated, repeated
    both = {_key(e.text) for e in risk} & {_key(e.text) for e in safe}
    assert not both, both


def test_message_units_cover_sentences_and_windows_of_run_ons() -> None:
    text = (
        "We asked for an assessment in May and heard nothing. Nothing since.\n"
        "He says he wants to be gone for good now"
    )
    units = message_units(text)
    # A sentence too short to mean much on its own is read with its neighbour.
    assert units == [
        "We asked for an assessment in May and heard nothing. Nothing since.",
        "He says he wants to be gone for good now",
    ]
    run_on = " ".join(f"w{i}" for i in range(40))
    pieces = message_units(run_on)
    assert pieces[0] == run_on and len(pieces) > 3
    assert all(len(p.split()) <= 14 for p in pieces[1:])
    assert pieces[-1].endswith("w39")
    assert message_units("ok") == []


def test_a_bad_bank_line_is_named(tmp_path: Path) -> None:
    bank = tmp_path / "bank.jsonl"
    bank.write_text(
        '{"text": "she took all her tablets", "category": "overdose", "reason": "overdose"}\n'
        '{"text": "x", "category": "nope", "reason": "?"}\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"bank.jsonl, line 2"):
        load_bank(bank)
    with pytest.raises(ConfigError, match="cannot read"):
        load_bank(tmp_path / "absent.jsonl")
