"""Trial figures as tools read and show them: metric names, Table 1 categories, rows."""

from __future__ import annotations

from functools import cache
from typing import Any

from langchain_core.tools import ToolException

from corpus.names import fold
from corpus.parser import load_document
from corpus.regimens import load_catalogue
from corpus.trials import Metric, Result, Trial, TrialRegistry, describe

# Metric names as people write them -> the records' metric.
METRIC_NAMES: dict[str, Metric] = {
    **{fold(m.value): m for m in Metric},
    **{
        fold(k): v
        for k, v in {
            "PD rate": Metric.PD_rate,
            "progressive disease": Metric.PD_rate,
            "progression rate": Metric.PD_rate,
            "ORR": Metric.ORR,
            "objective response rate": Metric.ORR,
            "response rate": Metric.ORR,
            "DCR": Metric.DCR,
            "disease control rate": Metric.DCR,
            "OS": Metric.mOS,
            "overall survival": Metric.mOS,
            "median OS": Metric.mOS,
            "median overall survival": Metric.mOS,
            "PFS": Metric.mPFS,
            "progression-free survival": Metric.mPFS,
            "median PFS": Metric.mPFS,
            "OS HR": Metric.OS_HR,
            "hazard ratio": Metric.OS_HR,
            "OS hazard ratio": Metric.OS_HR,
            "PFS HR": Metric.PFS_HR,
            "PFS hazard ratio": Metric.PFS_HR,
            "grade 3 TRAEs": Metric.grade3_TRAE,
            "grade >=3 TRAEs": Metric.grade3_TRAE,
            "TRAEs": Metric.grade3_TRAE,
            "toxicity": Metric.grade3_TRAE,
            "adverse events": Metric.grade3_TRAE,
            "side effects": Metric.grade3_TRAE,
        }.items()
    },
}
LOWER_IS_BETTER = frozenset({Metric.PD_rate, Metric.grade3_TRAE, Metric.OS_HR, Metric.PFS_HR})
COMPARABLE = (
    Metric.mOS,
    Metric.OS_HR,
    Metric.mPFS,
    Metric.PFS_HR,
    Metric.ORR,
    Metric.DCR,
    Metric.PD_rate,
    Metric.grade3_TRAE,
)


def parse_metric(name: str) -> Metric:
    metric = METRIC_NAMES.get(fold(name))
    if metric is None:
        known = ", ".join(m.value for m in COMPARABLE)
        raise ToolException(f"Unknown metric {name!r}. Use one of: {known}.")
    return metric


def result_row(trial: Trial, result: Result) -> dict[str, Any]:
    arm = trial.arm(result.measured_arm).label if result.measured_arm else None
    versus = trial.arm(result.arms[1]).label if result.arms else None
    return {
        "trial": trial.name,
        "trial_id": trial.id,
        "metric": result.metric.value,
        "arm": arm,
        "versus": versus,
        "population": result.population,
        "value": result.value,
        "text": result.text,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "p_value": result.p_value,
        "unit": result.unit,
        "source": result.source,
        "refs": list(result.refs),
        "note": result.note,
    }


def trial_text(trial: Trial, rows: list[dict[str, Any]], wanted: set[Metric]) -> str:
    """The model's view of one trial: every figure, or only the ones asked for."""
    if not wanted:
        return describe(trial)
    if not rows:
        names = ", ".join(sorted(m.value for m in wanted))
        return f"{trial.name}: the review reports no {names} for this trial."
    lines = [f"{trial.name} (refs {', '.join(map(str, trial.refs))}):"]
    for row in rows:
        versus = f" vs {row['versus']}" if row["versus"] else ""
        lines.append(
            f"  {row['metric']} {row['text']} ({row['arm'] or 'overall'}{versus}; {row['source']})"
        )
    return "\n".join(lines)


@cache
def _categories(registry: TrialRegistry) -> dict[str, str]:
    found = {}
    for row in load_document().table1:
        trial = registry.resolve(row.trial)
        if trial is not None:
            found[trial.id] = row.category
    return found


def table1_categories(registry: TrialRegistry) -> dict[str, str]:
    """Trial id -> Table 1's regimen category ("ICI+TKI", "ICI+anti-VEGF", "ICI+ICI")."""
    return _categories(registry)


def resolve_regimen(name: str) -> str:
    """The catalogue id of a regimen name ("sorafenib", "atezo/bev"), or a hint for the model."""
    regimen = load_catalogue().resolve(name)
    if regimen is None:
        raise ToolException(f"Unknown regimen {name!r}. Use a regimen name such as 'sorafenib'.")
    return regimen.id


DESIGN_METRICS = frozenset({Metric.n, Metric.sites, Metric.countries})


def record_passages(trial: Trial, wanted: set[Metric], found: bool) -> dict[str, Any]:
    """The words of a trial's record to show beside its figures: the design sentence for a
    question about its size, its quoted findings and selection criteria when no figure is
    asked; all of them when the trial has none of the figures asked."""
    record: dict[str, Any] = {"name": trial.name, "refs": list(trial.refs)}
    # A dose the review does not print is not answered by the trial's other words.
    instead = not found and Metric.dose not in wanted
    if wanted & DESIGN_METRICS or instead:
        record["design"] = trial.design
    if not wanted or instead:
        record["criteria"] = list(trial.criteria)
        record["findings"] = [
            {"quote": f.quote, "refs": list(f.refs), "source": f.source} for f in trial.findings
        ]
    return record


def record_quotes(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The exact review quotes a record passage shows, each with the refs it rests on (none of
    its own for the design and criteria: the figures' refs, or the trial's, cite them)."""
    quotes = [*record.get("findings", [])]
    if record.get("design"):
        quotes.append({"quote": record["design"], "refs": []})
    quotes += [{"quote": c, "refs": []} for c in record.get("criteria", [])]
    return quotes
