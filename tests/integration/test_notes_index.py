"""Provision notes in the index: extra vectors of their passage, incremental, and shown."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest.build import build_index
from rag.embedding import Embedder
from rag.index import current_build, open_index
from rag.notes import load_notes
from rag.pipeline import SendQA
from rag.settings import PROJECT_ROOT, Settings
from sendqa.cli import _answer_json
from tests.integration.small_corpus import small_corpus

pytestmark = pytest.mark.integration

SOURCE = "uksi-2017-1306"
FILES = {SOURCE: "legislation/uksi-2017-1306.md"}


def _settings(tmp_path: Path, shared_corpus: Path) -> Settings:
    settings = small_corpus(tmp_path, shared_corpus, FILES)
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copyfile(
        PROJECT_ROOT / "corpus" / "notes" / f"{SOURCE}.jsonl", notes / f"{SOURCE}.jsonl"
    )
    return settings.model_copy(update={"notes_dir": notes})


def test_notes_are_indexed_recorded_and_reembedded_alone(
    tmp_path: Path, shared_corpus: Path, embedder: Embedder
) -> None:
    settings = _settings(tmp_path, shared_corpus)
    first = build_index(settings, embedder=embedder, progress=False)
    notes = [e for e in load_notes(settings.notes_dir)[SOURCE] if hasattr(e, "plain")]
    index = open_index(settings.index_dir)
    own = sum(len(p.embedding_windows()) for p in index.passages.values())
    assert first.embedded == own + sum(1 + len(n.situations) for n in notes)

    info = json.loads((current_build(settings.index_dir) / "index.json").read_text())  # type: ignore[operator]
    assert info["notes"]["passages_with_notes"] == len(notes)
    noted = [p for p in index.passages.values() if p.note]
    assert len(noted) == len(notes) and all(p.situations for p in noted)

    # Edit one situation: only that window is embedded again, and the build records new notes.
    path = settings.notes_dir / f"{SOURCE}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if '"plain"' in line)
    entry = json.loads(lines[at])
    entry["situations"][0] = "the tribunal said health should be in the plan but nobody acted on it"
    lines[at] = json.dumps(entry)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    second = build_index(settings, embedder=embedder, progress=False)
    assert second.embedded == 1
    info2 = json.loads((current_build(settings.index_dir) / "index.json").read_text())  # type: ignore[operator]
    assert info2["notes"]["sha256"] != info["notes"]["sha256"]


def test_a_situation_finds_its_passage_and_the_answer_shows_the_note(
    tmp_path: Path, shared_corpus: Path, embedder: Embedder
) -> None:
    settings = _settings(tmp_path, shared_corpus)
    build_index(settings, embedder=embedder, progress=False)
    index = open_index(settings.index_dir)
    passage = next(p for p in index.ordered if p.note and len(p.situations) >= 3)
    qa = SendQA(settings, embedder=embedder)
    answer = qa.ask(passage.situations[1])
    assert passage.passage_id in [h.passage.passage_id for h in answer.hits[:3]]
    # Without note windows the bare engine searches the provision's own words only.
    bare = qa.retriever.dense(embedder.embed_query(passage.situations[1]), 50, None, notes=False)
    assert bare and all(index.passages[pid].source_id == SOURCE for pid, _ in bare)
    shown = _answer_json(answer)
    cited = {c["locator"]: c for c in shown["citations"]}  # type: ignore[union-attr]
    assert all("note" in c for c in cited.values())
    if passage.locator in cited:
        assert cited[passage.locator]["note"] == passage.note
