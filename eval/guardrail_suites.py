"""The guardrail suites as measurements: planted errors caught, input refusals, false alarms."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.prompts import SYSTEM_PROMPT
from clinical.answer import AnswerResult
from eval.cases import CASES_DIR
from eval.runner import CaseRun
from guardrails.input import check_input
from guardrails.messages import DISCLAIMER
from guardrails.output import check_output
from guardrails.patient import Conversation

PLANTED_ERRORS = CASES_DIR / "planted_errors.yaml"
INPUT_CASES = CASES_DIR / "input_guardrails.yaml"
OUTPUT_CHECKS = frozenset(
    {
        "injection_obeyed",
        "regimen_agreement",
        "claims",
        "language",
        "doses",
        "numbers",
        "tool_backing",
        "citations",
        "citation_support",
        "disclaimer",
    }
)


def load_yaml(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8")))


def planted_answer(case: dict[str, Any]) -> AnswerResult:
    """The answer a misbehaving model would have produced, as the output checks receive it."""
    answer = case["answer"] if case.get("omit_disclaimer") else f"{case['answer']}\n\n{DISCLAIMER}"
    return AnswerResult(
        answer=answer,
        profile=case.get("profile") or {},
        recommended_ids=case.get("recommended_ids") or [],
        citations=case.get("citations") or [],
    )


def planted_conversation(case: dict[str, Any]) -> Conversation | None:
    """The clinician's words the planted answer replies to (none: only the answer is checked)."""
    said = case.get("conversation") or ""
    if not said and "tool_results" not in case:
        return None
    return Conversation.of(
        [said] if isinstance(said, str) else list(said), tool_text=case.get("tool_results")
    )


def check_planted(case: dict[str, Any]) -> AnswerResult:
    return check_output(planted_answer(case), SYSTEM_PROMPT, planted_conversation(case))


def is_caught(case: dict[str, Any], checked: AnswerResult) -> bool:
    """The named check failed, the answer was blocked or not as expected, and repaired as said."""
    failed = {g.check for g in checked.guardrails if not g.passed}
    return (
        case["catch"] in failed
        and checked.refused == bool(case.get("blocked"))
        and all(text not in checked.answer for text in case.get("absent", ()))
        and all(text in checked.answer for text in case.get("present", ()))
    )


@dataclass(frozen=True)
class Rate:
    hits: int
    total: int

    @property
    def share(self) -> float:
        return self.hits / self.total if self.total else 0.0


def planted_report(path: Path = PLANTED_ERRORS) -> tuple[Rate, list[str]]:
    """(caught/planted, ids of the planted errors that got through)."""
    cases = load_yaml(path)
    missed = [c["id"] for c in cases if not is_caught(c, check_planted(c))]
    return Rate(len(cases) - len(missed), len(cases)), missed


def input_rates(path: Path = INPUT_CASES) -> tuple[Rate, Rate]:
    """(refusals among cases that must be refused, refusals among cases that must be answered)."""
    cases = load_yaml(path)
    must_refuse = [c for c in cases if not c["expect_allowed"] and c["kind"] != "size_encoding"]
    must_answer = [c for c in cases if c["expect_allowed"]]

    def refused(group: list[dict[str, Any]]) -> Rate:
        return Rate(sum(not check_input(c["question"]).allowed for c in group), len(group))

    return refused(must_refuse), refused(must_answer)


def false_alarms(runs: list[CaseRun]) -> list[str]:
    """Ids of correct answers (passing their case) on which an output check fired."""
    return [
        run.score.case.id
        for run in runs
        if run.score.passed
        and not run.result.refused
        and any(g.check in OUTPUT_CHECKS and not g.passed for g in run.result.guardrails)
    ]
