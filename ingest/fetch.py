"""``sendqa corpus fetch`` and ``corpus list``: where the documents come from, and what we hold.

Official documents are downloaded from their official URLs when a network exists; offline,
``--mirror DIR`` copies them from a local folder (default ../shared/corpus). The repository
never holds the corpus itself.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

from ingest.documents import FORMAT_OF_SUFFIX, read_current_to
from rag.errors import IngestError
from rag.index import current_build, read_info
from rag.manifest import load_manifest
from rag.schema import FormatName, Source
from rag.settings import Settings, default_corpus_dir

FETCHED = "fetched"


def fetched_path(corpus_dir: Path, source: Source) -> Path | None:
    """A downloaded official file for a source, if 'corpus fetch' saved one."""
    for suffix in FORMAT_OF_SUFFIX:
        path = corpus_dir / FETCHED / f"{source.source_id}{suffix}"
        if path.is_file():
            return path
    return None


def fetched_format(path: Path) -> FormatName:
    return FORMAT_OF_SUFFIX[path.suffix.lower()]


def _download(url: str, dest: Path, timeout: float = 30.0) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "sendqa corpus fetch"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - https only
        data = response.read()
    tmp = dest.with_suffix(dest.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(dest)


def _suffix_for(url: str) -> str:
    if url.endswith(".xml"):
        return ".xml"
    if url.endswith(".pdf"):
        return ".pdf"
    return ".html"


def fetch_corpus(settings: Settings, dest: Path, mirror: Path | None = None) -> str:
    """Fetch every manifest document; returns a summary. Raises if nothing could be fetched."""
    sources = load_manifest(settings.manifest_path)
    if mirror is None and default_corpus_dir().is_dir() and dest != default_corpus_dir():
        mirror = default_corpus_dir()
    lines: list[str] = []
    ok = 0
    for source in sources:
        try:
            if mirror is not None:
                origin = mirror / source.filename
                if not origin.is_file():
                    raise IngestError(f"not in mirror {mirror}")
                target = dest / source.filename
                if origin.resolve() != target.resolve():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(origin, target)
                lines.append(f"ok      {source.source_id} (from mirror)")
            else:
                if not source.fetch.startswith("https://"):
                    raise IngestError("no official download address in the manifest")
                target = dest / FETCHED / f"{source.source_id}{_suffix_for(source.fetch)}"
                target.parent.mkdir(parents=True, exist_ok=True)
                _download(source.fetch, target)
                lines.append(f"ok      {source.source_id} <- {source.fetch}")
            ok += 1
        except (IngestError, OSError, urllib.error.URLError) as exc:
            lines.append(f"FAILED  {source.source_id}: {exc}")
    if ok == 0:
        raise IngestError("no document could be fetched:\n" + "\n".join(lines))
    lines.append(f"Fetched {ok} of {len(sources)} documents into {dest}.")
    return "\n".join(lines)


def _file_current_to(settings: Settings, source: Source) -> tuple[bool, str | None]:
    """Whether the corpus holds the document, and the date its file says it is current to."""
    path = settings.corpus_dir / source.filename
    if not path.is_file():
        path = fetched_path(settings.corpus_dir, source) or path
    if not path.is_file():
        return False, None
    try:
        return True, read_current_to(source, path)
    except IngestError:
        return True, None


def list_corpus(settings: Settings) -> str:
    """One line per document: id, kind, completeness, passages, date current to, file present.

    The date is the index's (what answers show); when the file in the corpus is newer, e.g.
    after 'sendqa corpus fetch', the line says so and that 'sendqa ingest' brings it in.
    """
    sources = load_manifest(settings.manifest_path)
    documents: dict[str, dict[str, object]] = {}
    build = current_build(settings.index_dir)
    if build is not None:
        documents = read_info(build).get("documents", {})
    rows = [f"{'source_id':48} {'kind':22} {'complete':9} {'passages':>8}  {'current_to':10}  file"]
    for s in sources:
        present, in_file = _file_current_to(settings, s)
        indexed = documents.get(s.source_id)
        passages = str(indexed.get("passages", 0)) if indexed else "-"
        current_to = str(indexed.get("current_to") or "unknown") if indexed else in_file
        line = (
            f"{s.source_id:48} {s.kind:22} {s.completeness:9} {passages:>8}  "
            f"{current_to or 'unknown':10}  {'present' if present else 'missing'}"
        )
        if indexed and in_file and in_file != indexed.get("current_to"):
            line += f" (file is current to {in_file}: run 'sendqa ingest')"
        rows.append(line)
    if build is None:
        rows.append("(no index yet: run 'sendqa ingest' to count passages)")
    rows.append(
        "current_to: the date each text is revised to (legislation) or dated (other "
        "documents); check the official link for later changes."
    )
    return "\n".join(rows)
