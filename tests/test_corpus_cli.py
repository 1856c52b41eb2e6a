"""`python -m corpus`: answers for good input, one-line errors (exit 2) for bad input."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import corpus.index
from corpus.cli import main
from corpus.paths import REVIEW_PATH
from tests.conftest import HashingEmbedder


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process CLI runs use the hashing embedder instead of loading MiniLM (and so export
    no ONNX query model)."""
    monkeypatch.setattr(corpus.index, "MiniLMEmbedder", HashingEmbedder)
    monkeypatch.setenv("HCC_QUERY_EMBEDDER", "reference")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_prints_ranked_chunks_with_metadata(capsys) -> None:
    code, out, err = run(capsys, "search", "TACE or HAIC beyond up-to-7", "-k", "3")
    assert code == 0
    assert out.startswith("1. [")
    assert "3. [" in out and "4. [" not in out
    assert "Index built (no index has been built yet)" in err


def test_search_json(capsys) -> None:
    code, out, _ = run(capsys, "search", "LEAP-002 PD rate", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 5
    assert {"rank", "id", "score", "section", "trials", "refs", "text"} <= set(rows[0])


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "error: the query is empty"), ("x" * 100_000, "error: the query is 100,000 characters")],
)
def test_bad_queries_exit_2_with_one_line(capsys, query: str, message: str) -> None:
    code, out, err = run(capsys, "search", query)
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


def test_build_is_idempotent(capsys) -> None:
    assert run(capsys, "build")[1].startswith("Index built (no index has been built yet)")
    assert run(capsys, "build")[1].startswith("Index already current")


def test_corrupted_index_is_rebuilt_with_a_message(capsys, isolated_data_dir: Path) -> None:
    from chromadb.api.shared_system_client import SharedSystemClient

    run(capsys, "build")
    SharedSystemClient.clear_system_cache()
    (isolated_data_dir / "chroma" / "chroma.sqlite3").write_bytes(b"garbage" * 1000)
    code, out, err = run(capsys, "search", "sorafenib")
    assert code == 0 and out.startswith("1. [")
    assert "Index built (the index is unreadable" in err


def test_missing_corpus_file(capsys, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HCC_CORPUS_PATH", str(tmp_path / "nowhere.txt"))
    code, _, err = run(capsys, "search", "sorafenib")
    assert code == 2
    assert err.startswith("error: corpus file not found:") and err.count("\n") == 1


def test_undecodable_corpus_file(capsys, monkeypatch, tmp_path: Path) -> None:
    broken = tmp_path / "review.txt"
    broken.write_bytes(REVIEW_PATH.read_bytes()[:5000] + b"\xff\xfe\xfa")
    monkeypatch.setenv("HCC_CORPUS_PATH", str(broken))
    code, _, err = run(capsys, "build")
    assert code == 2 and "not valid UTF-8" in err


def test_truncated_corpus_file(capsys, monkeypatch, tmp_path: Path) -> None:
    truncated = tmp_path / "review.txt"
    truncated.write_text(REVIEW_PATH.read_text(encoding="utf-8")[:20_000], encoding="utf-8")
    monkeypatch.setenv("HCC_CORPUS_PATH", str(truncated))
    code, _, err = run(capsys, "build")
    assert code == 2 and err.startswith("error: corpus")


def test_trials_list_and_lookup(capsys) -> None:
    code, out, _ = run(capsys, "trials")
    assert code == 0 and "imbrave150" in out and "leap-002" in out
    code, out, _ = run(capsys, "trials", "leap002")
    assert code == 0 and "12.2" in out
    code, out, _ = run(capsys, "trials", "atezo/bev")
    assert code == 0 and "IMbrave150" in out


def test_unknown_trial(capsys) -> None:
    code, _, err = run(capsys, "trials", "KEYNOTE-999")
    assert code == 1 and "no trial or regimen called 'KEYNOTE-999'" in err


@pytest.mark.slow
def test_real_process_answers_offline_and_fails_cleanly(isolated_data_dir: Path) -> None:
    env = {**os.environ, "HCC_DATA_DIR": str(isolated_data_dir), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "corpus", "search", "which regimen needs EGD?", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert any(row["id"].startswith("atezo-bev/") for row in json.loads(done.stdout))
    empty = subprocess.run(
        [sys.executable, "-m", "corpus", "search", "  "], capture_output=True, text=True, env=env
    )
    assert empty.returncode == 2
    assert empty.stderr == "error: the query is empty\n"


@pytest.mark.slow
def test_bench_reports_build_time_and_latency(capsys) -> None:
    code, out, _ = run(capsys, "bench", "--repeat", "1")
    assert code == 0
    assert "index build (forced, incl. model load and ONNX export):" in out
    assert "when current (checked, skipped):" in out
    assert "hybrid search, warm, query embedder HashingEmbedder, 10 queries: p50" in out
    assert "p95" in out
