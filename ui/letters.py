"""Caseworker letter drafts whose every legal statement quotes a provision sendqa retrieved.

Each purpose has a template: the letter's own sentences ("the council must decide within 6
weeks") are paired with the provision that supports them, looked up by naming it (so retrieval
finds it directly), plus a purpose-specific legal question that adds related provisions. A point
whose provision is not in the index is left out and listed in the notes, never stated uncited.
Drafts are plain Markdown for an editable text box, and export to .md and .docx.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from rag.safety import CRISIS_SIGNPOSTING, NOT_LEGAL_ADVICE, WHERE_TO_GET_HELP
from rag.schema import Answer, Citation

CFA = "ukpga-2014-6"
REGS = "uksi-2014-1530"
#: Longest passage quoted whole; longer ones are quoted by the sentence that supports the point.
QUOTE_WHOLE_CHARS = 600
#: Related provisions added from the purpose's legal question, after the template's own points.
MAX_EXTRA = 2


class Asker(Protocol):
    """What a letter needs from ``SendQA``: answers with citations."""

    def ask(
        self, question: str, kinds: Sequence[str] | None = None, history: Sequence[str] = ()
    ) -> Answer: ...


@dataclass(frozen=True)
class LegalPoint:
    """A sentence of the letter and the provision that must support it."""

    source_id: str
    locator: str
    lead: str
    question: str = ""

    def lookup_question(self) -> str:
        """A question naming the provision, so retrieval finds it directly."""
        if self.question:
            return self.question
        number = self.locator.split(".", 1)[1].split("(")[0]
        if self.source_id == REGS:
            return f"What does regulation {number} of the SEND Regulations 2014 say?"
        return f"What does section {number} of the Children and Families Act 2014 say?"


@dataclass(frozen=True)
class LetterTemplate:
    """The fixed wording of one kind of letter; the law in it comes from retrieval."""

    purpose: str
    title: str
    recipient: str
    greeting: str
    subject: str
    opening: str
    points: tuple[LegalPoint, ...]
    search: str
    asks_heading: str
    asks: tuple[str, ...]
    closing: str
    sign_off: str = "Yours faithfully,"
    law_heading: str = "What the law says"


@dataclass(frozen=True)
class Letter:
    """A drafted letter: Markdown text and the numbered citations its [n] markers point to."""

    purpose: str
    markdown: str
    citations: tuple[Citation, ...]
    notes: tuple[str, ...] = field(default=())


_SENDER = "[Your name]\n[Your address]\n[Your email or phone number]\n\n[Date]"
_COUNCIL = "SEND team\n[Council name]\n[Council address]"
_FACTS_PLACEHOLDER = "[Describe what has happened, with dates: when you asked, what was said.]"

TEMPLATES: dict[str, LetterTemplate] = {
    t.purpose: t
    for t in (
        LetterTemplate(
            purpose="assessment_request",
            title="Request an EHC needs assessment",
            recipient=_COUNCIL,
            greeting="Dear SEND team,",
            subject="Request for an education, health and care (EHC) needs assessment for "
            "[child's name], date of birth [date of birth]",
            opening="I am writing to ask the council to carry out an EHC needs assessment for "
            "my child. Please treat this letter as a request under section 36(1) of the "
            "Children and Families Act 2014.",
            points=(
                LegalPoint(CFA, "s.36(1)", "A parent may make this request."),
                LegalPoint(
                    CFA,
                    "s.36(8)",
                    "The council must carry out the assessment if my child has or may have "
                    "special educational needs and may need provision through an EHC plan.",
                ),
                LegalPoint(
                    REGS,
                    "reg.5(1)",
                    "The council must tell me its decision within 6 weeks of receiving this "
                    "request.",
                ),
            ),
            search="request EHC needs assessment duty section 36 6 weeks decision",
            asks_heading="What I am asking you to do",
            asks=(
                "Confirm in writing the date on which you received this request.",
                "Tell me within 6 weeks of that date whether you will carry out an EHC needs "
                "assessment.",
                "If you decide not to assess, give me your reasons in writing, with the "
                "information about mediation and my right of appeal.",
            ),
            closing="I enclose copies of the evidence I refer to above. Please contact me if "
            "you need anything else.",
        ),
        LetterTemplate(
            purpose="missed_deadline",
            title="Complain that a statutory deadline was missed",
            recipient=_COUNCIL,
            greeting="Dear SEND team,",
            subject="Formal complaint: statutory time limit missed for [child's name], "
            "date of birth [date of birth]",
            opening="I am writing to complain that the council has not met a time limit that "
            "the law sets for my child's EHC needs assessment or plan. "
            "[Delete the time limits below that do not apply.]",
            points=(
                LegalPoint(
                    REGS,
                    "reg.5(1)",
                    "The decision whether to carry out an EHC needs assessment is due within "
                    "6 weeks of the request.",
                ),
                LegalPoint(
                    REGS,
                    "reg.10(1)",
                    "A decision, after assessment, not to make a plan is due within 16 weeks "
                    "of the request.",
                ),
                LegalPoint(
                    REGS,
                    "reg.13(2)",
                    "The final EHC plan is due within 20 weeks of the request.",
                ),
                LegalPoint(
                    CFA,
                    "s.44(1)",
                    "An EHC plan must be reviewed at least every 12 months.",
                ),
            ),
            search="time limits EHC needs assessment 6 weeks decision 16 weeks 20 weeks final "
            "EHC plan regulation 13",
            asks_heading="What I am asking you to do",
            asks=(
                "Explain why the time limit was not met, and whether the council relies on any "
                "exception in the Regulations (for example regulation 5(4) or 13(3)) and why.",
                "Tell me the date by which you will do what is overdue.",
                "Treat this letter as a formal complaint under the council's complaints "
                "procedure, and tell me what you will do to put things right for my child.",
            ),
            closing="If this is not resolved, I may take my complaint to the Local Government "
            "and Social Care Ombudsman.",
        ),
        LetterTemplate(
            purpose="review_or_amendment",
            title="Ask for an annual review or an amendment",
            recipient=_COUNCIL,
            greeting="Dear SEND team,",
            subject="Review and amendment of the EHC plan for [child's name], date of birth "
            "[date of birth]",
            opening="I am writing to ask the council to review my child's EHC plan and to amend "
            "it, because my child's needs or circumstances have changed.",
            points=(
                LegalPoint(
                    CFA,
                    "s.44(1)",
                    "The council must review the plan at least every 12 months.",
                ),
                LegalPoint(
                    CFA,
                    "s.44(2)",
                    "The council must re-assess my child's needs if I ask it to.",
                ),
                LegalPoint(
                    REGS,
                    "reg.20(3)",
                    "I must have at least two weeks' notice of the review meeting.",
                ),
                LegalPoint(
                    REGS,
                    "reg.22(3)",
                    "If the council amends the plan, the final amended plan is due within "
                    "8 weeks of it sending me the proposed amendments.",
                ),
            ),
            search="review EHC plan every 12 months annual review amend plan",
            asks_heading="What I am asking you to do",
            asks=(
                "Arrange a review meeting [bring the annual review forward] and give me at "
                "least two weeks' notice of the date.",
                "Consider amending sections [B, F and I] of the plan, for the reasons above.",
                "[If you want a re-assessment: treat this letter as a request to re-assess my "
                "child's needs under section 44(2).]",
            ),
            closing="Please contact me if you need anything else.",
        ),
        LetterTemplate(
            purpose="named_school",
            title="Ask for a named school",
            recipient=_COUNCIL,
            greeting="Dear SEND team,",
            subject="Request to name [school name] in the EHC plan for [child's name], "
            "date of birth [date of birth]",
            opening="I am writing to ask the council to name [school name] in section I of my "
            "child's EHC plan.",
            points=(
                LegalPoint(
                    CFA,
                    "s.38(2)",
                    "A parent has the right to ask for a particular school to be named in the "
                    "plan.",
                ),
                LegalPoint(CFA, "s.39(2)", "The council must consult the school I have asked for."),
                LegalPoint(
                    CFA,
                    "s.39(3)",
                    "The council must name the school I have asked for unless one of the "
                    "exceptions applies.",
                ),
                LegalPoint(CFA, "s.39(4)", "The exceptions are limited to these."),
            ),
            search="request particular school named in EHC plan section 39 local authority must "
            "name",
            asks_heading="What I am asking you to do",
            asks=(
                "Consult [school name] about my child now.",
                "Name [school name] in section I of the final EHC plan.",
                "If you decide not to, tell me in writing which exception you rely on and why, "
                "with the information about mediation and my right of appeal.",
            ),
            closing="Please contact me if you need anything else.",
        ),
        LetterTemplate(
            purpose="mediation_appeal",
            title="Next steps to mediation and appeal",
            recipient="[Parent's name]\n[Parent's address]",
            greeting="Dear [parent's name],",
            subject="Next steps: mediation and appeal about [child's name]'s EHC needs "
            "assessment or plan",
            opening="You have told me you disagree with the council's decision. This letter "
            "sets out the next steps and the time limits, with the law behind each one.",
            points=(
                LegalPoint(
                    CFA,
                    "s.51(1)",
                    "You can appeal to the First-tier Tribunal (SEND) against the decision.",
                ),
                LegalPoint(
                    CFA,
                    "s.55(3)",
                    "Before most appeals you need a certificate from a mediation adviser.",
                ),
                LegalPoint(
                    REGS,
                    "reg.33",
                    "You must contact the mediation adviser within 2 months of the date the "
                    "council sent its decision.",
                ),
                LegalPoint(
                    REGS,
                    "reg.34(1)",
                    "If you do not want mediation, the adviser must give you the certificate "
                    "within 3 working days.",
                ),
                LegalPoint(
                    REGS,
                    "reg.36(2)",
                    "If you want mediation, the council must arrange it within 30 days.",
                ),
            ),
            search="appeal to the First-tier Tribunal mediation adviser certificate two months",
            asks_heading="Next steps",
            asks=(
                "Find the council's decision letter and note the date it was sent.",
                "Contact the mediation adviser named in that letter within 2 months of that "
                "date, and say whether you want mediation.",
                "Once you have the certificate, you can appeal to the Tribunal. The Tribunal's "
                "own rules set the time limit for appealing, so check it on GOV.UK "
                "(sendqa does not hold those rules).",
            ),
            closing="Please get in touch if you would like help with any of these steps.",
            sign_off="Kind regards,",
        ),
    )
}

REPLY_PURPOSE = "parent_reply"
#: Purposes in the order shown, with readable names.
PURPOSES: dict[str, str] = {
    **{key: t.title for key, t in TEMPLATES.items()},
    REPLY_PURPOSE: "Draft a reply to a parent (put their question in the facts box)",
}

_LEAD_IN: dict[str, str] = {
    "law": "The law",
    "statutory_guidance": "The statutory guidance, which councils and schools must have regard to,",
    "guidance": "Government guidance",
    "experience": "A report (experience, not law)",
}


def _one_line(text: str) -> str:
    """Quotes sit inside a sentence: fold the provision's line breaks into spaces."""
    return re.sub(r"\s+", " ", text).strip()


def letter_quote(citation: Citation) -> str:
    """The whole provision when short enough, else the sentence retrieval chose to support it."""
    text = citation.passage.text
    return _one_line(text if len(text) <= QUOTE_WHOLE_CHARS else citation.quote)


def _find(answer: Answer, point: LegalPoint) -> Citation | None:
    """The citation in an answer that is exactly the provision the point needs."""
    for citation in answer.citations:
        passage = citation.passage
        if passage.source_id == point.source_id and passage.locator == point.locator:
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


def _references(citations: Sequence[Citation]) -> list[str]:
    """The References section: one numbered line per provision, with its official link."""
    lines = ["**References**", ""]
    for c in citations:
        anchor = c.passage.anchor
        link = f" {anchor.url}" if anchor.url else ""
        lines.append(f"[{c.key}] {anchor.label}.{link}  ")
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


def _footer(citations: Sequence[Citation]) -> str:
    """References, then the reminder that this is a draft of information, not advice."""
    tail = _references(citations) if citations else []
    tail += ["", f"_Drafted with sendqa. {NOT_LEGAL_ADVICE} Check and adapt it before sending._"]
    return "\n".join(tail) + "\n"


def draft_template_letter(qa: Asker, purpose: str, facts: str) -> Letter:
    """A letter for one of ``TEMPLATES``, each legal point quoting its retrieved provision."""
    template = TEMPLATES[purpose]
    found, notes = _collect(qa, template)
    cited = _renumber(found)
    citations = tuple(c for _, c in cited)
    markdown = _template_letter(template, facts, cited) + _footer(citations)
    return Letter(purpose=purpose, markdown=markdown, citations=citations, notes=tuple(notes))


def draft_parent_reply(qa: Asker, question: str, max_points: int = 4) -> Letter:
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
            lead = _LEAD_IN[c.passage.authority]
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
    markdown = "\n".join(lines) + _footer(citations)
    return Letter(purpose=REPLY_PURPOSE, markdown=markdown, citations=citations)


def draft_letter(qa: Asker, purpose: str, facts: str) -> Letter:
    """Draft the letter for ``purpose`` (a key of ``PURPOSES``) from the caseworker's facts."""
    if purpose == REPLY_PURPOSE:
        return draft_parent_reply(qa, facts)
    if purpose not in TEMPLATES:
        raise ValueError(f"unknown letter purpose {purpose!r}: expected one of {list(PURPOSES)}")
    return draft_template_letter(qa, purpose, facts)


# --- export --------------------------------------------------------------------------------

_INLINE = re.compile(r"(\*\*[^*]+\*\*|_[^_\s][^_]*_)")


def _stamp() -> str:
    """A timestamp for file names, so exports of several drafts do not overwrite each other."""
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def export_markdown(text: str, folder: Path | None = None) -> Path:
    """Write the (edited) letter as a .md file in a private temp folder; returns its path."""
    out = Path(folder or tempfile.mkdtemp(prefix="sendqa-letter-"))
    path = out / f"sendqa-letter-{_stamp()}.md"
    path.write_text(text, encoding="utf-8")
    return path


def _add_runs(paragraph: object, text: str) -> None:
    """Add text to a docx paragraph, turning **bold** and _italic_ into formatted runs."""
    for piece in _INLINE.split(text):
        if not piece:
            continue
        if piece.startswith("**") and piece.endswith("**"):
            paragraph.add_run(piece[2:-2]).bold = True  # type: ignore[attr-defined]
        elif piece.startswith("_") and piece.endswith("_") and len(piece) > 2:
            paragraph.add_run(piece[1:-1]).italic = True  # type: ignore[attr-defined]
        else:
            paragraph.add_run(piece)  # type: ignore[attr-defined]


def _add_lines(document: object, lines: Sequence[str]) -> None:
    """Consecutive plain lines (an address, a reference list) stay one paragraph."""
    if not lines:
        return
    paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    for n, line in enumerate(lines):
        if n:
            paragraph.add_run().add_break()
        _add_runs(paragraph, line)


def export_docx(text: str, folder: Path | None = None) -> Path:
    """Write the (edited) letter as a Word file: headings, lists and emphasis kept."""
    from docx import Document

    out = Path(folder or tempfile.mkdtemp(prefix="sendqa-letter-"))
    path = out / f"sendqa-letter-{_stamp()}.docx"
    document = Document()
    for block in re.split(r"\n\s*\n", text.strip()):
        plain: list[str] = []
        for line in block.split("\n"):
            stripped = line.rstrip()
            if stripped.startswith("# "):
                document.add_heading(stripped[2:], level=1)
            elif stripped.startswith("- "):
                _add_runs(document.add_paragraph(style="List Bullet"), stripped[2:])
            elif re.match(r"\d+\. ", stripped):
                _add_runs(document.add_paragraph(style="List Number"), stripped.split(" ", 1)[1])
            elif stripped and stripped != "---":
                plain.append(stripped)
        _add_lines(document, plain)
    document.save(str(path))
    return path
