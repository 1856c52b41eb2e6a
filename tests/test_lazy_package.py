"""`defer_package_init`: a package's submodules import alone; its `__init__` runs on first use."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from assistant.lazy_imports import defer_package_init


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    root = tmp_path / "deferredpkg"
    root.mkdir()
    (root / "__init__.py").write_text(
        "import sys\n"
        "sys.deferredpkg_runs = getattr(sys, 'deferredpkg_runs', 0) + 1\n"
        "from .light import Light\n"
        "from .heavy import Heavy\n"
    )
    (root / "light.py").write_text("class Light: ...\n")
    (root / "heavy.py").write_text("class Heavy: ...\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "deferredpkg_runs", 0, raising=False)
    yield "deferredpkg"
    for name in [m for m in sys.modules if m.split(".")[0] == "deferredpkg"]:
        del sys.modules[name]


def test_a_submodule_imports_without_the_package_init(package: str) -> None:
    assert defer_package_init(package)
    from deferredpkg.light import Light

    assert Light.__name__ == "Light"
    assert sys.deferredpkg_runs == 0
    assert "deferredpkg.heavy" not in sys.modules
    assert "__getattr__" in vars(sys.modules[package])  # still waiting for its first use


def test_the_first_name_from_the_package_runs_its_init_once(package: str) -> None:
    defer_package_init(package)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(sys.modules[package].Heavy))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and all(r.__name__ == "Heavy" for r in results)
    assert sys.deferredpkg_runs == 1
    from deferredpkg import Light

    assert Light.__name__ == "Light" and sys.deferredpkg_runs == 1


def test_a_loaded_or_unknown_package_is_left_alone(package: str) -> None:
    __import__(package)
    assert not defer_package_init(package)
    assert not defer_package_init("no_such_package_anywhere")
    assert not defer_package_init("json.decoder")  # a module, not a package


def test_langsmith_types_still_gives_all_its_names() -> None:
    from langsmith.types import Run, RunSelectField

    import assistant  # noqa: F401  (registers the deferral before langchain-core loads)

    assert Run.__name__ == "Run" and RunSelectField is not None


def test_langgraph_sdk_still_gives_all_its_names() -> None:
    from langgraph_sdk import get_client
    from langgraph_sdk.auth.types import BaseUser

    import assistant  # noqa: F401  (registers the deferral)

    assert callable(get_client) and BaseUser.__name__ == "BaseUser"
