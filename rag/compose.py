"""Compose an answer from the retrieved passages themselves: no LLM, nothing invented.

Each statement is a verbatim quote with a ``[n]`` marker, grouped by authority so that law
("must") stays apart from statutory guidance ("should") and from experience (reports,
testimony), which is never presented as a rule.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from rag.lexical import tokenize
from rag.schema import AUTHORITY_BADGE, Authority, Citation, Hit, Passage

QUOTE_CHARS = 420
_SENTENCE = re.compile(r"(?<=[.;:?!])\s+(?=[A-Z(“‘])|\n+")
_EXPERIENCE_WORDS = re.compile(
    r"(?i)\b(derbyshire|ofsted|cqc|inspect\w*|mp|parliament|hansard|debate|survey|minister|"
    r"improvement notice|experience|other families|council's record|amber valley)\b"
)

SECTION_TITLES: dict[Authority, str] = {
    "law": "What the law says",
    "statutory_guidance": "What the statutory guidance says",
    "guidance": "What other official guidance explains",
    "experience": "What inspectors, MPs and families have reported (experience, not law)",
}
AUTHORITY_ORDER: tuple[Authority, ...] = ("law", "statutory_guidance", "guidance", "experience")


def wants_experience(question: str) -> bool:
    """Reports and testimony are relevant when the question is about them or about Derbyshire."""
    return bool(_EXPERIENCE_WORDS.search(question))


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in _spans(text)]


def _spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, so a quote is an exact slice of the passage."""
    spans, start = [], 0
    for m in _SENTENCE.finditer(text):
        if text[start : m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def _weights(question: str, idf: dict[str, float]) -> dict[str, float]:
    return {t: idf.get(t, 1.0) for t in set(tokenize(question))}


def choose_quote(passage: Passage, question: str, idf: dict[str, float]) -> str:
    """The passage's words that best answer the question, verbatim, at most ~420 characters."""
    text = passage.text
    if len(text) <= QUOTE_CHARS:
        return text
    weights = _weights(question, idf)
    spans = _spans(text)
    if not spans:
        return text[:QUOTE_CHARS]
    scored = []
    for i, (a, b) in enumerate(spans):
        toks = set(tokenize(text[a:b]))
        score = sum(w for t, w in weights.items() if t in toks)
        score += 0.5 if re.search(r"\d", text[a:b]) else 0.0
        scored.append((score - i * 0.01, i))
    best = max(scored)[1]
    start, end = spans[best]
    # Grow with following sentences while short; a lead-in ending in ':' or '—' needs its list.
    j = best + 1
    while j < len(spans) and (end - start < 160 or text[start:end].endswith(("—", ":"))):
        if spans[j][1] - start > QUOTE_CHARS:
            break
        end = spans[j][1]
        j += 1
    quote = text[start:end]
    if len(quote) > QUOTE_CHARS:
        quote = quote[:QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
    return quote


def idf_from(passages: Sequence[Passage]) -> dict[str, float]:
    """Inverse document frequency over the given passages (rare words weigh more)."""
    df: dict[str, int] = {}
    for p in passages:
        for t in set(tokenize(p.text)):
            df[t] = df.get(t, 0) + 1
    n = max(1, len(passages))
    return {t: math.log(1 + n / c) for t, c in df.items()}


def select_hits(
    hits: Sequence[Hit], question: str, max_citations: int = 4, margin: float = 0.12
) -> list[Hit]:
    """Hits worth citing: named provisions, and those close to the best dense score."""
    if not hits:
        return []
    experience_ok = wants_experience(question)
    best = max((h.dense or 0.0) for h in hits)
    chosen: list[Hit] = [h for h in hits if h.direct][: max_citations + 2]
    for h in hits:
        if len(chosen) >= max_citations and not h.direct:
            break
        if h in chosen:
            continue
        if h.passage.authority == "experience" and not experience_ok:
            continue
        close = (h.dense or 0.0) >= best - margin
        if close or h.rank <= 2:
            chosen.append(h)
    return chosen[: max(max_citations, len([h for h in chosen if h.direct]))]


def compose_extractive_answer(
    question: str, hits: Sequence[Hit], idf: dict[str, float]
) -> tuple[str, tuple[Citation, ...]]:
    """Markdown answer (lead line first, then quotes grouped by authority) and its citations."""
    chosen = select_hits(hits, question)
    ordered = sorted(chosen, key=lambda h: (AUTHORITY_ORDER.index(h.passage.authority), h.rank))
    citations = tuple(
        Citation(key=n, passage=h.passage, quote=choose_quote(h.passage, question, idf))
        for n, h in enumerate(ordered, start=1)
    )
    if not citations:
        return "", ()
    lead = citations[0]
    badge = AUTHORITY_BADGE[lead.passage.authority]
    lines = [
        f"**In short** ({badge.lower()}, {lead.passage.anchor.label}): “{_first_sentence(lead.quote)}” "
        f"[{lead.key}]",
        "",
    ]
    for authority in AUTHORITY_ORDER:
        group = [c for c in citations if c.passage.authority == authority]
        if not group:
            continue
        lines.append(f"**{SECTION_TITLES[authority]}**")
        for c in group:
            lines.append(f"- {c.passage.anchor.label}: “{c.quote}” [{c.key}]")
        lines.append("")
    return "\n".join(lines).strip(), citations


def _first_sentence(quote: str) -> str:
    sentences = _sentences(quote)
    first = sentences[0] if sentences else quote
    return first if len(first) <= 300 else first[:300].rsplit(" ", 1)[0] + " …"
