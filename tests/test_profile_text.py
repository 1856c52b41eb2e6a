"""A profile shown back as a clinician reads it."""

from clinical.profile_text import describe_field, profile_summary


def test_values_are_printed_as_typed() -> None:
    assert describe_field("largest_size_cm", 6.0) == "largest tumour 6 cm"
    assert describe_field("afp_ng_ml", 320.5) == "AFP 320.5 ng/mL"
    assert describe_field("egd_done", True) == "EGD done yes"
    assert describe_field("varices", "untreated_or_severe") == "varices untreated or severe"
    assert describe_field("line", "first") == "first line"


def test_summary_flattens_the_tumour_and_never_shows_the_label() -> None:
    profile = {"label": "Mrs Example", "child_pugh_class": "A", "tumour": {"tumour_count": 3}}
    assert profile_summary(profile) == "Child-Pugh A; tumours 3"
    assert profile_summary({}) == "no patient details given"
