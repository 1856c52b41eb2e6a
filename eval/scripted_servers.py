"""Scripted LLM servers on 127.0.0.1: an OpenAI-compatible one and an Ollama one.

They speak the real wire formats (OpenAI chat completions, JSON or server-sent events; Ollama
/api/chat, JSON or NDJSON), so the real `langchain-openai` and `langchain-ollama` clients talk to
them exactly as to a deployment. Each request takes the next step of a script:

    Text("...")                     an answer (streamed in pieces when the client streams)
    Calls([("search_review", {...})])  tool calls (streamed as fragments of their JSON arguments)
    Raw("not json")                 a malformed body
    Status(500)                     an HTTP error
    Slow(seconds, step)             the step after a delay (a server that times out)

A step may also be a function of the request's messages that returns a step.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Text:
    content: str
    pieces: int = 6


@dataclass(frozen=True)
class Calls:
    calls: Sequence[tuple[str, dict[str, Any] | str]]  # a str is sent as the raw arguments


@dataclass(frozen=True)
class Raw:
    body: str


@dataclass(frozen=True)
class Status:
    code: int


@dataclass(frozen=True)
class Slow:
    seconds: float
    step: Any


Step = Text | Calls | Raw | Status | Slow | Callable[[list[dict[str, Any]]], Any]


def _pieces(text: str, count: int) -> list[str]:
    size = max(1, -(-len(text) // max(1, count)))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _arguments(args: dict[str, Any] | str) -> str:
    return args if isinstance(args, str) else json.dumps(args)


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the slow script's timeout) is expected, not an error."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class ScriptedServer:
    """One scripted server; `kind` is "openai" or "ollama". Use as a context manager."""

    kind: str
    script: list[Step]
    requests: list[dict[str, Any]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = str(self._server.server_address[0]), int(self._server.server_address[1])
        suffix = "/v1" if self.kind == "openai" else ""
        return f"http://{host}:{port}{suffix}"

    def next_step(self, body: dict[str, Any]) -> Step:
        self.requests.append(body)
        step = self.script[min(len(self.requests) - 1, len(self.script) - 1)]
        while callable(step) and not isinstance(step, Text | Calls | Raw | Status | Slow):
            step = step(body.get("messages", []))
        return step

    def __enter__(self) -> ScriptedServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet test output
                pass

            def do_GET(self) -> None:  # Ollama clients may ask for the version or models
                self._send(200, json.dumps({"version": "0.0.0-scripted", "models": []}))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                step = server.next_step(body)
                if isinstance(step, Slow):
                    time.sleep(step.seconds)
                    step = step.step
                if isinstance(step, Status):
                    self._send(step.code, json.dumps({"error": {"message": "scripted failure"}}))
                elif isinstance(step, Raw):
                    self._send(200, step.body)
                elif body.get("stream"):
                    self._stream(step, body)
                else:
                    self._send(200, json.dumps(server.whole(step, body)))

            def _send(self, code: int, text: str, kind: str = "application/json") -> None:
                data = text.encode()
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, step: Step, body: dict[str, Any]) -> None:
                openai = server.kind == "openai"
                self.send_response(200)
                self.send_header(
                    "Content-Type", "text/event-stream" if openai else "application/x-ndjson"
                )
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in server.chunks(step, body):
                    line = f"data: {json.dumps(chunk)}\n\n" if openai else json.dumps(chunk) + "\n"
                    self._chunk(line)
                if openai:
                    self._chunk("data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")

            def _chunk(self, text: str) -> None:
                data = text.encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        self._server = _Quiet(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- wire formats -------------------------------------------------------------------------

    def whole(self, step: Step, body: dict[str, Any]) -> dict[str, Any]:
        model = body.get("model", "scripted")
        if self.kind == "openai":
            message: dict[str, Any] = {"role": "assistant", "content": None}
            if isinstance(step, Text):
                message["content"] = step.content
            elif isinstance(step, Calls):
                message["tool_calls"] = [
                    {
                        "id": f"call_{uuid.uuid4().hex[:8]}",
                        "type": "function",
                        "function": {"name": name, "arguments": _arguments(args)},
                    }
                    for name, args in step.calls
                ]
            finish = "tool_calls" if isinstance(step, Calls) else "stop"
            return {
                "id": f"chatcmpl-{uuid.uuid4().hex[:8]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        return self._ollama(step, model, done=True)

    def _ollama(self, step: Step, model: str, done: bool, content: str | None = None) -> dict:
        message: dict[str, Any] = {"role": "assistant", "content": ""}
        if content is not None:
            message["content"] = content
        elif isinstance(step, Text):
            message["content"] = step.content
        elif isinstance(step, Calls):
            message["tool_calls"] = [
                {"function": {"name": name, "arguments": args}} for name, args in step.calls
            ]
        chunk: dict[str, Any] = {
            "model": model,
            "created_at": "2026-01-01T00:00:00Z",
            "message": message,
            "done": done,
        }
        if done:
            chunk.update(done_reason="stop", total_duration=1, eval_count=1, prompt_eval_count=1)
        return chunk

    def chunks(self, step: Step, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
        model = body.get("model", "scripted")
        if self.kind == "ollama":
            if isinstance(step, Text):
                for piece in _pieces(step.content, step.pieces):
                    yield self._ollama(step, model, done=False, content=piece)
                yield self._ollama(step, model, done=True, content="")
            else:  # Ollama sends a tool call whole, in one chunk
                yield self._ollama(step, model, done=False)
                yield self._ollama(step, model, done=True, content="")
            return
        base = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:8]}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
        }

        def delta(value: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {**base, "choices": [{"index": 0, "delta": value, "finish_reason": finish}]}

        yield delta({"role": "assistant", "content": ""})
        if isinstance(step, Text):
            for piece in _pieces(step.content, step.pieces):
                yield delta({"content": piece})
            yield delta({}, "stop")
            return
        assert isinstance(step, Calls)
        for index, (name, args) in enumerate(step.calls):
            call_id = f"call_{uuid.uuid4().hex[:8]}"
            first = {"index": index, "id": call_id, "type": "function"}
            yield delta({"tool_calls": [{**first, "function": {"name": name, "arguments": ""}}]})
            for piece in _pieces(_arguments(args), 4):  # the arguments in fragments
                yield delta({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        yield delta({}, "tool_calls")


def tool_results(messages: list[dict[str, Any]]) -> list[str]:
    """The tool results a client sent back, oldest first (both wire formats use role "tool")."""
    return [str(m.get("content", "")) for m in messages if m.get("role") == "tool"]
