"""Find the study a question describes without naming it ("the Japanese multicenter study").

Many studies in the review have no name, and clinicians describe named ones by what they did
("a prospective trial of lenvatinib after atezo/bev", "the renal cell carcinoma trials"). Each
trial record is read as a short description (name, design sentence, arms, anchors, setting,
indication) and the question's words are matched against it, rare words counting most.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from functools import cache

from corpus.regimens import load_catalogue
from corpus.trials import Trial, load_trials

STEM = 5  # "Japanese"/"Japan", "progressed"/"progression" share their first letters
# Words every study description shares, or that only frame the question.
_STOP = frozenset(
    w[:STEM]
    for w in (
        "a an and are as at did do does for from had has have how in is it its of on or the "
        "there to was were what when which who with without about any review say says show "
        "showed study studies trial trials patients patient hcc data report reported"
    ).split()
)
_WORD = re.compile(r"[a-z0-9]+")
# The words a record does not spell out but a clinician uses for it.
_INDICATION = {"HCC": "hepatocellular carcinoma liver", "RCC": "renal cell carcinoma kidney"}
# A question about another cancer's trials ("renal cell carcinoma trials") asks for all of them.
_OTHER_CANCER = {"RCC": re.compile(r"\brenal\b|\brcc\b|\bkidney\s+cancer\b", re.I)}
MIN_SCORE = 9.0  # summed weights: several rare words, not one drug name, must match
MIN_LEAD = 1.5  # the best study must beat the next one clearly (or tie with it exactly)


def _stems(text: str) -> set[str]:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return {w[:STEM] for w in _WORD.findall(plain)} - _STOP


def _description(trial: Trial) -> str:
    prospective = "prospective randomised" if trial.phase else ""
    phase = f"phase {trial.phase}" if trial.phase else ""
    return " ".join(
        [
            trial.name,
            *trial.aliases,
            trial.design,
            *trial.anchors,
            *(arm.label for arm in trial.arms),
            trial.setting,
            _INDICATION[trial.indication],
            prospective,
            phase,
        ]
    )


@cache
def _index() -> tuple[dict[str, set[str]], dict[str, float]]:
    """Each trial's description stems, and each stem's weight (rarer across trials: heavier)."""
    stems = {t.id: _stems(_description(t)) for t in load_trials().trials}
    counts = Counter(s for found in stems.values() for s in found)
    weights = {s: math.log(1 + len(stems) / n) for s, n in counts.items()}
    return stems, weights


def _kind_fits(asked: set[str], trial: Trial) -> bool:
    """A prospective trial is not the retrospective study asked for, nor the reverse."""
    if "prosp" in asked:
        return trial.phase is not None
    if asked & {"retro", "real"}:
        return trial.phase is None
    return True


def described_trials(question: str, limit: int = 3) -> list[str]:
    """Names of the trials the question describes best, or [] when none stands out."""
    registry = load_trials()
    for indication, pattern in _OTHER_CANCER.items():
        if pattern.search(question):
            return [t.name for t in registry.trials if t.indication == indication][:limit]
    stems, weights = _index()
    asked = _stems(question)
    scored = sorted(
        (
            (sum(weights[s] for s in asked & found), trial_id)
            for trial_id, found in stems.items()
            if _kind_fits(asked, registry.get(trial_id))
        ),
        reverse=True,
    )
    best = scored[0][0] if scored else 0.0
    if best < MIN_SCORE:
        return []
    close = [trial_id for score, trial_id in scored if score == best or score * MIN_LEAD > best]
    if len(close) > limit:
        return []
    return [registry.get(trial_id).name for trial_id in close]


def uncovered(regimens: list[str], trials: list[str]) -> list[str]:
    """Regimens named beside trials that none of those trials tested, whole or as part of an arm
    ("LEAP-012, TACE + len/pembro": lenvatinib + pembrolizumab is in LEAP-012's arm)."""
    catalogue, registry = load_catalogue(), load_trials()
    tested = {a.regimen for t in map(registry.resolve, trials) if t for a in t.arms}
    arms = [set(catalogue.regimen(r).agents) for r in tested if r in catalogue.regimens]
    return [
        r
        for r in regimens
        if (found := catalogue.resolve(r))
        and found.id not in tested
        and not any(set(found.agents) <= agents for agents in arms)
    ]


def trials_comparing(regimens: list[str], text: str = "") -> list[str]:
    """Names of the trials that best fit the regimens named ("lenvatinib vs sorafenib").

    A trial scores one point per named regimen among its arms and two when it reports a patient
    number the question states ("the 49-patient study"); trials scoring two or more are kept.
    """
    catalogue, registry = load_catalogue(), load_trials()
    wanted = {r.id for r in map(catalogue.resolve, regimens) if r is not None}
    numbers = _numbers(text)
    scored = []
    for trial in registry.trials:
        arms = wanted & {a.regimen for a in trial.arms}
        sizes = {r.value for r in trial.results if r.metric == "n" and r.value is not None}
        score = len(arms) + 2 * bool(numbers & sizes)
        if score >= 2 and (len(arms) >= 2 or numbers & sizes):
            scored.append((score, trial.name))
    best = max((score for score, _ in scored), default=0)
    return [name for score, name in scored if score == best]


def _numbers(text: str) -> set[float]:
    return {float(n) for n in re.findall(r"\b\d{2,5}\b", text)}


def states_size(names: list[str], text: str) -> bool:
    """Whether the question states a patient number one of these trials reports ("917")."""
    numbers = _numbers(text)
    found = (t for name in names for t in load_trials().lookup(name))
    return any(r.metric == "n" and r.value in numbers for t in found for r in t.results)


def has_records(name: str) -> bool:
    """Whether `lookup_trial` knows a trial or regimen by this name (bevacizumab alone: no)."""
    return bool(load_trials().lookup(name))


def _covers(name: str, regimens: list[str]) -> bool:
    """Whether a trial's arms hold every drug of the regimens named (LAUNCH: TACE, lenvatinib)."""
    catalogue = load_catalogue()
    trial = load_trials().resolve(name)
    if trial is None:
        return False
    given = {a for arm in trial.arms if arm.regimen for a in catalogue.regimen(arm.regimen).agents}
    named = {a for r in regimens if (found := catalogue.resolve(r)) for a in found.agents}
    return named <= given


def study_names(
    trials: list[str], regimens: list[str], question: str, text: str, about_study: bool
) -> list[str]:
    """The trials a study question is about: those named, else those described (when the
    question speaks of a study, or the study holds the drugs named), else those whose arms are
    the regimens named, else the regimens themselves; only names with trial records."""
    if trials:
        names = trials + uncovered(regimens, trials)
    else:
        comparing = trials_comparing(regimens, text)
        described = [
            name for name in described_trials(question) if about_study or _covers(name, regimens)
        ]
        both = [name for name in described if name in comparing]
        names = both or described or comparing or regimens
    return [name for name in dict.fromkeys(names) if has_records(name)]
