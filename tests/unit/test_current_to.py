"""How current each quoted text is: read from the corpus, kept per document, shown per citation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from casework.deadlines import deadline_rows
from ingest.build import MAX_LISTED_CHANGES, BuildReport, ProvisionChange, changed_provisions
from ingest.clml import clml_current_to
from ingest.documents import read_current_to
from rag.current_to import (
    current_to_text,
    format_current_to,
    is_stale,
    normalise_current_to,
    stale_notice,
)
from rag.index import document_dates, with_current_to
from rag.manifest import load_manifest
from rag.schema import Anchor, Answer, Citation, Passage, SourceKind, passage_id_for
from rag.serialise import citation_json
from rag.settings import PROJECT_ROOT
from sendqa.cli import _answer_json, format_answer
from ui.render import answer_chunks, deadlines_table_html, source_item_html

TODAY = dt.date(2026, 11, 1)
CFA_URL = "https://www.legislation.gov.uk/ukpga/2014/6/section/42/2"


def passage(
    locator: str | None = "s.42(2)",
    text: str = "The local authority must secure the specified special educational provision.",
    *,
    source_id: str = "ukpga-2014-6",
    kind: SourceKind = "legislation",
    current_to: str | None = "2018-03-07",
    position: int = 0,
) -> Passage:
    return Passage(
        passage_id=passage_id_for(source_id, locator, text),
        text=text,
        anchor=Anchor(
            source_id=source_id,
            locator=locator,
            label=f"Children and Families Act 2014, {locator}",
            url=CFA_URL,
            current_to=current_to,
        ),
        kind=kind,
        position=position,
    )


def cite(p: Passage, key: int = 1) -> Citation:
    return Citation(key=key, passage=p, quote="must secure")


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2018-03-07", "2018-03-07"),
        (dt.date(2018, 3, 7), "2018-03-07"),
        (dt.datetime(2022, 5, 5, 12, 30), "2022-05-05"),
        ("2022-05-05T10:00:00Z", "2022-05-05"),
        ("2015-01", "2015-01"),
        ("2014", "2014"),
        (2025, "2025"),
        (None, None),
        ("", None),
        ("unknown", None),
        ("2018-02-30", None),
        ("2015-13", None),
    ],
)
def test_dates_are_read_as_iso_with_the_precision_given(value: object, expected: str) -> None:
    assert normalise_current_to(value) == expected


def test_dates_read_as_people_in_england_write_them() -> None:
    assert format_current_to("2018-03-07") == "7 March 2018"
    assert format_current_to("2015-01") == "January 2015"
    assert format_current_to("2014") == "2014"
    assert current_to_text("2018-03-07", "legislation") == "text as revised to 7 March 2018"
    assert current_to_text("2015-01", "statutory_guidance") == "text dated January 2015"
    assert current_to_text(None, "legislation") == "date of this version not known"


def test_a_text_is_old_only_when_its_latest_possible_day_is_over_a_year_ago() -> None:
    assert is_stale("2018-03-07", TODAY)
    assert not is_stale("2026-01-01", TODAY)
    assert not is_stale("2025-11", TODAY)  # up to 30 November 2025: not yet a year
    assert is_stale("2025-10", TODAY)
    assert not is_stale(None, TODAY)


def test_the_notice_names_the_oldest_law_once_and_ignores_old_debates() -> None:
    law = [passage(current_to="2020-05-01"), passage("s.43", current_to="2018-03-07")]
    debate = passage(None, "A debate.", source_id="hansard", kind="testimony", current_to="2010")
    notice = stale_notice([*law, debate], TODAY)
    assert notice.count("Check for later changes") == 1
    assert (
        "the oldest text quoted here is as revised to 7 March 2018, more than a year ago" in notice
    )
    assert stale_notice([debate], TODAY) == ""
    assert stale_notice([passage(current_to="2026-06-01")], TODAY) == ""
    assert stale_notice([passage(current_to=None)], TODAY) == ""


# --- reading the corpus -------------------------------------------------------------------


LEGISLATION_DATES = {
    "ukpga-2014-6": "2018-03-07",
    "uksi-2014-1530": "2018-04-03",
    "uksi-2014-1652": "2020-05-01",
    "uksi-2017-1306": "2020-05-01",
    "ukpga-2010-15": "2021-01-21",
}


def test_every_corpus_document_gets_the_date_its_own_file_gives(shared_corpus: Path) -> None:
    sources = {s.source_id: s for s in load_manifest(PROJECT_ROOT / "corpus" / "sources.toml")}
    dates = {
        sid: read_current_to(s, shared_corpus / s.filename)
        for sid, s in sources.items()
        if (shared_corpus / s.filename).is_file()
    }
    for sid, expected in LEGISLATION_DATES.items():
        # last_updated, never the enactment date the manifest and front matter also give
        assert dates[sid] == expected, sid
    assert dates["send-code-of-practice-2015"] == "2015-01"
    assert dates["ofsted-cqc-derbyshire-area-send-2024"] == "2024-11-14"
    assert dates["govuk-children-with-send"] is None  # "date of the copied version unknown"


def test_legislation_without_a_date_of_its_own_is_not_dated_by_its_enactment(
    tmp_path: Path,
) -> None:
    source = load_manifest(PROJECT_ROOT / "corpus" / "sources.toml")[0]
    assert source.kind == "legislation" and source.date
    bare = tmp_path / "act.md"
    bare.write_text('---\nidentifier: "ukpga-2014-6"\n---\n\n# Act\n', encoding="utf-8")
    assert read_current_to(source, bare) is None
    manifest_says = source.model_copy(update={"current_to": "2019-01-01"})
    assert read_current_to(manifest_says, bare) == "2019-01-01"


CLML = b"""<?xml version="1.0" encoding="UTF-8"?>
<Legislation xmlns="http://www.legislation.gov.uk/namespaces/legislation"
  xmlns:ukm="http://www.legislation.gov.uk/namespaces/metadata"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dct="http://purl.org/dc/terms/"
  RestrictStartDate="2024-09-01">
<ukm:Metadata>
<dc:identifier>http://www.legislation.gov.uk/uksi/2014/1530/contents</dc:identifier>
<dc:modified>2024-06-12</dc:modified>
<dct:valid>2024-09-01</dct:valid>
</ukm:Metadata>
<Secondary><Body><P1><Pnumber>1</Pnumber><P1para><Text>Words.</Text></P1para></P1></Body>
</Secondary>
</Legislation>"""


def test_a_fetched_clml_text_is_dated_by_its_metadata() -> None:
    assert clml_current_to(CLML) == "2024-06-12"
    assert clml_current_to(CLML.replace(b"<dc:modified>2024-06-12</dc:modified>", b"")) == (
        "2024-09-01"
    )
    assert clml_current_to(b"<Legislation><Body/></Legislation>") is None
    assert clml_current_to(b"<not xml") is None


# --- the index ----------------------------------------------------------------------------


def test_dates_are_kept_per_document_and_never_written_into_passages() -> None:
    bare = passage(current_to=None)
    assert "current_to" not in bare.model_dump_json()
    info = {"documents": {"ukpga-2014-6": {"current_to": "2018-03-07"}, "other": {}}}
    assert document_dates(info) == {"ukpga-2014-6": "2018-03-07", "other": None}
    dated = with_current_to({bare.passage_id: bare}, document_dates(info))
    got = dated[bare.passage_id]
    assert got.anchor.current_to == "2018-03-07"
    assert got.passage_id == bare.passage_id
    assert json.loads(got.model_dump_json()) == json.loads(bare.model_dump_json())


def test_changed_provisions_are_the_same_locator_with_new_words() -> None:
    old = [passage("reg.13(1)", "Old one."), passage("reg.13(2)", "Old two."), passage(None, "X")]
    new = [
        passage("reg.13(1)", "Old one."),
        passage("reg.13(2)", "New two.", position=1),
        passage("reg.13(3)", "Added.", position=2),
        passage(None, "Y"),
    ]
    changed = changed_provisions(old, new)
    assert [(c.source_id, c.locator) for c in changed] == [("ukpga-2014-6", "reg.13(2)")]


def test_the_ingest_report_lists_changed_provisions_and_caps_the_list() -> None:
    many = [
        ProvisionChange("uksi-2014-1530", f"reg.{n}(1)", f"SEND Regulations 2014, reg.{n}(1)")
        for n in range(1, MAX_LISTED_CHANGES + 6)
    ]
    report = BuildReport(Path("i"), None, 1, 10, {"legislation": 10}, 3, 7, [])
    report.changed_provisions = many
    summary = report.summary()
    assert "SEND Regulations 2014, reg.1(1) changed since the last build" in summary
    assert f"{MAX_LISTED_CHANGES + 5} provisions changed since the last build" in summary
    assert f"reg.{MAX_LISTED_CHANGES + 1}(1)" not in summary
    assert "… and 5 more" in summary


# --- where the dates are shown ------------------------------------------------------------


def test_each_source_card_shows_its_date_and_where_to_check_for_changes() -> None:
    item = source_item_html(cite(passage()))
    assert "Text as revised to 7 March 2018" in item
    assert f'href="{CFA_URL}"' in item and "check legislation.gov.uk for later changes" in item
    # between the label and the quote, so it is read before the words are copied
    assert item.index("current-to") < item.index("<blockquote>")


def test_the_api_citation_carries_current_to() -> None:
    data = citation_json(cite(passage()))
    assert data["current_to"] == "2018-03-07"
    assert data["current_to_text"] == "text as revised to 7 March 2018"


def test_an_answer_says_once_that_its_law_is_old() -> None:
    answer = Answer(
        question="q",
        text="The law says so [1] [2].",
        citations=(cite(passage()), cite(passage("s.43", current_to="2020-05-01"), key=2)),
    )
    chunks = answer_chunks(answer, today=TODAY)
    assert sum("Check for later changes" in c for c in chunks) == 1
    assert "Check for later changes" in chunks[-1]
    assert not any("later changes" in c for c in answer_chunks(answer, today=dt.date(2018, 4, 1)))


def test_the_cli_json_and_text_carry_the_dates() -> None:
    answer = Answer(question="q", text="It says [1].", citations=(cite(passage()),))
    data = _answer_json(answer, today=TODAY)
    citations = data["citations"]
    assert isinstance(citations, list) and citations[0]["current_to"] == "2018-03-07"
    assert "7 March 2018" in str(data["current_to_notice"])
    text = format_answer(answer, today=TODAY)
    assert "[1] Children and Families Act 2014, s.42(2) (text as revised to 7 March 2018)" in text
    assert text.count("Check for later changes") == 1


def test_deadline_rows_carry_the_date_of_the_provision_they_cite() -> None:
    reg = Passage(
        passage_id="x",
        text="...",
        anchor=Anchor(
            source_id="uksi-2014-1530",
            locator="reg.5(1)",
            label="SEND Regulations 2014, reg.5(1)",
            url="https://www.legislation.gov.uk/uksi/2014/1530/regulation/5/1",
            current_to="2018-04-03",
        ),
        kind="legislation",
    )
    rows = deadline_rows("request", "3 March 2025", TODAY, [reg])
    dated = [r for r in rows if r["locator"] == "reg.5(1)"]
    assert dated and all(r["current_to"] == "2018-04-03" for r in dated)
    assert "text as revised to 3 April 2018" in deadlines_table_html(rows, "request", "3 March")
