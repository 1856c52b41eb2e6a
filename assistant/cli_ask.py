"""`ask`, `chat` and `bench`: questions in plain language, answered with citations."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from assistant.agent import Assistant, check_question
from assistant.batch import BatchLine, read_batch
from assistant.batch_run import answer_in_order, default_workers
from assistant.conversations import MemoryConversations
from assistant.settings import AssistantSettings
from clinical.answer import AnswerResult
from clinical.profile import ProfileError, load_profile
from corpus.timing import warm_latency

BENCH_QUESTIONS = (
    "What was the PD rate in LEAP-002?",
    "ORR of nivo ipi in CheckMate 9DW?",
    "Which first-line combination has the lowest PD rate?",
    "Which regimen has the fewest grade 3 TRAEs?",
    "Child-Pugh A, ECOG 0, untreated varices, hoping for resection: which first-line regimen?",
    "CP-A5, ECOG 1, no varices on EGD, long-term control: first-line options?",
    "s/p liver transplant, Child-Pugh A, ECOG 0: which first-line systemic therapy?",
    "Next line after atezolizumab plus bevacizumab?",
    "Progressed on lenvatinib, ECOG 1, Child-Pugh A: second-line options?",
    "Beyond up-to-7 with main PVTT: TACE or HAIC?",
    "What does the review say about anti-drug antibodies to atezolizumab?",
    "Which regimen needs an EGD before starting?",
)
# A trial fact loads the data files and the rule book and starts no thread (no search), so a
# batch's worker processes can be forked after it and inherit all of it.
WARM_UP = BENCH_QUESTIONS[0]


def add_ask_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("question", nargs="?", help="the question, in plain clinical language")
    parser.add_argument("--json", action="store_true", help="print the contract's JSON object")
    parser.add_argument("--profile", type=Path, help="patient profile JSON file sent with it")
    parser.add_argument("--backend", choices=("planner", "ollama", "openai"), help="model backend")
    parser.add_argument("--batch", type=Path, help='JSONL file: one {"id", "question"} per line')
    parser.add_argument(
        "--workers",
        type=int,
        help="processes answering a batch (default: one per core, fewer for a short batch)",
    )


def add_backend_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("planner", "ollama", "openai"), help="model backend")


def _assistant(args: argparse.Namespace, persist: bool = True) -> Assistant:
    """`persist` off for `ask` and `--batch`: their threads end with the process, so there is
    nothing to store (and a read-only install answers without touching the conversation file)."""
    settings = AssistantSettings()
    if getattr(args, "backend", None):
        settings = settings.model_copy(update={"backend": args.backend})
    return Assistant(settings, conversations=None if persist else MemoryConversations())


def readable(result: AnswerResult) -> str:
    if result.refused:
        return f"Not answered: {result.refusal_reason}"
    return result.answer


def run_ask(args: argparse.Namespace) -> int:
    if args.batch:
        return run_batch(args)
    if args.question is None:
        raise ProfileError("ask needs a question (or --batch FILE)")
    problem = check_question(args.question, AssistantSettings().max_question_chars)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    profile = load_profile(args.profile) if args.profile else None
    result = _assistant(args, persist=False).ask(args.question, profile=profile)
    print(result.model_dump_json(indent=2) if args.json else readable(result))
    return 0


def _answer(assistant: Assistant, line: BatchLine, threads: dict[str, str]) -> AnswerResult:
    if line.problem:
        return AnswerResult.refusal(f"line {line.number}: {line.problem}", id=line.id)
    thread_id = threads.setdefault(line.thread, assistant.new_thread()) if line.thread else None
    try:
        return assistant.ask(line.question, thread_id=thread_id, profile=line.profile, id=line.id)
    except Exception as error:  # one failed answer must not lose the lines after it
        reason = f"line {line.number}: the assistant failed ({type(error).__name__})"
        return AnswerResult.refusal(reason, id=line.id)


def run_batch(args: argparse.Namespace) -> int:
    """One JSON result per non-blank line, in order: an answer, or the line's error. The lines
    are shared among worker processes (assistant/batch_run.py); `--workers 1` keeps to one."""
    assistant = _assistant(args, persist=False)
    lines = list(read_batch(args.batch))
    threads: dict[str, str] = {}

    def answer(indices: list[int]) -> list[str]:
        return [_answer(assistant, lines[i], threads).model_dump_json() for i in indices]

    workers = args.workers if args.workers else default_workers(len(lines))
    if not assistant.is_planner:
        # A model server's answer is I/O, not this machine's CPU; and its HTTP client's open
        # connections must not be shared by forked processes.
        workers = 1
    if workers > 1:  # load the data once, before the fork, for every worker to inherit
        assistant.ask(WARM_UP)
    for result in answer_in_order(lines, answer, workers):
        print(result, flush=True)
    return 0


def run_chat(args: argparse.Namespace) -> int:
    assistant = _assistant(args)
    thread = assistant.new_thread()
    print(
        "HCC systemic-therapy assistant. Ask a question; follow-ups keep the patient.\n"
        "Commands: /new (new patient), /profile, /quit. Example: Child-Pugh A, ECOG 0, "
        "untreated varices, hoping for resection: which first-line regimen?"
    )
    profile: dict[str, Any] = {}
    while True:
        try:
            question = input("\nyou> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if question in ("/quit", "/exit"):
            return 0
        if question == "/new":
            thread, profile = assistant.new_thread(), {}
            print("New patient: the profile is cleared.")
            continue
        if question == "/profile":
            print(json.dumps(profile, indent=2) if profile else "No patient details yet.")
            continue
        if not question:
            continue
        result = assistant.ask(question, thread_id=thread)
        profile = result.profile or profile
        print("\n" + readable(result))


def run_bench(args: argparse.Namespace) -> int:
    command = [sys.executable, "-m", "assistant", "ask", "--json", BENCH_QUESTIONS[0]]
    begin = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    cold = time.perf_counter() - begin
    assistant = _assistant(args)
    latency = warm_latency(assistant.ask, BENCH_QUESTIONS, args.repeat)
    print(f"backend: {assistant.backend}")
    print(f"cold start (new process, first answer): {cold:.2f} s")
    print(
        f"warm answers: {len(latency.timings_ms)} over {len(BENCH_QUESTIONS)} questions: "
        f"p50 {latency.p50:.0f} ms, p95 {latency.p95:.0f} ms, max {latency.worst:.0f} ms "
        "(target p95 < 300 ms)"
    )
    return 0


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    add_backend_argument(parser)
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds over the questions")
