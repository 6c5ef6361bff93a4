"""Locators, labels and provision URLs: one place that knows how anchors are spelled.

Locators follow ../shared/evals/README.md: ``s.36(8)(b)``, ``reg.13(2)``, ``sch.2 para.3``,
``9.40``; ``None`` for documents without numbered structure. Schedule text that sits in a Part
rather than in numbered paragraphs is ``sch.3 pt.1``.

Passages stop at subsections; a paragraph inside one (``reg.12(1)(i)``) is cut out of its
subsection's text by :func:`resolve_locator`, reading the labels in sequence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rag.schema import Anchor, Passage, Source, passage_id_for

_LOCATOR_PARTS = re.compile(
    r"^(?:(?P<sch>sch\.\w+)(?: (?P<pkind>para|pt)\.(?P<pnum>\w+))?"
    r"|(?P<kind>s|reg|art)\.(?P<num>\w+))"
    r"(?P<subs>(?:\(\w+\))*)$"
)


def locator_matches(expected: str | None, actual: str | None) -> bool:
    """True when one locator is a prefix of the other at a boundary (or expected is None).

    ``s.36`` matches ``s.36(8)`` and vice versa; ``s.3`` does not match ``s.36``.
    """
    if expected is None:
        return True
    if actual is None:
        return False
    short, long = sorted((expected, actual), key=len)
    if not long.startswith(short):
        return False
    rest = long[len(short) :]
    return rest == "" or rest[0] in "( "


def is_legislative(source: Source) -> bool:
    return source.kind == "legislation"


def _provision_word(source: Source) -> str:
    """Acts have sections; regulations have regulations (the manifest's ``role``)."""
    return "reg" if source.role == "regulations" else "s"


def provision_locator(
    source: Source, number: str, subsections: tuple[str, ...] = (), schedule: str | None = None
) -> str:
    """Build a locator for a numbered provision, e.g. ``s.42(2)`` or ``sch.2 para.3(1)``."""
    subs = "".join(f"({s})" for s in subsections)
    if schedule is not None:
        return f"sch.{schedule} para.{number}{subs}"
    return f"{_provision_word(source)}.{number}{subs}"


def make_label(source: Source, locator: str | None) -> str:
    """Human label: 'Children and Families Act 2014, s.42(2)'."""
    if locator is None:
        return source.short_title
    if is_legislative(source):
        return f"{source.short_title}, {locator}"
    if re.fullmatch(r"[0-9]+(\.[0-9]+)*|[ivxlc]+", locator):
        return f"{source.short_title}, para {locator}"
    return f"{source.short_title}, {locator}"


def provision_url(source: Source, locator: str | None) -> str:
    """Link to the provision on legislation.gov.uk where one exists, else the document URL."""
    if locator is None or not is_legislative(source) or not source.url:
        return source.url
    m = _LOCATOR_PARTS.match(locator)
    if not m:
        return source.url
    subs = re.findall(r"\((\w+)\)", m.group("subs") or "")
    if m.group("sch"):
        path = ["schedule", m.group("sch").split(".", 1)[1]]
        if m.group("pnum"):
            path += ["paragraph" if m.group("pkind") == "para" else "part", m.group("pnum")]
    else:
        word = {"s": "section", "reg": "regulation", "art": "article"}[m.group("kind")]
        path = [word, m.group("num")]
    return "/".join([source.url.rstrip("/"), *path, *subs])


def anchored_passage(
    source: Source,
    locator: str | None,
    text: str,
    heading_path: tuple[str, ...],
    position: int,
    *,
    label: str | None = None,
    page: int | None = None,
    url: str | None = None,
) -> Passage:
    """A passage with its id, label and provision URL: one recipe for every parser.

    ``url`` replaces the provision URL where legislation.gov.uk spells it differently (the
    only, unnumbered schedule of an instrument is ``/schedule``, not ``/schedule/1``).
    """
    return Passage(
        passage_id=passage_id_for(source.source_id, locator, text),
        text=text,
        anchor=Anchor(
            source_id=source.source_id,
            locator=locator,
            label=label or make_label(source, locator),
            url=url if url is not None else provision_url(source, locator),
            page=page,
        ),
        kind=source.kind,
        heading_path=heading_path,
        position=position,
    )


def parse_range(spec: str) -> tuple[str, str, str]:
    """Split an include spec like ``s.19-83`` into (prefix, low, high)."""
    m = re.fullmatch(r"(s|reg|sch)\.(\w+)(?:-(\w+))?", spec)
    if not m:
        raise ValueError(f"bad include spec {spec!r}: expected e.g. 's.19-83' or 'sch.10'")
    return m.group(1), m.group(2), m.group(3) or m.group(2)


def _number_key(number: str) -> tuple[int, str]:
    m = re.match(r"(\d+)(.*)", number)
    return (int(m.group(1)), m.group(2)) if m else (0, number)


def is_included(source: Source, number: str, schedule: str | None) -> bool:
    """Whether a provision falls inside the source's ``include`` list (empty: everything)."""
    if not source.include:
        return True
    for spec in source.include:
        prefix, low, high = parse_range(spec)
        if prefix == "sch":
            if schedule is not None and _number_key(low) <= _number_key(schedule) <= _number_key(
                high
            ):
                return True
        elif (
            schedule is None
            and _number_key(low)[0] <= _number_key(number)[0] <= _number_key(high)[0]
        ):
            return True
    return False


_NAMED_PROVISION = re.compile(
    r"""(?ix)
    (?:\b(?P<sch>schedule|sch\.?)\s*(?P<schnum>\d+[A-Z]?)\b
        (?:\s*,?\s*(?:paragraph|para\.?)\s*(?P<para>\d+[A-Z]?)\b)?)
    |(?:\b(?P<word>sections?\s+|ss?\.\s?|s(?=\d)|regulations?\s+|regs?\.?\s?|r\.\s?)
        (?P<num>\d{1,3}[A-Z]{0,2})\b(?!\.\d)
        (?P<subs>(?:\s?\(\w{1,4}\))*))
    |(?:\b(?:paragraph|para\.?|cop)\s*(?P<cop>\d{1,2}\.\d{1,3}|\d{1,3})\b)
    |(?:(?<![\d.£$])(?P<bare>\d{1,2}\.\d{1,3})(?![\d.])
        (?!\s*(?:miles?|km|kilometres?|hours?|hrs?|%|percent|years?|months?|weeks?|days?|m\b)))
    """
)


def named_provisions(question: str) -> list[tuple[str, str]]:
    """Provisions a question names, as (family, locator) pairs.

    family is ``act`` (a section), ``regs`` (a regulation), ``sch`` or ``para`` (numbered
    guidance). ``rag.manifest.documents_named`` says which documents each family points to.
    """
    found: list[tuple[str, str]] = []
    for m in _NAMED_PROVISION.finditer(question):
        if m.group("sch"):
            loc = f"sch.{m.group('schnum')}"
            if m.group("para"):
                loc += f" para.{m.group('para')}"
            found.append(("sch", loc))
        elif m.group("word"):
            word = m.group("word").lower().strip().rstrip(".")
            subs = re.sub(r"\s", "", m.group("subs") or "")
            family = "regs" if word.startswith("r") else "act"
            prefix = "reg" if family == "regs" else "s"
            found.append((family, f"{prefix}.{m.group('num')}{subs}"))
        elif m.group("cop") or m.group("bare"):
            found.append(("para", m.group("cop") or m.group("bare")))
    return found


# --- Paragraphs inside a passage -------------------------------------------------------------
#
# Legislation letters its paragraphs (a), (b), ... and their sub-paragraphs (i), (ii), ...; the
# two alphabets share letters, so "(i)" after "(h)" may be paragraph (i) or the first
# sub-paragraph of (h). The passage text does not keep the indentation, so the only reliable
# guide is the sequence: a label continues the list whose last label it follows, and "(i)" opens
# a sub-list only when "(ii)" comes next.

_ITEM_LINE = re.compile(r"^\((?P<label>\d{1,3}[A-Z]{0,3}|[A-Z]{1,2}\d{0,2}|[a-z]{1,5})\)(?:\s+|$)")
_ROMAN = re.compile(r"^(?=[ivxlc])(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_LEAD_IN = ("—", "-", ":")
_CLEARED_ON_CUT: dict[str, object] = {"note": "", "situations": ()}


def _roman_value(label: str) -> int:
    total = 0
    values = [_ROMAN_VALUES[ch] for ch in label.lower()]
    for i, v in enumerate(values):
        total += -v if i + 1 < len(values) and values[i + 1] > v else v
    return total


def _label_kinds(label: str) -> tuple[str, ...]:
    """Which lists a label can belong to: num, letter, roman, or their capitals."""
    if label[0].isdigit() or any(ch.isdigit() for ch in label) or re.fullmatch(r"Z[A-Z]", label):
        return ("num",)
    upper = label.isupper()
    low = label.lower()
    roman = bool(_ROMAN.fullmatch(low))
    if len(label) == 1:
        kinds = ("letter", "roman") if roman else ("letter",)
    else:
        kinds = ("roman",) if roman else ("letter",)
    return tuple(k.capitalize() for k in kinds) if upper else kinds


def _follows(prev: str, label: str, kind: str) -> bool:
    """True when ``label`` comes straight after ``prev`` in a list of ``kind``."""
    if kind not in _label_kinds(label):
        return False
    if kind == "num":
        p = re.match(r"\d+", prev)
        c = re.match(r"\d+", label)
        if c is None:
            return False
        if p is None:  # (ZA), (A1) come before (1)
            return True
        pn, cn = int(p.group()), int(c.group())
        return cn == pn + 1 or (cn == pn and label > prev)
    if kind.lower() == "roman":
        return _roman_value(label) == _roman_value(prev) + 1
    a, b = prev.lower(), label.lower()
    return (len(b) == 1 and ord(b) == ord(a[0]) + 1) or (b[0] == a[0] and b > a)


def _starts(label: str, kind: str) -> bool:
    if kind not in _label_kinds(label):
        return False
    if kind == "num":
        return re.match(r"1(?!\d)", label) is not None or not label[0].isdigit()
    return label.lower() == ("i" if kind.lower() == "roman" else "a")


@dataclass
class Paragraph:
    """A lettered or numbered item of a passage, with the items under it."""

    label: str
    kind: str
    line: str
    children: list[Paragraph] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [self.line] + [ln for child in self.children for ln in child.lines()]


@dataclass
class ParagraphTree:
    """The items of a passage's text as a tree; ``anomalies`` lists labels out of sequence."""

    items: list[Paragraph]
    anomalies: list[str]

    def find(self, path: Sequence[str]) -> Paragraph | None:
        """The item at a label path (``["h", "i"]``); None when absent or ambiguous."""
        level = self.items
        found: Paragraph | None = None
        for label in path:
            matches = [p for p in level if p.label == label]
            if len(matches) != 1:
                return None
            found = matches[0]
            level = found.children
        return found


@dataclass
class _Level:
    kind: str
    siblings: list[Paragraph]
    last: Paragraph


def paragraph_tree(text: str) -> ParagraphTree:
    """Read a passage's '(a)', '(i)', '(1)' lines into a tree by their sequence."""
    tokens: list[tuple[str | None, str]] = []
    for line in text.splitlines():
        m = _ITEM_LINE.match(line)
        tokens.append((m.group("label") if m else None, line))
    roots: list[Paragraph] = []
    anomalies: list[str] = []
    stack: list[_Level] = []
    for i, (label, line) in enumerate(tokens):
        if label is None:
            if stack and line.rstrip().endswith(_LEAD_IN):
                stack = []  # a new lead-in ("“x” means—") starts a new list
            continue
        nxt = next((lab for lab, _ in tokens[i + 1 :] if lab is not None), None)
        kinds = _label_kinds(label)
        cont = next(
            (
                d
                for d in range(len(stack) - 1, -1, -1)
                if _follows(stack[d].last.label, label, stack[d].kind)
            ),
            None,
        )
        open_kinds = {lv.kind for lv in stack}
        opens = (
            not stack
            or not stack[-1].last.line.split(")", 1)[1].strip()
            or stack[-1].last.line.rstrip().endswith(_LEAD_IN)
        )
        start = next(
            (k for k in kinds if _starts(label, k) and (k not in open_kinds or opens)), None
        )
        if cont is not None and start is not None:
            # "(i)" after "(h)": a sub-list only if "(ii)" follows and cannot continue the list.
            sub = nxt is not None and _follows(label, nxt, start)
            if not sub or _follows(label, nxt or "", stack[cont].kind):
                start = None
        if start is None and cont is None:
            same = [d for d in range(len(stack)) if stack[d].kind in kinds]
            if stack:
                anomalies.append(f"({label}) after ({stack[-1].last.label})")
            if same:
                cont = same[-1]
            else:
                start = kinds[0]
        if cont is not None and start is None:
            del stack[cont + 1 :]
            level = stack[cont]
            item = Paragraph(label, level.kind, line)
            level.siblings.append(item)
            level.last = item
        else:
            kind = start or kinds[0]
            siblings = stack[-1].last.children if stack else roots
            item = Paragraph(label, kind, line)
            siblings.append(item)
            stack.append(_Level(kind, siblings, item))
    return ParagraphTree(roots, anomalies)


def subparagraph_text(text: str, path: Sequence[str]) -> str | None:
    """The lines of the item at ``path`` (e.g. ``["h", "i"]``) and of the items under it."""
    found = paragraph_tree(text).find(path)
    return "\n".join(found.lines()) if found else None


def resolve_locator(passages: Iterable[Passage], locator: str) -> list[Passage]:
    """Passages at or under a locator, in the order given.

    Where none is, and a passage holds the locator (``reg.12(1)`` holds ``reg.12(1)(i)``), the
    paragraph is cut out of that passage's text and returned as a passage of its own, labelled
    with the full locator and linked to the holding passage's page.
    """
    pool = [p for p in passages if p.locator]
    found = [
        p
        for p in pool
        if p.locator and locator_matches(locator, p.locator) and len(p.locator) >= len(locator)
    ]
    if found:
        return found
    holders = [p for p in pool if p.locator and locator_matches(locator, p.locator)]
    if not holders:
        return []
    longest = max(len(p.locator or "") for p in holders)
    cut: list[Passage] = []
    for p in holders:
        held = p.locator or ""
        rest = locator[len(held) :]
        path = re.findall(r"\(([^()\s]+)\)", rest)
        if len(held) != longest or "".join(f"({x})" for x in path) != rest:
            continue
        text = subparagraph_text(p.text, path)
        if not text:
            continue
        label = p.anchor.label
        label = label[: -len(held)] + locator if label.endswith(held) else label + rest
        update: dict[str, object] = {
            "passage_id": passage_id_for(p.source_id, locator, text),
            "text": text,
            "anchor": p.anchor.model_copy(update={"locator": locator, "label": label}),
        }
        # A note written for the whole subsection does not describe one paragraph of it.
        update.update({k: v for k, v in _CLEARED_ON_CUT.items() if k in Passage.model_fields})
        cut.append(p.model_copy(update=update))
    return cut
