"""Retrieval quality with the real MiniLM model over the gold questions (slow: loads the model)."""

import pytest

from corpus.evaluation import evaluate, load_gold
from corpus.retrieval import open_retriever
from corpus.settings import IndexSettings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def retriever(real_index_dir):
    return open_retriever(IndexSettings(data_dir=real_index_dir), progress=False)


def test_gold_set_is_large_enough_and_points_at_real_chunks(retriever) -> None:
    gold = load_gold()
    assert len(gold) >= 40
    known = {chunk.id for chunk in retriever.chunks}
    for question in gold:
        assert set(question.relevant) <= known, question


def test_recall_at_5_meets_the_bar(retriever) -> None:
    report = evaluate(retriever, load_gold(), k=5)
    misses = [(m.question.question, m.ranked[:5]) for m in report.misses()]
    assert report.recall_at_k >= 0.90, misses
    assert report.mrr >= 0.70


def test_egd_question_finds_the_atezo_bev_passage(retriever) -> None:
    ids = [hit.chunk.id for hit in retriever.search("which regimen needs EGD?", k=5)]
    assert any(i.startswith("atezo-bev/") for i in ids), ids
