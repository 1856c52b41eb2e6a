"""Tools over the trial records: one trial's figures, and Table 1 ranked on one figure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

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
    table1_categories,
    trial_text,
)
from assistant.tools.ranking import Ranked, arm_figures
from corpus.trials import Arm, Metric, Result, Trial


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
        arms: Literal["experimental", "control", "any"] = "experimental",
        regimen: str | None = None,
        at_most: float | None = None,
        at_least: float | None = None,
        top: int | None = None,
        control: str | None = None,
        versus_control: Literal["lower", "higher"] | None = None,
        by: Literal["figure", "difference"] = "figure",
        significant: bool | None = None,
        scope: Literal["table1", "all"] = "table1",
    ) -> tuple[str, Artifact]:
        """Rank trial arms on one figure: Table 1's first-line combination arms by default.

        metric: "PD rate", "ORR", "DCR", "mOS", "mPFS", "OS HR", "PFS HR", "grade 3 TRAEs", or
        "n" (patients randomised, one per trial; always over every first-line RCT).
        order: "lowest", "highest", or "best" (lowest for PD rate, TRAEs and hazard ratios).
        category (optional): only one regimen category of Table 1 ("ICI+TKI" for TKI plus
        anti-PD-1 combinations, "ICI+anti-VEGF" for bevacizumab-based ones, "ICI+ICI").
        arms: "experimental" (default), "control" for the comparator arms, "any" for both.
        regimen (optional): only arms of this regimen, e.g. "sorafenib" for the sorafenib arms.
        control (optional): only trials whose control arm is this regimen ("sorafenib-controlled").
        at_most / at_least (optional): only arms whose figure is at most / at least this value
        ("PFS HR of 0.55 or lower": at_most=0.55); every arm that qualifies is listed.
        top (optional): keep the first N of the ranking ("top two ORRs": top=2).
        versus_control (optional): only arms whose figure is "lower" / "higher" than their own
        control arm's ("fewer grade 3 TRAEs than their own control arm": "lower").
        by: "figure" (default) or "difference" from the arm's own control arm ("the biggest mOS
        gain over its control": by="difference", order="highest").
        significant (optional, hazard ratios): True keeps HRs whose printed 95% CI excludes 1,
        False those whose CI includes 1 (not significant).
        scope: "table1" (default) or "all" for every first-line randomised trial of the review
        (SHARP, ORIENTAL, REFLECT, the donafenib trial, RATIONALE-301 ...), whole population.
        Arms whose figure is not reported (NR, NA) are listed apart.
        """
        wanted = parse_metric(metric)
        if wanted not in (*COMPARABLE, Metric.n):
            raise ToolException(f"compare_trials ranks these figures only: {COMPARABLE}, n")
        if wanted is Metric.n:
            scope = "all"
        only = resolve_regimen(regimen) if regimen else None
        against = resolve_regimen(control) if control else None
        ascending = order == "lowest" or (order == "best" and wanted in LOWER_IS_BETTER)
        ranked, missing = arm_figures(deps.trials, wanted, scope, arms, only, against)
        categories = table1_categories(deps.trials)
        if category:
            ranked = [a for a in ranked if categories.get(a.trial.id) == category]
            missing = [m for m in missing if categories.get(m[0].id) == category]
        if significant is not None:
            ranked = [a for a in ranked if a.significant is significant]
        if versus_control or by == "difference":
            ranked = [a for a in ranked if a.difference is not None]
        if versus_control:
            side = -1.0 if versus_control == "lower" else 1.0
            ranked = [a for a in ranked if side * (a.difference or 0.0) > 0]
        sign = 1.0 if ascending else -1.0
        if by == "difference":
            ranked.sort(key=lambda a: sign * (a.difference or 0.0))
        else:
            ranked.sort(key=lambda a: sign * (a.result.value or 0.0))
        if at_most is not None:
            ranked = [a for a in ranked if (a.result.value or 0.0) <= at_most]
        if at_least is not None:
            ranked = [a for a in ranked if (a.result.value or 0.0) >= at_least]
        if top:
            ranked = ranked[: max(top, 1)]
        rows = [_ranked_row(a) for a in ranked]
        lines = [f"{n}. {_ranked_line(row)}" for n, row in enumerate(rows, start=1)]
        lines += [
            f"Not reported: {t.name} ({r.text if r else 'no figure in the review'})"
            for t, _, r in missing
        ]
        citations = [result_citation(a.trial, [a.result], deps) for a in ranked]
        artifact = {
            "tool": "compare_trials",
            "metric": wanted.value,
            "category": category,
            "arms": arms,
            "regimen": only,
            "control": against,
            "order": "ascending" if ascending else "descending",
            "at_most": at_most,
            "at_least": at_least,
            "top": top,
            "versus_control": versus_control,
            "by": by,
            "significant": significant,
            "scope": scope,
            "results": rows,
            "not_reported": [_missing_row(t, arm, r) for t, arm, r in missing],
            "citations": [c.model_dump() for c in citations],
        }
        which = {"control": "control", "any": "all"}.get(arms, "first-line combination")
        where = "Table 1" if scope == "table1" else "First-line RCT"
        header = f"{where} {which} arms by {wanted.value} ({artifact['order']}):"
        return "\n".join([header, *lines]), artifact

    return compare_trials


def _ranked_line(row: dict[str, Any]) -> str:
    """ "nivolumab + ipilimumab (CheckMate 9DW): 9.1 vs 9.2 with lenvatinib or sorafenib"."""
    line = f"{row['arm'] or 'whole trial'} ({row['trial']}): {row['text']}"
    if row["control"]:
        line += f" vs {row['control']['text']} with {row['control']['arm']}"
    if row["significant"] is not None:
        line += " (CI excludes 1)" if row["significant"] else " (CI includes 1: not significant)"
    return line


def _ranked_row(ranked: Ranked) -> dict[str, Any]:
    row = result_row(ranked.trial, ranked.result)
    row["significant"] = ranked.significant
    row["control"] = None
    if ranked.control is not None and ranked.control.value is not None:
        row["control"] = result_row(ranked.trial, ranked.control)
    return row


def _missing_row(trial: Trial, arm: Arm, result: Result | None) -> dict[str, Any]:
    if result is not None:
        return result_row(trial, result) | {"significant": None, "control": None}
    return {"trial": trial.name, "trial_id": trial.id, "arm": arm.label, "text": "not reported"}


def _list_trials(deps: ToolDeps) -> Callable[..., tuple[str, Artifact]]:
    def list_trials(region: str) -> tuple[str, Artifact]:
        """The studies the review says were run in one place, with its words for it.

        region: a country or region as the review prints it ("China", "Japan", "Europe",
        "Asia-Pacific", "global"). Only studies the review places there and nowhere else are
        listed; studies it does not place are never guessed.
        """
        wanted = region.strip().lower()
        found = [t for t in deps.trials.trials if t.region and t.region.where.lower() == wanted]
        places = sorted({t.region.where for t in deps.trials.trials if t.region})
        rows = [
            {
                "trial": t.name,
                "trial_id": t.id,
                "phase": t.phase,
                "setting": t.setting,
                "where": t.region.where,
                "quote": t.region.quote,
                "refs": list(t.refs),
            }
            for t in found
            if t.region
        ]
        citations = [
            result_citation(t, [], deps, [(t.region.quote, ())]) for t in found if t.region
        ]
        artifact = {
            "tool": "list_trials",
            "region": region,
            "results": rows,
            "places": places,
            "citations": [c.model_dump() for c in citations],
        }
        if not rows:
            text = f"The review places no study in {region!r}. Places it names: {places}."
        else:
            text = "\n".join(f"{r['trial']}: \u201c{r['quote']}\u201d" for r in rows)
        return text, artifact

    return list_trials
