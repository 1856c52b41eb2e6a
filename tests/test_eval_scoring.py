"""The deterministic scorer: each expectation fails on its own, and only then."""

import pytest

from assistant.result import AnswerResult
from assistant.sources import Citation
from eval.cases import Case, Expectation
from eval.scoring import contains_figure, score


def case(**expect) -> Case:
    return Case(
        id="t-1",
        category="trial_fact",
        question="q",
        expect=Expectation(**expect),
        source="Table 1",
    )


def answer(text: str = "", recommended=(), trials=(), refused=False) -> AnswerResult:
    return AnswerResult(
        answer=text,
        refused=refused,
        recommended_ids=list(recommended),
        citations=[Citation(trial=t, trial_id=t) for t in trials],
    )


@pytest.mark.parametrize(
    ("text", "figure", "found"),
    [
        ("PD rate 12.2% (Table 1)", "12.2", True),
        ("PD rate 12.2%", "12", False),
        ("ORR 19.2", "19", False),
        ("ORR 119%", "19", False),
        ("0.66 (0.52–0.85)", "0.52", True),
        ("mOS 19.2 months.", "19.2", True),
    ],
)
def test_figures_match_whole_numbers(text, figure, found) -> None:
    assert contains_figure(text, figure) is found


def test_a_correct_answer_passes() -> None:
    result = answer("PD rate 12.2%", recommended=["lenvatinib"], trials=["leap-002"])
    expected = case(
        figures=["12.2"],
        recommended=["lenvatinib"],
        not_recommended=["sorafenib"],
        trials=["leap-002"],
    )
    assert score(expected, result).passed


@pytest.mark.parametrize(
    ("expect", "result", "failure"),
    [
        ({"figures": ["12.2"]}, answer("PD rate 15%"), "figure 12.2 missing"),
        ({"recommended": ["lenvatinib"]}, answer(), "lenvatinib not recommended"),
        (
            {"not_recommended": ["sorafenib"]},
            answer(recommended=["sorafenib"]),
            "sorafenib recommended but excluded",
        ),
        ({"trials": ["leap-002"]}, answer(trials=["imbrave150"]), "trial leap-002 not cited"),
        ({"refused": True}, answer(), "refused is False, expected True"),
        ({}, answer(refused=True), "refused is True, expected False"),
    ],
)
def test_each_expectation_can_fail(expect, result, failure) -> None:
    scored = score(case(**expect), result)
    assert not scored.passed and scored.failures == (failure,)
