"""Caseworker letter drafts whose every legal statement quotes a provision sendqa retrieved.

Each purpose has a template (``casework.templates``): its points are looked up by naming their
provision, and its legal question adds related provisions. A point whose provision is not in
the index is left out and listed in the notes, never stated uncited. Drafts are plain Markdown
for an editable text box; ``casework.export`` writes them as .md and .docx.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from casework.templates import PURPOSES, REPLY_PURPOSE, TEMPLATES, LegalPoint, LetterTemplate
from rag.current_to import current_to_text, stale_notice
from rag.errors import UserInputError
from rag.safety import CRISIS_SIGNPOSTING, NOT_LEGAL_ADVICE, WHERE_TO_GET_HELP
from rag.schema import AUTHORITIES, Answer, Citation

#: Longest passage quoted whole; longer ones are quoted by the sentence that supports the point.
QUOTE_WHOLE_CHARS = 600
#: Related provisions added from the purpose's legal question, after the template's own points.
MAX_EXTRA = 2
_SENDER = "[Your name]\n[Your address]\n[Your email or phone number]\n\n[Date]"
_FACTS_PLACEHOLDER = "[Describe what has happened, with dates: when you asked, what was said.]"


class Asker(Protocol):
    """What a letter needs from ``SendQA``: answers with citations."""

    def ask(
        self, question: str, kinds: Sequence[str] | None = None, history: Sequence[str] = ()
    ) -> Answer: ...


@dataclass(frozen=True)
class Letter:
    """A drafted letter: Markdown text and the numbered citations its [n] markers point to."""

    purpose: str
    markdown: str
    citations: tuple[Citation, ...]
    notes: tuple[str, ...] = field(default=())


def _one_line(text: str) -> str:
    """Quotes sit inside a sentence: fold the provision's line breaks into spaces."""
    return re.sub(r"\s+", " ", text).strip()


def letter_quote(citation: Citation) -> str:
    """The whole provision when short enough, else the sentence retrieval chose to support it."""
    text = citation.passage.text
    return _one_line(text if len(text) <= QUOTE_WHOLE_CHARS else citation.quote)


def _find(answer: Answer, point: LegalPoint) -> Citation | None:
    """The citation in an answer that is exactly the provision the point needs.

    It was found directly, by the provision its lookup question names (not for its meaning), so
    it is in the document the question names, not a provision of the same number in another.
    """
    named = {h.passage.passage_id for h in answer.hits if h.direct}
    for citation in answer.citations:
        passage = citation.passage
        if passage.passage_id in named and passage.locator == point.locator:
            return citation
    return None


def _collect(
    qa: Asker, template: LetterTemplate
) -> tuple[list[tuple[str | None, Citation]], list[str]]:
    """Each point with its retrieved provision, then related provisions from the search."""
    found: list[tuple[str | None, Citation]] = []
    notes: list[str] = []
    seen: set[str] = set()
    for point in template.points:
        citation = _find(qa.ask(point.lookup_question(), kinds=["law"]), point)
        if citation is None:
            notes.append(f"{point.locator} was not found in the sources; its point was left out.")
            continue
        found.append((point.lead, citation))
        seen.add(citation.passage.passage_id)
    extra = 0
    for citation in qa.ask(template.search, kinds=["law", "guidance"]).citations:
        if extra >= MAX_EXTRA:
            break
        if citation.passage.passage_id in seen or citation.passage.authority == "experience":
            continue
        found.append((None, citation))
        seen.add(citation.passage.passage_id)
        extra += 1
    return found, notes


def _renumber(found: Sequence[tuple[str | None, Citation]]) -> list[tuple[str | None, Citation]]:
    """Keys 1..n in the order the letter cites them."""
    return [
        (lead, citation.model_copy(update={"key": n}))
        for n, (lead, citation) in enumerate(found, start=1)
    ]


def _references(citations: Sequence[Citation], today: date) -> list[str]:
    """The References section: one numbered line per provision, its date and official link.

    A provision's words may have changed since the text sendqa holds, so each line says the
    date it is revised to, and one line after them says so when any is over a year old.
    """
    lines = ["**References**", ""]
    for c in citations:
        anchor = c.passage.anchor
        when = current_to_text(anchor.current_to, c.passage.kind)
        link = f" {anchor.url}" if anchor.url else ""
        lines.append(f"[{c.key}] {anchor.label} ({when}).{link}  ")
    notice = stale_notice((c.passage for c in citations), today)
    if notice:
        lines += ["", f"_{notice}_"]
    return lines


def _facts_block(facts: str) -> str:
    """The caseworker's facts as typed, or a placeholder that says what to write."""
    cleaned = facts.strip()
    return cleaned if cleaned else _FACTS_PLACEHOLDER


def _template_letter(
    template: LetterTemplate, facts: str, cited: Sequence[tuple[str | None, Citation]]
) -> str:
    """Assemble the Markdown of a template letter around its cited provisions."""
    lines = [f"# {template.title}", "", _SENDER, "", template.recipient, "", template.greeting, ""]
    lines += [f"**Re: {template.subject}**", "", template.opening, ""]
    lines += ["**What has happened**", "", _facts_block(facts), ""]
    lines += [f"**{template.law_heading}**", ""]
    others = []
    for lead, citation in cited:
        label = citation.passage.anchor.label
        quote = letter_quote(citation)
        if lead is None:
            others.append(f"- {label}: “{quote}” [{citation.key}]")
        else:
            lines.append(f"- {lead} {label} says: “{quote}” [{citation.key}]")
    if others:
        lines += ["", "Also relevant:", "", *others]
    lines += ["", f"**{template.asks_heading}**", ""]
    lines += [f"{n}. {ask}" for n, ask in enumerate(template.asks, start=1)]
    lines += ["", template.closing, "", template.sign_off, "", "[Your name]", "", "---", ""]
    return "\n".join(lines)


def _footer(citations: Sequence[Citation], today: date | None = None) -> str:
    """References, then the reminder that this is a draft of information, not advice."""
    tail = _references(citations, today or date.today()) if citations else []
    tail += ["", f"_Drafted with sendqa. {NOT_LEGAL_ADVICE} Check and adapt it before sending._"]
    return "\n".join(tail) + "\n"


def draft_template_letter(qa: Asker, purpose: str, facts: str, today: date | None = None) -> Letter:
    """A letter for one of ``TEMPLATES``, each legal point quoting its retrieved provision."""
    template = TEMPLATES[purpose]
    found, notes = _collect(qa, template)
    cited = _renumber(found)
    citations = tuple(c for _, c in cited)
    markdown = _template_letter(template, facts, cited) + _footer(citations, today)
    return Letter(purpose=purpose, markdown=markdown, citations=citations, notes=tuple(notes))


def draft_parent_reply(
    qa: Asker, question: str, max_points: int = 4, today: date | None = None
) -> Letter:
    """Turn a cited answer to a parent's question into a plain-language reply."""
    answer = qa.ask(question, kinds=["law", "guidance"])
    lines = ["Dear [parent's name],", "", "Thank you for your message."]
    if answer.crisis:
        lines += ["", CRISIS_SIGNPOSTING]
    kept = [c for c in answer.citations if c.passage.authority != "experience"][:max_points]
    cited = _renumber([(None, c) for c in kept])
    citations = tuple(c for _, c in cited)
    if answer.abstained or not citations:
        lines += [
            "",
            "I could not find an answer to your question in the SEND law and guidance I "
            "checked, so I will not guess.",
            "",
            WHERE_TO_GET_HELP,
        ]
    else:
        lines += ["", "Here is what the law and guidance say, with where each point comes from:"]
        lines += [""]
        for _, c in cited:
            lead = AUTHORITIES[c.passage.authority].letter_lead_in
            quote = _one_line(c.quote)
            lines.append(f"- {lead} ({c.passage.anchor.label}) says: “{quote}” [{c.key}]")
        lines += [
            "",
            "What this means: where the law says the council or school **must** do something, "
            "it has to do it. Where statutory guidance says they **should**, they must take it "
            "into account and need a good reason to do something different.",
        ]
    lines += ["", "Please get back to me if you have any questions.", "", "Kind regards,", ""]
    lines += ["[Your name]", "", "---", ""]
    markdown = "\n".join(lines) + _footer(citations, today)
    return Letter(purpose=REPLY_PURPOSE, markdown=markdown, citations=citations)


def draft_letter(qa: Asker, purpose: str, facts: str, today: date | None = None) -> Letter:
    """Draft the letter for ``purpose`` (a key of ``PURPOSES``) from the caseworker's facts."""
    if purpose == REPLY_PURPOSE:
        return draft_parent_reply(qa, facts, today=today)
    if purpose not in TEMPLATES:
        raise UserInputError(
            f"unknown letter purpose {purpose!r}: expected one of {list(PURPOSES)}"
        )
    return draft_template_letter(qa, purpose, facts, today)
