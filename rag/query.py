"""Question clean-up before retrieval: parents type acronyms; the law spells things out."""

from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 2000

_ACRONYMS: dict[str, str] = {
    "ehcp": "EHC plan education, health and care plan",
    "ehcps": "EHC plans",
    "ehcna": "EHC needs assessment",
    "ehna": "EHC needs assessment",
    "la": "local authority",
    "las": "local authorities",
    "sen": "special educational needs",
    "send": "special educational needs and disability",
    "senco": "SENCO special educational needs co-ordinator",
    "sendist": "First-tier Tribunal",
    "ccg": "clinical commissioning group health",
    "icb": "integrated care board health commissioning body",
    "ot": "occupational therapy",
    "salt": "speech and language therapy",
    "pb": "personal budget",
    "ar": "annual review",
    "cop": "Code of Practice",
    "fe": "further education",
    "ya": "young person",
}
_WORD = re.compile(r"\b[A-Za-z]{2,7}\b")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def normalise_question(text: str, limit: int | None = MAX_QUESTION_CHARS) -> str:
    """NFKC, strip control and zero-width characters, collapse spaces, cap the length.

    ``limit=None`` keeps the whole text, so callers can tell the user it was too long.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    return text if limit is None else text[:limit]


_BARE_NUMBER = re.compile(r"(\d{1,3}[A-Za-z]?(?:\s?\(\w{1,4}\))*)\s*[.?!]?")


def bare_provision_number(text: str) -> str | None:
    """The number when the whole question is one ('42', '13(2)'): people type just the section."""
    match = _BARE_NUMBER.fullmatch(text.strip())
    return re.sub(r"\s", "", match.group(1)) if match else None


def expand_query(text: str) -> str:
    """Append the spelled-out forms of SEND acronyms (the original words stay)."""
    extra = []
    for word in _WORD.findall(text):
        expansion = _ACRONYMS.get(word.lower())
        # "la" and "ot" are ordinary words in lowercase; expand them only when capitalised.
        if expansion and (word.lower() not in {"la", "ot", "ar", "pb", "ya"} or word.isupper()):
            extra.append(expansion)
    return f"{text} ({'; '.join(dict.fromkeys(extra))})" if extra else text


def legal_part(text: str) -> str:
    """The question without the sentences that disclose a crisis.

    Signposting answers those sentences; left in the retrieval query, words such as "doesn't
    want to be alive" pull the search away from the legal question asked next to them. Only
    sentences the patterns match leave: the semantic crisis check (``rag.crisis``) is tuned for
    recall, and a false alarm must not also take the parent's legal question out of the search.
    """
    from rag.safety import detect_crisis, message_sentences

    sentences = message_sentences(text)
    kept = [s for s in sentences if not detect_crisis(s)]
    return " ".join(kept) if kept and len(kept) < len(sentences) else text
