"""Regimen agreement: does an answer recommend what the rule core recommends for its profile?

The rule core is the reference. For every answer that selected regimens, the rule core is run again
on the profile the answer read, and the two sets of recommended regimens must match, with nothing
the rule core avoids among the answer's recommendations. For the planner this holds by
construction; for an LLM backend it measures how faithfully the model reports its tools.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinical.answer import AnswerResult
from clinical.profile import ProfileError, parse_profile
from clinical.rules import locoregional_choice, potential_resectability, recommend

SELECTION_TOOL = "select_regimens"
LOCOREGIONAL_TOOL = "locoregional_options"
RESECTABILITY_TOOL = "check_resectability"


@dataclass(frozen=True)
class Agreement:
    agrees: bool
    detail: str = ""


def selected_regimens(result: AnswerResult) -> bool:
    return not result.refused and any(t.tool == SELECTION_TOOL and t.ok for t in result.trace)


def rule_core_trials(result: AnswerResult) -> frozenset[str]:
    """The trials behind everything the rule core names for the profile the answer read (options,
    avoid list, resectability criteria, locoregional choices): an answer on that patient may cite
    any of them."""
    tools = {t.tool for t in result.trace if t.ok}
    if result.refused or not tools & {SELECTION_TOOL, RESECTABILITY_TOOL, LOCOREGIONAL_TOOL}:
        return frozenset()
    try:
        profile = parse_profile(result.profile)
    except ProfileError:
        return frozenset()
    reference = recommend(profile)
    trials = [t for option in reference.recommended for t in option.trials]
    trials += [t for option in reference.avoid for t in option.trials]
    trials += [t for s in potential_resectability(profile).criteria_sets for t in s.trials]
    choice = locoregional_choice(profile)
    trials += [t for option in choice.options for t in option.trials]
    return frozenset(trial.id for trial in trials)


def regimen_agreement(result: AnswerResult) -> Agreement | None:
    """None when the answer selected no regimens (nothing to compare)."""
    if not selected_regimens(result):
        return None
    try:
        profile = parse_profile(result.profile)
    except ProfileError as error:
        return Agreement(False, f"the answer's profile is invalid: {error}")
    reference = recommend(profile)
    expected = {option.regimen for option in reference.recommended}
    avoided = {option.regimen for option in reference.avoid}
    if any(t.tool == LOCOREGIONAL_TOOL and t.ok for t in result.trace):
        # TACE, HAIC or SBRT, chosen by their own rules, may stand beside the systemic options.
        choice = locoregional_choice(profile)
        expected |= {option.regimen for option in choice.options}
        avoided |= {option.regimen for option in choice.avoid}
    given = set(result.recommended_ids)
    problems = []
    if missing := sorted(expected - given):
        problems.append(f"rule core also recommends {', '.join(missing)}")
    if extra := sorted(given - expected):
        problems.append(f"not recommended by the rule core: {', '.join(extra)}")
    if clash := sorted(given & avoided):
        problems.append(f"avoided by the rule core: {', '.join(clash)}")
    return Agreement(not problems, "; ".join(problems))
