"""A letter draft, as edited, written to a .md or .docx file in a private temp folder."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.text.paragraph import Paragraph

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


def _add_runs(paragraph: Paragraph, text: str) -> None:
    """Add text to a docx paragraph, turning **bold** and _italic_ into formatted runs."""
    for piece in _INLINE.split(text):
        if not piece:
            continue
        if piece.startswith("**") and piece.endswith("**"):
            paragraph.add_run(piece[2:-2]).bold = True
        elif piece.startswith("_") and piece.endswith("_") and len(piece) > 2:
            paragraph.add_run(piece[1:-1]).italic = True
        else:
            paragraph.add_run(piece)


def _add_lines(document: DocxDocument, lines: Sequence[str]) -> None:
    """Consecutive plain lines (an address, a reference list) stay one paragraph."""
    if not lines:
        return
    paragraph = document.add_paragraph()
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
