"""Helpers shared by the rule-core tests: profile builders and the review text."""

from __future__ import annotations

from functools import cache
from typing import Any

from clinical.profile import PatientProfile, parse_profile
from clinical.rules import Recommendation
from corpus.paths import REVIEW_PATH

# A fit, compensated, first-line patient with every screening done and nothing found; vignettes
# change only what their branch is about.
FIT_PATIENT: dict[str, Any] = {
    "line": "first",
    "goal": "maintenance",
    "child_pugh_class": "A",
    "ecog": 0,
    "bclc_stage": "C",
    "varices": "none",
    "egd_done": True,
    "active_autoimmune_disease": False,
    "organ_transplant": False,
    "low_platelets": False,
    "refractory_hypertension": False,
    "tumour": {
        "lobes_involved": "one",
        "largest_size_cm": 4,
        "tumour_count": 1,
        "pvtt_grade": "vp0",
        "hvtt_branches": 0,
        "ivc_thrombus": "none",
        "extrahepatic_spread": False,
    },
    "afp_ng_ml": 50,
    "nlr": 2.0,
    "region": "elsewhere",
    "prior_tace": "none",
}


def patient(base: dict[str, Any] | None = None, **changes: Any) -> PatientProfile:
    """`base` (default: the fit patient) with `changes`; a `tumour` dict is merged into it."""
    data = dict(FIT_PATIENT if base is None else base)
    tumour = {**data.get("tumour", {}), **changes.pop("tumour", {})}
    return parse_profile({**data, **changes, "tumour": tumour})


def ranking(result: Recommendation) -> list[str]:
    return [option.regimen for option in result.recommended]


def avoided(result: Recommendation) -> set[str]:
    return {entry.regimen for entry in result.avoid}


@cache
def review_text() -> str:
    return REVIEW_PATH.read_text(encoding="utf-8")


def assert_in_review(passage: str) -> None:
    """The passage a test expectation rests on is quoted from the review, verbatim."""
    assert passage in review_text(), f"not a verbatim passage of the review: {passage[:80]!r}"
