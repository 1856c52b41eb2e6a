"""Concurrent first use: processes and threads starting together on an empty or stale data
directory build the index once (under the file lock) and all answer.

The process tests start real interpreters. In the fake-model runs each process imports everything,
reports ready and waits at a start line, so the three first uses really are simultaneous.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from corpus.index import build
from corpus.manifest import read_manifest, write_manifest
from corpus.retrieval import open_retriever, review_chunks
from corpus.settings import IndexSettings

ROOT = Path(__file__).resolve().parent.parent
QUERY = "which regimen needs EGD?"
# One process of the race: imports, says it is ready, waits for the start signal, then opens
# the index (building it if needed) and searches.
RACER = """
import json, sys, time
from pathlib import Path
from corpus.retrieval import open_retriever
from corpus.settings import IndexSettings
from tests.conftest import HashingEmbedder

ready, start = Path(sys.argv[1]), Path(sys.argv[2])
ready.touch()
while not start.exists():
    time.sleep(0.005)
retriever = open_retriever(IndexSettings(), progress=False, embedder=HashingEmbedder())
print(json.dumps([hit.chunk.id for hit in retriever.search(sys.argv[3], k=5)]))
"""


def _race(data_dir: Path, signals: Path, processes: int = 3) -> list[subprocess.CompletedProcess]:
    signals.mkdir(parents=True, exist_ok=True)
    start = signals / "start"
    env = {**os.environ, "HCC_DATA_DIR": str(data_dir)}
    running = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(signals / f"ready-{n}"), str(start), QUERY],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(processes)
    ]
    deadline = time.monotonic() + 120
    while not all((signals / f"ready-{n}").exists() for n in range(processes)):
        assert time.monotonic() < deadline, "the racers never got ready"
        assert all(p.poll() is None for p in running), [p.communicate() for p in running]
        time.sleep(0.01)
    start.touch()
    results = []
    for process in running:
        out, err = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def _builds(results: list[subprocess.CompletedProcess]) -> int:
    return sum(r.stderr.count("Index built") for r in results)


@pytest.mark.slow
@pytest.mark.parametrize("run", range(5))
def test_three_processes_on_an_empty_data_dir_build_once_and_all_answer(
    tmp_path: Path, run: int
) -> None:
    results = _race(tmp_path / "data", tmp_path / "signals")
    for result in results:
        assert result.returncode == 0, result.stderr
    answers = {r.stdout for r in results}
    assert len(answers) == 1 and json.loads(answers.pop())
    assert _builds(results) == 1, [r.stderr for r in results]


@pytest.mark.slow
def test_three_processes_on_a_stale_data_dir_rebuild_once(tmp_path: Path, fake_embedder) -> None:
    settings = IndexSettings(data_dir=tmp_path / "data")
    build(review_chunks(), settings, progress=False, embedder=fake_embedder)
    manifest = read_manifest(settings)
    write_manifest(settings, {**manifest, "fingerprint": "from an older corpus"})
    results = _race(settings.data_dir, tmp_path / "signals")
    for result in results:
        assert result.returncode == 0, result.stderr
    assert _builds(results) == 1, [r.stderr for r in results]
    assert sum("changed since the last build" in r.stderr for r in results) == 1


def test_threads_of_one_process_build_once_and_all_answer(settings, fake_embedder, capsys):
    results: list[list[str]] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(6)

    def first_use() -> None:
        try:
            gate.wait()
            retriever = open_retriever(settings, progress=False, embedder=fake_embedder)
            results.append([hit.chunk.id for hit in retriever.search(QUERY, k=5)])
        except BaseException as error:  # collected, so the assertion names it
            errors.append(error)

    threads = [threading.Thread(target=first_use) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == 6 and all(r == results[0] for r in results)
    assert capsys.readouterr().err.count("Index built") == 1


@pytest.mark.slow
def test_three_real_cli_processes_on_an_empty_data_dir(tmp_path: Path) -> None:
    """The shipped path: sentence-transformers builds, one process exports the ONNX model, every
    process answers a question that needs the review search."""
    env = {**os.environ, "HCC_DATA_DIR": str(tmp_path / "data")}
    question = "What does the review say about anti-drug antibodies to atezolizumab?"
    running = [
        subprocess.Popen(
            [sys.executable, "-m", "assistant", "ask", "--json", question],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=600) for p in running]
    for process, (out, err) in zip(running, outputs, strict=True):
        assert process.returncode == 0, err
        payload = json.loads(out)
        assert any(
            "ici-resistance/" in c for cite in payload["citations"] for c in cite["chunk_ids"]
        )
        assert "notice:" not in err  # every process searched with the ONNX query model
    assert sum(err.count("Index built") for _, err in outputs) == 1
    assert sum("ONNX query model exported" in err for _, err in outputs) == 1
