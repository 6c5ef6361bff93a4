"""Is a question about what the corpus holds? Nearest neighbours, not per-topic patterns.

A question is compared, with the vector the search already made, with two sets of situations:
how people describe needing the provisions sendqa holds (the provision notes, indexed as note
windows) and how they ask about SEND-adjacent topics the corpus does not cover
(``rag/data/out_of_scope.jsonl``: transport, exclusions, benefits, waiting lists...). When the
nearest out-of-scope topic is closer than the nearest held provisions by ``scope_margin``, the
honest answer is "not in the sources I hold", naming the topic and where it is answered. A
question that names a body, benefit or procedure the corpus never deals with ("Ombudsman",
"Blue Badge", "independent review panel"; each topic's ``names``) is out of scope by name.
Patterns per topic held on the phrasings they were written for; this moves with the data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from rag.datafile import load_jsonl
from rag.embedding import MODEL_DIM, Embedder, embed_fixed_texts

OUT_OF_SCOPE = Path(__file__).resolve().parent / "data" / "out_of_scope.jsonl"
#: The out-of-scope side is read by its single nearest situation (a topic is narrow), the
#: held side by the mean of its 3 nearest note windows (the notes are broad): measured on the
#: dev and team sets, this caught the most unanswerable questions for the fewest answerable.
NEIGHBOURS = 3


class OutOfScopeTopic(BaseModel):
    """A SEND-adjacent topic the corpus does not cover, and where it is answered instead."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: str = Field(
        min_length=3, description="What the question is about, e.g. 'school transport'."
    )
    where: str = Field(min_length=10, description="Which law or body covers it; who to ask.")
    situations: tuple[str, ...] = Field(min_length=3, description="How people ask about it.")
    names: tuple[str, ...] = Field(
        default=(),
        description="Names of bodies, benefits or procedures the corpus never deals with "
        "('Ombudsman', 'Blue Badge', 'independent review panel'): naming one is enough.",
    )


def load_topics(path: Path = OUT_OF_SCOPE) -> tuple[OutOfScopeTopic, ...]:
    """Every topic of the data file; a bad line is a configuration error naming its number."""
    return load_jsonl(path, OutOfScopeTopic)


@dataclass(frozen=True)
class ScopeVerdict:
    """The nearest out-of-scope topic, and how much closer it is than the held provisions."""

    topic: OutOfScopeTopic
    lead: float  # out-of-scope closeness minus in-scope closeness; > margin means abstain


class ScopeChecker:
    """Compares a question's vector with out-of-scope situations and with the notes' situations."""

    def __init__(
        self,
        embedder: Embedder,
        held: np.ndarray,
        topics: Sequence[OutOfScopeTopic] | None = None,
        cache_dir: Path | None = None,
    ):
        """``held``: the provision notes' window vectors (the index's note windows)."""
        self.held = held
        self.topics = tuple(topics) if topics is not None else load_topics()
        self._owner = [t for t in self.topics for _ in t.situations]
        texts = [s for t in self.topics for s in t.situations]
        self._vectors = (
            embed_fixed_texts(embedder, texts, cache_dir) if texts else np.zeros((0, MODEL_DIM))
        )
        self._names = [
            (t, re.compile(r"(?i)\b(?:" + "|".join(re.escape(n) for n in t.names) + r")\b"))
            for t in self.topics
            if t.names
        ]

    def named(self, question: str) -> OutOfScopeTopic | None:
        """The topic whose body, benefit or procedure the question names, if any.

        Names, not phrasings: "Ombudsman" or "Blue Badge" says what the question is about
        however it is worded, where a pattern per phrasing held only on the phrasings seen.
        """
        for topic, pattern in self._names:
            if pattern.search(question):
                return topic
        return None

    def verdict(self, vector: np.ndarray, passage: float = 0.0) -> ScopeVerdict | None:
        """``passage``: the similarity of the nearest passage's own words (reports and guidance
        have no notes). None when there are no topics or no notes."""
        if not len(self._owner) or not len(self.held):
            return None
        sims = self._vectors @ vector
        nearest = int(np.argmax(sims))
        held = self.held @ vector
        near = np.partition(held, -NEIGHBOURS)[-NEIGHBOURS:] if len(held) > NEIGHBOURS else held
        inside = max(float(near.mean()), passage)
        return ScopeVerdict(self._owner[nearest], float(sims[nearest]) - inside)
