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
from ui.chat import Message, answer_message, answer_text, redact, steps_message, user_message
from ui.footnotes import RuleSource, footnote_answer, rule_sources
from ui.profile_panel import cleared, profile_from_values, stated
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
        """Answer in the session's thread; an edited panel profile travels with the question."""
        given = None
        if session.profile_edited:
            given = cleared(session.thread_profile, session.profile)
        result = self.assistant.ask(question, thread_id=session.thread_id, profile=given)
        if result.profile and not result.refused:
            try:
                session.profile = stated(result.profile)
                session.thread_profile = dict(session.profile)
                session.profile_edited = False
            except ProfileError:
                pass  # keep the last usable profile; the answer states the problem
        footnoted = footnote_answer(
            result.answer, result.citations, self._sources(result.profile), self.locator,
            self.document,
        )  # fmt: skip
        shown = result.question or redact(question)  # refusals may return no question
        turn = Turn(shown, result, footnoted.body, footnoted.footnotes)
        session.turns.append(turn)
        return turn

    def new_patient(self, session: Session) -> None:
        """Forget the patient: the thread's stored conversation is deleted, the session reset."""
        self.assistant.conversations.delete(session.thread_id)
        session.new_patient()

    def edit_profile(self, session: Session, values: Sequence[Any]) -> str | None:
        """Take the panel's values as the patient's profile; the problem (one line) if invalid."""
        try:
            profile = stated(profile_from_values(values))
        except (ProfileError, ValueError) as error:
            return str(error)
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


def _at(profile: dict[str, Any], name: str) -> Any:
    head, _, tail = name.partition(".")
    return profile.get("tumour", {}).get(tail) if head == "tumour" else profile.get(head)


def history(session: Session) -> list[Message]:
    """The chat as messages: each question, its folded agent steps and its footnoted answer."""
    messages: list[Message] = []
    for turn in session.turns:
        messages += [
            user_message(turn.question),
            steps_message(turn.result),
            answer_message(answer_text(turn.result, turn.body), turn.footnotes),
        ]
    return messages
