"""Changes-in-changes (Athey and Imbens 2006): effects on the treated along the distribution.

The module is ``cic`` and the function :func:`changes_in_changes`: an estimator module may not
share its name with an exported function (``tests/test_estimators_api.py``: the submodule
would shadow the export once imported).

Difference-in-differences moves the treated group's pre-period *mean* by the comparison group's
change in means. Changes-in-changes moves its whole *distribution*: a treated unit at rank
``F00(y)`` of the comparison group's pre-period distribution would, without treatment, have
reached the same rank of the comparison group's post-period distribution. With ``g = 0/1`` the
comparison/treated group and ``t = 0/1`` the pre/post period, ``F_gt`` the outcome's CDF in each
cell (Athey, S. and Imbens, G. W. (2006), Identification and inference in nonlinear
difference-in-differences models, Econometrica 74(2), 431-497, Section 3 and eq. (9)):

* the treated group's counterfactual post-period outcome is ``F01^{-1}(F00(Y10))``;
* the quantile treatment effect on the treated at ``q`` is
  ``F11^{-1}(q) - F01^{-1}(F00(F10^{-1}(q)))`` (term ``q=0.10`` ...);
* the average effect is ``E[Y11] - E[F01^{-1}(F00(Y10))]`` (term ``cic_mean``).

Identification needs the outcome to be a monotone function of an unobservable whose
distribution within a group does not change over time (no parallel trends in levels, and the
estimates are invariant to a common monotone transformation of the outcome), and the support
of the treated pre-period outcomes inside that of the comparison group's (else the
counterfactual is clamped at the comparison group's extremes; the share of such units is noted).

Estimation uses the empirical CDF and its left-continuous inverse ``F^{-1}(q) = inf{y: F(y) >=
q}`` as in the paper (``quantile_method="inverted_cdf"``, Hyndman-Fan type 1);
``"linear"`` interpolates between order statistics (numpy's default, type 7, which the PyPI
``pycinc`` package uses).

Panel data: ``pre`` and ``post`` name one period each or several, whose outcomes are averaged
per unit first (say which on the page: "end line" or "the average of the post years"). A unit
enters every cell in which it has an observed outcome. Inference:

* ``inference="bootstrap"`` (default): the nonparametric bootstrap over units (each unit's
  pre and post outcome move together, so the panel correlation is kept), resampled within
  group; with ``cluster=`` whole clusters are resampled instead. Standard errors are the
  draws' standard deviations, ``vcov`` their covariance, intervals normal;
* ``inference="analytic"``: the asymptotic variances of Athey and Imbens (2006, Theorems 5.1
  and 5.2, continuous outcomes) with the four cells treated as independent samples (repeated
  cross-sections) and the densities estimated by a Gaussian kernel with Silverman's bandwidth.
  With panel data this ignores a unit's correlation over time; prefer the bootstrap there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from evaluation.estimators.inputs import binary_column, check_columns, numeric_column
from evaluation.estimators.results import EstimationResult, make_spec, tidy_frame

WHERE = "changes_in_changes"
DEFAULT_QUANTILES: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
MEAN_TERM = "cic_mean"
MIN_CELL = 2  # observed units every cell needs
QuantileMethod = Literal["inverted_cdf", "linear"]


def quantile_term(q: float) -> str:
    """The tidy term of the quantile effect at ``q`` (``q=0.10``)."""
    return f"q={q:.2f}"


# --------------------------------------------------------------------------- the estimand
def _ecdf(sorted_values: np.ndarray, points: np.ndarray | float) -> np.ndarray:
    """Empirical CDF ``#(Y <= y) / n`` of a sorted sample at ``points``."""
    return np.searchsorted(sorted_values, points, side="right") / len(sorted_values)


def _quantile(sorted_values: np.ndarray, q: np.ndarray | float, method: str) -> np.ndarray:
    return np.quantile(sorted_values, np.clip(q, 0.0, 1.0), method=method)


def cic_point(
    y00: np.ndarray,
    y01: np.ndarray,
    y10: np.ndarray,
    y11: np.ndarray,
    quantiles: np.ndarray,
    method: str = "inverted_cdf",
) -> dict[str, np.ndarray | float]:
    """The CiC estimates from the four cells' outcomes (unsorted 1-d arrays, no missing).

    Returns ``qte`` (one per quantile), ``observed`` ``F11^{-1}(q)``, ``counterfactual``
    ``F01^{-1}(F00(F10^{-1}(q)))``, ``mean`` (the CiC average effect) and ``outside`` (share of
    treated pre-period outcomes outside the comparison group's pre-period range).
    """
    s00, s01, s10, s11 = (np.sort(np.asarray(v, dtype=float)) for v in (y00, y01, y10, y11))
    z = _quantile(s10, quantiles, method)
    counterfactual = _quantile(s01, _ecdf(s00, z), method)
    observed = _quantile(s11, quantiles, method)
    imputed = _quantile(s01, _ecdf(s00, s10), method)
    outside = float(np.mean((s10 < s00[0]) | (s10 > s00[-1])))
    return {
        "qte": observed - counterfactual,
        "observed": observed,
        "counterfactual": counterfactual,
        "mean": float(s11.mean() - imputed.mean()),
        "outside": outside,
    }


# --------------------------------------------------------------------------- analytic variance
def _density(sample: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Gaussian kernel density of ``sample`` at ``points``, Silverman's (1986) rule-of-thumb
    bandwidth ``0.9 min(sd, IQR/1.34) n^(-1/5)``."""
    n = len(sample)
    sd = float(np.std(sample, ddof=1))
    iqr = float(np.subtract(*np.quantile(sample, [0.75, 0.25])))
    spread = min(sd, iqr / 1.34) if iqr > 0 else sd
    h = 0.9 * spread * n ** (-0.2)
    if not h > 0:
        return np.full(np.shape(points), np.nan)
    out = np.empty(len(np.atleast_1d(points)))
    pts = np.atleast_1d(points)
    for start in range(0, len(pts), 512):  # bounded memory for large samples
        block = (pts[start : start + 512, None] - sample[None, :]) / h
        out[start : start + 512] = np.exp(-0.5 * block**2).sum(axis=1)
    return out / (n * h * np.sqrt(2 * np.pi))


def cic_analytic_se(
    y00: np.ndarray,
    y01: np.ndarray,
    y10: np.ndarray,
    y11: np.ndarray,
    quantiles: np.ndarray,
    method: str = "inverted_cdf",
) -> tuple[np.ndarray, float]:
    """Standard errors of the quantile effects and of the average effect, four independent
    cells (Athey and Imbens 2006, Theorems 5.1 and 5.2), kernel densities (:func:`_density`).

    Quantile ``q``, with ``z = F10^{-1}(q)``, ``u = F00(z)``, ``w = F01^{-1}(u)``:
    ``V = q(1-q)/(N11 f11^2) + (f00(z)/f01(w))^2 q(1-q)/(N10 f10(z)^2)
    + u(1-u)/(N00 f01(w)^2) + u(1-u)/(N01 f01(w)^2)``. Average: the four influence
    functions ``s, r, p, q`` of Theorem 5.1 (``p`` and ``q`` by sorted cumulative sums).
    """
    s00, s01, s10, s11 = (np.sort(np.asarray(v, dtype=float)) for v in (y00, y01, y10, y11))
    n00, n01, n10, n11 = len(s00), len(s01), len(s10), len(s11)
    q = np.asarray(quantiles, dtype=float)
    z = _quantile(s10, q, method)
    u = _ecdf(s00, z)
    w = _quantile(s01, u, method)
    q11 = _quantile(s11, q, method)
    f01w = _density(s01, w)
    var_q = (
        q * (1 - q) / (n11 * _density(s11, q11) ** 2)
        + (_density(s00, z) / f01w) ** 2 * q * (1 - q) / (n10 * _density(s10, z) ** 2)
        + u * (1 - u) / (n00 * f01w**2)
        + u * (1 - u) / (n01 * f01w**2)
    )
    # average effect: influence functions of Theorem 5.1
    f00_y10 = _ecdf(s00, s10)
    h = _quantile(s01, f00_y10, method)  # counterfactual of each treated pre-period unit
    c = 1.0 / _density(s01, h)
    a = float(np.sum(c * f00_y10))
    # p(y) = mean_j c_j (1{y <= y10_j} - F00(y10_j)): the sum of c_j over y10_j >= y
    tail = np.concatenate([np.cumsum(c[::-1])[::-1], [0.0]])  # s10 sorted, so h and c too
    p = (tail[np.searchsorted(s10, s00, side="left")] - a) / n10
    order = np.argsort(h, kind="stable")
    h_sorted, c_sorted = h[order], c[order]
    tail_h = np.concatenate([np.cumsum(c_sorted[::-1])[::-1], [0.0]])
    qq = (tail_h[np.searchsorted(h_sorted, s01, side="left")] - a) / n10
    var_mean = (
        np.var(s11) / n11
        + np.var(h) / n10
        + np.mean((p - p.mean()) ** 2) / n00
        + np.mean((qq - qq.mean()) ** 2) / n01
    )
    return np.sqrt(var_q), float(np.sqrt(var_mean))


# --------------------------------------------------------------------------- the data
def _periods(value: int | float | Sequence[int | float], name: str) -> list[int | float]:
    values = [value] if np.isscalar(value) else list(value)  # type: ignore[arg-type]
    if not values:
        raise ValueError(f"{WHERE}: {name}= names no period; give one period or several")
    out = [float(v) for v in values]
    return [int(v) if v.is_integer() else v for v in out]


def _unit_table(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    pre: list[float],
    post: list[float],
    cluster: str | None,
) -> pd.DataFrame:
    """One row per unit: group, cluster, mean outcome over the pre and the post periods."""
    y = numeric_column(data, outcome, WHERE)
    if np.isinf(y).any():
        bad = np.flatnonzero(np.isinf(y))[:5]
        raise ValueError(
            f"{WHERE}: outcome {outcome!r} has infinite values in rows {data.index[bad].tolist()}"
        )
    t = numeric_column(data, time, WHERE)
    g_raw = data[group]
    if g_raw.isna().any():
        bad = np.flatnonzero(g_raw.isna().to_numpy())[:5]
        raise ValueError(
            f"{WHERE}: column {group!r} (group) is missing in rows {data.index[bad].tolist()}"
        )
    g = binary_column(data, group, WHERE)
    frame = pd.DataFrame({"unit": data[unit].to_numpy(), "g": g, "t": t, "y": y})
    varying = frame.groupby("unit", sort=False)["g"].nunique()
    if (varying > 1).any():
        units = varying.index[varying > 1][:5].tolist()
        rows = data.index[frame["unit"].isin(units).to_numpy()][:5].tolist()
        raise ValueError(
            f"{WHERE}: column {group!r} (group) must be constant within a unit; it changes for "
            f"units {units} (rows {rows}); give the ever-treated indicator"
        )
    if cluster is not None:
        frame["cl"] = data[cluster].to_numpy()
        if frame["cl"].isna().any():
            bad = np.flatnonzero(frame["cl"].isna().to_numpy())[:5]
            raise ValueError(
                f"{WHERE}: cluster column {cluster!r} is missing in rows {data.index[bad].tolist()}"
            )
        split = frame.groupby("unit", sort=False)["cl"].nunique()
        if (split > 1).any():
            raise ValueError(
                f"{WHERE}: cluster column {cluster!r} must be constant within a unit; it "
                f"changes for units {split.index[split > 1][:5].tolist()}"
            )
    units = frame.groupby("unit", sort=False).agg(
        g=("g", "first"), **({"cl": ("cl", "first")} if cluster is not None else {})
    )
    for name, periods in (("pre", pre), ("post", post)):
        part = frame[frame["t"].isin(periods) & frame["y"].notna()]
        units[name] = part.groupby("unit", sort=False)["y"].mean()
    return units.reset_index()


def _cells(units: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    g, pre, post = units["g"].to_numpy(), units["pre"].to_numpy(), units["post"].to_numpy()
    y00, y01 = pre[(g == 0) & ~np.isnan(pre)], post[(g == 0) & ~np.isnan(post)]
    y10, y11 = pre[(g == 1) & ~np.isnan(pre)], post[(g == 1) & ~np.isnan(post)]
    return y00, y01, y10, y11


# --------------------------------------------------------------------------- the estimator
def changes_in_changes(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    *,
    pre: int | Sequence[int],
    post: int | Sequence[int],
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    inference: Literal["bootstrap", "analytic"] = "bootstrap",
    replications: int = 499,
    seed: int | None = None,
    cluster: str | None = None,
    alpha: float = 0.05,
    quantile_method: QuantileMethod = "inverted_cdf",
) -> EstimationResult:
    """Changes-in-changes quantile and average effects on the treated, 2 groups x 2 periods.

    Parameters
    ----------
    data : long panel (or repeated cross-sections: a unit observed in one period only enters
        that period's cell).
    outcome, unit, time : outcome (continuous), unit id and period columns.
    group : 1 = treated group (e.g. ever a participant), 0 = comparison; constant per unit.
    pre, post : the pre and post period(s); several periods are averaged per unit first.
    quantiles : quantiles of the treated group's outcome distribution (default 0.1 ... 0.9).
    inference : ``"bootstrap"`` over units (or clusters) or ``"analytic"`` (independent cells;
        see the module docstring).
    replications, seed : bootstrap draws (at least 19) and the seed of the draws.
    cluster : resample whole clusters (a column constant within unit) instead of units.
    alpha : 1 - confidence level of the normal intervals.
    quantile_method : ``"inverted_cdf"`` (Athey-Imbens) or ``"linear"``.

    Returns
    -------
    An :class:`EstimationResult` with terms ``q=0.10`` ... and ``cic_mean``; extra columns
    ``quantile`` (NaN for the mean), ``observed`` (treated post-period quantile, or mean) and
    ``counterfactual``. ``info`` holds the cell sizes, the periods, the bootstrap draws
    (``draws``, replications x terms) and ``outside_support``.

    Examples
    --------
    mpdta, counties first treated in 2007 against never-treated counties, 2006 -> 2007:

    >>> import pandas as pd
    >>> d = pd.read_csv("tests/data/mpdta.csv").query("`first.treat` in (0, 2007)")
    >>> d = d.assign(treated=(d["first.treat"] == 2007).astype(int))
    >>> cic = changes_in_changes(d, "lemp", "countyreal", "year", "treated", pre=2006,
    ...                          post=2007, quantiles=[0.25, 0.5, 0.75], replications=199, seed=1)
    >>> cols = ["term", "estimate", "std_error", "observed", "counterfactual"]
    >>> print(cic.tidy()[cols].round(3).to_string(index=False))
        term  estimate  std_error  observed  counterfactual
      q=0.25    -0.034      0.080     4.970           5.004
      q=0.50    -0.118      0.066     5.714           5.832
      q=0.75    -0.071      0.062     6.765           6.836
    cic_mean    -0.018      0.022     5.820           5.838
    """
    qs = _check_options(quantiles, inference, replications, alpha, quantile_method)
    pre_p, post_p = _periods(pre, "pre"), _periods(post, "post")
    if set(pre_p) & set(post_p):
        raise ValueError(
            f"{WHERE}: pre= and post= share period(s) {sorted(set(pre_p) & set(post_p))}"
        )
    check_columns(data, [outcome, unit, time, group, *([cluster] if cluster else [])], WHERE)
    units = _unit_table(data, outcome, unit, time, group, pre_p, post_p, cluster)
    cells = _cells(units)
    sizes = _check_cell_sizes(cells, outcome, group, time, pre_p, post_p)
    point = cic_point(*cells, qs, quantile_method)
    terms = [quantile_term(q) for q in qs] + [MEAN_TERM]
    estimates = np.append(point["qte"], point["mean"])
    info: dict = {
        "cells": sizes,
        "pre": pre_p,
        "post": post_p,
        "quantile_method": quantile_method,
        "outside_support": point["outside"],
    }
    if inference == "bootstrap":
        se, vcov, vcov_type, n_clusters, notes = _bootstrap_inference(
            units, cells, qs, terms, quantile_method, replications, seed, cluster, info
        )
    else:
        se, vcov, vcov_type, n_clusters, notes = _analytic_inference(cells, qs, quantile_method)
    notes += _sample_notes(pre_p, post_p, point["outside"])
    table = _cic_table(terms, estimates, se, qs, point, cells[3], alpha)
    used = data[data[time].isin(pre_p + post_p) & data[outcome].notna()]
    spec = make_spec(
        "changes_in_changes",
        data,
        outcome,
        {"unit": unit, "time": time, "group": group, "cluster": cluster},
        {
            "pre": pre_p,
            "post": post_p,
            "quantiles": qs.tolist(),
            "inference": inference,
            "replications": replications if inference == "bootstrap" else None,
            "seed": seed,
            "alpha": alpha,
            "quantile_method": quantile_method,
        },
        nobs=len(used),
    )
    return EstimationResult(
        estimator="changes_in_changes",
        table=table,
        nobs=len(used),
        vcov=vcov,
        vcov_type=vcov_type,
        n_clusters=n_clusters,
        outcome=outcome,
        notes=notes,
        info=info,
        spec=spec,
    )


def _check_options(
    quantiles: Sequence[float],
    inference: str,
    replications: int,
    alpha: float,
    quantile_method: str,
) -> np.ndarray:
    """Validate the scalar options of :func:`changes_in_changes`; return the quantiles."""
    if quantile_method not in ("inverted_cdf", "linear"):
        raise ValueError(
            f"{WHERE}: quantile_method must be 'inverted_cdf' or 'linear', got {quantile_method!r}"
        )
    if inference not in ("bootstrap", "analytic"):
        raise ValueError(f"{WHERE}: inference must be 'bootstrap' or 'analytic', got {inference!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"{WHERE}: alpha must lie in (0, 1), got {alpha}")
    qs = np.asarray(list(quantiles), dtype=float)
    if qs.size == 0 or not ((qs > 0) & (qs < 1)).all():
        raise ValueError(f"{WHERE}: quantiles must lie strictly between 0 and 1, got {list(qs)}")
    if inference == "bootstrap" and replications < 19:
        raise ValueError(f"{WHERE}: replications must be at least 19, got {replications}")
    return qs


def _check_cell_sizes(
    cells: tuple[np.ndarray, ...],
    outcome: str,
    group: str,
    time: str,
    pre_p: list,
    post_p: list,
) -> dict[str, int]:
    """Units per group x period cell; an error naming the cells with fewer than ``MIN_CELL``."""
    names = {"y00": "comparison, pre", "y01": "comparison, post", "y10": "treated, pre",
             "y11": "treated, post"}  # fmt: skip
    sizes = {k: len(v) for k, v in zip(names, cells, strict=True)}
    thin = {names[k]: n for k, n in sizes.items() if n < MIN_CELL}
    if thin:
        raise ValueError(
            f"{WHERE}: too few units with an observed {outcome!r} in cell(s) {thin} (need at "
            f"least {MIN_CELL}; group column {group!r}, periods pre={pre_p}, post={post_p} of "
            f"column {time!r})"
        )
    return sizes


def _bootstrap_inference(
    units: pd.DataFrame,
    cells: tuple[np.ndarray, ...],
    qs: np.ndarray,
    terms: list[str],
    quantile_method: str,
    replications: int,
    seed: int | None,
    cluster: str | None,
    info: dict,
) -> tuple[np.ndarray, pd.DataFrame, str, int | None, list[str]]:
    """Bootstrap standard errors and covariance; stores the draws in ``info["draws"]``."""
    notes: list[str] = []
    draws, failed = _bootstrap(units, qs, quantile_method, replications, seed, cluster)
    if failed:
        notes.append(f"{failed} of {replications} bootstrap draws left a cell empty; dropped")
    se = draws.std(axis=0, ddof=1)
    vcov = pd.DataFrame(np.cov(draws, rowvar=False), index=terms, columns=terms)
    info["draws"] = draws
    what = f"clusters of {cluster!r}" if cluster else "units within group"
    vcov_type = f"bootstrap over {what} ({replications} draws)"
    n_clusters = int(units["cl"].nunique()) if cluster else None
    return se, vcov, vcov_type, n_clusters, notes


def _analytic_inference(
    cells: tuple[np.ndarray, ...], qs: np.ndarray, quantile_method: str
) -> tuple[np.ndarray, None, str, None, list[str]]:
    """Athey-Imbens analytic standard errors (independent cells), with their note."""
    se_q, se_mean = cic_analytic_se(*cells, qs, quantile_method)
    se = np.append(se_q, se_mean)
    vcov_type = "analytic (Athey-Imbens 2006, independent cells, kernel densities)"
    notes = [
        "analytic standard errors treat the four cells as independent samples; with panel "
        "data use the bootstrap"
    ]
    return se, None, vcov_type, None, notes


def _sample_notes(pre_p: list, post_p: list, outside: float) -> list[str]:
    """Notes on averaged periods and on treated pre-period outcomes outside the support."""
    notes: list[str] = []
    if len(pre_p) > 1 or len(post_p) > 1:
        notes.append(
            f"outcomes averaged per unit over the pre period(s) {pre_p} and post period(s) {post_p}"
        )
    if outside > 0:
        notes.append(
            f"{outside:.1%} of the treated group's pre-period outcomes lie outside the "
            "comparison group's pre-period range: their counterfactual is clamped at its extremes"
        )
    return notes


def _cic_table(
    terms: list[str],
    estimates: np.ndarray,
    se: np.ndarray,
    qs: np.ndarray,
    point: dict,
    y11: np.ndarray,
    alpha: float,
) -> pd.DataFrame:
    """The tidy table with the quantile, observed and counterfactual columns."""
    return tidy_frame(
        terms,
        estimates,
        se,
        alpha=alpha,
        extra={
            "quantile": [*qs.tolist(), np.nan],
            "observed": [*point["observed"].tolist(), float(y11.mean())],
            "counterfactual": [
                *point["counterfactual"].tolist(),
                float(y11.mean() - point["mean"]),
            ],
        },
    )


def _bootstrap(
    units: pd.DataFrame,
    qs: np.ndarray,
    method: str,
    replications: int,
    seed: int | None,
    cluster: str | None,
) -> tuple[np.ndarray, int]:
    """Bootstrap draws (replications x (quantiles + 1)); draws with an empty cell are dropped
    (their count returned)."""
    rng = np.random.default_rng(seed)
    g = units["g"].to_numpy()
    pre, post = units["pre"].to_numpy(), units["post"].to_numpy()
    if cluster is None:
        blocks = [np.flatnonzero(g == v) for v in (0.0, 1.0)]
    else:
        codes, _ = pd.factorize(units["cl"])
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(codes.max() + 2))
        members = [order[bounds[i] : bounds[i + 1]] for i in range(codes.max() + 1)]
    out = np.full((replications, len(qs) + 1), np.nan)
    failed = 0
    for r in range(replications):
        if cluster is None:
            idx = np.concatenate([b[rng.integers(0, len(b), len(b))] for b in blocks])
        else:
            pick = rng.integers(0, len(members), len(members))
            idx = np.concatenate([members[i] for i in pick])
        gi, a, b = g[idx], pre[idx], post[idx]
        y00, y01 = a[(gi == 0) & ~np.isnan(a)], b[(gi == 0) & ~np.isnan(b)]
        y10, y11 = a[(gi == 1) & ~np.isnan(a)], b[(gi == 1) & ~np.isnan(b)]
        if min(len(y00), len(y01), len(y10), len(y11)) < 1:
            failed += 1
            continue
        point = cic_point(y00, y01, y10, y11, qs, method)
        out[r, :-1], out[r, -1] = point["qte"], point["mean"]
    return out[~np.isnan(out).any(axis=1)], failed
