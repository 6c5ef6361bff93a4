"""Ingest throughput against raw embedding throughput of the same model on the same passages.

Embedding dominates ingest; the ratio says how much parsing, Chroma, BM25 and the durable
writes cost on top. Both are measured in one process after one warm-up, so the model load and
first-batch overhead count in neither.

    .venv/bin/python benchmarks/bench_ingest.py            # the real corpus (~3 min on 2 cores)
    .venv/bin/python benchmarks/bench_ingest.py --limit 200

Writes ``benchmarks/results/bench_ingest.json``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _common import RESULTS, write_record


def parse_passages(settings: Any) -> tuple[list[Any], float]:
    """Every unique passage of the corpus, and the seconds parsing took."""
    from ingest.documents import collect_documents
    from rag.manifest import load_manifest

    t0 = time.perf_counter()
    docs = collect_documents(load_manifest(settings.manifest_path), settings.corpus_dir)
    seen: dict[str, Any] = {}
    for doc in docs:
        for p in doc.passages:
            seen.setdefault(p.passage_id, p)
    return list(seen.values()), time.perf_counter() - t0


def timed_build_index(settings: Any, embedder: Any, index_dir: Path) -> dict[str, float]:
    """The real ``build_index`` on the whole corpus, with seconds per stage from its hooks."""
    from ingest.build import build_index

    marks: list[tuple[str, float]] = [("parse", time.perf_counter())]
    build_index(
        settings,
        index_dir=index_dir,
        embedder=embedder,
        progress=False,
        force=True,
        stage_hook=lambda stage: marks.append((stage, time.perf_counter())),
    )
    marks.append(("end", time.perf_counter()))
    stages = {
        name: marks[i + 1][1] - t for i, (name, t) in enumerate(marks[:-1]) if name != "swapped"
    }
    stages["total"] = marks[-1][1] - marks[0][1]
    return stages


def timed_manual_ingest(
    passages: list[Any], rows: list[Any], embedder: Any, folder: Path, batch: int
) -> dict[str, float]:
    """The same stages as ``build_index`` on a subset of passages (for ``--limit``)."""
    from rag.embedding import MODEL_ID
    from rag.lexical import LexicalIndex
    from rag.store import PassageStore, chroma_client

    stages: dict[str, float] = {}
    t = time.perf_counter()
    matrix = embedder.embed_passages([text for _, _, text in rows], batch)
    stages["embed"] = time.perf_counter() - t
    t = time.perf_counter()
    store = PassageStore.create(
        chroma_client(path=folder / "chroma"), "bench", {"model_id": MODEL_ID}
    )
    store.add(rows, matrix)
    stages["chroma"] = time.perf_counter() - t
    t = time.perf_counter()
    LexicalIndex.build(
        [p.passage_id for p in passages],
        [f"{p.anchor.label}\n{p.embedding_text()}" for p in passages],
    ).save(folder / "bm25")
    stages["bm25"] = time.perf_counter() - t
    t = time.perf_counter()
    (folder / "passages.jsonl").write_text(
        "".join(p.model_dump_json() + "\n" for p in passages), encoding="utf-8"
    )
    stages["passages"] = time.perf_counter() - t
    stages["total"] = sum(stages.values())
    return stages


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Measure ingest and raw embedding on the same passages; return the JSON record."""
    from ingest.build import vector_rows
    from rag.embedding import MODEL_ID, load_embedder
    from rag.settings import Settings

    settings = Settings(corpus_dir=Path(args.corpus)) if args.corpus else Settings()
    embedder = load_embedder(settings.embed_threads)
    embedder.embed_passages(["warm-up sentence"] * 8)
    passages, parse_s = parse_passages(settings)
    if args.limit:
        passages = passages[: args.limit]
    rows = vector_rows(passages)
    texts = [text for _, _, text in rows]
    folder = Path(tempfile.mkdtemp(prefix="sendqa-bench-ingest-"))
    try:
        if args.limit:
            stages = timed_manual_ingest(
                passages, rows, embedder, folder, settings.embed_batch_size
            )
            stages = {"parse": parse_s, **stages, "total": stages["total"] + parse_s}
        else:
            stages = timed_build_index(settings, embedder, folder / "index")
        t = time.perf_counter()
        embedder.embed_passages(texts, settings.embed_batch_size)
        raw_s = time.perf_counter() - t
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    ingest_rate = len(passages) / stages["total"]
    raw_rate = len(passages) / raw_s
    return {
        "benchmark": "bench_ingest",
        "model_id": MODEL_ID,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "mode": f"manual stages, first {args.limit} passages" if args.limit else "build_index",
        "passages": len(passages),
        "windows": len(texts),
        "ingest_seconds": stages,
        "raw_embed_seconds": raw_s,
        "ingest_passages_per_s": ingest_rate,
        "raw_embed_passages_per_s": raw_rate,
        "raw_embed_windows_per_s": len(texts) / raw_s,
        "ingest_over_raw": ingest_rate / raw_rate,
        # Robust to CPU contention between the two runs: the share ingest spends embedding.
        "embed_share_of_ingest": stages["embed"] / stages["total"],
        "load_average": os.getloadavg()[0],
    }


def print_table(record: dict[str, Any]) -> None:
    print(f"{record['passages']} passages, {record['windows']} embedded windows ({record['mode']})")
    print(f"{'stage':<12}{'seconds':>10}")
    for stage, seconds in record["ingest_seconds"].items():
        print(f"{stage:<12}{seconds:>10.2f}")
    print(f"{'raw embed':<12}{record['raw_embed_seconds']:>10.2f}")
    print(f"\n{'':<22}{'passages/s':>12}")
    print(f"{'ingest':<22}{record['ingest_passages_per_s']:>12.1f}")
    print(f"{'raw embedding':<22}{record['raw_embed_passages_per_s']:>12.1f}")
    print(f"ingest / raw = {record['ingest_over_raw']:.2f}")
    print(
        f"embedding is {record['embed_share_of_ingest']:.0%} of ingest time "
        f"(load average {record['load_average']:.1f} on {record['cpus']} CPUs: on a busy machine "
        "the two runs can differ by tens of percent from contention alone)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print a table and write the JSON; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, help="only the first N passages (manual stages)")
    parser.add_argument("--corpus", help="corpus folder (default ../shared/corpus)")
    parser.add_argument("--out", default=str(RESULTS / "bench_ingest.json"), help="JSON output")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from rag.errors import SendQAError

    try:
        record = run(args)
    except SendQAError as exc:
        print(f"bench_ingest: {exc}", file=sys.stderr)
        return 1
    print_table(record)
    print(f"\nwritten {write_record(record, Path(args.out))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
