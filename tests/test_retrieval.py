"""Hybrid retrieval over the real review chunks, with the fake embedder (fast, offline)."""

import pytest

from corpus.errors import QueryError
from corpus.retrieval import (
    DENSE_WEIGHT,
    LEXICAL_WEIGHT,
    RRF_K,
    HybridRetriever,
    ensure_index,
    review_chunks,
)
from corpus.store import open_collection
from corpus.vocabulary import load_vocabulary


@pytest.fixture
def retriever(settings, fake_embedder) -> HybridRetriever:
    chunks = review_chunks()
    ensure_index(settings, chunks, progress=False, embedder=fake_embedder)
    return HybridRetriever(
        chunks, open_collection(settings), load_vocabulary(), settings, fake_embedder
    )


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_refused(retriever, query) -> None:
    with pytest.raises(QueryError, match="empty"):
        retriever.search(query)


def test_oversized_query_is_refused_with_the_limit(retriever) -> None:
    with pytest.raises(QueryError, match=r"102,400 characters long; the limit is 2,000"):
        retriever.search("x" * 102_400)


def test_non_text_query_is_refused(retriever) -> None:
    with pytest.raises(QueryError, match="text"):
        retriever.search(b"bytes")  # type: ignore[arg-type]


def test_k_must_be_positive(retriever) -> None:
    with pytest.raises(QueryError):
        retriever.search("sorafenib", k=0)


def test_abbreviation_finds_the_spelled_out_passage(retriever) -> None:
    # The atezo/bev passage says "esophagogastroduodenoscopy", never "EGD".
    ids = [hit.chunk.id for hit in retriever.search("which regimen needs EGD?", k=5)]
    assert any(i.startswith("atezo-bev/") for i in ids), ids


def test_trial_shorthand_finds_its_table_row(retriever) -> None:
    ids = [hit.chunk.id for hit in retriever.search("leap002 PD rate", k=5)]
    assert "table1/leap-002" in ids


def test_scores_are_reciprocal_rank_fusion(retriever) -> None:
    hits = retriever.search("TACE versus HAIC for main portal vein tumor thrombus", k=5)
    for hit in hits:
        expected = sum(
            weight / (RRF_K + rank)
            for weight, rank in ((DENSE_WEIGHT, hit.dense_rank), (LEXICAL_WEIGHT, hit.lexical_rank))
            if rank
        )
        assert hit.score == pytest.approx(expected)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_reference_entries_only_on_request(retriever) -> None:
    default = retriever.search("Finn RS Kudo M Lancet Oncol 2023", k=10)
    assert all(hit.chunk.kind != "reference" for hit in default)
    with_refs = retriever.search(
        "Finn RS Kudo M Lancet Oncol 2023", k=10, kinds={"reference", "paragraph"}
    )
    assert any(hit.chunk.kind == "reference" for hit in with_refs)


def test_hits_carry_metadata(retriever) -> None:
    hits = retriever.search("IMbrave150 atezolizumab bevacizumab", k=10)
    assert any("imbrave150" in hit.chunk.trials for hit in hits)
    row = retriever.chunk("table1/imbrave150")
    assert row.trials == ("imbrave150",)
    assert row.refs == (19, 20, 21)
    assert row.section == "Tables"
