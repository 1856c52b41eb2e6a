"""In-text citation markers of the review, resolved to reference numbers.

The extraction writes citations two ways: Unicode superscripts ("¹⁹", "²⁻⁴", "⁵⁻¹⁰") and LaTeX-ish
carets ("^{19,20}", "^{19–21}", "^{2,5-10}"). Ranges are expanded, so "^{15,18–20}" cites
15, 18, 19 and 20.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_ASCII = str.maketrans({**{s: str(i) for i, s in enumerate(_SUPERSCRIPT_DIGITS)}, "⁻": "-"})
_SUP = f"[{_SUPERSCRIPT_DIGITS}]+"
_SUP_ITEM = f"{_SUP}(?:⁻{_SUP})?"
_DASHES = "-–—"

# One marker: a run of superscript items separated by commas, or a caret group.
MARKER_PATTERN = re.compile(
    rf"(?P<sup>{_SUP_ITEM}(?:,{_SUP_ITEM})*)|\^\{{(?P<caret>[0-9{_DASHES},\s]+)\}}"
)


@dataclass(frozen=True)
class CitationMarker:
    start: int
    end: int
    text: str
    refs: tuple[int, ...]


def expand(spec: str) -> tuple[int, ...]:
    """Reference numbers of a plain marker body such as "15,18–20" (ranges expanded, sorted)."""
    numbers: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        bounds = re.split(f"[{_DASHES}]", part)
        if len(bounds) == 1:
            numbers.add(int(bounds[0]))
            continue
        low, high = int(bounds[0]), int(bounds[-1])
        if low > high:
            raise ValueError(f"descending citation range {part!r}")
        numbers.update(range(low, high + 1))
    return tuple(sorted(numbers))


def find_markers(text: str) -> list[CitationMarker]:
    """Every citation marker in `text`, in order of appearance."""
    markers = []
    for match in MARKER_PATTERN.finditer(text):
        body = match.group("caret")
        if body is None:
            body = match.group("sup").translate(_TO_ASCII)
        markers.append(CitationMarker(match.start(), match.end(), match.group(0), expand(body)))
    return markers


def refs_in(text: str) -> tuple[int, ...]:
    """All reference numbers cited anywhere in `text`, sorted and unique."""
    return tuple(sorted({ref for marker in find_markers(text) for ref in marker.refs}))


def strip_markers(text: str) -> str:
    """`text` without its citation markers (for embedding and lexical matching)."""
    return MARKER_PATTERN.sub("", text)
