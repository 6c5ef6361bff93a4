"""The Ask tab (parents, phone first) and the /ask API: a cited chat with a Sources panel.

Crisis signposting comes first, as a banner with role="alert" above the answer. The answer
streams paragraph by paragraph; each [n] links to its own entry in the Sources panel.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import gradio as gr

from rag.current_to import stale_notice
from rag.pipeline import SendQA
from rag.query import MAX_QUESTION_CHARS, normalise_question
from rag.safety import NOT_LEGAL_ADVICE
from rag.schema import Answer
from rag.serialise import citation_json
from ui.announce import announce_text_of
from ui.feedback import REASONS, FeedbackStore
from ui.messages import ANSWERS, failure_message, log_failure
from ui.render import answer_chunks, safe_user_text, sources_html, strip_notice

EMPTY_MESSAGE = "Please type a question about special educational needs and disabilities (SEND)."
TOO_LONG_MESSAGE = (
    "Your question is {n:,} characters long. Please shorten it to {limit:,} characters or fewer "
    "(and leave out names and other personal details)."
)
THINKING = "_Looking in the law and guidance…_"
LAW_AND_GUIDANCE = ["law", "guidance"]
EXAMPLES = (
    "The council hasn't decided whether to assess my son and it's been 9 weeks — is that allowed?",
    "Who has to provide the therapy in section F of an EHC plan?",
    "What does section 42 of the Children and Families Act say?",
)
INTRO = (
    "**Ask about SEND law in England.** Every answer quotes the law or guidance it comes from, "
    "so you can check it and quote it back. Please don't type names or other personal details."
)
#: After an answer: bring the question and the start of its answer into view (not the end),
#: then read the finished answer out once (ui/app.js: the chat log itself is not live, so a
#: screen reader does not read it piece by piece as it streams). The crisis banner is not read
#: again: role="alert" announced it the moment it appeared, before the answer.
AFTER_ANSWER = """() => {
  const asked = document.querySelectorAll('#chat [data-testid="user"]');
  if (asked.length) {
    const last = asked[asked.length - 1];
    const log = last.closest('[role="log"]');
    if (!log || log.scrollHeight <= log.clientHeight + 1) {
      // The chat grows with the page (narrow screens): scroll the page to the question.
      const top = last.getBoundingClientRect().top;
      if (top < 0 || top > window.innerHeight / 2) { last.scrollIntoView({block: "start"}); }
    } else {
      const top = last.getBoundingClientRect().top - log.getBoundingClientRect().top;
      log.scrollTo({top: Math.max(top + log.scrollTop - 8, 0)});
      const chat = log.closest('#chat') || log;
      const box = chat.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) { chat.scrollIntoView({block: "start"}); }
    }
  }
  const answers = document.querySelectorAll('#chat [data-testid="bot"]');
  if (!answers.length || !window.sendqaAnnounce) { return; }
  const copy = answers[answers.length - 1].cloneNode(true);
  copy.querySelectorAll('.crisis-banner, button').forEach((e) => e.remove());
  copy.querySelectorAll('a.cite').forEach((a) => {
    const name = a.querySelector('.sr-only');
    a.replaceWith(' (' + (name ? name.textContent.split(':')[0] : a.textContent) + ')');
  });
  copy.querySelectorAll('p, li, h1, h2, h3, h4, div').forEach((e) => e.append(' '));
  const text = copy.textContent.replace(/\\s+/g, ' ').trim();
  if (text) { window.sendqaAnnounce('Answer: ' + text); }
}"""
#: While the answer is looked up: a short polite line, so pressing Ask is never silent.
ANNOUNCE_SEARCHING = """() => {
  if (window.sendqaAnnounce) { window.sendqaAnnounce('Looking in the law and guidance.'); }
}"""
CHAT_PLACEHOLDER = (
    "Ask a question about special educational needs and disabilities (SEND): assessments, "
    "EHC plans, deadlines, schools, appeals."
)

Chat = list[dict[str, Any]]
#: One streamed update: chat, question box, Sources panel, last answer's state, past questions.
#: Gradio's ``skip()`` (leave that output as it is) stands in for the box or panel at times.
Update = tuple[Chat, Any, Any, Any, list[str]]


def check_question(text: str | None) -> str | None:
    """A message for input that cannot be a question (empty, too long); None when it is fine."""
    # Measure what the pipeline will read: zero-width and control characters do not count.
    cleaned = normalise_question(text or "", limit=None)
    if not cleaned or not any(ch.isalnum() for ch in cleaned):
        return EMPTY_MESSAGE
    if len(cleaned) > MAX_QUESTION_CHARS:
        return TOO_LONG_MESSAGE.format(n=len(cleaned), limit=MAX_QUESTION_CHARS)
    return None


def _kinds(include_reports: bool) -> list[str] | None:
    """Law and guidance only, unless the user asks for reports and testimony too."""
    return None if include_reports else list(LAW_AND_GUIDANCE)


def _api_result(ok: bool, message: str) -> dict[str, Any]:
    """The fields every /ask reply has, so clients can rely on them."""
    return {
        "ok": ok,
        "message": message,
        "answer": message,
        "citations": [],
        "abstained": True,
        "crisis": False,
        "current_to_notice": "",
    }


class AskHandlers:
    """Event handlers of the Ask tab and the /ask API, sharing one SendQA and feedback store."""

    def __init__(self, qa: SendQA, store: FeedbackStore) -> None:
        self.qa = qa
        self.store = store

    def ask(
        self, question: str, include_reports: bool = False, history: Sequence[str] = ()
    ) -> Answer:
        """One call to the pipeline, with the checkbox turned into source kinds."""
        return self.qa.ask(question, kinds=_kinds(include_reports), history=list(history))

    def respond(
        self,
        message: str | None,
        chat: Chat | None,
        include_reports: bool,
        past: list[str] | None,
        last: dict[str, Any] | None = None,
    ) -> Iterator[Update]:
        """Stream one answer into the chat: banner first, then the answer paragraph by paragraph.

        Each answer's [n] links to its own sources (ids a1-source-1, a2-source-1, ...), and the
        panel keeps earlier answers' sources below the latest, so scrolling back to an earlier
        answer and tapping [2] never shows another answer's source.
        """
        chat = list(chat or [])
        past = list(past or [])
        panels: list[str] = list((last or {}).get("panels", []))
        problem = check_question(message)
        if problem:
            chat.append({"role": "assistant", "content": problem})
            yield [*chat], message or "", gr.skip(), gr.skip(), past
            return
        # Control and zero-width characters are dropped before the text is shown or sent.
        text = normalise_question(message or "")
        chat.append({"role": "user", "content": safe_user_text(text)})
        chat.append({"role": "assistant", "content": THINKING})
        yield [*chat], "", gr.skip(), gr.skip(), past
        try:
            answer = self.ask(text, include_reports, past)
        except Exception as exc:  # noqa: BLE001 - the UI must never show a traceback
            log_failure("ask", exc)
            chat[-1] = {"role": "assistant", "content": failure_message(exc)}
            yield [*chat], "", gr.skip(), gr.skip(), past
            return
        turn = len(panels) + 1
        prefix = f"a{turn}-source"
        shown: list[str] = []
        for chunk in answer_chunks(answer, prefix):
            shown.append(chunk)
            chat[-1] = {"role": "assistant", "content": "\n\n".join(shown)}
            yield [*chat], "", gr.skip(), gr.skip(), past
        empty = (
            "No sources: the law and guidance sendqa holds did not answer this question."
            if answer.abstained
            else "No sources for this answer."
        )
        heading = "Sources" if turn == 1 else f"Sources for answer {turn}"
        panel = sources_html(answer.citations, empty=empty, id_prefix=prefix, heading=heading)
        state = {
            "anchors": [c.passage.anchor.label for c in answer.citations],
            "timings": dict(answer.timings_ms),
            "question": text,
            "panels": [*panels, panel],
        }
        # Latest answer's sources first; earlier answers' below, so their links still resolve.
        yield [*chat], "", "".join([panel, *reversed(panels)]), state, [*past, text]

    def api_ask(self, question: str, include_reports: bool = False) -> dict[str, Any]:
        """JSON for /ask: answer text, citations, abstained and crisis; never raises."""
        problem = check_question(question)
        if problem:
            return _api_result(False, problem)
        try:
            answer = self.ask(question.strip(), include_reports)
        except Exception as exc:  # noqa: BLE001
            log_failure("api ask", exc)
            return _api_result(False, failure_message(exc))
        return {
            **_api_result(True, ""),
            "answer": strip_notice(answer.text),
            "citations": [citation_json(c) for c in answer.citations],
            "abstained": answer.abstained,
            "crisis": answer.crisis,
            "safety_notice": answer.safety_notice,
            "not_legal_advice": NOT_LEGAL_ADVICE,
            "notes": list(answer.notes),
            "current_to_notice": stale_notice((c.passage for c in answer.citations), date.today()),
        }

    def feedback(self, rating: str, reasons: list[str] | None, last: dict[str, Any] | None) -> str:
        """Store a thumbs up/down for the latest answer; returns a short thank-you or why not."""
        if not last:
            return "Ask a question first, then tell us whether the answer helped."
        try:
            self.store.add(
                rating,
                reasons=[r for r in (reasons or []) if r in REASONS],
                anchors=last.get("anchors", []),
                timings=last.get("timings", {}),
                question=last.get("question"),
            )
        except Exception as exc:  # noqa: BLE001
            log_failure("feedback", exc)
            return "Sorry, we could not save your feedback just now."
        return (
            "Thank you: your feedback was saved (without your question)."
            if not self.store.store_question_text
            else "Thank you: your feedback was saved."
        )


def build_tab(handlers: AskHandlers) -> None:
    """Chat, example questions, the Sources panel and feedback (inside a gr.Tab)."""
    gr.Markdown(INTRO, elem_classes=["app-intro"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            chat = gr.Chatbot(
                label="Conversation",
                show_label=False,
                elem_id="chat",
                autoscroll=False,
                # Grows with the answer up to the window's height, less room for the question
                # box: an answer is read in the page, not in a small scrolling box.
                height="auto",
                min_height="14rem",
                max_height="calc(100dvh - 10rem)",
                latex_delimiters=[],
                sanitize_html=True,
                render_markdown=True,
                allow_file_downloads=False,
                placeholder=CHAT_PLACEHOLDER,
                buttons=["copy"],
            )
            question = gr.Textbox(
                label="Your question",
                placeholder="Type your question, then press Ask",
                # One line so Enter submits (Gradio needs Shift+Enter when lines > 1); it grows.
                lines=1,
                max_lines=8,
                elem_id="question",
            )
            with gr.Row():
                ask_button = gr.Button("Ask", variant="primary", elem_id="ask-button", scale=2)
                clear_button = gr.Button("New conversation", elem_id="clear-button", scale=1)
            include_reports = gr.Checkbox(
                label="Include inspection reports and testimony",
                info="Off: law and guidance only. Reports and testimony show experience, not law.",
                value=False,
                elem_id="include-reports",
            )
            gr.Markdown(NOT_LEGAL_ADVICE, elem_classes=["quiet-notice"], elem_id="not-advice")
            gr.Markdown("**Try an example**")
            with gr.Column(elem_classes=["example-buttons"]):
                example_buttons = [
                    gr.Button(text, size="sm", variant="secondary") for text in EXAMPLES
                ]
        with gr.Column(scale=2, min_width=280):
            sources = gr.HTML(sources_html(()), elem_id="sources", label="Sources")
            gr.Markdown("**Was this answer helpful?**")
            reasons = gr.CheckboxGroup(
                choices=list(REASONS), label="What was wrong? (optional)", elem_id="reasons"
            )
            with gr.Row():
                up = gr.Button("Yes, helpful", elem_id="feedback-up", min_width=120)
                down = gr.Button("No, not helpful", elem_id="feedback-down", min_width=120)
            feedback_status = gr.Markdown(elem_id="feedback-status")
    past = gr.State([])
    last = gr.State({})
    inputs = [question, chat, include_reports, past, last]
    outputs = [chat, question, sources, last, past]
    private: dict[str, Any] = {"api_visibility": "private"}
    # Every event that runs the pipeline shares one concurrency limit (settings.concurrency_limit).
    answers: dict[str, Any] = {"concurrency_id": ANSWERS}
    for event in (ask_button.click, question.submit):
        event(None, js=ANNOUNCE_SEARCHING, **private)
        event(handlers.respond, inputs=inputs, outputs=outputs, **private, **answers).then(
            None, js=AFTER_ANSWER, **private
        )
    for button, text in zip(example_buttons, EXAMPLES, strict=True):
        button.click(None, js=ANNOUNCE_SEARCHING, **private)
        button.click(lambda t=text: t, outputs=question, **private).then(
            handlers.respond, inputs=inputs, outputs=outputs, **private, **answers
        ).then(None, js=AFTER_ANSWER, **private)
    clear_button.click(
        lambda: ([], "", sources_html(()), {}, [], ""),
        outputs=[*outputs, feedback_status],
        **private,
    )
    up.click(
        lambda r, s: handlers.feedback("up", r, s), [reasons, last], feedback_status, **private
    ).then(None, js=announce_text_of("#feedback-status"), **private)
    down.click(
        lambda r, s: handlers.feedback("down", r, s), [reasons, last], feedback_status, **private
    ).then(None, js=announce_text_of("#feedback-status"), **private)
