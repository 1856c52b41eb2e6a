"""Unknown facts that decide the top option: the answer for each case, and what to ask for.

When the profile does not say whether the varices have been excluded, or whether the tumour
burden is large, the top option may hinge on it (a bevacizumab regimen, STRIDE). The rule core is
run once per plausible value of such a fact; if the top options differ, the fact decides and the
answer gives both cases instead of ranking as if it were known.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict

from clinical.profile import PatientProfile, ProfileError
from clinical.rules.output import Recommendation

TOP = 2  # options compared between the cases


class Case(BaseModel):
    model_config = ConfigDict(frozen=True)

    when: str  # "an EGD shows no untreated or severe varices"
    recommended: tuple[str, ...]  # regimen ids, most preferred first
    names: tuple[str, ...]


class DecidingFact(BaseModel):
    """A fact the profile lacks that changes the top options, with the options for each case."""

    model_config = ConfigDict(frozen=True)

    field: str
    topic: str  # "the EGD result"
    ask: str  # what to ask the clinician
    cases: tuple[Case, ...]


# (field, topic, what to ask, [(case wording, profile changes)]); most safety-relevant first.
_CANDIDATES: tuple[tuple[str, str, str, tuple[tuple[str, dict[str, Any]], ...]], ...] = (
    (
        "varices",
        "the EGD",
        "the EGD result (untreated or severe varices, or none)",
        (
            ("it excludes untreated or severe varices", {"varices": "none", "egd_done": True}),
            ("it shows them", {"varices": "untreated_or_severe"}),
        ),
    ),
    (
        "tumour.up_to_7",
        "the tumour burden",
        "the tumour size and number (up-to-7) and any main portal vein thrombus",
        (
            ("it is not large (within up-to-7)", {"tumour": {"up_to_7": "within"}}),
            ("it is large (beyond up-to-7)", {"tumour": {"up_to_7": "beyond"}}),
        ),
    ),
    (
        "goal",
        "the treatment goal",
        "the treatment goal (downstaging to resection, or long-term control)",
        (
            ("it is long-term control", {"goal": "maintenance"}),
            ("it is downstaging to resection", {"goal": "conversion"}),
        ),
    ),
)


def _unknown(profile: PatientProfile, field: str) -> bool:
    if field == "varices":
        return not (profile.egd_done is True and profile.varices.value in ("none", "treated")) and (
            profile.varices.value == "unknown"
        )
    if field == "tumour.up_to_7":
        large = profile.tumour.up_to_7_status.value == "beyond" or (
            profile.tumour.pvtt_grade.value == "vp4"
        )
        return profile.tumour.up_to_7_status.value == "unknown" and not large
    return getattr(profile, field).value == "unknown"


def _with(profile: PatientProfile, changes: dict[str, Any]) -> PatientProfile | None:
    data = profile.model_dump(mode="json", exclude_defaults=True)
    tumour = {**data.get("tumour", {}), **changes.get("tumour", {})}
    data |= {k: v for k, v in changes.items() if k != "tumour"}
    if tumour:
        data["tumour"] = tumour
    try:
        return PatientProfile.model_validate(data)
    except (ProfileError, ValueError):
        return None


def deciding_facts(
    profile: PatientProfile, recommend: Callable[[PatientProfile], Recommendation]
) -> list[DecidingFact]:
    """The unknown facts whose value changes the top options, each with both cases."""
    found = []
    for field, topic, ask, cases in _CANDIDATES:
        if not _unknown(profile, field):
            continue
        outcomes = []
        for when, changes in cases:
            changed = _with(profile, changes)
            if changed is None:
                break
            options = recommend(changed).recommended[:TOP]
            outcomes.append(
                Case(
                    when=when,
                    recommended=tuple(o.regimen for o in options),
                    names=tuple(o.name for o in options),
                )
            )
        tops = {case.recommended for case in outcomes}
        if len(outcomes) == len(cases) and len(tops) > 1:
            found.append(DecidingFact(field=field, topic=topic, ask=ask, cases=tuple(outcomes)))
    return found
