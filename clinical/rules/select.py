"""The rule core's public functions: pure and deterministic, profile in, cited result out."""

from __future__ import annotations

from typing import Literal

from clinical.profile import PatientProfile, TreatmentLine
from clinical.rules.assemble import assemble
from clinical.rules.book import RuleBook, load_rulebook
from clinical.rules.criteria import assess_resectability
from clinical.rules.engine import Draft, run_tables
from clinical.rules.facts import facts_of
from clinical.rules.output import LocoregionalChoice, Recommendation, ResectabilityAssessment
from clinical.rules.safety import enforce

Setting = Literal["first_line", "later_line"]
_TABLES: dict[Setting, tuple[str, ...]] = {
    "first_line": ("common", "first_line"),
    "later_line": ("common", "later_line"),
}


def _settled(
    profile: PatientProfile, book: RuleBook, tables: tuple[str, ...], systemic: bool
) -> Draft:
    facts = facts_of(profile)
    draft = run_tables(book, tables, facts)
    enforce(draft, profile, facts, book, require_trials=systemic)
    return draft


def _systemic(profile: PatientProfile, setting: Setting, book: RuleBook | None) -> Recommendation:
    book = book or load_rulebook()
    draft = _settled(profile, book, _TABLES[setting], systemic=True)
    parts = assemble(draft, book)
    wants = draft.assess
    return Recommendation(
        setting=setting,
        recommended=parts.recommended,
        avoid=parts.avoid,
        checks=parts.checks,
        regional_notes=parts.regional_notes,
        notes=parts.notes,
        outside_review=parts.outside_review,
        rules_fired=parts.rules_fired,
        resectability=assess_resectability(profile, book) if "resectability" in wants else None,
        locoregional=locoregional_choice(profile, book) if "locoregional" in wants else None,
        disclaimer=book.safety.disclaimer,
    )


def first_line(profile: PatientProfile, book: RuleBook | None = None) -> Recommendation:
    """First-line systemic options for a systemic-naive patient, ranked, with what to avoid."""
    return _systemic(profile, "first_line", book)


def later_line(profile: PatientProfile, book: RuleBook | None = None) -> Recommendation:
    """Options after the regimen listed last in `prior_regimens` has failed."""
    return _systemic(profile, "later_line", book)


def locoregional_choice(
    profile: PatientProfile, book: RuleBook | None = None
) -> LocoregionalChoice:
    """TACE vs HAIC vs SBRT by tumour burden, lobar spread and prior TACE."""
    book = book or load_rulebook()
    draft = _settled(profile, book, ("locoregional",), systemic=False)
    parts = assemble(draft, book, book.safety.no_locoregional_option)
    return LocoregionalChoice(
        options=parts.recommended,
        avoid=parts.avoid,
        notes=parts.notes,
        outside_review=parts.outside_review,
        rules_fired=parts.rules_fired,
    )


def potential_resectability(
    profile: PatientProfile, book: RuleBook | None = None
) -> ResectabilityAssessment:
    """The criteria before lenvatinib + anti-PD-1 (ref 88) and atezo/bev with vascular invasion."""
    return assess_resectability(profile, book or load_rulebook())


def recommend(profile: PatientProfile, book: RuleBook | None = None) -> Recommendation:
    """First-line or later-line selection, whichever the profile's treatment line calls for."""
    if profile.effective_line is TreatmentLine.LATER:
        return later_line(profile, book)
    return first_line(profile, book)
