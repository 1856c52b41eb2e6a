"""Parse the review's plain text into a `Document`.

The extraction has one paragraph per line, blank lines between them, headings as bare lines,
tables as tab-separated blocks dropped into the middle of paragraphs, and page breaks that split
a sentence over two blocks ("(n" / "= 191)"). Tables are cut out first (by their exact offsets),
then blocks are walked in order, rejoining any block that does not end a sentence with the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from corpus.citations import refs_in, strip_markers
from corpus.document import Document, Figure, Paragraph, Reference, Section
from corpus.errors import CorpusError
from corpus.paths import DATA_DIR, REVIEW_PATH
from corpus.references import parse_reference
from corpus.tables import (
    find_table_blocks,
    parse_table1,
    parse_table2,
    parse_table3,
)
from corpus.yamlio import load_yaml

OUTLINE_PATH = DATA_DIR / "outline.yaml"
_SENTENCE_END = (".", ":", "?", "!")
_FIGURE = re.compile(r"^Figure (?P<number>\d+) (?P<caption>.+)$")
_FIGURE_NOTE = ("Notes:", "Abbreviations:")


@dataclass(frozen=True)
class _Block:
    text: str
    start: int


def load_outline(path: Path = OUTLINE_PATH) -> list[Section]:
    """The headings with levels, slugs and paths from `outline.yaml`."""
    sections: list[Section] = []
    trail: list[str] = []
    for entry in load_yaml(path):
        level = int(entry["level"])
        trail = [*trail[: level - 1], entry["heading"]]
        sections.append(Section(entry["heading"], level, entry["slug"], tuple(trail)))
    return sections


def read_review(path: Path = REVIEW_PATH) -> str:
    """The review text, or a `CorpusError` saying what is wrong with the file."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CorpusError(f"corpus file not found: {path}") from None
    except UnicodeDecodeError as error:
        raise CorpusError(f"corpus file is not valid UTF-8 ({path}): {error.reason}") from None
    except OSError as error:
        raise CorpusError(f"cannot read corpus file {path}: {error.strerror}") from None


def _blocks_outside_tables(text: str, spans: list[tuple[int, int]]) -> list[_Block]:
    """Non-blank lines of the text with their offsets, skipping the table spans."""
    blocks = []
    offset = 0
    for line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        if any(low <= start < high for low, high in spans) or not line.strip():
            continue
        blocks.append(_Block(line.strip(), start))
    return blocks


def _ends_sentence(text: str) -> bool:
    return strip_markers(text).rstrip().endswith(_SENTENCE_END)


def parse_document(text: str, outline: list[Section] | None = None) -> Document:
    """The structured review; `CorpusError` when the text does not have the review's shape."""
    sections = outline if outline is not None else load_outline()
    if "\nIntroduction\n" not in text:
        raise CorpusError("corpus text does not look like the review (no 'Introduction' heading)")
    try:
        table_blocks = find_table_blocks(text)
        tables = (parse_table1(text), parse_table2(text), parse_table3(text))
    # A damaged file can break a table in ways the parser does not name; all mean the same here.
    except (ValueError, IndexError, KeyError) as error:  # TableFormatError is a ValueError
        raise CorpusError(f"corpus tables are not in the review's layout: {error}") from None
    blocks = _blocks_outside_tables(text, [(b.start, b.end) for b in table_blocks])
    headings = {s.heading: s for s in sections}

    title, authors = blocks[0].text, blocks[1].text
    abstract = next((b.text for b in blocks if b.text.startswith("Abstract:")), "")
    keywords_line = next((b.text for b in blocks if b.text.startswith("Keywords:")), "")
    keywords = tuple(k.strip() for k in keywords_line.removeprefix("Keywords:").split(","))

    current: Section | None = None
    paragraphs: list[Paragraph] = []
    figures: list[Figure] = []
    references: dict[int, Reference] = {}
    pending = ""  # a paragraph fragment cut by a page break or a table
    seen_headings: list[str] = []
    in_figure = False  # the "Notes:"/"Abbreviations:" lines right after a caption are the figure's

    def flush(text_: str) -> None:
        assert current is not None
        index = sum(1 for p in paragraphs if p.section == current) + 1
        paragraphs.append(Paragraph(current, index, text_, refs_in(text_)))

    for block in blocks:
        line = block.text
        if line in headings and not pending:
            current = headings[line]
            seen_headings.append(line)
            continue
        if current is None:
            continue  # front matter, handled above
        if current.slug == "references":
            entry = parse_reference(line)
            if entry:
                references[entry.number] = entry
            continue  # the publisher's boilerplate after the list is dropped
        figure = _FIGURE.match(line)
        if figure:
            figures.append(Figure(int(figure.group("number")), current, line, ()))
            in_figure = True
            continue
        if in_figure and line.startswith(_FIGURE_NOTE):
            last = figures[-1]
            figures[-1] = Figure(last.number, last.section, last.caption, (*last.notes, line))
            continue
        in_figure = False
        joined = f"{pending} {line}" if pending else line
        if _ends_sentence(joined):
            flush(joined)
            pending = ""
        else:
            pending = joined
    if pending:
        raise CorpusError(f"unterminated paragraph at the end of the corpus: {pending[:80]!r}")
    missing = [s.heading for s in sections if s.heading not in seen_headings]
    if missing:
        raise CorpusError(f"corpus text lacks the headings {missing}")

    return Document(
        title=title,
        authors=strip_markers(authors),
        abstract=abstract.removeprefix("Abstract:").strip(),
        keywords=keywords,
        sections=tuple(sections),
        paragraphs=tuple(paragraphs),
        figures=tuple(figures),
        table_blocks=tuple(table_blocks),
        table1=tuple(tables[0]),
        table2=tuple(tables[1]),
        table3=tuple(tables[2]),
        references=references,
    )


@cache
def load_document(path: Path = REVIEW_PATH) -> Document:
    """The shipped review, parsed once per process."""
    return parse_document(read_review(path))
