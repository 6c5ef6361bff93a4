"""HTML and Word parsers: heading paths, scripts dropped, long sections cut between paragraphs."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from ingest.office import MAX_PASSAGE_CHARS, parse_docx, parse_html, split_paragraphs
from rag.errors import IngestError
from rag.schema import Passage, Source, passage_id_for


def make_source(fmt: str) -> Source:
    return Source(
        source_id="my-notes",
        title="Notes from the annual review meeting",
        short_title="Annual review notes",
        kind="testimony",
        url="https://example.org/notes",
        format=fmt,  # type: ignore[arg-type]
    )


def long_paragraph(n: int) -> str:
    """About 300 characters, numbered so each can be found again."""
    return (
        f"Point {n} starts. "
        + "The school agreed to review the support plan each term. " * 5
        + (f"Point {n} ends.")
    )


HTML = f"""<!doctype html>
<html><head><title>Review</title><style>p {{ color: red }}</style>
<script>var secret = "SCRIPT TEXT";</script></head>
<body>
<nav><a href="/">Home NAV LINK</a></nav>
<h1>Annual review</h1>
<p>Held on <b>3 May</b> at school.</p>
<script>document.write("MORE SCRIPT")</script>
<h2>Outcomes</h2>
<p>Reading has improved.</p>
<ul><li>Phonics daily</li><li>Speech therapy weekly</li></ul>
<h3>Provision</h3>
{"".join(f"<p>{long_paragraph(n)}</p>" for n in range(1, 11))}
<h2>Next steps</h2>
<div>The council will write within <i>four weeks</i>.</div>
<!-- COMMENT TEXT -->
</body></html>"""


def html_passages() -> list[Passage]:
    return parse_html(HTML, make_source("html"))


def test_html_sections_follow_headings() -> None:
    passages = html_passages()
    paths = [p.heading_path for p in passages]
    assert paths[0] == ("Annual review",)
    assert passages[0].text == "Held on 3 May at school."
    assert passages[1].heading_path == ("Annual review", "Outcomes")
    assert passages[1].text == "Reading has improved.\nPhonics daily\nSpeech therapy weekly"
    assert passages[-1].heading_path == ("Annual review", "Next steps")
    assert passages[-1].text == "The council will write within four weeks."
    assert [p.position for p in passages] == list(range(len(passages)))


def test_html_scripts_styles_navigation_and_comments_are_dropped() -> None:
    passages = html_passages()
    everything = "\n".join(p.text for p in passages)
    for unwanted in ("SCRIPT", "color: red", "NAV LINK", "COMMENT"):
        assert unwanted not in everything
    assert all(p.text != "Review" for p in passages)  # the <head> title is not body text


def test_long_section_is_cut_between_paragraphs() -> None:
    provision = [p for p in html_passages() if p.heading_path[-1] == "Provision"]
    assert len(provision) >= 3
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in provision)
    pieces = [piece for p in provision for piece in p.text.split("\n")]
    assert pieces == [long_paragraph(n) for n in range(1, 11)]
    assert len({p.passage_id for p in provision}) == len(provision)


def test_anchor_has_no_locator() -> None:
    for p in html_passages():
        assert p.anchor.locator is None
        assert p.anchor.label == "Annual review notes"
        assert p.anchor.url == "https://example.org/notes"
        assert p.passage_id == passage_id_for("my-notes", None, p.text)
        assert p.kind == "testimony"


def test_overlong_paragraph_is_cut_between_sentences() -> None:
    sentences = [f"Sentence {n} says the plan must name the school." for n in range(60)]
    paragraph = " ".join(sentences)
    chunks = split_paragraphs([paragraph], max_chars=300)
    assert len(chunks) > 1
    assert all(len(c) <= 300 for c in chunks)
    assert " ".join(chunks) == paragraph
    assert all(c.endswith("school.") for c in chunks)


def test_overlong_sentence_is_cut_between_words() -> None:
    sentence = " ".join(f"word{n}" for n in range(200))
    chunks = split_paragraphs([sentence], max_chars=100)
    assert all(len(c) <= 100 for c in chunks)
    assert " ".join(chunks) == sentence


def write_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Annual review", level=1)
    document.add_paragraph("Held on 3 May at school.")
    document.add_heading("Outcomes", level=2)
    document.add_paragraph("Reading has improved.")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate((("Need", "Provision"), ("Speech", "Therapy weekly"))):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_heading("Provision", level=3)
    for n in range(1, 11):
        document.add_paragraph(long_paragraph(n))
    document.add_heading("Detail", level=5)  # below level 4: reads as text
    document.add_heading("Next steps", level=2)
    document.add_paragraph("The council will write within four weeks.")
    document.save(str(path))
    return path


def test_docx_headings_tables_and_splitting(tmp_path: Path) -> None:
    passages = parse_docx(write_docx(tmp_path / "review.docx"), make_source("docx"))
    assert passages[0].heading_path == ("Annual review",)
    assert passages[0].text == "Held on 3 May at school."
    assert passages[1].heading_path == ("Annual review", "Outcomes")
    assert passages[1].text == "Reading has improved.\nNeed | Provision\nSpeech | Therapy weekly"
    provision = [
        p for p in passages if p.heading_path == ("Annual review", "Outcomes", "Provision")
    ]
    assert len(provision) >= 3
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in provision)
    pieces = [piece for p in provision for piece in p.text.split("\n")]
    assert pieces == [long_paragraph(n) for n in range(1, 11)] + ["Detail"]
    assert passages[-1].heading_path == ("Annual review", "Next steps")
    assert passages[-1].text == "The council will write within four weeks."
    assert all(p.anchor.locator is None for p in passages)


def test_corrupt_docx_raises_ingest_error(tmp_path: Path) -> None:
    good = write_docx(tmp_path / "good.docx").read_bytes()
    broken = tmp_path / "broken_review.docx"
    broken.write_bytes(good[: len(good) // 2])
    with pytest.raises(IngestError, match="broken_review.docx"):
        parse_docx(broken, make_source("docx"))


def test_missing_docx_raises_ingest_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="absent.docx"):
        parse_docx(tmp_path / "absent.docx", make_source("docx"))
