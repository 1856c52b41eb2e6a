"""Doses: only the doses the review itself prints may appear in an answer."""

from __future__ import annotations

import re

from clinical.answer import GuardrailResult
from guardrails.text import Outcome, body_lines, in_review, review_text, squash

CHECK = "doses"
_FREQUENCY = (
    r"(?:once|twice|three times)\s+(?:a\s+)?daily|daily|every\s+\d+\s+(?:days|weeks)"
    r"|q\d+w|b\.?i\.?d\.?"
)
_DOSE = re.compile(
    rf"\b\d+(?:\.\d+)?\s*(?:mg/kg|mg/m2|mg/m²|mg|mcg|µg|g)\b(?:\s*(?:{_FREQUENCY}))?"
    rf"|\b(?:once|twice|three times)\s+(?:a\s+)?daily\b|\bevery\s+\d+\s+(?:days|weeks)\b|\bq\d+w\b",
    re.IGNORECASE,
)
_READ_BACK = re.compile(r"^\s*\*\*(?:Patient as read|Please confirm):\*\*")
NOTE = (
    "The review does not give that dose; consult the product label for dosing "
    "(the only doses the review states are donafenib 0.2 g twice daily and sorafenib "
    "0.4 g twice daily)."
)


def _allowed(dose: str, line: str, said: str = "") -> bool:
    if squash(dose).lower() in review_text() and re.match(r"\d", dose):
        return True
    # the clinician's own words read back in the profile ("on MMF + pred 15 mg"): theirs, not
    # a dose the answer gives; anywhere else a dose must be the review's
    if re.match(r"\d", dose) and squash(dose).lower() in said and _READ_BACK.match(line):
        return True
    # A bare frequency is allowed only beside an allowed amount, or in a quote of the review.
    return in_review(line.lstrip("> "))


def check_doses(text: str, messages: tuple[str, ...] = ()) -> Outcome:
    """`text` without the doses the review does not print; `messages` are the clinician's own,
    whose doses may be read back to them."""
    said = squash(" ".join(messages)).lower()
    removed: list[str] = []
    lines = text.split("\n")
    for index, line in body_lines(text):
        doses = [m.group(0) for m in _DOSE.finditer(line)]
        amounts_ok = any(_allowed(d, line, said) for d in doses if re.match(r"\d", d))
        new = line
        for dose in doses:
            if _allowed(dose, line, said) or (not re.match(r"\d", dose) and amounts_ok):
                continue
            removed.append(dose)
            new = new.replace(dose, "", 1)
        if new != line:
            lines[index] = re.sub(r"[ \t]{2,}", " ", new).replace(" .", ".").replace(" ,", ",")
    if not removed:
        detail = "no dose beyond those the review states"
        return Outcome(text, GuardrailResult(check=CHECK, passed=True, detail=detail))
    repaired = "\n".join(lines).rstrip() + f"\n\n{NOTE}"
    detail = "removed doses not in the review: " + ", ".join(dict.fromkeys(removed))
    return Outcome(repaired, GuardrailResult(check=CHECK, passed=False, detail=detail))
