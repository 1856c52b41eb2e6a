"""The dense side of the index: a Chroma collection of chunk embeddings, built idempotently.

A manifest next to the store records a fingerprint of what was embedded (chunk ids and texts,
chunker version, model). A build with an unchanged fingerprint and a complete collection does
nothing; anything else (new corpus, missing or unreadable store) is rebuilt from scratch.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import chromadb
from chromadb.api.models.Collection import Collection
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from tqdm import tqdm

from corpus.chunking import CHUNKER_VERSION, Chunk
from corpus.embeddings import Embedder, MiniLMEmbedder, MiniLMEmbeddingFunction
from corpus.errors import IndexUnavailable
from corpus.settings import IndexSettings

BATCH_SIZE = 32


@dataclass(frozen=True)
class BuildReport:
    rebuilt: bool
    chunks: int
    seconds: float
    reason: str


def fingerprint(chunks: Sequence[Chunk], embedder: Embedder) -> str:
    digest = hashlib.sha256(f"{CHUNKER_VERSION}|{embedder.name}".encode())
    for chunk in chunks:
        digest.update(f"\0{chunk.id}\0{chunk.search_text()}".encode())
    return digest.hexdigest()


def make_client(settings: IndexSettings) -> Any:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_mode == "http":
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


def _metadata(chunk: Chunk) -> dict[str, str | int]:
    # Chroma metadata values are scalars, so lists travel as delimited strings.
    return {
        "kind": chunk.kind,
        "section": chunk.section,
        "refs": ",".join(map(str, chunk.refs)),
        "trials": "|".join(chunk.trials),
    }


def _read_manifest(settings: IndexSettings) -> dict[str, Any]:
    if settings.chroma_mode == "http":
        return _server_manifest(settings)
    try:
        return dict(json.loads(settings.manifest_path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


# On a Chroma server the manifest is the collection's metadata, beside the vectors it describes:
# every replica (with its own data directory) then sees the same fingerprint, and none of them
# rebuilds, and so empties, the index the others are searching.
MANIFEST_KEY = "hcc_manifest"


def _server_manifest(settings: IndexSettings) -> dict[str, Any]:
    try:
        metadata = make_client(settings).get_collection(settings.collection).metadata or {}
        return dict(json.loads(str(metadata.get(MANIFEST_KEY, "{}"))))
    except Exception:  # no collection yet, or an unreadable one: rebuilt either way
        return {}


def _write_manifest(settings: IndexSettings, manifest: dict[str, Any]) -> None:
    if settings.chroma_mode == "http":
        collection = _collection(make_client(settings), settings)
        collection.modify(metadata={MANIFEST_KEY: json.dumps(manifest)})
        return
    temporary = settings.manifest_path.with_suffix(".tmp")
    temporary.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    temporary.replace(settings.manifest_path)


def _collection(client: Any, settings: IndexSettings) -> Collection:
    return client.get_or_create_collection(
        settings.collection,
        embedding_function=MiniLMEmbeddingFunction(),
        configuration={"hnsw": {"space": "cosine"}},
    )


def _why_stale(settings: IndexSettings, print_: str) -> str | None:
    """Why the built index cannot be used as is, or None when it is current."""
    manifest = _read_manifest(settings)
    if not manifest:
        return "no index has been built yet"
    if manifest.get("fingerprint") != print_:
        return "the corpus or the chunker changed since the last build"
    try:
        count = _collection(make_client(settings), settings).count()
    except Exception as error:  # Chroma raises many types for a damaged store
        return f"the index is unreadable ({type(error).__name__})"
    if count != manifest.get("chunks"):
        return f"the index holds {count} chunks, the manifest {manifest.get('chunks')}"
    return None


def _reset(settings: IndexSettings) -> None:
    if settings.chroma_mode == "http":
        client = make_client(settings)
        if settings.collection in [c.name for c in client.list_collections()]:
            client.delete_collection(settings.collection)
        return
    SharedSystemClient.clear_system_cache()  # drop cached handles onto the old files
    shutil.rmtree(settings.chroma_dir, ignore_errors=True)
    settings.manifest_path.unlink(missing_ok=True)


def build(
    chunks: Sequence[Chunk],
    settings: IndexSettings,
    force: bool = False,
    progress: bool = True,
    embedder: Embedder | None = None,
) -> BuildReport:
    """Embed and store the chunks unless the stored index already holds exactly these."""
    started = time.perf_counter()
    embedder = embedder or MiniLMEmbedder()
    print_ = fingerprint(chunks, embedder)
    reason = "rebuild forced" if force else _why_stale(settings, print_)
    if reason is None:
        return BuildReport(False, len(chunks), time.perf_counter() - started, "index is current")
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        _reset(settings)
        collection = _collection(make_client(settings), settings)
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
        _write_manifest(settings, {"fingerprint": print_, "chunks": len(chunks)})
    except OSError as error:
        raise IndexUnavailable(f"cannot write the index in {settings.data_dir}: {error}") from None
    return BuildReport(True, len(chunks), time.perf_counter() - started, reason)


def open_collection(settings: IndexSettings) -> Collection:
    return _collection(make_client(settings), settings)
