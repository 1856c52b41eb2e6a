"""The reader's vocabulary of findings (clinical/data/findings.yaml), compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast

from clinical.reader.context import _alternation, _term
from corpus.yamlio import load_yaml

FINDINGS_PATH = Path(__file__).resolve().parent.parent / "data" / "findings.yaml"

Historical = Literal["present", "uncertain", "none"]


@dataclass(frozen=True)
class TargetSpec:
    value: Any
    pattern: re.Pattern[str]
    negated: Any  # the value when denied; "uncertain" reads a denial as unclear
    implied: bool  # an indirect sign (an immunosuppressant): uncertain at best
    not_after: re.Pattern[str] | None
    not_before: re.Pattern[str] | None
    planned_before: re.Pattern[str] | None  # words after it that make it a plan
    planned_after: re.Pattern[str] | None  # words before it that make it a plan ("then LT")
    historical: Historical | None  # overrides the field's ("banded in 2022" is still treated)
    always_planned: bool  # "EGD pending": a plan whatever the context


@dataclass(frozen=True)
class FieldSpec:
    name: str
    safety: bool
    fail_safe: Any
    negated: Any
    historical: Historical
    hypothetical: Any  # None: a planned mention gives no value; else the value it gives
    changes: bool
    targets: tuple[TargetSpec, ...]
    absent: Any = False  # the value of "not present" (False, "none", "vp0", 0)
    any_of: bool = False  # several conditions in one field: the most dangerous mention decides
    incomplete: re.Pattern[str] | None = None  # an incomplete examination: its denials unsure
    settles: re.Pattern[str] | None = None  # a treatment that finished the job ("eradicated")
    untreated_said: re.Pattern[str] | None = None  # "not banded yet": untreated in so many words
    denies_all: re.Pattern[str] | None = None  # a denial of every condition an any_of field holds
    unsure_when_past: re.Pattern[str] | None = None  # past cues that may still be recent
    intent: bool = False  # a plan states it ("planned downstaging" is the goal, not a what-if)
    asked_open: re.Pattern[str] | None = None  # asked in a yes/no question so worded: open
    either_or: bool = False  # values offered as alternatives ("conversion or maintenance"): open
    ended_by: re.Pattern[str] | None = None  # said after a regimen given for it: that use is past


_UNSET = object()


def _target(field: dict[str, Any], raw: dict[str, Any]) -> TargetSpec:
    terms = "|".join(_term(t) for t in sorted(raw["terms"], key=len, reverse=True))
    negated = raw.get("negated", field.get("negated", False))
    return TargetSpec(
        value=raw["value"],
        pattern=re.compile(terms),
        negated=negated,
        implied=raw.get("implied") == "uncertain",
        not_after=re.compile(raw["not_after"]) if raw.get("not_after") else None,
        not_before=re.compile(raw["not_before"]) if raw.get("not_before") else None,
        planned_before=re.compile(raw["planned_before"]) if raw.get("planned_before") else None,
        planned_after=re.compile(raw["planned_after"]) if raw.get("planned_after") else None,
        historical=raw.get("historical"),
        always_planned=bool(raw.get("planned", False)),
    )


@cache
def load_findings(path: Path = FINDINGS_PATH) -> dict[str, FieldSpec]:
    raw = load_yaml(path)["fields"]
    specs = {}
    for name, field in raw.items():
        specs[name] = FieldSpec(
            name=name,
            safety=bool(field.get("safety", False)),
            fail_safe=field.get("fail_safe"),
            negated=field.get("negated", False),
            historical=cast(Historical, field.get("historical", "present")),
            # "none" in the data: a planned mention gives no value (YAML reads it as text).
            hypothetical=None if field.get("hypothetical") == "none" else field.get("hypothetical"),
            changes=bool(field.get("changes", False)),
            targets=tuple(_target(field, t) for t in field["targets"]),
            absent=field.get("absent", False),
            any_of=bool(field.get("any_of", False)),
            incomplete=_alternation(field["incomplete"]) if field.get("incomplete") else None,
            settles=_alternation(field["settles"]) if field.get("settles") else None,
            denies_all=_alternation(field["denies_all"]) if field.get("denies_all") else None,
            untreated_said=(
                _alternation(field["untreated_said"]) if field.get("untreated_said") else None
            ),
            unsure_when_past=(
                _alternation(field["unsure_when_past"]) if field.get("unsure_when_past") else None
            ),
            intent=bool(field.get("intent", False)),
            asked_open=re.compile(field["asked_open"]) if field.get("asked_open") else None,
            either_or=bool(field.get("either_or", False)),
            ended_by=_alternation(field["ended_by"]) if field.get("ended_by") else None,
        )
    return specs


# Fields read by code (numbers, grades, regimens): their policies, as for the lexical ones.
_MEASURED_ABSENT = {
    "tumour.pvtt_grade": "vp0",
    "tumour.hvtt_branches": 0,
    "tumour.ivc_thrombus": "none",
    "prior_tace": "none",
    "tumour.pvtt_contralateral": False,
    "tumour.pvtt_reaches_smv": False,
    "low_platelets": False,
}
MEASURED: dict[str, FieldSpec] = {
    name: FieldSpec(
        name,
        safety,
        fail_safe,
        None,
        cast(Historical, past),
        None,
        changes,
        (),
        _MEASURED_ABSENT.get(name, object()),  # numbers and grades have no "absent" value
    )
    for name, safety, fail_safe, past, changes in (
        ("child_pugh_class", True, "B", "none", True),
        ("child_pugh_score", False, None, "none", True),
        ("ecog", True, None, "none", True),
        ("bclc_stage", False, None, "none", True),
        ("afp_ng_ml", False, None, "none", True),
        ("nlr", False, None, "none", True),
        ("low_platelets", True, True, "none", True),
        ("prior_regimens", False, None, "present", False),
        ("prior_tace", False, None, "present", False),
        ("tumour.largest_size_cm", False, None, "none", True),
        ("tumour.tumour_count", False, None, "none", True),
        ("tumour.pvtt_grade", False, None, "present", True),
        ("tumour.pvtt_contralateral", False, None, "present", True),
        ("tumour.pvtt_reaches_smv", False, None, "present", True),
        ("tumour.hvtt_branches", False, None, "present", True),
        ("tumour.ivc_thrombus", False, None, "present", True),
        ("tumour.contralateral_lesion_count", False, None, "present", True),
        ("tumour.contralateral_largest_cm", False, None, "present", True),
        ("tumour.lobes_involved", False, None, "present", True),
    )
}


def field_spec(name: str) -> FieldSpec:
    specs = load_findings()
    if name in specs:
        return specs[name]
    return MEASURED[name]
