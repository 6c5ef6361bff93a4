"""Topics the corpus does not cover, each with where the answer does live.

Dense similarity cannot tell "school transport" from "EHC plans" (both are SEND-ish), so
questions on known gaps are answered honestly, with a pointer, instead of with loosely
related law. Extend this list when the corpus grows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Gap:
    topic: str
    pattern: re.Pattern[str]
    where: str


GAPS: tuple[Gap, ...] = (
    Gap(
        "home-to-school transport",
        re.compile(
            r"(?i)\b(free\s+(school\s+)?transport|school\s+transport|home[- ]to[- ]school|"
            r"travel\s+(assistance|support|training)|school\s+(bus|taxi))\b"
            r"|\btransport\b.*\b(school|college)\b|\b(school|college)\b.*\btransport\b"
        ),
        "Home-to-school travel is set by the Education Act 1996 (ss. 508A–508I) and DfE's travel "
        "to school guidance, which sendqa does not hold. Your council publishes its travel policy.",
    ),
    Gap(
        "exclusions",
        re.compile(
            r"(?i)\b(permanent(ly)?\s+exclu\w+|exclu\w+\s+(my|our|him|her|them)|"
            r"independent\s+review\s+panel|governors?'?\s+(meeting|panel).*exclu\w+|"
            r"fixed[- ]term\s+exclusion|exclusion\s+appeal)"
        ),
        "School exclusions are governed by the Education Act 2002 (s. 51A), the exclusion "
        "regulations and DfE's suspension and permanent exclusion guidance, which sendqa does not "
        "hold. IPSEA and your local SENDIASS can advise quickly: deadlines are short.",
    ),
    Gap(
        "the Ombudsman",
        re.compile(r"(?i)\b(ombudsman|lgsco)\b"),
        "Complaints to the Local Government and Social Care Ombudsman follow its own rules "
        "(usually within 12 months, after the council's complaints process); see the "
        "Ombudsman's website.",
    ),
    Gap(
        "benefits and council tax",
        re.compile(
            r"(?i)\b(council\s+tax|disability\s+living\s+allowance|\bdla\b|\bpip\b|"
            r"carer'?s\s+allowance|universal\s+credit|blue\s+badge|disabled\s+band\s+reduction)\b"
        ),
        "Benefits and council tax reductions are outside SEND law; Contact (contact.org.uk) and "
        "Citizens Advice explain them.",
    ),
)


def uncovered_topic(question: str) -> Gap | None:
    """The known gap a question is about, if any."""
    for gap in GAPS:
        if gap.pattern.search(question):
            return gap
    return None
