"""Load on loopback: concurrent gradio_client users asking dev-set questions of ``sendqa serve``.

Starts ``sendqa serve`` on a free 127.0.0.1 port (or uses ``--url``), waits until it answers,
then runs ``--users`` threads, each with its own ``gradio_client.Client``, asking the dev
questions in turn (each user starts at a different one) through ``/ask`` for ``--duration``
seconds; requests in flight at the end are waited for and counted. An error is an exception
in the client, a reply with ``ok: false``, or an answer with neither a citation nor an
abstention.

    .venv/bin/python benchmarks/bench_load.py --index /tmp/idx1             # 20 users, 60 s
    .venv/bin/python benchmarks/bench_load.py --index /tmp/idx1 --users 3 --duration 10

Writes ``benchmarks/results/bench_load.json`` (summary and every request) and
``bench_load.md``; exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import (
    DEV_SET,
    OFFLINE,
    RESULTS,
    ROOT,
    load_questions,
    offline_env,
    percentiles,
    write_record,
)


@dataclass
class Request:
    """One /ask call as a user saw it."""

    user: int
    question: int
    started_s: float  # since the load began
    latency_s: float
    citations: int
    abstained: bool
    error: str | None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen[bytes] | None, timeout: float) -> float:
    """Seconds until ``url`` answers 200; raises if the server exits or the time runs out."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                if reply.status == 200:
                    return time.perf_counter() - t0
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the app at {url} did not answer within {timeout:.0f} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def served_app(
    index: Path, concurrency_limit: int | None, timeout: float
) -> Iterator[tuple[str, float, int]]:
    """``sendqa serve`` on a free loopback port; yields (url, seconds to start, its pid)."""
    work = Path(tempfile.mkdtemp(prefix="sendqa-load-"))
    extra = {"SENDQA_FEEDBACK_DB": str(work / "feedback.sqlite3")}
    if concurrency_limit is not None:
        extra["SENDQA_CONCURRENCY_LIMIT"] = str(concurrency_limit)
    port = free_port()
    log = work / "serve.log"
    sendqa = Path(sys.executable).parent / "sendqa"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(sendqa), "serve", "--index", str(index), "--port", str(port), "--no-ingest"],
            cwd=ROOT,
            env=offline_env(**extra),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        try:
            startup = wait_until_up(url, proc, timeout)
        except RuntimeError as exc:
            tail = log.read_text(encoding="utf-8", errors="replace")[-1500:]
            raise RuntimeError(f"{exc}\n{tail}") from exc
        yield url, startup, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


def ask_once(client: Any, question: str) -> tuple[int, bool, str | None]:
    """(citations, abstained, error or None) for one /ask call."""
    try:
        reply = client.predict(question, False, api_name="/ask")
    except Exception as exc:  # noqa: BLE001 - every failure is a result here
        return 0, False, f"exception: {type(exc).__name__}"
    if not reply.get("ok"):
        return 0, bool(reply.get("abstained")), f"not ok: {reply.get('message', '')[:80]}"
    citations, abstained = len(reply.get("citations") or []), bool(reply.get("abstained"))
    if not citations and not abstained:
        return 0, False, "answer with no citation and no abstention"
    return citations, abstained, None


def run_load(
    url: str, questions: list[str], users: int, duration: float, server_pid: int | None = None
) -> dict[str, Any]:
    """Every user asks in a loop until ``duration`` has passed; returns timings and requests.

    CPU seconds used meanwhile by the app (when its pid is known) and by these clients say
    where the time goes when both share the machine.
    """
    from gradio_client import Client

    clients = [Client(url, verbose=False) for _ in range(users)]
    ask_once(clients[0], questions[0])  # warm-up, not counted
    records: list[Request] = []
    lock = threading.Lock()
    start = threading.Barrier(users + 1)
    t0 = 0.0

    def user(n: int) -> None:
        start.wait()
        i = n * len(questions) // users
        while time.perf_counter() - t0 < duration:
            q = i % len(questions)
            began = time.perf_counter()
            citations, abstained, error = ask_once(clients[n], questions[q])
            ended = time.perf_counter()
            with lock:
                records.append(
                    Request(n, q, began - t0, ended - began, citations, abstained, error)
                )
            i += 1

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for t in threads:
        t.start()
    server_cpu, client_cpu = cpu_seconds(server_pid) if server_pid else 0.0, time.process_time()
    t0 = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    client_cpu = time.process_time() - client_cpu
    server_cpu = cpu_seconds(server_pid) - server_cpu if server_pid else float("nan")
    for c in clients:
        c.close()
    return {
        "wall_s": wall,
        "requests": records,
        "server_cpu_s": server_cpu,
        "client_cpu_s": client_cpu,
    }


def summarise(run: dict[str, Any], users: int, duration: float) -> dict[str, Any]:
    records: list[Request] = run["requests"]
    latencies = [r.latency_s for r in records]
    errors = Counter(r.error for r in records if r.error)
    pct = percentiles(latencies) if latencies else {"p50": float("nan"), "p95": float("nan")}
    return {
        "users": users,
        "duration_s": duration,
        "wall_s": round(run["wall_s"], 2),
        "requests": len(records),
        "throughput_qps": round(len(records) / run["wall_s"], 2),
        "latency_s": {
            "p50": round(pct["p50"], 3),
            "p95": round(pct["p95"], 3),
            "max": round(max(latencies, default=float("nan")), 3),
            "mean": round(sum(latencies) / len(latencies), 3) if latencies else float("nan"),
        },
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "abstained": sum(1 for r in records if r.abstained and not r.error),
        "cited": sum(1 for r in records if r.citations and not r.error),
        "server_cpu_ms_per_request": round(1e3 * run["server_cpu_s"] / max(1, len(records)), 1),
        "client_cpu_ms_per_request": round(1e3 * run["client_cpu_s"] / max(1, len(records)), 1),
    }


def markdown(record: dict[str, Any]) -> str:
    s, lat = record["summary"], record["summary"]["latency_s"]
    lines = [
        f"# sendqa load test, {record['date']}",
        "",
        f"{s['users']} gradio_client users on loopback asked the {record['questions']} dev "
        f"questions through `/ask` for {s['duration_s']:.0f} s "
        f"(LLM provider: {record['llm_provider']}).",
        "",
        "| users | requests | throughput (q/s) | p50 (s) | p95 (s) | max (s) | errors |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {s['users']} | {s['requests']} | {s['throughput_qps']:.2f} | {lat['p50']:.2f} "
        f"| {lat['p95']:.2f} | {lat['max']:.2f} | {s['errors']} |",
        "",
        f"- Answers with citations: {s['cited']}; abstentions: {s['abstained']}.",
        f"- Gradio queue: `default_concurrency_limit={record['concurrency_limit']}`, "
        f"`max_size={record['queue_max_size']}`.",
        f"- Machine: {record['cpus']} CPUs, load average {record['loadavg_before'][0]:.2f} "
        f"before and {record['loadavg_after'][0]:.2f} after (1 min); "
        f"app ready {record['startup_s']:.1f} s after launch.",
        f"- CPU per request: app {s['server_cpu_ms_per_request']:.0f} ms, "
        f"these clients {s['client_cpu_ms_per_request']:.0f} ms (same machine).",
    ]
    if s["error_kinds"]:
        lines += ["", "Errors:", *[f"- {k}: {v}" for k, v in s["error_kinds"].items()]]
    return "\n".join(lines) + "\n"


def app_queue_settings(concurrency_limit: int | None) -> tuple[int, int | None]:
    """The concurrency limit and queue size the launched app runs with (from its settings).

    A queue size is reported only once the app takes one from settings; until then Gradio's
    default applies, an unbounded queue (None).
    """
    from rag.settings import Settings

    settings = Settings()
    limit = concurrency_limit or settings.concurrency_limit
    return limit, getattr(settings, "queue_max_size", None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load test, print the summary and write the reports; returns the exit code."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n", 1)[0],
        epilog="Bounded by time: requests still in flight at the end are waited for.",
    )
    parser.add_argument("--index", help="index folder (default: SENDQA_INDEX_DIR or var/index)")
    parser.add_argument("--url", help="load an app already running here instead of starting one")
    parser.add_argument("--users", type=int, default=20, help="concurrent users (default 20)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument("--set", default=str(DEV_SET), help="questions (gold-set JSONL)")
    parser.add_argument(
        "--concurrency-limit", type=int, help="SENDQA_CONCURRENCY_LIMIT for the launched app"
    )
    parser.add_argument("--startup-timeout", type=float, default=300.0, help="seconds (300)")
    parser.add_argument("--out", default=str(RESULTS / "bench_load.json"), help="JSON output")
    args = parser.parse_args(argv)
    if args.users < 1 or args.duration <= 0:
        parser.error("--users must be at least 1 and --duration positive")
    os.environ.update(OFFLINE)
    from rag.settings import Settings

    index = Path(args.index) if args.index else Settings().index_dir
    questions = load_questions(Path(args.set))
    limit, max_size = app_queue_settings(args.concurrency_limit)
    record: dict[str, Any] = {
        "benchmark": "bench_load",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "index": str(index),
        "url": args.url,
        "questions": len(questions),
        "concurrency_limit": None if args.url else limit,
        "queue_max_size": None if args.url else max_size,
        "llm_provider": Settings().llm_provider,
        "cpus": os.cpu_count(),
        "machine": platform.platform(),
        "loadavg_before": list(os.getloadavg()),
    }
    try:
        if args.url:
            record["startup_s"] = wait_until_up(args.url, None, args.startup_timeout)
            run = run_load(args.url, questions, args.users, args.duration)
        else:
            with served_app(index, args.concurrency_limit, args.startup_timeout) as app:
                url, record["startup_s"], pid = app
                run = run_load(url, questions, args.users, args.duration, pid)
    except RuntimeError as exc:
        print(f"bench_load: {exc}", file=sys.stderr)
        return 1
    record["loadavg_after"] = list(os.getloadavg())
    record["summary"] = summarise(run, args.users, args.duration)
    record["requests"] = [asdict(r) for r in run["requests"]]
    out = write_record(record, Path(args.out))
    report = markdown(record)
    out.with_suffix(".md").write_text(report, encoding="utf-8")
    print(report)
    print(f"written {out} and {out.with_suffix('.md')}")
    return 1 if record["summary"]["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
