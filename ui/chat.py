"""Chat messages for one answer: folded agent steps, the streamed text, the footnoted answer.

Messages are plain dicts in Gradio's messages format ({"role", "content", "metadata"}), built here
without importing gradio so they can be tested alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from clinical.answer import AnswerResult
from guardrails.phi import redact_identifiers
from ui.footnotes import footnotes_html

Message = dict[str, Any]
_TOKENS = re.compile(r"(<[^>]+>|\s+)")  # HTML tags stay whole while streaming


def redact(text: str) -> str:
    """`text` with patient identifiers replaced by placeholders ("[NAME]", "[MRN]")."""
    return redact_identifiers(text)[0]


def user_message(question: str) -> Message:
    return {"role": "user", "content": question}


def _check_line(check: Any) -> str:
    mark = "✓" if check.passed else "✗"
    return f"- {mark} **{check.check}**" + (f": {check.detail}" if check.detail else "")


def steps_markdown(result: AnswerResult) -> str:
    """Which tools ran with which arguments, the profile read, rules fired and guardrails."""
    lines = []
    if result.trace:
        lines.append("**Tools called**")
        for n, step in enumerate(result.trace, start=1):
            status = "ok" if step.ok else "failed"
            lines.append(f"{n}. `{step.tool}` ({status}): {step.summary}")
            if step.args:
                lines += ["", "```json", json.dumps(step.args, indent=1, ensure_ascii=False), "```"]
    else:
        lines.append("No tool was called.")
    if result.profile:
        profile = json.dumps(result.profile, indent=1, ensure_ascii=False)
        lines += ["", "**Patient profile read**", "```json", profile, "```"]
    if result.rules_fired:
        lines += ["", "**Rules fired**", ", ".join(f"`{r}`" for r in result.rules_fired)]
    if result.guardrails:
        lines += ["", "**Guardrails**", *(_check_line(c) for c in result.guardrails)]
    lines += ["", f"_Backend: {result.backend}; {result.elapsed_ms:.0f} ms._"]
    return "\n".join(lines)


def steps_title(result: AnswerResult) -> str:
    tools = ", ".join(dict.fromkeys(step.tool for step in result.trace)) or "no tools"
    failed = [c.check for c in result.guardrails if not c.passed]
    checks = f"guardrails flagged: {', '.join(failed)}" if failed else "guardrails passed"
    rules = f"{len(result.rules_fired)} rules fired · " if result.rules_fired else ""
    return f"Agent steps: {tools} · {rules}{checks}"


def steps_message(result: AnswerResult | None, pending: bool = False) -> Message:
    """The agent's steps as a folded "thought" (Gradio opens it only while pending)."""
    if pending or result is None:
        metadata = {"title": "Consulting the review…", "status": "pending"}
        return {"role": "assistant", "content": "", "metadata": metadata}
    metadata = {"title": steps_title(result), "status": "done"}
    return {"role": "assistant", "content": steps_markdown(result), "metadata": metadata}


def guardrail_notice(result: AnswerResult) -> str:
    """A plain note on top of an answer the guardrails changed (identifiers, corrections)."""
    failed = [c for c in result.guardrails if not c.passed]
    if result.refused or not failed:
        return ""
    items = "; ".join(f"{c.check}: {c.detail}" for c in failed)
    return f"> **Guardrails:** {items}\n\n"


def answer_text(result: AnswerResult, body: str) -> str:
    """The answer body as shown (refusals stated plainly), without footnotes."""
    if result.refused:
        reason = result.refusal_reason or result.answer
        return f"**Not answered.** {reason}"
    return guardrail_notice(result) + body


def answer_message(text: str, footnotes: Any = ()) -> Message:
    notes = footnotes_html(footnotes)
    return {"role": "assistant", "content": f"{text}\n\n{notes}" if notes else text}


def stream_prefixes(text: str, steps: int = 12) -> Iterator[str]:
    """Growing prefixes of `text`, cut between words and never inside an HTML tag."""
    tokens = [t for t in _TOKENS.split(text) if t]
    if not tokens:
        return
    steps = max(1, min(steps, len(tokens)))
    for n in range(1, steps + 1):
        yield "".join(tokens[: round(n * len(tokens) / steps)])
