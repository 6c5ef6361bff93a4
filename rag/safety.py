"""Safeguarding and scope checks run on every question before retrieval.

Pure pattern matching (no model, no network), so the checks are fast, predictable and testable.

Decisions, each covered by a test:

- Crisis detection leans towards showing help: a false alarm costs a calm box of phone numbers
  above the answer; a miss costs far more. Negation is not parsed ("he has never self-harmed"
  still shows signposting), and a parent's words about themselves ("I want to die") count too.
- Ordinary SEND language must not fire: "the deadline is killing me", "the council cut his
  hours", "cuts to his support", "in danger of being excluded", "missing school".
- A question about policy, such as "does the school need a suicide prevention policy?", does not
  fire: "suicide" followed by prevention, policy, awareness, training, strategy or statistics
  words is a question about a document, not about a child. "suicidal" always fires.
- Jurisdiction: place names and terms used only in another nation's system ("co-ordinated
  support plan", "additional learning needs") flag it. The adjectives "Welsh", "Scottish" and
  "Northern Irish" flag only when they qualify a public body or system ("our Welsh council",
  "the Scottish tribunal"): speaking Welsh at home, a Welsh-medium class, writing in Welsh or a
  Scottish grandparent say nothing about which law applies. A question that also names England
  ("we moved from Wales to England") is treated as an England question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

Jurisdiction = Literal["Scotland", "Wales", "Northern Ireland"]

# --- normalisation ---------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"[\u2018\u2019\u201b\u02bc\u0060\u00b4']")
_DASHES = re.compile(r"[\u2010-\u2015]")
_NON_WORD = re.compile(r"[^a-z0-9&.\-\s]+")
_SPACES = re.compile(r"\s+")


def normalise_for_matching(text: str) -> str:
    """Lowercase, drop apostrophes and punctuation, one space: so "doesn’t" and "doesnt" match.

    Apostrophes are removed, not kept, because people type "dont", "don't" and "don’t"
    interchangeably; possessives become plain words ("daughter's" -> "daughters").
    Sentence punctuation becomes " . " so patterns can stop at a sentence end.
    """
    text = _APOSTROPHES.sub("", text.lower())
    text = _DASHES.sub("-", text)
    text = re.sub(r"[.!?;:\n]+", " . ", text)
    text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def _compile(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


# --- crisis ----------------------------------------------------------------------------------

#: "himself", "herself", "themselves", "myself", "yourself", "ourselves".
_SELF = r"(?:him|her|them|my|your|our)sel(?:f|ves)"
#: A child as the subject of a sentence; apostrophes are gone, so "he's" is "hes".
_CHILD_WORDS = (
    r"s?he|s?hes|son|daughter|child|kid|boy|girl|teen|teenager|stepson|stepdaughter|"
    r"grandson|granddaughter|children|kids|twins"
)
_CHILD = f"(?:{_CHILD_WORDS})"
_GAP = r"(?:\s+[a-z0-9-]+){0,3}?"

_SELF_HARM = (
    r"\bself ?-? ?(?:harm\w*|injur\w*|mutilat\w*)",
    r"\b(?:cut|cuts|cutting|burn|burns|burnt|burned|burning|hurts|hurting|harm|harms|harmed|"
    r"harming|injures?|injured|injuring|scratch(?:es|ed|ing)?|hit|hits|hitting|"
    r"punch(?:es|ed|ing)?|starv(?:e|es|ed|ing)|strangl(?:e|es|ed|ing)|hang|hangs|hanged|"
    r"hanging|hung|poison(?:s|ed|ing)?|drown(?:s|ed|ing)?|stab(?:s|bed|bing)?|bit|bite|bites|biting|"
    r"bitten)\s+" + _SELF + r"\b",
    # "hurt himself" in the past is often an accident ("in PE", "at school"); on purpose is not.
    r"\bhurt\s+" + _SELF + r"\b(?!\s+(?:in|at|during|on|playing|falling|while|when|by|"
    r"accidentally)\b)",
    r"\b(?:hurt|harm|injure|injured|hit)\s+" + _SELF + r"\s+(?:on purpose|deliberately|"
    r"intentionally|again)\b",
    (
        r"\b(?:cuts|cut marks|scratches|burns|burn marks|scars|slashes|bruises|bruising|marks|"
        r"wounds)\b(?:\s+[a-z0-9-]+){0,4}?\s+(?:on|across|all over|up|down)\s+"
        r"(?:[a-z0-9-]+\s+){0,2}"
        r"(?:arms?|wrists?|legs?|thighs?|stomach|tummy|body|chest|hips?|skin)\b"
    ),
    # "she's been cutting again"; but not "they are cutting his hours" or "cutting back".
    r"\b" + _CHILD + r"\b" + _GAP + r"\s+cutting\b(?!\s+(?:back|down|out|off|up|corners|the|his|"
    r"her|their|our|my|a|an|it|them|costs?|funding|support|hours|provision|services|budgets?|"
    r"class|classes|lessons?|school|sessions?)\b)",
    r"\boverdos(?:e|es|ed|ing)\b",
    (
        r"\b(?:took|taken|swallowed)\s+(?:a\s+|an\s+)?(?:load|lot|lots|handful|bunch|box|packet|"
        r"bottle|whole (?:box|packet|pack|bottle)|all)\s+(?:of\s+)?(?:[a-z]+\s+){0,2}(?:pills|"
        r"tablets|paracetamol|medicine|medication|meds)\b"
    ),
    r"\bligatures?\b",
    r"\bnoose\b",
    (
        r"\bjump(?:ed|ing|s)?\s+(?:off|from)\s+(?:a|the)\s+(?:bridge|roof|building|cliff|"
        r"balcony|window|car park|multi-storey)\b"
    ),
    # Not the idiom "threw him under the bus" (blamed him).
    r"(?<!threw him )(?<!threw her )(?<!threw them )(?<!threw me )(?<!threw us )"
    r"(?<!thrown )"
    r"\b(?:in front of|under) (?:a|the) (?:train|car|bus|lorry|traffic)\b",
)

_SUICIDAL = (
    (
        r"\bsuicid(?:e|al|ality)\b(?!\s+(?:prevention|awareness|policy|policies|training|strategy|"
        r"strategies|statistics|stats|rates?|figures|data|research)\b)"
    ),
    (
        r"\b(?:want|wants|wanted|wanting|wish|wishes|wished|going|gonna|ready|trying|tried|"
        r"deserves?) to die\b"
    ),
    (
        r"\b(?:rather be|better off|wants? to be|wanted to be|wish(?:es|ed)? (?:s?he|i|they) "
        r"(?:was|were)|wishing (?:s?he|i|they) (?:was|were))\s+dead\b"
    ),
    (
        r"\b(?:doesnt|does not|dont|do not|didnt|did not|no longer|never|not|wont|will not) "
        r"(?:wants?|wanna) (?:to )?(?:be alive|live|exist|be here|be around|be in this world|"
        r"be on this earth|carry on|go on)\b(?!\s+(?:at|in|with|the|a|an|to|for|there|near|on|"
        r"independently|away|this|that|his|her|their|our|my|without|like|as|school|college|if|"
        r"unless|doing|being|trips?|holiday|placement|site)\b)"
    ),
    r"\bbetter off without (?:him|her|me)\b(?!\s+(?:as|in|on|at|being)\b)",
    (
        r"\bbetter off (?:if|when) (?:s?he|i|they)\b(?:\s+[a-z]+){0,3}?\s+(?:dead|gone|not here|"
        r"wasnt here|werent here|wasnt around|werent around|didnt exist|wasnt alive|"
        r"had never been born|never existed)\b"
    ),
    (
        r"\bno (?:point|reason|purpose) (?:in |to )?(?:living|live|life|being alive|existing|exist|"
        r"being here)\b"
    ),
    r"\bno point (?:in )?(?:going|carrying) on\b(?!\s+(?:with|to|at|the|for|in)\b)",
    r"\bnothing (?:left )?to live for\b",
    r"\b(?:life is not|life isnt|not) worth living\b",
    r"\bend(?:ing|ed|s)? it all\b",
    (
        r"\b(?:end|ending|ended|take|taking|took) (?:his|her|their|my|your) (?:own )?life\b"
        r"(?!\s+(?:skills?|story|cycle|insurance|experiences?|plans?|courses?|chances|choices|goals|"
        r"in|into|back|and)\b)"
    ),
    # Not "killing herself laughing": the idiom, not a risk.
    r"\bkill(?:s|ed|ing)? " + _SELF + r"\b(?! (?:laughing|with laughter))",
    (
        r"\b(?:rather|want(?:s|ed)? to|wish(?:es|ed)? (?:s?he|i|they) could|prefer to|would) "
        r"(?:just )?not (?:be|being) (?:here|around|alive)\b"
    ),
    # Not "the SENCO will not be here anymore after Easter".
    (
        r"(?<!will )(?<!shall )\bnot (?:be|being) (?:here|around|alive) any ?(?:more|longer)\b"
        r"(?!\s+(?:after|from|when|once|because|as|since|next|at|in|on)\b)"
    ),
    r"\b(?:wont|will not) be (?:here|around) (?:for )?much longer\b",
    (
        r"\bwish(?:es|ed|ing)? (?:s?he|i|they|s?hed|id|theyd) (?:had )?(?:never been born|"
        r"not been born|hadnt been born|wasnt born|werent born|was never born|were never born|"
        r"could die|could disappear)\b"
    ),
    r"\b(?:go to sleep|sleep|fall asleep) and (?:never|not) wake up\b",
    (
        r"\b(?:hopes?|hoping|wish(?:es|ed)?|pray(?:s|ed|ing)?) (?:that )?(?:s?he|i|they)"
        r"(?: will| would|ll|d)? (?:never|not|wont|doesnt|dont) wake up\b"
    ),
    r"\b(?:wants?|wanted|wanting) to disappear (?:forever|for good|for ever|from the world)\b",
    r"\b(?:talks?|talked|talking|thinks?|thinking|thought|thoughts|obsessed|research(?:ed|ing)?|"
    r"search(?:ed|es|ing)?|googl(?:ed|es|ing)|writ(?:es|ing|ten)|wrote|drawing|drew)\s+"
    r"(?:[a-z]+\s+)?(?:about|of|on|for)\s+(?:dying|death(?!\s+of\b)|killing "
    + _SELF
    + r"|ending (?:it|(?:his|her|their) life)|how to die|ways to die)\b",
    r"\bgoodbye (?:note|letter)s?\b",
    r"\b(?:note|letter|message)s? saying goodbye\b",
    (
        r"\b(?:cant|can not|cannot) (?:go on|carry on)\b"
        r"(?!\s+(?:with|the|to|a|an|holiday|trips?|like)\b)"
    ),
)

_ABUSE = (
    (
        r"\b(?:sexual(?:ly)?|physical(?:ly)?|emotional(?:ly)?|domestic|child|psychological(?:ly)?)"
        r"\s+abus\w*"
    ),
    # "abuse of process", "abusing its power", "abuse of the 20 week limit" are not about a child.
    (
        r"\babus(?:e|ed|ing)\b(?!\s+of\s+(?!(?:a |the |my |our |his |her |their )?"
        r"(?:child|children|"
        r"kids?|pupils?|students?|him|her|them|young|vulnerable|disabled|autistic|son|daughter)\b))"
        r"(?!\s+(?:the|its|their|his|her) (?:system|process|power|powers|position|discretion)\b)"
    ),
    # Passive: "she is being hit", "he was beaten". "kicked out" (excluded) is not violence.
    r"\b(?:" + _CHILD_WORDS + r"|they)\b" + _GAP + r"\s+(?:is|are|was|were|been|being|"
    r"got|gets|getting)\s+(?:[a-z]+\s+)?"
    r"(?:hit(?!\s+(?:by|with) (?:a|an|the) (?:car|van|bus|lorry|bike|"
    r"ball|fixed|permanent|bill|fine|exclusion)\b)|beaten|beat up|punched|kicked(?! out)|slapped|"
    r"smacked|strangled|choked|assaulted|attacked|molested|groomed|raped|starved|"
    r"burned|burnt|locked in|locked up|tied up|shaken)\b",
    # Active, with an adult as the subject: "his stepdad hits him".
    r"\b(?:dad|daddy|father|stepdad|step dad|step-dad|stepfather|mum|mummy|mother|stepmum|"
    r"step mum|step-mum|stepmother|partner|boyfriend|girlfriend|uncle|aunt|auntie|grandad|"
    r"grandpa|grandma|nan|teacher|ta|staff|carer|someone|somebody|a man|a woman|an adult|"
    r"neighbour|coach|driver|escort)\b" + _GAP + r"\s+(?:hits?|hitting|beats?|beating|"
    r"punch(?:es|ed|ing)?|kick(?:s|ed|ing)?|slap(?:s|ped|ping)?|smack(?:s|ed|ing)?|"
    r"strangl(?:es|ed|ing)|chok(?:es|ed|ing)|shak(?:es|ing)|shook|burn(?:s|ed|t|ing)?|"
    r"abus(?:es|ed|ing)|molest(?:s|ed|ing)?|hurt(?:s|ing)?)\s+(?:him|her|them|my|our)\b",
    (
        r"\btouch(?:es|ed|ing)?\s+(?:him|her|them|my [a-z]+|our [a-z]+)\s+(?:inappropriately|"
        r"sexually|in (?:a|an) (?:sexual|inappropriate) way|down there)\b"
    ),
    r"\binappropriate(?:ly)? touch\w*",
    r"\btouch(?:ed|ing|es)? (?:his|her|their) (?:private|privates|genitals|bottom|breasts?)\b",
    (
        r"\b(?:child|signs of|suffering|suffered|evidence of|reported for|concerns? about|"
        r"victim of)\s+neglect\b"
    ),
    # Only a child, right before the verb, is neglected: not "her needs are neglected".
    r"\b(?:" + _CHILD_WORDS + r"|they)\s+(?:is|are|was|were|has been|have been)\s+"
    r"(?:being\s+)?(?:badly\s+|severely\s+)?neglected\b",
    (
        r"\bneglected by (?:his|her|their|my|our) (?:parents?|mum|dad|father|mother|carers?|"
        r"family|foster carers?)\b"
    ),
    r"\b(?:being|been|was|were|is) groomed\b",
    r"\b(?:sexual(?:ly)?|criminal(?:ly)?) exploit\w*",
    r"\bcounty lines\b",
    r"\brap(?:e|ed)\b",
    r"\bforced (?:marriage|to marry)\b",
    r"\bfgm\b",
    r"\bthreaten(?:s|ed|ing)? to (?:kill|hurt|stab|hit|beat|harm) (?:him|her|them|my [a-z]+)\b",
)

_DANGER = (
    r"\bin (?:immediate |real |serious |grave )?danger\b(?!\s+of\b)",
    r"\bdanger to " + _SELF + r"\b",
    r"\b(?:not|isnt|doesnt feel|dont feel|never feels?|never) safe (?:at|to go) home\b",
    r"\bunsafe at home\b",
    r"\b(?:scared|afraid|frightened|terrified) (?:to go|of going) home\b",
    (
        r"\b(?:ran|run|running|runs) away\b(?! with the idea)"
        r"(?!\s+(?:from|out of|in|at|during) (?:the |his |her )?"
        r"(?:class|classroom|lessons?|staff|adults|playground|table|tasks?|work|activities)\b)"
    ),
    r"\b" + _CHILD + r"\b" + _GAP + r"\s+(?:is|are|was|were|been|has gone|have gone|went|gone|"
    r"goes|going)\s+missing\b(?!\s+(?:so much|a lot|lots|loads|school|lessons?|class(?:es)?|"
    r"education|out|sessions?|"
    r"appointments?|therapy|days|weeks|meals|from (?:school|class|lessons|education|the plan|"
    r"his plan|her plan))\b)",
    r"\breported (?:him|her|them|my [a-z]+) missing\b",
    r"\bmissing (?:person|child)\b",
    (
        r"\b(?:cant|can not|cannot|couldnt) find (?:him|her|my son|my daughter|my child)\b"
        r"(?!\s+(?:a|an|the|any|somewhere|anywhere to)\b)"
    ),
    r"\bdont know where (?:s?he|they) (?:is|are)\b",
    r"\b(?:was|been|being|got|be|is) sectioned\b",
)

#: Named groups of crisis patterns; the names are returned by ``crisis_reasons``.
#: The names are the crisis categories of the semantic bank (``rag.crisis``): one vocabulary.
CRISIS_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "self_harm": _compile(_SELF_HARM),
    "suicidal": _compile(_SUICIDAL),
    "abuse_neglect": _compile(_ABUSE),
    "missing_or_danger": _compile(_DANGER),
}

#: The writer speaking of themselves just before a self-harm or suicidal phrase: "I want to die",
#: "I cant go on", "better off without me": a parent or carer at breaking point.
_FIRST_PERSON = re.compile(r"\b(?:i|im|ive|id|ill|me|myself)\b")
_FIRST_PERSON_PHRASE = re.compile(r"\b(?:without me|kill myself|hurt myself|harm myself)\b")


def _writer_at_risk(norm: str, match: re.Match[str]) -> bool:
    before = norm[: match.start()].split(" . ")[-1].split()[-2:]
    return bool(
        _FIRST_PERSON_PHRASE.search(match.group(0)) or _FIRST_PERSON.search(" ".join(before))
    )


def crisis_reasons(text: str) -> tuple[str, ...]:
    """Which crisis categories a message matches, so logs and tests can say why help was shown.

    A self-harm or suicidal phrase in the first person adds ``carer_breaking_point``: the
    writer (often a parent) needs help for themselves as well as for the child.
    """
    norm = normalise_for_matching(text)
    found: list[str] = []
    for name, patterns in CRISIS_PATTERNS.items():
        matches = [m for p in patterns for m in p.finditer(norm)]
        if not matches:
            continue
        found.append(name)
        if name in {"self_harm", "suicidal"} and any(_writer_at_risk(norm, m) for m in matches):
            found.append("carer_breaking_point")
    return tuple(dict.fromkeys(found))


def detect_crisis(text: str) -> bool:
    """True when a message shows a child or young person (or the writer) may be at risk."""
    return bool(crisis_reasons(text))


_CHILD_SIGNPOSTS = """\
**If a child or young person may be at risk, please get help now. This comes first.**

- **Emergency or immediate danger:** call **999**.
- **Urgent mental health help:** call **NHS 111** and choose the mental health option.
- **Samaritans:** call **116 123** (free, any time, day or night).
- **Childline**, for the child or young person: call **0800 1111**.
- **Shout:** text **SHOUT** to **85258**.
- Your child's **GP**, or their **CAMHS** team if they have one.
- **If a child is being harmed:** contact your local council's children's services, \
or the **NSPCC helpline** on **0808 800 5000**."""
_CLOSING = "You do not have to deal with this alone. Information about the law follows below."
#: The children's signposting on its own (letters, and the banner's default).
CRISIS_SIGNPOSTING = f"{_CHILD_SIGNPOSTS}\n\n{_CLOSING}"

#: For the writer, when they are the one at breaking point: help for adults, not only children.
CARER_SIGNPOSTING = """\
**For you, as a parent or carer:**

- **Samaritans:** call **116 123**, free, day or night, to talk it through.
- **NHS 111, option 2:** urgent mental health help for adults, any time.
- **A carer's assessment:** ask your council's adult social care; it is your right as a carer \
and can lead to a break and support for you."""

#: Why the banner is shown, in neutral words, by crisis category (first found wins).
CRISIS_REASON_LINES: dict[str, str] = {
    "carer_breaking_point": "Because your message mentions how you are coping and someone's "
    "safety, help for you and your child comes first.",
    "abuse_neglect": "Because your message mentions a child or young person being harmed, "
    "where to get help comes first.",
    "missing_or_danger": "Because your message mentions a child or young person's safety, "
    "where to get help comes first.",
}
DEFAULT_REASON_LINE = (
    "Because your message mentions a child or young person's safety, where to get help comes first."
)


def crisis_notice(categories: Sequence[str]) -> str:
    """The signposting shown before any law: why, in neutral words, then the numbers."""
    reason = next(
        (CRISIS_REASON_LINES[c] for c in categories if c in CRISIS_REASON_LINES),
        DEFAULT_REASON_LINE,
    )
    carer = [CARER_SIGNPOSTING] if "carer_breaking_point" in categories else []
    return "\n\n".join([reason, _CHILD_SIGNPOSTS, *carer, _CLOSING])


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def message_sentences(text: str) -> list[str]:
    """A message's sentences, as the crisis checks and the legal search both split it."""
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


# --- jurisdiction ----------------------------------------------------------------------------

#: Public bodies and systems: an adjective of nationality before one of these names a place.
_SYSTEM = (
    r"(?:council|councils|local authority|local authorities|la|government|school|schools|"
    r"tribunal|law|laws|system|legislation|rules|code|guidance|parliament|assembly|ministers|"
    r"education authority|education system|authority)"
)

_SCOTLAND = (
    r"\bscotland\b",
    r"\bscottish " + _SYSTEM + r"\b",
    (
        r"\b(?:fife|glasgow|edinburgh|aberdeen|aberdeenshire|dundee|inverness|stirling|falkirk|"
        r"west lothian|east lothian|midlothian|renfrewshire|east renfrewshire|lanarkshire|ayrshire|"
        r"dumfries|perth and kinross|highland council|moray|angus council|argyll|"
        r"clackmannanshire|inverclyde|dunbartonshire|scottish borders|orkney|shetland|"
        r"western isles|na h-eileanan siar)\b"
    ),
    r"\bco-?ordinated support plans?\b",
    r"\badditional support (?:needs|for learning)\b",
    r"\basn\b",
    r"\bgirfec\b",
    r"\bgetting it right for every child\b",
    r"\bhealth and education chamber\b",
)

_WALES = (
    r"(?<!new south )(?<!prince of )\bwales\b",
    r"\bwelsh " + _SYSTEM + r"\b",
    (
        r"\b(?:cardiff|swansea|wrexham|bridgend|caerphilly|rhondda|merthyr tydfil|blaenau gwent|"
        r"torfaen|monmouthshire|vale of glamorgan|carmarthenshire|pembrokeshire|ceredigion|powys|"
        r"gwynedd|conwy|denbighshire|flintshire|anglesey|ynys mon|neath port talbot|"
        r"aberystwyth|llanelli)\b"
    ),
    r"\bindividual development plans?\b",
    r"\badditional learning needs\b",
    r"\balncos?\b",
    r"\baln\b",
    r"\beducation tribunal for wales\b",
    r"\bcymru\b",
    r"\bsenedd\b",
)

_NORTHERN_IRELAND = (
    r"\bnorthern ireland\b",
    r"\bnorthern irish " + _SYSTEM + r"\b",
    (
        r"\b(?:belfast|londonderry|derry|county antrim|antrim|armagh|fermanagh|tyrone|newry|"
        r"lisburn|ballymena|coleraine|omagh|enniskillen|county down)\b"
    ),
    r"\bsenac\b",
)

JURISDICTION_PATTERNS: dict[Jurisdiction, tuple[re.Pattern[str], ...]] = {
    "Scotland": _compile(_SCOTLAND),
    "Wales": _compile(_WALES),
    "Northern Ireland": _compile(_NORTHERN_IRELAND),
}

_ENGLAND = re.compile(r"\bengland\b|\benglish " + _SYSTEM + r"\b")


def detect_other_jurisdiction(text: str) -> Jurisdiction | None:
    """'Scotland', 'Wales' or 'Northern Ireland' when a question is about that nation's system.

    sendqa answers from the law in England; SEND law is devolved, so an answer about a Scottish
    co-ordinated support plan from English law would mislead. Returns the nation mentioned first;
    None when none is, or when England is named too (a cross-border move is an England question).
    """
    norm = normalise_for_matching(text)
    if _ENGLAND.search(norm):
        return None
    found: list[tuple[int, Jurisdiction]] = []
    for name, patterns in JURISDICTION_PATTERNS.items():
        starts = [m.start() for p in patterns if (m := p.search(norm))]
        if starts:
            found.append((min(starts), name))
    return min(found)[1] if found else None


#: Where to go for each nation: signposts only, not endorsements or advice.
JURISDICTION_SIGNPOSTS: dict[str, str] = {
    "Scotland": "Enquire, the Scottish advice service for additional support for learning "
    "(enquire.org.uk)",
    "Wales": "SNAP Cymru, the Welsh information and advice service for additional learning needs "
    "(snapcymru.org)",
    "Northern Ireland": "SENAC, the Special Educational Needs Advice Centre in Northern Ireland "
    "(senac.co.uk)",
}

JURISDICTION_NOTE = (
    "sendqa covers the law in England only. Your question seems to be about {jurisdiction}, "
    "which has its own law and its own system for children with additional needs, so an answer "
    "from English law could be wrong for you. A place to start is {signpost}. This is a signpost "
    "only: sendqa has not checked their advice."
)


def jurisdiction_note(jurisdiction: str) -> str:
    """The note shown for a question about another nation, with that nation's signpost."""
    signpost = JURISDICTION_SIGNPOSTS.get(jurisdiction)
    if signpost is None:
        known = ", ".join(JURISDICTION_SIGNPOSTS)
        raise ValueError(f"unknown jurisdiction {jurisdiction!r}: expected one of {known}")
    return JURISDICTION_NOTE.format(jurisdiction=jurisdiction, signpost=signpost)


# --- notices ---------------------------------------------------------------------------------

NOT_LEGAL_ADVICE = (
    "This is information about the law in England, not legal advice. For advice on your "
    "situation, contact your local SENDIASS (free), IPSEA, or a solicitor; for appeals, see the "
    "First-tier Tribunal (SEND) guidance on GOV.UK."
)

#: Shown after the caller's own "not found" sentence, so it does not repeat one.
WHERE_TO_GET_HELP = """\
You can get free, independent help from:

- your local **SENDIASS** (SEND Information, Advice and Support Service): search for \
"SENDIASS" and your council's name;
- **IPSEA** (ipsea.org.uk): free legally based advice on SEND law;
- **Contact** (contact.org.uk): the charity for families with disabled children;
- the **First-tier Tribunal (SEND)** guidance on GOV.UK, for appeals."""

# --- prompt injection ------------------------------------------------------------------------

_INJECTION = _compile(
    (
        (
            r"\b(?:ignore|disregard|forget|override|bypass)\s+"
            r"(?:all|any previous|your|previous|prior|"
            r"above|earlier|preceding|system|the above|the previous|the system|my previous)\b"
            r"(?:\s+[a-z]+){0,3}?\s+(?:instructions?|prompts?|rules|directions|guidelines|"
            r"messages?|context|constraints)\b"
        ),
        r"\bdisregard (?:the |everything |all )?(?:above|before)\b",
        r"\bforget (?:everything|all) (?:above|before|previous|you (?:were|have been) told)\b",
        r"\byou are now\b",
        r"\bfrom now on,? you (?:are|will|must)\b",
        r"\bsystem prompt\b",
        (
            r"\b(?:reveal|show|print|repeat|output) (?:me )?(?:your|the) "
            r"(?:hidden |secret |initial |"
            r"original )?(?:prompt|instructions)\b"
        ),
        r"\bnew instructions\b",
        r"\bdeveloper mode\b",
        r"\bjailbr(?:eak|oken)\b",
        r"\bpretend (?:you are|to be|youre)\b",
        r"\bact as (?:an? )?(?:unrestricted|unfiltered|jailbroken|evil|different) ",
        r"\bdo anything now\b",
        r"<\|?(?:im_start|im_end|system|endoftext)\|?>",
        r"\[/?inst\]",
    )
)


def looks_like_prompt_injection(text: str) -> bool:
    """True when a question tries to steer the model; the caller flags it, it does not refuse."""
    lowered = _APOSTROPHES.sub("", text.lower())
    spaced = _SPACES.sub(" ", lowered)
    return any(p.search(spaced) for p in _INJECTION)
