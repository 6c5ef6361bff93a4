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
from rag.schema import AUTHORITIES, Citation, Hit, Passage
from rag.time_limits import (
    asks_about_time,
    asks_for_date,
    states_date,
    states_time_limit,
    stems,
    time_span,
)

QUOTE_CHARS = 420
_SENTENCE = re.compile(r"(?<=[.;:?!])\s+(?=[A-Z(“‘])|\n+")
_EXPERIENCE_WORDS = re.compile(
    r"(?i)\b(derbyshire|ofsted|cqc|inspect\w*|mp|parliament|hansard|debate|survey|minister|"
    r"improvement notice|experience|other families|council's record|amber valley)\b"
)

#: Answer sections in order of authority (law first); their titles are in ``AUTHORITIES``.
AUTHORITY_ORDER = tuple(AUTHORITIES)


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
    asked = set(stems(question))
    about_time, about_date = asks_about_time(question), asks_for_date(question)
    spans = _spans(text)
    if not spans:
        return text[:QUOTE_CHARS]
    scored = []
    for i, (a, b) in enumerate(spans):
        sentence = text[a:b]
        toks = set(tokenize(sentence))
        score = sum(w for t, w in weights.items() if t in toks)
        # Word forms the exact match misses ("issued" for "issue") count for half.
        score += 0.5 * len((set(stems(sentence)) & asked) - {t[:5] for t in toks & set(weights)})
        score += 0.5 if re.search(r"\d", sentence) else 0.0
        # The sentence with the limit or the date is the one a parent needs to quote.
        if (about_time and states_time_limit(sentence)) or (about_date and states_date(sentence)):
            score += 2.0
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
        if close or h.rank <= 3:
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
    badge = AUTHORITIES[lead.passage.authority].badge
    lines = [
        f"**In short** ({badge.lower()}, {lead.passage.anchor.label}): "
        f"“{_lead_excerpt(lead.quote, question)}” [{lead.key}]",
        "",
    ]
    for authority in AUTHORITY_ORDER:
        group = [c for c in citations if c.passage.authority == authority]
        if not group:
            continue
        lines.append(f"**{AUTHORITIES[authority].section_title}**")
        for c in group:
            lines.append(f"- {c.passage.anchor.label}: “{c.quote}” [{c.key}]")
        lines.append("")
    return "\n".join(lines).strip(), citations


def _lead_excerpt(quote: str, question: str, limit: int = 300) -> str:
    """The first sentence, or for a question about time the words around the limit or date.

    A parent asking "were they late?" must see "within 16 weeks" in the first two lines, even
    when the sentence that states it is 400 characters long.
    """
    sentences = _sentences(quote)
    first = sentences[0] if sentences else quote
    if len(first) <= limit:
        # A lead-in ending "—" or ":" says nothing without its list: bring the items in.
        for item in sentences[1:]:
            if not first.rstrip().endswith(("—", ":", ";", ",", "or", "and")):
                break
            if len(first) + len(item) + 1 > limit:
                return f"{first} …"
            first = f"{first} {item}"
        return first
    span = None
    if asks_about_time(question):
        span = time_span(first)
    if span is None and asks_for_date(question):
        span = time_span(first, date=True)
    if span is None or span[1] <= limit - 40:
        return _first_sentence(quote)
    start = max(0, span[0] - limit // 2)
    end = min(len(first), start + limit)
    start = first.rfind(" ", 0, start) + 1 if start > 0 else 0
    if end < len(first):
        end = first.rfind(" ", start, end)
    excerpt = first[start:end]
    return f"{'… ' if start > 0 else ''}{excerpt}{' …' if end < len(first) else ''}"


def _first_sentence(quote: str) -> str:
    sentences = _sentences(quote)
    first = sentences[0] if sentences else quote
    return first if len(first) <= 300 else first[:300].rsplit(" ", 1)[0] + " …"
