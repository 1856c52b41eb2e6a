"""Keep the index and the ONNX query model current, safely shared between processes.

`build` checks under a shared lock whether the stored index (and, for MiniLM, the exported query
model) still matches what it should hold; only when something is stale does it take the lock alone,
look again (another process may have just built it) and rebuild what is stale. Processes and
threads starting together on an empty directory therefore build once and all answer.

A directory that cannot be written is used as it is when it is current. When it needs a build
there, `IndexUnavailable` says so in one line with the setting to change. A missing or damaged
query model in such a directory is not fatal: queries fall back to the reference embedder with a
one-line notice.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus import store
from corpus.chunking import Chunk, review_chunks
from corpus.embeddings import Embedder, MiniLMEmbedder, model_source
from corpus.errors import IndexUnavailable
from corpus.locking import index_lock
from corpus.manifest import read_manifest, write_manifest
from corpus.query_model import OnnxEmbedder, QueryModelError, export, verify
from corpus.query_model import why_stale as query_model_stale
from corpus.settings import IndexSettings

# Threads of one process take turns here before they take the file lock: Chroma caches one
# client per directory per process, and a rebuild must not pull it from under a check.
_PROCESS_LOCK = threading.RLock()
_NOTICES: set[str] = set()
_EXPORT_FAILED: dict[Path, str] = {}  # query model path -> why its export failed in this process


@dataclass(frozen=True)
class BuildReport:
    rebuilt: bool
    chunks: int
    seconds: float
    reason: str
    query_model: str = ""  # what happened to the ONNX query model, when something did


@dataclass(frozen=True)
class _Plan:
    index: str | None  # why the stored index must be rebuilt
    query_model: str | None  # why the ONNX query model must be exported
    fingerprint: str
    source: dict[str, Any] | None  # the MiniLM files' fingerprint (None for other embedders)
    manifest: dict[str, Any]

    @property
    def current(self) -> bool:
        return self.index is None and self.query_model is None


def notice(message: str) -> None:
    """A one-line notice on stderr, once per process."""
    if message not in _NOTICES:
        _NOTICES.add(message)
        print(f"notice: {message}", file=sys.stderr)


def _plan(
    chunks: Sequence[Chunk], settings: IndexSettings, embedder: Embedder, minilm: bool
) -> _Plan:
    manifest = read_manifest(settings)
    source = model_source(manifest.get("model")) if minilm else None
    print_ = store.fingerprint(chunks, embedder, source["sha256"] if source else "")
    query = None
    if source is not None and settings.query_embedder == "onnx":
        query = query_model_stale(settings.query_model_path, manifest.get("query_model"), source)
    return _Plan(store.why_stale(settings, print_, manifest), query, print_, source, manifest)


def build(
    chunks: Sequence[Chunk],
    settings: IndexSettings,
    force: bool = False,
    progress: bool = True,
    embedder: Embedder | None = None,
) -> BuildReport:
    """Embed and store the chunks unless the stored index already holds exactly these.

    With the default embedder (MiniLM), also export the ONNX query model when it is stale.
    """
    started = time.perf_counter()
    # MiniLM passed explicitly is the same model: the same fingerprint, or a replica that passes
    # it would rebuild (and so empty) the shared index the others are searching.
    minilm = embedder is None or isinstance(embedder, MiniLMEmbedder)
    embedder = embedder or MiniLMEmbedder()
    plan: _Plan | None = None
    with _PROCESS_LOCK:
        if not force:
            with index_lock(settings, exclusive=False):
                plan = _plan(chunks, settings, embedder, minilm)
            if plan.current:
                return BuildReport(
                    False, len(chunks), time.perf_counter() - started, "index is current"
                )
        try:
            with index_lock(settings, exclusive=True):
                return _build_locked(chunks, settings, embedder, minilm, force, progress, started)
        except OSError as error:
            if plan is not None and plan.index is None:  # only the query model: it falls back
                return BuildReport(
                    False, len(chunks), time.perf_counter() - started, "index is current"
                )
            reason = plan.index if plan is not None else None
            raise IndexUnavailable(_cannot_write(settings, error, reason)) from None


def _build_locked(
    chunks: Sequence[Chunk],
    settings: IndexSettings,
    embedder: Embedder,
    minilm: bool,
    force: bool,
    progress: bool,
    started: float,
) -> BuildReport:
    plan = _plan(chunks, settings, embedder, minilm)  # again: the index may be current by now
    index_reason = "rebuild forced" if force else plan.index
    query_reason = plan.query_model
    if force and plan.source is not None and settings.query_embedder == "onnx":
        query_reason = query_reason or "rebuild forced"
    manifest = dict(plan.manifest)
    if index_reason:
        manifest = {
            "fingerprint": plan.fingerprint,
            **store.write_store(chunks, settings, embedder, progress),
        }
        if plan.source is not None:
            manifest["model"] = plan.source
            if "query_model" in plan.manifest and not query_reason:
                manifest["query_model"] = plan.manifest["query_model"]
    exported = ""
    if query_reason and plan.source is not None:
        exported = _export(settings, plan.source, query_reason, manifest)
    if index_reason or exported.startswith("ONNX query model exported"):
        write_manifest(settings, manifest)
    seconds = time.perf_counter() - started
    if index_reason:
        return BuildReport(True, len(chunks), seconds, index_reason, exported)
    return BuildReport(False, len(chunks), seconds, "index is current", exported)


def _export(
    settings: IndexSettings, source: dict[str, Any], reason: str, manifest: dict[str, Any]
) -> str:
    """Export the ONNX query model into the manifest; what was done, for the report."""
    manifest.pop("query_model", None)
    try:
        manifest["query_model"] = export(settings.query_model_path, source)
    except OSError:
        raise
    except Exception as error:  # torch's exporter raises many types
        first_line = str(error).splitlines()[0][:120] if str(error) else ""
        _EXPORT_FAILED[settings.query_model_path] = f"{type(error).__name__}: {first_line}"
        return f"ONNX export failed ({_EXPORT_FAILED[settings.query_model_path]})"
    _EXPORT_FAILED.pop(settings.query_model_path, None)
    return f"ONNX query model exported ({reason})"


def _cannot_write(settings: IndexSettings, error: OSError, reason: str | None) -> str:
    why = f" ({reason})" if reason else ""
    return (
        f"cannot write the index in {settings.data_dir}{why}: {error.strerror or error}; "
        "set HCC_DATA_DIR to a writable directory and run `python -m corpus build`"
    )


def ensure_index(
    settings: IndexSettings,
    chunks: Sequence[Chunk] | None = None,
    progress: bool = True,
    embedder: Embedder | None = None,
) -> BuildReport:
    """Build the index if it is missing, stale or unreadable, saying why on stderr."""
    chunks = review_chunks(settings) if chunks is None else chunks
    report = build(chunks, settings, progress=progress, embedder=embedder)
    if report.rebuilt:
        done = report.query_model
        exported = f"; {done.split(' (')[0]}" if done.startswith("ONNX") else ""
        print(
            f"Index built ({report.reason}){exported}: {report.chunks} chunks in "
            f"{report.seconds:.1f} s at {settings.data_dir}",
            file=sys.stderr,
        )
    elif report.query_model.startswith("ONNX query model exported"):
        print(f"{report.query_model} in {report.seconds:.1f} s", file=sys.stderr)
    return report


def query_embedder(settings: IndexSettings) -> Embedder:
    """The MiniLM embedder for queries: the ONNX model when it is sound, else the reference.

    The ONNX file's checksum is verified as it is loaded; a damaged file is exported again
    (where the directory can be written) and otherwise replaced by the reference with a notice.
    """
    if settings.query_embedder == "reference":
        return MiniLMEmbedder()
    for attempt in (1, 2):
        record = read_manifest(settings).get("query_model")
        if record:
            try:
                return OnnxEmbedder.load(settings.query_model_path, record)
            except QueryModelError as error:
                problem = f"the ONNX query model cannot be used: {error}"
        else:
            problem = "the ONNX query model is missing"
        failed = _EXPORT_FAILED.get(settings.query_model_path)
        if failed:
            problem = f"{problem} and its export failed ({failed})"
        if attempt == 2 or failed or not _repair(settings, problem):
            break
    notice(f"{problem}; queries use sentence-transformers (slower first answer)")
    return MiniLMEmbedder()


def _repair(settings: IndexSettings, problem: str) -> bool:
    """Export the query model again; False when the directory cannot be written."""
    with _PROCESS_LOCK:
        try:
            with index_lock(settings, exclusive=True):
                manifest = read_manifest(settings)
                record = manifest.get("query_model")
                if record:  # another process may have repaired it while we waited
                    try:
                        verify(settings.query_model_path, record)
                        return True
                    except QueryModelError:
                        pass
                source = model_source(manifest.get("model"))
                if not _export(settings, source, problem, manifest).startswith("ONNX query"):
                    return False
                write_manifest(settings, manifest)
        except OSError:
            return False
    print(f"ONNX query model exported again ({problem})", file=sys.stderr)
    return True
