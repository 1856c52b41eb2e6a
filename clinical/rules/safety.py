"""Safety invariants, enforced in code after the rule tables have spoken.

Whatever the tables say, no option that breaks one of these leaves the engine as a recommendation:
it moves to the avoid list with the invariant's reason and source (wording in safety.yaml).
An amended table can therefore be wrong, but it cannot be unsafe in these ways.
"""

from __future__ import annotations

from collections.abc import Iterator

from clinical.profile import Goal, PatientProfile, Varices
from clinical.rules.book import HIGH_TUMOUR_BURDEN, RuleBook
from clinical.rules.conditions import Named, evaluate
from clinical.rules.engine import Draft, OptionDraft
from clinical.rules.facts import Facts
from clinical.rules.schema import Check, InvariantKey, Rule

STRIDE = "tremelimumab_durvalumab"


def _violations(
    option: OptionDraft,
    profile: PatientProfile,
    facts: Facts,
    book: RuleBook,
    require_trials: bool,
) -> Iterator[InvariantKey]:
    regimen = book.catalogue.regimen(option.regimen)
    if regimen.contains_bevacizumab and profile.varices is Varices.UNTREATED_OR_SEVERE:
        yield "bevacizumab_varices"
    if regimen.is_immune_based and (profile.organ_transplant or profile.active_autoimmune_disease):
        yield "ici_contraindicated"
    if regimen.is_targeted and (profile.low_platelets or profile.refractory_hypertension):
        yield "targeted_contraindicated"
    if regimen.id == STRIDE:
        large_burden = evaluate(Named(HIGH_TUMOUR_BURDEN), facts, book.vocabulary) is True
        if profile.goal is Goal.CONVERSION or large_burden:
            yield "stride_conversion_or_burden"
    if require_trials and not option.trials:
        yield "uncited"
    if option.regimen in profile.prior_regimens and not option.continues_prior:
        yield "already_received"


def _varices_cleared(profile: PatientProfile) -> bool:
    """An EGD has excluded untreated or severe varices."""
    return profile.egd_done is True and profile.varices in (Varices.NONE, Varices.TREATED)


def enforce(
    draft: Draft, profile: PatientProfile, facts: Facts, book: RuleBook, require_trials: bool
) -> None:
    """Withdraw every option that breaks an invariant (giving every reason); EGD before bev."""
    invariants = book.safety.invariants
    for option in list(draft.options.values()):
        for key in _violations(option, profile, facts, book, require_trials):
            invariant = invariants[key]
            draft.withdraw(
                option.regimen,
                invariant.reason,
                invariant.id,
                invariant.trials,
                invariant.sources,
            )
    with_bevacizumab = [
        option.regimen
        for option in draft.options.values()
        if book.catalogue.regimen(option.regimen).contains_bevacizumab
    ]
    if with_bevacizumab and not _varices_cleared(profile):
        egd = invariants["egd_before_bevacizumab"]
        check = Check(id=egd.id, text=egd.reason, applies_to_class=("bevacizumab",))
        rule = Rule(id=egd.id, title="EGD before bevacizumab", sources=egd.sources)
        draft.checks.insert(0, (check, rule))
        draft.fired.append(egd.id)
