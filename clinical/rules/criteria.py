"""Potential resectability: the review's criteria sets, each criterion met / not met / unknown."""

from __future__ import annotations

from clinical.profile import PatientProfile
from clinical.rules.assemble import refs_of
from clinical.rules.book import ParsedCriteriaSet, RuleBook
from clinical.rules.conditions import Truth, evaluate, fields_of
from clinical.rules.evidence import cite, key_figures
from clinical.rules.facts import Facts, facts_of
from clinical.rules.output import (
    CriteriaSetResult,
    CriterionResult,
    CriterionStatus,
    Note,
    ResectabilityAssessment,
)

_STATUS: dict[Truth, CriterionStatus] = {True: "met", False: "not_met", None: "unknown"}


def _fact_value(value: object) -> str | float | bool | None:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    return ", ".join(str(item) for item in value) if isinstance(value, tuple) else str(value)


def _assess(parsed: ParsedCriteriaSet, facts: Facts, book: RuleBook) -> CriteriaSetResult:
    spec = parsed.spec
    results = []
    for criterion, condition in parsed.criteria:
        read = fields_of(condition, book.vocabulary)
        results.append(
            CriterionResult(
                id=criterion.id,
                text=criterion.text,
                status=_STATUS[evaluate(condition, facts, book.vocabulary)],
                facts={name: _fact_value(facts.get(name)) for name in read},
            )
        )
    statuses = {result.status for result in results}
    overall: CriterionStatus = (
        "not_met" if "not_met" in statuses else "unknown" if "unknown" in statuses else "met"
    )
    return CriteriaSetResult(
        id=spec.id,
        name=spec.name,
        regimen=spec.regimen,
        applicable=evaluate(parsed.applies_when, facts, book.vocabulary),
        applicability=spec.applicability,
        overall=overall,
        criteria=tuple(results),
        trials=cite(spec.trials),
        refs=refs_of(spec.sources),
        sources=spec.sources,
        key_figures=key_figures(spec.figures, book.metric_sets),
    )


def assess_resectability(profile: PatientProfile, book: RuleBook) -> ResectabilityAssessment:
    facts = facts_of(profile)
    notes = tuple(
        Note(text=note.text, refs=refs_of(note.sources), sources=note.sources, rule_id=note.id)
        for note in book.resectability.notes
    )
    return ResectabilityAssessment(
        criteria_sets=tuple(_assess(parsed, facts, book) for parsed in book.criteria_sets),
        notes=notes,
    )
