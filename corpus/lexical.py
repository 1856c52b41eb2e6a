"""BM25 over chunk words plus concept tokens from the vocabulary."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rank_bm25 import BM25Okapi

from corpus.chunking import Chunk
from corpus.vocabulary import Vocabulary, normalize

_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
# Function words, and the words clinicians wrap every question in ("which regimen needs ..."),
# carry no signal for BM25 over ~200 short chunks; clinical words are all kept.
STOPWORDS = frozenset(
    """a an and are as at be by can for from has have how i in is it its of on or that the their
    them there these this those to was were what when where which who whom why will with should
    would could does do did than then so such not no regimen regimens need needs require
    requires required""".split()
)


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(normalize(text)) if w not in STOPWORDS]


class LexicalIndex:
    def __init__(self, chunks: Sequence[Chunk], vocabulary: Vocabulary) -> None:
        self.chunks = list(chunks)
        self.vocabulary = vocabulary
        self._bm25 = BM25Okapi([self.analyze(c.search_text()) for c in self.chunks])

    def analyze(self, text: str) -> list[str]:
        return words(text) + self.vocabulary.concepts_in(text)

    def rank(self, query: str, limit: int) -> list[tuple[int, float]]:
        """(chunk position, score) pairs, best first, only chunks sharing a term with the query."""
        scores = self._bm25.get_scores(self.analyze(query))
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        return [(i, float(scores[i])) for i in order[:limit] if scores[i] > 0]
