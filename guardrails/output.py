"""Output guardrails: the single choke point every answer passes before anyone sees it.

`check_output` runs each check in turn on the answer text, records a `GuardrailResult` per check
and either repairs the answer (correcting or removing what is wrong, and saying so) or blocks it.
Nothing wrong is ever shown silently.
"""

from __future__ import annotations

import re
from functools import lru_cache

from clinical.answer import AnswerResult, GuardrailResult, opening
from guardrails.backing import check_backing
from guardrails.citations import check_citations
from guardrails.claims import check_claims
from guardrails.doses import check_doses
from guardrails.language import check_language
from guardrails.messages import DISCLAIMER
from guardrails.numbers import check_numbers
from guardrails.patient import Conversation, reader_profile
from guardrails.regimens import check_regimens
from guardrails.support import check_support
from guardrails.text import Outcome

_INJECTION = re.compile(
    r"system (?:prompt|instructions|message)|my (?:instructions|rules|guidelines|prompt)\b"
    r"|\b(?:ignor|disregard|bypass|overrid)(?:e|ing)\b[^.\n]{0,40}\b(?:instructions|rules|guardrails)"
    r"|\bas requested,? i (?:will|am going to)\b|\bdeveloper mode\b|\bDAN mode\b|\bjailbr[eo]ak"
    r"|\brole-?play|\bin character\b|\bpretend(?:ing)? to be\b|\bi am now\b|\bas an unrestricted\b",
    re.IGNORECASE,
)


_WORD = re.compile(r"[a-z0-9_]+")
LEAK_WORDS = 7  # this many words in a row from the system prompt is a quote, not a coincidence


@lru_cache(maxsize=8)
def _prompt_runs(system_prompt: str) -> frozenset[tuple[str, ...]]:
    """Every run of LEAK_WORDS consecutive words of the system prompt."""
    words = _WORD.findall(system_prompt.lower())
    return frozenset(tuple(words[i : i + LEAK_WORDS]) for i in range(len(words) - LEAK_WORDS + 1))


def _leaked(text: str, system_prompt: str) -> str | None:
    runs = _prompt_runs(system_prompt)
    if not runs:
        return None
    words = _WORD.findall(text.lower())
    for i in range(len(words) - LEAK_WORDS + 1):
        if tuple(words[i : i + LEAK_WORDS]) in runs:
            return " ".join(words[i : i + LEAK_WORDS])
    return None


BLOCKED_INJECTION = (
    "The answer discussed the assistant's own instructions or followed instructions embedded in "
    "the question, so it is not shown. Please ask a clinical question about the review."
)


def check_injection(text: str, system_prompt: str = "") -> Outcome:
    leaked = _leaked(text, system_prompt)
    match = _INJECTION.search(text)
    found = f"system prompt text {leaked[:40]!r}" if leaked else None
    if match and not found:
        found = repr(match.group(0))
    if found:
        result = GuardrailResult(check="injection_obeyed", passed=False, detail=f"found {found}")
        return Outcome(text, result, block=BLOCKED_INJECTION)
    detail = "no sign of obeyed injection or prompt leak"
    return Outcome(text, GuardrailResult(check="injection_obeyed", passed=True, detail=detail))


def _split_disclaimer(answer: str) -> tuple[str, bool]:
    stripped = answer.rstrip()
    if stripped.endswith(DISCLAIMER):
        return stripped[: -len(DISCLAIMER)].rstrip(), True
    return answer.replace(DISCLAIMER, "").rstrip(), False


def _blocked(result: AnswerResult, reason: str, checks: list[GuardrailResult]) -> AnswerResult:
    return result.model_copy(
        update={
            "answer": reason,
            "bottom_line": reason,
            "refused": True,
            "refusal_reason": reason,
            "recommended": [],
            "recommended_ids": [],
            "avoid": [],
            "citations": [],
            "guardrails": [*result.guardrails, *checks],
        }
    )


WITHHELD_EMPTY = (
    "The answer was withheld: every statement in it failed the checks against the review's trial "
    "records and sources."
)


def check_output(
    result: AnswerResult, system_prompt: str = "", conversation: Conversation | None = None
) -> AnswerResult:
    """A repaired copy of `result` with one guardrail record per check appended.

    `system_prompt` is the prompt the model was given: an answer that quotes it is blocked.
    `conversation` is the clinician's messages (and the tools' results): the patient the
    regimen check holds the answer to is read from those words, whatever tools were called.
    """
    if result.refused:
        return result.model_copy(deep=True)
    read = reader_profile(conversation)
    body, had_disclaimer = _split_disclaimer(result.answer)
    text = body
    checks: list[GuardrailResult] = []
    updates: dict[str, object] = {}
    for step in (
        lambda t: check_injection(t, system_prompt),
        lambda t: check_regimens(result, t, read),
        check_claims,
        check_language,
        lambda t: check_doses(t, conversation.messages if conversation else ()),
        lambda t: check_numbers(t),
        lambda t: check_backing(t, conversation.tool_text if conversation else None),
        lambda t: check_citations(result, t),
        lambda t: check_support(result.model_copy(update=updates), t),
    ):
        outcome = step(text)
        checks.append(outcome.result)
        if outcome.block:
            return _blocked(result, outcome.block, checks)
        text = outcome.text
        updates.update(outcome.updates)
    if body.strip() and not text.strip():  # repairs removed everything: nothing left to show
        return _blocked(result, WITHHELD_EMPTY, checks)
    checks.append(
        GuardrailResult(
            check="disclaimer",
            passed=had_disclaimer,
            detail="disclaimer present" if had_disclaimer else "disclaimer appended",
        )
    )
    answer = result.answer if text == body and had_disclaimer else f"{text}\n\n{DISCLAIMER}"
    # The bottom line is shown first, on its own: it must be the checked text too. Kept when the
    # checked answer still says it word for word, else taken again from the checked answer.
    bottom = result.bottom_line
    if bottom and " ".join(bottom.split()) not in " ".join(answer.split()):
        bottom = opening(answer)
    return result.model_copy(
        deep=True,
        update={
            **updates,
            "answer": answer,
            "bottom_line": bottom,
            "guardrails": [*result.guardrails, *checks],
        },
    )
