"""One builder at a time: an advisory file lock on the data directory (fcntl.flock).

Processes (and threads: each `index_lock` opens its own file description) that only read the
index share the lock; the one that builds holds it alone, so the others wait for it and then find
the index current. A process that dies releases its lock with its file descriptors.
"""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from corpus.settings import IndexSettings


@contextmanager
def index_lock(settings: IndexSettings, exclusive: bool) -> Iterator[None]:
    """Hold the data directory's lock, shared for reading or exclusive for building.

    Exclusive raises OSError when the directory cannot be written (the caller reports it).
    Shared never fails: in a directory that does not exist yet there is nothing to read, and a
    read-only one without a lock file has no builder to wait for, so both read unlocked.
    """
    path = settings.lock_path
    if exclusive:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    else:
        opened = _open_for_sharing(path)
        if opened is None:
            yield
            return
        descriptor = opened
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            if exclusive:
                print("Waiting for another process building the index ...", file=sys.stderr)
            fcntl.flock(descriptor, mode)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _open_for_sharing(path: os.PathLike[str]) -> int | None:
    for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):
        try:
            return os.open(path, flags, 0o644)
        except OSError:
            continue
    return None
