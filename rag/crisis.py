"""Crisis detection that generalises: reviewed patterns, plus a semantic bank of risk statements.

The patterns in ``rag.safety`` hold on the phrasings they were grown from and miss indirect ones
("took a handful of my co-codamol", "police found him by the canal"). So each sentence of a
message is also compared, with the same MiniLM the search uses, against a reviewed bank of risk
statements written as people write them (``rag/data/crisis_risk.jsonl``), and against a safe
bank of idioms and ordinary SEND worries that are not risk ("this is killing me", "I could
murder a coffee", "she's been missing school for weeks"; ``rag/data/crisis_safe.jsonl``), so
figures of speech and the topic alone do not fire. Either signal (patterns or bank) fires.

Tuned for recall: a false alarm costs one banner, a miss can cost a child. The margin is a
setting (``crisis_margin``), chosen on ``evals/sets/crisis_tune.jsonl`` and reported on the
blind crisis set, never tuned on it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from rag import safety
from rag.datafile import load_jsonl
from rag.embedding import Embedder, embed_fixed_texts
from rag.errors import ConfigError

CrisisCategory = Literal[
    "self_harm",
    "suicidal",
    "overdose",
    "missing_or_danger",
    "abuse_neglect",
    "eating_or_medical",
    "carer_breaking_point",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
RISK_BANK = DATA_DIR / "crisis_risk.jsonl"
SAFE_BANK = DATA_DIR / "crisis_safe.jsonl"

#: Words per comparison window: a run-on message is compared piece by piece, not diluted whole.
WINDOW_WORDS = 14
WINDOW_STRIDE = 7
#: A sentence shorter than this is read together with its neighbour.
SHORT_WORDS = 7
#: A very long message is compared at its start and its end (the patterns still read it all):
#: embedding every window of 400 KB of pasted text would stall the app.
SEMANTIC_HEAD_CHARS = 3000
SEMANTIC_TAIL_CHARS = 1000
_UNIT_END = re.compile(r"(?<=[.!?;])\s+|\n+|\s+[-–—]\s+")
_WORD = re.compile(r"\S+")


class BankEntry(BaseModel):
    """One reviewed sentence of a bank, with the reason a reviewer gave for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(min_length=3, description="The sentence, as people write it.")
    category: CrisisCategory | Literal["idiom", "ordinary"] = Field(
        description="The kind of risk; or, in the safe bank, an idiom or an ordinary worry."
    )
    reason: str = Field(min_length=3, description="Why a reviewer put it in this bank.")


def load_bank(path: Path) -> tuple[BankEntry, ...]:
    """Every entry of a JSONL bank; a bad line is a configuration error naming its number."""
    return load_jsonl(path, BankEntry)


def _sentences(text: str) -> list[list[str]]:
    """Sentences as word lists, a very short one joined to its neighbour.

    "What can we do?" or "I'm livid." alone carry too little meaning to compare: MiniLM puts
    them anywhere. Joined to the sentence beside them they are read in context.
    """
    sentences = [_WORD.findall(s) for s in _UNIT_END.split(text)]
    sentences = [s for s in sentences if s]
    merged: list[list[str]] = []
    for words in sentences:
        if merged and (len(words) < SHORT_WORDS or len(merged[-1]) < SHORT_WORDS):
            merged[-1] = merged[-1] + words
        else:
            merged.append(words)
    return merged


def message_units(text: str) -> list[str]:
    """The pieces of a message compared with the banks: sentences, and windows of long ones.

    People type run-on messages without full stops; one vector for 60 words dilutes the one
    clause that matters, so sentences longer than a window are also read window by window.
    """
    if len(text) > SEMANTIC_HEAD_CHARS + SEMANTIC_TAIL_CHARS:
        text = f"{text[:SEMANTIC_HEAD_CHARS]}\n{text[-SEMANTIC_TAIL_CHARS:]}"
    units: list[str] = []
    for words in _sentences(text):
        if len(words) < 2:
            continue
        units.append(" ".join(words))
        if len(words) > WINDOW_WORDS:
            last = len(words) - WINDOW_WORDS
            starts = list(range(0, last + 1, WINDOW_STRIDE))
            if starts[-1] != last:
                starts.append(last)
            units.extend(" ".join(words[s : s + WINDOW_WORDS]) for s in starts)
    return list(dict.fromkeys(units))


class CrisisAssessment(BaseModel):
    """What the crisis checks found in one message; held in memory only (it quotes the user)."""

    model_config = ConfigDict(frozen=True)

    categories: tuple[str, ...] = Field(default=(), description="Kinds of risk found, in order.")

    @property
    def crisis(self) -> bool:
        return bool(self.categories)

    @property
    def notice(self) -> str:
        """The signposting shown first, with its neutral reason; empty when no crisis."""
        return safety.crisis_notice(self.categories) if self.crisis else ""


class CrisisDetector:
    """Patterns first; then each piece of the message against its nearest risk and safe entries.

    A piece fires when its ``neighbours`` nearest risk statements are, on average, closer than
    its nearest safe sentences (idioms and ordinary SEND worries) by at least ``margin``. The
    comparison, not an absolute similarity, is what separates "she's been missing school" from
    "she's been missing since last night": MiniLM scores both close to the same topic.

    ``ordinary``: more safe vectors, e.g. the provision notes' situations from the index: a
    few thousand ordinary SEND worries in parents' words, so a question about a plan or an
    assessment finds its safe neighbours there rather than near a risk statement by topic.
    """

    def __init__(
        self,
        embedder: Embedder,
        margin: float,
        neighbours: int = 3,
        risk: Sequence[BankEntry] | None = None,
        safe: Sequence[BankEntry] | None = None,
        ordinary: np.ndarray | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.embedder = embedder
        self.margin = margin
        self.neighbours = neighbours
        self.risk = tuple(risk) if risk is not None else load_bank(RISK_BANK)
        self.safe = tuple(safe) if safe is not None else load_bank(SAFE_BANK)
        if len(self.risk) < neighbours or len(self.safe) < neighbours:
            raise ConfigError(
                f"the crisis banks need at least {neighbours} entries each: safety depends on them"
            )
        self._risk_vectors = embed_fixed_texts(embedder, [e.text for e in self.risk], cache_dir)
        self._safe_vectors = embed_fixed_texts(embedder, [e.text for e in self.safe], cache_dir)
        if ordinary is not None and len(ordinary):
            self._safe_vectors = np.vstack([self._safe_vectors, ordinary])

    def scores(self, units: Sequence[str]) -> list[tuple[str, BankEntry, float]]:
        """For each piece: (piece, its nearest risk statement, risk minus safe closeness)."""
        if not units:
            return []
        vectors = self.embedder.embed_queries(units)
        k = self.neighbours
        risk = vectors @ self._risk_vectors.T
        safe = vectors @ self._safe_vectors.T
        # Mean of the k largest per row; partition, not a full sort of ~4,500 columns.
        risk_near = np.partition(risk, -k, axis=1)[:, -k:].mean(axis=1)
        safe_near = np.partition(safe, -k, axis=1)[:, -k:].mean(axis=1)
        best = risk.argmax(axis=1)
        return [
            (unit, self.risk[int(best[i])], float(risk_near[i] - safe_near[i]))
            for i, unit in enumerate(units)
        ]

    def assess(self, text: str) -> CrisisAssessment:
        """Every check on the whole message (a crisis may come after any length cap)."""
        categories = list(safety.crisis_reasons(text))
        for _, entry, lead in self.scores(message_units(text)):
            if lead >= self.margin:
                categories.append(entry.category)
        return CrisisAssessment(categories=tuple(dict.fromkeys(categories)))
