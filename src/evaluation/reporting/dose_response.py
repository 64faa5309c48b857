"""The dose-response figure and the dose tables of page 13 (formats only; nothing estimated).

The figure draws the curve a continuous-treatment DiD returned (:meth:`evaluation.estimators.
continuous_treatment.ContinuousDiDResult.curve`): ATT(d) with its band on the left, with the
average effect and the binned estimates over it and the participants' doses as a rug, and ACRT(d) with its band on the right. House style and palette of
:mod:`evaluation.reporting.figures` (Okabe-Ito).
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg", force=False)

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from evaluation.reporting.figures import PALETTE, STYLE, require_columns, style_axes
from evaluation.reporting.tables import MARK, PublishedTable, publish_table
from evaluation.reporting.translations import check_language, t

CURVE, BAND, BINS = PALETTE[3], PALETTE[1], PALETTE[4]


def digits_for(low: float, high: float, minimum: int = 3) -> int:
    """Decimals that show an interval's width with two significant digits (small slopes)."""
    width = abs(high - low) / 2
    if not math.isfinite(width) or width == 0:
        return minimum
    return max(minimum, 1 - math.floor(math.log10(width)))


def dose_response_figure(
    curve: pd.DataFrame,
    *,
    language: str = "en",
    title: str = "",
    dose_label: str = "",
    overall: float | None = None,
    bins: pd.DataFrame | None = None,
    doses: pd.Series | np.ndarray | None = None,
) -> Figure:
    """ATT(d) and ACRT(d) with their bands.

    Parameters
    ----------
    curve : ``dose, att, lo, hi`` and, when the slope is identified, ``acrt, acrt_lo,
        acrt_hi`` (the estimator's curve table).
    overall : the average effect (drawn as a dashed line).
    bins : binned estimates ``dose, estimate, conf_low, conf_high`` (drawn as points).
    doses : the participants' doses (a rug under the curve).
    """
    check_language(language)
    require_columns(curve, ["dose", "att", "lo", "hi"], "dose_response_figure")
    slope = "acrt" in curve.columns and curve["acrt"].notna().any()
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(9.5 if slope else 6.5, 4.4), layout="constrained")
        axes = fig.subplots(1, 2 if slope else 1, squeeze=False)[0]
    x = curve["dose"].to_numpy(dtype=float)
    ax = axes[0]
    ax.fill_between(x, curve["lo"], curve["hi"], color=BAND, alpha=0.35, linewidth=0,
                    label=t("nb13.figure.band", language))  # fmt: skip
    ax.plot(x, curve["att"], color=CURVE, linewidth=2, label=t("nb13.figure.estimate", language))
    if overall is not None and math.isfinite(overall):
        ax.axhline(overall, color=PALETTE[6], linestyle="--", linewidth=1,
                   label=t("nb13.figure.overall", language))  # fmt: skip
    if bins is not None and len(bins):
        b = bins.dropna(subset=["estimate"])
        y = b["estimate"].to_numpy(dtype=float)
        err = np.vstack([y - b["conf_low"].to_numpy(), b["conf_high"].to_numpy() - y])
        ax.errorbar(b["dose"], y, yerr=err, fmt="s", color=BINS, ecolor=BINS, capsize=3,
                    markersize=5, elinewidth=1.2, label=t("nb13.figure.bins", language))  # fmt: skip
    if doses is not None and len(doses):
        ax.plot(np.asarray(doses, dtype=float), np.zeros(len(doses)), "|", color="#777777",
                markersize=8, transform=ax.get_xaxis_transform(), alpha=0.6)  # fmt: skip
    ax.axhline(0.0, color="#555555", linewidth=0.8)
    ax.set_title(t("nb13.figure.att", language), fontsize=10)
    if slope:
        ax2 = axes[1]
        ax2.fill_between(x, curve["acrt_lo"], curve["acrt_hi"], color=BAND, alpha=0.35,
                         linewidth=0)  # fmt: skip
        ax2.plot(x, curve["acrt"], color=CURVE, linewidth=2)
        ax2.axhline(0.0, color="#555555", linewidth=0.8)
        ax2.set_title(t("nb13.figure.acrt", language), fontsize=10)
        half = float(np.nanmax(np.abs(curve[["acrt_lo", "acrt_hi"]].to_numpy())))
        style_axes(ax2, language, digits=digits_for(-half, half, 2))
    style_axes(ax, language)
    for a in axes:
        a.set_xlabel(dose_label)
    if title:
        fig.suptitle(title, fontweight="bold")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    return fig


def distribution_table(table: pd.DataFrame, *, language: str = "en") -> PublishedTable:
    """The dose distribution (rows ``all`` and cohorts; ``firms`` counts) as published."""
    frame = table.copy()
    frame.index = [
        t("nb13.col.all", language) if g == "all" else t("nb13.col.cohort", language, cohort=g)
        for g in frame.index
    ]
    frame.index.name = t("nb13.col.group", language)
    labels = {c: t(f"nb13.col.{c}", language) for c in frame.columns}
    return publish_table(frame, row_count="firms", language=language, digits=1, labels=labels)


def bins_table(
    binned: pd.DataFrame, curve: pd.DataFrame, *, language: str = "en", digits: int = 3
) -> PublishedTable:
    """The binned estimates (``bin=<lo>-<hi>`` rows of a tidy table) with their firms."""
    from evaluation.reporting.translations import fmt_interval, fmt_number

    rows = binned[binned["term"].str.startswith("bin=")].reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "bin": [
                f"{fmt_number(lo, language, 1)} – {fmt_number(hi, language, 1)}"
                for lo, hi in zip(curve["dose_low"], curve["dose_high"], strict=True)
            ],
            "median_dose": rows["dose"].to_numpy(),
            "firms_bin": curve["n_treated"].to_numpy()[: len(rows)],
            "estimate": rows["estimate"].to_numpy(),
            "std_error": rows["std_error"].to_numpy(),
            "p_value": rows["p_value"].to_numpy(),
        }
    ).set_index("bin")
    frame.index.name = t("nb13.col.bin", language)
    labels = {
        "median_dose": t("nb13.col.median_dose", language),
        "firms_bin": t("nb13.col.firms_bin", language),
        "estimate": t("common.estimate", language),
        "std_error": t("common.std_error", language),
        "p_value": t("common.p_value", language),
        "ci": t("common.ci", language),
    }
    published = publish_table(
        frame, row_count="firms_bin", language=language,
        digits={"median_dose": 1, "estimate": digits, "std_error": digits}, labels=labels,
    )  # fmt: skip
    ci = [fmt_interval(lo, hi, language, digits) for lo, hi in zip(rows.conf_low, rows.conf_high,
                                                                  strict=True)]  # fmt: skip
    hidden = published.suppressed["estimate"].to_numpy()
    ci = [MARK if h else c for c, h in zip(ci, hidden, strict=True)]
    published.frame.insert(len(published.frame.columns) - 1, labels["ci"], ci)
    return published
