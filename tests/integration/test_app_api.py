"""The web app through its Python API: gradio_client against the app launched in-process.

Uses the session index, SendQA and launched app from tests/integration/conftest.py
(``built_index``, ``qa``, ``app_settings``, ``client``).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from rag.errors import ConfigError, IndexMissingError
from rag.pipeline import SendQA
from rag.schema import Anchor, Citation, Passage, passage_id_for
from rag.settings import Settings

pytestmark = pytest.mark.integration

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

SECTION_42 = "what does section 42 of the Children and Families Act 2014 say?"


# --- /ask ----------------------------------------------------------------------------------


def test_ask_answers_with_citations(client: Any) -> None:
    result = client.predict(SECTION_42, api_name="/ask")
    assert result["ok"] is True
    assert result["abstained"] is False and result["crisis"] is False
    assert len(result["citations"]) >= 1
    first = result["citations"][0]
    assert first["locator"].startswith("s.42")
    assert first["label"].startswith("Children and Families Act 2014")
    assert first["url"].startswith("https://www.legislation.gov.uk/")
    assert first["badge"] == "Law"
    assert "[1]" in result["answer"]
    assert "not legal advice" in result["not_legal_advice"]


def test_ask_gives_sendqas_note_apart_from_the_quote(client: Any) -> None:
    result = client.predict(SECTION_42, api_name="/ask")
    noted = [c for c in result["citations"] if c["note"]]
    assert noted, "no cited provision of s.42 carries a note: check corpus/notes"
    assert all(c["note"] != c["quote"] for c in noted)


def test_script_question_returns_harmless_text(client: Any) -> None:
    result = client.predict("<script>alert(1)</script>", api_name="/ask")
    text = repr(result)
    assert "<script" not in text.lower()
    assert result["citations"] == [] or result["ok"] is True


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("", "Please type a question"),
        ("   \n\t ", "Please type a question"),
        ("\x00\x07\x1b", "Please type a question"),
        ("why " * 1000, "characters long"),
    ],
)
def test_bad_input_gets_a_clear_message(client: Any, question: str, expected: str) -> None:
    result = client.predict(question, api_name="/ask")
    assert result["ok"] is False
    assert expected in result["message"]
    assert result["citations"] == []


def test_control_characters_around_a_real_question_are_ignored(client: Any) -> None:
    result = client.predict("\x00" + SECTION_42 + "\u200b\x1b", api_name="/ask")
    assert result["ok"] is True and result["citations"]


def test_reports_are_left_out_unless_asked_for(client: Any) -> None:
    question = "What is it like for families waiting for an EHC needs assessment?"
    law_only = client.predict(question, False, api_name="/ask")
    kinds = {c["kind"] for c in law_only["citations"]}
    assert kinds <= {"legislation", "statutory_guidance", "guidance"}


#: The date each legislation file in ../shared/corpus is revised to (its front matter).
CURRENT_TO = {
    "ukpga-2014-6": "2018-03-07",
    "uksi-2014-1530": "2018-04-03",
    "uksi-2014-1652": "2020-05-01",
    "uksi-2017-1306": "2020-05-01",
    "ukpga-2010-15": "2021-01-21",
}


def test_every_law_citation_says_what_date_its_text_is_revised_to(client: Any) -> None:
    result = client.predict(SECTION_42, api_name="/ask")
    law = [c for c in result["citations"] if c["kind"] == "legislation"]
    assert law
    for c in law:
        assert c["current_to"] == CURRENT_TO[c["source_id"]]
    assert result["citations"][0]["current_to_text"] == "text as revised to 7 March 2018"
    # Said once per answer: the Act's text is years old.
    assert "as revised to 7 March 2018, more than a year ago" in result["current_to_notice"]


def test_deadlines_and_letters_carry_the_dates_of_their_law(client: Any) -> None:
    rows = client.predict("request", "3 March 2025", api_name="/deadlines")["deadlines"]
    assert {row["current_to"] for row in rows} == {CURRENT_TO["uksi-2014-1530"]}
    letter = client.predict("missed_deadline", "Asked on 3 March 2025.", api_name="/letter")
    assert letter["citations"]
    for c in letter["citations"]:
        if c["kind"] == "legislation":
            assert c["current_to"] == CURRENT_TO[c["source_id"]]
    references = letter["markdown"].split("**References**", 1)[1]
    assert "(text as revised to 3 April 2018)" in references
    assert references.count("Check for later changes") == 1


# --- /deadlines ----------------------------------------------------------------------------


def test_deadlines_for_a_request_cite_the_regulations(client: Any) -> None:
    result = client.predict("request", "3 March 2025", api_name="/deadlines")
    assert result["ok"] is True
    by_locator = {row["locator"]: row for row in result["deadlines"]}
    final = by_locator["reg.13(2)"]
    assert final["due"] == "2025-07-21" and final["due_text"] == "21 July 2025"
    assert final["label"] == "SEND Regulations 2014, reg.13(2)"
    assert final["url"].endswith("/uksi/2014/1530/regulation/13/2")
    assert "within 20 weeks" in final["quote"]
    assert by_locator["reg.5(1)"]["due"] == "2025-04-14"


@pytest.mark.parametrize(
    ("event", "when", "expected"),
    [
        ("request", "31 February 2025", "not a real date"),
        ("request", "next Tuesday", "could not read"),
        ("request", "", "Please type the date"),
        ("not-an-event", "3 March 2025", "choose what happened"),
    ],
)
def test_bad_deadline_input_gets_a_clear_message(
    client: Any, event: str, when: str, expected: str
) -> None:
    result = client.predict(event, when, api_name="/deadlines")
    assert result["ok"] is False and expected in result["message"]


def test_deadline_table_html_is_escaped_and_linked(qa: SendQA) -> None:
    from ui.deadlines_tab import DeadlineHandlers

    handlers = DeadlineHandlers(qa, today=lambda: date(2025, 5, 1))
    page = handlers.show("request", "3 March 2025")
    assert "21 July 2025" in page and "SEND Regulations 2014, reg.13(2)" in page
    assert 'rel="noopener noreferrer"' in page and 'target="_blank"' in page
    assert "Passed 17 days ago" in page  # 14 April 2025, seen on 1 May 2025
    assert "81 days left" in page  # 21 July 2025
    bad = handlers.show("request", "<b>3 March</b>")
    assert "<b>" not in bad and "&lt;b&gt;" in bad


# --- /letter -------------------------------------------------------------------------------


def test_assessment_letter_cites_section_36_and_regulation_5(client: Any) -> None:
    result = client.predict(
        "assessment_request", "Sam, born 2016. I asked on 3 March 2025.", api_name="/letter"
    )
    assert result["ok"] is True
    locators = {c["locator"] for c in result["citations"]}
    assert "s.36(1)" in locators and "reg.5(1)" in locators
    markdown = result["markdown"]
    assert "**References**" in markdown and "I asked on 3 March 2025." in markdown
    for c in result["citations"]:
        assert f"[{c['key']}] {c['label']} ({c['current_to_text']})." in markdown


@pytest.mark.parametrize(
    ("purpose", "needed"),
    [
        ("missed_deadline", {"reg.5(1)", "reg.13(2)"}),
        ("review_or_amendment", {"s.44(1)", "s.44(2)"}),
        ("named_school", {"s.39(3)", "s.39(4)"}),
        ("mediation_appeal", {"s.51(1)", "s.55(3)", "reg.33"}),
    ],
)
def test_each_letter_cites_the_provisions_it_relies_on(
    qa: SendQA, purpose: str, needed: set[str]
) -> None:
    from casework.draft import draft_letter

    letter = draft_letter(qa, purpose, "facts")
    assert needed <= {c.passage.locator for c in letter.citations}
    assert letter.notes == ()
    for c in letter.citations:
        assert f"[{c.key}]" in letter.markdown


def test_parent_reply_is_drafted_from_a_cited_answer(client: Any) -> None:
    result = client.predict(
        "parent_reply",
        "Who has to provide the therapy in section F of an EHC plan?",
        api_name="/letter",
    )
    assert result["ok"] is True and result["citations"]
    assert result["markdown"].startswith("Dear [parent's name],")


def test_unknown_letter_purpose_is_refused(client: Any) -> None:
    result = client.predict("sue_everyone", "", api_name="/letter")
    assert result["ok"] is False and "Unknown purpose" in result["message"]


def test_letter_exports_write_md_and_docx(qa: SendQA, tmp_path: Path) -> None:
    from docx import Document

    from ui.caseworker_tab import LetterHandlers

    handlers = LetterHandlers(qa, folder=tmp_path)
    text, refs, status = handlers.draft("named_school", "Ask for Oak Hill School.")
    assert "s.39(3)" in refs and "Draft ready" in status
    md_path, _ = handlers.export(text + "\nEdited.", "md")
    docx_path, _ = handlers.export(text, "docx")
    assert md_path and Path(md_path).read_text(encoding="utf-8").endswith("Edited.")
    assert docx_path and any("Oak Hill School." in p.text for p in Document(docx_path).paragraphs)
    assert handlers.export("  ", "md") == (None, "Draft a letter first.")


# --- the chat handler, rendering and safety ----------------------------------------------


def test_chat_streams_crisis_banner_before_the_answer(qa: SendQA, app_settings: Settings) -> None:
    from ui.ask_tab import AskHandlers
    from ui.feedback import FeedbackStore

    handlers = AskHandlers(qa, FeedbackStore(app_settings.feedback_db))
    question = "My son said he wants to kill himself. What does section 42 say?"
    steps = list(handlers.respond(question, [], False, []))
    contents = [step[0][-1]["content"] for step in steps]
    assert "Looking in the law" in contents[0]
    assert contents[1].startswith('<div class="crisis-banner" role="alert">')
    assert "116 123" in contents[1]
    final_chat, _, sources, last, past = steps[-1]
    assert final_chat[-1]["content"].startswith('<div class="crisis-banner"')
    assert 'href="#a1-source-1"' in final_chat[-1]["content"]
    assert 'id="a1-source-1"' in sources and "<mark>" in sources
    assert past == [question] and last["anchors"]


def test_sources_panel_shows_the_note_under_the_quote(qa: SendQA, app_settings: Settings) -> None:
    from ui.ask_tab import AskHandlers
    from ui.feedback import FeedbackStore
    from ui.render import NOTE_LABEL

    handlers = AskHandlers(qa, FeedbackStore(app_settings.feedback_db))
    *_, (chat, _, sources, _, _) = handlers.respond(SECTION_42, [], False, [])
    first = sources[sources.index('id="a1-source-1"') :]
    first = first[: first.index("</li>")]
    assert NOTE_LABEL in first
    assert first.index("</blockquote>") < first.index(NOTE_LABEL)
    assert NOTE_LABEL not in chat[-1]["content"]  # the note is in the panel, not the answer


def test_each_answer_links_to_its_own_sources(qa: SendQA, app_settings: Settings) -> None:
    """Tapping [1] under an earlier answer shows that answer's source, not the latest one's."""
    from ui.ask_tab import AskHandlers
    from ui.feedback import FeedbackStore

    handlers = AskHandlers(qa, FeedbackStore(app_settings.feedback_db))
    first = list(handlers.respond("What does section 42 say?", [], False, []))[-1]
    chat, _, _, last, past = first
    second = list(handlers.respond("reg 13 SEND regs", chat, False, past, last))[-1]
    chat, _, sources, last, past = second
    assert 'href="#a1-source-1"' in chat[1]["content"]
    assert 'href="#a2-source-1"' in chat[3]["content"]
    latest, earlier = sources.index('id="a2-source-1"'), sources.index('id="a1-source-1"')
    assert latest < earlier  # the latest answer's sources come first
    assert "reg.13" in sources[latest : latest + 600]
    assert "s.42" in sources[earlier : earlier + 600]
    assert "Sources for answer 2" in sources and len(last["panels"]) == 2


def test_chat_escapes_user_text(qa: SendQA, app_settings: Settings) -> None:
    from ui.ask_tab import AskHandlers
    from ui.feedback import FeedbackStore

    handlers = AskHandlers(qa, FeedbackStore(app_settings.feedback_db))
    nasty = "<script>x()</script> ![x](http://127.0.0.1:9/x.png) [click](javascript:alert(1))"
    steps = list(handlers.respond(nasty, [], False, []))
    shown = steps[-1][0][-2]["content"]
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "](" not in shown and "![" not in shown  # Markdown link/image syntax is escaped
    empty = list(handlers.respond("", [], False, []))
    assert empty[-1][0][-1]["content"].startswith("Please type a question")


def test_feedback_from_the_chat_is_stored_without_the_question(
    qa: SendQA, app_settings: Settings, tmp_path: Path
) -> None:
    from ui.ask_tab import AskHandlers
    from ui.feedback import FeedbackStore

    store = FeedbackStore(tmp_path / "fb.sqlite3")
    handlers = AskHandlers(qa, store)
    steps = list(handlers.respond("My son is called Tom. " + SECTION_42, [], False, []))
    last = steps[-1][3]
    assert "saved" in handlers.feedback("down", ["wrong law", "bogus"], last)
    (row,) = store.rows()
    assert row.rating == "down" and row.reasons == ["wrong law"]
    assert row.question_text is None
    assert any("s.42" in a for a in row.anchors)
    assert "Ask a question first" in handlers.feedback("up", [], {})


def test_a_broken_pipeline_gives_a_friendly_sentence(caplog: pytest.LogCaptureFixture) -> None:
    from ui.ask_tab import AskHandlers
    from ui.messages import FRIENDLY_ERROR, SERVICE_ERROR

    class Broken:
        def __init__(self, exc: Exception) -> None:
            self.exc = exc

        def ask(self, *args: Any, **kwargs: Any) -> Any:
            raise self.exc

    secret = "my daughter Amy Jones"
    for exc, message in (
        (RuntimeError(secret), FRIENDLY_ERROR),
        (IndexMissingError(secret), SERVICE_ERROR),
    ):
        handlers = AskHandlers(Broken(exc), store=None)  # type: ignore[arg-type]
        steps = list(handlers.respond(secret, [], False, []))
        assert steps[-1][0][-1]["content"] == message
        assert handlers.api_ask(secret)["message"] == message
    assert "Amy" not in caplog.text
    assert "RuntimeError" in caplog.text


def test_sources_panel_escapes_everything() -> None:
    from ui.render import safe_url, sources_html

    text = "Before <script>alert(1)</script> the quote & after."
    bad = Passage(
        passage_id=passage_id_for("x", "1", text),
        text=text,
        anchor=Anchor(
            source_id="x",
            locator="1",
            label="<img src=x onerror=alert(1)>",
            url="javascript:alert(1)",
        ),
        kind="testimony",
    )
    page = sources_html([Citation(key=3, passage=bad, quote="the quote &")])
    assert "<script>" not in page and "<img" not in page and "javascript:" not in page
    assert "<mark>the quote &amp;</mark>" in page
    assert 'id="source-3"' in page and "Testimony" in page and "Experience, not law" in page
    assert safe_url("https://www.legislation.gov.uk/x") and not safe_url("data:text/html,x")


def test_auth_needs_both_name_and_password(app_settings: Settings) -> None:
    from ui.app import _auth

    assert _auth(app_settings) is None
    both = app_settings.model_copy(update={"auth_username": "cw", "auth_password": "pw"})
    assert _auth(both) == ("cw", "pw")
    with pytest.raises(ConfigError):
        _auth(app_settings.model_copy(update={"auth_username": "cw"}))
