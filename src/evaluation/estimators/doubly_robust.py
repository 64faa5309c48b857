"""Sant'Anna & Zhao (2020) doubly robust difference-in-differences for two groups, two periods.

:func:`drdid` follows R ``DRDID`` 1.2: with panel data (``unit`` given) the "improved"
estimator ``drdid_imp_panel`` (propensity score by inverse probability tilting, outcome
regression by weighted least squares; doubly robust for inference too) or the "traditional"
locally efficient ``drdid_panel`` (logit MLE, OLS); with repeated cross-sections
``drdid_imp_rc`` or ``drdid_rc``. Standard errors come from the influence function,
``sqrt(sum((psi - mean psi)^2)) / n`` as DRDID computes them since 1.2.3 (versions before
October 2025 divided ``sd(psi)`` by ``sqrt(n)``, which is larger by ``sqrt(n / (n - 1))``).
Comparison units with a propensity score of 0.995 or more are trimmed, as in DRDID.

References
----------
Sant'Anna, P. H. C. and Zhao, J. (2020). Doubly robust difference-in-differences estimators.
Journal of Econometrics 219(1), 101-122.
Graham, B., Pinto, C. and Egel, D. (2012). Inverse probability tilting for moment condition
models with missing data. Review of Economic Studies 79(3), 1053-1079.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._cs_estimators import (
    PS_CAP,
    TRIM_LEVEL,
    EstimationFailure,
    Part,
    _absent_indicators,
    _expit,
    _well_conditioned,
    att_2x2,
    fit_logit,
)
from .results import EstimationResult, tidy_frame

__all__ = ["drdid"]


class DRDIDWarning(UserWarning):
    """A fallback was used (e.g. logit instead of inverse probability tilting)."""


# ----------------------------------------------------------------------------------------
# nuisance estimators on full designs (X includes the intercept)
# ----------------------------------------------------------------------------------------
def _split(x: np.ndarray, d: np.ndarray, w: np.ndarray, dy: np.ndarray | None = None):
    z = None if x.shape[1] == 1 else np.asfortranarray(x[:, 1:])
    treated, control = d == 1, d == 0
    dy = np.zeros(len(d)) if dy is None else dy
    t = Part(dy[treated], None if z is None else z[treated], w[treated])
    c = Part(dy[control], None if z is None else z[control], w[control])
    return t, c


def _logit_scores(x: np.ndarray, d: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted logit MLE of d on x: coefficients and fitted scores (all rows)."""
    t, c = _split(x, d, w)
    beta, _, _ = fit_logit(t, c)
    return beta, _expit(x @ beta)


def _logit_scores_separated(
    x: np.ndarray, d: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Logit scores with the limit for indicator levels that no treated row has.

    A level of an indicator covariate (sector dummies, say) with comparison rows but no
    treated row separates them: the MLE drives their scores to 0 and the other coefficients
    converge to the fit without them (as on the panel path, ``_cs_estimators
    ._absent_indicators``). Returns the scores (exactly 0 for those rows) and the design
    columns kept; without such levels, the plain logit and all columns.
    """
    t, c = _split(x, d, w)
    keep, sep_c = _absent_indicators(t, c)
    if keep.all() and not sep_c.any():
        return _logit_scores(x, d, w)[1], keep
    rows = np.ones(len(d), dtype=bool)
    rows[d == 0] = ~sep_c
    if not (rows & (d == 0)).any():
        raise EstimationFailure("no comparison row shares the treated rows' indicators")
    ps = np.zeros(len(d))
    ps[rows] = _logit_scores(x[rows][:, keep], d[rows], w[rows])[1]
    return ps, keep


def _ps_information_inverse(x, ps, w, keep: np.ndarray | None = None) -> np.ndarray:
    """Inverse of the logit information ``X' diag(w p (1 - p)) X`` on the kept columns, zero
    elsewhere (dropped columns carry no score: they are 0 on the treated rows, and the
    separated rows have p = 0)."""
    keep = np.ones(x.shape[1], dtype=bool) if keep is None else keep
    xk = x[:, keep]
    info = (xk * (ps * (1 - ps) * w)[:, None]).T @ xk
    if not _well_conditioned(info):
        raise EstimationFailure("propensity score information matrix is singular")
    out = np.zeros((x.shape[1], x.shape[1]))
    out[np.ix_(keep, keep)] = np.linalg.inv(info)
    return out


def _ipt_scores(x: np.ndarray, d: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Propensity score by inverse probability tilting (DRDID ``pscore.cal``, Graham et al.).

    Minimizes mean(w (-d x'g + (1 - d) exp(x'g))), whose first-order condition balances the
    weighted covariate means of the treated with the exp(x'g)-weighted comparison units.
    Starts from the logit MLE; falls back to it, with a warning, if Newton fails (as R).
    """
    n = len(d)
    gamma, ps_logit = _logit_scores(x, d, w)
    target = x.T @ (w * d)

    def loss(g: np.ndarray) -> float:
        idx = x @ g
        return float(np.mean(w * np.where(d == 1, -idx, np.exp(idx))))

    current = loss(gamma)
    for _ in range(200):
        e = np.where(d == 0, w * np.exp(x @ gamma), 0.0)
        grad = (x.T @ e - target) / n
        hess = (x * e[:, None]).T @ x / n
        if not _well_conditioned(hess):
            break
        step = -np.linalg.solve(hess, grad)
        for _ in range(60):
            trial = loss(gamma + step)
            if np.isfinite(trial) and trial <= current + 1e-14 * abs(current):
                break
            step = step / 2
        gamma = gamma + step
        current = trial
        if np.max(np.abs(step)) < 1e-10 * (1 + np.max(np.abs(gamma))):
            return _expit(x @ gamma)
    warnings.warn(
        "inverse probability tilting did not converge; used the logit propensity score (as R)",
        DRDIDWarning,
        stacklevel=3,
    )
    return ps_logit


def _wls(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    rows: np.ndarray,
    what: str,
    cols: np.ndarray | None = None,
):
    """Weighted least squares on a subset; coefficients (0 for columns not in ``cols``)."""
    cols = np.ones(x.shape[1], dtype=bool) if cols is None else cols
    xs, ws = x[rows][:, cols], w[rows]
    gram = (xs * ws[:, None]).T @ xs
    if len(xs) == 0 or not _well_conditioned(gram):
        raise EstimationFailure(f"{what}: singular design (collinear covariates or no units)")
    beta = np.zeros(x.shape[1])
    beta[cols] = np.linalg.solve(gram, xs.T @ (ws * y[rows]))
    return beta


def _asy_lin_rep_ols(x, y, fitted, w_ols, cols: np.ndarray | None = None) -> np.ndarray:
    """DRDID's asymptotic linear representation of (weighted) OLS: n x k (columns not in
    ``cols`` were not estimated: zero)."""
    n = len(y)
    cols = np.ones(x.shape[1], dtype=bool) if cols is None else cols
    xk = x[:, cols]
    xpx = (xk * w_ols[:, None]).T @ xk / n
    if not _well_conditioned(xpx):
        raise EstimationFailure("outcome regression design matrix is singular")
    out = np.zeros(x.shape)
    out[:, cols] = (w_ols * (y - fitted))[:, None] * xk @ np.linalg.inv(xpx)
    return out


# ----------------------------------------------------------------------------------------
# the four estimators (arrays in, ATT and influence function out)
# ----------------------------------------------------------------------------------------
def _imp_panel(dy, d, x, w):
    """DRDID::drdid_imp_panel."""
    ps = np.minimum(_ipt_scores(x, d, w), PS_CAP)
    trim = np.where(d == 0, ps < TRIM_LEVEL, True)
    beta = _wls(x, dy, w * ps / (1 - ps), d == 0, "outcome regression")
    out = x @ beta
    summand = trim * (1 - (1 - d) / (1 - ps)) * (dy - out)
    mean_dw = np.mean(d * w)
    att = float(np.mean(w * summand) / mean_dw)
    return att, w * trim * (summand - d * att) / mean_dw


def _trad_panel(dy, d, x, w):
    """DRDID::drdid_panel (shared with Callaway-Sant'Anna's ``dr`` 2x2)."""
    t, c = _split(x, d, w, dy)
    att, if1, if0 = att_2x2("dr", t, c)
    psi = np.empty(len(d))
    psi[d == 1], psi[d == 0] = if1, if0
    return att, psi


def _imp_rc(y, post, d, x, w):
    """DRDID::drdid_imp_rc."""
    ps = np.minimum(_ipt_scores(x, d, w), PS_CAP)
    trim = np.where(d == 0, ps < TRIM_LEVEL, True)
    odds_w = w * ps / (1 - ps)
    out_c_pre = x @ _wls(x, y, odds_w, (d == 0) & (post == 0), "comparison, pre")
    out_c_post = x @ _wls(x, y, odds_w, (d == 0) & (post == 1), "comparison, post")
    out_c = post * out_c_post + (1 - post) * out_c_pre
    out_t_pre = x @ _wls(x, y, w, (d == 1) & (post == 0), "treated, pre")
    out_t_post = x @ _wls(x, y, w, (d == 1) & (post == 1), "treated, post")
    w_tpre, w_tpost = w * d * (1 - post), w * d * post
    w_cpre = trim * w * ps * (1 - d) * (1 - post) / (1 - ps)
    w_cpost = trim * w * ps * (1 - d) * post / (1 - ps)
    w_d, w_dt1, w_dt0 = w * d, w * d * post, w * d * (1 - post)
    return _rc_combine(
        y, out_c, out_c_pre, out_c_post, out_t_pre, out_t_post,
        w_tpre, w_tpost, w_cpre, w_cpost, w_d, w_dt1, w_dt0,
    )  # fmt: skip


def _rc_combine(
    y, out_c, out_c_pre, out_c_post, out_t_pre, out_t_post,
    w_tpre, w_tpost, w_cpre, w_cpost, w_d, w_dt1, w_dt0,
):  # fmt: skip
    """Locally efficient DR ATT for repeated cross-sections and its plug-in influence
    function (no estimation effect), shared by ``drdid_rc`` and ``drdid_imp_rc``."""

    def eta(wt, v):
        return wt * v / np.mean(wt)

    e_tpre, e_tpost = eta(w_tpre, y - out_c), eta(w_tpost, y - out_c)
    e_cpre, e_cpost = eta(w_cpre, y - out_c), eta(w_cpost, y - out_c)
    e_dpost, e_dt1post = eta(w_d, out_t_post - out_c_post), eta(w_dt1, out_t_post - out_c_post)
    e_dpre, e_dt0pre = eta(w_d, out_t_pre - out_c_pre), eta(w_dt0, out_t_pre - out_c_pre)
    a = {k: float(np.mean(v)) for k, v in {
        "tpre": e_tpre, "tpost": e_tpost, "cpre": e_cpre, "cpost": e_cpost,
        "dpost": e_dpost, "dt1post": e_dt1post, "dpre": e_dpre, "dt0pre": e_dt0pre,
    }.items()}  # fmt: skip
    att = (
        (a["tpost"] - a["tpre"])
        - (a["cpost"] - a["cpre"])
        + (a["dpost"] - a["dt1post"])
        - (a["dpre"] - a["dt0pre"])
    )

    def lead(e, wt, key):
        return e - wt * a[key] / np.mean(wt)

    inf_treat = lead(e_tpost, w_tpost, "tpost") - lead(e_tpre, w_tpre, "tpre")
    inf_cont = lead(e_cpost, w_cpost, "cpost") - lead(e_cpre, w_cpre, "cpre")
    inf_eff = (lead(e_dpost, w_d, "dpost") - lead(e_dt1post, w_dt1, "dt1post")) - (
        lead(e_dpre, w_d, "dpre") - lead(e_dt0pre, w_dt0, "dt0pre")
    )
    return float(att), inf_treat - inf_cont + inf_eff, a


def _trad_rc(y, post, d, x, w, exact: bool = False):
    """DRDID::drdid_rc: logit MLE and OLS, with the estimation effects of both.

    DRDID 1.2.3 adds the pre-period comparison outcome-regression effects with the sign of
    the post-period ones although ``att.treat.pre`` and ``att.cont.pre`` enter the ATT with
    the opposite sign; the two conventions differ by ``2 lin_pre (M1.pre - M3.pre)``, which
    vanishes asymptotically when the propensity score balances the covariates. ``exact=True``
    uses the signs of the plug-in influence function (the derivative of the estimate with
    respect to each observation's weight); the default reproduces DRDID.
    """
    pre_sign = -1.0 if exact else 1.0
    n = len(y)
    # indicator levels absent among the treated: those comparison rows get a score of 0 and
    # the treated-cell regressions drop the indicators (all 0 or collinear on treated rows)
    ps, keep = _logit_scores_separated(x, d, w)
    ps = np.minimum(ps, PS_CAP)
    trim = np.where(d == 0, ps < TRIM_LEVEL, True)
    cells = {
        "c_pre": (d == 0) & (post == 0),
        "c_post": (d == 0) & (post == 1),
        "t_pre": (d == 1) & (post == 0),
        "t_post": (d == 1) & (post == 1),
    }
    cols = {k: keep if k.startswith("t_") else None for k in cells}
    fit = {k: x @ _wls(x, y, w, rows, k, cols[k]) for k, rows in cells.items()}
    out_c = post * fit["c_post"] + (1 - post) * fit["c_pre"]
    w_tpre, w_tpost = trim * w * d * (1 - post), trim * w * d * post
    w_cpre = trim * w * ps * (1 - d) * (1 - post) / (1 - ps)
    w_cpost = trim * w * ps * (1 - d) * post / (1 - ps)
    w_d, w_dt1, w_dt0 = trim * w * d, trim * w * d * post, trim * w * d * (1 - post)
    att, psi, a = _rc_combine(
        y, out_c, fit["c_pre"], fit["c_post"], fit["t_pre"], fit["t_post"],
        w_tpre, w_tpost, w_cpre, w_cpost, w_d, w_dt1, w_dt0,
    )  # fmt: skip
    # estimation effects (DRDID notation): OLS coefficients of the four cells, logit score
    lin = {
        k: _asy_lin_rep_ols(x, y, fit[k], w * rows.astype(float), cols[k])
        for k, rows in cells.items()
    }
    m1_post = -np.mean((w_tpost * post)[:, None] * x, axis=0) / np.mean(w_tpost)
    m1_pre = -np.mean((w_tpre * (1 - post))[:, None] * x, axis=0) / np.mean(w_tpre)
    inf_treat_or = lin["c_post"] @ m1_post + pre_sign * (lin["c_pre"] @ m1_pre)
    score = (w * (d - ps))[:, None] * x
    lin_ps = score @ (_ps_information_inverse(x, ps, w, keep) * n)
    m2_pre = np.mean((w_cpre * (y - out_c - a["cpre"]))[:, None] * x, axis=0) / np.mean(w_cpre)
    m2_post = np.mean((w_cpost * (y - out_c - a["cpost"]))[:, None] * x, axis=0) / np.mean(w_cpost)
    inf_cont_ps = lin_ps @ (m2_post - m2_pre)
    m3_post = -np.mean((w_cpost * post)[:, None] * x, axis=0) / np.mean(w_cpost)
    m3_pre = -np.mean((w_cpre * (1 - post))[:, None] * x, axis=0) / np.mean(w_cpre)
    inf_cont_or = lin["c_post"] @ m3_post + pre_sign * (lin["c_pre"] @ m3_pre)
    mom_post = np.mean((w_d / np.mean(w_d) - w_dt1 / np.mean(w_dt1))[:, None] * x, axis=0)
    mom_pre = np.mean((w_d / np.mean(w_d) - w_dt0 / np.mean(w_dt0))[:, None] * x, axis=0)
    inf_or = (lin["t_post"] - lin["c_post"]) @ mom_post - (lin["t_pre"] - lin["c_pre"]) @ mom_pre
    return att, psi + inf_treat_or - inf_cont_ps - inf_cont_or + inf_or


# ----------------------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------------------
def _binary(values: np.ndarray, column: str, role: str) -> np.ndarray:
    levels = np.unique(values[~np.isnan(values)])
    if not np.isin(levels, [0.0, 1.0]).all() or len(levels) != 2:
        raise ValueError(
            f"drdid: the {role} column {column!r} must be binary 0/1 with both values "
            f"present (found {levels[:6].tolist()})"
        )
    return values


def drdid(
    data: pd.DataFrame,
    outcome: str,
    treated: str,
    post: str,
    *,
    covariates: Sequence[str] | str | None = None,
    unit: str | None = None,
    method: str = "imp",
    weights: str | None = None,
    alpha: float = 0.05,
    rc_influence: str = "drdid",
) -> EstimationResult:
    """Doubly robust DiD ATT of Sant'Anna & Zhao (2020), as R ``DRDID::drdid``.

    Parameters
    ----------
    data : long data, one row per unit and period (panel) or per observation (repeated
        cross-sections).
    outcome : outcome column.
    treated : 0/1 column, 1 for the group treated in the post period (time-invariant).
    post : 0/1 column, 1 in the post-treatment period (a column with two numeric periods is
        also accepted: the later one is the post period).
    covariates : pre-treatment covariates (an intercept is always included); with panel data
        they must not vary over time.
    unit : unit id column: panel estimator when given, repeated cross-sections otherwise.
    method : ``"imp"`` (improved: inverse probability tilting + weighted least squares) or
        ``"trad"`` (logit MLE + OLS).
    weights : sampling weights column (normalized to mean one; time-invariant in panels).
    alpha : 1 - confidence level.
    rc_influence : repeated cross-sections with ``method="trad"`` only: ``"drdid"`` (default)
        reproduces DRDID 1.2.3's influence function, ``"exact"`` the plug-in influence
        function, whose pre-period outcome-regression terms have the opposite sign (the two
        agree asymptotically under a correct propensity score; see ``_trad_rc``).

    Returns
    -------
    EstimationResult with one row ``ATT`` (normal inference); ``info["influence"]`` holds the
    influence function (one entry per unit, or per observation for cross-sections).

    Notes
    -----
    Panel ("trad"): with D the group, dY = Y_post - Y_pre, p(X) the logit score and m(X) the
    OLS fit of dY on X among comparison units,
    ``ATT = E[D (dY - m(X))] / E[D] - E[w0 (dY - m(X))] / E[w0]``, ``w0 = p(X)(1-D)/(1-p(X))``.

    Examples
    --------
    >>> drdid(df, "re", "experimental", "post", ["age", "educ"], unit="id")  # doctest: +SKIP
    """
    if method not in ("imp", "trad"):
        raise ValueError(f"drdid: method must be 'imp' or 'trad', got {method!r}")
    if rc_influence not in ("drdid", "exact"):
        raise ValueError("drdid: rc_influence must be 'drdid' or 'exact'")
    if isinstance(covariates, str):
        covariates = [covariates]
    covariates = list(covariates or [])
    needed = [outcome, treated, post, *covariates] + [c for c in (unit, weights) if c]
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        raise KeyError(f"drdid: columns {missing} not found in data")
    frame = data[list(dict.fromkeys(needed))]
    numeric = [c for c in frame.columns if c != unit]
    for c in numeric:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise TypeError(f"drdid: column {c!r} must be numeric (got {frame[c].dtype})")
    bad = frame[numeric].isna().any(axis=1).to_numpy().copy()
    if unit is not None:
        bad |= frame[unit].isna().to_numpy()
    if bad.any():
        rows = list(frame.index[bad][:5])
        raise ValueError(
            f"drdid: {int(bad.sum())} rows with missing values in {numeric} (rows {rows}); "
            "drop or impute them first"
        )
    p_raw = frame[post].to_numpy(dtype=float)
    periods = np.unique(p_raw)
    if len(periods) != 2:
        raise ValueError(
            f"drdid: column {post!r} must take exactly two values (pre and post), found "
            f"{periods[:6].tolist()}"
        )
    post_v = (p_raw == periods[1]).astype(float)
    d_v = _binary(frame[treated].to_numpy(dtype=float), treated, "treated")
    y_v = frame[outcome].to_numpy(dtype=float)
    w_v = np.ones(len(frame)) if weights is None else frame[weights].to_numpy(dtype=float)
    if (w_v < 0).any():
        raise ValueError(f"drdid: negative sampling weights in column {weights!r}")
    x_v = np.column_stack([np.ones(len(frame))] + [frame[c].to_numpy(float) for c in covariates])
    notes: list[str] = []

    if unit is not None:
        codes, labels = pd.factorize(frame[unit])
        n_units = len(labels)
        counts = np.bincount(codes * 2 + post_v.astype(int), minlength=2 * n_units)
        if (counts > 1).any():
            raise ValueError(f"drdid: units observed more than once in a period ({unit!r})")
        complete = (counts.reshape(n_units, 2) == 1).all(axis=1)
        if not complete.all():
            message = (
                f"{int((~complete).sum())} units not observed in both periods were dropped "
                "(balanced panel, as DRDID)"
            )
            warnings.warn(message, UserWarning, stacklevel=2)
            notes.append(message)
        keep = complete[codes]
        pre_rows = np.flatnonzero(keep & (post_v == 0))
        post_rows = np.flatnonzero(keep & (post_v == 1))
        pre_rows = pre_rows[np.argsort(codes[pre_rows], kind="stable")]
        post_rows = post_rows[np.argsort(codes[post_rows], kind="stable")]
        for name, values in (("treated", d_v), ("covariates", x_v), ("weights", w_v)):
            v = values if values.ndim == 2 else values[:, None]
            if not np.array_equal(v[pre_rows], v[post_rows]):
                raise ValueError(
                    f"drdid: {name} vary over time within units; the panel estimator needs "
                    "time-invariant (pre-treatment) values"
                )
        dy = y_v[post_rows] - y_v[pre_rows]
        d, x, w = d_v[post_rows], x_v[post_rows], w_v[post_rows]
        w = w / w.mean()
        estimator = _imp_panel if method == "imp" else _trad_panel
        try:
            att, psi = estimator(dy, d, x, w)
        except EstimationFailure as err:
            raise ValueError(f"drdid: {err}") from err
        n = len(dy)
        design = "panel data"
    else:
        w = w_v / w_v.mean()
        try:
            if method == "imp":
                att, psi, _ = _imp_rc(y_v, post_v, d_v, x_v, w)
            else:
                att, psi = _trad_rc(y_v, post_v, d_v, x_v, w, rc_influence == "exact")
                if rc_influence == "drdid":
                    notes.append(
                        "influence function as DRDID 1.2.3 drdid_rc (pre-period outcome-"
                        "regression effect signs differ from the exact plug-in; "
                        "rc_influence='exact' gives the latter)"
                    )
        except EstimationFailure as err:
            raise ValueError(f"drdid: {err}") from err
        n = len(y_v)
        design = "repeated cross-sections"

    se = float(np.sqrt(np.sum((psi - psi.mean()) ** 2)) / n)
    table = tidy_frame(["ATT"], [att], [se], alpha=alpha)
    label = {
        "imp": "improved locally efficient DR DiD (inverse probability tilting, WLS)",
        "trad": "locally efficient DR DiD (logit MLE, OLS)",
    }[method]
    notes.append(f"Sant'Anna-Zhao {label}, {design}; analytic influence-function SE")
    return EstimationResult(
        estimator=f"drdid:{method}",
        table=table,
        nobs=len(frame) if unit is None else 2 * n,
        vcov=pd.DataFrame([[se**2]], index=["ATT"], columns=["ATT"]),
        vcov_type="influence function (units independent)",
        outcome=outcome,
        notes=notes,
        info={"influence": psi, "n": n, "method": method, "panel": unit is not None},
    )
