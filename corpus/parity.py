"""Does the ONNX query model stand in for sentence-transformers? Measured, not assumed.

Both embed every chunk and every gold question (as typed and as the dense search expands it);
each pair must agree to cosine >= MIN_COSINE. Retrieval on the gold set must give the same recall@5
and MRR with either model embedding the queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.embeddings import MiniLMEmbedder, embed
from corpus.evaluation import evaluate, load_gold
from corpus.query_model import OnnxEmbedder
from corpus.retrieval import HybridRetriever, open_retriever
from corpus.settings import IndexSettings

MIN_COSINE = 0.9999


@dataclass(frozen=True)
class ParityReport:
    texts: int
    min_cosine: float
    mean_cosine: float
    worst_text: str
    onnx: tuple[float, float]  # recall@5, MRR with the ONNX query model
    reference: tuple[float, float]  # the same with sentence-transformers
    same_rankings: int  # gold questions whose top 20 is identical under both
    questions: int

    @property
    def passed(self) -> bool:
        return self.min_cosine >= MIN_COSINE and self.onnx == self.reference

    def summary(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return (
            f"{verdict}: {self.texts} texts (every chunk, every gold question as typed and "
            f"expanded): cosine min {self.min_cosine:.7f}, mean {self.mean_cosine:.7f} "
            f"(bar {MIN_COSINE})\n"
            f"  least similar: {self.worst_text[:80]!r}\n"
            f"  gold retrieval, ONNX queries: recall@5 {self.onnx[0]:.3f}, MRR {self.onnx[1]:.3f}\n"
            f"  gold retrieval, reference queries: recall@5 {self.reference[0]:.3f}, "
            f"MRR {self.reference[1]:.3f}\n"
            f"  identical top-20 rankings: {self.same_rankings}/{self.questions}"
        )


def measure_parity(settings: IndexSettings) -> ParityReport:
    import numpy as np

    retriever = open_retriever(settings, progress=False)
    if not isinstance(retriever.embedder, OnnxEmbedder):
        raise RuntimeError("the ONNX query model is not in use (see the notice above)")
    gold = load_gold()
    texts = [chunk.search_text() for chunk in retriever.chunks]
    texts += [q.question for q in gold] + [retriever.vocabulary.expand(q.question) for q in gold]
    onnx = retriever.embedder.encode(texts)
    reference = np.asarray(embed(texts), dtype=np.float32)
    cosines = (onnx * reference).sum(axis=1)  # both are unit vectors
    worst = int(cosines.argmin())

    by_reference = HybridRetriever(
        retriever.chunks, retriever.collection, retriever.vocabulary, settings, MiniLMEmbedder()
    )
    with_onnx, with_reference = evaluate(retriever, gold), evaluate(by_reference, gold)
    same = sum(
        a.ranked == b.ranked for a, b in zip(with_onnx.results, with_reference.results, strict=True)
    )
    return ParityReport(
        texts=len(texts),
        min_cosine=float(cosines.min()),
        mean_cosine=float(cosines.mean()),
        worst_text=texts[worst],
        onnx=(with_onnx.recall_at_k, with_onnx.mrr),
        reference=(with_reference.recall_at_k, with_reference.mrr),
        same_rankings=same,
        questions=len(gold),
    )
