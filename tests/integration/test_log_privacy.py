"""Questions hold children's personal data: none of it may reach a log, at any level.

Questions naming a child, with an email and a phone number, go through SendQA.ask, the CLI, the
web app in-process (API and chat) and ``sendqa serve`` as a subprocess, with logging at DEBUG
written to a file. The logs must hold request ids and timings, never the question or its
personal data. Feedback stored with question text switched on must be redacted on disk.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.embedding import Embedder
from rag.pipeline import SendQA
from rag.settings import PROJECT_ROOT, Settings
from sendqa.cli import main

pytestmark = pytest.mark.integration

NAME = "Tobias Wrenfield"
EMAIL = "t.wrenfield.parent@example.org"
PHONE = "07700 900123"
#: A word no log has any reason to hold: if it shows up, question text leaked.
CANARY = "kumquat"
QUESTIONS = (
    f"My son {NAME} ({EMAIL}, {PHONE}) has a {CANARY} allergy. What does section 42 say?",
    f"Our daughter Amelia Quigley was born on 3 March 2015; ring me on 020 7946 0018. Can the "
    f"council refuse to assess her? {CANARY}",
    f"My son {NAME} says he wants to kill himself and the council missed the 20 week deadline.",
)
SECRETS = (
    "Tobias",
    "Wrenfield",
    EMAIL,
    "example.org",
    PHONE,
    "900123",
    "Amelia",
    "Quigley",
    "7946",
    CANARY,
    "kill himself",
)
ANSWERED = re.compile(r"answered request=[0-9a-f]{8} .*total_ms=\d+")


def assert_private(log: str, expect_answers: int) -> None:
    """No question text or personal data in ``log``; an id-and-timing line per answer."""
    leaked = [s for s in SECRETS if s.lower() in log.lower()]
    assert not leaked, f"{leaked} in the log:\n" + "\n".join(
        line for line in log.splitlines() if any(s.lower() in line.lower() for s in leaked)
    )
    assert len(ANSWERED.findall(log)) >= expect_answers, log[-2000:]


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    """Every logger at DEBUG, written to a file (also the loggers that do not propagate)."""
    path = tmp_path / "debug.log"
    # Mode "a": an app launch (uvicorn's dictConfig) closes existing handlers; "a" reopens.
    handler = logging.FileHandler(path, mode="a", encoding="utf-8", delay=True)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(threadName)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    loggers = [root] + [
        lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    levels = {lg: lg.level for lg in loggers}
    attached = [lg for lg in loggers if lg is root or not lg.propagate]
    for lg in loggers:
        if lg is root or lg.level > logging.DEBUG:
            lg.setLevel(logging.DEBUG)
    for lg in attached:
        lg.addHandler(handler)
    try:
        yield path
    finally:
        for lg in attached:
            lg.removeHandler(handler)
        for lg, level in levels.items():
            lg.setLevel(level)
        handler.close()


def read_log(path: Path) -> str:
    for h in logging.getLogger().handlers:
        h.flush()
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_python_api_logs_ids_not_questions(qa: SendQA, debug_log: Path) -> None:
    for question in QUESTIONS:
        qa.ask(question)
    qa.ask("and what if they miss it?", history=[QUESTIONS[0]])
    assert_private(read_log(debug_log), expect_answers=len(QUESTIONS) + 1)


def test_cli_logs_ids_not_questions(
    built_index: Settings,
    embedder: Embedder,
    debug_log: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import rag.pipeline

    monkeypatch.setattr(rag.pipeline, "load_embedder", lambda *args, **kwargs: embedder)
    index = ["--index", str(built_index.index_dir)]
    for question in QUESTIONS:
        assert main(["ask", *index, question]) == 0
    assert main(["ask", *index, "--json", QUESTIONS[0]]) == 0
    captured = capsys.readouterr()
    assert_private(read_log(debug_log) + captured.err, expect_answers=len(QUESTIONS) + 1)


def test_web_app_logs_ids_not_questions(
    client: Any, qa: SendQA, app_settings: Settings, debug_log: Path, tmp_path: Path
) -> None:
    from ui.app import AskHandlers
    from ui.feedback import FeedbackStore

    for question in QUESTIONS:
        assert client.predict(question, api_name="/ask")["ok"] is True
    assert client.predict("parent_reply", QUESTIONS[0], api_name="/letter")["ok"] is True
    assert client.predict("assessment_request", QUESTIONS[1], api_name="/letter")["ok"] is True
    refused = client.predict("request", f"3 March 2025 for {NAME}", api_name="/deadlines")
    assert refused["ok"] is False
    handlers = AskHandlers(qa, FeedbackStore(tmp_path / "fb.sqlite3"))
    last = list(handlers.respond(QUESTIONS[0], [], False, []))[-1][3]
    handlers.feedback("down", ["wrong law"], last)
    # /ask x3, the parent reply (one question) and the chat; the template letter looks up too.
    assert_private(read_log(debug_log), expect_answers=len(QUESTIONS) + 2)


@pytest.mark.parametrize("store_question_text", [False, True], ids=["default", "text-on"])
def test_stored_feedback_holds_no_personal_data(
    qa: SendQA, tmp_path: Path, store_question_text: bool
) -> None:
    """End to end through the chat: the SQLite file (and its WAL) never holds the raw details."""
    from ui.app import AskHandlers
    from ui.feedback import FeedbackStore

    db = tmp_path / "feedback.sqlite3"
    handlers = AskHandlers(qa, FeedbackStore(db, store_question_text=store_question_text))
    last = list(handlers.respond(QUESTIONS[0], [], False, []))[-1][3]
    assert "saved" in handlers.feedback("up", [], last)
    (row,) = handlers.store.rows()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("feedback.sqlite3*"))
    for secret in ("Tobias", "Wrenfield", EMAIL, PHONE, "900123"):
        assert secret.encode() not in raw, secret
    assert row.anchors and "total" in row.timings
    if store_question_text:
        assert row.question_text is not None
        assert "[name]" in row.question_text and "[email]" in row.question_text
        assert "[phone]" in row.question_text and "section 42" in row.question_text
    else:
        assert row.question_text is None and CANARY.encode() not in raw


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"sendqa serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise AssertionError(f"sendqa serve was not up after {seconds:.0f} s")


def test_served_app_stderr_logs_ids_not_questions(built_index: Settings, tmp_path: Path) -> None:
    """``sendqa serve --log-level debug`` as a real process: its whole output is the log."""
    from gradio_client import Client

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log_path = tmp_path / "serve.log"
    env = {
        **os.environ,
        "SENDQA_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
        "PYTHONUNBUFFERED": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
    }
    argv = [sys.executable, "-m", "sendqa", "serve", "--no-ingest", "--log-level", "debug"]
    argv += ["--index", str(built_index.index_dir), "--port", str(port)]
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            argv, cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_up(url, proc, seconds=240)
            app = Client(url, verbose=False)
            for question in QUESTIONS:
                assert app.predict(question, api_name="/ask")["ok"] is True
            app.predict("parent_reply", QUESTIONS[1], api_name="/letter")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, log[-3000:]
    assert_private(log, expect_answers=len(QUESTIONS) + 1)
