"""The one module that talks to Chroma: persistent on disk by default, or a Chroma server.

Chroma's default embedding function downloads a model, so every collection here is opened with
``embedding_function=None`` and given vectors we computed; telemetry is always off.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from rag.embedding import MODEL_DIM
from rag.errors import ConfigError, IndexMissingError, RetrievalError, SendQAError
from rag.schema import Passage

_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()
_MAX_BATCH = 5000
#: Seconds to wait for a Chroma server: a refused connection fails at once, a stuck server
#: (alive but not answering) would otherwise hang a question forever (chromadb sets no timeout).
HTTP_CONNECT_TIMEOUT_S = 3.0
HTTP_READ_TIMEOUT_S = 30.0
_NOT_CONNECTED = "Could not connect to a Chroma server"


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def unreachable_message(url: str) -> str:
    """The one sentence users see while the Chroma server is down or stuck."""
    return (
        f"the search database at {url} is not reachable: check that the Chroma server is "
        "running, then try again in a minute"
    )


def _is_unreachable(exc: BaseException) -> bool:
    """A network failure talking to the server (refused, reset, timed out), not a bad request."""
    import httpx

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, httpx.TransportError | ConnectionError | TimeoutError):
            return True
        # chromadb turns a refused connection at client start-up into a bare ValueError.
        if isinstance(current, ValueError) and _NOT_CONNECTED in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _is_not_found(exc: BaseException) -> bool:
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError)


def _parse_url(url: str) -> tuple[str, int, bool]:
    """(host, port, ssl) of a server URL, or ConfigError for anything else."""
    parsed = urlparse(url)
    try:
        port = parsed.port
    except ValueError as exc:
        raise ConfigError(f"chroma URL {url!r} has an invalid port") from exc
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"chroma URL {url!r} is not of the form http://host:port")
    return parsed.hostname, port or 8000, parsed.scheme == "https"


def check_server(url: str) -> None:
    """Ask the server for its heartbeat, with timeouts: chromadb's own first request has none."""
    import httpx

    host, port, ssl = _parse_url(url)
    heartbeat = f"{'https' if ssl else 'http'}://{host}:{port}/api/v2/heartbeat"
    try:
        response = httpx.get(
            heartbeat,
            timeout=httpx.Timeout(HTTP_READ_TIMEOUT_S, connect=HTTP_CONNECT_TIMEOUT_S),
        )
    except httpx.TransportError as exc:
        raise RetrievalError(unreachable_message(url)) from exc
    if response.status_code != 200:
        raise ConfigError(
            f"{url} answered HTTP {response.status_code} to a Chroma heartbeat: "
            "is --chroma-url the address of a Chroma 1.x server?"
        )


def _http_client(url: str) -> Any:
    """A chromadb.HttpClient for a live server, with timeouts on every request."""
    import chromadb
    import httpx

    host, port, ssl = _parse_url(url)
    check_server(url)
    try:
        client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=_chroma_settings())
    except Exception as exc:  # noqa: BLE001 - chromadb raises ValueError and its own errors
        if _is_unreachable(exc):
            raise RetrievalError(unreachable_message(url)) from exc
        raise ConfigError(f"could not use the Chroma server at {url}: {exc}") from exc
    # chromadb exposes no timeout setting; its httpx session is the only place to put one.
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(HTTP_READ_TIMEOUT_S, connect=HTTP_CONNECT_TIMEOUT_S)
    return client


def chroma_client(path: Path | None = None, url: str | None = None) -> Any:
    """One client per path or URL per process (Chroma refuses two with other settings).

    Raises RetrievalError when the server at ``url`` cannot be reached (nothing is cached then,
    so the next call tries again), ConfigError when ``url`` is not a Chroma server.
    """
    import chromadb

    key = url or str(Path(path or ".").resolve())
    with _clients_lock:
        if key in _clients:
            return _clients[key]
        if url:
            client = _http_client(url)
        else:
            assert path is not None
            client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
        _clients[key] = client
        return client


def _client_where(client: Any) -> str:
    """The server URL or folder a client talks to, for messages."""
    try:
        settings = client.get_settings()
    except Exception:  # noqa: BLE001 - only used to word a message
        return "the passage store"
    if settings.chroma_server_host:
        scheme = "https" if settings.chroma_server_ssl_enabled else "http"
        return f"{scheme}://{settings.chroma_server_host}:{settings.chroma_server_http_port}"
    return str(settings.persist_directory)


def delete_collection(client: Any, name: str) -> None:
    """Remove a collection if it exists; RetrievalError if its server cannot be reached."""
    try:
        client.delete_collection(name)
    except Exception as exc:  # noqa: BLE001 - absent is fine
        if _is_unreachable(exc):
            raise RetrievalError(unreachable_message(_client_where(client))) from exc


def forget_client(path: Path | None = None, url: str | None = None) -> None:
    """Drop a cached client (after its directory is deleted)."""
    key = url or str(Path(path or ".").resolve())
    with _clients_lock:
        _clients.pop(key, None)


#: Marks a vector id as one of a passage's note windows (``rag.notes``), not its own words.
NOTE_WINDOW = "note-"


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
    """A Chroma collection of passages with their embeddings (cosine space).

    Every call to Chroma raises RetrievalError when the server is unreachable, so the CLI and
    UI can show one sentence; once the server is back the same store works again.
    """

    def __init__(self, collection: Any, where: str = "the passage store") -> None:
        self._collection = collection
        self.where = where

    @classmethod
    def create(cls, client: Any, name: str, metadata: dict[str, str | int]) -> PassageStore:
        """Create a fresh collection; an old one of the same name is replaced."""
        where = _client_where(client)
        delete_collection(client, name)
        try:
            collection = client.create_collection(
                name,
                configuration={"hnsw": {"space": "cosine"}},
                metadata=metadata,
                embedding_function=None,
            )
        except Exception as exc:  # noqa: BLE001 - only a lost server is ours to explain
            if _is_unreachable(exc):
                raise RetrievalError(unreachable_message(where)) from exc
            raise
        return cls(collection, where)

    @classmethod
    def open(cls, client: Any, name: str) -> PassageStore:
        """Open an existing collection or say clearly that the index is missing."""
        where = _client_where(client)
        try:
            collection = client.get_collection(name, embedding_function=None)
        except Exception as exc:  # noqa: BLE001 - chroma raises several types here
            if _is_unreachable(exc):
                raise RetrievalError(unreachable_message(where)) from exc
            raise IndexMissingError(
                f"the index collection {name!r} is missing from {where}: "
                "run 'sendqa ingest' to build it"
            ) from exc
        return cls(collection, where)

    @contextmanager
    def _calling(self, answering: bool) -> Iterator[None]:
        """Turn a lost server (or, while answering, any store failure) into one clear error."""
        try:
            yield
        except SendQAError:
            raise
        except Exception as exc:  # noqa: BLE001 - chromadb and httpx raise many types
            if _is_unreachable(exc):
                raise RetrievalError(unreachable_message(self.where)) from exc
            if _is_not_found(exc):
                # The server lost the collection (restarted on another path, or pruned).
                raise IndexMissingError(
                    f"the index collection is missing from {self.where}: "
                    "run 'sendqa ingest' to rebuild it"
                ) from exc
            if answering:
                raise RetrievalError(
                    f"the passage store at {self.where} failed to answer ({type(exc).__name__}); "
                    "try again, and if it keeps failing rebuild the index with 'sendqa ingest'"
                ) from exc
            raise

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self._collection.metadata or {})

    def add(self, vectors: Sequence[tuple[str, Passage, str]], embeddings: np.ndarray) -> None:
        """Add (vector_id, passage, window text) rows in batches below Chroma's maximum."""
        for start in range(0, len(vectors), _MAX_BATCH):
            chunk = vectors[start : start + _MAX_BATCH]
            with self._calling(answering=False):
                self._collection.add(
                    ids=[vid for vid, _, _ in chunk],
                    embeddings=embeddings[start : start + len(chunk)],
                    documents=[text for _, _, text in chunk],
                    metadatas=[
                        {
                            **passage_metadata(p),
                            "passage_id": p.passage_id,
                            "window": "note" if f":{NOTE_WINDOW}" in vid else "text",
                        }
                        for vid, p, _ in chunk
                    ],
                )

    def count(self) -> int:
        with self._calling(answering=False):
            return int(self._collection.count())

    def embeddings_for(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors for the vector ids that exist, to skip re-embedding unchanged text."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), _MAX_BATCH):
            with self._calling(answering=False):
                got = self._collection.get(
                    ids=list(ids[start : start + _MAX_BATCH]), include=["embeddings"]
                )
            for pid, vec in zip(got["ids"], got["embeddings"], strict=True):
                found[pid] = np.asarray(vec, dtype=np.float32)
        return found

    def query(
        self,
        vector: np.ndarray,
        k: int,
        kinds: Sequence[str] | None = None,
        notes: bool = True,
    ) -> list[tuple[str, float]]:
        """(passage_id, cosine similarity) pairs, best first; a passage scores its best window.

        ``notes=False`` searches the passages' own words only (the bare-engine peer in evals).
        """
        clauses: list[dict[str, Any]] = []
        if kinds:
            clauses.append({"kind": {"$in": list(kinds)}})
        if not notes:
            clauses.append({"window": "text"})
        where = clauses[0] if len(clauses) == 1 else {"$and": clauses} if clauses else None
        with self._calling(answering=True):
            result = self._collection.query(
                query_embeddings=[vector],
                # A passage has several windows (long text, note, situations): ask for enough.
                n_results=k * 5,
                where=where,
                include=["distances", "metadatas"],
            )
        best: dict[str, float] = {}
        for meta, dist in zip(result["metadatas"][0], result["distances"][0], strict=True):
            pid = str(meta["passage_id"])
            best[pid] = max(best.get(pid, -1.0), 1.0 - float(dist))
        return sorted(best.items(), key=lambda kv: -kv[1])[:k]

    def window_vectors(self, window: str = "note") -> np.ndarray:
        """Every stored vector of one sort of window (e.g. all provision notes' situations)."""
        with self._calling(answering=False):
            got = self._collection.get(where={"window": window}, include=["embeddings"])
        vectors = got["embeddings"]
        if vectors is None or len(vectors) == 0:
            return np.zeros((0, MODEL_DIM), dtype=np.float32)
        return np.asarray(vectors, dtype=np.float32)

    def passage_vectors(self, passage_ids: Sequence[str]) -> dict[str, list[np.ndarray]]:
        """Every window vector of the given passages (to score hits found only by BM25)."""
        found: dict[str, list[np.ndarray]] = {}
        with self._calling(answering=True):
            got = self._collection.get(
                where={"passage_id": {"$in": list(passage_ids)}},
                include=["embeddings", "metadatas"],
            )
        for meta, vec in zip(got["metadatas"], got["embeddings"], strict=True):
            found.setdefault(str(meta["passage_id"]), []).append(np.asarray(vec, dtype=np.float32))
        return found
