"""`python -m eval compare A.json B.json`: what changed between two runs, case by case."""

from __future__ import annotations

from dataclasses import dataclass

from eval.report import CaseRow, RunReport, headline


@dataclass(frozen=True)
class Comparison:
    regressions: list[tuple[CaseRow, CaseRow]]  # passed in A, failed in B
    fixes: list[tuple[CaseRow, CaseRow]]  # failed in A, passed in B
    added: list[CaseRow]  # only in B
    removed: list[CaseRow]  # only in A
    measures: list[tuple[str, str, str]]  # (measure, A, B) where they differ


def compare(before: RunReport, after: RunReport) -> Comparison:
    old = {row.id: row for row in before.cases}
    new = {row.id: row for row in after.cases}
    both = [(old[i], new[i]) for i in old if i in new]
    measures = [
        (name, a, b)
        for (name, a), (_, b) in zip(
            headline(before.metrics), headline(after.metrics), strict=False
        )
        if a != b
    ]
    return Comparison(
        regressions=[(a, b) for a, b in both if a.passed and not b.passed],
        fixes=[(a, b) for a, b in both if not a.passed and b.passed],
        added=[row for i, row in new.items() if i not in old],
        removed=[row for i, row in old.items() if i not in new],
        measures=measures,
    )


def render(comparison: Comparison, before: RunReport, after: RunReport) -> str:
    lines = [f"A: {before.backend}, {before.created}", f"B: {after.backend}, {after.created}", ""]
    for name, a, b in comparison.measures:
        lines.append(f"{name}: {a} -> {b}")
    lines.append("")
    lines.append(f"regressions (passed in A, failed in B): {len(comparison.regressions)}")
    lines += [
        f"  - {b.id} ({b.category}): {'; '.join(b.failures)}" for _, b in comparison.regressions
    ]
    lines.append(f"fixed (failed in A, passed in B): {len(comparison.fixes)}")
    lines += [f"  + {b.id} ({b.category})" for _, b in comparison.fixes]
    if comparison.added:
        lines.append(f"new cases in B: {len(comparison.added)}")
        lines += [f"  {row.id}: {'passed' if row.passed else 'FAILED'}" for row in comparison.added]
    if comparison.removed:
        lines.append(f"cases only in A: {', '.join(row.id for row in comparison.removed)}")
    return "\n".join(lines)
