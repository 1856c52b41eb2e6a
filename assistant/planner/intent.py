"""Decide what a question asks and which tool calls answer it.

Deterministic and ordered: impossible values first, then comparisons ("lowest PD rate"), trial
facts ("PD rate in LEAP-002"), criteria, locoregional choice, regimen selection for a patient,
and finally a search of the review. A question with no word of the domain is out of scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from assistant.extraction import extract
from assistant.planner.spelling import correct
from assistant.planner.state import PROFILE_TOOLS, merge_profiles
from corpus.regimens import load_catalogue
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


# Which figure a question asks for, in the metric names the lookup/compare tools accept.
METRIC_WORDS: tuple[tuple[str, str], ...] = (
    (
        r"\bpd\s*rates?\b|\bprogressive\s+disease\b|\bprogression\s+rate\b|\bprimary\s+resistance\b",
        "PD rate",
    ),
    (r"\borr\b|\b(?:objective\s+)?response\s+rate\b|\bresponse\b", "ORR"),
    (r"\bdcr\b|\bdisease\s+control\b", "DCR"),
    (r"\bpfs\s+hr\b|\bpfs\s+hazard\b|\bhazard\s+ratio\s+for\s+pfs\b", "PFS HR"),
    (r"\bos\s+hr\b|\bhazard\s+ratios?\b|\bhr\b|\brisk\s+of\s+death\b", "OS HR"),
    (r"\bm?pfs\b|\bprogression[\s-]free\b", "mPFS"),
    (r"\bm?os\b|\boverall\s+survival\b|\bmedian\s+survival\b|\bsurvival\b", "mOS"),
    (
        r"\btraes?\b|\bgrade\s*(?:≥|>=|3|iii)|\btoxicit\w*|\badverse\s+events?\b|\bside[\s-]effects?\b|\bsafety\b",
        "grade 3 TRAEs",
    ),
    (r"\bdos(?:e|es|age|ing)\b|\bmg\b|\btwice\s+daily\b", "dose"),
)
_COMPARISON = re.compile(
    r"\b(?:lowest|highest|best|worst|fewest|most|least|longest|shortest|greatest|smallest|"
    r"largest|rank\w*|compare|comparison|versus|vs\.?)\b"
)
_LOWEST = re.compile(r"\b(?:lowest|fewest|least|smallest|shortest|worst)\b")
_HIGHEST = re.compile(r"\b(?:highest|most|greatest|largest|longest)\b")
_SELECTION = re.compile(
    r"\bwhich\s+(?:first[\s-]line\s+|second[\s-]line\s+|next[\s-]line\s+|systemic\s+)?"
    r"(?:regimen|option|treatment|therapy|drug|combination|one)s?\b"
    r"|\bwhat\s+(?:should|would|could|can|do|to|is\s+the\s+best|are\s+the\s+options|regimen"
    r"|treatment|therapy|now|next)\b"
    r"|\bhow\s+(?:to|should\s+\w+|do\s+\w+|would\s+\w+)\s+(?:treat|manage)\b"
    r"|\btreat\s+(?:him|her|them|this|the\s+patient)\b"
    r"|\b(?:options?|recommend\w*|choice|choose|suitable|candidate|start|give|offer|next\s+line|"
    r"second[\s-]line|2l|what\s+if|and\s+if|how\s+about|would\s+that\s+change)\b"
)
_CRITERIA = re.compile(
    r"\bcriteri\w*|\bresectab\w*|\beligible\s+for\s+(?:conversion|resection|surgery)"
    r"|\bchance\s+of\s+(?:surgery|resection)|\bdownstag\w*\s+criteria"
)
_LOCOREGIONAL = re.compile(
    r"\btace\b|\bhaic\b|\bsbrt\b|\blocoregional\b|\bchemoemboli[sz]ation\b|\bradiotherapy\b"
    r"|\bhepatic\s+arterial\s+infusion\b|\bintra-?arterial\b"
)
_FOLLOW_UP = re.compile(
    r"\bwhat\s+if\b|\band\s+if\b|\bhow\s+about\b|\binstead\b|\balso\b|\bnow\b|\bchange\b"
)


def _metric(text: str) -> str | None:
    for pattern, name in METRIC_WORDS:
        if re.search(pattern, text):
            return name
    return None


def _named(text: str) -> tuple[list[str], list[str], bool]:
    """Trial names and regimen names found in the question, and whether it uses the domain.

    Drugs named one by one ("atezolizumab bevacizumab") count as the regimen they make up.
    """
    trials, regimens, agents, domain = [], [], set(), False
    for token, start, end in load_vocabulary().matches(text):
        domain = True
        surface = normalize(text)[start:end]
        if token.startswith("trial_") and surface not in trials:
            trials.append(surface)
        elif token.startswith("regimen_") and surface not in regimens:
            regimens.append(surface)
        elif token.startswith("agent_"):
            agents.add(token.removeprefix("agent_"))
    if len(agents) > 1:
        combined = [r.name for r in load_catalogue().regimens.values() if set(r.agents) == agents]
        if combined:  # "atezolizumab bevacizumab" is the combination, not bevacizumab alone
            regimens = [*combined, *(r for r in regimens if normalize(r) not in agents)]
    domain = domain or bool(re.search(r"\bhcc\b|\bhepatocellular\b|\bliver\b|\breview\b", text))
    return trials, regimens, domain


def plan(
    question: str,
    earlier: dict[str, Any],
    earlier_tools: tuple[str, ...],
    given: dict[str, Any] | None = None,
) -> Plan:
    """The intent of `question` and the tool calls that answer it."""
    question = correct(question)
    text = normalize(question)
    extraction = extract(question)
    profile = merge_profiles(merge_profiles(earlier, given or {}), extraction.as_profile_data())
    if extraction.problems:
        return Plan(Intent.IMPOSSIBLE, profile=profile, problems=extraction.problems)
    trials, regimens, domain = _named(text)
    metric = _metric(text)
    # "first-line" alone says nothing about a patient; any other extracted fact does.
    stated = {k for k in extraction.fields if k != "line"} or extraction.tumour
    facts = bool(stated) or bool(given)
    follow_up = bool(earlier_tools) and (facts or bool(_FOLLOW_UP.search(text)))

    if _COMPARISON.search(text) and metric and metric != "dose" and not facts and not trials:
        order = "lowest" if _LOWEST.search(text) else "highest" if _HIGHEST.search(text) else "best"
        return Plan(
            Intent.COMPARISON,
            [ToolCall("compare_trials", {"metric": metric, "order": order})],
            metric=metric,
        )
    if (trials or (regimens and metric)) and not (facts and _SELECTION.search(text)):
        names = trials or regimens
        args = [{"name": n, **({"metric": metric} if metric else {})} for n in names[:3]]
        return Plan(Intent.TRIAL_FACT, [ToolCall("lookup_trial", a) for a in args], metric=metric)
    if _CRITERIA.search(text):
        return Plan(
            Intent.CRITERIA, [ToolCall("check_resectability", {"profile": profile})], profile
        )
    if _LOCOREGIONAL.search(text) and (
        facts or _SELECTION.search(text) or "locoregional_options" in earlier_tools
    ):
        return Plan(
            Intent.LOCOREGIONAL, [ToolCall("locoregional_options", {"profile": profile})], profile
        )
    if follow_up and not _SELECTION.search(text) and not facts:
        return Plan(Intent.GENERAL, [ToolCall("search_review", {"query": question, "k": 4})])
    if facts or follow_up or (_SELECTION.search(text) and domain and regimens == []):
        return _selection_plan(profile, earlier_tools if follow_up else ())
    if domain or metric:
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
