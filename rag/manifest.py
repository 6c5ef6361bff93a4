"""The source manifest (``corpus/sources.toml``): every document, and what each is to a lookup.

It is the one place that says which document is the Act, the Regulations or the Code: a
question naming "section 42", "reg 13(2)" or "para 9.14" is looked up by the documents'
``role`` and ``cues`` (see ``Source``), so adding a document needs no change to the code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from rag.errors import ConfigError
from rag.schema import Role, Source

#: Which roles hold each family of provision that ``rag.anchors.named_provisions`` finds.
FAMILY_ROLES: dict[str, tuple[Role, ...]] = {
    "act": ("act",),
    "regs": ("regulations",),
    "sch": ("act", "regulations"),
    "para": ("code", "explanatory_notes"),
}


def load_manifest(path: Path) -> list[Source]:
    """Every document sendqa knows, in manifest order; a bad entry is a clear ConfigError."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"source manifest not found at {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the source manifest {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"source manifest {path} is not valid TOML: {exc}") from exc
    sources: list[Source] = []
    for i, entry in enumerate(data.get("source", []), start=1):
        entry = {k: (tuple(v) if isinstance(v, list) else v) for k, v in entry.items()}
        try:
            sources.append(Source(**entry))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(map(str, first["loc"])) or "entry"
            raise ConfigError(f"source #{i} in {path}: {where}: {first['msg']}") from exc
    problem = manifest_problem(sources)
    if problem:
        raise ConfigError(f"source manifest {path}: {problem}")
    return sources


def manifest_problem(sources: Sequence[Source]) -> str | None:
    """Why these documents cannot work together (None when they can)."""
    ids = [s.source_id for s in sources]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        return f"lists {dupes} more than once"
    for role in ("act", "regulations", "code", "explanatory_notes"):
        defaults = [s.source_id for s in sources if s.role == role and not s.cues]
        if len(defaults) > 1:
            return (
                f"{defaults} are all of role {role!r} without cues: a provision named without "
                "them would point to both (give all but one of them cues)"
            )
    # Notes may explain an Act a smaller manifest leaves out; one it lists must be an Act.
    roles = {s.source_id: s.role for s in sources}
    for s in sources:
        if s.explains in roles and roles[s.explains] != "act":
            return f"{s.source_id} explains {s.explains!r}, which is not a document of role 'act'"
    return None


def documents_named(sources: Sequence[Source], family: str, question: str) -> list[str]:
    """Ids of the documents a provision of ``family`` named in ``question`` is looked up in.

    The documents of the family's roles that the question cues ("section 6 of the Equality
    Act"); else those of its roles without cues ("section 42" is the Act without cues).
    Explanatory notes cued alongside an Act's cues are those that explain that Act.
    """
    q = question.lower()
    candidates = [s for s in sources if s.role in FAMILY_ROLES.get(family, ())]
    cued = [s for s in candidates if any(cue in q for cue in s.cues)]
    if not cued:
        return [s.source_id for s in candidates if not s.cues]
    acts = {s.source_id for s in sources if s.role == "act" and any(cue in q for cue in s.cues)}
    narrowed = [s for s in cued if s.explains is None or not acts or s.explains in acts]
    return [s.source_id for s in narrowed]
