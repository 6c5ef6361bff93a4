"""Query latency: warm per stage, cold start to first answer, and growth with corpus size.

- warm: every dev question through ``SendQA.ask`` (after one warm-up), p50/p95 of each stage
  (embed, dense, lexical measured apart; retrieve, compose, total from the pipeline);
- cold: a fresh Python process from start to its first answer (imports and model load included);
- scale: the index's passages replicated 10x (and 100x with ``--full``) under distinct ids into
  a temporary Chroma collection and BM25 index, then the same questions retrieved from it.

    .venv/bin/python benchmarks/bench_query.py --index /tmp/idx1      # ~2 min on 2 cores
    .venv/bin/python benchmarks/bench_query.py --index /tmp/idx1 --full

Writes ``benchmarks/results/bench_query.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from _common import (
    DEV_SET,
    RESULTS,
    ROOT,
    load_questions,
    offline_env,
    percentiles,
    write_record,
)

COLD_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from rag.pipeline import SendQA
from rag.settings import Settings
t1 = time.perf_counter()
qa = SendQA(Settings(index_dir=Path(sys.argv[1])))
t2 = time.perf_counter()
qa.ask(sys.argv[2])
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "first_answer_s": t3 - t2}))
"""


def time_retriever_parts(retriever: Any, question: str, k: int) -> dict[str, float]:
    """Milliseconds for the query embedding, the dense search and the BM25 search."""
    from rag.query import expand_query

    query = expand_query(question)
    t0 = time.perf_counter()
    vector = retriever.embedder.embed_query(query)
    t1 = time.perf_counter()
    retriever.dense(vector, k, None)
    t2 = time.perf_counter()
    retriever.lexical(query, k, None)
    t3 = time.perf_counter()
    return {"embed": (t1 - t0) * 1e3, "dense": (t2 - t1) * 1e3, "lexical": (t3 - t2) * 1e3}


def warm_latency(settings: Any, questions: list[str], repeats: int) -> dict[str, Any]:
    """Per-stage percentiles over repeats x questions, after one warm-up answer."""
    from rag.pipeline import SendQA

    qa = SendQA(settings)
    qa.ask(questions[0])
    stages: dict[str, list[float]] = {}
    for _ in range(repeats):
        for q in questions:
            for stage, ms in time_retriever_parts(qa.retriever, q, settings.candidate_k).items():
                stages.setdefault(stage, []).append(ms)
            for stage, ms in qa.ask(q).timings_ms.items():
                stages.setdefault(stage, []).append(ms)
    return {stage: percentiles(v) for stage, v in stages.items()}


def cold_start(index_dir: Path, question: str) -> dict[str, float]:
    """Seconds from spawning a fresh interpreter to its first answer."""
    env = offline_env()
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", COLD_SCRIPT, str(index_dir), question],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"cold-start process failed: {done.stderr.strip()[-500:]}")
    inner = json.loads(done.stdout.strip().splitlines()[-1])
    return {"wall_s": wall, **inner}


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def replicated_index(index: Any, factor: int, folder: Path) -> tuple[Any, float]:
    """The index's passages copied ``factor`` times under distinct ids, with their vectors.

    Copies get a tiny random nudge to their vectors so HNSW does not hold exact duplicates.
    """
    from ingest.build import vector_rows
    from rag.embedding import MODEL_ID
    from rag.index import Index
    from rag.lexical import LexicalIndex
    from rag.store import PassageStore, chroma_client

    t0 = time.perf_counter()
    base = index.ordered
    rows = vector_rows(base)
    vectors = index.store.embeddings_for([vid for vid, _, _ in rows])
    rng = np.random.default_rng(0)
    passages: dict[str, Any] = {}
    new_rows: list[tuple[str, Any, str]] = []
    matrix: list[np.ndarray] = []
    for copy in range(factor):
        copies = {
            p.passage_id: p.model_copy(update={"passage_id": f"{p.passage_id}x{copy}"})
            for p in base
        }
        passages.update({p.passage_id: p for p in copies.values()})
        for vid, p, text in rows:
            v = vectors[vid] + (rng.normal(0, 1e-3, vectors[vid].shape) if copy else 0)
            matrix.append((v / np.linalg.norm(v)).astype(np.float32))
            new_rows.append((f"{vid}x{copy}", copies[p.passage_id], text))
    store = PassageStore.create(
        chroma_client(path=folder / "chroma"), f"scale_{factor}x", {"model_id": MODEL_ID}
    )
    store.add(new_rows, np.stack(matrix))
    ordered = list(passages.values())
    lexical = LexicalIndex.build(
        [p.passage_id for p in ordered],
        [f"{p.anchor.label}\n{p.embedding_text()}" for p in ordered],
    )
    lexical.save(folder / "bm25")
    built = Index(build=folder, info={}, passages=passages, store=store, lexical=lexical)
    return built, time.perf_counter() - t0


def retrieval_latency(index: Any, settings: Any, questions: list[str]) -> dict[str, Any]:
    """Percentiles of full hybrid retrieval (and its parts) over the questions, after warm-up."""
    from rag.embedding import load_embedder
    from rag.retrieve import HybridRetriever

    retriever = HybridRetriever(index, load_embedder(settings.embed_threads), settings)
    retriever.retrieve(questions[0])
    stages: dict[str, list[float]] = {}
    for q in questions:
        for stage, ms in time_retriever_parts(retriever, q, settings.candidate_k).items():
            stages.setdefault(stage, []).append(ms)
        t = time.perf_counter()
        retriever.retrieve(q)
        stages.setdefault("retrieve", []).append((time.perf_counter() - t) * 1e3)
    return {stage: percentiles(v) for stage, v in stages.items()}


def scale_test(settings: Any, questions: list[str], factors: Sequence[int]) -> list[dict[str, Any]]:
    """Retrieval latency and on-disk size of the real index and of each replicated one."""
    from rag.index import current_build, open_index
    from rag.store import forget_client

    index = open_index(settings.index_dir, settings.chroma_url)
    build = current_build(settings.index_dir)
    assert build is not None
    base_bytes = folder_bytes(build / "chroma") + folder_bytes(build / "bm25")
    results = [
        {
            "factor": 1,
            "passages": len(index.passages),
            "vectors": index.store.count(),
            "bytes": base_bytes,
            "growth": 1.0,
            "build_s": None,
            "latency_ms": retrieval_latency(index, settings, questions),
        }
    ]
    for factor in factors:
        folder = Path(tempfile.mkdtemp(prefix=f"sendqa-scale-{factor}x-"))
        try:
            scaled, build_s = replicated_index(index, factor, folder)
            size = folder_bytes(folder)
            results.append(
                {
                    "factor": factor,
                    "passages": len(scaled.passages),
                    "vectors": scaled.store.count(),
                    "bytes": size,
                    "growth": size / base_bytes,
                    "build_s": build_s,
                    "latency_ms": retrieval_latency(scaled, settings, questions),
                }
            )
        finally:
            forget_client(path=folder / "chroma")
            shutil.rmtree(folder, ignore_errors=True)
    return results


def print_tables(record: dict[str, Any]) -> None:
    print(f"Warm latency over {record['questions']} questions x {record['repeats']} (ms)")
    print(f"{'stage':<10}{'p50':>10}{'p95':>10}")
    for stage, q in record["warm_ms"].items():
        print(f"{stage:<10}{q['p50']:>10.1f}{q['p95']:>10.1f}")
    if record.get("cold"):
        c = record["cold"]
        print(
            f"\nCold start to first answer: {c['wall_s']:.1f} s wall "
            f"(imports {c['import_s']:.1f} s, load {c['load_s']:.1f} s, "
            f"first answer {c['first_answer_s']:.2f} s)"
        )
    if record.get("scale"):
        print(
            f"\n{'factor':>6}{'passages':>10}{'vectors':>9}{'MB':>8}{'growth':>8}"
            f"{'build s':>9}{'retr p50':>10}{'retr p95':>10}{'dense p50':>10}{'bm25 p50':>10}"
        )
        for row in record["scale"]:
            lat = row["latency_ms"]
            build = f"{row['build_s']:.1f}" if row["build_s"] is not None else "-"
            print(
                f"{row['factor']:>6}{row['passages']:>10}{row['vectors']:>9}"
                f"{row['bytes'] / 1e6:>8.1f}{row['growth']:>8.1f}{build:>9}"
                f"{lat['retrieve']['p50']:>10.1f}{lat['retrieve']['p95']:>10.1f}"
                f"{lat['dense']['p50']:>10.1f}{lat['lexical']['p50']:>10.1f}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print tables and write the JSON; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--index", help="index folder (default: SENDQA_INDEX_DIR or var/index)")
    parser.add_argument("--set", default=str(DEV_SET), help="questions (gold-set JSONL)")
    parser.add_argument("--repeats", type=int, default=2, help="passes over the questions (warm)")
    parser.add_argument("--full", action="store_true", help="also replicate the corpus 100x")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-start subprocess")
    parser.add_argument("--no-scale", action="store_true", help="skip the replication test")
    parser.add_argument("--out", default=str(RESULTS / "bench_query.json"), help="JSON output")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from rag.errors import SendQAError
    from rag.settings import Settings

    settings = Settings(index_dir=Path(args.index)) if args.index else Settings()
    questions = load_questions(Path(args.set))
    record: dict[str, Any] = {
        "benchmark": "bench_query",
        "index": str(settings.index_dir),
        "cpus": os.cpu_count(),
        "questions": len(questions),
        "repeats": args.repeats,
    }
    try:
        record["warm_ms"] = warm_latency(settings, questions, args.repeats)
        if not args.no_cold:
            record["cold"] = cold_start(settings.index_dir, questions[0])
        if not args.no_scale:
            factors = (10, 100) if args.full else (10,)
            record["scale"] = scale_test(settings, questions, factors)
    except (SendQAError, RuntimeError) as exc:
        print(f"bench_query: {exc}", file=sys.stderr)
        return 1
    print_tables(record)
    print(f"\nwritten {write_record(record, Path(args.out))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
