"""Classes of misreading of a fact's status (present, absent, historical, uncertain,
hypothetical), each read as the phrase bank's format (eval/cases/reader/FORMAT.md) defines it."""

from __future__ import annotations

import pytest

from clinical.reader import Status, read


def _decided(text: str, field: str) -> tuple[object, Status] | None:
    fact = read(text).decided.get(field)
    return None if fact is None else (fact.value, fact.status)


@pytest.mark.parametrize(
    ("text", "value", "status"),
    [
        # a goal asked about in a yes/no question is open; one taken as given is stated
        ("Big right-lobe mass, CP A5. Conversion realistic?", "conversion", Status.UNCERTAIN),
        ("Wang criteria -> atezo/bev for conversion?", "conversion", Status.UNCERTAIN),
        ("Could this be a conversion case with atezo/bev?", "conversion", Status.UNCERTAIN),
        ("Which regimen for conversion?", "conversion", Status.PRESENT),
        ("neoadjuvant / conversion - what regimen?", "conversion", Status.PRESENT),
        # offered as alternatives it is open, held at the goal that asks more of treatment
        (
            "goal unclear - MDT split between conversion and maintenance",
            "conversion",
            Status.UNCERTAIN,
        ),
        # a goal is an intent: a plan states it, a what-if does not
        ("Team considering atezo/bev to downstage.", "conversion", Status.PRESENT),
        ("what if the goal were downstaging?", "conversion", Status.HYPOTHETICAL),
        # a regimen given for conversion that then failed or was followed by resection: past
        (
            "lenvatinib + sintilimab for conversion, failed - now PD, no longer a candidate",
            "conversion",
            Status.HISTORICAL,
        ),
        (
            "55F on lenvatinib + tislelizumab as conversion therapy; good PR.",
            "conversion",
            Status.PRESENT,
        ),
        # plain words for either goal
        (
            "not for surgery; aim is to control disease as long as possible",
            "maintenance",
            Status.PRESENT,
        ),
        ("Surgery: not an option (told by surgeons)", "maintenance", Status.PRESENT),
        ("He does not wish to pursue surgery in any circumstance.", "maintenance", Status.PRESENT),
        ("she would like a chance at surgery if at all possible", "conversion", Status.PRESENT),
        (
            "Surgeon: not resectable now, re-evaluate for hepatectomy after 3 months.",
            "conversion",
            Status.PRESENT,
        ),
    ],
)
def test_goal(text: str, value: str, status: Status) -> None:
    assert _decided(text, "goal") == (value, status)
