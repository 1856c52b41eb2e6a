"""Cut the parsed review into retrievable chunks with stable ids and metadata.

Ids are derived from the outline slugs and positions (`atezo-bev/p1.2`, `table1/imbrave150`),
never from content hashes, so the gold retrieval set and citations survive re-builds. A paragraph
longer than the embedding model's window is split at sentence boundaries, because MiniLM reads only
its first 256 word pieces and would silently ignore the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from corpus.citations import refs_in, strip_markers
from corpus.document import Document, Paragraph
from corpus.mentions import find_trials
from corpus.parser import load_document
from corpus.settings import IndexSettings

MAX_CHUNK_CHARS = 900
CHUNKER_VERSION = "2"  # bump when ids or texts change, so built indexes are rebuilt

# A sentence ends at . ? or ! (optionally followed by a citation marker) before a capital letter.
_SENTENCE_BREAK = re.compile(
    r"(?<![ (]vs)(?<!et al)(?<!\beg)(?<!\bie)(?<=[.?!])"
    r"((?:[⁰¹²³⁴⁵⁶⁷⁸⁹⁻,]+|\^\{[^}]*\})?)\s+(?=[A-Z(])"
)

TrialFinder = Callable[[str], tuple[str, ...]]


@dataclass(frozen=True)
class Chunk:
    id: str
    kind: str  # abstract | paragraph | table | figure | reference
    section_path: tuple[str, ...]
    text: str  # as printed in the review (citation markers kept), for quoting
    refs: tuple[int, ...]
    trials: tuple[str, ...]
    context: str = ""  # the sentence before this part of a split paragraph, for retrieval only

    @property
    def section(self) -> str:
        return " > ".join(self.section_path)

    def search_text(self) -> str:
        """What embedding and BM25 see: heading, the sentence before, text; no citation markers.

        The sentence before carries what a part is about when a paragraph is split ("we
        proposed criteria ... before lenvatinib plus an anti-PD-1 antibody" / "The criteria were
        as follows: (1) ..."); it is never quoted as this chunk's text.
        """
        heading = self.section_path[-1] if self.section_path else ""
        lead = [_as_sentence(p) for p in (heading, strip_markers(self.context)) if p]
        return " ".join([*lead, strip_markers(self.text)])


def _as_sentence(text: str) -> str:
    return text if text.endswith((".", ":", "?", "!")) else f"{text}."


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, each keeping its trailing citation marker."""
    pieces, start = [], 0
    for match in _SENTENCE_BREAK.finditer(text):
        pieces.append(text[start : match.end(1)].strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def pack(sentences: Iterable[str], limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """Consecutive sentences grouped into parts of similar length, each near or under `limit`.

    Balancing (rather than filling each part to the limit) avoids a stub of one short sentence
    at the end, which would retrieve poorly and quote out of context.
    """
    items = list(sentences)
    total = sum(len(s) + 1 for s in items)
    parts = max(1, -(-total // limit))
    target = total / parts
    groups: list[str] = []
    for sentence in items:
        size = len(groups[-1]) + 1 + len(sentence) if groups else 0
        fits_target = size <= target
        last_part_may_grow = len(groups) >= parts and size <= limit  # never open an extra part
        if groups and (fits_target or last_part_may_grow):
            groups[-1] = f"{groups[-1]} {sentence}"
        else:
            groups.append(sentence)
    return groups


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _paragraph_chunks(paragraph: Paragraph, find_trials: TrialFinder) -> list[Chunk]:
    assert paragraph.section is not None
    parts = pack(split_sentences(paragraph.text))
    base = f"{paragraph.section.slug}/p{paragraph.index}"
    return [
        Chunk(
            id=base if len(parts) == 1 else f"{base}.{n}",
            kind="paragraph",
            section_path=paragraph.section.path,
            text=part,
            refs=refs_in(part),
            trials=find_trials(part),
            context=split_sentences(parts[n - 2])[-1] if n > 1 else "",
        )
        for n, part in enumerate(parts, start=1)
    ]


def _table_chunks(document: Document, find_trials: TrialFinder) -> list[Chunk]:
    blocks = {block.number: block for block in document.table_blocks}
    chunks = []
    caption1 = blocks[1].caption
    for row in document.table1:
        lines = [f"{caption1}: {row.trial} ({row.category}; refs {_refs(row.refs)})"]
        for arm in row.arms:
            cells = "; ".join(f"{column} {value}" for column, value in arm.cells.items())
            lines.append(f"{arm.label}: {cells}")
        text = "\n".join(lines)
        chunks.append(_table_chunk(f"table1/{_slug(row.trial)}", text, row.refs, find_trials))
    notes1 = blocks[1].raw.split("\n", 1)[0] + "\n" + _after_rows(blocks[1].raw)
    chunks.append(_table_chunk("table1/notes", notes1, (), find_trials))
    for row2 in document.table2:
        text = (
            f"{blocks[2].caption}: {row2.regimen} (refs {_refs(row2.refs)})\n"
            f"Pros: {'; '.join(row2.pros)}\nCons: {'; '.join(row2.cons)}"
        )
        chunks.append(_table_chunk(f"table2/{_slug(row2.regimen)}", text, row2.refs, find_trials))
    chunks.append(_table_chunk("table3", blocks[3].raw.strip(), (), find_trials))
    return chunks


def _after_rows(raw: str) -> str:
    """The Notes/Abbreviations lines at the foot of a table."""
    return "\n".join(line for line in raw.splitlines() if line.startswith(("Notes:", "Abbrev")))


def _refs(refs: tuple[int, ...]) -> str:
    return ", ".join(map(str, refs))


def _table_chunk(chunk_id: str, text: str, refs: tuple[int, ...], find: TrialFinder) -> Chunk:
    path = ("Tables",)
    return Chunk(chunk_id, "table", path, text, refs or refs_in(text), find(text))


def chunk_document(
    document: Document, find_trials: TrialFinder, include_references: bool = True
) -> list[Chunk]:
    """Every chunk of the review, in reading order (tables and figures after the text)."""
    chunks = [
        Chunk(
            "abstract",
            "abstract",
            ("Abstract",),
            document.abstract,
            (),
            find_trials(document.abstract),
        )
    ]
    for paragraph in document.paragraphs:
        chunks.extend(_paragraph_chunks(paragraph, find_trials))
    chunks.extend(_table_chunks(document, find_trials))
    for figure in document.figures:
        text = "\n".join((figure.caption, *figure.notes))
        chunks.append(
            Chunk(f"figure{figure.number}", "figure", figure.section.path, text, refs_in(text), ())
        )
    if include_references:
        for number, entry in sorted(document.references.items()):
            chunks.append(
                Chunk(
                    f"ref/{number}",
                    "reference",
                    ("References",),
                    f"{number}. {entry.text}",
                    (number,),
                    find_trials(entry.text),
                )
            )
    ids = [chunk.id for chunk in chunks]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate chunk ids {sorted(duplicates)}")
    return chunks


def no_trials(_: str) -> tuple[str, ...]:
    return ()


def review_chunks(settings: IndexSettings | None = None) -> list[Chunk]:
    """The chunks of the configured corpus file (the shipped review unless overridden)."""
    path = settings.corpus_path if settings else IndexSettings().corpus_path
    return list(_chunks_of(path.resolve()))


@cache
def _chunks_of(path: Path) -> tuple[Chunk, ...]:
    # Parsed once per process: the citation locator and the search index both need them.
    return tuple(chunk_document(load_document(path), find_trials))
