"""Figure of the cost-effectiveness page (notebook 15): cost per unit across the effect's interval.

Formats and renders only: the page passes the ``cost_effectiveness`` tidy table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from evaluation.reporting.figures import PALETTE, STYLE, DecimalTicks, require_columns
from evaluation.reporting.translations import check_language, fmt_number, t


def cost_curve_figure(
    tidy: pd.DataFrame, *, language: str = "en", unit_labels: dict[str, str], currency: str
) -> Figure:
    """One panel per ratio (``cost_per_outcome_unit``, ``cost_per_job``): the cost per unit
    ``C / t`` for every effect ``t`` in the effect's 95% interval, the point estimate marked.
    An interval reaching zero sends the curve off the top: the cost is unbounded there. Ratios
    without a gain (``status`` ``not_positive``) are not drawn.

    ``unit_labels`` maps each term to its x-axis label (the effect's unit, in ``language``).
    """
    import matplotlib

    check_language(language)
    require_columns(
        tidy, ["term", "estimate", "effect", "effect_low", "effect_high", "unit_size"], "costs"
    )
    positive = tidy["status"].isin(["bounded", "unbounded"]) if "status" in tidy else True
    rows = tidy[tidy["term"].isin(list(unit_labels)) & tidy["effect"].notna() & positive]
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(7.0, 3.6), layout="constrained")
        axes = fig.subplots(1, max(len(rows), 1), squeeze=False)[0]
    per_firm = float(tidy.loc[tidy["term"] == "cost_per_firm", "estimate"].iloc[0])
    for ax, row in zip(axes, rows.itertuples(), strict=False):
        size = float(row.unit_size)
        low, high, est = row.effect_low / size, row.effect_high / size, row.effect / size
        top = high if np.isfinite(high) and high > 0 else max(est, 1e-9)
        start = low if np.isfinite(low) and low > 0 else top / 50
        grid = np.linspace(start, top, 200)
        ax.plot(grid, per_firm / grid, color=PALETTE[3])
        if np.isfinite(row.estimate):
            ax.plot([est], [row.estimate], "o", color=PALETTE[4],
                    label=t("cost.fig.estimate", language))  # fmt: skip
        if not (np.isfinite(low) and low > 0):
            ax.annotate(t("cost.fig.unbounded", language), xy=(start, per_firm / start),
                        xytext=(0.35, 0.9), textcoords="axes fraction", fontsize=8,
                        arrowprops={"arrowstyle": "->", "color": "#555555"})  # fmt: skip
        ax.set_xlabel(unit_labels[row.term])
        ax.set_ylabel(t("cost.fig.y", language, currency=currency))
        ax.set_title(t(f"cost.term.{row.term}", language), fontsize=10)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v, language, 0)))
        ax.xaxis.set_major_formatter(DecimalTicks(language, 2))
        ax.grid(True, color="#DDDDDD", linewidth=0.8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    fig.suptitle(t("cost.fig.title", language), fontweight="bold")
    return fig
