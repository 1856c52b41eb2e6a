"""Turn a settled draft into the output models: rank, attach checks and notes, look up figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from clinical.rules.book import RuleBook
from clinical.rules.engine import Draft, OptionDraft
from clinical.rules.evidence import cite, key_figures
from clinical.rules.output import (
    AvoidedOption,
    Certainty,
    Note,
    PrerequisiteCheck,
    RecommendedOption,
    RegionalNote,
    Source,
)
from clinical.rules.schema import Check


def refs_of(sources: Iterable[Source]) -> tuple[int, ...]:
    return tuple(sorted({ref for source in sources for ref in source.refs}))


@dataclass(frozen=True)
class Parts:
    """The pieces every setting's output is built from."""

    recommended: tuple[RecommendedOption, ...]
    avoid: tuple[AvoidedOption, ...]
    checks: tuple[PrerequisiteCheck, ...]
    regional_notes: tuple[RegionalNote, ...]
    notes: tuple[Note, ...]
    outside_review: str | None
    rules_fired: tuple[str, ...]


def _targets(check: Check, ranked: list[OptionDraft], book: RuleBook) -> tuple[str, ...]:
    targets = []
    for option in ranked:
        classes = book.catalogue.regimen(option.regimen).classes
        if option.regimen in check.applies_to or classes & set(check.applies_to_class):
            targets.append(option.regimen)
    return tuple(targets)


def _checks(draft: Draft, ranked: list[OptionDraft], book: RuleBook) -> list[PrerequisiteCheck]:
    """Checks that concern a recommended option (or the whole plan), merged by id."""
    merged: dict[str, PrerequisiteCheck] = {}
    for check, rule in draft.checks:
        targeted = bool(check.applies_to or check.applies_to_class)
        targets = _targets(check, ranked, book) if targeted else ()
        if targeted and not targets:
            continue
        if not ranked and not targeted:
            continue  # nothing is recommended, so there is nothing to check before it
        previous = merged.get(check.id)
        rule_ids = (*previous.rule_ids, rule.id) if previous else (rule.id,)
        merged[check.id] = PrerequisiteCheck(
            id=check.id,
            text=check.text,
            applies_to=targets,
            refs=refs_of(rule.sources),
            sources=rule.sources,
            rule_ids=tuple(dict.fromkeys(rule_ids)),
        )
    return list(merged.values())


def _option(
    rank: int,
    option: OptionDraft,
    draft: Draft,
    book: RuleBook,
    checks: list[PrerequisiteCheck],
    regional: list[RegionalNote],
) -> RecommendedOption:
    capped = draft.certainty_cap is Certainty.TENTATIVE
    certainty = Certainty.TENTATIVE if capped else option.certainty
    return RecommendedOption(
        rank=rank,
        regimen=option.regimen,
        name=book.catalogue.regimen(option.regimen).name,
        certainty=certainty,
        rationale=tuple(option.rationale),
        trials=cite(option.trials),
        refs=refs_of(option.sources),
        sources=tuple(option.sources),
        key_figures=key_figures(option.figures, book.metric_sets),
        checks=tuple(c.id for c in checks if option.regimen in c.applies_to),
        regional_notes=tuple(n.text for n in regional if n.regimen == option.regimen),
        rule_ids=tuple(option.rule_ids),
    )


def _avoided(draft: Draft, book: RuleBook) -> tuple[AvoidedOption, ...]:
    return tuple(
        AvoidedOption(
            regimen=entry.regimen,
            name=book.catalogue.regimen(entry.regimen).name,
            reason=" ".join(entry.reasons),
            reasons=tuple(entry.reasons),
            trials=cite(entry.trials),
            refs=refs_of(entry.sources),
            sources=tuple(entry.sources),
            key_figures=key_figures(entry.figures, book.metric_sets),
            rule_ids=tuple(entry.rule_ids),
        )
        for entry in draft.avoided.values()
    )


def assemble(draft: Draft, book: RuleBook, no_option: str | None = None) -> Parts:
    """The output parts; `no_option` is said when nothing is recommended and no rule says why."""
    ranked = sorted(draft.options.values(), key=lambda option: (option.priority, option.order))
    recommended_ids = {option.regimen for option in ranked}
    checks = _checks(draft, ranked, book)
    regional = [
        RegionalNote(
            regimen=note.regimen,
            text=note.text,
            refs=refs_of(rule.sources),
            sources=rule.sources,
            rule_id=rule.id,
        )
        for note, rule in draft.regional_notes
        if note.regimen in recommended_ids
    ]
    notes = [
        Note(text=text, refs=refs_of(rule.sources), sources=rule.sources, rule_id=rule.id)
        for text, rule in draft.notes
    ]
    statements = list(dict.fromkeys(text for text, _ in draft.outside_review))
    outside = None
    if not ranked:
        outside = " ".join(statements) if statements else (no_option or book.safety.no_option)
    else:
        notes.extend(
            Note(text=text, refs=refs_of(rule.sources), sources=rule.sources, rule_id=rule.id)
            for text, rule in draft.outside_review
        )
    return Parts(
        recommended=tuple(
            _option(rank, option, draft, book, checks, regional)
            for rank, option in enumerate(ranked, start=1)
        ),
        avoid=_avoided(draft, book),
        checks=tuple(checks),
        regional_notes=tuple(regional),
        notes=tuple(notes),
        outside_review=outside,
        rules_fired=tuple(dict.fromkeys(draft.fired)),
    )
