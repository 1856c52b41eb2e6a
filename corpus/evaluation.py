"""Retrieval quality on the gold set: recall@k and mean reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from corpus.paths import GOLD_RETRIEVAL_PATH
from corpus.retrieval import HybridRetriever
from corpus.yamlio import load_yaml


class GoldQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str = Field(min_length=3)
    relevant: tuple[str, ...] = Field(min_length=1)  # chunk ids, any of which answers it
    note: str = ""


@dataclass(frozen=True)
class QuestionResult:
    question: GoldQuestion
    ranked: tuple[str, ...]

    @property
    def first_relevant_rank(self) -> int | None:
        for rank, chunk_id in enumerate(self.ranked, start=1):
            if chunk_id in self.question.relevant:
                return rank
        return None


@dataclass(frozen=True)
class RetrievalReport:
    k: int
    results: tuple[QuestionResult, ...]

    @property
    def recall_at_k(self) -> float:
        hits = [r for r in self.results if (r.first_relevant_rank or self.k + 1) <= self.k]
        return len(hits) / len(self.results)

    @property
    def mrr(self) -> float:
        return sum(1 / (r.first_relevant_rank or float("inf")) for r in self.results) / len(
            self.results
        )

    def misses(self) -> list[QuestionResult]:
        return [r for r in self.results if (r.first_relevant_rank or self.k + 1) > self.k]


def load_gold(path: Path = GOLD_RETRIEVAL_PATH) -> list[GoldQuestion]:
    return [GoldQuestion(**entry) for entry in load_yaml(path)]


def evaluate(retriever: HybridRetriever, gold: list[GoldQuestion], k: int = 5) -> RetrievalReport:
    """Rank every gold question; MRR looks deeper than k (up to 20) so near misses still count."""
    depth = max(k, 20)
    results = tuple(
        QuestionResult(q, tuple(h.chunk.id for h in retriever.search(q.question, k=depth)))
        for q in gold
    )
    return RetrievalReport(k, results)
