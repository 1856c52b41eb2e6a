"""What a question asks, from labelled examples (assistant/planner/data/asks.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.planner.asks import LABELS, build, classify, load_examples, masked
from assistant.planner.verdict import NAMED_PLAN
from eval.asks import accuracy, lexical_leave_one_out
from eval.cases import load_cases

CASES = Path(__file__).resolve().parents[1] / "eval" / "cases"


def test_examples_are_labelled_once_and_never_copied_from_an_eval_case() -> None:
    examples = load_examples()
    assert {label for label, _ in examples} == set(LABELS)
    texts = [text.lower() for _, text in examples]
    assert len(texts) == len(set(texts))
    questions = {
        c.question.lower()
        for folder in ("answers", "holdout", "fresh/set1", "fresh/set2")
        for c in load_cases(CASES / folder)
    }
    assert not questions & set(texts)


def test_names_metrics_patient_shorthand_and_numbers_are_masked() -> None:
    assert masked("PD rate in LEAP-002 for atezo/bev, CP-A6 PS1, AFP 400?").split() == [
        "<metric>",
        "in",
        "<trial>",
        "for",
        "<drug>",
        ",",
        "<patient>",
        "<patient>",
        ",",
        "<patient>",
        "<number>",
        "?",
    ]


def test_the_examples_teach_more_than_they_hold() -> None:
    """Leave-one-out: each example classified by all the others (a floor, measured 68.5%)."""
    examples = load_examples()
    assert accuracy(examples, lexical_leave_one_out(examples)) >= 0.65


def test_an_example_classifies_a_phrasing_it_does_not_contain() -> None:
    examples = [
        ("verdict", "colleague suggests STRIDE, reasonable here?"),
        ("figure", "ORR in LEAP-002?"),
    ]
    index = build(examples)
    assert classify("registrar suggests lenvatinib, reasonable?", index).label == "verdict"
    assert classify("DCR in CARES-310?", index).label == "figure"
    assert classify("zzz qqq", index).label is None


@pytest.mark.parametrize(
    "question",
    [
        "CP-A5 PS0, EGD clear, BCLC C. onc wants to go with STRIDE - your take?",
        "CP-A6 PS1, no varices on EGD. cabo for her next after lenvatinib, agree?",
    ],
)
def test_a_named_plan_the_rules_miss_gets_a_verdict(planner_assistant, question: str) -> None:
    assert not NAMED_PLAN.search(question)  # the rules have no cue for it
    result = planner_assistant.ask(question)
    assert result.verdicts, result.bottom_line
    assert result.bottom_line.startswith(result.verdicts[0].name)
