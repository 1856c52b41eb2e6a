"""Input guardrails: size, encoding, scope, emergencies, prompt injection and identifiers.

Deterministic and model-free. `check_input` never raises on text; it returns a verdict whose
`question` is what may be passed on to the agent.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict

from clinical.reader.reading import read_message
from corpus.vocabulary import load_vocabulary
from guardrails import messages
from guardrails.lexicon import Lexicon, load_lexicon
from guardrails.phi import redact_identifiers

Category = Literal[
    "ok", "empty", "too_long", "encoding", "off_topic", "emergency", "injection", "identifiers"
]

_KEPT_CONTROLS = {"\n", "\t"}
_SENTENCE_END = re.compile(r"[.!?;\n]")
_CLAUSE_END = re.compile(r"[,:]\s*")
_CLAUSE_CONNECTOR = re.compile(r"[\s,;:]*(?:(?:and|then|but|so|instead)\b[\s,]*)*", re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(r"[.;!?\n]|,|\bbut\b|\bwhile\b")
_QUOTES = re.compile(r"\"[^\"]*\"|“[^”]*”|'[^'\n]{8,}'")
_CONTEXT_CHARS = 40


class Check(BaseModel):
    model_config = ConfigDict(frozen=True)

    check: str
    passed: bool
    detail: str


class InputVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    allowed: bool
    category: Category
    reason: str | None = None
    question: str
    warnings: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()


def _refuse(category: Category, reason: str, question: str, checks: list[Check]) -> InputVerdict:
    return InputVerdict(
        allowed=False, category=category, reason=reason, question=question, checks=tuple(checks)
    )


def _clean(text: str) -> tuple[str, bool]:
    """NFKC text without control/format characters; True when any were removed."""
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n"))
    kept = "".join(
        c for c in text if c in _KEPT_CONTROLS or unicodedata.category(c) not in ("Cc", "Cf")
    )
    return kept, kept != text


def _decodes(text: str | bytes) -> str | None:
    try:
        decoded = text.decode("utf-8") if isinstance(text, bytes) else text
        decoded.encode("utf-8")
    except UnicodeError:
        return None
    return None if "\ufffd" in decoded else decoded


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    before = [m.end() for m in _CLAUSE_SPLIT.finditer(text, 0, start)]
    after = _CLAUSE_SPLIT.search(text, end)
    return (before[-1] if before else 0), (after.start() if after else len(text))


def find_emergency(text: str, lexicon: Lexicon) -> str | None:
    """The first acute emergency phrase not framed as a risk, history or hypothetical."""
    for match in lexicon.emergency.finditer(text):
        clause_start, clause_end = _clause_bounds(text, match.start(), match.end())
        before = text[max(clause_start, match.start() - _CONTEXT_CHARS) : match.start()]
        after = text[match.end() : min(clause_end, match.end() + _CONTEXT_CHARS)]
        if lexicon.not_acute_before.search(before) or lexicon.not_acute_after.search(after):
            continue
        return match.group(0)
    return None


def _removal_span(text: str, start: int, end: int, whole_sentence: bool) -> tuple[int, int]:
    """What to remove for an instruction found at text[start:end]: its sentence or its clause,
    never beyond the quote it sits in (a pasted note keeps its other sentences)."""
    low, high = 0, len(text)
    for quoted in _QUOTES.finditer(text):
        if quoted.start() <= start and end <= quoted.end():
            # Pasted material is not the clinician's question: its instruction goes whole.
            low, high, whole_sentence = quoted.start() + 1, quoted.end() - 1, True
            break
    sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, low, start)), default=low)
    if whole_sentence:
        sentence_end = _SENTENCE_END.search(text, end, high)
        return sentence_start, (sentence_end.end() if sentence_end else high)
    connector = _CLAUSE_CONNECTOR.match(text, end)
    return start, (connector.end() if connector else end)


def _spare_facts(text: str, start: int, end: int, found_end: int) -> tuple[int, int]:
    """Shrink a removal so that it takes no clinical fact: the instruction goes, the patient's
    facts after it in the same sentence stay ("Pretend you know nothing, s/p OLT 2019")."""
    facts = [f for f in read_message(text).facts if found_end <= f.start < end]
    if not facts:
        return start, end
    first = min(f.start for f in facts)
    clause = max((m.end() for m in _CLAUSE_END.finditer(text, found_end, first)), default=first)
    return start, clause


def strip_injections(text: str, lexicon: Lexicon) -> tuple[str, list[str]]:
    """`text` with instructions addressed to the assistant removed, and the phrases removed."""
    removed: list[str] = []
    changed = True
    while changed:  # one removal can shift later spans, so rescan until stable
        changed = False
        for pattern in lexicon.injections:
            match = pattern.regex.search(text)
            if match is None:
                continue
            start, end = _removal_span(text, match.start(), match.end(), pattern.whole_sentence)
            start, end = _spare_facts(text, start, end, match.end())
            removed.append(text[start:end].strip())
            text = f"{text[:start]} {text[end:]}"
            changed = True
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"[ \t]+([.,;:?!])", r"\1", text).lstrip(" \t\n,;:-.").rstrip(" \t\n,;:-")
    if removed and text[:1].islower():
        text = text[0].upper() + text[1:]
    return text, removed


def _vocabulary_tokens(text: str, lexicon: Lexicon) -> set[str]:
    found = load_vocabulary().concepts_in(text)
    return {t for t in found if t not in lexicon.generic_vocabulary_tokens}


def _about_the_review(text: str, lexicon: Lexicon) -> bool:
    """True when another tumour is named only as evidence the review itself cites."""
    if lexicon.review_cross_tumour.search(text):
        return True
    return any(t.startswith("trial_") for t in _vocabulary_tokens(text, lexicon))


def scope_refusal(text: str, lexicon: Lexicon, follow_up: bool = False) -> str | None:
    """The refusal reason when `text` is outside the assistant's scope, else None.

    A `follow_up` continues a conversation about a patient, so it needs no domain words of its own
    ("I forgot: she had a kidney transplant"); off-topic tasks and topics are refused all the same.
    """
    if lexicon.off_topic_tasks.search(text):
        return messages.REFUSAL_TASK
    if lexicon.hcc_anchors.search(text):
        return None
    if lexicon.secondary_liver.search(text) and not _about_the_review(text, lexicon):
        return messages.REFUSAL_OTHER_CANCER
    if lexicon.liver_anchors.search(text):
        return None
    if lexicon.other_cancers.search(text):
        return None if _about_the_review(text, lexicon) else messages.REFUSAL_OTHER_CANCER
    if lexicon.off_topic_topics.search(text):
        return messages.REFUSAL_OFF_TOPIC
    has_domain = bool(_vocabulary_tokens(text, lexicon) or lexicon.domain_terms.search(text))
    return None if has_domain or follow_up else messages.REFUSAL_OFF_TOPIC


def check_input(
    question: str | bytes, max_chars: int = 4000, follow_up: bool = False
) -> InputVerdict:
    """Run every input check on `question` and say whether, and as what text, it may go on.

    `follow_up` is true when the question continues a conversation already under way.
    """
    lexicon = load_lexicon()
    checks: list[Check] = []
    warnings: list[str] = []

    decoded = _decodes(question)
    if decoded is None:
        checks.append(Check(check="encoding", passed=False, detail="undecodable text"))
        return _refuse("encoding", messages.REFUSAL_ENCODING, "", checks)
    if len(decoded) > max_chars:
        detail = f"{len(decoded)} characters > {max_chars}"
        checks.append(Check(check="size", passed=False, detail=detail))
        reason = messages.REFUSAL_TOO_LONG.format(length=len(decoded), limit=max_chars)
        return _refuse("too_long", reason, "", checks)
    text, stripped = _clean(decoded)
    if not text.strip():
        checks.append(Check(check="size", passed=False, detail="empty"))
        return _refuse("empty", messages.REFUSAL_EMPTY, "", checks)
    text = text.strip()
    checks.append(Check(check="size", passed=True, detail=f"{len(text)} characters"))
    detail = "control characters removed" if stripped else "valid UTF-8"
    checks.append(Check(check="encoding", passed=True, detail=detail))
    if stripped:
        warnings.append(messages.WARNING_CONTROL_CHARACTERS)

    emergency = find_emergency(text, lexicon)
    if emergency is not None:
        checks.append(Check(check="emergency", passed=False, detail=f"acute: {emergency!r}"))
        return _refuse("emergency", messages.REFUSAL_EMERGENCY, "", checks)
    checks.append(Check(check="emergency", passed=True, detail="no acute event described"))

    text, removed = strip_injections(text, lexicon)
    injection = bool(removed)
    detail = f"removed {len(removed)} instruction(s)" if injection else "none found"
    checks.append(Check(check="injection", passed=not injection, detail=detail))

    off_topic = scope_refusal(text, lexicon, follow_up) if text else messages.REFUSAL_INJECTION_ONLY
    checks.append(Check(check="scope", passed=off_topic is None, detail=off_topic or "in scope"))
    if off_topic is not None:
        if injection:
            return _refuse("injection", messages.REFUSAL_INJECTION_ONLY, "", checks)
        return _refuse("off_topic", off_topic, "", checks)

    text, placeholders = redact_identifiers(text)
    found = sorted(set(placeholders))
    detail = f"replaced {', '.join(found)}" if found else "none found"
    checks.append(Check(check="identifiers", passed=not found, detail=detail))

    category: Category = "ok"
    if found:
        warnings.append(messages.WARNING_IDENTIFIERS)
        category = "identifiers"
    if injection:
        warnings.insert(0, messages.WARNING_INJECTION_REMOVED)
        category = "injection"
    return InputVerdict(
        allowed=True,
        category=category,
        question=text,
        warnings=tuple(warnings),
        checks=tuple(checks),
    )
