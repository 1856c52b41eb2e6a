"""Shared fixtures: every test gets its own data directory; fast tests use a fake embedder."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.settings import IndexSettings


class HashingEmbedder:
    """Bag-of-words vectors hashed into 64 dimensions: deterministic, instant, offline."""

    name = "test-hashing-64"
    dimensions = 64

    def __call__(self, texts: list[str]) -> list[list[float]]:
        vectors = []
        for text in texts:
            vector = [0.0] * self.dimensions
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                bucket = int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimensions
                vector[bucket] += 1.0
            norm = math.sqrt(sum(v * v for v in vector)) or 1.0
            vectors.append([v / norm for v in vector])
        return vectors


@pytest.fixture(scope="session", autouse=True)
def session_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The data directory for module- and session-scoped fixtures (an assistant made once per
    module stores its conversations there, not in the developer's `data/`)."""
    with pytest.MonkeyPatch.context() as patch:
        data_dir = tmp_path_factory.mktemp("session") / "data"
        patch.setenv("HCC_DATA_DIR", str(data_dir))
        yield data_dir


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the index at a temporary directory so no test touches the developer's `data/`."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("HCC_DATA_DIR", str(data_dir))
    yield data_dir


@pytest.fixture
def settings(isolated_data_dir: Path) -> IndexSettings:
    return IndexSettings(data_dir=isolated_data_dir)


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def fake_retriever_factory(tmp_path_factory):
    """A retriever over the real chunks with the hashing embedder: search without MiniLM."""
    from corpus.retrieval import HybridRetriever, ensure_index, review_chunks
    from corpus.store import open_collection
    from corpus.vocabulary import load_vocabulary

    settings = IndexSettings(data_dir=tmp_path_factory.mktemp("fake-index"))
    embedder = HashingEmbedder()
    chunks = review_chunks()
    ensure_index(settings, chunks, progress=False, embedder=embedder)
    retriever = HybridRetriever(
        chunks, open_collection(settings), load_vocabulary(), settings, embedder
    )
    return lambda: retriever


@pytest.fixture
def planner_assistant(fake_retriever_factory):
    """The default assistant (planner backend) with the fast fake search index."""
    from assistant.agent import Assistant
    from assistant.tools import ToolDeps

    return Assistant(deps=ToolDeps(retriever_factory=fake_retriever_factory))


@pytest.fixture(scope="session")
def real_index_dir(tmp_path_factory) -> Path:
    """One real index (MiniLM chunk embeddings + the exported ONNX query model) per session.

    Tests that change files work on a copy (`copy_index`); this one stays pristine.
    """
    from corpus.index import ensure_index

    data_dir = tmp_path_factory.mktemp("real-index") / "data"
    ensure_index(IndexSettings(data_dir=data_dir), progress=False)
    return data_dir


def copy_index(source: Path, target: Path) -> Path:
    """A copy of a built data directory (file modes kept) to damage or lock down."""
    import shutil

    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".index.lock"))
    return target
