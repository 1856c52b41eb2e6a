"""The shape of the rule data files (clinical/rules/data/*.yaml), validated as they load."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from clinical.rules.output import Certainty, Source


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FigureRef(_Data):
    """Key figures of one trial arm, looked up in the trial records when a rule fires."""

    trial: str  # trial-record id or name (corpus/data/trials.yaml)
    arm: str  # arm id within that record
    metrics: str | tuple[str, ...]  # metric names, or the name of a metric set
    population: str | None = None  # a subgroup the record names; None for the whole trial


class Recommend(_Data):
    regimen: str
    priority: int = Field(ge=0)  # lower ranks first
    rationale: str
    certainty: Certainty | None = None  # the rule's certainty unless given
    figures: tuple[FigureRef, ...] = ()
    continues_prior: bool = False  # continuing the regimen that just failed is the point


class Avoid(_Data):
    regimen: str
    reason: str
    figures: tuple[FigureRef, ...] = ()


class Check(_Data):
    id: str
    text: str
    applies_to: tuple[str, ...] = ()  # regimen ids
    applies_to_class: tuple[str, ...] = ()  # drug classes (bevacizumab, ici, tki, anti_vegf, ...)


class RegionalNoteEntry(_Data):
    regimen: str
    text: str


class Rule(_Data):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]+$")
    title: str
    when: Any = None
    final: bool = False  # when it fires, later rules of the same table are not evaluated
    certainty: Certainty = Certainty.FIRMER
    trials: tuple[str, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)
    recommend: tuple[Recommend, ...] = ()
    avoid: tuple[Avoid, ...] = ()
    checks: tuple[Check, ...] = ()
    regional_notes: tuple[RegionalNoteEntry, ...] = ()
    notes: tuple[str, ...] = ()
    outside_review: str | None = None
    set_certainty: Certainty | None = None  # caps every option of this evaluation
    assess: tuple[Literal["resectability", "locoregional"], ...] = ()


class RuleTable(_Data):
    description: str
    rules: tuple[Rule, ...]


class NamedCondition(_Data):
    meaning: str
    when: Any
    sources: tuple[Source, ...] = ()


class VocabularyFile(_Data):
    conditions: dict[str, NamedCondition]
    groups: dict[str, tuple[str, ...]]
    metric_sets: dict[str, tuple[str, ...]]


class Criterion(_Data):
    id: str
    text: str
    quote: str  # the criterion as the review words it, verbatim
    when: Any


class CriteriaSet(_Data):
    id: str
    name: str
    regimen: str
    applies_when: Any = None
    applicability: str
    trials: tuple[str, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)
    figures: tuple[FigureRef, ...] = ()
    criteria: tuple[Criterion, ...] = Field(min_length=1)


class ResectabilityNote(_Data):
    id: str
    text: str
    sources: tuple[Source, ...] = Field(min_length=1)


class ResectabilityFile(_Data):
    criteria_sets: tuple[CriteriaSet, ...]
    notes: tuple[ResectabilityNote, ...] = ()


InvariantKey = Literal[
    "bevacizumab_varices",
    "bevacizumab_bleeding",
    "egd_before_bevacizumab",
    "ici_contraindicated",
    "targeted_contraindicated",
    "stride_conversion_or_burden",
    "uncited",
    "already_received",
]


class Invariant(_Data):
    """A safety constraint the engine enforces in code; the data gives its wording and source."""

    id: str
    reason: str
    trials: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()


class SafetyFile(_Data):
    disclaimer: str
    disclaimer_source: Source
    no_option: str
    no_locoregional_option: str
    invariants: dict[InvariantKey, Invariant]
    # A fact read as possibly present (the clinician's words leave it unclear) keeps its rule,
    # and the reason says so: "{reason}" and "{facts}" are filled in.
    unconfirmed_reason: str
    confirm_check: Invariant
    portal_hypertension_egd: str
