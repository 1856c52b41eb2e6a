"""The answer as other programs read it (the CLI contract in ARCHITECTURE.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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


class AnswerResult(BaseModel):
    """Either an answer with its basis, or a refusal with its reason."""

    id: str | None = None
    question: str = ""
    answer: str
    refused: bool = False
    refusal_reason: str | None = None
    intent: str | None = None
    recommended: list[str] = Field(default_factory=list)  # regimen names, most preferred first
    recommended_ids: list[str] = Field(default_factory=list)  # the same, as catalogue ids
    avoid: list[AvoidEntry] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    profile: dict[str, Any] = Field(default_factory=dict)
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
        return cls(id=id, question=question, answer=reason, refused=True, refusal_reason=reason)
