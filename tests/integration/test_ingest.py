"""Ingestion with the real model and real Chroma on a small copy of the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.build import build_index
from rag.embedding import Embedder
from rag.errors import IngestError
from rag.index import current_build, open_index
from rag.settings import Settings
from tests.integration.small_corpus import small_corpus

pytestmark = pytest.mark.integration

SMALL = {
    "uksi-2017-1306": "legislation/uksi-2017-1306.md",
    "ofsted-cqc-derbyshire-area-send-2024": (
        "reports/ofsted_cqc_derbyshire_area_send_inspection_2024_EXTRACTS.md"
    ),
    "send-code-of-practice-2015": "guidance/send_code_of_practice_0-25_2015_EXTRACTS.md",
}


def _small_corpus(tmp_path: Path, shared_corpus: Path) -> Settings:
    """A three-document corpus and manifest, so each test embeds little."""
    return small_corpus(tmp_path, shared_corpus, SMALL)


def test_reingest_is_idempotent(tmp_path: Path, shared_corpus: Path, embedder: Embedder) -> None:
    settings = _small_corpus(tmp_path, shared_corpus)
    first = build_index(settings, embedder=embedder, progress=False)
    assert first.embedded > 0 and not first.failed
    second = build_index(settings, embedder=embedder, progress=False)
    assert second.embedded == 0
    assert second.up_to_date
    assert second.passages == first.passages


def test_changed_document_replaces_only_its_passages(
    tmp_path: Path, shared_corpus: Path, embedder: Embedder
) -> None:
    settings = _small_corpus(tmp_path, shared_corpus)
    build_index(settings, embedder=embedder, progress=False)
    path = settings.corpus_dir / SMALL["ofsted-cqc-derbyshire-area-send-2024"]
    path.write_text(
        path.read_text(encoding="utf-8") + "\n\nA new finding was added to this extract.\n",
        encoding="utf-8",
    )
    report = build_index(settings, embedder=embedder, progress=False)
    changed = {c.source_id: c for c in report.changes if c.added or c.removed}
    assert set(changed) == {"ofsted-cqc-derbyshire-area-send-2024"}
    assert 0 < report.embedded <= 2
    index = open_index(settings.index_dir)
    assert any("new finding" in p.text for p in index.passages.values())


def test_corrupt_file_is_reported_and_others_ingested(
    tmp_path: Path, shared_corpus: Path, embedder: Embedder
) -> None:
    settings = _small_corpus(tmp_path, shared_corpus)
    (settings.corpus_dir / SMALL["uksi-2017-1306"]).write_bytes(b"\x00\x01\x02binary junk")
    (settings.corpus_dir / "broken.docx").write_bytes(b"not really a docx")
    (settings.corpus_dir / "empty.md").write_text("", encoding="utf-8")
    report = build_index(settings, embedder=embedder, progress=False)
    failed = dict(report.failed)
    assert (
        "legislation/uksi-2017-1306.md" in failed
        and "binary" in failed["legislation/uksi-2017-1306.md"]
    )
    assert any("broken.docx" in name for name in failed)
    assert any("empty.md" in name for name in failed)
    assert report.documents == 2
    assert "Failed 3 documents" in report.summary()
    index = open_index(settings.index_dir)
    assert {p.source_id for p in index.passages.values()} == {
        "ofsted-cqc-derbyshire-area-send-2024",
        "send-code-of-practice-2015",
    }


def test_nothing_ingestible_is_an_error(tmp_path: Path, embedder: Embedder) -> None:
    corpus = tmp_path / "empty"
    corpus.mkdir()
    with pytest.raises(IngestError, match="nothing could be ingested"):
        build_index(
            Settings(corpus_dir=corpus, index_dir=tmp_path / "index"),
            embedder=embedder,
            progress=False,
        )


@pytest.mark.parametrize("stage", ["embed", "chroma", "bm25", "passages", "info", "swap"])
def test_interrupted_build_keeps_previous_index(
    tmp_path: Path, shared_corpus: Path, embedder: Embedder, stage: str
) -> None:
    settings = _small_corpus(tmp_path, shared_corpus)
    build_index(settings, embedder=embedder, progress=False)
    before = current_build(settings.index_dir)
    path = settings.corpus_dir / SMALL["ofsted-cqc-derbyshire-area-send-2024"]
    path.write_text(path.read_text(encoding="utf-8") + "\n\nChanged text.\n", encoding="utf-8")

    def crash(at: str) -> None:
        if at == stage:
            raise KeyboardInterrupt(f"simulated crash at {at}")

    with pytest.raises(KeyboardInterrupt):
        build_index(settings, embedder=embedder, progress=False, stage_hook=crash)
    assert current_build(settings.index_dir) == before
    index = open_index(settings.index_dir)
    assert not any("Changed text." in p.text for p in index.passages.values())
    # The next run recovers and swaps in the change.
    build_index(settings, embedder=embedder, progress=False)
    assert any("Changed text." in p.text for p in open_index(settings.index_dir).passages.values())


def test_a_newer_text_brings_its_date_and_names_changed_provisions(
    tmp_path: Path, shared_corpus: Path, embedder: Embedder
) -> None:
    """What 'sendqa corpus fetch' then 'sendqa ingest' does when legislation.gov.uk has moved on."""
    settings = _small_corpus(tmp_path, shared_corpus)
    build_index(settings, embedder=embedder, progress=False)
    index = open_index(settings.index_dir)
    assert index.info["documents"]["uksi-2017-1306"]["current_to"] == "2020-05-01"
    assert {
        p.anchor.current_to for p in index.passages.values() if p.source_id == "uksi-2017-1306"
    } == {"2020-05-01"}
    path = settings.corpus_dir / SMALL["uksi-2017-1306"]
    text = path.read_text(encoding="utf-8")
    # A revision that only re-dates the text: nothing to embed, but the dates move on.
    path.write_text(
        text.replace('last_updated: "2020-05-01"', 'last_updated: "2024-06-01"'), encoding="utf-8"
    )
    redated = build_index(settings, embedder=embedder, progress=False)
    assert not redated.up_to_date and redated.embedded == 0
    assert redated.changed_provisions == []
    assert "uksi-2017-1306: text now current to 2024-06-01 (was 2020-05-01)" in redated.summary()
    # A revision that changes the words of reg.6(1).
    old_words = "to the responsible commissioning body"
    assert old_words in path.read_text(encoding="utf-8")
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            f"recommendation {old_words}", "recommendation to the integrated care board", 1
        ),
        encoding="utf-8",
    )
    report = build_index(settings, embedder=embedder, progress=False)
    assert [(c.source_id, c.locator) for c in report.changed_provisions] == [
        ("uksi-2017-1306", "reg.6(1)")
    ]
    assert "reg.6(1) changed since the last build" in report.summary()
    index = open_index(settings.index_dir)
    dates = {
        p.anchor.current_to for p in index.passages.values() if p.source_id == "uksi-2017-1306"
    }
    assert dates == {"2024-06-01"}
    # The Code of Practice kept its own date throughout.
    assert index.info["documents"]["send-code-of-practice-2015"]["current_to"] == "2015-01"
