"""Figures: house palette, titles and axis labels in the report language, truth drawn."""

from __future__ import annotations

import io

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from evaluation.reporting import figures


def _event_tidy() -> pd.DataFrame:
    e = np.arange(-3, 4)
    e = e[e != -1]
    est = np.where(e < 0, 0.0, 0.05 * (e + 1))
    return pd.DataFrame(
        {"event_time": e, "estimate": est, "conf_low": est - 0.04, "conf_high": est + 0.04}
    )


@pytest.mark.parametrize(
    ("language", "title", "xlabel", "ylabel_start"),
    [
        (
            "en",
            "Effect by years since start of support",
            "Years since start of support",
            "Effect on Log labor productivity",
        ),
        (
            "es",
            "Efecto según años desde el inicio del apoyo",
            "Años desde el inicio del apoyo",
            "Efecto sobre Log de la productividad laboral",
        ),
    ],
)
def test_event_study_labels_follow_the_language(language, title, xlabel, ylabel_start):
    fig = figures.event_study_figure(
        _event_tidy(), language=language, outcome="log_labor_productivity"
    )
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() == title
    assert ax.get_xlabel() == xlabel
    assert ax.get_ylabel().startswith(ylabel_start)
    # y tick labels use the language's decimal separator
    fig.canvas.draw()
    ticks = [tick.get_text() for tick in ax.get_yticklabels() if tick.get_text()]
    sep = "," if language == "es" else "."
    assert ticks and all(sep in tick for tick in ticks if tick not in ("0", "-0"))


def test_event_study_with_several_series_and_truth():
    tidy = pd.concat(
        [_event_tidy().assign(est="cs"), _event_tidy().assign(est="sunab")], ignore_index=True
    )
    truth = pd.Series([0.05, 0.1, 0.15], index=[0, 1, 2])
    fig = figures.event_study_figure(
        tidy,
        language="es",
        series="est",
        series_labels={"cs": "Callaway–Sant'Anna", "sunab": "Sun–Abraham"},
        truth=truth,
    )
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert sorted(labels) == sorted(
        ["Callaway–Sant'Anna", "Sun–Abraham", "Efecto verdadero", "año de referencia"]
    )
    truth_line = [
        line for line in fig.axes[0].get_lines() if line.get_label() == "Efecto verdadero"
    ]
    np.testing.assert_allclose(truth_line[0].get_ydata(), [0.05, 0.1, 0.15])
    # both estimator series use palette colours
    palette = {mcolors.to_hex(c).upper() for c in figures.PALETTE}
    series_colors = [mcolors.to_hex(c.lines[0].get_color()).upper() for c in fig.axes[0].containers]
    assert len(set(series_colors)) == 2 and set(series_colors) <= palette


def test_estimates_figure_draws_truth_and_skips_suppressed_rows():
    frame = pd.DataFrame(
        {
            "label": ["TWFE", "CS", "hidden"],
            "estimate": [0.1, 0.08, np.nan],
            "conf_low": [0.0, 0.02, np.nan],
            "conf_high": [0.2, 0.14, np.nan],
        }
    )
    fig = figures.estimates_figure(frame, language="en", truth=0.09, outcome="log_sales")
    ax = fig.axes[0]
    assert ax.get_title() == "Average effect by estimator"
    assert [tick.get_text() for tick in ax.get_yticklabels()] == ["TWFE", "CS", "hidden"]
    assert ax.get_legend_handles_labels()[1] == ["True effect"]
    assert len(ax.containers) == 2  # two error bars drawn, the suppressed row is not


def test_trend_figure_percent_axis_in_spanish():
    rates = pd.DataFrame(
        {
            "year": [2014, 2015, 2014, 2015],
            "rate": [0.9, 0.8, 0.95, 0.85],
            "group": ["a", "a", "b", "b"],
        }
    )
    fig = figures.trend_figure(rates, y="rate", language="es", percent=True, title="Respuesta")
    fig.canvas.draw()
    ticks = [tick.get_text() for tick in fig.axes[0].get_yticklabels() if tick.get_text()]
    assert ticks and all(tick.endswith("\u00a0%") for tick in ticks)
    assert fig.axes[0].get_xlabel() == "Año"


def test_figures_render_to_png_deterministically():
    def png() -> bytes:
        buf = io.BytesIO()
        fig = figures.event_study_figure(_event_tidy(), language="en")
        fig.savefig(buf, format="png", metadata={"Software": None})
        return buf.getvalue()

    assert png() == png()


def test_missing_columns_are_named():
    with pytest.raises(KeyError, match="conf_low"):
        figures.event_study_figure(pd.DataFrame({"event_time": [0], "estimate": [1.0]}))


def test_estimates_figure_colours_by_group():
    frame = pd.DataFrame(
        {
            "label": ["CO", "EC", "A", "C"],
            "dimension": ["country", "country", "sector", "sector"],
            "estimate": [0.1, 0.2, 0.15, 0.05],
            "conf_low": [0.0, 0.1, 0.1, 0.0],
            "conf_high": [0.2, 0.3, 0.2, 0.1],
        }
    )
    fig = figures.estimates_figure(frame, group="dimension")
    colours = [mcolors.to_hex(c.lines[0].get_color()).upper() for c in fig.axes[0].containers]
    assert colours[0] == colours[1] != colours[2] == colours[3]


@pytest.mark.parametrize("language", ["en", "es"])
def test_small_effects_get_distinct_tick_labels(language):
    """A tick step of 0.005 (effects of a few thousandths) needs three decimals: with two,
    neighbouring ticks printed as the same number."""
    tidy = _event_tidy()
    tidy[["estimate", "conf_low", "conf_high"]] /= 20
    fig = figures.event_study_figure(tidy, language=language, outcome="log_labor_productivity")
    fig.canvas.draw()
    ticks = [tick.get_text() for tick in fig.axes[0].get_yticklabels() if tick.get_text()]
    assert len(ticks) >= 3 and len(set(ticks)) == len(ticks), ticks
    # large steps keep two decimals
    fig = figures.event_study_figure(
        _event_tidy(), language=language, outcome="log_labor_productivity"
    )
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert all(len(lab.split("," if language == "es" else ".")[-1]) == 2 for lab in labels), labels
