"""Which trials a passage mentions, by the names and anchors in the trial records."""

from __future__ import annotations

import re
from functools import cache

from corpus.citations import strip_markers
from corpus.vocabulary import normalize


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    from corpus.trials import load_trials

    patterns = []
    for trial in load_trials().trials:
        names = {normalize(n) for n in (trial.name, *trial.aliases, *trial.anchors) if len(n) > 3}
        alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        patterns.append((trial.id, re.compile(rf"(?<![a-z0-9])(?:{alternation})(?![a-z0-9])")))
    return patterns


def find_trials(text: str) -> tuple[str, ...]:
    """Ids of the trials named in `text`, in the order of the trial records."""
    plain = normalize(strip_markers(text))
    return tuple(trial_id for trial_id, pattern in _patterns() if pattern.search(plain))
