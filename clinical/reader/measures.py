"""Values the reader measures rather than looks up: Child-Pugh, ECOG, BCLC, AFP, NLR, platelet
counts, tumour size and number, portal and hepatic vein thrombus, prior TACE sessions.

Each measure returns mentions with the span they were read from, so ConText can still say how
they are asserted ("ECOG 0 at diagnosis, now 2"), and the impossible values it met (Child-Pugh D,
ECOG 7) as one-line problems instead of fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from clinical.reader.facts import Mention

Problems = list[str]
_NUMBER_WORDS = {"zero": 0, "single": 1, "solitary": 1, "one": 1, "two": 2, "three": 3, "four": 4}
_NUMBER_WORDS |= {"five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twice": 2}
_NUMBER_WORDS |= {"a": 1, "an": 1}


def number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


# --- liver function, performance status, stage --------------------------------------------------

_CHILD_PUGH = re.compile(
    r"\b(?:child[\s-]*(?:turcotte[\s-]*)?pugh|child'?s?|ctp|cpt|cp)[\s-]*(?:class|grade|score)?"
    r"[\s:=-]*(?P<cls>[a-e])(?:\d{0,2}\s*(?:/|or|to|-|vs\.?|versus)\s*(?P<cls2>[a-c])"
    r"(?:\d{1,2})?(?![a-z]))?"
    # The score is attached ("B7", "B-7", "B (7)") or named ("B, score 8"); a loose number
    # ("Child-Pugh B, 2 lesions") is not a score.
    r"(?![a-z'])(?:-?\s?\(?(?P<score>\d{1,2})\b|[\s,]*\(?(?:with\s+a\s+)?(?:score|pts?|points)"
    r"\s*(?:of|=|:)?\s*(?P<named>\d{1,2})\b)?"
)
_CHILD_PUGH_SCORE = re.compile(
    r"(?<!pd-l1 )(?<!pd-l1: )\b(?:child[\s-]*pugh|cp|ctp|cps)\s*(?:score|points?|pts)?\s*"
    r"(?:of|=|:|is|was|has\s+risen\s+from\s+\d+\s+to)?\s*(?P<score>\d{1,2})\b"
    r"(?!\s*(?:cm|mm|%|months?))"
)
# "Child A at diagnosis, now B8": the class it has moved to.
_CHILD_PUGH_NOW = re.compile(
    r"[^.;]{0,40}?(?:\bnow\b(?:\s+back\s+to)?|->|→|\bworsened\s+to\b|\bdeteriorated\s+to\b"
    r"|\bback\s+to\b)\s*(?:child[\s-]*(?:pugh)?|cp)?[\s-]*(?P<cls>[abc])(?P<score>\d{1,2})?\b"
)
CHILD_PUGH_SCORES = {"A": range(5, 7), "B": range(7, 10), "C": range(10, 16)}


def _class_and_score(
    letter: str, score: str | None, match: re.Match[str], problems: Problems
) -> list[Mention]:
    span = match.span("cls")[0], match.end()
    found = [Mention("child_pugh_class", letter, *span)]
    if score and int(score) in CHILD_PUGH_SCORES[letter]:
        found.append(Mention("child_pugh_score", int(score), *span))
    return found


# Child-Pugh from its five components when all are given: bilirubin, albumin, INR, ascites,
# encephalopathy (1-3 points each).
_BILI = re.compile(
    r"\b(?:t\.?\s*)?bili(?:rubin)?\s*[:=]?\s*(?P<v>\d+(?:\.\d+)?)\s*(?P<u>mg/dl|umol/l|µmol/l|μmol/l)?"
)
_ALB = re.compile(r"\balb(?:umin)?\s*[:=]?\s*(?P<v>\d+(?:\.\d+)?)\s*(?P<u>g/dl|g/l)?")
_INR = re.compile(r"\binr\s*[:=]?\s*(?P<v>\d(?:\.\d+)?)")
_ASCITES = re.compile(
    r"\b(?P<none>no\s+ascites|ascites\s*[:=-]?\s*(?:none|no|nil|absent))\b"
    r"|\b(?P<severe>(?:moderate|severe|tense|refractory|large|gross)(?:\s+to\s+\w+)?\s+ascites"
    r"|ascites\s*[:=-]?\s*(?:moderate|severe|tense|refractory|large))\b"
    r"|\b(?P<mild>(?:mild|small|slight|minimal|trace|controlled)\s+(?:volume\s+)?ascites"
    r"|ascites\s*[:=-]?\s*(?:mild|small|slight|controlled)|ascites)\b"
)
_HE = re.compile(
    r"\b(?P<none>no\s+(?:he|hepatic\s+encephalopathy|encephalopathy)|(?:he|encephalopathy)\s*[:=-]?\s*"
    r"(?:none|no|nil|absent))\b|\b(?P<severe>(?:grade\s*(?:3|4|iii|iv)|severe)\s+(?:he|hepatic\s+"
    r"encephalopathy|encephalopathy))\b|\b(?P<mild>(?:grade\s*(?:1|2|i|ii)|mild|minimal|covert)\s+"
    r"(?:he|hepatic\s+encephalopathy|encephalopathy)|encephalopath\w*)\b"
)


def _points(value: float, low: float, high: float) -> int:
    return 1 if value < low else 2 if value <= high else 3


def child_pugh_components(text: str, problems: Problems) -> list[Mention]:
    """The score and class computed from bilirubin, albumin, INR, ascites and encephalopathy."""
    bili, alb, inr = _BILI.search(text), _ALB.search(text), _INR.search(text)
    ascites, he = _ASCITES.search(text), _HE.search(text)
    if not (bili and alb and inr and ascites and he):
        return []
    b = float(bili.group("v"))
    umol = bili.group("u") in ("umol/l", "µmol/l", "μmol/l") or (not bili.group("u") and b > 10)
    b_points = _points(b, 34, 50) if umol else _points(b, 2, 3)
    a = float(alb.group("v"))
    a = a / 10 if (alb.group("u") == "g/l" or (not alb.group("u") and a > 10)) else a
    a_points = 1 if a > 3.5 else 2 if a >= 2.8 else 3
    i_points = _points(float(inr.group("v")), 1.7, 2.3)
    asc_points = 1 if ascites.group("none") else 3 if ascites.group("severe") else 2
    he_points = 1 if he.group("none") else 3 if he.group("severe") else 2
    score = b_points + a_points + i_points + asc_points + he_points
    letter = next(c for c, scores in CHILD_PUGH_SCORES.items() if score in scores)
    start = min(m.start() for m in (bili, alb, inr, ascites, he))
    end = max(m.end() for m in (bili, alb, inr, ascites, he))
    return [
        Mention("child_pugh_score", score, start, end, contextual=False),
        Mention("child_pugh_class", letter, start, end, contextual=False),
    ]


def child_pugh(text: str, problems: Problems) -> list[Mention]:
    found: list[Mention] = []
    for match in _CHILD_PUGH.finditer(text):
        letter = match.group("cls").upper()
        other = (match.group("cls2") or "").upper()
        if letter not in CHILD_PUGH_SCORES:
            problems.append(f"Child-Pugh class {letter} does not exist (classes are A, B, C)")
            return []
        span = (match.start(), match.end())
        if other and other != letter:
            # "CP A/B": the worse class, and the reader marks it uncertain.
            worse = max(letter, other)
            found.append(Mention("child_pugh_class", worse, *span, implied=True))
            continue
        found.append(Mention("child_pugh_class", letter, *span))
        if now := _CHILD_PUGH_NOW.match(text, match.end()):
            found += _class_and_score(now.group("cls").upper(), now.group("score"), now, problems)
        score = match.group("score") or match.group("named")
        if score is None:
            continue
        if not 5 <= int(score) <= 15:
            problems.append(f"Child-Pugh score {score} is impossible (scores run 5-15)")
        elif int(score) not in (scores := CHILD_PUGH_SCORES[letter]):
            problems.append(
                f"Child-Pugh {letter}{score} is contradictory "
                f"(class {letter} means a score of {scores[0]}-{scores[-1]})"
            )
        else:
            found.append(Mention("child_pugh_score", int(score), *span))
    if not found or all(m.field == "child_pugh_class" for m in found):
        for match in _CHILD_PUGH_SCORE.finditer(text):
            score = int(match.group("score"))
            if not 5 <= score <= 15:
                problems.append(f"Child-Pugh score {score} is impossible (scores run 5-15)")
                continue
            found.append(Mention("child_pugh_score", score, match.start(), match.end()))
    return found


_ECOG = re.compile(
    r"\b(?:ecog(?:[\s-]*ps)?|who[\s-]*ps|performance\s+status|p\.?s\.?)[\s:=-]*"
    r"(?:score|status|grade)?\s*(?:of|=|:|is|was|now)?\s*"
    r"(?P<value>\d{1,2}|zero|one|two|three|four|five)\b"
    r"(?!\.\d|\s*(?:-|/|or|to)\s*\d)"  # a range ("ECOG 0-1") is a criterion, not a patient
    r"|\bps(?P<glued>[0-4])\b"
)
_BCLC = re.compile(r"\b(?:bclc|barcelona)[\s:-]*(?:stage\s*)?(?P<stage>0|a|b[123]?|c|d)\b")
_STAGE_WORDS = {r"very[\s-]+early": "0", "early": "A", "intermediate": "B", "advanced": "C"}


# "ECOG 0 at diagnosis, now 2", "PS 1 -> 2": the status it has changed to.
_ECOG_NOW = re.compile(
    r"[^.;]{0,30}?(?:\bnow\b|\bcurrently\b|\btoday\b|->|→|\bdeteriorat\w*\s+to\b"
    r"|\bdeclin\w*\s+to\b|\bworse\w*\s+to\b|\bdown\s+to\b|\bup\s+to\b)\s*(?:ecog\s*|ps\s*)?"
    r"(?P<value>[0-4])\b(?!\s*(?:cm|mm|%|x))"
)


def ecog(text: str, problems: Problems) -> list[Mention]:
    found = []
    for match in _ECOG.finditer(text):
        value = number(match.group("value") or match.group("glued"))
        if value > 4:
            problems.append(f"ECOG performance status {value} is impossible (0-4; 5 is death)")
            continue
        found.append(Mention("ecog", value, match.start(), match.end()))
        if now := _ECOG_NOW.match(text, match.end()):
            found.append(Mention("ecog", int(now.group("value")), *now.span("value")))
    return found


def bclc(text: str, problems: Problems) -> list[Mention]:
    found = [
        Mention("bclc_stage", m.group("stage").upper(), m.start(), m.end())
        for m in _BCLC.finditer(text)
    ]
    if found:
        return found
    for words, stage in _STAGE_WORDS.items():  # "very early" is checked before "early"
        match = re.search(rf"\b{words}[\s-]+stage\b", text)
        if match and not (stage == "A" and re.search(r"very[\s-]+$", text[: match.start()])):
            return [Mention("bclc_stage", stage, match.start(), match.end())]
    return []


# --- labs ---------------------------------------------------------------------------------------

# "AFP < 400" gives no value (the patient may be at 12); "AFP > 400" keeps 400 as a lower bound.
_VALUE = r"\s*(?:level\s*)?(?:of|=|:|is|was|at|>|≥|>=|~|about|around|approx\w*|now|\s)*"
_NUMBER = r"(?P<v>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_AFP = re.compile(
    rf"\b(?:afp|alpha[\s-]?fetoprotein|α-fetoprotein|a-fp)(?!-){_VALUE}"
    r"(?P<v>\d{1,3}(?:[ ,]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?:(?P<k>k\b|thousand\b)|[x×*]\s*10\s*\^?\s*(?P<exp>\d)\b|e(?P<e>\d)\b)?"
)
# "AFP 320 -> 1,400", "AFP 8000 at dx, now 350": the latest value of a trend.
_AFP_THEN = re.compile(
    r"(?:\s*\([^)]{0,15}\))?\s*(?:->|→|=>|then|rose\s+to|fell\s+to|up\s+to|down\s+to|[^.;→]{0,25}?"
    r"\bnow(?:\s+(?:is|at))?)\s*(?P<v>\d{1,3}(?:[ ,]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<k>k\b)?"
)
_IU = re.compile(r"^\s*(?:ng/ml\s*)?iu/ml")
IU_TO_NG = 1.21  # AFP: 1 IU (WHO standard 72/225) is 1.21 ng
_NLR = re.compile(
    rf"\b(?:nlr|n/l\s+ratio|neutrophil[\s-]+(?:to[\s-]+)?lymphocyte\s+ratio){_VALUE}{_NUMBER}"
)
# "NLR 1.8 at baseline, 4.5 now", "NLR 2.1 -> 4.8": the latest value.
_NLR_THEN = re.compile(
    r"(?:\s+(?:at|on|before)\s+(?:baseline|diagnosis|dx|start|presentation))?\s*(?:,|;|->|→|=>)\s*"
    r"(?:now\s+(?:is\s+|at\s+)?)?(?P<v>\d+(?:\.\d+)?)(?=\s+now\b|\s*$|\s*[,.;)])"
)
MAX_NLR = 50  # a later number above it is something else
# A blood count giving both ("neutrophils 4.2, lymphocytes 1.4", "ANC 5.6, ALC 0.8", "(N 4.6, L
# 1.15)", "neutrophils 78%; lymphocytes 13%"): their ratio, to one decimal.
_NEUTROPHILS = r"\b(?:neutrophils?|neuts?|neut|anc|n)\s*[:=]?\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<np>%)?"
_LYMPHOCYTES = r"\b(?:lymphocytes?|lymphs?|lymph|alc|l)\s*[:=]?\s*(?P<l>\d+(?:\.\d+)?)\s*(?P<lp>%)?"
_COUNTS = re.compile(rf"{_NEUTROPHILS}(?:[^\d\n]|\d(?:\.\d+)?\s*%?){{0,40}}?{_LYMPHOCYTES}")


def _afp_value(said: str, k: bool, exponent: str | int) -> float:
    scale = 1000 if k else 10 ** int(exponent or 0)
    return float(said.replace(",", "").replace(" ", "")) * scale


def labs(text: str, problems: Problems) -> list[Mention]:
    found = []
    for afp in _AFP.finditer(text):
        value = _afp_value(afp.group("v"), bool(afp.group("k")), afp.group("exp") or afp.group("e"))
        end = afp.end()
        while then := _AFP_THEN.match(text, end):  # follow the trend to its latest value
            value, end = _afp_value(then.group("v"), bool(then.group("k")), 0), then.end()
        if _IU.match(text[end : end + 14]):
            value = round(value * IU_TO_NG, 2)
        found.append(Mention("afp_ng_ml", value, afp.start(), end, negated=None))
    for nlr in _NLR.finditer(text):
        value, end = float(nlr.group("v").replace(",", "")), nlr.end()
        then = _NLR_THEN.match(text, end)  # "NLR 1.8 at baseline, 4.5 now"
        if then and float(then.group("v")) <= MAX_NLR:
            value, end = float(then.group("v")), then.end()
        found.append(Mention("nlr", value, nlr.start(), end, contextual=False))
    if all(m.field != "nlr" for m in found):
        for counts in _COUNTS.finditer(text):
            if bool(counts.group("np")) != bool(counts.group("lp")) or float(counts["l"]) == 0:
                continue  # a count beside a percentage: no ratio
            ratio = round(float(counts["n"]) / float(counts["l"]), 1)
            found.append(Mention("nlr", ratio, counts.start(), counts.end(), contextual=False))
            break
    return found


_PLT = r"(?:platelets?|plts?|plt\s+count|platelet\s+count)"
# A count, in any usual unit: "platelets 30 x10^9/L", "plt 60k", "platelets dropped to 40,000".
_PLATELET_COUNT = re.compile(
    rf"\b{_PLT}(?:\s+count)?(?:\s+(?:of|is|was|are|were|has|have|had|now|dropped|fallen|fell"
    r"|down|to|at|only|around|about|~|just|of\s+only))*\s*[:=~]?\s*"
    r"(?P<v>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<k>k\b)?(?!\s*%)"
)
# The review names "a low platelet count" as a contraindication to targeted therapy without a
# figure; below 100 x10^9/L is the usual bar for clinically significant thrombocytopenia, and
# 150 or more is normal. In between the count settles nothing and the field stays unknown.
LOW_PLATELETS_BELOW = 100.0
NORMAL_PLATELETS_FROM = 150.0


# "if platelets < 50 would you avoid atezo/bev? hers are 48": the patient's own count, said
# with a pronoun after the platelets were named.
_PLATELET_ANAPHOR = re.compile(
    r"\b(?:hers|his|theirs|mine)\s+(?:are|is|were|was|=|:)\s*(?:now\s+|only\s+|just\s+)?"
    r"(?P<v>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<k>k\b)?(?!\s*%)"
)
_PLATELETS_NAMED = re.compile(rf"\b{_PLT}\b")
ANAPHOR_REACH = 100  # characters between the platelets named and the pronoun's count


def _platelet_counts(text: str) -> list[re.Match[str]]:
    counts = list(_PLATELET_COUNT.finditer(text))
    for match in _PLATELET_ANAPHOR.finditer(text):
        if _PLATELETS_NAMED.search(text, max(0, match.start() - ANAPHOR_REACH), match.start()):
            counts.append(match)
    return counts


def platelet_count(text: str, problems: Problems) -> list[Mention]:
    found = []
    for match in _platelet_counts(text):
        value = float(match.group("v").replace(",", ""))
        if value >= 1000:
            value /= 1000  # per microlitre -> x10^9/L
        if value < LOW_PLATELETS_BELOW:
            low: bool | None = True
        elif value >= NORMAL_PLATELETS_FROM:
            low = False
        else:
            low = None
        if low is not None:
            found.append(
                Mention("low_platelets", low, match.start(), match.end(), contextual=False)
            )
    return found


# --- tumour size and number ---------------------------------------------------------------------

_DIMENSIONS = r"\s*(?:x|×|\*|by)\s*"
_SIZE = re.compile(
    rf"(?<![\w.,])(?P<dims>\d{{1,3}}(?:\.\d+)?(?:(?:{_DIMENSIONS}|\s*(?:,|and|&|\+|/)\s*)"
    r"\d{1,3}(?:\.\d+)?)*)\s*-?\s*(?P<unit>cm|mm)\b(?!\s*hg)"
)
_LABEL_BEFORE = re.compile(
    r"\b(?:ps|ecog|who|cp|child(?:[\s-]*pugh)?(?:\s*[abc])?|afp|nlr|plts?|vp|[abc]\d?)\s*[:=]?\s*$"
)
_SIZE_LIST = re.compile(r"\s*(?:,|and|&|\+|/)\s*")
# A threshold ("> 5 cm") or the size of something else (spleen, varix, node, thrombus, margin).
_OTHER_SIZE_BEFORE = re.compile(
    r"(?:[<>≥≤~]|more\s+than|less\s+than|over|under|at\s+least|exceed\w*|below|above)\s*$"
    r"|\b(?:splee?n\w*|varic\w*|lungs?|pulmonary|nod(?:e|es|al)|bones?|adrenal|margins?|pvtt"
    r"|thromb\w*|ivc|vein|ducts?|cysts?|mets?|bp|aneurysm|kidney|renal|gallbladder|stone|polyp"
    r"|satellites?)\b[^,;.]*$"
)
_OTHER_SIZE_AFTER = re.compile(
    r"^\s*(?:\w+\s+)?(?:lungs?|pulmonary|nodal|lymph|bone|adrenal|spleen|varic|thromb|pvtt|margin"
    r"|satellite)"
)
_COUNT_WORD = r"(?:single|solitary|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})"
_COUNT = re.compile(
    rf"\b(?P<n>{_COUNT_WORD})"
    # At most two descriptors ("large", "6 cm") between number and noun, never a unit, an organ
    # or a function word, and never over a line break: "a 6 cm tumour" has no count, "two lung
    # nodules" and "two lytic rib lesions" are not liver tumours, "5 mg\n- HCC" is no count.
    r"(?:[ \t-]+(?:(?!(?:cm|mm|mg|g|x|by|of|the|an?|in|on|at|with|and|or|to|from|these|those"
    r"|lungs?|pulmonary|bone|bony|osseous|skeletal|lytic|sclerotic|ribs?|spinal|vertebral|nodal"
    r"|lymph|nodes?|adrenal|brain|peritoneal|pleural|omental|metastatic|satellite|daughter)\b)"
    r"[a-z][a-z'-]*|\d{1,3}(?:\.\d+)?\s*-?\s*(?:cm|mm))){0,2}"
    r"[ \t-]+(?:tumou?rs?|lesions?|nodules?|masses|mass|foci|hccs?)\b(?!\s+thromb)"
)
_NOT_A_COUNT_BEFORE = re.compile(
    r"(?:\b(?:segments?|seg|s|vp|ecog|ps|score|grade|stage|bclc|than|to|least|most|over|under)"
    r"\s*|[<>≥≤~]\s*|(?<![a-z])\d\s*[-/]\s*)$"  # "3-4 lesions" is a range; "B2 - 6 lesions" not
)
# The number said as the total: "total 2", "count: three", "now 5 in total", "8 lesions total".
_TOTAL = re.compile(
    rf"\b(?:total(?:\s+of)?|count\s*[:=]|(?:lesions|tumou?rs|nodules)\s*:)\s*"
    rf"(?P<n>{_COUNT_WORD})\b(?!\.\d|\s*(?:cm|mm|k\b|x\s*10|,\d{{3}}))"
    rf"|\b(?P<m>{_COUNT_WORD})\s+(?:(?:lesions|tumou?rs|nodules|hccs)\s+)?(?:in\s+total|total)\b"
    # "multinodular (3)", "multiple (5) nodules"
    r"|\b(?:multinodular|multifocal|multiple)\s*\((?P<p>\d{1,2})\)"
)
# A total of something else: platelets, TACE sessions, bands, cycles.
_NOT_TUMOURS_BEFORE = re.compile(r"\b(?:plt|platelets?|tace|sessions?|bands?|cycles?|doses?)\b")
# Satellites add to the main tumour: "11 cm mass + 2 satellites", "with two 1 cm satellites",
# "+ 4 daughter nodules", "11cm+2 sat.", "a 2 cm daughter nodule", "now with 3 new satellites",
# "a 3 cm satellite in S4 and another 2 cm in S3".
_SATELLITES = re.compile(
    r"(?:(?:\+|plus|with|and|,)\s*)?\b(?P<n>\d|an?|one|two|three|four|five|six|several|multiple)"
    r"\s+(?:(?:small|new|adjacent|further|additional|tiny)\s+)?(?:\d{1,2}(?:\.\d+)?\s*(?:cm|mm)\s+)?"
    r"(?:satellite(?:s|\s+(?:nodules?|lesions?|tumou?rs?))?|sats?\b|daughter\s+(?:nodules?|lesions?))"
    r"(?P<more>[^.;\n]{0,30}?\band\s+(?:another|an?\s+(?:separate|further|additional|third)\s+"
    r"(?:\d{1,2}(?:\.\d+)?\s*(?:cm|mm)\s+)?(?:nodule|lesion|tumou?r|focus)))?"
)
# A count said on top of a tumour already named: "main lesion 6 cm, plus two smaller ones".
_PLUS_ONE = re.compile(
    r"\b(?:mass|tumou?r|lesion|nodule|hcc)\b[^.;\n]{0,40}(?:\+|\bplus|\band\s+another)\s*$"
)
# More tumours said after a count: "two lesions in the left lobe ... and one in S6".
_MORE = re.compile(
    rf"^[^.;\n]{{0,60}}?\band\s+(?P<n>{_COUNT_WORD})\s+(?:more\s+|other\s+|further\s+|smaller\s+)?"
    r"(?:in|at)\s+(?:the\s+)?(?:s[1-8]|seg\w*|left|right|other)\b"
)


_MAIN_TUMOUR = re.compile(r"\b(?:mass|tumou?r|lesion|hcc)\b|cm\b")


def _satellites(text: str, start: int = 0, end: int | None = None) -> int:
    """How many satellites the text names between start and end (0 when none is counted)."""
    found = _SATELLITES.search(text, start, len(text) if end is None else end)
    if not found or found.group("n") in ("several", "multiple"):
        return 0
    said = found.group("n")
    return (1 if said in ("a", "an") else number(said)) + (1 if found.group("more") else 0)


def _tumour_count(text: str, plausible: list[tuple[float, int, int]]) -> Mention | None:
    """How many liver tumours: a total said, a count (with its satellites and the tumours said
    after it), a main tumour and its satellites, sizes given "x2", "single", or each size."""
    totals = [
        m
        for m in _TOTAL.finditer(text)
        if not _NOT_TUMOURS_BEFORE.search(text[max(0, m.start() - 30) : m.start()])
    ]
    if totals:
        said = totals[-1].group("n") or totals[-1].group("m") or totals[-1].group("p")
        return Mention("tumour.tumour_count", number(said), *totals[-1].span())
    counts = [
        m
        for m in _COUNT.finditer(text)
        if not _NOT_A_COUNT_BEFORE.search(text[max(0, m.start() - 12) : m.start()])
    ]
    if plausible and len(counts) > 1:
        # Several counts (an old one, a new one): the one said beside the largest tumour.
        largest = max(plausible)
        counts.sort(key=lambda m: abs(m.start() - largest[1]))
    if counts:
        match = counts[0]
        count = number(match.group("n"))
        count += _satellites(text, match.end(), min(len(text), match.end() + 60))
        if more := _MORE.match(text, match.end()):
            count += number(more.group("n"))
        if _PLUS_ONE.search(text[max(0, match.start() - 60) : match.start()]):
            count += 1  # "dominant lesion 45 mm in S8, plus one smaller 15 mm lesion"
        return Mention("tumour.tumour_count", count, *match.span()) if count >= 1 else None
    satellites = _SATELLITES.search(text)
    main = satellites and _MAIN_TUMOUR.search(text[: satellites.start()])
    if satellites and main and (said := _satellites(text)):
        return Mention("tumour.tumour_count", 1 + said, *satellites.span())
    times = list(_TIMES.finditer(text))
    if any(int(t.group("n")) > 1 for t in times):  # "3 cm x2", "HCC 3 cm x2, 2 cm x1"
        total = sum(int(t.group("n")) for t in times)
        return Mention("tumour.tumour_count", total, times[0].start(), times[-1].end())
    if single := _SINGLE.search(text):  # "HCC 4.2 cm single", "(single 3.2 cm, S5)"
        return Mention("tumour.tumour_count", 1, *single.span())
    listed = _tumour_sizes(text, plausible)
    if len(listed) >= 2 and not re.search(r"\b(?:largest|up\s+to|max)\b", text):
        # "6.2 cm S7 + 1.5 cm S8", "a 6.5 cm lesion in segment 7 and a 2 cm lesion in
        # segment 2": each size written is a tumour.
        return Mention("tumour.tumour_count", len(listed), listed[0][1], listed[-1][2])
    if len(listed) == 1 and (alone := _NO_OTHERS.search(text)):  # "5.6 cm; no others seen"
        return Mention("tumour.tumour_count", 1, *alone.span())
    return None


def _tumour_sizes(
    text: str, plausible: list[tuple[float, int, int]]
) -> list[tuple[float, int, int]]:
    """The sizes that are liver tumours: a tumour word beside them in their clause, or joined to
    one that is ("HCC 3.5 cm + 2.1 cm")."""
    listed: list[tuple[float, int, int]] = []
    for size in sorted(plausible, key=lambda s: s[1]):
        before = text[max(0, size[1] - 30) : size[1]]
        near = _TUMOUR_NEAR.search(text[size[2] : size[2] + 35]) or _TUMOUR_BEFORE.search(before)
        joined = bool(listed) and bool(_JOINED.match(text[listed[-1][2] : size[1]]))
        if near or joined:
            listed.append(size)
    return listed


def burden(text: str, problems: Problems) -> list[Mention]:
    found: list[Mention] = []
    sizes: list[tuple[float, int, int]] = []
    for match in _SIZE.finditer(text):
        before, after = text[max(0, match.start() - 40) : match.start()], text[match.end() :]
        if _OTHER_SIZE_BEFORE.search(before) or _OTHER_SIZE_AFTER.match(after):
            continue
        scale = 0.1 if match.group("unit") == "mm" else 1.0
        parts = _SIZE_LIST.split(match.group("dims"))
        if len(parts) > 1 and _LABEL_BEFORE.search(before):
            parts = parts[1:]  # "PS 1, 8 cm HCC": the 1 is the performance status
        for listed in parts:  # "6 and 4 cm": two tumours
            dims = [float(d) * scale for d in re.split(_DIMENSIONS, listed) if d]
            if dims:
                sizes.append((max(dims), match.start(), match.end()))
    plausible = [s for s in sizes if 0 < s[0] <= 40]
    if plausible:
        size, start, end = max(plausible)
        found.append(Mention("tumour.largest_size_cm", round(size, 2), start, end))
    if count := _tumour_count(text, plausible):
        found.append(count)
    return found


_TIMES = re.compile(r"\b(?:cm|mm)\s*x\s*(?P<n>[1-9])\b(?!\s*(?:cm|mm|\.\d|\d))")
_SINGLE = re.compile(
    r"\b(?:single|solitary|unifocal|uninodular)\b(?!\s+(?:lobe|segment|dose|agent|arm|centre"
    r"|center|site|study|trial|line|drug|session|episode|band|course|fraction))"
)
_NO_OTHERS = re.compile(
    r"\bno\s+(?:other|others|further)(?:\s+(?:lesions?|tumou?rs?))?\b|\bnothing\s+else\b"
)
_TUMOUR_WORDS = (
    r"(?:s[1-8]|seg\w*|lesions?|tumou?rs?|nodules?|mass|hcc|lobe|foci|focus|lr-?[345]|observation)"
)
_TUMOUR_NEAR = re.compile(rf"^[^,;.]{{0,35}}?\b{_TUMOUR_WORDS}\b")
_TUMOUR_BEFORE = re.compile(rf"\b{_TUMOUR_WORDS}\b[^,;.\n]{{0,20}}$")
_JOINED = re.compile(r"^\s*(?:\+|and|&|,)\s*(?:an?\s+|another\s+)?$")


# --- vascular invasion --------------------------------------------------------------------------

_THROMBUS = r"(?:pvtt|thromb\w*|\btt\b|invasion|invad\w*|tumou?r\s+extension|involvement|occlu\w*)"
_PVTT_GRADES = {  # most extensive first
    # not a trunk said to be spared ("LPV tumour thrombus, main trunk spared", "but not the main
    # trunk")
    "vp4": r"(?<!not )(?<!not the )(?<!no )(?:\bmain[\s-]+(?:portal|pv|trunk|pvtt)\b|\bportal\s+"
    r"(?:vein\s+)?trunk\b|\bmain\s+portal\s+vein\b|\bmpv\b)",
    # not the branch of a first-order vein ("anterior sectoral branch of the right PV")
    "vp3": r"\bfirst[\s-]order\s+(?:portal\s+)?branch|(?<!branch of the )(?<!branches of the )"
    r"(?<!branch of )\b(?:right|left|r|l)\s+(?:portal\s+vein|pv|portal\s+branch)\b"
    r"|\b(?:r|l|rt|lt)pv\b|\b(?:pvtt|thrombus)\s+(?:in\s+(?:the\s+)?)?(?:right|left)\s+branch\b",
    "vp2": r"(?<!beyond the )(?<!beyond )\b(?:second[\s-]order|2nd[\s-]order|segmental|sectoral)"
    r"(?:\s+(?:portal\s+)?(?:branch|pv))?(?![\s-]+branches)",
    "vp1": r"\b(?:third[\s-]order|subsegmental|sub-segmental)(?:\s+(?:portal\s+)?branch)?"
    r"|\bbeyond\s+(?:the\s+)?(?:second|2nd)[\s-]order",
}
# A vein said to be free: "main portal vein patent", "the left portal vein is patent".
_VEIN_FREE = re.compile(
    r"\s*(?:vein\s+|branch\s+)?(?:is\s+|was\s+|remains\s+)?(?:spared|clear|free|patent|normal"
    r"|not\s+involved|uninvolved)\b"
)
# Cheng's types: I segmental or sectoral branches, II first-order (right or left) branch, III
# main trunk, IV superior mesenteric vein. Type I spans Vp1-2: read at Vp2, uncertain.
_CHENG = re.compile(r"\bcheng(?:'s)?\s+(?:type\s+)?(?P<t>iv|iii|ii|i|[1-4])\b")
_CHENG_GRADES = {"i": "vp2", "1": "vp2", "ii": "vp3", "2": "vp3", "iii": "vp4", "3": "vp4"}
_CHENG_GRADES |= {"iv": "vp4", "4": "vp4"}
# A range or a choice of grades ("Vp1-2", "? Vp1 vs Vp2"): the worse, uncertain.
_VP_RANGE = re.compile(
    r"\bvp\s*-?\s*([0-4])\s*(?:-|/|or|to|vs\.?|versus)\s*(?:vp)?\s*-?\s*([0-4])\b"
)
# A sentence about a bland thrombus names no tumour thrombus ("bland thrombus in the main PV").
_BLAND = re.compile(r"\bbland\b")
_BLAND_QUERIED = re.compile(
    r"\?\s*bland|\bbland\s*(?:vs\.?|versus|or)\b|\b(?:vs\.?|versus|or)\s+bland"
)
_TUMOUR_THROMBUS = re.compile(
    r"(?<!no )\btumou?r\s+thromb|(?<!no )\bpvtt\b|(?<!non-)(?<!non)(?<!not )\benhanc"
)
_VP = re.compile(r"\bvp\s*-?\s*([0-4])\b(?!\s*(?:-|/|or|to)\s*(?:vp)?\s*[0-4])")
# A thrombus into the contralateral lobe or the superior mesenteric vein is Vp4 by definition.
_VP4_EXTENSIONS = {
    "tumour.pvtt_contralateral": re.compile(
        rf"\b{_THROMBUS}\s+(?:[\w-]+\s+){{0,7}}(?:contralateral|opposite)\s+(?:\([^)]*\)\s*)?"
        r"(?:lobe|branch|side|portal)|\bcontralateral\s+(?:portal\s+(?:vein\s+)?)?(?:pvtt|thromb\w*"
        r"|branch|portal\s+vein)|\bboth\s+(?:the\s+)?(?:right\s+and\s+left|left\s+and\s+right)\s+"
        r"(?:portal|pv|branches)|\bacross\s+the\s+(?:portal\s+)?bifurcation\s+into"
    ),
    "tumour.pvtt_reaches_smv": re.compile(r"\bsuperior\s+mesenteric\s+vein\b|\bsmv\b"),
}


def pvtt(text: str, problems: Problems) -> list[Mention]:
    found = []
    for match in _VP.finditer(text):  # "Vp3-4" is a range: no grade
        found.append(
            Mention("tumour.pvtt_grade", f"vp{match.group(1)}", *match.span(), negated="vp0")
        )
    for match in _VP_RANGE.finditer(text):
        worse = f"vp{max(match.group(1), match.group(2))}"
        found.append(Mention("tumour.pvtt_grade", worse, *match.span(), implied=True))
    for match in _CHENG.finditer(text):
        grade = _CHENG_GRADES[match.group("t")]
        found.append(Mention("tumour.pvtt_grade", grade, *match.span(), implied=match["t"] in "i1"))
    if not found and re.search(_THROMBUS, text):
        for grade, pattern in _PVTT_GRADES.items():
            for match in re.finditer(pattern, text):
                bland = _bland_sentence(text, match.start())
                if bland == "bland" or _VEIN_FREE.match(text, match.end()):
                    continue
                found.append(
                    Mention(
                        "tumour.pvtt_grade",
                        grade,
                        *match.span(),
                        negated="vp0",
                        implied=bland == "queried",  # "? bland", "bland vs tumour?"
                    )
                )
    for key, extension in _VP4_EXTENSIONS.items():
        for match in extension.finditer(text):
            found.append(Mention(key, True, *match.span(), negated=False))
    return found


def _bland_sentence(text: str, at: int) -> str | None:
    """ "bland" when the sentence at `at` is about a bland thrombus only, "queried" when it asks
    whether the thrombus is bland, else None."""
    start = max(text.rfind(c, 0, at) for c in ".;\n") + 1
    ends = [i for i in (text.find(c, at) for c in ".;\n") if i >= 0]
    sentence = text[start : min(ends) if ends else len(text)]
    if not _BLAND.search(sentence):
        return None
    if _BLAND_QUERIED.search(sentence):
        return "queried"
    return None if _TUMOUR_THROMBUS.search(sentence) else "bland"


_HVTT = r"(?:\bhvtt\b|\bhepatic[\s-]+vein\w*\s+(?:tumou?r\s+)?(?:thromb\w*|invasion|involvement))"
_HVTT_BRANCHES = re.compile(
    rf"{_HVTT}\s+(?:in|into|involving|of|affecting)\s+(?:all\s+|the\s+)?(?P<n>one|two|three|[0-3])"
    r"\s+(?:major\s+)?(?:hepatic\s+)?(?:veins?|branch\w*)"
    r"|(?P<m>one|two|three|[0-3])\s+(?:major\s+)?hepatic\s+veins?\s+(?:branch\w*\s+)?"
    r"(?:with|invaded|involved|thrombosed)"
    r"|\b(?:right|middle|left)\s+(?:and\s+(?:right|middle|left)\s+)?hepatic\s+veins?\s+"
    r"(?:tumou?r\s+)?(?:thromb\w*|invasion|invaded|involved)"
)


def hvtt(text: str, problems: Problems) -> list[Mention]:
    found = []
    for match in _HVTT_BRANCHES.finditer(text):
        said = match.group("n") or match.group("m")
        if said:
            count = number(said)
        else:
            count = len(re.findall(r"\b(?:right|middle|left)\b", match.group(0)))
        found.append(Mention("tumour.hvtt_branches", count, *match.span(), negated=0))
    if not found:
        found = _named_hepatic_veins(text)
    if not found:
        for match in re.finditer(_HVTT, text):
            found.append(Mention("tumour.hvtt_branches", "present", *match.span(), negated=0))
        # "no hepatic vein or IVC thrombus"
        for match in re.finditer(r"\bhepatic\s+vein\s+(?:or|and|/)\s+(?:ivc|vena\s+cava)", text):
            found.append(Mention("tumour.hvtt_branches", "present", *match.span(), negated=0))
    return found


# Major hepatic veins named with a thrombus in their clause: "HVTT in RHV and MHV", "MHV and LHV
# invaded by tumour thrombus; RHV spared", "tumour thrombus in all three hepatic veins". A vein
# said to be patent or spared is not counted.
_VEIN_NAMES = {
    "right": r"\brhv\b|\bright\s+hepatic\s+vein",
    "middle": r"\bmhv\b|\bmiddle\s+hepatic\s+vein",
    "left": r"\blhv\b|\bleft\s+hepatic\s+vein",
}
_ALL_VEINS = re.compile(
    r"\b(?:all\s+(?:three|3)|each\s+of\s+the\s+three)\s+(?:major\s+)?hepatic\s+veins"
)
_VEIN_THROMBUS = re.compile(
    r"\b(?:thromb\w*|hvtt|tumou?r\s+extends|invad\w*|invasion|occlu\w*|involv\w*|filled)\b"
)
_VEIN_SPARED = re.compile(
    r"^[\s,]*(?:(?:and|,)?\s*(?:rhv|mhv|lhv)\s*)*(?:is\s+|are\s+)?(?:patent|spared|free|clear|normal"
    r"|not\s+involved|uninvolved)"
)
_VEIN_CLAUSE = re.compile(r"[^;\n.]+")


def _named_hepatic_veins(text: str) -> list[Mention]:
    found = []
    for clause in _VEIN_CLAUSE.finditer(text):
        piece = clause.group(0)
        if not _VEIN_THROMBUS.search(piece):
            continue
        if every := _ALL_VEINS.search(piece):
            span = clause.start() + every.start(), clause.start() + every.end()
            found.append(Mention("tumour.hvtt_branches", 3, *span, negated=0))
            continue
        named = [
            (vein, m)
            for vein, pattern in _VEIN_NAMES.items()
            for m in re.finditer(pattern, piece)
            if not _VEIN_SPARED.match(piece[m.end() :])
        ]
        veins = {vein for vein, _ in named}
        if veins:
            start = clause.start() + min(m.start() for _, m in named)
            end = clause.start() + max(m.end() for _, m in named)
            found.append(Mention("tumour.hvtt_branches", len(veins), start, end, negated=0))
    return found


_ATRIUM = re.compile(
    r"\b(?:right\s+)?atrium\b|\batrial\s+(?:extension|involvement|thromb\w*|invasion|level)"
    r"|\b(?:intra-?|into\s+the\s+(?:right\s+)?)atri\w+|\bintra-?cardiac\b"
)
_ATRIUM_FREE = re.compile(r"^\s*(?:is\s+)?(?:free|clear|spared|not\s+involved|uninvolved)")
_BELOW = re.compile(
    r"\b(?:below|under|short\s+of|beneath|not\s+reaching|not\s+into|sparing|not)\s+(?:the\s+)?"
    r"(?:right\s+)?$"
)


def atrium(text: str, problems: Problems) -> list[Mention]:
    """A thrombus reaching the right atrium (the IVC mention itself is a vocabulary term)."""
    if not re.search(_THROMBUS + r"|\bivc\b|vena\s+cava", text):
        return []
    return [
        Mention("tumour.ivc_thrombus", "reaches_atrium", *m.span(), negated=None)
        for m in _ATRIUM.finditer(text)
        if not _BELOW.search(text[: m.start()])
        and not _ATRIUM_FREE.match(text[m.end() :])
        and "fibrillation" not in text[m.end() : m.end() + 14]
    ]


# "... right-lobe tumour plus one 4 cm nodule in the left lobe": the lesion named by its side,
# with the other lobe holding the main tumour, is the contralateral one the criteria ask about.
_SIDE_LESIONS = re.compile(
    r"\b(?P<n>an?|one|single|solitary|two|three|[1-3])\s+(?:(?:small|additional|further|separate"
    r"|satellite)\s+)?(?:(?P<size>\d{1,2}(?:\.\d+)?)\s*-?\s*cm\s+)?(?:tumou?rs?|nodules?|lesions?"
    r"|foci|hccs?)\s+in\s+the\s+(?P<side>left|right)\s+(?:liver\s+|hepatic\s+)?lobe\b"
)


def contralateral(text: str, problems: Problems) -> list[Mention]:
    found = _SIDE_LESIONS.search(text)
    if not found:
        return []
    other = "right" if found.group("side") == "left" else "left"
    if not re.search(rf"\b{other}[\s-]+(?:liver\s+|hepatic\s+)?lobe", text):
        return []
    count = number(found.group("n"))
    span = found.span()
    mentions = [
        Mention("tumour.lobes_involved", "both", *span),
        Mention("tumour.contralateral_lesion_count", count, *span),
    ]
    if found.group("size"):
        mentions.append(
            Mention("tumour.contralateral_largest_cm", float(found.group("size")), *span)
        )
    return mentions


# --- prior TACE sessions ------------------------------------------------------------------------

_TACE = (
    r"(?:(?:(?:c|deb|dem|b)-?)?taces?|(?:trans-?arterial\s+|transcatheter\s+arterial\s+)?"
    r"chemo-?emboli[sz]ations?)"
)
_MANY = r"(?:multiple|several|repeated|numerous|many|serial)"
# A count of sessions: "TACE x4", "3 rounds of TACE", "TACE twice". A bare number before TACE
# counts only when small and not a lab value ("AFP 400 TACE or HAIC?" is no session count).
_TACE_SESSIONS = re.compile(
    rf"\b(?P<n>\d{{1,2}}|two|three|four|five|six|seven|eight)\s+(?:(?:rounds|sessions|courses"
    rf"|cycles|procedures|treatments)\s+of\s+)?(?:prior\s+|previous\s+)?{_TACE}"
    # "TACE x4", "TACE-HAIC combination x2", "Post-TACE (x1, last month)", "TACE x0"
    rf"|\b{_TACE}(?:-haic|\s+combination)*\s*\(?\s*(?:x|×)\s*(?P<x>\d{{1,2}})\b"
    rf"|\b{_TACE}\s+(?P<t>twice|(?:\d{{1,2}}|two|three|four|five|six)\s+times)"
    # "TACE sessions (5)", "TACE (3 sessions so far)"
    rf"|\b{_TACE}\s+(?:sessions?\s*)?\(\s*(?P<p>\d{{1,2}})(?:\s+sessions?)?(?:\s+so\s+far)?\s*\)"
    # "TACE, TACE, TACE (2021, 2022, 2023)": three named
    rf"|\b(?P<listed>{_TACE}(?:\s*,\s*{_TACE}){{2,}})\b"
)
_LAB_BEFORE = re.compile(r"(?:afp|nlr|pivka|dcp|alt|ast|bilirubin|alb\w*|inr|plts?|ca)\s*[:=]?\s*$")


def tace_sessions(text: str, problems: Problems) -> list[Mention]:
    found = []
    for match in _TACE_SESSIONS.finditer(text):
        if match.group("n") and _LAB_BEFORE.search(
            text[max(0, match.start() - 12) : match.start()]
        ):
            continue
        if match.group("listed"):
            sessions = len(re.findall(_TACE, match.group("listed")))
        else:
            said = next(g for g in match.group("n", "x", "t", "p") if g).split()[0]
            sessions = number(said)
        if not 0 <= sessions <= 30:
            continue
        value = "heavily_pretreated" if sessions >= 3 else "some" if sessions else "none"
        found.append(Mention("prior_tace", value, *match.span(), negated="none"))
    return found + _tace_history(text)


# A history that dates each TACE ("TACE 2021 (x1), TACE 2022 (x1), TACE 2023 (x2 sessions)",
# "- 2022: TACE ... - 2023: TACE ... - 2024: TACE + lenvatinib"): the sessions add up.
_DATED_TACE = re.compile(
    rf"(?P<y1>\b(?:19|20)\d\d)\s*[:)-]?\s*(?:[a-z-]+\s+)?{_TACE}"
    rf"|\b{_TACE}\s*\(?\s*(?:in\s+)?(?P<y2>(?:19|20)\d\d)\b"
)
_SESSIONS_AFTER = re.compile(
    r"^[^.;\n]{0,12}?(?:\(|\b)(?:x|×)\s*(?P<n>\d{1,2})\b|^\s+(?P<t>twice)|^\s*x\s*(?P<m>\d{1,2})"
)
HEAVILY_PRETREATED_SESSIONS = 3


def _tace_history(text: str) -> list[Mention]:
    years: dict[str, int] = {}
    first = last = None
    for match in _DATED_TACE.finditer(text):
        year = match.group("y1") or match.group("y2")
        count = _SESSIONS_AFTER.match(text, match.end())
        said = count and next((g for g in count.group("n", "t", "m") if g), None)
        years[year] = max(years.get(year, 0), number(said) if said else 1)
        first = first if first is not None else match.start()
        last = match.end()
    if len(years) < 2 or sum(years.values()) < HEAVILY_PRETREATED_SESSIONS:
        return []
    assert first is not None and last is not None
    return [Mention("prior_tace", "heavily_pretreated", first, last, negated="none")]


# --- where the tumours are --------------------------------------------------------------------

_SIDE = re.compile(
    r"\b(?P<side>right|rt|r|left|lt|l)[\s-]*(?:liver\s+|hepatic\s+)?lobe\b(?!\s+(?:graft|donor|from))"
    r"|\b(?P<abbr>rl|ll)\b(?=\s+(?:lesion|tumou?r|mass|nodule|only|hcc))"
)
_SEGMENTS = re.compile(
    r"\b(?:s|seg(?:ment)?s?\s*)(?P<first>[1-8])(?P<rest>(?:\s*(?:/|,|and|&|-|\+)\s*(?:s|seg\w*\s*)?"
    r"[1-8]\b)*)"
)
_RIGHT_SEGMENTS, _LEFT_SEGMENTS = {5, 6, 7, 8}, {2, 3}


def lobes(text: str, problems: Problems) -> list[Mention]:
    """One lobe or both, from where the tumours are said to be (segments 5-8 right, 2-3 left)."""
    sides: dict[str, tuple[int, int]] = {}
    for match in _SIDE.finditer(text):
        said = (match.group("side") or match.group("abbr") or "")[0]
        sides.setdefault("right" if said == "r" else "left", match.span())
    for match in _SEGMENTS.finditer(text):
        segments = {
            int(d) for d in re.findall(r"[1-8]", match.group("first") + match.group("rest"))
        }
        if segments & _RIGHT_SEGMENTS:
            sides.setdefault("right", match.span())
        if segments & _LEFT_SEGMENTS:
            sides.setdefault("left", match.span())
    if not sides:
        return []
    first = min(sides.values())
    return [Mention("tumour.lobes_involved", "both" if len(sides) == 2 else "one", *first)]


# "No vascular invasion": no portal, hepatic vein or caval thrombus (Vv0: no hepatic vein or IVC).
_NO_VASCULAR = re.compile(
    r"\bno\s+(?:macro-?)?vascular\s+(?:invasion|involvement|thrombus)\b|\bno\s+m?vi\b"
    r"|\b(?:macro-?)?vascular(?:\s+invasion)?\s*[:=-]\s*(?:nil|none|no|neg\w*)\b"
    r"|\bno\s+tumou?r\s+in\s+(?:the\s+)?veins?\b|\bportal\s+and\s+hepatic\s+veins\s+patent\b"
)
_VV0 = re.compile(r"\bvv\s*0\b|\bno\s+(?:hepatic\s+vein|hv)\s+(?:or|/|and)\s+(?:ivc|caval)\b")


def vascular_denials(text: str, problems: Problems) -> list[Mention]:
    found = []
    for match in _NO_VASCULAR.finditer(text):
        for name, value in (
            ("tumour.pvtt_grade", "vp0"),
            ("tumour.hvtt_branches", 0),
            ("tumour.ivc_thrombus", "none"),
        ):
            found.append(Mention(name, value, *match.span(), contextual=False))
    for match in _VV0.finditer(text):
        found.append(Mention("tumour.hvtt_branches", 0, *match.span(), contextual=False))
        found.append(Mention("tumour.ivc_thrombus", "none", *match.span(), contextual=False))
    return found


MEASURES: tuple[Callable[[str, Problems], list[Mention]], ...] = (
    child_pugh, child_pugh_components, ecog, bclc, labs, platelet_count, burden, pvtt, hvtt,
    atrium, contralateral, tace_sessions, lobes, vascular_denials,
)  # fmt: skip
