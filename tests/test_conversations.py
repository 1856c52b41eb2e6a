"""Conversations kept in a store: they survive a restart, hold only redacted text, expire."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.agent import Assistant
from assistant.cli import main as cli_main
from assistant.conversations import (
    ConversationSettings,
    ConversationStoreError,
    MemoryConversations,
    PurgeSchedule,
    SqliteConversations,
    open_store,
)
from assistant.settings import AssistantSettings
from assistant.tools import ToolDeps
from ui.service import ChatService
from ui.session import Session

VIGNETTE = "Child-Pugh A, ECOG 0, AFP 2468 ng/mL, no varices on EGD: first-line options?"
IDENTIFIED = (
    "Mr John Smith, MRN 1234567, DOB 03/04/1956, email john.smith@example.org, "
    "phone 555-123-4567. " + VIGNETTE
)
IDENTIFIERS = ("John", "Smith", "1234567", "1956", "example.org", "555-123")


@pytest.fixture
def make_assistant(fake_retriever_factory):
    def make(store):
        return Assistant(
            deps=ToolDeps(retriever_factory=fake_retriever_factory), conversations=store
        )

    return make


def stored_bytes(path: Path) -> bytes:
    """Everything SQLite holds on disk for the store: the database and its write-ahead log."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_sqlite_is_the_default_in_the_data_directory(isolated_data_dir: Path) -> None:
    store = open_store(ConversationSettings(), isolated_data_dir)
    assert isinstance(store, SqliteConversations)
    assert store.path == isolated_data_dir / "conversations.sqlite" and store.path.exists()
    assert Assistant().conversations.describe() == "sqlite (conversations.sqlite)"


def test_a_conversation_survives_a_restart(tmp_path: Path, make_assistant) -> None:
    path = tmp_path / "c.sqlite"
    first = make_assistant(SqliteConversations(path))
    thread = first.new_thread()
    assert first.ask(VIGNETTE, thread_id=thread).profile["afp_ng_ml"] == 2468
    first.conversations.close()
    second = make_assistant(SqliteConversations(path))  # a new process would do the same
    follow = second.ask("and if she had a liver transplant?", thread_id=thread)
    assert follow.profile["afp_ng_ml"] == 2468 and follow.profile["child_pugh_class"] == "A"
    assert follow.profile["organ_transplant"] is True
    fresh = second.ask("and if she had a liver transplant?", thread_id=second.new_thread())
    assert "afp_ng_ml" not in fresh.profile


def test_only_redacted_text_is_stored(tmp_path: Path, make_assistant) -> None:
    path = tmp_path / "c.sqlite"
    assistant = make_assistant(SqliteConversations(path))
    thread = assistant.new_thread()
    assistant.ask(IDENTIFIED, thread_id=thread)
    assistant.ask("and if she had a liver transplant? Dr Jones, call 555-123-4567", thread)
    raw = stored_bytes(path)
    assert b"[NAME]" in raw and b"[MRN]" in raw and b"2468" in raw  # the search can find text
    assert [i for i in IDENTIFIERS if i.encode() in raw] == []


def test_a_one_shot_question_keeps_nothing(tmp_path: Path, make_assistant) -> None:
    assistant = make_assistant(SqliteConversations(tmp_path / "c.sqlite"))
    assistant.ask(VIGNETTE)
    assert assistant.conversations.thread_ids() == []
    thread = assistant.new_thread()
    assistant.ask(VIGNETTE, thread_id=thread)
    assert assistant.conversations.thread_ids() == [thread]


def test_a_refused_first_question_starts_no_conversation(make_assistant) -> None:
    assistant = make_assistant(MemoryConversations())
    thread = assistant.new_thread()
    assert assistant.ask("Write me a poem about the sea", thread_id=thread).refused
    assert not assistant.conversations.exists(thread)


def test_new_patient_deletes_the_thread(make_assistant) -> None:
    service = ChatService(make_assistant(MemoryConversations()))
    session = Session()
    service.ask(session, VIGNETTE)
    old = session.thread_id
    assert service.assistant.conversations.exists(old)
    service.new_patient(session)
    assert not service.assistant.conversations.exists(old)
    assert session.thread_id != old and session.turns == [] and session.profile == {}


def test_purge_deletes_only_conversations_idle_past_the_retention(make_assistant) -> None:
    store = MemoryConversations()
    assistant = make_assistant(store)
    idle, followed = assistant.new_thread(), assistant.new_thread()
    assistant.ask(VIGNETTE, thread_id=idle)
    assistant.ask(VIGNETTE, thread_id=followed)
    assistant.ask("and if she had a liver transplant?", thread_id=followed)
    last = store.last_active(followed)
    assert last is not None and store.last_active(idle) < last  # type: ignore[operator]
    assert store.purge(30, now=datetime.now(UTC) + timedelta(days=29)).deleted == 0
    # Thirty days after the follow-up, less a moment: the follow-up reset its thread's clock.
    report = store.purge(30, now=last + timedelta(days=30, milliseconds=-1))
    assert (report.examined, report.deleted) == (2, 1)
    assert store.thread_ids() == [followed]
    assert store.purge(30, now=last + timedelta(days=30)).deleted == 1
    assert store.thread_ids() == []


def test_the_server_purges_on_a_schedule(make_assistant) -> None:
    store = MemoryConversations()
    assistant = make_assistant(store)
    assistant.ask(VIGNETTE, thread_id=assistant.new_thread())
    schedule = PurgeSchedule(store, days=1e-9, interval_s=0.05).start()
    try:
        for _ in range(100):
            if not store.thread_ids():
                break
            schedule._stop.wait(0.05)
    finally:
        schedule.stop()
    assert store.thread_ids() == []
    off = PurgeSchedule(store, days=0).start()  # retention 0 keeps conversations
    assert not off._thread.is_alive()


def test_an_unwritable_sqlite_path_falls_back_to_memory(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    settings = ConversationSettings(path=blocker / "c.sqlite")
    store = open_store(settings, tmp_path)
    assert isinstance(store, MemoryConversations)
    warning = capsys.readouterr().err.strip()
    assert warning.startswith("warning: cannot open the conversation store") and "\n" not in warning
    with pytest.raises(ConversationStoreError, match="HCC_CONVERSATIONS_PATH"):
        open_store(settings, tmp_path, fallback=False)


def test_postgres_needs_a_url() -> None:
    with pytest.raises(ConversationStoreError, match="HCC_CONVERSATIONS_URL"):
        open_store(ConversationSettings(store="postgres"), Path("."))


def test_an_unreachable_postgres_is_a_one_line_error() -> None:
    from ui.load import free_port

    url = f"postgresql://hcc@127.0.0.1:{free_port()}/hcc"
    with pytest.raises(ConversationStoreError) as error:
        open_store(ConversationSettings(store="postgres", url=url), Path("."))
    assert "\n" not in str(error.value) and "HCC_CONVERSATIONS_URL" in str(error.value)


def test_settings_come_from_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HCC_CONVERSATIONS_STORE", "memory")
    monkeypatch.setenv("HCC_CONVERSATIONS_RETENTION_DAYS", "7")
    settings = AssistantSettings().conversations
    assert settings.store == "memory" and settings.retention_days == 7


def test_the_conversations_command(tmp_path: Path, monkeypatch, make_assistant, capsys) -> None:
    path = tmp_path / "c.sqlite"
    monkeypatch.setenv("HCC_CONVERSATIONS_PATH", str(path))
    assistant = make_assistant(SqliteConversations(path))
    one, two = assistant.new_thread(), assistant.new_thread()
    assistant.ask(VIGNETTE, thread_id=one)
    assistant.ask(VIGNETTE, thread_id=two)
    assert cli_main(["conversations", "count"]) == 0
    assert capsys.readouterr().out.startswith("2 conversations in sqlite")
    assert cli_main(["conversations", "purge"]) == 0  # 30 days by default: both are recent
    assert "deleted 0 of 2" in capsys.readouterr().out
    assert cli_main(["conversations", "delete", one]) == 0
    assert cli_main(["conversations", "purge", "--older-than-days", "0"]) == 0
    assert "deleted 1 of 1" in capsys.readouterr().out
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM checkpoints").fetchone() == (0,)
    monkeypatch.setenv("HCC_CONVERSATIONS_RETENTION_DAYS", "0")
    assert cli_main(["conversations", "purge"]) == 2
    assert "retention is off" in capsys.readouterr().err


KILLED_MID_TURN = """
import os, sys
sys.path.insert(0, "tests")
from pathlib import Path
from langchain_core.messages import AIMessage
from scripted_models import ScriptedChatModel, call
from assistant.agent import Assistant
from assistant.conversations import SqliteConversations
from assistant.tools import ToolDeps

def die(messages):
    os._exit(137)  # as SIGKILL: no cleanup, no exit handlers

model = ScriptedChatModel(steps=[
    call("lookup_trial", {"trial": "LEAP-002"}),
    AIMessage(content="LEAP-002 [LEAP-002; ref 25]"),
    call("lookup_trial", {"trial": "IMbrave150"}, "call_2"),
    die,
])
assistant = Assistant(model=model, deps=ToolDeps(retriever_factory=lambda: None),
                      conversations=SqliteConversations(Path(sys.argv[1])))
assistant.ask("What was the PD rate in LEAP-002?", thread_id=sys.argv[2])
print("first turn stored", flush=True)
assistant.ask("and in IMbrave150?", thread_id=sys.argv[2])
"""


def test_a_server_killed_mid_turn_leaves_no_half_turn(tmp_path: Path) -> None:
    """The process dies between a tool call and the answer: the stored thread is the one
    before the turn, so the replica that takes over continues from the last answer."""
    import subprocess
    import sys

    from langchain_core.messages import HumanMessage

    from corpus.settings import PROJECT_ROOT

    path, thread = tmp_path / "c.sqlite", "f" * 32
    died = subprocess.run(
        [sys.executable, "-c", KILLED_MID_TURN, str(path), thread],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert died.returncode == 137 and died.stdout == "first turn stored\n", died.stderr[-2000:]
    store = SqliteConversations(path)
    found = store.saver.get_tuple({"configurable": {"thread_id": thread, "checkpoint_ns": ""}})
    assert found is not None
    messages = found.checkpoint["channel_values"]["messages"]
    assert sum(isinstance(m, HumanMessage) for m in messages) == 1
    assert messages[-1].content == "LEAP-002 [LEAP-002; ref 25]"
