"""One registry of document formats: every format the manifest may name has its parser."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from ingest.documents import FORMAT_OF_SUFFIX, FORMATS, parse_document
from ingest.fetch import fetched_format
from rag.errors import IngestError
from rag.schema import FormatName, Source


def test_every_format_name_has_a_parser() -> None:
    assert set(FORMATS) == set(get_args(FormatName))


def test_files_the_manifest_does_not_list_are_read_by_their_ending() -> None:
    assert FORMAT_OF_SUFFIX == {
        ".md": "headed-md",
        ".xml": "clml",
        ".pdf": "pdf",
        ".html": "html",
        ".htm": "html",
        ".docx": "docx",
    }
    assert fetched_format(Path("fetched/ukpga-2099-1.xml")) == "clml"


def test_a_parser_is_picked_by_the_sources_format(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<h1>Help</h1><p>Ask the council for an assessment.</p>", encoding="utf-8")
    source = Source(source_id="page", title="Page", short_title="Page", kind="guidance")
    passages = parse_document(source.model_copy(update={"format": "html"}), page)
    assert passages and "Ask the council" in passages[0].text
    with pytest.raises(IngestError, match="no YAML front matter"):
        parse_document(source.model_copy(update={"format": "legalize-md"}), page)
