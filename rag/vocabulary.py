"""Parents' words for SEND ideas, mapped to the words the law uses for them.

A parent writes "they won't issue a plan"; the Regulations say "decides that it is not necessary
for special educational provision to be made ... in accordance with an EHC plan". Neither BM25
nor MiniLM bridges that gap on their own (measured on the dev set), so retrieval appends the
statutory phrasing of every idea a question names. The original words always stay.

Each entry is one idea of SEND law, not one question: a rule must read as a glossary line that
a SENDIASS adviser would agree with, and must help every question about that idea.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One idea: how parents say it (a regex) and how the law says it."""

    pattern: re.Pattern[str]
    statutory: str
    generic: bool = False  # a plain synonym ("council"), not a SEND idea


def _term(pattern: str, statutory: str, generic: bool = False) -> Term:
    return Term(re.compile(pattern, re.IGNORECASE), statutory, generic)


_NOT = r"(?:won'?t|will not|wont|not|refus\w*|declin\w*|turn\w* down|decided not to|no)"
_PLAN = r"(?:an? |the |his |her |their )?(?:ehc ?p?|ehc plan|education,? health and care plan|plan)"
_HEALTH = (
    r"(?:physio\w*|occupational therap\w*|\bot\b|nhs|health|nurs\w*|camhs|wheelchair|"
    r"hydrotherap\w*|section g)"
)

TERMS: tuple[Term, ...] = (
    _term(
        rf"\b{_NOT}\s+(?:to\s+)?(?:issue|give|grant|do|write|make|secure)\w*\s+{_PLAN}\b|"
        rf"\b{_NOT}\s+(?:a\s+)?plan\b|"
        rf"\b(?:doesn'?t|does not|don'?t|do not|didn'?t)\s+(?:need|qualify for|get)\s+{_PLAN}\b",
        "decides that it is not necessary to secure an EHC plan; decision not to secure an EHC "
        "plan",
    ),
    _term(
        rf"\b{_NOT}\s+(?:to\s+)?(?:an?\s+)?(?:assess|do an assessment|carry out an assessment)\w*|"
        r"\byes or no\b|\bwhether (?:to|they(?:'ll| will)?|or not to) (?:assess|do the assessment)",
        "decision whether or not to secure an EHC needs assessment; must secure an EHC needs "
        "assessment if the child or young person has or may have special educational needs and "
        "it may be necessary for special educational provision to be made in accordance with an "
        "EHC plan",
    ),
    _term(
        r"\b(?:carry out|carrying out|do|doing|conduct\w*|agree to)\b.{0,20}\bassess",
        "secure an EHC needs assessment",
    ),
    _term(
        r"\bsection f\b|\b(?:make sure|ensure|responsible for|has to|have to|must)\b.{0,40}"
        r"\b(?:provision|support|therapy|help|hours|ta|1:1|one to one)\b.{0,60}\b(?:happens|"
        r"delivered|provided|in place|gets)\b",
        "the local authority must secure the specified special educational provision in the "
        "EHC plan",
    ),
    _term(
        r"\bsection (?:h1|h2|h)\b|\bsocial care\b",
        "social care provision specified in the EHC plan",
    ),
    _term(
        r"\b(?:refus\w*|won'?t (?:take|accept|admit)|not (?:take|accept|admit)|turn\w* (?:him|her|"
        r"them) away)\b.{0,40}\b(?:place|him|her|them)\b|\badmit\w*\b",
        "the school or other institution named in the EHC plan must admit the child or young "
        "person",
    ),
    _term(
        r"\bmediation\b.{0,40}\b(?:before|first|appeal)\b|\b(?:before|first)\b.{0,40}\bmediation\b|"
        r"\bmediation certificate\b",
        "may make the appeal only if a mediation adviser has issued a certificate",
    ),
    _term(
        r"\btribunal\b.{0,40}\b(?:order\w*|decided|decision|ruled|told|said)\b|"
        r"\bwon (?:the |our |my )?appeal\b",
        "if the First-tier Tribunal makes an order requiring a local authority to take any action, "
        "the local authority shall take that action within the period",
    ),
    _term(
        r"\b(?:disabled|disability|autis\w*|adhd|wheelchair)\b.{0,80}\b(?:school|pupil|college)\b|"
        r"\breasonable adjustments?\b",
        "duty to make reasonable adjustments applies to the responsible body of a school; "
        "must not discriminate against a disabled pupil",
    ),
    _term(
        r"\b(?:refus\w*|won'?t name|not name|reject\w*)\b.{0,60}\bschool\b|"
        r"\bschool\b.{0,40}\b(?:is full|oversubscribed|refus\w*)|"
        r"\b(?:particular|preferred|named|our choice of|choice of) (?:school|college)\b|"
        r"\bsection i\b",
        "request that a particular school or other institution is named in the EHC plan; "
        "unsuitable for the age, ability, aptitude or special educational needs; incompatible "
        "with the provision of efficient education for others or the efficient use of resources",
    ),
    _term(
        rf"{_HEALTH}.{{0,120}}\b(?:who|responsib\w*|on the hook|pays?|fund\w*|arrang\w*|"
        rf"provid\w*|cancel\w*|deliver\w*)\b|"
        rf"\b(?:who|responsib\w*|on the hook|pays?|fund\w*)\b.{{0,80}}{_HEALTH}",
        "health care provision specified in the EHC plan; the responsible commissioning body "
        "must arrange the specified health care provision",
    ),
    _term(
        r"\bamend\w*\b|\bchang\w* (?:to )?(?:the |his |her )?plan\b",
        "decide whether to continue to maintain, amend or cease to maintain the EHC plan; "
        "notify within four weeks of the review meeting",
    ),
    _term(
        r"\b(?:stop|end|cease|take away|remove|withdraw)\w*\s+"
        r"(?:the\s+|his\s+|her\s+|my\s+\w+'?s\s+)?(?:ehc ?p|ehc plan|plan)\b",
        "cease to maintain the EHC plan",
    ),
    _term(
        r"\bfinal(?:ised|ized)?\s+(?:one|plan|ehc ?p|version|copy)\b",
        "finalised EHC plan; the EHC plan must be issued within 20 weeks",
    ),
    _term(
        r"\b(?:college|sixth form|fe college|apprenticeship|traineeship)\b",
        "post-16 institution; young person",
    ),
    _term(
        r"\b(?:1[6-9]|2[0-4]) ?(?:years? old|yo)\b|"
        r"\b(?:son|daughter|child|he|she) is (?:1[6-9]|2[0-4])\b",
        "young person over compulsory school age but under 25",
    ),
    _term(
        r"\b(?:send|sen|sendist) tribunal\b",
        "First-tier Tribunal",
    ),
    _term(
        r"\b(?:which|what) (?:decisions?|things?)\b.{0,60}\bappeal\b|\bright to appeal\b|"
        r"\bcan (?:i|we) appeal\b",
        "may appeal to the First-tier Tribunal against the matters: a decision not to secure an "
        "EHC needs assessment, not to secure an EHC plan, the special educational provision "
        "specified, the school named, to cease to maintain the plan",
    ),
    _term(
        r"\b(?:reports?|evidence|advice|professionals?|educational psychologist|\bep\b|"
        r"specialists?)\b.{0,80}\bassess|\bassess\w*\b.{0,80}\b(?:reports?|advice|professionals?|"
        r"educational psychologist|\bep\b|specialists?)\b",
        "must seek advice and information: educational advice, medical advice from a health care "
        "professional, psychological advice from an educational psychologist, social care; "
        "must comply with the request for advice within 6 weeks",
    ),
    _term(
        r"\b(?:no|without an?|doesn'?t have an?|hasn'?t got an?|not got an?)\s+"
        r"(?:ehc ?p|ehc plan|plan)\b|"
        r"\bsen support\b",
        "pupil with special educational needs without an EHC plan; must use best endeavours to "
        "secure that the special educational provision called for is made; SEN support",
    ),
    _term(
        r"\bsenco\b",
        "designate a member of staff as SEN co-ordinator",
    ),
    _term(
        r"\blocal offer\b|\b(?:services|support|provision|help)\b.{0,40}\b(?:available|on offer)\b"
        r".{0,30}\b(?:area|county|locally)\b",
        "publish information about the provision it expects to be available: the local offer",
    ),
    _term(
        r"\bdisagree\w*|\bdisputes?\b|\bfall(?:ing|en)? out\b|\bunhappy\b|"
        r"\bsort (?:it|this|things) out\b|"
        r"\bshort of (?:going to )?(?:a |the )?tribunal\b",
        "arrangements with a view to avoiding or resolving disagreements; disagreement resolution",
    ),
    _term(
        r"\b(?:definition of|count\w* as|classed as|legally)\s+(?:a\s+)?disab\w*|"
        r"\bdisability under\b|"
        r"\bis (?:autism|adhd|dyslexia|[a-z]+) (?:a|classed as a) disability\b",
        "has a disability if a physical or mental impairment has a substantial and long-term "
        "adverse effect on ability to carry out normal day-to-day activities",
    ),
    _term(
        r"\b(?:what|which)\b.{0,30}\b(?:in|into|on) (?:an?|the) (?:ehc ?p|ehc plan|plan|draft)\b|"
        r"\bvague\b|\bspecific\b|\bquantif\w*",
        "the EHC plan must set out the special educational needs, outcomes, special educational "
        "provision, health care provision and social care provision",
    ),
    _term(
        r"\bre-?assess\w*|\bnew assessment\b",
        "re-assessment of the EHC needs of the child or young person",
    ),
    _term(
        r"\b(?:move|moving|moves|transfer\w*|transition\w*|going|goes)\s+(?:up\s+)?(?:to|into)\s+"
        r"(?:secondary|primary|junior|college|sixth form|post-?16|year 7)\b|\bphase transfer\b|"
        r"\bchanging (?:school|phase)\b",
        "transfer between phases of education: review and amend the EHC plan before 15 February "
        "or 31 March in the year of transfer",
    ),
    _term(
        r"\b(?:mov\w*|moved)\s+(?:house|area|county|to another (?:council|county|area|la))\b|"
        r"\bmov(?:e|es|ing|ed) from \w+ to \w+|"
        r"\bnew (?:council|local authority|la)\b",
        "transfer of the EHC plan to the new local authority when the child moves",
    ),
    _term(
        r"\bdraft (?:ehc ?p|ehc plan|plan|version)\b|\bthe draft\b|\bdraft (?:one|copy)\b",
        "draft EHC plan: make representations within at least 15 days; request a meeting with an "
        "officer; request that a particular school be named",
    ),
    _term(
        r"\bhow often\b.{0,40}\breview|\breview\w*\b.{0,40}\b(?:every|each|once a) year\b",
        "review the EHC plan in each period of 12 months",
    ),
    _term(
        r"\b(?:tell|told|inform\w*|let (?:me|us) know)\b.{0,60}\b(?:provision|support|sen)\b",
        "must inform the child's parent that special educational provision is being made",
    ),
    _term(
        r"\bhome[- ]?educat\w*|\beducat\w* (?:him|her|them) at home\b|\beotas\b|"
        r"\botherwise than (?:in|at) school\b",
        "the parent has made suitable alternative arrangements; education otherwise than in a "
        "school",
    ),
    _term(
        r"\b(?:nursery|pre-?school|early years|under (?:5|five)|toddler)\b",
        "early years provider; child under compulsory school age",
    ),
    _term(
        r"\bhow long\b.{0,40}\b(?:whole process|assessment|ehc ?p|ehc plan|process)\b.{0,20}"
        r"\b(?:take|last)\b",
        "the finalised EHC plan must be issued within 20 weeks of receiving a request for an EHC "
        "needs assessment",
    ),
    _term(
        r"\bdirect payments?\b|"
        r"\bpaid (?:straight|directly|direct) to (?:us|me|the family|parents)\b|"
        r"\b(?:employ|hire|pay)\w* (?:his|her|their|our|a) own\b",
        "direct payments: a personal budget paid to the child's parent or the young person to "
        "secure the provision",
    ),
    _term(
        r"\bexceptions?\b|\b(?:doesn'?t|does not|don'?t) (?:count|apply)\b|\bholidays?\b|"
        r"\bbereavement\b|\billness\b",
        "the local authority need not comply with the time limit if it is impractical because "
        "of exceptional personal circumstances or the school or institution being closed",
    ),
    _term(
        r"\b(?:ask|request|apply|applied|asked)\w*\s+(?:for\s+)?(?:an?\s+)?(?:ehc\s+)?(?:needs\s+)?"
        r"assessment\b|\bwho can (?:ask|request|apply)\b",
        "a request for an EHC needs assessment may be made by the child's parent, the young "
        "person or a person acting on behalf of a school or post-16 institution",
    ),
    _term(
        r"\b(?:tell|told|inform\w*|let (?:me|us) know|notify)\b.{0,40}\bappeal",
        "notify the parent or young person of the right to appeal to the First-tier Tribunal, "
        "the time limits for doing so, mediation and disagreement resolution",
    ),
    _term(
        r"\bwhat does\b.{0,40}\bmean\b|\bwhat is meant by\b|\bmeaning of\b|\bdefinition of\b",
        "interpretation: in this Part ... means",
    ),
    _term(
        r"\bindependent (?:special )?(?:school|college)\b|\bnon-maintained\b|\bprivate school\b",
        "school or other institution within subsection (3): maintained school, Academy, "
        "non-maintained special school, independent school approved under section 41",
    ),
    _term(
        r"\b(?:views|wishes|opinions?|voice)\b.{0,40}\b(?:ignor\w*|listen\w*|count|matter|heard|"
        r"taken into account)\b|\b(?:ignor\w*|listen\w* to|hear)\b.{0,30}\b(?:views|wishes|"
        r"what (?:\w+ ){0,3}(?:wants?|says?|thinks?))\b",
        "must have regard to the views, wishes and feelings of the child and his or her parent, "
        "or the young person, and their participation in decisions",
    ),
    _term(
        r"\bmainstream\b.{0,60}\bspecial (?:school|unit)\b|\bspecial (?:school|unit)\b.{0,60}"
        r"\bmainstream\b|\bright to (?:a )?mainstream\b",
        "must secure that the plan provides for the child to be educated in a mainstream school "
        "unless that is incompatible with the wishes of the parent or the provision of "
        "efficient education for others",
    ),
    _term(
        r"\b(?:free|independent|impartial)\s+(?:legal\s+)?(?:advice|help|support)\b|\bsendiass\b|"
        r"\bwho can (?:help|advise)\b",
        "must arrange for children, young people and parents to be provided with advice and "
        "information about special educational needs",
    ),
    _term(
        r"\b(?:stop|end|lose|cut|withdraw)\w*\b.{0,40}\b(?:meantime|meanwhile|while|during|"
        r"pending)\b.{0,20}\bappeal|\bpending (?:the |an )?appeal\b",
        "must continue to maintain the EHC plan until the time for appealing has expired or the "
        "appeal has been concluded",
    ),
    _term(
        r"\b(?:youth custody|young offender|detained|secure (?:unit|children'?s home)|prison)\b",
        "child or young person detained in youth accommodation; appropriate person; "
        "detained persons",
    ),
    _term(
        r"\bsen (?:information )?report\b|\bsen(?:d)? policy\b|\bschool'?s? (?:sen|send) "
        r"(?:information|policy)\b",
        "governing body must prepare a report containing SEN information",
    ),
    _term(
        r"\bnot enough (?:school )?places\b|\bsufficien\w*\b|\bno (?:suitable )?places?\b",
        "must keep under review the educational provision and social care provision made in its "
        "area and whether it is sufficient",
    ),
    _term(
        r"\b(?:over|after|past|turn\w*|reach\w*) (?:18|19|nineteen|eighteen)\b|\bpost-?19\b|"
        r"\buntil (?:he|she|they)(?:'s| is| are)? 25\b|\bup to 25\b",
        "may continue to maintain an EHC plan for a young person until the end of the academic "
        "year in which the young person attains the age of 25",
    ),
    _term(
        r"\b(?:lacks?|lacking|no) (?:mental )?capacity\b|\bmental capacity\b|\bcan'?t make "
        r"(?:his|her|their) own decisions\b",
        "where the parent or young person lacks capacity: modifications; representative",
    ),
    _term(
        r"\bwhat (?:is|are|exactly is) (?:an? |the )?(?:ehc ?ps?|ehc plans?|education,? health and "
        r"care plans?)\b|\bwhat does (?:an? )?(?:ehc ?p|ehc plan) (?:do|mean|contain)\b",
        "for the purposes of this Part, an EHC plan is a plan specifying the child's or young "
        "person's special educational needs, the outcomes sought, the special educational "
        "provision, health care provision and social care provision",
    ),
    _term(
        r"\bwhat (?:is|are|counts as|does) (?:sen|send|special educational needs?)\b|"
        r"\b(?:definition|meaning) of (?:sen|special educational needs?)\b|"
        r"\b(?:count|counts|qualify|qualifies) as (?:having )?(?:sen|special educational needs)\b",
        "a child or young person has special educational needs if he or she has a learning "
        "difficulty or disability which calls for special educational provision",
    ),
    _term(
        r"\bwhat (?:is|counts as) (?:special educational )?provision\b|"
        r"\b(?:additional to|different from)\b",
        "special educational provision is educational or training provision that is additional "
        "to, or different from, that made generally for others of the same age",
    ),
    _term(
        r"\bwhat (?:is|happens in) (?:an? |the )?(?:ehc )?needs assessment\b",
        "an EHC needs assessment is an assessment of the educational, health care and social "
        "care needs of a child or young person",
    ),
    _term(r"\bcouncil\b", "local authority", generic=True),
)

#: Words that only come up about the SEND system: a question using them is in scope even when
#: its wording is far from the law's (abstention then needs less similarity to answer).
_SEND_SYSTEM = re.compile(
    r"(?i)\b(?:ehc\s?n?a?p?s?|education,? health and care|sen|send|special educational|senco|"
    r"sendiass|sendist|tribunal|annual review|needs assessment|personal budget|direct payments?|"
    r"local offer|mediation|named school|section [b-k]|draft plan|children and families act|"
    r"code of practice|\d+ weeks? (?:limit|deadline))\b"
)


def named_terms(question: str) -> list[Term]:
    """Every glossary entry the question names, in glossary order (one pass over the glossary)."""
    return [term for term in TERMS if term.pattern.search(question)]


def names_send_system(question: str) -> bool:
    """True when the question uses words that only belong to the SEND system (EHCP, SENCO)."""
    return bool(_SEND_SYSTEM.search(question))
