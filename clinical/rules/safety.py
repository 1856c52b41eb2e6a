"""Safety invariants, enforced in code after the rule tables have spoken.

Whatever the tables say, no option that breaks one of these leaves the engine as a recommendation:
it moves to the avoid list with the invariant's reason and source (wording in safety.yaml).
An amended table can therefore be wrong, but it cannot be unsafe in these ways.
"""

from __future__ import annotations

from collections.abc import Iterator

from clinical.profile import Goal, PatientProfile, Varices
from clinical.profile_text import fact_label
from clinical.rules.book import HIGH_TUMOUR_BURDEN, RuleBook
from clinical.rules.conditions import Named, evaluate
from clinical.rules.engine import Draft, OptionDraft
from clinical.rules.facts import Facts
from clinical.rules.schema import Check, Invariant, InvariantKey, Rule

STRIDE = "tremelimumab_durvalumab"


def _violations(
    option: OptionDraft,
    profile: PatientProfile,
    facts: Facts,
    book: RuleBook,
    require_trials: bool,
) -> Iterator[tuple[InvariantKey, tuple[str, ...]]]:
    """Each invariant the option breaks, with the profile fields that make it break it."""
    regimen = book.catalogue.regimen(option.regimen)
    if regimen.contains_bevacizumab and profile.varices is Varices.UNTREATED_OR_SEVERE:
        yield "bevacizumab_varices", ("varices",)
    if regimen.contains_bevacizumab and profile.recent_bleeding:
        yield "bevacizumab_bleeding", ("recent_bleeding",)
    ici_reasons = tuple(
        name for name in ("organ_transplant", "active_autoimmune_disease") if getattr(profile, name)
    )
    if regimen.is_immune_based and ici_reasons:
        yield "ici_contraindicated", ici_reasons
    targeted_reasons = tuple(
        name for name in ("low_platelets", "refractory_hypertension") if getattr(profile, name)
    )
    if regimen.is_targeted and targeted_reasons:
        yield "targeted_contraindicated", targeted_reasons
    if regimen.id == STRIDE:
        large_burden = evaluate(Named(HIGH_TUMOUR_BURDEN), facts, book.vocabulary) is True
        if profile.goal is Goal.CONVERSION or large_burden:
            burden = ("tumour.up_to_7", "tumour.pvtt_grade") if large_burden else ()
            yield "stride_conversion_or_burden", ("goal", *burden)
    if require_trials and not option.trials:
        yield "uncited", ()
    if option.regimen in profile.prior_regimens and not option.continues_prior:
        yield "already_received", ()


def _varices_cleared(profile: PatientProfile) -> bool:
    """An EGD has excluded untreated or severe varices."""
    return profile.egd_done is True and profile.varices in (Varices.NONE, Varices.TREATED)


def _reason(
    invariant: Invariant, fields: tuple[str, ...], profile: PatientProfile, book: RuleBook
) -> str:
    """The invariant's reason, saying so when every fact behind it is only possibly present."""
    unsure = [f for f in fields if f in profile.unconfirmed]
    if not fields or len(unsure) < len([f for f in fields if _holds(profile, f)]):
        return invariant.reason
    return book.safety.unconfirmed_reason.format(
        reason=invariant.reason, facts=" and ".join(fact_label(f) for f in unsure)
    )


def _holds(profile: PatientProfile, name: str) -> bool:
    head, _, tail = name.partition(".")
    value = getattr(profile.tumour, tail) if head == "tumour" else getattr(profile, head)
    return value not in (None, False, "unknown") and getattr(value, "value", value) != "unknown"


def enforce(
    draft: Draft, profile: PatientProfile, facts: Facts, book: RuleBook, require_trials: bool
) -> None:
    """Withdraw every option that breaks an invariant (giving every reason); EGD before bev;
    ask first for any fact read as only possibly present."""
    invariants = book.safety.invariants
    for option in list(draft.options.values()):
        for key, fields in _violations(option, profile, facts, book, require_trials):
            invariant = invariants[key]
            draft.withdraw(
                option.regimen,
                _reason(invariant, fields, profile, book),
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
        text = egd.reason
        if profile.portal_hypertension:
            text = f"{book.safety.portal_hypertension_egd} {text}"
        check = Check(id=egd.id, text=text, applies_to_class=("bevacizumab",))
        rule = Rule(id=egd.id, title="EGD before bevacizumab", sources=egd.sources)
        draft.checks.insert(0, (check, rule))
        draft.fired.append(egd.id)
    if profile.unconfirmed:
        confirm = book.safety.confirm_check
        labels = " and ".join(fact_label(f) for f in profile.unconfirmed)
        check = Check(id=confirm.id, text=confirm.reason.format(facts=labels))
        rule = Rule(id=confirm.id, title="Confirm unclear facts", sources=confirm.sources)
        draft.checks.insert(0, (check, rule))
        draft.fired.append(confirm.id)
