"""Round-trip audit of a legislation file against its passages: every provision, every label.

A citation is only as good as its label. The audit reads the legalize-uk Markdown again and
checks, for every provision the manifest's ``include`` keeps:

- every numbered heading in the file is read as a provision (none silently skipped), and one
  written away from its place is put back where its Editorial note says;
- every subsection (or provision without subsections, or schedule text) has a passage with its
  locator whose text starts with that provision's own words;
- every passage's locator names a provision the file has, and its text is that provision's;
- the lettered paragraphs inside each passage run in sequence, so ``reg.12(1)(i)`` can be cut
  out of ``reg.12(1)`` without mistaking sub-paragraph (i) of (h) for paragraph (i).

``sendqa passages audit`` runs it on the index; tests run it on a fresh parse of the corpus.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.legalize import (
    body_lines,
    provision_units,
    scan_legislation,
    unit_locator,
)
from ingest.text import clean_inline, is_placeholder
from rag.anchors import is_included, paragraph_tree
from rag.schema import Passage, Source

# Deliberately looser than the parser: any heading that is only a number, however written.
_ANY_NUMBERED_HEADING = re.compile(
    r"^#{1,6}\s+\**\s*(?:Section|Regulation|Article|Rule|Paragraph|Para\.?)?\s*"
    r"(\d+[A-Z]*)\.?\s*\**\s*$",
    re.IGNORECASE,
)
_WORDS = 80


@dataclass(frozen=True)
class Finding:
    """One problem, named by the locator (or line) it concerns."""

    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


@dataclass
class AuditReport:
    """Provisions checked and the problems found; empty ``findings`` means every one is right."""

    source_id: str
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        if self.ok:
            return (
                f"{self.source_id}: all {self.checked} provisions have a passage with their words"
            )
        problems = len(self.findings)
        return f"{self.source_id}: {problems} problem(s) in {self.checked} provisions checked"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:_WORDS]


def audit_legislation(text: str, source: Source, passages: Sequence[Passage]) -> AuditReport:
    """Check a legalize-uk file against the passages held for it (see the module docstring)."""
    name = source.filename or source.source_id
    report = AuditReport(source.source_id)
    raws = scan_legislation(text, name)
    read_lines = {r.line_no for r in raws if r.number is not None}
    for line_no, line in enumerate(body_lines(text, name), 1):
        m = _ANY_NUMBERED_HEADING.match(line.strip())
        if m and line_no not in read_lines:
            report.findings.append(
                Finding(f"line {line_no}", f"heading {m.group(1)!r} is not read as a provision")
            )

    expected: dict[str, list[str]] = {}
    for raw in raws:
        if raw.status == "unplaced":
            report.findings.append(
                Finding(
                    f"line {raw.line_no}",
                    f"provision {raw.number} is written after the notes and no Editorial note "
                    "says where it was inserted",
                )
            )
            continue
        if not is_included(source, raw.number or "", raw.schedule):
            continue
        if raw.out_of_sequence:
            report.findings.append(
                Finding(
                    raw.locator(source),
                    f"out of number order at line {raw.line_no}: written away from its place?",
                )
            )
        report.checked += 1
        for subs, lines in provision_units(raw):
            words = next((clean_inline(ln) for ln in lines if clean_inline(ln)), "")
            whole = " ".join(clean_inline(ln) for ln in lines)
            if not words or is_placeholder(whole):
                continue  # repealed or omitted: dots only
            expected.setdefault(unit_locator(source, raw, subs), []).append(_norm(words))

    held: dict[str, list[Passage]] = {}
    for p in passages:
        if p.source_id == source.source_id and p.locator:
            held.setdefault(p.locator, []).append(p)
    for locator, wanted in expected.items():
        found = held.get(locator, [])
        for start in wanted:
            if not found:
                report.findings.append(Finding(locator, f"no passage (source: {start[:50]!r}…)"))
            elif not any(_norm(p.text).startswith(start) for p in found):
                report.findings.append(
                    Finding(locator, f"passage text does not start with {start[:50]!r}…")
                )
    for locator, found in held.items():
        starts = expected.get(locator)
        for p in found:
            if starts is None:
                report.findings.append(
                    Finding(
                        locator,
                        f"label names a provision the source does not have as such "
                        f"(text: {_norm(p.text)[:50]!r}…)",
                    )
                )
            elif not any(_norm(p.text).startswith(s) for s in starts):
                report.findings.append(
                    Finding(
                        locator, f"text is not this provision's (text: {_norm(p.text)[:50]!r}…)"
                    )
                )
            for anomaly in paragraph_tree(p.text).anomalies:
                report.findings.append(Finding(locator, f"paragraph {anomaly} is out of sequence"))
    return report
