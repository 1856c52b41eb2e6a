"""From facts to the patient profile: which statement decides each field, and failing safe.

- A later message decides over an earlier one (the clinician's latest word); regimens received
  add up across messages.
- Within a message, a fact said to hold now ("new large varices today") beats one that is not,
  and for facts that change over time the later statement wins.
- A contraindication stated both ways, or only uncertainly, is held at its fail-safe value
  (possibly present) and listed as unconfirmed, so the rule core does not recommend what it
  rules out and the answer asks the clinician to confirm it.
- Contradictions the rule core cannot take ("first line" for a patient who has progressed on a
  regimen) become plain questions, never errors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from clinical.reader.facts import Fact, Status
from clinical.reader.lexicon import field_spec
from corpus.regimens import load_catalogue

# Varices from safest to most dangerous: a conflict settles on the more dangerous state.
_VARICES_DANGER = {"none": 0, "treated": 1, "untreated_or_severe": 2}
_CERTAIN = (Status.PRESENT, Status.ABSENT)
_REPLACING = re.compile(r"\binstead\b|\brather\s+than\b|\bnot\s+\w+(?:/\w+)?\s+but\b", re.I)


def _same_sentence(a: Fact, b: Fact, text: str) -> bool:
    low, high = sorted((a, b), key=lambda f: f.start)
    return not re.search(r"[.;!?\n]", text[low.end : high.start])


def _site(fact: Fact) -> str | None:
    words = fact.words.lower()
    if re.search(r"gastric|fundal|gov|igv|cardia", words):
        return "gastric"
    if re.search(r"o?esophag", words):
        return "oesophageal"
    return None


# A varices mention that is a screen still to come, not a what-if about the result.
_SCREENING = re.compile(
    r"\b(?:screen\w*|look(?:ing)? for|assess\w*|exclude|check\w* for|r/o|rule out)\b"
)


def _varices(facts: list[Fact], text: str) -> Fact | None:
    """The varices state a message settles on (treatment applies to the varices beside it)."""
    named = [f for f in facts if f.value == "mentioned"]
    states = [f for f in facts if f.value != "mentioned"]
    certain = [f for f in states if f.status in _CERTAIN]
    if not certain:
        uncertain = [f for f in states if f.status is Status.UNCERTAIN]
        if uncertain:  # "unclear if banded": open, at the most dangerous state it leaves open
            return uncertain[-1].model_copy(update={"value": "untreated_or_severe"})
        # A past state ("banded then", years ago): the profile holds it at its fail-safe value.
        past = [f for f in states if f.status is Status.HISTORICAL]
        if past and not any(f.status is Status.PRESENT for f in named):
            return past[-1]
        present = [f for f in named if f.status is Status.PRESENT]
        if present:  # varices named, their state not said: possibly untreated
            return present[-1].model_copy(
                update={"value": "untreated_or_severe", "status": Status.UNCERTAIN}
            )
        # Only denials of bare varices ("no varices") or historical / uncertain mentions.
        denied = [f for f in named if f.status is Status.ABSENT]
        if denied:
            return denied[-1].model_copy(update={"value": "none"})
        others = [f for f in named if f.status in (Status.UNCERTAIN, Status.HISTORICAL)]
        if others:
            return others[-1].model_copy(
                update={"value": "untreated_or_severe", "status": Status.UNCERTAIN}
            )
        return None
    # Fail safe within one message: varices stated untreated stay so unless a treatment said
    # after them finished the job ("large varices ... banded to eradication"); a treatment
    # before them ("previously banded varices have recurred, not banded yet") or beside them
    # ("no banding (pt refused EVL)") does not settle it.
    # A doubt said after every plain statement ("EVL 2018, unclear if eradicated") is the
    # latest word on them: possibly untreated, to be confirmed.
    doubts = [f for f in states if f.status is Status.UNCERTAIN]
    if doubts and all((f.turn, f.start) < (doubts[-1].turn, doubts[-1].start) for f in certain):
        return doubts[-1].model_copy(update={"value": "untreated_or_severe"})
    spec = field_spec("varices")
    said = spec.untreated_said
    untreated = [
        f
        for f in certain
        if f.value == "untreated_or_severe" and said is not None and said.search(f.words.lower())
    ]
    if untreated:
        settles = spec.settles
        later = [
            f
            for f in certain
            if f.value != "untreated_or_severe"
            and (f.turn, f.start) > (untreated[-1].turn, untreated[-1].start)
        ]
        finished = [
            f for f in later if f.value == "none" or (settles and settles.search(f.words.lower()))
        ]
        if not finished:
            return untreated[-1]
    current = [f for f in certain if f.current]
    if current:
        return current[-1]
    found = [f for f in certain if f.value != "none"]
    # "Grade 1 oesophageal varices ... no gastric varices": a site denied leaves the other.
    certain = [
        f
        for f in certain
        if f.value != "none" or not any(_site(f) and _site(o) != _site(f) for o in found)
    ]
    decided = certain[-1]
    if decided.value == "none" and any(f.value == "treated" for f in certain):
        # Banded, then none left on endoscopy: eradicated, which counts as treated.
        return next(f for f in reversed(certain) if f.value == "treated")
    return decided


# Facts that add up over a history: the most said of them stands.
_CUMULATIVE = {"prior_tace": ("none", "some", "heavily_pretreated")}
_RANK = {Status.PRESENT: 4, Status.UNCERTAIN: 3, Status.HISTORICAL: 2, Status.ABSENT: 1}


def _any_of(name: str, facts: list[Fact]) -> Fact | None:
    """A field that gathers several conditions (autoimmune diseases, organs): each is its own
    fact, so one stated present is not undone by another one denied ("lupus: no; RA: yes")."""
    ranked = [f for f in facts if f.status in _RANK and f.value not in ("present", "mentioned")]
    if not ranked:
        return None
    positive = [f for f in ranked if f.value is True or f.status is not Status.ABSENT]
    pool = positive or ranked
    current = [f for f in pool if f.current and f.status is Status.PRESENT]
    return current[-1] if current else max(pool, key=lambda f: (_RANK[f.status], f.end))


def _danger(field: str, value: Any) -> int:
    if field == "varices":
        return _VARICES_DANGER.get(str(value), 0)
    if field == "child_pugh_class":
        return {"A": 0, "B": 1, "C": 2}.get(str(value), 0)
    if field == "ecog" and isinstance(value, int):
        return value
    return 1 if value is True or (value is not None and value == field_spec(field).fail_safe) else 0


def _decide(name: str, facts: list[Fact], text: str) -> tuple[Fact | None, str | None]:
    """The fact that decides one field in one message, and a conflict worth asking about."""
    spec = field_spec(name)
    planned = [f for f in facts if f.status is Status.HYPOTHETICAL and not f.asked]
    facts = [f for f in facts if f not in planned]
    if name == "varices":
        # Varices named but not described ("screen for varices", "if EGD shows varices") are
        # open, hence possibly untreated: a screen still to come, or a what-if that supposes them.
        screens = [f for f in planned if _SCREENING.search(f.words.lower())]
        if not facts and screens:
            unsure = {"value": "untreated_or_severe", "status": Status.UNCERTAIN}
            return screens[-1].model_copy(update=unsure), None
        facts = [
            f.model_copy(update={"value": "untreated_or_severe"})
            if f.asked and f.value == "mentioned"
            else f
            for f in facts
        ]
    if not facts:  # only a plan ("EGD pending"): the field's policy says what it gives
        return (planned[-1] if planned else None), None
    asked = [f for f in facts if f.asked]
    if asked:  # "what if she had a transplant?": answered as asked
        said = [f for f in facts if f.status in _CERTAIN and not f.asked]
        if spec.safety and said:  # "what if she had RA (she doesn't)": the safer of the two
            # (said first: at equal danger the patient's own fact, "Real patient: LDLT 2015")
            return max([said[-1], asked[-1]], key=lambda f: _danger(name, f.value)), None
        if said:  # "if there were 2 lesions instead of 4? (There are 4.)": the patient's own
            return said[-1], None
        if all(f.status is Status.UNCERTAIN for f in asked):
            # "Any chance of conversion or straight to maintenance?": the more demanding
            return max(asked, key=lambda f: _danger(name, f.value)), None
        return asked[-1], None
    if name == "varices":
        return _varices(facts, text), None
    if spec.any_of:
        return _any_of(name, facts), None
    facts = [f for f in facts if f.value not in ("present", "mentioned")]
    certain = [f for f in facts if f.status in _CERTAIN]
    current = [f for f in certain if f.current]
    if current:
        return current[-1], None
    values = {repr(f.value) for f in certain}
    if name in _CUMULATIVE and len(values) > 1:
        # "5 TACEs, then TACE + lenvatinib": a later session does not undo the earlier ones.
        order = _CUMULATIVE[name]
        present = [f for f in certain if f.status is Status.PRESENT and f.value in order]
        if present:
            return max(present, key=lambda f: order.index(f.value)), None
    if name == "line" and "'later'" in values:  # "second line, prior 1L unknown": 1L is the past
        return next(f for f in reversed(certain) if f.value == "later"), None
    if len(values) > 1:
        if spec.safety and not spec.changes:
            worst = max(certain, key=lambda f: _danger(name, f.value))
            both = "; ".join(dict.fromkeys(f'"{f.words}"' for f in certain))
            return worst.model_copy(update={"status": Status.UNCERTAIN}), (
                f"The question states {name.replace('_', ' ')} both ways ({both})."
            )
        return certain[-1], None
    if certain:
        return certain[-1], None
    uncertain = [f for f in facts if f.status is Status.UNCERTAIN]
    if uncertain:
        return max(uncertain, key=lambda f: _danger(name, f.value)), None
    historical = [f for f in facts if f.status is Status.HISTORICAL]
    if historical:  # how a past state counts now is the profile's policy (profile.py)
        return historical[-1], None
    return None, None


def _placement_words(facts: list[Fact], text: str) -> list[Fact]:
    """ "atezo/bev first line failed": "first line" places a prior regimen, it is not the line
    asked about; drop such line facts."""
    regimens = [f for f in facts if f.field == "prior_regimens"]
    kept = []
    for fact in facts:
        placing = (
            fact.field == "line"
            and fact.value == "first"
            and any(
                (0 <= fact.start - r.end <= 30 or 0 <= r.start - fact.end <= 30)
                and _same_sentence(fact, r, text)
                for r in regimens
            )
        )
        if not placing:
            kept.append(fact)
    return kept


def _regimens(messages: Sequence[tuple[str, list[Fact]]]) -> tuple[list[str], list[Fact]]:
    """Regimens received, oldest first, across messages; "instead" replaces the earlier ones."""
    received: list[str] = []
    basis: list[Fact] = []
    for text, facts in messages:
        said = [f for f in facts if f.field == "prior_regimens"]
        if not said:
            continue
        new = [f for f in said if f.status in (Status.PRESENT, Status.HISTORICAL) or f.asked]
        new.sort(key=lambda f: f.rank)  # the order given ("regorafenib after sorafenib")
        denied = {f.value for f in said if f.status is Status.ABSENT}
        if new and _REPLACING.search(text):
            received, basis = [], []
        received = [r for r in received if r not in denied]
        for fact in new:
            if _part_of(str(fact.value), received):
                continue  # "atezo/bev ... bev held", "STRIDE, then durvalumab alone": one regimen
            if fact.value not in received and not (
                fact.status is Status.HYPOTHETICAL and not fact.asked
            ):
                received.append(str(fact.value))
                basis.append(fact)
    return received, basis


def _part_of(regimen: str, received: list[str]) -> bool:
    """The regimen's agents are part of a combination already received (its continuation)."""
    catalogue = load_catalogue()
    agents = set(catalogue.regimen(regimen).agents)
    return any(agents < set(catalogue.regimen(other).agents) for other in received)


def _denies_one(name: str, fact: Fact | None, earlier: Fact | None) -> bool:
    """A later denial of some conditions of a field that gathers several, beside an earlier
    condition stated: it leaves that condition standing unless it denies them all."""
    spec = field_spec(name)
    if not (spec.any_of and fact is not None and earlier is not None):
        return False
    if fact.status is not Status.ABSENT or earlier.status is Status.ABSENT:
        return False
    return spec.denies_all is None or not spec.denies_all.search(fact.words.lower())


def _planned(fact: Fact | None) -> bool:
    return fact is not None and fact.status is Status.HYPOTHETICAL and not fact.asked


def resolve(
    messages: Sequence[tuple[str, list[Fact]]],
) -> tuple[dict[str, Fact], list[str], list[Fact]]:
    """(the deciding fact per field, conflicts to ask about, the regimen facts) for messages
    given as (folded text, facts), oldest first."""
    decided: dict[str, Fact] = {}
    conflicts: list[str] = []
    for text, facts in messages:
        facts = _placement_words(facts, text)
        for name in dict.fromkeys(f.field for f in facts if f.field != "prior_regimens"):
            fact, conflict = _decide(name, [f for f in facts if f.field == name], text)
            earlier = decided.get(name)
            if _planned(fact) and earlier is not None and not _planned(earlier):
                # A later plan or candidacy ("transplant team says he's not eligible") states
                # nothing about now: what an earlier message stated stands.
                fact = None
            if _denies_one(name, fact, earlier):
                # "h/o lupus" then "PBC? no - PSC? no": denying other diseases leaves lupus
                fact = None
            if fact is not None:
                decided[name] = fact
            if conflict:
                conflicts.append(conflict)
    received, basis = _regimens(messages)
    if received:
        last = max(basis, key=lambda f: f.turn)
        line = decided.get("line")
        if line and line.value == "first" and line.turn >= last.turn and line.status in _CERTAIN:
            names = ", ".join(load_catalogue().regimen(r).name for r in received)
            conflicts.append(
                f"The conversation says the patient has already received {names}, but this "
                "question asks about first-line treatment. Is this a different patient, or do "
                "you mean the next line after it?"
            )
        decided["line"] = last.model_copy(
            update={"field": "line", "value": "later", "status": Status.PRESENT}
        )
    return decided, conflicts, basis
