"""The SQLite feedback store: no lost writes under threads, and no question text by default."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from ui.feedback import REASONS, FeedbackStore

QUESTION = "My son is called Tom Smith, NHS 943 476 5919: is 9 weeks too long to wait?"


def test_concurrent_writes_lose_nothing(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(25):
                store.add(
                    "up" if (n + i) % 2 else "down",
                    reasons=["unclear"] if i % 3 == 0 else [],
                    anchors=[f"SEND Regulations 2014, reg.{n}({i})"],
                    timings={"total": float(i)},
                    question=QUESTION,
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = store.rows()
    assert store.count() == 200
    assert len({r.id for r in rows}) == 200
    assert len({tuple(r.anchors) for r in rows}) == 200


def test_wal_mode_is_on(tmp_path: Path) -> None:
    path = tmp_path / "fb.sqlite3"
    FeedbackStore(path)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_question_text_is_not_stored_by_default(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    store.add("down", reasons=["wrong law"], anchors=["CFA 2014, s.42(2)"], question=QUESTION)
    (row,) = store.rows()
    assert row.question_text is None
    with closing(sqlite3.connect(store.path)) as conn:
        dump = "\n".join(conn.iterdump())
    assert "Tom" not in dump and "943" not in dump


def test_question_text_is_redacted_when_enabled(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3", store_question_text=True)
    store.add("up", question=QUESTION)
    (row,) = store.rows()
    assert row.question_text is not None
    assert "Tom" not in row.question_text and "943 476 5919" not in row.question_text
    assert "[name]" in row.question_text and "[NHS number]" in row.question_text
    assert "9 weeks" in row.question_text


def test_row_fields_round_trip(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    row_id = store.add(
        "down",
        reasons=["missing", "unclear", "missing"],
        anchors=["SEND Regulations 2014, reg.13(2)"],
        timings={"retrieve": 12.345, "total": 40.0},
    )
    (row,) = store.rows()
    assert row.id == row_id
    assert row.rating == "down"
    assert row.reasons == ["missing", "unclear"]
    assert row.anchors == ["SEND Regulations 2014, reg.13(2)"]
    assert row.timings == {"retrieve": 12.3, "total": 40.0}
    assert row.created_at.endswith("+00:00")


@pytest.mark.parametrize(
    ("rating", "reasons"), [("meh", []), ("up", ["rude"]), ("", list(REASONS))]
)
def test_bad_feedback_is_refused(tmp_path: Path, rating: str, reasons: list[str]) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    with pytest.raises(ValueError):
        store.add(rating, reasons=reasons)
    assert store.count() == 0


def test_creates_missing_folder(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "deep" / "er" / "fb.sqlite3")
    store.add("up")
    assert store.count() == 1
