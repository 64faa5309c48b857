"""Figures and tables of the distribution page (notebook 14): quantile effects on the treated.

Formats and renders only: the page passes the changes-in-changes tidy table and the share
table computed by :mod:`evaluation.analysis.distribution`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from evaluation.reporting.figures import MARKERS, PALETTE, house_figure, require_columns, style_axes
from evaluation.reporting.translations import check_language, fmt_interval, fmt_percent, t

MEAN_TERM = "cic_mean"


def quantile_effects_figure(
    tidy: pd.DataFrame,
    *,
    language: str = "en",
    outcome_label: str = "",
    title: str | None = None,
) -> Figure:
    """Quantile treatment effects on the treated with their intervals, the average effect as a
    dashed line with its interval shaded, and zero.

    ``tidy`` is the changes-in-changes tidy table (``quantile``, ``estimate``, ``conf_low``,
    ``conf_high``; the ``cic_mean`` row has no quantile).
    """
    check_language(language)
    require_columns(
        tidy, ["term", "quantile", "estimate", "conf_low", "conf_high"], "quantile_effects"
    )
    rows = tidy[tidy["term"] != MEAN_TERM].sort_values("quantile")
    fig, ax = house_figure(7.0, 4.2)
    x = rows["quantile"].to_numpy(dtype=float)
    y = rows["estimate"].to_numpy(dtype=float)
    ax.fill_between(
        x,
        rows["conf_low"].to_numpy(dtype=float),
        rows["conf_high"].to_numpy(dtype=float),
        color=PALETTE[3],
        alpha=0.18,
        linewidth=0,
        label=t("dist.fig.band", language),
    )
    ax.plot(x, y, marker=MARKERS[0], color=PALETTE[3], label=t("dist.fig.qte", language))
    mean = tidy[tidy["term"] == MEAN_TERM]
    if not mean.empty and np.isfinite(mean["estimate"].iloc[0]):
        ax.axhline(
            float(mean["estimate"].iloc[0]),
            color=PALETTE[4],
            linestyle="--",
            linewidth=1.3,
            label=t("dist.fig.mean", language),
        )
        low, high = float(mean["conf_low"].iloc[0]), float(mean["conf_high"].iloc[0])
        if np.isfinite(low) and np.isfinite(high):
            ax.axhspan(low, high, color=PALETTE[4], alpha=0.08, linewidth=0)
    ax.axhline(0.0, color="#555555", linewidth=0.9)
    style_axes(ax, language)
    ax.set_xticks(x)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_percent(v, language, 0)))
    ax.set_xlabel(t("dist.fig.x", language))
    ax.set_ylabel(t("dist.fig.y", language, outcome=outcome_label))
    ax.set_title(title or t("dist.fig.title", language))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def quantile_table(tidy: pd.DataFrame, language: str) -> pd.DataFrame:
    """The quantile and average effects as a display table (labels in ``language``)."""
    rows = []
    for row in tidy.itertuples():
        label = (
            t("dist.table.mean", language)
            if row.term == MEAN_TERM
            else t("dist.table.quantile", language, q=fmt_percent(row.quantile, language, 0))
        )
        rows.append(
            {
                t("dist.table.term", language): label,
                t("common.estimate", language): row.estimate,
                t("common.std_error", language): row.std_error,
                t("common.ci", language): fmt_interval(row.conf_low, row.conf_high, language),
                t("dist.table.observed", language): row.observed,
                t("dist.table.counterfactual", language): row.counterfactual,
            }
        )
    return pd.DataFrame(rows).set_index(t("dist.table.term", language))


def share_table(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """The share-above-median table, one row per group: firms and shares (0-1) by period.

    Column names are ``firms_base``, ``share_base``, ``firms_end``, ``share_end`` (pass
    :func:`share_labels` to ``publish_table``; shares are ``percent_columns``, each withheld
    with its firm count below the minimum cell).
    """
    rows = {}
    for group in ("participants", "comparison"):
        part = table[table["group"] == group].set_index("period")
        name = t("common.participants" if group == "participants" else "common.comparison",
                 language)  # fmt: skip
        rows[name] = {
            "firms_base": int(part.loc["baseline", "firms"]),
            "share_base": float(part.loc["baseline", "share"]),
            "firms_end": int(part.loc["endline", "firms"]),
            "share_end": float(part.loc["endline", "share"]),
        }
    frame = pd.DataFrame(rows).T
    frame = frame.astype({"firms_base": int, "firms_end": int, "share_base": float,
                          "share_end": float})  # fmt: skip
    frame.index.name = t("common.group", language)
    return frame


def share_labels(language: str, baseline: int, endline: str) -> dict[str, str]:
    """Column headings of :func:`share_table` (``endline`` is the year or years, as text)."""
    return {
        "firms_base": t("dist.share.firms", language, year=baseline),
        "share_base": t("dist.share.share", language, year=baseline),
        "firms_end": t("dist.share.firms", language, year=endline),
        "share_end": t("dist.share.share", language, year=endline),
    }
