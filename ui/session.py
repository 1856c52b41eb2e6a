"""One browser session's conversation: its agent thread, the patient profile and the turns.

Gradio keeps one `Session` per browser tab (gr.State), so users never share a thread or a
profile. Questions are stored with identifiers already replaced; nothing here holds raw text.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from clinical.answer import AnswerResult
from ui.footnotes import Footnote


@dataclass
class Turn:
    question: str  # identifiers replaced by placeholders
    result: AnswerResult
    body: str  # the answer with numbered footnote markers
    footnotes: tuple[Footnote, ...]


@dataclass
class Session:
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex)  # the tab, for its lifetime
    thread_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    profile: dict[str, Any] = field(default_factory=dict)  # stated fields only, as shown
    thread_profile: dict[str, Any] = field(default_factory=dict)  # what the agent last read
    # True once the clinician edits the panel: the next question carries the edited profile.
    profile_edited: bool = False
    turns: list[Turn] = field(default_factory=list)
    # Bumped by New patient: an answer begun for an earlier patient is dropped when it arrives.
    epoch: int = 0
    # Panel values the clinician typed that do not make a valid profile, kept as typed (never
    # silently undone), with the message that says which fields conflict and how to fix them.
    panel_draft: list[Any] | None = None
    panel_problem: str = ""
    # Fields the last question stated differently from the clinician's panel edit, for the
    # clinician to resolve: (profile field, the panel's value, the question's value).
    conflicts: list[tuple[str, Any, Any]] = field(default_factory=list)
    conflict_panel: dict[str, Any] = field(default_factory=dict)  # the edited profile they beat

    def new_patient(self) -> None:
        """Forget the patient: a new agent thread, an empty profile, no turns."""
        self.epoch += 1
        self.thread_id = uuid.uuid4().hex
        self.profile = {}
        self.thread_profile = {}
        self.profile_edited = False
        self.turns = []
        self.panel_draft = None
        self.panel_problem = ""
        self.conflicts = []
        self.conflict_panel = {}
