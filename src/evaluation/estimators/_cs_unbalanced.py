"""Callaway-Sant'Anna on unbalanced panels: R ``did``'s ``allow_unbalanced_panel = TRUE``.

Each ATT(g,t) is a repeated-cross-section 2x2 on the observations of cohort g and of the
comparison group in the two periods (DRDID ``drdid_rc``, ``std_ipw_did_rc``, ``reg_did_rc``;
covariates and weights of each observation's own period). Its influence function, one entry
per observation and rescaled by n / n_gt (n = units, n_gt = observations in the cell), is
summed by unit, as R does (``rowsum`` by id); aggregation weights are the units' mean weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._cs_estimators import PS_CAP, TRIM_LEVEL, EstimationFailure, _well_conditioned


@dataclass
class LongPanel:
    """Observations of an unbalanced panel (one row per unit and observed period)."""

    unit: np.ndarray  # unit code per row (0..n-1)
    period: np.ndarray  # period index per row
    y: np.ndarray
    x: np.ndarray  # rows x k design with intercept
    w: np.ndarray  # row weights
    cohort_row: np.ndarray
    cohort: np.ndarray  # per unit
    unit_weights: np.ndarray  # per unit: mean of its rows' weights (R aggregates by id)


def _wls_fit(x, y, w, rows, what):
    xs, ws = x[rows], w[rows]
    if len(xs) == 0:
        raise EstimationFailure(f"{what}: no observations")
    gram = (xs * ws[:, None]).T @ xs
    if not _well_conditioned(gram):
        raise EstimationFailure(f"{what}: singular design")
    return x @ np.linalg.solve(gram, xs.T @ (ws * y[rows]))


def _lin_rep(x, y, fitted, w_ols):
    n = len(y)
    xpx = (x * w_ols[:, None]).T @ x / n
    if not _well_conditioned(xpx):
        raise EstimationFailure("outcome regression design matrix is singular")
    return (w_ols * (y - fitted))[:, None] * x @ np.linalg.inv(xpx)


def _logit(x, d, w):
    """Propensity scores of the 2x2 (separation-safe: rows of indicator levels without
    treated rows get 0) and the design columns kept, after R did's overlap guard."""
    from .doubly_robust import _logit_scores_separated

    # R did's overlap guard uses an unweighted logit
    guard, _ = _logit_scores_separated(x, d, np.ones(len(d)))
    if guard.max(initial=0) >= 0.999:
        raise EstimationFailure("overlap condition violated (propensity score >= 0.999)")
    ps, keep = _logit_scores_separated(x, d, w)
    return np.minimum(ps, PS_CAP), keep


def reg_did_rc(y, post, d, x, w):
    """DRDID::reg_did_rc: ATT and influence function (weights normalized to mean one)."""
    out_pre = _wls_fit(x, y, w, (d == 0) & (post == 0), "comparison, pre")
    out_post = _wls_fit(x, y, w, (d == 0) & (post == 1), "comparison, post")
    w_tpre, w_tpost, w_c = w * d * (1 - post), w * d * post, w * d
    for v in (w_tpre, w_tpost):
        if v.sum() <= 0:
            raise EstimationFailure("no treated observations in a period")
    eta_tpre = np.mean(w_tpre * y) / np.mean(w_tpre)
    eta_tpost = np.mean(w_tpost * y) / np.mean(w_tpost)
    att_c = w_c * (out_post - out_pre)
    eta_c = np.mean(att_c) / np.mean(w_c)
    att = (eta_tpost - eta_tpre) - eta_c
    lin_pre = _lin_rep(x, y, out_pre, w * (1 - d) * (1 - post))
    lin_post = _lin_rep(x, y, out_post, w * (1 - d) * post)
    inf_treat = (w_tpost * y - w_tpost * eta_tpost) / np.mean(w_tpost) - (
        w_tpre * y - w_tpre * eta_tpre
    ) / np.mean(w_tpre)
    m1 = np.mean(w_c[:, None] * x, axis=0)
    inf_control = (att_c - w_c * eta_c + lin_post @ m1 - lin_pre @ m1) / np.mean(w_c)
    return float(att), inf_treat - inf_control


def std_ipw_did_rc(y, post, d, x, w):
    """DRDID::std_ipw_did_rc (Hajek-normalized IPW)."""
    n = len(y)
    ps, keep = _logit(x, d, w)
    trim = np.where(d == 0, ps < TRIM_LEVEL, True)
    w_tpre, w_tpost = trim * w * d * (1 - post), trim * w * d * post
    w_cpre = trim * w * ps * (1 - d) * (1 - post) / (1 - ps)
    w_cpost = trim * w * ps * (1 - d) * post / (1 - ps)
    parts = {}
    for name, wt in (("tpre", w_tpre), ("tpost", w_tpost), ("cpre", w_cpre), ("cpost", w_cpost)):
        if wt.sum() <= 0:
            raise EstimationFailure("an empty group-period in the 2x2")
        eta = wt * y / np.mean(wt)
        a = np.mean(eta)
        parts[name] = (eta - wt * a / np.mean(wt), a, wt)
    att = (parts["tpost"][1] - parts["tpre"][1]) - (parts["cpost"][1] - parts["cpre"][1])
    from .doubly_robust import _ps_information_inverse

    lin_ps = ((w * (d - ps))[:, None] * x) @ (_ps_information_inverse(x, ps, w, keep) * n)
    m2 = {
        k: np.mean((parts[k][2] * (y - parts[k][1]))[:, None] * x, axis=0) / np.mean(parts[k][2])
        for k in ("cpre", "cpost")
    }
    inf_treat = parts["tpost"][0] - parts["tpre"][0]
    inf_cont = parts["cpost"][0] - parts["cpre"][0] + lin_ps @ (m2["cpost"] - m2["cpre"])
    return float(att), inf_treat - inf_cont


def drdid_rc(y, post, d, x, w):
    """DRDID::drdid_rc (its influence function, as R ``did`` uses it)."""
    from .doubly_robust import _trad_rc

    _logit(x, d, w)  # R's overlap guard (the scores are recomputed inside)
    return _trad_rc(y, post, d, x, w)


ESTIMATORS = {"dr": drdid_rc, "ipw": std_ipw_did_rc, "reg": reg_did_rc}


def cell(
    long: LongPanel,
    method: str,
    g: float,
    cur: int,
    base: int,
    control: np.ndarray,
    n_units: int,
) -> tuple[float, np.ndarray]:
    """ATT(g,t) and its unit-level influence function (length n_units) on an unbalanced panel.

    ``control`` flags the comparison cohorts per row (never, or not yet treated).
    """
    rows = ((long.period == cur) | (long.period == base)) & ((long.cohort_row == g) | control)
    idx = np.flatnonzero(rows)
    d = (long.cohort_row[idx] == g).astype(float)
    post = (long.period[idx] == cur).astype(float)
    for dv in (0.0, 1.0):
        for pv in (0.0, 1.0):
            if not ((d == dv) & (post == pv)).any():
                raise EstimationFailure("no treated or comparison observations in a period")
    w = long.w[idx]
    w = w / w.mean()
    att, psi = ESTIMATORS[method](long.y[idx], post, d, long.x[idx], w)
    n1 = len(idx)
    unit_if = np.bincount(long.unit[idx], weights=psi * (n_units / n1), minlength=n_units)
    return att, unit_if
