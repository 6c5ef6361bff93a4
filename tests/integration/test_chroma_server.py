"""Chroma in client/server mode: ingest into a real `chroma run`, answer, lose it, regain it.

One server (and one small index on it) is shared by the module; the tests run in file order and
each leaves the server running. BM25 and passages stay in the local index folder.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.build import BuildReport, build_index
from rag import store
from rag.embedding import Embedder
from rag.errors import IndexMissingError, RetrievalError
from rag.index import current_build, open_index, read_info
from rag.pipeline import SendQA
from rag.settings import Settings
from sendqa.cli import main
from tests.integration.small_corpus import small_corpus

pytestmark = pytest.mark.integration

SMALL = {
    "uksi-2017-1306": "legislation/uksi-2017-1306.md",
    "send-code-of-practice-2015": "guidance/send_code_of_practice_0-25_2015_EXTRACTS.md",
}
QUESTION = (
    "What evidence is the council supposed to look at when deciding whether to carry out an EHC "
    "needs assessment? They keep telling me they need to see two cycles of assess-plan-do-review."
)
EXPECTED = ("send-code-of-practice-2015", "9.14")
READY_WITHIN_S = 60.0


def _chroma_binary() -> str | None:
    """The ``chroma`` command of this virtual environment, else one on PATH."""
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.is_file() else shutil.which("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChromaServer:
    """A ``chroma run`` process on loopback that a test can stop, restart, pause and resume."""

    def __init__(self, binary: str, path: Path, port: int, log: Path) -> None:
        self.binary, self.path, self.port, self.log = binary, path, port, log
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start on the same path and port as before; returns seconds until it answered."""
        started = time.perf_counter()
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, "run", "--path", str(self.path), "--host", "127.0.0.1"]
                + ["--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        while time.perf_counter() - started < READY_WITHIN_S:
            if self.proc.poll() is not None:
                pytest.fail(f"chroma run exited with {self.proc.returncode}: {self._log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1):
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"chroma run did not answer within {READY_WITHIN_S:.0f} s: {self._log_tail()}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)  # a paused process cannot handle SIGTERM
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.proc = None

    def pause(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGCONT)

    def _log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-2000:]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    binary = _chroma_binary()
    if binary is None:
        pytest.skip("the 'chroma' command is not installed (it comes with the chromadb package)")
    folder = tmp_path_factory.mktemp("chroma_server")
    server = ChromaServer(binary, folder / "db", _free_port(), folder / "chroma.log")
    server.start()
    yield server
    server.stop()
    store.forget_client(url=server.url)


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
    shared_corpus: Path,
    embedder: Embedder,
    chroma_server: ChromaServer,
) -> tuple[Settings, BuildReport]:
    """Settings whose vectors live on the server (BM25 and passages in a local folder)."""
    folder = tmp_path_factory.mktemp("served")
    settings = small_corpus(folder, shared_corpus, SMALL).model_copy(
        update={"chroma_url": chroma_server.url}
    )
    return settings, build_index(settings, embedder=embedder, progress=False)


@pytest.fixture(scope="module")
def qa(served: tuple[Settings, BuildReport], embedder: Embedder) -> SendQA:
    return SendQA(served[0], embedder=embedder)


def _cites_expected(qa: SendQA) -> list[tuple[str, str | None]]:
    answer = qa.ask(QUESTION)
    assert not answer.abstained
    cited = [(c.passage.source_id, c.passage.locator) for c in answer.citations]
    assert EXPECTED in cited
    return cited


def _server_collections(url: str) -> set[str]:
    return {c.name for c in store.chroma_client(url=url).list_collections()}


def test_ingest_puts_vectors_on_the_server(
    served: tuple[Settings, BuildReport], chroma_server: ChromaServer
) -> None:
    settings, report = served
    assert report.embedded > 0 and not report.failed
    build = current_build(settings.index_dir)
    assert build is not None
    assert not (build / "chroma").exists()  # no local vectors: they are on the server
    assert (build / "bm25").is_dir() and (build / "passages.jsonl").is_file()
    info = read_info(build)
    assert info["chroma_url"] == chroma_server.url
    assert info["collection"] in _server_collections(chroma_server.url)
    assert open_index(settings.index_dir, chroma_server.url).store.count() == info["vectors"]
    # Opening a server-mode index without the URL says what to pass, not "missing".
    with pytest.raises(IndexMissingError, match="--chroma-url"):
        open_index(settings.index_dir)


def test_ask_cites_the_expected_anchor(qa: SendQA) -> None:
    _cites_expected(qa)


def test_reingest_is_idempotent_and_prunes_old_collections(
    served: tuple[Settings, BuildReport],
    qa: SendQA,
    embedder: Embedder,
    chroma_server: ChromaServer,
) -> None:
    settings, first = served
    again = build_index(settings, embedder=embedder, progress=False)
    assert again.up_to_date and again.embedded == 0 and again.passages == first.passages
    first_store = qa.retriever.index.store
    # Two forced rebuilds reuse every vector from the server and prune the first build.
    for _ in range(2):
        forced = build_index(settings, embedder=embedder, progress=False, force=True)
        assert forced.embedded == 0 and forced.reused == first.embedded + first.reused
    builds = {p.name for p in (settings.index_dir / "builds").iterdir()}
    assert len(builds) == 2
    ours = {c for c in _server_collections(chroma_server.url) if c.startswith("sendqa_")}
    assert ours == {f"sendqa_{b}" for b in builds}
    # A store whose collection left the server says to re-ingest (not "server down").
    with pytest.raises(IndexMissingError, match="sendqa ingest"):
        first_store.query(embedder.embed_query(QUESTION), 3)
    # The running SendQA follows the swap (its first build's collection is gone) and answers.
    _cites_expected(qa)
    assert qa.retriever.index.build == current_build(settings.index_dir)


def test_cli_ask_with_chroma_url(
    served: tuple[Settings, BuildReport],
    chroma_server: ChromaServer,
    embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("rag.pipeline.load_embedder", lambda *a, **k: embedder)
    argv = ["ask", QUESTION, "--json", "--index", str(served[0].index_dir)]
    code = main([*argv, "--chroma-url", chroma_server.url])
    out = capsys.readouterr()
    assert code == 0, out.err
    cited = [(c["source_id"], c["locator"]) for c in json.loads(out.out)["citations"]]
    assert EXPECTED in cited


def test_server_gone_then_back(
    served: tuple[Settings, BuildReport],
    qa: SendQA,
    chroma_server: ChromaServer,
    embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    from ui.app import SERVICE_ERROR, AskHandlers
    from ui.feedback import FeedbackStore

    settings = served[0]
    monkeypatch.setattr("rag.pipeline.load_embedder", lambda *a, **k: embedder)
    argv = ["ask", QUESTION, "--index", str(settings.index_dir), "--chroma-url", chroma_server.url]
    chroma_server.stop()
    try:
        # The library: one clear error, quickly, every time it is asked.
        for _ in range(2):
            started = time.perf_counter()
            with pytest.raises(RetrievalError) as caught:
                qa.ask(QUESTION)
            assert time.perf_counter() - started < 10
            assert f"{chroma_server.url} is not reachable" in str(caught.value)
            assert "try again" in str(caught.value)
        # The CLI: exit 1 and one line on stderr, no traceback.
        assert main(argv) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("sendqa: the search database at") and "\n" not in err
        assert "Traceback" not in err
        # The UI's API: the service-unavailable sentence, never raising.
        reply = AskHandlers(qa, FeedbackStore(tmp_path / "feedback.sqlite3")).api_ask(QUESTION)
        assert reply["ok"] is False and reply["message"] == SERVICE_ERROR
        # Ingest refuses before embedding anything, and leaves the current build alone.
        before = current_build(settings.index_dir)
        started = time.perf_counter()
        with pytest.raises(RetrievalError, match="not reachable"):
            build_index(settings, embedder=embedder, progress=False, force=True)
        assert time.perf_counter() - started < 10
        assert current_build(settings.index_dir) == before
    finally:
        chroma_server.start()
    # Same path and port, new process: the same SendQA answers again, without a restart.
    _cites_expected(qa)
    assert main(argv) == 0
    assert "9.14" in capsys.readouterr().out


def test_stuck_server_times_out_instead_of_hanging(
    served: tuple[Settings, BuildReport],
    chroma_server: ChromaServer,
    embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A fresh client picks up the short timeout; chromadb shares one HTTP session per server,
    # so the finally block puts the normal timeout back for whoever uses it next.
    monkeypatch.setattr(store, "HTTP_READ_TIMEOUT_S", 1.0)
    store.forget_client(url=chroma_server.url)
    stuck_qa = SendQA(served[0], embedder=embedder)
    chroma_server.pause()
    try:
        started = time.perf_counter()
        with pytest.raises(RetrievalError, match="not reachable"):
            stuck_qa.ask(QUESTION)
        assert time.perf_counter() - started < 10
    finally:
        chroma_server.resume()
        monkeypatch.undo()
        store.forget_client(url=chroma_server.url)
        store.chroma_client(url=chroma_server.url)
    _cites_expected(stuck_qa)
