"""Build or update the index: parse, embed only what changed, write aside, swap atomically."""

from __future__ import annotations

import fcntl
import json
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ingest.documents import ParsedDocument, collect_documents
from rag.embedding import MODEL_DIM, MODEL_ID, Embedder, load_embedder
from rag.errors import IngestError, RetrievalError, SendQAError
from rag.index import (
    BUILDS,
    SCHEMA_VERSION,
    build_store,
    check_compatible,
    check_store_mode,
    collection_name,
    current_build,
    document_dates,
    fsync_dir,
    fsync_tree,
    read_info,
    read_passages,
    swap_current,
    write_durably,
)
from rag.lexical import LexicalIndex
from rag.manifest import load_manifest
from rag.notes import attach_notes, load_notes, notes_digest
from rag.schema import Passage, passage_id_for
from rag.settings import Settings
from rag.store import (
    NOTE_WINDOW,
    PassageStore,
    check_server,
    chroma_client,
    delete_collection,
    forget_client,
)

#: Called between stages so a test can simulate a crash at a chosen point.
StageHook = Callable[[str], None]


#: Most changed provisions the ingest report names; the rest are counted.
MAX_LISTED_CHANGES = 20


@dataclass
class DocumentChange:
    source_id: str
    added: int
    removed: int
    unchanged: int
    #: The date the text is current to now, and in the previous build (None: not known).
    current_to: str | None = None
    previous_current_to: str | None = None

    @property
    def redated(self) -> bool:
        return self.current_to != self.previous_current_to


@dataclass(frozen=True)
class ProvisionChange:
    """A provision held before and now whose words changed (same source and locator, new id)."""

    source_id: str
    locator: str
    label: str


@dataclass
class BuildReport:
    """What an ingest run did, for the summary line and for tests."""

    index_dir: Path
    build: Path | None
    documents: int
    passages: int
    passages_by_kind: dict[str, int]
    embedded: int
    reused: int
    failed: list[tuple[str, str]]
    changes: list[DocumentChange] = field(default_factory=list)
    up_to_date: bool = False
    seconds: float = 0.0
    changed_provisions: list[ProvisionChange] = field(default_factory=list)

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.passages_by_kind.items()))
        lines = [
            f"Indexed {self.documents} documents, {self.passages} passages ({kinds}).",
            f"Embedded {self.embedded} new texts, reused {self.reused}; "
            f"{'index already up to date' if self.up_to_date else 'index swapped in'} "
            f"in {self.seconds:.1f} s.",
        ]
        changed = [c for c in self.changes if c.added or c.removed]
        for c in changed:
            lines.append(f"  changed {c.source_id}: +{c.added} -{c.removed} ({c.unchanged} same)")
        for c in self.changes:
            if c.redated and c.previous_current_to is not None:
                lines.append(
                    f"  {c.source_id}: text now current to {c.current_to or 'an unknown date'} "
                    f"(was {c.previous_current_to})"
                )
        if self.changed_provisions:
            n = len(self.changed_provisions)
            lines.append(
                f"{n} provision{'s' if n != 1 else ''} changed since the last build (read the "
                "new words with 'sendqa passages show LOCATOR --source ID'):"
            )
            listed = self.changed_provisions[:MAX_LISTED_CHANGES]
            lines.extend(
                f"  {p.label} changed since the last build ({p.source_id})" for p in listed
            )
            if n > len(listed):
                lines.append(f"  … and {n - len(listed)} more")
        if self.failed:
            lines.append(f"Failed {len(self.failed)} documents (the others were ingested):")
            lines.extend(f"  {name}: {reason}" for name, reason in self.failed)
        return "\n".join(lines)


@contextmanager
def _ingest_lock(index_dir: Path) -> Iterator[None]:
    """One ingest at a time per index (Chroma's persistent mode is single-writer)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IngestError(f"another 'sendqa ingest' is already building {index_dir}") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _unique(docs: list[ParsedDocument]) -> list[Passage]:
    seen: dict[str, Passage] = {}
    for doc in docs:
        for p in doc.passages:
            seen.setdefault(p.passage_id, p)
    return list(seen.values())


def vector_rows(passages: list[Passage]) -> list[tuple[str, Passage, str]]:
    """(vector id, passage, window text) for every window; the id hashes the window text.

    Note windows come after the passage's own and their ids say so (``:note-``), so editing a
    note re-embeds only that note's windows and the store can leave notes out of a search.
    """
    rows = []
    for p in passages:
        for n, text in enumerate(p.embedding_windows()):
            rows.append(
                (f"{p.passage_id}:{passage_id_for(p.passage_id, str(n), text)[:12]}", p, text)
            )
        for n, text in enumerate(p.note_windows()):
            digest = passage_id_for(p.passage_id, f"note{n}", text)[:12]
            rows.append((f"{p.passage_id}:{NOTE_WINDOW}{digest}", p, text))
    return rows


def lexical_text(p: Passage, notes: bool = True) -> str:
    """What BM25 reads for a passage: its label, headings and words, then (or not) its note."""
    return "\n".join([p.anchor.label, p.embedding_text(), *(p.note_windows() if notes else [])])


@dataclass
class _Prior:
    """The current build, if this one can reuse it: its vectors, passages and document dates."""

    build: Path | None = None
    embeddings: dict[str, np.ndarray] = field(default_factory=dict)
    passages: dict[str, Passage] = field(default_factory=dict)
    dates: dict[str, str | None] = field(default_factory=dict)


def _prior_build(index_dir: Path, ids: list[str], chroma_url: str | None) -> _Prior:
    """Vectors of passages already in the current build (if compatible) to avoid re-embedding.

    An unusable prior build means embedding everything again; an unreachable Chroma server is
    raised instead, since the new build could not be written there either.
    """
    build = current_build(index_dir)
    if build is None:
        return _Prior()
    try:
        info = read_info(build)
        check_compatible(info, index_dir)
        check_store_mode(info, chroma_url, index_dir)
        old = read_passages(build)
        store = build_store(build, info, chroma_url)
        return _Prior(build, store.embeddings_for(ids), old, document_dates(info))
    except RetrievalError:
        raise
    except (SendQAError, OSError, ValueError, KeyError):
        return _Prior()


def _changes(
    docs: list[ParsedDocument], old: dict[str, Passage], old_dates: dict[str, str | None]
) -> list[DocumentChange]:
    old_by_source: dict[str, set[str]] = {}
    for p in old.values():
        old_by_source.setdefault(p.source_id, set()).add(p.passage_id)
    changes = []
    for doc in docs:
        if doc.error:
            continue
        sid = doc.source.source_id
        new = {p.passage_id for p in doc.passages}
        before = old_by_source.get(sid, set())
        changes.append(
            DocumentChange(
                sid,
                len(new - before),
                len(before - new),
                len(new & before),
                current_to=doc.current_to,
                previous_current_to=old_dates.get(sid, doc.current_to),
            )
        )
    return changes


def changed_provisions(old: Iterable[Passage], new: Iterable[Passage]) -> list[ProvisionChange]:
    """Provisions in both builds whose words changed, in document order.

    Passage ids hash (source, locator, text), so the same source and locator under another id
    is a changed text. Passages without a locator (reports, debates) are not provisions.
    """
    before: dict[tuple[str, str], set[str]] = {}
    for p in old:
        if p.locator:
            before.setdefault((p.source_id, p.locator), set()).add(p.passage_id)
    after: dict[tuple[str, str], set[str]] = {}
    first: dict[tuple[str, str], Passage] = {}
    for p in sorted(new, key=lambda p: (p.source_id, p.position)):
        if p.locator:
            key = (p.source_id, p.locator)
            after.setdefault(key, set()).add(p.passage_id)
            first.setdefault(key, p)
    return [
        ProvisionChange(sid, loc, first[(sid, loc)].anchor.label)
        for (sid, loc), ids in after.items()
        if (sid, loc) in before and before[(sid, loc)] != ids
    ]


def build_index(
    settings: Settings,
    *,
    corpus_dir: Path | None = None,
    index_dir: Path | None = None,
    embedder: Embedder | None = None,
    progress: bool = True,
    stage_hook: StageHook | None = None,
    force: bool = False,
) -> BuildReport:
    """Parse the corpus and make its index current; raise IngestError if nothing was ingested."""
    started = time.perf_counter()
    corpus_dir = corpus_dir or settings.corpus_dir
    index_dir = index_dir or settings.index_dir
    hook = stage_hook or (lambda stage: None)
    if not corpus_dir.is_dir():
        raise IngestError(
            f"corpus folder {corpus_dir} not found: pass --corpus DIR or run 'sendqa corpus fetch'"
        )
    sources = load_manifest(settings.manifest_path)
    docs = collect_documents(sources, corpus_dir)
    failed = [(d.source.filename or d.source.source_id, d.error or "") for d in docs if d.error]
    notes = load_notes(settings.notes_dir)
    passages = attach_notes(_unique(docs), notes)
    if not passages:
        raise IngestError(
            f"nothing could be ingested from {corpus_dir}: " + "; ".join(r for _, r in failed)
        )
    by_kind: dict[str, int] = dict(Counter(str(p.kind) for p in passages))
    ok_docs = sum(1 for d in docs if not d.error)
    if settings.chroma_url:
        # Before any embedding: a server that is down should cost seconds, not minutes.
        check_server(settings.chroma_url)

    with _ingest_lock(index_dir):
        rows = vector_rows(passages)
        ids = [vid for vid, _, _ in rows]
        found = _prior_build(index_dir, ids, settings.chroma_url)
        reused, old, prior = found.embeddings, found.passages, found.build
        changes = _changes(docs, old, found.dates)
        provisions = changed_provisions(old.values(), passages)
        same_passages = set(old) == {p.passage_id for p in passages}
        # A newer text whose words are all unchanged still brings its date: rebuild (no embedding).
        same_dates = not any(c.redated for c in changes)
        if (
            prior is not None
            and not force
            and same_passages
            and same_dates
            and len(reused) == len(ids)
        ):
            return BuildReport(
                index_dir,
                prior,
                ok_docs,
                len(passages),
                by_kind,
                0,
                len(reused),
                failed,
                changes,
                up_to_date=True,
                seconds=time.perf_counter() - started,
            )
        hook("embed")
        missing = [(vid, text) for vid, _, text in rows if vid not in reused]
        embedder = embedder or load_embedder(settings.embed_threads)
        fresh = (
            embedder.embed_passages(
                [text for _, text in missing], settings.embed_batch_size, progress
            )
            if missing
            else np.zeros((0, MODEL_DIM), dtype=np.float32)
        )
        vectors = dict(reused)
        vectors.update({vid: v for (vid, _), v in zip(missing, fresh, strict=True)})
        matrix = np.stack([vectors[i] for i in ids]) if ids else np.zeros((0, MODEL_DIM))
        build = _write_build(settings, index_dir, passages, rows, matrix, docs, failed, hook)
        hook("swap")
        swap_current(index_dir, build)
        hook("swapped")
        _prune_builds(
            index_dir, keep={build.name, prior.name if prior else ""}, url=settings.chroma_url
        )
    return BuildReport(
        index_dir,
        build,
        ok_docs,
        len(passages),
        by_kind,
        len(missing),
        len(ids) - len(missing),
        failed,
        changes,
        seconds=time.perf_counter() - started,
        changed_provisions=provisions,
    )


def _write_build(
    settings: Settings,
    index_dir: Path,
    passages: list[Passage],
    rows: list[tuple[str, Passage, str]],
    matrix: np.ndarray,
    docs: list[ParsedDocument],
    failed: list[tuple[str, str]],
    hook: StageHook,
) -> Path:
    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    build = index_dir / BUILDS / build_id
    build.mkdir(parents=True)
    name = collection_name(build_id)
    hook("chroma")
    client = (
        chroma_client(url=settings.chroma_url)
        if settings.chroma_url
        else chroma_client(path=build / "chroma")
    )
    store = PassageStore.create(
        client, name, {"model_id": MODEL_ID, "dim": MODEL_DIM, "schema_version": SCHEMA_VERSION}
    )
    store.add(rows, matrix)
    hook("bm25")
    ids = [p.passage_id for p in passages]
    LexicalIndex.build(ids, [lexical_text(p) for p in passages]).save(build / "bm25")
    LexicalIndex.build(ids, [lexical_text(p, notes=False) for p in passages]).save(
        build / "bm25-text"
    )
    hook("passages")
    write_durably(build / "passages.jsonl", "".join(p.model_dump_json() + "\n" for p in passages))
    # Everything a reader opens must be on disk before index.json marks the build complete.
    fsync_tree(build)
    info = {
        "schema_version": SCHEMA_VERSION,
        "model_id": MODEL_ID,
        "dim": MODEL_DIM,
        "collection": name,
        "chroma_url": settings.chroma_url,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "passages": len(passages),
        "vectors": len(rows),
        "notes": {
            "sha256": notes_digest(settings.notes_dir),
            "passages_with_notes": sum(1 for p in passages if p.note),
        },
        "documents": {
            d.source.source_id: {
                "title": d.source.title,
                "kind": d.source.kind,
                "completeness": d.source.completeness,
                "passages": len(d.passages),
                "file_sha256": d.file_sha256,
                "current_to": d.current_to,
            }
            for d in docs
            if not d.error
        },
        "failed": [{"document": n, "reason": r} for n, r in failed],
    }
    hook("info")
    # index.json is written last: a build without it is incomplete and never made current.
    write_durably(build / "index.json", json.dumps(info, indent=2))
    fsync_dir(build.parent)
    return build


def _prune_builds(index_dir: Path, keep: set[str], url: str | None) -> None:
    """Remove builds other than the current and previous ones (and crashed leftovers)."""
    builds = index_dir / BUILDS
    for path in builds.iterdir() if builds.is_dir() else []:
        if path.name in keep:
            continue
        if url:
            try:
                delete_collection(chroma_client(url=url), collection_name(path.name))
            except RetrievalError:
                # The server went away after the swap: keep the folder, the next ingest retries.
                continue
        forget_client(path=path / "chroma")
        shutil.rmtree(path, ignore_errors=True)
