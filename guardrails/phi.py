"""Patient identifiers: find them and replace them by placeholders such as "[NAME]"."""

from __future__ import annotations

from guardrails.lexicon import Lexicon


def _redact_names(text: str, lexicon: Lexicon) -> tuple[str, list[str]]:
    found: list[str] = []
    pieces: list[str] = []
    last = 0
    for match in lexicon.name.finditer(text):
        words = match.group(1).split()
        kept: list[str] = []
        for word in words:  # a name stops at the first clinical word ("Mr Lee Received ...")
            if word.strip("'’-") in lexicon.not_names:
                break
            kept.append(word)
        if not kept:
            continue
        start = match.start(1)
        end = start + len(" ".join(kept))
        pieces += [text[last:start], "[NAME]"]
        last = end
        found.append("[NAME]")
    pieces.append(text[last:])
    return "".join(pieces), found


def redact_identifiers(text: str, lexicon: Lexicon) -> tuple[str, list[str]]:
    """`text` with identifiers replaced, and the placeholders used (one per identifier)."""
    found: list[str] = []
    for pattern in lexicon.identifiers:
        pieces: list[str] = []
        last = 0
        for match in pattern.regex.finditer(text):
            start, end = match.span(pattern.group)
            if "[" in match.group(pattern.group):  # already a placeholder
                continue
            pieces += [text[last:start], pattern.placeholder]
            last = end
            found.append(pattern.placeholder)
        pieces.append(text[last:])
        text = "".join(pieces)
    text, names = _redact_names(text, lexicon)
    return text, found + names
