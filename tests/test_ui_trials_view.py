"""The trials view: Table 1 as printed, the OS forest plot and the bar charts from the records."""

from __future__ import annotations

import io

from corpus.trials import Metric
from ui.trials_view import (
    BAR_METRICS,
    LABEL_PT,
    TABLE1_SHOWN,
    arm_figures,
    bar_figure,
    forest_figure,
    forest_settings,
    os_hazard_ratios,
    table1,
    table1_html,
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


def test_forest_plot_draws_one_row_per_first_line_hr() -> None:
    figure = forest_figure()
    axes = figure.axes[0]
    assert len(axes.get_yticks()) == len(os_hazard_ratios(setting="first-line"))
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


def test_first_line_trials_are_plotted_apart_from_tace_combinations() -> None:
    assert forest_settings() == ["first-line", "intermediate-stage"]
    first_line = {r.trial for r in os_hazard_ratios(setting="first-line")}
    tace = {r.trial for r in os_hazard_ratios(setting="intermediate-stage")}
    assert "LEAP-012" in tace and "LEAP-012" not in first_line
    assert {"IMbrave150", "LEAP-002", "HIMALAYA"} <= first_line
    labels = [t.get_text() for t in forest_figure().axes[0].get_yticklabels()]
    assert not any("TACE" in label or "LEAP-012" in label for label in labels)


def test_plot_text_is_large_enough_and_the_colours_have_a_legend() -> None:
    figures = [forest_figure(), *(bar_figure(metric) for metric in BAR_METRICS)]
    for figure in figures:
        texts = [t for t in figure.findobj(lambda a: hasattr(a, "get_fontsize")) if t.get_text()]
        assert texts and min(t.get_fontsize() for t in texts) >= LABEL_PT
        # 11 pt at 100 dpi is 15 px: the browser test checks the image is not shrunk below 11 px
        assert figure.dpi == 100
    legend = forest_figure().legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["CI below 1: OS benefit", "CI includes 1"]


def test_the_readable_table_has_the_chosen_columns_and_escapes_cells() -> None:
    shown = table1_html()
    _, rows = table1()
    assert shown.count("<tr>") == len(rows) + 1
    for column in TABLE1_SHOWN:
        assert f'data-label="{column}"' in shown.replace("&gt;", ">")
    assert "<b>LEAP-002</b>" in shown and 'data-label="PD rate, %"><span>12.2</span></td>' in shown
