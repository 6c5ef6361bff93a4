"""The lexical (BM25) index, persisted beside Chroma; bm25s does the scoring.

Dense retrieval misses exact terms like "section 42" or "20 weeks"; BM25 catches them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?[a-z]?|[a-z][a-z0-9]*")
# Common English words carry no signal; legal words like "must" and "may" do, so keep them.
_STOPWORDS = frozenset(
    "a an and are as at be by for from has have he her his i if in into is it its me my of on or "
    "our she so that the their them they this to was we were what when which who will with you "
    "your".split()
)


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens; '9.40' stays one token; 's.42(2)' gives 's', '42', '2'."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in _STOPWORDS]


class LexicalIndex:
    """BM25 over passage texts, addressed by position in the passage list."""

    def __init__(self, retriever: object, ids: Sequence[str]) -> None:
        self._retriever = retriever
        self.ids = list(ids)

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> LexicalIndex:
        import bm25s

        retriever = bm25s.BM25()
        retriever.index([tokenize(t) for t in texts], show_progress=False)
        return cls(retriever, ids)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder))  # type: ignore[attr-defined]
        (folder / "ids.txt").write_text("\n".join(self.ids), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        retriever = bm25s.BM25.load(str(folder))
        ids = (folder / "ids.txt").read_text(encoding="utf-8").split("\n")
        return cls(retriever, ids)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(passage_id, BM25 score) pairs with a positive score, best first."""
        tokens = tokenize(query)
        if not tokens or not self.ids:
            return []
        scores = np.asarray(
            self._retriever.get_scores(tokens),  # type: ignore[attr-defined]
            dtype=np.float32,
        )
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
