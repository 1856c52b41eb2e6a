"""The profile panel round-trips every profile field; the card follows the profile."""

from __future__ import annotations

import pytest

from clinical.profile import PatientProfile, ProfileError
from ui.card import EMPTY_CARD, card_for
from ui.profile_panel import (
    FIELD_INDEX,
    FIELDS,
    cleared,
    panel_values,
    profile_data,
    profile_from_values,
    stated,
)

FULL = {
    "line": "later",
    "prior_regimens": ["atezolizumab_bevacizumab"],
    "goal": "conversion",
    "child_pugh_class": "A",
    "child_pugh_score": 6,
    "ecog": 1,
    "bclc_stage": "C",
    "varices": "treated",
    "egd_done": True,
    "active_autoimmune_disease": False,
    "organ_transplant": False,
    "low_platelets": True,
    "refractory_hypertension": False,
    "afp_ng_ml": 1234.5,
    "nlr": 2.1,
    "region": "china",
    "prior_tace": "some",
    "tumour": {
        "lobes_involved": "both",
        "largest_size_cm": 8.5,
        "tumour_count": 4,
        "contralateral_lesion_count": 1,
        "contralateral_largest_cm": 2.0,
        "up_to_7": "beyond",
        "pvtt_grade": "vp3",
        "pvtt_contralateral": False,
        "pvtt_reaches_smv": False,
        "hvtt_branches": 1,
        "ivc_thrombus": "none",
        "extrahepatic_spread": True,
    },
}


def test_every_profile_field_but_the_label_is_on_the_panel() -> None:
    keys = {f.key for f in FIELDS}
    top = set(PatientProfile.model_fields) - {"label", "tumour", "unconfirmed"}
    nested = {f"tumour.{k}" for k in PatientProfile.model_fields["tumour"].annotation.model_fields}
    assert keys == top | nested


def test_round_trip_of_a_full_profile() -> None:
    values = panel_values(FULL)
    assert profile_from_values(values) == PatientProfile.model_validate(FULL)


def test_unknown_is_never_read_as_zero_or_no() -> None:
    values = panel_values(None)
    assert profile_data(values) == {}
    assert values[FIELD_INDEX["ecog"]] == "unknown" and values[FIELD_INDEX["nlr"]] == ""
    values[FIELD_INDEX["ecog"]] = "0"
    values[FIELD_INDEX["low_platelets"]] = "no"
    assert profile_data(values) == {"ecog": 0, "low_platelets": False}


def test_bad_values_are_one_line_profile_errors() -> None:
    values = panel_values({"child_pugh_class": "A"})
    values[FIELD_INDEX["child_pugh_score"]] = "9"
    with pytest.raises(ProfileError, match="Child-Pugh score 9 is not class A"):
        profile_from_values(values)
    values = panel_values(None)
    values[FIELD_INDEX["afp_ng_ml"]] = "lots"
    with pytest.raises(ProfileError, match="AFP"):
        profile_from_values(values)


def test_cleared_fields_are_sent_as_unknown() -> None:
    before = {"ecog": 0, "child_pugh_class": "A", "tumour": {"pvtt_grade": "vp4"}}
    sent = cleared(before, {"ecog": 1})
    assert sent == {"ecog": 1, "child_pugh_class": "unknown", "tumour": {"pvtt_grade": "unknown"}}
    assert stated(sent) == {"ecog": 1}


def test_card_follows_the_profile() -> None:
    assert card_for({}) == EMPTY_CARD
    plain = card_for({"child_pugh_class": "A", "ecog": 0, "varices": "none", "egd_done": True})
    assert "Preferred options" in plain and "1. **Atezolizumab + bevacizumab**" in plain
    varices = card_for({"child_pugh_class": "A", "ecog": 0, "varices": "untreated_or_severe"})
    avoid = varices.split("**Avoid**")[1]
    assert "Atezolizumab + bevacizumab" in avoid and "bleeding" in avoid
    assert "Checks before starting" in varices
    assert "cannot be used" in card_for({"child_pugh_class": "A", "child_pugh_score": 9})


def test_a_conflict_names_the_fields_and_the_fix() -> None:
    from ui.profile_panel import explain_problem

    assert explain_problem("invalid profile: Child-Pugh score 6 is not class B") == (
        "**Child-Pugh class** B does not match **Child-Pugh score** 6 (class A is 5–6, B is 7–9, "
        "C is 10–15 points). To fix: set Child-Pugh class to A, or set the score to 7–9 for "
        "class B, or set the score to unknown."
    )
    other = explain_problem(
        "invalid profile: tumour: contralateral_lesion_count must be below tumour_count"
    )
    assert "Tumours in the contralateral lobe must be below Tumour count" in other
    assert "change **Tumour count** and **Tumours in the contralateral lobe**" in other
