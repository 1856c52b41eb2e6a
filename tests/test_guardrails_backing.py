"""Citations an LLM gives must be in the tool results; figures are checked against the nearest
trial of their paragraph."""

from __future__ import annotations

from guardrails.backing import check_backing
from guardrails.numbers import check_numbers

TOOLS = "IMbrave150 (refs 19–21): ORR 30%; HIMALAYA (ref 34): median OS 16.4 months"


def test_backed_citations_pass_unchanged() -> None:
    text = "ORR 30% [IMbrave150; refs 19, 20]. Median OS 16.4 months [HIMALAYA; ref 34]."
    outcome = check_backing(text, TOOLS)
    assert outcome.result.passed and outcome.text == text


def test_unbacked_trial_and_reference_are_dropped_with_a_notice() -> None:
    text = "ORR 30% [IMbrave150; refs 19, 23]. LEAP-002 had a PD rate of 12.2% [LEAP-002; ref 24]."
    outcome = check_backing(text, TOOLS)
    assert not outcome.result.passed
    assert "[IMbrave150; ref 19]" in outcome.text
    assert "LEAP-002 had" not in outcome.text
    assert "no tool result of this conversation holds" in outcome.text
    assert "LEAP-002" in outcome.result.detail and "ref 23" in outcome.result.detail


def test_without_tool_text_nothing_is_held_to_it() -> None:
    text = "LEAP-002 PD rate 12.2% [LEAP-002; ref 24]."
    assert check_backing(text, None).text == text


def test_a_figure_is_checked_against_the_trial_of_an_earlier_sentence() -> None:
    text = "HIMALAYA tested STRIDE [HIMALAYA; ref 34]. Its median OS was 19.2 months."
    outcome = check_numbers(text)
    assert not outcome.result.passed and "16.4 months" in outcome.text


def test_a_new_paragraph_does_not_inherit_the_trial() -> None:
    text = "HIMALAYA tested STRIDE [HIMALAYA; ref 34].\n\nTumours up to 5 cm, 3 cycles."
    assert check_numbers(text).result.passed


def test_an_inherited_figure_without_a_metric_word_is_left_alone() -> None:
    text = "IMbrave150 compared atezo/bev with sorafenib. Patients had up to 3 nodules of 5 cm."
    assert check_numbers(text).result.passed
