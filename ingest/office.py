"""Parse documents users add themselves (HTML pages, Word files) into heading-based passages.

Such documents have no numbered structure, so every passage has locator None; its headings
(h1-h4, or Word's Heading 1-4 styles) become heading_path. Long sections are cut at paragraph
boundaries so each passage stays small enough to embed and to quote.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag
from docx import Document
from docx.opc.exceptions import OpcError
from docx.table import Table
from docx.text.paragraph import Paragraph

from rag.anchors import anchored_passage
from rag.errors import IngestError
from rag.schema import Passage, Source

#: Largest passage, in characters: about 250 tokens, what the embedder reads in full.
MAX_PASSAGE_CHARS = 1200

_HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
_DROPPED_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "nav", "head")
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl",
        "dt", "fieldset", "figcaption", "figure", "footer", "form", "h5", "h6", "header", "hr",
        "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "ul", "body", "html",
    }
)  # fmt: skip
_DOCX_HEADING = re.compile(r"^heading\s*([1-4])$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


@dataclass
class _Section:
    """Paragraphs under one heading path, in order."""

    headings: tuple[str, ...]
    paragraphs: list[str] = field(default_factory=list)


class _SectionCollector:
    """Turns a stream of headings and paragraphs into sections with heading paths."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []
        self.sections: list[_Section] = [_Section(())]

    def heading(self, level: int, text: str) -> None:
        text = _normalise(text)
        if not text:
            return
        self._stack = [(lvl, title) for lvl, title in self._stack if lvl < level]
        self._stack.append((level, text))
        self.sections.append(_Section(tuple(title for _, title in self._stack)))

    def paragraph(self, text: str) -> None:
        text = _normalise(text)
        if text:
            self.sections[-1].paragraphs.append(text)


def parse_html(text: str, source: Source) -> list[Passage]:
    """Passages under h1-h4 headings of an HTML page; scripts, styles and navigation dropped."""
    soup = BeautifulSoup(text, "lxml")
    for tag in soup.find_all(list(_DROPPED_TAGS)):
        tag.decompose()
    collector = _SectionCollector()
    buffer: list[str] = []
    _walk_html(soup, collector, buffer)
    collector.paragraph("".join(buffer))
    return _to_passages(collector.sections, source)


def _walk_html(node: Tag, collector: _SectionCollector, buffer: list[str]) -> None:
    """Inline text accumulates in buffer; block elements and headings flush it as a paragraph."""
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:  # not a comment, CDATA, doctype or declaration
                buffer.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        if child.name in _HEADING_TAGS:
            _flush(collector, buffer)
            collector.heading(_HEADING_TAGS[child.name], child.get_text(" "))
        elif child.name == "br":
            buffer.append(" ")
        elif child.name in _BLOCK_TAGS:
            _flush(collector, buffer)
            _walk_html(child, collector, buffer)
            _flush(collector, buffer)
        else:
            _walk_html(child, collector, buffer)


def _flush(collector: _SectionCollector, buffer: list[str]) -> None:
    collector.paragraph("".join(buffer))
    buffer.clear()


def parse_docx(path: Path, source: Source) -> list[Passage]:
    """Passages under Heading 1-4 paragraphs of a Word file; tables read row by row."""
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"{path}: no such Word file")
    try:
        document = Document(str(path))
        collector = _SectionCollector()
        for block in document.iter_inner_content():
            _add_docx_block(block, collector)
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:
        raise IngestError(
            f"{path.name}: cannot read this Word file (not a .docx, or corrupt): "
            f"{exc.__class__.__name__}"
        ) from exc
    return _to_passages(collector.sections, source)


def _add_docx_block(block: Paragraph | Table, collector: _SectionCollector) -> None:
    if isinstance(block, Table):
        for row in block.rows:
            collector.paragraph(" | ".join(_unique(cell.text for cell in row.cells)))
        return
    level = _docx_heading_level(block)
    if level is not None:
        collector.heading(level, block.text)
    else:
        collector.paragraph(block.text)


def _docx_heading_level(paragraph: Paragraph) -> int | None:
    """1-4 for 'Heading 1'-'Heading 4' (and 'Title' as 1); None for body text."""
    style = paragraph.style
    name = (style.name or "") if style is not None else ""
    if name.lower() == "title":
        return 1
    m = _DOCX_HEADING.match(name)
    return int(m.group(1)) if m else None


def _unique(texts: Iterable[str]) -> list[str]:
    """Cell texts without the repeats python-docx gives for merged cells."""
    out: list[str] = []
    for text in texts:
        text = _normalise(text)
        if text and (not out or out[-1] != text):
            out.append(text)
    return out


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def split_paragraphs(paragraphs: list[str], max_chars: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Pack paragraphs into chunks of at most max_chars, cutting only between paragraphs.

    A paragraph longer than max_chars on its own is cut between sentences, and a sentence
    longer than that between words, so no chunk exceeds the limit.
    """
    pieces = [piece for p in paragraphs for piece in _fit(p, max_chars)]
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + 1 + len(piece) > max_chars:
            chunks.append(current)
            current = piece
        else:
            current = f"{current}\n{piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks


def _fit(paragraph: str, max_chars: int) -> list[str]:
    """Cut one over-long paragraph at sentence, then word, boundaries."""
    if len(paragraph) <= max_chars:
        return [paragraph]
    units: list[str] = []
    for sentence in _SENTENCE_END.split(paragraph):
        units.extend([sentence] if len(sentence) <= max_chars else _cut_words(sentence, max_chars))
    out: list[str] = []
    for unit in units:
        if out and len(out[-1]) + 1 + len(unit) <= max_chars:
            out[-1] = f"{out[-1]} {unit}"
        else:
            out.append(unit)
    return out


def _cut_words(text: str, max_chars: int) -> list[str]:
    out: list[str] = []
    for word in text.split(" "):
        while len(word) > max_chars:  # a single unbroken "word" (a URL, say)
            out.append(word[:max_chars])
            word = word[max_chars:]
        if out and len(out[-1]) + 1 + len(word) <= max_chars:
            out[-1] = f"{out[-1]} {word}"
        elif word:
            out.append(word)
    return out


def _to_passages(sections: list[_Section], source: Source) -> list[Passage]:
    passages: list[Passage] = []
    seen: set[str] = set()
    for section in sections:
        for text in split_paragraphs(section.paragraphs):
            passage = anchored_passage(source, None, text, section.headings, len(passages))
            if passage.passage_id in seen:
                continue
            seen.add(passage.passage_id)
            passages.append(passage)
    return passages
