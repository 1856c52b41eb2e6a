"""Which trial arms a ranking compares, and the figures it compares them on.

Two scopes: Table 1 (its first-line combination trials, figures from the table) or every
first-line randomised trial of the records (whole-population figures, Table 1 first, then the
text). An arm is picked by its role (experimental, control or any) and its regimen; each comes
with its own control arm's figure, so "fewer TRAEs than their own control arm" and "the biggest
gain over its control" are read from printed numbers only (a difference orders, it is never
shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from corpus.regimens import load_catalogue
from corpus.trials import Arm, Metric, Result, Trial, TrialRegistry

Scope = Literal["table1", "all"]
Role = Literal["experimental", "control", "any"]
HAZARD_RATIOS = frozenset({Metric.OS_HR, Metric.PFS_HR})
RANDOMISED_PHASES = ("III", "II–III")
MAJORITY = 50.0  # % of an arm's patients: "lenvatinib or sorafenib" (85% lenvatinib) counts as both


@dataclass(frozen=True)
class Ranked:
    trial: Trial
    result: Result
    control: Result | None  # the same figure for the trial's own control arm, when printed

    @property
    def difference(self) -> float | None:
        """The arm's figure minus its control arm's (orders a ranking; never printed)."""
        if self.control is None or self.control.value is None or self.result.value is None:
            return None
        return self.result.value - self.control.value

    @property
    def significant(self) -> bool | None:
        """A hazard ratio's printed CI: excluding 1 is significant, including 1 is not."""
        low, high = self.result.ci_low, self.result.ci_high
        if self.result.metric not in HAZARD_RATIOS or low is None or high is None:
            return None
        return high < 1 or low > 1


def in_scope(trial: Trial, scope: Scope) -> bool:
    """A Table 1 trial, or (scope "all") any first-line randomised trial of the records."""
    if scope == "table1":
        return any(r.source == "table1" for r in trial.results)
    return (
        trial.setting == "first-line"
        and trial.phase in RANDOMISED_PHASES
        and len(trial.arms) >= 2
        and trial.indication == "HCC"
    )


def control_arm(trial: Trial) -> Arm:
    """The comparator: the records list it last (HIMALAYA: STRIDE, durvalumab, sorafenib)."""
    return trial.arms[-1]


def _role(trial: Trial, arm: Arm) -> str:
    if arm.id == trial.arms[0].id:
        return "experimental"
    return "control" if arm.id == control_arm(trial).id else "other"


def arm_has(trial: Trial, arm: Arm, regimen: str) -> bool:
    """The arm is this regimen, or a choice most of whose patients received it (CheckMate 9DW's
    "lenvatinib or sorafenib" arm, 85% lenvatinib, is a lenvatinib arm, not a sorafenib one)."""
    if arm.regimen == regimen:
        return True
    catalogue = load_catalogue()
    if arm.regimen is None or arm.regimen not in catalogue.regimens:
        return False
    agents = set(catalogue.regimen(arm.regimen).agents)
    wanted = set(catalogue.regimen(regimen).agents)
    if len(wanted) != 1 or not wanted <= agents:
        return False
    (agent,) = wanted
    return any(
        r.metric is Metric.share_of_patients
        and r.measured_arm == arm.id
        and r.agent == agent
        and (r.value or 0.0) > MAJORITY
        for r in trial.results
    )


def _figure(trial: Trial, metric: Metric, arm: str | None, scope: Scope) -> Result | None:
    """One arm's figure (arm None: the whole trial's), whole population, Table 1 first."""
    found = [
        r
        for r in trial.results
        if r.metric == metric
        and r.measured_arm == arm
        and r.population is None
        and r.agent is None
        and (scope == "all" or r.source == "table1")
    ]
    found.sort(key=lambda r: r.source != "table1")
    return found[0] if found else None


def arm_figures(
    registry: TrialRegistry,
    metric: Metric,
    scope: Scope,
    role: Role,
    regimen: str | None = None,
    control: str | None = None,
) -> tuple[list[Ranked], list[tuple[Trial, Arm, Result | None]]]:
    """(arms with the figure, arms without it: printed NR/NA, or no figure at all) in scope.

    `regimen` keeps only arms of that regimen; `control` only trials whose control arm is of
    that regimen. A trial-wide figure (patients randomised) is one per trial, not per arm.
    """
    ranked: list[Ranked] = []
    missing: list[tuple[Trial, Arm, Result | None]] = []
    for trial in registry.trials:
        if not trial.arms or not in_scope(trial, scope):
            continue
        own_control = control_arm(trial)
        if control and not arm_has(trial, own_control, control):
            continue
        if metric is Metric.n:
            whole = _figure(trial, metric, None, scope)
            if whole is not None:
                ranked.append(Ranked(trial, whole, None))
            continue
        for arm in trial.arms:
            if role != "any" and _role(trial, arm) != role:
                continue
            if regimen and not arm_has(trial, arm, regimen):
                continue
            result = _figure(trial, metric, arm.id, scope)
            if result is None and scope == "table1":
                continue  # Table 1 prints no such cell for this arm (TEAE rows, HR of a control)
            if result is None or result.value is None:
                if result is not None or metric not in HAZARD_RATIOS:
                    missing.append((trial, arm, result))
                continue
            theirs = None
            if arm.id != own_control.id and metric not in HAZARD_RATIOS:
                theirs = _figure(trial, metric, own_control.id, scope)
            ranked.append(Ranked(trial, result, theirs))
    return ranked, missing
