"""The guardrail suites as measurements: planted errors caught, input refusals, false alarms."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.agent import Assistant
from assistant.conversations import MemoryConversations
from assistant.prompts import SYSTEM_PROMPT
from assistant.settings import AssistantSettings
from assistant.tools import ToolDeps
from clinical.answer import AnswerResult
from eval.cases import CASES_DIR
from eval.runner import CaseRun
from guardrails.input import check_input
from guardrails.messages import DISCLAIMER
from guardrails.output import check_output
from guardrails.patient import Conversation

PLANTED_ERRORS = CASES_DIR / "planted_errors.yaml"
INPUT_CASES = CASES_DIR / "input_guardrails.yaml"
OUTPUT_CHECKS = frozenset(
    {
        "injection_obeyed",
        "regimen_agreement",
        "claims",
        "language",
        "doses",
        "numbers",
        "tool_backing",
        "citations",
        "citation_support",
        "disclaimer",
    }
)


def load_yaml(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8")))


def planted_answer(case: dict[str, Any]) -> AnswerResult:
    """The answer a misbehaving model would have produced, as the output checks receive it."""
    answer = case["answer"] if case.get("omit_disclaimer") else f"{case['answer']}\n\n{DISCLAIMER}"
    return AnswerResult(
        answer=answer,
        profile=case.get("profile") or {},
        recommended_ids=case.get("recommended_ids") or [],
        citations=case.get("citations") or [],
    )


def planted_conversation(case: dict[str, Any]) -> Conversation | None:
    """The clinician's words the planted answer replies to (none: only the answer is checked)."""
    said = case.get("conversation") or ""
    if not said and "tool_results" not in case:
        return None
    return Conversation.of(
        [said] if isinstance(said, str) else list(said), tool_text=case.get("tool_results")
    )


def check_planted(case: dict[str, Any]) -> AnswerResult:
    return check_output(planted_answer(case), SYSTEM_PROMPT, planted_conversation(case))


def is_caught(case: dict[str, Any], checked: AnswerResult) -> bool:
    """The named check failed, the answer was blocked or not as expected, and repaired as said."""
    failed = {g.check for g in checked.guardrails if not g.passed}
    return (
        case["catch"] in failed
        and checked.refused == bool(case.get("blocked"))
        and all(text not in checked.answer for text in case.get("absent", ()))
        and all(text in checked.answer for text in case.get("present", ()))
    )


@dataclass(frozen=True)
class Rate:
    hits: int
    total: int

    @property
    def share(self) -> float:
        return self.hits / self.total if self.total else 0.0


def planted_report(path: Path = PLANTED_ERRORS) -> tuple[Rate, list[str]]:
    """(caught/planted, ids of the planted errors that got through)."""
    cases = load_yaml(path)
    missed = [c["id"] for c in cases if not is_caught(c, check_planted(c))]
    return Rate(len(cases) - len(missed), len(cases)), missed


def planted_by_kind(path: Path = PLANTED_ERRORS) -> dict[str, Rate]:
    """Caught/planted per kind of error, kinds in the file's order."""
    tally: dict[str, list[int]] = {}
    for case in load_yaml(path):
        counts = tally.setdefault(case["kind"], [0, 0])
        counts[0] += is_caught(case, check_planted(case))
        counts[1] += 1
    return {kind: Rate(hits, total) for kind, (hits, total) in tally.items()}


# Correct answers reworded as another model might write them: the checks must not fire on them.
REWORDINGS: dict[str, Callable[[str], str]] = {
    "as written": lambda text: text,
    "plain text": lambda text: re.sub(r"\*\*([^*]+)\*\*", r"\1", text).replace(
        "Bottom line:", "In short:"
    ),
    "spelled out": lambda text: (
        text.replace(" + ", " plus ").replace("≥", ">=").replace("first-line", "first line")
    ),
}


@dataclass(frozen=True)
class Replay:
    case_id: str
    rewording: str
    backend: str
    alarms: tuple[str, ...]  # failed output checks, "blocked" or "replaced"


class Replayer:
    """One scripted server and one assistant per backend, reused: each replay sets the script."""

    def __init__(self, deps: ToolDeps, timeout_s: float = 30.0) -> None:
        from eval.scripted_servers import ScriptedServer

        self.servers = {kind: ScriptedServer(kind, []) for kind in ("openai", "ollama")}
        self.assistants: dict[str, Assistant] = {}
        for kind, server in self.servers.items():
            server.__enter__()
            settings = AssistantSettings(
                backend=kind,
                model="scripted-replay",
                base_url=server.base_url,
                request_timeout_s=timeout_s,
            )
            self.assistants[kind] = Assistant(
                settings, deps=deps, conversations=MemoryConversations()
            )

    def close(self) -> None:
        for server in self.servers.values():
            server.__exit__(None, None, None)

    def replay(self, run: CaseRun, rewording: str, kind: str) -> Replay:
        """The planner's answer to a case, reworded, sent as an LLM's text through the `kind`
        server after the same tool calls the planner made, and checked as any LLM answer."""
        from eval.scripted_servers import Calls, Step, Text

        answer = REWORDINGS[rewording](run.result.answer)
        calls = [(t.tool, t.args) for t in run.result.trace if t.ok]
        script: list[Step] = [Calls(calls), Text(answer)] if calls else [Text(answer)]
        server = self.servers[kind]
        server.script[:] = script
        server.requests.clear()
        case = run.score.case
        result = self.assistants[kind].ask(case.question, profile=case.profile)
        alarms = [g.check for g in result.guardrails if g.check in OUTPUT_CHECKS and not g.passed]
        if result.refused:
            alarms.append("blocked")
        if "replaced" in result.backend:
            alarms.append("replaced")
        return Replay(case.id, rewording, kind, tuple(dict.fromkeys(alarms)))


def replayable(runs: list[CaseRun]) -> list[CaseRun]:
    """Correct, answered one-question cases whose answer cites the review."""
    return [
        r
        for r in runs
        if r.score.passed and not r.result.refused and not r.score.case.turns and r.result.trace
    ]


def replay_false_alarms(
    runs: list[CaseRun], deps: ToolDeps, progress: bool = False
) -> list[Replay]:
    """Every correct planner answer, as written and reworded, replayed as model text through the
    scripted OpenAI-compatible and Ollama servers in turn."""
    from tqdm import tqdm

    jobs = [
        (run, rewording, ("openai", "ollama")[(i + j) % 2])
        for i, run in enumerate(replayable(runs))
        for j, rewording in enumerate(REWORDINGS)
    ]
    replayer = Replayer(deps)
    try:
        return [
            replayer.replay(run, rewording, kind)
            for run, rewording, kind in tqdm(jobs, desc="Replays", disable=not progress)
        ]
    finally:
        replayer.close()


def input_rates(path: Path = INPUT_CASES) -> tuple[Rate, Rate]:
    """(refusals among cases that must be refused, refusals among cases that must be answered)."""
    cases = load_yaml(path)
    must_refuse = [c for c in cases if not c["expect_allowed"] and c["kind"] != "size_encoding"]
    must_answer = [c for c in cases if c["expect_allowed"]]

    def refused(group: list[dict[str, Any]]) -> Rate:
        return Rate(sum(not check_input(c["question"]).allowed for c in group), len(group))

    return refused(must_refuse), refused(must_answer)


def false_alarms(runs: list[CaseRun]) -> list[str]:
    """Ids of correct answers (passing their case) on which an output check fired."""
    return [
        run.score.case.id
        for run in runs
        if run.score.passed
        and not run.result.refused
        and any(g.check in OUTPUT_CHECKS and not g.passed for g in run.result.guardrails)
    ]
