"""Numeric fidelity: every number an answer states must be traceable to the review.

A number is traceable when the review prints it, or when the clinician typed it (question, earlier
turns, profile): "AFP 450" echoed back is the user's number, not an invented one. Numbers that are
part of names (LEAP-002, IMbrave150, anti-PD-1), reference markers, the reference list, the rules
line and the disclaimer are not figures and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from corpus.parser import read_review

# A stand-alone number: not glued to a name on the left ("LEAP-002", "Vp1") or the right ("3rd").
_FIGURE = re.compile(r"(?<![\w.\-‑/])(\d+(?:\.\d+)?)(?![\w]|\.\d)")
_ANY_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NOT_FIGURES = (
    re.compile(r"\[[^\]\n]*\]"),  # inline citations: [IMbrave150; refs 19–21]
    re.compile(r"\brefs?\.?\s*\d[\d,\s–-]*", re.IGNORECASE),
    re.compile(r"^_Rules applied:.*$", re.MULTILINE),
    re.compile(r"^\s*\d+\.\s", re.MULTILINE),  # list markers
)
# Where the answer's own reference list and disclaimer start: nothing after is a claim.
_TRAILER = re.compile(r"^\*\*References\*\*|^_Decision support only", re.MULTILINE)


@dataclass(frozen=True)
class NumberCheck:
    numbers: tuple[str, ...]  # every figure the answer states, in order
    untraceable: tuple[str, ...]  # those neither the review nor the clinician printed

    @property
    def traceable(self) -> int:
        return len(self.numbers) - len(self.untraceable)


@cache
def review_numbers() -> frozenset[str]:
    return frozenset(_ANY_NUMBER.findall(read_review()))


def claim_text(answer: str) -> str:
    """The part of an answer that makes claims, with citations and list markers removed."""
    trailer = _TRAILER.search(answer)
    text = answer[: trailer.start()] if trailer else answer
    for pattern in _NOT_FIGURES:
        text = pattern.sub(" ", text)
    return text


def stated_numbers(answer: str) -> list[str]:
    return _FIGURE.findall(claim_text(answer))


def check_numbers(answer: str, user_text: Iterable[str] = ()) -> NumberCheck:
    typed = {n for text in user_text for n in _ANY_NUMBER.findall(text)}
    known = review_numbers() | typed
    numbers = stated_numbers(answer)
    return NumberCheck(tuple(numbers), tuple(n for n in numbers if n not in known))
