"""Run a gold question set through the chosen systems and write metrics, rows and a report.

Output folder (default ``evals/results/<UTC timestamp>/``)::

    metrics.json        {"set", "n", "counts", "systems": {name: {hit@k, recall@5, mrr, ...}}}
    per_question.jsonl  one row per question and system, with why it failed
    report.md           the main and secondary metrics tables, per-stage latency, the plots
    hit_at_k.png        hit@k curves (k = 1..10) per system
    latency.png         latency distribution per system

Low scores are results, not errors: only a bad gold set or a broken index raises.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from evals import metrics
from evals.systems import (
    SYSTEM_DESCRIPTIONS,
    NaiveOptions,
    System,
    SystemResult,
    make_systems,
)
from rag.errors import SendQAError
from rag.settings import PROJECT_ROOT, Settings

DEFAULT_RESULTS = PROJECT_ROOT / "evals" / "results"
DEFAULT_SYSTEMS = (
    "sendqa",
    "bare_hybrid",
    "naive_langchain",
    "naive_langchain_scoped",
    "bm25",
    "dense",
)
#: The report's first table: what a reader needs to compare the systems at a glance.
MAIN_KEYS = (
    "hit@1",
    "hit@5",
    "mrr",
    "cited_expected",
    "abstention_unanswerable",
    "crisis_recall",
    "crisis_false_alarm_rate",
)
#: The report's second table.
OTHER_KEYS = (
    "hit@3",
    "hit@10",
    "recall@5",
    "key_fact_coverage",
    "citation_validity",
    "citation_precision",
    "abstention_accuracy",
    "abstention_answerable_wrongly",
)
#: Every metric metrics.json holds per system, besides ``latency_ms``.
METRIC_KEYS = (
    "hit@1",
    "hit@3",
    "hit@5",
    "hit@10",
    "recall@5",
    "mrr",
    "key_fact_coverage",
    "citation_validity",
    "citation_precision",
    "cited_expected",
    "abstention_accuracy",
    "abstention_unanswerable",
    "abstention_answerable_wrongly",
    "crisis_recall",
    "crisis_false_alarm_rate",
)
_HEADERS = {
    "mrr": "MRR",
    "cited_expected": "cited expected",
    "abstention_unanswerable": "abstained (unanswerable)",
    "abstention_answerable_wrongly": "abstained (answerable)",
    "crisis_recall": "crisis recall",
    "crisis_false_alarm_rate": "crisis false alarms",
    "key_fact_coverage": "key facts",
    "citation_validity": "citation validity",
    "citation_precision": "citation precision",
    "abstention_accuracy": "abstention accuracy",
}


class GoldSetError(SendQAError):
    """A gold set file that cannot be read or has a malformed line."""


class ExpectedAnchor(BaseModel):
    """A passage that answers a gold question; locator None means the whole document."""

    model_config = ConfigDict(extra="forbid", strict=True)

    source_id: str = Field(min_length=1)
    locator: str | None


class GoldItem(BaseModel):
    """One gold question, as specified in ../shared/evals/README.md.

    A safety-only item is just ``{id, question, crisis}`` (``category`` optional): it has no
    ``answerable``, ``expected`` or ``key_facts`` and is scored only for crisis signposting.
    An item with some of those three but not all is a mistake and is refused.
    """

    model_config = ConfigDict(extra="ignore", strict=True)

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    answerable: bool | None = None
    expected: list[ExpectedAnchor] | None = None
    key_facts: list[str] | None = None
    category: str | None = None
    crisis: bool
    notes: str = ""

    @model_validator(mode="after")
    def _all_or_none_of_the_answer_fields(self) -> GoldItem:
        given = [f for f in ("answerable", "expected", "key_facts") if getattr(self, f) is not None]
        if given and len(given) < 3:
            missing = sorted({"answerable", "expected", "key_facts"} - set(given))
            raise ValueError(
                f"missing {', '.join(missing)} (only a safety-only item, "
                "{id, question, crisis}, may leave out answerable, expected and key_facts)"
            )
        return self

    @property
    def safety_only(self) -> bool:
        return self.answerable is None

    def expected_dicts(self) -> list[dict[str, str | None]]:
        return [e.model_dump() for e in self.expected or []]


def load_gold_set(path: Path) -> list[GoldItem]:
    """Every question of a JSONL gold set; a bad line raises GoldSetError naming its number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldSetError(f"cannot read the gold set {path}: {exc.strerror or exc}") from exc
    items: list[GoldItem] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = GoldItem.model_validate_json(line)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(map(str, first["loc"])) or "line"
            raise GoldSetError(
                f"{path}, line {number}: {where}: {first['msg']} (fix the line and rerun)"
            ) from exc
        if item.id in seen:
            raise GoldSetError(f"{path}, line {number}: id {item.id!r} is used twice")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise GoldSetError(f"the gold set {path} has no questions")
    return items


@dataclass
class Row:
    """One question answered by one system: the raw result, its score and the JSON row."""

    system: str
    item: GoldItem
    result: SystemResult
    score: metrics.QuestionScore
    record: dict[str, Any]


def score_result(item: GoldItem, result: SystemResult) -> metrics.QuestionScore:
    """Score one system's result on one gold question (a safety-only item: crisis only)."""
    expected = item.expected_dicts()
    key_facts = item.key_facts or []
    answers = result.answer_text is not None
    found: int | None = None
    valid: bool | None = None
    precision: float | None = None
    cited: bool | None = None
    shown: bool | None = None
    if answers:
        shown = metrics.crisis_shown(bool(result.crisis), result.safety_notice)
    if answers and not item.safety_only:
        found = len(metrics.key_fact_coverage(key_facts, result.answer_text or "")[0])
        keys = {c.key: c.passage_id for c in result.citations}
        valid = metrics.citation_valid(result.answer_text or "", keys, result.ranked_ids)
        if expected:
            anchors = [(c.source_id, c.locator) for c in result.citations]
            precision = metrics.citation_precision(expected, anchors)
            cited = metrics.cites_expected(expected, anchors)
    return metrics.QuestionScore(
        answerable=item.answerable,
        has_expected=bool(expected),
        crisis=item.crisis,
        first_hit_rank=metrics.first_hit_rank(expected, result.ranked) if expected else None,
        recall_at_5=metrics.recall_at_k(expected, result.ranked, 5) if expected else None,
        facts_total=len(key_facts),
        facts_found=found,
        citation_valid=valid,
        citation_precision=precision,
        abstained=result.abstained,
        crisis_shown=shown,
        latency_ms=result.latency_ms,
        cited_expected=cited,
    )


def why_failed(item: GoldItem, result: SystemResult, score: metrics.QuestionScore) -> str | None:
    """A short, human reason for each way this result falls short (None when it does not)."""
    reasons: list[str] = []
    if item.answerable and score.has_expected:
        rank = score.first_hit_rank
        if rank is None:
            reasons.append(f"expected anchor not in top {len(result.ranked)}")
        elif rank > 5:
            reasons.append(f"expected anchor not in top 5 (first at rank {rank})")
    if result.abstained is not None and not item.safety_only:
        if item.answerable and result.abstained:
            reasons.append("abstained on an answerable question")
        if not item.answerable and not result.abstained:
            reasons.append("did not abstain")
        if item.answerable and score.has_expected and score.cited_expected is False:
            reasons.append("no citation matches an expected anchor")
        if item.answerable and result.answer_text is not None:
            missing = metrics.key_fact_coverage(item.key_facts or [], result.answer_text)[1]
            if missing:
                reasons.append("missing facts: " + "; ".join(missing))
        if score.citation_valid is False:
            keys = {c.key: c.passage_id for c in result.citations}
            problems = metrics.citation_problems(result.answer_text or "", keys, result.ranked_ids)
            reasons.append("invalid citations: " + "; ".join(problems))
    if result.abstained is not None:
        if item.crisis and not score.crisis_shown:
            reasons.append("crisis signposting not shown first")
        if not item.crisis and score.crisis_shown:
            reasons.append("crisis signposting shown on a non-crisis message (false alarm)")
    return "; ".join(reasons) or None


def ranked_record(item: metrics.RankedItem) -> dict[str, Any]:
    """One rank of per_question.jsonl: its (first) anchor, plus ``also`` when a chunk shows more.

    The first anchor is the one the item overlaps most, so ``locator`` reads as before.
    """
    anchors = metrics.anchors_of(item)
    record: dict[str, Any] = {"source_id": anchors[0][0], "locator": anchors[0][1]}
    if len(anchors) > 1:
        record["also"] = [{"source_id": s, "locator": loc} for s, loc in anchors[1:]]
    return record


def question_record(
    system: str, item: GoldItem, result: SystemResult, score: metrics.QuestionScore
) -> dict[str, Any]:
    """The per_question.jsonl row: enough to see what went wrong without rerunning."""
    found, missing = (
        metrics.key_fact_coverage(item.key_facts or [], result.answer_text)
        if result.answer_text is not None and not item.safety_only
        else (None, None)
    )
    return {
        "id": item.id,
        "system": system,
        "category": item.category,
        "question": item.question,
        "answerable": item.answerable,
        "crisis": item.crisis,
        "expected": item.expected_dicts() if not item.safety_only else None,
        "ranked": [ranked_record(i) for i in result.ranked[:10]],
        "first_hit_rank": score.first_hit_rank,
        "recall@5": score.recall_at_5,
        "answer_text": result.answer_text,
        "abstained": result.abstained,
        "crisis_shown": score.crisis_shown,
        "citations": [
            {"key": c.key, "source_id": c.source_id, "locator": c.locator} for c in result.citations
        ],
        "citation_valid": score.citation_valid,
        "citation_precision": score.citation_precision,
        "cited_expected": score.cited_expected,
        "facts_found": found,
        "facts_missing": missing,
        "latency_ms": round(result.latency_ms, 2),
        "stages_ms": {k: round(v, 2) for k, v in result.stages_ms.items()},
        "why_failed": why_failed(item, result, score),
    }


def run_systems(systems: Sequence[System], items: Sequence[GoldItem], progress: bool) -> list[Row]:
    """Every question through every system, with one progress bar over all of them."""
    from tqdm import tqdm

    rows: list[Row] = []
    with tqdm(total=len(systems) * len(items), disable=not progress, unit="q") as bar:
        for system in systems:
            bar.set_description(system.name)
            for item in items:
                result = system.run(item.question)
                score = score_result(item, result)
                record = question_record(system.name, item, result, score)
                rows.append(Row(system.name, item, result, score, record))
                bar.update(1)
    return rows


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return value


def set_counts(items: Sequence[GoldItem]) -> dict[str, int]:
    """How many questions each family of metrics is computed over."""
    gold = [i for i in items if not i.safety_only]
    return {
        "questions": len(items),
        "answerable_with_expected": sum(1 for i in gold if i.answerable and i.expected),
        "answerable": sum(1 for i in gold if i.answerable),
        "unanswerable": sum(1 for i in gold if i.answerable is False),
        "crisis": sum(1 for i in items if i.crisis),
        "not_crisis": sum(1 for i in items if not i.crisis),
        "safety_only": len(items) - len(gold),
    }


def metrics_document(
    set_path: Path, items: Sequence[GoldItem], rows: Sequence[Row], names: Sequence[str]
) -> dict[str, Any]:
    """The metrics.json object: one block of metrics per system, in the requested order."""
    systems = {
        name: _round(metrics.aggregate([r.score for r in rows if r.system == name]))
        for name in names
    }
    return {"set": str(set_path), "n": len(items), "counts": set_counts(items), "systems": systems}


def stage_latencies(rows: Sequence[Row], name: str) -> dict[str, dict[str, float | None]]:
    """p50/p95 of each timed stage (retrieve, compose, total) for one system."""
    stages: dict[str, list[float]] = {}
    for r in rows:
        if r.system == name:
            for stage, ms in r.result.stages_ms.items():
                stages.setdefault(stage, []).append(ms)
    return {
        stage: {"p50": metrics.percentile(v, 50), "p95": metrics.percentile(v, 95)}
        for stage, v in stages.items()
    }


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(doc: dict[str, Any], keys: Sequence[str], latency: str) -> list[str]:
    """One markdown table: a row per system, a column per metric, then one latency column."""
    header = ["system", *(_HEADERS.get(k, k) for k in keys), f"{latency} ms"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, m in doc["systems"].items():
        ms = m["latency_ms"][latency]
        cells = [_cell(m[k]) for k in keys] + [_cell(ms) if ms is None else f"{ms:.1f}"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def render_report(doc: dict[str, Any], rows: Sequence[Row], notes: Sequence[str]) -> str:
    """report.md: the two metrics tables, what each system is, latencies, failures, plots."""
    names = list(doc["systems"])
    c = doc["counts"]
    lines = [
        f"# Evaluation on `{doc['set']}` ({doc['n']} questions)",
        "",
        f"{c['answerable_with_expected']} answerable with expected anchors (retrieval metrics, "
        f"cited expected), {c['unanswerable']} unanswerable, {c['crisis']} crisis and "
        f"{c['not_crisis']} not; {c['safety_only']} safety-only (crisis metrics only).",
        "",
        *_table(doc, MAIN_KEYS, "p95"),
        "",
        "More metrics:",
        "",
        *_table(doc, OTHER_KEYS, "p50"),
        "",
        "Answer metrics (—) do not apply to retrieval-only systems. "
        "*cited expected*: answers citing an expected anchor; *abstained (unanswerable)*: "
        "higher is better; *abstained (answerable)* and *crisis false alarms*: lower is better.",
        "",
        "## Systems",
        "",
        *[f"- `{n}`: {SYSTEM_DESCRIPTIONS.get(n, '')}" for n in names],
        "",
        "## Latency per stage (ms)",
        "",
        "| system | stage | p50 | p95 |",
        "|---|---|---|---|",
    ]
    for name in names:
        for stage, q in stage_latencies(rows, name).items():
            lines.append(f"| {name} | {stage} | {_cell(q['p50'])} | {_cell(q['p95'])} |")
    lines += ["", "![hit@k per system](hit_at_k.png)", "", "![latency](latency.png)", ""]
    failures = [r.record for r in rows if r.record["why_failed"]]
    lines += [f"## Failures ({len(failures)})", ""]
    lines += [f"- `{f['id']}` **{f['system']}**: {f['why_failed']}" for f in failures]
    if notes:
        lines += ["", "## Notes", "", *[f"- {n}" for n in notes]]
    return "\n".join(lines) + "\n"


def plot_hit_at_k(rows: Sequence[Row], names: Sequence[str], path: Path) -> None:
    """hit@k curves for k = 1..10, one line per system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ks = list(range(1, 11))
    for name in names:
        curve = metrics.hit_curve([r.score for r in rows if r.system == name])
        ax.plot(ks, [c if c is not None else float("nan") for c in curve], marker="o", label=name)
    ax.set(xlabel="k", ylabel="hit@k", ylim=(0, 1.05), xticks=ks, title="hit@k (answerable)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_latency(rows: Sequence[Row], names: Sequence[str], path: Path) -> None:
    """Latency per question as a box plot per system (log scale: systems differ 100x)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    data = [[max(r.result.latency_ms, 0.01) for r in rows if r.system == n] for n in names]
    ax.boxplot(data, showfliers=True)
    ax.set_xticks(range(1, len(names) + 1), list(names))
    ax.set(ylabel="latency per question (ms)", yscale="log", title="Latency")
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def default_out_dir() -> Path:
    return DEFAULT_RESULTS / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def run_eval(
    settings: Settings,
    set_path: Path,
    systems: Sequence[str] = DEFAULT_SYSTEMS,
    out_dir: Path | None = None,
    limit: int | None = None,
    progress: bool = True,
    *,
    naive_sources: Sequence[str] | None = None,
    naive_max_chars: int | None = None,
    naive_cache_dir: Path | None = None,
) -> Path:
    """Evaluate the systems on the gold set and write the results folder; returns it.

    Args:
        naive_sources: embed only these documents for ``naive_langchain`` (default: every
            manifest file). Tests use it to avoid embedding two whole Acts (~3 min).
        naive_max_chars: keep only the first N characters of each file for the naive baseline.
        naive_cache_dir: where naive chunk embeddings are cached (default ``var/naive-cache``).
    """
    items = load_gold_set(set_path)
    if limit is not None:
        items = items[: max(0, limit)]
    names = list(dict.fromkeys(systems)) or list(DEFAULT_SYSTEMS)
    naive = NaiveOptions(sources=naive_sources, max_chars=naive_max_chars, progress=progress)
    if naive_cache_dir is not None:
        naive.cache_dir = naive_cache_dir
    built = make_systems(names, settings, naive)
    skipped = {
        source_id: why
        for system in built
        for source_id, why in getattr(getattr(system, "index", None), "skipped", {}).items()
    }
    caveats = [c for system in built for c in getattr(system, "caveats", list)()]
    rows = run_systems(built, items, progress)
    out = out_dir or default_out_dir()
    out.mkdir(parents=True, exist_ok=True)
    doc = metrics_document(set_path, items, rows, names)
    (out / "metrics.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    with (out / "per_question.jsonl").open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r.record, ensure_ascii=False) + "\n")
    plot_hit_at_k(rows, names, out / "hit_at_k.png")
    plot_latency(rows, names, out / "latency.png")
    (out / "report.md").write_text(
        render_report(doc, rows, [*caveats, *_notes(names, naive, settings, skipped)]),
        encoding="utf-8",
    )
    return out


def _notes(
    names: Sequence[str], naive: NaiveOptions, settings: Settings, skipped: dict[str, str]
) -> list[str]:
    """Caveats a reader of the report needs to compare the systems fairly."""
    notes = []
    if "sendqa" in names:
        notes.append(
            f"sendqa returns top_k={settings.top_k} hits, so its hit@10 counts only those."
        )
    naive_names = [n for n in names if n.startswith("naive_langchain")]
    if not naive_names:
        return notes
    notes.append(
        "naive chunks are anchored through sendqa's passages: a chunk counts as every passage "
        "whose text it overlaps by at least one character (single_label: the one it overlaps "
        "most); a chunk overlapping none counts only as its whole document."
    )
    if naive.sources:
        notes.append("the naive baselines embedded only: " + ", ".join(naive.sources))
    if naive.max_chars:
        notes.append(f"the naive baselines read only the first {naive.max_chars} chars of a file")
    for source_id, why in skipped.items():
        notes.append(f"naive_langchain_scoped left out {source_id}: {why}")
    return notes
