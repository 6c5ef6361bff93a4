"""Parse legislation in legalize-uk Markdown into passages anchored to their provisions.

Layout: ``##`` parts and schedules, ``###``/``####`` chapters and cross-headings,
``#####``/``######`` provision numbers, ``- (1)`` subsections, ``- (a)`` paragraphs, ``>`` quoted
inserted text. Commentary (footnote markers, Editorial notes, Footnotes) is left out.

legalize-uk writes some inserted provisions away from their place: after the Footnotes or the
Editorial notes (reg.4A of the Personal Budgets Regulations), or after the last schedule
(Equality Act Sch. 17 paras 3A and 6A-6E). The Editorial notes say where each was inserted
("Reg. 4A inserted", "Sch. 17 para. 6F inserted", "Pt. 12 Ch. 2A inserted"), so such a
provision is put back where its note says, in number order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.text import clean_inline, is_placeholder, split_front_matter
from rag.anchors import anchored_passage, is_included, provision_locator, provision_url
from rag.schema import Passage, Source

_STOP_HEADINGS = ("editorial notes", "footnotes", "signed", "explanatory note")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_PROVISION = re.compile(r"^(\d+[A-Z]*)$")
_SCHEDULE = re.compile(r"^SCHEDULE\b(?:\s+(\d+[A-Z]*)\b)?\s*(?:—\s*(.*))?$", re.IGNORECASE)
_PART = re.compile(r"^PART\s+(\d+[A-Z]*)\b", re.IGNORECASE)
_CHAPTER = re.compile(r"^CHAPTER\s+(\d+[A-Z]*)\b", re.IGNORECASE)
# (1), (2A), and the labels placed before (1): (ZA), (A1).
SUBSECTION = re.compile(r"^-\s+\((\d+[A-Z]*|Z[A-Z]|[A-Z]\d+[A-Z]*)\)\s*(.*)$")
_ITEM = re.compile(r"^-\s+(.*)$")
_NOTE = re.compile(r"^\[\^[^\]]+\]:\s*(.*)$")
_INSERTED = re.compile(
    r"""^(?:(?:S|Ss|Reg|Regs|Art|Arts)\.\s?(?P<num>\d+[A-Z]*)
    |Sch\.\s?(?P<sch>\d+[A-Z]*)(?:\s+Pt\.\s?(?P<pt>\w+))?(?:\s+para\.\s?(?P<para>\d+[A-Z]*))?
    |Pt\.\s?(?P<part>\w+)\s+Ch\.\s?(?P<ch>\w+))
    (?:\s+and\s+cross-heading)?\s+(?:inserted|substituted)\b""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Insertions:
    """What the Editorial notes say was inserted, so displaced provisions can be put back."""

    provisions: dict[str, frozenset[str | None]] = field(default_factory=dict)
    schedule_parts: frozenset[tuple[str, str]] = frozenset()
    act_chapters: frozenset[tuple[str, str]] = frozenset()


def read_insertions(lines: list[str]) -> Insertions:
    """Provisions (number -> schedule, None for a section) and groups the notes say inserted."""
    provisions: dict[str, set[str | None]] = {}
    parts: set[tuple[str, str]] = set()
    chapters: set[tuple[str, str]] = set()
    for line in lines:
        note = _NOTE.match(line)
        m = _INSERTED.match(clean_inline(note.group(1))) if note else None
        if not m:
            continue
        if m.group("num"):
            provisions.setdefault(m.group("num"), set()).add(None)
        elif m.group("para"):
            provisions.setdefault(m.group("para"), set()).add(m.group("sch"))
        elif m.group("pt"):
            parts.add((m.group("sch"), m.group("pt")))
        elif m.group("ch"):
            chapters.add((m.group("part"), m.group("ch")))
    return Insertions(
        {k: frozenset(v) for k, v in provisions.items()}, frozenset(parts), frozenset(chapters)
    )


@dataclass
class RawProvision:
    """A numbered provision (or a stretch of schedule text) as it stands in the file.

    ``number`` is None for schedule text outside numbered paragraphs (``sch.3 pt.1``).
    ``status``: ``body`` where the file puts it, ``displaced`` when put back where its
    Editorial note says, ``unplaced`` when no note says where it belongs (then left out).
    """

    number: str | None
    schedule: str | None
    headings: tuple[str, ...]
    line_no: int
    part: str | None = None
    sole_schedule: bool = False
    status: str = "body"
    out_of_sequence: bool = False
    own_heading: str | None = None
    lines: list[str] = field(default_factory=list)

    def locator(self, source: Source) -> str:
        if self.number is None:
            return f"sch.{self.schedule}" + (f" pt.{self.part}" if self.part else "")
        return provision_locator(source, self.number, (), schedule=self.schedule)


def _number_key(number: str) -> tuple[int, str]:
    m = re.match(r"(\d+)(.*)", number)
    return (int(m.group(1)), m.group(2)) if m else (0, number)


def body_lines(text: str, name: str) -> list[str]:
    """The file's lines after its front matter."""
    if text.startswith("---"):
        _, text = split_front_matter(text, name)
    return text.splitlines()


class _Scanner:
    """Walks the file once, keeping the heading context and placing each numbered heading."""

    def __init__(self, insertions: Insertions) -> None:
        self.insertions = insertions
        self.raws: list[RawProvision] = []
        self.headings: dict[int, str] = {}
        self.appendix: dict[int, str] = {}
        self.schedule: str | None = None
        self.sole = False
        self.part: str | None = None
        self.after_stop = False
        self.last: dict[str | None, str] = {}
        self.current: RawProvision | None = None

    def heading(self, level: int, title: str, line_no: int) -> None:
        self.current = None
        if level <= 2 and title.lower().startswith(_STOP_HEADINGS):
            # Commentary follows, but inserted provisions may still be written among it.
            self.after_stop, self.schedule, self.headings, self.appendix = True, None, {}, {}
            return
        number = _PROVISION.match(title)
        if level >= 5 and number:
            self.current = self._provision(number.group(1), line_no)
            self.raws.append(self.current)
            return
        if self.after_stop:
            self.appendix = {k: v for k, v in self.appendix.items() if k < level}
            self.appendix[level] = title
            return
        sched = _SCHEDULE.match(title) if level == 2 else None
        if sched:
            self.schedule, self.sole, self.part = sched.group(1) or "1", not sched.group(1), None
            name = "Schedule" + (f" {sched.group(1)}" if sched.group(1) else "")
            self.headings = {1: name + (f" — {sched.group(2)}" if sched.group(2) else "")}
            return
        if level == 1:
            return
        if level == 2 and self.schedule is not None:
            part = _PART.match(title)
            self.part = part.group(1) if part else None
            self.headings = {1: self.headings.get(1, ""), 2: title}
        else:
            self.headings = {k: v for k, v in self.headings.items() if k < level}
            self.headings[level] = title

    def text(self, line: str, line_no: int) -> None:
        if self.current is None and self.schedule is not None and not self.after_stop:
            # Schedule text outside numbered paragraphs: a Part's list, or a whole schedule.
            self.current = RawProvision(
                None,
                self.schedule,
                _heading_path(self.headings),
                line_no,
                part=self.part,
                sole_schedule=self.sole,
            )
            self.raws.append(self.current)
        if self.current is not None:
            self.current.lines.append(line)

    def _provision(self, number: str, line_no: int) -> RawProvision:
        """A numbered heading: where the file puts it, or where its Editorial note says."""
        own = self.appendix if self.after_stop else self.headings
        raw = RawProvision(number, self.schedule, _heading_path(self.headings), line_no)
        raw.own_heading = own[max(own)] if own else None
        targets = self.insertions.provisions.get(number, frozenset())
        if not self.after_stop:
            prev = self.last.get(self.schedule)
            in_sequence = number == "1" or (
                prev is not None and _number_key(number) > _number_key(prev)
            )
            if in_sequence or self.schedule in targets:
                self.last[self.schedule] = number
                raw.sole_schedule = self.sole
            elif len(targets) == 1:  # e.g. Sch. 17 para. 3A written after Schedule 28
                raw.schedule, raw.status = next(iter(targets)), "displaced"
            else:
                raw.out_of_sequence = True
            return raw
        if len(targets) != 1:
            # No note names the provision itself: an inserted Part or Chapter above it may.
            groups = self._inserted_groups()
            targets = frozenset(groups & targets if targets else groups)
        if len(targets) == 1:
            raw.schedule, raw.status = next(iter(targets)), "displaced"
        else:
            raw.schedule, raw.status = None, "unplaced"
        return raw

    def _inserted_groups(self) -> set[str | None]:
        """Where the nearest inserted Part or Chapter heading above a provision puts it."""
        for level in sorted(self.appendix, reverse=True):
            title = self.appendix[level]
            part, chapter = _PART.match(title), _CHAPTER.match(title)
            found: set[str | None] = set()
            if part:
                found |= {s for s, p in self.insertions.schedule_parts if p == part.group(1)}
            if chapter and any(c == chapter.group(1) for _, c in self.insertions.act_chapters):
                found.add(None)
            if found:
                return found
        return set()


def scan_legislation(text: str, name: str) -> list[RawProvision]:
    """Every numbered provision and stretch of schedule text in the file, placed.

    Displaced provisions are moved into number order within their section run or schedule.
    """
    lines = body_lines(text, name)
    scanner = _Scanner(read_insertions(lines))
    for line_no, written in enumerate(lines, 1):
        line = written.rstrip()
        heading = _HEADING.match(line)
        if heading:
            scanner.heading(len(heading.group(1)), clean_inline(heading.group(2)), line_no)
        elif line.strip():
            scanner.text(line, line_no)
    placed: list[RawProvision] = []
    for raw in scanner.raws:
        if raw.status == "displaced":
            _put_back(placed, raw)
        else:
            placed.append(raw)
    return placed


def _put_back(placed: list[RawProvision], raw: RawProvision) -> None:
    """Insert a displaced provision after the last of its run with a lower number."""
    assert raw.number is not None
    key = _number_key(raw.number)
    same = [
        i
        for i, r in enumerate(placed)
        if r.schedule == raw.schedule and r.number is not None and r.status != "unplaced"
    ]
    before = [i for i in same if _number_key(placed[i].number or "") < key]
    at = before[-1] + 1 if before else (same[0] if same else len(placed))
    if before:
        prev = placed[before[-1]].headings
        keep = 1 if raw.schedule is not None else 0
        base = prev[:-1] if len(prev) > keep else prev
    else:
        base = (f"Schedule {raw.schedule}",) if raw.schedule is not None else ()
    raw.headings = base + ((raw.own_heading,) if raw.own_heading else ())
    placed.insert(at, raw)


def _heading_path(headings: dict[int, str]) -> tuple[str, ...]:
    return tuple(v for _, v in sorted(headings.items()) if v)


def provision_units(raw: RawProvision) -> list[tuple[tuple[str, ...], list[str]]]:
    """(subsection labels, text lines) for each passage of a provision, commentary still in."""
    preamble: list[str] = []
    subsections: list[tuple[str, list[str]]] = []
    for line in raw.lines:
        sub = SUBSECTION.match(line) if raw.number is not None else None
        if sub:
            subsections.append((sub.group(1), [sub.group(2)]))
            continue
        item = _ITEM.match(line)
        content = (
            item.group(1) if item else line.lstrip("> ").strip() if line.startswith(">") else line
        )
        (subsections[-1][1] if subsections else preamble).append(content)
    units: list[tuple[tuple[str, ...], list[str]]] = []
    kept = [ln for ln in preamble if not is_placeholder(clean_inline(ln))]
    if kept or not subsections:
        units.append(((), preamble))
    units.extend(((number,), lines) for number, lines in subsections)
    return units


def unit_locator(source: Source, raw: RawProvision, subs: tuple[str, ...]) -> str:
    if raw.number is None:
        return raw.locator(source)
    return provision_locator(source, raw.number, subs, schedule=raw.schedule)


def parse_legalize_markdown(text: str, source: Source) -> list[Passage]:
    """One passage per subsection (or per provision without subsections), in document order."""
    passages: list[Passage] = []
    seen: set[str] = set()
    for raw in scan_legislation(text, source.filename or source.source_id):
        if raw.status == "unplaced" or not is_included(source, raw.number or "", raw.schedule):
            continue
        for subs, lines in provision_units(raw):
            text_ = "\n".join(clean_inline(ln) for ln in lines if clean_inline(ln))
            if not text_ or is_placeholder(text_):
                continue
            locator = unit_locator(source, raw, subs)
            url = provision_url(source, locator)
            if raw.sole_schedule:
                url = url.replace("/schedule/1", "/schedule", 1)
            passage = anchored_passage(source, locator, text_, raw.headings, len(passages), url=url)
            if passage.passage_id in seen:
                continue
            seen.add(passage.passage_id)
            passages.append(passage)
    return passages
