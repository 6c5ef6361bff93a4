"""Eval metrics on hand-made rankings: the locator prefix rule, facts, citations, latency."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import metrics
from evals.metrics import QuestionScore
from evals.systems import (
    NaiveChunk,
    overlapped_locators,
    passage_spans,
    split_like_quickstart,
    strip_front_matter,
)

CFA = "ukpga-2014-6"
REGS = "uksi-2014-1530"


def exp(*pairs: tuple[str, str | None]) -> list[dict[str, str | None]]:
    return [{"source_id": s, "locator": loc} for s, loc in pairs]


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        ("s.36", "s.36(8)", True),
        ("s.36(8)", "s.36", True),
        ("s.36(8)", "s.36(8)(b)", True),
        ("s.3", "s.36", False),
        ("s.36", "s.3", False),
        ("s.36(8)", "s.36(9)", False),
        ("reg.13(2)", "reg.13(20)", False),
        ("9.4", "9.40", False),
        ("sch.2", "sch.2 para.3", True),
        (None, "s.99", True),
        (None, None, True),
        ("s.36", None, False),
    ],
)
def test_matches_uses_locator_prefix_rule(
    expected: str | None, actual: str | None, ok: bool
) -> None:
    assert metrics.matches(exp((CFA, expected)), CFA, actual) is ok


def test_matches_needs_the_same_source() -> None:
    assert not metrics.matches(exp((CFA, "s.36")), REGS, "s.36")
    assert not metrics.matches(exp((CFA, None)), REGS, None)


def test_first_hit_rank_and_hit_at_k() -> None:
    expected = exp((CFA, "s.36(8)"), (REGS, "reg.5"))
    ranked = [(CFA, "s.3"), (CFA, "s.37"), (REGS, "reg.5(1)"), (CFA, "s.36")]
    assert metrics.first_hit_rank(expected, ranked) == 3
    assert metrics.hit_at_k(expected, ranked, 1) == 0.0
    assert metrics.hit_at_k(expected, ranked, 3) == 1.0
    assert metrics.reciprocal_rank(metrics.first_hit_rank(expected, ranked)) == pytest.approx(1 / 3)
    assert metrics.first_hit_rank(expected, [(CFA, "s.3"), (CFA, None)]) is None
    assert metrics.reciprocal_rank(metrics.first_hit_rank(expected, [])) == 0.0


def test_null_expected_locator_matches_any_passage_of_that_document() -> None:
    expected = exp(("written-answers", None))
    ranked = [(CFA, "s.42"), ("written-answers", None), ("written-answers", "3")]
    assert metrics.first_hit_rank(expected, ranked) == 2


def test_recall_at_k_counts_expected_entries_not_hits() -> None:
    expected = exp((CFA, "s.39(3)"), (CFA, "s.39(4)"), (REGS, "reg.13"))
    ranked = [(CFA, "s.39(3)"), (CFA, "s.39(3)(a)"), (CFA, "s.39"), (REGS, "reg.14")]
    # s.39 is a prefix of both s.39(3) and s.39(4): it finds both; reg.13 is missing.
    assert metrics.recall_at_k(expected, ranked, 5) == pytest.approx(2 / 3)
    assert metrics.recall_at_k(expected, ranked, 2) == pytest.approx(1 / 3)
    assert metrics.recall_at_k([], ranked, 5) == 0.0


@pytest.mark.parametrize(
    ("fact", "answer", "ok"),
    [
        ("20 weeks", "…within 20 Weeks, of the request", True),
        ("finalised EHC plan", "the FINALISED  EHC\nplan must", True),
        ("two weeks' notice", "at least two weeks notice", True),
        ("widespread and/or systemic failings", "widespread and / or systemic failings", True),
        ("face-to-face", "a face to face meeting", True),
        ("88%", "88% of respondents", True),
        ("2%", "in 2024 the survey", False),
        ("6 weeks", "16 weeks", False),
        ("3 working days", "within three working days", False),
        ("", "anything", True),
    ],
)
def test_fact_found_normalises_case_punctuation_and_space(fact: str, answer: str, ok: bool) -> None:
    assert metrics.fact_found(fact, answer) is ok


def test_key_fact_coverage_splits_found_and_missing() -> None:
    found, missing = metrics.key_fact_coverage(["16 weeks", "20 weeks"], "in any event 16 weeks")
    assert found == ["16 weeks"]
    assert missing == ["20 weeks"]


def test_normalise_text() -> None:
    assert metrics.normalise_text("  The Child’s “EHC” plan—Section 42(2)! ") == (
        "the childs ehc plan section 42 2"
    )


def test_citation_valid_when_markers_and_passages_line_up() -> None:
    text = "Yes [1]. See also [2] and again [1]."
    assert metrics.citation_valid(text, {1: "p1", 2: "p2"}, ["p1", "p2", "p3"])
    assert metrics.citation_valid("No markers at all.", {}, [])


def test_citation_invalid_when_a_marker_has_no_citation() -> None:
    problems = metrics.citation_problems("Yes [1] and [3].", {1: "p1"}, ["p1"])
    assert problems == ["marker [3] has no citation"]
    assert not metrics.citation_valid("Yes [1] and [3].", {1: "p1"}, ["p1"])


def test_citation_invalid_when_a_cited_passage_was_not_retrieved() -> None:
    assert not metrics.citation_valid("Yes [1].", {1: "p9"}, ["p1", "p2"])
    assert metrics.citation_problems("Yes [1].", {1: "p9"}, ["p1"]) == [
        "citation [1] cites a passage that was not retrieved"
    ]


def test_citation_precision() -> None:
    expected = exp((REGS, "reg.13(2)"))
    cited = [(REGS, "reg.13"), (REGS, "reg.14"), (CFA, "s.13(2)")]
    assert metrics.citation_precision(expected, cited) == pytest.approx(1 / 3)
    assert metrics.citation_precision(expected, []) is None


def test_abstention_and_crisis() -> None:
    assert metrics.abstention_correct(answerable=False, abstained=True)
    assert metrics.abstention_correct(answerable=True, abstained=False)
    assert not metrics.abstention_correct(answerable=True, abstained=True)
    assert not metrics.abstention_correct(answerable=False, abstained=False)
    notice = "If a child is in danger, call 999."
    assert metrics.crisis_shown(True, notice)
    assert not metrics.crisis_shown(True, "  ")
    assert not metrics.crisis_shown(False, notice)
    assert metrics.crisis_shown(True, notice, rendered=f"{notice}\n\nThe law says…")
    assert not metrics.crisis_shown(True, notice, rendered=f"The law says…\n\n{notice}")


def test_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert metrics.percentile(values, 50) == pytest.approx(50.5)
    assert metrics.percentile(values, 95) == pytest.approx(95.05)
    assert metrics.percentile([7.0], 95) == 7.0
    assert metrics.percentile([10.0, 20.0], 95) == pytest.approx(19.5)
    assert metrics.percentile([], 95) is None


def _score(**kw: object) -> QuestionScore:
    base: dict[str, object] = dict(
        answerable=True,
        has_expected=True,
        crisis=False,
        first_hit_rank=None,
        recall_at_5=0.0,
        facts_total=2,
        facts_found=None,
        citation_valid=None,
        citation_precision=None,
        abstained=None,
        crisis_shown=None,
        latency_ms=10.0,
    )
    base.update(kw)
    return QuestionScore(**base)  # type: ignore[arg-type]


def test_aggregate_retrieval_only_system_has_null_answer_metrics() -> None:
    scores = [
        _score(first_hit_rank=1, recall_at_5=1.0),
        _score(first_hit_rank=4, recall_at_5=0.5),
        _score(first_hit_rank=None, recall_at_5=0.0),
        _score(answerable=False, has_expected=False, first_hit_rank=None, recall_at_5=None),
    ]
    m = metrics.aggregate(scores)
    assert m["hit@1"] == pytest.approx(1 / 3)
    assert m["hit@3"] == pytest.approx(1 / 3)
    assert m["hit@5"] == pytest.approx(2 / 3)
    assert m["recall@5"] == pytest.approx(0.5)
    assert m["mrr"] == pytest.approx((1 + 0.25) / 3)
    for key in (
        "key_fact_coverage",
        "citation_validity",
        "citation_precision",
        "cited_expected",
        "abstention_accuracy",
        "abstention_unanswerable",
        "abstention_answerable_wrongly",
        "crisis_recall",
        "crisis_false_alarm_rate",
    ):
        assert m[key] is None
    assert m["latency_ms"] == {"p50": 10.0, "p95": 10.0}


def test_aggregate_answer_metrics() -> None:
    scores = [
        _score(
            first_hit_rank=1,
            facts_found=2,
            citation_valid=True,
            citation_precision=0.5,
            abstained=False,
        ),
        _score(
            first_hit_rank=2,
            facts_found=0,
            citation_valid=False,
            citation_precision=1.0,
            abstained=True,
            crisis=True,
            crisis_shown=True,
        ),
        _score(
            answerable=False,
            has_expected=False,
            facts_total=0,
            facts_found=0,
            citation_valid=True,
            abstained=True,
            crisis=True,
            crisis_shown=False,
        ),
    ]
    m = metrics.aggregate(scores)
    assert m["key_fact_coverage"] == pytest.approx(0.5)
    # Citation validity counts answers that did not abstain.
    assert m["citation_validity"] == 1.0
    assert m["citation_precision"] == pytest.approx(0.75)
    assert m["abstention_accuracy"] == pytest.approx(2 / 3)
    assert m["crisis_recall"] == 0.5


def test_naive_chunks_get_the_locator_of_the_passage_they_overlap_most() -> None:
    raw = (
        "---\nidentifier: x\n---\n# Act\n\n##### 1\n\n- (1) **The** local authority must act.\n\n"
        "- (2) It must also   consult the parent.\n\n## Schedule\n\nUnrelated words here.\n"
    )
    body = strip_front_matter(raw)
    assert body.startswith("# Act")
    spans = passage_spans(
        body,
        [
            ("The local authority must act.", "s.1(1)"),
            ("It must also consult the parent.", "s.1(2)"),
        ],
    )
    assert [loc for _, _, loc in spans] == ["s.1(1)", "s.1(2)"]
    s1, s2 = spans
    assert body[s1[0] : s1[1]] == "The** local authority must act"
    assert overlapped_locators(s2[0] - 3, 20, spans)[:1] == ("s.1(2)",)
    assert overlapped_locators(body.index("Unrelated"), 10, spans) == ()


def _s36(n: int) -> str:
    """Text of a made-up subsection s.36(n), about 220 characters long."""
    return (
        f"The local authority must comply with requirement number {n} of this section, "
        f"having regard to the views of the child and the parent, and must give notice {n} "
        f"of its decision in writing within the period prescribed by regulations."
    )


def test_a_chunk_spanning_s36_1_to_4_matches_gold_s36_3() -> None:
    body = "##### 36\n\n" + "\n\n".join(f"- ({n}) {_s36(n)}" for n in range(1, 9)) + "\n"
    passages = [(_s36(n), f"s.36({n})") for n in range(1, 9)]
    spans = passage_spans(body, passages)
    start, text = split_like_quickstart(body)[0]
    locators = overlapped_locators(start, len(text), spans)
    assert {"s.36(1)", "s.36(2)", "s.36(3)", "s.36(4)"} <= set(locators)
    assert "s.36(8)" not in locators
    chunk = NaiveChunk(f"{CFA}#0", CFA, start, text, locators)
    gold = exp((CFA, "s.36(3)"))
    assert metrics.first_hit_rank(gold, [chunk.anchors()]) == 1
    assert metrics.recall_at_k(gold, [chunk.anchors()], 5) == 1.0
    # Scored the old way, the chunk counts only as its most-overlapped subsection.
    assert chunk.anchors(single_label=True) == ((CFA, locators[0]),)
    assert chunk.locator != "s.36(3)"
    assert metrics.first_hit_rank(gold, [chunk.anchors(single_label=True)]) is None


def test_overlapped_locators_most_overlap_first_and_only_real_overlap() -> None:
    spans = [(0, 100, "s.1(1)"), (100, 400, "s.1(2)"), (400, 450, "s.1(3)"), (900, 990, "s.2")]
    assert overlapped_locators(50, 360, spans) == ("s.1(2)", "s.1(1)", "s.1(3)")
    # Touching at an edge is no overlap: [400, 450) ends where [450, ...) starts.
    assert overlapped_locators(450, 100, spans) == ()
    assert overlapped_locators(449, 2, spans) == ("s.1(3)",)
    # A locator split over two spans counts its larger piece, once.
    assert overlapped_locators(0, 1000, [(0, 10, "a"), (10, 20, "b"), (20, 60, "a")]) == ("a", "b")


def test_a_chunk_overlapping_no_passage_counts_only_as_its_document() -> None:
    chunk = NaiveChunk("x#3", "written-answers", 0, "preamble", ())
    assert chunk.anchors() == (("written-answers", None),)
    assert metrics.first_hit_rank(exp(("written-answers", None)), [chunk.anchors()]) == 1
    assert metrics.first_hit_rank(exp(("written-answers", "3")), [chunk.anchors()]) is None


def test_multi_anchor_items_match_when_any_anchor_matches() -> None:
    expected = exp((CFA, "s.39(4)"), (REGS, "reg.13"))
    ranked = [
        ((CFA, "s.38(1)"), (CFA, "s.38(2)")),
        ((CFA, "s.39(3)"), (CFA, "s.39(4)")),
        ((REGS, "reg.12"),),
        ((REGS, "reg.12(3)"), (REGS, "reg.13(1)")),
    ]
    assert metrics.item_matches(expected, ranked[1])
    assert not metrics.item_matches(expected, ranked[0])
    assert metrics.first_hit_rank(expected, ranked) == 2
    assert metrics.hit_at_k(expected, ranked, 1) == 0.0
    assert metrics.reciprocal_rank(metrics.first_hit_rank(expected, ranked)) == pytest.approx(0.5)
    assert metrics.recall_at_k(expected, ranked, 3) == pytest.approx(0.5)
    assert metrics.recall_at_k(expected, ranked, 4) == 1.0
    # A bare (source_id, locator) is an item of one anchor.
    assert metrics.anchors_of((CFA, "s.1")) == ((CFA, "s.1"),)
    assert metrics.anchors_of(((CFA, None),)) == ((CFA, None),)
    assert metrics.first_hit_rank(expected, [(CFA, "s.39"), (REGS, "reg.13")]) == 1


def test_cites_expected() -> None:
    expected = exp((REGS, "reg.13(2)"), (CFA, "s.42"))
    assert metrics.cites_expected(expected, [(CFA, "s.41"), (REGS, "reg.13")])
    assert metrics.cites_expected(expected, [(CFA, "s.42(2)")])
    assert not metrics.cites_expected(expected, [(CFA, "s.4"), (REGS, "reg.13(20)")])
    assert not metrics.cites_expected(expected, [])


def test_aggregate_cited_expected_and_abstention_shares() -> None:
    answered = dict(citation_valid=True, abstained=False, crisis_shown=False)
    scores = [
        _score(first_hit_rank=1, cited_expected=True, **answered),
        _score(first_hit_rank=1, cited_expected=False, **answered),
        # An abstention on an answerable question cites nothing: a miss, and a wrong abstention.
        _score(first_hit_rank=2, cited_expected=False, abstained=True, crisis_shown=False),
        # Answerable without expected anchors: in the abstention share, not in cited_expected.
        _score(has_expected=False, cited_expected=None, **answered),
        _score(answerable=False, has_expected=False, abstained=True, crisis_shown=False),
        _score(answerable=False, has_expected=False, abstained=True, crisis_shown=False),
        _score(answerable=False, has_expected=False, **answered),
    ]
    m = metrics.aggregate(scores)
    assert m["cited_expected"] == pytest.approx(1 / 3)
    assert m["abstention_unanswerable"] == pytest.approx(2 / 3)
    assert m["abstention_answerable_wrongly"] == pytest.approx(1 / 4)
    assert m["abstention_accuracy"] == pytest.approx(5 / 7)


def test_aggregate_crisis_recall_and_false_alarms_count_safety_only_items() -> None:
    safety = dict(
        answerable=None, has_expected=False, facts_total=0, recall_at_5=None, abstained=False
    )
    scores = [
        _score(crisis=True, crisis_shown=True, abstained=False, first_hit_rank=1),
        _score(crisis=False, crisis_shown=True, abstained=False, first_hit_rank=1),
        _score(**safety, crisis=True, crisis_shown=False),
        _score(**safety, crisis=True, crisis_shown=True),
        _score(**safety, crisis=False, crisis_shown=False),
        _score(**safety, crisis=False, crisis_shown=False),
        _score(**safety, crisis=False, crisis_shown=True, citation_valid=False),
    ]
    m = metrics.aggregate(scores)
    assert m["crisis_recall"] == pytest.approx(2 / 3)
    assert m["crisis_false_alarm_rate"] == pytest.approx(2 / 4)
    # Safety-only items stay out of retrieval and answer metrics.
    assert m["hit@1"] == 1.0
    assert m["citation_validity"] is None
    assert m["abstention_accuracy"] == 1.0
    assert m["abstention_answerable_wrongly"] == 0.0
    assert m["abstention_unanswerable"] is None
    assert metrics.hit_curve(scores)[0] == 1.0


def test_aggregate_crisis_metrics_are_none_for_retrieval_only_systems() -> None:
    m = metrics.aggregate([_score(crisis=True), _score(answerable=None, crisis=False)])
    assert m["crisis_recall"] is None
    assert m["crisis_false_alarm_rate"] is None
    assert m["cited_expected"] is None


def test_bad_gold_line_names_its_line(tmp_path: Path) -> None:
    from evals.run import GoldSetError, load_gold_set

    good = {
        "id": "q1",
        "question": "q?",
        "answerable": True,
        "expected": [],
        "key_facts": [],
        "category": "x",
        "crisis": False,
    }
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + json.dumps({**good, "id": "q2", "crisis": "no"}))
    with pytest.raises(GoldSetError, match=r"line 3: crisis"):
        load_gold_set(path)
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n")
    with pytest.raises(GoldSetError, match="line 2: id 'q1' is used twice"):
        load_gold_set(path)
    path.write_text("{not json\n")
    with pytest.raises(GoldSetError, match="line 1"):
        load_gold_set(path)
