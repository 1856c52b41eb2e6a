"""The review's three tables, cut out of the text by exact offsets and parsed into rows.

The extraction prints each table as a caption line ("Table N ..."), tab-separated rows, and (for
Tables 1 and 3) "Notes:"/"Abbreviations:" lines. Table 1 prints the trial name, category and the
hazard ratios only on the first of its two arm rows; Table 2 cells hold HTML bullet lists.
Cells are kept exactly as printed ("NR", "84.8**", "0.90 (99% CI 0.69–1.18)"): interpreting them
is the trial records' job, checked against these rows by the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.citations import refs_in, strip_markers

_CAPTION = re.compile(r"^Table (?P<number>\d+) .+$", re.MULTILINE)
_FOOT_LINES = ("Notes:", "Abbreviations:")
_HTML_TAG = re.compile(r"<[^>]*>")
_BULLET = "•"


class TableFormatError(ValueError):
    """The text does not have the table layout this parser knows (a changed or damaged corpus)."""


@dataclass(frozen=True)
class TableBlock:
    number: int
    caption: str  # the whole caption line, "Table 1 Summary of ..."
    start: int  # offset of the "T" of "Table N" in the review text
    end: int  # offset just past the last character of the table's last line (newline excluded)
    raw: str  # text[start:end]


@dataclass(frozen=True)
class Table1Arm:
    label: str  # the "Treatment regimen" cell as printed
    cells: dict[str, str]  # column header as printed -> cell as printed; empty cells omitted


@dataclass(frozen=True)
class Table1Row:
    trial: str  # "Study name" without its citation marker
    refs: tuple[int, ...]
    category: str
    arms: tuple[Table1Arm, ...]


@dataclass(frozen=True)
class Table2Row:
    regimen: str
    refs: tuple[int, ...]
    pros: tuple[str, ...]
    cons: tuple[str, ...]


@dataclass(frozen=True)
class Table3Row:
    target: str
    values: dict[str, str]  # agent -> IC50 as printed; "-" is printed, "" is an empty cell


def _lines_with_offsets(text: str, start: int) -> list[tuple[int, str]]:
    """The lines of `text` from offset `start` on, each with its offset, newlines dropped."""
    lines = []
    offset = start
    for line in text[start:].split("\n"):
        lines.append((offset, line))
        offset += len(line) + 1
    return lines


def _is_table_line(line: str) -> bool:
    return "\t" in line or line.startswith(_FOOT_LINES)


def find_table_blocks(text: str) -> list[TableBlock]:
    """Every table in the review, from its caption line to its last row or foot line."""
    blocks = []
    for caption in _CAPTION.finditer(text):
        end = caption.end()
        for offset, line in _lines_with_offsets(text, caption.end() + 1):
            if not line.strip():
                continue
            if not _is_table_line(line):
                break  # running text resumes (or the next caption begins)
            end = offset + len(line)
        if end == caption.end():
            raise TableFormatError(f"{caption.group(0)[:40]!r} is not followed by any row")
        number = int(caption.group("number"))
        blocks.append(
            TableBlock(number, caption.group(0), caption.start(), end, text[caption.start() : end])
        )
    return blocks


def table_block(text: str, number: int) -> TableBlock:
    """The block of Table `number`; `TableFormatError` if the text has no such table."""
    for block in find_table_blocks(text):
        if block.number == number:
            return block
    raise TableFormatError(f"the review text has no Table {number}")


def _grid(text: str, number: int) -> tuple[list[str], list[list[str]]]:
    """Header cells and body rows (cells split on tabs, stripped) of Table `number`."""
    block = table_block(text, number)
    lines = [line for line in block.raw.split("\n")[1:] if "\t" in line]
    header, *rows = ([cell.strip() for cell in line.split("\t")] for line in lines)
    for row in rows:
        if len(row) != len(header):
            raise TableFormatError(
                f"Table {number} row {row[0]!r} has {len(row)} cells, the header {len(header)}"
            )
    return header, rows


def _name_and_refs(cell: str) -> tuple[str, tuple[int, ...]]:
    return strip_markers(cell).strip(), refs_in(cell)


def table1_columns(text: str) -> tuple[str, ...]:
    """Table 1's result columns: the headers after study name, category and regimen."""
    header, _ = _grid(text, 1)
    return tuple(header[3:])


def parse_table1(text: str) -> list[Table1Row]:
    """One row per trial; a trial's second line (blank name and category) is its second arm."""
    header, rows = _grid(text, 1)
    columns = header[3:]
    parsed: list[Table1Row] = []
    for trial_cell, category, label, *cells in rows:
        arm = Table1Arm(
            label, {col: cell for col, cell in zip(columns, cells, strict=True) if cell}
        )
        if trial_cell:
            trial, refs = _name_and_refs(trial_cell)
            parsed.append(Table1Row(trial, refs, category, (arm,)))
        elif parsed and not category:
            last = parsed[-1]
            parsed[-1] = Table1Row(last.trial, last.refs, last.category, (*last.arms, arm))
        else:
            raise TableFormatError(f"Table 1 arm {label!r} belongs to no trial")
    return parsed


def _bullets(cell: str) -> tuple[str, ...]:
    """The items of an HTML bullet list cell, markup removed."""
    plain = _HTML_TAG.sub(" ", cell)
    return tuple(item.strip() for item in plain.split(_BULLET) if item.strip())


def parse_table2(text: str) -> list[Table2Row]:
    """One row per regimen with its pros and cons as separate items."""
    _, rows = _grid(text, 2)
    parsed = []
    for regimen_cell, pros, cons in rows:
        regimen, refs = _name_and_refs(regimen_cell)
        parsed.append(Table2Row(regimen, refs, _bullets(pros), _bullets(cons)))
    return parsed


def table3_agents(text: str) -> tuple[str, ...]:
    """The agent columns of Table 3, in printed order."""
    header, _ = _grid(text, 3)
    return tuple(header[1:])


def parse_table3(text: str) -> list[Table3Row]:
    """One row per signalling target; every agent column is present, empty cells as ""."""
    header, rows = _grid(text, 3)
    agents = header[1:]
    return [Table3Row(target, dict(zip(agents, values, strict=True))) for target, *values in rows]
