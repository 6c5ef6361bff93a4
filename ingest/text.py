"""Text clean-up shared by the Markdown parsers: commentary out, words kept verbatim."""

from __future__ import annotations

import re

import yaml

from rag.errors import IngestError

_FOOTNOTE_REF = re.compile(r"\[\^[^\]]+\]")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|\*|__)(?=\S)(.+?)(?<=\S)\1")
_SPACES = re.compile(r"[ \t\u00a0]+")


def split_front_matter(text: str, name: str) -> tuple[dict[str, object], str]:
    """Return (front matter, body); a file without valid front matter raises IngestError."""
    if not text.startswith("---"):
        raise IngestError(f"{name}: no YAML front matter (the file must start with '---')")
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise IngestError(f"{name}: front matter is not closed with '---'")
    try:
        meta = yaml.safe_load(parts[0][3:]) or {}
    except yaml.YAMLError as exc:
        raise IngestError(
            f"{name}: front matter is not valid YAML ({exc.__class__.__name__})"
        ) from exc
    if not isinstance(meta, dict):
        raise IngestError(f"{name}: front matter is not a mapping of fields")
    body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    return {str(k): v for k, v in meta.items()}, body


def front_matter_id(meta: dict[str, object]) -> str | None:
    """The document id: ``identifier`` for legislation files, ``id`` for the others."""
    value = meta.get("identifier") or meta.get("id")
    return str(value) if value else None


def clean_inline(text: str) -> str:
    """Drop footnote markers, link targets and emphasis marks; keep the words."""
    text = _FOOTNOTE_REF.sub("", text)
    text = _LINK.sub(r"\1", text)
    for _ in range(2):
        text = _EMPHASIS.sub(r"\2", text)
    text = text.replace("“ ", "“").replace(" ”", "”")
    return _SPACES.sub(" ", text).strip()


def is_placeholder(text: str) -> bool:
    """True for repealed or omitted provisions shown as rows of dots."""
    stripped = re.sub(r"[\s.()\d]", "", text)
    return stripped == ""
