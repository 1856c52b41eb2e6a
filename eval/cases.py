"""Evaluation cases as data: a question (with earlier turns), and what a correct answer contains."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

CASES_DIR = Path(__file__).resolve().parent / "cases"
AGENT_QUESTIONS = CASES_DIR / "agent_questions.yaml"

Category = Literal[
    "trial_fact",
    "comparison",
    "first_line",
    "later_line",
    "criteria",
    "locoregional",
    "follow_up",
    "general",
    "refusal",
    "safety",
    "dose",
]


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    figures: tuple[str, ...] = ()  # numbers as printed in the review, each must be in the answer
    recommended: tuple[str, ...] = ()  # regimen ids that must be in `recommended`
    not_recommended: tuple[str, ...] = ()  # regimen ids that must not be
    trials: tuple[str, ...] = ()  # trial-record ids the answer must cite
    refused: bool = False


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    category: Category
    question: str
    turns: tuple[str, ...] = ()  # earlier questions in the same conversation, in order
    profile: dict[str, Any] | None = None  # sent with the question, like --profile
    expect: Expectation
    source: str = Field(min_length=3)  # the passage of the review that grounds the expectation


def load_cases(path: Path = AGENT_QUESTIONS) -> list[Case]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = [Case.model_validate(entry) for entry in raw]
    ids = [case.id for case in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate case ids in {path}: {duplicates}")
    return cases
