"""The trials view as data and figures: Table 1 rows, an OS forest plot, bar charts per regimen.

Figures come from the curated trial records (every number checked against the review by the
corpus tests), never typed here. Matplotlib runs headless (Agg) and needs no network or fonts
beyond its bundled ones.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cache

import matplotlib

matplotlib.use("Agg")  # headless: no display on a server, and no GUI toolkit import

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import NullFormatter

from corpus.parser import load_document
from corpus.trials import Metric, TrialRegistry, load_trials

TABLE1_LEADING = ("Study", "Refs", "Category", "Regimen")
# The readable view: the columns a clinician compares, each short enough to fit a tablet card.
TABLE1_SHOWN = (
    "mOS, mo", "OS, HR (95% CI)", "mPFS, mo", "ORR*, %", "PD rate, %", "≥ Grade 3 TRAEs, %",
)  # fmt: skip
# Plot text in points at the figure's 100 dpi: 11 pt is 15 px at natural size, so labels stay
# at 11 px or more down to a 72 % scale (a 900 px figure shown 650 px wide).
LABEL_PT = 11
FIGURE_DPI = 100
FOREST_WIDTH_IN = 9.0
SIGNIFICANT, NOT_SIGNIFICANT = "#1f6f8b", "#8a8a8a"
SETTING_TITLES = {
    "first-line": "First-line systemic therapy",
    "intermediate-stage": "With TACE (intermediate stage): not a first-line systemic trial",
}
BAR_METRICS = (Metric.ORR, Metric.PD_rate, Metric.grade3_TRAE)
BAR_LABELS = {Metric.ORR: "ORR", Metric.PD_rate: "PD rate", Metric.grade3_TRAE: "Grade ≥3 TRAEs"}
BAR_TITLES = {
    Metric.ORR: "Objective response rate (%)",
    Metric.PD_rate: "Progressive disease as best response (%)",
    Metric.grade3_TRAE: "Grade ≥3 treatment-related AEs (%)",
}


@cache
def table1() -> tuple[list[str], list[list[str]]]:
    """Table 1 as printed: headers and one row per arm (the study repeated on its second arm)."""
    rows = load_document().table1
    columns: list[str] = []
    for row in rows:
        for arm in row.arms:
            columns += [c for c in arm.cells if c not in columns]
    data = []
    for row in rows:
        refs = ", ".join(map(str, row.refs))
        for arm in row.arms:
            data.append(
                [row.trial, refs, row.category, arm.label, *(arm.cells.get(c, "") for c in columns)]
            )
    return [*TABLE1_LEADING, *columns], data


def table1_html() -> str:
    """Table 1 with the columns that matter at the bedside, as an HTML table that becomes one
    card per arm on a narrow screen (each cell carries its column name for that view)."""
    headers, rows = table1()
    shown = [c for c in TABLE1_SHOWN if c in headers]
    index = {name: headers.index(name) for name in headers}
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in ("Trial", "Regimen", *shown))
    body = []
    for row in rows:
        name, category, refs = (html.escape(row[index[c]]) for c in ("Study", "Category", "Refs"))
        study = f"<b>{name}</b> <small>{category}; ref {refs}</small>"
        cells = [
            f'<td data-label="Trial" class="wide"><span>{study}</span></td>',
            f'<td data-label="Regimen" class="wide"><span>{html.escape(row[index["Regimen"]])}'
            "</span></td>",
            *(
                f'<td data-label="{html.escape(c)}"><span>{html.escape(row[index[c]]) or "–"}'
                "</span></td>"
                for c in shown
            ),
        ]
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<table class="trials-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


@dataclass(frozen=True)
class HazardRatio:
    trial: str
    comparison: str  # "atezolizumab + bevacizumab vs sorafenib"
    hr: float
    low: float
    high: float
    ci_level: float
    source: str  # "Table 1" or the section it is printed in
    refs: tuple[int, ...]
    setting: str = "first-line"  # the trial's setting: first-line, intermediate-stage, ...

    @property
    def label(self) -> str:
        return f"{self.trial}: {self.comparison}"


def os_hazard_ratios(
    registry: TrialRegistry | None = None, setting: str | None = None
) -> list[HazardRatio]:
    """Whole-population OS hazard ratios with a confidence interval, one per comparison, of the
    trials in `setting` (all when None).

    Table 1's figure is preferred when the text prints the same comparison again (rounded).
    """
    registry = registry or load_trials()
    chosen: dict[tuple[str, tuple[str, str]], HazardRatio] = {}
    for trial in registry.trials:
        if setting is not None and trial.setting != setting:
            continue
        for result in trial.results_for(Metric.OS_HR):
            if result.population or not result.arms or result.value is None:
                continue
            if result.ci_low is None or result.ci_high is None:
                continue
            key = (trial.id, result.arms)
            if key in chosen and result.source != "table1":
                continue
            measured, reference = (trial.arm(a).label for a in result.arms)
            chosen[key] = HazardRatio(
                trial=trial.name,
                comparison=f"{measured} vs {reference}",
                hr=result.value,
                low=result.ci_low,
                high=result.ci_high,
                ci_level=result.ci_level or 95.0,
                source="Table 1" if result.source == "table1" else result.source.split(" > ")[-1],
                refs=result.refs,
                setting=trial.setting,
            )
    return sorted(chosen.values(), key=lambda h: h.hr)


def _hr(value: float) -> str:
    """As the review prints hazard ratios: two decimals ("0.60"), three when it gives three."""
    return f"{value:.2f}" if round(value, 2) == value else f"{value:g}"


def forest_settings(registry: TrialRegistry | None = None) -> list[str]:
    """The settings with at least one OS hazard ratio, first-line first: one forest plot each,
    so a TACE combination (LEAP-012) is never read as a first-line systemic result."""
    settings = {ratio.setting for ratio in os_hazard_ratios(registry)}
    return sorted(settings, key=lambda s: (s != "first-line", s))


def forest_figure(ratios: list[HazardRatio] | None = None, title: str = "") -> Figure:
    """Forest plot: HR and CI per comparison on a log axis, the line of no effect at 1, and a
    legend for the two marker colours."""
    ratios = ratios if ratios is not None else os_hazard_ratios(setting="first-line")
    height = 0.5 * len(ratios) + 2.0
    figure = Figure(figsize=(FOREST_WIDTH_IN, height), dpi=FIGURE_DPI, layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(ratios)))[::-1]  # the lowest HR at the top
    for y, ratio in zip(positions, ratios, strict=True):
        colour = SIGNIFICANT if ratio.high < 1 else NOT_SIGNIFICANT  # CI below 1: OS benefit
        axes.plot([ratio.low, ratio.high], [y, y], color=colour, linewidth=2)
        axes.plot(ratio.hr, y, "s", color=colour, markersize=8)
        axes.text(
            1.02,
            y,
            f"{_hr(ratio.hr)} ({_hr(ratio.low)}–{_hr(ratio.high)})"
            + ("" if ratio.ci_level == 95 else f", {ratio.ci_level:g}% CI"),
            va="center",
            fontsize=LABEL_PT,
            transform=axes.get_yaxis_transform(),  # x in axes fraction: right of the plot
        )
    axes.axvline(1.0, color="black", linewidth=0.8, linestyle="--")
    axes.set_xscale("log")
    axes.set_xlim(0.35, 1.7)
    axes.set_xticks([0.4, 0.5, 0.7, 1.0, 1.5], labels=["0.4", "0.5", "0.7", "1.0", "1.5"])
    axes.tick_params(labelsize=LABEL_PT)
    axes.xaxis.set_minor_formatter(NullFormatter())  # log-axis minor labels would overlap
    axes.set_yticks(positions, labels=[_wrap(r.label) for r in ratios], fontsize=LABEL_PT)
    axes.set_ylim(-0.7, len(ratios) - 0.3)
    axes.set_xlabel(
        "OS hazard ratio (95% CI unless stated); < 1 favours the first", fontsize=LABEL_PT
    )
    axes.set_title(title or "Overall survival hazard ratios", fontsize=LABEL_PT + 1)
    figure.legend(
        handles=[
            Line2D(
                [], [], color=SIGNIFICANT, marker="s", linewidth=2, label="CI below 1: OS benefit"
            ),
            Line2D([], [], color=NOT_SIGNIFICANT, marker="s", linewidth=2, label="CI includes 1"),
        ],
        loc="outside lower center",
        ncols=2,
        fontsize=LABEL_PT,
        frameon=False,
    )
    return figure


def _wrap(label: str, width: int = 38) -> str:
    """A long y label on two lines at a word boundary (the plot keeps its width for the data)."""
    if len(label) <= width:
        return label
    cut = label.rfind(" ", 0, width)
    return label if cut < 0 else f"{label[:cut]}\n{label[cut + 1 :]}"


@dataclass(frozen=True)
class ArmFigure:
    trial: str
    arm: str
    value: float | None  # None: not reported ("NA"/"NR")
    text: str
    note: str = ""  # e.g. TEAEs instead of TRAEs


def arm_figures(metric: Metric, registry: TrialRegistry | None = None) -> list[ArmFigure]:
    """The Table 1 figure of `metric` for each trial's experimental arm, in table order."""
    registry = registry or load_trials()
    wanted = (metric, Metric.grade3_TEAE) if metric is Metric.grade3_TRAE else (metric,)
    figures = []
    for trial in registry.trials:
        rows = [r for r in trial.results if r.source == "table1" and r.metric in wanted]
        if not rows:
            continue
        first_arm = rows[0].arm
        for row in rows:
            if row.arm != first_arm or row.population:
                continue
            note = "TEAEs" if row.metric is Metric.grade3_TEAE else ""
            label = trial.arm(row.arm).label if row.arm else trial.name
            figures.append(ArmFigure(trial.name, label, row.value, row.text, note))
    return figures


def bar_figure(metric: Metric, registry: TrialRegistry | None = None) -> Figure:
    figures = arm_figures(metric, registry)
    figure = Figure(
        figsize=(FOREST_WIDTH_IN, 0.45 * len(figures) + 1.8), dpi=FIGURE_DPI, layout="constrained"
    )
    axes = figure.add_subplot()
    positions = list(range(len(figures)))[::-1]
    values = [f.value or 0.0 for f in figures]
    bars = axes.barh(positions, values, color="#1f6f8b")
    for bar, item in zip(bars, figures, strict=True):
        if item.note:
            bar.set_facecolor("#9fc3d1")
            bar.set_edgecolor("#1f6f8b")
            bar.set_hatch("//")
        shown = item.text if item.value is not None else f"{item.text} (not reported)"
        axes.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, shown,
                  va="center", fontsize=LABEL_PT)  # fmt: skip
    labels = [_wrap(f"{f.arm} ({f.trial})") for f in figures]
    axes.set_yticks(positions, labels=labels, fontsize=LABEL_PT)
    axes.tick_params(labelsize=LABEL_PT)
    axes.set_xlim(0, max([*values, 10.0]) * 1.25)
    title = BAR_TITLES[metric]
    if any(f.note for f in figures):
        title += "\n(hatched: grade ≥3 TEAEs, Table 1 **)"
    axes.set_title(title, fontsize=LABEL_PT + 1)
    axes.set_xlabel("% of patients (Table 1)", fontsize=LABEL_PT)
    return figure
