"""How `python app.py` picks its address: flags, then GRADIO_* variables, then defaults."""

from __future__ import annotations

import pytest

import app
from assistant.conversations import MemoryConversations


@pytest.fixture
def launched(monkeypatch, planner_assistant):
    """Run `app.main(argv)` without serving; returns where it would have served."""
    for name in ("GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT", "GRADIO_ROOT_PATH"):
        monkeypatch.delenv(name, raising=False)
    planner_assistant.conversations = MemoryConversations()
    monkeypatch.setattr(app, "Assistant", lambda: planner_assistant)

    def run(argv: list[str], **env: str) -> dict[str, object]:
        seen: dict[str, object] = {}

        def serve(assistant, host, port, root_path, concurrency):
            seen.update(host=host, port=port, root_path=root_path, concurrency=concurrency)

        monkeypatch.setattr(app, "serve", serve)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        assert app.main(argv) == 0
        return seen

    return run


def test_defaults(launched) -> None:
    assert launched([]) == {"host": "127.0.0.1", "port": 7860, "root_path": "", "concurrency": 16}


def test_gradio_variables_are_honoured(launched) -> None:
    seen = launched(
        [], GRADIO_SERVER_NAME="0.0.0.0", GRADIO_SERVER_PORT="9001", GRADIO_ROOT_PATH="/hcc/"
    )
    assert (seen["host"], seen["port"], seen["root_path"]) == ("0.0.0.0", 9001, "/hcc")


def test_flags_win_over_the_variables(launched) -> None:
    seen = launched(
        ["--host", "127.0.0.2", "--port", "9100", "--root-path", "clinic"],
        GRADIO_SERVER_NAME="0.0.0.0",
        GRADIO_SERVER_PORT="9001",
        GRADIO_ROOT_PATH="/hcc",
    )
    assert (seen["host"], seen["port"], seen["root_path"]) == ("127.0.0.2", 9100, "/clinic")
    assert launched(["--root-path", ""], GRADIO_ROOT_PATH="/hcc")["root_path"] == ""


def test_a_bad_port_variable_is_a_one_line_usage_error(launched, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        launched([], GRADIO_SERVER_PORT="http")
    assert exit_.value.code == 2
    assert "GRADIO_SERVER_PORT must be a port number, not 'http'" in capsys.readouterr().err


def test_a_misconfigured_store_stops_the_server_with_one_line(monkeypatch, capsys) -> None:
    monkeypatch.setenv("HCC_CONVERSATIONS_STORE", "postgres")
    monkeypatch.delenv("HCC_CONVERSATIONS_URL", raising=False)
    assert app.main(["--port", "9"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: HCC_CONVERSATIONS_STORE=postgres needs HCC_CONVERSATIONS_URL")
    assert "\n" not in error
