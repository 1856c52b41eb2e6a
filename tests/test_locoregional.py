"""Locoregional choice (rules/data/locoregional.yaml): TACE vs HAIC vs SBRT, refs 67 and 86."""

from __future__ import annotations

from typing import Any

import pytest
from rule_core_support import assert_in_review, patient

from clinical.rules import LocoregionalChoice, locoregional_choice

WITHIN = {"largest_size_cm": 3, "tumour_count": 2, "pvtt_grade": "vp0"}
BEYOND = {"largest_size_cm": 6, "tumour_count": 3, "pvtt_grade": "vp0"}


def choose(**changes: Any) -> LocoregionalChoice:
    return locoregional_choice(patient(**changes))


@pytest.mark.parametrize(
    ("changes", "options", "avoid", "passage"),
    [
        (
            {"tumour": BEYOND},
            ["haic"],
            set(),
            "in patients with higher tumor burden, such as those exceeding the up-to-7 criteria, "
            "or those with a main portal vein tumor thrombus, HAIC should be prioritized.",
        ),
        (
            {"tumour": {**WITHIN, "pvtt_grade": "vp4"}},
            ["haic"],
            set(),
            "or those with a main portal vein tumor thrombus, HAIC should be prioritized.",
        ),
        (
            {"tumour": WITHIN},
            ["tace"],
            set(),
            "For patients with a low tumor burden or multiple tumors located in different lobes of "
            "the liver, TACE should be prioritized.",
        ),
        (
            {"tumour": {"up_to_7": "unknown", "lobes_involved": "both", "largest_size_cm": None}},
            ["tace"],
            set(),
            "multiple tumors located in different lobes of the liver, TACE should be prioritized.",
        ),
        (
            {"tumour": {**BEYOND, "lobes_involved": "both", "contralateral_lesion_count": 1}},
            ["haic", "tace"],
            set(),
            "The indications for HAIC and TACE have significant overlap",
        ),
        (
            {"tumour": WITHIN, "prior_tace": "heavily_pretreated"},
            ["haic", "sbrt"],
            {"tace"},
            "In such patients, hepatic arterial infusion chemotherapy (HAIC) or stereotactic body "
            "radiation therapy (SBRT) may be used as alternative locoregional therapies to TACE.",
        ),
        (
            {"tumour": BEYOND, "prior_regimens": ["tace_lenvatinib_pembrolizumab"]},
            ["haic", "sbrt"],
            {"tace"},
            "including those whose condition progressed after TACE combined with systemic therapy",
        ),
    ],
    ids=[
        "beyond-up-to-7",
        "main-trunk-thrombus",
        "low-burden",
        "different-lobes",
        "high-burden-in-both-lobes",
        "heavily-tace-pretreated",
        "progressed-after-tace-plus-systemic",
    ],
)
def test_locoregional_choice(
    changes: dict[str, Any], options: list[str], avoid: set[str], passage: str
) -> None:
    assert_in_review(passage)
    if "prior_regimens" in changes:
        changes = {**changes, "line": "later"}
    choice = choose(**changes)
    assert [option.regimen for option in choice.options] == options
    assert {entry.regimen for entry in choice.avoid} == avoid
    assert choice.outside_review is None


def test_haic_and_tace_cite_the_consensus_and_sbrt_stays_tentative() -> None:
    assert_in_review("TACE should be prioritized.⁸⁶")
    haic = choose(tumour=BEYOND).options[0]
    assert haic.refs == (86,) and haic.certainty.value == "firmer"
    sbrt = choose(tumour=WITHIN, prior_tace="heavily_pretreated").options[1]
    assert sbrt.regimen == "sbrt" and sbrt.certainty.value == "tentative"


def test_unknown_burden_and_lobes_says_what_is_needed() -> None:
    choice = choose(tumour={"up_to_7": "unknown", "largest_size_cm": None, "pvtt_grade": "vp0"})
    assert choice.options == ()
    assert choice.outside_review and "up-to-7" in choice.outside_review


def test_advanced_stage_note_is_honest_about_uncertainty() -> None:
    assert_in_review(
        "It remains unknown whether locoregional control of intrahepatic lesions prolongs the "
        "survival of patients with advanced-stage HCC."
    )
    notes = {note.rule_id for note in choose(tumour=WITHIN, bclc_stage="C").notes}
    assert "LR-ADVANCED-STAGE-UNCERTAIN" in notes
    notes = {note.rule_id for note in choose(tumour=WITHIN, bclc_stage="B").notes}
    assert "LR-ADVANCED-STAGE-UNCERTAIN" not in notes


def test_an_empty_locoregional_choice_says_locoregional_not_systemic() -> None:
    from clinical.profile import parse_profile

    statement = locoregional_choice(parse_profile({})).outside_review
    assert statement and "no locoregional option" in statement and "systemic" not in statement
