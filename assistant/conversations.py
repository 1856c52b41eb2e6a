"""Where conversations are kept: a LangGraph checkpointer chosen by settings, and its upkeep.

A conversation is an agent thread: its messages carry the patient profile from turn to turn
(`assistant/planner/state.py`), so whoever holds the checkpoints can continue it. Three stores:

- `sqlite` (default): one file in the data directory; survives restarts of one server.
- `postgres`: a shared database, so several replicas (and a replacement for a crashed one)
  continue each other's threads.
- `memory`: nothing leaves the process (tests, one-shot command-line use).

Only what the agent saw is stored: the question after the input guardrail replaced identifiers,
and what the tools and model made of it. Conversations older than the retention period are
deleted by `purge` (run by the server every hour and by `python -m assistant conversations
purge`); `delete` forgets one thread at once ("New patient").
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

StoreKind = Literal["sqlite", "postgres", "memory"]
SQLITE_NAME = "conversations.sqlite"
# Replicas starting together must not run the schema migrations twice at once.
SETUP_LOCK_KEY = 0x4843435F434F4E56  # "HCC_CONV"


class ConversationStoreError(Exception):
    """The configured conversation store cannot be opened (a person must fix the setting)."""


class ConversationSettings(BaseSettings):
    """HCC_CONVERSATIONS_STORE, _PATH, _URL, _RETENTION_DAYS, _POOL_SIZE."""

    model_config = SettingsConfigDict(env_prefix="HCC_CONVERSATIONS_", extra="ignore")

    store: StoreKind = "sqlite"
    path: Path | None = Field(
        default=None, description=f"the SQLite file; default <HCC_DATA_DIR>/{SQLITE_NAME}"
    )
    url: str | None = Field(
        default=None,
        description="PostgreSQL connection URI or key=value string; the password is best kept "
        "in PGPASSWORD or ~/.pgpass, which libpq reads itself",
    )
    retention_days: float = Field(
        default=30, ge=0, description="conversations idle longer are deleted; 0 keeps them"
    )
    pool_size: int = Field(default=8, ge=2, le=100, description="PostgreSQL connections")


@dataclass(frozen=True)
class PurgeReport:
    examined: int
    deleted: int
    cutoff: datetime


class ConversationStore(ABC):
    """A checkpointer with the upkeep the product needs: exists, delete, purge, ping. Each store
    lists its threads its own way (memory, SQLite, PostgreSQL)."""

    kind: str = "memory"

    def __init__(self, saver: BaseCheckpointSaver[Any]) -> None:
        self.saver = saver

    def exists(self, thread_id: str) -> bool:
        return self.saver.get_tuple(_config(thread_id)) is not None

    def last_active(self, thread_id: str) -> datetime | None:
        """When the thread last changed (its newest checkpoint), or None if it has none."""
        found = self.saver.get_tuple(_config(thread_id))
        return datetime.fromisoformat(found.checkpoint["ts"]) if found else None

    def delete(self, thread_id: str) -> None:
        self.saver.delete_thread(thread_id)

    @abstractmethod
    def thread_ids(self) -> list[str]:
        """Every thread that has a checkpoint."""

    def purge(self, older_than_days: float, now: datetime | None = None) -> PurgeReport:
        """Delete every thread idle for more than `older_than_days` (0 deletes every thread)."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
        threads = self.thread_ids()
        deleted = 0
        for thread_id in threads:
            active = self.last_active(thread_id)
            if active is not None and active <= cutoff:
                self.delete(thread_id)
                deleted += 1
        return PurgeReport(examined=len(threads), deleted=deleted, cutoff=cutoff)

    def ping(self) -> None:
        """Raise if the store cannot be read (the health check's probe: one indexed read)."""
        self.saver.get_tuple(_config("0" * 32))

    def describe(self) -> str:
        return self.kind

    def close(self) -> None:
        return None


class MemoryConversations(ConversationStore):
    kind = "memory"

    def __init__(self, note: str = "") -> None:
        super().__init__(InMemorySaver())
        self.note = note

    def thread_ids(self) -> list[str]:
        saver = self.saver
        assert isinstance(saver, InMemorySaver)
        return [t for t, namespaces in list(saver.storage.items()) if namespaces]

    def describe(self) -> str:
        return f"memory ({self.note})" if self.note else "memory"


class SqliteConversations(ConversationStore):
    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        from langgraph.checkpoint.sqlite import SqliteSaver

        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # One connection shared by the server's threads (the saver serialises them); the
            # timeout lets a purge command and the server write the same file in turn.
            connection = sqlite3.connect(path, check_same_thread=False, timeout=30)
            saver = SqliteSaver(connection)
            saver.setup()  # WAL journal, tables
            # WAL with synchronous=NORMAL survives a crash of the process (not of the machine
            # mid-commit) and spares an fsync on each of a turn's checkpoints.
            connection.execute("PRAGMA synchronous=NORMAL")
        except (OSError, sqlite3.Error) as error:
            raise ConversationStoreError(
                f"cannot open the conversation store {path}: {error}; set "
                "HCC_CONVERSATIONS_PATH to a writable file or HCC_CONVERSATIONS_STORE=memory"
            ) from None
        super().__init__(saver)
        self.connection = connection

    def thread_ids(self) -> list[str]:
        with self._cursor() as cursor:
            return [row[0] for row in cursor.execute("SELECT DISTINCT thread_id FROM checkpoints")]

    @contextmanager
    def _cursor(self) -> Iterator[sqlite3.Cursor]:
        saver: Any = self.saver
        with saver.cursor(transaction=False) as cursor:
            yield cursor

    def describe(self) -> str:
        return f"sqlite ({self.path.name})"

    def close(self) -> None:
        self.connection.close()


class PostgresConversations(ConversationStore):
    kind = "postgres"

    def __init__(self, url: str, pool_size: int = 8) -> None:
        import psycopg
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg import Error as PostgresError
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool, PoolTimeout

        try:
            # One direct connection first: a wrong URL or a server that is down fails at once,
            # with libpq's own reason, instead of after the pool's timeout.
            psycopg.connect(url, connect_timeout=10).close()
            self.pool: Any = ConnectionPool(
                url,
                min_size=2,
                max_size=pool_size,
                kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
                # A connection broken by a database restart is replaced, not handed out.
                check=ConnectionPool.check_connection,
                open=True,
                timeout=5,  # a request waits this long for a connection while the database is down
            )
            self.pool.wait(timeout=10)
            saver = PostgresSaver(self.pool)
            with self.pool.connection() as connection:
                connection.execute("SELECT pg_advisory_lock(%s)", (SETUP_LOCK_KEY,))
                try:
                    saver.setup()
                finally:
                    connection.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK_KEY,))
        except (PostgresError, PoolTimeout) as error:
            if hasattr(self, "pool"):
                self.pool.close()
            reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise ConversationStoreError(
                f"cannot reach the PostgreSQL conversation store ({type(error).__name__}: "
                f"{reason}); check HCC_CONVERSATIONS_URL"
            ) from None
        super().__init__(saver)

    def thread_ids(self) -> list[str]:
        with self.pool.connection() as connection:
            rows = connection.execute("SELECT DISTINCT thread_id FROM checkpoints").fetchall()
        return [row["thread_id"] for row in rows]

    def close(self) -> None:
        self.pool.close()


def _config(thread_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}


def open_store(
    settings: ConversationSettings, data_dir: Path, fallback: bool = True
) -> ConversationStore:
    """The configured store. A SQLite file that cannot be written (a read-only install) falls
    back to memory with a one-line warning, unless `fallback` is off; an unreachable PostgreSQL
    is an error, since a replica keeping conversations to itself would break threads it shares."""
    if settings.store == "memory":
        return MemoryConversations()
    if settings.store == "postgres":
        if not settings.url:
            raise ConversationStoreError(
                "HCC_CONVERSATIONS_STORE=postgres needs HCC_CONVERSATIONS_URL "
                "(e.g. postgresql://hcc@db.example:5432/hcc)"
            )
        return PostgresConversations(settings.url, settings.pool_size)
    path = settings.path or data_dir / SQLITE_NAME
    try:
        return SqliteConversations(path)
    except ConversationStoreError as error:
        if not fallback:
            raise
        print(f"warning: {error}; conversations are kept in memory only", file=sys.stderr)
        return MemoryConversations(note="the SQLite file could not be opened")


class PurgeSchedule:
    """Purge expired conversations every `interval_s` in a daemon thread (the server's job)."""

    def __init__(self, store: ConversationStore, days: float, interval_s: float = 3600) -> None:
        self.store, self.days, self.interval_s = store, days, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="conversation-purge", daemon=True)

    def start(self) -> PurgeSchedule:
        if self.days > 0:
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.store.purge(self.days)
            except Exception as error:  # a failed purge is retried next round, never fatal
                print(f"warning: conversation purge failed ({error})", file=sys.stderr)
            self._stop.wait(self.interval_s)

    def stop(self) -> None:
        self._stop.set()
