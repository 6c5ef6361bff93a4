"""Provision notes: sendqa's own plain-English note for each provision, and the situations in
which people need it.

Parents describe situations ("he's had no SALT since September"); the law states duties ("the
local authority must secure the specified special educational provision"). A note bridges the
two: its ``plain`` sentence and its ``situations`` are embedded as extra windows of the passage
and added to its lexical text, so a parent's words find the provision, and ``plain`` is shown
under the quote, labelled as sendqa's note, never as the law.

Notes are data, one JSONL file per document in ``corpus/notes/<source_id>.jsonl``, written from
the provisions alone (never from a question set). A passage that needs no note (commencement,
amendments of other Acts, powers to make regulations) gets a line with a reason instead::

    {"locator": "s.42(2)", "plain": "...", "situations": ["...", "...", "..."]}
    {"locator": "s.83(3)", "skip": "a definition with no rule in it"}

``check_notes`` is the review that can fail: every note resolves to exactly one passage, every
passage of a document marked ``notes = true`` in the manifest has a note or a skip, every number
or provision reference in ``plain`` is in its passage, and no situation is written twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rag.errors import ConfigError
from rag.facts import unsupported_facts
from rag.schema import Passage


class ProvisionNote(BaseModel):
    """What a provision means in everyday words, and how people describe needing it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    locator: str = Field(min_length=1, description="The passage's locator, e.g. 's.42(2)'.")
    plain: str = Field(min_length=10, description="One or two sentences, true to the text.")
    situations: tuple[str, ...] = Field(
        min_length=3, max_length=6, description="How parents, young people, caseworkers put it."
    )


class NoteSkip(BaseModel):
    """A passage deliberately left without a note, with the reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    locator: str = Field(min_length=1)
    skip: str = Field(min_length=3, description="Why no parent or caseworker needs a note.")


NoteEntry = ProvisionNote | NoteSkip


def _entry(line: str) -> NoteEntry:
    data = json.loads(line)
    if isinstance(data, dict) and "skip" in data:
        return NoteSkip.model_validate(data)
    return ProvisionNote.model_validate(data)


def load_notes(folder: Path) -> dict[str, tuple[NoteEntry, ...]]:
    """Every notes file in ``folder``, by source id (the file's stem); none when it is absent."""
    if not folder.is_dir():
        return {}
    notes: dict[str, tuple[NoteEntry, ...]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        entries: list[NoteEntry] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entries.append(_entry(line))
            except (ValueError, ValidationError) as exc:
                reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
                raise ConfigError(f"{path}, line {number}: {reason} (fix the line)") from exc
        notes[path.stem] = tuple(entries)
    return notes


def notes_digest(folder: Path) -> str:
    """sha256 over every notes file, recorded in the index so a build says which notes it holds."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def attach_notes(
    passages: Sequence[Passage], notes: Mapping[str, Sequence[NoteEntry]]
) -> list[Passage]:
    """The passages with their note and situations filled in (unknown locators are ignored here;
    ``check_notes`` reports them)."""
    by_anchor = {
        (source_id, e.locator): e
        for source_id, entries in notes.items()
        for e in entries
        if isinstance(e, ProvisionNote)
    }
    out = []
    for p in passages:
        note = by_anchor.get((p.source_id, p.locator or ""))
        out.append(
            p.model_copy(update={"note": note.plain, "situations": note.situations}) if note else p
        )
    return out


@dataclass
class Coverage:
    """How far one document's passages are covered by notes."""

    source_id: str
    passages: int
    noted: int
    skipped: int
    missing: list[str] = field(default_factory=list)


@dataclass
class NotesReport:
    """The result of the review: problems to fix, and coverage per document."""

    problems: list[str]
    coverage: list[Coverage]

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        lines = ["document                          passages  noted  skipped  missing"]
        for c in self.coverage:
            lines.append(
                f"{c.source_id:<33} {c.passages:>8} {c.noted:>6} {c.skipped:>8} {len(c.missing):>8}"
            )
        lines.append("")
        if self.problems:
            lines.append(f"{len(self.problems)} problem(s):")
            lines += [f"  {p}" for p in self.problems]
        else:
            lines.append("Every note resolves, every required passage is covered: OK.")
        return "\n".join(lines)


def _situation_key(text: str) -> str:
    return " ".join("".join(ch for ch in text.lower() if ch.isalnum() or ch.isspace()).split())


def check_notes(
    passages: Iterable[Passage],
    notes: Mapping[str, Sequence[NoteEntry]],
    required: Iterable[str],
) -> NotesReport:
    """Review notes against the passages they annotate (see the module docstring)."""
    by_source: dict[str, dict[str, list[Passage]]] = {}
    for p in passages:
        if p.locator:
            by_source.setdefault(p.source_id, {}).setdefault(p.locator, []).append(p)
    problems: list[str] = []
    seen_situations: dict[str, str] = {}
    covered: dict[str, set[str]] = {}
    for source_id, entries in notes.items():
        held = by_source.get(source_id)
        if held is None:
            problems.append(f"{source_id}: notes for a document the index does not hold")
            continue
        done = covered.setdefault(source_id, set())
        for e in entries:
            where = f"{source_id} {e.locator}"
            found = held.get(e.locator, [])
            if len(found) != 1:
                problems.append(
                    f"{where}: resolves to {len(found)} passages (a note needs exactly one)"
                )
                continue
            if e.locator in done:
                problems.append(f"{where}: written twice")
            done.add(e.locator)
            if isinstance(e, NoteSkip):
                continue
            for fact in unsupported_facts(e.plain, found[0].text):
                problems.append(f"{where}: '{fact}' in the note is not in the provision's text")
            for s in e.situations:
                key = _situation_key(s)
                if key in seen_situations:
                    problems.append(f"{where}: situation repeated from {seen_situations[key]}")
                seen_situations.setdefault(key, where)
    coverage = []
    for source_id in dict.fromkeys(required):
        held = by_source.get(source_id, {})
        entries = notes.get(source_id, ())
        missing = [loc for loc in held if loc not in covered.get(source_id, set())]
        problems += [f"{source_id} {loc}: no note and no skip reason" for loc in missing]
        coverage.append(
            Coverage(
                source_id,
                len(held),
                sum(isinstance(e, ProvisionNote) for e in entries),
                sum(isinstance(e, NoteSkip) for e in entries),
                missing,
            )
        )
    return NotesReport(problems, coverage)
