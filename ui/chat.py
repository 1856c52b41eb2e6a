"""Chat messages for one turn, as HTML built here: the question as plain text, the answer with its
bottom line first and its details, sources and agent steps folded below.

Every message is rendered on the server (Markdown through markdown-it with raw HTML, links and
images switched off) and sent as one HTML block, so the browser's own Markdown renderer has nothing
left to interpret: what a user types is shown as text and can never make the page request
anything. Messages are plain dicts in Gradio's messages format ({"role", "content"}), built here
without importing gradio so they can be tested alone.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt

from clinical.answer import AnswerResult
from guardrails.phi import redact_identifiers
from ui.footnotes import Footnote, citation_buttons, footnotes_html

Message = dict[str, Any]
BOTTOM_LINE = "**Bottom line:**"
PATIENT_AS_READ = "**Patient as read:**"
GUARDRAILS_NOTE = "> **Guardrails:**"
PENDING_TEXT = "Consulting the review…"
_BLANK_LINES = re.compile(r"\n\s*\n")


def redact(text: str) -> str:
    """`text` with patient identifiers replaced by placeholders ("[NAME]", "[MRN]")."""
    return redact_identifiers(text)[0]


@cache
def _markdown() -> MarkdownIt:
    """CommonMark with tables; raw HTML escaped, no links, images or autolinks at all."""
    # markdown-it logs every rule it tries at DEBUG ("entering list: StateBlock(...,
    # tokens=101)"): thousands of records per answer that a log kept at DEBUG does not need.
    logging.getLogger("markdown_it").setLevel(logging.INFO)
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.disable(["image", "link", "autolink", "reference", "html_inline", "html_block"])
    return md


def render_markdown(text: str) -> str:
    """Markdown as safe HTML, on as few lines as possible and with no blank line in it (a blank
    line would end the HTML block and hand the rest to the browser's Markdown renderer)."""
    rendered = _markdown().render(text).strip()
    return _BLANK_LINES.sub("\n", rendered)


def plain_html(text: str) -> str:
    """Text shown exactly as typed: escaped, line breaks kept, no Markdown."""
    return "<br>".join(html.escape(line, quote=False) for line in text.split("\n"))


def user_message(question: str) -> Message:
    return {"role": "user", "content": f'<div class="user-text">{plain_html(question)}</div>'}


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


def pending_message() -> Message:
    """The placeholder while the answer is being prepared."""
    return {
        "role": "assistant",
        "content": f'<div class="hcc-answer pending" aria-busy="true">{PENDING_TEXT}</div>',
    }


def guardrail_notice(result: AnswerResult) -> str:
    """A plain note on top of an answer the guardrails changed (identifiers, corrections)."""
    failed = [c for c in result.guardrails if not c.passed]
    if result.refused or not failed:
        return ""
    items = "; ".join(f"{c.check}: {c.detail}" for c in failed)
    return f"{GUARDRAILS_NOTE} {items}\n\n"


def answer_text(result: AnswerResult, body: str) -> str:
    """The answer body as shown (refusals stated plainly), without footnotes."""
    if result.refused:
        reason = result.refusal_reason or result.answer
        return f"**Not answered.** {reason}"
    return guardrail_notice(result) + body


def split_lead(body: str, bottom_line: str = "") -> tuple[str, str]:
    """(what the user sees first, the details below it) of an answer body.

    The lead is the answer's bottom line (with the patient as the assistant read it, so the
    clinician can check the reading at a glance); without a bottom line paragraph, the answer's
    first paragraph, or the contract's `bottom_line` when the body has none of its own.
    """
    paragraphs = [p for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    # What the guardrails changed (identifiers replaced, a figure corrected) stays on top.
    notice = [p for p in paragraphs[:1] if p.startswith(GUARDRAILS_NOTE)]
    paragraphs = paragraphs[len(notice) :]
    lead = [p for p in paragraphs if p.lstrip().startswith(BOTTOM_LINE)][:1]
    if lead:
        reading = [p for p in paragraphs if p.lstrip().startswith(PATIENT_AS_READ)][:1]
        rest = [p for p in paragraphs if p not in lead and p not in reading]
        return "\n\n".join(notice + lead + reading), "\n\n".join(rest)
    if bottom_line:
        return "\n\n".join([*notice, f"{BOTTOM_LINE} {bottom_line}"]), "\n\n".join(paragraphs)
    return "\n\n".join(notice + paragraphs[:1]), "\n\n".join(paragraphs[1:])


def _fold(kind: str, summary: str, inner: str) -> str:
    return (
        f'<details class="answer-fold {kind}"><summary>{html.escape(summary)}</summary>'
        f"{inner}</details>"
    )


def answer_message(
    result: AnswerResult, body: str, footnotes: Sequence[Footnote] = (), turn: int = 0
) -> Message:
    """One answer: the bottom line first; details, sources and agent steps folded below."""
    shown = answer_text(result, body)
    lead_md, rest_md = (shown, "") if result.refused else split_lead(shown, result.bottom_line)
    lead = citation_buttons(render_markdown(lead_md), footnotes)
    parts = [f'<div class="answer-lead">{lead}</div>']
    if rest_md:
        rest = citation_buttons(render_markdown(rest_md), footnotes)
        parts.append(_fold("answer-details", "Details: options, figures, checks, notes", rest))
    if footnotes:
        parts.append(
            _fold("answer-sources", f"Sources ({len(footnotes)})", footnotes_html(footnotes))
        )
    if not result.refused or result.trace:
        parts.append(
            _fold("answer-steps", steps_title(result), render_markdown(steps_markdown(result)))
        )
    content = f'<div class="hcc-answer turn-{turn}">{"".join(parts)}</div>'
    return {"role": "assistant", "content": _BLANK_LINES.sub("\n", content)}
