"""The time the output checks add per answer: `python -m eval guard-bench`.

The planner answers the accuracy set's questions with the output checks switched off; each raw
answer is then checked once by `check_output` (with the conversation, as the agent does) in a
process warmed on a first group of answers. Reported: p50, p95 and max per answer.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from assistant.agent import Assistant
from assistant.prompts import SYSTEM_PROMPT
from clinical.answer import AnswerResult
from eval.cases import load_cases
from guardrails.output import check_output
from guardrails.patient import Conversation

WARMUP = 20


@dataclass(frozen=True)
class BenchReport:
    answers: int
    p50_ms: float
    p95_ms: float
    max_ms: float


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def raw_answers(limit: int | None = None) -> list[tuple[AnswerResult, Conversation]]:
    """The planner's answers before the output checks, each with its conversation."""
    import assistant.agent as agent

    unchecked: list[tuple[AnswerResult, Conversation]] = []
    original: Callable[..., AnswerResult] = agent.check_output

    def keep(result: AnswerResult, prompt: str = "", conversation: object = None) -> AnswerResult:
        assert isinstance(conversation, Conversation)
        unchecked.append((result.model_copy(deep=True), conversation))
        return result

    agent.check_output = keep  # type: ignore[assignment]
    try:
        assistant = Assistant()
        for case in load_cases()[:limit]:
            if case.turns:  # one-question cases: the conversation is the question
                continue
            assistant.ask(case.question)
    finally:
        agent.check_output = original
    return unchecked


def bench(answers: list[tuple[AnswerResult, Conversation]]) -> BenchReport:
    for result, conversation in answers[:WARMUP]:  # imports, compiled patterns, data files
        check_output(result, SYSTEM_PROMPT, conversation)
    times = []
    for result, conversation in answers[WARMUP:]:  # each answer checked once
        started = time.perf_counter()
        check_output(result, SYSTEM_PROMPT, conversation)
        times.append((time.perf_counter() - started) * 1000)
    return BenchReport(
        answers=len(times),
        p50_ms=round(statistics.median(times), 1),
        p95_ms=round(percentile(times, 0.95), 1),
        max_ms=round(max(times), 1),
    )
