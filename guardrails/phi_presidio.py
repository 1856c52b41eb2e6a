"""Presidio's own identifier recognizers, and the gate that says when they could find anything.

Presidio's analyzer runs its recognizers as they are: international phone numbers (Google's
libphonenumber), credit cards, IBANs, IP addresses, NHS numbers. Importing it costs about a
second (spaCy comes with it) and building it another second or more, on a question's cold path.

Every one of those recognizers only matches text with a particular shape of digits (or, for an
IPv6 address, of hexadecimal groups and colons). `may_find` tests a pattern that each of their
own patterns implies, so text it rejects cannot give any of them a match, and the analyzer is
neither built nor called for it: most clinical questions ("IMbrave150", "AFP 400 ng/mL",
"Child-Pugh B7") pass no gate. Text that passes is analysed exactly as before. Each gate is a
necessary condition of Presidio's pattern (quoted from presidio_analyzer 2.2, `predefined_
recognizers`), never a guess at what identifiers look like; tests/test_phi_gate.py checks every
Presidio pattern against its gate on random text, so a Presidio upgrade that widens one fails.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.abc import MetaPathFinder
from typing import Any

import regex

from guardrails.names import load_phi_data
from guardrails.phi_recognizers import Finding

# Seven digits or more, among spaces and phone punctuation: anything libphonenumber could accept.
# The phone recognizer below parses only these runs, so this is its gate exactly.
PHONE_CANDIDATE = regex.compile(r"\+?\(?\d(?:[\s().\-/]{0,3}\d){6,}")

_THREE_AND_THREE = regex.compile(r"\d{3}[- ]?\d{3}")

# For each Presidio recognizer we run, patterns that every one of its matches contains.
GATES: dict[str, tuple[Any, ...]] = {
    "PhoneRecognizer": (PHONE_CANDIDATE,),
    # Credit card: r"\b(?!1\d{12}(?!\d))((4\d{3})|...|(3\d{3}))[- ]?(\d{3,4})[- ]?(\d{3,4})..."
    # NHS number:  r"\b([0-9]{3})[- ]?([0-9]{3})[- ]?([0-9]{4})\b"
    # Both hold three digits, an optional "-" or " ", and three digits.
    "CreditCardRecognizer": (_THREE_AND_THREE,),
    "NhsRecognizer": (_THREE_AND_THREE,),
    # IBAN: r"(?<![A-Z0-9])([A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]{4}){2,6})..." (its first part,
    # with {2} for {2,6}; case-insensitive although Presidio's is not, to be safe).
    "IbanRecognizer": (regex.compile(r"[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2}", regex.IGNORECASE),),
    "IpRecognizer": (
        # IPv4, alone or inside IPv6: four groups of one to three digits joined by dots.
        regex.compile(r"\d\.\d{1,3}\.\d{1,3}\.\d"),
        # IPv6: every alternative of Presidio's pattern holds "::" (a compressed address, or "::"
        # alone) or eight groups joined by single colons, hence a hex digit, a colon, a hex digit.
        regex.compile(r"::|[0-9A-F]:[0-9A-F]", regex.IGNORECASE),
    ),
}
_lock = threading.Lock()
_build_lock = threading.Lock()  # one build, however many questions arrive during it


def recognizer_names() -> tuple[str, ...]:
    """The Presidio recognizers run: the phone one and phi.yaml's `presidio.recognizers`."""
    return ("PhoneRecognizer", *load_phi_data()["presidio"]["recognizers"])


@cache
def _gates() -> tuple[Any, ...] | None:
    """The gates of the recognizers run; None when one has no gate (then every text is analysed:
    a recognizer added to phi.yaml is never skipped for want of its gate)."""
    names = recognizer_names()
    if any(name not in GATES for name in names):
        return None
    return tuple({id(g): g for name in names for g in GATES[name]}.values())


def may_find(text: str) -> bool:
    """False when none of Presidio's recognizers can match `text` (see the module's docstring)."""
    gates = _gates()
    return gates is None or any(gate.search(text) for gate in gates)


def analyze(text: str) -> list[Finding]:
    """Presidio's findings in `text`, with its entity names ("PHONE_NUMBER", "IBAN_CODE")."""
    if not may_find(text):
        return []
    engine = _analyzer()
    with _lock:  # Presidio's engine is not documented as thread-safe
        results = engine.analyze(text, language="en", score_threshold=0.3)
    return [Finding(r.entity_type, r.start, r.end, r.score) for r in results]


def warm() -> None:
    """Build the analyzer now (the app does it while it warms up, not on a user's question)."""
    _analyzer()


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


def _gated_phone_recognizer(regions: tuple[str, ...]) -> Any:
    from presidio_analyzer import RecognizerResult
    from presidio_analyzer.nlp_engine import NlpArtifacts
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    class GatedPhoneRecognizer(PhoneRecognizer):
        """Presidio's phone recognizer (libphonenumber, many regions), run only on the runs of
        digits that could be a phone number: it is the costliest step."""

        def analyze(
            self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
        ) -> list[RecognizerResult]:
            results: list[RecognizerResult] = []
            for candidate in PHONE_CANDIDATE.finditer(text):  # each run of digits on its own
                start = max(0, candidate.start() - 2)
                window = text[start : candidate.end() + 1]
                for found in super().analyze(window, entities, nlp_artifacts):  # type: ignore[arg-type]
                    found.start += start
                    found.end += start
                    results.append(found)
            return results

    return GatedPhoneRecognizer(supported_regions=regions, leniency=1)


def _analyzer() -> Any:
    with _build_lock:
        return _build_analyzer()


@cache
def _build_analyzer() -> Any:
    """Built on first use (a second or two: spaCy and libphonenumber load), then shared."""
    with _without_model_libraries():
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer import predefined_recognizers as predefined

        data = load_phi_data()["presidio"]
        registry = RecognizerRegistry(supported_languages=["en"])
        registry.add_recognizer(_gated_phone_recognizer(tuple(data["phone_regions"])))
        for name in data["recognizers"]:
            registry.add_recognizer(getattr(predefined, name)())
        nlp_engine = _blank_nlp_engine()
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
