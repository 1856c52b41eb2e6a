"""Decide what a question asks and which tool calls answer it.

Deterministic and ordered: impossible values first, then comparisons ("lowest PD rate"), trial
facts ("PD rate in LEAP-002"), criteria, locoregional choice, regimen selection for a patient,
and finally a search of the review. A question with no word of the domain is out of scope.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from assistant.extraction import extract
from assistant.planner.spelling import correct
from assistant.planner.state import PROFILE_TOOLS, merge_profiles
from corpus.regimens import load_catalogue
from corpus.trials import load_trials
from corpus.vocabulary import load_vocabulary, normalize


class Intent(StrEnum):
    TRIAL_FACT = "trial_fact"
    COMPARISON = "comparison"
    FIRST_LINE = "first_line"
    LATER_LINE = "later_line"
    CRITERIA = "criteria"
    LOCOREGIONAL = "locoregional"
    GENERAL = "general"
    IMPOSSIBLE = "impossible_values"
    OUT_OF_SCOPE = "out_of_scope"


@dataclass
class ToolCall:
    name: str
    args: dict[str, Any]


@dataclass
class Plan:
    intent: Intent
    calls: list[ToolCall] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)
    metric: str | None = None
    problems: list[str] = field(default_factory=list)
    focus: list[str] = field(default_factory=list)  # regimen ids the question names


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
    (r"\bhow\s+many\s+patients\b|\brandomi[sz]ed\b|\benrolled\b|\bsample\s+size\b|\bn\s*=", "n"),
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
    (r"\bcontrol\s+arm\b|\bwhat\s+did\s+the\s+control\b|\bactually\s+receive", "share_of_patients"),
    (r"\banti-?drug\s+antibod\w*|\bada\b|\badas\b", "ADA_rate"),
    (r"\bexposure\b", "exposure_months"),
    (r"\bnon-?inferiority\s+margin\b", "noninferiority_margin"),
    (r"\bdownstaging\s+(?:success\s+)?rate\b|\bsuccessful\s+downstaging\b", "downstaging_rate"),
)
COMPARABLE = ("PD rate", "ORR", "DCR", "PFS HR", "OS HR", "mPFS", "mOS", "grade 3 TRAEs")
_COMPARISON = re.compile(
    r"\b(?:lowest|highest|best|worst|fewest|most|least|longest|shortest|greatest|smallest|"
    r"largest|rank\w*|which\s+(?:first[\s-]line\s+)?(?:combination|regimen|trial|arm)s?\s+"
    r"(?:has|had|have|gave|gives|shows?|showed|reported))\b"
)
_ABOUT_STUDY = re.compile(
    r"\b(?:study|studies|trial|cohort|analysis|subgroup|retrospective|real[\s-]world|prospective)\b"
)
_DOMAIN = re.compile(
    r"\bhcc\b|\bhepatocellular\b|\bliver\b|\breview\b|\bfigure\s*1\b|\btable\s*[123]\b"
    r"|\balgorithm\b|\bguidelines?\b"
)
_JOINER = re.compile(r"^\s*(?:\+|/|-|&|plus|and|with|combined\s+with)?\s*$")
_LOWEST = re.compile(r"\b(?:lowest|fewest|least|smallest|shortest|worst)\b")
_HIGHEST = re.compile(r"\b(?:highest|most|greatest|largest|longest)\b")
_SELECTION = re.compile(
    r"\bbest\s+(?:[\w-]+\s+)?(?:regimen|option|treatment|therapy|choice)s?\b"
    r"|\bsuggest\w*\b|\bshould\s+(?:i|we)\b|\bwhich\s+(?:first[\s-]line\s+|second[\s-]line\s+|next[\s-]line\s+|systemic\s+)?"
    r"(?:regimen|option|treatment|therapy|drug|combination|one)s?\b"
    r"|\bwhat\s+(?:should|would|could|can|do|to|is\s+the\s+best|are\s+the\s+options|regimen"
    r"|treatment|therapy|now|next)\b"
    r"|\bhow\s+(?:to|should\s+\w+|do\s+\w+|would\s+\w+)\s+(?:treat|manage)\b"
    r"|\btreat\s+(?:him|her|them|this|the\s+patient)\b"
    r"|\b(?:options?|recommend\w*|choice|choose|suitable|candidate|start|give|offer|next\s+line|"
    r"second[\s-]line|2l|what\s+if|and\s+if|how\s+about|would\s+that\s+change)\b"
)
_CRITERIA = re.compile(
    r"\bcriteri\w*|\b(?:potentially|borderline)\s+resectable\s*\?|\bresectability\b"
    r"|\bis\s+(?:she|he|it|the\s+patient|this\s+patient)\s+(?:potentially\s+)?resectable\b"
    r"|\beligible\s+for\s+(?:conversion|resection|surgery)|\bdownstag\w*\s+criteria"
    r"|\bchances?\s+of\s+(?:surgery|resection|conversion)|\bpredict\w*\s+(?:\w+\s+)?resection"
)
# A locoregional question asks about a modality; "never had TACE" is history, not a question.
_LOCOREGIONAL = re.compile(
    r"\bhaic\b|\bsbrt\b|\blocoregional\b|\bhepatic\s+arterial\s+infusion\b|\bradiotherapy\b"
    r"|\btace\s+(?:or|vs\.?|versus)\b|\b(?:or|vs\.?|versus)\s+tace\b"
    r"|\b(?:is|would|should|could|can)\s+(?:\w+\s+)?tace\b|\btace\s+(?:worth|reasonable|an\s+option"
    r"|suitable|appropriate|indicated)|\b(?:consider|offer|try|add)\s+tace\b"
)
# Table 1's regimen categories as clinicians name them ("the TKI + anti-PD-1 combos").
_CATEGORIES = {
    "ICI+TKI": r"\btki\s*(?:\+|plus|and|/)\s*(?:an\s+)?(?:anti-?pd-?l?1|ici|immunotherapy|pd-?1)"
    r"|(?:anti-?pd-?l?1|\bici|\bpd-?1)\s*(?:\+|plus|and|/)\s*(?:a\s+)?tki\b",
    "ICI+anti-VEGF": r"\bbev(?:acizumab)?[\s-]+(?:based|containing)|\bici\s*\+\s*anti-?vegf\b"
    r"|\banti-?vegf\s+combin",
    "ICI+ICI": r"\bdual\s+(?:ici|checkpoint|immunotherapy)|\bici\s*\+\s*ici\b",
}
_AMONG = re.compile(r"\bamong\b|\bwithin\b|\bof\s+the\b|\bwhich\s+of\b")
_WHY = re.compile(r"\bwhy\b|\bexplain\w*\b|\breasons?\b|\bhow\s+come\b")
_FOLLOW_UP_COMPARE = re.compile(
    r"\bcompare\w*\b|\bwhat\s+about\b|\band\s+(?:in|for)\b|\bversus\b|\bvs\b"
)
_FOLLOW_UP = re.compile(
    r"\bwhat\s+if\b|\band\s+if\b|\bhow\s+about\b|\binstead\b|\balso\b|\bnow\b|\bchange\b"
)


# A figure that comes with companions: survival with its hazard ratio; TRAEs with the TEAEs one
# trial reports instead (NCT04560894, Table 1 note).
COMPANIONS = {
    "mOS": "OS HR",
    "mPFS": "PFS HR",
    "grade 3 TRAEs": "grade3_TEAE",
    "ADA_rate": "OS HR",
}


def _metrics(text: str) -> list[str]:
    """Every figure the question asks for, in the order of METRIC_WORDS, with companions."""
    found = [name for pattern, name in METRIC_WORDS if re.search(pattern, text)]
    return list(dict.fromkeys([*found, *(COMPANIONS[m] for m in found if m in COMPANIONS)]))


def _combinations(text: str, agents: list[tuple[str, int, int]]) -> list[str]:
    """Regimens written as their drugs, joined by "+", "/", "plus", "and" or nothing at all."""
    catalogue, found, group = load_catalogue(), [], agents[:1]
    for previous, current in itertools.pairwise(agents):
        if _JOINER.match(text[previous[2] : current[1]]):
            group.append(current)
            continue
        found += _regimen_of(group, catalogue)
        group = [current]
    return found + _regimen_of(group, catalogue)


def _regimen_of(group: list[tuple[str, int, int]], catalogue: Any) -> list[str]:
    drugs = {agent for agent, _, _ in group}
    if len(drugs) < 2:
        return []
    return [r.name for r in catalogue.regimens.values() if set(r.agents) == drugs]


def _named(text: str) -> tuple[list[str], list[str], bool]:
    """Trial names and regimen names found in the question, and whether it uses the domain."""
    trials: list[str] = []
    regimens: list[str] = []
    agents: list[tuple[str, int, int]] = []
    domain = False
    for token, start, end in load_vocabulary().matches(text):
        domain = True
        surface = text[start:end]
        if token.startswith("trial_") and surface not in trials:
            trials.append(surface)
        elif token.startswith("regimen_") and surface not in regimens:
            regimens.append(surface)
        elif token.startswith("agent_"):
            agents.append((token.removeprefix("agent_"), start, end))
    combined = _combinations(text, agents)
    if combined:  # a combination replaces the single drugs it is made of
        parts = {agent for agent, _, _ in agents}
        regimens = combined + [r for r in regimens if not _made_of(r, parts)]
    domain = domain or bool(_DOMAIN.search(text))
    return trials, regimens, domain


def _made_of(regimen_name: str, agents: set[str]) -> bool:
    regimen = load_catalogue().resolve(regimen_name)
    return regimen is not None and set(regimen.agents) <= agents


def _uncovered(regimens: list[str], trials: list[str]) -> list[str]:
    """Regimens named beside trials that none of those trials tested."""
    catalogue, registry = load_catalogue(), load_trials()
    tested = {a.regimen for t in map(registry.resolve, trials) if t for a in t.arms}
    return [r for r in regimens if (found := catalogue.resolve(r)) and found.id not in tested]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _trials_comparing(regimens: list[str], text: str = "") -> list[str]:
    """Names of the trials that best fit the regimens named ("lenvatinib vs sorafenib").

    A trial scores one point per named regimen among its arms and two when it reports a patient
    number the question states ("the 49-patient study"); trials scoring two or more are kept.
    """
    catalogue, registry = load_catalogue(), load_trials()
    wanted = {r.id for r in map(catalogue.resolve, regimens) if r is not None}
    numbers = {float(n) for n in re.findall(r"\b\d{2,5}\b", text)}
    scored = []
    for trial in registry.trials:
        arms = wanted & {a.regimen for a in trial.arms}
        sizes = {r.value for r in trial.results if r.metric == "n" and r.value is not None}
        score = len(arms) + 2 * bool(numbers & sizes)
        if score >= 2 and (len(arms) >= 2 or numbers & sizes):
            scored.append((score, trial.name))
    best = max((score for score, _ in scored), default=0)
    return [name for score, name in scored if score == best]


def plan(
    question: str,
    earlier: dict[str, Any],
    earlier_tools: tuple[str, ...],
    given: dict[str, Any] | None = None,
    lookups: list[dict[str, Any]] | None = None,
) -> Plan:
    """The plan for `question`, with the regimens it names kept in focus for the answer."""
    result = _plan(question, earlier, earlier_tools, given, lookups)
    _, regimens, _ = _named(normalize(correct(question)))
    catalogue = load_catalogue()
    result.focus = [r.id for r in map(catalogue.resolve, regimens) if r is not None]
    return result


def _plan(
    question: str,
    earlier: dict[str, Any],
    earlier_tools: tuple[str, ...],
    given: dict[str, Any] | None = None,
    lookups: list[dict[str, Any]] | None = None,
) -> Plan:
    """The intent of `question` and the tool calls that answer it, by the first rule that fits.

    `lookups` are the trial lookups of the previous turn: "how does that compare with
    CARES-310?" asks for the same figure in one more trial.
    """
    question = correct(question)
    text = normalize(question)
    extraction = extract(question)
    profile = merge_profiles(merge_profiles(earlier, given or {}), extraction.as_profile_data())
    if extraction.problems:
        return Plan(Intent.IMPOSSIBLE, profile=profile, problems=extraction.problems)
    trials, regimens, domain = _named(text)
    metrics = _metrics(text)
    # Facts about a patient; a line or a prior regimen alone can also frame a study question.
    patient = {k for k in extraction.fields if k not in ("line", "prior_regimens")}
    patient_facts = bool(patient or extraction.tumour or given)
    facts = patient_facts or "prior_regimens" in extraction.fields
    selection = bool(_SELECTION.search(text))
    follow_up = bool(earlier_tools) and (facts or bool(_FOLLOW_UP.search(text)))
    about_study = bool(_ABOUT_STUDY.search(text))
    comparable = [m for m in metrics if m in COMPARABLE]

    category = next((c for c, p in _CATEGORIES.items() if re.search(p, text)), None)
    asks_to_rank = _COMPARISON.search(text) or (category and re.search(r"\bcompare\w*", text))
    if asks_to_rank and comparable and not (facts or trials or (regimens and not category)):
        order = "lowest" if _LOWEST.search(text) else "highest" if _HIGHEST.search(text) else "best"
        args: dict[str, Any] = {"metric": comparable[0], "order": order}
        if category and _AMONG.search(text):
            args["category"] = category
        return Plan(Intent.COMPARISON, [ToolCall("compare_trials", args)], metric=comparable[0])
    named_study = trials or (regimens and (metrics or about_study))
    if named_study and not (patient_facts and selection):
        names = trials + _uncovered(regimens, trials) if trials else regimens
        names = (_trials_comparing(regimens, text) or names) if not trials else names
        names = names or regimens
        if lookups and not metrics and _FOLLOW_UP_COMPARE.search(text):
            metrics = [m for call in lookups for m in _as_list(call.get("metric"))]
            names = [*(str(call["name"]) for call in lookups), *names]
        extra = {"metric": list(dict.fromkeys(metrics))} if metrics else {}
        calls = [ToolCall("lookup_trial", {"name": n, **extra}) for n in dict.fromkeys(names)]
        if _WHY.search(text):  # an explanation lives in the text, the figures in the records
            calls = [ToolCall("search_review", {"query": question, "k": 4}), *calls[:2]]
        return Plan(Intent.TRIAL_FACT, calls[:4], metric=", ".join(metrics) or None)
    if about_study and not patient_facts and not _CRITERIA.search(text):
        return Plan(Intent.GENERAL, [ToolCall("search_review", {"query": question, "k": 4})])
    if _CRITERIA.search(text) and not (patient_facts and selection):
        if not patient_facts:
            return Plan(Intent.CRITERIA, [ToolCall("check_resectability", {"profile": profile})])
        # "her chances of resection after atezo/bev": the drug is the plan, not a failed line,
        # and the goal is conversion; the regimen choice comes with the criteria.
        planned = merge_profiles(earlier, given or {})
        planned |= {k: v for k, v in profile.items() if k not in ("prior_regimens", "line")}
        planned.setdefault("goal", "conversion")
        calls = [
            ToolCall("check_resectability", {"profile": planned}),
            ToolCall("select_regimens", {"profile": planned}),
        ]
        return Plan(Intent.CRITERIA, calls, planned)
    if _LOCOREGIONAL.search(text) and (
        facts or selection or "locoregional_options" in earlier_tools
    ):
        calls = [ToolCall("locoregional_options", {"profile": profile})]
        if profile.get("prior_regimens"):  # after systemic failure TACE competes with drugs
            calls.insert(0, ToolCall("select_regimens", {"profile": profile}))
        return Plan(Intent.LOCOREGIONAL, calls, profile)
    if follow_up and not selection and not facts:
        return Plan(Intent.GENERAL, [ToolCall("search_review", {"query": question, "k": 4})])
    if facts or follow_up or (selection and domain and not regimens):
        return _selection_plan(profile, earlier_tools if follow_up else ())
    if domain or metrics:
        return Plan(Intent.GENERAL, [ToolCall("search_review", {"query": question, "k": 4})])
    return Plan(Intent.OUT_OF_SCOPE)


def _selection_plan(profile: dict[str, Any], earlier_tools: tuple[str, ...]) -> Plan:
    later = profile.get("line") == "later" or bool(profile.get("prior_regimens"))
    calls = [ToolCall("select_regimens", {"profile": profile})]
    wants_criteria = profile.get("goal") == "conversion" or "check_resectability" in earlier_tools
    if wants_criteria and not later:
        calls.append(ToolCall("check_resectability", {"profile": profile}))
    if "locoregional_options" in earlier_tools:
        calls.append(ToolCall("locoregional_options", {"profile": profile}))
    return Plan(Intent.LATER_LINE if later else Intent.FIRST_LINE, calls, profile)


__all__ = ["PROFILE_TOOLS", "Intent", "Plan", "ToolCall", "plan"]
