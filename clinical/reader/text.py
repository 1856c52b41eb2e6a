"""The text the reader works on: lower-cased, typographic forms folded, split into sentences.

Folding keeps every character's position, so a span found in the folded text is the same span of
the clinician's own words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Same-length folds only: positions in the folded text are positions in the original.
_FOLD = str.maketrans(
    {"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "’": "'", "‘": "'", "“": '"', "”": '"'}
)
# A sentence ends at . ! ? ; or a line break; a decimal point ("3.5") or an abbreviation's
# period ("vs.", "e.g.", "approx.") does not end one, nor a "?" before a word ("?varices"), nor
# one answered ("Sarcoidosis? No.", "transplant? - no, ..."; "TACE first? No prior TACE" is two).
_SENTENCE_END = re.compile(
    r"(?<!\bvs)(?<!\bv)(?<!\be\.g)(?<!\bi\.e)(?<!\bdr)(?<!\bapprox)(?<!\bca)(?<!\bpt)"
    r"\.(?=\s|$)|[!;\n]+|(?<=[\w)\]'\"])\?+(?=\s|$)(?!\s*-?\s*(?:no|n|nope|yes|y|none|nil|neg|not)\b"
    r"(?!\s+(?:prior|previous|known|history|hx|h/o)\b))"
)
_WORD = re.compile(r"[a-z0-9][a-z0-9'/+-]*|[?]")


# A value that changed ("CP went from A5 to A6", "plt 140 → 95", "AFP 800->2300"): the latest
# statement wins, so the earlier value is blanked (same length) and only the new one is read.
_TRANSITION = re.compile(
    r"\b(?:(?:went|changed|moved|dropped|fell|rose|increased|decreased|declined|deteriorated"
    r"|worsened|improved|climbed|jumped|gone|slipped)\s+)?from\s+(?:[a-z-]+\s+)?[a-z]{0,3}\d[\w.]*"
    r"(?:\s*(?:k|cm|ng/ml|%))?\s+to\s+(?=[a-z]{0,3}\d)"
    r"|\b\d+(?:\.\d+)?\s*(?:k|cm|ng/ml)?\s*(?:→|->|=>|-->)\s*(?=\d)"
)


def fold(text: str) -> str:
    """Lower case, typographic dashes and quotes as ASCII, same length as `text`; an earlier
    value of a changed one blanked."""
    folded = "".join(
        unicodedata.normalize("NFKC", c) if len(unicodedata.normalize("NFKC", c)) == 1 else c
        for c in text
    )
    folded = folded.lower().translate(_FOLD)
    return _TRANSITION.sub(lambda m: " " * len(m.group(0)), folded)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


def sentences(text: str) -> list[Sentence]:
    """Sentence spans of `text` (folded), none empty."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if text[start : match.start()].strip():
            spans.append(Sentence(start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append(Sentence(start, len(text)))
    return spans


def words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each word of text[start:end], in absolute positions."""
    return [(m.start() + start, m.end() + start) for m in _WORD.finditer(text[start:end])]


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
