"""A profile as the flat facts rule conditions test ("tumour.pvtt_grade": "vp4"), with their types.

Unknown is always None here, whatever the profile spelled, so the condition language treats it in
one way. A few facts are derived: the effective treatment line, the regimen that failed last, and
what a stated finding implies (no portal vein thrombus cannot extend anywhere).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel

from clinical.profile import PatientProfile, PvttGrade, TumourExtent

FactKind = Literal["choice", "finding", "number", "regimen", "regimens"]
FactValue = str | bool | int | float | tuple[str, ...] | None
Facts = dict[str, FactValue]

UNKNOWN = "unknown"
_IPSILATERAL_GRADES = (PvttGrade.VP0, PvttGrade.VP1, PvttGrade.VP2, PvttGrade.VP3)


@dataclass(frozen=True)
class FactSpec:
    kind: FactKind
    choices: frozenset[str] = frozenset()  # the known values of a choice, "unknown" excluded


def _spec_of(annotation: Any) -> FactSpec:
    """The kind of fact a profile field annotation holds (Annotated and Optional unwrapped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _spec_of(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        (inner,) = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _spec_of(inner)
    if origin is tuple:
        return FactSpec("regimens")
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return FactSpec("choice", frozenset(m.value for m in annotation if m.value != UNKNOWN))
    if annotation is bool:
        return FactSpec("finding")
    if annotation in (int, float):
        return FactSpec("number")
    raise TypeError(f"no fact kind for annotation {annotation!r}")


def _field_specs(model: type[BaseModel], prefix: str = "") -> dict[str, FactSpec]:
    specs: dict[str, FactSpec] = {}
    for name, field in model.model_fields.items():
        if name in ("label", "unconfirmed"):  # not facts: a name, and which facts are unsure
            continue
        if field.annotation is TumourExtent:
            specs.update(_field_specs(TumourExtent, prefix="tumour."))
            continue
        specs[prefix + name] = _spec_of(field.annotation)
    return specs


FACT_SPECS: dict[str, FactSpec] = {
    **_field_specs(PatientProfile),
    "last_prior_regimen": FactSpec("regimen"),
    "prior_regimen_count": FactSpec("number"),
}


def _plain(value: Any) -> FactValue:
    if isinstance(value, Enum):
        value = value.value
    return None if value == UNKNOWN else value


def facts_of(profile: PatientProfile) -> Facts:
    """The facts rule conditions read, keyed as in `FACT_SPECS`."""
    facts: Facts = {}
    for name in FACT_SPECS:
        if name.startswith("tumour."):
            facts[name] = _plain(getattr(profile.tumour, name.removeprefix("tumour.")))
        elif name in PatientProfile.model_fields:
            facts[name] = _plain(getattr(profile, name))
    facts["line"] = profile.effective_line.value
    facts["last_prior_regimen"] = profile.last_prior_regimen
    facts["prior_regimen_count"] = len(profile.prior_regimens)
    tumour = profile.tumour
    facts["tumour.up_to_7"] = _plain(tumour.up_to_7_status)
    if tumour.pvtt_grade in _IPSILATERAL_GRADES:
        # No thrombus, or one confined to the tumour side (Vp1-3), reaches neither the other
        # lobe nor the superior mesenteric vein: both are Vp4 by definition.
        for extension in ("tumour.pvtt_contralateral", "tumour.pvtt_reaches_smv"):
            if facts[extension] is None:
                facts[extension] = False
    return facts
