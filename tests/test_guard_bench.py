"""The benchmark of the output checks' time: it measures raw (unchecked) planner answers."""

from __future__ import annotations

from eval.guard_bench import WARMUP, bench, percentile, raw_answers
from guardrails.messages import DISCLAIMER


def test_percentile() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.95) == 95.0 and percentile(values, 0.5) == 50.0


def test_bench_measures_unchecked_answers_with_their_conversation() -> None:
    answers = raw_answers(limit=WARMUP + 4)
    assert len(answers) > WARMUP
    assert all(conversation.messages for _, conversation in answers)
    assert not any(g.check == "disclaimer" for r, _ in answers for g in r.guardrails)
    assert any(r.answer.endswith(DISCLAIMER) for r, _ in answers)
    report = bench(answers)
    assert report.answers == len(answers) - WARMUP
    assert 0 < report.p50_ms <= report.p95_ms <= report.max_ms
