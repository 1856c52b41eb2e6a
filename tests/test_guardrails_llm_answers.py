"""Correct answers in an LLM's own words (not the planner's) pass every output check: the checks
read the clinician's words and endorse what the rule core allows, whatever the phrasing."""

from __future__ import annotations

import pytest

from clinical.answer import AnswerResult
from guardrails.messages import DISCLAIMER
from guardrails.output import check_output
from guardrails.patient import Conversation

ANSWERS = [
    (
        "CP-A, ECOG 0, EGD: large untreated varices. First line?",
        "With untreated varices, avoid atezolizumab + bevacizumab because bevacizumab may raise "
        "the risk of bleeding [IMbrave150; ref 19]. I would suggest tremelimumab + durvalumab "
        "(STRIDE) [HIMALAYA; ref 34] or lenvatinib [REFLECT; ref 22].",
    ),
    (
        "Liver transplant 2019, CP-A, ECOG 0. First-line?",
        "Immune-based therapy is ruled out after a transplant, so atezolizumab + bevacizumab and "
        "STRIDE are not options. Lenvatinib is the preferred choice [REFLECT; ref 22]; sorafenib "
        "is an alternative [SHARP; ref 11].",
    ),
    (
        "What was the PD rate in LEAP-002?",
        "In LEAP-002 the PD rate with lenvatinib + pembrolizumab was 12.2% [LEAP-002; ref 24]. "
        "The trial did not meet its primary endpoints.",
    ),
    (
        "CP-A, ECOG 0, no varices on EGD, goal downstaging to resection. Which first-line?",
        "For downstaging, lenvatinib plus an anti-PD-1 antibody is preferred because of its low "
        "PD rate [LEAP-002; ref 24]. STRIDE may not be suitable given its high PD rate (39.9%) "
        "[HIMALAYA; ref 34].",
    ),
    (
        "Progressed on atezo/bev, CP-A, ECOG 1. Second line?",
        "After atezolizumab + bevacizumab, lenvatinib is recommended as second-line therapy "
        "[refs 2, 5]. There are no reports of STRIDE in the second line.",
    ),
    (
        "Compare HIMALAYA and IMbrave150 overall survival.",
        "IMbrave150: median OS 19.2 months with atezolizumab + bevacizumab [IMbrave150; ref 19]. "
        "HIMALAYA: median OS 16.4 months with STRIDE [HIMALAYA; ref 34]. Neither regimen is "
        "guaranteed to work for an individual patient.",
    ),
    (
        "CP-A, ECOG 0, ?varices (no EGD yet). First line?",
        "Always check for varices with an EGD before bevacizumab. Until then, STRIDE is the "
        "preferred option [HIMALAYA; ref 34]; atezolizumab + bevacizumab waits for the EGD.",
    ),
]


@pytest.mark.parametrize(("question", "answer"), ANSWERS, ids=[q[:40] for q, _ in ANSWERS])
def test_a_correct_llm_answer_passes_unchanged(question: str, answer: str) -> None:
    text = f"{answer}\n\n{DISCLAIMER}"
    checked = check_output(AnswerResult(answer=text), "", Conversation.of([question]))
    assert [g for g in checked.guardrails if not g.passed] == []
    assert checked.answer == text
