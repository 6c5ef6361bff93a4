"""The systems the harness compares, behind one small ``System`` protocol.

- ``sendqa``: the full pipeline (``SendQA.ask``): hybrid retrieval, abstention, cited answer.
- ``bare_hybrid``: the bare engine under sendqa: its own passages, dense and BM25 fused by RRF
  with sendqa's weights, on the raw question. No acronym expansion, glossary, priors or direct
  lookup, so every addition to sendqa is measured against it.
- ``dense``: dense retrieval alone over sendqa's passages (same acronym expansion as sendqa).
- ``bm25``: BM25 alone over sendqa's passages (same acronym expansion as sendqa).
- ``naive_langchain``: what the LangChain quickstart gives when pointed at the corpus folder:
  whole files split with ``RecursiveCharacterTextSplitter(1000, 200)``, embedded with the same
  model into Chroma, top-k by cosine, raw question.
- ``naive_langchain_scoped``: the same, but each legislation file cut down to the provisions
  sendqa indexes (the manifest's ``include``: CFA 2014 Part 3, the listed Equality Act
  sections), as a user who trimmed the Acts first would get. Other files are whole.
- ``naive_langchain_single_label`` (not run by default): ``naive_langchain`` scored the old way,
  each chunk credited only with the provision it overlaps most.

Naive chunks carry no anchors of their own. Each is credited with every sendqa passage whose
text it overlaps (by character span in the file): a chunk holding s.36(1)-(4) shows the reader
all four, so it matches gold s.36(3). A chunk that overlaps no passage is credited with its
document only (it matches an expected whole-document anchor and nothing else).

Anchors for the naive chunks come from the built index's passages rather than by re-parsing,
so ``evals`` imports only ``rag`` (see CONVENTIONS: evals never import ingest).
"""

from __future__ import annotations

import atexit
import hashlib
import inspect
import json
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from evals.metrics import RankedItem
from rag.anchors import is_included
from rag.embedding import MODEL_ID, Embedder, load_embedder
from rag.errors import ConfigError
from rag.manifest import load_manifest
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
#: Bump when the cached chunking or embedding changes meaning. 2: keyed by the text chunked
#: (so a scoped file that equals its whole file shares the entry), not by the file's bytes.
_CACHE_VERSION = 2


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

    ranked: list[RankedItem]
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
            ranked=[((h.passage.source_id, h.passage.locator),) for h in hits],
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


def fuse_rrf(lists: Sequence[tuple[float, Sequence[str]]], c: int) -> list[str]:
    """Ids ranked by weighted reciprocal rank fusion: sum of weight / (c + rank) over lists.

    Ties keep first-seen order, as ``HybridRetriever.retrieve`` does.
    """
    fused: dict[str, float] = {}
    for weight, ids in lists:
        for rank, pid in enumerate(ids, start=1):
            fused[pid] = fused.get(pid, 0.0) + weight / (c + rank)
    return [pid for pid, _ in sorted(fused.items(), key=lambda kv: -kv[1])]


def _takes(method: object, parameter: str) -> bool:
    """Whether a callable accepts a keyword (rag's searches gain ``notes`` with provision notes)."""
    try:
        return parameter in inspect.signature(method).parameters  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


class BareHybridSystem:
    """sendqa's engine with nothing added: dense + BM25 fused by RRF on the raw question.

    Uses the retriever's own ``dense`` and ``lexical`` lists and its settings (candidate depth,
    RRF constant, weights); leaves out acronym expansion, the glossary, time and authority
    priors, crisis-sentence removal and the direct provision lookup.
    Where a search can leave sendqa's provision notes out (``notes=False``), it does, so the
    passages are read in their own words only.
    """

    name = "bare_hybrid"

    def __init__(self, qa: SendQA) -> None:
        self.qa = qa
        retriever = qa.retriever
        self._dense_kw = {"notes": False} if _takes(retriever.dense, "notes") else {}
        self._lexical_kw = {"notes": False} if _takes(retriever.lexical, "notes") else {}

    def caveats(self) -> list[str]:
        """What the report must say when the bare engine could not leave notes out."""
        noted = any(getattr(p, "note", "") for p in self.qa.retriever.index.passages.values())
        if not noted:
            return []
        return [
            f"bare_hybrid: the index carries provision notes and the {name} search cannot "
            "leave them out, so that list still reads them"
            for name, kw in (("dense", self._dense_kw), ("BM25", self._lexical_kw))
            if not kw
        ]

    def run(self, question: str) -> SystemResult:
        t0 = time.perf_counter()
        retriever = self.qa.retriever
        settings = retriever.settings
        depth = max(settings.candidate_k, RANKED_DEPTH)
        vector = retriever.embedder.embed_query(question)
        dense = retriever.dense(vector, depth, None, **self._dense_kw)
        lexical = retriever.lexical(question, depth, None, **self._lexical_kw)
        ids = fuse_rrf(
            [
                (settings.dense_weight, [pid for pid, _ in dense]),
                (settings.lexical_weight, [pid for pid, _ in lexical]),
            ],
            settings.rrf_k,
        )
        return _retrieval_result(self.qa, ids, t0)


def _retrieval_result(qa: SendQA, ids: list[str], t0: float) -> SystemResult:
    passages = qa.retriever.index.passages
    ids = ids[:RANKED_DEPTH]
    elapsed = (time.perf_counter() - t0) * 1000
    return SystemResult(
        ranked=[((passages[i].source_id, passages[i].locator),) for i in ids],
        ranked_ids=ids,
        latency_ms=elapsed,
        stages_ms={"retrieve": elapsed, "total": elapsed},
    )


# --- the naive LangChain baseline ----------------------------------------------------------


@dataclass(frozen=True)
class NaiveChunk:
    """A quickstart chunk: raw text, where it starts in its document, and the anchors it shows.

    ``locators`` holds every passage locator the chunk overlaps, most-overlapped first; it is
    empty when the chunk overlaps no passage.
    """

    chunk_id: str
    source_id: str
    start: int
    text: str
    locators: tuple[str | None, ...]

    @property
    def locator(self) -> str | None:
        """The single label the harness used to give: the most-overlapped passage's locator."""
        return self.locators[0] if self.locators else None

    def anchors(self, single_label: bool = False) -> RankedItem:
        """The ranked item this chunk is scored as (its document alone when it overlaps none)."""
        locators = self.locators[:1] if single_label else self.locators
        return tuple((self.source_id, loc) for loc in locators) or ((self.source_id, None),)


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


def overlapped_locators(
    start: int, length: int, spans: Sequence[tuple[int, int, str | None]]
) -> tuple[str | None, ...]:
    """Locators of every passage overlapping the chunk [start, start+length), most overlap first.

    Ties keep document order; a locator spread over several spans counts its largest overlap.
    """
    end = start + length
    best: dict[str | None, int] = {}
    for s, e, locator in spans:
        overlap = min(end, e) - max(start, s)
        if overlap > 0 and overlap > best.get(locator, 0):
            best[locator] = overlap
    return tuple(sorted(best, key=lambda loc: -best[loc]))


_PROVISION = re.compile(
    r"^(?:sch\.(?P<sch>\w+)(?: para\.(?P<para>\w+))?|(?:s|reg|art)\.(?P<num>\w+))"
)


def _provision_number(locator: str | None) -> tuple[str, str | None] | None:
    """(number, schedule) of a legislation locator, as ``rag.anchors.is_included`` reads them."""
    m = _PROVISION.match(locator or "")
    if not m:
        return None
    if m.group("sch"):
        return m.group("para") or "", m.group("sch")
    return m.group("num"), None


def _heading_start(body: str, start: int) -> int:
    """Move ``start`` back to its line's start and over the headings and blank lines above it."""
    pos = body.rfind("\n", 0, start) + 1
    while pos > 0:
        above = body.rfind("\n", 0, pos - 1) + 1
        line = body[above:pos].strip()
        if line and not line.startswith("#"):
            break
        pos = above
    return pos


def scope_to_included(body: str, source: Source, passages: Sequence[Passage]) -> str:
    """The part of a file a user would keep to match what sendqa indexes from it.

    For a source whose manifest ``include`` lists provisions (CFA 2014 ``s.19-83``), one block
    per include entry: from the headings above its first indexed passage to the end of the line
    holding its last, found through the passages' spans in the file. Blocks are joined in file
    order by a blank line. A source without ``include`` is kept whole; one whose passages
    cannot be found in the file gives "" (nothing of it is indexed that we can place).
    """
    if not source.include:
        return body
    ordered = sorted(passages, key=lambda p: p.position)
    spans = passage_spans(body, [(p.text, p.locator) for p in ordered])
    blocks: dict[str, tuple[int, int]] = {}
    for start, end, locator in spans:
        provision = _provision_number(locator)
        if provision is None:
            continue
        for spec in source.include:
            if is_included(source.model_copy(update={"include": (spec,)}), *provision):
                low, high = blocks.get(spec, (start, end))
                blocks[spec] = (min(low, start), max(high, end))
                break
    pieces = []
    for start, end in sorted(blocks.values()):
        line_end = body.find("\n", end)
        pieces.append(body[_heading_start(body, start) : line_end if line_end >= 0 else None])
    return "\n\n".join(piece.strip("\n") for piece in pieces)


def split_like_quickstart(text: str) -> list[tuple[int, str]]:
    """(start_index, text) chunks exactly as the LangChain RAG quickstart splits a document."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
    )
    return [
        (int(d.metadata["start_index"]), d.page_content) for d in splitter.create_documents([text])
    ]


def _cache_key(body: str) -> str:
    digest = hashlib.sha256(body.encode("utf-8"))
    digest.update(f"{_CACHE_VERSION}|{MODEL_ID}|{CHUNK_SIZE}|{CHUNK_OVERLAP}".encode())
    return digest.hexdigest()[:20]


#: Chunks and vectors already computed in this process, by cache key: the whole and the scoped
#: baselines share every file that scoping leaves unchanged, even without an on-disk cache.
_vectors_memo: dict[str, tuple[list[tuple[int, str]], np.ndarray]] = {}


def _chunks_and_vectors(
    source_id: str,
    body: str,
    embedder: Embedder,
    cache_dir: Path | None,
    progress: bool = False,
) -> tuple[list[tuple[int, str]], np.ndarray]:
    """Split and embed one document's text, or load both from the cache keyed by its hash."""
    key = _cache_key(body)
    if key in _vectors_memo:
        return _vectors_memo[key]
    stem = f"{source_id}-{key}"
    if cache_dir is not None and (cache_dir / f"{stem}.json").is_file():
        meta = json.loads((cache_dir / f"{stem}.json").read_text(encoding="utf-8"))
        vectors = np.load(cache_dir / f"{stem}.npz")["vectors"]
        chunks = [(int(s), str(t)) for s, t in meta["chunks"]]
    else:
        chunks = split_like_quickstart(body)
        vectors = embedder.embed_passages([t for _, t in chunks], progress=progress)
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            # npz first, json last: a json file means the pair is complete.
            np.savez_compressed(cache_dir / f"{stem}.npz", vectors=vectors)
            (cache_dir / f"{stem}.json").write_text(
                json.dumps({"source_id": source_id, "chunks": chunks}), encoding="utf-8"
            )
    _vectors_memo[key] = (chunks, vectors)
    return chunks, vectors


@dataclass
class NaiveIndex:
    """The naive baseline's chunks in a throwaway Chroma collection."""

    chunks: dict[str, NaiveChunk]
    store: PassageStore
    folder: Path
    sources: tuple[str, ...]
    build_seconds: float
    #: Files of the manifest the baseline left out, with why (scoped: nothing indexed found).
    skipped: dict[str, str] = field(default_factory=dict)


_naive_cache: dict[tuple[object, ...], NaiveIndex] = {}


def read_document(path: Path, max_chars: int | None = None) -> str:
    """A corpus file's text as the quickstart loads it: front matter off, optionally cut short."""
    body = strip_front_matter(path.read_bytes().decode("utf-8", errors="replace"))
    return body if max_chars is None else body[:max_chars]


def build_naive_index(
    settings: Settings,
    passages: Sequence[Passage],
    embedder: Embedder,
    *,
    sources: Sequence[str] | None = None,
    max_chars: int | None = None,
    cache_dir: Path | None = DEFAULT_NAIVE_CACHE,
    progress: bool = False,
    scoped: bool = False,
) -> NaiveIndex:
    """Chunk, embed (or load from cache) and store every manifest file; once per process.

    Args:
        scoped: cut each file to the provisions sendqa indexes first (``scope_to_included``).
    """
    wanted = set(sources) if sources else None
    key = (
        str(settings.corpus_dir),
        str(settings.manifest_path),
        tuple(sorted(wanted or ())),
        max_chars,
        str(cache_dir),
        len(passages),
        scoped,
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
    skipped: dict[str, str] = {}
    for source in load_manifest(settings.manifest_path):
        path = settings.corpus_dir / source.filename
        if (wanted is not None and source.source_id not in wanted) or not path.is_file():
            continue
        own = by_source.get(source.source_id, [])
        body = read_document(path, max_chars)
        if scoped:
            body = scope_to_included(body, source, own)
            if not body.strip():
                skipped[source.source_id] = "none of its indexed provisions found in the file"
                continue
        kinds[source.source_id] = source
        pieces, matrix = _chunks_and_vectors(source.source_id, body, embedder, cache_dir, progress)
        spans = passage_spans(body, [(p.text, p.locator) for p in own])
        for n, (start, text) in enumerate(pieces):
            chunks.append(
                NaiveChunk(
                    f"{source.source_id}#{n}",
                    source.source_id,
                    start,
                    text,
                    overlapped_locators(start, len(text), spans),
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
    index.skipped = skipped
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
    """The LangChain quickstart: raw question, top-k chunks by cosine, no answer.

    Each chunk is scored as every provision it shows, or with ``single_label`` as the one it
    overlaps most (the old, unfair labelling, kept to compare with earlier reports).
    """

    def __init__(
        self,
        index: NaiveIndex,
        embedder: Embedder,
        name: str = "naive_langchain",
        single_label: bool = False,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.name = name
        self.single_label = single_label

    def run(self, question: str) -> SystemResult:
        t0 = time.perf_counter()
        ranked = self.index.store.query(self.embedder.embed_query(question), RANKED_DEPTH)
        chunks = [self.index.chunks[cid] for cid, _ in ranked]
        elapsed = (time.perf_counter() - t0) * 1000
        return SystemResult(
            ranked=[c.anchors(self.single_label) for c in chunks],
            ranked_ids=[c.chunk_id for c in chunks],
            latency_ms=elapsed,
            stages_ms={"retrieve": elapsed, "total": elapsed},
        )


SYSTEM_NAMES = (
    "sendqa",
    "bare_hybrid",
    "dense",
    "bm25",
    "naive_langchain",
    "naive_langchain_scoped",
    "naive_langchain_single_label",
)
#: One line per system for the report, so a reader knows what each row measures.
SYSTEM_DESCRIPTIONS = {
    "sendqa": "the full pipeline, as users get it",
    "bare_hybrid": "sendqa passages, dense + BM25 fused by RRF with sendqa's weights, raw "
    "question; no acronyms, glossary, priors, note scores or direct lookup",
    "dense": "dense only on sendqa passages (acronyms expanded)",
    "bm25": "BM25 only on sendqa passages (acronyms expanded)",
    "naive_langchain": "LangChain quickstart on whole files (1000/200 chunks, dense top-k); "
    "a chunk counts as every provision whose text it overlaps",
    "naive_langchain_scoped": "the same, with legislation cut to the provisions sendqa indexes "
    "(CFA 2014 Part 3, the listed Equality Act sections); other files whole",
    "naive_langchain_single_label": "naive_langchain scored the old way: a chunk counts only "
    "as the provision it overlaps most",
}


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
        elif name == "bare_hybrid":
            systems.append(BareHybridSystem(qa))
        else:
            index = build_naive_index(
                settings,
                list(qa.retriever.index.passages.values()),
                embedder,
                sources=naive.sources,
                max_chars=naive.max_chars,
                cache_dir=naive.cache_dir,
                progress=naive.progress,
                scoped=name == "naive_langchain_scoped",
            )
            single = name == "naive_langchain_single_label"
            systems.append(NaiveLangChainSystem(index, embedder, name, single_label=single))
    return systems
