"""What the rule core returns: ranked options, options to avoid, checks, notes and their sources."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Certainty(StrEnum):
    """The review's solid vs dotted lines: stated plainly, or hedged ("may", "less certainty")."""

    FIRMER = "firmer"
    TENTATIVE = "tentative"


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Out):
    """A passage of the review: its section heading, an exact quote, and the references it cites."""

    section: str
    quote: str
    refs: tuple[int, ...] = ()


class TrialCitation(_Out):
    """A trial or study an output rests on; `in_records` is false when trials.yaml lacks it."""

    id: str  # the trial-record id (corpus/data/trials.yaml), or the name cited when not recorded
    name: str
    in_records: bool


class KeyFigure(_Out):
    """One figure as the review prints it, from the curated trial records.

    `found` is false when the records hold no such figure; nothing is then guessed.
    """

    trial: str  # trial-record id
    trial_name: str
    arm: str  # arm id within the trial record
    metric: str
    found: bool
    arm_label: str | None = None
    versus: str | None = None  # the reference arm of a hazard ratio
    population: str | None = None  # a subgroup; None for the whole population
    value: float | None = None
    text: str | None = None  # as printed in the review
    unit: str | None = None
    source: str | None = None  # "Table 1", "Table 2" or the section heading it is printed in
    refs: tuple[int, ...] = ()


class RecommendedOption(_Out):
    rank: int
    regimen: str  # regimen id in corpus/data/regimens.yaml
    name: str
    certainty: Certainty
    rationale: tuple[str, ...]
    trials: tuple[TrialCitation, ...]
    refs: tuple[int, ...]
    sources: tuple[Source, ...]
    key_figures: tuple[KeyFigure, ...] = ()
    checks: tuple[str, ...] = ()  # ids of the prerequisite checks that apply to this option
    regional_notes: tuple[str, ...] = ()
    rule_ids: tuple[str, ...]


class AvoidedOption(_Out):
    regimen: str
    name: str
    reason: str  # all reasons, joined
    reasons: tuple[str, ...]
    trials: tuple[TrialCitation, ...] = ()
    refs: tuple[int, ...] = ()
    sources: tuple[Source, ...] = ()
    key_figures: tuple[KeyFigure, ...] = ()
    rule_ids: tuple[str, ...]


class PrerequisiteCheck(_Out):
    id: str
    text: str
    applies_to: tuple[str, ...] = ()  # regimen ids among the recommended; empty: the whole plan
    refs: tuple[int, ...] = ()
    sources: tuple[Source, ...] = ()
    rule_ids: tuple[str, ...]


class RegionalNote(_Out):
    regimen: str
    text: str
    refs: tuple[int, ...] = ()
    sources: tuple[Source, ...] = ()
    rule_id: str


class Note(_Out):
    text: str
    refs: tuple[int, ...] = ()
    sources: tuple[Source, ...] = ()
    rule_id: str


CriterionStatus = Literal["met", "not_met", "unknown"]


class CriterionResult(_Out):
    id: str
    text: str
    status: CriterionStatus
    facts: dict[str, str | float | bool | None] = Field(default_factory=dict)  # values it read


class CriteriaSetResult(_Out):
    id: str
    name: str
    regimen: str  # the regimen the criteria were validated before
    applicable: bool | None  # None when the profile cannot say whether the set applies
    applicability: str
    overall: CriterionStatus  # met when every criterion is met; not met when any is not
    criteria: tuple[CriterionResult, ...]
    trials: tuple[TrialCitation, ...] = ()
    refs: tuple[int, ...] = ()
    sources: tuple[Source, ...] = ()
    key_figures: tuple[KeyFigure, ...] = ()


class ResectabilityAssessment(_Out):
    criteria_sets: tuple[CriteriaSetResult, ...]
    notes: tuple[Note, ...] = ()


class LocoregionalChoice(_Out):
    options: tuple[RecommendedOption, ...]
    avoid: tuple[AvoidedOption, ...] = ()
    notes: tuple[Note, ...] = ()
    outside_review: str | None = None
    rules_fired: tuple[str, ...] = ()


class Recommendation(_Out):
    setting: Literal["first_line", "later_line"]
    recommended: tuple[RecommendedOption, ...]
    avoid: tuple[AvoidedOption, ...] = ()
    checks: tuple[PrerequisiteCheck, ...] = ()
    regional_notes: tuple[RegionalNote, ...] = ()
    notes: tuple[Note, ...] = ()
    outside_review: str | None = None  # set when the review supports no option for this profile
    rules_fired: tuple[str, ...] = ()
    resectability: ResectabilityAssessment | None = None
    locoregional: LocoregionalChoice | None = None
    disclaimer: str
