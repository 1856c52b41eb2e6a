"""The clinical reader: what the clinician typed (and the conversation so far) -> the patient.

One reader serves the planner, the tools, the output guardrails and the web app's profile panel.
Every fact carries its value, the clinician's words and an assertion status (present, absent,
historical, uncertain, hypothetical). A contraindication mentioned with an unclear status is held
at its fail-safe value and listed in `unconfirmed`, so nothing it rules out is recommended until
the clinician confirms it.

    reading = read_conversation(["CP-A6, ECOG 1, s/p OLT. 1L?"])
    reading.profile       # {"child_pugh_class": "A", ..., "organ_transplant": True}
    reading.facts         # [Fact(field="organ_transplant", value=True, status="present", ...)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from clinical.profile import PatientProfile, ProfileError, parse_profile
from clinical.reader.facts import Fact, Status
from clinical.reader.lexicon import field_spec
from clinical.reader.reading import read_message
from clinical.reader.resolve import resolve
from clinical.reader.text import fold
from corpus.spelling import correct

__all__ = ["Fact", "Reading", "Status", "read", "read_conversation"]

PANEL_WORDS = "profile panel"


@dataclass
class Reading:
    """Everything read from a conversation, and the profile it adds up to."""

    facts: list[Fact] = field(default_factory=list)  # every fact, every message, in order
    decided: dict[str, Fact] = field(default_factory=dict)  # field -> the fact it rests on
    regimens: list[Fact] = field(default_factory=list)  # the regimens received, oldest first
    profile: dict[str, Any] = field(default_factory=dict)  # PatientProfile data, fail safe
    unconfirmed: tuple[str, ...] = ()  # held at a fail-safe value: ask the clinician
    conflicts: list[str] = field(default_factory=list)  # contradictions to ask about
    problems: list[str] = field(default_factory=list)  # impossible values

    @property
    def empty(self) -> bool:
        return not self.profile

    def patient(self) -> PatientProfile:
        """The profile as the rule core takes it (valid whenever `problems` is empty)."""
        return parse_profile(self.profile)

    def shown_facts(self) -> list[Fact]:
        """The facts the profile rests on, in profile order, regimens included."""
        return [
            *self.regimens,
            *(f for k, f in self.decided.items() if k != "line"),
            *([self.decided["line"]] if "line" in self.decided else []),
        ]


def _panel_facts(given: Mapping[str, Any], turn: int) -> list[Fact]:
    """A structured profile (the web app's panel, --profile) as facts the clinician stated."""
    facts = []
    unsure = set(given.get("unconfirmed") or ())
    for key, value in given.items():
        if key in ("label", "unconfirmed"):
            continue
        items = value.items() if key == "tumour" and isinstance(value, Mapping) else [(key, value)]
        for name, item in items:
            full = f"tumour.{name}" if key == "tumour" else name
            if item == "unknown":
                item = None  # cleared on the panel: unknown, whatever the chat said
            values = item if full == "prior_regimens" and isinstance(item, list | tuple) else [item]
            facts += [
                Fact(
                    field=full,
                    value=v,
                    status=Status.UNCERTAIN if full in unsure else Status.PRESENT,
                    words=f"{PANEL_WORDS}: {full.removeprefix('tumour.')} = {v}",
                    turn=turn,
                    start=10**6,  # after the message's own words: the panel's values win
                    end=10**6,
                )
                for v in values
            ]
    return facts


def _value(fact: Fact) -> tuple[bool, Any]:
    """(applies, value) of a deciding fact: uncertain safety facts at their fail-safe value."""
    spec = field_spec(fact.field)
    if fact.status is Status.UNCERTAIN:
        if not spec.safety:
            return False, None
        fail_safe = spec.fail_safe
        if fact.field in ("child_pugh_class", "varices"):
            return True, fact.value if fact.value not in (None, "mentioned") else fail_safe
        return fail_safe is not None, fail_safe
    if fact.status is Status.HISTORICAL:
        return False, None
    if fact.status is Status.HYPOTHETICAL and not fact.asked:
        return spec.hypothetical is not None, spec.hypothetical
    return True, fact.value


_IMAGING = re.compile(r"\b(?:ct|mri|imag\w*|ultrasound|us|scan|cect|doppler)\b", re.I)


def _derive(decided: dict[str, Fact]) -> None:
    """What a stated fact implies by definition, as the clinician's own words."""
    varices = decided.get("varices")
    if (
        varices is not None
        and varices.value == "none"
        and varices.status in (Status.PRESENT, Status.ABSENT)
        and "egd_done" not in decided
        and not _IMAGING.search(varices.words)
    ):
        # "No varices" is an endoscopic finding, unless the words say it came from imaging.
        decided["egd_done"] = varices.model_copy(
            update={"field": "egd_done", "value": True, "status": Status.PRESENT}
        )
    for extension in ("tumour.pvtt_contralateral", "tumour.pvtt_reaches_smv"):
        fact = decided.get(extension)
        if fact is not None and fact.value is True and "tumour.pvtt_grade" not in decided:
            # A thrombus into the other lobe or the SMV is Vp4 by definition.
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


def _profile(reading: Reading) -> None:
    _derive(reading.decided)
    data: dict[str, Any] = {}
    tumour: dict[str, Any] = {}
    unconfirmed = []
    for name, fact in reading.decided.items():
        applies, value = _value(fact)
        if not applies or value is None:
            continue
        if fact.status is Status.UNCERTAIN:
            unconfirmed.append(name)
        if name.startswith("tumour."):
            tumour[name.removeprefix("tumour.")] = value
        else:
            data[name] = value
    if reading.regimens:
        data["prior_regimens"] = [str(f.value) for f in reading.regimens]
    score, cls = reading.decided.get("child_pugh_score"), reading.decided.get("child_pugh_class")
    if score and cls and score.turn < cls.turn:
        data.pop("child_pugh_score", None)  # an older score belongs to an older class
    if tumour:
        data["tumour"] = tumour
    if unconfirmed:
        data["unconfirmed"] = unconfirmed
    reading.profile = data
    reading.unconfirmed = tuple(unconfirmed)


def read_conversation(
    messages: Sequence[str], given: Sequence[Mapping[str, Any] | None] = ()
) -> Reading:
    """Read every message of a conversation, oldest first; `given[i]` is a structured profile
    sent with message i (the panel's edits), which wins over that message's words."""
    reading = Reading()
    folded = []
    for turn, message in enumerate(messages):
        one = read_message(correct(message), turn)
        facts = one.facts
        if turn < len(given) and given[turn]:
            facts = facts + _panel_facts(given[turn] or {}, turn)
        reading.facts += facts
        reading.problems += one.problems
        folded.append((fold(correct(message)), facts))
    reading.decided, reading.conflicts, reading.regimens = resolve(folded)
    _profile(reading)
    if not reading.problems:
        try:  # values possible one by one can still contradict each other ("Vp2 into the SMV")
            parse_profile(reading.profile)
        except ProfileError as error:
            reading.problems.append(str(error).removeprefix("invalid profile: "))
    return reading


def read(text: str) -> Reading:
    """Read one message on its own."""
    return read_conversation([text])
