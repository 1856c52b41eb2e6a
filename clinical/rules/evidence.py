"""Trials and key figures for an output, read from the curated trial records at run time.

Rule data never holds a number: it names (trial, arm, metric) and the figure comes from
corpus/data/trials.yaml with the place in the review where it is printed. A figure the records
lack is returned with `found=False` rather than guessed; where Table 1 and the text print
different numbers for the same figure, both are returned, each with its source.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cache

from clinical.rules.output import KeyFigure, TrialCitation
from clinical.rules.schema import FigureRef
from corpus.trials import SECTION_SEPARATOR, Metric, Result, Trial, TrialRegistry, load_trials

_TABLES = {"table1": "Table 1", "table2": "Table 2"}


@cache
def trial_registry() -> TrialRegistry:
    return load_trials()


def find_trial(name: str) -> Trial | None:
    """The trial record a rule names by id, name or alias, or None."""
    registry = trial_registry()
    try:
        return registry.get(name)
    except KeyError:
        return registry.resolve(name)


def cite(names: Iterable[str]) -> tuple[TrialCitation, ...]:
    citations = []
    for name in names:
        trial = find_trial(name)
        if trial is None:
            citations.append(TrialCitation(id=name, name=name, in_records=False))
        else:
            citations.append(TrialCitation(id=trial.id, name=trial.name, in_records=True))
    return tuple(citations)


def figure_problems(figure: FigureRef, metrics: Iterable[str]) -> Iterator[str]:
    """What makes a figure reference unusable: an unknown trial, arm or metric name."""
    trial = find_trial(figure.trial)
    if trial is None:
        yield f"no trial record {figure.trial!r}"
        return
    if figure.arm not in {arm.id for arm in trial.arms}:
        yield f"trial {trial.id} has no arm {figure.arm!r}"
    known = {metric.value for metric in Metric}
    yield from (f"unknown metric {metric!r}" for metric in metrics if metric not in known)


def _source_label(result: Result) -> str:
    return _TABLES.get(result.source, result.source.split(SECTION_SEPARATOR)[-1])


def _figures(trial: Trial, figure: FigureRef, metric: str) -> list[KeyFigure]:
    arm_label = trial.arm(figure.arm).label
    matches: list[Result] = []
    for result in trial.results:
        wanted = (
            result.metric == metric
            and result.measured_arm == figure.arm
            and result.population == figure.population
            and result.agent is None
        )
        if wanted and not any(result.same_figure(kept) for kept in matches):
            matches.append(result)
    if not matches:
        return [
            KeyFigure(
                trial=trial.id,
                trial_name=trial.name,
                arm=figure.arm,
                metric=metric,
                found=False,
                arm_label=arm_label,
                population=figure.population,
            )
        ]
    return [
        KeyFigure(
            trial=trial.id,
            trial_name=trial.name,
            arm=figure.arm,
            metric=metric,
            found=True,
            arm_label=arm_label,
            versus=trial.arm(result.arms[1]).label if result.arms else None,
            population=result.population,
            value=result.value,
            text=result.text,
            unit=result.unit,
            source=_source_label(result),
            refs=result.refs,
        )
        for result in matches
    ]


def metrics_of(figure: FigureRef, metric_sets: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The metric names a figure reference asks for (a metric set's name expanded)."""
    if isinstance(figure.metrics, str):
        return metric_sets.get(figure.metrics, (figure.metrics,))
    return figure.metrics


def key_figures(
    figures: Iterable[FigureRef], metric_sets: Mapping[str, tuple[str, ...]]
) -> tuple[KeyFigure, ...]:
    out: list[KeyFigure] = []
    for figure in figures:
        trial = find_trial(figure.trial)
        if trial is None:  # the rule book refuses such references; kept total for safety
            continue
        for metric in metrics_of(figure, metric_sets):
            out.extend(_figures(trial, figure, metric))
    return tuple(out)
