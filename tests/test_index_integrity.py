"""The manifest's checksum of the stored embeddings: tampering is detected and repaired.

Fast: the hashing embedder stands in for MiniLM; the store, manifest and checks are the real ones.
"""

from __future__ import annotations

import json

import pytest

from corpus.chunking import review_chunks
from corpus.index import build, ensure_index
from corpus.manifest import read_manifest
from corpus.retrieval import HybridRetriever
from corpus.store import embeddings_checksum, open_collection
from corpus.vocabulary import load_vocabulary


@pytest.fixture(scope="module")
def chunks():
    return review_chunks()


def _tamper(settings, count: int) -> None:
    """Replace `count` stored embeddings with other unit vectors; the chunk count is unchanged."""
    collection = open_collection(settings)
    stored = collection.get(include=["embeddings"], limit=count)
    swapped = [list(reversed(list(map(float, v)))) for v in stored["embeddings"]]
    collection.update(ids=stored["ids"], embeddings=swapped)


def test_manifest_records_the_checksum_of_what_chroma_stored(chunks, settings, fake_embedder):
    build(chunks, settings, progress=False, embedder=fake_embedder)
    manifest = read_manifest(settings)
    assert manifest["chunks"] == len(chunks)
    assert manifest["embeddings_sha256"] == embeddings_checksum(open_collection(settings))


def test_fifty_replaced_embeddings_are_detected_and_rebuilt(
    chunks, settings, fake_embedder, capsys
) -> None:
    build(chunks, settings, progress=False, embedder=fake_embedder)
    original = read_manifest(settings)["embeddings_sha256"]
    retriever = HybridRetriever(
        chunks, open_collection(settings), load_vocabulary(), settings, fake_embedder
    )
    before = [h.chunk.id for h in retriever.search("TACE or HAIC for portal vein thrombus", k=10)]

    _tamper(settings, 50)
    assert open_collection(settings).count() == len(chunks)  # the count alone cannot tell
    assert embeddings_checksum(open_collection(settings)) != original

    report = ensure_index(settings, chunks, progress=False, embedder=fake_embedder)
    assert report.rebuilt
    assert report.reason == "the stored embeddings do not match the manifest's checksum"
    notice = capsys.readouterr().err
    assert notice.count("\n") == 1 and notice.startswith(
        "Index built (the stored embeddings do not match the manifest's checksum)"
    )
    assert embeddings_checksum(open_collection(settings)) == original
    retriever = HybridRetriever(
        chunks, open_collection(settings), load_vocabulary(), settings, fake_embedder
    )
    after = [h.chunk.id for h in retriever.search("TACE or HAIC for portal vein thrombus", k=10)]
    assert after == before
    assert not build(chunks, settings, progress=False, embedder=fake_embedder).rebuilt


def test_a_single_changed_embedding_is_detected(chunks, settings, fake_embedder) -> None:
    build(chunks, settings, progress=False, embedder=fake_embedder)
    _tamper(settings, 1)
    assert build(chunks, settings, progress=False, embedder=fake_embedder).rebuilt


def test_a_manifest_checksum_that_was_edited_is_a_mismatch_too(
    chunks, settings, fake_embedder
) -> None:
    build(chunks, settings, progress=False, embedder=fake_embedder)
    manifest = read_manifest(settings)
    manifest["embeddings_sha256"] = "0" * 64
    settings.manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert "checksum" in build(chunks, settings, progress=False, embedder=fake_embedder).reason


def test_a_failed_rebuild_leaves_the_previous_store_whole(chunks, settings, fake_embedder) -> None:
    build(chunks, settings, progress=False, embedder=fake_embedder)
    manifest = read_manifest(settings)

    class Failing:
        name = fake_embedder.name
        calls = 0

        def __call__(self, texts: list[str]) -> list[list[float]]:
            Failing.calls += 1
            if Failing.calls > 2:
                raise RuntimeError("embedding failed half-way")
            return fake_embedder(texts)

    with pytest.raises(RuntimeError, match="half-way"):
        build(chunks, settings, force=True, progress=False, embedder=Failing())
    assert read_manifest(settings) == manifest
    assert embeddings_checksum(open_collection(settings)) == manifest["embeddings_sha256"]
    assert not build(chunks, settings, progress=False, embedder=fake_embedder).rebuilt
    assert [p.name for p in settings.data_dir.iterdir() if p.name.startswith("chroma")] == [
        "chroma"
    ]
