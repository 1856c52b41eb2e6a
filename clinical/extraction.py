"""Read a patient profile out of plain clinical language.

Clinicians write "CP-B7, ECOG 1, banded varices, s/p liver transplant, progressed on atezo/bev,
hoping to downstage, main PVTT, lung mets". Each finding is a named pattern over the lower-cased
text; a negation before a finding ("no varices", "no autoimmune disease, transplant or IBD") or
right after it ("lupus: none") denies it. What is not said stays unknown: nothing is guessed.
Impossible values ("Child-Pugh D", "ECOG 7") and contradictions ("Child-Pugh A8", "Vp2 into the
SMV") become one-line problems and are never kept as fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from clinical.profile import ProfileError, parse_profile
from corpus.regimens import load_catalogue
from corpus.vocabulary import load_vocabulary, normalize

# Typographic dashes and quotes become ASCII (same length, so match positions stay valid).
_FOLD = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "’": "'", "‘": "'"})
_NEG = r"(?:no|not|without|denies|denied|negative\s+for|free\s+of|absence\s+of|nor|never)"
# A negation governs its own clause: "no varices but lupus", "no varices and lupus" state lupus.
_CLAUSE_BREAK = re.compile(r"[.;:()?!\n]|\b(?:but|and|however|although|though|whereas|who)\b")
_LIST_ITEM = re.compile(r"^\s*(?:n?or\s+)?(?:[\w'/-]+\s+){0,3}$")  # a bare item in "no A, B or C"
_DENIED_AFTER = re.compile(
    r"^\s*[:=-]\s*(?:no|none|negative|absent|nil)\b|^\s+(?:ruled\s+out|absent)\b"
)
_NUMBER_WORDS = {"zero": 0, "single": 1, "solitary": 1, "one": 1, "two": 2, "three": 3, "four": 4}
_NUMBER_WORDS |= {"five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twice": 2}


@dataclass
class Extraction:
    """Profile fields found in a text, and the impossible values it states."""

    fields: dict[str, Any] = field(default_factory=dict)
    tumour: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def as_profile_data(self) -> dict[str, Any]:
        return {**self.fields, "tumour": dict(self.tumour)} if self.tumour else dict(self.fields)

    @property
    def empty(self) -> bool:
        return not self.fields and not self.tumour


def _negated(text: str, start: int, end: int) -> bool:
    """Whether the finding at text[start:end] is denied, before it or just after it."""
    if _DENIED_AFTER.match(text[end : end + 30]):
        return True
    clause = _CLAUSE_BREAK.split(text[max(0, start - 120) : start])[-1]
    items = clause.split(",")
    if re.search(rf"\b{_NEG}\b", items[-1][-28:]):
        return True
    # "PVTT not reaching the left lobe or SMV": a denied extension covers what it lists.
    if re.search(rf"\b{_NEG}\s+(?:\w+\s+)?(?:reach|involv|extend|invad|enter)\w*\b", clause):
        return True
    # "no lupus, transplant or IBD": one negation opens a list of bare items ending in "or".
    after = re.split(r"[.;:()?!,]", text[start : start + 60])[0]
    if (
        len(items) < 2
        or not _LIST_ITEM.match(items[-1])
        or not re.search(r"\bn?or\b", items[-1] + after)
    ):
        return False
    for item in reversed(items[:-1]):
        if re.match(rf"\s*{_NEG}\b", item):
            return True
        if not _LIST_ITEM.match(item + " "):
            return False
    return False


def _affirmed(text: str, pattern: str) -> list[bool]:
    """One entry per mention of `pattern`: True when stated, False when denied."""
    return [not _negated(text, m.start(), m.end()) for m in re.finditer(pattern, text)]


def _flag(text: str, pattern: str) -> bool | None:
    """True when any mention is stated, False when every mention is denied, None when unsaid."""
    mentions = _affirmed(text, pattern)
    return any(mentions) if mentions else None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


# --- liver function, performance status, stage --------------------------------------------------

_CHILD_PUGH = re.compile(
    r"\b(?:child[\s-]*(?:turcotte[\s-]*)?pugh|child|cp)[\s-]*(?:class|grade)?[\s-]*(?P<cls>[a-e])"
    # The score is attached ("B7", "B-7", "B (7)") or named ("B, score 8"); a loose number
    # ("Child-Pugh B, 2 lesions") is not a score.
    r"(?![a-z'])(?:-?\(?(?P<score>\d{1,2})\b|[\s,]*\(?(?:with\s+a\s+)?score\s*(?:of|=|:)?\s*"
    r"(?P<named>\d{1,2})\b)?"
)
_CHILD_PUGH_SCORE = re.compile(
    r"\b(?:child[\s-]*pugh|cp|ctp)\s*(?:score|points?)?\s*(?:of|=|:|is)?\s*(?P<score>\d{1,2})\b"
)
_CHILD_PUGH_RANGES = {"A": range(5, 7), "B": range(7, 10), "C": range(10, 16)}


def _child_pugh(text: str, out: Extraction) -> None:
    match, letter = _CHILD_PUGH.search(text), None
    if match:
        letter = match.group("cls").upper()
        if letter not in _CHILD_PUGH_RANGES:
            out.problems.append(f"Child-Pugh class {letter} does not exist (classes are A, B, C)")
            return
        out.fields["child_pugh_class"] = letter
        score = match.group("score") or match.group("named")
    else:
        score_only = _CHILD_PUGH_SCORE.search(text)
        score = score_only.group("score") if score_only else None
    if score is None:
        return
    if not 5 <= int(score) <= 15:
        out.problems.append(f"Child-Pugh score {score} is impossible (scores run 5-15)")
    elif letter and int(score) not in (scores := _CHILD_PUGH_RANGES[letter]):
        out.problems.append(
            f"Child-Pugh {letter}{score} is contradictory "
            f"(class {letter} means a score of {scores[0]}-{scores[-1]})"
        )
    else:
        out.fields["child_pugh_score"] = int(score)


_ECOG = re.compile(
    r"\b(?:ecog(?:[\s-]*ps)?|who[\s-]*ps|performance\s+status|ps)[\s:=-]*(?:score|status|grade)?"
    r"\s*(?:of|=|:|is|was)?\s*(?P<value>\d{1,2}|zero|one|two|three|four|five)\b"
    r"(?!\.\d|\s*(?:-|/|or|to)\s*\d)"  # a range ("ECOG 0-1") is a criterion, not a patient
)
_BCLC = re.compile(r"\b(?:bclc|barcelona)[\s-]*(?:stage\s*)?(?P<stage>0|a|b[123]?|c|d)\b")
_STAGE_WORDS = {r"very[\s-]+early": "0", "early": "A", "intermediate": "B", "advanced": "C"}


def _ecog_bclc(text: str, out: Extraction) -> None:
    if ecog := _ECOG.search(text):
        if (value := _number(ecog.group("value"))) > 4:
            out.problems.append(f"ECOG performance status {value} is impossible (0-4; 5 is death)")
        else:
            out.fields["ecog"] = value
    if bclc := _BCLC.search(text):
        out.fields["bclc_stage"] = bclc.group("stage").upper()
        return
    for words, stage in _STAGE_WORDS.items():  # "very early" is checked before "early"
        if re.search(rf"\b{words}[\s-]+stage\b", text):
            out.fields["bclc_stage"] = stage
            return


# --- varices and endoscopy ----------------------------------------------------------------------

_VARIX = (  # "varices", "oesophageal or gastric varices"
    r"(?:(?:o?esophageal|gastric|gastro-?o?esophageal|o?esophagogastric)\s+(?:(?:or|and)\s+)?)*"
    r"varic\w*"
)
_BANDED = r"(?:banded|ligated|treated|eradicated|obliterated)"
_UNTREATED = (
    rf"\b(?:untreated|unbanded|unligated)\s+{_VARIX}"
    rf"|{_VARIX}\s+(?:that\s+|which\s+|are\s+|were\s+)*(?:untreated|not\s+(?:yet\s+)?"
    r"(?:treated|banded|ligated))"
)
_SEVERE = (
    r"\b(?:large|severe|high[\s-]risk|big|small|medium|grade\s*(?:2|3|ii|iii)|f[23]|red[\s-]wale"
    rf"|bleeding)\s+{_VARIX}|{_VARIX}\s+(?:that\s+|which\s+|are\s+|were\s+)*(?:large|severe|grade"
    r"\s*(?:2|3|ii|iii)|f[23])\b"
)
_TREATED = (
    rf"\b{_BANDED}\s+{_VARIX}|{_VARIX}\s+(?:(?:that|which|were|was|have|has|been|already|all"
    r"|now|since|recently|successfully|fully|completely)\s+)*"
    rf"{_BANDED}|\b(?:s/p|after|post|had|underwent|prior|previous)[\s-]+(?:an?\s+)?(?:evl|banding"
    r"|band\s+ligation|variceal\s+(?:band\s+)?ligation)\b"
)
_EGD = r"\b(?:egd|ogd|o?esophagogastroduodenoscopy|gastroscopy|endoscopy)\b"
_NO_VARICES = (
    rf"\b(?:no|without|negative\s+for|free\s+of)\s+(?:(?:evidence|signs?)\s+of\s+)?{_VARIX}"
    rf"|{_VARIX}\s*[:=-]?\s*(?:none|absent|negative|not\s+seen)\b"
    rf"|{_EGD}\s+(?:was\s+|is\s+)?(?:negative|clean|normal|unremarkable)"
)
_EGD_NOT_DONE = (
    rf"\b(?:no|without|not\s+had|hasn'?t\s+had|never\s+had|yet\s+to\s+have|awaiting|pending)\s+"
    rf"(?:an?\s+|recent\s+|prior\s+|upper\s+)*{_EGD}|{_EGD}\s+(?:(?:is|was|has|been|not|yet)\s+)*"
    r"(?:not\s+(?:yet\s+)?(?:done|performed)|pending|outstanding|scheduled|planned|booked)"
)
# Only a performed EGD counts: "which regimen needs EGD?" says nothing about the patient.
_EGD_DONE = (
    rf"{_EGD}\s+(?:[\w-]+\s+){{0,3}}(?:done|performed|completed|showed|shows|revealed|found|clean"
    rf"|demonstrated|confirmed|negative|normal|unremarkable)\b|{_EGD}\s*(?::|last\b|in\s+\w+)"
    rf"|\b(?:had|underwent|recent|prior|previous|after|on|at|by|per|s/p|post)\s+(?:an?\s+|the\s+"
    rf"|recent\s+|upper\s+)*{_EGD}"
)


def _varix_state(text: str) -> str | None:
    if re.search(_UNTREATED, text):
        return "untreated_or_severe"
    if any(_affirmed(text, _TREATED)):
        return "treated"  # banded counts even when they were large
    if any(_affirmed(text, _SEVERE)):
        return "untreated_or_severe"
    if re.search(_NO_VARICES, text):
        return "none"
    # Present, or "no high-risk varices" (small ones not excluded): severity unknown.
    return "unknown" if re.search(rf"\b{_VARIX}", text) else None


def _varices(text: str, out: Extraction) -> None:
    if re.search(_EGD_NOT_DONE, text):
        out.fields["egd_done"] = False
    elif re.search(_EGD_DONE, text):
        out.fields["egd_done"] = True
    if state := _varix_state(text):
        out.fields["varices"] = state
    # "No varices" is an endoscopic finding, unless the text says it came from imaging.
    if (
        state == "none"
        and "egd_done" not in out.fields
        and not re.search(r"\b(?:ct|mri|imag)", text)
    ):
        out.fields["egd_done"] = True


# --- contraindications --------------------------------------------------------------------------

_TRANSPLANT = (
    r"\btrans-?plant\w*|\b(?:olt|ltx)\b|\b(?:post|s/p)[\s-]*lt\b|\bliver\s+graft\b"
    r"|\bgraft\s+recipient\b|\ballograft\b"
)
# Candidacy is a plan, not a transplant: "transplant candidate", "listed for transplant".
_TRANSPLANT_PLANNED = re.compile(
    r"(?:candidate|list|listed|eligible|eligibility|await|awaiting|referred|referral|evaluated"
    r"|evaluation|considered|assessed|wait-?listed|waiting|criteria|bridg\w*|downstag\w*)\s+"
    r"(?:for|to)\s+(?:an?\s+|the\s+|liver\s+|orthotopic\s+)*$|\bpre-?$"
    r"|(?:stem[\s-]cell|bone[\s-]marrow|ha?ematopoietic|hsct)\s*$"  # not a solid organ
)
_TRANSPLANT_PLANNED_AFTER = re.compile(
    r"^[\s-]*(?:candida|list|evaluat|work|assess|eligib|wait|cent|team|criteri|option|referr)"
)
_AUTOIMMUNE = (
    r"\bauto-?immune(?:\s+(?:disease|disorder|condition|hepatitis)s?)?\b|\blupus\b|\bsle\b"
    r"|\brheumatoid\s+arthritis\b|\bcrohn'?s?\b|\bulcerative\s+colitis\b|\bibd\b|\bpsoria\w*"
    r"|\binflammatory\s+bowel\s+disease\b|\bmultiple\s+sclerosis\b|\bmyasthenia\b|\bvasculitis\b"
    r"|\bsj[oö]gren|\bscleroderma\b"
)
_PLT = r"(?:platelets?|plts?)"
_BP = r"(?:arterial\s+)?(?:hypertension|htn|blood\s+pressure|bp)\b"
_REFRACTORY = r"(?:refractory|uncontrolled|resistant|poorly[\s-]controlled|not\s+controlled|severe)"
# (field, pattern when present, pattern when explicitly normal)
_CONTRAINDICATIONS = (
    ("active_autoimmune_disease", _AUTOIMMUNE, None),
    (
        "low_platelets",
        rf"\b(?:low|reduced|decreased)\s+{_PLT}\b|\bthrombocytop\w+|\b{_PLT}\s+(?:count\s+)?"
        r"(?:is\s+|are\s+|was\s+)?(?:very\s+)?(?:low|reduced)\b",
        rf"\b(?:normal|adequate)\s+{_PLT}|\b{_PLT}\s+(?:\w+\s+)?(?:normal|adequate)\b",
    ),
    (
        "refractory_hypertension",
        rf"\b{_REFRACTORY}\s+{_BP}|\b{_BP}\s+(?:that\s+is\s+|is\s+|remains\s+)?{_REFRACTORY}",
        rf"\b(?:well[\s-])?controlled\s+{_BP}|\b{_BP}\s+(?:is\s+)?(?:well[\s-])?controlled",
    ),
)


# A count, in any usual unit: "platelets 30 x10^9/L", "plt 60k", "platelets dropped to 40,000".
_PLATELET_COUNT = re.compile(
    rf"\b{_PLT}(?:\s+count)?(?:\s+(?:of|is|was|are|were|has|have|had|now|dropped|fallen|fell"
    r"|down|to|at|only|around|about))*\s*[:=~]?\s*(?P<v>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    r"(?!\s*%)"
)
# The review names "a low platelet count" as a contraindication to targeted therapy without a
# figure; below 100 x10^9/L is the usual bar for clinically significant thrombocytopenia, and
# 150 or more is normal. In between the count settles nothing and the field stays unknown.
LOW_PLATELETS_BELOW = 100.0
NORMAL_PLATELETS_FROM = 150.0


def _platelet_count(text: str) -> float | None:
    """The count in x10^9/L, or None when no count is given."""
    found = _PLATELET_COUNT.search(text)
    if not found:
        return None
    value = float(found.group("v").replace(",", ""))
    return value / 1000 if value >= 1000 else value  # per microlitre -> x10^9/L


def _transplant(text: str) -> bool | None:
    found = []
    for match in re.finditer(_TRANSPLANT, text):
        before, after = text[max(0, match.start() - 40) : match.start()], text[match.end() :]
        if _TRANSPLANT_PLANNED.search(before) or _TRANSPLANT_PLANNED_AFTER.match(after):
            continue
        found.append(not _negated(text, match.start(), match.end()))
    return any(found) if found else None


def _contraindications(text: str, out: Extraction) -> None:
    if (transplant := _transplant(text)) is not None:
        out.fields["organ_transplant"] = transplant
    for key, present, normal in _CONTRAINDICATIONS:
        found = _flag(text, present)
        if found is None and normal and re.search(normal, text):
            found = False
        if found is not None:
            out.fields[key] = found
    count = _platelet_count(text)
    if count is not None and "low_platelets" not in out.fields:
        if count < LOW_PLATELETS_BELOW:
            out.fields["low_platelets"] = True
        elif count >= NORMAL_PLATELETS_FROM:
            out.fields["low_platelets"] = False


# --- goal, line, region -------------------------------------------------------------------------

_SURGERY = r"(?:resection|resect\w*|surgery|surgical|operat\w*|hepatectomy|cure|curative)"
_CONVERSION = (
    rf"\bhop\w*\s+(?:for|to)\s+(?:an?\s+|get\s+to\s+|eventual\s+)?(?:{_SURGERY}|downstag\w*"
    rf"|convers\w*)|\bdown[\s-]?(?:stag|siz)\w*(?!\s+rates?)|\bconversion\b(?!\s+rates?)"
    rf"|\bconvert\w*\s+to\s+{_SURGERY}|\b(?:potentially|borderline|marginally)[\s-]+resectable\b"
    r"|\bneo-?adjuvant\b|\bperi-?operative\b|\bmake\s+(?:\w+\s+)?resectable"
    rf"|\bwants?\s+(?:\w+\s+)?{_SURGERY}"
    rf"|\b(?:aim|goal|plan|intent)\w*\s+(?:is\s+)?(?:for\s+|at\s+|to\s+)?(?:an?\s+)?{_SURGERY}"
)
_MAINTENANCE = (
    r"\blong[\s-]term\s+(?:maintenance|control|treatment|therapy|disease\s+control)\b"
    r"|\bmaintenance\b|\bpalliat\w*|\bnon-?surgical\s+candidate"
    r"|\bnot\s+(?:a\s+)?(?:surgical|operative|resection)\s+candidate"
    r"|\bnot\s+(?:a\s+)?candidate\s+for\s+(?:surgery|resection|hepatectomy)"
    r"|\b(?:surgery|resection)\s+is\s+not\s+(?:an\s+option|planned|possible|feasible)"
)
_LATER_LINE = (
    r"\b(?:second|third|fourth|2nd|3rd|4th|later|next|subsequent)[\s-]+line\b|\b[234]l\b"
    r"|\b(?:beyond|after|post|failed|failure\s+of|progress\w*\s+(?:on|after)|refractory\s+to"
    r"|following)\s+(?:the\s+)?(?:first[\s-]line|1l|front[\s-]?line)\b"
    r"|\b(?:prior|previous)\s+systemic\s+(?:therapy|treatment)"
)
_FIRST_LINE = (
    r"\bfirst[\s-]line\b|\b1l\b|\bfront[\s-]?line\b|\b(?:treatment|systemic(?:\s+treatment"
    r"|\s+therapy)?)[\s-]+na[iï]ve\b|\bnewly\s+diagnosed\b|\bno\s+(?:prior|previous)\s+systemic\b"
    r"|\b(?:previously|systemically)\s+untreated\b"
)
_ELSEWHERE = (
    r"\boutside\s+(?:of\s+)?(?:mainland\s+)?china\b|\bnon-?chinese\b|\bnot\s+in\s+china\b"
    r"|\b(?:in|from|based\s+in|treated\s+in|living\s+in)\s+(?:the\s+)?(?:us|usa|u\.s\.|united"
    r"\s+states|america|europe|eu|uk|united\s+kingdom|england|japan|korea|south\s+korea|taiwan"
    r"|italy|germany|france|spain|canada|australia|brazil|india|the\s+west)\b"
    r"|\b(?:us|u\.s\.|american|european|british|japanese|korean|taiwanese|italian|german|french"
    r"|spanish|canadian|australian|western)[\s-]+(?:\w+[\s-]+)?(?:patient|man|woman|male|female"
    r"|centre|center|hospital|practice|cohort|setting|based)\b"
)


# Approvals in the review are mainland China's (NMPA): its large cities and provinces count.
_CHINA = (
    r"\bchina\b|\bchinese\b|\bmainland\b|\b(?:beijing|shanghai|guangzhou|shenzhen|hangzhou|wuhan"
    r"|chengdu|nanjing|tianjin|chongqing|xi'?an|suzhou|changsha|zhengzhou|shenyang|harbin|jinan"
    r"|qingdao|xiamen|fuzhou|kunming|hefei|nanning|guangdong|zhejiang|jiangsu|sichuan|hubei|hunan"
    r"|shandong|fujian|henan|guangxi)\b"
)


def _line_goal_region(text: str, out: Extraction) -> None:
    if any(_affirmed(text, _LATER_LINE)):
        out.fields["line"] = "later"
    elif re.search(_FIRST_LINE, text) and "line" not in out.fields:
        out.fields["line"] = "first"
    conversion = _affirmed(text, _CONVERSION)
    if any(conversion):
        out.fields["goal"] = "conversion"
    elif conversion or re.search(_MAINTENANCE, text):  # "not hoping for resection" rules it out
        out.fields["goal"] = "maintenance"
    if re.search(_ELSEWHERE, text):
        out.fields["region"] = "elsewhere"
    elif re.search(_CHINA, text):
        out.fields["region"] = "china"


# --- prior systemic regimens --------------------------------------------------------------------

# Words that say a regimen was received before: "progressed on", "failed", "after", "prior".
_PRIOR_BEFORE = re.compile(
    r"(?:progress\w*|pd|relaps\w*|recurr\w*)\s+(?:on|after|with|while\s+on|during|despite)"
    r"|\b(?:after|following|failed|failure\s+(?:of|on)|refractory\s+to|resistant\s+to|post|s/p"
    r"|previously\s+(?:treated\s+with|on|received)|prior|previous|intoleran\w+\s+(?:of|to)|beyond"
    r"|stopped|discontinued|received|treated\s+with|was\s+on|had\s+been\s+on|had)(?:\s+(?:first"
    r"[\s-]line|1l|initial|prior|an?|the|\d+\s+(?:months?|cycles?|weeks?)\s+of))*\s*$"
)
# "first line", "as 2nd-line": where a regimen sat in the sequence, between it and its fate.
_AS_LINE = (
    r"(?:(?:as\s+|in\s+)?(?:the\s+)?(?:first|second|third|1st|2nd|3rd|1l|2l|3l)[\s-]+line\s*)"
)
_PRIOR_AFTER = re.compile(
    r"^[\s,-]*(?:(?:and|but|then|now|with|which|that|was|were|has|had)\s+|" + _AS_LINE + r")*"
    r"(?:failure|failed|fails"
    r"|progress\w*|pd\b|refractory|resist\w*|pretreated|experienced|intoleran\w*|stopped"
    r"|discontinued)"
)
# "lenvatinib and pembrolizumab" is one combination; "sorafenib, then regorafenib" two regimens.
_COMBINED = re.compile(r"^\s*(?:\+|/|&|-|and|plus|in\s+combination\s+with|combined\s+with)\s*$")
_THEN = re.compile(
    r"^\s*" + _AS_LINE + r"?,?\s*(?:and\s+)?(?:then|later|subsequently|followed\s+by|and)\s*$"
)


@dataclass
class _Mention:
    start: int
    end: int
    agents: frozenset[str] = frozenset()
    regimen: str | None = None  # the regimen the words name outright ("atezo/bev")


@cache
def _regimen_by_agents() -> dict[frozenset[str], str]:
    """Regimen id by agent set; trial arms ("lenvatinib or sorafenib") are not combinations."""
    regimens = load_catalogue().regimens.values()
    return {frozenset(r.agents): r.id for r in reversed(list(regimens)) if "_or_" not in r.id}


def _mention_groups(text: str) -> Iterator[list[_Mention]]:
    """Agent and regimen names in order, those joined by "+", "/", "and", "plus" grouped."""
    spans: dict[tuple[int, int], _Mention] = {}
    for token, start, end in load_vocabulary().matches(text):
        kind, _, name = token.partition("_")
        mention = spans.setdefault((start, end), _Mention(start, end))
        if kind == "regimen" and mention.regimen is None:
            mention.regimen = name
            mention.agents = frozenset(load_catalogue().regimens[name].agents)
        elif kind == "agent" and mention.regimen is None:
            mention.agents |= {name}
    group: list[_Mention] = []
    for mention in (m for m in spans.values() if m.agents):
        if group and not _COMBINED.match(text[group[-1].end : mention.start]):
            yield group
            group = []
        group.append(mention)
    if group:
        yield group


def _resolve(group: list[_Mention]) -> list[str]:
    """One combination if the catalogue has it ("len + pembro"), else each regimen named."""
    table = _regimen_by_agents()
    combined = table.get(frozenset().union(*(m.agents for m in group)))
    if len(group) > 1 and combined:
        return [combined]
    return [r for m in group if (r := m.regimen or table.get(m.agents))]


def _prior_regimens(text: str, out: Extraction) -> None:
    found: list[str] = []
    previous_end: int | None = None  # where the last regimen received ends, for "A, then B"
    for group in _mention_groups(text):
        start, end = group[0].start, group[-1].end
        prior = bool(
            _PRIOR_BEFORE.search(text[max(0, start - 60) : start])
            or _PRIOR_AFTER.match(text[end : end + 40])
            or (previous_end is not None and _THEN.match(text[previous_end:start]))
        )
        previous_end = end if prior else None
        for regimen in _resolve(group) if prior else []:
            if not load_catalogue().regimens[regimen].is_locoregional and regimen not in found:
                found.append(regimen)
    if found:
        out.fields |= {"prior_regimens": found, "line": "later"}


# --- tumour extent ------------------------------------------------------------------------------

_THROMBUS = r"(?:pvtt|thromb\w*|invasion|invad\w*|tumou?r\s+extension)"
_PVTT_GRADES = {  # most extensive first
    "vp4": r"\bmain[\s-]+(?:portal|pv|trunk|pvtt)\b|\bportal\s+(?:vein\s+)?trunk\b",
    "vp3": r"\bfirst[\s-]order\s+(?:portal\s+)?branch|\b(?:right|left)\s+(?:portal\s+vein|pv)\b",
    "vp2": r"\b(?:second[\s-]order|segmental)\s+(?:portal\s+)?branch",
    "vp1": r"\b(?:third[\s-]order|subsegmental)\s+(?:portal\s+)?branch",
}
_NO_PVTT = (
    r"\b(?:no|without|negative\s+for)\s+(?:evidence\s+of\s+)?(?:pvtt|(?:macro)?vascular\s+"
    r"invasion|portal\s+vein\s+(?:tumou?r\s+)?(?:thromb\w*|invasion))|\bpvtt\s*[:=-]\s*none"
)
# A thrombus into the contralateral lobe or the superior mesenteric vein is Vp4 by definition.
_VP4_EXTENSIONS = {
    "pvtt_contralateral": rf"\b{_THROMBUS}\s+(?:[\w-]+\s+){{0,4}}(?:contralateral|opposite)\s+"
    r"(?:lobe|branch|side|portal)|\bcontralateral\s+(?:portal\s+(?:vein\s+)?)?(?:pvtt|thromb\w*"
    r"|branch|portal\s+vein)",
    "pvtt_reaches_smv": r"\bsuperior\s+mesenteric\s+vein\b|\bsmv\b",
}


def _pvtt(text: str, tumour: dict[str, Any]) -> None:
    explicit = re.search(r"\bvp\s*-?\s*([0-4])\b(?!\s*(?:-|/|or|to)\s*(?:vp)?\s*[0-4])", text)
    if explicit:  # "Vp3-4" is a range: no grade
        tumour["pvtt_grade"] = f"vp{explicit.group(1)}"
    elif re.search(_THROMBUS, text) and not re.search(r"\bbland\b", text):
        grades = (g for g, pattern in _PVTT_GRADES.items() if any(_affirmed(text, pattern)))
        if grade := next(grades, None):
            tumour["pvtt_grade"] = grade
    if "pvtt_grade" not in tumour and re.search(_NO_PVTT, text):
        tumour["pvtt_grade"] = "vp0"
    for key, pattern in _VP4_EXTENSIONS.items():
        if (found := _flag(text, pattern)) is not None:
            tumour[key] = found
            if found:
                tumour.setdefault("pvtt_grade", "vp4")


_ORGAN = (
    r"(?:lungs?|pulmonary|bones?|osseous|skeletal|adrenal|peritone\w+|lymph[\s-]+nodes?|nodal"
    r"|brain|distant|spinal|vertebral|omental)"
)
_SPREAD = (
    rf"\b{_ORGAN}\s+(?:mets|metastas\w*|lesions?|spread|deposits?|involvement)\b|\behs\b"
    r"|\bextra-?hepatic\s+(?:spread|metastas\w*|disease|lesions?|mets|extension|involvement)\b"
    r"|(?<!hepatic )(?<!non-)\b(?:mets|metastatic|metastas[ie]s|metastasi[sz]ed)\b"
    rf"|\bspread\s+to\s+(?:the\s+)?{_ORGAN}"
)
_UP_TO_7 = r"up[\s-]*to[\s-]*(?:7|seven)(?:\s+criteri(?:on|a))?"
_UP_TO_7_STATUS = {  # "beyond" first: "not within up-to-7" is beyond
    "beyond": rf"\b(?:beyond|exceed\w*|outside|over|above|fails?|failing|not\s+within|does\s*n[o']t"
    rf"\s+meet)\s+(?:the\s+)?{_UP_TO_7}|\b{_UP_TO_7}\s*(?:out|exceeded|not\s+met)\b",
    "within": rf"\b(?:within|inside|meets?|meeting)\s+(?:the\s+)?{_UP_TO_7}"
    rf"|\b{_UP_TO_7}\s*(?:in|met)\b",
}
_LOBES = {
    "both": r"\bbi-?lobar\b|\bmulti-?lobar\b|\bboth\s+(?:liver\s+|hepatic\s+)?lobes\b|\bbilateral"
    r"\s+lobes?\b|\b(?:right|left)\s+and\s+(?:right|left)\s+lobes?\b|\bdifferent\s+lobes\b",
    "one": r"\buni-?lobar\b|\b(?:one|single)\s+lobe\b|\b(?:confined|limited|restricted)\s+to\s+"
    r"(?:the\s+|one\s+|a\s+single\s+)?(?:right\s+|left\s+)?(?:liver\s+)?lobe\b"
    r"|\b(?:right|left)\s+lobe\s+only\b",
}


def _extent(text: str, tumour: dict[str, Any]) -> None:
    spread = _flag(text, _SPREAD)
    if spread is None and re.search(r"\bnon-?metastatic\b", text):
        spread = False
    if spread is not None:
        tumour["extrahepatic_spread"] = spread
    if status := next((s for s, p in _UP_TO_7_STATUS.items() if re.search(p, text)), None):
        tumour["up_to_7"] = status
    if lobes := next((n for n, p in _LOBES.items() if any(_affirmed(text, p))), None):
        tumour["lobes_involved"] = lobes


_DIMENSIONS = r"\s*(?:x|×|\*|by)\s*"
_SIZE = re.compile(
    rf"(?<![\d.,])(?P<dims>\d{{1,3}}(?:\.\d+)?(?:{_DIMENSIONS}\d{{1,3}}(?:\.\d+)?)*)\s*-?\s*"
    r"(?P<unit>cm|mm)\b(?!\s*hg)"
)
# A threshold ("> 5 cm") or the size of something else (spleen, varix, node, thrombus, margin).
_OTHER_SIZE_BEFORE = re.compile(
    r"(?:[<>≥≤~]|more\s+than|less\s+than|over|under|at\s+least|exceed\w*|below|above)\s*$"
    r"|\b(?:splee?n\w*|varic\w*|lungs?|pulmonary|nod(?:e|es|al)|bones?|adrenal|margins?|pvtt"
    r"|thromb\w*|ivc|vein|ducts?|cysts?|mets?|bp)\b[^,;.]*$"
)
_OTHER_SIZE_AFTER = re.compile(
    r"^\s*(?:\w+\s+)?(?:lungs?|pulmonary|nodal|lymph|bone|adrenal|spleen|varic|thromb|pvtt|margin)"
)
_COUNT = re.compile(
    r"\b(?P<n>single|solitary|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})"
    # At most two descriptors ("large", "6 cm") between number and noun, never a unit, an organ
    # or a function word: "a 6 cm tumour" has no count, "two lung nodules" are not liver tumours.
    r"(?:[\s-]+(?:(?!(?:cm|mm|x|by|of|the|an?|in|on|at|with|and|or|to|from|these|those|lungs?"
    r"|pulmonary|bone|nodal|lymph|adrenal|brain|metastatic|satellite)\b)[a-z][a-z'-]*"
    r"|\d{1,3}(?:\.\d+)?\s*-?\s*(?:cm|mm))){0,2}"
    r"[\s-]+(?:tumou?rs?|lesions?|nodules?|masses|mass|foci|hccs?)\b(?!\s+thromb)"
)
_NOT_A_COUNT_BEFORE = re.compile(
    r"(?:\b(?:segments?|seg|s|vp|ecog|ps|score|grade|stage|bclc|than|to|least|most|over|under)"
    r"\s*|[<>≥≤~]\s*|\d\s*[-/]\s*)$"  # "3-4 lesions" is a range
)


def _burden(text: str, tumour: dict[str, Any]) -> None:
    sizes = []
    for match in _SIZE.finditer(text):
        before, after = text[max(0, match.start() - 40) : match.start()], text[match.end() :]
        if not _OTHER_SIZE_BEFORE.search(before) and not _OTHER_SIZE_AFTER.match(after):
            scale = 0.1 if match.group("unit") == "mm" else 1.0
            sizes += [float(d) * scale for d in re.split(_DIMENSIONS, match.group("dims"))]
    if sizes and 0 < max(sizes) <= 40:
        tumour["largest_size_cm"] = round(max(sizes), 2)
    for match in _COUNT.finditer(text):
        if not _NOT_A_COUNT_BEFORE.search(text[max(0, match.start() - 12) : match.start()]):
            if (count := _number(match.group("n"))) >= 1:
                tumour["tumour_count"] = count
            return


_IVC = r"(?:\bivc\b|\b(?:inferior\s+)?vena\s+cava\b)"
_IVC_THROMBUS = (
    rf"{_IVC}\s+(?:[\w-]+\s+){{0,2}}(?:tumou?r\s+)?(?:thromb\w*|invasion|extension|involvement)"
    rf"|\b(?:thromb\w*|extension|extending|invad\w*|invasion)\s+(?:[\w-]+\s+){{0,4}}{_IVC}"
    r"|\bivctt\b"
)
_ATRIUM = r"\b(?:right\s+)?atrium\b|\batrial\s+(?:extension|involvement|thromb\w*|invasion|level)"
_BELOW = re.compile(
    r"\b(?:below|under|short\s+of|beneath|not\s+reaching)\s+(?:the\s+)?(?:right\s+)?$"
)


def _ivc(text: str, tumour: dict[str, Any]) -> None:
    mentions = _affirmed(text, _IVC_THROMBUS)
    if mentions and not any(mentions):
        tumour["ivc_thrombus"] = "none"
        return
    atrium = [
        m
        for m in re.finditer(_ATRIUM, text)
        if not _negated(text, m.start(), m.end()) and not _BELOW.search(text[: m.start()])
    ]
    if atrium and (mentions or re.search(_THROMBUS, text)):
        tumour["ivc_thrombus"] = "reaches_atrium"
    elif mentions:
        tumour["ivc_thrombus"] = "below_atrium"


# --- labs and prior TACE ------------------------------------------------------------------------

# "AFP < 400" gives no value (the patient may be at 12); "AFP > 400" keeps 400 as a lower bound.
_VALUE = r"\s*(?:level\s*)?(?:of|=|:|is|was|at|>|≥|>=|~|about|around|approx\w*|\s)*"
_NUMBER = r"(?P<v>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_AFP = re.compile(
    rf"\b(?:afp|alpha[\s-]?fetoprotein|α-fetoprotein)(?!-){_VALUE}{_NUMBER}\s*"
    r"(?:(?P<k>k\b|thousand\b)|[x×*]\s*10\s*\^?\s*(?P<exp>\d)\b)?"
)
_NLR = re.compile(rf"\b(?:nlr|neutrophil[\s-]+(?:to[\s-]+)?lymphocyte\s+ratio){_VALUE}{_NUMBER}")


def _labs(text: str, out: Extraction) -> None:
    if afp := _AFP.search(text):
        scale = 1000 if afp.group("k") else 10 ** int(afp.group("exp") or 0)
        out.fields["afp_ng_ml"] = float(afp.group("v").replace(",", "")) * scale
    if nlr := _NLR.search(text):
        out.fields["nlr"] = float(nlr.group("v").replace(",", ""))


_TACE = r"(?:tace|(?:trans-?arterial\s+|transcatheter\s+arterial\s+)?chemo-?emboli[sz]ation)"
_MANY = r"(?:multiple|several|repeated|repeat|numerous|many|serial)"
_NO_TACE = (
    r"\b(?:no|without|never\s+(?:had|received|underwent))\s+(?:prior\s+|previous\s+|any\s+)?"
    rf"{_TACE}|\b{_TACE}[\s-]na[iï]ve\b|\bna[iï]ve\s+to\s+{_TACE}"
)
_TACE_REFRACTORY = (
    rf"\b{_TACE}[\s-]+(?:refractor\w*|failure|resistan\w*)"
    rf"|\b(?:refractory|resistant)\s+to\s+(?:\w+\s+)?{_TACE}"
    rf"|\bprogress\w*\s+(?:after|on|despite|following|post)\s+(?:[\w-]+\s+){{0,3}}{_TACE}"
    rf"|\bfail\w*\s+(?:\w+\s+)?{_TACE}|\b{_TACE}\s+(?:\w+\s+)?failed"
    rf"|\bheavily\s+(?:{_TACE}[\s-])?pre-?treated\b(?=.*\b{_TACE})"
)
_TACE_SESSIONS = (
    rf"\b(?P<n>{_MANY}|\d+|two|three|four|five|six)\s+(?:(?:rounds|sessions|courses|cycles"
    rf"|procedures)\s+of\s+)?(?:\w+\s+)?{_TACE}|\b{_TACE}\s*(?:x|×)\s*(?P<x>\d+)"
    rf"|\b{_TACE}\s+(?P<t>twice|(?:\d+|three|four|five|{_MANY})\s+times)"
)
_SOME_TACE = (
    rf"\b(?:prior|previous|after|s/p|post|history\s+of|had|received|underwent|following|treated"
    rf"\s+with)\s+(?:an?\s+|one\s+|single\s+)?{_TACE}\b|\b{_TACE}[\s-]experienced\b"
)


def _prior_tace(text: str, out: Extraction) -> None:
    sessions = 0
    if match := re.search(_TACE_SESSIONS, text):
        said = next(g for g in match.group("n", "x", "t") if g).split()[0]
        sessions = 3 if re.fullmatch(_MANY, said) else _number(said)  # "multiple": 3 or more
    if re.search(_NO_TACE, text):
        out.fields["prior_tace"] = "none"
    elif sessions >= 3 or re.search(_TACE_REFRACTORY, text):
        out.fields["prior_tace"] = "heavily_pretreated"
    elif sessions or re.search(_SOME_TACE, text):
        out.fields["prior_tace"] = "some"


# --- assembly -----------------------------------------------------------------------------------


_HVTT = r"(?:\bhvtt\b|\bhepatic[\s-]+vein\w*\s+(?:tumou?r\s+)?(?:thromb\w*|invasion))"
_HVTT_BRANCHES = re.compile(
    rf"{_HVTT}\s+(?:in|into|involving|of|affecting)\s+(?:all\s+|the\s+)?(?P<n>one|two|three|[0-3])"
    r"\s+(?:major\s+)?(?:hepatic\s+)?(?:veins?|branch\w*)"
    r"|(?P<m>one|two|three|[0-3])\s+(?:major\s+)?hepatic\s+veins?\s+(?:branch\w*\s+)?"
    r"(?:with|invaded|involved|thrombosed)"
)


def _hvtt(text: str, tumour: dict[str, Any]) -> None:
    if found := _HVTT_BRANCHES.search(text):
        tumour["hvtt_branches"] = _number(found.group("n") or found.group("m"))
    elif (present := _flag(text, _HVTT)) is False:
        tumour["hvtt_branches"] = 0
    elif present is None and re.search(rf"\b{_NEG}\s+(?:[\w-]+\s+){{0,3}}hepatic\s+vein", text):
        tumour["hvtt_branches"] = 0  # "no hepatic vein or IVC thrombus"


# "... right-lobe tumour plus one 4 cm nodule in the left lobe": the lesion named by its side,
# with the other lobe holding the main tumour, is the contralateral one the criteria ask about.
_SIDE_LESIONS = re.compile(
    r"\b(?P<n>an?|one|single|solitary|two|three|[1-3])\s+(?:(?:small|additional|further|separate"
    r"|satellite)\s+)?(?:(?P<size>\d{1,2}(?:\.\d+)?)\s*-?\s*cm\s+)?(?:tumou?rs?|nodules?|lesions?"
    r"|foci|hccs?)\s+in\s+the\s+(?P<side>left|right)\s+(?:liver\s+|hepatic\s+)?lobe\b"
)


def _contralateral(text: str, tumour: dict[str, Any]) -> None:
    found = _SIDE_LESIONS.search(text)
    if not found:
        return
    other = "right" if found.group("side") == "left" else "left"
    if not re.search(rf"\b{other}[\s-]+(?:liver\s+|hepatic\s+)?lobe", text):
        return
    count = 1 if found.group("n") in ("a", "an") else _number(found.group("n"))
    tumour |= {"lobes_involved": "both", "contralateral_lesion_count": count}
    if found.group("size"):
        size = float(found.group("size"))
        tumour["contralateral_largest_cm"] = size
        if tumour.get("largest_size_cm") == size:
            del tumour["largest_size_cm"]  # the only size given was the contralateral lesion's
        if tumour.get("tumour_count") == count:
            del tumour["tumour_count"]  # the count read was the contralateral lesions only


def _tumour(text: str, out: Extraction) -> None:
    for part in (_pvtt, _extent, _burden, _ivc, _hvtt, _contralateral):
        part(text, out.tumour)


_EXTRACTORS: tuple[Callable[[str, Extraction], None], ...] = (
    _child_pugh, _ecog_bclc, _varices, _contraindications, _prior_regimens, _line_goal_region,
    _tumour, _labs, _prior_tace,
)  # fmt: skip


def extract(text: str) -> Extraction:
    """Profile fields stated in `text` (lower-cased and compatibility-folded first)."""
    lowered, out = normalize(text).translate(_FOLD), Extraction()
    for extractor in _EXTRACTORS:
        extractor(lowered, out)
    if not out.problems:
        # Values possible one by one can still contradict each other ("Vp2 into the SMV").
        try:
            parse_profile(out.as_profile_data())
        except ProfileError as error:
            out.problems.append(str(error).removeprefix("invalid profile: "))
    return out
