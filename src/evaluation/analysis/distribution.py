"""Distribution, not only the mean: who gained (issue 14, part 5).

* :func:`cic_sample` -- the 2 groups x 2 periods of changes-in-changes on a firm panel:
  participants treated by the end line (treated group) against never-supported firms
  (comparison), the baseline year against the end line (``post="endline"``, the default) or
  against the average of every year from the last cohort's entry to the end line
  (``post="average"``); responding firm-years with the outcome observed. Participants not yet
  treated at the end line and firms treated from the first panel year leave the sample
  (counts kept in ``attrs["excluded"]``).
* :func:`distribution_effects` -- :func:`~evaluation.estimators.cic.changes_in_changes` on
  that sample, bootstrap over the context's inference clusters (whole
  clusters resampled, or firms when the firm is the cluster), seeded.
* :func:`share_above_baseline_median` -- the share of firms above the baseline median of the
  outcome (all firms of the sample pooled, one fixed threshold) in each group at baseline and
  at end line, and the difference of the two groups' changes.
* :func:`finding` -- a code for the page's one-sentence finding: ``broad`` (positive and
  significant at two thirds of the quantiles or more), ``concentrated_top`` /
  ``concentrated_bottom`` / ``concentrated`` (significant at fewer, all above / below the
  median / elsewhere; at least two quantiles), ``negative`` (at least two significant negative
  effects, no positive pattern) or ``none``.

Numbers only; the page words them (``docs/architecture.md``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from evaluation.analysis.context import StudyContext
from evaluation.estimators.cic import (
    DEFAULT_QUANTILES,
    MEAN_TERM,
    changes_in_changes,
)
from evaluation.estimators.results import EstimationResult

UNIT, TIME, COHORT, GROUP = "firm_id", "year", "cohort", "cic_group"
BROAD_SHARE = 2 / 3  # share of quantiles with a significant gain for "broad"
# One significant quantile of nine is what chance gives about a third of the time without any
# effect: a pattern needs at least two.
MIN_SIGNIFICANT = 2
Post = Literal["endline", "average"]


def cic_years(
    ctx: StudyContext, data: pd.DataFrame, post: Post = "endline"
) -> tuple[int, list[int]]:
    """The pre period (baseline) and the post period(s): the end line, or every year from the
    last cohort's entry (every participant treated) to the end line."""
    baseline, endline = int(ctx.years.baseline), int(ctx.years.endline)
    if post == "endline":
        return baseline, [endline]
    cohorts = data.loc[(data[COHORT] > 0) & (data[COHORT] <= endline), COHORT]
    start = int(cohorts.max()) if len(cohorts) else endline
    years = sorted(int(y) for y in data[TIME].unique() if start <= int(y) <= endline)
    return baseline, years or [endline]


def cic_sample(panel: pd.DataFrame, outcome: str, ctx: StudyContext) -> pd.DataFrame:
    """Responding firm-years with ``outcome`` observed and the group column ``cic_group``
    (1 = participant treated by the end line, 0 = never supported); see the module docstring.

    Raises ``ValueError`` when the outcome is absent or a group is empty (pages turn it into a
    not-available message).
    """
    if outcome not in panel.columns or not panel[outcome].notna().any():
        raise ValueError(f"cic_sample: outcome {outcome!r} is not observed in the panel")
    answered = panel["responded"] == 1 if "responded" in panel.columns else True
    data = panel.loc[answered & panel[outcome].notna()].copy()
    cohort = data[COHORT].fillna(0).astype(int) if COHORT in data else pd.Series(0, data.index)
    data[COHORT] = cohort
    first, endline = int(ctx.years.first), int(ctx.years.endline)
    always = cohort.between(1, first)
    late = cohort > endline
    data.attrs["excluded"] = {
        "always_treated": int(data.loc[always, UNIT].nunique()),
        "not_yet_treated": int(data.loc[late, UNIT].nunique()),
    }
    data = data[~always & ~late].copy()
    data[GROUP] = (data[COHORT] > 0).astype(int)
    if not (data[GROUP] == 1).any():
        raise ValueError("cic_sample: no participant treated by the end line has the outcome")
    if not (data[GROUP] == 0).any():
        raise ValueError("cic_sample: no never-supported comparison firm has the outcome")
    return data.reset_index(drop=True)


def distribution_effects(
    data: pd.DataFrame,
    outcome: str,
    ctx: StudyContext,
    *,
    post: Post = "endline",
    quantiles: tuple[float, ...] = DEFAULT_QUANTILES,
    replications: int = 499,
    seed: int | None = None,
) -> EstimationResult:
    """Changes-in-changes on :func:`cic_sample`'s data: baseline vs end line (or the average
    of the post years), bootstrap over the context's clusters (firms if the firm is the
    cluster or a cluster column is missing)."""
    pre, posts = cic_years(ctx, data, post)
    cluster = ctx.cluster if ctx.cluster != UNIT and ctx.cluster in data.columns else None
    if cluster is not None and data[cluster].isna().any():
        cluster = None
    return changes_in_changes(
        data,
        outcome,
        UNIT,
        TIME,
        GROUP,
        pre=pre,
        post=posts,
        quantiles=quantiles,
        replications=replications,
        seed=seed,
        cluster=cluster,
        alpha=ctx.settings.analysis.alpha,
    )


def share_above_baseline_median(
    data: pd.DataFrame, outcome: str, baseline: int, endline: int | list[int]
) -> pd.DataFrame:
    """Share of each group's firms above the pooled baseline median of ``outcome``.

    Rows: group (``participants``, ``comparison``) x period (``baseline``, ``endline``) with
    ``firms`` (with the outcome observed), ``above`` (count) and ``share``. ``attrs`` holds the
    ``median`` and ``difference`` (participants' change in share minus the comparison's).
    Several end-line years: a firm's outcome is averaged over them first.
    """
    posts = [endline] if isinstance(endline, int | np.integer) else list(endline)
    base = data[data[TIME] == baseline]
    if base.empty:
        raise ValueError(f"share_above_baseline_median: no firm observed in {baseline}")
    median = float(base[outcome].median())
    rows = []
    for group, label in ((1, "participants"), (0, "comparison")):
        for period, years in (("baseline", [baseline]), ("endline", posts)):
            part = data[(data[GROUP] == group) & data[TIME].isin(years)]
            values = part.groupby(UNIT)[outcome].mean()
            above = int((values > median).sum())
            n = int(len(values))
            rows.append(
                {
                    "group": label,
                    "period": period,
                    "firms": n,
                    "above": above,
                    "share": above / n if n else np.nan,
                }  # fmt: skip
            )
    table = pd.DataFrame(rows)
    share = table.set_index(["group", "period"])["share"]
    table.attrs["median"] = median
    table.attrs["difference"] = float(
        (share["participants", "endline"] - share["participants", "baseline"])
        - (share["comparison", "endline"] - share["comparison", "baseline"])
    )
    return table


def shares_by_group(table: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """The share table as ``{group: {period: share}}`` (what the page records)."""
    out: dict[str, dict[str, float | None]] = {}
    for row in table.itertuples():
        value = None if pd.isna(row.share) else float(row.share)
        out.setdefault(str(row.group), {})[str(row.period)] = value
    return out


def finding(result: EstimationResult) -> dict[str, object]:
    """Classify the quantile effects (see the module docstring).

    Returns ``code``, ``significant`` (quantiles with a positive effect whose interval
    excludes zero), ``negative`` (those with a negative one) and ``n`` (quantiles estimated).
    """
    tab = result.tidy()
    tab = tab[tab["term"] != MEAN_TERM]
    pos = tab.loc[tab["conf_low"] > 0, "quantile"].tolist()
    neg = tab.loc[tab["conf_high"] < 0, "quantile"].tolist()
    n = len(tab)
    if pos and len(pos) >= BROAD_SHARE * n:
        code = "broad"
    elif len(pos) >= MIN_SIGNIFICANT and min(pos) > 0.5:
        code = "concentrated_top"
    elif len(pos) >= MIN_SIGNIFICANT and max(pos) < 0.5:
        code = "concentrated_bottom"
    elif len(pos) >= MIN_SIGNIFICANT:
        code = "concentrated"
    elif len(neg) >= MIN_SIGNIFICANT:
        code = "negative"
    else:
        code = "none"
    return {"code": code, "significant": pos, "negative": neg, "n": n}
