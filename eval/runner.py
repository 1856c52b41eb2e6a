"""Run cases through the assistant: one conversation per case, earlier turns first."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from tqdm import tqdm

from assistant.agent import Assistant
from clinical.answer import AnswerResult
from eval.cases import Case
from eval.scoring import CaseScore, score


@dataclass(frozen=True)
class CaseRun:
    score: CaseScore
    result: AnswerResult
    seconds: float


def run_case(assistant: Assistant, case: Case) -> CaseRun:
    thread = assistant.new_thread()
    for turn in case.turns:
        assistant.ask(turn, thread_id=thread)
    started = time.perf_counter()
    result = assistant.ask(case.question, thread_id=thread, profile=case.profile, id=case.id)
    return CaseRun(score(case, result), result, time.perf_counter() - started)


def run_cases(assistant: Assistant, cases: Iterable[Case], progress: bool = True) -> list[CaseRun]:
    cases = list(cases)
    return [run_case(assistant, c) for c in tqdm(cases, desc="Cases", disable=not progress)]
