"""Where a cited statement lives: chunk ids for quotes and table rows, and the reference list."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from corpus.chunking import Chunk, review_chunks
from corpus.document import Document
from corpus.parser import load_document
from corpus.trials import Result, Trial


class Citation(BaseModel):
    """One cited trial or passage, as the CLI contract prints it."""

    model_config = ConfigDict(frozen=True)

    trial: str | None  # the trial's name as the review prints it; None for a passage
    trial_id: str | None = None
    refs: tuple[int, ...] = ()
    chunk_ids: tuple[str, ...] = ()
    quote: str = Field(default="", max_length=2000)
    # Every passage the citation rests on (the quote is the first); each cited chunk holds one.
    quotes: tuple[str, ...] = ()


def _squash(text: str) -> str:
    return " ".join(text.split())


MAX_REMEMBERED_QUOTES = 4096


class ChunkLocator:
    """Finds the chunks of the review that hold a quote or a Table 1 row."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.chunks = {chunk.id: chunk for chunk in chunks}
        self._texts = [(chunk.id, _squash(chunk.text)) for chunk in chunks]
        # Quotes come from the trial records and recur answer after answer; a scan of every
        # chunk per quote was a tenth of a warm answer's CPU. The chunks never change.
        self._found: dict[str, tuple[str, ...]] = {}

    def for_quote(self, quote: str) -> tuple[str, ...]:
        """Ids of the chunks containing `quote`; a quote cut by a chunk border matches both."""
        found = self._found.get(quote)
        if found is None:
            if len(self._found) >= MAX_REMEMBERED_QUOTES:  # a model's quotes vary without end
                self._found.clear()
            found = self._found[quote] = self._scan(quote)
        return found

    def _scan(self, quote: str) -> tuple[str, ...]:
        needle = _squash(quote)
        found = tuple(chunk_id for chunk_id, text in self._texts if needle in text)
        if found or len(needle) < 40:
            return found
        head, tail = needle[:40], needle[-40:]
        return tuple(i for i, text in self._texts if head in text or tail in text)

    def for_table_row(self, trial: Trial) -> tuple[str, ...]:
        slug = re.sub(r"[^a-z0-9]+", "-", trial.name.lower()).strip("-")
        for candidate in (f"table1/{slug}", f"table1/{trial.id}"):
            if candidate in self.chunks:
                return (candidate,)
        return ()

    def for_result(self, trial: Trial, result: Result) -> tuple[str, ...]:
        if result.from_table:
            return self.for_table_row(trial)
        return self.for_quote(result.quote or "")

    def chunk(self, chunk_id: str) -> Chunk | None:
        return self.chunks.get(chunk_id)


@cache
def default_locator() -> ChunkLocator:
    return ChunkLocator(review_chunks())


def reference_line(number: int, document: Document | None = None) -> str:
    """ "19. Finn RS, Qin S, Ikeda M, et al. Title. *N Engl J Med*. 2020. doi:..." style line."""
    entry = (document or load_document()).references.get(number)
    if entry is None:
        return f"{number}. (not in the review's reference list)"
    return f"{number}. {entry.text}"


def merge(citations: Iterable[Citation]) -> list[Citation]:
    """One citation per trial (or per passage), refs and chunk ids united, order kept."""
    merged: dict[str, Citation] = {}
    for citation in citations:
        key = citation.trial_id or citation.trial or f"passage:{citation.chunk_ids}"
        if key not in merged:
            merged[key] = citation
            continue
        old = merged[key]
        merged[key] = old.model_copy(
            update={
                "refs": tuple(sorted(set(old.refs) | set(citation.refs))),
                "chunk_ids": tuple(dict.fromkeys((*old.chunk_ids, *citation.chunk_ids))),
                "quote": old.quote or citation.quote,
                "quotes": tuple(dict.fromkeys((*old.quotes, *citation.quotes))),
            }
        )
    return list(merged.values())
