"""Warm latency measurement shared by the benchmark commands."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Latency:
    timings_ms: tuple[float, ...]

    @property
    def p50(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.timings_ms)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]

    @property
    def worst(self) -> float:
        return max(self.timings_ms)


def warm_latency(call: Callable[[str], object], inputs: Sequence[str], repeat: int) -> Latency:
    """Run every input once to warm up, then `repeat` timed rounds over all of them."""
    for item in inputs:
        call(item)
    timings = []
    for _ in range(repeat):
        for item in inputs:
            started = time.perf_counter()
            call(item)
            timings.append((time.perf_counter() - started) * 1000)
    return Latency(tuple(timings))
