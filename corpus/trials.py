"""Curated trial records (`data/trials.yaml`): every figure the review reports, with its source.

Each trial has arms (regimen ids of the catalogue), results (one printed figure each, tied to
Table 1, Table 2 or a quoted sentence of the review) and findings (quoted results without a
figure). The loader rejects records that do not fit the catalogue, the outline or the reference
list; tests/test_trials.py checks every figure against the review text itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from corpus.names import fold
from corpus.parser import load_outline
from corpus.paths import TRIALS_PATH
from corpus.regimens import Catalogue, load_catalogue
from corpus.yamlio import load_yaml

REFERENCE_COUNT = 91  # entries in the review's reference list
TABLE_SOURCES = ("table1", "table2")
NOT_REPORTED = ("NR", "NA")  # Table 1 cells without a figure
SECTION_SEPARATOR = " > "
TABLE1_FOOTNOTES = (
    "Table 1 ORR: according to blinded independent central review-assessed RECIST v1.1; "
    "figures marked ** are TEAEs."
)

Setting = Literal[
    "first-line", "second-line", "intermediate-stage", "real-world", "conversion", "other"
]
Phase = Literal["II", "II–III", "III", "IIIb"]


class Metric(StrEnum):
    # The order is the order the review prints figures in (OS before PFS, medians before hazard
    # ratios, death before progression, sites before countries); the tests use it to catch two
    # figures of one quote given to the wrong metrics.
    mOS = "mOS"
    OS_HR = "OS_HR"
    mPFS = "mPFS"
    PFS_HR = "PFS_HR"
    ORR = "ORR"
    DCR = "DCR"
    PD_rate = "PD_rate"
    grade3_TRAE = "grade3_TRAE"
    grade3_TEAE = "grade3_TEAE"
    n = "n"
    treatment_related_death = "treatment_related_death"
    high_dose_steroids = "high_dose_steroids"
    unevaluable_rate = "unevaluable_rate"
    ADA_rate = "ADA_rate"
    exposure_months = "exposure_months"
    risk_reduction_death = "risk_reduction_death"
    risk_reduction_progression = "risk_reduction_progression"
    noninferiority_margin = "noninferiority_margin"
    downstaging_rate = "downstaging_rate"
    share_of_patients = "share_of_patients"
    hbv_related_rate = "hbv_related_rate"
    dose = "dose"
    sites = "sites"
    countries = "countries"


METRIC_LABELS: dict[Metric, str] = {
    Metric.mOS: "Median OS",
    Metric.OS_HR: "OS hazard ratio",
    Metric.mPFS: "Median PFS",
    Metric.PFS_HR: "PFS hazard ratio",
    Metric.ORR: "ORR",
    Metric.DCR: "DCR",
    Metric.PD_rate: "PD rate",
    Metric.grade3_TRAE: "Grade ≥3 TRAEs",
    Metric.grade3_TEAE: "Grade ≥3 TEAEs",
    Metric.n: "Patients",
    Metric.treatment_related_death: "Treatment-related deaths",
    Metric.high_dose_steroids: "High-dose steroids needed",
    Metric.unevaluable_rate: "Unevaluable for response",
    Metric.ADA_rate: "Anti-drug antibodies",
    Metric.exposure_months: "Treatment exposure",
    Metric.risk_reduction_death: "Reduction in risk of death",
    Metric.risk_reduction_progression: "Reduction in risk of progression or death",
    Metric.noninferiority_margin: "Non-inferiority margin",
    Metric.downstaging_rate: "Successful downstaging",
    Metric.share_of_patients: "Share of patients",
    Metric.hbv_related_rate: "HBV-related HCC",
    Metric.dose: "Dose",
    Metric.sites: "Sites",
    Metric.countries: "Countries",
}

# The Table 1 column each metric is printed in (both grade >=3 metrics share one column: the
# table marks the TEAE cells with "**").
TABLE1_COLUMNS: dict[Metric, str] = {
    Metric.mOS: "mOS, mo",
    Metric.OS_HR: "OS, HR (95% CI)",
    Metric.mPFS: "mPFS, mo",
    Metric.PFS_HR: "PFS, HR (95% CI)",
    Metric.ORR: "ORR*, %",
    Metric.DCR: "DCR, %",
    Metric.PD_rate: "PD rate, %",
    Metric.grade3_TRAE: "≥ Grade 3 TRAEs, %",
    Metric.grade3_TEAE: "≥ Grade 3 TRAEs, %",
}


class TrialDataError(ValueError):
    """trials.yaml does not fit the catalogue, the outline or the reference list."""


class AmbiguousResultError(LookupError):
    """Sources disagree on a figure: the caller must choose one (e.g. `source="table1"`)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Arm(_Frozen):
    id: str
    regimen: str | None  # a regimen id of the catalogue; None for placebo or a non-HCC regimen
    label: str  # as printed (Table 1's "Treatment regimen" cell where the trial is in Table 1)
    n: int | None = None  # filled in from the arm's quoted `n` result, never written by hand


class _Cited(_Frozen):
    """What every result and finding carries: where the review prints it and what it cites."""

    source: str  # "table1", "table2" or the section path (outline headings joined by " > ")
    refs: tuple[int, ...]
    note: str | None = None


class Result(_Cited):
    metric: Metric
    arm: str | None = None  # the arm the figure describes
    arms: tuple[str, str] | None = None  # a comparison: (measured arm, reference arm)
    population: str | None = None  # a subgroup; None for the whole population
    agent: str | None = None  # an agent id, when the figure is about one drug of the arm
    value: float | None
    comparator: Literal["<", ">", "~"] | None = None  # "more than 70%" -> ">", "nearly 80%" -> "~"
    range_low: float | None = None
    range_high: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None
    p_value: str | None = None  # as printed without TeX dollars, "P = 0.023"
    unit: str | None = None
    text: str  # the figure exactly as printed
    quote: str | None = None  # exact substring of the review; required unless source is table1

    @model_validator(mode="after")
    def _consistent(self) -> Result:
        if self.arm is not None and self.arms is not None:
            raise ValueError("give `arm` or `arms`, not both")
        if self.arms is not None and self.arms[0] == self.arms[1]:
            raise ValueError(f"a comparison needs two different arms, got {self.arms}")
        if self.value is None and self.range_low is None and self.text not in NOT_REPORTED:
            raise ValueError(f"{self.metric}: value is null but {self.text!r} is not NR/NA")
        if (self.ci_low is None) != (self.ci_high is None):
            raise ValueError(f"{self.metric}: give both CI bounds or neither")
        if (self.range_low is None) != (self.range_high is None):
            raise ValueError(f"{self.metric}: give both range bounds or neither")
        if self.source == "table1" and self.metric not in TABLE1_COLUMNS:
            raise ValueError(f"Table 1 has no column for {self.metric}")
        if self.source != "table1" and not self.quote:
            raise ValueError(f"{self.metric} from {self.source!r} needs the quote it is printed in")
        return self

    @property
    def from_table(self) -> bool:
        return self.source in TABLE_SOURCES

    @property
    def measured_arm(self) -> str | None:
        """The arm this figure is about (the first arm of a comparison)."""
        return self.arms[0] if self.arms else self.arm

    def same_figure(self, other: Result) -> bool:
        """True when two results state the same numbers (sources may differ)."""
        fields = ("value", "comparator", "range_low", "range_high", "ci_low", "ci_high")
        return all(getattr(self, f) == getattr(other, f) for f in fields)


class Finding(_Cited):
    quote: str  # exact substring of the review


class Region(_Frozen):
    """Where the review says a study was run ("China", "global"), in its own words."""

    where: str  # as printed: a country, a region, "global"
    quote: str  # exact substring of the review that says so, and holds `where`

    @model_validator(mode="after")
    def _printed(self) -> Region:
        if self.where.lower() not in self.quote.lower():
            raise ValueError(f"region {self.where!r} is not in its quote")
        return self


def _fields(item: Any) -> dict[str, Any]:
    return dict(item) if isinstance(item, dict) else item.model_dump()


class Trial(_Frozen):
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    anchors: tuple[str, ...]  # exact strings of the review that locate this trial
    named_in_review: bool  # False: the review describes the study without printing its name
    phase: Phase | None
    setting: Setting
    indication: Literal["HCC", "RCC"]
    refs: tuple[int, ...]
    design: str  # exact substring of the review
    arms: tuple[Arm, ...]
    results: tuple[Result, ...] = ()
    findings: tuple[Finding, ...] = ()
    criteria: tuple[str, ...] = ()  # selection criteria, exact substrings of the review
    region: Region | None = None  # where it was run, when the review says so
    notes: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _arm_sizes(cls, data: Any) -> Any:
        """Give each arm the size its quoted `n` result states, so no size is unquoted."""
        if not isinstance(data, dict):
            return data
        sizes: dict[str, Any] = {}
        for result in map(_fields, data.get("results") or ()):
            is_arm_size = result.get("metric") == Metric.n and not result.get("population")
            if not is_arm_size or not result.get("arm"):
                continue
            if sizes.setdefault(result["arm"], result["value"]) != result["value"]:
                raise ValueError(f"arm {result['arm']}: `n` results disagree")
        arms = []
        for arm in map(_fields, data.get("arms") or ()):
            size = sizes.get(arm.get("id", ""))
            if arm.get("n") not in (None, size):
                raise ValueError(f"arm {arm.get('id')}: give its size as a quoted `n` result")
            arms.append({**arm, "n": None if size is None else int(size)})
        return {**data, "arms": arms}

    @model_validator(mode="after")
    def _arms_known(self) -> Trial:
        arm_ids = [arm.id for arm in self.arms]
        if len(set(arm_ids)) != len(arm_ids):
            raise ValueError(f"duplicate arm ids in {arm_ids}")
        for result in self.results:
            unknown = {result.arm, *(result.arms or ())} - {None, *arm_ids}
            if unknown:
                raise ValueError(
                    f"{result.metric} names unknown arm(s) {sorted(map(str, unknown))}"
                )
        cited = {ref for item in (*self.results, *self.findings) for ref in item.refs}
        if not cited <= set(self.refs):
            raise ValueError(
                f"results cite refs {sorted(cited - set(self.refs))} not in the trial's refs"
            )
        return self

    def arm(self, arm_id: str) -> Arm:
        for arm in self.arms:
            if arm.id == arm_id:
                return arm
        raise KeyError(f"trial {self.id} has no arm {arm_id!r}")

    def results_for(self, metric: Metric | str) -> tuple[Result, ...]:
        """Every result of this metric: all arms, populations and sources."""
        return tuple(r for r in self.results if r.metric == metric)

    def result(
        self,
        metric: Metric | str,
        arm: str | None = None,
        *,
        population: str | None = None,
        agent: str | None = None,
        source: str | None = None,
    ) -> Result | None:
        """The figure for `arm` (the measured arm of a comparison; None: the whole trial).

        `source` is "table1", "table2", "text" (any section) or a section path. When sources print
        different numbers for the same figure, this raises `AmbiguousResultError` instead of
        picking one; identical numbers from several sources return the first (Table 1 first).
        """
        matches = [
            r
            for r in self.results
            if r.metric == metric
            and r.measured_arm == arm
            and r.population == population
            and r.agent == agent
            and _source_matches(r, source)
        ]
        if not matches:
            return None
        first = matches[0]
        if any(not first.same_figure(other) for other in matches[1:]):
            printed = "; ".join(f"{r.text!r} ({r.source})" for r in matches)
            raise AmbiguousResultError(f"{self.id} {metric} {arm}: sources differ: {printed}")
        return first

    @property
    def has_results(self) -> bool:
        return bool(self.results or self.findings)


def _source_matches(result: Result, source: str | None) -> bool:
    if source is None:
        return True
    if source == "text":
        return not result.from_table
    return result.source == source


_FILLER_WORDS = re.compile(r"\b(?:the|study|trial|rct|phase\s*(?:iii|3))\b", re.IGNORECASE)


def _name_keys(name: str) -> list[str]:
    """Comparison keys for a name as typed, then without filler words ("the LEAP-002 trial")."""
    keys = [fold(name), fold(_FILLER_WORDS.sub(" ", name))]
    return [key for key in dict.fromkeys(keys) if key]


class TrialRegistry:
    """The trials by id, with lookup by trial name, alias or regimen."""

    def __init__(self, trials: Iterable[Trial], catalogue: Catalogue) -> None:
        self.trials = tuple(trials)
        self._catalogue = catalogue
        self._by_id = {trial.id: trial for trial in self.trials}
        if len(self._by_id) != len(self.trials):
            raise TrialDataError("trials.yaml: duplicate trial ids")
        self._by_name: dict[str, Trial] = {}
        for trial in self.trials:
            for name in (trial.id, trial.name, *trial.aliases):
                owner = self._by_name.setdefault(fold(name), trial)
                if owner.id != trial.id:
                    raise TrialDataError(
                        f"trials.yaml: name {name!r} of {trial.id} is also {owner.id}'s"
                    )

    def get(self, trial_id: str) -> Trial:
        try:
            return self._by_id[trial_id]
        except KeyError:
            raise KeyError(f"unknown trial id {trial_id!r}") from None

    def resolve(self, name: str) -> Trial | None:
        """The trial a name or alias denotes ("leap002", "the IMbrave 150 study"), or None."""
        for key in _name_keys(name):
            if key in self._by_name:
                return self._by_name[key]
        return None

    def for_regimen(self, regimen_id: str) -> list[Trial]:
        """Trials with an arm of exactly this regimen (experimental or control), in file order."""
        self._catalogue.regimen(regimen_id)  # KeyError for an unknown id
        return [t for t in self.trials if any(arm.regimen == regimen_id for arm in t.arms)]

    def lookup(self, text: str) -> list[Trial]:
        """Trials for a trial name, or for a regimen name ("STRIDE", "len pembro"), else []."""
        trial = self.resolve(text)
        if trial is not None:
            return [trial]
        for candidate in (text, _FILLER_WORDS.sub(" ", text)):
            regimen = self._catalogue.resolve(candidate)
            if regimen is not None:
                return self.for_regimen(regimen.id)
        return []


def _check_links(trial: Trial, catalogue: Catalogue, sections: set[str]) -> None:
    """Regimens and agents in the catalogue, refs in the reference list, sources in the outline."""
    problems = []
    for arm in trial.arms:
        if arm.regimen is not None and arm.regimen not in catalogue.regimens:
            problems.append(f"arm {arm.id} has unknown regimen {arm.regimen!r}")
    all_refs = [
        *trial.refs,
        *(ref for item in (*trial.results, *trial.findings) for ref in item.refs),
    ]
    problems += [
        f"ref {ref} is not in the reference list"
        for ref in all_refs
        if not 1 <= ref <= REFERENCE_COUNT
    ]
    for item in (*trial.results, *trial.findings):
        if item.source not in TABLE_SOURCES and item.source not in sections:
            problems.append(
                f"source {item.source!r} is neither a table nor a section of the outline"
            )
    for result in trial.results:
        if result.agent is not None and result.agent not in catalogue.agents:
            problems.append(f"{result.metric} names unknown agent {result.agent!r}")
    if problems:
        raise TrialDataError(f"trials.yaml: trial {trial.id}: {problems[0]}")


def read_trials(path: Path = TRIALS_PATH, catalogue: Catalogue | None = None) -> TrialRegistry:
    """Parse and validate a trials file; `TrialDataError` names the first problem found."""
    catalogue = catalogue or load_catalogue()
    sections = {SECTION_SEPARATOR.join(section.path) for section in load_outline()}
    raw = load_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("trials"), list):
        raise TrialDataError(f"{path.name}: expected a mapping with a `trials:` list")
    trials = []
    for entry in raw["trials"]:
        try:
            trial = Trial.model_validate(entry)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(map(str, first["loc"]))
            raise TrialDataError(
                f"{path.name}: trial {entry.get('id')}: {where}: {first['msg']}"
            ) from None
        _check_links(trial, catalogue, sections)
        trials.append(trial)
    return TrialRegistry(trials, catalogue)


@cache
def load_trials(path: Path = TRIALS_PATH) -> TrialRegistry:
    """The shipped trial records, validated once per process."""
    return read_trials(path)


def _who(trial: Trial, result: Result) -> str:
    if result.arms:
        who = " vs ".join(trial.arm(arm_id).label for arm_id in result.arms)
    elif result.arm:
        who = trial.arm(result.arm).label
    else:
        who = "whole study"
    if result.agent:
        who += f" ({result.agent})"
    if result.population:
        who += f" [{result.population}]"
    return who


def _printed(result: Result) -> str:
    """The figure as printed (TeX dollars dropped), with its unit when the print leaves it out."""
    text = result.text.replace("$", "")
    if result.p_value and result.p_value not in text:
        text += f"; {result.p_value}"
    no_figure = result.value is None and result.range_low is None
    if not result.unit or no_figure or result.metric is Metric.n:  # "n = 336" needs no unit
        return text
    if result.unit == "%":
        return text if "%" in text else f"{text}%"
    return text if result.unit in text else f"{text} {result.unit}"


def _cited(item: _Cited) -> str:
    tables = {"table1": "Table 1", "table2": "Table 2"}
    where = tables.get(item.source, item.source.split(SECTION_SEPARATOR)[-1])
    refs = f"refs {', '.join(map(str, item.refs))}" if item.refs else "no reference cited"
    note = f" Note: {item.note}" if item.note else ""
    return f"[{where}; {refs}]{note}"


def _heading(trial: Trial) -> list[str]:
    phase = f"phase {trial.phase}" if trial.phase else "no phase stated"
    refs = ", ".join(map(str, trial.refs)) or "none cited"
    lines = [
        f"{trial.name} ({trial.id}): {phase}, {trial.setting}, {trial.indication}; refs {refs}"
    ]
    if not trial.named_in_review:
        lines.append("The review does not print this study's name; it describes it.")
    lines.append(f"Design: {trial.design}")
    lines.append("Arms:")
    for arm in trial.arms:
        size = f", n = {arm.n}" if arm.n is not None else ""
        lines.append(f"  - {arm.label} [{arm.regimen or 'no catalogue regimen'}]{size}")
    if trial.criteria:
        lines.append("Criteria:")
        lines += [f"  {criterion}" for criterion in trial.criteria]
    return lines


def describe(trial: Trial) -> str:
    """A readable summary: design, arms, every figure and finding with its source and refs."""
    lines = _heading(trial)
    if trial.results:
        lines.append("Results:")
    for result in trial.results:
        figure = f"{METRIC_LABELS[result.metric]}, {_who(trial, result)}: {_printed(result)}"
        lines.append(f"  {figure} {_cited(result)}")
    if trial.findings:
        lines.append("Findings:")
    lines += [f'  "{finding.quote}" {_cited(finding)}' for finding in trial.findings]
    if not trial.has_results:
        lines.append("The review reports no results for this study.")
    notes = list(trial.notes)
    if any(result.source == "table1" for result in trial.results):
        notes.append(TABLE1_FOOTNOTES)
    if notes:
        lines.append("Notes:")
        lines += [f"  - {note}" for note in notes]
    return "\n".join(lines)
