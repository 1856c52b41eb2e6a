"""Claims: qualitative statements about a trial or regimen must not contradict the review.

The inventory (guardrails/data/claims.yaml) holds, per trial or regimen, what the review says
(met or missed endpoints, superiority or non-inferiority, approvals, suitability for conversion,
toxicity ranking, PD-rate caveats, no second-line reports) with the quote it rests on. A sentence
that names the subject (or follows one that does and speaks of "it") and contradicts an entry is
removed, and the review's statement is shown in its place with its quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from clinical.answer import GuardrailResult
from corpus.yamlio import load_yaml
from guardrails.text import (
    Outcome,
    body_lines,
    drop_sentences,
    in_review,
    regimen_mentions,
    sentences,
    trial_mentions,
    without_brackets,
)

CLAIMS_PATH = Path(__file__).parent / "data" / "claims.yaml"
CHECK = "claims"
# A negation just before a false assertion turns it into what the review says ("did not meet").
_NEGATED = re.compile(
    r"\b(?:not|no|never|neither|nor|without|failed to|fails to|cannot)\s+(?:\w+\s+){0,2}$"
    r"|n't\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
# A sentence that speaks of the subject of the one before ("It met ...", "The combination ...").
_ANAPHOR = re.compile(
    r"^\W*(?:it|its|this|these|they|their|the (?:combination|regimen|trial|study|doublet))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Claim:
    id: str
    kind: str
    subject: re.Pattern[str]
    says: str
    quote: str
    ref: int | None
    asserts: tuple[re.Pattern[str], ...]
    denies: tuple[re.Pattern[str], ...]
    unless: re.Pattern[str] | None

    def may_contradict(self, text: str) -> bool:
        """Some contradicting words are written in `text` (negated or not: a cheap first pass)."""
        return any(p.search(text) for p in (*self.denies, *self.asserts))

    def contradicted(self, sentence: str) -> str | None:
        """The words of `sentence` that contradict this claim, or None."""
        if self.unless and self.unless.search(sentence):
            return None
        for pattern in self.denies:
            if match := pattern.search(sentence):
                return match.group(0)
        for pattern in self.asserts:
            for match in pattern.finditer(sentence):
                if not _NEGATED.search(sentence[max(0, match.start() - 40) : match.start()]):
                    return match.group(0)
        return None


def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


@cache
def load_claims(path: Path = CLAIMS_PATH) -> tuple[Claim, ...]:
    raw = load_yaml(path)
    return tuple(
        Claim(
            id=entry["id"],
            kind=entry["kind"],
            subject=_pattern(entry["subject"]),
            says=entry["says"],
            quote=entry["quote"],
            ref=entry.get("ref"),
            asserts=tuple(_pattern(p) for p in entry.get("asserts", ())),
            denies=tuple(_pattern(p) for p in entry.get("denies", ())),
            unless=_pattern(entry["unless"]) if entry.get("unless") else None,
        )
        for entry in raw
    )


def _correction(claim: Claim) -> str:
    ref = f" [ref {claim.ref}]" if claim.ref else ""
    return f'- {claim.says} The review: "{claim.quote}"{ref}'


_CLAUSES = re.compile(r";|,\s*(?=but\b|whereas\b|while\b)|\s(?=but\b|whereas\b)", re.I)


def _nearest_is(claim: Claim, clause: str, at: int) -> bool:
    """The trial or regimen named nearest to position `at` is the claim's subject."""
    spans = [(m.start(), m.end(), True) for m in claim.subject.finditer(clause)]
    spans += [(m.start(), m.end(), False) for _, m in regimen_mentions(clause)]
    spans += [(m.start(), m.end(), False) for _, m in trial_mentions(clause)]
    if not spans:
        return True  # the clause speaks of the sentence's subject
    distance = {True: 10**6, False: 10**6}
    for start, end, own in spans:
        gap = start - at if start >= at else max(0, at - end)
        distance[own] = min(distance[own], gap)
    return distance[True] <= distance[False]


def _about(claim: Claim, clause: str) -> str | None:
    words = claim.contradicted(clause)
    if words is None:
        return None
    return words if _nearest_is(claim, clause, clause.find(words)) else None


@lru_cache(maxsize=8192)
def _sentence(sentence: str, previous: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, str]]:
    """(ids of the claims the sentence names, (claim id, contradicting words) or ("", "")).

    `previous` are the claims the sentences before it in the line named (for "It met ...").
    Cached: the same sentence recurs across answers.
    """
    claims = {c.id: c for c in load_claims()}
    plain = without_brackets(sentence)
    named = tuple(c.id for c in claims.values() if c.subject.search(plain))
    about = named or (previous if _ANAPHOR.search(plain) else ())
    if not about or in_review(sentence.lstrip("> ")):
        return named, ("", "")
    clauses = _CLAUSES.split(plain)
    # A clause naming no trial or regimen speaks of the sentence's subjects.
    bare = [c for c in clauses if not regimen_mentions(c) and not trial_mentions(c)]
    for claim_id in about:
        claim = claims[claim_id]
        if not claim.may_contradict(plain):
            continue
        mine = [c for c in clauses if claim.subject.search(c)]
        for clause in mine + bare if named else clauses:
            if words := _about(claim, clause):
                return named, (claim_id, words)
    return named, ("", "")


def check_claims(text: str) -> Outcome:
    claims = {c.id: c for c in load_claims()}
    doomed: set[tuple[int, str]] = set()
    found: dict[str, tuple[Claim, str]] = {}
    for index, line in body_lines(text):
        previous: tuple[str, ...] = ()
        for sentence in sentences(line):
            named, (claim_id, words) = _sentence(sentence, previous)
            previous = named or previous
            if claim_id:
                doomed.add((index, sentence))
                found.setdefault(claim_id, (claims[claim_id], words))
    if not found:
        detail = "no statement contradicts the review's claims"
        return Outcome(text, GuardrailResult(check=CHECK, passed=True, detail=detail))
    notes = "\n".join(_correction(claim) for claim, _ in found.values())
    repaired = drop_sentences(text, doomed).rstrip()
    repaired += (
        "\n\nRemoved statements that contradict the review; what the review says instead:\n" + notes
    )
    detail = "removed contradicting statements: " + "; ".join(
        f"{claim.id} ({words!r})" for claim, words in found.values()
    )
    return Outcome(repaired.lstrip(), GuardrailResult(check=CHECK, passed=False, detail=detail))
