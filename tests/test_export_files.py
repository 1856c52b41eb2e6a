"""Exported records are private (0700 folders, 0600 files) and short-lived."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from ui.export_files import PrivateExports
from ui.session import Session


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def exports(tmp_path: Path):
    folder = PrivateExports(tmp_path / "cache", ttl_s=600)
    yield folder
    folder.close()


def test_files_are_readable_by_the_owner_only(exports: PrivateExports) -> None:
    paths = exports.write(Session())
    assert [p.suffix for p in paths] == [".md", ".json"]
    for path in paths:
        assert _mode(path) == 0o600
        folder = path.parent
        while folder != exports.root.parent:
            assert _mode(folder) == 0o700, folder
            folder = folder.parent


def test_a_session_end_removes_its_records_only(exports: PrivateExports) -> None:
    mine, other = Session(), Session()
    first, again, theirs = exports.write(mine), exports.write(mine), exports.write(other)
    assert first[0].parent != again[0].parent  # each export its own folder
    exports.discard(mine)
    assert not any(p.exists() for p in [*first, *again])
    assert all(p.exists() for p in theirs)
    exports.discard(None)  # a tab that never made a session


def test_records_older_than_the_time_to_live_are_swept(exports: PrivateExports) -> None:
    paths = exports.write(Session())
    assert exports.sweep() == 0 and paths[0].exists()
    assert exports.sweep(now=time.time() + 601) == 1
    assert not paths[0].exists() and not any(exports.root.iterdir())


def test_the_sweeper_runs_by_itself(tmp_path: Path) -> None:
    exports = PrivateExports(tmp_path, ttl_s=0.2, sweep_every_s=0.1)
    try:
        paths = exports.write(Session())
        deadline = time.monotonic() + 10
        while paths[0].exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not paths[0].exists()
    finally:
        exports.close()


def test_close_removes_everything(tmp_path: Path) -> None:
    exports = PrivateExports(tmp_path)
    exports.write(Session())
    exports.close()
    assert not exports.root.exists()
    with pytest.raises(OSError):
        exports.write(Session())
