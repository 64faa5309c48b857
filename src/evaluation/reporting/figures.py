"""Figures in one house style, titled and labelled in the report language.

Every figure is a :class:`matplotlib.figure.Figure` built without pyplot's global state (so
notebooks running in parallel cannot draw on each other's axes); the HTML renderer embeds
it as a PNG. Colours are the Okabe–Ito palette (Okabe and Ito 2008), distinguishable under
the common forms of colour-blindness, and each series also differs by marker, so a figure
printed in grey still reads. Inputs are already-aggregated, already-suppressed tables: a
point withheld by :func:`evaluation.reporting.tables.publish_table` arrives as NaN and is
not drawn.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg", force=False)

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from evaluation.reporting.translations import (
    check_language,
    fmt_number,
    fmt_percent,
    t,
    variable_label,
)

# Okabe-Ito: orange, sky blue, bluish green, blue, vermillion, reddish purple, black, yellow
PALETTE: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
    "#F0E442",  # yellow last: faint on white, used only by an eighth series
)
MARKERS: tuple[str, ...] = ("o", "s", "D", "^", "v", "P", "X", "*")
TRUTH_COLOR = "#000000"
STYLE: dict[str, object] = {
    **sns.axes_style("whitegrid"),
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "savefig.dpi": 110,
    "figure.dpi": 110,
    "svg.hashsalt": "evaluation-report",  # deterministic SVG ids
}


def house_figure(width: float = 7.0, height: float = 4.2) -> tuple[Figure, object]:
    """A figure of ``width`` x ``height`` inches in the house style and its one axes, built
    without pyplot (no process-wide figure registry)."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        ax = fig.add_subplot()
    return fig, ax


class DecimalTicks(Formatter):
    """Tick labels with the language's decimal separator and at least ``digits`` decimals,
    more when the tick step needs them (a 0.005 step printed with two decimals would show
    two ticks as the same number)."""

    def __init__(self, language: str, digits: int) -> None:
        self.language, self.digits = language, digits
        self._step_digits = digits

    def set_locs(self, locs) -> None:
        """Called by matplotlib with the tick positions before labelling: the decimals the
        smallest step needs (the formatter's own ``locs`` attribute is deprecated)."""
        steps = np.diff(np.sort(np.asarray(locs, dtype=float)))
        steps = steps[steps > 0]
        self._step_digits = self.digits
        if steps.size:
            needed = int(np.ceil(-np.log10(steps.min()) - 1e-9))
            self._step_digits = max(self.digits, needed)

    def __call__(self, value: float, pos: int | None = None) -> str:
        return fmt_number(value, self.language, self._step_digits)


def style_axes(ax, language: str, *, y_percent: bool = False, digits: int = 2) -> None:
    """Grid, spines and tick labels with the language's decimal separator."""
    ax.grid(True, axis="y", color="#DDDDDD", linewidth=0.8)
    ax.grid(False, axis="x")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    # "nice" steps (1, 2, 5 x 10^k); the labels carry as many decimals as the step needs
    ax.yaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 5, 10]))
    if y_percent:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_percent(v, language, 0)))
    else:
        ax.yaxis.set_major_formatter(DecimalTicks(language, digits))


def colors(n: int) -> list[str]:
    """``n`` colours of the house palette (cycled when more are needed)."""
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise a KeyError naming ``what`` and the missing columns when ``frame`` lacks any of
    ``columns`` (a figure's input contract)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{what}: the table lacks columns {missing}; it has {list(frame.columns)}")


def event_study_figure(
    tidy: pd.DataFrame,
    *,
    language: str = "en",
    outcome: str = "",
    ref_period: int | None = -1,
    series: str | None = None,
    series_labels: Mapping[str, str] | None = None,
    truth: pd.Series | None = None,
    title: str | None = None,
    outcome_label: str | None = None,
) -> Figure:
    """Event-study coefficients with 95% intervals by event time (one series or several).

    Parameters
    ----------
    tidy : rows with ``event_time, estimate, conf_low, conf_high`` (an ``event_study`` tidy
        table), plus a ``series`` column when several estimators share the plot.
    ref_period : the omitted reference period, drawn as a hollow point at zero.
    truth : true effects indexed by event time (simulated data), drawn as a black line.
    outcome_label : the outcome's label when it is not a codebook column (a declared outcome's
        own label, ``sections.outcome_label``).
    """
    check_language(language)
    require_columns(tidy, ["event_time", "estimate", "conf_low", "conf_high"], "event_study_figure")
    fig, ax = house_figure(7.5, 4.8)
    groups = [(None, tidy)] if series is None else list(tidy.groupby(series, sort=False))
    width = 0.6
    offsets = np.linspace(-width / 2, width / 2, len(groups)) if len(groups) > 1 else [0.0]
    for i, ((name, frame), offset) in enumerate(zip(groups, offsets, strict=True)):
        frame = frame.dropna(subset=["estimate"]).sort_values("event_time")
        x = frame["event_time"].to_numpy(dtype=float) + offset
        y = frame["estimate"].to_numpy(dtype=float)
        err = np.vstack([y - frame["conf_low"].to_numpy(), frame["conf_high"].to_numpy() - y])
        label = None if name is None else (series_labels or {}).get(name, str(name))
        ax.errorbar(
            x,
            y,
            yerr=err,
            fmt=MARKERS[i % len(MARKERS)],
            color=PALETTE[i % len(PALETTE)] if len(groups) > 1 else PALETTE[3],
            ecolor=PALETTE[i % len(PALETTE)] if len(groups) > 1 else PALETTE[3],
            elinewidth=1.4,
            capsize=3,
            markersize=5,
            label=label,
        )
    if truth is not None and len(truth):
        truth = truth.sort_index()
        ax.plot(
            truth.index.to_numpy(dtype=float),
            truth.to_numpy(dtype=float),
            color=TRUTH_COLOR,
            linestyle="--",
            linewidth=1.2,
            marker="_",
            markersize=12,
            label=t("common.truth", language),
        )
    if ref_period is not None:
        ax.plot(
            [ref_period],
            [0.0],
            marker="o",
            markerfacecolor="white",
            markeredgecolor="#555555",
            linestyle="none",
            label=t("fig.reference", language),
        )
    ax.axhline(0.0, color="#555555", linewidth=0.9)
    ax.axvline(-0.5 if ref_period is None else ref_period + 0.5, color="#999999", linestyle=":")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    style_axes(ax, language)
    ax.set_xlabel(t("common.event_time", language))
    # wrapped: a long outcome label on one line runs past the top of the axes
    ylabel = t("fig.event_study.y", language, outcome=_short(outcome, language, outcome_label))
    ax.set_ylabel(textwrap.fill(ylabel, 48))
    ax.set_title(title or t("fig.event_study.title", language))
    if ax.get_legend_handles_labels()[0]:
        # below the axes: inside it would hide points, beside it would halve the plot
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
    return fig


def estimates_figure(
    estimates: pd.DataFrame,
    *,
    language: str = "en",
    label: str = "label",
    outcome: str = "",
    truth: float | None = None,
    title: str | None = None,
    group: str | None = None,
    outcome_label: str | None = None,
) -> Figure:
    """Point estimates with 95% intervals, one row per estimator or subgroup (a forest plot).

    ``estimates`` has ``label`` (printed as given: pass translated names), ``estimate``,
    ``conf_low`` and ``conf_high``; ``truth`` draws the true effect as a vertical line.
    ``group`` names a column whose values share a colour and marker (e.g. the subgroup's
    dimension); without it every row has its own. ``outcome_label`` overrides the codebook
    label of ``outcome`` (declared outcomes).
    """
    check_language(language)
    require_columns(estimates, [label, "estimate", "conf_low", "conf_high"], "estimates_figure")
    frame = estimates.reset_index(drop=True)
    fig, ax = house_figure(7.0, 1.2 + 0.45 * max(len(frame), 2))
    y = np.arange(len(frame))[::-1]
    shown = frame["estimate"].notna().to_numpy()
    if group is None:
        style = list(range(len(frame)))
    else:
        codes = {v: k for k, v in enumerate(dict.fromkeys(frame[group]))}
        style = [codes[v] for v in frame[group]]
    for i, row in frame.iterrows():
        if not shown[i]:
            continue
        color = PALETTE[style[i] % len(PALETTE)]
        ax.errorbar(
            row["estimate"],
            y[i],
            xerr=[[row["estimate"] - row["conf_low"]], [row["conf_high"] - row["estimate"]]],
            fmt=MARKERS[style[i] % len(MARKERS)],
            color=color,
            ecolor=color,
            capsize=3,
            elinewidth=1.4,
        )
    ax.set_yticks(y, [str(v) for v in frame[label]])
    ax.axvline(0.0, color="#555555", linewidth=0.9)
    if truth is not None and np.isfinite(truth):
        ax.axvline(
            truth,
            color=TRUTH_COLOR,
            linestyle="--",
            linewidth=1.2,
            label=t("common.truth", language),
        )
        # outside the axes: a legend inside would cover the lowest row's interval
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(True, axis="x", color="#DDDDDD", linewidth=0.8)
    ax.grid(False, axis="y")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(DecimalTicks(language, 2))
    ax.set_xlabel(
        t("fig.event_study.y", language, outcome=_short(outcome, language, outcome_label))
    )
    ax.set_title(title or t("fig.comparison.title", language))
    return fig


def trend_figure(
    means: pd.DataFrame,
    *,
    x: str = "year",
    y: str = "mean",
    group: str = "group",
    language: str = "en",
    ylabel: str = "",
    title: str = "",
    percent: bool = False,
    vlines: Sequence[float] = (),
) -> Figure:
    """Lines of a statistic over time, one per group (means by year, response rates by year).

    Points withheld by suppression (NaN) break the line rather than being interpolated.
    """
    check_language(language)
    require_columns(means, [x, y, group], "trend_figure")
    fig, ax = house_figure()
    for i, (name, frame) in enumerate(means.groupby(group, sort=False)):
        frame = frame.sort_values(x)
        ax.plot(
            frame[x].to_numpy(dtype=float),
            frame[y].to_numpy(dtype=float),
            marker=MARKERS[i % len(MARKERS)],
            color=PALETTE[i % len(PALETTE)],
            linewidth=1.6,
            label=str(name),
        )
    for v in vlines:
        ax.axvline(v, color="#999999", linestyle=":")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    style_axes(ax, language, y_percent=percent)
    ax.set_xlabel(t("common.year", language))
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="best")
    return fig


def _short(outcome: str, language: str, label: str | None = None) -> str:
    """An outcome label short enough for an axis (the given or codebook label, parenthesis
    dropped)."""
    if not outcome and not label:
        return t("common.outcome", language).lower()
    label = label or variable_label(outcome, language)
    return label.split(" (")[0]
