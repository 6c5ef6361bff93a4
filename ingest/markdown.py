"""Parse guidance, reports and testimony written in Markdown.

Numbered guidance (the Code of Practice, Explanatory Notes) is anchored by paragraph number
(``9.14``, ``166``, ``xiii``); other documents by their headings, with no locator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.text import clean_inline, split_front_matter
from rag.anchors import anchored_passage
from rag.schema import Passage, Source

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_NUMBERED = re.compile(r"^(?:(\d{1,2}\.\d{1,3})|(\d{1,4})\.|([ivxlc]{1,6})\.)\s+(.*)$")
_SPEAKER = re.compile(r"^\*\*([^*]{2,120})\*\*$")
# A plain-text subheading inside a section ("Effect", "Background" in the Explanatory Notes):
# a short capitalised line with no sentence punctuation.
_PLAIN_SUBHEADING = re.compile(r"^[A-Z][A-Za-z’'-]*(?: [A-Za-z’'-]+){0,4}$")
_SKIP_HEADINGS = {"contents"}
MAX_PASSAGE_CHARS = 1200


def _body(text: str, source: Source) -> str:
    return (
        split_front_matter(text, source.filename or source.source_id)[1]
        if text.startswith("---")
        else text
    )


def _blocks(body: str) -> Iterator[tuple[tuple[str, ...], list[str]]]:
    """Yield (heading path, paragraphs) for each stretch of text under one heading."""
    headings: dict[int, str] = {}
    paragraphs: list[str] = []
    current: list[str] = []

    def flush_para() -> None:
        if current:
            paragraphs.append("\n".join(current))
            current.clear()

    for line in body.splitlines():
        heading = _HEADING.match(line)
        if heading:
            flush_para()
            if paragraphs:
                yield tuple(v for _, v in sorted(headings.items())), list(paragraphs)
                paragraphs.clear()
            level = len(heading.group(1))
            headings = {k: v for k, v in headings.items() if k < level}
            headings[level] = clean_inline(heading.group(2))
            continue
        if not line.strip():
            flush_para()
            continue
        if line.lstrip().startswith("- ") and current and not current[-1].lstrip().startswith("- "):
            current.append(line.strip())
            continue
        current.append(line.strip())
    flush_para()
    if paragraphs:
        yield tuple(v for _, v in sorted(headings.items())), list(paragraphs)


def _skip(path: tuple[str, ...]) -> bool:
    return any(h.lower() in _SKIP_HEADINGS for h in path)


def _passage(
    source: Source, locator: str | None, text: str, path: tuple[str, ...], position: int
) -> Passage:
    label = f"{source.short_title}: {path[-1]}" if locator is None and len(path) > 1 else None
    return anchored_passage(source, locator, text, path, position, label=label)


def _clean_paragraph(paragraph: str) -> str:
    lines = [clean_inline(ln[2:] if ln.startswith("- ") else ln) for ln in paragraph.splitlines()]
    return "\n".join(ln for ln in lines if ln)


def parse_numbered_markdown(text: str, source: Source) -> list[Passage]:
    """One passage per numbered paragraph (with its bullet list); unnumbered text by heading."""
    passages: list[Passage] = []
    for path, paragraphs in _blocks(_body(text, source)):
        if _skip(path):
            continue
        numbered: list[tuple[str, list[str]]] = []
        loose: list[str] = []
        for para in paragraphs:
            if _PLAIN_SUBHEADING.match(para.strip()):
                # Not part of the paragraph above it. Kept out of the heading path too: the
                # section heading stays last there, as the note-to-section link expects.
                continue
            m = _NUMBERED.match(para)
            if m:
                number = m.group(1) or m.group(2) or m.group(3)
                numbered.append((number, [_clean_paragraph(m.group(4))]))
            elif numbered:
                numbered[-1][1].append(_clean_paragraph(para))
            else:
                loose.append(_clean_paragraph(para))
        for number, lines in numbered:
            passages.append(_passage(source, number, "\n".join(lines), path, len(passages)))
        for chunk in _group(loose):
            passages.append(_passage(source, None, chunk, path, len(passages)))
    return passages


def _group(paragraphs: list[str], limit: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Join whole paragraphs into chunks of at most ``limit`` characters (never split one)."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for para in paragraphs:
        if not para:
            continue
        if current and size + len(para) > limit:
            chunks.append("\n\n".join(current))
            current, size = [], 0
        current.append(para)
        size += len(para) + 2
    if current:
        chunks.append("\n\n".join(current))
    return chunks


def parse_headed_markdown(text: str, source: Source) -> list[Passage]:
    """Heading-based passages; in debates each chunk names its speaker."""
    passages: list[Passage] = []
    for path, paragraphs in _blocks(_body(text, source)):
        if _skip(path):
            continue
        speaker: str | None = None
        units: list[str] = []
        for para in paragraphs:
            m = _SPEAKER.match(para.strip())
            if m:
                speaker = m.group(1).strip()
                continue
            cleaned = _clean_paragraph(para)
            if re.fullmatch(r"\d{1,2}:\d{2}", cleaned):
                continue
            units.append(f"{speaker}: {cleaned}" if speaker else cleaned)
        for chunk in _group(units):
            passages.append(_passage(source, None, chunk, path, len(passages)))
    return passages
