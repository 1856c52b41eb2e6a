"""Evaluate rule tables over a profile's facts into a draft: options, avoids, checks, notes.

Rules are read top to bottom; every rule whose condition is true fires, and a rule marked `final`
stops its table there. When rules disagree, avoiding wins over recommending, and two rules that
recommend the same regimen are merged (best priority, firmest certainty, all citations).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from clinical.rules.book import RuleBook
from clinical.rules.conditions import evaluate
from clinical.rules.facts import Facts
from clinical.rules.output import Certainty, Source
from clinical.rules.schema import Check, FigureRef, Recommend, RegionalNoteEntry, Rule


@dataclass
class OptionDraft:
    regimen: str
    priority: int
    order: int  # first-recommended order breaks priority ties, so output is stable
    certainty: Certainty
    rationale: list[str] = field(default_factory=list)
    trials: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    figures: list[FigureRef] = field(default_factory=list)
    rule_ids: list[str] = field(default_factory=list)
    continues_prior: bool = False


@dataclass
class AvoidDraft:
    regimen: str
    reasons: list[str] = field(default_factory=list)
    trials: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    figures: list[FigureRef] = field(default_factory=list)
    rule_ids: list[str] = field(default_factory=list)


def _extend(target: list, items: Iterable) -> None:
    for item in items:
        if item not in target:
            target.append(item)


@dataclass
class Draft:
    options: dict[str, OptionDraft] = field(default_factory=dict)
    avoided: dict[str, AvoidDraft] = field(default_factory=dict)
    checks: list[tuple[Check, Rule]] = field(default_factory=list)
    regional_notes: list[tuple[RegionalNoteEntry, Rule]] = field(default_factory=list)
    notes: list[tuple[str, Rule]] = field(default_factory=list)
    outside_review: list[tuple[str, Rule]] = field(default_factory=list)
    certainty_cap: Certainty | None = None
    assess: set[str] = field(default_factory=set)
    fired: list[str] = field(default_factory=list)

    def recommend(self, effect: Recommend, rule: Rule) -> None:
        certainty = effect.certainty or rule.certainty
        option = self.options.get(effect.regimen)
        if option is None:
            option = OptionDraft(effect.regimen, effect.priority, len(self.options), certainty)
            self.options[effect.regimen] = option
        option.priority = min(option.priority, effect.priority)
        if certainty is Certainty.FIRMER:
            option.certainty = Certainty.FIRMER
        option.continues_prior = option.continues_prior or effect.continues_prior
        _extend(option.rationale, [effect.rationale])
        _extend(option.trials, rule.trials)
        _extend(option.sources, rule.sources)
        _extend(option.figures, effect.figures)
        _extend(option.rule_ids, [rule.id])

    def avoid(
        self,
        regimen: str,
        reason: str,
        rule_id: str,
        trials: Sequence[str] = (),
        sources: Sequence[Source] = (),
        figures: Sequence[FigureRef] = (),
    ) -> None:
        entry = self.avoided.setdefault(regimen, AvoidDraft(regimen))
        _extend(entry.reasons, [reason])
        _extend(entry.trials, trials)
        _extend(entry.sources, sources)
        _extend(entry.figures, figures)
        _extend(entry.rule_ids, [rule_id])

    def withdraw(
        self,
        regimen: str,
        reason: str,
        rule_id: str,
        trials: Sequence[str],
        sources: Sequence[Source],
    ) -> None:
        """Move a recommended regimen to the avoid list (the safety filter's only move)."""
        option = self.options.pop(regimen, None)
        evidence = [*(option.trials if option else ()), *trials]
        self.avoid(regimen, reason, rule_id, trials=evidence, sources=sources)
        _extend(self.fired, [rule_id])

    def apply(self, rule: Rule) -> None:
        self.fired.append(rule.id)
        for effect in rule.recommend:
            self.recommend(effect, rule)
        for avoid in rule.avoid:
            self.avoid(
                avoid.regimen, avoid.reason, rule.id, rule.trials, rule.sources, avoid.figures
            )
        self.checks.extend((check, rule) for check in rule.checks)
        self.regional_notes.extend((note, rule) for note in rule.regional_notes)
        self.notes.extend((text, rule) for text in rule.notes)
        if rule.outside_review:
            self.outside_review.append((rule.outside_review, rule))
        if rule.set_certainty is Certainty.TENTATIVE:
            self.certainty_cap = Certainty.TENTATIVE
        self.assess.update(rule.assess)


def run_tables(book: RuleBook, table_names: Sequence[str], facts: Facts) -> Draft:
    """Fire the rules of the named tables, in order, then let avoiding win over recommending."""
    draft = Draft()
    for name in table_names:
        for parsed in book.tables[name]:
            if evaluate(parsed.when, facts, book.vocabulary) is True:
                draft.apply(parsed.rule)
                if parsed.rule.final:
                    break
    for regimen in draft.avoided:
        draft.options.pop(regimen, None)
    return draft
