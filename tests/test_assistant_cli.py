"""`python -m assistant ask|chat|bench`: the CLI contract."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import assistant.cli_ask
from assistant.agent import Assistant
from assistant.cli import main
from assistant.conversations import MemoryConversations
from assistant.tools import ToolDeps
from corpus.regimens import load_catalogue


@pytest.fixture(autouse=True)
def fast_assistant(monkeypatch, fake_retriever_factory) -> None:
    """CLI runs in-process build the planner assistant over the fake search index."""

    def build(args, persist: bool = True):
        conversations = None if persist else MemoryConversations()
        return Assistant(
            deps=ToolDeps(retriever_factory=fake_retriever_factory), conversations=conversations
        )

    monkeypatch.setattr(assistant.cli_ask, "_assistant", build)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_prints_a_readable_cited_answer(capsys) -> None:
    code, out, err = run(capsys, "ask", "What was the PD rate in LEAP-002?")
    assert code == 0 and err == ""
    assert "12.2%" in out and "[LEAP-002; ref 24]" in out and "**References**" in out


def test_ask_json_is_the_contract(capsys) -> None:
    code, out, _ = run(capsys, "ask", "--json", "Next line after atezo/bev?")
    payload = json.loads(out)
    assert code == 0
    assert payload["recommended"][0] == "Lenvatinib"
    assert payload["refused"] is False and payload["refusal_reason"] is None
    assert payload["trace"][0]["tool"] == "select_regimens"


def test_ask_with_a_profile_file(capsys, tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"child_pugh_class": "A", "ecog": 0, "low_platelets": True}))
    code, out, _ = run(
        capsys, "ask", "--json", "--profile", str(profile), "Which first-line regimen?"
    )
    payload = json.loads(out)
    assert code == 0 and payload["profile"]["low_platelets"] is True
    catalogue = load_catalogue()
    assert payload["recommended_ids"]
    assert not any(catalogue.regimen(r).is_targeted for r in payload["recommended_ids"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ask", ""], "error: The question is empty."),
        (["ask", "x" * 5000], "error: The question is 5,000 characters long"),
        (["ask", "bad \udcff byte"], "error: The question is not valid UTF-8 text."),
        (["ask"], "error: ask needs a question"),
    ],
)
def test_bad_questions_exit_2_with_one_line(capsys, argv, message) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"child_pugh_class": "D"}', "child_pugh_class: Input should be"),
        ('{"ecog": 7}', "ecog: Input should be less than or equal to 4"),
        ('{"favourite_colour": "blue"}', "favourite_colour: Extra inputs are not permitted"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_malformed_profiles_exit_2(capsys, tmp_path: Path, content: str, message: str) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(content)
    code, out, err = run(capsys, "ask", "--profile", str(profile), "Which regimen?")
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_batch_answers_every_line_and_refuses_bad_ones(capsys, tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "question": "ORR of nivo ipi in CheckMate 9DW?"}),
        json.dumps({"id": "b", "question": ""}),
        "not json",
        json.dumps({"id": "d", "question": "Which regimen?", "profile": {"ecog": 9}}),
        json.dumps(
            {"id": "e", "question": "Child-Pugh A, ECOG 0, no varices: first line?", "thread": "t1"}
        ),
        json.dumps({"id": "f", "question": "What if she had untreated varices?", "thread": "t1"}),
    ]
    batch = tmp_path / "in.jsonl"
    batch.write_bytes(("\n".join(lines) + "\n").encode() + b"\xff\xfe\n")
    code, out, _ = run(capsys, "ask", "--batch", str(batch))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["id"] for r in rows] == ["a", "b", "3", "d", "e", "f", "7"]
    assert "36%" in rows[0]["answer"] and not rows[0]["refused"]
    assert rows[1]["refused"] and rows[1]["refusal_reason"] == "The question is empty."
    assert rows[2]["refused"] and "not valid JSON" in rows[2]["refusal_reason"]
    assert rows[3]["refused"] and "ecog" in rows[3]["refusal_reason"]
    assert "Atezolizumab + bevacizumab" in rows[4]["recommended"]
    assert rows[5]["profile"]["ecog"] == 0  # the follow-up kept the thread's patient
    assert "Atezolizumab + bevacizumab" not in rows[5]["recommended"]
    assert rows[6]["refused"] and "not valid UTF-8" in rows[6]["refusal_reason"]


def test_missing_batch_file(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "ask", "--batch", str(tmp_path / "none.jsonl"))
    assert code == 2 and "cannot read batch file" in err


def test_chat_keeps_the_patient_and_resets(monkeypatch, capsys) -> None:
    answers = iter(
        [
            "Child-Pugh A, ECOG 0, no varices on EGD: first-line options?",
            "/profile",
            "what if she also has untreated varices?",
            "/new",
            "/profile",
            "/quit",
        ]
    )
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    assert '"varices": "none"' in out
    assert "New patient: the profile is cleared." in out
    assert out.rstrip().endswith("No patient details yet.")


@pytest.mark.slow
def test_real_cli_process(tmp_path: Path) -> None:
    env = {**os.environ, "HCC_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--json", "Which regimen needs an EGD?"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert any(
        c["chunk_ids"] and c["chunk_ids"][0].startswith(("atezo-bev/", "sintilimab-ibi305/"))
        for c in payload["citations"]
    )
    empty = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", ""],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert empty.returncode == 2 and empty.stderr == "error: The question is empty.\n"


@pytest.mark.slow
def test_bench_reports_cold_start_and_warm_latency(capsys) -> None:
    code, out, _ = run(capsys, "bench", "--repeat", "1")
    assert code == 0
    assert "cold start (new process, first answer):" in out
    assert "warm answers: 12 over 12 questions: p50" in out and "p95" in out
