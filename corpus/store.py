"""The dense side of the index: a Chroma collection of chunk embeddings.

What this module does to the store, `corpus.index` decides (under the data directory's lock):
`why_stale` says whether the stored collection still holds exactly what the manifest records,
down to a checksum of the stored vectors, and `write_store` builds a new one. An embedded store is
built in a sibling directory and swapped in by renaming, so a build that fails half-way leaves the
previous store whole. A store in a directory this process cannot write is read from a private
copy: Chroma's SQLite cannot be opened read-only, and the shared directory must stay untouched.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, cast

import chromadb
from chromadb.api.models.Collection import Collection
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function
from tqdm import tqdm

from corpus.chunking import CHUNKER_VERSION, Chunk
from corpus.embeddings import MODEL_NAME, Embedder, embed
from corpus.settings import IndexSettings

BATCH_SIZE = 32
SQLITE = "chroma.sqlite3"
_CLIENTS = threading.Lock()


@register_embedding_function
class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma adapter over the reference model, so Chroma never falls back to its own default
    embedder (which would fetch a model). Every add and query passes vectors, so it is not run."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        import numpy as np

        return [np.asarray(v, dtype=np.float32) for v in embed(list(input))]

    @staticmethod
    def name() -> str:
        return "hcc-minilm-offline"

    def default_space(self) -> Any:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_NAME}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        return MiniLMEmbeddingFunction()


def fingerprint(chunks: Sequence[Chunk], embedder: Embedder, model: str = "") -> str:
    """What the index embeds: chunker version, model (name and, for MiniLM, its files), chunks."""
    digest = hashlib.sha256(f"{CHUNKER_VERSION}|{embedder.name}|{model}".encode())
    for chunk in chunks:
        digest.update(f"\0{chunk.id}\0{chunk.search_text()}".encode())
    return digest.hexdigest()


def _chroma_settings() -> ChromaSettings:
    return ChromaSettings(anonymized_telemetry=False, allow_reset=True)


def make_client(settings: IndexSettings, directory: Path | None = None) -> Any:
    if settings.chroma_mode == "http":
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=_chroma_settings()
        )
    directory = directory or settings.chroma_dir
    directory.mkdir(parents=True, exist_ok=True)
    # Chroma shares one started "system" per directory, but two threads creating the first one
    # at once can get it before it has started ("no attribute 'bindings'").
    with _CLIENTS:
        return chromadb.PersistentClient(path=str(directory), settings=_chroma_settings())


def _close(client: Any) -> None:
    with _CLIENTS:
        client.close()


def _collection(client: Any, settings: IndexSettings) -> Collection:
    return client.get_or_create_collection(
        settings.collection,
        embedding_function=MiniLMEmbeddingFunction(),
        configuration={"hnsw": {"space": "cosine"}},
    )


def _metadata(chunk: Chunk) -> dict[str, str | int]:
    # Chroma metadata values are scalars, so lists travel as delimited strings.
    return {
        "kind": chunk.kind,
        "section": chunk.section,
        "refs": ",".join(map(str, chunk.refs)),
        "trials": "|".join(chunk.trials),
    }


def embeddings_checksum(collection: Collection) -> str:
    """SHA-256 over every stored (id, float32 vector), in id order."""
    import numpy as np

    stored = collection.get(include=cast(Any, ["embeddings"]))
    ids, vectors = stored["ids"], stored["embeddings"]
    digest = hashlib.sha256()
    for position in sorted(range(len(ids)), key=ids.__getitem__):
        digest.update(ids[position].encode() + b"\0")
        digest.update(np.asarray(vectors[position], dtype="<f4").tobytes())  # type: ignore[index]
    return digest.hexdigest()


def _writable(directory: Path) -> bool:
    return os.access(directory, os.W_OK) and os.access(directory / SQLITE, os.W_OK)


@cache
def _private_copy(directory: Path, stamp: tuple[int, int]) -> Path:
    """A copy of a read-only store that Chroma may open; removed when the process exits.

    `stamp` (the database's size and modification time) keys the cache: a store rebuilt by
    someone who can write there is copied again.
    """
    target = Path(tempfile.mkdtemp(prefix="hcc-index-")) / "chroma"
    atexit.register(shutil.rmtree, target.parent, ignore_errors=True)
    shutil.copytree(directory, target, copy_function=shutil.copyfile)
    for folder, _, files in os.walk(target):
        os.chmod(folder, 0o700)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o600)
    return target


def store_directory(settings: IndexSettings) -> Path:
    """Where Chroma opens the embedded store: the data directory, or a copy if it is read-only."""
    directory = settings.chroma_dir
    if not (directory / SQLITE).exists() or _writable(directory):
        return directory
    status = (directory / SQLITE).stat()
    return _private_copy(directory, (status.st_size, status.st_mtime_ns))


def why_stale(settings: IndexSettings, print_: str, manifest: dict[str, Any]) -> str | None:
    """Why the stored index cannot be used as the manifest describes it, or None."""
    if "fingerprint" not in manifest:
        return "no index has been built yet"
    if manifest.get("fingerprint") != print_:
        return "the corpus, the chunker or the model changed since the last build"
    if settings.chroma_mode != "http" and not (settings.chroma_dir / SQLITE).exists():
        return "the index store is missing"
    client = None
    try:
        client = make_client(settings, _directory(settings))
        collection = client.get_collection(settings.collection)
        count = collection.count()
        checksum = embeddings_checksum(collection) if count == manifest.get("chunks") else ""
    except Exception as error:  # Chroma raises many types for a damaged store
        reason: str | None = f"the index is unreadable ({type(error).__name__})"
    else:
        reason = None
        if count != manifest.get("chunks"):
            reason = f"the index holds {count} chunks, the manifest {manifest.get('chunks')}"
        elif checksum != manifest.get("embeddings_sha256"):
            reason = "the stored embeddings do not match the manifest's checksum"
    # A current store stays open for the search that follows (Chroma shares one client per
    # directory); a stale one is closed, so no handle outlives the files a rebuild replaces.
    if reason and client is not None and settings.chroma_mode != "http":
        _close(client)
    return reason


def _directory(settings: IndexSettings) -> Path | None:
    return None if settings.chroma_mode == "http" else store_directory(settings)


def write_store(
    chunks: Sequence[Chunk], settings: IndexSettings, embedder: Embedder, progress: bool
) -> dict[str, Any]:
    """Embed and store every chunk; the manifest entries that describe the new store."""
    if settings.chroma_mode == "http":
        client = make_client(settings)
        if settings.collection in [c.name for c in client.list_collections()]:
            client.delete_collection(settings.collection)
        return _fill(_collection(client, settings), chunks, embedder, progress)
    building = settings.data_dir / f"chroma.building.{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    client = make_client(settings, building)
    try:
        entries = _fill(_collection(client, settings), chunks, embedder, progress)
    except BaseException:
        _close(client)
        shutil.rmtree(building, ignore_errors=True)
        raise
    _close(client)
    _swap_in(building, settings.chroma_dir)
    return entries


def _fill(
    collection: Collection, chunks: Sequence[Chunk], embedder: Embedder, progress: bool
) -> dict[str, Any]:
    bar = tqdm(
        total=len(chunks),
        desc="Embedding chunks",
        unit="chunk",
        disable=not progress,
        file=sys.stderr,
    )
    for offset in range(0, len(chunks), BATCH_SIZE):
        batch = list(chunks[offset : offset + BATCH_SIZE])
        collection.add(
            ids=[c.id for c in batch],
            documents=[c.text for c in batch],
            metadatas=[_metadata(c) for c in batch],
            # Chroma's stub wants Sequence[float] rows; list is invariant, so say so once.
            embeddings=cast(Any, embedder([c.search_text() for c in batch])),
        )
        bar.update(len(batch))
    bar.close()
    # The checksum is taken from what Chroma stored (float32), not from what was sent.
    return {"chunks": collection.count(), "embeddings_sha256": embeddings_checksum(collection)}


def _swap_in(built: Path, live: Path) -> None:
    retired = live.with_name(f"{live.name}.retired.{os.getpid()}")
    if live.exists():
        live.rename(retired)
    built.rename(live)
    # Clients cached for the old files would keep answering from them; new opens start afresh.
    with _CLIENTS:
        SharedSystemClient.clear_system_cache()
    shutil.rmtree(retired, ignore_errors=True)


MANIFEST_KEY = "hcc_manifest"  # the collection metadata key holding the index's manifest entries


def read_server_manifest(settings: IndexSettings) -> dict[str, Any]:
    """The manifest entries stored with the collection on a Chroma server ({} if none)."""
    try:
        metadata = make_client(settings).get_collection(settings.collection).metadata or {}
        manifest = json.loads(str(metadata.get(MANIFEST_KEY, "{}")))
    except Exception:  # no collection yet, or an unreadable one: rebuilt either way
        return {}
    return dict(manifest) if isinstance(manifest, dict) else {}


def write_server_manifest(settings: IndexSettings, entries: dict[str, Any]) -> None:
    collection = _collection(make_client(settings), settings)
    collection.modify(metadata={MANIFEST_KEY: json.dumps(entries)})


def open_collection(settings: IndexSettings) -> Collection:
    """The collection to query (from a private copy when the data directory is read-only)."""
    return _collection(make_client(settings, _directory(settings)), settings)
