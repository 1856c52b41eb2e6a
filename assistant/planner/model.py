"""`PlannerChatModel`: a deterministic chat model that plans tool calls and composes answers.

It behaves like a tool-calling LLM inside LangChain's agent loop: given a question it answers
with tool calls; given the tool results it answers with the composed, cited text. It never
invents content: everything it writes comes from `compose` over tool artifacts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool

from assistant.planner.compose import compose
from assistant.planner.intent import Plan, plan
from assistant.planner.state import (
    conversation,
    earlier_lookups,
    earlier_tools,
    last_human_index,
    text_of,
)
from clinical.reader import read_conversation


def plan_for(messages: Sequence[BaseMessage]) -> Plan:
    """The plan for the conversation's current question (deterministic for the same messages).

    The clinical reader reads every message the clinician wrote, so the patient is the one the
    whole conversation describes, the latest statement deciding.
    """
    texts, given = conversation(messages)
    reading = read_conversation(texts, given)
    current = read_conversation(texts[-1:], given[-1:])
    return plan(texts[-1], reading, current, earlier_tools(messages), earlier_lookups(messages))


def _artifacts(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    artifacts = []
    for message in messages:
        if not isinstance(message, ToolMessage):
            continue
        if isinstance(message.artifact, dict):
            artifacts.append(message.artifact)
        else:  # a tool error comes back as text with no artifact
            artifacts.append({"tool": "error", "message": text_of(message)})
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
        current = plan_for(messages)
        turn = messages[last_human_index(messages) + 1 :]
        answered = any(isinstance(m, ToolMessage) for m in turn)
        available = set(kwargs.get("tool_names") or [])
        calls = [c for c in current.calls if not available or c.name in available]
        metadata: dict[str, Any] = {"intent": current.intent.value, "profile": current.profile}
        if calls and not answered:
            rounds = sum(1 for m in messages if isinstance(m, AIMessage))
            tool_calls = [
                {
                    "name": c.name,
                    "args": c.args,
                    "id": f"call_{rounds}_{n}_{c.name}",
                    "type": "tool_call",
                }
                for n, c in enumerate(calls)
            ]
            message = AIMessage(content="", tool_calls=tool_calls, response_metadata=metadata)
        else:
            answer, refused, reason = compose(current, _artifacts(turn))
            metadata |= {"refused": refused, "refusal_reason": reason}
            message = AIMessage(content=answer, response_metadata=metadata)
        return ChatResult(generations=[ChatGeneration(message=message)])
