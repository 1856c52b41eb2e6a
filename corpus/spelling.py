"""Mend misspelt drug and trial names ("atezolizumb", "lenvatnib", "himalya") before planning.

Only words close to a known drug, regimen or trial name are touched, and only when the word is
not itself a known name: a clinical sentence's other words pass through unchanged.
"""

from __future__ import annotations

import difflib
import re
from functools import cache, lru_cache

from corpus.parser import read_review
from corpus.vocabulary import load_vocabulary, normalize

MIN_LENGTH = 6  # shorter words are too easily near another word ("pembro" is an alias anyway)
CUTOFF = 0.85  # "sorafenib"/"donafenib" (0.78) and "sorafenib"/"regorafenib" (0.80) stay apart
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]{5,}")


@cache
def _names() -> dict[str, str]:
    """Single-word drug, regimen and trial names, lower-cased -> as written in the data."""
    vocabulary = load_vocabulary()
    names: dict[str, str] = {}
    for token, concept in vocabulary.concepts.items():
        if not token.startswith(("agent_", "regimen_", "trial_")):
            continue
        for form in concept.surface_forms:
            if " " not in form and len(form) >= MIN_LENGTH:
                names.setdefault(normalize(form), form)
    return names


@lru_cache(maxsize=8192)
def _closest(lowered: str) -> str | None:
    """The known name `lowered` is a near-miss of, if any. Cached: difflib compares each word
    with every name, and the same clinical words come back question after question."""
    names = _names()
    close = difflib.get_close_matches(lowered, names.keys(), n=1, cutoff=CUTOFF)
    return names[close[0]] if close else None


@cache
def _ordinary_words() -> frozenset[str]:
    """Words that are spelt right though close to a name: every word the review writes, and the
    letters of a numbered name ("rationale", "orient", "keynote" of "RATIONALE-301", "ORIENT-32",
    "KEYNOTE-240"): a misspelling does not drop exactly the number."""
    words = set(re.findall(r"[a-z][a-z0-9-]+", normalize(read_review())))
    words |= {m.group(1) for n in _names() if (m := re.match(r"([a-z]+)[- ]?\d", n))}
    return frozenset(words)


def near_name(word: str) -> str | None:
    """The known name `word` misspells, or None (a name itself, or a word the review uses)."""
    lowered = normalize(word)
    if len(lowered) < MIN_LENGTH or lowered in _names() or lowered in _ordinary_words():
        return None
    return _closest(lowered)


def correct(text: str) -> str:
    """`text` with each near-miss of a known name replaced by that name."""

    def mend(match: re.Match[str]) -> str:
        word = match.group(0)
        return near_name(word) or word

    return _WORD.sub(mend, text)
