"""A run as a record: JSON (machines, `eval compare`), Markdown, a PNG chart, a terminal table."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from eval.metrics import Metrics, Rate
from eval.runner import CaseRun

REPORT_JSON = "eval.json"
REPORT_MARKDOWN = "eval.md"
ACCURACY_CHART = "accuracy.png"


class CaseRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    category: str
    question: str
    passed: bool
    failures: list[str]
    seconds: float
    cited: list[str]
    untraceable_numbers: list[str]
    judge: dict[str, Any] | None = None
    result: dict[str, Any]


class RunReport(BaseModel):
    backend: str
    cases_path: str
    created: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    metrics: Metrics
    shortfalls: list[str] = Field(default_factory=list)  # measures below the thresholds
    accuracy_bar: dict[str, float] = Field(default_factory=dict)  # thresholds per category
    judge: dict[str, Any] | None = None  # the optional LLM-judge pass, kept apart from the score
    cases: list[CaseRow]

    @property
    def passed_bar(self) -> bool:
        return not self.shortfalls


def case_rows(
    runs: list[CaseRun], judged: dict[str, dict[str, Any]] | None = None
) -> list[CaseRow]:
    return [
        CaseRow(
            id=run.score.case.id,
            category=run.score.case.category,
            question=run.score.case.question,
            passed=run.score.passed,
            failures=list(run.score.failures),
            seconds=round(run.seconds, 4),
            cited=sorted(run.score.cited),
            untraceable_numbers=list(run.score.numbers.untraceable),
            judge=(judged or {}).get(run.score.case.id),
            result=run.result.model_dump(mode="json"),
        )
        for run in runs
    ]


def load_report(path: Path) -> RunReport:
    return RunReport.model_validate_json(path.read_text(encoding="utf-8"))


def _rate(rate: Rate) -> str:
    return f"{rate.share:.1%} ({rate.hits}/{rate.total})"


def headline(metrics: Metrics) -> list[tuple[str, str]]:
    """(measure, value) pairs, in the order the terminal and the Markdown show them."""
    rows = [
        ("answer accuracy", _rate(metrics.accuracy["overall"])),
        ("regimen agreement with the rule core", _rate(metrics.regimen_agreement)),
        ("citation precision", _rate(metrics.citations.precision)),
        ("citation recall", _rate(metrics.citations.recall)),
        ("numeric fidelity", _rate(metrics.numeric_fidelity)),
        ("refusal precision", _rate(metrics.refusals.precision)),
        ("refusal recall", _rate(metrics.refusals.recall)),
        (
            "latency per answer",
            f"p50 {metrics.latency.p50_ms:.0f} ms, p95 {metrics.latency.p95_ms:.0f} ms",
        ),
    ]
    if metrics.retrieval:
        retrieval = metrics.retrieval
        rows.append(
            (
                f"retrieval ({retrieval.questions} gold questions)",
                f"recall@{retrieval.k} {retrieval.recall_at_k:.3f}, MRR {retrieval.mrr:.3f}",
            )
        )
    return rows


def terminal_summary(report: RunReport) -> str:
    lines = [f"{'category':<14} {'passed':>6} {'total':>6} {'rate':>7}"]
    for category, rate in report.metrics.accuracy.items():
        if category != "overall":
            lines.append(f"{category:<14} {rate.hits:>6} {rate.total:>6} {rate.share:>7.1%}")
    overall = report.metrics.accuracy["overall"]
    lines.append(f"{'overall':<14} {overall.hits:>6} {overall.total:>6} {overall.share:>7.1%}")
    overall_length = report.metrics.lengths.get("overall")
    if overall_length:
        lines.append(
            f"{'answer length (answered)':<14} median {overall_length.median_chars} chars, "
            f"p90 {overall_length.p90_chars}; bottom line median "
            f"{overall_length.median_bottom_words} words, p90 {overall_length.p90_bottom_words}"
        )
    lines.append("")
    lines += [f"{name:<40} {value}" for name, value in headline(report.metrics)]
    if report.judge:
        lines.append(f"{'LLM judge (separate)':<40} {report.judge.get('summary', '')}")
    lines.append("")
    if report.shortfalls:
        lines += ["BELOW THRESHOLD:", *(f"  {s}" for s in report.shortfalls)]
    else:
        lines.append("all thresholds met")
    return "\n".join(lines)


def markdown(report: RunReport) -> str:
    lines = [
        "# Evaluation report",
        "",
        f"Backend **{report.backend}**, cases `{report.cases_path}`, {report.created}. "
        "Scored deterministically from the cases' expectations (no LLM judge).",
        "",
        "| measure | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in headline(report.metrics)),
        "",
        "## Accuracy per category",
        "",
        f"![accuracy per category]({ACCURACY_CHART})",
        "",
        "| category | passed | total | rate |",
        "|---|---:|---:|---:|",
        *(
            f"| {category} | {rate.hits} | {rate.total} | {rate.share:.1%} |"
            for category, rate in report.metrics.accuracy.items()
        ),
        "",
        "## Answer length per category",
        "",
        "Answered cases only: the whole answer in characters, the bottom line in words.",
        "",
        "| category | answers | median chars | p90 chars | bottom line median words | p90 words |",
        "|---|---:|---:|---:|---:|---:|",
        *(
            f"| {category} | {n.answers} | {n.median_chars} | {n.p90_chars} | "
            f"{n.median_bottom_words} | {n.p90_bottom_words} |"
            for category, n in report.metrics.lengths.items()
        ),
        "",
        "## Thresholds",
        "",
        *(
            [f"- below threshold: {s}" for s in report.shortfalls]
            if report.shortfalls
            else ["All thresholds in `eval/thresholds.yaml` are met."]
        ),
        "",
        "## Failed cases",
        "",
    ]
    failed = [row for row in report.cases if not row.passed]
    lines += [f"- `{row.id}` ({row.category}): {'; '.join(row.failures)}" for row in failed]
    if not failed:
        lines.append("None.")
    if report.judge:
        lines += ["", "## LLM judge (separate from the score)", "", str(report.judge["summary"])]
    return "\n".join(lines) + "\n"


def accuracy_chart(report: RunReport, path: Path) -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")  # no display here, and none needed
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rates = report.metrics.accuracy
    names = list(rates)
    shares = [rates[name].share * 100 for name in names]
    figure, axes = plt.subplots(figsize=(8, 0.45 * len(names) + 1.2))
    default = report.accuracy_bar.get("overall", 0.0)
    bars_at = [report.accuracy_bar.get(name, default) * 100 for name in names]
    colours = [
        "#2f6f4f" if share >= bar else "#b5533c" for share, bar in zip(shares, bars_at, strict=True)
    ]
    bars = axes.barh(names, shares, color=colours)
    axes.bar_label(bars, labels=[f"{rates[n].hits}/{rates[n].total}" for n in names], padding=3)
    axes.invert_yaxis()
    axes.set_xlim(0, 112)
    axes.scatter(bars_at, range(len(names)), marker="|", s=400, color="black", zorder=3)
    axes.set_xlabel("answers correct (%); black mark: the release bar (eval/thresholds.yaml)")
    axes.set_title(f"Answer accuracy per category ({report.backend})")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_report(report: RunReport, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / REPORT_JSON, out / REPORT_MARKDOWN, out / ACCURACY_CHART]
    paths[0].write_text(report.model_dump_json(indent=1), encoding="utf-8")
    paths[1].write_text(markdown(report), encoding="utf-8")
    accuracy_chart(report, paths[2])
    return paths
