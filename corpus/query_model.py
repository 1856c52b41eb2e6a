"""The query-time copy of MiniLM: exported to ONNX from the reference, run with onnxruntime.

Loading torch and sentence-transformers to embed one query costs ~6 s and ~470 MB; onnxruntime with
the fast tokenizer does it in a fraction of that. The ONNX file is exported locally from the
packaged weights by `torch.onnx.export` when the index is built (nothing is downloaded), lives in
the data directory, and is recorded in the index manifest with its checksum, the model files'
fingerprint and the export settings; a change to any of them exports it again.

Pooling and normalisation are sentence-transformers' (mean over the real tokens, then unit
length), done in numpy. Only `export` imports torch; `OnnxEmbedder` never does.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

from corpus.embeddings import MODEL_NAME, load_model, max_tokens, model_dir

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "last_hidden_state"
# Everything that shapes the exported graph; part of the manifest record, so changing any of it
# (or EXPORT_VERSION, for changes to the code below) exports the model again.
EXPORT_SETTINGS = {
    "version": 1,
    "opset": 17,
    "inputs": list(INPUTS),
    "output": OUTPUT,
    "dynamic_axes": ["batch", "sequence"],
    "attention": "eager",
    "pooling": "mean",
    "normalize": True,
}


class QueryModelError(Exception):
    """The ONNX query model is missing, damaged or cannot be run."""


def files(path: Path) -> tuple[Path, Path]:
    """The graph and, beside it, its weights (external data, which onnxruntime maps from disk:
    a query process only pages in the embedding rows it uses, ~60 MB instead of ~140 MB)."""
    return path, path.with_name(path.name + ".data")


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def export(path: Path, source: dict[str, Any]) -> dict[str, Any]:
    """Export the reference model's transformer beside `path`; its manifest record.

    Written in a private folder and renamed into place, so a reader never opens half a file.
    """
    import onnx
    import torch

    transformer: Any = load_model()[0].auto_model
    previous = transformer.config._attn_implementation
    # Plain attention traces to a graph without shape-dependent branches.
    transformer.set_attn_implementation(EXPORT_SETTINGS["attention"])
    transformer.eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    example = torch.ones((2, 8), dtype=torch.long)
    folder = path.with_name(f".{path.name}.{os.getpid()}.export")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    graph, weights = files(path)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # The TorchScript exporter warns about its own deprecation and about trace-time
            # shape checks that are constant for an encoder; parity is tested instead.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                LastHiddenState(),
                (example, torch.ones_like(example), torch.zeros_like(example)),
                str(folder / "whole.onnx"),
                input_names=list(INPUTS),
                output_names=[OUTPUT],
                dynamic_axes={name: {0: "batch", 1: "sequence"} for name in (*INPUTS, OUTPUT)},
                opset_version=int(EXPORT_SETTINGS["opset"]),  # type: ignore[call-overload]
                do_constant_folding=True,
                dynamo=False,
            )
        onnx.save_model(
            onnx.load(str(folder / "whole.onnx")),
            str(folder / graph.name),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location=weights.name,
            size_threshold=1024,
        )
        for name in (graph.name, weights.name):
            # onnx writes the weights 0600; others sharing a read-only install must read them.
            (folder / name).chmod(0o644)
        record = {
            "files": {
                name: {"sha256": _sha256(folder / name), "bytes": (folder / name).stat().st_size}
                for name in (graph.name, weights.name)
            },
            "source": source["sha256"],
            "export": EXPORT_SETTINGS,
        }
        (folder / weights.name).replace(weights)
        (folder / graph.name).replace(graph)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        transformer.set_attn_implementation(previous)
    return record


def why_stale(path: Path, record: dict[str, Any] | None, source: dict[str, Any]) -> str | None:
    """Why the exported model cannot be used as recorded (cheap checks), or None."""
    if not record or not isinstance(record.get("files"), dict):
        return "no ONNX query model has been exported yet"
    if record.get("source") != source["sha256"]:
        return "the model files changed since the ONNX export"
    if record.get("export") != EXPORT_SETTINGS:
        return "the ONNX export settings changed"
    for file in files(path):
        try:
            size = file.stat().st_size
        except OSError:
            return "the ONNX query model is missing"
        if size != record["files"].get(file.name, {}).get("bytes"):
            return "the ONNX query model is damaged (a file's size differs from the manifest's)"
    return None


def verify(path: Path, record: dict[str, Any]) -> None:
    """Raise `QueryModelError` unless both files match the checksums in `record`."""
    for file in files(path):
        expected = record.get("files", {}).get(file.name, {}).get("sha256")
        try:
            actual = _sha256(file)
        except FileNotFoundError:
            raise QueryModelError(f"{file.name} is missing") from None
        except OSError as error:
            raise QueryModelError(f"{file.name} cannot be read ({error.strerror})") from None
        if actual != expected:
            raise QueryModelError(f"{file.name}'s checksum differs from the manifest's")


class OnnxEmbedder:
    """MiniLM on onnxruntime: the same vectors as the reference, without torch."""

    name = MODEL_NAME  # the same model and vectors, so the index built by the reference fits

    def __init__(self, model: Path, threads: int = 1) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        # One short query gains nothing from more threads, and the web app embeds for several
        # sessions at once on two cores; spinning threads would only steal them.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            self._session = onnxruntime.InferenceSession(
                str(model), options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # onnxruntime raises its own types for a broken graph
            raise QueryModelError(f"onnxruntime cannot load it ({type(error).__name__})") from None
        names = [i.name for i in self._session.get_inputs()]
        if names != list(INPUTS):
            raise QueryModelError(f"unexpected inputs {names}")
        tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        # The file pads and truncates to 128; sentence-transformers truncates at the model's
        # window (256) and pads each batch to its longest text, as `encode` does.
        tokenizer.enable_truncation(max_length=max_tokens())
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._pad_id = tokenizer.token_to_id("[PAD]") or 0

    @classmethod
    def load(cls, path: Path, record: dict[str, Any], threads: int = 1) -> OnnxEmbedder:
        """The embedder for the model at `path`, refused unless it matches its `record`."""
        verify(path, record)
        return cls(path, threads)

    def __call__(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self.encode(texts)]

    def encode(self, texts: list[str], batch_size: int = 32) -> Any:
        """Unit vectors as a float32 array, one row per text (batched by length, as the reference
        batches, so little padding is computed)."""
        import numpy as np

        encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        pooled_rows: dict[int, Any] = {}
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            types = np.zeros((len(rows), width), dtype=np.int64)
            for row, i in enumerate(rows):
                length = len(encodings[i].ids)
                ids[row, :length] = encodings[i].ids
                mask[row, :length] = 1
                types[row, :length] = encodings[i].type_ids
            hidden = self._session.run(
                [OUTPUT], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            pooled_rows.update(zip(rows, pooled, strict=True))
        return np.array([pooled_rows[i] for i in range(len(texts))], dtype=np.float32)
