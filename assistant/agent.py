"""The assistant: a LangChain tool-calling agent over the review, behind one `ask` call.

One agent graph (create_agent) per Assistant, checkpointed in the configured conversation store
(SQLite by default, PostgreSQL for replicas) so follow-up questions in the same thread keep the
patient profile, across restarts and replicas. The result is the contract's
`AnswerResult`, built from what the tools returned in this turn, never from the model's say-so.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, cast

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.errors import GraphRecursionError

from assistant.backends import make_model
from assistant.conversations import ConversationStore, MemoryConversations, open_store
from assistant.planner import PlannerChatModel
from assistant.planner.state import conversation, last_human_index, profile_block, text_of
from assistant.prompts import REFUSAL_EMPTY, SYSTEM_PROMPT, UNGROUNDED_REPLACED
from assistant.settings import AssistantSettings
from assistant.tools import ToolDeps, build_tools
from clinical.answer import (
    AnswerResult,
    AskedPart,
    AvoidEntry,
    GuardrailResult,
    ToolTrace,
    Verdict,
    opening,
)
from clinical.profile import PatientProfile, ProfileError, parse_profile
from clinical.reader import read_conversation
from clinical.reader.facts import Fact
from corpus.sources import Citation, merge
from guardrails.input import check_input
from guardrails.output import check_output
from guardrails.patient import Conversation

CHOICE_TOOLS = ("select_regimens", "locoregional_options")


def check_question(question: object, max_chars: int) -> str | None:
    """Why a question cannot be asked at all (empty, oversized, not text), or None."""
    if not isinstance(question, str):
        return "The question must be text."
    try:
        question.encode("utf-8")
    except UnicodeEncodeError:
        return "The question is not valid UTF-8 text."
    if not question.strip():
        return REFUSAL_EMPTY
    if len(question) > max_chars:
        return (
            f"The question is {len(question):,} characters long; the limit is {max_chars:,}. "
            "Please shorten it to the clinical question and the patient's key facts."
        )
    return None


class Assistant:
    def __init__(
        self,
        settings: AssistantSettings | None = None,
        model: BaseChatModel | None = None,
        deps: ToolDeps | None = None,
        conversations: ConversationStore | None = None,
    ) -> None:
        self.settings = settings or AssistantSettings()
        self.conversations = conversations or open_store(
            self.settings.conversations, self.settings.index.data_dir
        )
        self.deps = deps or ToolDeps(settings=self.settings)
        self.model = model or make_model(self.settings)
        self.is_planner = isinstance(self.model, PlannerChatModel)
        self.backend = (
            "planner"
            if self.is_planner
            else (self.settings.backend if model is None else type(model).__name__)
        )
        self.graph = create_agent(
            self.model,
            build_tools(self.deps),
            system_prompt=SYSTEM_PROMPT,
            checkpointer=self.conversations.saver,
        )
        self._fallback: Assistant | None = None

    @staticmethod
    def new_thread() -> str:
        return uuid.uuid4().hex

    def ask(
        self,
        question: str,
        thread_id: str | None = None,
        profile: PatientProfile | dict[str, Any] | None = None,
        id: str | None = None,
    ) -> AnswerResult:
        started = time.perf_counter()
        problem = check_question(question, self.settings.max_question_chars)
        if problem:
            return AnswerResult.refusal(problem, question="", id=id)
        # The single choke point: every question passes the input checks, every answer the
        # output checks, whichever model wrote it.
        follow_up = thread_id is not None and self._has_history(thread_id)
        # What the clinician said before, for the planner should it have to answer instead.
        earlier = self._earlier_turns(thread_id) if follow_up and not self.is_planner else []
        verdict = check_input(question, self.settings.max_question_chars, follow_up)
        screened = [
            GuardrailResult(check=c.check, passed=c.passed, detail=c.detail) for c in verdict.checks
        ]
        if not verdict.allowed:
            refusal = AnswerResult.refusal(
                verdict.reason or "The question cannot be answered.",
                question=verdict.question,
                id=id,
            )
            refusal.guardrails = screened
            refusal.intent = verdict.category
            return refusal
        question = verdict.question  # identifiers replaced, injected instructions removed
        if profile is not None and not isinstance(profile, PatientProfile):
            try:  # checked like a profile file, but sent as given: "unknown" clears a field
                parse_profile(profile)
            except ProfileError as error:
                refusal = AnswerResult.refusal(str(error), question=question, id=id)
                refusal.guardrails = screened
                return refusal
        if isinstance(profile, PatientProfile):
            profile = profile.model_dump(mode="json", exclude_defaults=True)
        content = question + (profile_block(profile) if profile else "")
        thread = thread_id or self.new_thread()
        config: RunnableConfig = {
            "configurable": {"thread_id": thread},
            "recursion_limit": 2 * self.settings.max_tool_rounds + 2,
        }
        try:
            # durability="exit": the turn is written once, when the graph finishes, so a server
            # killed mid-turn leaves no half turn for the replica that takes over.
            state = self.graph.invoke(
                cast(Any, {"messages": [HumanMessage(content)]}), config, durability="exit"
            )
        except GraphRecursionError:
            return AnswerResult.refusal(
                f"The {self.backend} model did not finish within "
                f"{self.settings.max_tool_rounds} tool rounds; no answer is shown.",
                question=question,
                id=id,
            )
        except Exception as error:  # a real model's server: down, slow, or talking garbage
            if self.is_planner:
                raise
            notice = backend_failure(self.backend, error, self.settings.request_timeout_s)
            replaced = self._grounded_instead(question, profile, id, FAILED_REPLACED, earlier)
            return self._with_notice(replaced, notice, screened, started)
        finally:
            if thread_id is None:  # a one-shot question: nobody can follow it up, so keep nothing
                self.conversations.delete(thread)
        result = self._result(state["messages"], question, id)
        checked = self._checked_conversation(state["messages"])
        if not self.is_planner and not result.refused and not any(t.ok for t in result.trace):
            result = self._grounded_instead(question, profile, id, earlier=earlier)
            checked = Conversation.of(checked.messages, checked.given)  # the planner's own tools
        unchecked_refusal = result.refused
        result = check_output(result, SYSTEM_PROMPT, checked)
        if not self.is_planner and result.refused and not unchecked_refusal:
            # The model's answer was blocked: the clinician gets the planner's grounded answer,
            # told why the model's answer is not shown.
            notice = f"The {self.backend} model's answer was not shown. {result.refusal_reason}"
            blocked = [g for g in result.guardrails if not g.passed]
            replaced = self._grounded_instead(question, profile, id, BLOCKED_REPLACED, earlier)
            replaced.guardrails = [*blocked, *replaced.guardrails]
            return self._with_notice(replaced, notice, screened, started)
        result.guardrails = [*screened, *result.guardrails]
        result.notices = list(verdict.warnings)
        if result.notices and not result.refused:  # said where the clinician reads first
            result.answer = f"_{' '.join(result.notices)}_\n\n{result.answer}"
        result.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        return result

    @staticmethod
    def _with_notice(
        result: AnswerResult, notice: str, screened: list[GuardrailResult], started: float
    ) -> AnswerResult:
        result.guardrails = [*screened, *result.guardrails]
        result.notices = [notice, *result.notices]
        result.answer = f"_{notice}_\n\n{result.answer}"
        result.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        return result

    def _checked_conversation(self, messages: Sequence[BaseMessage]) -> Conversation:
        """What the output checks read: the clinician's messages and, for an LLM, every tool
        result of the conversation (what its citations must be backed by)."""
        texts, given = conversation(messages)
        tools = None
        if not self.is_planner:
            tools = "\n".join(
                text_of(m) + "\n" + json.dumps(m.artifact, default=str)
                for m in messages
                if isinstance(m, ToolMessage)
            )
        return Conversation.of(texts, given, tools)

    def _earlier_turns(self, thread_id: str | None) -> list[tuple[str, dict[str, Any]]]:
        """The clinician's messages so far in the thread (each with the profile sent with it)."""
        if thread_id is None:
            return []
        config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
        messages = self.graph.get_state(config).values.get("messages") or []
        if not any(isinstance(m, HumanMessage) for m in messages):
            return []
        texts, given = conversation(messages)
        return list(zip(texts, given, strict=True))

    def _has_history(self, thread_id: str) -> bool:
        """True when the thread already holds an answered question (so this one follows up)."""
        config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
        return bool(self.graph.get_state(config).values.get("messages"))

    def _grounded_instead(
        self,
        question: str,
        profile: dict[str, Any] | None,
        id: str | None,
        why: str = UNGROUNDED_REPLACED,
        earlier: Sequence[tuple[str, dict[str, Any]]] = (),
    ) -> AnswerResult:
        """The planner's grounded answer instead of the LLM's, in a conversation that holds the
        clinician's earlier messages (so a transplant said three turns ago still counts)."""
        if self._fallback is None:
            self._fallback = Assistant(
                self.settings, PlannerChatModel(), self.deps, MemoryConversations()
            )
        thread = None
        if earlier:
            thread = self._fallback.new_thread()
            for text, given in earlier:
                self._fallback.ask(text, thread_id=thread, profile=given or None)
        try:
            result = self._fallback.ask(question, thread_id=thread, profile=profile, id=id)
        finally:
            if thread is not None:
                self._fallback.conversations.delete(thread)
        result.backend = f"{self.backend} (replaced by planner)"
        result.guardrails.append(GuardrailResult(check="grounding", passed=False, detail=why))
        return result

    def _result(
        self, messages: Sequence[BaseMessage], question: str, id: str | None
    ) -> AnswerResult:
        turn = messages[last_human_index(messages) + 1 :]
        final = next((m for m in reversed(turn) if isinstance(m, AIMessage)), AIMessage(content=""))
        metadata = final.response_metadata or {}
        calls = {c["id"]: c for m in turn if isinstance(m, AIMessage) for c in m.tool_calls}
        outputs = [m for m in turn if isinstance(m, ToolMessage)]
        artifacts = [m.artifact for m in outputs if isinstance(m.artifact, dict)]
        trace = [_trace(calls.get(m.tool_call_id, {}), m) for m in outputs]
        answer = text_of(final)
        chosen = [a for a in artifacts if a.get("tool") in CHOICE_TOOLS]
        citations = merge(Citation(**c) for a in artifacts for c in a.get("citations", []))
        if not self.is_planner:  # keep what the model's answer actually cites
            citations = [c for c in citations if c.trial is None or c.trial in answer]
        profiles = [a["profile"] for a in artifacts if "profile" in a]
        facts = metadata.get("facts")
        if facts is None:  # another model: the clinician's words read by the same reader
            texts, given = conversation(messages)
            facts = [
                f.model_dump(mode="json") for f in read_conversation(texts, given).shown_facts()
            ]
        return AnswerResult(
            id=id,
            question=question,
            answer=answer,
            bottom_line=metadata.get("bottom_line") or opening(answer),
            parts=[AskedPart(**p) for p in metadata.get("parts") or []],
            verdicts=[Verdict(**v) for v in metadata.get("verdicts") or []],
            facts=[Fact(**f) for f in facts],
            refused=bool(metadata.get("refused", False)),
            refusal_reason=metadata.get("refusal_reason"),
            intent=metadata.get("intent") or _intent_from_tools(artifacts),
            recommended=[o["name"] for a in chosen for o in a["recommended"]],
            recommended_ids=[o["regimen"] for a in chosen for o in a["recommended"]],
            avoid=[
                AvoidEntry(regimen=o["name"], reason=o["reason"])
                for a in chosen
                for o in a["avoid"]
            ],
            citations=citations,
            profile=profiles[-1] if profiles else dict(metadata.get("profile") or {}),
            rules_fired=list(dict.fromkeys(r for a in artifacts for r in a.get("rules_fired", []))),
            trace=trace,
            backend=self.backend,
        )


def backend_failure(backend: str, error: BaseException, timeout_s: float) -> str:
    """What the clinician is told when the model's server fails, in words (no traceback)."""
    names = " ".join(type(e).__name__ for e in _chain(error)).lower()
    if "timeout" in names or "timedout" in names:
        what = f"did not answer within the configured {timeout_s:g} s"
    elif "connect" in names:
        what = "could not be reached"
    elif any(w in names for w in ("json", "decode", "validation", "parse", "keyerror")):
        what = "sent a reply that could not be read"
    elif status := getattr(error, "status_code", None):
        what = f"returned an error (HTTP {status})"
    else:
        what = f"failed ({type(error).__name__})"
    return (
        f"The {backend} model {what}, so this is the offline planner's answer, built from the "
        "review's tools."
    )


def _chain(error: BaseException) -> list[BaseException]:
    """The error and what caused it ("APIConnectionError" from a "ConnectError")."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


BLOCKED_REPLACED = (
    "the model's answer failed the output checks and was blocked; it was replaced by the "
    "deterministic planner's grounded answer"
)
FAILED_REPLACED = (
    "the model's server failed; the deterministic planner's grounded answer was given instead"
)


def _trace(call: Mapping[str, Any], message: ToolMessage) -> ToolTrace:
    ok = message.status != "error" and isinstance(message.artifact, dict)
    summary = text_of(message).splitlines()[0][:200] if text_of(message) else ""
    return ToolTrace(
        tool=message.name or call.get("name", "?"),
        args=call.get("args", {}),
        ok=ok,
        summary=summary,
    )


def _intent_from_tools(artifacts: list[dict[str, Any]]) -> str | None:
    tools = [a.get("tool") for a in artifacts]
    return str(tools[0]) if tools else None
