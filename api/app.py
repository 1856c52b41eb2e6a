"""The FastAPI application: routes, bearer-token check, body limit and error handlers.

`create_api(assistant, readiness)` returns the application; `app.py` mounts the web UI on it and
serves both from one port. Endpoints are plain functions run in the server's thread pool, as the
assistant is synchronous; one conversation answers one question at a time (a per-thread lock),
while different conversations run in parallel.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.errors import BodyLimit, install_error_handlers
from api.models import THREAD_PATTERN, AskRequest, AskResponse, Health, Problem, RecommendResponse
from api.readiness import Readiness
from assistant.agent import Assistant, check_question
from clinical.profile import PatientProfile
from clinical.rules import recommend
from guardrails.phi import redact_identifiers

ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": Problem, "description": text}
    for status, text in (
        (400, "the body is not valid JSON"),
        (401, "a bearer token is required (HCC_API_TOKEN is set) and was missing or wrong"),
        (404, "unknown thread: it expired, was deleted or was never issued"),
        (413, "the body is too large"),
        (422, "a field is missing or invalid; the detail names it"),
        (503, "the server is still loading, or a store it needs is unreachable"),
    )
}


class ApiSettings(BaseSettings):
    """HCC_API_TOKEN (optional bearer token for every /api call), HCC_API_MAX_BODY_BYTES."""

    model_config = SettingsConfigDict(env_prefix="HCC_API_", extra="ignore")

    token: SecretStr | None = None
    max_body_bytes: int = Field(default=64 * 1024, gt=0)


class ThreadLocks:
    """One lock per conversation in use, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, thread: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._held.get(thread, (threading.Lock(), 0))
            self._held[thread] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._held[thread]
                if users == 1:
                    del self._held[thread]
                else:
                    self._held[thread] = (lock, users - 1)


BEARER = HTTPBearer(auto_error=False, description="the value of HCC_API_TOKEN, when it is set")


class TokenCheck:
    """With a token configured, every call needs `Authorization: Bearer <token>`."""

    def __init__(self, token: str | None) -> None:
        self.token = token

    def __call__(
        self, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
    ) -> None:
        if self.token is None:
            return
        given = credentials.credentials if credentials else ""
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            raise HTTPException(
                401, "missing or invalid bearer token", headers={"WWW-Authenticate": "Bearer"}
            )


def _redact_label(profile: PatientProfile | None) -> PatientProfile | None:
    """The profile's one free-text field passes the identifier redaction the question does."""
    if profile is None or not profile.label:
        return profile
    label = redact_identifiers(profile.label)[0]
    return profile.model_copy(update={"label": label})


def create_api(
    assistant: Assistant, readiness: Readiness, settings: ApiSettings | None = None
) -> FastAPI:
    settings = settings or ApiSettings()
    token = settings.token.get_secret_value() if settings.token else None
    locks = ThreadLocks()

    def loaded() -> None:
        if not readiness.ready:
            raise HTTPException(503, f"not ready: {readiness.detail}", {"Retry-After": "5"})

    api = FastAPI(
        title="HCC systemic-therapy assistant API",
        version="1",
        description="Cited decision support for the systemic treatment of unresectable HCC, "
        "from one review. Decision support only; it never directs treatment.",
        docs_url=None,  # the interactive docs fetch scripts from a CDN: nothing is fetched
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    install_error_handlers(api)
    api.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    v1 = APIRouter(prefix="/api/v1", dependencies=[Depends(TokenCheck(token))], responses=ERRORS)

    @v1.post("/ask", response_model=AskResponse, dependencies=[Depends(loaded)])
    def ask(request: AskRequest) -> AskResponse:
        """Answer a question with citations; follow up with the returned `thread`."""
        problem_text = check_question(request.question, assistant.settings.max_question_chars)
        if problem_text:
            raise HTTPException(422, f"question: {problem_text}")
        if request.thread is not None and not assistant.conversations.exists(request.thread):
            raise HTTPException(
                404,
                "unknown thread: it expired, was deleted or was never issued; "
                "ask without a thread to start a new conversation",
            )
        thread = request.thread or assistant.new_thread()
        with locks.hold(thread):
            result = assistant.ask(
                request.question, thread_id=thread, profile=_redact_label(request.profile)
            )
        readiness.count_answer()
        kept = request.thread is not None or assistant.conversations.exists(thread)
        return AskResponse(**result.model_dump(), thread=thread if kept else None)

    @v1.delete("/threads/{thread}", status_code=204)
    def forget(thread: Annotated[str, Path(pattern=THREAD_PATTERN)]) -> Response:
        """Forget a conversation now (the web app's "New patient")."""
        with locks.hold(thread):
            assistant.conversations.delete(thread)
        return Response(status_code=204)

    @v1.post("/recommend", response_model=RecommendResponse)
    def recommend_for(profile: PatientProfile) -> RecommendResponse:
        """The rule core alone: the regimens for a patient profile, with what to avoid."""
        result = recommend(profile)
        return RecommendResponse(**dict(result), profile=profile)

    api.include_router(v1)

    @api.get("/healthz", response_model=Health, responses={503: {"model": Health}})
    def healthz() -> Response:
        """200 when the index and model are loaded and the stores answer; 503 otherwise.
        Open without the token, for load balancers; it tells nothing about any patient."""
        health = readiness.check()
        status = 200 if health.status == "ready" else 503
        return Response(health.model_dump_json(), status, media_type="application/json")

    api.state.readiness = readiness
    return api
