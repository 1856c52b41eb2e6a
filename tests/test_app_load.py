"""Load check: 20 concurrent client sessions asking 5 questions each, no cross-talk."""

from __future__ import annotations

import pytest
from app_support import running_app

from ui.load import run_load

pytestmark = pytest.mark.server


def test_twenty_sessions_five_questions_each(fake_retriever_factory, capsys) -> None:
    from assistant.agent import Assistant
    from assistant.tools import ToolDeps

    def factory() -> Assistant:
        return Assistant(deps=ToolDeps(retriever_factory=fake_retriever_factory))

    with running_app(factory) as url:
        report = run_load(url, sessions=20, questions=5)
    with capsys.disabled():
        print(f"\nload check (in-process server and clients): {report.summary()}")
    assert report.problems == []
    assert len(report.latencies_s) == 100
    assert report.percentile(95) < 60  # a hang or a stuck queue, not a performance target
