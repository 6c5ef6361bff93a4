"""The one module that talks to Chroma: persistent on disk by default, or a Chroma server.

Chroma's default embedding function downloads a model, so every collection here is opened with
``embedding_function=None`` and given vectors we computed; telemetry is always off.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from rag.errors import ConfigError, IndexMissingError, RetrievalError
from rag.schema import Passage

_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()
_MAX_BATCH = 5000


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def chroma_client(path: Path | None = None, url: str | None = None) -> Any:
    """One client per path or URL per process (Chroma refuses two with other settings)."""
    import chromadb

    key = url or str(Path(path or ".").resolve())
    with _clients_lock:
        if key in _clients:
            return _clients[key]
        if url:
            parsed = urlparse(url)
            if parsed.scheme not in ("http", "https") or not parsed.hostname:
                raise ConfigError(f"chroma URL {url!r} is not of the form http://host:port")
            client = chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or 8000,
                ssl=parsed.scheme == "https",
                settings=_chroma_settings(),
            )
        else:
            assert path is not None
            client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
        _clients[key] = client
        return client


def forget_client(path: Path | None = None, url: str | None = None) -> None:
    """Drop a cached client (after its directory is deleted)."""
    key = url or str(Path(path or ".").resolve())
    with _clients_lock:
        _clients.pop(key, None)


def passage_metadata(passage: Passage) -> dict[str, str | int]:
    """Flat, scalar metadata: Chroma stores no nested values."""
    return {
        "source_id": passage.anchor.source_id,
        "locator": passage.anchor.locator or "",
        "label": passage.anchor.label,
        "url": passage.anchor.url,
        "page": passage.anchor.page or 0,
        "kind": passage.kind,
        "authority": passage.authority,
        "heading_path": " > ".join(passage.heading_path),
        "position": passage.position,
    }


class PassageStore:
    """A Chroma collection of passages with their embeddings (cosine space)."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    @classmethod
    def create(cls, client: Any, name: str, metadata: dict[str, str | int]) -> PassageStore:
        """Create a fresh collection; an old one of the same name is replaced."""
        try:
            client.delete_collection(name)
        except Exception:  # noqa: BLE001 - absent is fine
            pass
        collection = client.create_collection(
            name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata=metadata,
            embedding_function=None,
        )
        return cls(collection)

    @classmethod
    def open(cls, client: Any, name: str) -> PassageStore:
        """Open an existing collection or say clearly that the index is missing."""
        try:
            collection = client.get_collection(name, embedding_function=None)
        except Exception as exc:  # noqa: BLE001 - chroma raises several types here
            raise IndexMissingError(
                f"the index collection {name!r} is missing: run 'sendqa ingest' to build it"
            ) from exc
        return cls(collection)

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self._collection.metadata or {})

    def add(self, vectors: Sequence[tuple[str, Passage, str]], embeddings: np.ndarray) -> None:
        """Add (vector_id, passage, window text) rows in batches below Chroma's maximum."""
        for start in range(0, len(vectors), _MAX_BATCH):
            chunk = vectors[start : start + _MAX_BATCH]
            self._collection.add(
                ids=[vid for vid, _, _ in chunk],
                embeddings=embeddings[start : start + len(chunk)],
                documents=[text for _, _, text in chunk],
                metadatas=[
                    {**passage_metadata(p), "passage_id": p.passage_id} for _, p, _ in chunk
                ],
            )

    def count(self) -> int:
        return int(self._collection.count())

    def embeddings_for(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors for the vector ids that exist, to skip re-embedding unchanged text."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), _MAX_BATCH):
            got = self._collection.get(
                ids=list(ids[start : start + _MAX_BATCH]), include=["embeddings"]
            )
            for pid, vec in zip(got["ids"], got["embeddings"], strict=True):
                found[pid] = np.asarray(vec, dtype=np.float32)
        return found

    def query(
        self, vector: np.ndarray, k: int, kinds: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(passage_id, cosine similarity) pairs, best first; a passage scores its best window."""
        where = {"kind": {"$in": list(kinds)}} if kinds else None
        try:
            result = self._collection.query(
                query_embeddings=[vector],
                n_results=k * 2,
                where=where,
                include=["distances", "metadatas"],
            )
        except Exception as exc:  # noqa: BLE001 - server gone, disk errors
            raise RetrievalError(
                "the passage store did not answer; if you use a Chroma server, check it is running"
            ) from exc
        best: dict[str, float] = {}
        for meta, dist in zip(result["metadatas"][0], result["distances"][0], strict=True):
            pid = str(meta["passage_id"])
            best[pid] = max(best.get(pid, -1.0), 1.0 - float(dist))
        return sorted(best.items(), key=lambda kv: -kv[1])[:k]

    def passage_vectors(self, passage_ids: Sequence[str]) -> dict[str, list[np.ndarray]]:
        """Every window vector of the given passages (to score hits found only by BM25)."""
        found: dict[str, list[np.ndarray]] = {}
        got = self._collection.get(
            where={"passage_id": {"$in": list(passage_ids)}}, include=["embeddings", "metadatas"]
        )
        for meta, vec in zip(got["metadatas"], got["embeddings"], strict=True):
            found.setdefault(str(meta["passage_id"]), []).append(np.asarray(vec, dtype=np.float32))
        return found
