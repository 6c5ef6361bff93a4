"""The sendqa web app: Ask (parents, phone first), Deadlines, and a caseworker workspace.

Safety decisions, each tested:

- Every piece of text shown as HTML is escaped here (``html.escape``); the user's own words are
  also stripped of Markdown meaning, so a question cannot inject a script, an image or a link.
- Crisis signposting comes first, as a banner with role="alert" above the answer.
- Handlers never raise: errors become one friendly sentence, and only the exception's type is
  logged (the question may hold a child's personal data).
- The app binds 127.0.0.1 unless told otherwise, never shares publicly, and sends no analytics.
"""

from __future__ import annotations

import html
import logging
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.events import api

from rag.deadlines import EVENTS, compute_deadlines, format_date, parse_user_date
from rag.errors import ConfigError, SendQAError
from rag.pipeline import SendQA
from rag.query import MAX_QUESTION_CHARS, normalise_question
from rag.safety import CRISIS_SIGNPOSTING, NOT_LEGAL_ADVICE
from rag.schema import Answer, Citation, Passage, SourceKind
from rag.settings import Settings
from ui.feedback import REASONS, FeedbackStore
from ui.letters import PURPOSES, draft_letter, export_docx, export_markdown

log = logging.getLogger("sendqa.ui")

#: One concurrency group for every event that runs the answer pipeline (chat, /ask, letters).
ANSWERS = "answers"
FRIENDLY_ERROR = "Something went wrong on our side; please try again."
SERVICE_ERROR = (
    "Sorry, the answer service is not available right now. Please try again later; if it keeps "
    "happening, tell whoever runs this service."
)
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
#: Badge words by source kind: law binds, guidance guides, reports and testimony are experience.
KIND_BADGE: dict[SourceKind, tuple[str, str]] = {
    "legislation": ("Law", "badge-law"),
    "statutory_guidance": ("Statutory guidance", "badge-statutory"),
    "guidance": ("Guidance", "badge-guidance"),
    "inspection_report": ("Report", "badge-report"),
    "parliamentary_record": ("Report", "badge-report"),
    "testimony": ("Testimony", "badge-testimony"),
}
EXCERPT_CHARS = 700
_MARKER = re.compile(r"\[(\d{1,3})\]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:])")

CSS = """
.gradio-container { max-width: 1180px !important; margin: 0 auto !important; }
.app-intro p { margin: 0.25rem 0; }
.quiet-notice, .quiet-notice p { font-size: 0.82rem !important; line-height: 1.35;
  color: var(--body-text-color-subdued) !important; }
.crisis-banner { background: #fff4ce; color: #1f1f1f; border: 2px solid #b45309;
  border-left: 8px solid #b45309; border-radius: 8px; padding: 0.6rem 0.9rem;
  margin: 0 0 0.75rem 0; }
.crisis-banner *, .crisis-banner a { color: #1f1f1f !important; }
.crisis-banner ul { margin: 0.3rem 0 0.3rem 1.1rem; padding: 0; }
a.cite { font-weight: 700; text-decoration: underline; white-space: nowrap; }
.sendqa-sources h2 { font-size: 1.1rem; margin: 0 0 0.5rem 0; }
.sendqa-sources ol { list-style: none; margin: 0; padding: 0; }
.sendqa-sources .source { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 0.6rem 0.75rem; margin: 0 0 0.6rem 0; scroll-margin-top: 1rem; }
.sendqa-sources .source:target { outline: 3px solid #1d4ed8; outline-offset: 1px; }
.sendqa-sources .source-head { display: flex; flex-wrap: wrap; gap: 0.35rem;
  align-items: baseline; margin-bottom: 0.35rem; }
.sendqa-sources .source-key { font-weight: 700; }
.sendqa-sources blockquote { margin: 0.25rem 0; padding: 0 0 0 0.6rem;
  border-left: 3px solid var(--border-color-primary); font-size: 0.92rem; overflow-wrap: anywhere; }
.sendqa-sources .empty { color: var(--body-text-color-subdued); }
.badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px;
  font-size: 0.78rem; font-weight: 700; color: #ffffff !important; }
.badge-law { background: #1e3a8a; }
.badge-statutory { background: #065f46; }
.badge-guidance { background: #374151; }
.badge-report, .badge-testimony { background: #9a3412; }
mark { background: #fef3b0; color: #111111 !important; padding: 0 0.1rem; }
.sendqa-sources a, .deadlines a { overflow-wrap: anywhere; }
:focus-visible { outline: 3px solid #1d4ed8 !important; outline-offset: 2px !important; }
.example-buttons button { text-align: left !important; justify-content: flex-start !important;
  white-space: normal !important; height: auto !important; }
table.deadlines { width: 100%; border-collapse: collapse; font-size: 0.92rem;
  border: none !important; }
table.deadlines th, table.deadlines td { border: none !important;
  border-bottom: 1px solid var(--border-color-primary) !important;
  padding: 0.45rem; text-align: left; vertical-align: top; }
table.deadlines .passed { color: #b91c1c; font-weight: 700; }
table.deadlines .due-soon { color: #92400e; font-weight: 700; }
.dark table.deadlines .passed { color: #fca5a5; }
.dark table.deadlines .due-soon { color: #fcd34d; }
.form-message { font-weight: 600; }
@media (max-width: 640px) {
  .gradio-container { padding: 0 6px !important; }
  table.deadlines thead { display: none; }
  table.deadlines, table.deadlines tbody, table.deadlines tr, table.deadlines td {
    display: block; width: 100%; }
  table.deadlines tr { border: 1px solid var(--border-color-primary) !important; border-radius: 8px;
    margin-bottom: 0.6rem; padding: 0.2rem 0.4rem; }
  table.deadlines td { border: none !important; padding: 0.2rem 0; }
  table.deadlines td::before { content: attr(data-label) ": "; font-weight: 700; }
}
"""


def _theme() -> gr.themes.Base:
    """Blue primary buttons with white text: the default orange fails contrast (2.8:1)."""
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate").set(
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_background_fill_dark="*primary_600",
        button_primary_text_color="white",
        button_primary_text_color_dark="white",
        link_text_color="*primary_700",
        link_text_color_dark="*primary_300",
    )


class SendQABlocks(gr.Blocks):
    """Blocks whose launch() brings sendqa's theme and CSS (Gradio 6 takes them at launch)."""

    def launch(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("theme", _theme())
        kwargs.setdefault("css", CSS)
        return super().launch(*args, **kwargs)


# --- escaping and rendering ----------------------------------------------------------------


def esc(text: object) -> str:
    """HTML-escape anything shown inside our HTML."""
    return html.escape(str(text), quote=True)


def safe_user_text(text: str) -> str:
    """The user's words as inert text: no HTML, no Markdown links, images or emphasis."""
    return html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", text), quote=False)


def safe_url(url: str) -> str:
    """Only http(s) links are shown; anything else (javascript:, data:) is dropped."""
    return url if re.match(r"https?://", url or "", re.IGNORECASE) else ""


def external_link(url: str, label: str) -> str:
    """An escaped link that opens in a new tab without giving the page a handle on ours."""
    href = safe_url(url)
    if not href:
        return esc(label)
    return f'<a href="{esc(href)}" target="_blank" rel="noopener noreferrer">{esc(label)}</a>'


def trusted_markdown_html(text: str) -> str:
    """Render our own constant Markdown (bold, bullet lists, paragraphs) as escaped HTML."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        items = [_inline(line[2:]) for line in lines if line.startswith("- ")]
        if items and len(items) == len(lines):
            blocks.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
        else:
            blocks.append("<p>" + " ".join(_inline(line) for line in lines) + "</p>")
    return "".join(blocks)


def _inline(text: str) -> str:
    """Escape, then turn **bold** into <strong>."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", esc(text))


def crisis_banner_html(notice: str = CRISIS_SIGNPOSTING) -> str:
    """The signposting banner shown above an answer; role=alert so screen readers say it now."""
    return f'<div class="crisis-banner" role="alert">{trusted_markdown_html(notice)}</div>'


def _strip_notice(text: str) -> str:
    """The pipeline appends the not-legal-advice line; the app shows it under the chat instead."""
    return text.replace(f"_{NOT_LEGAL_ADVICE}_", "").strip()


def _inert_brackets(text: str) -> str:
    """Escape Markdown brackets so quoted or generated text cannot form a link or an image."""
    return text.replace("[", "\\[").replace("]", "\\]")


def answer_markdown(answer: Answer, id_prefix: str = "source") -> str:
    """The answer body, escaped, with each [n] linked to its entry in the Sources panel.

    Passages (user-added testimony too) and LLM output are not ours: any other bracket is
    escaped, so '![x](http://...)' or '[click](javascript:...)' shows as text, never loads.
    """
    keys = {c.key for c in answer.citations}
    body = html.escape(_strip_notice(answer.text), quote=False)
    parts: list[str] = []
    start = 0
    for m in _MARKER.finditer(body):
        parts.append(_inert_brackets(body[start : m.start()]))
        n = int(m.group(1))
        if n in keys:
            parts.append(
                f'<a href="#{id_prefix}-{n}" class="cite" aria-label="source {n}">[{n}]</a>'
            )
        else:
            parts.append(_inert_brackets(m.group(0)))
        start = m.end()
    parts.append(_inert_brackets(body[start:]))
    return "".join(parts)


def answer_chunks(answer: Answer, id_prefix: str = "source") -> list[str]:
    """The answer in the order it is streamed: crisis banner, then paragraph by paragraph."""
    chunks = [crisis_banner_html(answer.safety_notice)] if answer.crisis else []
    chunks += [p for p in answer_markdown(answer, id_prefix).split("\n\n") if p.strip()]
    chunks += [f"_{esc(note)}_" for note in answer.notes]
    return chunks


def highlight(text: str, quote: str, limit: int = EXCERPT_CHARS) -> str:
    """The passage, escaped, with the supporting quote in <mark>; long ones cut around it."""
    start = text.find(quote) if quote else -1
    if start < 0:
        excerpt = text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"
        return esc(excerpt).replace("\n", "<br>")
    end = start + len(quote)
    before, after = text[:start], text[end:]
    room = max(limit - len(quote), 0)
    if len(before) > room // 2:
        before = "… " + before[len(before) - room // 2 :].split(" ", 1)[-1]
    if len(after) > room // 2:
        after = after[: room // 2].rsplit(" ", 1)[0] + " …"
    marked = f"{esc(before)}<mark>{esc(quote)}</mark>{esc(after)}"
    return marked.replace("\n", "<br>")


def source_item_html(citation: Citation, id_prefix: str = "source") -> str:
    """One entry of the Sources panel: [n], kind badge, linked label, passage with the quote."""
    passage = citation.passage
    badge, css_class = KIND_BADGE[passage.kind]
    note = ""
    if passage.authority == "experience":
        note = '<p class="quiet-notice">Experience, not law: shows how things work in practice.</p>'
    return (
        f'<li class="source" id="{esc(id_prefix)}-{citation.key}">'
        f'<div class="source-head"><span class="source-key">[{citation.key}]</span>'
        f'<span class="badge {css_class}">{esc(badge)}</span>'
        f"{external_link(passage.anchor.url, passage.anchor.label)}</div>"
        f"<blockquote>{highlight(passage.text, citation.quote)}</blockquote>{note}</li>"
    )


def sources_html(
    citations: Sequence[Citation],
    empty: str = "Sources for each answer appear here, with the words that support it highlighted.",
    id_prefix: str = "source",
    heading: str = "Sources",
) -> str:
    """The Sources panel for the latest answer, every text escaped."""
    if not citations:
        return (
            f'<section class="sendqa-sources" aria-label="{esc(heading)}">'
            f'<h2>{esc(heading)}</h2><p class="empty">{esc(empty)}</p></section>'
        )
    items = "".join(source_item_html(c, id_prefix) for c in citations)
    return (
        f'<section class="sendqa-sources" aria-label="{esc(heading)}">'
        f"<h2>{esc(heading)}</h2><ol>{items}</ol></section>"
    )


def citation_json(citation: Citation) -> dict[str, Any]:
    """A citation as plain JSON for the API."""
    passage = citation.passage
    return {
        "key": citation.key,
        "label": passage.anchor.label,
        "url": passage.anchor.url,
        "source_id": passage.source_id,
        "locator": passage.locator,
        "kind": passage.kind,
        "badge": KIND_BADGE[passage.kind][0],
        "quote": citation.quote,
    }


# --- the Ask tab ---------------------------------------------------------------------------


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


def _log_failure(where: str, exc: BaseException) -> None:
    """Log the exception's type only: its message may quote the user's question."""
    log.error("%s failed: %s", where, type(exc).__name__)


def _failure_message(exc: BaseException) -> str:
    """Our own errors mean the service is not ready; anything else is a bug on our side."""
    return SERVICE_ERROR if isinstance(exc, SendQAError) else FRIENDLY_ERROR


Chat = list[dict[str, Any]]


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
    ) -> Iterator[tuple[Chat, str, str, dict[str, Any], list[str]]]:
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
            _log_failure("ask", exc)
            chat[-1] = {"role": "assistant", "content": _failure_message(exc)}
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
        last = {
            "anchors": [c.passage.anchor.label for c in answer.citations],
            "timings": dict(answer.timings_ms),
            "question": text,
            "panels": [*panels, panel],
        }
        # Latest answer's sources first; earlier answers' below, so their links still resolve.
        yield [*chat], "", "".join([panel, *reversed(panels)]), last, [*past, text]

    def api_ask(self, question: str, include_reports: bool = False) -> dict[str, Any]:
        """JSON for /ask: answer text, citations, abstained and crisis; never raises."""
        problem = check_question(question)
        if problem:
            return _api_result(False, problem)
        try:
            answer = self.ask(question.strip(), include_reports)
        except Exception as exc:  # noqa: BLE001
            _log_failure("api ask", exc)
            return _api_result(False, _failure_message(exc))
        return {
            **_api_result(True, ""),
            "answer": _strip_notice(answer.text),
            "citations": [citation_json(c) for c in answer.citations],
            "abstained": answer.abstained,
            "crisis": answer.crisis,
            "safety_notice": answer.safety_notice,
            "not_legal_advice": NOT_LEGAL_ADVICE,
            "notes": list(answer.notes),
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
            _log_failure("feedback", exc)
            return "Sorry, we could not save your feedback just now."
        return (
            "Thank you: your feedback was saved (without your question)."
            if not (self.store.store_question_text)
            else "Thank you: your feedback was saved."
        )


def _api_result(ok: bool, message: str) -> dict[str, Any]:
    """The fields every /ask reply has, so clients can rely on them."""
    return {
        "ok": ok,
        "message": message,
        "answer": message,
        "citations": [],
        "abstained": True,
        "crisis": False,
    }


# --- the Deadlines tab ---------------------------------------------------------------------


def _event_label(key: str) -> str:
    """EVENTS are phrased to follow 'when'; capitalise them to stand alone in the dropdown."""
    text = EVENTS[key]
    return text[0].upper() + text[1:]


def _provision(passages: Sequence[Passage], source_id: str, locator: str) -> tuple[str, str]:
    """Label and URL of a provision from the index, for linking a deadline to its law."""
    for passage in passages:
        if passage.source_id == source_id and passage.locator == locator:
            return passage.anchor.label, passage.anchor.url
    short = {
        "uksi-2014-1530": "SEND Regulations 2014",
        "ukpga-2014-6": "Children and Families Act 2014",
    }.get(source_id, source_id)
    return f"{short}, {locator}", ""


def deadline_rows(
    event: str, date_text: str, today: date, passages: Sequence[Passage]
) -> list[dict[str, Any]]:
    """Each statutory deadline that follows from the event, as a row with its provision."""
    on = parse_user_date(date_text or "")
    rows = []
    for d in compute_deadlines(event, on, today):
        label, url = _provision(passages, d.rule.source_id, d.rule.locator)
        if d.passed:
            status = f"Passed {-d.days_left} day{'s' if d.days_left != -1 else ''} ago"
        elif d.days_left == 0:
            status = "Due today"
        else:
            status = f"{d.days_left} day{'s' if d.days_left != 1 else ''} left"
        rows.append(
            {
                "title": d.rule.title,
                "actor": d.rule.actor,
                "due": d.due.isoformat(),
                "due_text": format_date(d.due),
                "passed": d.passed,
                "days_left": d.days_left,
                "status": status,
                "locator": d.rule.locator,
                "label": label,
                "url": url,
                "quote": d.rule.quote,
                "caveat": d.rule.caveat,
                "notes": list(d.notes),
            }
        )
    return rows


def deadlines_table_html(rows: Sequence[dict[str, Any]], event: str, on_text: str) -> str:
    """The deadlines as an escaped table (cards on a phone), each citing its provision."""
    head = f"<p>Counting from <strong>{esc(on_text)}</strong>, when {esc(EVENTS[event])}:</p>"
    body = []
    for r in rows:
        status_class = "passed" if r["passed"] else ("due-soon" if r["days_left"] <= 14 else "")
        caveat = (
            f"<details><summary>Exceptions and notes</summary><p>{esc(r['caveat'])}</p>"
            + "".join(f"<p>{esc(n)}</p>" for n in r["notes"])
            + "</details>"
            if r["caveat"] or r["notes"]
            else ""
        )
        body.append(
            "<tr>"
            f'<td data-label="Deadline"><strong>{esc(r["title"])}</strong><br>'
            f'<span class="quiet-notice">Who: {esc(r["actor"])}</span></td>'
            f'<td data-label="Due">{esc(r["due_text"])}</td>'
            f'<td data-label="Status" class="{status_class}">{esc(r["status"])}</td>'
            f'<td data-label="The law">{external_link(r["url"], r["label"])}'
            f"<blockquote>“{esc(r['quote'])}…”</blockquote>{caveat}</td>"
            "</tr>"
        )
    table = (
        '<table class="deadlines"><thead><tr><th scope="col">Deadline</th>'
        '<th scope="col">Due date</th><th scope="col">Passed? / days left</th>'
        '<th scope="col">The law</th></tr></thead><tbody>' + "".join(body) + "</tbody></table>"
    )
    note = (
        '<p class="quiet-notice">The council can sometimes miss a limit lawfully (see each '
        "row's exceptions). " + esc(NOT_LEGAL_ADVICE) + "</p>"
    )
    return f'<div class="deadlines">{head}{table}{note}</div>'


def _message_html(text: str) -> str:
    """A one-line message in place of the table; role=status so screen readers announce it."""
    return f'<p class="form-message" role="status">{esc(text)}</p>'


class DeadlineHandlers:
    """The Deadlines tab and /deadlines API; ``today`` is injectable for tests."""

    def __init__(self, qa: SendQA, today: Callable[[], date] = date.today) -> None:
        self.qa = qa
        self.today = today

    def _passages(self) -> list[Passage]:
        """The current index's passages (it may have been swapped since the app started)."""
        return list(self.qa.retriever.index.passages.values())

    def rows(self, event: str, date_text: str) -> list[dict[str, Any]]:
        """Deadline rows, or ValueError with a sentence the user can act on."""
        if event not in EVENTS:
            raise ValueError("Please choose what happened from the list.")
        if not (date_text or "").strip():
            raise ValueError("Please type the date it happened, for example 3 March 2025.")
        return deadline_rows(event, date_text, self.today(), self._passages())

    def show(self, event: str, date_text: str) -> str:
        """HTML for the tab: the table, or one clear sentence saying what to fix."""
        try:
            rows = self.rows(event, date_text)
        except ValueError as exc:
            return _message_html(_date_message(exc))
        except Exception as exc:  # noqa: BLE001
            _log_failure("deadlines", exc)
            return _message_html(FRIENDLY_ERROR)
        return deadlines_table_html(rows, event, date_text.strip())

    def api(self, event: str, date_text: str) -> dict[str, Any]:
        """JSON for /deadlines: rows, or ok=False with the message."""
        try:
            return {"ok": True, "message": "", "deadlines": self.rows(event, date_text)}
        except ValueError as exc:
            return {"ok": False, "message": _date_message(exc), "deadlines": []}
        except Exception as exc:  # noqa: BLE001
            _log_failure("deadlines api", exc)
            return {"ok": False, "message": FRIENDLY_ERROR, "deadlines": []}


def _date_message(exc: ValueError) -> str:
    """parse_user_date's messages quote the input; cap it so a huge paste stays readable."""
    text = str(exc)
    return text if len(text) <= 300 else text[:280] + "…"


# --- the caseworker workspace ---------------------------------------------------------------


class LetterHandlers:
    """Draft, edit and export letters; exports go to a private temp folder, pruned hourly."""

    def __init__(self, qa: SendQA, folder: Path | None = None) -> None:
        self.qa = qa
        self.folder = folder or Path(tempfile.mkdtemp(prefix="sendqa-letters-"))

    def draft(self, purpose: str, facts: str) -> tuple[str, str, str]:
        """Letter text, its References panel, and a status line."""
        if purpose not in PURPOSES:
            return gr.skip(), gr.skip(), "Please choose the purpose of the letter."
        if len(facts or "") > 20_000:
            return gr.skip(), gr.skip(), "The facts are too long: keep them under 20,000 characters"
        try:
            letter = draft_letter(self.qa, purpose, facts or "")
        except Exception as exc:  # noqa: BLE001
            _log_failure("letter", exc)
            return gr.skip(), gr.skip(), _failure_message(exc)
        refs = sources_html(
            letter.citations,
            empty="No provisions were found for this letter.",
            id_prefix="letter-source",
            heading="Provisions cited in the letter",
        )
        status = "Draft ready: check it and fill in the [brackets] before sending."
        if letter.notes:
            status += " " + " ".join(letter.notes)
        return letter.markdown, refs, status

    def api(self, purpose: str, facts: str = "") -> dict[str, Any]:
        """JSON for /letter: the Markdown and its citations."""
        if purpose not in PURPOSES:
            return {
                "ok": False,
                "message": f"Unknown purpose; use one of {list(PURPOSES)}.",
                "markdown": "",
                "citations": [],
            }
        try:
            letter = draft_letter(self.qa, purpose, facts or "")
        except Exception as exc:  # noqa: BLE001
            _log_failure("letter api", exc)
            return {"ok": False, "message": _failure_message(exc), "markdown": "", "citations": []}
        return {
            "ok": True,
            "message": " ".join(letter.notes),
            "markdown": letter.markdown,
            "citations": [citation_json(c) for c in letter.citations],
        }

    def _prune(self, max_age_s: float = 3600) -> None:
        """Letters hold children's details: delete our exported copies after an hour."""
        cutoff = time.time() - max_age_s
        for path in self.folder.glob("sendqa-letter-*"):
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)

    def export(self, text: str, kind: str) -> tuple[str | None, str]:
        """Write the edited draft as .md or .docx; returns the file and a status line."""
        if not (text or "").strip():
            return None, "Draft a letter first."
        try:
            self._prune()
            path = (
                export_docx(text, self.folder)
                if kind == "docx"
                else export_markdown(text, self.folder)
            )
        except Exception as exc:  # noqa: BLE001
            _log_failure("export", exc)
            return None, FRIENDLY_ERROR
        return str(path), f"Your {path.suffix} file is ready below."


# --- layout --------------------------------------------------------------------------------

INTRO = (
    "**Ask about SEND law in England.** Every answer quotes the law or guidance it comes from, "
    "so you can check it and quote it back. Please don't type names or other personal details."
)
#: After an answer, bring the question and the start of its answer into view (not the end).
SHOW_LATEST_QUESTION = """() => {
  const asked = document.querySelectorAll('#chat [data-testid="user"]');
  if (!asked.length) { return; }
  const last = asked[asked.length - 1];
  const log = last.closest('[role="log"]');
  if (!log) { last.scrollIntoView({block: "start"}); return; }
  const top = last.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop;
  log.scrollTo({top: Math.max(top - 8, 0)});
  const box = log.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) { log.scrollIntoView({block: "nearest"}); }
}"""
CHAT_PLACEHOLDER = (
    "Ask a question about special educational needs and disabilities (SEND): assessments, "
    "EHC plans, deadlines, schools, appeals."
)


def _ask_tab(handlers: AskHandlers) -> None:
    """Chat, example questions, the Sources panel and feedback."""
    gr.Markdown(INTRO, elem_classes=["app-intro"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            chat = gr.Chatbot(
                label="Conversation",
                show_label=False,
                elem_id="chat",
                autoscroll=False,
                height="58vh",
                min_height=280,
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
        event(handlers.respond, inputs=inputs, outputs=outputs, **private, **answers).then(
            None, js=SHOW_LATEST_QUESTION, **private
        )
    for button, text in zip(example_buttons, EXAMPLES, strict=True):
        button.click(lambda t=text: t, outputs=question, **private).then(
            handlers.respond, inputs=inputs, outputs=outputs, **private, **answers
        ).then(None, js=SHOW_LATEST_QUESTION, **private)
    clear_button.click(
        lambda: ([], "", sources_html(()), {}, [], ""),
        outputs=[*outputs, feedback_status],
        **private,
    )
    up.click(
        lambda r, s: handlers.feedback("up", r, s), [reasons, last], feedback_status, **private
    )
    down.click(
        lambda r, s: handlers.feedback("down", r, s), [reasons, last], feedback_status, **private
    )


def _deadlines_tab(handlers: DeadlineHandlers) -> None:
    """Pick an event and a date; see every statutory deadline with the provision behind it."""
    gr.Markdown(
        "**Work out statutory deadlines.** Choose what happened and the date it happened. "
        "Each deadline shows the regulation that sets it, so you can quote it."
    )
    event = gr.Dropdown(
        choices=[(_event_label(k), k) for k in EVENTS],
        value="request",
        label="What happened?",
        elem_id="deadline-event",
    )
    on = gr.Textbox(
        label="On what date?", placeholder="3 March 2025", elem_id="deadline-date", max_lines=1
    )
    button = gr.Button("Show deadlines", variant="primary", elem_id="deadline-button")
    table = gr.HTML(elem_id="deadline-table", label="Deadlines")
    private: dict[str, Any] = {"api_visibility": "private"}
    button.click(handlers.show, [event, on], table, **private)
    on.submit(handlers.show, [event, on], table, **private)


def _caseworker_tab(handlers: LetterHandlers) -> None:
    """Draft a cited letter, edit it, export it as .md or .docx."""
    gr.Markdown(
        "**Caseworker workspace: draft a letter.** Each legal statement in the draft quotes the "
        "provision it relies on, with a References section. Edit the draft before sending."
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=280):
            purpose = gr.Dropdown(
                choices=[(title, key) for key, title in PURPOSES.items()],
                value="assessment_request",
                label="Purpose of the letter",
                elem_id="letter-purpose",
            )
            facts = gr.Textbox(
                label="Facts: child's name, dates, what happened (or the parent's question)",
                lines=6,
                max_lines=16,
                elem_id="letter-facts",
            )
            draft_button = gr.Button("Draft letter", variant="primary", elem_id="letter-button")
            status = gr.Markdown(elem_id="letter-status")
        with gr.Column(scale=2, min_width=300):
            draft = gr.Textbox(
                label="Draft letter (edit before sending)",
                lines=20,
                max_lines=60,
                interactive=True,
                buttons=["copy"],
                elem_id="letter-draft",
            )
            with gr.Row():
                md_button = gr.Button("Download Markdown (.md)", elem_id="export-md")
                docx_button = gr.Button("Download Word (.docx)", elem_id="export-docx")
            file_out = gr.File(label="Your file", interactive=False, elem_id="letter-file")
            refs = gr.HTML(elem_id="letter-sources", label="Provisions cited")
    private: dict[str, Any] = {"api_visibility": "private"}
    draft_button.click(
        handlers.draft, [purpose, facts], [draft, refs, status], concurrency_id=ANSWERS, **private
    )
    md_button.click(lambda t: handlers.export(t, "md"), draft, [file_out, status], **private)
    docx_button.click(lambda t: handlers.export(t, "docx"), draft, [file_out, status], **private)


def build_app(settings: Settings, qa: SendQA | None = None) -> gr.Blocks:
    """The whole app as Blocks; ``qa`` may be passed in so tests share one loaded model."""
    if qa is None:
        from rag.generate import generator_from_settings

        qa = SendQA(settings, generator=generator_from_settings(settings))
    store = FeedbackStore(settings.feedback_db, store_question_text=settings.store_question_text)
    ask = AskHandlers(qa, store)
    deadlines = DeadlineHandlers(qa)
    letters = LetterHandlers(qa)
    # Gradio's cache holds exported letters: delete files older than an hour, every hour.
    app = SendQABlocks(
        title="sendqa: SEND law in England, with sources",
        fill_width=True,
        analytics_enabled=False,
        delete_cache=(3600, 3600),
    )
    with app:
        gr.Markdown("# sendqa", elem_id="title")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                _ask_tab(ask)
            with gr.Tab("Deadlines", id="deadlines"):
                _deadlines_tab(deadlines)
            with gr.Tab("Caseworker", id="caseworker"):
                _caseworker_tab(letters)
        # Stable names for gradio_client: Client(url).predict(question, api_name="/ask").
        api(
            ask.api_ask,
            api_name="ask",
            api_description="Answer a SEND question, cited.",
            concurrency_id=ANSWERS,
        )
        api(deadlines.api, api_name="deadlines", api_description="Statutory deadlines.")
        api(
            letters.api,
            api_name="letter",
            api_description="Draft a cited letter.",
            concurrency_id=ANSWERS,
        )
    # Bounded queue: past max_size a new request is told the app is busy instead of waiting
    # minutes; the concurrency limit is shared by every event that runs the pipeline.
    app.queue(
        default_concurrency_limit=settings.concurrency_limit,
        max_size=settings.queue_max_size,
    )
    return app


def _auth(settings: Settings) -> tuple[str, str] | None:
    """Login only when both name and password are set; one without the other is a mistake."""
    user, password = settings.auth_username, settings.auth_password
    if bool(user) != bool(password):
        raise ConfigError("set both SENDQA_AUTH_USERNAME and SENDQA_AUTH_PASSWORD, or neither")
    return (user, password) if user and password else None


def launch_options(settings: Settings) -> dict[str, Any]:
    """How the app is launched (tests launch with the same): loopback, login, no share link."""
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": False,
        "auth": _auth(settings),
        "show_error": False,
        "footer_links": ["api", "settings"],
    }


def serve(settings: Settings) -> None:
    """Start the app on settings.host:port (127.0.0.1 by default); never a public share link."""
    build_app(settings).launch(**launch_options(settings))
