"""`PlannerChatModel`: a deterministic chat model that plans tool calls and composes answers.

It behaves like a tool-calling LLM inside LangChain's agent loop: given a question it answers
with tool calls; given the tool results it answers with the composed, cited text. It never
invents content: everything it writes comes from `compose` over tool artifacts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool

from assistant.planner.answer import compose
from assistant.planner.intent import Plan, plan_parts
from assistant.planner.state import (
    conversation,
    earlier_lookups,
    earlier_tools,
    last_human_index,
    text_of,
)
from clinical.reader import read_conversation


def plans_for(messages: Sequence[BaseMessage]) -> list[Plan]:
    """One plan per part of the conversation's current question (deterministic).

    The clinical reader reads every message the clinician wrote, so the patient is the one the
    whole conversation describes, the latest statement deciding.
    """
    texts, given = conversation(messages)
    reading = read_conversation(texts, given)
    current = read_conversation(texts[-1:], given[-1:])
    return plan_parts(
        texts[-1], reading, current, earlier_tools(messages), earlier_lookups(messages)
    )


def plan_for(messages: Sequence[BaseMessage]) -> Plan:
    """The plan of the question's first part."""
    return plans_for(messages)[0]


_PART = re.compile(r"^call_\d+_p(?P<part>\d+)_")


def _artifacts(messages: Sequence[BaseMessage], parts: int) -> list[list[dict[str, Any]]]:
    """Each part's tool artifacts, by the part index its tool call id carries."""
    artifacts: list[list[dict[str, Any]]] = [[] for _ in range(parts)]
    for message in messages:
        if not isinstance(message, ToolMessage):
            continue
        found = _PART.match(message.tool_call_id or "")
        part = min(int(found.group("part")), parts - 1) if found else 0
        if isinstance(message.artifact, dict):
            artifacts[part].append(message.artifact)
        else:  # a tool error comes back as text with no artifact
            artifacts[part].append({"tool": "error", "message": text_of(message)})
    return artifacts


class PlannerChatModel(BaseChatModel):
    """The default backend: offline, deterministic, grounded in tool results only."""

    @property
    def _llm_type(self) -> str:
        return "hcc-planner"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        names = [
            t.name if isinstance(t, BaseTool) else getattr(t, "__name__", str(t)) for t in tools
        ]
        return self.bind(tool_names=names, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        plans = plans_for(messages)
        current = plans[0]
        turn = messages[last_human_index(messages) + 1 :]
        answered = any(isinstance(m, ToolMessage) for m in turn)
        available = set(kwargs.get("tool_names") or [])
        calls = [
            (part, c)
            for part, p in enumerate(plans)
            for c in p.calls
            if not available or c.name in available
        ]
        reading = current.reading
        metadata: dict[str, Any] = {
            "intent": current.intent.value,
            "profile": current.profile or (reading.profile if reading else {}),
            "facts": [f.model_dump(mode="json") for f in reading.shown_facts()] if reading else [],
        }
        if calls and not answered:
            rounds = sum(1 for m in messages if isinstance(m, AIMessage))
            tool_calls = [
                {
                    "name": c.name,
                    "args": c.args,
                    "id": f"call_{rounds}_p{part}_{n}_{c.name}",
                    "type": "tool_call",
                }
                for n, (part, c) in enumerate(calls)
            ]
            message = AIMessage(content="", tool_calls=tool_calls, response_metadata=metadata)
        else:
            composed = compose(plans, _artifacts(turn, len(plans)))
            metadata |= {
                "refused": composed.refused,
                "refusal_reason": composed.reason,
                "bottom_line": composed.bottom_line,
                "parts": [p.model_dump(mode="json") for p in composed.parts],
                "verdicts": [v.model_dump(mode="json") for v in composed.verdicts],
            }
            message = AIMessage(content=composed.answer, response_metadata=metadata)
        return ChatResult(generations=[ChatGeneration(message=message)])
