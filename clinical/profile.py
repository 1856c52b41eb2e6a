"""The patient profile: every input the review's treatment choice depends on.

Unknown is a valid value for every clinical field ("unknown" for categories, null or "unknown"
for numbers and yes/no findings) and the rule core says what it cannot decide because of it.
Impossible or self-contradictory values are rejected with a one-line `ProfileError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from clinical.json_input import JsonInputError, decode_json
from corpus.regimens import load_catalogue


class ProfileError(ValueError):
    """A profile a person must correct: unreadable, malformed, impossible or inconsistent."""


class _Choice(StrEnum):
    """A category that also accepts its values in any letter case ("a" for Child-Pugh A)."""

    @classmethod
    def _missing_(cls, value: object) -> _Choice | None:
        if isinstance(value, str):
            for member in cls:
                if member.value.lower() == value.strip().lower():
                    return member
        return None


class TreatmentLine(_Choice):
    FIRST = "first"
    LATER = "later"
    UNKNOWN = "unknown"


class Goal(_Choice):
    CONVERSION = "conversion"  # downstaging / conversion to resection
    MAINTENANCE = "maintenance"  # long-term maintenance treatment
    UNKNOWN = "unknown"


class ChildPughClass(_Choice):
    A = "A"
    B = "B"
    C = "C"
    UNKNOWN = "unknown"


class BclcStage(_Choice):
    STAGE_0 = "0"
    A = "A"
    B = "B"  # intermediate, substage not stated
    B1 = "B1"
    B2 = "B2"
    B3 = "B3"
    C = "C"
    D = "D"
    UNKNOWN = "unknown"


class Varices(_Choice):
    NONE = "none"
    TREATED = "treated"
    UNTREATED_OR_SEVERE = "untreated_or_severe"
    UNKNOWN = "unknown"


class Priority(_Choice):
    """What the patient puts first, when the clinician says so."""

    QUALITY_OF_LIFE = "quality_of_life"  # quality of life, tolerability, keeping working
    SURVIVAL = "survival"  # the longest survival, whatever the toxicity
    UNKNOWN = "unknown"


class Region(_Choice):
    CHINA = "china"
    ELSEWHERE = "elsewhere"
    UNKNOWN = "unknown"


class PriorTace(_Choice):
    NONE = "none"
    SOME = "some"
    HEAVILY_PRETREATED = "heavily_pretreated"
    UNKNOWN = "unknown"


class LobesInvolved(_Choice):
    ONE = "one"
    BOTH = "both"
    UNKNOWN = "unknown"


class UpToSeven(_Choice):
    WITHIN = "within"
    BEYOND = "beyond"
    UNKNOWN = "unknown"


class PvttGrade(_Choice):
    """Japanese Vp grade: Vp1-3 stay on the tumour side; Vp4 is the main trunk or contralateral."""

    VP0 = "vp0"  # no portal vein tumour thrombus
    VP1 = "vp1"  # beyond the second-order branches
    VP2 = "vp2"  # second-order branches
    VP3 = "vp3"  # first-order branches
    VP4 = "vp4"  # main trunk and/or the contralateral branch
    UNKNOWN = "unknown"


class IvcThrombus(_Choice):
    NONE = "none"
    BELOW_ATRIUM = "below_atrium"
    REACHES_ATRIUM = "reaches_atrium"
    UNKNOWN = "unknown"


def _unknown_to_none(value: Any) -> Any:
    """Read "unknown" as None for numbers and yes/no findings, so profiles can say it plainly."""
    if isinstance(value, str) and value.strip().lower() == "unknown":
        return None
    return value


def _number(value: Any) -> Any:
    """A number field: "unknown" is None, and a yes/no is not a number ("ecog": true is no ECOG)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, not {str(value).lower()}")
    return _unknown_to_none(value)


Finding = Annotated[bool | None, BeforeValidator(_unknown_to_none)]
# The bound sits on the number inside the optional, so None (unknown) is never compared.
Ecog = Annotated[Annotated[int, Field(ge=0, le=4)] | None, BeforeValidator(_number)]
ChildPughScore = Annotated[Annotated[int, Field(ge=5, le=15)] | None, BeforeValidator(_number)]
NonNegative = Annotated[
    Annotated[float, Field(ge=0, allow_inf_nan=False)] | None, BeforeValidator(_number)
]
Size = Annotated[
    Annotated[float, Field(gt=0, allow_inf_nan=False)] | None, BeforeValidator(_number)
]
Count = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_number)]
PositiveCount = Annotated[Annotated[int, Field(ge=1)] | None, BeforeValidator(_number)]
HepaticVeinBranches = Annotated[Annotated[int, Field(ge=0, le=3)] | None, BeforeValidator(_number)]

# Child-Pugh class by score: A 5-6, B 7-9, C 10-15.
_CHILD_PUGH_SCORES = {
    ChildPughClass.A: range(5, 7),
    ChildPughClass.B: range(7, 10),
    ChildPughClass.C: range(10, 16),
}


class TumourExtent(BaseModel):
    """Tumour burden and extent, as the resectability and TACE/HAIC criteria need them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lobes_involved: LobesInvolved = LobesInvolved.UNKNOWN
    largest_size_cm: Size = None
    tumour_count: PositiveCount = None
    contralateral_lesion_count: Count = None  # tumours in the less-involved lobe
    contralateral_largest_cm: Size = None
    up_to_7: UpToSeven = UpToSeven.UNKNOWN
    pvtt_grade: PvttGrade = PvttGrade.UNKNOWN
    pvtt_contralateral: Finding = None  # PVTT involves the contralateral lobe
    pvtt_reaches_smv: Finding = None  # PVTT reaches the superior mesenteric vein
    hvtt_branches: HepaticVeinBranches = None  # major hepatic vein branches with tumour thrombus
    ivc_thrombus: IvcThrombus = IvcThrombus.UNKNOWN
    extrahepatic_spread: Finding = None

    @model_validator(mode="after")
    def _consistent(self) -> TumourExtent:
        count, contra = self.tumour_count, self.contralateral_lesion_count
        if self.lobes_involved is LobesInvolved.ONE and contra:
            raise ValueError("lobes_involved is 'one' but contralateral_lesion_count is above 0")
        if self.lobes_involved is LobesInvolved.BOTH and contra == 0:
            raise ValueError("lobes_involved is 'both' but contralateral_lesion_count is 0")
        if contra == 0 and self.contralateral_largest_cm is not None:
            raise ValueError(
                "contralateral_largest_cm is given but contralateral_lesion_count is 0"
            )
        if count is not None and contra is not None and contra >= count:
            raise ValueError("contralateral_lesion_count must be below tumour_count")
        largest, contra_largest = self.largest_size_cm, self.contralateral_largest_cm
        if largest is not None and contra_largest is not None and contra_largest > largest:
            raise ValueError("contralateral_largest_cm exceeds largest_size_cm")
        extends = self.pvtt_contralateral or self.pvtt_reaches_smv
        if extends and self.pvtt_grade not in (PvttGrade.VP4, PvttGrade.UNKNOWN):
            # Vp4 is by definition a thrombus in the main trunk or the contralateral branch.
            raise ValueError(
                f"pvtt_grade is {self.pvtt_grade.value} but a thrombus into the contralateral "
                "lobe or the superior mesenteric vein is Vp4"
            )
        derived = self.derived_up_to_7()
        if UpToSeven.UNKNOWN not in (self.up_to_7, derived) and self.up_to_7 is not derived:
            raise ValueError(
                f"up_to_7 is '{self.up_to_7}' but largest_size_cm + tumour_count says '{derived}'"
            )
        return self

    def derived_up_to_7(self) -> UpToSeven:
        """Up-to-7 from size and number: largest tumour (cm) plus tumour count at most 7.

        One of the two can settle it alone: a tumour over 6 cm (plus at least one tumour) or
        more than 6 tumours (each at least some size) is beyond up-to-7 whatever the other is.
        """
        size, count = self.largest_size_cm, self.tumour_count
        if (size is not None and size > 6) or (count is not None and count > 6):
            return UpToSeven.BEYOND
        if size is None or count is None:
            return UpToSeven.UNKNOWN
        within = size + count <= 7
        return UpToSeven.WITHIN if within else UpToSeven.BEYOND

    @property
    def up_to_7_status(self) -> UpToSeven:
        """The stated up-to-7 status, or the one size and number imply."""
        return self.up_to_7 if self.up_to_7 is not UpToSeven.UNKNOWN else self.derived_up_to_7()


class PatientProfile(BaseModel):
    """One patient, as the rule core reads them. Regimens are catalogue ids (aliases accepted)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str | None = Field(default=None, max_length=200)  # a vignette name, never an identifier
    line: TreatmentLine = TreatmentLine.UNKNOWN
    prior_regimens: tuple[str, ...] = ()  # systemic regimens received, oldest first
    goal: Goal = Goal.UNKNOWN
    priority: Priority = Priority.UNKNOWN
    child_pugh_class: ChildPughClass = ChildPughClass.UNKNOWN
    child_pugh_score: ChildPughScore = None
    ecog: Ecog = None
    bclc_stage: BclcStage = BclcStage.UNKNOWN
    varices: Varices = Varices.UNKNOWN
    egd_done: Finding = None
    recent_bleeding: Finding = None  # a recent upper gastrointestinal or variceal bleed
    portal_hypertension: Finding = None  # clinically significant, or its signs (splenomegaly...)
    active_autoimmune_disease: Finding = None
    organ_transplant: Finding = None
    low_platelets: Finding = None
    refractory_hypertension: Finding = None
    tumour: TumourExtent = Field(default_factory=TumourExtent)
    afp_ng_ml: NonNegative = None
    nlr: NonNegative = None
    region: Region = Region.UNKNOWN
    prior_tace: PriorTace = PriorTace.UNKNOWN
    # Fields the clinician mentioned without a clear status, held at their fail-safe value
    # (a possible transplant counts as a transplant) until confirmed: "varices", "tumour.up_to_7".
    unconfirmed: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _class_from_score(cls, data: Any) -> Any:
        """A score alone implies its class; the pair is checked for agreement after parsing."""
        if isinstance(data, Mapping):
            score, stated = data.get("child_pugh_score"), data.get("child_pugh_class")
            unstated = stated is None or str(stated).strip().lower() == "unknown"
            if isinstance(score, int) and unstated:
                for child_pugh_class, scores in _CHILD_PUGH_SCORES.items():
                    if score in scores:
                        return {**data, "child_pugh_class": child_pugh_class.value}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> PatientProfile:
        score, stated = self.child_pugh_score, self.child_pugh_class
        known = score is not None and stated is not ChildPughClass.UNKNOWN
        if known and score not in _CHILD_PUGH_SCORES[stated]:
            raise ValueError(f"Child-Pugh score {score} is not class {stated.value}")
        if self.line is TreatmentLine.FIRST and self.prior_regimens:
            raise ValueError("line is 'first' but prior_regimens lists systemic treatment")
        return self

    @field_validator("unconfirmed")
    @classmethod
    def _known_fields(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        for name in names:
            head, _, tail = name.partition(".")
            known = (
                tail in TumourExtent.model_fields
                if head == "tumour" and tail
                else (head in cls.model_fields and head not in ("label", "unconfirmed", "tumour"))
            )
            if not known:
                raise ValueError(f"unconfirmed names {name!r}, which is not a profile field")
        return tuple(dict.fromkeys(names))

    @field_validator("prior_regimens")
    @classmethod
    def _known_regimens(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        """Aliases ("atezo/bev", "STRIDE") become catalogue ids; locoregional ones are refused."""
        catalogue = load_catalogue()
        resolved = []
        for name in names:
            regimen = catalogue.resolve(name)
            if regimen is None:
                raise ValueError(f"{name!r} is not in the regimen catalogue")
            if regimen.is_locoregional:
                raise ValueError(f"{name!r} is locoregional: record TACE under prior_tace")
            resolved.append(regimen.id)
        return tuple(resolved)

    @property
    def effective_line(self) -> TreatmentLine:
        """First line unless later is stated or a prior systemic regimen is listed."""
        if self.line is TreatmentLine.LATER or self.prior_regimens:
            return TreatmentLine.LATER
        return TreatmentLine.FIRST

    @property
    def last_prior_regimen(self) -> str | None:
        return self.prior_regimens[-1] if self.prior_regimens else None


def _location(loc: tuple[int | str, ...]) -> str:
    # Keys come from the file: quote any that is not a plain name, so the message stays one line.
    return ".".join(str(p) if str(p).isidentifier() or isinstance(p, int) else repr(p) for p in loc)


def _one_line(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = _location(item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        got = "" if item["type"] == "missing" else f" (got {repr(item.get('input'))[:60]})"
        if item["type"] in ("value_error", "model_type") or not where:
            got = ""
        parts.append(f"{where}: {message}{got}" if where else message)
    text = "invalid profile: " + "; ".join(parts)
    return text.replace("\r", " ").replace("\n", " ")


def parse_profile(data: object) -> PatientProfile:
    """Validate a decoded profile object, or raise `ProfileError` with a one-line message."""
    if not isinstance(data, Mapping):
        raise ProfileError("invalid profile: expected a JSON object")
    try:
        return PatientProfile.model_validate(data)
    except ValidationError as error:
        raise ProfileError(_one_line(error)) from None
    except RecursionError:  # a value nested thousands deep
        raise ProfileError("invalid profile: a value is nested too deeply") from None


def load_profile(path: Path) -> PatientProfile:
    """Read a profile JSON file, or raise `ProfileError` with a one-line message."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is not an error
    except OSError as error:
        raise ProfileError(f"cannot read profile {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ProfileError(f"cannot read profile {path}: the file is not UTF-8 text") from None
    try:
        data = decode_json(text)
    except JsonInputError as error:
        raise ProfileError(f"profile {path} is {error}") from None
    return parse_profile(data)
