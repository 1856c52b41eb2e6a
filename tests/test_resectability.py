"""Potential resectability: the five criteria (ref 88) and the atezo/bev criteria (ref 89)."""

from __future__ import annotations

from typing import Any

import pytest
from rule_core_support import assert_in_review, patient

from clinical.rules import CriteriaSetResult, potential_resectability

FIVE = "lenvatinib_anti_pd1_potentially_resectable"
VASCULAR = "atezolizumab_bevacizumab_vascular_invasion"
VP2 = {"tumour": {"pvtt_grade": "vp2"}}


def both_lobes(count: int, contralateral: int, contralateral_cm: float) -> dict[str, Any]:
    """Tumours in both lobes; the largest (8 cm) sits in the main lobe."""
    tumour = {
        "lobes_involved": "both",
        "largest_size_cm": 8,
        "tumour_count": count,
        "contralateral_lesion_count": contralateral,
        "contralateral_largest_cm": contralateral_cm,
    }
    return {"tumour": tumour}


def criteria_set(set_id: str, **changes: Any) -> CriteriaSetResult:
    result = potential_resectability(patient(**changes))
    return next(s for s in result.criteria_sets if s.id == set_id)


def status(set_id: str, criterion: str, **changes: Any) -> str:
    found = criteria_set(set_id, **changes)
    return next(c.status for c in found.criteria if c.id == criterion)


def test_the_fit_one_lobe_patient_meets_all_five() -> None:
    assert_in_review("(5) No extrahepatic metastasis")
    result = criteria_set(FIVE)
    assert result.overall == "met"
    assert [c.status for c in result.criteria] == ["met"] * 5
    assert result.regimen == "lenvatinib_anti_pd1"
    assert [t.id for t in result.trials] == ["conversion-criteria-lenvatinib-anti-pd1"]
    assert 88 in result.refs


@pytest.mark.parametrize(
    ("criterion", "changes", "expected"),
    [
        ("ecog_0_1", {"ecog": 1}, "met"),
        ("ecog_0_1", {"ecog": 2}, "not_met"),
        ("ecog_0_1", {"ecog": None}, "unknown"),
        ("child_pugh_a", {"child_pugh_class": "B"}, "not_met"),
        ("child_pugh_a", {"child_pugh_class": "unknown"}, "unknown"),
        (
            "intrahepatic_extent",
            both_lobes(2, 1, 5),
            "met",
        ),
        (
            "intrahepatic_extent",
            both_lobes(2, 1, 5.5),
            "not_met",
        ),
        (
            "intrahepatic_extent",
            both_lobes(4, 3, 3),
            "met",
        ),
        (
            "intrahepatic_extent",
            both_lobes(3, 2, 3.5),
            "not_met",
        ),
        (
            "intrahepatic_extent",
            both_lobes(5, 4, 1),
            "not_met",
        ),
        (
            "intrahepatic_extent",
            {"tumour": {"lobes_involved": "both", "tumour_count": None}},
            "unknown",
        ),
        ("intrahepatic_extent", {"tumour": {"lobes_involved": "unknown"}}, "unknown"),
        ("vascular_thrombus_extent", {"tumour": {"pvtt_grade": "vp3"}}, "met"),
        (
            "vascular_thrombus_extent",
            {"tumour": {"pvtt_grade": "vp4", "pvtt_contralateral": True}},
            "not_met",
        ),
        (
            "vascular_thrombus_extent",
            {"tumour": {"pvtt_grade": "vp4", "pvtt_reaches_smv": True}},
            "not_met",
        ),
        ("vascular_thrombus_extent", {"tumour": {"pvtt_grade": "vp4"}}, "unknown"),
        ("vascular_thrombus_extent", {"tumour": {"hvtt_branches": 2}}, "met"),
        ("vascular_thrombus_extent", {"tumour": {"hvtt_branches": 3}}, "not_met"),
        ("vascular_thrombus_extent", {"tumour": {"ivc_thrombus": "below_atrium"}}, "met"),
        ("vascular_thrombus_extent", {"tumour": {"ivc_thrombus": "reaches_atrium"}}, "not_met"),
        ("no_extrahepatic_metastasis", {"tumour": {"extrahepatic_spread": True}}, "not_met"),
        ("no_extrahepatic_metastasis", {"tumour": {"extrahepatic_spread": None}}, "unknown"),
    ],
)
def test_five_criteria_one_by_one(criterion: str, changes: dict[str, Any], expected: str) -> None:
    assert_in_review(
        "(3) Intrahepatic tumors confined to one liver lobe or present in one lobe alongside "
        "either a single tumor with ≤ 5 cm diameter or 2–3 tumors each with ≤ 3 cm diameter in "
        "the contralateral lobe"
    )
    assert status(FIVE, criterion, **changes) == expected


def test_one_unmet_criterion_fails_the_set_and_unknown_leaves_it_open() -> None:
    assert criteria_set(FIVE, ecog=2, child_pugh_class="unknown").overall == "not_met"
    assert criteria_set(FIVE, child_pugh_class="unknown").overall == "unknown"


def test_five_criteria_report_the_facts_they_read() -> None:
    result = criteria_set(FIVE, ecog=1)
    ecog = next(c for c in result.criteria if c.id == "ecog_0_1")
    assert ecog.facts == {"ecog": 1}


def test_downstaging_rates_come_from_the_trial_records() -> None:
    figures = criteria_set(FIVE).key_figures
    assert {f.arm for f in figures if f.found and f.metric == "downstaging_rate"} == {
        "met_criteria",
        "not_met_criteria",
    }


def test_vascular_invasion_criteria_all_met() -> None:
    assert_in_review("(3) neutrophil-lymphocyte ratio (NLR) < 2.63")
    result = criteria_set(VASCULAR, **VP2)
    assert result.applicable is True
    assert result.overall == "met"
    assert result.regimen == "atezolizumab_bevacizumab"
    assert 89 in result.refs


@pytest.mark.parametrize(
    ("criterion", "changes", "expected"),
    [
        ("vp1_2", {"tumour": {"pvtt_grade": "vp1"}}, "met"),
        ("vp1_2", {"tumour": {"pvtt_grade": "vp3"}}, "not_met"),
        ("vp1_2", {"tumour": {"pvtt_grade": "unknown"}}, "unknown"),
        ("afp_below_400", {"afp_ng_ml": 399.9}, "met"),
        ("afp_below_400", {"afp_ng_ml": 400}, "not_met"),
        ("afp_below_400", {"afp_ng_ml": None}, "unknown"),
        ("nlr_below_2_63", {"nlr": 2.62}, "met"),
        ("nlr_below_2_63", {"nlr": 2.63}, "not_met"),
        ("diameter_below_10_cm", {"tumour": {"largest_size_cm": 9.9}}, "met"),
        ("diameter_below_10_cm", {"tumour": {"largest_size_cm": 10}}, "not_met"),
        ("diameter_below_10_cm", {"tumour": {"largest_size_cm": None}}, "unknown"),
    ],
)
def test_vascular_invasion_criteria_one_by_one(
    criterion: str, changes: dict[str, Any], expected: str
) -> None:
    merged = {**VP2, **changes, "tumour": {**VP2["tumour"], **changes.get("tumour", {})}}
    assert status(VASCULAR, criterion, **merged) == expected


@pytest.mark.parametrize(
    ("tumour", "applicable"),
    [
        ({"pvtt_grade": "vp0", "hvtt_branches": 0, "ivc_thrombus": "none"}, False),
        ({"pvtt_grade": "vp0", "hvtt_branches": 1, "ivc_thrombus": "none"}, True),
        ({"pvtt_grade": "vp0", "hvtt_branches": 0, "ivc_thrombus": "below_atrium"}, True),
        ({"pvtt_grade": "unknown", "hvtt_branches": 0, "ivc_thrombus": "none"}, None),
    ],
)
def test_vascular_invasion_criteria_apply_only_with_vascular_invasion(
    tumour: dict[str, Any], applicable: bool | None
) -> None:
    assert criteria_set(VASCULAR, tumour=tumour).applicable is applicable


def test_japanese_consensus_is_named_but_not_assessed() -> None:
    notes = potential_resectability(patient()).notes
    assert [note.rule_id for note in notes] == ["RES-JAPANESE-CONSENSUS"]
    assert 90 in notes[0].refs
