"""What the benchmarks share: paths, the dev questions, percentiles and an offline environment."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DEV_SET = ROOT.parent / "shared" / "evals" / "dev.jsonl"

#: No hub downloads, no telemetry, no analytics: set for the benchmark and its subprocesses.
OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def offline_env(**extra: str) -> dict[str, str]:
    """This process's environment, offline, with ``extra`` on top (for subprocesses)."""
    return {**os.environ, **OFFLINE, **extra}


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50 and p95 in the unit given (numpy's linear interpolation)."""
    arr = np.asarray(values, dtype=float)
    return {
        "p50": float(np.percentile(arr, 50)),
        "p95": float(np.percentile(arr, 95)),
        "n": len(arr),
    }


def load_questions(path: Path) -> list[str]:
    """The question of every line of a gold-set JSONL file."""
    return [
        json.loads(ln)["question"] for ln in path.read_text(encoding="utf-8").splitlines() if ln
    ]


def write_record(record: dict[str, Any], out: Path) -> Path:
    """Write a benchmark's record as indented JSON, creating the results folder."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return out
