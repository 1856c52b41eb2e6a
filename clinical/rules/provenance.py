"""Check that every source in the rule data is a real passage of the review.

A source names a section heading, quotes the review verbatim, and lists reference numbers; each
quote must occur in that section and each reference must be cited (as a citation marker) there.
Used by the test suite, and usable by anyone amending the tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from clinical.rules.book import RuleBook
from clinical.rules.output import Source
from corpus.citations import refs_in
from corpus.paths import DATA_DIR, REVIEW_PATH
from corpus.yamlio import load_yaml

OUTLINE_PATH = DATA_DIR / "outline.yaml"


@cache
def review_sections() -> dict[str, str]:
    """Section heading -> its text (up to the next heading), from the review and its outline."""
    headings = [entry["heading"] for entry in load_yaml(OUTLINE_PATH)]
    lines = REVIEW_PATH.read_text(encoding="utf-8").splitlines()
    starts = {line.strip(): index for index, line in enumerate(lines) if line.strip() in headings}
    ordered = sorted((index, heading) for heading, index in starts.items())
    sections = {}
    for position, (start, heading) in enumerate(ordered):
        end = ordered[position + 1][0] if position + 1 < len(ordered) else len(lines)
        sections[heading] = "\n".join(lines[start + 1 : end])
    return sections


def source_problems(source: Source, where: str) -> Iterator[str]:
    section = review_sections().get(source.section)
    if section is None:
        yield f"{where}: no section headed {source.section!r}"
        return
    if source.quote not in section:
        yield f"{where}: quote not found in {source.section!r}: {source.quote[:70]!r}"
    missing = sorted(set(source.refs) - set(refs_in(section)))
    if missing:
        yield f"{where}: refs {missing} are not cited in {source.section!r}"


def _sources(book: RuleBook) -> Iterator[tuple[str, Source]]:
    for parsed in book.all_rules():
        for source in parsed.rule.sources:
            yield f"{parsed.table}.yaml {parsed.rule.id}", source
    for name, condition in book.vocabulary_file.conditions.items():
        for source in condition.sources:
            yield f"vocabulary.yaml {name}", source
    for criteria_set in book.resectability.criteria_sets:
        for source in criteria_set.sources:
            yield f"resectability.yaml {criteria_set.id}", source
        for criterion in criteria_set.criteria:
            quote = Source(section=criteria_set.sources[0].section, quote=criterion.quote)
            yield f"resectability.yaml {criteria_set.id}.{criterion.id}", quote
    for note in book.resectability.notes:
        for source in note.sources:
            yield f"resectability.yaml {note.id}", source
    yield "safety.yaml disclaimer", book.safety.disclaimer_source
    for key, invariant in book.safety.invariants.items():
        for source in invariant.sources:
            yield f"safety.yaml {key}", source


def citation_problems(book: RuleBook) -> list[str]:
    """Every quote or reference in the rule data that the review does not bear out."""
    return [
        problem for where, source in _sources(book) for problem in source_problems(source, where)
    ]
