"""Shared test set-up: offline, no telemetry, the real shared corpus, and one real index.

The index (real model, real Chroma) is built once per session, only when a test asks for it,
and shared by tests/integration and tests/llm.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rag.embedding import Embedder, load_embedder
from rag.settings import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
DEV_SET = ROOT.parent / "shared" / "evals" / "dev.jsonl"


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The real corpus beside the checkout (../shared/corpus)."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {SHARED_CORPUS}")
    return SHARED_CORPUS


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
