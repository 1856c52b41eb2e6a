"""Helpers for the app's server, client and browser tests: an in-process app on a free port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ui.load import free_port
from ui.profile_panel import FIELD_INDEX

FIRST_OUTPUT_FIELD = 4  # /ask outputs: question box, chat, card, problem line, then the panel


@contextmanager
def running_app(assistant_factory: Callable[[], Any], readiness: Any = None) -> Iterator[str]:
    """The Gradio app on 127.0.0.1 for the duration of the block; yields its URL."""
    import app

    server = app.serve(
        assistant_factory(), "127.0.0.1", free_port(), block=False, readiness=readiness
    )
    try:
        yield server.url
    finally:
        server.close()


def panel(output: tuple[Any, ...], key: str) -> Any:
    """One profile-panel value from an /ask output tuple."""
    return output[FIRST_OUTPUT_FIELD + FIELD_INDEX[key]]


def text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
