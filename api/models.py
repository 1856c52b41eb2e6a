"""The API's request and response bodies: the pydantic models are the OpenAPI schema."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from clinical.answer import AnswerResult
from clinical.profile import PatientProfile
from clinical.rules.output import Recommendation

THREAD_PATTERN = r"^[0-9a-f]{32}$"


class AskRequest(BaseModel):
    """A question, optionally in an earlier conversation and with a structured profile."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="the question in plain clinical language")
    thread: str | None = Field(
        default=None,
        pattern=THREAD_PATTERN,
        description="the `thread` of an earlier answer, to follow it up; omit to start a new "
        "conversation (ids are issued by the server, so none can carry an identifier)",
    )
    profile: PatientProfile | None = Field(
        default=None, description="a structured patient profile sent with the question"
    )


class AskResponse(AnswerResult):
    """The command line's JSON contract (`python -m assistant ask --json`), plus the thread."""

    thread: str | None = Field(
        description="send it back to follow up; null when nothing was kept (a refused first "
        "question starts no conversation)"
    )


class RecommendResponse(Recommendation):
    """The rule core's result for the profile (as `python -m assistant recommend --json`)."""

    profile: PatientProfile


class Problem(BaseModel):
    """Every error: a status code and one line saying what to change."""

    detail: str


class Health(BaseModel):
    status: Literal["ready", "loading", "not ready"]
    detail: str = ""
    index: str = ""
    model: str = ""
    conversations: str = ""
    answered: int = Field(default=0, description="API answers this server has given since start")
