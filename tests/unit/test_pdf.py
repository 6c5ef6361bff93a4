"""Numbered PDF parser: paragraphs of the Code of Practice layout, running lines removed."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from ingest.pdf import parse_numbered_pdf
from rag.errors import IngestError
from rag.schema import Passage, Source, passage_id_for

HEADER = "SEND code of practice: 0 to 25 years"
CHAPTER = "9 Education, Health and Care needs assessments and plans"
SUBHEADING = "Requesting an EHC needs assessment"
SOURCE = Source(
    source_id="send-code-of-practice-2015",
    title="Special educational needs and disability code of practice: 0 to 25 years",
    short_title="SEND Code of Practice",
    kind="statutory_guidance",
    url="https://www.gov.uk/government/publications/send-code-of-practice-0-to-25",
    format="pdf",
)


def paragraph_text(number: int) -> str:
    """Body of paragraph 9.<number>; 9.4 is long enough to run onto the next page."""
    topic = ("requests", "advice", "timescales", "decisions", "plans", "reviews", "appeals")[
        number - 1
    ]
    sentence = f"The local authority must consider {topic} with care."
    repeats = 30 if number == 4 else 3
    return (
        f"Paragraph {number} begins here. "
        + " ".join([sentence] * repeats)
        + (f" Paragraph {number} ends here.")
    )


class _CodePdf(FPDF):
    def header(self) -> None:
        self.set_font("Helvetica", size=9)
        self.cell(0, 8, HEADER, new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=9)
        self.cell(0, 8, str(self.page_no()), align="C")


def write_code_pdf(path: Path) -> Path:
    pdf = _CodePdf(format=(148, 210))
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, CHAPTER, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, "This chapter explains assessments and plans.", new_x="LMARGIN",
                   new_y="NEXT")  # fmt: skip
    for number in range(1, 7):
        if number == 2:
            # A cross-reference that wraps to the start of a line must not start a paragraph.
            for line in ("9.2 The authority follows the steps in paragraph",
                         "9.40 and the timescales set out there."):  # fmt: skip
                pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
            continue
        if number == 3:
            pdf.multi_cell(0, 6, SUBHEADING, new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 6, f"9.{number} {paragraph_text(number)}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.output(str(path))
    return path


@pytest.fixture()
def code_pdf(tmp_path: Path) -> Path:
    return write_code_pdf(tmp_path / "send_code.pdf")


@pytest.fixture()
def passages(code_pdf: Path) -> list[Passage]:
    return parse_numbered_pdf(code_pdf, SOURCE)


def numbered(passages: list[Passage]) -> dict[str, Passage]:
    return {p.locator: p for p in passages if p.locator is not None}


def test_fixture_really_breaks_paragraph_9_4_across_pages(code_pdf: Path) -> None:
    pages = [page.extract_text() for page in PdfReader(code_pdf).pages]
    assert len(pages) >= 2
    assert "Paragraph 4 begins here" in pages[0]
    assert "Paragraph 4 ends here" in pages[1]
    assert all(HEADER in page for page in pages)


def test_one_passage_per_numbered_paragraph(passages: list[Passage]) -> None:
    assert list(numbered(passages)) == ["9.1", "9.2", "9.3", "9.4", "9.5", "9.6"]
    assert [p.position for p in passages] == list(range(len(passages)))


def test_paragraph_across_a_page_break_is_joined(passages: list[Passage]) -> None:
    para = numbered(passages)["9.4"]
    assert para.text == paragraph_text(4)
    assert para.anchor.page == 1
    assert numbered(passages)["9.5"].anchor.page == 2


def test_running_header_and_page_numbers_are_removed(passages: list[Passage]) -> None:
    for p in passages:
        assert "SEND code of practice" not in p.text
        assert p.text == " ".join(p.text.split())
    for number in (1, 3, 5, 6):
        assert numbered(passages)[f"9.{number}"].text == paragraph_text(number)


def test_wrapped_cross_reference_stays_inside_its_paragraph(passages: list[Passage]) -> None:
    assert numbered(passages)["9.2"].text == (
        "The authority follows the steps in paragraph 9.40 and the timescales set out there."
    )


def test_chapter_and_subheading_make_the_heading_path(passages: list[Passage]) -> None:
    paras = numbered(passages)
    assert paras["9.1"].heading_path == (CHAPTER,)
    assert paras["9.2"].heading_path == (CHAPTER,)
    assert paras["9.3"].heading_path == (CHAPTER, SUBHEADING)
    assert paras["9.6"].heading_path == (CHAPTER, SUBHEADING)
    assert all(SUBHEADING not in p.text for p in passages)
    intro = [p for p in passages if p.locator is None]
    assert [p.text for p in intro] == ["This chapter explains assessments and plans."]


def test_anchor_label_and_id(passages: list[Passage]) -> None:
    para = numbered(passages)["9.4"]
    assert para.anchor.label == "SEND Code of Practice, para 9.4"
    assert para.anchor.url == SOURCE.url
    assert para.kind == "statutory_guidance"
    assert para.passage_id == passage_id_for(SOURCE.source_id, "9.4", para.text)


def lines_pdf(path: Path, lines: list[str]) -> Path:
    """A one-page PDF with exactly these lines, for layouts multi_cell would not produce."""
    pdf = FPDF(format=(148, 210))
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in lines:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_chapter_word_heading(tmp_path: Path) -> None:
    lines = ["Chapter 9", "9.1 First paragraph text.", "9.2 Second paragraph text."]
    result = parse_numbered_pdf(lines_pdf(tmp_path / "chapter_word.pdf", lines), SOURCE)
    assert [(p.locator, p.text, p.heading_path) for p in result] == [
        ("9.1", "First paragraph text.", ("Chapter 9",)),
        ("9.2", "Second paragraph text.", ("Chapter 9",)),
    ]


def test_wrapped_dates_and_section_numbers_are_not_chapter_headings(tmp_path: Path) -> None:
    lines = [
        "9.1 The duties apply from",
        "1 September 2014 for all children.",
        "9.2 Read this with section",
        "19 Local authorities must have regard to views.",
        "10 Children and young people in specific circumstances",
        "10.1 First paragraph of chapter ten.",
    ]
    result = parse_numbered_pdf(lines_pdf(tmp_path / "wrapped.pdf", lines), SOURCE)
    assert [(p.locator, p.text, p.heading_path) for p in result] == [
        ("9.1", "The duties apply from 1 September 2014 for all children.", ()),
        ("9.2", "Read this with section 19 Local authorities must have regard to views.", ()),
        ("10.1", "First paragraph of chapter ten.", (lines[4],)),
    ]


def test_introduction_paragraphs_numbered_in_roman(tmp_path: Path) -> None:
    lines = [
        "Introduction",
        "i. This Code of Practice is statutory guidance.",
        "ii. It applies to England.",
        "1 Principles",
        "1.1 The first principle.",
    ]
    result = parse_numbered_pdf(lines_pdf(tmp_path / "intro.pdf", lines), SOURCE)
    assert [(p.locator, p.text, p.heading_path) for p in result] == [
        ("i", "This Code of Practice is statutory guidance.", ("Introduction",)),
        ("ii", "It applies to England.", ("Introduction",)),
        ("1.1", "The first principle.", ("1 Principles",)),
    ]
    assert result[0].anchor.label == "SEND Code of Practice, para i"


class _ChapterHeaderPdf(_CodePdf):
    """Adds a chapter's own running header on some pages only (fewer than half of them)."""

    chapter_header = ""

    def header(self) -> None:
        super().header()
        if self.chapter_header:
            self.cell(0, 8, self.chapter_header, new_x="LMARGIN", new_y="NEXT")


def test_chapter_running_header_on_a_few_pages_is_removed(tmp_path: Path) -> None:
    pdf = _ChapterHeaderPdf(format=(148, 210))
    pdf.set_font("Helvetica", size=11)
    for number in range(1, 8):
        pdf.chapter_header = "Education, health and care plans" if 4 <= number <= 6 else ""
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, f"9.{number} {paragraph_text(number)}", new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "chapter_headers.pdf"
    pdf.output(str(path))
    result = parse_numbered_pdf(path, SOURCE)
    assert [p.locator for p in result] == [f"9.{n}" for n in range(1, 8)]
    assert [p.anchor.page for p in result] == list(range(1, 8))
    assert [p.text for p in result] == [paragraph_text(n) for n in range(1, 8)]


def test_truncated_pdf_raises_ingest_error(code_pdf: Path, tmp_path: Path) -> None:
    data = code_pdf.read_bytes()
    broken = tmp_path / "truncated_code.pdf"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError, match="truncated_code.pdf"):
        parse_numbered_pdf(broken, SOURCE)


def test_garbage_file_raises_ingest_error(tmp_path: Path) -> None:
    broken = tmp_path / "not_a.pdf"
    broken.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n%%EOF\n")
    with pytest.raises(IngestError, match="not_a.pdf"):
        parse_numbered_pdf(broken, SOURCE)


def test_misnamed_file_is_not_called_a_truncated_pdf(tmp_path: Path) -> None:
    misnamed = tmp_path / "photo.pdf"
    misnamed.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(IngestError, match=r"photo.pdf: not a PDF"):
        parse_numbered_pdf(misnamed, SOURCE)
