"""The deterministic scorer: each expectation fails on its own, and only then."""

import pytest

from clinical.answer import AnswerResult, AvoidEntry
from corpus.sources import Citation
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


def answer(
    text: str = "", recommended=(), trials=(), refused=False, avoid=(), profile=None
) -> AnswerResult:
    return AnswerResult(
        answer=text,
        refused=refused,
        recommended_ids=list(recommended),
        citations=[Citation(trial=t, trial_id=t) for t in trials],
        avoid=[AvoidEntry(regimen=name, reason="r") for name in avoid],
        profile=profile or {},
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
        (
            {"avoided": ["tremelimumab_durvalumab"]},
            answer(avoid=["Atezolizumab + bevacizumab"]),
            "tremelimumab_durvalumab not on the avoid list",
        ),
        ({"mentions": ["up-to-7"]}, answer("beyond the criteria"), "'up-to-7' not said"),
        (
            {"profile": {"varices": "untreated_or_severe"}},
            answer(profile={"varices": "none"}),
            "profile varices is 'none', expected 'untreated_or_severe'",
        ),
        ({}, answer("ORR 99.9% in LEAP-002"), "number 99.9 is not in the review"),
    ],
)
def test_each_expectation_can_fail(expect, result, failure) -> None:
    scored = score(case(**expect), result)
    assert not scored.passed and scored.failures == (failure,)


def test_avoid_list_names_resolve_to_catalogue_ids() -> None:
    result = answer(avoid=["Tremelimumab + durvalumab (STRIDE)"])
    assert score(case(avoided=["tremelimumab_durvalumab"]), result).passed


def test_profile_expectations_read_tumour_fields_too() -> None:
    result = answer(profile={"ecog": 0, "tumour": {"largest_size_cm": 6.0}})
    assert score(case(profile={"ecog": 0, "largest_size_cm": 6.0}), result).passed


def test_numbers_the_clinician_typed_are_not_invented() -> None:
    typed = Case(
        id="t-2",
        category="criteria",
        question="AFP 1234 ng/mL, is she potentially resectable?",
        expect=Expectation(),
        source="Criteria",
    )
    assert score(typed, answer("AFP 1234 ng/mL is not below 400 ng/mL.")).passed
