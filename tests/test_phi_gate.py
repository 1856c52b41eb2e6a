"""The gate before Presidio's analyzer (guardrails/phi_presidio.py) never lets an identifier by.

Presidio's recognizers are only run on text that passes a gate their own patterns imply. These
tests check that claim against Presidio's installed patterns on generated text, that the gate
changes no finding on the banks, that identifiers of Presidio's kinds are still removed, and that a
question without such digits is redacted without building the analyzer.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import regex
import yaml

from guardrails import phi, phi_presidio
from guardrails.names import _spacy_stop_words
from guardrails.phi import find_identifiers, redact_identifiers

CASES = Path(__file__).resolve().parent.parent / "eval" / "cases"


def _texts_of(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [t for value in node.values() for t in _texts_of(value)]
    if isinstance(node, list):
        return [t for value in node for t in _texts_of(value)]
    return []


def _generated(rng: random.Random) -> str:
    """Text built from the pieces Presidio's patterns are made of: digit runs, hex and letter
    runs, and the separators between them, so that every pattern matches often."""
    pieces = []
    for _ in range(rng.randint(1, 10)):
        kind = rng.random()
        if kind < 0.35:
            run = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 5)))
        elif kind < 0.45:  # dotted octets, IPv4-mapped prefixes
            octets = [str(rng.randint(0, 300)) for _ in range(rng.randint(2, 5))]
            run = rng.choice(["", "::", "::ffff:", "::ffff:0:", "64:ff9b::"]) + ".".join(octets)
        elif kind < 0.47:  # a card number's shape: four digits, then groups of three to five
            sep = rng.choice(["", " ", "-"])
            groups = [str(rng.randint(10 ** (n - 1), 10**n - 1)) for n in (4, 3, 4, 4)]
            run = sep.join(groups[: rng.randint(2, 4)])
        elif kind < 0.5:  # an IBAN's shape: country letters, two digits, groups of four
            groups = ["".join(rng.choice("0123456789ABCXYZ") for _ in range(4)) for _ in range(3)]
            sep = rng.choice(["", " ", "-"])
            run = rng.choice(["GB", "DE", "FR", "XX"]) + str(rng.randint(0, 99)) + sep.join(groups)
        elif kind < 0.55:  # a full IPv6 address: eight hex groups (at times letters only)
            hex_digits = rng.choice(["abcdef", "0123456789abcdef"])
            groups = [
                "".join(rng.choice(hex_digits) for _ in range(rng.randint(1, 4))) for _ in range(8)
            ]
            run = ":".join(groups)
        elif kind < 0.6:
            run = "".join(rng.choice("abcdefABCDEF") for _ in range(rng.randint(1, 4)))
        elif kind < 0.75:
            run = "".join(rng.choice("ABCDEFGHKLMNRSTUVWXZ") for _ in range(rng.randint(1, 4)))
        else:
            run = rng.choice(["patient ", "ID ", "Dr. ", "+", "(", ")", "%eth0", "/64", "/24"])
        pieces.append(run)
        pieces.append(rng.choice(["", "", " ", "-", ".", ":", "::", "/", ", "]))
    return "".join(pieces)


def _presidio_recognizer(name: str) -> Any:
    from presidio_analyzer import predefined_recognizers

    return getattr(predefined_recognizers, name)()


# The phone recognizer parses nothing but PHONE_CANDIDATE's matches (the next test).
@pytest.mark.parametrize(
    "name", [n for n in phi_presidio.recognizer_names() if n != "PhoneRecognizer"]
)
def test_every_presidio_pattern_implies_its_gate(name: str) -> None:
    """On 20,000 generated texts, wherever one of Presidio's patterns matches, a gate of its
    recognizer matches too."""
    recognizer = _presidio_recognizer(name)
    flags = recognizer.global_regex_flags
    patterns = [regex.compile(p.regex, flags) for p in recognizer.patterns]
    assert patterns, name
    gates = phi_presidio.GATES[name]
    rng = random.Random(17)
    matched = [0] * len(patterns)
    for _ in range(20_000):
        text = _generated(rng)
        for n, pattern in enumerate(patterns):
            if pattern.search(text):
                matched[n] += 1
                assert any(g.search(text) for g in gates), (name, pattern.pattern, text)
    assert all(count >= 20 for count in matched), (name, matched)  # the test was not vacuous


def test_the_phone_recognizer_is_gated_by_its_candidates() -> None:
    engine = phi_presidio._analyzer()
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    phones = [r for r in engine.registry.recognizers if isinstance(r, PhoneRecognizer)]
    assert len(phones) == 1
    assert phones[0].analyze("+44 20 7946 0958 call", ["PHONE_NUMBER"], None)
    assert not phones[0].analyze("call 20 79 46 no", ["PHONE_NUMBER"], None)  # 6 digits


def test_every_recognizer_run_has_a_gate_or_every_text_is_analysed(monkeypatch) -> None:
    assert set(phi_presidio.recognizer_names()) <= set(phi_presidio.GATES)
    phi_presidio._gates.cache_clear()
    names = (*phi_presidio.recognizer_names(), "UsSsnRecognizer")  # one added without a gate
    with monkeypatch.context() as patch:
        patch.setattr(phi_presidio, "recognizer_names", lambda: names)
        assert phi_presidio.may_find("no digits at all")
        phi_presidio._gates.cache_clear()
    assert not phi_presidio.may_find("no digits at all")


def test_the_gate_changes_no_finding_on_the_banks(monkeypatch) -> None:
    """Every string of the evaluation cases (the PHI bank, input guardrails, answers...): the
    same spans with the gate as with Presidio's analyzer run on every text (text that is not
    valid Unicode is refused by the input check before it is redacted)."""
    texts = sorted(
        t
        for path in CASES.rglob("*.yaml")
        for t in set(_texts_of(yaml.safe_load(path.read_text())))
        if t.encode("utf-8", "surrogatepass").decode("utf-8", "replace") == t
    )
    assert len(texts) > 2000
    gated = [find_identifiers(t) for t in texts]
    monkeypatch.setattr(phi_presidio, "may_find", lambda text: True)
    always = [find_identifiers(t) for t in texts]
    assert gated == always
    assert sum(map(len, gated)) > 400  # identifiers were found


@pytest.mark.parametrize(
    ("identifier", "placeholder"),
    [
        ("+44 20 7946 0958", "[PHONE]"),
        ("(212) 555-0199", "[PHONE]"),
        ("+86 138 0013 8000", "[PHONE]"),
        ("4111 1111 1111 1111", "[ID]"),  # credit card
        ("GB82 WEST 1234 5698 7654 32", "[ID]"),  # IBAN
        ("DE89 3704 0044 0532 0130 00", "[ID]"),
        ("192.168.10.24", "[ID]"),
        ("2001:db8::8a2e:370:7334", "[ID]"),
        ("dead:beef::cafe", "[ID]"),  # an IPv6 address without a digit
        ("943 476 5919", "[ID]"),  # NHS number
    ],
)
def test_identifiers_of_presidios_kinds_are_still_removed(
    identifier: str, placeholder: str
) -> None:
    question = f"Patient at {identifier}, Child-Pugh A, ECOG 0: is atezolizumab right?"
    assert phi_presidio.may_find(question)
    redacted, used = redact_identifiers(question)
    assert identifier not in redacted
    assert placeholder in used
    assert "Child-Pugh A" in redacted and "ECOG 0" in redacted


def test_a_question_without_such_digits_is_redacted_without_presidio(monkeypatch) -> None:
    def refuse() -> None:
        raise AssertionError("Presidio's analyzer was asked for")

    monkeypatch.setattr(phi_presidio, "_analyzer", refuse)
    question = (
        "Dr. Okafor asks: patient John Smith from Ruijin Hospital, Child-Pugh B7, ECOG 1, "
        "AFP 400 ng/mL, after IMbrave150-style atezolizumab + bevacizumab: what next?"
    )
    assert not phi_presidio.may_find(question)
    redacted, used = redact_identifiers(question)
    assert "John Smith" not in redacted and "Okafor" not in redacted and "Ruijin" not in redacted
    assert used.count("[NAME]") == 2 and "[HOSPITAL]" in used
    assert "Child-Pugh B7" in redacted and "AFP 400 ng/mL" in redacted


def test_contained_findings_are_removed_as_presidio_removes_them() -> None:
    from presidio_analyzer import EntityRecognizer, RecognizerResult

    rng = random.Random(3)
    for _ in range(300):
        findings = [
            phi.Finding(
                rng.choice(["NAME", "DATE"]),
                start := rng.randint(0, 30),
                start + rng.randint(1, 12),
                rng.choice([0.0, 0.8, 0.85, 0.9]),
            )
            for _ in range(rng.randint(0, 8))
        ]
        presidio = EntityRecognizer.remove_duplicates(
            [RecognizerResult(f.entity, f.start, f.end, f.score) for f in findings]
        )
        ours = phi._remove_contained(findings)
        as_tuples = sorted((r.entity_type, r.start, r.end, r.score) for r in presidio)
        assert sorted((f.entity, f.start, f.end, f.score) for f in ours) == as_tuples


def test_spacys_stop_words_are_read_whole_without_importing_spacy() -> None:
    from spacy.lang.en.stop_words import STOP_WORDS

    assert _spacy_stop_words() == STOP_WORDS
