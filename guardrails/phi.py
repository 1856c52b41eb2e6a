"""Patient identifiers: found by our recognizers and Microsoft Presidio's, replaced by
placeholders ("[NAME]").

Our clinical recognizers (guardrails/phi_recognizers.py: record numbers, dates of birth, ages
over 89, dates, addresses, e-mails, URLs, names of people and hospitals from an offline name
dictionary) run on every text. Presidio's own (international phone numbers through
libphonenumber, credit cards, IBANs, IP addresses, NHS numbers) run in Presidio's analyzer
whenever the text has a run of digits (or hex groups and colons) that one of them could match
(guardrails/phi_presidio.py): the analyzer costs seconds to import and build, and most
questions never need it. No statistical model runs, nothing is downloaded, and a question costs a
few milliseconds.

Spans are merged before replacement, so a name is replaced whole, never leaving a piece
("[NAME]é Álvarez"). A name or date inside a clinical term ("Child-Pugh", "Milan criteria",
a drug or trial name, "30 months") is not an identifier and is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from typing import Any

import regex

from corpus.vocabulary import load_vocabulary
from guardrails import phi_presidio
from guardrails.names import load_names, load_phi_data
from guardrails.phi_recognizers import Finding, NameRecognizer, RegexRecognizer

# Entities that a clinical term can hide (a surname inside "Child-Pugh"); the others never are.
SOFT_ENTITIES = frozenset({"NAME", "HOSPITAL", "DATE", "PHONE"})
_PRESIDIO_ENTITIES = {
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "ID",
    "IBAN_CODE": "ID",
    "IP_ADDRESS": "ID",
    "UK_NHS": "ID",
}
_SCORE_THRESHOLD = 0.3


@dataclass(frozen=True)
class Span:
    entity: str
    start: int
    end: int
    soft: bool


@cache
def _our_recognizers() -> tuple[RegexRecognizer, NameRecognizer]:
    data = load_phi_data()
    return RegexRecognizer(data["patterns"]), NameRecognizer(load_names(), data)


def _remove_contained(findings: list[Finding]) -> list[Finding]:
    """Presidio's `EntityRecognizer.remove_duplicates`, as its analyzer applies it: a finding is
    dropped when another of the same entity contains it with an equal or higher score (and
    zero scores and exact repeats go). It matters: a date inside a longer date that touches a
    clinical measure would otherwise survive the longer one's removal."""
    ordered = sorted(set(findings), key=lambda f: (f.entity, f.start, -(f.end - f.start), -f.score))
    kept: list[Finding] = []
    for _, same_entity in groupby(ordered, key=lambda f: f.entity):
        active: list[Finding] = []
        for finding in same_entity:
            if finding.score == 0:
                continue
            active = [a for a in active if a.end >= finding.start]
            if not any(
                a.start <= finding.start and finding.end <= a.end and finding.score <= a.score
                for a in active
            ):
                kept.append(finding)
                active.append(finding)
    return kept


def _findings(text: str) -> list[Finding]:
    """Every recognizer's findings, post-processed as Presidio's analyzer does (our recognizers
    have no context words, so its context step leaves their scores alone; its entity names
    differ from ours, so removing contained findings per entity never mixes the two sets)."""
    ours = [f for recognizer in _our_recognizers() for f in recognizer.analyze(text)]
    ours = [f for f in ours if f.score >= _SCORE_THRESHOLD]
    return _remove_contained(ours) + phi_presidio.analyze(text)


@cache
def _clinical_patterns() -> tuple[Any, ...]:
    return tuple(
        regex.compile(p, regex.IGNORECASE) for p in load_phi_data()["clinical"]["patterns"]
    )


_TITLE = regex.compile(r"\b(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|lord|lady)\.?\s+$")


def _places(text: str) -> list[tuple[int, int]]:
    """Where the patient is treated ("Manchester UK", "Wuhan"): the review's advice differs in
    China and elsewhere, so the clinical reader's region words are kept (a city or a country
    alone identifies no one; a street address is still found and removed)."""
    from clinical.reader.lexicon import load_findings

    lower = text.lower()
    if len(lower) != len(text):  # a case change that moves positions: keep nothing extra
        return []
    found = sorted(
        m.span()
        for t in load_findings()["region"].targets
        for m in t.pattern.finditer(lower)
        if not _TITLE.search(lower, 0, m.start())  # "Mr Paris" is a person
    )
    merged: list[tuple[int, int]] = []
    for start, end in found:  # "Manchester UK", "Lyon, France": one place
        if merged and not text[merged[-1][1] : start].strip(" ,"):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _protected(text: str) -> list[tuple[int, int]]:
    """Spans of clinical terms: corpus vocabulary (drugs, trials, synonyms) and clinical codes."""
    spans = [(start, end) for _, start, end in load_vocabulary().matches(text)]
    for pattern in _clinical_patterns():
        spans += [m.span() for m in pattern.finditer(text)]
    spans += _places(text)
    names = load_names()
    for match in regex.finditer(r"[\p{L}\d][\p{L}\d'’/-]*", text):
        if names.is_clinical(match.group()):
            spans.append(match.span())
    return spans


def _merge(spans: list[Span], order: list[str]) -> list[Span]:
    """Overlapping or touching spans become one, named after the highest-priority entity."""
    rank = {entity: n for n, entity in enumerate(order)}
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            entity = min(last.entity, span.entity, key=lambda e: rank.get(e, len(rank)))
            merged[-1] = Span(entity, last.start, max(last.end, span.end), last.soft and span.soft)
        else:
            merged.append(span)
    return merged


def find_identifiers(text: str) -> list[Span]:
    """Identifier spans in `text`, merged, in order."""
    if not text.strip():
        return []
    results = _findings(text)
    protected = _protected(text)
    spans = []
    for result in results:
        entity = _PRESIDIO_ENTITIES.get(result.entity, result.entity)
        soft = entity in SOFT_ENTITIES
        inside = any(s <= result.start and result.end <= e for s, e in protected)
        overlaps = any(s < result.end and result.start < e for s, e in protected)
        # A name inside a clinical term is no name ("Child-Pugh"); a date or phone number that
        # touches a clinical measure is the measure ("12.2.21 months" is not a date).
        if soft and (inside or (entity in ("DATE", "PHONE") and overlaps)):
            continue
        spans.append(Span(entity, result.start, result.end, soft))
    return _merge(spans, load_phi_data()["priority"])


def warm() -> None:
    """Load what redacting any text needs, Presidio's analyzer included (about two seconds of
    CPU), so that no question pays it: the web app calls this once it has reported ready."""
    load_names()
    load_vocabulary()
    _our_recognizers()
    phi_presidio.warm()


def redact_identifiers(
    text: str, keep: Callable[[Span], bool] | None = None
) -> tuple[str, list[str]]:
    """`text` with identifiers replaced, and the placeholders used (one per identifier).

    `keep` spares the spans it returns True for (the export keeps the review's quoted lines).
    """
    placeholders = load_phi_data()["placeholders"]
    pieces: list[str] = []
    used: list[str] = []
    last = 0
    for span in find_identifiers(text):
        if keep is not None and keep(span):
            continue
        placeholder = placeholders[span.entity]
        pieces += [text[last : span.start], placeholder]
        used.append(placeholder)
        last = span.end
    pieces.append(text[last:])
    return "".join(pieces), used
