"""One real index (real model, real Chroma) built once per test session and shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.embedding import Embedder, load_embedder
from rag.settings import Settings


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return load_embedder()


@pytest.fixture(scope="session")
def built_index(
    tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path, embedder: Embedder
) -> Settings:
    """Settings pointing at an index of the whole shared corpus (built once, ~40 s)."""
    from ingest.build import build_index

    index_dir = tmp_path_factory.mktemp("index")
    settings = Settings(index_dir=index_dir, corpus_dir=shared_corpus)
    build_index(settings, embedder=embedder, progress=False)
    return settings


@pytest.fixture(scope="session")
def qa(built_index: Settings, embedder: Embedder):  # type: ignore[no-untyped-def]
    """The full answer pipeline over the session index."""
    from rag.pipeline import SendQA

    return SendQA(built_index, embedder=embedder)
