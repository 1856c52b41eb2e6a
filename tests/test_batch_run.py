"""A batch answered over several processes: the same results, in the file's order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from functools import cache
from pathlib import Path

from assistant.batch import BatchLine
from assistant.batch_run import CHUNK, answer_in_order, default_workers, tasks

ROOT = Path(__file__).resolve().parent.parent


def _lines(threads: list[str | None]) -> list[BatchLine]:
    return [
        BatchLine(n + 1, str(n + 1), f"q{n}", thread=thread) for n, thread in enumerate(threads)
    ]


def test_a_threads_lines_stay_together_in_order_and_other_lines_run_in_chunks() -> None:
    threads: list[str | None] = [None] * 60
    threads[3] = threads[40] = threads[59] = "a"
    threads[10] = "b"
    found = tasks(_lines(threads))
    assert sorted(i for task in found for i in task) == list(range(60))  # each line once
    assert [3, 40, 59] in found and [10] in found
    assert all(task == sorted(task) for task in found)
    assert all(len(task) <= CHUNK for task in found if task not in ([3, 40, 59], [10]))
    assert [task[0] for task in found] == sorted(task[0] for task in found)


def test_a_line_with_a_problem_is_not_tied_to_its_thread() -> None:
    lines = _lines(["a", "a"])
    lines[1] = BatchLine(2, "2", thread="a", problem="bad profile")
    assert tasks(lines) == [[0], [1]]


# Forking is refused while other threads run (answer_in_order answers in-process then), and a
# test session has threads of its own: the pool is tested in a new interpreter.
POOL_CHECKS = """
import json, os, sys
from assistant.batch import BatchLine
from assistant.batch_run import answer_in_order

def lines(threads):
    return [BatchLine(n + 1, str(n + 1), f"q{n}", thread=t) for n, t in enumerate(threads)]

def with_history(batch):
    seen = {}
    def answer(indices):
        out = []
        for i in indices:
            history = seen.setdefault(batch[i].thread or f"line{i}", [])
            history.append(i)
            out.append(json.dumps({"i": i, "history": list(history), "pid": os.getpid()}))
        return out
    return answer

batch = lines([None if n % 3 else f"t{n % 7}" for n in range(200)])
one = [json.loads(r) for r in answer_in_order(batch, with_history(batch), 1)]
two = [json.loads(r) for r in answer_in_order(batch, with_history(batch), 2)]

parent = os.getpid()
def dying(indices):
    if os.getpid() != parent and 50 in indices:
        os._exit(3)  # a worker killed mid-batch
    return [str(i) for i in indices]
survived = list(answer_in_order(lines([None] * 120), dying, 2))
print(json.dumps({"one": one, "two": two, "parent": parent, "survived": survived}))
"""


@cache
def _pool_checks() -> dict:
    done = subprocess.run(
        [sys.executable, "-c", POOL_CHECKS],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_results_come_in_order_with_each_threads_history_as_in_one_process() -> None:
    found = _pool_checks()
    one, two = found["one"], found["two"]
    assert [r["i"] for r in two] == list(range(200))
    assert [r["history"] for r in two] == [r["history"] for r in one]
    pids = {r["pid"] for r in two}
    assert len(pids) > 1 and found["parent"] not in pids  # answered by the workers


def test_when_a_worker_dies_the_rest_is_answered_here() -> None:
    assert _pool_checks()["survived"] == [str(i) for i in range(120)]


def test_with_other_threads_running_it_answers_in_this_process() -> None:
    lines = _lines([None] * 120)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        pids = set(answer_in_order(lines, lambda ix: [str(os.getpid()) for _ in ix], 2))
    finally:
        stop.set()
        other.join()
    assert pids == {str(os.getpid())}


def test_a_short_batch_stays_in_one_process() -> None:
    assert default_workers(10) == 1
    assert 1 <= default_workers(10_000) <= (os.cpu_count() or 1)


def test_the_cli_gives_the_same_results_with_two_workers(tmp_path: Path) -> None:
    """Follow-ups in threads, refusals, bad lines and facts: the same JSON lines but the time."""
    questions = [
        {"id": "a1", "thread": "a", "question": "Child-Pugh A, ECOG 0, no varices: first line?"},
        {"id": "f1", "question": "What was the PD rate in LEAP-002?"},
        {"id": "a2", "thread": "a", "question": "And if she progresses on it?"},
        {"id": "p1", "question": "Write me a poem about the sea"},
        {"id": "f2", "question": "ORR of nivo ipi in CheckMate 9DW?"},
        {"id": "b1", "thread": "b", "question": "CP-A5, ECOG 1, varices treated: options?"},
        {"id": "a3", "thread": "a", "question": "Which one needs an EGD first?"},
    ]
    text = "".join(json.dumps(q) + "\n" for q in questions) * 15  # ids repeat: refused lines
    batch = tmp_path / "b.jsonl"
    batch.write_text(text + "not json\n")
    env = {**os.environ, "HCC_DATA_DIR": str(tmp_path / "data")}

    def run(workers: int) -> list[dict]:
        command = ["ask", "--workers", str(workers), "--batch", str(batch)]
        done = subprocess.run(
            [sys.executable, "-m", "assistant", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        rows = [json.loads(line) for line in done.stdout.splitlines()]
        for row in rows:
            row.pop("elapsed_ms")
        return rows

    one, two = run(1), run(2)
    assert len(one) == len(questions) * 15 + 1
    assert two == one
    assert sum(not r["refused"] for r in one) >= len(questions) - 1  # answered, not just refused


def test_a_model_backend_keeps_the_batch_in_one_process(monkeypatch, tmp_path: Path) -> None:
    """A model server's answers are I/O, and its HTTP connections must not be forked."""
    import assistant.cli_ask as cli_ask

    seen: list[int] = []

    def record(lines, answer, workers):
        seen.append(workers)
        return iter(answer(list(range(len(lines)))))

    class Remote:
        is_planner = False

        def ask(self, question, **_):
            raise AssertionError("not asked: every line below is a bad line")

    monkeypatch.setattr(cli_ask, "_assistant", lambda args, persist=True: Remote())
    monkeypatch.setattr(cli_ask, "answer_in_order", record)
    batch = tmp_path / "b.jsonl"
    batch.write_text("not json\n" * 300)
    args = cli_ask.argparse.Namespace(batch=batch, workers=2, backend="openai")
    assert cli_ask.run_batch(args) == 0
    assert seen == [1]
