"""Follow-ups about trials: "and the PD rate?" after a lookup asks it of the same trials.

The trials come from the previous turn's `lookup_trial` or `compare_trials` arguments (see
`state.earlier_lookups`), as the patient profile comes from the previous profile tool call.
"""

from __future__ import annotations

import re
from typing import Any

# A question that leans on the previous one: it opens with a joiner or points back at a trial.
_POINTS_BACK = re.compile(
    r"^\s*(?:and|also|plus|then|what\s+about|how\s+about|same\s+for|ok(?:ay)?|and\s+what)\b"
    r"|\b(?:its|their|that|this|those|these|same|the\s+(?:trial|study|arm|combination)s?)\b"
)
SHORT_QUESTION = 6  # words: "PD rate?" or "the HR too?" cannot be about a new trial


def points_back(text: str) -> bool:
    """Whether a question without a trial name continues the previous turn's trials."""
    return bool(_POINTS_BACK.search(text)) or len(text.split()) <= SHORT_QUESTION


def carried_calls(
    lookups: list[dict[str, Any]], metrics: list[str], comparable: list[str], order: str | None
) -> list[tuple[str, dict[str, Any]]]:
    """(tool, args) asking the new figures of the previous turn's trials, or [] if none fit."""
    looked = [call for call in lookups if call.get("tool", "lookup_trial") == "lookup_trial"]
    if looked:
        names = list(dict.fromkeys(str(call["name"]) for call in looked))
        return [("lookup_trial", {"name": name, "metric": metrics}) for name in names[:4]]
    ranked = [call for call in lookups if call.get("tool") == "compare_trials"]
    if ranked and comparable:
        kept = {k: v for k, v in ranked[-1].items() if k not in ("tool", "metric", "order")}
        return [("compare_trials", {**kept, "metric": comparable[0], "order": order or "best"})]
    return []
