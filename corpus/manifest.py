"""The index manifest: what the stored index and the exported query model were built from.

Keys: `fingerprint` and `chunks` (what was embedded), `embeddings_sha256` (a checksum of the stored
vectors), `model` (the model files' fingerprint) and `query_model` (the exported ONNX files'
record). One JSON file next to the store, replaced atomically (a reader sees the old file or the
new one, never half of one).

On a Chroma server the index's own keys live in the collection's metadata instead, beside the
vectors they describe: every replica (each with its own data directory) then sees the same
fingerprint, and none rebuilds, and so empties, the index the others are searching. The query
model is a local file, so its record stays in the local manifest.
"""

from __future__ import annotations

import json
import os
from typing import Any

from corpus.settings import IndexSettings

INDEX_KEYS = ("fingerprint", "chunks", "embeddings_sha256")


def _read_file(settings: IndexSettings) -> dict[str, Any]:
    try:
        manifest = json.loads(settings.manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return dict(manifest) if isinstance(manifest, dict) else {}


def read_manifest(settings: IndexSettings) -> dict[str, Any]:
    """The manifest, or {} when it is missing or unreadable (both mean "build again")."""
    manifest = _read_file(settings)
    if settings.chroma_mode == "http":
        from corpus.store import read_server_manifest

        manifest = {k: v for k, v in manifest.items() if k not in INDEX_KEYS}
        manifest.update(
            {k: v for k, v in read_server_manifest(settings).items() if k in INDEX_KEYS}
        )
    return manifest


def write_manifest(settings: IndexSettings, manifest: dict[str, Any]) -> None:
    if settings.chroma_mode == "http":
        from corpus.store import write_server_manifest

        write_server_manifest(settings, {k: manifest[k] for k in INDEX_KEYS if k in manifest})
        manifest = {k: v for k, v in manifest.items() if k not in INDEX_KEYS}
    # A name per process: two writers never share a temporary file (the lock serialises them,
    # but a writer killed mid-way must not leave a file another one would rename).
    temporary = settings.manifest_path.with_name(f".{settings.manifest_path.name}.{os.getpid()}")
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        temporary.replace(settings.manifest_path)
    finally:
        temporary.unlink(missing_ok=True)
