"""Chat pieces and the service: streaming, folded steps, follow-ups, profile edits, sessions."""

from __future__ import annotations

import itertools

import pytest

from ui.chat import answer_text, steps_message, stream_prefixes
from ui.profile_panel import FIELD_INDEX, panel_values
from ui.service import ChatService, history
from ui.session import Session

VIGNETTE = (
    "Child-Pugh A, ECOG 0, untreated varices, hoping for resection: which first-line regimen?"
)


@pytest.fixture
def service(planner_assistant) -> ChatService:
    return ChatService(planner_assistant)


def test_stream_prefixes_grow_to_the_text_and_keep_tags_whole() -> None:
    text = 'Lenvatinib is preferred <sup class="fn-ref" title="x y">[1]</sup> for conversion.'
    prefixes = list(stream_prefixes(text, steps=5))
    assert prefixes[-1] == text and len(prefixes) == 5
    assert all(len(a) < len(b) for a, b in itertools.pairwise(prefixes))
    assert all(p.rfind("<") <= p.rfind(">") for p in prefixes)  # never cut inside a tag


def test_an_answer_shows_folded_steps_and_footnotes(service) -> None:
    session = Session()
    turn = service.ask(session, VIGNETTE)
    steps = steps_message(turn.result)
    assert steps["metadata"]["status"] == "done"  # Gradio folds a finished thought
    assert "select_regimens" in steps["metadata"]["title"]
    assert "Patient profile read" in steps["content"] and "Rules fired" in steps["content"]
    assert "Guardrails" in steps["content"]
    messages = history(session)
    assert [m["role"] for m in messages] == ["user", "assistant", "assistant"]
    assert '<details class="footnote"' in messages[2]["content"]
    assert "Decision support only" in messages[2]["content"]


def test_follow_up_keeps_the_patient_and_new_patient_resets(service) -> None:
    session = Session()
    service.ask(session, VIGNETTE)
    assert session.profile["child_pugh_class"] == "A" and session.profile["ecog"] == 0
    service.ask(session, "and if she had a liver transplant?")
    assert session.profile["organ_transplant"] is True and session.profile["ecog"] == 0
    session.new_patient()
    turn = service.ask(session, "What if she also has untreated varices?")
    assert "child_pugh_class" not in turn.result.profile


def test_panel_edits_travel_with_the_next_question(service) -> None:
    session = Session()
    service.ask(session, "Child-Pugh A, ECOG 0, no varices on EGD, long-term control: options?")
    values = panel_values(session.profile)
    values[FIELD_INDEX["organ_transplant"]] = "yes"
    values[FIELD_INDEX["ecog"]] = "unknown"  # cleared by the clinician
    assert service.edit_profile(session, values) is None and session.profile_edited
    turn = service.ask(session, "Which first-line regimen?")
    assert turn.result.profile["organ_transplant"] is True
    assert "ecog" not in session.profile
    assert set(turn.result.recommended_ids) <= {"lenvatinib", "sorafenib", "donafenib"}


def test_an_inconsistent_panel_is_reported_not_applied(service) -> None:
    session = Session()
    values = panel_values({"child_pugh_class": "A"})
    values[FIELD_INDEX["child_pugh_score"]] = "9"
    assert "not class A" in (service.edit_profile(session, values) or "")
    assert session.profile == {} and not session.profile_edited


def test_refusals_are_plain(service) -> None:
    turn = service.ask(Session(), "Write me a poem about the sea")
    assert answer_text(turn.result, turn.body).startswith("**Not answered.**")


def test_identifiers_are_replaced_in_the_chat(service) -> None:
    session = Session()
    turn = service.ask(session, "Mr John Smith, MRN 1234567, Child-Pugh A: first-line options?")
    assert "John" not in turn.question and "1234567" not in turn.question
    shown = answer_text(turn.result, turn.body)
    assert shown.startswith("> **Guardrails:** identifiers")
