"""On a Chroma server the index's manifest entries live with the collection, shared by replicas.

Starts `chroma run` on a free loopback port for the module and stops it afterwards.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus.chunking import review_chunks
from corpus.index import build
from corpus.manifest import INDEX_KEYS, read_manifest
from corpus.settings import IndexSettings
from corpus.store import embeddings_checksum, open_collection

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory) -> int:
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = subprocess.Popen(
        [chroma, "run", "--host", "127.0.0.1", "--port", str(port), "--path",
         str(tmp_path_factory.mktemp("chroma-server"))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "chroma run failed"
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def replica(tmp_path: Path, name: str, port: int) -> IndexSettings:
    return IndexSettings(
        data_dir=tmp_path / name, chroma_mode="http", chroma_port=port, collection="replicas"
    )


def test_replicas_share_the_manifest_and_see_tampering(chroma_port, tmp_path, fake_embedder):
    chunks = review_chunks()
    first, second = (replica(tmp_path, n, chroma_port) for n in ("one", "two"))
    assert build(chunks, first, progress=False, embedder=fake_embedder).rebuilt
    again = build(chunks, second, progress=False, embedder=fake_embedder)
    assert not again.rebuilt  # the other replica's data directory is empty, yet it is current
    manifest = read_manifest(second)
    assert manifest["embeddings_sha256"] == embeddings_checksum(open_collection(second))
    assert not set(INDEX_KEYS) & set(
        read_manifest(first.model_copy(update={"chroma_mode": "embedded"}))
    )

    collection = open_collection(first)
    stored = collection.get(include=["embeddings"], limit=50)
    collection.update(
        ids=stored["ids"],
        embeddings=[list(reversed(list(map(float, v)))) for v in stored["embeddings"]],
    )
    report = build(chunks, second, progress=False, embedder=fake_embedder)
    assert report.rebuilt
    assert report.reason == "the stored embeddings do not match the manifest's checksum"
    assert not build(chunks, first, progress=False, embedder=fake_embedder).rebuilt
