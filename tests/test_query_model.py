"""The ONNX query model: parity with sentence-transformers, fingerprints, damage and repair."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import corpus.embeddings
from corpus.chunking import review_chunks
from corpus.embeddings import MODEL_FILES, model_source
from corpus.evaluation import load_gold
from corpus.index import ensure_index, query_embedder
from corpus.manifest import read_manifest
from corpus.parity import MIN_COSINE, measure_parity
from corpus.query_model import EXPORT_SETTINGS, OnnxEmbedder, QueryModelError, verify, why_stale
from corpus.settings import IndexSettings
from corpus.store import fingerprint
from tests.conftest import HashingEmbedder, copy_index

SOURCE = {"sha256": "a" * 64, "files": {}}


@pytest.fixture
def fake_model_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Small stand-ins for the packaged model files, so fingerprints can be exercised fast."""
    directory = tmp_path / "model"
    for name in MODEL_FILES:
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(f"contents of {name}")
    monkeypatch.setattr(corpus.embeddings, "model_dir", lambda: directory)
    return directory


def _record(path: Path, source: str = SOURCE["sha256"]) -> dict:
    graph, weights = path, path.with_name(path.name + ".data")
    graph.write_bytes(b"graph")
    weights.write_bytes(b"weights" * 10)
    return {
        "files": {
            graph.name: {"sha256": "g", "bytes": graph.stat().st_size},
            weights.name: {"sha256": "w", "bytes": weights.stat().st_size},
        },
        "source": source,
        "export": EXPORT_SETTINGS,
    }


def test_model_fingerprint_is_trusted_while_sizes_and_times_match(fake_model_dir: Path) -> None:
    first = model_source()
    assert model_source(first) is first  # nothing re-hashed
    (fake_model_dir / "model.safetensors").write_text("other weights")
    changed = model_source(first)
    assert changed["sha256"] != first["sha256"]
    forged = {**first, "files": changed["files"]}  # right stats, wrong digest: trusted as is
    assert model_source(forged) is forged


def test_new_weights_change_both_the_index_and_the_query_model_fingerprints(tmp_path) -> None:
    chunks = review_chunks()[:5]
    embedder = HashingEmbedder()
    assert fingerprint(chunks, embedder, "weights-1") != fingerprint(chunks, embedder, "weights-2")
    path = tmp_path / "minilm-query.onnx"
    record = _record(path, source="weights-1")
    assert why_stale(path, record, {"sha256": "weights-1"}) is None
    assert why_stale(path, record, {"sha256": "weights-2"}) == (
        "the model files changed since the ONNX export"
    )


def test_changed_export_settings_or_files_make_the_query_model_stale(tmp_path: Path) -> None:
    path = tmp_path / "minilm-query.onnx"
    record = _record(path)
    assert why_stale(path, None, SOURCE) == "no ONNX query model has been exported yet"
    older = {**record, "export": {**EXPORT_SETTINGS, "opset": 14}}
    assert why_stale(path, older, SOURCE) == "the ONNX export settings changed"
    path.with_name(path.name + ".data").write_bytes(b"truncated")
    assert "damaged" in str(why_stale(path, record, SOURCE))
    path.unlink()
    assert why_stale(path, record, SOURCE) == "the ONNX query model is missing"


def test_a_file_with_the_right_size_but_other_bytes_fails_verification(tmp_path: Path) -> None:
    path = tmp_path / "minilm-query.onnx"
    record = _record(path)
    with pytest.raises(QueryModelError, match=r"minilm-query.onnx's checksum differs"):
        verify(path, record)


@pytest.mark.slow
def test_onnx_agrees_with_sentence_transformers_on_every_chunk_and_gold_query(
    real_index_dir: Path,
) -> None:
    report = measure_parity(IndexSettings(data_dir=real_index_dir))
    gold = load_gold()
    assert report.texts == len(review_chunks()) + 2 * len(gold)
    assert report.min_cosine >= MIN_COSINE, report.summary()
    assert report.onnx == report.reference, report.summary()  # recall@5 and MRR unchanged
    assert report.onnx[0] >= 0.9, report.summary()


@pytest.mark.slow
def test_one_text_alone_or_in_a_padded_batch_gets_the_same_vector(real_index_dir: Path) -> None:
    settings = IndexSettings(data_dir=real_index_dir)
    embedder = query_embedder(settings)
    assert isinstance(embedder, OnnxEmbedder)
    texts = ["EGD", "which regimen needs EGD before atezolizumab plus bevacizumab? " * 8]
    batch = embedder.encode(texts)
    for row, text in enumerate(texts):
        assert float(batch[row] @ embedder.encode([text])[0]) >= 0.99999


@pytest.mark.slow
def test_damaged_weights_are_exported_again(real_index_dir: Path, tmp_path: Path, capsys) -> None:
    settings = IndexSettings(data_dir=copy_index(real_index_dir, tmp_path / "data"))
    weights = settings.query_model_path.with_name("minilm-query.onnx.data")
    data = bytearray(weights.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)  # same size: only the checksum tells
    weights.write_bytes(bytes(data))
    embedder = query_embedder(settings)
    assert isinstance(embedder, OnnxEmbedder)
    assert capsys.readouterr().err == (
        "ONNX query model exported again (the ONNX query model cannot be used: "
        "minilm-query.onnx.data's checksum differs from the manifest's)\n"
    )
    verify(settings.query_model_path, read_manifest(settings)["query_model"])


@pytest.mark.slow
def test_a_truncated_graph_is_found_when_the_index_is_opened(
    real_index_dir: Path, tmp_path: Path, capsys
) -> None:
    settings = IndexSettings(data_dir=copy_index(real_index_dir, tmp_path / "data"))
    settings.query_model_path.write_bytes(settings.query_model_path.read_bytes()[:1000])
    report = ensure_index(settings, progress=False)
    assert not report.rebuilt  # the chunk embeddings are fine; only the query model is redone
    assert report.query_model == (
        "ONNX query model exported (the ONNX query model is damaged (a file's size differs "
        "from the manifest's))"
    )
    assert capsys.readouterr().err.startswith("ONNX query model exported (")
    assert isinstance(query_embedder(settings), OnnxEmbedder)
    manifest = read_manifest(settings)
    assert json.dumps(manifest["query_model"]["export"]) == json.dumps(EXPORT_SETTINGS)


@pytest.mark.slow
def test_a_failed_export_falls_back_with_one_notice(
    real_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import corpus.index

    def broken_export(path: Path, source: dict) -> dict:
        raise RuntimeError("the exporter is broken\nsecond line")

    monkeypatch.setattr(corpus.index, "export", broken_export)
    monkeypatch.setattr(corpus.index, "_EXPORT_FAILED", {})
    settings = IndexSettings(data_dir=copy_index(real_index_dir, tmp_path / "data"))
    settings.query_model_path.unlink()
    report = ensure_index(settings, progress=False)
    assert report.query_model == "ONNX export failed (RuntimeError: the exporter is broken)"
    embedder = query_embedder(settings)
    assert isinstance(embedder, corpus.index.MiniLMEmbedder)
    assert capsys.readouterr().err == (
        "notice: the ONNX query model cannot be used: minilm-query.onnx is missing and its "
        "export failed (RuntimeError: the exporter is broken); queries use sentence-transformers "
        "(slower first answer)\n"
    )
