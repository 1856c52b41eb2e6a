"""The patient-profile panel as data: one `Field` per input, and values <-> profile dicts.

The panel shows every field of `PatientProfile` the rule core reads (the vignette `label` is left
out: it is free text and could carry an identifier). Yes/no findings are three-way choices because
"unknown" is a real answer the rule core treats differently from "no".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, Literal

from clinical.profile import (
    _CHILD_PUGH_SCORES,
    BclcStage,
    ChildPughClass,
    Goal,
    IvcThrombus,
    LobesInvolved,
    PatientProfile,
    Priority,
    PriorTace,
    ProfileError,
    PvttGrade,
    Region,
    TreatmentLine,
    UpToSeven,
    Varices,
    parse_profile,
)
from corpus.regimens import load_catalogue

Kind = Literal["choice", "finding", "number", "integer", "regimens"]
UNKNOWN = "unknown"
_FINDING_VALUES = {"yes": True, "no": False, UNKNOWN: None}


@dataclass(frozen=True)
class Field:
    key: str  # the PatientProfile field; "tumour.x" for the nested tumour extent
    label: str
    kind: Kind
    choices: tuple[tuple[str, str], ...] = ()  # (shown, value)
    group: str = "patient"  # "patient" | "tumour": where the panel places it
    minimum: float | None = None
    maximum: float | None = None

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))


def _choices(
    enum: type[StrEnum], labels: dict[str, str] | None = None
) -> tuple[tuple[str, str], ...]:
    """(shown, value) pairs of an enum; "unknown" first, as the panel's neutral default."""
    labels = labels or {}
    values = sorted((m.value for m in enum), key=lambda v: v != UNKNOWN)
    return tuple((labels.get(v, v.replace("_", " ")), v) for v in values)


FINDING_CHOICES = (("unknown", UNKNOWN), ("yes", "yes"), ("no", "no"))


@cache
def regimen_choices() -> tuple[tuple[str, str], ...]:
    """Systemic regimens of the catalogue (a prior TACE is recorded under prior_tace)."""
    catalogue = load_catalogue()
    return tuple((r.name, r.id) for r in catalogue.regimens.values() if not r.is_locoregional)


def _fields() -> tuple[Field, ...]:
    tumour = "tumour"
    return (
        Field("line", "Treatment line", "choice", _choices(TreatmentLine)),
        Field("prior_regimens", "Prior systemic regimens (oldest first)", "regimens"),
        Field(
            "goal",
            "Goal",
            "choice",
            _choices(Goal, {"conversion": "conversion / downstaging to resection"}),
        ),
        Field(
            "priority",
            "Patient's priority",
            "choice",
            _choices(Priority, {"quality_of_life": "quality of life"}),
        ),
        Field("child_pugh_class", "Child-Pugh class", "choice", _choices(ChildPughClass)),
        Field("child_pugh_score", "Child-Pugh score", "integer", minimum=5, maximum=15),
        Field("ecog", "ECOG PS", "integer", minimum=0, maximum=4),
        Field("bclc_stage", "BCLC stage", "choice", _choices(BclcStage)),
        Field(
            "varices",
            "Varices",
            "choice",
            _choices(Varices, {"untreated_or_severe": "untreated or severe"}),
        ),
        Field("egd_done", "EGD done", "finding", FINDING_CHOICES),
        Field("recent_bleeding", "Recent GI / variceal bleeding", "finding", FINDING_CHOICES),
        Field("portal_hypertension", "Portal hypertension signs", "finding", FINDING_CHOICES),
        Field(
            "active_autoimmune_disease",
            "Active autoimmune disease (ICI)",
            "finding",
            FINDING_CHOICES,
        ),
        Field("organ_transplant", "Organ transplant (ICI)", "finding", FINDING_CHOICES),
        Field("low_platelets", "Low platelets (targeted)", "finding", FINDING_CHOICES),
        Field(
            "refractory_hypertension",
            "Refractory hypertension (targeted)",
            "finding",
            FINDING_CHOICES,
        ),
        Field("afp_ng_ml", "AFP (ng/mL)", "number", minimum=0),
        Field("nlr", "NLR", "number", minimum=0),
        Field("region", "Region", "choice", _choices(Region)),
        Field(
            "prior_tace",
            "Prior TACE",
            "choice",
            _choices(PriorTace, {"heavily_pretreated": "heavily pretreated"}),
        ),
        Field("tumour.lobes_involved", "Lobes involved", "choice", _choices(LobesInvolved), tumour),
        Field("tumour.largest_size_cm", "Largest tumour (cm)", "number", group=tumour, minimum=0),
        Field(
            "tumour.tumour_count", "Tumour count", "integer", group=tumour, minimum=1, maximum=20
        ),
        Field(
            "tumour.contralateral_lesion_count",
            "Tumours in the contralateral lobe",
            "integer",
            group=tumour,
            minimum=0,
            maximum=20,
        ),
        Field(
            "tumour.contralateral_largest_cm",
            "Largest contralateral tumour (cm)",
            "number",
            group=tumour,
            minimum=0,
        ),
        Field("tumour.up_to_7", "Up-to-7", "choice", _choices(UpToSeven), tumour),
        Field("tumour.pvtt_grade", "PVTT (Vp grade)", "choice", _choices(PvttGrade), tumour),
        Field(
            "tumour.pvtt_contralateral",
            "PVTT into the contralateral lobe",
            "finding",
            FINDING_CHOICES,
            tumour,
        ),
        Field(
            "tumour.pvtt_reaches_smv", "PVTT reaches the SMV", "finding", FINDING_CHOICES, tumour
        ),
        Field(
            "tumour.hvtt_branches",
            "Hepatic vein branches with thrombus",
            "integer",
            group=tumour,
            minimum=0,
            maximum=3,
        ),
        Field(
            "tumour.ivc_thrombus",
            "IVC thrombus",
            "choice",
            _choices(IvcThrombus, {"below_atrium": "below the atrium"}),
            tumour,
        ),
        Field(
            "tumour.extrahepatic_spread", "Extrahepatic spread", "finding", FINDING_CHOICES, tumour
        ),
    )


FIELDS: tuple[Field, ...] = _fields()
FIELD_INDEX: dict[str, int] = {field.key: n for n, field in enumerate(FIELDS)}


def field_id(field: Field) -> str:
    """The HTML id of a field's component ("profile-tumour-pvtt_grade"), for tests and styling."""
    return "profile-" + field.key.replace(".", "-")


def integer_choices(field: Field) -> tuple[tuple[str, str], ...]:
    """An integer field's choices: unknown, then every allowed value (a short, bounded range)."""
    low = int(field.minimum or 0)
    high = int(field.maximum if field.maximum is not None else 20)
    return ((UNKNOWN, UNKNOWN), *((str(n), str(n)) for n in range(low, high + 1)))


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)  # type: ignore[assignment]
    return data


def _shown(field: Field, value: Any) -> Any:
    """A profile value as the panel's component holds it."""
    if field.kind == "finding":
        return {True: "yes", False: "no"}.get(value, UNKNOWN)
    if field.kind == "choice":
        return value if value is not None else UNKNOWN
    if field.kind == "regimens":
        return list(value or [])
    if value is None:  # numbers: an empty box or "unknown", never a 0 that was not stated
        return UNKNOWN if field.kind == "integer" else ""
    return str(int(value)) if field.kind == "integer" else f"{value:g}"


def panel_values(profile: dict[str, Any] | PatientProfile | None) -> list[Any]:
    """The value of every panel field, in `FIELDS` order, for a profile (None: all unknown)."""
    if isinstance(profile, PatientProfile):
        data = profile.model_dump(mode="json")
    else:
        data = parse_profile(profile or {}).model_dump(mode="json")
    return [_shown(field, _get(data, field.path)) for field in FIELDS]


def _read(field: Field, value: Any) -> Any:
    """A component value as a profile value; None means "not stated"."""
    if field.kind == "finding":
        return _FINDING_VALUES.get(str(value or UNKNOWN).lower())
    if field.kind == "choice":
        return None if value in (None, "", UNKNOWN) else value
    if field.kind == "regimens":
        return list(value) if value else None
    text = str(value if value is not None else "").strip()
    if text.lower() in ("", UNKNOWN):
        return None
    try:
        number = float(text)
    except ValueError:
        raise ProfileError(f"{field.label}: {text!r} is not a number") from None
    return int(number) if field.kind == "integer" else number


def profile_data(values: Sequence[Any]) -> dict[str, Any]:
    """The stated fields of the panel as a profile dict (unknowns left out), not yet validated."""
    if len(values) != len(FIELDS):
        raise ValueError(f"expected {len(FIELDS)} panel values, got {len(values)}")
    data: dict[str, Any] = {}
    for field, value in zip(FIELDS, values, strict=True):
        read = _read(field, value)
        if read is None:
            continue
        if len(field.path) == 2:
            data.setdefault(field.path[0], {})[field.path[1]] = read
        else:
            data[field.key] = read
    return data


def profile_from_values(values: Sequence[Any]) -> PatientProfile:
    """The panel as a validated profile; `ProfileError` (one line) when it is inconsistent."""
    return parse_profile(profile_data(values))


def stated(profile: dict[str, Any] | PatientProfile | None) -> dict[str, Any]:
    """Only the stated (non-default) fields of a profile, as JSON-ready data."""
    if profile is None:
        return {}
    if not isinstance(profile, PatientProfile):
        profile = parse_profile(profile)
    return profile.model_dump(mode="json", exclude_defaults=True)


def cleared(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """`after`, plus an explicit "unknown" for every field stated `before` and cleared since.

    The planner merges a profile sent with a question over the conversation's earlier one, so a
    field the clinician emptied in the panel must be sent as unknown, not left out.
    """
    defaults = PatientProfile().model_dump(mode="json")
    out = {**after}
    for key, value in before.items():
        if key == "label":
            continue
        if key == "tumour" and isinstance(value, dict):
            tumour = {**defaults["tumour"]}
            kept = {k: tumour[k] for k in value if k not in after.get("tumour", {})}
            if kept:
                out["tumour"] = {**after.get("tumour", {}), **kept}
        elif key not in after:
            out[key] = defaults[key]
    return out


# Child-Pugh points that make each class, as the profile checks them.
CHILD_PUGH_SCORES = {c.value: scores for c, scores in _CHILD_PUGH_SCORES.items()}
_CHILD_PUGH = re.compile(r"Child-Pugh score (?P<score>\d+) is not class (?P<cls>[ABC])")


def _score_range(scores: range) -> str:
    return f"{scores.start}–{scores.stop - 1}"


def explain_problem(error: str) -> str:
    """A profile error as the panel shows it: which fields conflict and how to fix them."""
    text = error.removeprefix("invalid profile: ").strip()
    match = _CHILD_PUGH.search(text)
    if match:
        score, cls = int(match.group("score")), match.group("cls")
        fits = next((c for c, scores in CHILD_PUGH_SCORES.items() if score in scores), None)
        ranges = ", ".join(f"{c} is {_score_range(s)}" for c, s in CHILD_PUGH_SCORES.items())
        fix = f"set Child-Pugh class to {fits}, or " if fits else ""
        return (
            f"**Child-Pugh class** {cls} does not match **Child-Pugh score** {score} "
            f"(class {ranges} points). To fix: {fix}set the score to "
            f"{_score_range(CHILD_PUGH_SCORES[cls])} for class {cls}, or set the score to unknown."
        )
    named = [f for f in FIELDS if f.path[-1] in text or f.label.lower() in text.lower()]
    for field in named:
        text = text.replace(field.path[-1], field.label)
    fields = " and ".join(f"**{f.label}**" for f in named) or "the values just changed"
    return f"{text[:1].upper()}{text[1:]}. To fix: change {fields} so they agree."
