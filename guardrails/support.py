"""Citation support: every chunk an answer cites must hold what it is cited for.

A citation is supported by a chunk when the chunk contains the citation's quote, names the
cited trial, or is that trial's Table 1 row. Unsupported chunk ids are dropped from the
citation (and a citation left with no support at all is dropped), and the check says which.
"""

from __future__ import annotations

from clinical.answer import AnswerResult, GuardrailResult
from corpus.mentions import find_trials
from corpus.sources import ChunkLocator, Citation, default_locator
from guardrails.text import Outcome


def _supports(locator: ChunkLocator, citation: Citation, chunk_id: str) -> bool:
    chunk = locator.chunk(chunk_id)
    if chunk is None:
        return False
    # The locator's own matching, so a quote cut by a chunk border supports both chunks.
    if any(chunk_id in locator.for_quote(q) for q in (citation.quote, *citation.quotes) if q):
        return True
    if citation.trial_id is None:
        return not citation.quote  # a bare passage citation points at the chunk itself
    return citation.trial_id in chunk.trials or citation.trial_id in find_trials(chunk.text)


def check_support(result: AnswerResult, text: str) -> Outcome:
    locator = default_locator()
    kept: list[Citation] = []
    problems: list[str] = []
    for citation in result.citations:
        supported = tuple(i for i in citation.chunk_ids if _supports(locator, citation, i))
        dropped = [i for i in citation.chunk_ids if i not in supported]
        if dropped:
            problems.append(f"{citation.trial or 'passage'}: {', '.join(dropped)}")
        if supported or not citation.chunk_ids:
            kept.append(citation.model_copy(update={"chunk_ids": supported}))
    detail = (
        "every cited chunk holds what it is cited for"
        if not problems
        else "unsupported chunk citations removed: " + "; ".join(problems)
    )
    updates: dict[str, object] = {"citations": kept} if problems else {}
    return Outcome(
        text,
        GuardrailResult(check="citation_support", passed=not problems, detail=detail),
        updates=updates,
    )
