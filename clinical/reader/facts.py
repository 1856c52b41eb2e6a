"""What the reader finds: a mention of a field in the text, and the fact it asserts.

A `Mention` is a value found at a span (by a vocabulary term or a measure). A `Fact` is that
mention once ConText has said how it is asserted: its value, the clinician's words, and a status
(present, absent, historical, uncertain or hypothetical).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class Status(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    HISTORICAL = "historical"
    UNCERTAIN = "uncertain"
    HYPOTHETICAL = "hypothetical"


@dataclass(frozen=True)
class Mention:
    field: str  # a profile field; tumour fields as "tumour.pvtt_grade"
    value: Any
    start: int
    end: int
    negated: Any = None  # the value when denied (None: denial does not apply)
    implied: bool = False  # an indirect sign: uncertain at best
    contextual: bool = True  # ConText applies (a number typed as a figure does not take it)
    planned: bool = False  # "transplant candidate": a plan, not a fact about the patient now
    historical: str | None = None  # how a past mention counts, when not the field's way
    rank: int = 0  # a regimen's place in the sequence given ("regorafenib after sorafenib": 1)


class Fact(BaseModel):
    """One patient fact as read: value, status, the clinician's words and where they stand."""

    model_config = ConfigDict(frozen=True)

    field: str
    value: Any
    status: Status
    words: str  # the clinician's words the fact was read from
    turn: int = 0  # 0 for the first message of the conversation
    start: int = 0
    end: int = 0
    cues: tuple[str, ...] = ()  # the words that set the status ("no", "h/o", "?")
    asked: bool = False  # hypothetical because the clinician asks "what if": answered as asked
    current: bool = False  # said to hold now ("new", "today"): beats older statements
    rank: int = 0  # a regimen's place in the sequence the message gives, oldest first
