"""The answer as other programs read it (the CLI contract in ARCHITECTURE.md)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from clinical.reader.facts import Fact
from corpus.sources import Citation


class AvoidEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    regimen: str
    reason: str


class GuardrailResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    check: str
    passed: bool
    detail: str = ""


class ToolTrace(BaseModel):
    model_config = ConfigDict(frozen=True)

    tool: str
    args: dict[str, Any]
    ok: bool
    summary: str = ""


class AskedPart(BaseModel):
    """One part of what the question asks, and whether the review answers it."""

    model_config = ConfigDict(frozen=True)

    text: str
    kind: str  # figure, comparison, choice, verdict, explanation, criteria, ...
    answered: bool
    answer: str = ""  # the sentence that answers it (in the bottom line)
    note: str = ""  # why it is not answered ("the review does not report ...")


class Verdict(BaseModel):
    """The rule core's judgement on a regimen the clinician names, for this patient."""

    model_config = ConfigDict(frozen=True)

    regimen: str  # catalogue id
    name: str
    value: Literal["suitable", "caution", "avoid"]
    reasons: list[str] = Field(default_factory=list)
    rule_ids: list[str] = Field(default_factory=list)
    checks: list[str] = Field(default_factory=list)  # before starting it
    alternatives: list[str] = Field(default_factory=list)  # better-supported options


class AnswerResult(BaseModel):
    """Either an answer with its basis, or a refusal with its reason."""

    id: str | None = None
    question: str = ""
    answer: str
    # At most three sentences that answer each part asked: the figure, yes or no, the verdict,
    # the top options and what to avoid, or "the review does not report ...".
    bottom_line: str = ""
    parts: list[AskedPart] = Field(default_factory=list)
    verdicts: list[Verdict] = Field(default_factory=list)
    refused: bool = False
    refusal_reason: str | None = None
    intent: str | None = None
    recommended: list[str] = Field(default_factory=list)  # regimen names, most preferred first
    recommended_ids: list[str] = Field(default_factory=list)  # the same, as catalogue ids
    avoid: list[AvoidEntry] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    profile: dict[str, Any] = Field(default_factory=dict)
    # The facts the profile rests on, each with the clinician's words and its status.
    facts: list[Fact] = Field(default_factory=list)
    rules_fired: list[str] = Field(default_factory=list)
    guardrails: list[GuardrailResult] = Field(default_factory=list)
    # What the assistant did to the question before answering it ("an instruction addressed to
    # the assistant was removed"): shown at the top of the answer too.
    notices: list[str] = Field(default_factory=list)
    trace: list[ToolTrace] = Field(default_factory=list)
    backend: str = "planner"
    elapsed_ms: float = 0.0

    @classmethod
    def refusal(cls, reason: str, question: str = "", id: str | None = None) -> AnswerResult:
        return cls(
            id=id,
            question=question,
            answer=reason,
            bottom_line=reason,
            refused=True,
            refusal_reason=reason,
        )


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def opening(answer: str, limit: int = 3) -> str:
    """An answer's first paragraph, at most three sentences: the bottom line of an answer that
    did not give one (another model's), or of an answer the output checks rewrote."""
    for line in answer.splitlines():
        if line.startswith("**Bottom line:**"):  # the answer's own, as the planner writes it
            return line.removeprefix("**Bottom line:**").strip()
    for paragraph in answer.split("\n\n"):
        text = " ".join(paragraph.split())
        if text and not text.startswith(("**Patient as read", "**Please confirm", "_")):
            return " ".join(_SENTENCE.split(text.removeprefix("**Bottom line:**").strip())[:limit])
    return ""
