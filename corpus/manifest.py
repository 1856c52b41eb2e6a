"""The index manifest: what the stored index and the exported query model were built from.

One JSON file next to the store, replaced atomically (a reader sees the old file or the new one,
never half of one). Keys: `fingerprint` and `chunks` (what was embedded), `embeddings_sha256`
(a checksum of the stored vectors), `model` (the model files' fingerprint) and `query_model`
(the exported ONNX file's record).
"""

from __future__ import annotations

import json
import os
from typing import Any

from corpus.settings import IndexSettings


def read_manifest(settings: IndexSettings) -> dict[str, Any]:
    """The manifest, or {} when it is missing or unreadable (both mean "build again")."""
    try:
        manifest = json.loads(settings.manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return dict(manifest) if isinstance(manifest, dict) else {}


def write_manifest(settings: IndexSettings, manifest: dict[str, Any]) -> None:
    # A name per process: two writers never share a temporary file (the lock serialises them,
    # but a writer killed mid-way must not leave a file another one would rename).
    temporary = settings.manifest_path.with_name(f".{settings.manifest_path.name}.{os.getpid()}")
    try:
        temporary.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        temporary.replace(settings.manifest_path)
    finally:
        temporary.unlink(missing_ok=True)
