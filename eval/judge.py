"""An optional LLM-judge pass, for backends that have an LLM: separate from the deterministic score.

The judge reads the question, what the case says a correct answer contains, the review passage that
grounds it, and the answer; it replies with a verdict. Its verdicts are reported on their own and
never change a case's pass or fail: a judge can be wrong, the expectations are reviewed data.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError

from eval.cases import Case
from eval.runner import CaseRun

Verdict = Literal["correct", "partly_correct", "incorrect", "unparsed"]
POINTS: dict[str, float] = {"correct": 1.0, "partly_correct": 0.5, "incorrect": 0.0}

JUDGE_PROMPT = """You grade answers of a clinical assistant about systemic therapy for \
unresectable hepatocellular carcinoma. The only ground truth is the review passage and the \
expectations given. Judge clinical correctness and faithfulness to them, not style. Reply with \
one JSON object and nothing else: {"verdict": "correct" | "partly_correct" | "incorrect", \
"reason": "<one sentence>"}"""


class JudgeVerdict(BaseModel):
    verdict: Verdict
    reason: str = ""


def _expectations(case: Case) -> str:
    expect = case.expect
    parts = [
        ("must be refused", "yes" if expect.refused else "no"),
        ("figures it must state", ", ".join(expect.figures)),
        ("regimens it must recommend", ", ".join(expect.recommended)),
        ("regimens it must not recommend", ", ".join(expect.not_recommended)),
        ("trials it must cite", ", ".join(expect.trials)),
    ]
    return "\n".join(f"- {name}: {value}" for name, value in parts if value)


def judge_prompt(case: Case, answer: str) -> list[SystemMessage | HumanMessage]:
    earlier = "".join(f"Earlier question: {turn}\n" for turn in case.turns)
    return [
        SystemMessage(JUDGE_PROMPT),
        HumanMessage(
            f"{earlier}Question: {case.question}\n\nExpectations:\n{_expectations(case)}\n\n"
            f"Review passage: {case.source}\n\nAnswer to grade:\n{answer}"
        ),
    ]


def parse_verdict(text: str) -> JudgeVerdict:
    """The first JSON object in the reply; anything else is "unparsed", never a guess."""
    match = re.search(r"\{.*\}", text, re.DOTALL)
    if match:
        try:
            return JudgeVerdict.model_validate(json.loads(match.group(0)))
        except (json.JSONDecodeError, ValidationError):
            pass
    return JudgeVerdict(verdict="unparsed", reason=text.strip()[:200])


def judge_runs(model: BaseChatModel, runs: Sequence[CaseRun]) -> dict[str, Any]:
    """Verdicts per case id, and a summary: mean points over parsed verdicts, counts by verdict."""
    verdicts: dict[str, dict[str, Any]] = {}
    for run in runs:
        reply = model.invoke(judge_prompt(run.score.case, run.result.answer))
        content = reply.content if isinstance(reply.content, str) else str(reply.content)
        verdicts[run.score.case.id] = parse_verdict(content).model_dump()
    counts = Counter(v["verdict"] for v in verdicts.values())
    parsed = [POINTS[v["verdict"]] for v in verdicts.values() if v["verdict"] in POINTS]
    mean = sum(parsed) / len(parsed) if parsed else 0.0
    summary = (
        f"mean {mean:.1%} over {len(parsed)} judged answers "
        f"({', '.join(f'{k} {n}' for k, n in sorted(counts.items()))})"
    )
    return {"summary": summary, "mean": mean, "counts": dict(counts), "verdicts": verdicts}
