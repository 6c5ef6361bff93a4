"""The round-trip audit: every provision of every legislation file has a passage with its words.

Run on the real corpus files, so the next provision the parser misses (written after the notes,
under a heading it does not expect, labelled with the wrong number) fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.audit import audit_legislation
from ingest.legalize import parse_legalize_markdown
from rag.anchors import anchored_passage
from rag.manifest import load_manifest
from rag.schema import Source
from rag.settings import PROJECT_ROOT

SOURCES = load_manifest(PROJECT_ROOT / "corpus" / "sources.toml")
LEGISLATION = [s for s in SOURCES if s.format == "legalize-md"]


@pytest.mark.parametrize("source", LEGISLATION, ids=lambda s: s.source_id)
def test_every_provision_has_a_passage_with_its_words(shared_corpus: Path, source: Source) -> None:
    text = (shared_corpus / source.filename).read_text(encoding="utf-8")
    report = audit_legislation(text, source, parse_legalize_markdown(text, source))
    assert report.checked > 0
    assert report.ok, "\n".join(str(f) for f in report.findings)


def test_the_whole_manifest_is_audited() -> None:
    assert {s.source_id for s in LEGISLATION} == {
        "ukpga-2014-6",
        "uksi-2014-1530",
        "uksi-2014-1652",
        "uksi-2017-1306",
        "ukpga-2010-15",
    }


REGS = Source(
    source_id="uksi-2099-1",
    title="The Example Regulations 2099",
    short_title="Example Regulations 2099",
    kind="legislation",
    role="regulations",
    format="legalize-md",
    url="https://www.legislation.gov.uk/uksi/2099/1",
)

FILE = """---
identifier: uksi-2099-1
---
# The Example Regulations 2099

#### Citation

###### 1

These Regulations may be cited as the Example Regulations 2099.

#### Duty

###### 2

- (ZA) This regulation applies to schools.

- (1) A local authority must act within 6 weeks.

- (2) It must tell the parent—

- (a) the decision; and

- (b) the reasons.

## SCHEDULE — People

The following persons are named—

- (a) a parent;

- (b) a young person.

## Footnotes

[^f1]: A footnote.

#### Inserted duty

###### 2A

- (1) Where the exception applies, the 6 weeks become 8.

## Editorial notes

[^key-1]: [Reg. 2A](https://www.legislation.gov.uk/uksi/2099/1/regulation/2A) inserted (1.1.2100).
"""


def test_a_correct_parse_passes() -> None:
    report = audit_legislation(FILE, REGS, parse_legalize_markdown(FILE, REGS))
    assert report.ok, report.findings
    assert report.checked == 4  # reg.1, reg.2, reg.2A, the Schedule
    assert "all 4 provisions" in report.summary()


def test_missing_and_mislabelled_passages_are_found() -> None:
    passages = [p for p in parse_legalize_markdown(FILE, REGS) if p.locator != "reg.2A(1)"]
    # The old parser's mistake: (ZA) kept as the text of the bare regulation.
    passages.append(
        anchored_passage(REGS, "reg.2", "(ZA) This regulation applies to schools.", (), 9)
    )
    # A label whose text is another provision's.
    passages.append(anchored_passage(REGS, "reg.2(1)", "It must tell the parent—", (), 10))
    report = audit_legislation(FILE, REGS, passages)
    found = [str(f) for f in report.findings]
    assert any(f.startswith("reg.2A(1): no passage") for f in found)
    assert any(f.startswith("reg.2: label names a provision") for f in found)
    assert any(f.startswith("reg.2(1): text is not this provision's") for f in found)
    assert not report.ok


def test_headings_the_parser_cannot_place_are_found() -> None:
    # A provision heading at an unexpected level, and one written after the notes that no
    # Editorial note places.
    odd = FILE.replace("###### 1\n", "#### 1\n").replace("[Reg. 2A]", "[Something]")
    found = [
        str(f) for f in audit_legislation(odd, REGS, parse_legalize_markdown(odd, REGS)).findings
    ]
    assert any("heading '1' is not read as a provision" in f for f in found)
    assert any("provision 2A is written after the notes" in f for f in found)


def test_paragraphs_out_of_sequence_are_found() -> None:
    odd = FILE.replace("- (b) the reasons.", "- (c) the reasons.")
    found = [
        str(f) for f in audit_legislation(odd, REGS, parse_legalize_markdown(odd, REGS)).findings
    ]
    assert found == ["reg.2(2): paragraph (c) after (a) is out of sequence"]
