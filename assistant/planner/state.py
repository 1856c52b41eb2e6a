"""The conversation as the planner reads it: the clinician's messages (with any structured
profile sent alongside), the tools called before, the trials looked up before.

The patient lives in the conversation itself (every message the clinician wrote, read again by
the clinical reader each turn), so any checkpointed thread resumes it and a new thread starts
blank.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

PROFILE_TOOLS = ("select_regimens", "check_resectability", "locoregional_options")
PROFILE_BLOCK = re.compile(r"Patient profile \(JSON\):\s*```json\s*(?P<json>\{.*?\})\s*```", re.S)


def profile_block(profile: dict[str, Any]) -> str:
    """How a structured profile travels with a question (readable by any model)."""
    return f"\n\nPatient profile (JSON):\n```json\n{json.dumps(profile, sort_keys=True)}\n```"


def split_question(content: str) -> tuple[str, dict[str, Any]]:
    """The question text and the profile block sent with it (empty when none)."""
    match = PROFILE_BLOCK.search(content)
    if not match:
        return content.strip(), {}
    try:
        profile = json.loads(match.group("json"))
    except json.JSONDecodeError:
        profile = {}
    return (content[: match.start()] + content[match.end() :]).strip(), profile


def text_of(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content if isinstance(part, dict))


def last_human_index(messages: Sequence[BaseMessage]) -> int:
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return index
    raise ValueError("the conversation has no question")


def earlier_tools(messages: Sequence[BaseMessage]) -> tuple[str, ...]:
    """The profile tools called in the last turn that called any, before the current question."""
    for message in reversed(messages[: last_human_index(messages)]):
        if isinstance(message, AIMessage) and message.tool_calls:
            calls = [c["name"] for c in message.tool_calls if c["name"] in PROFILE_TOOLS]
            if calls:
                return tuple(calls)
    return ()


def conversation(messages: Sequence[BaseMessage]) -> tuple[list[str], list[dict[str, Any]]]:
    """The clinician's messages up to the current question, oldest first, and the structured
    profile sent with each (empty when none): what the clinical reader reads."""
    turns = [
        split_question(text_of(m))
        for m in messages[: last_human_index(messages) + 1]
        if isinstance(m, HumanMessage)
    ]
    return [text for text, _ in turns], [given for _, given in turns]


TRIAL_TOOLS = ("lookup_trial", "compare_trials")


def earlier_lookups(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """The trial lookups and rankings of the last turn that made any ("compare with ...",
    "and the PD rate?"): each call's arguments with its tool's name under "tool"."""
    for message in reversed(messages[: last_human_index(messages)]):
        if isinstance(message, AIMessage) and message.tool_calls:
            calls = [c for c in message.tool_calls if c["name"] in TRIAL_TOOLS]
            return [{**c["args"], "tool": c["name"]} for c in calls]
    return []
