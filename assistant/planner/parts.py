"""The parts a question asks: "ORR of X in Y, and did Y meet its primary endpoint?" is two.

A part starts at a second question mark's sentence, or at a conjunction followed by a new
question word ("..., and did", "; what about", "also, which"). Patient facts stated before the
first question belong to every part; a part that names no trial or regimen borrows the ones the
whole question names.
"""

from __future__ import annotations

import re

# "and did ...", "and what ...", "also, which ...": a new question inside the same sentence.
_JOIN = re.compile(
    r"(?:,|;|\band\b|\balso\b|\bplus\b)\s*(?:also\s+|then\s+)?(?=(?:did|does|do|was|were|is|are|what|"
    r"which|how|why|when|who|can|could|should|would|any|has|have|had)\b(?!\s+(?:of|the\s+\w+\s+of)\b))",
    re.IGNORECASE,
)
# A lead-in that only scopes the question ("among the 1L combos", "across Table 1").
_SCOPE = re.compile(r"^\s*(?:among|across|amongst|of|within|in|for)\b[^?]*$", re.IGNORECASE)
# "..., and what mOS did those control arms get?": the figures of the set the first half picks.
_BACK = re.compile(r"^\s*(?:what|which|how)\b[^?]{0,40}\b(?:those|these)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"([^?]*)(\?+)?\s*")
MIN_PART_WORDS = 3  # "and the HR?" is a part; "and?" is not


def split_parts(question: str) -> list[str]:
    """The parts of a question in order; one part when it asks one thing."""
    pieces: list[str] = []
    for found in _SENTENCE.finditer(question):
        sentence, mark = found.group(1).strip(), "?" if found.group(2) else ""
        if not sentence:
            continue
        # each part keeps its question mark: "was OS a primary endpoint?" is still a question
        start = 0
        for match in _JOIN.finditer(sentence):
            head = sentence[start : match.start()].strip(" ,;")
            rest = sentence[match.end() :]
            if _SCOPE.match(head) or _BACK.match(rest):
                continue  # "among the 1L combos, which ...": one question, its scope first
            if len(head.split()) >= MIN_PART_WORDS and _asks(head):
                pieces.append(head + mark)
                start = match.end()
        pieces.append(sentence[start:].strip(" ,;") + mark)
    asked = [p for p in pieces if len(p.split()) >= 1]
    # Statements before the questions ("CP-A6, ECOG 1.") are context, not parts.
    questions = [p for p in asked if _asks(p)] or asked
    return questions if len(questions) > 1 else [question.strip()]


_ASKING = re.compile(
    r"\?|^\s*(?:did|does|do|was|were|is|are|what|which|how|why|when|who|can|could|should|would|any"
    r"|has|have|had|list|give|tell|compare|explain|summari[sz]e)\b|\b(?:what|which|how|why)\b"
    r"|\b(?:orr|pd rate|mos|mpfs|os|pfs|hr|dcr|trae|rate|median|figure|numbers?|options?|1l|2l)\b",
    re.IGNORECASE,
)


def _asks(text: str) -> bool:
    return bool(_ASKING.search(text))
