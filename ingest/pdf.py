"""Parse numbered guidance PDFs (the SEND Code of Practice layout) into paragraph passages.

The Code numbers every paragraph (``9.40``; ``i``, ``ii`` in the Introduction) at the start of a
line, puts chapters under headings like ``9 Education, Health and Care needs assessments and
plans``, and repeats a running header and a page number on each page. Running headers, footers
and bare page numbers are removed before paragraphs are found, so a paragraph that flows over a
page break reads as one passage anchored to the page where it starts.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from rag.anchors import anchored_passage
from rag.errors import IngestError
from rag.schema import Passage, Source

_DECIMAL = re.compile(r"^(?P<chapter>\d{1,2})\.(?P<number>\d{1,3})\.?(?:\s+(?P<rest>\S.*))?$")
_ROMAN = re.compile(r"^(?P<number>[ivxl]{1,7})\.?\s+(?P<rest>\S.*)$")
_CHAPTER = re.compile(
    r"^(?:(?:Chapter|CHAPTER)\s+(?P<word>\d{1,2})(?:\s*[:.\-–—]?\s*(?P<wtitle>[A-Z].*))?"
    r"|(?P<num>\d{1,2})\.?\s+(?P<title>[A-Z][^\d].*))$"
)
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?$", re.IGNORECASE)
_TERMINAL = (".", ":", ";", "!", "?", ")", "”", '"')
_BULLETS = ("•", "●", "▪", "-", "–", "o ")
_MONTH = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\b"
)
#: How many lines at the top and bottom of a page may hold running headers and footers.
_EDGE_LINES = 3
#: Numbered paragraphs skipped over (missed by extraction) before a number is doubted.
_MAX_GAP = 5
_CHAPTER_HEADING_MAX = 120
#: How far from the end of the file the %%EOF marker is looked for (as pypdf does).
_EOF_WINDOW = 2048
_SUBHEADING_MAX = 90


@dataclass(frozen=True)
class _Line:
    """One line of extracted text and the 1-based page it is on."""

    text: str
    page: int


@dataclass
class _Block:
    """Lines gathered for one passage before it becomes a Passage."""

    locator: str | None
    page: int
    headings: tuple[str, ...]
    lines: list[str] = field(default_factory=list)


def parse_numbered_pdf(path: Path, source: Source) -> list[Passage]:
    """One passage per numbered paragraph, with chapter and sub-heading in heading_path."""
    pages = _read_pages(Path(path))
    lines = _strip_running_lines(pages)
    blocks = _ParagraphSplitter().split(lines)
    return _to_passages(blocks, source)


def _read_pages(path: Path) -> list[list[str]]:
    """Text lines of each page; an unreadable or text-less PDF raises IngestError."""
    if not path.is_file():
        raise IngestError(f"{path}: no such PDF file")
    if not _has_pdf_header(path):
        raise IngestError(f"{path.name}: not a PDF (no %PDF- header); is the file misnamed?")
    if not _has_eof_marker(path):
        raise IngestError(f"{path.name}: the PDF is truncated (no %%EOF marker); download it again")
    try:
        # Lenient parsing: official PDFs often carry small syntax slips that strict mode rejects.
        reader = PdfReader(path, strict=False)
        texts = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many types on damaged files; all mean "unreadable"
        raise IngestError(
            f"{path.name}: cannot read this PDF (truncated or corrupt?): {exc.__class__.__name__}"
        ) from exc
    pages = [[_clean_line(line) for line in text.splitlines()] for text in texts]
    pages = [[line for line in page if line] for page in pages]
    if not any(pages):
        raise IngestError(f"{path.name}: the PDF has no text layer (a scan?); OCR it first")
    return pages


def _has_pdf_header(path: Path) -> bool:
    """A PDF starts with %PDF- (readers allow a little junk first); other files are misnamed."""
    with path.open("rb") as handle:
        return b"%PDF-" in handle.read(1024)


def _has_eof_marker(path: Path) -> bool:
    """A complete PDF ends with %%EOF; a cut-off download does not."""
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(size - _EOF_WINDOW, 0))
        return b"%%EOF" in handle.read()


def _clean_line(line: str) -> str:
    return re.sub(r"\s+", " ", line.replace("\u00ad", "")).strip()


def _edge_key(line: str) -> str:
    """Digits blanked, so 'Page 3' and 'Page 4' count as the same running line."""
    return re.sub(r"\d+", "#", line.lower())


def _edges(page: list[str]) -> list[int]:
    """Indexes of the lines where running headers and footers sit."""
    count = len(page)
    top = range(min(_EDGE_LINES, count))
    bottom = range(max(count - _EDGE_LINES, 0), count)
    return sorted(set(top) | set(bottom))


def _strip_running_lines(pages: list[list[str]]) -> list[_Line]:
    """Drop running headers, footers and bare page numbers, which would split paragraphs."""
    edge_keys = [{_edge_key(page[i]) for i in _edges(page)} for page in pages]
    running = _running_keys(edge_keys)
    lines: list[_Line] = []
    for number, page in enumerate(pages, start=1):
        edges = set(_edges(page))
        for i, text in enumerate(page):
            if i in edges and _is_running(text, running[number - 1]):
                continue
            lines.append(_Line(text, number))
    return lines


def _is_running(text: str, running: set[str]) -> bool:
    """A bare page number, or a running line; a paragraph's numbered first line never is."""
    if _PAGE_NUMBER.match(text):
        return True
    starts_paragraph = _DECIMAL.match(text) or _ROMAN.match(text)
    return not starts_paragraph and _edge_key(text) in running


def _running_keys(edge_keys: list[set[str]]) -> list[set[str]]:
    """Per page, edge lines seen on most pages or on three pages in a row (chapter headers)."""
    seen: Counter[str] = Counter(key for keys in edge_keys for key in keys)
    threshold = max(2, math.ceil(len(edge_keys) / 2))
    running = [{key for key in keys if seen[key] >= threshold} for keys in edge_keys]
    for first in range(len(edge_keys) - 2):
        in_a_row = edge_keys[first].intersection(edge_keys[first + 1], edge_keys[first + 2])
        for index in range(first, first + 3):
            running[index] |= in_a_row
    return running


def _roman(n: int) -> str:
    """Lower-case Roman numeral, as the Code's Introduction numbers its paragraphs."""
    numerals = [(50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out


class _ParagraphSplitter:
    """Reads lines in order and decides where numbered paragraphs and headings start."""

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self.chapter_heading: str | None = None
        self.subheading: str | None = None
        self.last: tuple[int, int] | None = None  # (chapter, number) of the last paragraph
        self.last_roman = 0
        self.current: _Block | None = None

    def split(self, lines: list[_Line]) -> list[_Block]:
        for i, line in enumerate(lines):
            following = lines[i + 1] if i + 1 < len(lines) else None
            self._feed(line, following)
        return self.blocks

    def _headings(self) -> tuple[str, ...]:
        return tuple(h for h in (self.chapter_heading, self.subheading) if h)

    def _feed(self, line: _Line, following: _Line | None) -> None:
        locator = self._paragraph_number(line.text, commit=True)
        if locator is not None:
            rest = self._rest(line.text)
            self._start(locator, line.page, [rest] if rest else [])
            return
        chapter = self._chapter_heading(line.text)
        if chapter is not None:
            self.chapter_heading, self.subheading = chapter, None
            self._start(None, line.page, [])
            return
        if following is not None and self._is_subheading(line.text, following.text):
            self.subheading = line.text
            self.current = None
            return
        if self.current is not None:
            self.current.lines.append(line.text)

    def _start(self, locator: str | None, page: int, lines: list[str]) -> None:
        self.current = _Block(locator, page, self._headings(), lines)
        self.blocks.append(self.current)

    @staticmethod
    def _rest(text: str) -> str:
        m = _DECIMAL.match(text) or _ROMAN.match(text)
        return (m.group("rest") or "") if m else ""

    def _paragraph_number(self, text: str, commit: bool) -> str | None:
        """The paragraph number a line starts with, if it follows on from the last one."""
        m = _DECIMAL.match(text)
        if m:
            key = (int(m.group("chapter")), int(m.group("number")))
            if not self._follows(key, m.group("rest") or ""):
                return None
            if commit:
                self.last = key
            return f"{key[0]}.{key[1]}"
        m = _ROMAN.match(text)
        if m and self.last is None and m.group("number") == _roman(self.last_roman + 1):
            if commit:
                self.last_roman += 1
            return m.group("number")
        return None

    def _follows(self, key: tuple[int, int], rest: str) -> bool:
        """Guards against a cross-reference like '9.40' that wrapped to the start of a line."""
        chapter, number = key
        if self.last is None:  # the first paragraph; a file of extracts may start mid-chapter
            return number <= _MAX_GAP or rest[:1].isupper()
        last_chapter, last_number = self.last
        if chapter == last_chapter:
            return last_number < number <= last_number + _MAX_GAP
        return chapter > last_chapter and number <= _MAX_GAP

    def _chapter_heading(self, text: str) -> str | None:
        """'9 Education, Health and Care…' or 'Chapter 9', not a wrapped '19 Local…' or date."""
        m = _CHAPTER.match(text) if len(text) <= _CHAPTER_HEADING_MAX else None
        if not m:
            return None
        title = m.group("title") or m.group("wtitle") or ""
        if re.search(r"\d", title) or title.endswith((".", ",", ";", ":")) or _MONTH.match(title):
            return None  # contents lines end in page numbers; dates start with a month
        number = int(m.group("word") or m.group("num"))
        if self.last is None or number == self.last[0] + 1:
            return text
        return text if number > self.last[0] and self._after_finished_text() else None

    def _after_finished_text(self) -> bool:
        """True when the text so far ends a sentence or a bullet, so a heading may follow."""
        lines = self.current.lines if self.current is not None else []
        return not lines or lines[-1].endswith(_TERMINAL) or lines[-1].startswith(_BULLETS)

    def _is_subheading(self, text: str, following: str) -> bool:
        """A short unpunctuated line right before a numbered paragraph, after a finished one."""
        lines = self.current.lines if self.current is not None else []
        if self.current is not None and self.current.locator is not None and not lines:
            return False  # a paragraph number alone on its line: this is its first line
        if not self._after_finished_text():
            return False
        if len(text) > _SUBHEADING_MAX or not text[0].isupper() or text.endswith(_TERMINAL):
            return False
        if text.endswith((",", "-", "–", "—")) or text.startswith(_BULLETS):
            return False
        return self._paragraph_number(following, commit=False) is not None


def _join_lines(lines: list[str]) -> str:
    """Join wrapped lines; a word broken with a hyphen at a line end is joined without space."""
    text = ""
    for line in lines:
        if text.endswith("-") and line[:1].islower():
            text += line
        else:
            text = f"{text} {line}" if text else line
    return re.sub(r"\s+", " ", text).strip()


def _to_passages(blocks: list[_Block], source: Source) -> list[Passage]:
    passages: list[Passage] = []
    seen: set[str] = set()
    for block in blocks:
        text = _join_lines(block.lines)
        if not text:
            continue
        passage = anchored_passage(
            source, block.locator, text, block.headings, len(passages), page=block.page
        )
        if passage.passage_id in seen:
            logging.getLogger(__name__).debug("duplicate passage %s skipped", block.locator)
            continue
        seen.add(passage.passage_id)
        passages.append(passage)
    return passages
