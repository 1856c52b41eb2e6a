"""Inline citations ("[IMbrave150; refs 19–21]") as numbered footnotes with passage and reference.

Each distinct citation label of an answer becomes one footnote. A footnote carries the review's
passages the statement rests on (found from the result's citations, a chunk id printed on the same
line, or the rule core's quoted sources) and the full entries of the references it names.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from corpus.document import Document, Reference
from corpus.parser import load_document
from corpus.sources import ChunkLocator, Citation, default_locator

# "[LEAP-002; ref 24]", "[refs 2, 10]", "[ORIENT-32, IMbrave150; refs 5, 6, 10, 19]"; never a
# Markdown link "[text](url)" nor a placeholder such as "[NAME]" (it names no trial and no ref).
_LABEL = re.compile(r"\[(?P<label>[^\[\]\n]{2,300})\](?!\()")
_REFS = re.compile(r"^refs? (?P<numbers>\d+(?:\s*[–-]\s*\d+)?(?:,\s*\d+(?:\s*[–-]\s*\d+)?)*)$")
_CHUNK_ID = re.compile(r"`(?P<id>[a-z0-9][\w./-]*)`")
_MARKER = re.compile(r"\^\{(?P<refs>[^}]*)\}")  # the review's own citation markers: ^{15,19}
_ITALIC = re.compile(r"\*(?P<text>[^*]+)\*")
_DOI = re.compile(r"doi:\s*(?P<doi>10\.\S+?)\.?$")
MAX_PASSAGES = 3
REFERENCES_HEADING = "**References**"
# A numbered marker in the footnoted body: private-use characters no answer or user types, kept
# whole by the Markdown renderer and turned into a clickable citation after rendering.
MARKER_OPEN, MARKER_CLOSE = "\ue000", "\ue001"
_NUMBERED = re.compile(f"{MARKER_OPEN}(?P<number>\\d+){MARKER_CLOSE}")


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    section: str
    text: str  # the chunk as printed in the review
    quotes: tuple[str, ...] = ()  # the exact sentences cited within it, highlighted when shown


@dataclass(frozen=True)
class Footnote:
    number: int
    label: str  # the inline citation as the answer printed it
    trials: tuple[str, ...]
    refs: tuple[int, ...]
    passages: tuple[Passage, ...]
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class FootnotedAnswer:
    body: str  # the answer with numbered markers, its short reference list removed
    footnotes: tuple[Footnote, ...]


@dataclass(frozen=True)
class RuleSource:
    """A statement of the rule core's output and the passages of the review it quotes."""

    text: str
    quotes: tuple[str, ...]


def parse_refs(text: str) -> tuple[int, ...]:
    """ "refs 2, 9, 19–21" -> (2, 9, 19, 20, 21); () when `text` is not a refs phrase."""
    match = _REFS.match(text.strip())
    if not match:
        return ()
    numbers: list[int] = []
    for part in match.group("numbers").split(","):
        low, _, high = part.replace("–", "-").partition("-")
        numbers += range(int(low), int(high or low) + 1)
    return tuple(numbers)


def parse_label(label: str, known_trials: Iterable[str]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """(trial names, ref numbers) of a citation label; ((), ()) when it is no citation."""
    names_part, _, refs_part = label.rpartition("; ")
    refs = parse_refs(refs_part)
    if not refs:  # "[refs 2, 10]" or a bare "[LEAP-002]"
        refs = parse_refs(label)
        names_part = "" if refs else label
    names = tuple(n.strip() for n in names_part.split(", ") if n.strip())
    if not refs and not set(names) & set(known_trials):
        return (), ()
    return names, refs


def rule_sources(recommendation: Any) -> list[RuleSource]:
    """Every statement of a rule-core output (checks, notes, avoid reasons) with its quotes."""
    found: list[RuleSource] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            text = node.get("text") or node.get("reason")
            sources = node.get("sources") or ()
            if isinstance(text, str) and sources:
                quotes = tuple(s["quote"] for s in sources if s.get("quote"))
                found.append(RuleSource(text, quotes))
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    data = recommendation.model_dump(mode="json") if hasattr(recommendation, "model_dump") else {}
    walk(data)
    return found


class _Finder:
    """Finds the passages behind one citation label on one line of the answer."""

    def __init__(
        self,
        citations: Sequence[Citation],
        sources: Sequence[RuleSource],
        locator: ChunkLocator,
    ) -> None:
        self.citations = citations
        self.sources = sources
        self.locator = locator

    def _passage(self, chunk_id: str, quote: str = "") -> Passage | None:
        chunk = self.locator.chunk(chunk_id)
        if chunk is None:
            return None
        return Passage(chunk.id, chunk.section, chunk.text, (quote,) if quote else ())

    def _for_quotes(self, quotes: Iterable[str]) -> list[Passage]:
        passages = []
        for quote in quotes:
            for chunk_id in self.locator.for_quote(quote)[:1]:
                if (passage := self._passage(chunk_id, quote)) is not None:
                    passages.append(passage)
        return passages

    def find(self, names: tuple[str, ...], refs: tuple[int, ...], line: str) -> list[Passage]:
        # A passage quoted on this very line names its chunk: that is the exact source.
        ids = [m.group("id") for m in _CHUNK_ID.finditer(line)]
        passages: list[Passage] = list(filter(None, (self._passage(i) for i in ids)))
        for citation in self.citations if not passages else ():
            if citation.trial is None or citation.trial not in names:
                continue
            passages += self._for_quotes(citation.quotes or (citation.quote,))
            covered = {p.chunk_id for p in passages}
            for chunk_id in citation.chunk_ids:  # Table rows: cited without a quote
                if chunk_id.startswith("table") and chunk_id not in covered:
                    passages += filter(None, [self._passage(chunk_id)])
        if not passages:
            for source in self.sources:
                if source.text and source.text in line:
                    passages += self._for_quotes(source.quotes)
        if not passages and refs:
            for citation in self.citations:
                if citation.trial is None and set(refs) & set(citation.refs):
                    passages += filter(None, (self._passage(i) for i in citation.chunk_ids[:1]))
        if not passages and refs:  # the review's own passage citing exactly these references
            for chunk in self.locator.chunks.values():
                if chunk.kind == "paragraph" and set(refs) <= set(chunk.refs):
                    passages += filter(None, [self._passage(chunk.id)])
                    break
        return _by_chunk(passages)[:MAX_PASSAGES]


def _by_chunk(passages: Iterable[Passage]) -> list[Passage]:
    """One passage per chunk, with every quote cited in it."""
    merged: dict[str, Passage] = {}
    for passage in passages:
        old = merged.get(passage.chunk_id)
        if old is None:
            merged[passage.chunk_id] = passage
        else:
            quotes = tuple(dict.fromkeys((*old.quotes, *passage.quotes)))
            merged[passage.chunk_id] = Passage(old.chunk_id, old.section, old.text, quotes)
    return list(merged.values())


def strip_reference_list(answer: str) -> str:
    """The answer without its short "**References**" list (the footnotes give them in full)."""
    lines = answer.split("\n")
    if REFERENCES_HEADING not in lines:
        return answer
    start = lines.index(REFERENCES_HEADING)
    end = start + 1
    while end < len(lines) and lines[end].strip():
        end += 1
    return "\n".join(lines[:start] + lines[end + 1 :]).strip()


def footnote_answer(
    answer: str,
    citations: Sequence[Citation] = (),
    sources: Sequence[RuleSource] = (),
    locator: ChunkLocator | None = None,
    document: Document | None = None,
) -> FootnotedAnswer:
    """The answer with each inline citation replaced by a numbered marker, and the footnotes."""
    locator = locator or default_locator()
    document = document or load_document()
    finder = _Finder(citations, sources, locator)
    known = [c.trial for c in citations if c.trial]
    numbers: dict[str, int] = {}
    footnotes: list[Footnote] = []

    def replace(match: re.Match[str], *, line: str) -> str:
        label = match.group("label")
        names, refs = parse_label(label, known)
        if not names and not refs:
            return match.group(0)
        if label not in numbers:
            numbers[label] = len(numbers) + 1
            references = tuple(document.references[n] for n in refs if n in document.references)
            passages = tuple(finder.find(names, refs, line))
            footnotes.append(Footnote(numbers[label], label, names, refs, passages, references))
        return marker(numbers[label])

    body = []
    answer = answer.replace(MARKER_OPEN, "").replace(MARKER_CLOSE, "")  # only ours are markers
    for line in strip_reference_list(answer).split("\n"):
        body.append(_LABEL.sub(partial(replace, line=line), line))
    return FootnotedAnswer("\n".join(body), tuple(footnotes))


def marker(number: int) -> str:
    """The placeholder for footnote `number` in a footnoted body."""
    return f"{MARKER_OPEN}{number}{MARKER_CLOSE}"


def marker_numbers(body: str) -> list[int]:
    """The footnote numbers a body cites, in order (repeats kept)."""
    return [int(m.group("number")) for m in _NUMBERED.finditer(body)]


def citation_buttons(rendered: str, footnotes: Sequence[Footnote]) -> str:
    """Rendered HTML with each marker as a keyboard-reachable button opening its footnote (the
    number is a class: Gradio's sanitiser keeps classes but drops data attributes)."""
    labels = {note.number: note.label for note in footnotes}

    def button(match: re.Match[str]) -> str:
        number = int(match.group("number"))
        label = html.escape(labels.get(number, ""))
        return (
            f'<button type="button" class="fn-ref fn-{number}" title="{label}">[{number}]</button>'
        )

    return _NUMBERED.sub(button, rendered)


def _markers(text: str) -> str:
    """Escaped review text with its ^{refs} markers as superscripts."""
    return _MARKER.sub(
        lambda m: f"<sup>{m.group('refs')}</sup>", html.escape(text.replace("$", ""), quote=False)
    )


def _spans(text: str, quotes: Iterable[str]) -> list[tuple[int, int]]:
    """Where the quotes sit in `text`, sorted, overlaps merged."""
    spans = []
    for quote in quotes:
        start = text.find(" ".join(quote.split()))
        if quote.strip() and start >= 0:
            spans.append((start, start + len(" ".join(quote.split()))))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def passage_html(passage: Passage) -> str:
    text = " ".join(passage.text.split())
    pieces, last = [], 0
    for start, end in _spans(text, passage.quotes):
        pieces += [_markers(text[last:start]), f"<mark>{_markers(text[start:end])}</mark>"]
        last = end
    shown = "".join([*pieces, _markers(text[last:])])
    where = html.escape(passage.section or "Review")
    return (
        f'<blockquote class="fn-passage">{shown}<br>'
        f"<small>— {where} (<code>{html.escape(passage.chunk_id)}</code>)</small></blockquote>"
    )


def reference_html(reference: Reference) -> str:
    text = html.escape(reference.text, quote=False)
    text = _ITALIC.sub(lambda m: f"<em>{m.group('text')}</em>", text)
    if reference.doi:
        doi = html.escape(reference.doi)
        link = f'<a href="https://doi.org/{doi}" target="_blank">doi:{doi}</a>'
        text = _DOI.sub(lambda m: link, text) if _DOI.search(text) else f"{text} {link}"
    return f'<p class="fn-reference"><b>{reference.number}.</b> {text}</p>'


def footnotes_html(footnotes: Sequence[Footnote]) -> str:
    """The footnotes as folded HTML blocks: the summary is the label, the body passage + refs."""
    if not footnotes:
        return ""
    parts = [
        '<div class="footnotes"><p><b>Sources</b> (open a note for the passage and reference)</p>'
    ]
    for note in footnotes:
        passages = "".join(passage_html(p) for p in note.passages) or (
            "<p><i>No single passage: the references below are cited.</i></p>"
        )
        references = "".join(reference_html(r) for r in note.references)
        parts.append(
            f'<details class="footnote fn-note-{note.number}"><summary>[{note.number}] '
            f"{html.escape(note.label)}</summary>{passages}{references}</details>"
        )
    parts.append("</div>")
    return "\n".join(parts)
