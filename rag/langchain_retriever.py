"""sendqa's hybrid retrieval as a LangChain ``BaseRetriever``, for chains built on LangChain.

LangChain stays at this edge: the core types do not depend on it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.retrieve import HybridRetriever
from rag.store import passage_metadata


class SendQARetriever(BaseRetriever):
    """Returns LangChain Documents whose metadata carries each passage's anchor and scores."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: HybridRetriever
    k: int = 8
    kinds: tuple[str, ...] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        result = self.retriever.retrieve(query, self.kinds, self.k)
        return [
            Document(
                page_content=h.passage.text,
                id=h.passage.passage_id,
                metadata={
                    **passage_metadata(h.passage),
                    # The date the document's text is revised to ('' when not known).
                    "current_to": h.passage.anchor.current_to or "",
                    "rank": h.rank,
                    "dense": h.dense,
                    "lexical": h.lexical,
                    "fused": h.fused,
                    "direct": h.direct,
                },
            )
            for h in result.hits
        ]
