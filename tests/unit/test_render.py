"""The app's rendering, without Gradio: sources with sendqa's notes, answers, escaping."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from casework.deadlines import deadline_rows
from rag.manifest import load_manifest
from rag.schema import AUTHORITIES, Anchor, Answer, Citation, Passage, SourceKind, passage_id_for
from rag.serialise import citation_json
from rag.settings import PROJECT_ROOT
from ui.render import (
    NOTE_LABEL,
    answer_markdown,
    badge_class,
    deadlines_table_html,
    provision_note_html,
    source_item_html,
    sources_html,
)

S42 = (
    "The local authority must secure the specified special educational provision for the "
    "child or young person."
)
NOTE = "The council has to make sure the help in section F actually happens."


def cite(
    text: str = S42, note: str = "", kind: SourceKind = "legislation", key: int = 1
) -> Citation:
    passage = Passage(
        passage_id=passage_id_for("ukpga-2014-6", "s.42(2)", text),
        text=text,
        anchor=Anchor(
            source_id="ukpga-2014-6",
            locator="s.42(2)",
            label="Children and Families Act 2014, s.42(2)",
            url="https://www.legislation.gov.uk/ukpga/2014/6/section/42/2",
        ),
        kind=kind,
        note=note,
    )
    return Citation(key=key, passage=passage, quote="must secure the specified")


def test_the_label_is_exactly_what_the_issue_asks_for() -> None:
    assert NOTE_LABEL == "In plain English — sendqa's note, not the law"


def test_a_note_is_shown_under_the_quote_in_its_own_labelled_block() -> None:
    item = source_item_html(cite(note=NOTE))
    assert NOTE_LABEL in item and NOTE in item
    quote_end, note_start = item.index("</blockquote>"), item.index('class="provision-note"')
    assert quote_end < note_start  # the note follows the quote, outside it
    quote = item[item.index("<blockquote>") : quote_end]
    assert NOTE not in quote and NOTE_LABEL not in quote  # the quote stays the law alone
    assert '<div class="provision-note" role="note">' in item


def test_no_note_no_block() -> None:
    assert "provision-note" not in source_item_html(cite())
    assert NOTE_LABEL not in sources_html([cite(), cite(note="   ", key=2)])
    assert provision_note_html("") == ""


def test_the_note_is_escaped() -> None:
    item = source_item_html(cite(note="<script>alert(1)</script> & <b>more</b>"))
    assert "<script>" not in item and "<b>" not in item
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;more&lt;/b&gt;" in item


def test_paragraphs_of_a_note_stay_paragraphs() -> None:
    block = provision_note_html("First point.\n\nSecond point.")
    assert "<p>First point.</p><p>Second point.</p>" in block


def test_every_source_in_the_panel_keeps_its_own_note() -> None:
    page = sources_html([cite(note=NOTE), cite(key=2)], id_prefix="a1-source")
    first, second = page.index('id="a1-source-1"'), page.index('id="a1-source-2"')
    assert page.count(NOTE_LABEL) == 1 and first < page.index(NOTE_LABEL) < second


def test_the_api_gives_the_note_beside_the_quote() -> None:
    data = citation_json(cite(note=NOTE))
    assert data["note"] == NOTE and data["quote"] == "must secure the specified"
    assert citation_json(cite())["note"] == ""


def test_answer_links_only_shown_citations() -> None:
    answer = Answer(
        question="q", text="It must [1]. Not [7]. ![x](http://x/y.png)", citations=(cite(),)
    )
    body = answer_markdown(answer, "a1-source")
    assert '<a href="#a1-source-1" class="cite"' in body
    assert "\\[7\\]" in body and "!\\[x\\]" in body


def test_each_cite_link_is_named_by_its_source_for_screen_readers() -> None:
    """Gradio's chat sanitiser drops aria-label: the name is hidden text inside the link."""
    body = answer_markdown(Answer(question="q", text="It must [1].", citations=(cite(),)))
    hidden = re.search(r'<a href="#source-1" class="cite"><span class="sr-only">(.*?)</span>', body)
    assert hidden is not None
    # Markdown-escaped, so a label cannot form a link; it reads "source 1: <label>" once rendered.
    assert re.sub(r"\\(.)", r"\1", hidden.group(1)) == (
        "source 1: Children and Families Act 2014, s.42(2)"
    )
    assert '<span class="cite-key">[1]</span></a>' in body


def test_deadline_table_escapes_and_links() -> None:
    # A provision the index does not hold is named by its document's title in the manifest.
    sources = load_manifest(PROJECT_ROOT / "corpus" / "sources.toml")
    rows = deadline_rows("request", "3 March 2025", date(2025, 5, 1), [], sources)
    page = deadlines_table_html(rows, "request", "<b>3 March 2025</b>")
    assert "<b>3 March" not in page and "&lt;b&gt;3 March 2025&lt;/b&gt;" in page
    assert "SEND Regulations 2014, reg.13(2)" in page and "Passed 17 days ago" in page


def test_rendering_needs_no_gradio() -> None:
    """Not even through rag or casework: Gradio is for the tabs and the app only."""
    code = "import sys, ui.render; print('gradio' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "False"


def test_every_class_the_renderer_writes_is_styled() -> None:
    root = Path(__file__).resolve().parents[2]
    css = (root / "ui" / "app.css").read_text(encoding="utf-8")
    source = (root / "ui" / "render.py").read_text(encoding="utf-8")
    classes = {
        token
        for attr in re.findall(r'class="([^"]*)"', source)
        for token in attr.split()
        if "{" not in token
    }
    classes |= {badge_class(authority) for authority in AUTHORITIES}
    assert "provision-note" in classes
    unstyled = sorted(c for c in classes if not re.search(rf"\.{re.escape(c)}\b", css))
    assert not unstyled, f"no rule in ui/app.css for {unstyled}"
