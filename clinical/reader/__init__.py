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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from clinical.profile import PatientProfile, ProfileError, parse_profile
from clinical.reader.facts import Fact, Status
from clinical.reader.profile import profile_of
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
    reading.profile, reading.unconfirmed = profile_of(reading.decided, reading.regimens)
    if not reading.problems:
        try:  # values possible one by one can still contradict each other ("Vp2 into the SMV")
            parse_profile(reading.profile)
        except ProfileError as error:
            reading.problems.append(str(error).removeprefix("invalid profile: "))
    return reading


def read(text: str) -> Reading:
    """Read one message on its own."""
    return read_conversation([text])
