"""Eval systems without a model: scoping the naive baseline, the bare engine's fusion, the cache."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from evals import systems
from evals.systems import BareHybridSystem, fuse_rrf, passage_spans, scope_to_included
from rag.schema import Anchor, Passage, Source

ACT = "ukpga-2099-1"

BODY = """# Example Act 2099

## PART 1 — Other things

##### 1

- (1) Section one is about something else entirely.

## PART 3 — Special educational needs

### General

##### 19

A local authority must have regard to the views of the child.

##### 20

- (1) A child has special educational needs if he or she has a learning difficulty.

- (2) A learning difficulty is a significantly greater difficulty in learning.

##### 21

- (1) Section twenty one is not indexed and must not appear.

## SCHEDULE 2

##### 3

- (1) Schedule two paragraph three says the plan must be kept under review.
"""


def _source(include: tuple[str, ...]) -> Source:
    return Source.model_validate(
        {
            "source_id": ACT,
            "title": "Example Act 2099",
            "short_title": "Example Act 2099",
            "publisher": "x",
            "kind": "legislation",
            "date": "2099-01-01",
            "url": "https://example.org",
            "licence": "OGL",
            "attribution": "x",
            "format": "legalize-md",
            "include": include,
            "filename": "legislation/x.md",
        }
    )


def _passage(locator: str, text: str, position: int) -> Passage:
    return Passage(
        passage_id=f"p-{locator}",
        text=text,
        anchor=Anchor(source_id=ACT, locator=locator, label=locator),
        kind="legislation",
        position=position,
    )


INDEXED = [
    _passage("s.19", "A local authority must have regard to the views of the child.", 0),
    _passage(
        "s.20(1)",
        "A child has special educational needs if he or she has a learning difficulty.",
        1,
    ),
    _passage(
        "s.20(2)", "A learning difficulty is a significantly greater difficulty in learning.", 2
    ),
    _passage(
        "sch.2 para.3(1)",
        "Schedule two paragraph three says the plan must be kept under review.",
        3,
    ),
]


def test_scoped_file_keeps_only_indexed_provisions_with_their_headings() -> None:
    scoped = scope_to_included(BODY, _source(("s.19-20", "sch.2")), INDEXED)
    assert scoped.startswith("## PART 3 — Special educational needs\n\n### General\n\n##### 19")
    assert "Section one" not in scoped
    assert "twenty one" not in scoped
    assert "##### 20" in scoped and "significantly greater difficulty in learning." in scoped
    assert scoped.rstrip().endswith("must be kept under review.")
    assert "## SCHEDULE 2" in scoped
    # Every indexed passage is still found in the scoped text, so chunks keep their anchors.
    spans = passage_spans(scoped, [(p.text, p.locator) for p in INDEXED])
    assert [loc for _, _, loc in spans] == [p.locator for p in INDEXED]


def test_scoping_keeps_files_without_include_whole_and_drops_unplaceable_ones() -> None:
    assert scope_to_included(BODY, _source(()), INDEXED) == BODY
    assert scope_to_included(BODY, _source(("s.19-20",)), []) == ""


def test_fuse_rrf_weights_lists_and_keeps_first_seen_order_on_ties() -> None:
    assert fuse_rrf([(1.0, ["a", "b"]), (1.0, ["b", "c"])], c=60) == ["b", "a", "c"]
    # A heavier second list wins a tie of ranks.
    assert fuse_rrf([(0.7, ["a", "b"]), (1.0, ["b", "a"])], c=60) == ["b", "a"]
    assert fuse_rrf([(1.0, ["x", "y"]), (1.0, ["y", "x"])], c=60) == ["x", "y"]
    assert fuse_rrf([], c=60) == []


class _StubRetriever:
    """The parts of HybridRetriever the bare engine may use, recording the queries it gets."""

    def __init__(self) -> None:
        self.settings = SimpleNamespace(
            candidate_k=3, rrf_k=60, dense_weight=0.7, lexical_weight=1.0, top_k=8
        )
        self.embedded: list[str] = []
        self.lexical_queries: list[str] = []
        self.depths: list[int] = []
        self.embedder = SimpleNamespace(embed_query=self._embed)
        passages = {f"p{i}": _passage(f"s.{i}", f"text {i}", i) for i in range(1, 30)}
        self.index = SimpleNamespace(passages=passages)

    def _embed(self, text: str) -> np.ndarray:
        self.embedded.append(text)
        return np.zeros(3)

    def dense(self, vector: Any, k: int, kinds: Any) -> list[tuple[str, float]]:
        self.depths.append(k)
        return [(f"p{i}", 1.0) for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)][:k]

    def lexical(self, question: str, k: int, kinds: Any) -> list[tuple[str, float]]:
        self.lexical_queries.append(question)
        return [(f"p{i}", 1.0) for i in (2, 12, 1, 13, 14, 15, 16, 17, 18, 19, 20)][:k]


def test_bare_hybrid_fuses_dense_and_bm25_on_the_raw_question() -> None:
    retriever = _StubRetriever()
    system = BareHybridSystem(SimpleNamespace(retriever=retriever))  # type: ignore[arg-type]
    question = "The LA won't do an EHCP, were they late after 20 weeks?"
    result = system.run(question)
    # The raw words: no acronym expansion ("EHCP" → "EHC plan"), no glossary phrase added.
    assert retriever.embedded == [question]
    assert retriever.lexical_queries == [question]
    assert retriever.depths == [systems.RANKED_DEPTH]  # max(candidate_k, depth)
    ids = fuse_rrf(
        [
            (0.7, [f"p{i}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)]),
            (1.0, [f"p{i}" for i in (2, 12, 1, 13, 14, 15, 16, 17, 18, 19)]),
        ],
        60,
    )[: systems.RANKED_DEPTH]
    assert result.ranked_ids == ids
    assert result.ranked_ids[:2] == ["p2", "p1"]
    assert result.ranked[0] == ((ACT, "s.2"),)
    assert result.answer_text is None and result.abstained is None


class _NotedRetriever(_StubRetriever):
    """A retriever whose searches can leave provision notes out, over passages with notes."""

    def __init__(self, lexical_notes: bool) -> None:
        super().__init__()
        self.notes_args: list[tuple[str, bool]] = []
        for pid, p in self.index.passages.items():
            self.index.passages[pid] = p.model_copy(update={"note": "plain words"})
        if lexical_notes:
            self.lexical = self._lexical_with_notes  # type: ignore[method-assign]

    def dense(  # type: ignore[override]
        self, vector: Any, k: int, kinds: Any, notes: bool = True
    ) -> list[tuple[str, float]]:
        self.notes_args.append(("dense", notes))
        return super().dense(vector, k, kinds)

    def _lexical_with_notes(
        self, question: str, k: int, kinds: Any, notes: bool = True
    ) -> list[tuple[str, float]]:
        self.notes_args.append(("lexical", notes))
        return super().lexical(question, k, kinds)


def test_bare_hybrid_leaves_provision_notes_out_where_the_search_can() -> None:
    if "note" not in Passage.model_fields:
        pytest.skip("this rag has no provision notes")
    both = _NotedRetriever(lexical_notes=True)
    system = BareHybridSystem(SimpleNamespace(retriever=both))  # type: ignore[arg-type]
    system.run("a question")
    assert both.notes_args == [("dense", False), ("lexical", False)]
    assert system.caveats() == []
    dense_only = _NotedRetriever(lexical_notes=False)
    system = BareHybridSystem(SimpleNamespace(retriever=dense_only))  # type: ignore[arg-type]
    system.run("a question")
    assert dense_only.notes_args == [("dense", False)]
    assert [c.split(" search")[0] for c in system.caveats()] == [
        "bare_hybrid: the index carries provision notes and the BM25"
    ]


class _CountingEmbedder:
    def __init__(self) -> None:
        self.calls = 0

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        self.calls += 1
        return np.ones((len(texts), 4), dtype=np.float32)


def test_naive_cache_is_keyed_by_the_text_chunked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(systems, "_vectors_memo", {})
    embedder = _CountingEmbedder()
    body = BODY * 20
    chunks, vectors = systems._chunks_and_vectors(ACT, body, embedder, tmp_path)  # type: ignore[arg-type]
    assert embedder.calls == 1 and len(chunks) == len(vectors) > 1
    assert len(list(tmp_path.glob(f"{ACT}-*.json"))) == 1
    # A new process (empty memo) loads the same text from disk without embedding.
    monkeypatch.setattr(systems, "_vectors_memo", {})
    again, _ = systems._chunks_and_vectors(ACT, body, embedder, tmp_path)  # type: ignore[arg-type]
    assert embedder.calls == 1 and again == chunks
    # Other text (a scoped file) is another entry.
    systems._chunks_and_vectors(ACT, body[:3000], embedder, tmp_path)  # type: ignore[arg-type]
    assert embedder.calls == 2
    assert len(list(tmp_path.glob(f"{ACT}-*.json"))) == 2
