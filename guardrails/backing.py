"""Backing: a trial or reference an LLM cites must be one the tools returned in this conversation.

The tools read the review; a model that cites a trial or a reference number no tool result holds
is citing from memory (or inventing). Such citations are removed from the brackets, a sentence
that names an unbacked trial goes with them, and the answer says what was dropped. The planner
writes from its tool results by construction and is not held to this (no tool text is given).
"""

from __future__ import annotations

import re

from clinical.answer import GuardrailResult
from corpus.trials import load_trials
from guardrails.text import (
    BRACKET,
    Outcome,
    body_lines,
    drop_sentences,
    sentences,
    trial_mentions,
    without_brackets,
)

CHECK = "tool_backing"
_REFS = re.compile(r"^\s*refs?\.?\s*(\d.*)$", re.IGNORECASE)  # not "REFLECT"
_RANGE = re.compile(r"(\d+)\s*[–-]\s*(\d+)")
_INT = re.compile(r"(?<![\d.])\d{1,3}(?![\d.])")
# A sentence saying the review gives nothing for a trial claims no result of it.
_ABSENCE = re.compile(
    r"\bnot (?:ranked|reported|report|given|printed|available)\b|\bdoes not (?:report|give)\b"
    r"|\bno (?:data|result|figure)s?\b|\(NA\)|: NA\b",
    re.IGNORECASE,
)
NOTICE = "Citations that no tool result of this conversation holds were removed: {dropped}."


def _numbers(text: str) -> set[int]:
    found = {int(n) for n in _INT.findall(text)}
    for first, last in _RANGE.findall(text):
        low, high = int(first), int(last)
        if 0 < high - low < 40:
            found.update(range(low, high + 1))
    return found


def _trial_backed(name: str, tools: str) -> bool:
    lowered = tools.lower()
    trial = load_trials().resolve(name)
    names = [name] if trial is None else [trial.name, *trial.aliases]
    return any(n.lower() in lowered for n in names if len(n) >= 3)


def _ref_items(spec: str) -> list[tuple[str, list[int]]]:
    items = []
    for item in (i.strip() for i in spec.split(",")):
        if not item:
            continue
        span = _RANGE.fullmatch(item)
        numbers = (
            list(range(int(span.group(1)), int(span.group(2)) + 1))
            if span
            else [int(n) for n in re.findall(r"\d+", item)]
        )
        items.append((item, numbers))
    return items


def check_backing(text: str, tools: str | None) -> Outcome:
    if tools is None:
        detail = "the planner writes from its tool results"
        return Outcome(text, GuardrailResult(check=CHECK, passed=True, detail=detail))
    backed_refs = _numbers(tools)
    dropped: list[str] = []

    def rebuild(match: re.Match[str]) -> str:
        parts = []
        for segment in (s.strip() for s in match.group(1).split(";")):
            refs = _REFS.match(segment)
            if refs:
                kept = []
                for item, numbers in _ref_items(refs.group(1)):
                    if numbers and all(n in backed_refs for n in numbers):
                        kept.append(item)
                    else:
                        dropped.append(f"ref {item}")
                if kept:
                    parts.append(("ref " if len(kept) == 1 else "refs ") + ", ".join(kept))
                continue
            names = []
            for name in (n.strip() for n in segment.split(",")):
                if not name:
                    continue
                if _trial_backed(name, tools):
                    names.append(name)
                else:
                    dropped.append(name)
            if names:
                parts.append(", ".join(names))
        return f"[{'; '.join(parts)}]" if parts else ""

    lines = text.split("\n")
    for index, line in body_lines(text):
        lines[index] = BRACKET.sub(rebuild, line)
    repaired = "\n".join(lines)
    doomed = set()
    for index, line in body_lines(repaired):
        for sentence in sentences(line):
            if _ABSENCE.search(sentence):
                continue
            for trial, _ in trial_mentions(without_brackets(sentence)):
                if not _trial_backed(trial.name, tools):
                    doomed.add((index, sentence))
                    dropped.append(trial.name)
    if not dropped:
        detail = "every cited trial and reference is in the tools' results"
        return Outcome(text, GuardrailResult(check=CHECK, passed=True, detail=detail))
    names = ", ".join(dict.fromkeys(dropped))
    repaired = drop_sentences(repaired, doomed).rstrip() + f"\n\n{NOTICE.format(dropped=names)}"
    detail = f"removed citations no tool returned: {names}"
    return Outcome(repaired, GuardrailResult(check=CHECK, passed=False, detail=detail))
