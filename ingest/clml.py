"""Parse legislation.gov.uk CLML XML into passages anchored to their provisions.

CLML nests ``Part``/``Chapter``/``Pblock``/``P1group`` headings around ``P1`` provisions
(sections, regulations, articles, schedule paragraphs), which split into ``P2`` subsections and
``P3``/``P4`` paragraphs. One passage per ``P2`` (or per ``P1`` without any), so a subsection is
never split. Commentary, footnotes, metadata and alternative versions are left out. Elements are
matched by local name, so the legislation namespace may or may not be present.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree  # untyped; pyproject sets ignore_missing_imports for mypy

from ingest.text import is_placeholder
from rag.anchors import anchored_passage, is_included, provision_locator
from rag.current_to import normalise_current_to
from rag.errors import IngestError
from rag.schema import Passage, Source

#: Whole subtrees that are not the text of the law (or are duplicates of it, like Versions).
_SKIP = frozenset(
    {
        "Metadata",
        "Contents",
        "PrimaryPrelims",
        "SecondaryPrelims",
        "Commentaries",
        "Commentary",
        "CommentaryRef",
        "Footnotes",
        "Footnote",
        "FootnoteRef",
        "MarginNotes",
        "MarginNoteRef",
        "Versions",
        "ExplanatoryNotes",
        "EarlierOrders",
        "Resources",
        "SignedSection",
        "Image",
    }
)
#: Containers whose Number/Title become part of the heading path.
_GROUPS = frozenset({"Part", "Chapter", "Pblock", "PsubBlock", "P1group", "Group"})
_HEADING_CHILDREN = frozenset({"Number", "Title", "TitleBlock", "Reference", "Subtitle"})
_SUB_PROVISION = re.compile(r"^P[2-7]$")
_LOOSE_BLOCKS = frozenset(
    {"P", "Para", "Text", "BlockText", "Tabular", "UnorderedList", "OrderedList", "Form"}
)
_QUOTES = {"double": ("“", "”"), "single": ("‘", "’")}
_URI = re.compile(r"legislation\.gov\.uk/(?:id/)?[a-z]+/[^/]+/[^/]+/(?P<rest>[^?#]*)")
_VERSION_SEGMENT = re.compile(
    r"^(?:made|enacted|created|adopted|prospective|welsh|english|data\.\w+|\d{4}-\d{2}-\d{2})$"
)
_PROVISION_WORDS = frozenset({"section", "regulation", "article", "rule"})
_SPACE_BEFORE = re.compile(r"\s+([,;:.)\]”’])")
_SPACE_AFTER = re.compile(r"([(\[“‘])\s+")
#: "subsection (4) (b)" from two adjacent links is printed "subsection (4)(b)".
_BRACKET_RUN = re.compile(r"\)\s+\((\w{1,4})\)")


@dataclass(frozen=True)
class _Place:
    """Where the walker is: heading path and enclosing schedule number."""

    headings: tuple[str, ...] = ()
    schedule: str | None = None


@dataclass(frozen=True)
class _UriProvision:
    """A provision as named by a DocumentURI, e.g. section 18, subsections ('2', 'a')."""

    word: str
    number: str
    subsections: tuple[str, ...]
    schedule: str | None


@dataclass
class _Unit:
    """Text for one passage before it becomes a Passage."""

    subsections: tuple[str, ...]
    headings: tuple[str, ...]
    chunks: list[str] = field(default_factory=list)


def parse_clml(xml: str | bytes, source: Source) -> list[Passage]:
    """One passage per subsection (or per provision without subsections), in document order."""
    root = _parse_xml(xml, source)
    builder = _PassageBuilder(source)
    builder.walk(root, _Place())
    return builder.passages


#: Metadata fields that date a revised CLML text, best first: when legislation.gov.uk last
#: applied amendments (legalize-uk's ``last_updated``), then the point in time it shows.
_DATE_FIELDS = ("modified", "valid")


def clml_current_to(xml: bytes) -> str | None:
    """The date a CLML document's text is revised to, read from its metadata only.

    The metadata comes first, so the body is never parsed: a whole Act costs milliseconds.
    """
    found: dict[str, str] = {}
    events = etree.iterparse(
        io.BytesIO(xml), events=("end",), resolve_entities=False, no_network=True, huge_tree=True
    )
    try:
        for _, el in events:
            name = _local(el)
            if name in _DATE_FIELDS and el.text and name not in found:
                found[name] = el.text.strip()
            if name == "Metadata":
                break
    except etree.XMLSyntaxError:
        pass  # the parser reports bad XML with the file's name; no date is not an error here
    for name in _DATE_FIELDS:
        when = normalise_current_to(found.get(name))
        if when:
            return when
    return None


def _parse_xml(xml: str | bytes, source: Source) -> etree._Element:
    """Parse safely (no entities, no network); bad XML raises IngestError naming the source."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True
    )
    name = source.filename or source.source_id
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise IngestError(f"{name}: not well-formed CLML XML ({exc})") from exc
    if root is None:
        raise IngestError(f"{name}: empty CLML document")
    return root


def _local(el: etree._Element) -> str:
    """Local name of an element, '' for comments and processing instructions."""
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(el: etree._Element) -> Iterator[etree._Element]:
    """Element children only, skipping comments and processing instructions."""
    return (child for child in el if isinstance(child.tag, str))


def _child(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in _children(el) if _local(c) == name), None)


def _normalise(text: str) -> str:
    """Collapse whitespace and the spaces pretty-printing leaves inside quotes and brackets."""
    text = re.sub(r"\s+", " ", text).strip()
    text = _SPACE_BEFORE.sub(r"\1", text)
    return _SPACE_AFTER.sub(r"\1", text)


def _inline(el: etree._Element) -> str:
    """Text of an element in reading order, commentary and footnote markers dropped."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str):
            name = _local(child)
            if name == "Character":
                parts.append(" ")
            elif name not in _SKIP:
                parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _inline_block(el: etree._Element) -> str:
    """Normalised inline text; a lead-in dash sticks to its last word as printed."""
    text = _BRACKET_RUN.sub(r")(\1)", _normalise(_inline(el)))
    return re.sub(r"\s+—$", "—", text)


def _has_loose_text(el: etree._Element) -> bool:
    """True when an element mixes text with its children, so it reads as one inline run."""
    if (el.text or "").strip():
        return True
    return any((child.tail or "").strip() for child in el)


def _render(el: etree._Element, parent: str = "") -> list[str]:
    """Text chunks of a block in reading order; P2-P7 numbers kept as '(a)'."""
    name = _local(el)
    if not name or name in _SKIP:
        return []
    if name == "Pnumber":
        number = _normalise(_inline(el))
        if not number:
            return []
        return [number if parent == "P1" else f"({number})"]
    if name == "BlockAmendment":
        opening, closing = _QUOTES.get(el.get("Format", ""), ("", ""))
        inner = " ".join(_render_children(el))
        return [f"{opening}{inner}{closing}"] if inner else []
    if name in {"Text", "AppendText", "Title"} or _has_loose_text(el):
        text = _inline_block(el)
        return [text] if text else []
    return _render_children(el)


def _render_children(el: etree._Element, skip: frozenset[str] = frozenset()) -> list[str]:
    chunks: list[str] = []
    name = _local(el)
    for child in _children(el):
        if _local(child) not in skip:
            chunks.extend(_render(child, name))
    return chunks


def _join(chunks: list[str]) -> str:
    return _normalise(" ".join(chunks))


def _group_heading(el: etree._Element) -> str:
    """'PART 2 — WORKS PROVISIONS' from a group's Number and Title (either may be absent)."""
    number = _child(el, "Number")
    title = _child(el, "Title")
    if title is None:
        block = _child(el, "TitleBlock")
        title = _child(block, "Title") if block is not None else None
    words = [_normalise(_inline(e)) for e in (number, title) if e is not None]
    return " — ".join(w for w in words if w)


def _uri_provision(el: etree._Element) -> _UriProvision | None:
    """The provision an element's DocumentURI (or IdURI) names, version suffixes ignored."""
    uri = el.get("DocumentURI") or el.get("IdURI") or ""
    m = _URI.search(uri)
    if not m:
        return None
    segments = [s for s in m.group("rest").split("/") if s]
    while segments and _VERSION_SEGMENT.match(segments[-1]):
        segments.pop()
    schedule: str | None = None
    if segments and segments[0] == "schedule":
        has_number = len(segments) > 1 and segments[1] != "paragraph"
        schedule = segments[1] if has_number else "1"
        segments = segments[2:] if has_number else segments[1:]
        while len(segments) > 1 and segments[0] in {"part", "chapter"}:
            segments = segments[2:]
        if len(segments) < 2 or segments[0] != "paragraph":
            return None
    elif not segments or segments[0] not in _PROVISION_WORDS or len(segments) < 2:
        return None
    return _UriProvision(segments[0], segments[1], tuple(segments[2:]), schedule)


def _provision_word(el: etree._Element) -> str:
    """'section', 'regulation', 'article' or 'rule' from the URI or the id attribute."""
    named = _uri_provision(el)
    if named is not None:
        return named.word
    return (el.get("id") or "").split("-", 1)[0]


#: Locator prefixes of the provision words CLML's URIs use.
_WORD_PREFIX = {"section": "s.", "regulation": "reg.", "article": "art."}


def _locator(
    source: Source, number: str, subs: tuple[str, ...], schedule: str | None, word: str
) -> str:
    """provision_locator, with the word CLML's URI gives: it says what the provisions are."""
    locator = provision_locator(source, number, subs, schedule=schedule)
    prefix = _WORD_PREFIX.get(word) if schedule is None else None
    return prefix + locator.split(".", 1)[1] if prefix else locator


def _schedule_number(el: etree._Element) -> str:
    """'2' from 'SCHEDULE 2'; a lone unnumbered schedule counts as 1."""
    number = _child(el, "Number")
    text = _normalise(_inline(number)) if number is not None else ""
    m = re.search(r"SCHEDULE\s+(\w+)", text, re.IGNORECASE)
    if m:
        return m.group(1)
    m = re.fullmatch(r"schedule-(\w+)", el.get("id") or "")
    return m.group(1) if m else "1"


def _contains_p2(el: etree._Element) -> bool:
    """True when a structural P2 sits under el (not one quoted inside an amendment)."""
    for child in _children(el):
        name = _local(child)
        if name == "P2":
            return True
        if name not in _SKIP and name != "BlockAmendment" and _contains_p2(child):
            return True
    return False


class _PassageBuilder:
    """Walks the tree in reading order and collects passages with running positions."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.passages: list[Passage] = []
        self._seen: set[str] = set()

    def walk(self, el: etree._Element, place: _Place) -> None:
        """Dispatch on element name: headings, schedules, provisions, or plain containers."""
        name = _local(el)
        if not name or name in _SKIP or name == "BlockAmendment":
            return
        if name == "Schedule":
            self._walk_schedule(el, place)
        elif name in _GROUPS:
            heading = _group_heading(el)
            inner = _Place(place.headings + ((heading,) if heading else ()), place.schedule)
            for child in _children(el):
                if _local(child) not in _HEADING_CHILDREN:
                    self.walk(child, inner)
        elif name == "P1":
            self._add_provision(el, place)
        elif _SUB_PROVISION.match(name) and _uri_provision(el) is not None:
            self._add_fragment(el, place)
        elif place.schedule is not None and name in _LOOSE_BLOCKS:
            self._add_schedule_text(el, place)
        else:
            for child in _children(el):
                self.walk(child, place)

    def _walk_schedule(self, el: etree._Element, place: _Place) -> None:
        number = _schedule_number(el)
        heading = _group_heading(el)
        inner = _Place(place.headings + ((heading,) if heading else ()), number)
        for child in _children(el):
            if _local(child) not in _HEADING_CHILDREN:
                self.walk(child, inner)

    def _add_provision(self, el: etree._Element, place: _Place) -> None:
        """A P1: one passage per P2, plus one for text outside its P2s (or the whole P1)."""
        pnumber = _child(el, "Pnumber")
        number = _normalise(_inline(pnumber)) if pnumber is not None else ""
        named = _uri_provision(el)
        if not number and named is not None:
            number = named.number
        if not number or not is_included(self.source, number, place.schedule):
            return
        word = _provision_word(el)
        title = _child(el, "Title")
        headings = place.headings
        if title is not None and _normalise(_inline(title)):
            headings += (_normalise(_inline(title)),)
        loose = _Unit((), headings)
        units = [loose]
        self._split_units(el, headings, loose, units)
        for unit in units:
            locator = _locator(self.source, number, unit.subsections, place.schedule, word)
            self._emit(locator, _join(unit.chunks), unit.headings)

    def _split_units(
        self, el: etree._Element, headings: tuple[str, ...], loose: _Unit, units: list[_Unit]
    ) -> None:
        """Give each P2 its own unit; everything else under the P1 goes to the loose unit."""
        for child in _children(el):
            name = _local(child)
            if name in {"Pnumber", "Title"} and _local(el) == "P1":
                continue
            if name == "P2":
                pnumber = _child(child, "Pnumber")
                sub = _normalise(_inline(pnumber)) if pnumber is not None else ""
                unit = _Unit((sub,) if sub else (), headings)
                unit.chunks = _render_children(child, skip=frozenset({"Pnumber"}))
                units.append(unit)
            elif name not in _SKIP and _contains_p2(child):
                inner = headings
                if name == "P2group":
                    group_title = _child(child, "Title")
                    if group_title is not None and _normalise(_inline(group_title)):
                        inner = headings + (_normalise(_inline(group_title)),)
                self._split_units(child, inner, loose, units)
            elif not (name == "Title" and _local(el) == "P2group"):
                loose.chunks.extend(_render(child, _local(el)))

    def _add_fragment(self, el: etree._Element, place: _Place) -> None:
        """A P2-P7 outside any P1 (a section-level fragment): its URI says where it sits."""
        named = _uri_provision(el)
        if named is None or not is_included(self.source, named.number, named.schedule):
            return
        locator = _locator(self.source, named.number, named.subsections, named.schedule, named.word)
        text = _join(_render_children(el, skip=frozenset({"Pnumber"})))
        self._emit(locator, text, place.headings)

    def _add_schedule_text(self, el: etree._Element, place: _Place) -> None:
        """Schedule text outside numbered paragraphs (tables, lists) anchors to the schedule."""
        if place.schedule is None or not is_included(self.source, "", place.schedule):
            return
        self._emit(f"sch.{place.schedule}", _join(_render(el)), place.headings)

    def _emit(self, locator: str, text: str, headings: tuple[str, ...]) -> None:
        """Append a passage unless it is empty, a row of dots (repealed), or a duplicate."""
        if not text or is_placeholder(text):
            return
        passage = anchored_passage(self.source, locator, text, headings, len(self.passages))
        if passage.passage_id in self._seen:
            return
        self._seen.add(passage.passage_id)
        self.passages.append(passage)
