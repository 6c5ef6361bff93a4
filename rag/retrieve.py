"""Hybrid retrieval: a named provision first, then dense and BM25 lists fused by RRF.

Dense-only retrieval misses exact terms ("section 42", "20 weeks"); BM25 alone misses
paraphrase ("won't issue a plan"). Reciprocal rank fusion needs no score calibration.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.anchors import locator_matches, named_provisions
from rag.embedding import Embedder
from rag.index import Index
from rag.query import expand_query
from rag.schema import KIND_GROUPS, Hit, Passage, SourceKind
from rag.settings import Settings

ACT_SOURCES = {"equality": "ukpga-2010-15"}
DEFAULT_ACT = "ukpga-2014-6"
DEFAULT_REGS = "uksi-2014-1530"
CODE_OF_PRACTICE = "send-code-of-practice-2015"


@dataclass(frozen=True)
class Retrieval:
    """Ranked hits plus the signals the answer needs to decide whether to abstain."""

    hits: tuple[Hit, ...]
    best_dense: float
    direct: bool


def resolve_kinds(names: Sequence[str] | None) -> tuple[SourceKind, ...] | None:
    """Turn user kind names ('law', 'guidance', 'reports', 'testimony', or kinds) into kinds."""
    if not names:
        return None
    kinds: list[SourceKind] = []
    for name in names:
        key = name.strip().lower()
        if not key:
            continue
        if key not in KIND_GROUPS:
            raise ValueError(f"unknown kind {name!r}: use one of {', '.join(sorted(KIND_GROUPS))}")
        kinds.extend(KIND_GROUPS[key])
    return tuple(dict.fromkeys(kinds)) or None


def _target_source(family: str, question: str) -> list[str]:
    q = question.lower()
    if family == "act":
        return [ACT_SOURCES["equality"]] if "equality" in q else [DEFAULT_ACT]
    if family == "regs":
        if "personal budget" in q:
            return ["uksi-2014-1652"]
        if "recommendation" in q or "2017" in q:
            return ["uksi-2017-1306"]
        return [DEFAULT_REGS]
    if family == "sch":
        return [ACT_SOURCES["equality"]] if "equality" in q else [DEFAULT_REGS]
    if "explanatory" in q or "notes" in q:
        return ["cfa-2014-explanatory-notes", "equality-act-2010-explanatory-notes"]
    return [CODE_OF_PRACTICE]


class HybridRetriever:
    """Retrieves passages for a question from one loaded index."""

    def __init__(self, index: Index, embedder: Embedder, settings: Settings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self._by_source: dict[str, list[Passage]] = {}
        for p in index.ordered:
            self._by_source.setdefault(p.source_id, []).append(p)

    def lookup(self, question: str, kinds: Sequence[str] | None = None) -> list[Passage]:
        """Passages at the provisions the question names ('section 42', 'reg 13(2)', '9.14')."""
        found: list[Passage] = []
        for family, locator in named_provisions(question):
            for source_id in _target_source(family, question):
                for p in self._by_source.get(source_id, []):
                    if kinds and p.kind not in kinds:
                        continue
                    if (
                        p.locator
                        and locator_matches(locator, p.locator)
                        and (len(p.locator) >= len(locator) or p.locator == locator.split("(")[0])
                    ):
                        found.append(p)
        return list(dict.fromkeys(found))

    def passages_at(self, locator: str, source_id: str | None = None) -> list[Passage]:
        """Every passage at or under a locator, in document order (for 'passages show')."""
        sources = [source_id] if source_id else list(self._by_source)
        return [
            p
            for sid in sources
            for p in self._by_source.get(sid, [])
            if p.locator and locator_matches(locator, p.locator) and len(p.locator) >= len(locator)
        ] or [
            p
            for sid in sources
            for p in self._by_source.get(sid, [])
            if p.locator and locator_matches(locator, p.locator)
        ]

    def _adjust(self, question: str, fused: dict[str, float]) -> None:
        """Priors on top of fusion: a time limit the question names, and who speaks with authority.

        A parent who quotes "20 weeks" is asking about the provision that sets 20 weeks; reports
        and testimony rank below law unless the question is about them.
        """
        from rag.compose import wants_experience

        phrases = number_phrases(question)
        experience_ok = wants_experience(question)
        bonus = self.settings.number_bonus
        for pid in list(fused):
            p = self.index.passages[pid]
            if phrases and phrases & number_phrases(p.text):
                fused[pid] += bonus
            if p.authority == "experience" and not experience_ok:
                fused[pid] *= self.settings.experience_prior
            elif p.authority == "guidance":
                fused[pid] *= self.settings.guidance_prior

    def dense(
        self, vector: np.ndarray, k: int, kinds: Sequence[str] | None
    ) -> list[tuple[str, float]]:
        return self.index.store.query(vector, k, kinds)

    def lexical(
        self, question: str, k: int, kinds: Sequence[str] | None
    ) -> list[tuple[str, float]]:
        ranked = self.index.lexical.search(question, k * 4 if kinds else k)
        if kinds:
            ranked = [(i, s) for i, s in ranked if self.index.passages[i].kind in kinds]
        return ranked[:k]

    def retrieve(
        self, question: str, kinds: Sequence[str] | None = None, k: int | None = None
    ) -> Retrieval:
        """Top-k hits: named provisions first, then the fused dense and lexical lists."""
        k = k or self.settings.top_k
        cand = max(self.settings.candidate_k, k)
        query = expand_query(question)
        vector = self.embedder.embed_query(query)
        dense = self.dense(vector, cand, kinds)
        lexical = self.lexical(query, cand, kinds)
        dense_score = dict(dense)
        lexical_score = dict(lexical)
        fused: dict[str, float] = {}
        c = self.settings.rrf_k
        for rank, (pid, _) in enumerate(dense, start=1):
            fused[pid] = fused.get(pid, 0.0) + self.settings.dense_weight / (c + rank)
        for rank, (pid, _) in enumerate(lexical, start=1):
            fused[pid] = fused.get(pid, 0.0) + self.settings.lexical_weight / (c + rank)
        self._adjust(question, fused)
        direct = self.lookup(question, kinds)
        order = [p.passage_id for p in direct[:k]]
        order += [
            pid for pid, _ in sorted(fused.items(), key=lambda kv: -kv[1]) if pid not in order
        ]
        order = order[:k]
        missing = [pid for pid in order if pid not in dense_score]
        if missing:
            stored = self.index.store.passage_vectors(missing)
            dense_score.update(
                {pid: max(float(v @ vector) for v in vs) for pid, vs in stored.items()}
            )
        direct_ids = {p.passage_id for p in direct}
        hits = tuple(
            Hit(
                passage=self.index.passages[pid],
                rank=rank,
                dense=dense_score.get(pid),
                lexical=lexical_score.get(pid),
                fused=fused.get(pid, 0.0),
                direct=pid in direct_ids,
            )
            for rank, pid in enumerate(order, start=1)
        )
        best = max((s for _, s in dense), default=0.0)
        return Retrieval(hits=hits, best_dense=best, direct=bool(direct_ids & set(order)))


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


def number_phrases(text: str) -> set[str]:
    """Time limits in a text, normalised: 'six weeks' and '6 week' both give '6 week'."""
    found = set()
    for num, unit in _NUMBER_PHRASE.findall(text):
        n = _WORD_NUMBERS.get(num.lower(), num)
        found.add(f"{n} {unit.lower().rstrip('s').replace('working ', 'working ')}")
    return found


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())
