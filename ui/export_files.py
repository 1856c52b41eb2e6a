"""Where exported records live: a private folder, one subfolder per browser session, short-lived.

A record holds a consultation, so its files are readable by the server's user only (folders 0700,
files 0600). They are removed when the session ends (the tab closes, or "New patient"), when they
are older than `ttl_s`, and when the server stops. The app puts the root inside Gradio's own
cache folder so that Gradio serves the files where they are instead of copying them into its
world-readable cache.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

from ui.export import json_text, markdown_text, record
from ui.session import Session

DEFAULT_TTL_S = 30 * 60.0
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def _write_private(path: Path, text: str) -> None:
    """Create `path` as 0600 from the start (never readable by others, even for a moment)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


class PrivateExports:
    """The export root: write a session's record, forget a session, sweep old files."""

    def __init__(
        self, parent: Path | None = None, ttl_s: float = DEFAULT_TTL_S, sweep_every_s: float = 60
    ) -> None:
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        # mkdtemp makes the folder 0700 with an unguessable name.
        self.root = Path(tempfile.mkdtemp(prefix="hcc-exports-", dir=parent))
        os.chmod(self.root, PRIVATE_DIR)
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sweeper = threading.Thread(
            target=self._sweep_loop, args=(sweep_every_s,), name="export-sweeper", daemon=True
        )
        self._sweeper.start()
        atexit.register(self.close)

    def _session_folder(self, session: Session) -> Path:
        return self.root / session.session_id

    def write(self, session: Session, now: datetime | None = None) -> list[Path]:
        """The record as Markdown and JSON in a new private folder of the session's."""
        self.sweep()
        with self._lock:
            if not self.root.is_dir():
                raise OSError("the export folder has been removed")
            folder = self._session_folder(session)
            folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
            export = Path(tempfile.mkdtemp(dir=folder))  # 0700, one per export: names never clash
            stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
            markdown = export / f"consultation-{stamp}.md"
            payload = export / f"consultation-{stamp}.json"
            data = record(session, now)  # identifiers removed once, written twice
            _write_private(markdown, markdown_text(data))
            _write_private(payload, json_text(data))
        return [markdown, payload]

    def discard(self, session: Session | None) -> None:
        """Remove every record of `session` (its tab closed, or a new patient began)."""
        if session is not None:
            with self._lock:
                shutil.rmtree(self._session_folder(session), ignore_errors=True)

    def sweep(self, now: float | None = None) -> int:
        """Remove exports older than the time to live; how many were removed."""
        cutoff = (now if now is not None else time.time()) - self.ttl_s
        removed = 0
        with self._lock:
            for export in self.root.glob("*/*"):
                try:
                    if export.stat().st_mtime <= cutoff:
                        shutil.rmtree(export, ignore_errors=True)
                        removed += 1
                except OSError:
                    continue
            for folder in self.root.glob("*"):
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
        return removed

    def _sweep_loop(self, every_s: float) -> None:
        while not self._stop.wait(every_s):
            try:
                self.sweep()
            except OSError:  # the root was removed under us: nothing left to sweep
                continue

    def close(self) -> None:
        """Stop sweeping and remove every export (the server is stopping)."""
        self._stop.set()
        with self._lock:
            shutil.rmtree(self.root, ignore_errors=True)
