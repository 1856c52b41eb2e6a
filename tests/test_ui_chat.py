"""Chat pieces and the service: text shown as typed, the bottom line first with details folded,
follow-ups, profile edits and their conflicts, New patient during an answer, sessions."""

from __future__ import annotations

import re

import pytest

from ui.chat import answer_message, answer_text, render_markdown, split_lead, user_message
from ui.profile_panel import FIELD_INDEX, panel_values
from ui.service import ChatService, Superseded, history
from ui.session import Session

VIGNETTE = (
    "Child-Pugh A, ECOG 0, untreated varices, hoping for resection: which first-line regimen?"
)


@pytest.fixture
def service(planner_assistant) -> ChatService:
    return ChatService(planner_assistant)


HOSTILE = (
    '![x](http://192.0.2.1/pixel.png) <img src="http://192.0.2.1/i.png"> '
    '<a href="http://192.0.2.1/">link</a> <script>alert(1)</script> **bold** [t](http://e)'
)


def _tags(html: str) -> set[str]:
    return {m.lower() for m in re.findall(r"<\s*([a-zA-Z]+)", html)}


def test_a_question_is_shown_as_typed_never_rendered() -> None:
    content = user_message(HOSTILE + "\nsecond line")["content"]
    assert _tags(content) == {"div", "br"}  # no img, a, script: only the wrapper and the break
    assert '&lt;img src="http://192.0.2.1/i.png"&gt;' in content  # quotes are text here
    assert "![x](http://192.0.2.1/pixel.png)" in content and "**bold**" in content
    assert "\n\n" not in content  # one HTML block: the browser's Markdown has nothing to parse


def test_answer_markdown_keeps_emphasis_but_never_makes_tags_links_or_images() -> None:
    shown = render_markdown(
        f"**Bottom line:** fine.\n\n- {HOSTILE}\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<strong>Bottom line:</strong>" in shown and "<table>" in shown
    assert not _tags(shown) & {"img", "a", "script"}
    assert "&lt;script&gt;" in shown and "![x](http://192.0.2.1/pixel.png)" in shown
    assert "\n\n" not in shown


def test_an_answer_leads_with_its_bottom_line_and_folds_the_rest(service) -> None:
    session = Session()
    turn = service.ask(session, VIGNETTE)
    lead, rest = split_lead(turn.body)
    assert lead.startswith("**Bottom line:**") and "**Patient as read:**" in lead
    assert "**First-line options**" in rest and "**Bottom line:**" not in rest
    content = answer_message(turn.result, turn.body, turn.footnotes, 1)["content"]
    assert content.startswith(
        '<div class="hcc-answer turn-1"><div class="answer-lead"><p><strong>Bottom line'
    )
    folds = re.findall(r'<details class="answer-fold ([a-z-]+)"><summary>([^<]*)<', content)
    assert [kind for kind, _ in folds] == ["answer-details", "answer-sources", "answer-steps"]
    assert folds[1][1] == f"Sources ({len(turn.footnotes)})"
    assert "select_regimens" in folds[2][1] and "Rules fired" in content
    lead_html = content.split('<details class="answer-fold')[0]
    assert '<button type="button" class="fn-ref fn-1"' in lead_html  # a citation in the lead
    assert '<details class="footnote fn-note-1">' in content  # the passage it opens
    assert "Decision support only" in content and "\n\n" not in content
    messages = history(session)
    assert [m["role"] for m in messages] == ["user", "assistant"]


def test_an_answer_without_a_bottom_line_paragraph_leads_with_the_contract_one() -> None:
    lead, rest = split_lead("Some text.\n\nMore.", "The short answer.")
    assert lead == "**Bottom line:** The short answer." and rest == "Some text.\n\nMore."
    assert split_lead("Only.\n\nSecond.") == ("Only.", "Second.")


def test_new_patient_during_an_answer_drops_it(service) -> None:
    session = Session()
    service.ask(session, VIGNETTE)
    old_thread = session.thread_id
    ask = service.assistant.ask

    def slow_ask(*args, **kwargs):  # New patient pressed while the answer is prepared: the
        service.new_patient(session)  # old thread is deleted, then the answer writes to it
        return ask(*args, **kwargs)

    service.assistant.ask = slow_ask  # type: ignore[method-assign]
    with pytest.raises(Superseded):
        service.ask(session, "and if she had a liver transplant?")
    assert session.turns == [] and session.profile == {} and history(session) == []
    assert not service.assistant.conversations.exists(old_thread)  # deleted after the answer


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
    problem = service.edit_profile(session, values) or ""
    assert "**Child-Pugh class** A does not match **Child-Pugh score** 9" in problem
    assert "set Child-Pugh class to B" in problem
    assert session.profile == {} and not session.profile_edited
    assert session.panel_draft == values  # kept as typed, never silently undone


def test_a_class_only_edit_conflicts_then_a_valid_edit_applies(service) -> None:
    session = Session()
    service.ask(session, "Child-Pugh A6, ECOG 0, no varices on EGD: first-line options?")
    assert session.profile["child_pugh_score"] == 6
    values = panel_values(session.profile)
    values[FIELD_INDEX["child_pugh_class"]] = "B"  # the score still says 6
    problem = service.edit_profile(session, values) or ""
    assert problem.startswith("**Child-Pugh class** B does not match **Child-Pugh score** 6")
    assert "set Child-Pugh class to A, or set the score to 7–9 for class B" in problem
    # The next question answers with the last valid profile and leaves the typed panel alone.
    service.ask(session, "What was the PD rate in LEAP-002?")
    assert session.panel_draft == values and session.panel_problem == problem
    values[FIELD_INDEX["child_pugh_score"]] = "8"  # the clinician fixes the score
    assert service.edit_profile(session, values) is None
    assert session.panel_draft is None and session.panel_problem == ""
    assert session.profile["child_pugh_class"] == "B" and session.profile["child_pugh_score"] == 8
    turn = service.ask(session, "Which first-line regimen?")
    assert turn.result.profile["child_pugh_class"] == "B"


def test_a_question_that_contradicts_a_panel_edit_is_shown_for_the_clinician(service) -> None:
    session = Session()
    service.ask(session, "Child-Pugh A, ECOG 0, no varices on EGD: first-line options?")
    values = panel_values(session.profile)
    values[FIELD_INDEX["ecog"]] = "1"
    assert service.edit_profile(session, values) is None
    service.ask(session, "Now ECOG 2: which first-line regimen?")
    assert session.conflicts == [("ecog", 1, 2)]
    service.keep_panel(session)
    assert session.profile["ecog"] == 1 and session.profile_edited and not session.conflicts
    turn = service.ask(session, "Which first-line regimen?")
    assert turn.result.profile["ecog"] == 1


def test_refusals_are_plain(service) -> None:
    turn = service.ask(Session(), "Write me a poem about the sea")
    assert answer_text(turn.result, turn.body).startswith("**Not answered.**")


def test_identifiers_are_replaced_in_the_chat(service) -> None:
    session = Session()
    turn = service.ask(session, "Mr John Smith, MRN 1234567, Child-Pugh A: first-line options?")
    assert "John" not in turn.question and "1234567" not in turn.question
    shown = answer_text(turn.result, turn.body)
    assert shown.startswith("> **Guardrails:** identifiers")
    lead, _ = split_lead(shown)  # said on top, before the bottom line
    assert lead.startswith("> **Guardrails:** identifiers") and "**Bottom line:**" in lead
