"""The review as structure: sections, paragraphs, figures, tables and the reference list."""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.tables import Table1Row, Table2Row, Table3Row, TableBlock


@dataclass(frozen=True)
class Section:
    heading: str
    level: int
    slug: str
    path: tuple[str, ...]  # headings from the top level down to this one


@dataclass(frozen=True)
class Paragraph:
    section: Section | None  # None for the front matter (abstract)
    index: int  # 1-based position within its section
    text: str  # as printed, citation markers kept; page-break fragments rejoined
    refs: tuple[int, ...]


@dataclass(frozen=True)
class Figure:
    number: int
    section: Section
    caption: str
    notes: tuple[str, ...]  # the "Notes:" and "Abbreviations:" lines; the image itself is absent


@dataclass(frozen=True)
class Reference:
    number: int
    text: str
    authors: str | None
    title: str | None
    journal: str | None
    year: int | None
    doi: str | None

    def short(self) -> str:
        """A one-line citation: first author, journal and year, as far as the entry gives them."""
        first_author = (self.authors or "").split(",")[0].strip()
        parts = [p for p in (first_author, self.journal, str(self.year) if self.year else "") if p]
        return ", ".join(parts) or self.text[:80]


@dataclass(frozen=True)
class Document:
    title: str
    authors: str
    abstract: str
    keywords: tuple[str, ...]
    sections: tuple[Section, ...]
    paragraphs: tuple[Paragraph, ...]
    figures: tuple[Figure, ...]
    table_blocks: tuple[TableBlock, ...]
    table1: tuple[Table1Row, ...]
    table2: tuple[Table2Row, ...]
    table3: tuple[Table3Row, ...]
    references: dict[int, Reference] = field(default_factory=dict)

    def section(self, slug: str) -> Section:
        for section in self.sections:
            if section.slug == slug:
                return section
        raise KeyError(f"no section with slug {slug!r}")

    def paragraphs_in(self, slug: str) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.section and p.section.slug == slug]
