"""Core types that flow through every stage, spelled the same in code, Chroma metadata and evals.

Frozen pydantic models: they are shared between threads in the app and must not change under it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rag.errors import UserInputError

SourceKind = Literal[
    "legislation",
    "statutory_guidance",
    "guidance",
    "inspection_report",
    "parliamentary_record",
    "testimony",
]
Authority = Literal["law", "statutory_guidance", "guidance", "experience"]
#: How a document's file is written; ``ingest.documents.FORMATS`` has a parser for each.
FormatName = Literal["legalize-md", "clml", "numbered-md", "headed-md", "pdf", "html", "docx"]
#: What a document is to a question that names one of its provisions (see ``Source.role``).
Role = Literal["act", "regulations", "code", "explanatory_notes"]

#: Longest text embedded as one vector; MiniLM reads at most 256 tokens (~1000 characters).
WINDOW_CHARS = 450
_SENTENCE_SPLIT = re.compile(r"(?<=[.;:—])\s+(?=[A-Z(“‘])|\n+")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AuthorityStyle(_Frozen):
    """How answers, badges and letters present one level of authority."""

    badge: str = Field(description="Badge word in the answer's lead line, e.g. 'Law'.")
    section_title: str = Field(description="Heading of the answer's section of these quotes.")
    letter_lead_in: str = Field(description="How a letter introduces a quote, e.g. 'The law'.")


#: Every authority, in the order answers present them: law binds ("must"), statutory guidance
#: must be had regard to ("should"), other guidance explains, and reports and testimony are
#: experience, never authority. Adding one means a row here, a kind that has it and its badge
#: style in ui/app.css (``.badge-<authority>``, a test checks).
AUTHORITIES: dict[Authority, AuthorityStyle] = {
    "law": AuthorityStyle(badge="Law", section_title="What the law says", letter_lead_in="The law"),
    "statutory_guidance": AuthorityStyle(
        badge="Statutory guidance",
        section_title="What the statutory guidance says",
        letter_lead_in="The statutory guidance, which councils and schools must have regard to,",
    ),
    "guidance": AuthorityStyle(
        badge="Guidance",
        section_title="What other official guidance explains",
        letter_lead_in="Government guidance",
    ),
    "experience": AuthorityStyle(
        badge="Report / testimony",
        section_title="What inspectors, MPs and families have reported (experience, not law)",
        letter_lead_in="A report (experience, not law)",
    ),
}


class KindStyle(_Frozen):
    """What a kind of document weighs and how its quotes are badged."""

    authority: Authority = Field(description="The weight a passage of this kind carries.")
    badge: str = Field(description="Badge word by each quote in the Sources panel.")


#: Every kind of document: its authority, and the word on its quotes' badge.
KINDS: dict[SourceKind, KindStyle] = {
    "legislation": KindStyle(authority="law", badge="Law"),
    "statutory_guidance": KindStyle(authority="statutory_guidance", badge="Statutory guidance"),
    "guidance": KindStyle(authority="guidance", badge="Guidance"),
    "inspection_report": KindStyle(authority="experience", badge="Report"),
    "parliamentary_record": KindStyle(authority="experience", badge="Report"),
    "testimony": KindStyle(authority="experience", badge="Testimony"),
}
SOURCE_KINDS: tuple[SourceKind, ...] = tuple(KINDS)

#: Names users may give to ``--kinds``: the kinds themselves, or groups. A group wins over the
#: kind of the same name: "guidance" is statutory guidance (the Code) and other guidance.
KIND_GROUPS: dict[str, tuple[SourceKind, ...]] = {
    **{kind: (kind,) for kind in SOURCE_KINDS},
    "law": ("legislation",),
    "guidance": ("statutory_guidance", "guidance"),
    "reports": ("inspection_report", "parliamentary_record"),
    "testimony": ("testimony",),
}


def resolve_kinds(names: Sequence[str] | str | None) -> tuple[SourceKind, ...] | None:
    """Turn user kind names ('law', 'guidance', 'reports', 'testimony', or kinds) into kinds.

    A single string is a comma list ('law,guidance'); None or no names means every kind.

    Raises:
        UserInputError: a name that is neither a group nor a kind.
    """
    if isinstance(names, str):
        names = names.split(",")
    if not names:
        return None
    kinds: list[SourceKind] = []
    for name in names:
        key = name.strip().lower()
        if not key:
            continue
        if key not in KIND_GROUPS:
            raise UserInputError(
                f"There is no kind of source called {name.strip()!r}: use one or more of "
                f"{', '.join(sorted(KIND_GROUPS))}."
            )
        kinds.extend(KIND_GROUPS[key])
    return tuple(dict.fromkeys(kinds)) or None


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
    format: FormatName = Field(
        default="headed-md", description="How the file is written; picks the parser."
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
    role: Role | None = Field(
        default=None,
        description="Where a question that names a provision is looked up: 'act' (sections, "
        "'section 42'), 'regulations' (their provisions are regulations, 'reg 13(2)'), 'code' "
        "(numbered paragraphs, 'para 9.14') or 'explanatory_notes' (numbered paragraphs on the "
        "Act in `explains`); schedules are looked up in acts and regulations. None: found by "
        "its words only.",
    )
    cues: tuple[str, ...] = Field(
        default=(),
        description="Words in a question that send a named provision to this document rather "
        "than to the one of its role without cues (the default: 'section 42' alone means the "
        "Act without cues), e.g. ('equality',) for the Equality Act 2010. Matched in lower "
        "case anywhere in the question.",
    )
    explains: str | None = Field(
        default=None,
        description="For explanatory notes: the source_id of the Act they explain. A question "
        "that names that Act's cues and the notes reads these notes, not others.",
    )

    @field_validator("cues")
    @classmethod
    def _lower_case_cues(cls, cues: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(c.strip().lower() for c in cues if c.strip())

    @model_validator(mode="after")
    def _explains_needs_notes(self) -> Source:
        if self.explains is not None and self.role != "explanatory_notes":
            raise ValueError("explains is for documents whose role is 'explanatory_notes'")
        return self

    @property
    def authority(self) -> Authority:
        return KINDS[self.kind].authority


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
        return KINDS[self.kind].authority

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
