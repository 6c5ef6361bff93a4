"""Thumbs up/down feedback in SQLite, safe under the app's concurrent handlers.

WAL mode lets readers run beside the single writer; a process-wide lock plus a busy timeout
serialises writers, so no feedback is lost when several people press a button at once.
Question text is stored only when the operator turns it on, and then only redacted.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ui.privacy import redact

RATINGS = ("up", "down")
#: Reasons a user can tick with a rating; anything else is refused.
REASONS = ("wrong law", "missing", "unclear")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    reasons TEXT NOT NULL,
    anchors TEXT NOT NULL,
    timings TEXT NOT NULL,
    question_text TEXT NULL
)
"""


@dataclass(frozen=True)
class FeedbackRow:
    """One stored piece of feedback, decoded."""

    id: int
    created_at: str
    rating: str
    reasons: list[str]
    anchors: list[str]
    timings: dict[str, float]
    question_text: str | None


class FeedbackStore:
    """Appends feedback rows to one SQLite file; one connection per call, writes under a lock."""

    def __init__(self, path: Path, store_question_text: bool = False) -> None:
        self.path = Path(path)
        self.store_question_text = store_question_text
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, closing(self._connect()) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        """A fresh autocommit connection: sqlite3 connections must not cross threads."""
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def add(
        self,
        rating: str,
        reasons: Iterable[str] = (),
        anchors: Sequence[str] = (),
        timings: Mapping[str, float] | None = None,
        question: str | None = None,
    ) -> int:
        """Store one rating; returns its id. The question is kept only if enabled, redacted."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
        chosen = list(dict.fromkeys(reasons))
        unknown = [r for r in chosen if r not in REASONS]
        if unknown:
            raise ValueError(f"unknown feedback reasons {unknown}: expected some of {REASONS}")
        text = redact(question) if (self.store_question_text and question) else None
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            rating,
            json.dumps(chosen),
            json.dumps(list(anchors), ensure_ascii=False),
            json.dumps({k: round(float(v), 1) for k, v in (timings or {}).items()}),
            text,
        )
        with self._lock, closing(self._connect()) as conn:
            cursor = conn.execute(
                "INSERT INTO feedback (created_at, rating, reasons, anchors, timings, "
                "question_text) VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    def count(self) -> int:
        """How many rows are stored (for tests and the operator)."""
        with closing(self._connect()) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])

    def rows(self) -> list[FeedbackRow]:
        """Every row, oldest first, with its JSON columns decoded."""
        with closing(self._connect()) as conn:
            found = conn.execute(
                "SELECT id, created_at, rating, reasons, anchors, timings, question_text "
                "FROM feedback ORDER BY id"
            ).fetchall()
        return [
            FeedbackRow(
                id=r[0],
                created_at=r[1],
                rating=r[2],
                reasons=json.loads(r[3]),
                anchors=json.loads(r[4]),
                timings=json.loads(r[5]),
                question_text=r[6],
            )
            for r in found
        ]
