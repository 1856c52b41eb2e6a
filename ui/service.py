"""The app's verbs over the assistant's public API, without gradio: ask, edit profile, new patient.

app.py binds these to components; tests call them directly. One `ChatService` (one Assistant)
serves every session: per-user state lives in the `Session` passed in, never here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.agent import Assistant
from clinical.profile import ProfileError, parse_profile
from clinical.rules import recommend
from corpus.document import Document
from corpus.parser import load_document
from corpus.sources import ChunkLocator, default_locator
from ui.chat import Message, answer_message, redact, user_message
from ui.footnotes import RuleSource, footnote_answer, rule_sources
from ui.profile_panel import FIELDS, cleared, explain_problem, profile_from_values, stated
from ui.session import Session, Turn

EXAMPLES = (
    "Child-Pugh A, ECOG 0, untreated varices, hoping for resection: which first-line regimen?",
    "CP-A5, ECOG 1, no varices on EGD, long-term control: first-line options?",
    "s/p liver transplant, Child-Pugh A, ECOG 0: which first-line systemic therapy?",
    "Progressed on lenvatinib, ECOG 1, Child-Pugh A: second-line options?",
    "Beyond up-to-7 with main PVTT: TACE or HAIC?",
    "What was the PD rate in LEAP-002?",
    "Which first-line combination has the lowest PD rate?",
    "What does the review say about anti-drug antibodies to atezolizumab?",
)


class Superseded(Exception):
    """The session moved to a new patient while its answer was prepared; the answer is dropped."""


class ChatService:
    def __init__(
        self,
        assistant: Assistant,
        locator: ChunkLocator | None = None,
        document: Document | None = None,
    ) -> None:
        self.assistant = assistant
        self.locator = locator or default_locator()
        self.document = document or load_document()

    def _sources(self, profile: dict[str, Any]) -> list[RuleSource]:
        """The rule core's quoted sources for the profile the agent read (footnote passages)."""
        if not profile:
            return []
        try:
            return rule_sources(recommend(parse_profile(profile)))
        except ProfileError:
            return []

    def ask(self, session: Session, question: str) -> Turn:
        """Answer in the session's thread; an edited panel profile travels with the question.

        `Superseded` when New patient was pressed while the answer was being prepared: the
        answer belongs to the patient before, so it is dropped and its stored thread deleted.
        """
        epoch, thread_id = session.epoch, session.thread_id
        given, edited, panel = None, {}, {}
        if session.profile_edited:
            given = cleared(session.thread_profile, session.profile)
            edited = _changed(session.thread_profile, session.profile)
            panel = dict(session.profile)
        result = self.assistant.ask(question, thread_id=thread_id, profile=given)
        if session.epoch != epoch:
            self.assistant.conversations.delete(thread_id)
            raise Superseded("New patient was pressed while this answer was prepared")
        session.conflicts, session.conflict_panel = [], {}
        if result.profile and not result.refused:
            try:
                read = stated(result.profile)
            except ProfileError:
                pass  # keep the last usable profile; the answer states the problem
            else:
                # The question restated a field the clinician had just edited: shown, not hidden.
                session.conflicts = [
                    (name, value, _at(read, name))
                    for name, value in edited.items()
                    if _at(read, name) != value
                ]
                session.conflict_panel = panel if session.conflicts else {}
                session.profile = read
                session.thread_profile = dict(read)
                session.profile_edited = False
        footnoted = footnote_answer(
            result.answer, result.citations, self._sources(result.profile), self.locator,
            self.document,
        )  # fmt: skip
        shown = result.question or redact(question)  # refusals may return no question
        turn = Turn(shown, result, footnoted.body, footnoted.footnotes)
        session.turns.append(turn)
        return turn

    def keep_panel(self, session: Session) -> None:
        """Resolve a panel/question conflict for the panel: its values go with the next question."""
        if session.conflict_panel:
            chosen = {name: value for name, value, _ in session.conflicts}
            profile = dict(session.profile)
            for name, value in chosen.items():
                _put(profile, name, value)
            session.profile = stated(profile)
            session.profile_edited = session.profile != session.thread_profile
        session.conflicts, session.conflict_panel = [], {}

    def keep_question(self, session: Session) -> None:
        """Resolve a panel/question conflict for the question's values (already applied)."""
        session.conflicts, session.conflict_panel = [], {}

    def new_patient(self, session: Session) -> None:
        """Forget the patient: the thread's stored conversation is deleted, the session reset."""
        self.assistant.conversations.delete(session.thread_id)
        session.new_patient()

    def edit_profile(self, session: Session, values: Sequence[Any]) -> str | None:
        """Take the panel's values as the patient's profile; the problem (one line) if invalid.

        Invalid values are kept as typed (`panel_draft`) with a message naming the fields that
        conflict and how to fix them; the profile stays the last valid one until they are fixed.
        """
        try:
            profile = stated(profile_from_values(values))
        except (ProfileError, ValueError) as error:
            session.panel_draft = list(values)
            session.panel_problem = explain_problem(str(error))
            return session.panel_problem
        session.panel_draft, session.panel_problem = None, ""
        session.conflicts, session.conflict_panel = [], {}
        # A fact the reader held at its fail-safe value stays unconfirmed until it is edited.
        unsure = [
            name
            for name in session.profile.get("unconfirmed", [])
            if _at(profile, name) is not None and _at(profile, name) == _at(session.profile, name)
        ]
        if unsure:
            profile["unconfirmed"] = unsure
        if profile != session.profile:
            session.profile = profile
            session.profile_edited = profile != session.thread_profile
        return None


def _changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The panel fields whose value differs between two stated profiles ("tumour.x" nested)."""
    names = {field.key for field in FIELDS}
    return {
        name: _at(after, name) for name in sorted(names) if _at(after, name) != _at(before, name)
    }


def _put(profile: dict[str, Any], name: str, value: Any) -> None:
    head, _, tail = name.partition(".")
    if head == "tumour":
        profile.setdefault("tumour", {})[tail] = value
    elif value is None:
        profile.pop(head, None)
    else:
        profile[head] = value


def _at(profile: dict[str, Any], name: str) -> Any:
    head, _, tail = name.partition(".")
    return profile.get("tumour", {}).get(tail) if head == "tumour" else profile.get(head)


def history(session: Session) -> list[Message]:
    """The chat as messages: each question and its answer (steps and sources folded inside)."""
    messages: list[Message] = []
    for n, turn in enumerate(session.turns, start=1):
        messages += [
            user_message(turn.question),
            answer_message(turn.result, turn.body, turn.footnotes, n),
        ]
    return messages
