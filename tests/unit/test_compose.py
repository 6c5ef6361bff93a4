"""The extractive answer: verbatim quotes, and a lead line that carries the point."""

from __future__ import annotations

from rag.compose import choose_quote, compose_extractive_answer, idf_from
from rag.schema import Anchor, Hit, Passage, passage_id_for

REG_10 = (
    "Where, following an EHC needs assessment, a local authority decides that it is not "
    "necessary for special educational provision to be made for a child or young person in "
    "accordance with an EHC plan, the notification given in accordance with section 36(9) must "
    "be given as soon as practicable, and in any event within 16 weeks of the local authority "
    "receiving a request for an EHC needs assessment in accordance with section 36."
)
S_37 = (
    "For the purposes of this Part, an EHC plan is a plan specifying—\n"
    "(a) the child's or young person's special educational needs;\n"
    "(b) the outcomes sought for him or her;\n"
    "(c) the special educational provision required by him or her;"
)
WRITTEN_ANSWER = (
    "To ask the Secretary of State for Education, what discussions her Department has had with "
    "Derbyshire County Council on the adequacy of support for children with special educational "
    "needs and disabilities in Bolsover constituency. A joint local area inspection was "
    "undertaken by Ofsted and the Care Quality Commission in September 2024, which found "
    "widespread and systemic failings leading to significant concerns about the experiences of "
    "children. An improvement notice was issued on 14 January 2025. Ofsted and the CQC approved "
    "the priority action plan submitted by the local area partnership."
)


def _hit(text: str, locator: str | None, rank: int = 1, kind: str = "legislation") -> Hit:
    passage = Passage(
        passage_id=passage_id_for("src", locator, text),
        text=text,
        anchor=Anchor(source_id="src", locator=locator, label=f"Source, {locator}"),
        kind=kind,  # type: ignore[arg-type]
    )
    return Hit(passage=passage, rank=rank, dense=0.7, fused=0.03)


def test_the_lead_line_of_a_deadline_question_shows_the_limit() -> None:
    hit = _hit(REG_10, "reg.10(1)")
    question = "They won't issue a plan. It's been nearly 5 months. Were they late?"
    body, citations = compose_extractive_answer(question, [hit], idf_from([hit.passage]))
    lead = body.splitlines()[0]
    assert "within 16 weeks" in lead
    assert citations[0].quote.removesuffix(" …") in REG_10  # verbatim, cut at ~420 characters


def test_a_lead_in_ending_with_a_dash_brings_its_list() -> None:
    hit = _hit(S_37, "s.37(2)")
    body, _ = compose_extractive_answer("What is an EHC plan?", [hit], idf_from([hit.passage]))
    lead = body.splitlines()[0]
    assert "special educational needs;" in lead and "outcomes sought" in lead


def test_a_when_question_quotes_the_sentence_with_the_date() -> None:
    hit = _hit(WRITTEN_ANSWER, None, kind="parliamentary_record")
    quote = choose_quote(
        hit.passage,
        "When did the DfE issue Derbyshire with its SEND improvement notice?",
        idf_from([hit.passage]),
    )
    assert "14 January 2025" in quote
    assert quote in WRITTEN_ANSWER
