"""Which figures a question asks for, in the metric names the lookup and compare tools accept."""

from __future__ import annotations

import re

# "metastatic sites" are the patient's, not the trial's.
_NOT_ANATOMY = r"(?<!metastatic\s)(?<!extrahepatic\s)(?<!tumour\s)(?<!tumor\s)"
# "What was the design of REFLECT?", "how big was it?": its size, sites and countries.
_DESIGN = r"\bdesign\w*|\bhow\s+(?:big|large)\b"
# Which figure a question asks for, in the metric names the lookup/compare tools accept.
METRIC_WORDS: tuple[tuple[str, str], ...] = (
    (
        r"\bpd\s*rates?\b|\bprogressive\s+disease\b|\bprogression\s+rate\b|\bprimary\s+resistance\b",
        "PD rate",
    ),
    (r"\borrs?\b|\b(?:objective\s+)?response\s+rates?\b|\bobjective\s+response\b", "ORR"),
    (r"\bdcrs?\b|\bdisease\s+control\b", "DCR"),
    (
        r"\bpfs\s+hr\b|\bpfs\s+hazard\b|\bhazard\s+ratios?\s+for\s+pfs\b|\bpfs\s+and\s+os\s+hazard\b"
        r"|\bos\s+and\s+pfs\s+hazard\b",
        "PFS HR",
    ),
    (r"\bos\s+hr\b|\bhazard\s+ratios?\b|\bhrs?\b", "OS HR"),
    (r"\bm?pfs\b|\bprogression[\s-]free\b", "mPFS"),
    (r"\bm?os\b|\boverall\s+survival\b|\bmedian\s+survival\b|\bsurvival\b", "mOS"),
    (
        r"\btraes?\b|\bgrade\s*(?:≥|>=|3|iii)|\btoxic\w*|\badverse\s+events?\b|\bside[\s-]effects?\b"
        r"|\bsafety\b",
        "grade 3 TRAEs",
    ),
    (r"\bteaes?\b|\btreatment[\s-]emergent\b", "grade3_TEAE"),
    (r"\bdos(?:e|es|age|ing)\b|\bmg\b|\btwice\s+daily\b", "dose"),
    (
        r"\bhow\s+many\s+(?:patients|pts|people|subjects)\b|\brandomi[sz]ed\b|\benrolled\b"
        r"|\bsample\s+size\b|\bn\s*=|\bsizes?\s+of\s+(?:each|the|both)\s+arms?\b"
        r"|\b(?:patients|pts|n)\s+(?:per|in\s+each|on\s+each|in\s+both|for\s+each|each)\s+"
        r"(?:of\s+the\s+\w+\s+)?(?:arm|drug|group)s?\b|\bhow\s+many\s+(?:got|received|on)\b"
        r"|\barm\s+sizes?\b|\bnumber\s+of\s+patients\b|\bhow\s+many\b[^?]{0,40}\b(?:patients|pts)\b|"
        + _DESIGN,
        "n",
    ),
    (_NOT_ANATOMY + r"(?:\bsites?\b|\bcent(?:re|er)s\b|\bhospitals\b)|" + _DESIGN, "sites"),
    (r"\bcountr(?:y|ies)\b|" + _DESIGN, "countries"),
    (
        r"\brisk\s+of\s+death\b|\blower\s+risk\b|\breduc\w*\s+(?:the\s+)?risk\b",
        "risk_reduction_death",
    ),
    (
        r"\brisk\s+of\s+(?:tumou?r\s+)?progression\b|\bprogression\s+or\s+death\b",
        "risk_reduction_progression",
    ),
    (r"\btreatment[\s-]related\s+deaths?\b", "treatment_related_death"),
    (r"\bsteroids?\b", "high_dose_steroids"),
    (r"\bunevaluable\b|\bnot\s+evaluable\b", "unevaluable_rate"),
    (
        r"\bcontrol\s+arm\b|\bwhat\s+did\s+the\s+control\b|\bactually\s+receive"
        r"|\bhow\s+many\s+(?:got|received)\b",  # a count of who got what comes with its share
        "share_of_patients",
    ),
    (r"\banti-?drug\s+antibod\w*|\bada\b|\badas\b", "ADA_rate"),
    (r"\bexposure\b", "exposure_months"),
    (r"\bnon-?inferiority\s+margin\b|\bmargin\b", "noninferiority_margin"),
    (
        r"\b(?:share|proportion|percentage|fraction|how\s+many)\b[^?.]{0,30}\bhbv\b"
        r"|\bhbv[\s-]related\s+(?:share|rate|proportion)\b",
        "hbv_related_rate",
    ),
    (r"\bdownstaging\s+(?:success\s+)?rate\b|\bsuccessful\s+downstaging\b", "downstaging_rate"),
)
COMPARABLE = ("PD rate", "ORR", "DCR", "PFS HR", "OS HR", "mPFS", "mOS", "grade 3 TRAEs")


# A figure that comes with companions: survival with its hazard ratio; TRAEs with the TEAEs one
# trial reports instead (NCT04560894, Table 1 note).
COMPANIONS = {
    "mOS": "OS HR",
    "mPFS": "PFS HR",
    "grade 3 TRAEs": "grade3_TEAE",
    "ADA_rate": "OS HR",
}


def metrics_asked(text: str) -> list[str]:
    """Every figure the question asks for, in the order of METRIC_WORDS, with companions."""
    found = [name for pattern, name in METRIC_WORDS if re.search(pattern, text)]
    if "PFS HR" in found and not re.search(r"\bm?os\b|\boverall\b", text):
        found.remove("OS HR")  # "its PFS hazard ratio": the bare "hazard ratio" is the PFS one
    return list(dict.fromkeys([*found, *(COMPANIONS[m] for m in found if m in COMPANIONS)]))
