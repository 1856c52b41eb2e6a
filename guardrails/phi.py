"""Patient identifiers: found with Microsoft Presidio and replaced by placeholders ("[NAME]").

Presidio's analyzer runs our clinical recognizers (guardrails/phi_recognizers.py: record numbers,
dates of birth, ages over 89, dates, addresses, names of people and hospitals from an offline
name dictionary) beside its own (international phone numbers through libphonenumber, credit
cards, IBANs, IP addresses, NHS numbers). No statistical model runs: the NLP engine is spaCy's
blank English tokenizer, so nothing is downloaded and a question costs a few milliseconds.

Spans are merged before replacement, so a name is replaced whole, never leaving a piece
("[NAME]é Álvarez"). A name or date inside a clinical term ("Child-Pugh", "Milan criteria",
a drug or trial name, "30 months") is not an identifier and is kept.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.abc import MetaPathFinder
from typing import Any

import regex

from corpus.vocabulary import load_vocabulary
from guardrails.names import load_names, load_phi_data

# Entities that a clinical term can hide (a surname inside "Child-Pugh"); the others never are.
SOFT_ENTITIES = frozenset({"NAME", "HOSPITAL", "DATE", "PHONE"})
_PRESIDIO_ENTITIES = {
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "ID",
    "IBAN_CODE": "ID",
    "IP_ADDRESS": "ID",
    "UK_NHS": "ID",
}
_lock = threading.Lock()


@dataclass(frozen=True)
class Span:
    entity: str
    start: int
    end: int
    soft: bool


# Presidio imports transformers (and through thinc, torch) when they are installed, for NER
# engines we do not use: 10 s of cold start. They are hidden from this thread while it loads.
_MODEL_LIBRARIES = ("torch", "transformers")


class _HideFromThisThread(MetaPathFinder):
    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.thread = threading.get_ident()

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        hidden = fullname.split(".")[0] in self.names
        if hidden and threading.get_ident() == self.thread:
            raise ImportError(f"{fullname} is not used by the identifier check")


@contextmanager
def _without_model_libraries() -> Iterator[None]:
    missing = tuple(n for n in _MODEL_LIBRARIES if n not in sys.modules)  # loaded: nothing to save
    finder = _HideFromThisThread(missing)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def _blank_nlp_engine() -> Any:
    """Presidio's spaCy engine on spaCy's blank English (a tokenizer, no trained model)."""
    import spacy
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    class BlankEnglish(SpacyNlpEngine):
        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]

    engine = BlankEnglish(models=[{"lang_code": "en", "model_name": "blank:en"}])
    engine.load()
    return engine


@cache
def _analyzer() -> Any:
    """Built on first use (about a second: spaCy and libphonenumber load), then shared."""
    with _without_model_libraries():
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer import predefined_recognizers as predefined

        from guardrails.phi_recognizers import (
            GatedPhoneRecognizer,
            NameRecognizer,
            RegexRecognizer,
        )

        data = load_phi_data()
        registry = RecognizerRegistry(supported_languages=["en"])
        registry.add_recognizer(RegexRecognizer(data["patterns"]))
        registry.add_recognizer(NameRecognizer(load_names(), data))
        regions = tuple(data["presidio"]["phone_regions"])
        registry.add_recognizer(GatedPhoneRecognizer(supported_regions=regions, leniency=1))
        for name in data["presidio"]["recognizers"]:
            registry.add_recognizer(getattr(predefined, name)())
        nlp_engine = _blank_nlp_engine()
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])


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
    with _lock:  # Presidio's engine is not documented as thread-safe
        results = _analyzer().analyze(text, language="en", score_threshold=0.3)
    protected = _protected(text)
    spans = []
    for result in results:
        entity = _PRESIDIO_ENTITIES.get(result.entity_type, result.entity_type)
        soft = entity in SOFT_ENTITIES
        inside = any(s <= result.start and result.end <= e for s, e in protected)
        overlaps = any(s < result.end and result.start < e for s, e in protected)
        # A name inside a clinical term is no name ("Child-Pugh"); a date or phone number that
        # touches a clinical measure is the measure ("12.2.21 months" is not a date).
        if soft and (inside or (entity in ("DATE", "PHONE") and overlaps)):
            continue
        spans.append(Span(entity, result.start, result.end, soft))
    return _merge(spans, load_phi_data()["priority"])


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
