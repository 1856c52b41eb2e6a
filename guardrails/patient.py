"""What the output checks know about the conversation: the clinician's own words, read by the
clinical reader, and what the tools returned.

The output checks never trust a profile a model wrote into a tool call alone: they read every
user turn of the conversation with the same reader the planner uses, so a contraindication the
model skipped (or never asked a tool about) still rules out what it rules out. A fact the reader
holds as uncertain sits at its fail-safe value (possibly present).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Conversation:
    """The user turns so far (oldest first), the structured profile sent with each, and the text
    of every tool result of the conversation (None: not known, so citations are not held to it)."""

    messages: tuple[str, ...] = ()
    given: tuple[Mapping[str, Any] | None, ...] = ()
    tool_text: str | None = None

    @classmethod
    def of(
        cls,
        messages: Sequence[str] = (),
        given: Sequence[Mapping[str, Any] | None] = (),
        tool_text: str | None = None,
    ) -> Conversation:
        return cls(tuple(messages), tuple(given), tool_text)


# The line in so many words ("first-line", "2L", "progressed on", "refractory to"), not a line
# inferred from a drug named after "after" (which may be the plan the question asks about).
_LINE_WORDS = re.compile(
    r"line|\b[1-4]l\b|progress|fail|refractor|intoleran|salvage|treatment-na|naive|naïve",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReadPatient:
    """The profile the clinician's words add up to, fail safe (uncertain contraindications held
    as present), and whether the line of therapy was stated in so many words."""

    profile: dict[str, Any]
    line_stated: bool
    unconfirmed: tuple[str, ...] = ()


@lru_cache(maxsize=256)
def _read(messages: tuple[str, ...], given: str) -> ReadPatient | None:
    from clinical.reader import Fact, Status, read_conversation

    reading = read_conversation(messages, json.loads(given))
    if reading.problems or reading.empty:
        return None
    line = reading.decided.get("line")

    def said(fact: Fact) -> str:  # the fact's words and the few words before them
        message = messages[fact.turn] if fact.turn < len(messages) else ""
        return f"{message[max(0, fact.start - 25) : fact.start]} {fact.words}"

    stated = any(
        fact.status is Status.PRESENT and _LINE_WORDS.search(said(fact))
        for fact in ([line] if line else []) + reading.regimens
    )
    return ReadPatient(reading.profile, stated, reading.unconfirmed)


def reader_profile(conversation: Conversation | None) -> ReadPatient | None:
    """What the clinician's words say of the patient, or None when they state nothing."""
    if conversation is None or not conversation.messages:
        return None
    given = json.dumps([dict(g) if g else None for g in conversation.given], sort_keys=True)
    return _read(conversation.messages, given)
