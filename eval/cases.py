"""Evaluation cases as data: a question (with earlier turns), and what a correct answer contains."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

CASES_DIR = Path(__file__).resolve().parent / "cases"
# Every YAML file here is part of the answer-accuracy suite (`python -m eval run`).
ANSWER_CASES = CASES_DIR / "answers"

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


# The classes of question the fresh blind sets cover (eval/cases/fresh/FORMAT.md).
Kind = Literal[
    "multi_part",
    "absent",
    "why",
    "named_plan",
    "cross_record",
    "follow_up",
    "vignette",
    "fact",
    "safety",
]


class Verdict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    regimen: str
    value: Literal["suitable", "caution", "avoid"]


def _yes_no(value: Any) -> Any:
    return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    figures: tuple[str, ...] = ()  # numbers as printed in the review, each must be in the answer
    recommended: tuple[str, ...] = ()  # regimen ids that must be in `recommended`
    not_recommended: tuple[str, ...] = ()  # regimen ids that must not be
    trials: tuple[str, ...] = ()  # trial-record ids the answer must cite
    # Trial ids the answer may cite besides `trials` without counting against citation precision.
    may_cite: tuple[str, ...] = ()
    avoided: tuple[str, ...] = ()  # regimen ids that must be on the answer's avoid list
    mentions: tuple[str, ...] = ()  # phrases the answer must contain (case-insensitive)
    # Profile fields the assistant must have read (after every turn), e.g. {"varices": "untreated"}.
    profile: dict[str, Any] = Field(default_factory=dict)
    refused: bool = False
    forbidden_figures: tuple[str, ...] = ()  # numbers that must not appear (another trial's)
    # The bottom line must open with this answer (YAML reads a bare yes/no as a boolean).
    yes_no: Annotated[Literal["yes", "no"] | None, BeforeValidator(_yes_no)] = None
    absent: bool = False  # the answer must say plainly that the review does not report it
    verdict: Verdict | None = None  # the verdict on a regimen the question names


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    category: Category
    kind: Kind | None = None  # the class of question a fresh set covers
    question: str
    turns: tuple[str, ...] = ()  # earlier questions in the same conversation, in order
    profile: dict[str, Any] | None = None  # sent with the question, like --profile
    expect: Expectation
    source: str = Field(min_length=3)  # the passage of the review that grounds the expectation


def _case(entry: Any, file: Path) -> Case:
    """One case, or a ValueError naming the file, the case and the first problem."""
    try:
        return Case.model_validate(entry)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        name = entry.get("id", "?") if isinstance(entry, dict) else "?"
        raise ValueError(f"{file}: case {name}: {where}: {first['msg']}") from None


def case_files(path: Path = ANSWER_CASES) -> list[Path]:
    """`path` itself, or the YAML files of a directory in name order."""
    return sorted(path.glob("*.yaml")) if path.is_dir() else [path]


def load_cases(path: Path = ANSWER_CASES) -> list[Case]:
    """The cases of a file or of every file in a directory; ids are unique across all of them."""
    cases = []
    for file in case_files(path):
        raw = yaml.safe_load(file.read_text(encoding="utf-8")) or []
        cases += [_case(entry, file) for entry in raw]
    ids = [case.id for case in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate case ids in {path}: {duplicates}")
    return cases
