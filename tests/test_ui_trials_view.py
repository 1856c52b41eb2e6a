"""The trials view: Table 1 as printed, the OS forest plot and the bar charts from the records."""

from __future__ import annotations

import io

from corpus.trials import Metric
from ui.trials_view import (
    BAR_METRICS,
    arm_figures,
    bar_figure,
    forest_figure,
    os_hazard_ratios,
    table1,
)


def test_table1_rows_are_the_review_cells() -> None:
    headers, rows = table1()
    assert headers[:4] == ["Study", "Refs", "Category", "Regimen"]
    assert "OS, HR (95% CI)" in headers and "PD rate, %" in headers
    leap = next(r for r in rows if r[0] == "LEAP-002" and r[3] == "lenvatinib + pembrolizumab")
    assert leap[headers.index("PD rate, %")] == "12.2"
    assert len({r[0] for r in rows}) == 10 and len(rows) == 20


def test_forest_rows_are_whole_population_hrs_with_ci() -> None:
    ratios = {r.trial + ": " + r.comparison: r for r in os_hazard_ratios()}
    imbrave = ratios["IMbrave150: atezolizumab + bevacizumab vs sorafenib"]
    assert (imbrave.hr, imbrave.low, imbrave.high, imbrave.source) == (0.66, 0.52, 0.85, "Table 1")
    leap = ratios["LEAP-002: lenvatinib + pembrolizumab vs lenvatinib + placebo"]
    assert (leap.low, leap.high) == (0.708, 0.997)  # Table 1 preferred over the rounded text
    assert all(r.low <= r.hr <= r.high for r in ratios.values())
    assert not any("ADA" in key for key in ratios)  # subgroups are left out


def test_forest_plot_draws_one_row_per_hr() -> None:
    figure = forest_figure()
    axes = figure.axes[0]
    assert len(axes.get_yticks()) == len(os_hazard_ratios())
    png = io.BytesIO()
    figure.savefig(png, format="png")
    assert png.getvalue().startswith(b"\x89PNG") and len(png.getvalue()) > 10_000


def test_bar_charts_per_regimen() -> None:
    orr = {f.trial: f for f in arm_figures(Metric.ORR)}
    assert orr["IMbrave150"].value == 30.0 and orr["APOLLO"].value is None
    trae = {f.trial: f for f in arm_figures(Metric.grade3_TRAE)}
    assert trae["NCT04560894"].note == "TEAEs" and trae["CARES-310"].value == 80.9
    for metric in BAR_METRICS:
        assert len(bar_figure(metric).axes[0].patches) == 10


def test_hazard_ratios_are_labelled_as_the_review_prints_them() -> None:
    from ui.trials_view import _hr

    assert [_hr(v) for v in (0.6, 0.708, 0.76, 1.0)] == ["0.60", "0.708", "0.76", "1.00"]
