"""What a question names that the review does not contain: trials, drugs, topics.

The review's own vocabulary says what it contains: its trial records and their aliases, the
regimen catalogue's drugs, and every word of its text. A trial-like name (letters and a number,
"KEYNOTE-240", "IMbrave050", or a capitalised acronym like "RESORCE") or a drug name ("-mab",
"-nib") outside it, or a topic listed in data/not_in_review.yaml, is declared absent: the answer
says so plainly instead of presenting another trial's figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from corpus.paths import REVIEW_PATH
from corpus.regimens import load_catalogue
from corpus.spelling import near_name
from corpus.trials import load_trials
from corpus.vocabulary import load_vocabulary, normalize
from corpus.yamlio import load_yaml

TOPICS_PATH = Path(__file__).resolve().parent / "data" / "not_in_review.yaml"
# A trial-like name as written: letters, then a number joined to them ("leap002", "IMbrave050"),
# after a hyphen ("KEYNOTE-394") or after a space ("CheckMate 459"). A decimal ("84.8") or a
# percentage is a figure, never a trial number.
_TRIALISH = re.compile(
    r"\b(?P<head>[A-Za-z][A-Za-z]{1,}(?:-[A-Za-z]{1,3})??)(?P<sep>[- ]?)"
    r"(?P<number>\d{2,4}[A-Za-z]{0,2}|\d[A-Za-z]{0,2})\b(?![.,]\d|\s*%)"
    r"|\b(?P<nct>NCT\d{8})\b",
    re.IGNORECASE,
)
# A number with a unit after it is a measurement ("weighs 80 kg"), not a trial's number.
_UNIT = re.compile(r"\s*(?:kg|cm|mm|mg|ml|years?|yrs?|yo|y/o|ng|iu|u/l|k\b|x\b|/)", re.IGNORECASE)
_ACRONYM = re.compile(r"\b([A-Z][A-Z-]{4,}[A-Z])\b")
_DRUG = re.compile(r"\b([a-z]{4,}(?:mab|nib|lib|cept|tinib|parib|ciclib))\b")
_KEY = re.compile(r"[^a-z0-9]+")
# Names with numbers that are clinical shorthand, not trials.
_NOT_TRIALS = re.compile(
    r"^(?:afp|nlr|plt|plts|platelets?|ecog|ps|vp|cp|child|bclc|grade|cycles?|doses?|mg|size|cm|mm"
    r"|segments?|seg|day|days|week|weeks|month|months|year|years|age|aged|bili|alb|albumin|inr|hb"
    r"|ct|mri|pet|egd|ogd|ldh|crp|alt|ast|ggt|lr|li-rads|up-to|upto|score|stage|step|phase|level"
    r"|type|class|cps|tps|n|x|q|bid|tid|bd|od|table|figure|fig|ref|refs|cohort|arm|line|ph|p"
    # Words before a figure in a question ("mOS under 11 months", "ORR above 30").
    r"|under|over|below|above|about|around|after|before|within|than|least|most|less|more|since"
    r"|until|between|approximately|roughly|nearly|almost|only|exactly|top|first|last|best)$"
)


@dataclass(frozen=True)
class Absent:
    kind: str  # trial, drug, topic, measure (named, never given a figure), figures (of a
    # trial the review names but reports nothing of)
    text: str  # as the question writes it
    nearby: str = ""  # a search query for what the review says nearest to it


def _key(text: str) -> str:
    return _KEY.sub("", text.lower())


@cache
def _known() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(trial keys, drug words, every word of the review and the vocabulary)."""
    trials = {_key(t.name) for t in load_trials().trials}
    trials |= {_key(a) for t in load_trials().trials for a in t.aliases}
    catalogue = load_catalogue()
    drugs = {
        w
        for a in catalogue.agents.values()
        for n in (a.name, *a.aliases)
        for w in n.lower().split()
    }
    review = normalize(REVIEW_PATH.read_text(encoding="utf-8"))
    words = set(re.findall(r"[a-z][a-z0-9-]+", review))
    # Every numbered name the review writes is in it, with a record or not ("CheckMate 040").
    trials |= {_key(m) for m in re.findall(r"\b[a-z]{2,}[- ]?\d+[a-z]*\b", review)}
    trials |= _cited_only()
    for concept in load_vocabulary().concepts.values():
        for form in concept.surface_forms:
            words |= set(re.findall(r"[a-z][a-z0-9-]+", form.lower()))
            # Drug and regimen names with numbers ("IBI305", "SCT-I10A") are names, not trials.
            trials.add(_key(form))
    return frozenset(trials), frozenset(drugs), frozenset(words)


@cache
def _cited_only() -> frozenset[str]:
    """Trials the review names (often only in a reference's title, "CheckMate 040 cohort 5")
    without reporting any figure of theirs: no trial record holds them."""
    records = {_key(t.name) for t in load_trials().trials}
    records |= {_key(a) for t in load_trials().trials for a in t.aliases}
    text = REVIEW_PATH.read_text(encoding="utf-8")
    # written as trial names are: CamelCase ("CheckMate") or capitals ("COMPASSION-08")
    named = re.findall(r"\b(?:[A-Z][a-z]+[A-Z][A-Za-z]*|[A-Z]{4,})[- ]\d{2,4}[A-Z]{0,2}\b", text)
    vocabulary = {
        _key(form) for c in load_vocabulary().concepts.values() for form in c.surface_forms
    }
    return frozenset(
        k for k in map(_key, named) if k not in records | vocabulary and not k.startswith("covid")
    )


@cache
def _measures() -> tuple[tuple[str, re.Pattern[str]], ...]:
    raw = load_yaml(TOPICS_PATH).get("measures", [])
    return tuple((m["name"], re.compile(m["pattern"], re.IGNORECASE)) for m in raw)


@cache
def _topics() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    raw = load_yaml(TOPICS_PATH)["topics"]
    return tuple((t["name"], re.compile(t["pattern"], re.IGNORECASE), t["nearby"]) for t in raw)


def absent_things(question: str) -> list[Absent]:
    """The trials, drugs and topics the question names that the review does not contain."""
    trials, drugs, words = _known()
    lowered = normalize(question)
    found: list[Absent] = []
    for match in _TRIALISH.finditer(question):
        said = match.group(0)
        if match.group("nct"):
            if _key(said) not in trials:
                found.append(Absent("trial", said.upper()))
            continue
        head = match.group("head").lower().strip("- ")
        number = match.group("number")
        if re.fullmatch(r"(?:19|20)\d\d", number) and match.group("sep") != "-":
            continue  # a year ("s/p LT 2019", "EVL 2018"), never a trial's number
        if _key(said) in _cited_only() and not _NOT_TRIALS.match(head):
            # named by the review but never given a figure: said so, then what it says nearby
            nearby = question.replace(said, " ")  # its name would pull in its namesakes
            found.append(Absent("figures", f"any figures for {said}", nearby))
            continue
        if _NOT_TRIALS.match(head) or _key(said) in trials or head in drugs:
            continue
        # "IMbrave050" shares its family's name with a trial the review has ("IMbrave150").
        family = len(head) >= 4 and any(
            k.startswith(_key(head)) and any(ch.isdigit() for ch in k[len(_key(head)) :])
            for k in trials
        )
        if match.group("sep") == " ":
            # After a space, a name written like one ("CheckMate 459"), a family the review has
            # ("checkmate 459") or an unknown word before a bare number of two digits or more
            # ("keynote 394"); "largest 9", "shows 84", "weighs 80 kg" are words and figures.
            written = sum(ch.isupper() for ch in match.group("head")) >= 2
            unknown = head not in words and number.isdigit() and len(number) >= 2
            measured = bool(_UNIT.match(question, match.end()))
            if measured or not (written or family or unknown):
                continue
        elif not number[0].isdigit() or (len(number) == 1 and match.group("sep") != "-"):
            continue
        if family or head not in words:
            found.append(Absent("trial", said.upper() if len(said) < 12 else said))
    for match in _ACRONYM.finditer(question):
        said = match.group(1)
        head = said.split("-")[0].lower()
        inside = any(said.lower() in a.text.lower() for a in found)
        misspelt = near_name(said) is not None  # "HIMALYA" is HIMALAYA, not a new trial
        if not inside and _key(said) not in trials and head not in words and not misspelt:
            found.append(Absent("trial", said))
    for match in _DRUG.finditer(lowered):
        said = match.group(1)
        # "atezolizumb" is atezolizumab misspelt, not a drug the review lacks.
        if said not in drugs and said not in words and near_name(said) is None:
            found.append(Absent("drug", said))
    for name, pattern, nearby in _topics():
        if pattern.search(question):
            found.append(Absent("topic", name, nearby))
    for name, pattern in _measures():
        if pattern.search(question):
            found.append(Absent("measure", name))
    unique = {(a.kind, a.text): a for a in found}
    return list(unique.values())
