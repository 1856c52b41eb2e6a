"""What a cold `ask` imports, read from `python -X importtime` in a fresh process.

A trial fact or a rule-core question must not import the search stack (chromadb, the ONNX or torch
embedders); a question that searches the review imports the ONNX runtime and Chroma, never torch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEARCH_STACK = {
    "chromadb",
    "onnxruntime",
    "tokenizers",
    "torch",
    "sentence_transformers",
    "transformers",
    "corpus.index",
    "corpus.query_model",
    "corpus.retrieval",
    "corpus.store",
}
TORCH = {"torch", "sentence_transformers", "transformers"}


# `python -X importtime` also logs an import that failed or was refused (a library may block one
# on purpose), so the verdict is what `sys.modules` holds when the answer has been printed; the
# importtime log is kept for the failure message.
ASK = """
import json, sys
from assistant.cli import main
code = main(["ask", "--json", sys.argv[1]])
loaded = sorted(name for name, module in sys.modules.items() if module is not None)
print("LOADED " + json.dumps(loaded), file=sys.stderr)
sys.exit(code)
"""


def imported_by_ask(question: str, data_dir: Path) -> tuple[set[str], dict]:
    """The modules a new process answering `ask --json QUESTION` holds at the end, its answer."""
    env = {**os.environ, "HCC_DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", ASK, question],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stderr.splitlines()
    modules = set(json.loads(lines[-1].removeprefix("LOADED ")))
    logged = {
        line.rsplit("|", 1)[1].strip()
        for line in lines
        if line.startswith("import time:") and "|" in line
    }
    assert "assistant.agent" in modules and "assistant.agent" in logged
    return modules, json.loads(done.stdout)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What was the PD rate in LEAP-002?", "12.2%"),
        ("ORR of nivo ipi in CheckMate 9DW?", "CheckMate 9DW"),
        (
            "Child-Pugh A, ECOG 0, untreated varices, hoping for resection: "
            "which first-line regimen?",
            "varices",
        ),
    ],
)
def test_fact_and_rule_questions_do_not_import_the_search_stack(
    question: str, expected: str, tmp_path: Path
) -> None:
    modules, answer = imported_by_ask(question, tmp_path / "data")
    assert expected in answer["answer"]
    assert not any(t["tool"] == "search_review" for t in answer["trace"])
    assert not modules & SEARCH_STACK, sorted(modules & SEARCH_STACK)
    # and no index was built (the conversation store may have made the data directory)
    data = tmp_path / "data"
    assert (
        not any(p.name != "conversations.sqlite" for p in data.glob("*")) if data.exists() else True
    )
    # langsmith's generated API models stay unloaded (assistant.lazy_imports)
    assert "langsmith.types.run_select_field" in modules
    assert "langsmith.types.run" not in modules
    # nor langgraph_sdk's HTTP client (LangGraph needs one class of its auth types)
    assert "langgraph_sdk.auth.types" in modules
    assert "langgraph_sdk.client" not in modules and "httpx" not in modules


PRESIDIO = {"presidio_analyzer", "spacy", "phonenumbers"}


def test_a_name_without_identifying_digits_is_redacted_without_presidio(tmp_path: Path) -> None:
    """De-identification runs our recognizers directly; Presidio's analyzer (a second or two to
    import and build) is loaded only for text its recognizers could match (phi_presidio.py)."""
    question = "patient John Smith, Child-Pugh A, ECOG 0, untreated varices: which first-line?"
    modules, answer = imported_by_ask(question, tmp_path / "data")
    assert "John Smith" not in json.dumps(answer)
    assert answer["question"].startswith("patient [NAME],")
    assert not modules & PRESIDIO, sorted(modules & PRESIDIO)
    assert "guardrails.phi" in modules  # the control: the identifier step ran


def test_a_phone_number_loads_presidio_and_is_redacted(tmp_path: Path) -> None:
    question = "patient John Smith, phone +44 20 7946 0958, Child-Pugh A: which first-line?"
    modules, answer = imported_by_ask(question, tmp_path / "data")
    assert "7946" not in json.dumps(answer) and "John Smith" not in json.dumps(answer)
    assert "[PHONE]" in answer["question"]
    assert {"presidio_analyzer", "phonenumbers"} <= modules
    assert not modules & TORCH, sorted(modules & TORCH)


@pytest.mark.slow
def test_a_search_question_uses_onnxruntime_and_never_torch(real_index_dir: Path) -> None:
    modules, answer = imported_by_ask(
        "What does the review say about anti-drug antibodies to atezolizumab?", real_index_dir
    )
    assert any(t["tool"] == "search_review" and t["ok"] for t in answer["trace"])
    assert {"onnxruntime", "chromadb", "corpus.query_model"} <= modules  # the control
    assert not modules & TORCH, sorted(modules & TORCH)
