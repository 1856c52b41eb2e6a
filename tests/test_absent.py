"""What the review does not contain is recognised from its own vocabulary, and nothing else is.

A false "absent" is as harmful as a missed one: the answer would refuse a question the review
answers. So figures, measurements and clinical shorthand beside a number must never read as a
trial name.
"""

from __future__ import annotations

import re

import pytest
import yaml

from assistant.planner.absent import TOPICS_PATH, absent_things
from corpus.paths import REVIEW_PATH
from corpus.spelling import correct


@pytest.mark.parametrize(
    ("question", "absent"),
    [
        ("KEYNOTE-394 results?", "KEYNOTE-394"),
        ("keynote 394 OS in HCC", "KEYNOTE 394"),
        ("CheckMate 459: nivolumab vs sorafenib OS?", "CheckMate 459"),
        ("What did IMbrave050 show?", "IMBRAVE050"),
        ("Phase 3 EMERALD-1 PFS?", "EMERALD-1"),
        ("COSMIC-313 triplet ORR", "COSMIC-313"),
        ("NCT01234567 results", "NCT01234567"),
    ],
)
def test_a_trial_the_review_never_names_is_absent(question: str, absent: str) -> None:
    assert [(a.kind, a.text) for a in absent_things(question)] == [("trial", absent)]


@pytest.mark.parametrize(
    "question",
    [
        "SCT-I10A + SCT510 shows 84.8 in the grade ≥3 column, so is it more toxic?",
        "CP-A, ECOG 1, two tumours (largest 9 cm), Vp2 PVTT, AFP 1200",
        "weighs 80 kg, bili 35 umol, plt 85k, hb 95, aged 72",
        "LEAP-012 PFS and leap 002 PD rate",
        "CM-9DW OS HR; IMbrave-150; CARES310; rationale301",
        "on day 21 of cycle 3 of atezo, grade 3 TRAEs, tremelimumab 300 mg once",
        "CP 7 ECOG 1 BCLC-C, in 2023 guidelines, NCT04560894",
        "ORR of atezolizumb bevacizmab?",  # misspelt, not absent drugs
        "68M s/p LT 2019, EVL 2018, TACE 2020, now lung mets",  # years, not trial numbers
        "HIMALYA stride OS HR",  # HIMALAYA misspelt
    ],
)
def test_figures_measurements_and_known_names_are_not_absent(question: str) -> None:
    assert absent_things(question) == []


def test_a_trial_named_only_in_a_reference_has_no_figures_in_the_review() -> None:
    """CheckMate 040 is ref 60's title: the review names it and reports nothing of it."""
    [absent] = absent_things("nivolumab in CP-B (CheckMate 040 cohort 5): ORR and mOS?")
    assert (absent.kind, absent.text) == ("figures", "any figures for CheckMate 040")
    assert "CheckMate 040" not in absent.nearby  # its name would find CheckMate 9DW's passages
    assert absent_things("started atezo/bev on July 20, CP-A5") == []


def test_a_trial_said_to_be_missing_is_not_an_invented_citation(planner_assistant) -> None:
    result = planner_assistant.ask("KEYNOTE-240 pembro 2L after sorafenib - OS HR?")
    assert result.bottom_line.startswith("The review does not report KEYNOTE-240.")
    assert all(g.passed for g in result.guardrails if g.check == "citations")


def test_an_arm_printed_as_nr_is_said_to_be_missing(planner_assistant) -> None:
    result = planner_assistant.ask("median OS for sintilimab + IBI305 in ORIENT-32?")
    assert "10.4 months with sorafenib" in result.bottom_line
    assert "does not report the median OS with sintilimab" in result.bottom_line


@pytest.mark.parametrize("drug", ["sunitinib", "brivanib", "tivantinib", "cemiplimab"])
def test_a_drug_the_review_never_names_is_absent(drug: str) -> None:
    assert drug not in REVIEW_PATH.read_text(encoding="utf-8").lower()
    assert [(a.kind, a.text) for a in absent_things(f"{drug} after sorafenib?")] == [("drug", drug)]


def test_topics_outside_the_review_are_data_and_never_match_the_review() -> None:
    topics = yaml.safe_load(TOPICS_PATH.read_text(encoding="utf-8"))["topics"]
    review = REVIEW_PATH.read_text(encoding="utf-8")
    for topic in topics:
        assert not re.search(topic["pattern"], review, re.IGNORECASE), topic["name"]
        assert topic["nearby"].strip()
    names = {a.text for a in absent_things("Y-90 radioembolization instead of TACE?")}
    assert names == {"radioembolization (TARE, Y-90, SIRT)"}


def test_measures_the_review_names_but_never_gives_are_data() -> None:
    """Each is named in the review's text, and no trial record holds a figure for it."""
    from corpus.trials import load_trials

    measures = yaml.safe_load(TOPICS_PATH.read_text(encoding="utf-8"))["measures"]
    review = REVIEW_PATH.read_text(encoding="utf-8")
    metrics = {r.metric.value.lower() for t in load_trials().trials for r in t.results}
    for measure in measures:
        assert re.search(measure["pattern"], review, re.IGNORECASE), measure["name"]
        assert not any(re.search(measure["pattern"], m, re.IGNORECASE) for m in metrics)
    found = absent_things("atezo/bev IMbrave150 median DoR and time to response?")
    assert [(a.kind, a.text) for a in found] == [
        ("measure", "duration of response (DoR)"),
        ("measure", "time to response (TTR)"),
    ]


def test_a_measure_or_a_population_the_review_lacks_is_said_then_the_trial_figures(
    planner_assistant,
) -> None:
    measure = planner_assistant.ask("atezo/bev IMbrave150 median DoR?")
    assert measure.bottom_line.startswith("The review does not report duration of response (DoR).")
    assert "ORR 30%" in measure.answer  # the trial's figures it does print follow
    cohort = planner_assistant.ask("imbrave150 China extension cohort - OS HR?")
    assert cohort.bottom_line.startswith(
        "The review does not report the China extension cohort of IMbrave150. "
        "For the whole trial: IMbrave150: OS HR 0.66"
    )
    assert [p.answered for p in cohort.parts] == [False]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what is the rationale for tislelizumab", "what is the rationale for tislelizumab"),
        ("the orient of the keynote", "the orient of the keynote"),
        ("imbrav150 and lenvatnib", "IMbrave150 and lenvatinib"),
        ("himalya", "HIMALAYA"),
    ],
)
def test_spelling_mends_names_but_never_turns_a_word_into_a_trial(text: str, expected: str) -> None:
    assert correct(text) == expected


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("any guidance on HBV reactivation / antiviral prophylaxis with ICIs?", "hepatitis B"),
        ("lenvatinib with apixaban - drug interactions?", "drug interactions"),
        ("can we give atezo/bev on dialysis?", "renal impairment"),
    ],
)
def test_common_questions_outside_the_review_are_declared_absent(question: str, topic: str) -> None:
    assert any(a.kind == "topic" and a.text.startswith(topic) for a in absent_things(question))


def test_an_absent_topic_beside_a_patient_does_not_replace_the_answer(planner_assistant) -> None:
    result = planner_assistant.ask("HBV on entecavir, CP-A5, ECOG 0, BCLC C, EGD normal. 1L?")
    assert result.intent == "first_line"
    assert result.recommended_ids
