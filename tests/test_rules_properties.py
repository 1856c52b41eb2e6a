"""Property tests over random profiles: the rule core's safety invariants, determinism, totality.

The invariants are checked twice: with the shipped rule tables, and with an adversarial first-line
table that recommends every regimen to everyone, to show the engine enforces them by itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinical.profile import Goal, PatientProfile, ProfileError, UpToSeven, Varices, parse_profile
from clinical.rules import (
    Recommendation,
    first_line,
    later_line,
    load_rulebook,
    locoregional_choice,
    potential_resectability,
    recommend,
)
from clinical.rules.book import DATA_DIR, RuleBook
from clinical.rules.engine import Draft, OptionDraft
from clinical.rules.facts import facts_of
from clinical.rules.output import Certainty
from clinical.rules.safety import enforce
from corpus.regimens import load_catalogue

CATALOGUE = load_catalogue()
SYSTEMIC = sorted(r.id for r in CATALOGUE.regimens.values() if not r.is_locoregional)
STRIDE = "tremelimumab_durvalumab"
EGD_CHECK = "SAFETY-EGD-BEFORE-BEVACIZUMAB"

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

finding = st.sampled_from([True, False, None])
IVC_THROMBUS = ["none", "below_atrium", "reaches_atrium", "unknown"]


@st.composite
def tumours(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.none() | st.integers(1, 8))
    lobes = draw(st.sampled_from(["one", "both", "unknown"]))
    tumour: dict[str, Any] = {
        "lobes_involved": lobes,
        "largest_size_cm": draw(st.none() | st.floats(0.5, 20, allow_nan=False)),
        "tumour_count": count,
        "pvtt_grade": draw(st.sampled_from(["vp0", "vp1", "vp2", "vp3", "vp4", "unknown"])),
        "hvtt_branches": draw(st.none() | st.integers(0, 3)),
        "ivc_thrombus": draw(
            st.sampled_from(["none", "below_atrium", "reaches_atrium", "unknown"])
        ),
        "extrahepatic_spread": draw(finding),
    }
    if lobes == "both" and (count is None or count >= 2):
        upper = 4 if count is None else min(4, count - 1)
        tumour["contralateral_lesion_count"] = draw(st.none() | st.integers(1, upper))
    if tumour["pvtt_grade"] in ("vp4", "unknown"):
        tumour["pvtt_contralateral"] = draw(finding)
        tumour["pvtt_reaches_smv"] = draw(finding)
    if draw(st.booleans()):
        tumour["up_to_7"] = draw(st.sampled_from(["within", "beyond", "unknown"]))
    return tumour


@st.composite
def profile_data(draw: st.DrawFn) -> dict[str, Any]:
    priors = draw(st.lists(st.sampled_from(SYSTEMIC), max_size=3))
    child_pugh = draw(
        st.sampled_from(
            [{}, {"child_pugh_class": "unknown"}, {"child_pugh_class": "A"}]
            + [{"child_pugh_score": score} for score in range(5, 16)]
            + [{"child_pugh_class": "B", "child_pugh_score": 8}, {"child_pugh_class": "C"}]
        )
    )
    lines = ["later", "unknown"] if priors else ["first", "later", "unknown"]
    return {
        **child_pugh,
        "line": draw(st.sampled_from(lines)),
        "prior_regimens": priors,
        "goal": draw(st.sampled_from(["conversion", "maintenance", "unknown"])),
        "ecog": draw(st.none() | st.integers(0, 4)),
        "bclc_stage": draw(st.sampled_from(["0", "A", "B", "B1", "B2", "B3", "C", "D", "unknown"])),
        "varices": draw(st.sampled_from(["none", "treated", "untreated_or_severe", "unknown"])),
        "egd_done": draw(finding),
        "active_autoimmune_disease": draw(finding),
        "organ_transplant": draw(finding),
        "low_platelets": draw(finding),
        "refractory_hypertension": draw(finding),
        "tumour": draw(tumours()),
        "afp_ng_ml": draw(st.none() | st.floats(0, 100_000, allow_nan=False)),
        "nlr": draw(st.none() | st.floats(0, 30, allow_nan=False)),
        "region": draw(st.sampled_from(["china", "elsewhere", "unknown"])),
        "prior_tace": draw(st.sampled_from(["none", "some", "heavily_pretreated", "unknown"])),
    }


def _parsed(data: dict[str, Any]) -> PatientProfile | None:
    try:
        return parse_profile(data)
    except ProfileError:
        return None  # an inconsistent draw (e.g. up-to-7 stated against size and number)


profiles = profile_data().map(_parsed).filter(lambda profile: profile is not None)


def assert_invariants(profile: PatientProfile, result: Recommendation) -> None:
    cleared = profile.egd_done is True and profile.varices in (Varices.NONE, Varices.TREATED)
    large_burden = (
        profile.tumour.up_to_7_status is UpToSeven.BEYOND
        or profile.tumour.pvtt_grade.value == "vp4"
    )
    recommended = [option.regimen for option in result.recommended]
    for option in result.recommended:
        regimen = CATALOGUE.regimen(option.regimen)
        if regimen.contains_bevacizumab:
            assert profile.varices is not Varices.UNTREATED_OR_SEVERE
            assert cleared or EGD_CHECK in option.checks
        if regimen.is_immune_based:
            assert not profile.organ_transplant and not profile.active_autoimmune_disease
        if regimen.is_targeted:
            assert not profile.low_platelets and not profile.refractory_hypertension
        if regimen.id == STRIDE:
            assert profile.goal is not Goal.CONVERSION and not large_burden
        assert option.trials, option.regimen
        if option.regimen in profile.prior_regimens:
            assert option.regimen == profile.last_prior_regimen == "lenvatinib"
    assert [option.rank for option in result.recommended] == list(range(1, len(recommended) + 1))
    assert len(set(recommended)) == len(recommended)
    assert not set(recommended) & {entry.regimen for entry in result.avoid}
    assert (result.outside_review is None) == bool(recommended)


@PROPERTY_SETTINGS
@given(profiles)
def test_safety_invariants_hold_for_any_profile(profile: PatientProfile) -> None:
    assert_invariants(profile, recommend(profile))


@PROPERTY_SETTINGS
@given(profiles)
def test_same_profile_same_answer(profile: PatientProfile) -> None:
    first = recommend(profile)
    again = recommend(parse_profile(profile.model_dump(mode="json")))
    assert first == again
    assert first.model_dump_json() == again.model_dump_json()


@PROPERTY_SETTINGS
@given(profiles)
def test_frail_later_line_is_always_tentative(profile: PatientProfile) -> None:
    result = recommend(profile)
    frail = profile.child_pugh_class.value == "B" or profile.ecog == 2
    if result.setting == "later_line" and (frail or len(profile.prior_regimens) >= 2):
        assert all(option.certainty is Certainty.TENTATIVE for option in result.recommended)


@PROPERTY_SETTINGS
@given(profiles)
def test_side_functions_are_total(profile: PatientProfile) -> None:
    choice = locoregional_choice(profile)
    assert (choice.outside_review is None) == bool(choice.options)
    assessment = potential_resectability(profile)
    assert len(assessment.criteria_sets) == 2
    for criteria_set in assessment.criteria_sets:
        statuses = {criterion.status for criterion in criteria_set.criteria}
        assert (criteria_set.overall == "met") == (statuses == {"met"})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=8,
)
FIELDS = [*PatientProfile.model_fields, "tumour", "unexpected"]


@PROPERTY_SETTINGS
@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6) | json_values)
def test_no_input_crashes_the_rule_core(data: Any) -> None:
    try:
        profile = parse_profile(data)
    except ProfileError as error:
        assert "\n" not in str(error)
        return
    assert_invariants(profile, recommend(profile))


@pytest.fixture(scope="module")
def reckless_book(tmp_path_factory: pytest.TempPathFactory) -> RuleBook:
    """The shipped data, but a first-line table that recommends every regimen to everyone."""
    data_dir = tmp_path_factory.mktemp("reckless") / "rules"
    shutil.copytree(DATA_DIR, data_dir)
    lines = [
        "description: Recommends everything, to test that the engine's invariants still hold.",
        "rules:",
        "  - id: RECOMMEND-EVERYTHING",
        "    title: Everything, always",
        "    trials: [IMbrave150]",
        "    sources:",
        "      - section: Introduction",
        '        quote: "These trials only recruited fit patients"',
        "    recommend:",
    ]
    for priority, regimen in enumerate(SYSTEMIC):
        lines += [
            f"      - regimen: {regimen}",
            f"        priority: {priority}",
            "        rationale: test",
        ]
    Path(data_dir / "first_line.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_rulebook(data_dir)


@PROPERTY_SETTINGS
@given(profiles)
def test_engine_enforces_invariants_even_against_its_tables(
    reckless_book: RuleBook, profile: PatientProfile
) -> None:
    assert_invariants(profile, first_line(profile, reckless_book))
    assert_invariants(profile, later_line(profile, reckless_book))


def test_an_uncited_option_is_withdrawn_by_the_engine() -> None:
    book = load_rulebook()
    profile = parse_profile({})
    draft = Draft()
    draft.options["lenvatinib"] = OptionDraft("lenvatinib", 10, 0, Certainty.FIRMER)
    enforce(draft, profile, facts_of(profile), book, require_trials=True)
    assert draft.options == {}
    assert draft.avoided["lenvatinib"].rule_ids == ["SAFETY-UNCITED"]
