"""False alarms: correct planner answers, as written and reworded, replayed as an LLM's text
through the scripted OpenAI-compatible and Ollama servers, pass every output check."""

from __future__ import annotations

import pytest

from assistant.tools import ToolDeps
from eval.cases import load_cases
from eval.guardrail_suites import REWORDINGS, Replayer, replayable
from eval.runner import run_cases

SAMPLE = (
    "t1-imbrave150-orr",
    "cmp-fewest-grade3-traes",
    "fl-large-burden-no-stride",
    "txt-asia-pacific-after-atezobev",
)


@pytest.fixture(scope="module")
def runs(fake_retriever_factory):
    from assistant.agent import Assistant
    from assistant.planner import PlannerChatModel

    deps = ToolDeps(retriever_factory=fake_retriever_factory)
    planner = Assistant(model=PlannerChatModel(), deps=deps)
    cases = [c for c in load_cases() if c.id in SAMPLE or c.category in ("safety", "later_line")]
    return replayable(run_cases(planner, cases[:24], progress=False)), deps


def test_correct_answers_replayed_through_both_servers_raise_no_alarm(runs) -> None:
    answered, deps = runs
    assert len(answered) >= 10
    replayer = Replayer(deps)
    try:
        replays = [
            replayer.replay(run, rewording, kind)
            for run in answered
            for rewording in REWORDINGS
            for kind in ("openai", "ollama")
        ]
    finally:
        replayer.close()
    assert [r for r in replays if r.alarms] == []
    assert {r.backend for r in replays} == {"openai", "ollama"}


def test_a_reworded_answer_is_really_reworded() -> None:
    text = "**Bottom line:** Atezolizumab + bevacizumab first-line, grade ≥3 TRAEs 43%."
    assert REWORDINGS["plain text"](text) == (
        "In short: Atezolizumab + bevacizumab first-line, grade ≥3 TRAEs 43%."
    )
    assert "plus" in REWORDINGS["spelled out"](text) and ">=" in REWORDINGS["spelled out"](text)
