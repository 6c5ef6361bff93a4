"""A real ``kill -9`` of ``sendqa ingest`` at chosen points never breaks the index.

The first index is built in-process from a three-document corpus; then a fourth document is
added, so the next ingest must embed, write a new Chroma collection and swap. That ingest runs
as a subprocess (the real CLI) and is SIGKILLed:

1. mid-embedding: the unmodified ``sendqa ingest`` console script, killed once its progress bar
   shows some (not all) batches done;
2. mid-Chroma-write: frozen before its third Chroma ``add`` of 16 rows (two are on disk);
3. mid-swap: ``index.json`` written and the temporary ``current`` link made, not yet renamed;
4. after the swap, before old builds are pruned (with a further corpus change).

Points 2-4 run the same CLI entry point with ``build_index``'s ``stage_hook`` announcing each
stage on stderr and sleeping at the chosen one, so the kill lands at a known place rather than
a random one. After each kill: a fresh open of the index works, its Chroma collection holds
every vector its manifest lists, a question gets a cited answer, it is the previous build (or
the complete new one after the swap), the lock is free, and a long-running answering process
started before the kills keeps answering throughout. A later ingest completes and removes the
leftover builds.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ingest.build import build_index
from rag.embedding import Embedder
from rag.index import BUILDS, CURRENT, current_build, open_index
from rag.pipeline import SendQA
from rag.settings import PROJECT_ROOT, Settings
from rag.store import chroma_client, forget_client
from tests.integration.small_corpus import copy_file, small_corpus, write_manifest

pytestmark = pytest.mark.integration

FIRST = {
    "uksi-2017-1306": "legislation/uksi-2017-1306.md",
    "ofsted-cqc-derbyshire-area-send-2024": (
        "reports/ofsted_cqc_derbyshire_area_send_inspection_2024_EXTRACTS.md"
    ),
    "send-code-of-practice-2015": "guidance/send_code_of_practice_0-25_2015_EXTRACTS.md",
}
#: Added for the killed ingests: 12 passages, 15 embedding windows to embed.
ADDED = (
    "equality-act-2010-explanatory-notes",
    "guidance/equality_act_2010_explanatory_notes_PARTIAL.md",
)
QUESTION = (
    "What evidence is the council supposed to look at when deciding whether to carry out an "
    "EHC needs assessment?"
)
STARTUP_S = 240  # model load on a busy 2-core machine

#: The real CLI with build_index's stage_hook announcing stages on stderr and sleeping at
#: CRASHTEST_PAUSE_AT until killed. Chroma writes go in batches of 16 so a kill can fall
#: between them, and the swap is split where the temporary link exists but is not renamed.
HOOKED_CLI = r"""
import os, sys, time
from pathlib import Path
import ingest.build as build
import rag.index as index
import rag.store as store

PAUSE_AT = os.environ["CRASHTEST_PAUSE_AT"]

def stage(name):
    print(f"@@stage {name}", file=sys.stderr, flush=True)
    if name == PAUSE_AT:
        time.sleep(600)

class CountedAdds:
    def __init__(self, collection):
        self._collection, self._n = collection, 0
    def __getattr__(self, name):
        return getattr(self._collection, name)
    def add(self, **kwargs):
        self._n += 1
        stage(f"chroma-add-{self._n}")
        return self._collection.add(**kwargs)

store._MAX_BATCH = 16
_create = store.PassageStore.create.__func__
def create(cls, client, name, metadata):
    made = _create(cls, client, name, metadata)
    made._collection = CountedAdds(made._collection)
    return made
store.PassageStore.create = classmethod(create)

_swap = build.swap_current
def swap_current(index_dir, new_build):
    tmp = index_dir / f".{index.CURRENT}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path(index.BUILDS) / new_build.name)
    stage("swap-link")
    _swap(index_dir, new_build)
build.swap_current = swap_current

_build_index = build.build_index
build.build_index = lambda *a, **k: _build_index(*a, stage_hook=stage, **k)

from sendqa.cli import main
sys.exit(main(sys.argv[1:]))
"""

#: A stand-in for the running app: one SendQA answering a question per line of stdin.
ANSWERING = r"""
import json, sys
from pathlib import Path
from rag.pipeline import SendQA
from rag.settings import Settings

qa = SendQA(Settings(index_dir=Path(sys.argv[1])))
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    try:
        answer = qa.ask(line.strip())
        reply = {"build": qa._index.build.name, "citations": len(answer.citations),
                 "abstained": answer.abstained, "error": None}
    except Exception as exc:
        reply = {"build": None, "citations": 0, "abstained": True, "error": repr(exc)}
    print(json.dumps(reply), flush=True)
"""


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENDQA_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        GRADIO_ANALYTICS_ENABLED="False",
        TOKENIZERS_PARALLELISM="false",
        PYTHONUNBUFFERED="1",
        SENDQA_MANIFEST_PATH=str(settings.manifest_path),
        **extra,
    )
    return env


class Killable:
    """A subprocess whose stderr is collected as it arrives, to kill it at a chosen moment."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            argv,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.err = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        while chunk := os.read(self.proc.stderr.fileno(), 4096):
            self.err += chunk.decode("utf-8", "replace")

    def kill_when(self, seen: Callable[[str], bool], timeout: float = STARTUP_S) -> None:
        """SIGKILL as soon as ``seen(stderr so far)``; fail if it exits or times out first."""
        deadline = time.monotonic() + timeout
        while not seen(self.err):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                pytest.fail(f"ingest ended or stalled before the kill point:\n{self.err[-2000:]}")
            time.sleep(0.02)
        os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(timeout=30) == -signal.SIGKILL
        self._reader.join(timeout=5)


def _stage_seen(stage: str) -> Callable[[str], bool]:
    return lambda err: f"@@stage {stage}\n" in err


def _some_batches_embedded(err: str) -> bool:
    """tqdm shows e.g. '| 3/8 [': some but not all embedding batches are done."""
    return any(0 < int(d) < int(n) for d, n in re.findall(r"(\d+)/(\d+) \[", err))


def _kill_hooked(settings: Settings, pause_at: str) -> Killable:
    run = Killable(
        [
            sys.executable,
            "-c",
            HOOKED_CLI,
            "ingest",
            "--index",
            str(settings.index_dir),
            "--corpus",
            str(settings.corpus_dir),
        ],
        _env(settings, CRASHTEST_PAUSE_AT=pause_at),
    )
    run.kill_when(_stage_seen(pause_at))
    return run


class Answering:
    """A long-running SendQA process over the index: the app that must keep serving."""

    def __init__(self, settings: Settings) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", ANSWERING, str(settings.index_dir)],
            cwd=PROJECT_ROOT,
            env=_env(settings),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._ready = False

    def ask(self, question: str) -> dict[str, object]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if not self._ready:
            assert json.loads(self.proc.stdout.readline()) == {"ready": True}
            self._ready = True
        self.proc.stdin.write(question + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the answering process died"
        reply: dict[str, object] = json.loads(line)
        return reply

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def _fresh_open(settings: Settings) -> None:
    """Close this process's Chroma clients on the index, so the next open reads the disk."""
    for build in (settings.index_dir / BUILDS).iterdir():
        if (build / "index.json").is_file() and (build / "chroma").is_dir():
            chroma_client(path=build / "chroma").close()
            forget_client(path=build / "chroma")


def _assert_serves(settings: Settings, embedder: Embedder, allowed: set[str]) -> str:
    """Open the index as a new process would and answer; returns the build's name."""
    _fresh_open(settings)
    index = open_index(settings.index_dir)
    assert index.build.name in allowed
    assert index.store.count() == index.info["vectors"], "half-written Chroma collection"
    assert len(index.passages) == index.info["passages"]
    assert set(index.info["documents"]) == {p.source_id for p in index.passages.values()}
    answer = SendQA(settings, index=index, embedder=embedder).ask(QUESTION)
    assert answer.citations and not answer.abstained
    return index.build.name


def _assert_unlocked(settings: Settings) -> None:
    with (settings.index_dir / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if a dead ingest still held it
        fcntl.flock(fh, fcntl.LOCK_UN)


def _builds(settings: Settings) -> set[str]:
    return {p.name for p in (settings.index_dir / BUILDS).iterdir()}


@pytest.fixture()
def answering(tmp_path: Path) -> Iterator[list[Answering]]:
    holder: list[Answering] = []
    yield holder
    for proc in holder:
        proc.close()


def test_sigkill_at_any_stage_keeps_a_working_index(
    tmp_path: Path, shared_corpus: Path, embedder: Embedder, answering: list[Answering]
) -> None:
    settings = small_corpus(tmp_path, shared_corpus, FIRST)
    build_index(settings, embedder=embedder, progress=False)
    first = current_build(settings.index_dir)
    assert first is not None
    app = Answering(settings)
    answering.append(app)

    def serving(allowed: set[str]) -> None:
        name = _assert_serves(settings, embedder, allowed)
        reply = app.ask(QUESTION)
        assert reply["error"] is None and reply["citations"] and not reply["abstained"]
        assert reply["build"] == name, "the running app serves another build than a fresh open"
        _assert_unlocked(settings)

    serving({first.name})

    # The corpus gains a document: the next ingest must embed 15 windows and write a new build.
    copy_file(shared_corpus, settings.corpus_dir, ADDED[1])
    write_manifest(settings.manifest_path, [*FIRST, ADDED[0]])

    # 1. Mid-embedding, the unmodified CLI (small batches, so the bar moves in steps).
    run = Killable(
        [
            str(Path(sys.executable).parent / "sendqa"),
            "ingest",
            "--index",
            str(settings.index_dir),
            "--corpus",
            str(settings.corpus_dir),
        ],
        _env(settings, SENDQA_EMBED_BATCH_SIZE="4"),
    )
    run.kill_when(_some_batches_embedded)
    assert _builds(settings) == {first.name}, "killed before embedding ended, nothing written"
    serving({first.name})

    # 2. Mid-Chroma-write: two batches of the new collection written, the rest not.
    _kill_hooked(settings, "chroma-add-3")
    (partial,) = _builds(settings) - {first.name}
    assert (settings.index_dir / BUILDS / partial / "chroma").is_dir()
    assert not (settings.index_dir / BUILDS / partial / "index.json").exists()
    serving({first.name})

    # 3. Mid-swap: the build is complete and the temporary link exists, but is not renamed.
    _kill_hooked(settings, "swap-link")
    (unswapped,) = _builds(settings) - {first.name, partial}
    assert (settings.index_dir / BUILDS / unswapped / "index.json").is_file()
    assert os.readlink(settings.index_dir / f".{CURRENT}.tmp") == f"{BUILDS}/{unswapped}"
    serving({first.name})

    # A following ingest takes the lock, swaps the change in and removes the leftovers.
    report = build_index(settings, embedder=embedder, progress=False)
    assert report.build is not None and not report.up_to_date
    second = report.build.name
    serving({second})
    assert _builds(settings) == {first.name, second}
    assert not (settings.index_dir / f".{CURRENT}.tmp").exists()

    # 4. After the swap, before pruning: the complete new build serves.
    path = settings.corpus_dir / FIRST["ofsted-cqc-derbyshire-area-send-2024"]
    path.write_text(
        path.read_text(encoding="utf-8") + "\n\nA paragraph added before the last crash.\n",
        encoding="utf-8",
    )
    _kill_hooked(settings, "swapped")
    (third,) = _builds(settings) - {first.name, second}
    serving({third})
    texts = [p.text for p in open_index(settings.index_dir).passages.values()]
    assert any("before the last crash" in t for t in texts)
    again = build_index(settings, embedder=embedder, progress=False)
    assert again.up_to_date and again.build is not None and again.build.name == third


def test_build_is_on_disk_before_its_manifest(
    tmp_path: Path, shared_corpus: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """index.json makes a build complete, so everything else must be fsynced before it.

    A kill -9 loses nothing the kernel already holds; a power cut loses what was not fsynced,
    and Chroma and bm25s write without fsync.
    """
    settings = small_corpus(tmp_path, shared_corpus, FIRST)
    synced: set[tuple[int, int]] = set()  # (device, inode): a file fsynced then renamed counts
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        st = os.fstat(fd)
        synced.add((st.st_dev, st.st_ino))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    unsynced: list[Path] = []

    def before_manifest(stage: str) -> None:
        if stage == "info":
            (build,) = (settings.index_dir / BUILDS).iterdir()
            for path in [build, *build.rglob("*")]:
                st = path.stat()
                if (st.st_dev, st.st_ino) not in synced:
                    unsynced.append(path.relative_to(build))

    build_index(settings, embedder=embedder, progress=False, stage_hook=before_manifest)
    assert not unsynced, f"not fsynced before index.json: {unsynced}"
