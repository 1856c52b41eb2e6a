"""Numbers: every figure attributed to a trial must be one the trial's records print."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from clinical.answer import GuardrailResult
from corpus.trials import Metric, Result, Trial, load_trials
from guardrails.text import (
    Outcome,
    body_lines,
    drop_sentences,
    in_review,
    regimen_mentions,
    sentences,
    trial_mentions,
    without_brackets,
)

CHECK = "numbers"
_NUMBER = re.compile(r"(?<![\w.\-‑/])(\d+(?:\.\d+)?)(?![\w])")
_NUMBER_ANYWHERE = re.compile(r"\d+(?:\.\d+)?")
# Numbers that are not figures: reference numbers, years, grades, CI levels, list markers, scores.
_NOT_FIGURES = re.compile(
    r"\brefs?\.?\s*\d+(?:\s*[–-]\s*\d+)?(?:\s*(?:,|and)\s*\d+(?:\s*[–-]\s*\d+)?)*"
    r"|\b(?:19|20)\d\d\b"
    r"|\bgrade\s*(?:≥|>=|>)?\s*\d\b"
    # the no-effect line of a hazard ratio ("its 95% CI includes 1"), before "95% CI" alone
    r"|(?:\d+%\s*)?CI\s+(?:includes|excludes|crosses)\s+1\b"
    r"|\d+(?:\.\d+)?%\s*CI\b"
    r"|^\s*(?:[-*>]\s*)?\d+\.\s"
    r"|\bECOG(?:\s*PS)?\)?\s*\d(?:\s*[–-]\s*\d)?"
    r"|\b(?:and\s+)?\d+\s+more\b"
    r"|`[^`]*`"
    r"|\bup-to-\d+\b"
    r"|\bChild-Pugh\s*[ABC]?\s*\d*"
    r"|\bphase\s*\d"
    r"|\byour\s+limit\s+of\s+\d+(?:\.\d+)?"  # the clinician's own threshold, echoed
    r"|\b(?:Table|Figure|Fig\.)\s*\d+"
    r"|(?:^|(?<=[:;]\s))\d{1,2}\.(?=\s)",
    re.IGNORECASE,
)
# Words for each metric, most specific first ("OS HR" before "OS"); a bare "HR" may be either.
METRIC_WORDS: tuple[tuple[tuple[Metric, ...], re.Pattern[str]], ...] = tuple(
    (metrics, re.compile(pattern, re.IGNORECASE))
    for metrics, pattern in (
        ((Metric.OS_HR,), r"\bOS\s+HR\b|\bHR\s+for\s+(?:OS|overall survival)|OS hazard ratio"),
        ((Metric.PFS_HR,), r"\bPFS\s+HR\b|\bHR\s+for\s+PFS|PFS hazard ratio"),
        ((Metric.PD_rate,), r"\bPD\s+rate|progressive disease|progression rate"),
        ((Metric.ORR,), r"\bORR\b|objective response|response rate"),
        ((Metric.DCR,), r"\bDCR\b|disease control"),
        ((Metric.grade3_TRAE,), r"grade\s*(?:≥|>=|>)?\s*3\s*TRAEs?|treatment-related adverse"),
        ((Metric.mPFS,), r"\bmPFS\b|median PFS|progression-free survival"),
        ((Metric.mOS,), r"\bmOS\b|median OS|overall survival"),
        ((Metric.OS_HR, Metric.PFS_HR), r"\bHR\b|hazard ratio"),
    )
)
# A metric word "owns" a figure printed within this many characters after it, with no other
# figure in between ("PD rate was 17.5%"); farther figures may belong to something else.
_METRIC_REACH = 20


def _numbers(result: Result) -> set[float]:
    numbers = {
        float(value)
        for value in (
            result.value,
            result.ci_low,
            result.ci_high,
            result.ci_level,
            result.range_low,
            result.range_high,
        )
        if value is not None
    }
    for printed in (result.text, result.p_value or ""):
        numbers.update(float(n) for n in _NUMBER_ANYWHERE.findall(printed))
    return numbers


def recorded_numbers(trial: Trial, metrics: tuple[Metric, ...] = ()) -> frozenset[float]:
    """Every number the trial's records print (for `metrics` only, when given)."""
    return _recorded_numbers(trial.id, metrics)


@cache
def _recorded_numbers(trial_id: str, metrics: tuple[Metric, ...]) -> frozenset[float]:
    trial = load_trials().get(trial_id)
    return frozenset(
        number
        for result in trial.results
        if not metrics or result.metric in metrics
        for number in _numbers(result)
    )


def _metric_of(sentence: str, position: int) -> tuple[Metric, ...] | None:
    """The metrics whose word sits right before the figure at `position`, if any."""
    window = sentence[max(0, position - _METRIC_REACH) : position]
    best: tuple[int, tuple[Metric, ...]] | None = None
    for metrics, pattern in METRIC_WORDS:
        for match in pattern.finditer(window):
            if _NUMBER_ANYWHERE.search(window[match.end() :]):
                continue
            if best is None or match.end() > best[0]:
                best = (match.end(), metrics)
    return best[1] if best else None


def _recorded(trials: list[Trial], metrics: tuple[Metric, ...]) -> float | None:
    for trial in trials:
        for result in trial.results_for(metrics[0]):
            if result.value is not None and result.population is None:
                return result.value
    return None


_QUOTED = re.compile(r"[“\"]([^”\"]{20,})[”\"]")


def _masked(sentence: str) -> str:
    """`sentence` with brackets, trial names, quotes of the review and non-figure numbers
    blanked, positions kept."""
    masked = without_brackets(sentence)
    for quote in _QUOTED.finditer(masked):
        if in_review(quote.group(1)):
            masked = masked[: quote.start()] + " " * len(quote.group(0)) + masked[quote.end() :]
    for _, match in trial_mentions(masked):
        masked = masked[: match.start()] + " " * len(match.group(0)) + masked[match.end() :]
    return _NOT_FIGURES.sub(lambda m: " " * len(m.group(0)), masked)


def _regimen_trials(sentence: str) -> list[Trial]:
    """The trials with an arm of a regimen the sentence names (its figures are theirs)."""
    trials = load_trials()
    return _unique(
        t for regimen, _ in regimen_mentions(sentence) for t in trials.for_regimen(regimen.id)
    )


def _unique(trials: Iterable[Trial]) -> list[Trial]:
    """In order, once each (by id: hashing a trial record hashes all its results)."""
    return list({t.id: t for t in trials}.values())


def check_numbers(text: str) -> Outcome:
    """Each figure is checked against the trials its sentence names or, when it names none, the
    nearest trial named earlier in its paragraph (or the trials of a regimen the sentence names);
    a figure checked that way must stand beside a metric word ("ORR 36%")."""
    corrected: list[str] = []
    doomed: set[tuple[int, str]] = set()
    lines = text.split("\n")
    nearest: list[Trial] = []  # the trials named last in the current paragraph
    for index, line in body_lines(text):
        if not line.strip():
            nearest = []
            continue
        new_line = line
        for sentence in sentences(line):
            named = _unique(t for t, _ in trial_mentions(without_brackets(sentence)))
            cited = _unique(t for t, _ in trial_mentions(sentence))
            own = named or cited
            trials = own or nearest or _regimen_trials(sentence)
            nearest = own or nearest
            if not trials or in_review(sentence.lstrip("> ")):
                continue
            inherited = not own
            new_sentence = sentence
            plain = _masked(sentence)
            # Right to left, so earlier positions stay valid while later figures are replaced.
            for match in reversed(list(_NUMBER.finditer(plain))):
                metric = _metric_of(plain, match.start())
                if inherited and metric is None:
                    continue  # a figure of something else ("5 cm", "3 cycles")
                allowed = frozenset().union(*(recorded_numbers(t, metric or ()) for t in trials))
                if float(match.group(1)) in allowed:
                    continue
                value = _recorded(trials, metric) if metric else None
                if value is None:
                    doomed.add((index, sentence))
                    corrected.append(f"removed unsupported figure {match.group(1)!r}")
                    break
                fixed = f"{value:g}"
                new_sentence = new_sentence[: match.start()] + fixed + new_sentence[match.end() :]
                names = "/".join(t.name for t in trials)
                label = "/".join(m.value for m in metric or ())
                corrected.append(f"{names} {label} {match.group(1)} -> {fixed}")
            if (index, sentence) not in doomed and new_sentence != sentence:
                new_line = new_line.replace(sentence, new_sentence, 1)
        lines[index] = new_line
    repaired = drop_sentences("\n".join(lines), doomed)
    if not corrected:
        detail = "every trial figure matches the trial records"
        return Outcome(text, GuardrailResult(check=CHECK, passed=True, detail=detail))
    detail = "; ".join(corrected)
    return Outcome(repaired, GuardrailResult(check=CHECK, passed=False, detail=detail))
