"""The on-disk index: builds side by side, and a ``current`` link swapped atomically.

Layout of ``index_dir``::

    current -> builds/<build_id>     (a symlink, replaced with os.replace: atomic)
    builds/<build_id>/index.json     model, schema version, documents (each with the date its
                                     text is current to), counts
    builds/<build_id>/passages.jsonl every passage with its anchor
    bank-vectors/<sha>.npy           the crisis and scope banks embedded, kept between starts
    builds/<build_id>/bm25/          the lexical index (passages and their provision notes)
    builds/<build_id>/bm25-text/     the lexical index of the passages' own words only
    builds/<build_id>/chroma/        Chroma's files (absent when a Chroma server is used)

A crash while building leaves ``current`` pointing at the previous complete build.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.embedding import MODEL_DIM, MODEL_ID
from rag.errors import IndexMissingError
from rag.lexical import LexicalIndex
from rag.schema import Passage
from rag.store import PassageStore, chroma_client

SCHEMA_VERSION = 3
CURRENT = "current"
BUILDS = "builds"


def current_build(index_dir: Path) -> Path | None:
    """The complete build that ``current`` points at, if any."""
    link = index_dir / CURRENT
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return target if (target / "index.json").is_file() else None


def fsync_dir(path: Path) -> None:
    """Make a rename or new file in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """Flush every file and folder under ``root``: Chroma and bm25s write without fsync."""
    for folder, _subfolders, files in os.walk(root, topdown=False):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(folder))


def write_durably(path: Path, data: str) -> None:
    """Write a file so that a crash leaves either the old or the new content."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def swap_current(index_dir: Path, build: Path) -> None:
    """Point ``current`` at ``build`` in one atomic rename."""
    tmp = index_dir / f".{CURRENT}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path(BUILDS) / build.name)
    os.replace(tmp, index_dir / CURRENT)
    fsync_dir(index_dir)


def collection_name(build_id: str) -> str:
    return f"sendqa_{build_id}"


@dataclass
class Index:
    """A loaded index: passages by id, the dense store and the lexical index."""

    build: Path
    info: dict[str, Any]
    passages: dict[str, Passage]
    store: PassageStore
    lexical: LexicalIndex
    #: The passages' own words without their notes: the bare-engine peer in evals reads this.
    lexical_text: LexicalIndex

    @property
    def ordered(self) -> list[Passage]:
        return sorted(self.passages.values(), key=lambda p: (p.source_id, p.position))


def read_passages(build: Path) -> dict[str, Passage]:
    passages: dict[str, Passage] = {}
    with (build / "passages.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                p = Passage.model_validate_json(line)
                passages[p.passage_id] = p
    return passages


def document_dates(info: dict[str, Any]) -> dict[str, str | None]:
    """Each document's ``current_to`` date as index.json records it (None when not known)."""
    documents: dict[str, dict[str, Any]] = info.get("documents") or {}
    return {sid: doc.get("current_to") for sid, doc in documents.items()}


def with_current_to(
    passages: dict[str, Passage], dates: dict[str, str | None]
) -> dict[str, Passage]:
    """Passages whose anchors carry their document's ``current_to`` date.

    The date is kept once per document in index.json, not in passages.jsonl: a newer text
    leaves unchanged provisions' passages (and their ids and vectors) as they were.
    """
    dated: dict[str, Passage] = {}
    for pid, p in passages.items():
        when = dates.get(p.source_id)
        if when is not None and p.anchor.current_to != when:
            p = p.model_copy(update={"anchor": p.anchor.model_copy(update={"current_to": when})})
        dated[pid] = p
    return dated


def read_info(build: Path) -> dict[str, Any]:
    info: dict[str, Any] = json.loads((build / "index.json").read_text(encoding="utf-8"))
    return info


def check_compatible(info: dict[str, Any], where: Path) -> None:
    """An index built with another model or schema cannot be queried with this one."""
    if info.get("schema_version") != SCHEMA_VERSION:
        raise IndexMissingError(
            f"the index at {where} has schema version {info.get('schema_version')}, this sendqa "
            f"needs {SCHEMA_VERSION}: rebuild it with 'sendqa ingest'"
        )
    if info.get("model_id") != MODEL_ID or info.get("dim") != MODEL_DIM:
        raise IndexMissingError(
            f"the index at {where} was built with {info.get('model_id')} "
            f"({info.get('dim')} dims), not {MODEL_ID}: rebuild it with 'sendqa ingest'"
        )


def check_store_mode(info: dict[str, Any], chroma_url: str | None, where: Path) -> None:
    """A build's vectors live either in its own folder or on a server: opening the other is wrong.

    Only the mode is compared, not the URL: workers may reach one server by different names.
    """
    built_with = info.get("chroma_url")
    if built_with and not chroma_url:
        raise IndexMissingError(
            f"the index at {where} keeps its vectors on the Chroma server at {built_with}: "
            "pass --chroma-url (or set SENDQA_CHROMA_URL), or rebuild it with 'sendqa ingest'"
        )
    if chroma_url and not built_with:
        raise IndexMissingError(
            f"the index at {where} was built without a Chroma server: rebuild it for "
            f"{chroma_url} with 'sendqa ingest --chroma-url {chroma_url}'"
        )


def build_store(build: Path, info: dict[str, Any], chroma_url: str | None) -> PassageStore:
    """The dense store of a build: its own Chroma folder, or its collection on the server."""
    client = chroma_client(url=chroma_url) if chroma_url else chroma_client(path=build / "chroma")
    return PassageStore.open(client, str(info["collection"]))


def open_index(index_dir: Path, chroma_url: str | None = None) -> Index:
    """Open the current build, or explain how to make one.

    Raises IndexMissingError when there is no usable build, RetrievalError when its Chroma
    server cannot be reached (the caller may simply try again later).
    """
    build = current_build(index_dir)
    if build is None:
        raise IndexMissingError(
            f"no index at {index_dir}: run 'sendqa ingest' (or 'make run') to build it"
        )
    info = read_info(build)
    check_compatible(info, index_dir)
    check_store_mode(info, chroma_url, index_dir)
    store = build_store(build, info, chroma_url)
    meta = store.metadata
    if meta.get("model_id") != MODEL_ID:
        raise IndexMissingError(
            f"the Chroma collection at {index_dir} was built with {meta.get('model_id')}: "
            "rebuild it with 'sendqa ingest'"
        )
    return Index(
        build=build,
        info=info,
        passages=with_current_to(read_passages(build), document_dates(info)),
        store=store,
        lexical=LexicalIndex.load(build / "bm25"),
        lexical_text=LexicalIndex.load(build / "bm25-text"),
    )
