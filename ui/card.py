"""The recommendation card: the rule core's answer for the panel's profile, as Markdown.

It is computed straight from `recommend(profile)` (pure, a few milliseconds), so it follows every
edit of the profile without asking the agent; the chat answer and the card use the same rule core.
"""

from __future__ import annotations

from typing import Any

from assistant.planner.compose import refs_text
from clinical.profile import PatientProfile, ProfileError, parse_profile
from clinical.rules import Recommendation, recommend
from corpus.regimens import load_catalogue

EMPTY_CARD = (
    "### Recommendation\n"
    "_No patient details yet. Describe the patient in the chat or fill in the profile: the "
    "preferred options, what to avoid and the checks before starting appear here._"
)
_SETTINGS = {"first_line": "First line", "later_line": "Later line"}


def _refs(refs: tuple[int, ...]) -> str:
    text = refs_text(refs)
    return f" _({text})_" if text else ""


def _regimen_name(regimen_id: str) -> str:
    regimen = load_catalogue().regimens.get(regimen_id)
    return regimen.name if regimen else regimen_id


def render_card(recommendation: Recommendation) -> str:
    r = recommendation
    lines = [f"### Recommendation: {_SETTINGS[r.setting]}"]
    if r.outside_review:
        lines += ["", f"**Outside the review:** {r.outside_review}"]
    if r.recommended:
        lines += ["", "**Preferred options** (most preferred first)"]
        for option in r.recommended:
            trials = ", ".join(t.name for t in option.trials)
            lines.append(
                f"{option.rank}. **{option.name}** ({option.certainty.value})"
                + (f" — {trials}" if trials else "")
                + _refs(option.refs)
            )
    elif not r.outside_review:
        lines += ["", "The review supports no systemic option for this profile."]
    if r.avoid:
        lines += ["", "**Avoid**"]
        lines += [f"- **{entry.name}**: {entry.reason}{_refs(entry.refs)}" for entry in r.avoid]
    if r.checks:
        lines += ["", "**Checks before starting**"]
        lines += [f"- {check.text}{_refs(check.refs)}" for check in r.checks]
    if r.regional_notes:
        lines += ["", "**Regional notes**"]
        lines += [f"- {_regimen_name(note.regimen)}: {note.text}" for note in r.regional_notes]
    if r.rules_fired:
        lines += ["", f"<small>Rules fired: {', '.join(r.rules_fired)}</small>"]
    return "\n".join(lines)


def card_for(profile: dict[str, Any] | PatientProfile | None) -> str:
    """The card for a profile; a plain message when it is empty or inconsistent."""
    if not profile:
        return EMPTY_CARD
    try:
        parsed = profile if isinstance(profile, PatientProfile) else parse_profile(profile)
    except ProfileError as error:
        return f"### Recommendation\n**The profile cannot be used:** {error}"
    if parsed == PatientProfile():
        return EMPTY_CARD
    return render_card(recommend(parsed))


def stale_card(card: str, reason: str) -> str:
    """The card marked out of date: a banner on top, the old recommendation dimmed below it."""
    return (
        f'<div class="card-stale" role="status"><b>Out of date.</b> {reason}</div>\n\n'
        f'<div class="card-old">\n\n{card}\n\n</div>'
    )


def edited_note(card: str) -> str:
    """The card after a panel edit the chat has not answered yet: said, so the two never seem
    to disagree without a reason."""
    note = (
        "Updated from the profile panel: the last answer in the chat was for the profile before "
        "this edit; your next question uses these values."
    )
    return f'<div class="card-note" role="status">{note}</div>\n\n{card}'
