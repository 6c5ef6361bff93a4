"""Small corpora for tests that ingest: files copied from ../shared/corpus, and their manifest."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from rag.settings import PROJECT_ROOT, Settings


def write_manifest(path: Path, source_ids: Iterable[str]) -> None:
    """The project manifest's entries for these sources only."""
    wanted = list(source_ids)
    full = (PROJECT_ROOT / "corpus" / "sources.toml").read_text(encoding="utf-8")
    blocks = [b for b in full.split("[[source]]")[1:] if any(f'"{s}"' in b for s in wanted)]
    path.write_text("".join("[[source]]" + b for b in blocks), encoding="utf-8")


def copy_file(shared_corpus: Path, corpus_dir: Path, rel: str) -> None:
    """One corpus file, at the same relative path."""
    (corpus_dir / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shared_corpus / rel, corpus_dir / rel)


def small_corpus(folder: Path, shared_corpus: Path, files: Mapping[str, str]) -> Settings:
    """Settings over a copy of the given files ({source_id: relative path}) in ``folder``."""
    settings = Settings(
        corpus_dir=folder / "corpus",
        index_dir=folder / "index",
        manifest_path=folder / "sources.toml",
    )
    for rel in files.values():
        copy_file(shared_corpus, settings.corpus_dir, rel)
    write_manifest(settings.manifest_path, files)
    return settings
