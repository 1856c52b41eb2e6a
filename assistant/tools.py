"""The agent's tools: the rule core, hybrid search and the trial records, with their sources.

Each tool returns text for the model and an artifact for the program: the structured result and
the citations (trial, reference numbers, chunk ids, quote) that make the answer checkable.
Errors the model can fix come back as tool output with a hint (`ToolException`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from langchain_core.tools import BaseTool, StructuredTool, ToolException

from assistant.profile import PatientProfile
from assistant.rules import (
    AvoidedOption,
    RecommendedOption,
    locoregional_choice,
    potential_resectability,
    recommend,
)
from assistant.rules.output import Source, TrialCitation
from assistant.rules.render import render
from assistant.settings import AssistantSettings
from assistant.sources import ChunkLocator, Citation, default_locator, merge
from corpus.errors import QueryError
from corpus.names import fold
from corpus.parser import load_document
from corpus.retrieval import HybridRetriever, open_retriever
from corpus.trials import Metric, Result, Trial, TrialRegistry, describe, load_trials

Artifact = dict[str, Any]

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


@dataclass
class ToolDeps:
    """What the tools read; the retriever (and its model) is only loaded when search is used."""

    settings: AssistantSettings = field(default_factory=AssistantSettings)
    trials: TrialRegistry = field(default_factory=load_trials)
    locator: ChunkLocator = field(default_factory=default_locator)
    retriever_factory: Callable[[], HybridRetriever] | None = None
    _retriever: HybridRetriever | None = None

    def retriever(self) -> HybridRetriever:
        if self._retriever is None:
            factory = self.retriever_factory or (
                lambda: open_retriever(self.settings.index, progress=False)
            )
            self._retriever = factory()
        return self._retriever


# --- citations from rule-core output ------------------------------------------------------------


def _trial_citations(
    trials: Iterable[TrialCitation],
    refs: tuple[int, ...],
    sources: Iterable[Source],
    deps: ToolDeps,
) -> list[Citation]:
    sources = list(sources)
    chunk_ids = tuple(dict.fromkeys(i for s in sources for i in deps.locator.for_quote(s.quote)))
    quote = sources[0].quote if sources else ""
    citations = []
    for cited in trials:
        record = deps.trials.get(cited.id) if cited.in_records else None
        own = tuple(sorted(set(record.refs) & set(refs))) if record else ()
        rows = deps.locator.for_table_row(record) if record else ()
        citations.append(
            Citation(
                trial=record.name if record else cited.name,
                trial_id=record.id if record else None,
                refs=own or refs,
                chunk_ids=tuple(dict.fromkeys((*chunk_ids, *rows))),
                quote=quote,
            )
        )
    if not citations and sources:
        citations.append(Citation(trial=None, refs=refs, chunk_ids=chunk_ids, quote=quote))
    return citations


def _option_citations(
    options: Iterable[RecommendedOption | AvoidedOption], deps: ToolDeps
) -> list[Citation]:
    found: list[Citation] = []
    for option in options:
        found += _trial_citations(option.trials, option.refs, option.sources, deps)
    return found


def _options(options: Iterable[RecommendedOption]) -> list[dict[str, Any]]:
    return [{"regimen": o.regimen, "name": o.name, "certainty": o.certainty.value} for o in options]


def _avoid(options: Iterable[AvoidedOption]) -> list[dict[str, str]]:
    return [{"regimen": o.regimen, "name": o.name, "reason": o.reason} for o in options]


# --- the tools ----------------------------------------------------------------------------------


def _select_regimens(deps: ToolDeps) -> Callable[..., tuple[str, Artifact]]:
    def select_regimens(profile: PatientProfile) -> tuple[str, Artifact]:
        """Rank the systemic regimens the review supports for one patient (first or later line).

        Pass every fact the clinician gave: line and prior regimens (catalogue names such as
        "atezo/bev", "STRIDE", "lenvatinib"), goal (conversion or maintenance), Child-Pugh class
        and score, ECOG, BCLC stage, varices and whether an EGD was done, autoimmune disease,
        organ transplant, low platelets, refractory hypertension, tumour extent, AFP, NLR, region,
        prior TACE. Leave unknown facts out. Returns ranked options with rationale, trials and
        reference numbers, options to avoid with reasons, checks before starting, rule ids.
        """
        recommendation = recommend(profile)
        citations = _option_citations((*recommendation.recommended, *recommendation.avoid), deps)
        for check in recommendation.checks:
            citations += _trial_citations((), check.refs, check.sources, deps)
        artifact = {
            "tool": "select_regimens",
            "profile": profile.model_dump(mode="json", exclude_defaults=True),
            "recommended": _options(recommendation.recommended),
            "avoid": _avoid(recommendation.avoid),
            "rules_fired": list(recommendation.rules_fired),
            "citations": [c.model_dump() for c in merge(citations)],
            "data": recommendation.model_dump(mode="json"),
        }
        return render(recommendation), artifact

    return select_regimens


def _check_resectability(deps: ToolDeps) -> Callable[..., tuple[str, Artifact]]:
    def check_resectability(profile: PatientProfile) -> tuple[str, Artifact]:
        """Check the review's potential-resectability criteria for one patient.

        Evaluates the five criteria validated before lenvatinib plus an anti-PD-1 antibody and
        the vascular-invasion criteria for atezolizumab plus bevacizumab (Vp1-2, AFP < 400 ng/mL,
        NLR < 2.63, tumour < 10 cm). Each criterion is met, not met or unknown (missing facts).
        """
        assessment = potential_resectability(profile)
        lines, citations = [], []
        for result in assessment.criteria_sets:
            lines.append(f"{result.name}: overall {result.overall} ({result.applicability})")
            lines += [f"  - {c.text}: {c.status}" for c in result.criteria]
            citations += _trial_citations(result.trials, result.refs, result.sources, deps)
        lines += [f"Note: {note.text}" for note in assessment.notes]
        artifact = {
            "tool": "check_resectability",
            "profile": profile.model_dump(mode="json", exclude_defaults=True),
            "citations": [c.model_dump() for c in merge(citations)],
            "data": assessment.model_dump(mode="json"),
        }
        return "\n".join(lines), artifact

    return check_resectability


def _locoregional_options(deps: ToolDeps) -> Callable[..., tuple[str, Artifact]]:
    def locoregional_options(profile: PatientProfile) -> tuple[str, Artifact]:
        """Choose among TACE, HAIC and SBRT for one patient, as the review does.

        Uses tumour burden (up-to-7), main portal vein tumour thrombus, lobes involved and prior
        TACE (heavily pretreated or not).
        """
        choice = locoregional_choice(profile)
        lines = [
            f"{o.rank}. {o.name} [{o.certainty.value}]: {' '.join(o.rationale)}"
            for o in choice.options
        ]
        lines += [f"Avoid {a.name}: {a.reason}" for a in choice.avoid]
        lines += [f"Note: {n.text}" for n in choice.notes]
        if choice.outside_review:
            lines.append(choice.outside_review)
        citations = _option_citations((*choice.options, *choice.avoid), deps)
        artifact = {
            "tool": "locoregional_options",
            "profile": profile.model_dump(mode="json", exclude_defaults=True),
            "recommended": _options(choice.options),
            "avoid": _avoid(choice.avoid),
            "rules_fired": list(choice.rules_fired),
            "citations": [c.model_dump() for c in merge(citations)],
            "data": choice.model_dump(mode="json"),
        }
        return "\n".join(lines) or "The review gives no locoregional option here.", artifact

    return locoregional_options


def _search_review(deps: ToolDeps) -> Callable[..., tuple[str, Artifact]]:
    def search_review(query: str, k: int = 5) -> tuple[str, Artifact]:
        """Search the review's text and tables; returns the best passages with their chunk ids.

        Use for anything that is not a single trial figure or a patient's regimen choice:
        mechanisms, guidelines, second-line evidence, ADAs, definitions. k: 1-10 passages.
        """
        try:
            hits = deps.retriever().search(query, k=max(1, min(int(k), 10)))
        except QueryError as error:
            raise ToolException(f"{error}. Send a short search query in plain words.") from None
        blocks, citations = [], []
        for hit in hits:
            chunk = hit.chunk
            printed_refs = ", ".join(map(str, chunk.refs)) or "none"
            blocks.append(f"[{chunk.id}] ({chunk.section}; refs {printed_refs})\n{chunk.text}")
            citations.append(
                Citation(trial=None, refs=chunk.refs, chunk_ids=(chunk.id,), quote=chunk.text[:300])
            )
            for trial_id in chunk.trials:  # the trials the passage reports on
                trial = deps.trials.get(trial_id)
                refs = tuple(sorted(set(trial.refs) & set(chunk.refs))) or trial.refs
                citations.append(
                    Citation(
                        trial=trial.name,
                        trial_id=trial.id,
                        refs=refs,
                        chunk_ids=(chunk.id,),
                        quote=chunk.text[:300],
                    )
                )
        artifact = {
            "tool": "search_review",
            "query": query,
            "hits": [
                {
                    "id": h.chunk.id,
                    "section": h.chunk.section,
                    "trials": list(h.chunk.trials),
                    "trial_names": [deps.trials.get(t).name for t in h.chunk.trials],
                    "refs": list(h.chunk.refs),
                    "text": h.chunk.text,
                    "score": h.score,
                }
                for h in hits
            ],
            "citations": [c.model_dump() for c in citations],
        }
        return "\n\n".join(blocks) or "No passage of the review matches.", artifact

    return search_review


def _result_citation(trial: Trial, results: Iterable[Result], deps: ToolDeps) -> Citation:
    results = list(results)
    chunk_ids = tuple(dict.fromkeys(i for r in results for i in deps.locator.for_result(trial, r)))
    refs = tuple(sorted({ref for r in results for ref in r.refs})) or trial.refs
    quote = next((r.quote for r in results if r.quote), "")
    return Citation(
        trial=trial.name, trial_id=trial.id, refs=refs, chunk_ids=chunk_ids, quote=quote or ""
    )


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
        "unit": result.unit,
        "source": result.source,
        "refs": list(result.refs),
        "note": result.note,
    }


def _trial_text(trial: Trial, rows: list[dict[str, Any]], wanted: set[Metric]) -> str:
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


def _lookup_trial(deps: ToolDeps) -> Callable[..., tuple[str, Artifact]]:
    def lookup_trial(name: str, metric: str | list[str] | None = None) -> tuple[str, Artifact]:
        """Every figure the review reports for a trial (or the trials of a regimen).

        name: a trial name ("LEAP-002", "imbrave150", "9DW") or a regimen ("atezo/bev",
        "STRIDE"). metric (optional): the figure(s) wanted, e.g. "PD rate", ["mOS", "OS HR"],
        "ORR", "grade 3 TRAEs", "n", "dose". Each figure comes with where it is printed and its
        reference numbers.
        """
        trials = deps.trials.lookup(name)
        if not trials:
            known = ", ".join(t.name for t in deps.trials.trials if t.named_in_review)
            raise ToolException(
                f"No trial or regimen called {name!r} in the review. Trials: {known}."
            )
        names = [metric] if isinstance(metric, str) else list(metric or [])
        wanted = {parse_metric(m) for m in names}
        texts, rows, citations = [], [], []
        for trial in trials[:4]:
            results = [r for r in trial.results if not wanted or r.metric in wanted]
            rows += [result_row(trial, r) for r in results]
            citations.append(_result_citation(trial, results or trial.results, deps))
            texts.append(_trial_text(trial, [r for r in rows if r["trial_id"] == trial.id], wanted))
        artifact = {
            "tool": "lookup_trial",
            "query": name,
            "metric": ", ".join(sorted(m.value for m in wanted)) or None,
            "trials": [t.id for t in trials[:4]],
            "results": rows,
            "citations": [c.model_dump() for c in citations],
        }
        return "\n\n".join(texts), artifact

    return lookup_trial


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


def _compare_trials(deps: ToolDeps) -> Callable[..., tuple[str, Artifact]]:
    def compare_trials(
        metric: str,
        order: Literal["lowest", "highest", "best"] = "best",
        category: Literal["ICI+TKI", "ICI+anti-VEGF", "ICI+ICI"] | None = None,
    ) -> tuple[str, Artifact]:
        """Rank the first-line combination arms of Table 1 on one figure.

        metric: "PD rate", "ORR", "DCR", "mOS", "mPFS", "OS HR", "PFS HR" or "grade 3 TRAEs".
        order: "lowest", "highest", or "best" (lowest for PD rate, TRAEs and hazard ratios).
        category (optional): only one regimen category of Table 1 ("ICI+TKI" for TKI plus
        anti-PD-1 combinations, "ICI+anti-VEGF" for bevacizumab-based ones, "ICI+ICI").
        Arms whose figure is not reported (NR, NA) are listed apart.
        """
        wanted = parse_metric(metric)
        if wanted not in COMPARABLE:
            raise ToolException(f"compare_trials ranks Table 1 figures only: {COMPARABLE}")
        ascending = order == "lowest" or (order == "best" and wanted in LOWER_IS_BETTER)
        ranked: list[tuple[Trial, Result]] = []
        missing: list[tuple[Trial, Result]] = []
        categories = table1_categories(deps.trials)
        for trial in deps.trials.trials:
            if not trial.arms or not any(r.source == "table1" for r in trial.results):
                continue
            if category and categories.get(trial.id) != category:
                continue
            experimental = trial.arms[0].id
            for result in trial.results:
                in_table1 = result.source == "table1" and result.metric == wanted
                if in_table1 and result.measured_arm == experimental:
                    (ranked if result.value is not None else missing).append((trial, result))
        sign = 1.0 if ascending else -1.0
        ranked.sort(key=lambda pair: sign * (pair[1].value or 0.0))
        rows = [result_row(t, r) for t, r in ranked]
        lines = [
            f"{n}. {row['arm']} ({row['trial']}): {row['text']}"
            for n, row in enumerate(rows, start=1)
        ]
        lines += [f"Not reported: {t.name} ({r.text})" for t, r in missing]
        citations = [_result_citation(t, [r], deps) for t, r in ranked]
        artifact = {
            "tool": "compare_trials",
            "metric": wanted.value,
            "category": category,
            "order": "ascending" if ascending else "descending",
            "results": rows,
            "not_reported": [result_row(t, r) for t, r in missing],
            "citations": [c.model_dump() for c in citations],
        }
        header = f"Table 1 first-line combination arms by {wanted.value} ({artifact['order']}):"
        return "\n".join([header, *lines]), artifact

    return compare_trials


TOOL_FACTORIES = (
    _select_regimens,
    _check_resectability,
    _locoregional_options,
    _search_review,
    _lookup_trial,
    _compare_trials,
)


def build_tools(deps: ToolDeps) -> list[BaseTool]:
    """The six tools over one set of dependencies."""
    tools: list[BaseTool] = []
    for factory in TOOL_FACTORIES:
        function = factory(deps)
        tools.append(
            StructuredTool.from_function(
                function,
                response_format="content_and_artifact",
                handle_tool_error=True,
                handle_validation_error=_validation_hint,
            )
        )
    return tools


def _validation_hint(error: Exception) -> str:
    return (
        f"Invalid arguments: {error}. Fix the arguments and call the tool again; leave out "
        "facts that are unknown rather than guessing them."
    )
