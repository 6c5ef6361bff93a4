"""Hybrid retrieval: a named provision first, then dense and BM25 lists fused by RRF.

Dense-only retrieval misses exact terms ("section 42", "20 weeks"); BM25 alone misses
paraphrase ("won't issue a plan"). Reciprocal rank fusion needs no score calibration.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from rag.anchors import locator_matches, named_provisions
from rag.embedding import Embedder
from rag.index import Index
from rag.manifest import documents_named, load_manifest
from rag.query import expand_query, legal_part
from rag.schema import Hit, Passage, Source
from rag.settings import Settings
from rag.time_limits import (
    asks_about_time,
    asks_for_date,
    number_phrases,
    states_date,
    states_time_limit,
    stems,
    time_limit_events,
)
from rag.vocabulary import named_terms, names_send_system


@dataclass(frozen=True)
class Retrieval:
    """Ranked hits plus the signals the answer needs to decide whether to abstain."""

    hits: tuple[Hit, ...]
    best_dense: float
    direct: bool
    in_scope: bool = False  # the question uses words of the SEND system (EHCP, tribunal)
    vector: np.ndarray | None = None  # the question in its own words, for the scope check


class HybridRetriever:
    """Retrieves passages for a question from one loaded index."""

    def __init__(
        self,
        index: Index,
        embedder: Embedder,
        settings: Settings,
        sources: Sequence[Source] | None = None,
    ) -> None:
        """``sources``: the manifest's documents (read from ``settings.manifest_path`` if not
        given); their roles say where a provision named in a question is looked up."""
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.sources = tuple(load_manifest(settings.manifest_path) if sources is None else sources)
        self._by_source: dict[str, list[Passage]] = {}
        for p in index.ordered:
            self._by_source.setdefault(p.source_id, []).append(p)
        self._time_limits = {
            p.passage_id: time_limit_events(p.text)
            for p in index.ordered
            if states_time_limit(p.text)
        }
        # Durations each passage states, read once here rather than on every question.
        self._durations = {
            p.passage_id: found for p in index.ordered if (found := number_phrases(p.text))
        }

    def _score_unseen(
        self, ids: Iterable[str], vector: np.ndarray, dense_score: dict[str, float]
    ) -> None:
        """Dense scores for passages the dense list did not return (their best window)."""
        unseen = [pid for pid in ids if pid not in dense_score]
        if unseen:
            stored = self.index.store.passage_vectors(unseen)
            dense_score.update(
                {pid: max(float(v @ vector) for v in vs) for pid, vs in stored.items()}
            )

    def lookup(self, question: str, kinds: Sequence[str] | None = None) -> list[Passage]:
        """Passages at the provisions the question names ('section 42', 'reg 13(2)', '9.14')."""
        found: list[Passage] = []
        for family, locator in named_provisions(question):
            for source_id in documents_named(self.sources, family, question):
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

    def _apply_priors(self, question: str, fused: dict[str, float]) -> None:
        """Priors on top of fusion: time limits, and who speaks with authority.

        A parent who quotes "20 weeks" is asking about the provision that sets 20 weeks; one who
        asks "were they late?" wants a provision that sets a limit; reports and testimony rank
        below law unless the question is about them.
        """
        from rag.compose import wants_experience

        phrases = number_phrases(question, limits_only=True)
        about_time = asks_about_time(question)
        asked = set(stems(question))
        about_date = asks_for_date(question)
        experience_ok = wants_experience(question)
        bonus = self.settings.number_bonus
        for pid in list(fused):
            p = self.index.passages[pid]
            if phrases and phrases & self._durations.get(pid, set()):
                fused[pid] += bonus
            if about_time and pid in self._time_limits:
                fused[pid] += self.settings.deadline_bonus
                # "within 4 weeks of the review meeting" when the parent names the review meeting
                if any(len(event & asked) >= 2 for event in self._time_limits[pid]):
                    fused[pid] += 2 * self.settings.deadline_bonus
            if about_date and states_date(p.text):
                fused[pid] += self.settings.deadline_bonus
            if p.authority == "experience" and not experience_ok:
                fused[pid] *= self.settings.experience_prior
            elif p.authority == "guidance":
                fused[pid] *= self.settings.guidance_prior

    def dense(
        self, vector: np.ndarray, k: int, kinds: Sequence[str] | None, notes: bool = True
    ) -> list[tuple[str, float]]:
        """Nearest passages by their best window; ``notes=False`` reads their own words only."""
        return self.index.store.query(vector, k, kinds, notes)

    def lexical(
        self, question: str, k: int, kinds: Sequence[str] | None, notes: bool = True
    ) -> list[tuple[str, float]]:
        """BM25 over passages and their notes; ``notes=False`` reads their own words only."""
        index = self.index.lexical if notes else self.index.lexical_text
        ranked = index.search(question, k * 4 if kinds else k)
        if kinds:
            ranked = [(i, s) for i, s in ranked if self.index.passages[i].kind in kinds]
        return ranked[:k]

    def retrieve(
        self,
        question: str,
        kinds: Sequence[str] | None = None,
        k: int | None = None,
    ) -> Retrieval:
        """Top-k hits: named provisions first, then the fused dense and lexical lists."""
        k = k or self.settings.top_k
        cand = max(self.settings.candidate_k, k)
        base = expand_query(legal_part(question))
        named = named_terms(question)
        terms = [term.statutory for term in named]
        query = f"{base} ({'; '.join(terms)})" if terms else base
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
        self._apply_priors(question, fused)
        direct = self.lookup(question, kinds)
        order = [p.passage_id for p in direct[:k]]
        order += [
            pid for pid, _ in sorted(fused.items(), key=lambda kv: -kv[1]) if pid not in order
        ]
        order = order[:k]
        self._score_unseen(order, vector, dense_score)
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
        # Abstention reads the parent's own words unless the glossary recognised a SEND idea in
        # them: "council" alone would make a council-tax question look close to the law.
        recognised = any(not term.generic for term in named)
        own = self.embedder.embed_query(base) if terms else vector
        plain = dense if recognised or not terms else self.dense(own, 1, kinds)
        best = max((s for _, s in plain), default=0.0)
        return Retrieval(
            hits=hits,
            best_dense=best,
            direct=bool(direct_ids & set(order)),
            in_scope=names_send_system(question),
            vector=own,
        )
