"""Parse legislation in legalize-uk Markdown into passages anchored to their provisions.

Layout: ``##`` parts and schedules, ``###``/``####`` chapters and cross-headings,
``#####``/``######`` provision numbers, ``- (1)`` subsections, ``- (a)`` paragraphs, ``>`` quoted
inserted text. Commentary (footnote markers, Editorial notes, Footnotes) is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.text import clean_inline, is_placeholder, split_front_matter
from rag.anchors import anchored_passage, is_included, provision_locator
from rag.schema import Passage, Source

_STOP_HEADINGS = ("editorial notes", "footnotes", "signed", "explanatory note")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_PROVISION = re.compile(r"^(\d+[A-Z]*)$")
_SCHEDULE = re.compile(r"^SCHEDULE\s+(\d+[A-Z]*)\b\s*(?:—\s*(.*))?$", re.IGNORECASE)
_SUBSECTION = re.compile(r"^-\s+\((\d+[A-Z]*)\)\s*(.*)$")
_ITEM = re.compile(r"^-\s+(.*)$")


@dataclass
class _Provision:
    number: str
    schedule: str | None
    headings: tuple[str, ...]
    preamble: list[str] = field(default_factory=list)
    subsections: list[tuple[str, list[str]]] = field(default_factory=list)

    def add(self, line: str) -> None:
        if self.subsections:
            self.subsections[-1][1].append(line)
        else:
            self.preamble.append(line)


def _body_lines(text: str, name: str) -> list[str]:
    if text.startswith("---"):
        _, text = split_front_matter(text, name)
    return text.splitlines()


def parse_legalize_markdown(text: str, source: Source) -> list[Passage]:
    """One passage per subsection (or per provision without subsections), in document order."""
    provisions: list[_Provision] = []
    headings: dict[int, str] = {}
    schedule: str | None = None
    current: _Provision | None = None
    for raw in _body_lines(text, source.filename or source.source_id):
        line = raw.rstrip()
        heading = _HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), clean_inline(heading.group(2))
            if level == 2 and title.lower().startswith(_STOP_HEADINGS):
                break
            number = _PROVISION.match(title)
            if level >= 5 and number:
                current = _Provision(number.group(1), schedule, _heading_path(headings))
                provisions.append(current)
                continue
            current = None
            sched = _SCHEDULE.match(title) if level == 2 else None
            if sched:
                schedule = sched.group(1)
                headings = {
                    1: f"Schedule {schedule}" + (f" — {sched.group(2)}" if sched.group(2) else "")
                }
                continue
            if level == 1:
                continue
            if level == 2 and schedule is not None:
                headings = {1: headings.get(1, ""), 2: title}
            else:
                headings = {k: v for k, v in headings.items() if k < level}
                headings[level] = title
            continue
        if current is None or not line.strip():
            continue
        sub = _SUBSECTION.match(line)
        if sub:
            current.subsections.append((sub.group(1), [sub.group(2)]))
            continue
        item = _ITEM.match(line)
        content = (
            item.group(1) if item else line.lstrip("> ").strip() if line.startswith(">") else line
        )
        current.add(content)
    return _to_passages(provisions, source)


def _heading_path(headings: dict[int, str]) -> tuple[str, ...]:
    return tuple(v for _, v in sorted(headings.items()) if v)


def _to_passages(provisions: list[_Provision], source: Source) -> list[Passage]:
    passages: list[Passage] = []
    seen: set[str] = set()
    for prov in provisions:
        if not is_included(source, prov.number, prov.schedule):
            continue
        parts: list[tuple[tuple[str, ...], list[str]]] = []
        preamble = [ln for ln in prov.preamble if not is_placeholder(clean_inline(ln))]
        if preamble or not prov.subsections:
            parts.append(((), prov.preamble))
        parts.extend(((number,), lines) for number, lines in prov.subsections)
        for subs, lines in parts:
            text = "\n".join(clean_inline(ln) for ln in lines if clean_inline(ln))
            if not text or is_placeholder(text):
                continue
            locator = provision_locator(source, prov.number, subs, schedule=prov.schedule)
            passage = anchored_passage(source, locator, text, prov.headings, len(passages))
            if passage.passage_id in seen:
                continue
            seen.add(passage.passage_id)
            passages.append(passage)
    return passages
