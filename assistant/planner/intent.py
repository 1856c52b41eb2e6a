"""Decide what a question asks and which tool calls answer it.

Deterministic and ordered: impossible values first, then comparisons ("lowest PD rate"), trial
facts ("PD rate in LEAP-002"), criteria, locoregional choice, regimen selection for a patient,
and finally a search of the review. A question with no word of the domain is out of scope.
Where the rules have no cue for a phrasing, its nearest labelled examples (asks.py,
data/asks.yaml) say whether it asks for the review's statement or a verdict on a named plan.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from assistant.planner.absent import Absent, absent_things
from assistant.planner.asks import asking_sentence, classify, sentences_of
from assistant.planner.followup import carried_calls, points_back
from assistant.planner.metrics import COMPARABLE, metrics_asked
from assistant.planner.parts import split_parts
from assistant.planner.state import PROFILE_TOOLS
from assistant.planner.studies import described_trials, states_size, study_names
from assistant.planner.verdict import asks_verdict
from clinical.reader import Reading, read_conversation
from corpus.regimens import load_catalogue
from corpus.spelling import correct
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
    CLARIFY = "clarify"  # the conversation contradicts itself: asked back
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
    reading: Reading | None = None  # the conversation as the clinical reader read it
    question: str = ""  # the part of the question this plan answers
    absent: list[Absent] = field(default_factory=list)  # what it names that the review lacks
    asks_verdict: bool = False  # a named regimen put forward for this patient
    assumed: list[str] = field(default_factory=list)  # facts the answer takes as read, unsaid
    asked_as: str | None = None  # what its nearest labelled examples ask for (data/asks.yaml)
    yes_no: bool = False  # the part asks yes or no
    trials: list[str] = field(default_factory=list)  # trial ids the part names (or borrows)

    @property
    def trial_names(self) -> list[str]:
        registry = load_trials()
        return [registry.get(t).name for t in self.trials]

    @property
    def focus_names(self) -> list[str]:
        catalogue = load_catalogue()
        return [catalogue.regimen(r).name for r in self.focus]


_COMPARISON = re.compile(
    r"\b(?:lowest|highest|best|worst|fewest|most|least|longest|shortest|greatest|smallest|"
    r"largest|biggest|rank\w*|which\s+(?:first[\s-]line\s+)?(?:combination|regimen|trial|arm)s?\s+"
    r"(?:has|had|have|gave|gives|shows?|showed|reported))\b"
)
_ABOUT_STUDY = re.compile(
    r"\b(?:study|studies|trials?|cohorts?|analys[ie]s|subgroups?|retrospective|real[\s-]world"
    r"|prospective)\b"
)
_DOMAIN = re.compile(
    r"\bhcc\b|\bhepatocellular\b|\bliver\b|\breview\b|\bfigure\s*1\b|\btable\s*[123]\b"
    r"|\balgorithm\b|\bguidelines?\b"
)
_JOINER = re.compile(r"^\s*(?:\+|/|-|&|plus|and|with|combined\s+with)?\s*$")
_LOWEST = re.compile(r"\b(?:lowest|fewest|least|smallest|shortest|worst)\b")
_HIGHEST = re.compile(r"\b(?:highest|most|greatest|largest|longest|biggest|top)\b")
_SELECTION = re.compile(
    r"\bbest\s+(?:[\w-]+\s+)?(?:regimen|option|treatment|therapy|choice)s?\b"
    r"|\bsuggest\w*\b|\bshould\s+(?:i|we)\b|\bwhich\s+(?:first[\s-]line\s+|second[\s-]line\s+|next[\s-]line\s+|systemic\s+)?"
    r"(?:regimen|option|treatment|therapy|drug|combination|one)s?\b"
    r"|\bwhat\s+(?:should|would|could|can|do|to|is\s+the\s+best|are\s+the\s+options|regimen"
    r"|treatment|therapy|now|next)\b"
    r"|\bhow\s+(?:to|should\s+\w+|do\s+\w+|would\s+\w+)\s+(?:treat|manage)\b"
    r"|\btreat\s+(?:him|her|them|this|the\s+patient)\b"
    r"|\bwhich\s+(?:first|second|third|next|later|1st|2nd|3rd)[\s-]*line\b"
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
    r"|\bliver[\s-]directed\b|\bintra-?arterial\b"
    r"|\btace\s+(?:or|vs\.?|versus)\b|\b(?:or|vs\.?|versus)\s+tace\b"
    r"|\b(?:is|would|should|could|can)\s+(?:\w+\s+)?tace\b|\btace\s+(?:worth|reasonable|an\s+option"
    r"|suitable|appropriate|indicated)|\b(?:consider|offer|try|add)\s+tace\b"
)
# Table 1's regimen categories as clinicians name them ("the TKI + anti-PD-1 combos").
_CATEGORIES = {
    "ICI+TKI": r"\btki\s*(?:\+|plus|and|/)\s*(?:an\s+)?(?:anti-?pd-?l?1|ici|immunotherapy|pd-?1)"
    r"|(?:anti-?pd-?l?1|\bici|\bpd-?1)\s*(?:\+|plus|and|/)\s*(?:a\s+)?tki\b",
    "ICI+anti-VEGF": r"\bbev(?:acizumab)?[\s-]+(?:based|containing|type|like)"
    r"|\bici\s*\+\s*anti-?vegf\b|\banti-?vegf\s+(?:combin|antibod)|\b(?:ici|pd-?l?1)\s*(?:\+|plus|and|/)\s*(?:a\s+)?bev",
    "ICI+ICI": r"\bdual\s+(?:ici|checkpoint|immunotherapy)|\bici\s*\+\s*ici\b",
}
_AMONG = re.compile(r"\bamong\b|\bwithin\b|\bof\s+the\b|\bwhich\s+of\b")
# "which ICI plus bevacizumab-type combination": the category names the arms ranked.
_CATEGORY_NOUN = re.compile(r"[\w-]*\s*(?:combinations?|combos?|regimens?|arms?)\b")
# "which sorafenib arm" among the trials' control arms rather than their experimental ones.
_CONTROL = re.compile(
    r"\b(?:which|among|of|across)\s+(?:the\s+)?(?:[\w-]+\s+)?(?:control|comparator|reference)"
    r"\s+arms?\b|\b(?:control|comparator)\s+arms\b|\bcontrol-arms?\b"
    r"|\bin\s+(?:the|their|its)\s+(?:control|comparator)\s+arms?\b"
)
# "a lenvatinib or sorafenib first line?" with a patient's facts is a choice for that patient.
_CHOICE = re.compile(
    r"\bor\b|\bvs\.?\b|\bversus\b|\b(?:first|second|third|later|next)[\s-]+line\s*\?"
)
# "how should I dose-reduce lenvatinib": a dose change, which the review never states.
_DOSE_CHANGE = re.compile(
    r"\bdos(?:e|ing)[\s-]+(?:reduc|modif|adjust|escalat|chang|interrupt|de-?escalat)\w*"
    r"|\b(?:reduc\w*|lower\w*|adjust\w*|modify\w*|cut\w*)\s+(?:the\s+|its\s+|his\s+|her\s+)?dos"
)
_ARM_OF = re.compile(r"\b(?:arm|arms|group|cohort|control|alone|mono(?:therapy)?)\b")
_WHY = re.compile(r"\bwhy\b|\bexplain\w*\b|\breasons?\b|\bhow\s+come\b")
_FOLLOW_UP_COMPARE = re.compile(
    r"\bcompare\w*\b|\bwhat\s+about\b|\band\s+(?:in|for)\b|\bversus\b|\bvs\b"
)
_FOLLOW_UP = re.compile(
    r"\bwhat\s+if\b|\band\s+if\b|\bhow\s+about\b|\binstead\b|\balso\b|\bnow\b|\bchange\b"
)


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


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def plan(
    question: str,
    reading: Reading | None = None,
    current: Reading | None = None,
    earlier_tools: tuple[str, ...] = (),
    lookups: list[dict[str, Any]] | None = None,
    absent: list[Absent] | None = None,
) -> Plan:
    """The plan for `question`, with the regimens it names kept in focus for the answer.

    `reading` is the whole conversation as the clinical reader reads it (the patient), `current`
    the question alone (what it adds, and any impossible value it states); both default to
    reading the question on its own.
    """
    current = current or read_conversation([question])
    reading = reading or current
    absent = absent_things(question) if absent is None else absent
    ask = classify(asking_sentence(question))
    _, regimens, _ = _named(normalize(correct(question)))
    catalogue = load_catalogue()
    focus = [r.id for r in map(catalogue.resolve, regimens) if r is not None]
    if added := _added_regimen(question):  # "keep sintilimab, add ipilimumab": the combination
        focus = [added]
    patient = bool(reading.profile)
    text = normalize(question)
    # A drug the review never names beside a described patient ("Crohn's on infliximab") is
    # their medication, not the question: the patient's question is still answered.
    facts = any(k not in ("line", "prior_regimens", "unconfirmed") for k in reading.profile)
    # A measure the review never gives ("median DoR in IMbrave150") is said to be missing, and
    # the trial's own figures follow; only what else is absent replaces the question.
    elsewhere = [a for a in absent if a.kind != "measure"]
    if elsewhere and not _names_review_trial(question) and not facts:
        # Nothing the review has is asked about: what it says nearest, never another's figures.
        nearby = next((a.nearby for a in elsewhere if a.nearby), "") or question
        result = Plan(Intent.GENERAL, [ToolCall("search_review", {"query": nearby, "k": 4})])
    elif (
        (_CLAIM.search(text) or _WHY.search(text) or ask.is_("statement"))
        and not asks_across_records(text)
        and not _ABOUT_PATIENT.search(text)
        and not _describes_patient(reading.profile)
    ):
        # "Did LEAP-002 meet its primary endpoint?", "why is STRIDE not for ...?": the review's
        # own sentences answer it, whatever patient words the question uses as its topic; the
        # figures of the trials it names or describes back the sentences up.
        k = 8 if _names_review_trial(question) else 4  # a named trial's passages may rank lower
        calls = [ToolCall("search_review", {"query": question, "k": k}), *_backing(question)]
        # "Why is len + anti-PD-1 the go-to for downstaging?": the rule core's options for the
        # setting it names (a goal, the regimens already failed) back the review's reasons.
        topic = {k: v for k, v in reading.profile.items() if k in ("goal", "prior_regimens")}
        if topic and focus:
            line = {"line": "later"} if topic.get("prior_regimens") else {}
            calls.append(ToolCall("select_regimens", {"profile": topic | line}))
        result = Plan(Intent.GENERAL, calls)
    else:
        result = _plan(question, reading, current, earlier_tools, lookups)
    result.reading = reading
    result.focus = focus
    result.question = question
    result.absent = absent
    # A regimen already received is history, not the plan asked about ("PD on lenvatinib;
    # registrar suggests apatinib next"), unless it is the only one named.
    received = set(reading.profile.get("prior_regimens", ()))
    planned = [r for r in focus if not _received(r, received, reading.profile)] or focus
    result.focus = planned if len(planned) < len(focus) else focus
    result.asked_as = ask.label if ask.is_(ask.label or "") else None
    # The rules' cues, or a phrasing the examples know ("onc wants len/pembro - your take?")
    result.asks_verdict = patient and (
        asks_verdict(question, result.focus)
        or asks_verdict(question, result.focus, by_example=ask.is_("verdict"))
    )
    asked = _last_question(question)
    result.yes_no = bool(_YES_NO.match(question) or _YES_NO.match(asked)) or (
        result.asks_verdict and bool(_GO_AHEAD.search(asked))  # "start atezo/bev now?"
    )
    named_trials, _, _ = _named(normalize(correct(question)))
    registry = load_trials()
    result.trials = [t.id for n in named_trials for t in registry.lookup(n)[:1]]
    if result.asks_verdict and not any(c.name == "select_regimens" for c in result.calls):
        profile = {k: v for k, v in reading.profile.items()}
        result.calls.insert(0, ToolCall("select_regimens", {"profile": profile}))
        if result.intent not in (Intent.FIRST_LINE, Intent.LATER_LINE):
            later = bool(profile.get("prior_regimens")) or profile.get("line") == "later"
            result.intent = Intent.LATER_LINE if later else Intent.FIRST_LINE
    _assume_first_line(result)
    # A named TACE, HAIC or SBRT plan is judged by the locoregional choice.
    locoregional = any(catalogue.regimen(r).is_locoregional for r in result.focus)
    judged = any(c.name == "locoregional_options" for c in result.calls)
    if result.asks_verdict and locoregional and not judged:
        profile = {k: v for k, v in reading.profile.items()}
        result.calls.append(ToolCall("locoregional_options", {"profile": profile}))
    return result


def _received(regimen: str, received: set[str], profile: dict[str, Any]) -> bool:
    """Whether a regimen named is one the patient had: itself, or made of drugs received and
    TACE already given ("then TACE + lenvatinib" is lenvatinib received and TACE done)."""
    if regimen in received:
        return True
    catalogue = load_catalogue()
    given = {a for r in received if r in catalogue.regimens for a in catalogue.regimen(r).agents}
    if profile.get("prior_tace") in ("some", "heavily_pretreated"):
        given.add("tace")
    agents = set(catalogue.regimen(regimen).agents)
    return len(agents) > 1 and agents <= given


_ADD = re.compile(r"\b(?:add|adding|adds|added|on\s+top\s+of)\b", re.I)


def _added_regimen(question: str) -> str | None:
    """The regimen a plan to add a drug makes ("plan to add pembro to the lenvatinib", "keep
    sintilimab, add ipilimumab"): the drugs of the sentence that adds, as one regimen of the
    catalogue, itself or by class (sintilimab + ipilimumab is an anti-PD-1 + ipilimumab), or the
    either-or regimen that holds them (atezolizumab + lenvatinib or sorafenib)."""
    sentence = next((s for s in sentences_of(question) if _ADD.search(s)), "")
    if not sentence:
        return None
    catalogue = load_catalogue()
    drugs: set[str] = set()
    for token, _, _ in load_vocabulary().matches(sentence):
        kind, _, key = token.partition("_")
        if kind == "agent":
            drugs.add(key)
        elif kind == "regimen" and key in catalogue.regimens:
            drugs |= set(catalogue.regimen(key).agents)
    # a class the alias names ("add ipilimumab": anti-PD-1 + ipilimumab) beside the drug of it
    # the sentence names (sintilimab) is that drug
    drugs = {d for d in drugs if not any(d in catalogue.agents[o].classes for o in drugs - {d})}
    if len(drugs) < 2:
        return None
    for regimen in catalogue.regimens.values():
        if set(regimen.agents) == drugs:
            return regimen.id
    for regimen in catalogue.regimens.values():  # by class: the drugs as the review names them
        if catalogue.covers(regimen.agents, drugs):
            return regimen.id
    either = [r for r in catalogue.regimens.values() if " or " in r.name and drugs < set(r.agents)]
    return either[0].id if either else None


def _alone(text: str) -> list[str]:
    """Names of the one-drug regimens of the drugs a text names ("durva" -> Durvalumab)."""
    catalogue = load_catalogue()
    return [
        catalogue.regimen(r).name
        for token, _, _ in load_vocabulary().matches(text)
        if token.startswith("agent_")
        for r in catalogue.alone(token.removeprefix("agent_"))
    ]


def _assume_first_line(result: Plan) -> None:
    """A first-line answer for a patient whose line was never said takes them as untreated, and
    says so: the profile shown and the tools' profile carry the line the answer is for."""
    if result.intent is not Intent.FIRST_LINE:
        return
    for call in result.calls:
        profile = call.args.get("profile")
        if not isinstance(profile, dict) or profile.get("prior_regimens"):
            continue
        if "line" not in profile:
            call.args["profile"] = {**profile, "line": "first"}
            if "line" not in result.assumed:
                result.assumed.append("line")


# Questions about a trial's outcome that a sentence of the review settles, yes or no.
_CLAIM = re.compile(
    r"\b(?:primary\s+end-?points?|end-?points?|met|meet|meets|approv\w*|superior\w*|non-?inferior\w*"
    r"|statistical(?:ly)?\s+significan\w*|positive|negative)\b(?!\s+(?:predictive|rate|mesenteric|vena))"
    r"(?=.*\?|.*\b(?:did|does|was|were|is)\b)|\b(?:did|does|was|were|is)\b[^?]{0,60}\b(?:meet|met|"
    r"approved|superior|positive|negative|significant)\b",
)
# A question about one's own patient ("why is atezo/bev avoided for my patient?", "does she
# meet the criteria?"): the rule core answers it, not a sentence about a trial.
_ABOUT_PATIENT = re.compile(
    r"\b(?:my|this|our|the)\s+(?:patient|pt|man|woman|lady|gentleman|case)\b|\b(?:he|she|him|her)\b"
    r"|\bmeets?\s+(?:\w+\s+){0,4}criteri"
)
_YES_NO = re.compile(
    # "In CheckMate 9DW, was DCR higher?": a leading phrase may set the scene.
    r"^\s*(?:and\s+)?(?:(?:in|for|with|at|on)\b[^,?]{1,40},\s*)?"
    r"(?:did|does|do|is|are|was|were|can|could|should|would|has|have|had|will)\b"
    # a bare "- significant?" after the figures asks whether they were
    r"|^\s*(?:and\s+)?(?:was\s+it\s+)?(?:stat(?:istically)?\s+)?significan\w*\s*\?\s*$",
    re.IGNORECASE,
)


# Where a question's last sentence or clause starts: "ECOG 2, CP-A6. surgeons want conversion —
# does he meet the criteria?" asks yes or no after its facts.
_CLAUSE_BREAK = re.compile(r"[.!?;:]\s+|\s+[—–-]+\s+|,\s+(?=(?:and\s+)?(?:did|does|is|was|were)\b)")


# A named plan put as a question to go ahead with, or to be told it is all right: yes or no.
_GO_AHEAD = re.compile(
    r"^\s*(?:(?:so|and|then|ok|okay)\W+)?(?:start|give|go|proceed|continue|begin|use|try|add"
    r"|switch|keep)\b|\b(?:ok|okay|safe|reasonable|fine|appropriate|sensible|alright|allowed)"
    r"\s*\?\s*$",
    re.IGNORECASE,
)


def _last_question(question: str) -> str:
    text = question.strip()
    if not text.endswith("?"):
        return ""
    return _CLAUSE_BREAK.split(text.rstrip("?").strip())[-1] + "?"


# Facts that describe a patient (not only a goal, a priority, a line or a region, which a
# question about the review's advice can carry as its topic: "for borderline resectable HCC").
_TOPIC_FACTS = ("line", "prior_regimens", "unconfirmed", "goal", "priority", "region")


def _describes_patient(profile: dict[str, Any]) -> bool:
    return any(k not in _TOPIC_FACTS for k in profile)


# What a why-question's topic measures when it names no figure: conversion rests on response and
# progression (the review: STRIDE's "high PD rate" makes it unsuitable); living longer is OS.
_TOPIC_METRICS = (
    (
        re.compile(r"\b(?:borderline|conversion|convert|downstag\w*|downsiz\w*|resect\w*)"),
        ["ORR", "PD rate"],
    ),
    (re.compile(r"\b(?:live|lived|living|survive\w*|survival)\b"), ["mOS"]),
)


def _backing(question: str) -> list[ToolCall]:
    """Lookups of the trials a why- or claim-question names or describes (two at most)."""
    text = normalize(correct(question))
    trials, regimens, _ = _named(text)
    names = study_names(trials, regimens, question, text, bool(_ABOUT_STUDY.search(text)))
    # the trial it describes besides those it names ("... than lenvatinib in the original
    # non-inferiority trial"): described with the named ones left out, which would crowd it
    names += [n for n in described_trials(_unnamed(question)) if n not in names]
    metrics = metrics_asked(text) or [
        m for pattern, found in _TOPIC_METRICS if pattern.search(text) for m in found
    ]
    extra = {"metric": list(dict.fromkeys(metrics))} if metrics else {}
    return [ToolCall("lookup_trial", {"name": n, **extra}) for n in names[:3]]


def _unnamed(question: str) -> str:
    """The question with the trial names it uses blanked out."""
    text = normalize(question)
    for token, start, end in reversed(load_vocabulary().matches(question)):
        if token.startswith("trial_"):
            text = text[:start] + " " * (end - start) + text[end:]
    return text


def _names_review_trial(question: str) -> bool:
    trials, _, _ = _named(normalize(correct(question)))
    return bool(trials)


def plan_parts(
    question: str,
    reading: Reading,
    current: Reading,
    earlier_tools: tuple[str, ...] = (),
    lookups: list[dict[str, Any]] | None = None,
) -> list[Plan]:
    """One plan per part asked; a part that names no trial or regimen borrows the question's."""
    parts = split_parts(question)
    if len(parts) == 1:
        return [plan(question, reading, current, earlier_tools, lookups)]
    trials, regimens, _ = _named(normalize(correct(question)))
    absent = absent_things(question)
    plans = []
    for text in parts:
        own_trials, own_regimens, _ = _named(normalize(correct(text)))
        borrowed = text
        own_absent = absent_things(text)
        if not (own_trials or own_regimens or own_absent):
            # "...; PFS numbers?": the part asks about what the question names
            own_absent = absent
            if trials or regimens:
                borrowed = f"{text} ({', '.join([*trials, *regimens])})"
        planned = plan(borrowed, reading, current, earlier_tools, lookups, own_absent)
        planned.question = text
        plans.append(planned)
    return plans


def _plan(
    question: str,
    reading: Reading,
    current: Reading,
    earlier_tools: tuple[str, ...],
    lookups: list[dict[str, Any]] | None = None,
) -> Plan:
    """The intent of `question` and the tool calls that answer it, by the first rule that fits.

    `lookups` are the trial lookups of the previous turn: "how does that compare with
    CARES-310?" asks for the same figure in one more trial.
    """
    question = correct(question)
    text = normalize(question)
    profile = reading.profile
    problems = current.problems or reading.problems[-1:]
    if problems:
        return Plan(Intent.IMPOSSIBLE, profile=profile, problems=problems)
    if reading.conflicts:  # asked back in plain words, never answered on a guess
        return Plan(Intent.CLARIFY, profile=profile, problems=reading.conflicts)
    trials, regimens, domain = _named(text)
    metrics = metrics_asked(text)
    if _DOSE_CHANGE.search(text):  # the toxicity that prompts it is not what is asked
        metrics = ["dose"]
    # Facts about a patient; a line or a prior regimen alone can also frame a study question.
    said = current.profile
    patient_facts = any(k not in ("line", "prior_regimens", "unconfirmed") for k in said)
    facts = patient_facts or "prior_regimens" in said
    about_study = bool(_ABOUT_STUDY.search(text))
    # "Lenvatinib or sorafenib first line?" after the patient's facts asks for a choice; "the
    # Chinese subgroup of the lenvatinib vs sorafenib trial" is about the trial.
    choosing = len(regimens) >= 2 or "line" in said
    choice = patient_facts and not about_study and choosing
    selection = bool(_SELECTION.search(text) or (choice and _CHOICE.search(text)))
    follow_up = bool(earlier_tools) and (facts or bool(_FOLLOW_UP.search(text)))
    comparable = [m for m in metrics if m in COMPARABLE]
    order = "lowest" if _LOWEST.search(text) else "highest" if _HIGHEST.search(text) else None

    sizes = ["n"] if "n" in metrics else []  # "the biggest three RCTs by number randomised"
    # "which RCTs had a sorafenib arm" reads as a prior regimen to the reader; about arms it is not
    named = bool(trials or patient_facts or (facts and not _ABOUT_ARMS.search(text)))
    ranking = _ranking_plan(text, comparable + sizes, order, named, regimens)
    if ranking is not None:
        return ranking
    unnamed = not (trials or regimens or patient_facts)
    if lookups and metrics and unnamed and points_back(text):  # "and the PD rate?"
        carried = carried_calls(lookups, metrics, comparable, order)
        if carried:
            intent = Intent.COMPARISON if carried[0][0] == "compare_trials" else Intent.TRIAL_FACT
            calls = [ToolCall(name, args) for name, args in carried]
            return Plan(intent, calls, metric=", ".join(metrics))
    # "and for len/pembro?" after a figure: the same figure, for the regimen now named
    carries = bool(lookups) and points_back(text) and not patient_facts
    if carries and not (trials or regimens):  # "durva alone?": a drug alone is its own regimen
        regimens = _alone(text)
    named_study = trials or (regimens and (metrics or about_study or carries))
    if named_study and not (patient_facts and selection):
        return _study_plan(question, text, trials, regimens, metrics, lookups or [])
    if about_study and not patient_facts and not _CRITERIA.search(text):
        # "what do the renal cell carcinoma trials say": the passages, and the trials described
        described = [ToolCall("lookup_trial", {"name": n}) for n in described_trials(question)]
        calls = [ToolCall("search_review", {"query": question, "k": 4}), *described[:2]]
        return Plan(Intent.GENERAL, calls)
    if _CRITERIA.search(text) and not (patient_facts and selection):
        if not patient_facts:
            return Plan(Intent.CRITERIA, [ToolCall("check_resectability", {"profile": profile})])
        # "her chances of resection after atezo/bev": the drug is the plan, not a failed line,
        # and the goal is conversion; the regimen choice comes with the criteria.
        last = max((f.turn for f in reading.facts), default=0)
        planned = {k: v for k, v in profile.items() if k not in ("prior_regimens", "line")}
        earlier = [str(f.value) for f in reading.regimens if f.turn < last]
        planned |= {"prior_regimens": earlier} if earlier else {}
        planned.setdefault("goal", "conversion")
        calls = [
            ToolCall("check_resectability", {"profile": planned}),
            ToolCall("select_regimens", {"profile": planned}),
        ]
        return Plan(Intent.CRITERIA, calls, planned)
    # "When does the review suggest SBRT?" with no patient at all: what the review says.
    if _LOCOREGIONAL.search(text) and (facts or "locoregional_options" in earlier_tools):
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


def _ranking_plan(
    text: str, comparable: list[str], order: str | None, named: bool, regimens: list[str]
) -> Plan | None:
    """Trial arms ranked on a figure ("lowest PD rate among the ICI + TKI combos"), or None.

    A category ("bevacizumab-type") or a control arm ("which sorafenib arm") may name a regimen
    without asking about that regimen's own trials; "sorafenib-controlled" or "than their own
    sorafenib control arm" names the control of the arms ranked.
    """
    if place := _region_asked(text):  # "which trials were run only in China?"
        return Plan(Intent.COMPARISON, [ToolCall("list_trials", {"region": place})])
    category, spot = None, None
    for name, pattern in _CATEGORIES.items():
        if found := re.search(pattern, text):
            category, spot = name, found
            break
    # "vs sorafenib" names the comparator the ranked arms were measured against, not an arm;
    # "lenvatinib (not sorafenib)" excludes one.
    regimens = [
        r
        for r in regimens
        if not re.search(
            rf"\b(?:vs\.?|versus|against|compared\s+(?:with|to)|not)\s+{re.escape(r)}", text
        )
    ]
    across = _across(text, regimens)
    controlled = across.get("control")
    regimens = [r for r in regimens if r != controlled]
    control = bool(_CONTROL.search(text)) or any(
        re.search(
            rf"\b(?:which|a|an|the|their|its)\s+{re.escape(r)}\s+(?:control\s+|comparator\s+)?arm\b"
            rf"|\b{re.escape(r)}\s+(?:control\s+|comparator\s+)?arms\b",
            text,
            re.IGNORECASE,
        )
        for r in regimens
    )
    if across.get("versus_control") or across.get("by"):
        control = False  # the arms ranked are measured against their control, not the control
    limits = _limits(text)
    listing = control and regimens and re.search(r"\bwhich\b", text)  # "which used X as control"
    asks_to_rank = (
        _COMPARISON.search(text)
        or (category and re.search(r"\bcompare\w*", text))
        or limits
        or across
        or listing
    )
    if not (asks_to_rank and comparable) or named or (regimens and not (category or control)):
        return None
    metric = comparable[0]
    if "significant" in across:  # significance is read from a hazard ratio's printed CI
        metric = {"mOS": "OS HR", "mPFS": "PFS HR"}.get(metric, metric)
        if metric not in ("OS HR", "PFS HR"):
            return None
    args: dict[str, Any] = {"metric": metric, "order": order or "best", **limits, **across}
    # "atezo/bev vs the anti-PD-1 + TKI combos" compares across categories: no restriction
    inside = spot is not None and all(spot.start() <= text.find(r) < spot.end() for r in regimens)
    if spot and (_AMONG.search(text) or (inside and _CATEGORY_NOUN.match(text[spot.end() :]))):
        args["category"] = category
    if _BEYOND_TABLE.search(text) and not re.search(r"\btable\s*1\b", text):
        args["scope"] = "all"
    if control:
        # Over every trial a regimen's arm may be experimental (SHARP's sorafenib vs placebo).
        explicit = re.search(r"\b(?:control|comparator|reference)\b", text)
        args["arms"] = "any" if args.get("scope") == "all" and not explicit else "control"
        args |= {"regimen": regimens[0]} if regimens else {}
    return Plan(Intent.COMPARISON, [ToolCall("compare_trials", args)], metric=metric)


# "which of the trials were run only in China", "studies conducted in Japan".
_RUN_IN = re.compile(
    r"\b(?:trials?|studies|rcts?|cohorts?)\b[^?]{0,40}?\b(?:run|conducted|done|performed|carried"
    r"\s+out|held|based|recruited)\s+(?:only\s+|solely\s+|exclusively\s+|entirely\s+)?in\s+"
    r"(?:the\s+)?(?P<place>[\w-]+)"
)


def _region_asked(text: str) -> str | None:
    """The place a question asks the trials of, as the records print it, or None."""
    found = _RUN_IN.search(text)
    if not found:
        return None
    places = {t.region.where.lower(): t.region.where for t in load_trials().trials if t.region}
    return places.get(found.group("place").lower())


_ABOUT_ARMS = re.compile(
    r"\b(?:arms?|rcts?|trials?|studies|[\w-]+-controlled|phase\s*(?:3|iii)s?)\b"
)
# Beyond Table 1: "which RCTs in the review", "of the trials discussed", "any first-line trial".
_BEYOND_TABLE = re.compile(
    r"\b(?:in|across|from)\s+(?:the\s+)?(?:whole\s+)?review\b|\bdiscussed\b"
    r"|\b(?:any|all|every)\s+(?:of\s+the\s+)?(?:first[\s-]line\s+|1l\s+)?(?:rcts?|trials?|studies)\b"
)
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5}
# "top two ORRs", "the biggest three trials", "best 3 OS HRs".
_TOP = re.compile(
    r"\b(?:top|best|biggest|largest|highest|lowest|worst|first)\s+(two|three|four|five|[2-5])\b"
)
# "fewer grade 3 TRAEs than their own sorafenib control arm", "more ... than its control".
_VERSUS_CONTROL = re.compile(
    r"\b(?P<side>fewer|less|lower|shorter|smaller|more|higher|greater|longer|bigger)\b[^?.]{0,60}?"
    r"\bthan\s+(?:its|their|the)\s+(?:own\s+)?(?:(?P<regimen>[\w/+-]+)\s+)?(?:control|comparator)"
)
# "the biggest absolute mOS gain over its control", "largest OS improvement vs control".
_GAIN = re.compile(
    r"\b(?:absolute\s+)?(?:gain|improvement|difference|benefit|delta)\b[^?.]{0,30}?"
    r"\b(?:over|vs\.?|versus|compared\s+(?:with|to)|relative\s+to|from)\s+(?:its|their|the)\s+"
    r"(?:own\s+)?(?:control|comparator)"
)
_CONTROLLED = re.compile(r"\b([\w/+-]+)[\s-]controlled\b")
# "did NOT show a significant PFS benefit", "HR CI crossing 1", "which were significant".
_SIGNIFICANCE = re.compile(
    r"\bsignifican\w*|\bci\s+(?:crossing|cross(?:es)?|includ\w*|spann\w*|excluding|excludes?)\s+1\b"
)
_NOT_SIGNIFICANT = re.compile(
    r"\b(?:not|n't|no|non|without|failed|fail|miss\w*|lack\w*)\b[^?.]{0,25}\bsignifican"
    r"|\bnon-?significan|\binsignifican|\bci\s+(?:crossing|cross(?:es)?|includ\w*|spann\w*)\s+1\b"
)
_ACROSS_ARMS = re.compile(r"\b(?:which|among|across|of\s+the)\b")


def _across(text: str, regimens: list[str]) -> dict[str, Any]:
    """What a question across trial records asks beyond a plain ranking: the top N, arms
    against their own control (fewer, more, the largest gain), significance by the printed CI,
    or only the trials with a given control regimen."""
    found: dict[str, Any] = {}
    if top := _TOP.search(text):
        found["top"] = _NUMBER_WORDS[top.group(1)]
    if versus := _VERSUS_CONTROL.search(text):
        low = versus.group("side") in ("fewer", "less", "lower", "shorter", "smaller")
        found["versus_control"] = "lower" if low else "higher"
        if versus.group("regimen") in regimens:
            found["control"] = versus.group("regimen")
    if _GAIN.search(text):
        found["by"] = "difference"
    if (controlled := _CONTROLLED.search(text)) and controlled.group(1) in regimens:
        found["control"] = controlled.group(1)
    if _SIGNIFICANCE.search(text) and _ACROSS_ARMS.search(text):
        found["significant"] = not _NOT_SIGNIFICANT.search(text)
    return found


def asks_across_records(text: str) -> bool:
    """ "Which combos did NOT show a significant PFS benefit?" is read from the records' CIs,
    not from a sentence of the review: a significance asked across arms, on a named figure."""
    asked = [m for m in metrics_asked(text) if m in COMPARABLE]
    return bool(asked) and "significant" in _across(text, []) and not _names_review_trial(text)


# "PFS HR of 0.55 or lower", "median OS under 11 months", "ORR above 30%": a filter on the figure.
_AT_MOST = re.compile(
    r"(?:\bunder|\bbelow|\bless\s+than|<=?|≤|\bat\s+most|\bno\s+more\s+than)\s*(\d+(?:\.\d+)?)"
    r"|(\d+(?:\.\d+)?)\s*%?\s*(?:months?\s+)?or\s+(?:lower|less|below|fewer|under)\b"
)
_AT_LEAST = re.compile(
    r"(?:\bover|\babove|\bmore\s+than|\bgreater\s+than|>=?|≥|\bat\s+least)\s*(\d+(?:\.\d+)?)"
    r"|(\d+(?:\.\d+)?)\s*%?\s*(?:months?\s+)?or\s+(?:higher|more|above|greater|longer)\b"
)
_GRADE = re.compile(r"\bgrade\s*$")  # "grade>=3" is the toxicity asked, not a limit


def _limits(text: str) -> dict[str, float]:
    limits = {}
    for key, pattern in (("at_most", _AT_MOST), ("at_least", _AT_LEAST)):
        for found in pattern.finditer(text):
            if not _GRADE.search(text[: found.start()]):
                limits[key] = float(found.group(1) or found.group(2))
                break
    return limits


def _study_plan(
    question: str,
    text: str,
    trials: list[str],
    regimens: list[str],
    metrics: list[str],
    lookups: list[dict[str, Any]],
) -> Plan:
    """Figures of the trials a question names or describes, or what the review says of them."""
    names = study_names(trials, regimens, question, text, bool(_ABOUT_STUDY.search(text)))
    looked = [call for call in lookups if call.get("tool", "lookup_trial") == "lookup_trial"]
    if looked and not metrics and _FOLLOW_UP_COMPARE.search(text):  # "compare with CARES-310?"
        metrics = [m for call in looked for m in _as_list(call.get("metric"))]
        names = [*(str(call["name"]) for call in looked), *names]
    elif looked and not metrics and not trials and points_back(text):  # "and for len/pembro?"
        metrics = [m for call in looked for m in _as_list(call.get("metric"))]
    if looked and not trials and _ARM_OF.search(text):
        # "and the sorafenib arm ORR?": that arm of the trial just asked about
        names = list(dict.fromkeys(str(call["name"]) for call in looked))
    if metrics and "n" not in metrics and states_size(names, text):  # "the 917-patient study"
        metrics = [*metrics, "n"]
    extra = {"metric": list(dict.fromkeys(metrics))} if metrics else {}
    calls = [ToolCall("lookup_trial", {"name": n, **extra}) for n in dict.fromkeys(names)]
    if _WHY.search(text) or not calls:  # an explanation lives in the text, figures in records
        calls = [ToolCall("search_review", {"query": question, "k": 4}), *calls[:2]]
    return Plan(Intent.TRIAL_FACT, calls[:4], metric=", ".join(metrics) or None)


def _selection_plan(profile: dict[str, Any], earlier_tools: tuple[str, ...]) -> Plan:
    later = profile.get("line") == "later" or bool(profile.get("prior_regimens"))
    calls = [ToolCall("select_regimens", {"profile": profile})]
    wants_criteria = profile.get("goal") == "conversion" or "check_resectability" in earlier_tools
    if wants_criteria and not later:
        calls.append(ToolCall("check_resectability", {"profile": profile}))
    if "locoregional_options" in earlier_tools:
        calls.append(ToolCall("locoregional_options", {"profile": profile}))
    return Plan(Intent.LATER_LINE if later else Intent.FIRST_LINE, calls, profile)


__all__ = ["PROFILE_TOOLS", "Intent", "Plan", "ToolCall", "plan", "plan_parts"]
