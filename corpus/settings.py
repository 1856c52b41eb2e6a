"""Where the index lives and how Chroma is reached; read from HCC_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from corpus.paths import REVIEW_PATH

# The checkout root when installed in development mode, so `make` and the CLI agree on `data/`.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class IndexSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HCC_", extra="ignore")

    data_dir: Path = Field(
        default=PROJECT_ROOT / "data", description="index and manifest live here"
    )
    corpus_path: Path = Field(default=REVIEW_PATH, description="the review's plain text")
    collection: str = Field(default="hcc_review", min_length=3)  # Chroma needs 3+ characters
    chroma_mode: Literal["embedded", "http"] = "embedded"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000
    max_query_chars: int = Field(default=2000, gt=0)
    # "onnx": queries run the exported model with onnxruntime (no torch in the process);
    # "reference": queries use sentence-transformers, as the index build does.
    query_embedder: Literal["onnx", "reference"] = "onnx"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def manifest_path(self) -> Path:
        return self.data_dir / "index-manifest.json"

    @property
    def query_model_path(self) -> Path:
        return self.data_dir / "minilm-query.onnx"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / ".index.lock"
