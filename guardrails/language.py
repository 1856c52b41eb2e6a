"""Language a clinician must never see: promises of cure or a guaranteed outcome, claims for all
patients ("always", "for everyone"), and certainty the review does not have.

The review is cautious by design (its own algorithm is "for discussion only"), so any of these
is a sign the answer was not written from it: the answer is blocked, and the block says which
words and why. The review's own sentences, quoted, never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from clinical.answer import GuardrailResult
from corpus.yamlio import load_yaml
from guardrails.text import Outcome, body_lines, in_review, sentences, without_brackets

LANGUAGE_PATH = Path(__file__).parent / "data" / "language.yaml"
CHECK = "language"
_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|nor|neither|none|nothing|without|hardly)\b[^.;,]{0,20}$"
    r"|n't\b[^.;,]{0,20}$",
    re.I,
)
WHAT = {
    "cure": "a promise of cure or of a guaranteed outcome",
    "blanket": "a claim for all patients",
    "overconfident": "a claim of certainty",
}
BLOCKED = (
    "The answer was not shown: it made {what}, which the review does not support; "
    "the review gives evidence for a clinician to weigh, never a promise or a rule for everyone. "
    "Please ask again."
)


@dataclass(frozen=True)
class Phrase:
    kind: str
    pattern: re.Pattern[str]
    negatable: bool


@cache
def load_language(path: Path = LANGUAGE_PATH) -> tuple[Phrase, ...]:
    raw = load_yaml(path)
    return tuple(
        Phrase(group["kind"], re.compile(pattern, re.IGNORECASE), bool(group["negatable"]))
        for group in raw
        for pattern in group["patterns"]
    )


@lru_cache(maxsize=8192)
def _forbidden_in(sentence: str) -> tuple[str, str] | None:
    """(kind, words) of the first forbidden phrase in one sentence (cached: sentences recur)."""
    if in_review(sentence.lstrip("> ").strip("*_ ")):
        return None
    plain = without_brackets(sentence)
    found: list[tuple[int, str, str]] = []
    for phrase in load_language():
        for match in phrase.pattern.finditer(plain):
            before = plain[max(0, match.start() - 30) : match.start()]
            if phrase.negatable and _NEGATION.search(before):
                continue
            found.append((match.start(), phrase.kind, match.group(0)))
            break
    if not found:
        return None
    _, kind, words = min(found)
    return kind, words


def find_forbidden(text: str) -> tuple[str, str] | None:
    """(kind, words) of the first forbidden phrase in `text`'s own sentences, or None."""
    for _, line in body_lines(text):
        for sentence in sentences(line):
            if found := _forbidden_in(sentence):
                return found
    return None


def check_language(text: str) -> Outcome:
    found = find_forbidden(text)
    if found is None:
        detail = "no promise of cure, blanket claim or unwarranted certainty"
        return Outcome(text, GuardrailResult(check=CHECK, passed=True, detail=detail))
    kind, _ = found  # the words themselves are not repeated: no one should read them
    detail = f"{kind}: {WHAT[kind]}"
    return Outcome(
        text,
        GuardrailResult(check=CHECK, passed=False, detail=detail),
        block=BLOCKED.format(what=WHAT[kind]),
    )
