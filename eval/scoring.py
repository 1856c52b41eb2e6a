"""Deterministic scoring of one answer against its case: no LLM judge."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.result import AnswerResult
from eval.cases import Case


@dataclass(frozen=True)
class CaseScore:
    case: Case
    failures: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return not self.failures


def contains_figure(answer: str, figure: str) -> bool:
    """`figure` as a whole number in the answer: "19" is not found inside "19.2" or "119"."""
    number = re.escape(figure.strip())
    return re.search(rf"(?<![\d.]){number}(?![\d]|\.\d)", answer) is not None


def score(case: Case, result: AnswerResult) -> CaseScore:
    expect = case.expect
    failures = []
    if result.refused != expect.refused:
        failures.append(f"refused is {result.refused}, expected {expect.refused}")
    failures += [
        f"figure {f} missing" for f in expect.figures if not contains_figure(result.answer, f)
    ]
    recommended = set(result.recommended_ids)
    failures += [f"{r} not recommended" for r in expect.recommended if r not in recommended]
    failures += [
        f"{r} recommended but excluded" for r in expect.not_recommended if r in recommended
    ]
    cited = {c.trial_id for c in result.citations if c.trial_id}
    failures += [f"trial {t} not cited" for t in expect.trials if t not in cited]
    return CaseScore(case, tuple(failures))
