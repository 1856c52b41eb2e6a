"""A valid index in a directory the process cannot write is used as it is.

Tests may run as root, where `chmod a-w` stops nothing. So the data directory is bind-mounted
read-only in a private mount namespace (`unshare -rm`, which works for root and, where user
namespaces are allowed, for others); there the kernel refuses every write, whoever asks, and the
runner proves it before the command starts. Without namespaces a non-root user gets `chmod a-w`.
Every test also checks that no file of the directory changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.agent import Assistant
from assistant.tools import ToolDeps
from corpus.chunking import review_chunks
from corpus.errors import IndexUnavailable
from corpus.index import build
from corpus.manifest import read_manifest, write_manifest
from corpus.retrieval import HybridRetriever
from corpus.settings import IndexSettings
from corpus.store import open_collection
from corpus.vocabulary import load_vocabulary
from tests.conftest import copy_index
from ui.service import ChatService, history
from ui.session import Session

ROOT = Path(__file__).resolve().parent.parent
NOT_READ_ONLY = 97  # the runner's exit code when the directory could still be written
SEARCH = """
import json, sys
from corpus.retrieval import open_retriever
from corpus.settings import IndexSettings
from tests.conftest import HashingEmbedder

retriever = open_retriever(IndexSettings(), progress=False, embedder=HashingEmbedder())
print(json.dumps([hit.chunk.id for hit in retriever.search(sys.argv[1], k=5)]))
"""
# Mount the directory ($0) read-only over itself, prove a write fails, then run the command.
MOUNT_READ_ONLY = (
    'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" || exit 98; '
    f'if touch "$0/.write-probe" 2>/dev/null; then exit {NOT_READ_ONLY}; fi; exec "$@"'
)


def _namespaces_work(directory: Path) -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    probe = subprocess.run(
        [unshare, "-rm", "sh", "-c", MOUNT_READ_ONLY, str(directory), "true"],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode == 0


def run_read_only(directory: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run `command` (HCC_DATA_DIR=directory) where `directory` cannot be written at all."""
    env = {**os.environ, "HCC_DATA_DIR": str(directory)}
    if _namespaces_work(directory):
        wrapped = ["unshare", "-rm", "sh", "-c", MOUNT_READ_ONLY, str(directory), *command]
        done = subprocess.run(
            wrapped, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
    elif os.geteuid() != 0:
        for path in [directory, *directory.rglob("*")]:
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        try:
            done = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
            )
        finally:
            for path in [directory, *directory.rglob("*")]:
                path.chmod(path.stat().st_mode | stat.S_IWUSR)
    else:
        pytest.fail("no way to make a read-only directory for root here (unshare -rm failed)")
    assert done.returncode != NOT_READ_ONLY, "the directory was still writable"
    return done


def snapshot(directory: Path) -> dict[str, tuple[int, int, str]]:
    """Every file with its size, modification time and checksum."""
    files = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            status = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            files[str(path.relative_to(directory))] = (status.st_size, status.st_mtime_ns, digest)
    return files


@pytest.fixture
def fake_index(tmp_path: Path, fake_embedder) -> IndexSettings:
    settings = IndexSettings(data_dir=tmp_path / "shared" / "data")
    build(review_chunks(), settings, progress=False, embedder=fake_embedder)
    return settings


def test_a_current_index_is_searched_without_writing(fake_index, fake_embedder) -> None:
    chunks = review_chunks()
    expected = HybridRetriever(
        chunks, open_collection(fake_index), load_vocabulary(), fake_index, fake_embedder
    ).search("TACE or HAIC for main portal vein tumour thrombus", k=5)
    before = snapshot(fake_index.data_dir)
    done = run_read_only(
        fake_index.data_dir,
        [sys.executable, "-c", SEARCH, "TACE or HAIC for main portal vein tumour thrombus"],
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [hit.chunk.id for hit in expected]
    assert "Index built" not in done.stderr
    assert snapshot(fake_index.data_dir) == before


def test_a_stale_index_it_cannot_rebuild_is_one_line_naming_the_setting(fake_index) -> None:
    manifest = read_manifest(fake_index)
    write_manifest(fake_index, {**manifest, "fingerprint": "from an older corpus"})
    before = snapshot(fake_index.data_dir)
    done = run_read_only(
        fake_index.data_dir, [sys.executable, "-m", "corpus", "search", "which regimen needs EGD?"]
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"error: cannot write the index in {fake_index.data_dir} (")
    assert "set HCC_DATA_DIR to a writable directory" in done.stderr
    assert snapshot(fake_index.data_dir) == before


def test_a_web_user_never_sees_the_server_path_or_a_traceback(capsys) -> None:
    """The index cannot be opened: the answer says search is unavailable; only the server's log
    (stderr) holds the path and the setting to change."""
    secret = "/srv/hcc/private-data"

    def broken():
        raise IndexUnavailable(
            f"cannot write the index in {secret} (no index has been built yet): Read-only file "
            "system; set HCC_DATA_DIR to a writable directory and run `python -m corpus build`"
        )

    service = ChatService(Assistant(deps=ToolDeps(retriever_factory=broken)))
    session = Session()
    turn = service.ask(session, "What does the review say about anti-drug antibodies?")
    shown = json.dumps([turn.body, history(session), turn.result.model_dump(mode="json")])
    assert secret not in shown and "Traceback" not in shown and "HCC_DATA_DIR" not in shown
    assert "could not be searched" in turn.body
    log = capsys.readouterr().err
    assert log.count(secret) == 1 and log.count("\n") == 1  # told once, in one line
    # Trial facts still work while search is down, and the failure is not retried each time.
    assert "12.2" in service.ask(session, "What was the PD rate in LEAP-002?").body
    service.ask(session, "And what does it say about hyperprogression?")
    assert secret not in capsys.readouterr().err


@pytest.mark.slow
def test_the_real_index_and_onnx_model_answer_read_only(real_index_dir: Path, tmp_path) -> None:
    shared = copy_index(real_index_dir, tmp_path / "shared")
    before = snapshot(shared)
    done = run_read_only(
        shared,
        [
            sys.executable,
            "-m",
            "assistant",
            "ask",
            "--json",
            "What does the review say about anti-drug antibodies to atezolizumab?",
        ],
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert "29.6%" in payload["answer"]
    assert done.stderr == ""  # no build, no notice: the ONNX query model was used as it is
    assert snapshot(shared) == before


@pytest.mark.slow
def test_a_missing_onnx_model_read_only_falls_back_with_one_notice(
    real_index_dir: Path, tmp_path
) -> None:
    shared = copy_index(real_index_dir, tmp_path / "shared")
    (shared / "minilm-query.onnx.data").unlink()
    done = run_read_only(
        shared,
        [sys.executable, "-m", "corpus", "search", "which regimen needs EGD?", "--json"],
    )
    assert done.returncode == 0, done.stderr
    assert any(row["id"].startswith("atezo-bev/") for row in json.loads(done.stdout))
    assert done.stderr == (
        "notice: the ONNX query model cannot be used: minilm-query.onnx.data is missing; "
        "queries use sentence-transformers (slower first answer)\n"
    )
