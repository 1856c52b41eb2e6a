"""The real langchain-openai and langchain-ollama clients against scripted servers on 127.0.0.1.

Each script calls tools (one, several or none, with good or bad arguments) and then answers,
unsafely where the test says so; the servers stream, send tool calls in pieces, time out, fail
and send garbage. Whatever the model does, what reaches the clinician has passed the output
checks, and a failing backend gives a clear notice and the planner's grounded answer: never a
traceback, never a wait past the configured timeout.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from assistant.agent import Assistant
from assistant.cli import main as cli_main
from assistant.settings import AssistantSettings
from assistant.tools import ToolDeps
from eval.scripted_servers import Calls, Raw, ScriptedServer, Slow, Status, Text, tool_results
from guardrails.messages import DISCLAIMER

KINDS = ("openai", "ollama")
VARICES = "CP-A, ECOG 0, EGD last week: large varices, not banded. First-line options?"
VARICES_PROFILE = {"child_pugh_class": "A", "ecog": 0, "varices": "untreated_or_severe"}


@pytest.fixture
def deps(fake_retriever_factory) -> ToolDeps:
    return ToolDeps(retriever_factory=fake_retriever_factory)


def _assistant(server: ScriptedServer, deps: ToolDeps, **settings: Any) -> Assistant:
    config = AssistantSettings(
        backend=server.kind,  # type: ignore[arg-type]
        model="scripted",
        base_url=server.base_url,
        request_timeout_s=settings.pop("timeout", 10.0),
        **settings,
    )
    return Assistant(config, deps=deps)


def _failed(result) -> set[str]:
    return {g.check for g in result.guardrails if not g.passed}


@pytest.mark.parametrize("kind", KINDS)
def test_unsafe_endorsement_after_one_search_is_repaired_from_the_words(kind, deps) -> None:
    """The issue's case: one search_review call, then atezo/bev with untreated varices."""
    script = [
        Calls([("search_review", {"query": "atezolizumab bevacizumab varices"})]),
        Text("Go with atezolizumab + bevacizumab [IMbrave150; ref 19]: it is well balanced."),
    ]
    with ScriptedServer(kind, script) as server:
        result = _assistant(server, deps).ask(VARICES)
    assert "regimen_agreement" in _failed(result)
    assert "Go with atezolizumab" not in result.answer
    assert "atezolizumab_bevacizumab" not in result.recommended_ids
    assert "varices" in result.answer and result.answer.endswith(DISCLAIMER)
    assert len(server.requests) == 2 and tool_results(server.requests[1]["messages"])


@pytest.mark.parametrize("kind", KINDS)
def test_several_tool_calls_streamed_in_pieces_and_a_correct_answer_passes(kind, deps) -> None:
    script = [
        Calls(
            [
                ("lookup_trial", {"name": "LEAP-002", "metric": "PD rate"}),
                ("lookup_trial", {"name": "HIMALAYA", "metric": "PD rate"}),
            ]
        ),
        Text(
            "PD rate 12.2% with lenvatinib + pembrolizumab [LEAP-002; ref 24] and 39.9% with "
            "STRIDE [HIMALAYA; ref 34].",
            pieces=9,
        ),
    ]
    with ScriptedServer(kind, script) as server:
        result = _assistant(server, deps, stream=True).ask("PD rates of LEAP-002 and HIMALAYA?")
    assert [t.tool for t in result.trace] == ["lookup_trial", "lookup_trial"]
    assert all(t.ok for t in result.trace)
    assert _failed(result) == {"disclaimer"}  # the model left it out; the check appended it
    assert "12.2%" in result.answer and "39.9%" in result.answer
    assert server.requests[0].get("stream") is True


@pytest.mark.parametrize("kind", KINDS)
def test_tool_called_with_bad_arguments_then_fixed(kind, deps) -> None:
    script = [
        Calls([("select_regimens", {"profile": {"child_pugh_class": "Z", "ecog": 9}})]),
        Calls([("select_regimens", {"profile": VARICES_PROFILE})]),
        Text("I recommend lenvatinib [REFLECT; ref 22]; avoid atezolizumab + bevacizumab."),
    ]
    with ScriptedServer(kind, script) as server:
        result = _assistant(server, deps).ask(VARICES)
    assert [t.ok for t in result.trace] == [False, True]
    assert "Fix the arguments" in tool_results(server.requests[1]["messages"])[0]
    assert "regimen_agreement" not in _failed(result)


@pytest.mark.parametrize("kind", KINDS)
def test_no_tool_call_gives_the_planners_grounded_answer(kind, deps) -> None:
    script = [Text("Atezo/bev has an ORR of 36% [IMbrave150].")]
    with ScriptedServer(kind, script) as server:
        result = _assistant(server, deps).ask("What was the ORR with atezo/bev in IMbrave150?")
    assert "36%" not in result.answer and "30%" in result.answer
    assert result.backend.endswith("(replaced by planner)")


def test_malformed_tool_call_json_is_not_a_traceback(deps) -> None:
    script = [Calls([("lookup_trial", '{"name": "LEAP-002", "metric": ')]), Text("Done.")]
    with ScriptedServer("openai", script) as server:
        result = _assistant(server, deps).ask("PD rate in LEAP-002?")
    assert "12.2%" in result.answer  # the planner's answer: the model never got a tool result
    assert result.backend.endswith("(replaced by planner)")


@pytest.mark.parametrize("kind", KINDS)
def test_promise_of_cure_is_blocked_and_the_grounded_answer_shown(kind, deps) -> None:
    script = [
        Calls([("select_regimens", {"profile": {"child_pugh_class": "A", "ecog": 0}})]),
        Text("Lenvatinib will cure this patient [REFLECT; ref 22]."),
    ]
    with ScriptedServer(kind, script) as server:
        result = _assistant(server, deps).ask("CP-A, ECOG 0, no varices on EGD: first line?")
    assert "will cure" not in result.answer
    assert "answer was not shown" in result.answer and "cure" in result.notices[0]
    assert not result.refused and result.recommended_ids


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("step", "said"),
    [
        (Status(500), "returned an error"),
        (Raw("<html>this is not JSON"), "could not be read"),
        (Slow(3.0, Text("too late")), "did not answer within the configured 1 s"),
    ],
    ids=["http-500", "garbage", "slow"],
)
def test_failing_server_gives_a_notice_and_the_grounded_answer(kind, step, said, deps) -> None:
    with ScriptedServer(kind, [step]) as server:
        started = time.perf_counter()
        result = _assistant(server, deps, timeout=1.0).ask("What was the ORR in IMbrave150?")
        elapsed = time.perf_counter() - started
    assert said in result.notices[0], result.notices
    assert "30%" in result.answer and result.answer.startswith(f"_{result.notices[0]}_")
    assert not result.refused
    assert elapsed < 2.9  # the configured timeout holds (no retries waiting again)


@pytest.mark.parametrize("kind", KINDS)
def test_server_that_is_down_gives_a_notice(kind, deps) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = AssistantSettings(
        backend=kind,  # type: ignore[arg-type]
        model="scripted",
        base_url=f"http://127.0.0.1:{port}" + ("/v1" if kind == "openai" else ""),
        request_timeout_s=2.0,
    )
    result = Assistant(settings, deps=deps).ask("What was the ORR in IMbrave150?")
    assert "could not be reached" in result.notices[0]
    assert "30%" in result.answer


@pytest.mark.parametrize("kind", KINDS)
def test_terminal_ask_with_backend_shows_only_the_checked_answer(kind, monkeypatch, capsys) -> None:
    script = [
        Calls([("select_regimens", {"profile": {"child_pugh_class": "A", "ecog": 0}})]),
        Text("Nivolumab + ipilimumab is the best choice here [CheckMate 9DW; ref 23]."),
    ]
    with ScriptedServer(kind, script) as server:
        monkeypatch.setenv("HCC_MODEL", "scripted")
        monkeypatch.setenv("HCC_BASE_URL", server.base_url)
        code = cli_main(["ask", "--backend", kind, "s/p OLT 2019, CP-A, ECOG 0. First line?"])
    out = capsys.readouterr()
    assert code == 0 and "Traceback" not in out.err
    assert "best choice here" not in out.out
    assert "organ transplant" in out.out and DISCLAIMER in out.out


@pytest.mark.parametrize("kind", KINDS)
def test_web_app_shows_only_the_checked_answer(kind, deps) -> None:
    """The web app's chat service gets the checked answer, and the chat message it sends (whole,
    once, with the card) is made from it: no model text reaches the screen unchecked."""
    from ui.chat import answer_message, answer_text
    from ui.service import ChatService
    from ui.session import Session

    script = [
        Calls([("search_review", {"query": "STRIDE conversion"})]),
        Text("STRIDE will cure her and is ideal for conversion [HIMALAYA; ref 34].", pieces=12),
    ]
    with ScriptedServer(kind, script) as server:
        service = ChatService(_assistant(server, deps, stream=True))
        turn = service.ask(Session(), "CP-A, ECOG 0, no varices on EGD, goal downstaging. STRIDE?")
    shown = answer_text(turn.result, turn.body)
    message = str(answer_message(turn.result, turn.body)["content"])
    for text in (shown, message):
        assert "will cure" not in text and "ideal for conversion" not in text
    assert "rule core" in shown  # the endorsement was replaced before any other check


@pytest.mark.parametrize("kind", KINDS)
def test_a_failure_mid_conversation_keeps_what_the_clinician_said_before(kind, deps) -> None:
    """Turn 1 (a transplant) is answered by the model; turn 2's server fails: the planner's
    answer instead still knows about the transplant."""
    script = [
        Calls([("select_regimens", {"profile": {"organ_transplant": True}})]),
        Text("Noted: previous liver transplant, so immune-based therapy is ruled out."),
        Status(500),
    ]
    with ScriptedServer(kind, script) as server:
        assistant = _assistant(server, deps)
        thread = assistant.new_thread()
        first = assistant.ask("She had a liver transplant in 2019.", thread_id=thread)
        second = assistant.ask("CP-A, ECOG 0. Which first-line therapy?", thread_id=thread)
    assert not first.notices
    assert "returned an error" in second.notices[0]
    assert second.recommended_ids and second.recommended_ids[0] == "lenvatinib"
    assert "atezolizumab_bevacizumab" not in second.recommended_ids
