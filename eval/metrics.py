"""The suite's measurements, computed from the case runs alone (no LLM judge)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from eval.agreement import regimen_agreement
from eval.runner import CaseRun


class _Metric(BaseModel):
    model_config = ConfigDict(frozen=True)


class Rate(_Metric):
    hits: int
    total: int

    @property
    def share(self) -> float:
        """1.0 when there is nothing to count: no case failed the measure."""
        return self.hits / self.total if self.total else 1.0


class CitationMetrics(_Metric):
    precision: Rate  # cited trials that the case expects or allows
    recall: Rate  # expected trials that were cited


class RefusalMetrics(_Metric):
    precision: Rate  # refusals that were expected
    recall: Rate  # expected refusals that happened


class Latency(_Metric):
    p50_ms: float
    p95_ms: float
    max_ms: float


class AnswerLength(_Metric):
    """How long the answers of a category are: whole answer in characters, bottom line in words."""

    answers: int
    median_chars: int
    p90_chars: int
    median_bottom_words: int
    p90_bottom_words: int


class RetrievalMetrics(_Metric):
    k: int
    questions: int
    recall_at_k: float
    mrr: float


class Metrics(_Metric):
    accuracy: dict[str, Rate]  # per category, plus "overall"
    regimen_agreement: Rate
    citations: CitationMetrics
    numeric_fidelity: Rate  # numbers stated that the review (or the clinician) printed
    refusals: RefusalMetrics
    latency: Latency
    retrieval: RetrievalMetrics | None = None
    lengths: dict[str, AnswerLength] = {}  # per category, plus "overall"; answered cases only


def accuracy(runs: Sequence[CaseRun]) -> dict[str, Rate]:
    counts: dict[str, list[int]] = {}
    for run in runs:
        passed_total = counts.setdefault(run.score.case.category, [0, 0])
        passed_total[0] += run.score.passed
        passed_total[1] += 1
    rates = {category: Rate(hits=p, total=t) for category, (p, t) in sorted(counts.items())}
    rates["overall"] = Rate(hits=sum(r.score.passed for r in runs), total=len(runs))
    return rates


def citation_metrics(runs: Sequence[CaseRun]) -> CitationMetrics:
    """Over the answers whose case names the trials to cite (answers citing nothing still count)."""
    scored = [r.score for r in runs if r.score.case.expect.trials and not r.result.refused]
    cited = sum(len(s.cited) for s in scored)
    right = sum(len(s.cited & s.allowed_trials) for s in scored)
    expected = sum(len(s.expected_trials) for s in scored)
    found = sum(len(s.cited & s.expected_trials) for s in scored)
    return CitationMetrics(
        precision=Rate(hits=right, total=cited), recall=Rate(hits=found, total=expected)
    )


def refusal_metrics(runs: Sequence[CaseRun]) -> RefusalMetrics:
    refused = [r for r in runs if r.result.refused]
    expected = [r for r in runs if r.score.case.expect.refused]
    both = sum(r.score.case.expect.refused for r in refused)
    return RefusalMetrics(
        precision=Rate(hits=both, total=len(refused)), recall=Rate(hits=both, total=len(expected))
    )


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: the value at or below which `share` of the values lie."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * share // 1))  # ceiling without floats drifting
    return ordered[int(rank) - 1]


def latency(runs: Sequence[CaseRun]) -> Latency:
    millis = [run.seconds * 1000 for run in runs]
    return Latency(
        p50_ms=round(statistics.median(millis), 1) if millis else 0.0,
        p95_ms=round(percentile(millis, 0.95), 1),
        max_ms=round(max(millis, default=0.0), 1),
    )


def _length(runs: Sequence[CaseRun]) -> AnswerLength:
    chars = [float(len(r.result.answer)) for r in runs]
    words = [float(len(str(r.result.bottom_line or "").split())) for r in runs]
    return AnswerLength(
        answers=len(runs),
        median_chars=int(statistics.median(chars)) if chars else 0,
        p90_chars=int(percentile(chars, 0.9)),
        median_bottom_words=int(statistics.median(words)) if words else 0,
        p90_bottom_words=int(percentile(words, 0.9)),
    )


def lengths(runs: Sequence[CaseRun]) -> dict[str, AnswerLength]:
    """Answer length per category over the answers given (refusals are short by design)."""
    answered = [r for r in runs if not r.result.refused]
    categories = sorted({r.score.case.category for r in answered})
    found: dict[str, AnswerLength] = {
        c: _length([r for r in answered if r.score.case.category == c]) for c in categories
    }
    found["overall"] = _length(answered)
    return found


def measure(runs: Sequence[CaseRun], retrieval: RetrievalMetrics | None = None) -> Metrics:
    agreements = [a for a in (regimen_agreement(r.result) for r in runs) if a is not None]
    numbers = [r.score.numbers for r in runs if not r.result.refused]
    return Metrics(
        accuracy=accuracy(runs),
        regimen_agreement=Rate(hits=sum(a.agrees for a in agreements), total=len(agreements)),
        citations=citation_metrics(runs),
        numeric_fidelity=Rate(
            hits=sum(n.traceable for n in numbers), total=sum(len(n.numbers) for n in numbers)
        ),
        refusals=refusal_metrics(runs),
        latency=latency(runs),
        retrieval=retrieval,
        lengths=lengths(runs),
    )
