"""Locators, labels and provision URLs: one place that knows how anchors are spelled.

Locators follow ../shared/evals/README.md: ``s.36(8)(b)``, ``reg.13(2)``, ``sch.2 para.3``,
``9.40``; ``None`` for documents without numbered structure.
"""

from __future__ import annotations

import re

from rag.schema import Anchor, Passage, Source, passage_id_for

_LOCATOR_PARTS = re.compile(
    r"^(?:(?P<sch>sch\.\w+)(?: (?P<pkind>para)\.(?P<pnum>\w+))?|(?P<kind>s|reg|art)\.(?P<num>\w+))"
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
    """Acts have sections; statutory instruments have regulations."""
    return "reg" if source.source_id.startswith("uksi-") else "s"


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
            path += ["paragraph", m.group("pnum")]
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
) -> Passage:
    """A passage with its id, label and provision URL: one recipe for every parser."""
    return Passage(
        passage_id=passage_id_for(source.source_id, locator, text),
        text=text,
        anchor=Anchor(
            source_id=source.source_id,
            locator=locator,
            label=label or make_label(source, locator),
            url=provision_url(source, locator),
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
    guidance). The caller decides which document each family points to.
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
