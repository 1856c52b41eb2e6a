"""The numbered reference list: one entry per line "N. Authors. Title. *Journal*. Year;...".

Entries are not uniform (conference abstracts, web pages, a society as author), so each field is
optional and the raw text is always kept.
"""

from __future__ import annotations

import re

from corpus.document import Reference

ENTRY = re.compile(r"^(?P<number>\d{1,3})\. (?P<body>.+)$")
_JOURNAL = re.compile(r"\*(?P<journal>[^*]+?)\.?\*")
_YEAR = re.compile(r"\b(?P<year>(?:19|20)\d{2})\b")
_DOI = re.compile(r"doi:\s*(?P<doi>10\.\S+?)\.?$", re.IGNORECASE)
# Authors end at the first ". " that follows initials ("Finn RS", "et al", "Q S", "H-L").
_AUTHORS = re.compile(r"^(?P<authors>.+?(?:et al|\b[A-Z][A-Za-z\-]{0,3}))\.\s")


_INITIALS = re.compile(r"^[A-Z][A-Za-z]{0,3}(?:-[A-Z][a-z]?)?$")  # "RS", "B-Y", "H-L", "Q"


def _looks_like_authors(text: str) -> bool:
    """ "Finn RS, Kudo M, et al" yes; "Frontline Toripalimab ... PFS, OS in Advanced HCC" no."""
    names = [n.strip() for n in text.split(",") if n.strip() and n.strip() != "et al"]
    if len(names) == 1 and len(names[0].split()) <= 3:
        return True  # a single author or a body such as "World Health Organization"
    return all(len(n.split()) <= 3 and _INITIALS.match(n.split()[-1]) for n in names)


def parse_reference(line: str) -> Reference | None:
    """A reference entry from its line, or None when the line is not one."""
    match = ENTRY.match(line.strip())
    if not match:
        return None
    body = match.group("body").strip()
    authors_match = _AUTHORS.match(body)
    if authors_match and not _looks_like_authors(authors_match.group("authors")):
        authors_match = None  # e.g. a web page whose entry starts with its title
    authors = authors_match.group("authors").strip() if authors_match else None
    rest = body[authors_match.end() :] if authors_match else body
    journal_match = _JOURNAL.search(rest)
    journal = journal_match.group("journal").strip() if journal_match else None
    title_text = rest[: journal_match.start()] if journal_match else rest.split(". ")[0]
    title = title_text.strip().rstrip(".").strip() or None
    after_title = rest[journal_match.end() :] if journal_match else rest
    year_match = _YEAR.search(after_title) or _YEAR.search(body)
    doi_match = _DOI.search(body)
    return Reference(
        number=int(match.group("number")),
        text=body,
        authors=authors,
        title=title,
        journal=journal,
        year=int(year_match.group("year")) if year_match else None,
        doi=doi_match.group("doi") if doi_match else None,
    )
