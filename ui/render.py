"""HTML and Markdown for the app, with no Gradio in it: answers, sources, deadlines.

Every piece of text shown as HTML is escaped here (``html.escape``); the user's own words are
also stripped of Markdown meaning, so a question cannot inject a script, an image or a link.
Passages and LLM output are not ours either: their brackets are escaped so they cannot form a
Markdown link or image.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date
from urllib.parse import urlparse

from casework.deadlines import DeadlineRow
from casework.rules import EVENTS
from rag.current_to import current_to_text, stale_notice
from rag.safety import CRISIS_SIGNPOSTING, NOT_LEGAL_ADVICE
from rag.schema import KINDS, Answer, Authority, Citation, Passage

#: Heading of sendqa's own note under a quote, so nobody sends it to a council as the law.
NOTE_LABEL = "In plain English — sendqa's note, not the law"
EXCERPT_CHARS = 700
SOURCES_EMPTY = "Sources for each answer appear here, with the words that support it highlighted."
_MARKER = re.compile(r"\[(\d{1,3})\]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:])")


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


def strip_notice(text: str) -> str:
    """The pipeline appends the not-legal-advice line; the app shows it under the chat instead."""
    return text.replace(f"_{NOT_LEGAL_ADVICE}_", "").strip()


def _inert_brackets(text: str) -> str:
    """Escape Markdown brackets so quoted or generated text cannot form a link or an image."""
    return text.replace("[", "\\[").replace("]", "\\]")


def cite_link(key: int, label: str, id_prefix: str = "source") -> str:
    """A visible [n] linking to its source, named for screen readers by the source it cites.

    Gradio's chat sanitiser drops aria-label, so the name is hidden text: "source 2: SEND
    Regulations 2014, reg.5(1)" (ui/app.js then makes that text the link's whole name).
    """
    hidden = safe_user_text(f"source {key}: {label}")
    return (
        f'<a href="#{esc(id_prefix)}-{key}" class="cite">'
        f'<span class="sr-only">{hidden}</span><span class="cite-key">[{key}]</span></a>'
    )


def answer_markdown(answer: Answer, id_prefix: str = "source") -> str:
    """The answer body, escaped, with each [n] linked to its entry in the Sources panel.

    Passages (user-added testimony too) and LLM output are not ours: any other bracket is
    escaped, so '![x](http://...)' or '[click](javascript:...)' shows as text, never loads.
    """
    labels = {c.key: c.passage.anchor.label for c in answer.citations}
    body = html.escape(strip_notice(answer.text), quote=False)
    parts: list[str] = []
    start = 0
    for m in _MARKER.finditer(body):
        parts.append(_inert_brackets(body[start : m.start()]))
        n = int(m.group(1))
        if n in labels:
            parts.append(cite_link(n, labels[n], id_prefix))
        else:
            parts.append(_inert_brackets(m.group(0)))
        start = m.end()
    parts.append(_inert_brackets(body[start:]))
    return "".join(parts)


def answer_chunks(
    answer: Answer, id_prefix: str = "source", today: date | None = None
) -> list[str]:
    """The answer in the order it is streamed: crisis banner, then paragraph by paragraph.

    Last, once per answer, a line when a text it quotes is more than a year old.
    """
    chunks = [crisis_banner_html(answer.safety_notice)] if answer.crisis else []
    chunks += [p for p in answer_markdown(answer, id_prefix).split("\n\n") if p.strip()]
    notice = stale_notice((c.passage for c in answer.citations), today or date.today())
    chunks += [f"_{esc(note)}_" for note in (*answer.notes, *([notice] if notice else []))]
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


def provision_note_html(note: str) -> str:
    """sendqa's plain-English note, boxed apart from the quote and labelled as not the law."""
    if not note.strip():
        return ""
    paragraphs = "".join(
        f"<p>{esc(p.strip())}</p>" for p in re.split(r"\n\s*\n", note.strip()) if p.strip()
    )
    label = html.escape(NOTE_LABEL, quote=False)
    return (
        f'<div class="provision-note" role="note">'
        f'<p class="provision-note-label">{label}</p>{paragraphs}</div>'
    )


def current_to_html(passage: Passage) -> str:
    """'Text as revised to 7 March 2018 · check legislation.gov.uk for later changes'."""
    text = current_to_text(passage.anchor.current_to, passage.kind)
    href = safe_url(passage.anchor.url)
    check = ""
    if href and passage.authority != "experience":
        site = urlparse(href).netloc.removeprefix("www.")
        check = " · " + external_link(href, f"check {site} for later changes")
    return f'<p class="quiet-notice current-to">{esc(text[0].upper() + text[1:])}{check}</p>'


def badge_class(authority: Authority) -> str:
    """The badge's style, one per authority (``.badge-law`` ... in ui/app.css)."""
    return "badge-" + authority.replace("_", "-")


def source_item_html(citation: Citation, id_prefix: str = "source") -> str:
    """One entry of the Sources panel: [n], badge, linked label, its date, the quote, any note.

    The quote stays the verbatim law a parent can send to the council; sendqa's note on the
    provision follows it in a separate, labelled box.
    """
    passage = citation.passage
    badge, css_class = KINDS[passage.kind].badge, badge_class(passage.authority)
    experience = ""
    if passage.authority == "experience":
        experience = (
            '<p class="quiet-notice">Experience, not law: shows how things work in practice.</p>'
        )
    return (
        # tabindex=-1: following an [n] link moves keyboard focus here, not just the view.
        f'<li class="source" id="{esc(id_prefix)}-{citation.key}" tabindex="-1">'
        f'<div class="source-head"><span class="source-key">[{citation.key}]</span>'
        f'<span class="badge {css_class}">{esc(badge)}</span>'
        f"{external_link(passage.anchor.url, passage.anchor.label)}</div>"
        f"{current_to_html(passage)}"
        f"<blockquote>{highlight(passage.text, citation.quote)}</blockquote>"
        f"{provision_note_html(passage.note)}{experience}</li>"
    )


def sources_html(
    citations: Sequence[Citation],
    empty: str = SOURCES_EMPTY,
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


def deadlines_table_html(rows: Sequence[DeadlineRow], event: str, on_text: str) -> str:
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
        when = current_to_text(r["current_to"], "legislation")
        body.append(
            "<tr>"
            f'<td data-label="Deadline"><strong>{esc(r["title"])}</strong><br>'
            f'<span class="quiet-notice">Who: {esc(r["actor"])}</span></td>'
            f'<td data-label="Due">{esc(r["due_text"])}</td>'
            f'<td data-label="Status" class="{status_class}">{esc(r["status"])}</td>'
            f'<td data-label="The law">{external_link(r["url"], r["label"])}'
            f'<span class="quiet-notice current-to"> ({esc(when)})</span>'
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


def message_html(text: str) -> str:
    """A one-line message in place of a result; role=status so screen readers announce it."""
    return f'<p class="form-message" role="status">{esc(text)}</p>'
