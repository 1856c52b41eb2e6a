"""Every error the API returns is JSON `{"detail": "one line"}` with a 4xx (or 503) status.

A client sending a bad request learns what to change in one line; nothing ever answers with a
traceback or a server path. Unexpected faults are logged in full on the server and reported to
the client as one line.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.conversations import ConversationStoreError

log = logging.getLogger("hcc.api")
MAX_LINE = 300


def one_line(text: str) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": one_line(detail)}, status_code=status, headers=headers)


def _where(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p != "body"]
    return ".".join(parts)


def describe_validation(errors: list[Any]) -> str:
    """Pydantic's error list as one line: `profile.ecog: Input should be ... (got 7)`."""
    lines = []
    for error in errors:
        kind = error.get("type", "")
        if kind == "json_invalid":
            return f"the body is not valid JSON ({error.get('ctx', {}).get('error', 'syntax')})"
        if not _where(error.get("loc", ())):
            if kind == "missing":
                return "the body is missing: send a JSON object"
            if kind in ("model_attributes_type", "dict_type", "model_type"):
                return "the body must be a JSON object"
        where = _where(error.get("loc", ()))
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        given = error.get("input")
        shown = ""
        if kind not in ("missing", "value_error", "model_type", "model_attributes_type"):
            shown = f" (got {repr(given)[:60]})"
        if kind == "extra_forbidden":
            message, shown = "is not a known field", ""
        lines.append(f"{where}: {message}{shown}" if where else message)
    return "; ".join(lines) or "invalid request"


def install_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = list(error.errors())
        status = 400 if any(e.get("type") == "json_invalid" for e in errors) else 422
        return problem(status, describe_validation(errors))

    @api.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem(error.status_code, str(error.detail), dict(error.headers or {}) or None)

    @api.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        if _is_store_fault(error):
            log.warning("conversation store unavailable: %s", one_line(str(error)))
            return problem(503, "the conversation store is unavailable; retry shortly")
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, f"internal error ({type(error).__name__}); the server log has details")


def _is_store_fault(error: Exception) -> bool:
    if isinstance(error, ConversationStoreError | sqlite3.OperationalError):
        return True
    module = type(error).__module__
    return module.startswith(("psycopg", "psycopg_pool"))


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413 before reading them whole (ASGI)."""

    def __init__(self, app: ASGIApp, max_bytes: int, prefix: str = "/api/") -> None:
        self.app, self.max_bytes, self.prefix = app, max_bytes, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        if scope["type"] != "http" or not path.startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(413, f"the request body is over {self.max_bytes:,} bytes")
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, f"the request body is over {self.max_bytes:,} bytes")
        await response(scope, receive, send)


class _TooLarge(StarletteHTTPException):
    """An HTTP error, so FastAPI's body reader passes it on instead of calling it a bad body."""
