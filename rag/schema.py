"""Core types that flow through every stage, spelled the same in code, Chroma metadata and evals.

Frozen pydantic models: they are shared between threads in the app and must not change under it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SourceKind = Literal[
    "legislation",
    "statutory_guidance",
    "guidance",
    "inspection_report",
    "parliamentary_record",
    "testimony",
]
Authority = Literal["law", "statutory_guidance", "guidance", "experience"]

#: Longest text embedded as one vector; MiniLM reads at most 256 tokens (~1000 characters).
WINDOW_CHARS = 450
_SENTENCE_SPLIT = re.compile(r"(?<=[.;:—])\s+(?=[A-Z(“‘])|\n+")

SOURCE_KINDS: tuple[SourceKind, ...] = (
    "legislation",
    "statutory_guidance",
    "guidance",
    "inspection_report",
    "parliamentary_record",
    "testimony",
)

#: What weight a passage carries: law binds ("must"), statutory guidance must be had regard to
#: ("should"), other guidance explains, and reports and testimony are experience, never authority.
AUTHORITY_OF_KIND: dict[SourceKind, Authority] = {
    "legislation": "law",
    "statutory_guidance": "statutory_guidance",
    "guidance": "guidance",
    "inspection_report": "experience",
    "parliamentary_record": "experience",
    "testimony": "experience",
}

#: Badges shown to users, one per authority.
AUTHORITY_BADGE: dict[Authority, str] = {
    "law": "Law",
    "statutory_guidance": "Statutory guidance",
    "guidance": "Guidance",
    "experience": "Report / testimony",
}

#: Names users may give to ``--kinds``: groups, or the kinds themselves.
KIND_GROUPS: dict[str, tuple[SourceKind, ...]] = {
    "law": ("legislation",),
    "guidance": ("statutory_guidance", "guidance"),
    "reports": ("inspection_report", "parliamentary_record"),
    "testimony": ("testimony",),
    **{kind: (kind,) for kind in SOURCE_KINDS},
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
    """A document sendqa knows, as listed in the manifest ``corpus/sources.toml``."""

    source_id: str = Field(description="The document's id: front matter `identifier` or `id`.")
    title: str = Field(description="Full title, e.g. 'Children and Families Act 2014'.")
    short_title: str = Field(description="Title used in anchor labels, e.g. 'SEND Regs 2014'.")
    publisher: str = Field(default="", description="Who publishes the official text.")
    kind: SourceKind = Field(description="What sort of document it is; sets its authority.")
    date: str | None = Field(default=None, description="Publication date as given (ISO-like).")
    url: str = Field(default="", description="Official URL of the whole document.")
    licence: str = Field(default="", description="Licence under which it is reused.")
    attribution: str = Field(default="", description="Attribution statement the licence asks.")
    completeness: Literal["full", "partial"] = Field(
        default="full", description="Whether the corpus holds the whole document."
    )
    include: tuple[str, ...] = Field(
        default=(),
        description="Provisions to keep, e.g. ('s.19-83',); empty keeps everything.",
    )
    format: Literal["legalize-md", "clml", "numbered-md", "headed-md", "pdf", "html", "docx"] = (
        Field(default="headed-md", description="How the file is written; picks the parser.")
    )
    fetch: str = Field(default="", description="How to fetch it: an official data URL.")
    notes: bool = Field(
        default=False,
        description="Every passage needs a provision note or a skip reason in corpus/notes.",
    )
    filename: str = Field(default="", description="File name in a mirror of the corpus.")
    current_to: str | None = Field(
        default=None,
        description="Date the text is current to, for a file that does not say (its own "
        "last_updated, dc:modified or date wins; see rag.current_to).",
    )

    @property
    def authority(self) -> Authority:
        return AUTHORITY_OF_KIND[self.kind]


class Anchor(_Frozen):
    """Where a passage sits, precise enough to quote back to a council."""

    source_id: str = Field(description="Id of the document the passage comes from.")
    locator: str | None = Field(
        description="Place inside it: 's.42(2)', 'reg.13(2)', 'sch.2 para.3', '9.40'; "
        "None when the document has no numbered structure."
    )
    label: str = Field(description="Human label, e.g. 'Children and Families Act 2014, s.42(2)'.")
    url: str = Field(default="", description="Link to the provision, or to the document.")
    page: int | None = Field(default=None, description="Page number for PDF sources.")
    current_to: str | None = Field(
        default=None,
        exclude=True,
        description="Date the document's text is current to (ISO: YYYY-MM-DD, or YYYY-MM / YYYY "
        "when only that is known): legislation as revised to it, other documents as dated. Kept "
        "per document in index.json and set when the index is opened, so it is not written to "
        "passages.jsonl and a newer text of an unchanged provision keeps its passage id.",
    )


class Passage(_Frozen):
    """A retrievable piece of text with its anchor; the unit of retrieval and citation."""

    passage_id: str = Field(description="hash(source_id, locator, text): stable across runs.")
    text: str = Field(description="The passage's own words, commentary stripped.")
    anchor: Anchor = Field(description="Where the passage sits.")
    kind: SourceKind = Field(description="Kind of the source document.")
    heading_path: tuple[str, ...] = Field(
        default=(), description="Part, chapter and cross-heading above the passage."
    )
    position: int = Field(default=0, description="Order of the passage within its document.")
    note: str = Field(
        default="",
        description="sendqa's plain-English note on the provision (corpus/notes), not the law.",
    )
    situations: tuple[str, ...] = Field(
        default=(), description="How people describe needing the provision; indexed, not shown."
    )

    @property
    def authority(self) -> Authority:
        return AUTHORITY_OF_KIND[self.kind]

    @property
    def source_id(self) -> str:
        return self.anchor.source_id

    @property
    def locator(self) -> str | None:
        return self.anchor.locator

    def embedding_text(self) -> str:
        """Text that is indexed: headings give short subsections their context."""
        heading = " > ".join(self.heading_path[-1:])
        return f"{heading}\n{self.text}" if heading else self.text

    def embedding_windows(self, limit: int = WINDOW_CHARS) -> list[str]:
        """Texts embedded for this passage: one, or several windows for a long passage.

        A single vector for a long passage is diluted (and MiniLM reads only 256 tokens), so
        long passages get one vector per window of whole sentences, each with its headings.
        """
        heading = " > ".join(self.heading_path[-1:])
        if len(self.text) <= limit:
            return [self.embedding_text()]
        windows: list[str] = []
        current = ""
        for piece in _SENTENCE_SPLIT.split(self.text):
            piece = piece.strip()
            if not piece:
                continue
            if current and len(current) + len(piece) + 1 > limit:
                windows.append(current)
                current = ""
            current = f"{current} {piece}".strip()
        if current:
            windows.append(current)
        return [f"{heading}\n{w}" if heading else w for w in windows]

    def note_windows(self) -> list[str]:
        """Extra texts embedded for this passage: its note and each situation, one vector each.

        A situation is one way a person describes needing the provision; embedded alone it
        matches a question put that way, where an average of all of them would match none.
        """
        return [self.note, *self.situations] if self.note else []


def passage_id_for(source_id: str, locator: str | None, text: str) -> str:
    """Deterministic id, so re-ingesting unchanged text is a no-op."""
    digest = hashlib.sha256(f"{source_id}\x1f{locator or ''}\x1f{text}".encode()).hexdigest()
    return digest[:32]


class Hit(_Frozen):
    """A retrieved passage with the scores that ranked it."""

    passage: Passage
    rank: int = Field(description="1-based rank in the final list.")
    dense: float | None = Field(default=None, description="Cosine similarity to the question.")
    lexical: float | None = Field(default=None, description="BM25 score.")
    fused: float = Field(default=0.0, description="Fused score used for ranking.")
    direct: bool = Field(default=False, description="Found by naming its provision.")


class Citation(_Frozen):
    """A numbered reference in an answer to a passage that was retrieved and shown."""

    key: int = Field(description="The n in the answer's [n] markers.")
    passage: Passage
    quote: str = Field(description="Verbatim sentence(s) from the passage that support the claim.")


class Answer(_Frozen):
    """What sendqa returns for one question."""

    question: str
    text: str = Field(description="Markdown answer with [n] markers.")
    citations: tuple[Citation, ...] = ()
    hits: tuple[Hit, ...] = ()
    abstained: bool = Field(default=False, description="True when the sources do not answer it.")
    crisis: bool = Field(default=False, description="True when crisis signposting was shown.")
    safety_notice: str = Field(default="", description="Crisis signposting, shown first.")
    notes: tuple[str, ...] = Field(default=(), description="E.g. 'LLM unavailable: extractive'.")
    timings_ms: dict[str, float] = Field(default_factory=dict)
    generator: Literal["extractive", "llm"] = "extractive"
