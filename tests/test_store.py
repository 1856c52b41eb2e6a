from pathlib import Path

import pytest

from corpus.chunking import chunk_document, no_trials
from corpus.errors import IndexUnavailable
from corpus.index import build
from corpus.parser import load_document
from corpus.settings import IndexSettings
from corpus.store import open_collection


@pytest.fixture(scope="module")
def chunks():
    return chunk_document(load_document(), no_trials, include_references=False)


def test_first_build_embeds_every_chunk(chunks, settings, fake_embedder) -> None:
    report = build(chunks, settings, progress=False, embedder=fake_embedder)
    assert report.rebuilt
    assert report.reason == "no index has been built yet"
    assert open_collection(settings).count() == len(chunks)
    assert settings.manifest_path.exists()


def test_second_build_is_skipped_when_nothing_changed(chunks, settings, fake_embedder) -> None:
    build(chunks, settings, progress=False, embedder=fake_embedder)
    again = build(chunks, settings, progress=False, embedder=fake_embedder)
    assert not again.rebuilt
    assert again.reason == "index is current"


def test_changed_corpus_is_rebuilt(chunks, settings, fake_embedder) -> None:
    build(chunks, settings, progress=False, embedder=fake_embedder)
    report = build(chunks[:-1], settings, progress=False, embedder=fake_embedder)
    assert report.rebuilt
    assert "changed" in report.reason
    assert open_collection(settings).count() == len(chunks) - 1


def test_force_rebuilds(chunks, settings, fake_embedder) -> None:
    build(chunks, settings, progress=False, embedder=fake_embedder)
    assert build(chunks, settings, force=True, progress=False, embedder=fake_embedder).rebuilt


def test_missing_store_with_a_manifest_is_rebuilt(chunks, settings, fake_embedder) -> None:
    import shutil

    from chromadb.api.shared_system_client import SharedSystemClient

    build(chunks, settings, progress=False, embedder=fake_embedder)
    SharedSystemClient.clear_system_cache()
    shutil.rmtree(settings.chroma_dir)
    report = build(chunks, settings, progress=False, embedder=fake_embedder)
    assert report.rebuilt
    assert open_collection(settings).count() == len(chunks)


def test_corrupted_store_is_rebuilt(chunks, settings, fake_embedder) -> None:
    from chromadb.api.shared_system_client import SharedSystemClient

    build(chunks, settings, progress=False, embedder=fake_embedder)
    SharedSystemClient.clear_system_cache()
    (settings.chroma_dir / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    report = build(chunks, settings, progress=False, embedder=fake_embedder)
    assert report.rebuilt
    assert "unreadable" in report.reason
    assert open_collection(settings).count() == len(chunks)


def test_corrupted_manifest_is_rebuilt(chunks, settings, fake_embedder) -> None:
    build(chunks, settings, progress=False, embedder=fake_embedder)
    settings.manifest_path.write_text("{not json", encoding="utf-8")
    assert build(chunks, settings, progress=False, embedder=fake_embedder).rebuilt


def test_unwritable_data_dir_is_a_clear_error(chunks, tmp_path: Path, fake_embedder) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    settings = IndexSettings(data_dir=blocker / "data")
    with pytest.raises(IndexUnavailable, match="cannot write the index"):
        build(chunks, settings, progress=False, embedder=fake_embedder)


def test_collection_name_must_have_three_characters() -> None:
    with pytest.raises(ValueError):
        IndexSettings(collection="ab")
