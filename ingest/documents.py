"""Find each document in a corpus folder and parse it with the parser its format needs.

A document that cannot be read is reported by name with the reason; the others go on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.legalize import parse_legalize_markdown
from ingest.markdown import parse_headed_markdown, parse_numbered_markdown
from ingest.text import front_matter_id, split_front_matter
from rag.current_to import normalise_current_to
from rag.errors import IngestError
from rag.schema import SOURCE_KINDS, FormatName, Passage, Source

#: Front matter fields that date a text, best first: legalize-uk's date up to which amendments
#: were applied, then a document's own date (guidance, reports, debates).
_DATE_FIELDS = ("current_to", "last_updated", "date")
_IGNORED_NAMES = {"SOURCES.md", "README.md"}


@dataclass
class ParsedDocument:
    """The outcome for one document: its passages, or why it failed."""

    source: Source
    path: Path | None
    passages: list[Passage] = field(default_factory=list)
    error: str | None = None
    file_sha256: str = ""
    current_to: str | None = None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise IngestError(f"{path.name}: the file is empty")
    if b"\x00" in data[:4096]:
        raise IngestError(f"{path.name}: the file is binary, not text")
    try:
        # utf-8-sig drops the byte-order mark Windows editors add, so front matter is found.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path.name}: the file is not UTF-8 text") from exc


def _markdown(
    parse: Callable[[str, Source], list[Passage]], front_matter: bool = False
) -> Callable[[Source, Path], list[Passage]]:
    """A Markdown parser that first checks the file's front matter names its source.

    ``front_matter``: the file must have front matter (legalize-uk always writes it).
    """

    def parse_markdown(source: Source, path: Path) -> list[Passage]:
        text = _read_text(path)
        if text.startswith("---"):
            meta, _ = split_front_matter(text, path.name)
            found = front_matter_id(meta)
            if found is not None and found != source.source_id:
                raise IngestError(
                    f"{path.name}: front matter id {found!r} does not match the manifest's "
                    f"{source.source_id!r}"
                )
        elif front_matter:
            raise IngestError(f"{path.name}: no YAML front matter (the file must start with '---')")
        return parse(text, source)

    return parse_markdown


def _clml(source: Source, path: Path) -> list[Passage]:
    from ingest.clml import parse_clml

    return parse_clml(path.read_bytes(), source)


def _pdf(source: Source, path: Path) -> list[Passage]:
    from ingest.pdf import parse_numbered_pdf

    return parse_numbered_pdf(path, source)


def _html(source: Source, path: Path) -> list[Passage]:
    from ingest.office import parse_html

    return parse_html(_read_text(path), source)


def _docx(source: Source, path: Path) -> list[Passage]:
    from ingest.office import parse_docx

    return parse_docx(path, source)


@dataclass(frozen=True)
class DocumentFormat:
    """How one ``format`` of the manifest is read (parsers of heavy formats load on first use)."""

    parse: Callable[[Source, Path], list[Passage]]
    #: Files with these endings that the manifest does not list (ones users add, ones fetched)
    #: are read in this format.
    suffixes: tuple[str, ...] = ()


#: Every document format by its name in the manifest. Adding one is a row here and its name in
#: ``rag.schema.FormatName`` (tests/unit/test_documents_formats.py checks they agree).
FORMATS: dict[FormatName, DocumentFormat] = {
    "legalize-md": DocumentFormat(_markdown(parse_legalize_markdown, front_matter=True)),
    "numbered-md": DocumentFormat(_markdown(parse_numbered_markdown)),
    "headed-md": DocumentFormat(_markdown(parse_headed_markdown), (".md",)),
    "clml": DocumentFormat(_clml, (".xml",)),
    "pdf": DocumentFormat(_pdf, (".pdf",)),
    "html": DocumentFormat(_html, (".html", ".htm")),
    "docx": DocumentFormat(_docx, (".docx",)),
}
#: The format a file the manifest does not list is read in, by its ending.
FORMAT_OF_SUFFIX: dict[str, FormatName] = {
    suffix: name for name, fmt in FORMATS.items() for suffix in fmt.suffixes
}


def parse_document(source: Source, path: Path) -> list[Passage]:
    """Parse one file by its source's format; raise IngestError with a reason."""
    passages = FORMATS[source.format].parse(source, path)
    if not passages:
        raise IngestError(f"{path.name}: no passages found (is it the right format?)")
    return passages


def read_current_to(source: Source, path: Path) -> str | None:
    """The date the file's text is current to: its own, else the manifest's.

    Legislation is dated by when amendments were last applied (front matter ``last_updated``,
    CLML ``dc:modified``), never by its enactment date, which says nothing about later changes.
    Other documents fall back to the manifest's ``date``.
    """
    own: str | None = None
    suffix = path.suffix.lower()
    if suffix == ".md":
        text = _read_text(path)
        if text.startswith("---"):
            meta, _ = split_front_matter(text, path.name)
            own = next(
                (d for d in (normalise_current_to(meta.get(k)) for k in _DATE_FIELDS) if d), None
            )
    elif suffix == ".xml":
        from ingest.clml import clml_current_to

        own = clml_current_to(path.read_bytes())
    fallback = source.date if source.kind != "legislation" else None
    return own or normalise_current_to(source.current_to) or normalise_current_to(fallback)


def _user_source(path: Path, root: Path) -> Source:
    """A Source for a file the user added that the manifest does not list."""
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "document"
    suffix = path.suffix.lower()
    fmt = FORMAT_OF_SUFFIX.get(suffix, "headed-md")
    fields: dict[str, object] = {
        "source_id": f"user-{stem}",
        "title": path.stem,
        "short_title": path.stem,
        "kind": "guidance",
        "format": fmt,
        "completeness": "partial",
        "filename": str(path.relative_to(root)),
    }
    if suffix == ".md":
        text = _read_text(path)
        meta, _ = split_front_matter(text, path.name)
        doc_id = front_matter_id(meta)
        if doc_id is None:
            raise IngestError(f"{path.name}: front matter has no 'id' field")
        kind = meta.get("kind", "guidance")
        if kind not in SOURCE_KINDS:
            raise IngestError(
                f"{path.name}: front matter kind {kind!r} is not one of {SOURCE_KINDS}"
            )
        title = str(meta.get("title") or path.stem)
        fields.update(
            source_id=doc_id,
            title=title,
            short_title=title[:60],
            kind=kind,
            url=str(meta.get("url") or ""),
            licence=str(meta.get("licence") or ""),
        )
    return Source(**fields)  # type: ignore[arg-type]


def collect_documents(sources: list[Source], corpus_dir: Path) -> list[ParsedDocument]:
    """Parse every manifest document found in ``corpus_dir`` plus files users added there."""
    results: list[ParsedDocument] = []
    known: set[Path] = set()
    for source in sources:
        path = corpus_dir / source.filename
        known.add(path.resolve())
        results.append(_parse_one(source, path))
    for path in sorted(corpus_dir.rglob("*")):
        if (
            not path.is_file()
            or path.suffix.lower() not in FORMAT_OF_SUFFIX
            or path.name in _IGNORED_NAMES
            or path.name.startswith(".")
            or path.resolve() in known
        ):
            continue
        try:
            source = _user_source(path, corpus_dir)
        except IngestError as exc:
            # Named by its path in the corpus, like every other report line, so it can be found.
            placeholder = Source(
                source_id=f"user-{path.stem}",
                title=path.name,
                short_title=path.name,
                kind="guidance",
                filename=str(path.relative_to(corpus_dir)),
            )
            results.append(ParsedDocument(placeholder, path, error=str(exc)))
            continue
        results.append(_parse_one(source, path))
    return results


def _parse_one(source: Source, path: Path) -> ParsedDocument:
    if not path.is_file():
        from ingest.fetch import fetched_format, fetched_path

        official = fetched_path(path.parents[len(Path(source.filename).parts) - 1], source)
        if official is not None:
            source = source.model_copy(update={"format": fetched_format(official)})
            path = official
    if not path.is_file():
        return ParsedDocument(source, None, error=f"{source.filename}: not found in the corpus")
    try:
        digest = _sha256(path.read_bytes())
        passages = parse_document(source, path)
        return ParsedDocument(
            source, path, passages, file_sha256=digest, current_to=read_current_to(source, path)
        )
    except IngestError as exc:
        return ParsedDocument(source, path, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
        return ParsedDocument(
            source,
            path,
            error=f"{path.name}: could not be parsed ({exc.__class__.__name__}: {exc})",
        )
