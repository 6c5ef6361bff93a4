"""The parents-words glossary and the time priors: each rule fires where it should, only there."""

from __future__ import annotations

import pytest

from rag.query import legal_part
from rag.time_limits import asks_about_time, number_phrases, states_time_limit, time_limit_events
from rag.vocabulary import TERMS, named_terms, names_send_system


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("they have now written to say they won't issue a plan", "not necessary to secure"),
        ("the LA decided my daughter doesn't need a plan", "not necessary to secure"),
        ("Panel refuses the school because 'the school is full'", "efficient use of resources"),
        ("the NHS trust keeps cancelling physio, who is on the hook?", "commissioning body"),
        ("do i have to go to mediation before i can appeal?", "mediation adviser"),
        ("the tribunal ordered the council to assess him", "First-tier Tribunal makes an order"),
        ("Which decisions can I appeal?", "may appeal to the First-tier Tribunal"),
        ("Is autism counted as a disability?", "substantial and long-term"),
        ("Does a school have to have a SENCO?", "SEN co-ordinator"),
        ("She moves up to secondary next year", "transfer between phases"),
        ("We are moving from Derbyshire to Nottinghamshire", "new local authority"),
        ("can the money be paid straight to us?", "direct payments"),
        ("can we ask for an EHC needs assessment before reception?", "request for an EHC"),
        ("did they have to tell me I could appeal?", "right to appeal"),
        ("Are there exceptions to the 20 weeks?", "need not comply with the time limit"),
        ("Nobody listens to what my son wants", "views, wishes and feelings"),
        ("they want a special school but we want mainstream", "educated in a mainstream"),
        ("will his support be cut while the appeal is going on?", "continue to maintain"),
        ("My son is 19. Can his EHCP carry on until he is 25?", "attains the age of 25"),
        ("What is an EHC plan?", "an EHC plan is a plan specifying"),
        ("what counts as special educational needs?", "learning difficulty or disability"),
    ],
)
def test_parents_words_get_the_statutory_phrase(question: str, phrase: str) -> None:
    assert any(phrase in term.statutory for term in named_terms(question))


@pytest.mark.parametrize(
    "question",
    [
        "Draft a reply to a parent about her son's support",  # a letter, not a draft plan
        "what does section 42 of the Children and Families Act 2014 say?",
        "Do we get money off our council tax?",
    ],
)
def test_no_send_idea_is_read_into_plain_words(question: str) -> None:
    assert all(term.generic for term in named_terms(question))
    assert not any("draft EHC plan" in t.statutory for t in named_terms(question))


def test_council_is_a_synonym_not_a_send_idea() -> None:
    terms = named_terms("the council")
    assert [t.statutory for t in terms] == ["local authority"] and terms[0].generic


def test_no_glossary_entry_matches_an_empty_question() -> None:
    for term in TERMS:
        assert term.statutory.strip() and not term.pattern.search("")


def test_elapsed_time_is_not_the_limit_asked_about() -> None:
    assert number_phrases("it's been 9 weeks, is the 20 weeks to the draft?", limits_only=True) == {
        "20 week"
    }
    assert number_phrases("the review was 6 weeks ago", limits_only=True) == set()
    assert number_phrases("the review was 6 weeks ago") == {"6 week"}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Were they late doing that?", True),
        ("whats the legal deadline for them to tell us?", True),
        ("we asked in january and STILL nothing", True),
        ("It's been nearly 5 months since I sent the request", True),
        ("what does section 42 say?", False),
        ("Can we ask for a personal budget?", False),
    ],
)
def test_questions_about_time(question: str, expected: bool) -> None:
    assert asks_about_time(question) is expected


def test_time_limits_and_what_they_run_from() -> None:
    text = "The local authority must notify the parent within four weeks of the review meeting."
    assert states_time_limit(text)
    assert not states_time_limit("The local authority must review the plan.")
    (event,) = time_limit_events(text)
    assert {"revie", "meeti"} <= event


def test_crisis_sentences_are_left_out_of_the_search_but_not_the_rest() -> None:
    question = (
        "He told me he doesnt want to be alive anymore. "
        "We asked for an EHC assessment in january and still nothing."
    )
    kept = legal_part(question)
    assert "alive" not in kept and "EHC assessment" in kept
    assert legal_part("he doesnt want to be alive anymore") == "he doesnt want to be alive anymore"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("LA says the 20 week limit doesn't count", True),
        ("our EHCP annual review", True),
        ("can I appeal to the tribunal?", True),
        ("Do we get money off our council tax because our son is autistic?", False),
        ("Can I get a refund on my car insurance?", False),
    ],
)
def test_words_of_the_send_system(question: str, expected: bool) -> None:
    assert names_send_system(question) is expected
