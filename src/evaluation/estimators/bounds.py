"""Attrition: differential attrition tests and Lee (2009) trimming bounds.

Lee bounds: with monotone selection (participation never makes a firm less likely to answer),
the effect on the firms that would answer either way is bounded by trimming the group with the
higher response rate by ``p = (q_hi - q_lo) / q_hi`` from above (lower bound) or below (upper
bound). Standard errors are Lee's (2009, Proposition 3) analytic ones, which add to the
sampling variance of the trimmed mean those of the trimming quantile and of ``p``; with
``covariates`` the bounds are tightened by trimming within cells of the (discrete) covariates
and averaging with the cell shares of the always-observed (Lee 2009, sec. 4), and SEs come from
a bootstrap. A cluster bootstrap (resampling whole clusters) is available for either. The
confidence interval for the effect itself is Imbens & Manski's (2004).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .inputs import renamed
from .results import EstimationResult, tidy_frame


def _trimmed_mean(y: np.ndarray, p: float, keep: str) -> tuple[float, float, float]:
    """Mean of ``y`` after removing the share ``p`` from the bottom (keep='upper') or top.

    Fractional weight on the boundary observation makes the trimmed share exactly ``p``.
    Returns (mean, variance of the kept part, quantile at the cut).
    """
    ys = np.sort(y)
    n = ys.size
    cut = p * n
    w = (
        np.clip(np.arange(1, n + 1) - cut, 0.0, 1.0)
        if keep == "upper"
        else np.clip((n - cut) - np.arange(n), 0.0, 1.0)
    )
    mean = float(np.sum(w * ys) / w.sum())
    var = float(np.sum(w * (ys - mean) ** 2) / w.sum())
    q = float(np.quantile(ys, p if keep == "upper" else 1 - p))
    return mean, var, q


def _bounds_core(y: np.ndarray, d: np.ndarray, s: np.ndarray) -> dict[str, Any]:
    """Lee bounds and analytic SEs for one sample (no covariates)."""
    n1, n0 = int(d.sum()), int((1 - d).sum())
    q1 = s[d == 1].mean()
    q0 = s[d == 0].mean()
    if min(q1, q0) == 0:
        raise ValueError("lee_bounds: a group has no observed outcomes")
    y1 = y[(d == 1) & (s == 1)]
    y0 = y[(d == 0) & (s == 1)]
    trim_treated = q1 >= q0
    p = (q1 - q0) / q1 if trim_treated else (q0 - q1) / q0
    trimmed, other = (y1, y0) if trim_treated else (y0, y1)
    lo_mean, lo_var, lo_q = _trimmed_mean(trimmed, p, "lower")  # top trimmed
    hi_mean, hi_var, hi_q = _trimmed_mean(trimmed, p, "upper")  # bottom trimmed
    other_mean = float(other.mean())
    other_var = float(other.var(ddof=1)) / other.size
    # Var(p_hat): p = 1 - q_lo / q_hi
    q_hi, q_lo = (q1, q0) if trim_treated else (q0, q1)
    n_hi, n_lo = (n1, n0) if trim_treated else (n0, n1)
    var_p = (1 - p) ** 2 * ((1 - q_hi) / (q_hi * n_hi) + (1 - q_lo) / (q_lo * n_lo))
    m = trimmed.size

    def var_trim(mean: float, var: float, q: float) -> float:
        fixed = (var + (mean - q) ** 2 * p) / ((1 - p) * m)
        return fixed + ((mean - q) / (1 - p)) ** 2 * var_p

    if trim_treated:
        lower, upper = lo_mean - other_mean, hi_mean - other_mean
        se_l = np.sqrt(var_trim(lo_mean, lo_var, lo_q) + other_var)
        se_u = np.sqrt(var_trim(hi_mean, hi_var, hi_q) + other_var)
    else:
        lower, upper = other_mean - hi_mean, other_mean - lo_mean
        se_l = np.sqrt(var_trim(hi_mean, hi_var, hi_q) + other_var)
        se_u = np.sqrt(var_trim(lo_mean, lo_var, lo_q) + other_var)
    return {
        "lower": lower, "upper": upper, "se_lower": float(se_l), "se_upper": float(se_u),
        "p": p, "q1": q1, "q0": q0, "trimmed_group": "treated" if trim_treated else "control",
    }  # fmt: skip


def _bounds_cells(
    y: np.ndarray, d: np.ndarray, s: np.ndarray, cells: np.ndarray
) -> tuple[float, float]:
    """Tightened bounds: cell-wise bounds weighted by the always-observed cell shares."""
    lower = upper = 0.0
    weights = []
    parts = []
    for c in np.unique(cells):
        k = cells == c
        if (d[k] == 1).sum() == 0 or (d[k] == 0).sum() == 0:
            raise ValueError(f"lee_bounds: covariate cell {c!r} lacks treated or control units")
        b = _bounds_core(y[k], d[k], s[k])
        # always-observed in cell: n_cell * min(q1, q0) (monotonicity, random assignment)
        weights.append(k.sum() * min(b["q1"], b["q0"]))
        parts.append((b["lower"], b["upper"]))
    w = np.asarray(weights) / np.sum(weights)
    lower = float(np.sum(w * [lo for lo, _ in parts]))
    upper = float(np.sum(w * [hi for _, hi in parts]))
    return lower, upper


def _imbens_manski(
    lower: float, upper: float, se_l: float, se_u: float, alpha: float
) -> tuple[float, float]:
    """Imbens-Manski (2004) confidence interval for a partially identified effect."""
    from scipy import optimize, stats

    width = max(upper - lower, 0.0)
    sd = max(se_l, se_u)
    if sd == 0:
        return lower, upper

    def gap(c: float) -> float:
        return stats.norm.cdf(c + width / sd) - stats.norm.cdf(-c) - (1 - alpha)

    c = optimize.brentq(gap, 0.0, stats.norm.ppf(1 - alpha / 2) + 1.0)
    return lower - c * se_l, upper + c * se_u


def lee_bounds(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    observed: str,
    covariates: str | Sequence[str] | None = None,
    cluster: str | None = None,
    *,
    replications: int = 499,
    seed: int = 0,
    alpha: float = 0.05,
    reps: int | None = None,
) -> EstimationResult:
    """Lee (2009) trimming bounds on the effect for always-observed units.

    Parameters
    ----------
    data : one row per unit: the (post-period) outcome, a 0/1 treatment and a 0/1 indicator of
        the outcome being observed (responded). Rows with ``observed == 0`` may have any outcome.
    covariates : discrete column(s) defining cells for tightened bounds (bootstrap SEs).
    cluster : resample whole clusters for the SEs (pairs cluster bootstrap, ``replications`` draws).
    replications, seed, alpha : bootstrap draws, their seed and the interval level
        (``reps`` is the deprecated name of ``replications``).

    Returns
    -------
    EstimationResult with rows ``lower`` and ``upper`` (each with its SE and pointwise
    interval) and ``identified_set`` (the Imbens-Manski interval for the effect).
    ``info`` holds the trimming share ``p``, response rates and which group was trimmed.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"t": rng.integers(0, 2, 400)})
    >>> d["obs"] = (rng.random(400) < 0.7 + 0.1 * d["t"]).astype(int)  # treatment raises response
    >>> d["y"] = np.where(d["obs"] == 1, 0.3 * d["t"] + rng.normal(size=400), np.nan)
    >>> res = lee_bounds(d, "y", "t", "obs", replications=99, seed=1)
    >>> print(res.tidy()[["term", "estimate", "conf_low", "conf_high"]].round(3).to_string(index=False))
              term  estimate  conf_low  conf_high
             lower     0.213    -0.074      0.500
             upper     0.499     0.203      0.794
    identified_set       NaN    -0.028      0.747
    """
    where = "lee_bounds"
    reps = renamed(where, "replications", replications, "reps", reps, 499)
    covs = [covariates] if isinstance(covariates, str) else list(covariates or [])
    y, d, s = _lee_arrays(data, outcome, treatment, observed, covs, cluster)
    cells = data[covs].astype(str).agg("|".join, axis=1).to_numpy() if covs else None
    core = _bounds_core(y, d, s)
    lower, upper = core["lower"], core["upper"]
    se_l, se_u = core["se_lower"], core["se_upper"]
    vtype = "Lee (2009) analytic"
    notes = [
        f"trimmed {core['trimmed_group']} group by p = {core['p']:.4f} "
        f"(response {core['q1']:.3f} treated vs {core['q0']:.3f} control); assumes monotone "
        "selection"
    ]
    if cells is not None:
        lower, upper = _bounds_cells(y, d, s, cells)
        notes.append(f"tightened by cells of {covs}")
    if cells is not None or cluster is not None:
        draws = _bootstrap_bounds(data, y, d, s, cells, cluster, reps, seed)
        se_l, se_u = draws.std(axis=0, ddof=1)
        vtype = f"{'cluster ' if cluster else ''}bootstrap ({len(draws)} draws, seed {seed})"
        if cluster:
            vtype += f" by {cluster}"
    table = tidy_frame(["lower", "upper"], [lower, upper], [se_l, se_u], alpha=alpha)
    im = _imbens_manski(lower, upper, se_l, se_u, alpha)
    extra = pd.DataFrame(
        {"term": ["identified_set"], "estimate": [np.nan], "std_error": [np.nan],
         "statistic": [np.nan], "p_value": [np.nan], "conf_low": [im[0]], "conf_high": [im[1]]}
    )  # fmt: skip
    table = pd.concat([table, extra], ignore_index=True)
    notes.append("identified_set: Imbens-Manski (2004) interval covering the effect")
    return EstimationResult(
        estimator="lee_bounds",
        table=table,
        nobs=len(data),
        vcov_type=vtype,
        n_clusters=int(data[cluster].nunique()) if cluster else None,
        outcome=outcome,
        notes=notes,
        info={k: core[k] for k in ("p", "q1", "q0", "trimmed_group")},
    )


def _lee_arrays(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    observed: str,
    covs: list[str],
    cluster: str | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outcome (0 where not observed), treatment and response indicator, checked: columns
    present and complete, 0/1 indicators, an outcome wherever it is observed."""
    where = "lee_bounds"
    cols = [treatment, observed, *covs, *([cluster] if cluster else [])]
    missing = [c for c in [outcome, *cols] if c not in data.columns]
    if missing:
        raise ValueError(f"{where}: columns {missing} not in data")
    bad = data[cols].isna().any(axis=1)
    if bad.any():
        raise ValueError(f"{where}: missing values in {cols} at rows {list(data.index[bad][:10])}")
    d = data[treatment].to_numpy(float)
    s = data[observed].to_numpy(float)
    for name, v in ((treatment, d), (observed, s)):
        if not np.isin(v, (0, 1)).all():
            rows = list(data.index[~np.isin(v, (0, 1))][:10])
            raise ValueError(f"{where}: column {name!r} must be 0/1; rows {rows} are not")
    y = pd.to_numeric(data[outcome], errors="coerce").to_numpy(float)
    miss_y = (s == 1) & ~np.isfinite(y)
    if miss_y.any():
        rows = list(data.index[miss_y][:10])
        raise ValueError(f"{where}: {outcome!r} missing where {observed!r} == 1 (rows {rows})")
    return np.where(s == 1, y, 0.0), d, s


def _bootstrap_bounds(
    data: pd.DataFrame,
    y: np.ndarray,
    d: np.ndarray,
    s: np.ndarray,
    cells: np.ndarray | None,
    cluster: str | None,
    reps: int,
    seed: int,
) -> np.ndarray:
    """Bootstrap draws (draws x 2) of the (cell-tightened) bounds, resampling units or whole
    clusters; draws where a bound is undefined are skipped."""
    rng = np.random.default_rng(seed)
    if cluster is not None:
        codes = pd.factorize(data[cluster])[0]
        groups = [np.flatnonzero(codes == g) for g in range(codes.max() + 1)]
    else:
        groups = [np.array([i]) for i in range(len(data))]
    draws = []
    for _ in range(reps):
        idx = np.concatenate([groups[g] for g in rng.integers(0, len(groups), len(groups))])
        try:
            if cells is not None:
                draws.append(_bounds_cells(y[idx], d[idx], s[idx], cells[idx]))
            else:
                b = _bounds_core(y[idx], d[idx], s[idx])
                draws.append((b["lower"], b["upper"]))
        except ValueError:
            continue
    return np.asarray(draws)


def differential_attrition(
    data: pd.DataFrame,
    observed: str,
    treatment: str,
    covariates: Sequence[str] = (),
    cluster: str | None = None,
) -> EstimationResult:
    """Tests of differential attrition: response on treatment, and on treatment x covariates.

    Row ``treatment``: difference in response rates (linear probability model); rows
    ``treatment:x``: whether attrition is selective differently by group on baseline ``x``;
    ``joint`` (in ``info``): Wald test that all treatment terms are zero. CRV1 by ``cluster``
    with t(G - 1) inference (statsmodels' cluster-robust covariance, which applies fixest's
    G/(G-1) (N-1)/(N-K) correction).
    """
    from statsmodels.regression.linear_model import OLS

    cols = [observed, treatment, *covariates, *([cluster] if cluster else [])]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ValueError(f"differential_attrition: columns {missing} not in data")
    frame = data[cols].dropna()
    dropped = len(data) - len(frame)
    x = pd.DataFrame({"const": 1.0, treatment: frame[treatment].astype(float)})
    for c in covariates:
        xc = frame[c].astype(float) - frame[c].astype(float).mean()
        x[c] = xc
        x[f"{treatment}:{c}"] = xc * x[treatment]
    y = frame[observed].astype(float)
    if cluster:
        groups = pd.factorize(frame[cluster])[0]
        fit = OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
        df = int(groups.max())
    else:
        fit = OLS(y, x).fit(cov_type="HC1", use_t=True)
        df = int(fit.df_resid)
    terms = [t for t in x.columns if t != "const"]
    table = tidy_frame(terms, fit.params[terms], fit.bse[terms], df=df)
    treat_terms = [t for t in terms if t == treatment or t.startswith(f"{treatment}:")]
    r = np.zeros((len(treat_terms), x.shape[1]))
    for i, t in enumerate(treat_terms):
        r[i, list(x.columns).index(t)] = 1.0
    wald = fit.f_test(r)
    notes = [
        f"linear probability model of {observed}; {'CRV1 by ' + cluster if cluster else 'HC1'}"
    ]
    if dropped:
        notes.append(f"{dropped} rows with missing values dropped")
    return EstimationResult(
        estimator="differential_attrition",
        table=table,
        nobs=len(frame),
        vcov_type=f"CRV1 by {cluster}" if cluster else "HC1",
        n_clusters=int(frame[cluster].nunique()) if cluster else None,
        outcome=observed,
        notes=notes,
        info={
            "joint_F": float(np.squeeze(wald.fvalue)),
            "joint_p": float(wald.pvalue),
            "response_treated": float(y[frame[treatment] == 1].mean()),
            "response_control": float(y[frame[treatment] == 0].mean()),
        },
    )
