"""Citations (trial, reference numbers, chunk ids, quote) for what the tools return."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assistant.tools.deps import ToolDeps
from clinical.rules import AvoidedOption, RecommendedOption
from clinical.rules.output import Source, TrialCitation
from corpus.sources import Citation
from corpus.trials import Result, Trial


def trial_citations(
    trials: Iterable[TrialCitation],
    refs: tuple[int, ...],
    sources: Iterable[Source],
    deps: ToolDeps,
) -> list[Citation]:
    sources = list(sources)
    chunk_ids = tuple(dict.fromkeys(i for s in sources for i in deps.locator.for_quote(s.quote)))
    quote = sources[0].quote if sources else ""
    quotes = tuple(dict.fromkeys(s.quote for s in sources))
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
                quotes=quotes,
            )
        )
    if not citations and sources:
        citations.append(
            Citation(trial=None, refs=refs, chunk_ids=chunk_ids, quote=quote, quotes=quotes)
        )
    return citations


def option_citations(
    options: Iterable[RecommendedOption | AvoidedOption], deps: ToolDeps
) -> list[Citation]:
    found: list[Citation] = []
    for option in options:
        found += trial_citations(option.trials, option.refs, option.sources, deps)
    return found


def option_rows(options: Iterable[RecommendedOption]) -> list[dict[str, Any]]:
    return [{"regimen": o.regimen, "name": o.name, "certainty": o.certainty.value} for o in options]


def avoid_rows(options: Iterable[AvoidedOption]) -> list[dict[str, str]]:
    return [{"regimen": o.regimen, "name": o.name, "reason": o.reason} for o in options]


def result_citation(
    trial: Trial,
    results: Iterable[Result],
    deps: ToolDeps,
    passages: Iterable[tuple[str, tuple[int, ...]]] = (),
) -> Citation:
    """The citation of a trial's figures, and of passages of its record shown with them
    (its design sentence, its findings: each an exact quote of the review with its refs)."""
    results, passages = list(results), list(passages)
    chunk_ids = tuple(
        dict.fromkeys(
            [
                *(i for r in results for i in deps.locator.for_result(trial, r)),
                *(i for quote, _ in passages for i in deps.locator.for_quote(quote)),
            ]
        )
    )
    cited = {ref for r in results for ref in r.refs} | {ref for _, refs in passages for ref in refs}
    refs = tuple(sorted(cited)) or trial.refs
    texts = [r.quote for r in results if r.quote] + [quote for quote, _ in passages]
    quote = texts[0] if texts else ""
    quotes = tuple(dict.fromkeys(texts))
    return Citation(
        trial=trial.name,
        trial_id=trial.id,
        refs=refs,
        chunk_ids=chunk_ids,
        quote=quote or "",
        quotes=quotes,
    )
