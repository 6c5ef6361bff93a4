"""Citations as plain JSON: one spelling for the CLI's ``--json`` and the app's /ask.

Field names are the core types' (``source_id``, ``locator``, ``current_to``), so a client of
either reads the same keys.
"""

from __future__ import annotations

from typing import Any

from rag.current_to import current_to_text
from rag.schema import KINDS, Citation


def citation_json(citation: Citation) -> dict[str, Any]:
    """A citation as plain JSON; ``note`` is sendqa's plain-English note, not the law."""
    passage = citation.passage
    anchor = passage.anchor
    return {
        "key": citation.key,
        "source_id": passage.source_id,
        "locator": passage.locator,
        "label": anchor.label,
        "kind": passage.kind,
        "badge": KINDS[passage.kind].badge,
        "quote": citation.quote,
        "note": passage.note,
        "url": anchor.url,
        "current_to": anchor.current_to,
        "current_to_text": current_to_text(anchor.current_to, passage.kind),
    }
