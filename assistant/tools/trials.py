"""Tools over the trial records: one trial's figures, and Table 1 ranked on one figure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from langchain_core.tools import ToolException

from assistant.tools.citing import result_citation
from assistant.tools.deps import Artifact, ToolDeps
from assistant.tools.figures import (
    COMPARABLE,
    LOWER_IS_BETTER,
    parse_metric,
    record_passages,
    record_quotes,
    resolve_regimen,
    result_row,
    table1_arm_results,
    table1_categories,
    trial_text,
)
from corpus.trials import Result, Trial


def _lookup_trial(deps: ToolDeps) -> Callable[..., tuple[str, Artifact]]:
    def lookup_trial(name: str, metric: str | list[str] | None = None) -> tuple[str, Artifact]:
        """Every figure the review reports for a trial (or the trials of a regimen).

        name: a trial name ("LEAP-002", "imbrave150", "9DW") or a regimen ("atezo/bev",
        "STRIDE"). metric (optional): the figure(s) wanted, e.g. "PD rate", ["mOS", "OS HR"],
        "ORR", "grade 3 TRAEs", "n" (patients), "sites", "countries", "dose". Each figure comes
        with where it is printed and its reference numbers; the trial's design sentence comes
        with size questions, and its quoted findings when no figure is asked or none exists.
        """
        trials = deps.trials.lookup(name)
        if not trials:
            known = ", ".join(t.name for t in deps.trials.trials if t.named_in_review)
            raise ToolException(
                f"No trial or regimen called {name!r} in the review. Trials: {known}."
            )
        names = [metric] if isinstance(metric, str) else list(metric or [])
        wanted = {parse_metric(m) for m in names}
        texts, rows, citations, records = [], [], [], {}
        for trial in trials[:4]:
            results = [r for r in trial.results if not wanted or r.metric in wanted]
            rows += [result_row(trial, r) for r in results]
            record = record_passages(trial, wanted, bool(results))
            passages = [(p["quote"], tuple(p["refs"])) for p in record_quotes(record)]
            citations.append(result_citation(trial, results or trial.results, deps, passages))
            texts.append(trial_text(trial, [r for r in rows if r["trial_id"] == trial.id], wanted))
            records[trial.id] = record
        artifact = {
            "tool": "lookup_trial",
            "query": name,
            "metric": ", ".join(sorted(m.value for m in wanted)) or None,
            "trials": [t.id for t in trials[:4]],
            "results": rows,
            "records": records,
            "citations": [c.model_dump() for c in citations],
        }
        return "\n\n".join(texts), artifact

    return lookup_trial


def _compare_trials(deps: ToolDeps) -> Callable[..., tuple[str, Artifact]]:
    def compare_trials(
        metric: str,
        order: Literal["lowest", "highest", "best"] = "best",
        category: Literal["ICI+TKI", "ICI+anti-VEGF", "ICI+ICI"] | None = None,
        arms: Literal["experimental", "control"] = "experimental",
        regimen: str | None = None,
        at_most: float | None = None,
        at_least: float | None = None,
    ) -> tuple[str, Artifact]:
        """Rank the first-line combination arms of Table 1 on one figure.

        metric: "PD rate", "ORR", "DCR", "mOS", "mPFS", "OS HR", "PFS HR" or "grade 3 TRAEs".
        order: "lowest", "highest", or "best" (lowest for PD rate, TRAEs and hazard ratios).
        category (optional): only one regimen category of Table 1 ("ICI+TKI" for TKI plus
        anti-PD-1 combinations, "ICI+anti-VEGF" for bevacizumab-based ones, "ICI+ICI").
        arms: "experimental" (default) or "control" to rank the trials' comparator arms.
        regimen (optional): only arms of this regimen, e.g. "sorafenib" for the sorafenib arms.
        at_most / at_least (optional): only arms whose figure is at most / at least this value
        ("PFS HR of 0.55 or lower": at_most=0.55); every arm that qualifies is listed.
        Arms whose figure is not reported (NR, NA) are listed apart.
        """
        wanted = parse_metric(metric)
        if wanted not in COMPARABLE:
            raise ToolException(f"compare_trials ranks Table 1 figures only: {COMPARABLE}")
        only = resolve_regimen(regimen) if regimen else None
        ascending = order == "lowest" or (order == "best" and wanted in LOWER_IS_BETTER)
        ranked: list[tuple[Trial, Result]] = []
        missing: list[tuple[Trial, Result]] = []
        categories = table1_categories(deps.trials)
        for trial in deps.trials.trials:
            if category and categories.get(trial.id) != category:
                continue
            for result in table1_arm_results(trial, wanted, arms == "control", only):
                (ranked if result.value is not None else missing).append((trial, result))
        sign = 1.0 if ascending else -1.0
        ranked.sort(key=lambda pair: sign * (pair[1].value or 0.0))
        if at_most is not None:
            ranked = [(t, r) for t, r in ranked if (r.value or 0.0) <= at_most]
        if at_least is not None:
            ranked = [(t, r) for t, r in ranked if (r.value or 0.0) >= at_least]
        rows = [result_row(t, r) for t, r in ranked]
        lines = [
            f"{n}. {row['arm']} ({row['trial']}): {row['text']}"
            for n, row in enumerate(rows, start=1)
        ]
        lines += [f"Not reported: {t.name} ({r.text})" for t, r in missing]
        citations = [result_citation(t, [r], deps) for t, r in ranked]
        artifact = {
            "tool": "compare_trials",
            "metric": wanted.value,
            "category": category,
            "arms": arms,
            "regimen": only,
            "order": "ascending" if ascending else "descending",
            "at_most": at_most,
            "at_least": at_least,
            "results": rows,
            "not_reported": [result_row(t, r) for t, r in missing],
            "citations": [c.model_dump() for c in citations],
        }
        which = "control" if arms == "control" else "first-line combination"
        header = f"Table 1 {which} arms by {wanted.value} ({artifact['order']}):"
        return "\n".join([header, *lines]), artifact

    return compare_trials
