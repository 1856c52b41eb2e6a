"""From the facts that decide each field to the profile the rule core takes, failing safe.

A safety fact read as uncertain is held at its fail-safe value and listed as unconfirmed; a
historical or planned mention gives the value its field's policy says (clinical/data/findings.yaml);
and what a fact implies by definition is added ("no varices" was seen at endoscopy; a thrombus
into the other lobe is Vp4; size and number settle up-to-7).
"""

from __future__ import annotations

import re
from typing import Any

from clinical.profile import TumourExtent
from clinical.reader.facts import Fact, Status
from clinical.reader.lexicon import field_spec


def _value(fact: Fact) -> tuple[bool, Any]:
    """(applies, value) of a deciding fact: uncertain safety facts at their fail-safe value."""
    spec = field_spec(fact.field)
    if fact.status is Status.UNCERTAIN:
        if not spec.safety:
            # "Conversion realistic?": open, but the question is asked for that setting
            return fact.asked, fact.value if fact.asked else None
        fail_safe = spec.fail_safe
        if fact.field == "child_pugh_class":  # "CP A/B": the worse class read
            return True, fact.value if fact.value else fail_safe
        return fail_safe is not None, fail_safe
    if fact.status is Status.HISTORICAL:
        if spec.historical == "present":
            return True, fact.value
        if spec.historical == "uncertain" and spec.safety:  # a past autoimmune disease
            return True, spec.fail_safe  # may be active: held as present until confirmed
        return False, None
    if fact.status is Status.HYPOTHETICAL and not fact.asked:
        return spec.hypothetical is not None, spec.hypothetical
    return True, fact.value


_GRADED = re.compile(r"vp\s*-?\s*[0-4]\b", re.I)
DERIVED = "derived"  # the cue of a fact derived by definition, not written


def _applies(fact: Fact) -> bool:
    return fact.status is Status.PRESENT or (fact.status is Status.HYPOTHETICAL and fact.asked)


_IMAGING = re.compile(r"\b(?:ct|mri|imag\w*|ultrasound|us|scan|cect|doppler)\b", re.I)


def _derive(decided: dict[str, Fact]) -> None:
    """What a stated fact implies by definition, as the clinician's own words."""
    varices = decided.get("varices")
    if (
        varices is not None
        and varices.value == "none"
        and varices.status in (Status.PRESENT, Status.ABSENT, Status.HISTORICAL)
        and "egd_done" not in decided
        and not _IMAGING.search(varices.words)
    ):
        # "No varices" is an endoscopic finding, unless the words say it came from imaging; an
        # old one was an endoscopy of then ("EGD 2023: no varices").
        past = varices.status is Status.HISTORICAL
        decided["egd_done"] = varices.model_copy(
            update={
                "field": "egd_done",
                "value": True,
                "status": Status.HISTORICAL if past else Status.PRESENT,
            }
        )
    for extension in ("tumour.pvtt_contralateral", "tumour.pvtt_reaches_smv"):
        fact, grade = decided.get(extension), decided.get("tumour.pvtt_grade")
        if fact is None or fact.value is not True:
            continue
        if grade is not None and (
            grade.value == "vp4" or fact.status is not Status.PRESENT or _GRADED.match(grade.words)
        ):
            # a grade stands beside a what-if ("if the PVTT reached the SMV?"); a grade given
            # as such ("Vp2 PVTT reaching the SMV") contradicts it: the profile says so
            continue
        # A thrombus into the other lobe or the SMV is Vp4 by definition, whatever grade its
        # first-order branch was read from ("from the right PV into the left branch").
        decided["tumour.pvtt_grade"] = fact.model_copy(
            update={"field": "tumour.pvtt_grade", "value": "vp4"}
        )
    contralateral = decided.get("tumour.contralateral_lesion_count")
    if contralateral is not None:
        # "... plus one 4 cm nodule in the left lobe": that count and size are the other lobe's.
        for name in ("tumour.tumour_count", "tumour.largest_size_cm"):
            fact = decided.get(name)
            if fact and contralateral.start <= fact.start and fact.end <= contralateral.end:
                del decided[name]
    size, count = decided.get("tumour.largest_size_cm"), decided.get("tumour.tumour_count")
    if "tumour.up_to_7" not in decided and (size or count):
        # Up-to-7 from the largest size (cm) plus the number of tumours.
        extent = TumourExtent(
            largest_size_cm=size.value if size and _applies(size) else None,
            tumour_count=count.value if count and _applies(count) else None,
        )
        status = extent.derived_up_to_7().value
        if status == "unknown" and extent.tumour_count is not None and extent.tumour_count >= 6:
            status = "beyond"  # six tumours of a centimetre or more already pass seven
        if status != "unknown":
            basis = size if size else count
            assert basis is not None
            decided["tumour.up_to_7"] = basis.model_copy(
                update={
                    "field": "tumour.up_to_7",
                    "value": status,
                    "status": Status.PRESENT,
                    "cues": (DERIVED,),
                }
            )


def profile_of(
    decided: dict[str, Fact], regimens: list[Fact]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The profile data the deciding facts add up to, and the fields held at a fail-safe value.

    `decided` gains what the facts imply by definition (see `_derive`)."""
    _derive(decided)
    data: dict[str, Any] = {}
    tumour: dict[str, Any] = {}
    unconfirmed = []
    for name, fact in decided.items():
        applies, value = _value(fact)
        if not applies or value is None or DERIVED in fact.cues:
            continue  # a derived fact is shown, but the profile derives it itself
        asked = fact.asked and not field_spec(name).safety  # the setting the question asks
        if (fact.status is Status.UNCERTAIN and not asked) or (
            fact.status is Status.HISTORICAL and field_spec(name).historical == "uncertain"
        ):
            unconfirmed.append(name)
        if name.startswith("tumour."):
            tumour[name.removeprefix("tumour.")] = value
        else:
            data[name] = value
    if regimens:
        data["prior_regimens"] = [str(f.value) for f in regimens]
    score, cls = decided.get("child_pugh_score"), decided.get("child_pugh_class")
    if score and cls and score.turn < cls.turn:
        data.pop("child_pugh_score", None)  # an older score belongs to an older class
    if tumour:
        data["tumour"] = tumour
    if unconfirmed:
        data["unconfirmed"] = unconfirmed
    return data, tuple(unconfirmed)
