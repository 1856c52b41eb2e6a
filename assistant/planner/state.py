"""What the conversation so far says about the patient: the profile carried between turns.

The profile lives in the conversation itself (the arguments of the last profile tool call, or a
profile JSON block sent with a question), so any checkpointed thread resumes it and a new thread
starts blank.
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


# "What if she had received lenvatinib instead?": the named regimen replaces the earlier ones.
_REPLACING = re.compile(r"\binstead\b|\brather\s+than\b|\bnot\s+\w+(?:/\w+)?\s+but\b", re.I)


def merge_profiles(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """`update` over `base`; the nested tumour extent merges field by field."""
    merged = {**base, **{k: v for k, v in update.items() if k != "tumour"}}
    if "tumour" in update or "tumour" in base:
        merged["tumour"] = {**base.get("tumour", {}), **update.get("tumour", {})}
    return merged


def merge_turn(base: dict[str, Any], update: dict[str, Any], text: str) -> dict[str, Any]:
    """What a follow-up question adds to the profile: like `merge_profiles`, except that
    regimens newly said to have failed join those failed before ("progressed on lenvatinib
    too" after atezo/bev is a third line), unless the clinician says they replace them."""
    merged = merge_profiles(base, update)
    earlier = list(base.get("prior_regimens") or [])
    new = list(update.get("prior_regimens") or [])
    if earlier and new and not _REPLACING.search(text):
        merged["prior_regimens"] = list(dict.fromkeys([*earlier, *new]))
    return merged


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


def earlier_profile(messages: Sequence[BaseMessage]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The profile of the last profile tool call before the current question, and those tools."""
    for message in reversed(messages[: last_human_index(messages)]):
        if isinstance(message, AIMessage) and message.tool_calls:
            calls = [c for c in message.tool_calls if c["name"] in PROFILE_TOOLS]
            if calls:
                return dict(calls[-1]["args"].get("profile", {})), tuple(c["name"] for c in calls)
    blocks = [split_question(text_of(m))[1] for m in messages if isinstance(m, HumanMessage)]
    profile: dict[str, Any] = {}
    for block in blocks[:-1]:
        profile = merge_profiles(profile, block)
    return profile, ()


TRIAL_TOOLS = ("lookup_trial", "compare_trials")


def earlier_lookups(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """The trial lookups and rankings of the last turn that made any ("compare with ...",
    "and the PD rate?"): each call's arguments with its tool's name under "tool"."""
    for message in reversed(messages[: last_human_index(messages)]):
        if isinstance(message, AIMessage) and message.tool_calls:
            calls = [c for c in message.tool_calls if c["name"] in TRIAL_TOOLS]
            return [{**c["args"], "tool": c["name"]} for c in calls]
    return []
