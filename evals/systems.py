"""The systems the harness compares, behind one small ``System`` protocol.

- ``sendqa``: the full pipeline (``SendQA.ask``): hybrid retrieval, abstention, cited answer.
- ``dense``: dense retrieval alone over sendqa's passages (same query expansion).
- ``bm25``: BM25 alone over sendqa's passages (same query expansion).
- ``naive_langchain``: what the LangChain quickstart gives: whole files split with
  ``RecursiveCharacterTextSplitter(1000, 200)``, embedded with the same model into Chroma,
  top-k by cosine. Its chunks carry no anchors, so each is labelled with the locator of the
  sendqa passage it overlaps most (None outside any passage).

Anchors for the naive chunks come from the built index's passages rather than by re-parsing,
so ``evals`` imports only ``rag`` (see CONVENTIONS: evals never import ingest).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import shutil
import tempfile
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from rag.embedding import MODEL_ID, Embedder, load_embedder
from rag.errors import ConfigError
from rag.query import expand_query
from rag.schema import Anchor, Passage, Source
from rag.settings import PROJECT_ROOT, Settings
from rag.store import PassageStore, chroma_client

if TYPE_CHECKING:
    from rag.pipeline import SendQA

RANKED_DEPTH = 10
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
DEFAULT_NAIVE_CACHE = PROJECT_ROOT / "var" / "naive-cache"
#: Bump when the cached chunking or embedding changes meaning.
_CACHE_VERSION = 1

RankedAnchor = tuple[str, str | None]


@dataclass(frozen=True)
class CitedPassage:
    """One citation of an answer, flattened for scoring."""

    key: int
    passage_id: str
    source_id: str
    locator: str | None


@dataclass
class SystemResult:
    """What one system returned for one question; answer fields are None for retrievers."""

    ranked: list[RankedAnchor]
    ranked_ids: list[str] = field(default_factory=list)
    answer_text: str | None = None
    abstained: bool | None = None
    crisis: bool | None = None
    safety_notice: str = ""
    citations: list[CitedPassage] = field(default_factory=list)
    latency_ms: float = 0.0
    stages_ms: dict[str, float] = field(default_factory=dict)

    @property
    def answers(self) -> bool:
        return self.answer_text is not None


class System(Protocol):
    """A question-answering or retrieval system under evaluation."""

    name: str

    def run(self, question: str) -> SystemResult: ...


class SendQASystem:
    """The full sendqa pipeline, as users get it."""

    name = "sendqa"

    def __init__(self, qa: SendQA) -> None:
        self.qa = qa

    def run(self, question: str) -> SystemResult:
        t0 = time.perf_counter()
        answer = self.qa.ask(question)
        elapsed = (time.perf_counter() - t0) * 1000
        hits = answer.hits[:RANKED_DEPTH]
        return SystemResult(
            ranked=[(h.passage.source_id, h.passage.locator) for h in hits],
            ranked_ids=[h.passage.passage_id for h in answer.hits],
            answer_text=answer.text,
            abstained=answer.abstained,
            crisis=answer.crisis,
            safety_notice=answer.safety_notice,
            citations=[
                CitedPassage(c.key, c.passage.passage_id, c.passage.source_id, c.passage.locator)
                for c in answer.citations
            ],
            latency_ms=answer.timings_ms.get("total", elapsed),
            stages_ms=dict(answer.timings_ms),
        )


class DenseSystem:
    """Dense retrieval alone over sendqa's own passages: what fusion adds over it."""

    name = "dense"

    def __init__(self, qa: SendQA) -> None:
        self.qa = qa

    def run(self, question: str) -> SystemResult:
        t0 = time.perf_counter()
        retriever = self.qa.retriever
        ranked = retriever.dense(
            retriever.embedder.embed_query(expand_query(question)), RANKED_DEPTH, None
        )
        return _retrieval_result(self.qa, [pid for pid, _ in ranked], t0)


class BM25System:
    """BM25 alone over sendqa's own passages: what dense retrieval adds over it."""

    name = "bm25"

    def __init__(self, qa: SendQA) -> None:
        self.qa = qa

    def run(self, question: str) -> SystemResult:
        t0 = time.perf_counter()
        ranked = self.qa.retriever.lexical(expand_query(question), RANKED_DEPTH, None)
        return _retrieval_result(self.qa, [pid for pid, _ in ranked], t0)


def _retrieval_result(qa: SendQA, ids: list[str], t0: float) -> SystemResult:
    passages = qa.retriever.index.passages
    ids = ids[:RANKED_DEPTH]
    elapsed = (time.perf_counter() - t0) * 1000
    return SystemResult(
        ranked=[(passages[i].source_id, passages[i].locator) for i in ids],
        ranked_ids=ids,
        latency_ms=elapsed,
        stages_ms={"retrieve": elapsed, "total": elapsed},
    )


# --- the naive LangChain baseline ----------------------------------------------------------


@dataclass(frozen=True)
class NaiveChunk:
    """A quickstart chunk: raw text, where it starts in its file, and the anchor it gets."""

    chunk_id: str
    source_id: str
    start: int
    text: str
    locator: str | None


def read_sources(manifest_path: Path) -> list[Source]:
    """The manifest's documents (a plain TOML read: evals does not import ingest)."""
    try:
        data = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the source manifest {manifest_path}: {exc}") from exc
    return [
        Source.model_validate({k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()})
        for entry in data.get("source", [])
    ]


def strip_front_matter(text: str) -> str:
    """Body of a Markdown file without its leading YAML block (files without one are kept)."""
    if not text.startswith("---"):
        return text
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        return text
    return parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""


def _alnum_view(text: str) -> tuple[str, list[int]]:
    """Lowercase letters and digits only, with each one's offset in the original text.

    Searching this view finds a passage in its raw file despite markdown, list markers and
    whitespace that the parser removed.
    """
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch.isalnum():
            chars.append(ch.lower())
            offsets.append(i)
    return "".join(chars), offsets


def passage_spans(
    raw: str, passages: Sequence[tuple[str, str | None]]
) -> list[tuple[int, int, str | None]]:
    """(start, end, locator) in ``raw`` of each (text, locator) passage found there, in order.

    Passages are searched in document order from the previous one, so repeated openings
    ("(a) the child's parent") land on the right occurrence; ones not found are left out.
    """
    view, offsets = _alnum_view(raw)
    spans: list[tuple[int, int, str | None]] = []
    cursor = 0
    for text, locator in passages:
        needle, _ = _alnum_view(text)
        if not needle:
            continue
        head, tail = needle[:60], needle[-40:]
        at = view.find(head, cursor)
        if at < 0:
            at = view.find(head)
        if at < 0:
            continue
        end_at = view.find(tail, at + max(0, len(needle) - len(tail) - 200))
        if end_at < 0 or end_at - at > 2 * len(needle) + 400:
            end_at = min(len(view) - 1, at + len(needle) - len(tail))
        last = min(len(offsets) - 1, end_at + len(tail) - 1)
        spans.append((offsets[at], offsets[last] + 1, locator))
        cursor = at + 1
    return spans


def assign_locator(
    start: int, length: int, spans: Sequence[tuple[int, int, str | None]]
) -> str | None:
    """Locator of the passage overlapping the chunk [start, start+length) most; None if none."""
    best: tuple[int, str | None] = (0, None)
    end = start + length
    for s, e, locator in spans:
        overlap = min(end, e) - max(start, s)
        if overlap > best[0]:
            best = (overlap, locator)
    return best[1]


def split_like_quickstart(text: str) -> list[tuple[int, str]]:
    """(start_index, text) chunks exactly as the LangChain RAG quickstart splits a document."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
    )
    return [
        (int(d.metadata["start_index"]), d.page_content) for d in splitter.create_documents([text])
    ]


def _cache_key(raw_bytes: bytes, max_chars: int | None) -> str:
    digest = hashlib.sha256(raw_bytes)
    digest.update(f"{_CACHE_VERSION}|{MODEL_ID}|{CHUNK_SIZE}|{CHUNK_OVERLAP}|{max_chars}".encode())
    return digest.hexdigest()[:20]


def _chunks_and_vectors(
    source: Source,
    path: Path,
    embedder: Embedder,
    cache_dir: Path | None,
    max_chars: int | None,
    progress: bool = False,
) -> tuple[str, list[tuple[int, str]], np.ndarray]:
    """Split and embed one file, or load both from the on-disk cache keyed by its hash."""
    raw_bytes = path.read_bytes()
    body = strip_front_matter(raw_bytes.decode("utf-8", errors="replace"))
    if max_chars is not None:
        body = body[:max_chars]
    key = _cache_key(raw_bytes, max_chars)
    stem = f"{source.source_id}-{key}"
    if cache_dir is not None and (cache_dir / f"{stem}.npz").is_file():
        meta = json.loads((cache_dir / f"{stem}.json").read_text(encoding="utf-8"))
        vectors = np.load(cache_dir / f"{stem}.npz")["vectors"]
        return body, [(int(s), str(t)) for s, t in meta["chunks"]], vectors
    chunks = split_like_quickstart(body)
    vectors = embedder.embed_passages([t for _, t in chunks], progress=progress)
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        # npz first, json last: a json file means the pair is complete.
        np.savez_compressed(cache_dir / f"{stem}.npz", vectors=vectors)
        (cache_dir / f"{stem}.json").write_text(
            json.dumps({"source_id": source.source_id, "chunks": chunks}), encoding="utf-8"
        )
    return body, chunks, vectors


@dataclass
class NaiveIndex:
    """The naive baseline's chunks in a throwaway Chroma collection."""

    chunks: dict[str, NaiveChunk]
    store: PassageStore
    folder: Path
    sources: tuple[str, ...]
    build_seconds: float


_naive_cache: dict[tuple[object, ...], NaiveIndex] = {}


def build_naive_index(
    settings: Settings,
    passages: Sequence[Passage],
    embedder: Embedder,
    *,
    sources: Sequence[str] | None = None,
    max_chars: int | None = None,
    cache_dir: Path | None = DEFAULT_NAIVE_CACHE,
    progress: bool = False,
) -> NaiveIndex:
    """Chunk, embed (or load from cache) and store every manifest file; once per process."""
    wanted = set(sources) if sources else None
    key = (
        str(settings.corpus_dir),
        str(settings.manifest_path),
        tuple(sorted(wanted or ())),
        max_chars,
        str(cache_dir),
        len(passages),
    )
    if key in _naive_cache:
        return _naive_cache[key]
    t0 = time.perf_counter()
    by_source: dict[str, list[Passage]] = {}
    for p in sorted(passages, key=lambda p: (p.source_id, p.position)):
        by_source.setdefault(p.source_id, []).append(p)
    chunks: list[NaiveChunk] = []
    vectors: list[np.ndarray] = []
    kinds: dict[str, Source] = {}
    for source in read_sources(settings.manifest_path):
        path = settings.corpus_dir / source.filename
        if (wanted is not None and source.source_id not in wanted) or not path.is_file():
            continue
        kinds[source.source_id] = source
        body, pieces, matrix = _chunks_and_vectors(
            source, path, embedder, cache_dir, max_chars, progress
        )
        spans = passage_spans(
            body, [(p.text, p.locator) for p in by_source.get(source.source_id, [])]
        )
        for n, (start, text) in enumerate(pieces):
            chunks.append(
                NaiveChunk(
                    f"{source.source_id}#{n}",
                    source.source_id,
                    start,
                    text,
                    assign_locator(start, len(text), spans),
                )
            )
        vectors.append(matrix)
    if not chunks:
        raise ConfigError(
            f"the naive baseline found no corpus files under {settings.corpus_dir}: "
            "pass --corpus DIR"
        )
    index = _store_chunks(chunks, np.concatenate(vectors), kinds)
    index.build_seconds = time.perf_counter() - t0
    _naive_cache[key] = index
    return index


def _store_chunks(
    chunks: list[NaiveChunk], matrix: np.ndarray, sources: dict[str, Source]
) -> NaiveIndex:
    """Put the chunks in a fresh Chroma collection in a temporary folder."""
    if not _naive_cache:
        atexit.register(drop_naive_indexes)
    folder = Path(tempfile.mkdtemp(prefix="sendqa-naive-"))
    store = PassageStore.create(
        chroma_client(path=folder), "naive_langchain", {"model_id": MODEL_ID}
    )
    rows = []
    for c in chunks:
        source = sources[c.source_id]
        anchor = Anchor(source_id=c.source_id, locator=c.locator, label=source.short_title)
        passage = Passage(passage_id=c.chunk_id, text=c.text, anchor=anchor, kind=source.kind)
        rows.append((c.chunk_id, passage, c.text))
    store.add(rows, matrix)
    return NaiveIndex(
        chunks={c.chunk_id: c for c in chunks},
        store=store,
        folder=folder,
        sources=tuple(sources),
        build_seconds=0.0,
    )


def drop_naive_indexes() -> None:
    """Forget the per-process naive indexes and remove their temporary folders."""
    from rag.store import forget_client

    for index in _naive_cache.values():
        forget_client(path=index.folder)
        shutil.rmtree(index.folder, ignore_errors=True)
    _naive_cache.clear()


class NaiveLangChainSystem:
    """The LangChain quickstart: raw question, top-k chunks by cosine, no answer."""

    name = "naive_langchain"

    def __init__(self, index: NaiveIndex, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder

    def run(self, question: str) -> SystemResult:
        t0 = time.perf_counter()
        ranked = self.index.store.query(self.embedder.embed_query(question), RANKED_DEPTH)
        chunks = [self.index.chunks[cid] for cid, _ in ranked]
        elapsed = (time.perf_counter() - t0) * 1000
        return SystemResult(
            ranked=[(c.source_id, c.locator) for c in chunks],
            ranked_ids=[c.chunk_id for c in chunks],
            latency_ms=elapsed,
            stages_ms={"retrieve": elapsed, "total": elapsed},
        )


SYSTEM_NAMES = ("sendqa", "dense", "bm25", "naive_langchain")


@dataclass
class NaiveOptions:
    """How much of the corpus the naive baseline embeds, and where its cache lives."""

    sources: Sequence[str] | None = None
    max_chars: int | None = None
    cache_dir: Path | None = DEFAULT_NAIVE_CACHE
    progress: bool = False


def make_systems(
    names: Sequence[str],
    settings: Settings,
    naive: NaiveOptions | None = None,
    embedder: Embedder | None = None,
) -> list[System]:
    """Build the named systems, sharing one loaded index and one embedder between them."""
    unknown = [n for n in names if n not in SYSTEM_NAMES]
    if unknown:
        raise ConfigError(
            f"unknown system(s) {', '.join(unknown)}: choose from {', '.join(SYSTEM_NAMES)}"
        )
    from rag.pipeline import SendQA

    embedder = embedder or load_embedder(settings.embed_threads)
    qa = SendQA(settings, embedder=embedder)
    naive = naive or NaiveOptions()
    systems: list[System] = []
    for name in dict.fromkeys(names):
        if name == "sendqa":
            systems.append(SendQASystem(qa))
        elif name == "dense":
            systems.append(DenseSystem(qa))
        elif name == "bm25":
            systems.append(BM25System(qa))
        else:
            index = build_naive_index(
                settings,
                list(qa.retriever.index.passages.values()),
                embedder,
                sources=naive.sources,
                max_chars=naive.max_chars,
                cache_dir=naive.cache_dir,
                progress=naive.progress,
            )
            systems.append(NaiveLangChainSystem(index, embedder))
    return systems
