"""The patient profile: unknown is valid everywhere, the impossible is refused in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clinical.profile import (
    ChildPughClass,
    PatientProfile,
    ProfileError,
    TreatmentLine,
    UpToSeven,
    load_profile,
    parse_profile,
)

EXAMPLES = sorted((Path(__file__).parents[1] / "assistant/examples/profiles").glob("*.json"))


def test_an_empty_profile_is_all_unknown() -> None:
    profile = parse_profile({})
    assert profile.child_pugh_class is ChildPughClass.UNKNOWN
    assert profile.ecog is None and profile.afp_ng_ml is None
    assert profile.tumour.up_to_7_status is UpToSeven.UNKNOWN
    assert profile.effective_line is TreatmentLine.FIRST


def test_unknown_may_be_spelled_out_for_numbers_and_findings() -> None:
    profile = parse_profile({"ecog": "unknown", "egd_done": "unknown", "nlr": "Unknown"})
    assert (profile.ecog, profile.egd_done, profile.nlr) == (None, None, None)


def test_categories_accept_any_letter_case() -> None:
    profile = parse_profile({"child_pugh_class": "b", "region": "China", "bclc_stage": "b2"})
    assert profile.child_pugh_class is ChildPughClass.B
    assert profile.region.value == "china" and profile.bclc_stage.value == "B2"


def test_child_pugh_class_follows_from_the_score() -> None:
    assert parse_profile({"child_pugh_score": 6}).child_pugh_class is ChildPughClass.A
    assert parse_profile({"child_pugh_score": 9}).child_pugh_class is ChildPughClass.B
    assert parse_profile({"child_pugh_score": 10}).child_pugh_class is ChildPughClass.C


def test_prior_regimens_resolve_aliases_to_catalogue_ids() -> None:
    profile = parse_profile({"prior_regimens": ["atezo/bev", "Len/Pembro", "STRIDE"]})
    assert profile.prior_regimens == (
        "atezolizumab_bevacizumab",
        "lenvatinib_pembrolizumab",
        "tremelimumab_durvalumab",
    )
    assert profile.effective_line is TreatmentLine.LATER
    assert profile.last_prior_regimen == "tremelimumab_durvalumab"


def test_up_to_7_is_derived_from_size_and_number() -> None:
    within = parse_profile({"tumour": {"largest_size_cm": 4, "tumour_count": 3}})
    beyond = parse_profile({"tumour": {"largest_size_cm": 5, "tumour_count": 3}})
    assert within.tumour.up_to_7_status is UpToSeven.WITHIN
    assert beyond.tumour.up_to_7_status is UpToSeven.BEYOND


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"child_pugh_class": "D"}, "child_pugh_class: Input should be 'A', 'B', 'C' or 'unknown'"),
        ({"child_pugh_score": 4}, "child_pugh_score: Input should be greater than or equal to 5"),
        ({"child_pugh_score": 16}, "child_pugh_score: Input should be less than or equal to 15"),
        ({"child_pugh_class": "A", "child_pugh_score": 8}, "Child-Pugh score 8 is not class A"),
        ({"ecog": 5}, "ecog: Input should be less than or equal to 4"),
        ({"ecog": -1}, "ecog: Input should be greater than or equal to 0"),
        ({"ecog": 1.5}, "ecog: Input should be a valid integer"),
        ({"afp_ng_ml": -3}, "afp_ng_ml: Input should be greater than or equal to 0"),
        ({"nlr": float("nan")}, "nlr: Input should be a finite number"),
        ({"tumour": {"largest_size_cm": 0}}, "tumour.largest_size_cm: Input should be greater"),
        ({"tumour": {"tumour_count": 0}}, "tumour.tumour_count: Input should be greater"),
        ({"tumour": {"hvtt_branches": 4}}, "tumour.hvtt_branches: Input should be less"),
        ({"tumour": {"pvtt_grade": "vp5"}}, "tumour.pvtt_grade: Input should be"),
        ({"varices": "small"}, "varices: Input should be"),
        ({"egd_done": "perhaps"}, "egd_done: Input should be a valid boolean"),
        ({"smoker": True}, "smoker: Extra inputs are not permitted"),
        ({"tumour": {"size": 3}}, "tumour.size: Extra inputs are not permitted"),
        ({"line": "first", "prior_regimens": ["sorafenib"]}, "line is 'first' but prior_regimens"),
        ({"prior_regimens": ["aspirin"]}, "'aspirin' is not in the regimen catalogue"),
        ({"prior_regimens": ["TACE"]}, "is locoregional: record TACE under prior_tace"),
        (
            {"tumour": {"lobes_involved": "one", "contralateral_lesion_count": 2}},
            "lobes_involved is 'one' but contralateral_lesion_count is above 0",
        ),
        (
            {"tumour": {"lobes_involved": "both", "contralateral_lesion_count": 0}},
            "lobes_involved is 'both' but contralateral_lesion_count is 0",
        ),
        (
            {"tumour": {"tumour_count": 2, "contralateral_lesion_count": 2}},
            "contralateral_lesion_count must be below tumour_count",
        ),
        (
            {"tumour": {"largest_size_cm": 3, "contralateral_largest_cm": 4}},
            "contralateral_largest_cm exceeds largest_size_cm",
        ),
        (
            {"tumour": {"pvtt_grade": "vp2", "pvtt_contralateral": True}},
            "pvtt_grade is vp2 but a thrombus into the contralateral lobe",
        ),
        (
            {"tumour": {"up_to_7": "within", "largest_size_cm": 6, "tumour_count": 2}},
            "up_to_7 is 'within' but largest_size_cm + tumour_count says 'beyond'",
        ),
    ],
)
def test_impossible_values_are_refused_in_one_line(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(data)
    text = str(caught.value)
    assert message in text
    assert text.startswith("invalid profile: ") and "\n" not in text


@pytest.mark.parametrize("data", [[], "profile", 3, None])
def test_a_profile_must_be_an_object(data: object) -> None:
    with pytest.raises(ProfileError, match="expected a JSON object"):
        parse_profile(data)


def test_profiles_are_frozen() -> None:
    profile = parse_profile({})
    with pytest.raises(ValueError):
        profile.ecog = 1  # type: ignore[misc]


def test_load_profile_reports_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read profile"):
        load_profile(tmp_path / "absent.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"ecog": 1,', encoding="utf-8")
    with pytest.raises(ProfileError, match="is not valid JSON"):
        load_profile(broken)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ProfileError, match="cannot read profile"):
        load_profile(binary)


def test_load_profile_round_trips_the_json_dump(tmp_path: Path) -> None:
    profile = parse_profile({"child_pugh_score": 7, "prior_regimens": ["lenvatinib"]})
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile.model_dump(mode="json")), encoding="utf-8")
    assert load_profile(path) == profile


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_every_example_profile_is_valid(path: Path) -> None:
    assert isinstance(load_profile(path), PatientProfile)


def test_there_are_example_profiles_for_both_lines() -> None:
    lines = {load_profile(path).effective_line for path in EXAMPLES}
    assert lines == {TreatmentLine.FIRST, TreatmentLine.LATER}
