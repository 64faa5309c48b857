"""Sant'Anna & Zhao (2020) two-group, two-period DiD estimators: the one implementation used by
:func:`~evaluation.estimators.drdid` and by every ATT(g,t) of
:func:`~evaluation.estimators.callaway_santanna`.

Internal module (not in the package's export table): names are public so that the two
callers can share them, but their signatures may change with the estimators.

Estimands (Sant'Anna, P. H. C. and Zhao, J. (2020), Doubly robust difference-in-differences
estimators, Journal of Econometrics 219(1), 101-122), with D the group, X the covariates,
p(X) the propensity score and mu the outcome regressions:

* panel data, eq. (3.1): ``tau_dr_p = E[(w1(D) - w0(D, X)) (dY - mu0_delta(X))]`` with
  ``w1 = D / E[D]`` and ``w0 = [p (1 - D) / (1 - p)] / E[p (1 - D) / (1 - p)]``;
  :func:`att_2x2` (``"dr"``; the "traditional" estimator: logit MLE, OLS, R ``DRDID::
  drdid_panel``) and :func:`drdid_imp_panel` (the "improved" estimator of Section 3.1:
  inverse probability tilting and weighted least squares, doubly robust for inference too);
* repeated cross-sections, the locally efficient eq. (3.4) (``tau_dr_rc_2``, outcome
  regressions of both groups in both periods): :func:`drdid_rc` (logit MLE, OLS) and
  :func:`drdid_imp_rc` (Section 3.2's improved estimator);
* the Hajek-normalized inverse probability weighting estimand (Abadie 2005, as normalized in
  Section 2 of the paper): :func:`att_2x2` ``"ipw"`` (panel), :func:`std_ipw_did_rc`;
* the outcome-regression estimand (Heckman, Ichimura and Todd 1997): :func:`att_2x2`
  ``"reg"`` (panel), :func:`reg_did_rc`.

Conventions (R ``DRDID`` 1.2): sampling weights normalized to mean one over the 2x2 sample;
comparison units with a propensity score of 0.995 or more are trimmed (``TRIM_LEVEL``);
scores are capped at 1 - 1e-6 (``PS_CAP``). Influence functions are on the scale of R's
``att.inf.func`` (mean zero, so that the standard error is ``sqrt(sum(psi^2)) / n``). Indicator
levels (sector dummies, say) with comparison units but no treated unit separate the logit;
the estimators use the separated limit exactly (:func:`absent_indicators`).

Two data layouts: the panel kernels take a treated and a comparison :class:`Part` (contiguous
blocks of a units x periods array; nothing n x k is formed beyond the covariates themselves),
the full-design functions take ``x`` with an intercept column and ``d``, ``post``, ``w`` arrays.

References
----------
Abadie, A. (2005). Semiparametric difference-in-differences estimators. Review of Economic
Studies 72(1), 1-19.
Graham, B., Pinto, C. and Egel, D. (2012). Inverse probability tilting for moment condition
models with missing data. Review of Economic Studies 79(3), 1053-1079.
Heckman, J., Ichimura, H. and Todd, P. (1997). Matching as an econometric evaluation
estimator. Review of Economic Studies 64(4), 605-654.
Sant'Anna, P. H. C. and Zhao, J. (2020), see above.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

TRIM_LEVEL = 0.995
_EPS64 = float(np.finfo(float).eps)
PS_CAP = 1 - 1e-6


class EstimationFailure(RuntimeError):
    """A 2x2 comparison cannot be estimated (no overlap, singular design, ...)."""


class DRDIDWarning(UserWarning):
    """A fallback was used (e.g. logit instead of inverse probability tilting)."""


@dataclass
class Part:
    """One side of a 2x2 comparison: outcome change, covariates, weights.

    The design is an intercept plus the columns of ``z`` (None = intercept only); the
    intercept is handled analytically so that no n x (k+1) design is ever formed.
    """

    dy: np.ndarray
    z: np.ndarray | None  # covariates without the intercept, n x p
    w: np.ndarray | None  # None = unit weights

    @property
    def n(self) -> int:
        return len(self.dy)

    def weights(self) -> np.ndarray:
        return np.ones(self.n) if self.w is None else self.w

    @property
    def k(self) -> int:
        return 1 if self.z is None else 1 + self.z.shape[1]


# Skinny products (n x p with small p) use einsum's own loops rather than BLAS: threaded
# BLAS level-2 calls on tall, narrow matrices cost more in thread start-up and spin-waiting
# than they compute, badly so on a busy machine.
def _dot(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.einsum("i,i->", a, b))


def _xt(part: Part, v: np.ndarray) -> np.ndarray:
    """X' v for one part, X = [1, z]."""
    if part.z is None:
        return np.array([v.sum()])
    return np.array([v.sum(), *(_dot(v, part.z[:, j]) for j in range(part.z.shape[1]))])


def _xb(part: Part, b: np.ndarray) -> np.ndarray:
    """X b for one part."""
    if part.z is None:
        return np.full(part.n, b[0])
    out = part.z[:, 0] * b[1]
    for j in range(1, part.z.shape[1]):
        out += part.z[:, j] * b[j + 1]
    out += b[0]
    return out


def _gram(part: Part, v: np.ndarray | None) -> np.ndarray:
    """X' diag(v) X for one part (v None = ones), X = [1, z]."""
    total = float(part.n if v is None else v.sum())
    if part.z is None:
        return np.array([[total]])
    z = part.z
    k = z.shape[1] + 1
    out = np.empty((k, k))
    out[0, 0] = total
    for j in range(k - 1):
        zj = z[:, j] if v is None else z[:, j] * v
        out[0, j + 1] = out[j + 1, 0] = zj.sum()
        for m in range(j, k - 1):
            out[j + 1, m + 1] = out[m + 1, j + 1] = _dot(zj, z[:, m])
    return out


def _solve(a: np.ndarray, b: np.ndarray, what: str) -> np.ndarray:
    if a.shape[0] == 1:
        if a[0, 0] <= 0:
            raise EstimationFailure(f"{what}: singular design")
        return b / a[0, 0]
    if not well_conditioned(a):
        raise EstimationFailure(f"{what}: singular or ill-conditioned covariate matrix")
    return np.linalg.solve(a, b)


def expit(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _log_expit(z: np.ndarray) -> np.ndarray:
    """log(1 / (1 + exp(-z))), stable for large |z|."""
    return -np.logaddexp(0.0, -z)


def well_conditioned(a: np.ndarray) -> bool:
    """Whether a symmetric positive matrix is invertible, judged scale-free (unit diagonal):
    its 2-norm condition number below 1 / machine epsilon.

    Called at every Newton step of every cell's logit, so the 1 x 1 and 2 x 2 cases (no or
    one covariate) use the closed form - a unit-diagonal symmetric 2 x 2 with off-diagonal
    ``r`` has singular values ``|1 + r|`` and ``|1 - r|`` - instead of an SVD (~50 us each)."""
    limit = 1 / _EPS64
    if a.shape in ((1, 1), (2, 2)):  # in Python floats: no numpy call overhead per step
        v = a.ravel().tolist()
        if not all(map(math.isfinite, v)) or v[0] == 0 or v[-1] == 0:
            return False
        if len(v) == 1:
            return True
        if v[1] == v[2]:
            r = abs(v[1] / (math.sqrt(abs(v[0])) * math.sqrt(abs(v[3]))))
            small = abs(1.0 - r)
            return small > 0 and (1.0 + r) / small < limit
    d = np.sqrt(np.abs(np.diag(a)))
    if not np.isfinite(a).all() or (d <= 0).any():
        return False
    return bool(np.linalg.cond(a / np.outer(d, d)) < limit)


def _newton_logit(treat: Part, control: Part, beta: np.ndarray, tol: float, max_iter: int):
    w1, w0 = treat.weights(), control.weights()

    def loglik(b: np.ndarray) -> float:
        return _dot(w1, _log_expit(_xb(treat, b))) + _dot(w0, _log_expit(-_xb(control, b)))

    current = None
    for _ in range(max_iter):
        p1 = expit(_xb(treat, beta))
        p0 = expit(_xb(control, beta))
        grad = _xt(treat, w1 * (1 - p1)) - _xt(control, w0 * p0)
        hess = _gram(treat, w1 * p1 * (1 - p1)) + _gram(control, w0 * p0 * (1 - p0))
        if not well_conditioned(hess):
            raise EstimationFailure(
                "overlap condition violated or collinear covariates (singular propensity "
                "score information matrix)"
            )
        step = np.linalg.solve(hess, grad)
        if np.max(np.abs(step)) > 0.5:  # far from the optimum: halve until the likelihood rises
            current = loglik(beta) if current is None else current
            for _ in range(40):
                trial = loglik(beta + step)
                if trial >= current - 1e-12 * abs(current):
                    break
                step = step / 2
            current = trial
        else:
            current = None
        beta = beta + step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            return beta
    raise EstimationFailure("propensity score logit did not converge (overlap?)")


def fit_logit(treat: Part, control: Part, *, tol: float = 1e-10, max_iter: int = 100):
    """Weighted logit of treated-vs-comparison on the design, by damped Newton-Raphson.

    Returns the coefficients and the fitted scores for each part. Intercept-only designs
    use the closed form (the weighted treated share). The weights are those of the parts
    (already normalized by the caller). On large samples Newton starts from the fit on a
    systematic subsample (same optimum, fewer full passes). (Quasi-)separation, which drives
    scores to 0 or 1, is reported as an overlap failure, as R ``did`` does.
    """
    w1, w0 = treat.weights(), control.weights()
    share = w1.sum() / (w1.sum() + w0.sum())
    if treat.z is None:
        beta = np.array([np.log(share / (1 - share))])
        return beta, np.full(treat.n, share), np.full(control.n, share)
    beta = np.zeros(treat.k)
    beta[0] = np.log(share / (1 - share))  # the intercept-only solution
    stride = (treat.n + control.n) // 50_000
    if stride >= 4:
        sub = [
            Part(p.dy[::stride], p.z[::stride], None if p.w is None else p.w[::stride])
            for p in (treat, control)
        ]
        if sub[0].n > 2 * treat.k and sub[1].n > 2 * treat.k:
            try:
                beta = _newton_logit(sub[0], sub[1], beta, 1e-8, max_iter)
            except EstimationFailure:
                pass  # decide on the full sample
    beta = _newton_logit(treat, control, beta, tol, max_iter)
    return beta, expit(_xb(treat, beta)), expit(_xb(control, beta))


def absent_indicators(treat: Part, control: Part) -> tuple[np.ndarray, np.ndarray]:
    """Levels of indicator covariates that no treated unit has, and the comparison rows there.

    The 0/1 covariate columns are grouped into factors (columns that are never 1 on the same
    row: a one-hot coding without its base level, e.g. sector indicators). A factor level
    (base level included) with comparison units but no treated unit separates them: the
    logit's maximum likelihood drives their scores to 0 along a direction that leaves every
    other row's score unchanged, and the remaining coefficients converge to the fit without
    those units. R ``glm`` (inside ``DRDID``) stops near that limit with a "fitted
    probabilities numerically 0 or 1" warning; this returns the limit itself (Albert and
    Anderson 1984). Typical case: sector indicators when a cohort has no firm in some sector.

    Returns the design columns (intercept first) kept for the logit on the remaining rows:
    indicators of absent levels are dropped (they are 0 there) and, when a factor's base level
    is absent, one more of its indicators (they would sum to the intercept); and the mask of
    separated comparison rows.
    """
    keep = np.ones(treat.k, dtype=bool)
    separated = np.zeros(control.n, dtype=bool)
    if treat.z is None or treat.n == 0 or control.n == 0:
        return keep, separated
    p = treat.z.shape[1]
    binary = [
        j
        for j in range(p)
        if all(np.all((part.z[:, j] == 0) | (part.z[:, j] == 1)) for part in (treat, control))
    ]
    groups: list[list[int]] = []
    for j in binary:
        for g in groups:
            if all(
                not np.any((part.z[:, j] == 1) & (part.z[:, i] == 1))
                for i in g
                for part in (treat, control)
            ):
                g.append(j)
                break
        else:
            groups.append([j])
    for g in groups:
        in1 = treat.z[:, g] == 1
        in0 = control.z[:, g] == 1
        base1, base0 = ~in1.any(axis=1), ~in0.any(axis=1)
        for pos, j in enumerate(g):
            if not in1[:, pos].any():
                keep[j + 1] = False
                separated |= in0[:, pos]
        if not base1.any() and base0.any():
            separated |= base0
            kept = [j for j in g if keep[j + 1]]
            if kept:
                keep[kept[0] + 1] = False
    return keep, separated


def _subset(part: Part, cols: np.ndarray, rows: np.ndarray | None = None) -> Part:
    """A part restricted to design columns ``cols`` (intercept first) and to ``rows``."""
    z = None if part.z is None or cols[1:].sum() == 0 else part.z[:, cols[1:]]
    if rows is None:
        return Part(part.dy, z, part.w)
    return Part(
        part.dy[rows], None if z is None else z[rows], None if part.w is None else part.w[rows]
    )


@dataclass
class Nuisance:
    """Everything of a 2x2 fit that does not depend on the outcome, reusable across the
    cells that share a cohort, a comparison group and a covariate/weight period."""

    n1: int
    w1: np.ndarray
    w0: np.ndarray
    mw_t: float  # mean(w.treat)
    gram0_inv: np.ndarray | None = None  # (X0' W0 X0)^{-1}
    ps1: np.ndarray | None = None
    ps0: np.ndarray | None = None
    hess_inv: np.ndarray | None = None  # (X' diag(w p (1-p)) X)^{-1}
    wc: np.ndarray | None = None  # w.cont on comparison rows
    mw_c: float = 0.0
    xt_wc: np.ndarray | None = None  # X0' w.cont
    w1_q1: np.ndarray | None = None  # w1 (1 - ps1): propensity-score term on treated rows
    w0_p0: np.ndarray | None = None  # w0 ps0: propensity-score term on comparison rows
    or_term: np.ndarray | None = None  # per comparison row: w0 x0' (XpX^{-1} M), see att_2x2


def nuisance(method: str, treat: Part, control: Part) -> Nuisance:
    """The pieces of a 2x2 fit that do not depend on the outcome."""
    if treat.n == 0 or control.n == 0:
        raise EstimationFailure("no treated or no comparison units")
    n1 = treat.n + control.n
    w1, w0 = treat.weights(), control.weights()
    nu = Nuisance(n1=n1, w1=w1, w0=w0, mw_t=float(w1.sum()) / n1)
    if method in ("dr", "reg"):
        nu.gram0_inv = _solve(_gram(control, control.w), np.eye(control.k), "outcome regression")
    m1 = _xt(treat, w1) / n1
    if method == "reg":
        # comparison rows of the influence function: -(w0 r0) x0' XpX^{-1} M1 / mean(w.treat)
        nu.or_term = w0 * _xb(control, nu.gram0_inv @ m1 * n1) / nu.mw_t
        return nu
    # indicators absent among the treated: their comparison units get a score of exactly 0
    cols, sep = absent_indicators(treat, control)
    t_ps, c_ps = _subset(treat, cols), _subset(control, cols, ~sep)
    if c_ps.n == 0:
        raise EstimationFailure("no comparison unit shares the treated units' indicators")
    _, ps1, ps0_kept = fit_logit(t_ps, c_ps)
    # R did's overlap guard: the largest score of an *unweighted* logit must be below 0.999
    if treat.w is None:
        guard = max(ps1.max(initial=0), ps0_kept.max(initial=0))
    else:
        _, g1, g0 = fit_logit(Part(t_ps.dy, t_ps.z, None), Part(c_ps.dy, c_ps.z, None))
        guard = max(g1.max(initial=0), g0.max(initial=0))
    if guard >= 0.999:
        raise EstimationFailure("overlap condition violated (propensity score >= 0.999)")
    ps1 = np.minimum(ps1, PS_CAP)
    ps0 = np.zeros(control.n)
    ps0[~sep] = np.minimum(ps0_kept, PS_CAP)
    # information matrix of the kept coefficients; the dropped directions carry no score
    # (treated rows are 0 there, separated rows have p = 0), so their rows/columns are 0
    hess = _gram(t_ps, ps1 * (1 - ps1) * w1) + _gram(c_ps, ps0_kept * (1 - ps0_kept) * w0[~sep])
    hess_inv = np.zeros((treat.k, treat.k))
    hess_inv[np.ix_(cols, cols)] = _solve(hess, np.eye(hess.shape[0]), "propensity score Hessian")
    nu.hess_inv = hess_inv
    nu.ps1, nu.ps0 = ps1, ps0
    nu.wc = (ps0 < TRIM_LEVEL) * w0 * ps0 / (1 - ps0)
    nu.mw_c = float(nu.wc.sum()) / n1
    if nu.mw_c <= 0:
        raise EstimationFailure("all comparison units trimmed")
    nu.xt_wc = _xt(control, nu.wc)
    nu.w1_q1 = w1 * (1 - ps1)
    nu.w0_p0 = w0 * ps0
    if method == "dr":
        # outcome-regression estimation effect: asy.lin.rep.wols %*% (M1 / mw_t - M3 / mw_c)
        m3 = nu.xt_wc / n1
        nu.or_term = w0 * _xb(control, nu.gram0_inv @ (m1 / nu.mw_t - m3 / nu.mw_c) * n1)
    return nu


def att_2x2(
    method: str, treat: Part, control: Part, nu: Nuisance | None = None
) -> tuple[float, np.ndarray, np.ndarray]:
    """ATT and influence function (treated part, comparison part) of one panel 2x2 comparison.

    ``method`` is ``"dr"`` (eq. (3.1) of Sant'Anna & Zhao 2020 with logit MLE and OLS,
    DRDID::drdid_panel), ``"ipw"`` (the Hajek-normalized IPW estimand, std_ipw_did_panel) or
    ``"reg"`` (outcome regression, reg_did_panel); ``nu`` reuses the outcome-free pieces
    (:func:`nuisance`) across comparisons that share them. Weights in the parts must already be normalized to mean one over the
    2x2 sample. Notation follows DRDID's source: ``w.treat``, ``w.cont``, ``eta``, ``M1``-``M3``.
    """
    if nu is None:
        nu = nuisance(method, treat, control)
    n1, w1, w0, mw_t = nu.n1, nu.w1, nu.w0, nu.mw_t
    sw1 = mw_t * n1
    dy1, dy0 = treat.dy, control.dy

    if method in ("dr", "reg"):
        beta = nu.gram0_inv @ _xt(control, dy0 if control.w is None else w0 * dy0)
        out1 = _xb(treat, beta)
    if method == "reg":
        out0 = _xb(control, beta)
        eta_t = _dot(w1, dy1) / sw1
        eta_c = _dot(w1, out1) / sw1
        if1 = dy1 - out1
        if1 -= eta_t - eta_c
        if1 *= w1 / mw_t
        if0 = out0
        if0 -= dy0
        if0 *= nu.or_term
        return eta_t - eta_c, if1, if0

    # propensity-score based: dr and ipw
    if method == "dr":
        r1 = dy1 - out1
        r0 = dy0 - _xb(control, beta)
    else:
        r1, r0 = dy1, dy0
    eta_t = _dot(w1, r1) / sw1
    q = nu.wc * r0
    eta_c = float(q.sum() / (nu.mw_c * n1))
    # propensity-score estimation effect: asy.lin.rep.ps %*% M2, M2 = X0' w.cont (r0 - eta_c)
    m2 = (_xt(control, q) - eta_c * nu.xt_wc) / n1
    ps_dir = nu.hess_inv @ m2 * n1
    if1 = r1 - eta_t
    if1 *= w1 / mw_t
    if1 -= nu.w1_q1 * _xb(treat, ps_dir) / nu.mw_c
    if0 = nu.w0_p0 * _xb(control, ps_dir)
    if0 -= q
    if0 += eta_c * nu.wc
    if0 /= nu.mw_c
    if method == "dr":
        if0 -= nu.or_term * r0
    return eta_t - eta_c, if1, if0


# ----------------------------------------------------------------------------------------
# nuisance estimators on full designs (X includes the intercept)
# ----------------------------------------------------------------------------------------
def split_parts(x: np.ndarray, d: np.ndarray, w: np.ndarray, dy: np.ndarray | None = None):
    """The treated and comparison :class:`Part` of a full design (intercept column first)."""
    z = None if x.shape[1] == 1 else np.asfortranarray(x[:, 1:])
    treated, control = d == 1, d == 0
    dy = np.zeros(len(d)) if dy is None else dy
    t = Part(dy[treated], None if z is None else z[treated], w[treated])
    c = Part(dy[control], None if z is None else z[control], w[control])
    return t, c


def logit_scores(x: np.ndarray, d: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted logit MLE of d on x: coefficients and fitted scores (all rows)."""
    t, c = split_parts(x, d, w)
    beta, _, _ = fit_logit(t, c)
    return beta, expit(x @ beta)


def logit_scores_separated(
    x: np.ndarray, d: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Logit scores with the limit for indicator levels that no treated row has.

    A level of an indicator covariate (sector dummies, say) with comparison rows but no
    treated row separates them: the MLE drives their scores to 0 and the other coefficients
    converge to the fit without them (as on the panel path,
    :func:`absent_indicators`). Returns the scores (exactly 0 for those rows) and the design
    columns kept; without such levels, the plain logit and all columns.
    """
    t, c = split_parts(x, d, w)
    keep, sep_c = absent_indicators(t, c)
    if keep.all() and not sep_c.any():
        return logit_scores(x, d, w)[1], keep
    rows = np.ones(len(d), dtype=bool)
    rows[d == 0] = ~sep_c
    if not (rows & (d == 0)).any():
        raise EstimationFailure("no comparison row shares the treated rows' indicators")
    ps = np.zeros(len(d))
    ps[rows] = logit_scores(x[rows][:, keep], d[rows], w[rows])[1]
    return ps, keep


def ps_information_inverse(x, ps, w, keep: np.ndarray | None = None) -> np.ndarray:
    """Inverse of the logit information ``X' diag(w p (1 - p)) X`` on the kept columns, zero
    elsewhere (dropped columns carry no score: they are 0 on the treated rows, and the
    separated rows have p = 0)."""
    keep = np.ones(x.shape[1], dtype=bool) if keep is None else keep
    xk = x[:, keep]
    info = (xk * (ps * (1 - ps) * w)[:, None]).T @ xk
    if not well_conditioned(info):
        raise EstimationFailure("propensity score information matrix is singular")
    out = np.zeros((x.shape[1], x.shape[1]))
    out[np.ix_(keep, keep)] = np.linalg.inv(info)
    return out


def ipt_scores(x: np.ndarray, d: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Propensity score by inverse probability tilting (DRDID ``pscore.cal``, Graham et al.).

    Minimizes mean(w (-d x'g + (1 - d) exp(x'g))), whose first-order condition balances the
    weighted covariate means of the treated with the exp(x'g)-weighted comparison units.
    Starts from the logit MLE; falls back to it, with a warning, if Newton fails (as R).
    """
    n = len(d)
    gamma, ps_logit = logit_scores(x, d, w)
    target = x.T @ (w * d)

    def loss(g: np.ndarray) -> float:
        idx = x @ g
        return float(np.mean(w * np.where(d == 1, -idx, np.exp(idx))))

    current = loss(gamma)
    for _ in range(200):
        e = np.where(d == 0, w * np.exp(x @ gamma), 0.0)
        grad = (x.T @ e - target) / n
        hess = (x * e[:, None]).T @ x / n
        if not well_conditioned(hess):
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
            return expit(x @ gamma)
    warnings.warn(
        "inverse probability tilting did not converge; used the logit propensity score (as R)",
        DRDIDWarning,
        stacklevel=3,
    )
    return ps_logit


def wls(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    rows: np.ndarray,
    what: str,
    cols: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted least squares of ``y`` on ``x`` over ``rows`` (R ``DRDID``'s outcome
    regressions; OLS when ``w`` is constant): the coefficients.

    ``cols`` (a boolean mask) restricts the regressors, the other coefficients being 0; None
    uses every column of ``x`` as given. A mask makes a column-major copy, whose products BLAS
    may round differently in the last bit: each caller keeps the form its reference numbers
    were computed with (``DRDID`` ports pass a mask, the ``did`` unbalanced-panel ones None).
    """
    xs, ws = x[rows], w[rows]
    if cols is not None:
        xs = xs[:, cols]
    if len(xs) == 0:
        raise EstimationFailure(f"{what}: no observations")
    gram = (xs * ws[:, None]).T @ xs
    if not well_conditioned(gram):
        raise EstimationFailure(f"{what}: singular design (collinear covariates)")
    coef = np.linalg.solve(gram, xs.T @ (ws * y[rows]))
    if cols is None:
        return coef
    beta = np.zeros(x.shape[1])
    beta[cols] = coef
    return beta


def asy_lin_rep_ols(
    x: np.ndarray, y: np.ndarray, fitted: np.ndarray, w_ols: np.ndarray, cols=None
) -> np.ndarray:
    """DRDID's asymptotic linear representation of (weighted) OLS, n x k: row i is
    ``w_i e_i x_i' (X'WX / n)^{-1}``. Columns not in ``cols`` were not estimated (zero);
    ``cols`` as in :func:`wls`."""
    n = len(y)
    xk = x if cols is None else x[:, cols]
    xpx = (xk * w_ols[:, None]).T @ xk / n
    if not well_conditioned(xpx):
        raise EstimationFailure("outcome regression design matrix is singular")
    rep = (w_ols * (y - fitted))[:, None] * xk @ np.linalg.inv(xpx)
    if cols is None:
        return rep
    out = np.zeros(x.shape)
    out[:, cols] = rep
    return out


# ----------------------------------------------------------------------------------------
# estimators on full designs (arrays in, ATT and influence function out)
# ----------------------------------------------------------------------------------------
def drdid_imp_panel(dy, d, x, w):
    """DRDID::drdid_imp_panel: eq. (3.1) with the improved nuisance estimators of Section 3.1
    (inverse probability tilting, weighted least squares with weights p / (1 - p)); its
    influence function has no estimation effect (doubly robust for inference)."""
    ps = np.minimum(ipt_scores(x, d, w), PS_CAP)
    trim = np.where(d == 0, ps < TRIM_LEVEL, True)
    every = np.ones(x.shape[1], dtype=bool)
    beta = wls(x, dy, w * ps / (1 - ps), d == 0, "outcome regression", every)
    out = x @ beta
    summand = trim * (1 - (1 - d) / (1 - ps)) * (dy - out)
    mean_dw = np.mean(d * w)
    att = float(np.mean(w * summand) / mean_dw)
    return att, w * trim * (summand - d * att) / mean_dw


def drdid_panel(dy, d, x, w):
    """DRDID::drdid_panel, eq. (3.1) with logit MLE and OLS: :func:`att_2x2` on a full design
    (the same kernel as Callaway-Sant'Anna's ``dr`` ATT(g,t))."""
    t, c = split_parts(x, d, w, dy)
    att, if1, if0 = att_2x2("dr", t, c)
    psi = np.empty(len(d))
    psi[d == 1], psi[d == 0] = if1, if0
    return att, psi


def drdid_imp_rc(y, post, d, x, w):
    """DRDID::drdid_imp_rc: eq. (3.4) with Section 3.2's improved nuisance estimators (inverse
    probability tilting; comparison regressions weighted by p / (1 - p))."""
    ps = np.minimum(ipt_scores(x, d, w), PS_CAP)
    trim = np.where(d == 0, ps < TRIM_LEVEL, True)
    odds_w = w * ps / (1 - ps)
    every = np.ones(x.shape[1], dtype=bool)
    out_c_pre = x @ wls(x, y, odds_w, (d == 0) & (post == 0), "comparison, pre", every)
    out_c_post = x @ wls(x, y, odds_w, (d == 0) & (post == 1), "comparison, post", every)
    out_c = post * out_c_post + (1 - post) * out_c_pre
    out_t_pre = x @ wls(x, y, w, (d == 1) & (post == 0), "treated, pre", every)
    out_t_post = x @ wls(x, y, w, (d == 1) & (post == 1), "treated, post", every)
    w_tpre, w_tpost = w * d * (1 - post), w * d * post
    w_cpre = trim * w * ps * (1 - d) * (1 - post) / (1 - ps)
    w_cpost = trim * w * ps * (1 - d) * post / (1 - ps)
    w_d, w_dt1, w_dt0 = w * d, w * d * post, w * d * (1 - post)
    return rc_combine(
        y, out_c, out_c_pre, out_c_post, out_t_pre, out_t_post,
        w_tpre, w_tpost, w_cpre, w_cpost, w_d, w_dt1, w_dt0,
    )  # fmt: skip


def rc_combine(
    y, out_c, out_c_pre, out_c_post, out_t_pre, out_t_post,
    w_tpre, w_tpost, w_cpre, w_cpost, w_d, w_dt1, w_dt0,
):  # fmt: skip
    """Locally efficient DR ATT for repeated cross-sections and its plug-in influence
    function (no estimation effect): the last step of ``drdid_imp_rc`` and of the
    formula-by-formula ``drdid_rc`` kept as the tests' reference."""

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


def drdid_rc(y, post, d, x, w, *, exact: bool = False, overlap_guard: bool = False):
    """DRDID::drdid_rc, the locally efficient estimator of eq. (3.4) for repeated
    cross-sections: logit MLE and OLS, with the estimation effects of both.

    DRDID 1.2.3 adds the pre-period comparison outcome-regression effects with the sign of
    the post-period ones although ``att.treat.pre`` and ``att.cont.pre`` enter the ATT with
    the opposite sign; the two conventions differ by ``2 lin_pre (M1.pre - M3.pre)``, which
    vanishes asymptotically when the propensity score balances the covariates. ``exact=True``
    uses the signs of the plug-in influence function (the derivative of the estimate with
    respect to each observation's weight); the default reproduces DRDID. ``overlap_guard``
    applies R ``did``'s check first (:func:`rc_propensity`).

    Computed by :func:`dr_rc_blocks`, the kernel every unbalanced Callaway-Sant'Anna cell
    uses, so that the 2x2 and the cells share one implementation. The formula-by-formula
    version (DRDID's own layout) is kept in the tests as the reference it is checked against
    (tests/reference_drdid_rc.py; equal to ~1e-15), and both against R (tests/test_drdid.py).
    """
    return dr_rc_cell(y, post, d, x, w, exact=exact, overlap_guard=overlap_guard)


def rc_propensity(
    x: np.ndarray, d: np.ndarray, w: np.ndarray, *, overlap_guard: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Capped logit propensity scores of a cross-section 2x2 and the design columns kept.

    Separation-safe (rows of indicator levels without treated rows get 0, see
    :func:`logit_scores_separated`). ``overlap_guard`` first applies R ``did``'s check, which
    ``DRDID`` itself does not make: the largest score of an *unweighted* logit must be below
    0.999, otherwise the comparison fails for lack of overlap.
    """
    if overlap_guard:
        guard, _ = logit_scores_separated(x, d, np.ones(len(d)))
        if guard.max(initial=0) >= 0.999:
            raise EstimationFailure("overlap condition violated (propensity score >= 0.999)")
    ps, keep = logit_scores_separated(x, d, w)
    return np.minimum(ps, PS_CAP), keep


def reg_did_rc(y, post, d, x, w):
    """DRDID::reg_did_rc, the outcome-regression DiD for repeated cross-sections (Heckman,
    Ichimura and Todd 1997): ATT and influence function (weights normalized to mean one)."""
    out_pre = x @ wls(x, y, w, (d == 0) & (post == 0), "comparison, pre")
    out_post = x @ wls(x, y, w, (d == 0) & (post == 1), "comparison, post")
    w_tpre, w_tpost, w_c = w * d * (1 - post), w * d * post, w * d
    for v in (w_tpre, w_tpost):
        if v.sum() <= 0:
            raise EstimationFailure("no treated observations in a period")
    eta_tpre = np.mean(w_tpre * y) / np.mean(w_tpre)
    eta_tpost = np.mean(w_tpost * y) / np.mean(w_tpost)
    att_c = w_c * (out_post - out_pre)
    eta_c = np.mean(att_c) / np.mean(w_c)
    att = (eta_tpost - eta_tpre) - eta_c
    lin_pre = asy_lin_rep_ols(x, y, out_pre, w * (1 - d) * (1 - post))
    lin_post = asy_lin_rep_ols(x, y, out_post, w * (1 - d) * post)
    inf_treat = (w_tpost * y - w_tpost * eta_tpost) / np.mean(w_tpost) - (
        w_tpre * y - w_tpre * eta_tpre
    ) / np.mean(w_tpre)
    m1 = np.mean(w_c[:, None] * x, axis=0)
    inf_control = (att_c - w_c * eta_c + lin_post @ m1 - lin_pre @ m1) / np.mean(w_c)
    return float(att), inf_treat - inf_control


def std_ipw_did_rc(y, post, d, x, w, *, overlap_guard: bool = False):
    """DRDID::std_ipw_did_rc, the Hajek-normalized IPW DiD (Abadie 2005) for repeated
    cross-sections, with the logit's estimation effect."""
    n = len(y)
    ps, keep = rc_propensity(x, d, w, overlap_guard=overlap_guard)
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
    lin_ps = ((w * (d - ps))[:, None] * x) @ (ps_information_inverse(x, ps, w, keep) * n)
    m2 = {
        k: np.mean((parts[k][2] * (y - parts[k][1]))[:, None] * x, axis=0) / np.mean(parts[k][2])
        for k in ("cpre", "cpost")
    }
    inf_treat = parts["tpost"][0] - parts["tpre"][0]
    inf_cont = parts["cpost"][0] - parts["cpre"][0] + lin_ps @ (m2["cpost"] - m2["cpre"])
    return float(att), inf_treat - inf_cont


# ----------------------------------------------------------------------------------------------
# drdid_rc in four row blocks: the kernel of the many 2x2 cells of an unbalanced
# Callaway-Sant'Anna panel. The rows of a cell are ordered comparison-pre | comparison-post |
# treated-pre | treated-post, so every mean, regression and moment is a sum over a contiguous
# block. Sums over a block reuse the Part helpers above on a view of the block's rows
# (_RCCell.rows); fitted values use _rows_xb.

CELL_CODES = ("c_pre", "c_post", "t_pre", "t_post")  # code = 2 d + post


def _rows_xb(cols: list[np.ndarray], b: np.ndarray, s: slice) -> np.ndarray:
    """``X b`` on the rows ``s``, X = [1, covariate columns] (no BLAS). Unlike :func:`_xb` it
    starts from the intercept; the cells' numbers were fixed (and tested against R) with this
    order of additions, so the two are kept apart."""
    out = np.full(s.stop - s.start, b[0])
    for j, col in enumerate(cols):
        out += col[s] * b[j + 1]
    return out


def _blocked_scores(
    z: np.ndarray | None, w: np.ndarray, split: int
) -> tuple[np.ndarray, np.ndarray]:
    """Separation-safe logit scores (uncapped) of rows ordered comparison | treated
    (:func:`logit_scores_separated` without splitting the design)."""
    n = len(w)
    zero = np.zeros(n)
    c = Part(zero[:split], None if z is None else z[:split], w[:split])
    t = Part(zero[split:], None if z is None else z[split:], w[split:])
    keep, sep_c = absent_indicators(t, c)
    if keep.all() and not sep_c.any():
        beta = fit_logit(t, c)[0]
        cols = [] if z is None else [z[:, j] for j in range(z.shape[1])]
        return expit(_rows_xb(cols, beta, slice(0, n))), keep
    x = np.ones((n, 1)) if z is None else np.column_stack([np.ones(n), z])
    d = np.zeros(n)
    d[split:] = 1.0
    return logit_scores_separated(x, d, w)


def _blocked_propensity(
    z: np.ndarray | None, w: np.ndarray, split: int, overlap_guard: bool
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`rc_propensity` on rows ordered comparison | treated, with R ``did``'s overlap
    guard if asked. The guard's unweighted logit is the weighted one when every weight is 1,
    so it is fitted once then."""
    if not overlap_guard:
        ps, keep = _blocked_scores(z, w, split)
        return np.minimum(ps, PS_CAP), keep
    unit_weights = bool((w == 1.0).all())
    if unit_weights:
        ps, keep = _blocked_scores(z, w, split)
        guard = ps
    else:
        guard = _blocked_scores(z, np.ones(len(w)), split)[0]
    if guard.max(initial=0) >= 0.999:
        raise EstimationFailure("overlap condition violated (propensity score >= 0.999)")
    if not unit_weights:
        ps, keep = _blocked_scores(z, w, split)
    return np.minimum(ps, PS_CAP), keep


def dr_rc_cell(
    y: np.ndarray,
    post: np.ndarray,
    d: np.ndarray,
    x: np.ndarray,
    w: np.ndarray,
    *,
    exact: bool = False,
    overlap_guard: bool = True,
) -> tuple[float, np.ndarray]:
    """:func:`drdid_rc` for rows in any order (R ``did``'s overlap guard on by default, as in
    its cells): rows put in block order for :func:`dr_rc_blocks`, the influence function
    put back in the original order."""
    order = np.argsort(2 * d + post, kind="stable")
    cell = (2 * d + post)[order].astype(np.intp)
    bounds = np.concatenate(([0], np.cumsum(np.bincount(cell, minlength=4))))
    z = np.asfortranarray(x[order, 1:]) if x.shape[1] > 1 else None
    att, psi_sorted = dr_rc_blocks(
        y[order], z, w[order], bounds, exact=exact, overlap_guard=overlap_guard
    )
    psi = np.empty(len(y))
    psi[order] = psi_sorted
    return att, psi


def dr_rc_blocks(
    y: np.ndarray,
    z: np.ndarray | None,
    w: np.ndarray,
    bounds: np.ndarray,
    *,
    exact: bool = False,
    overlap_guard: bool = True,
) -> tuple[float, np.ndarray]:
    """R ``DRDID::drdid_rc`` (Sant'Anna and Zhao 2020, eq. 3.4: logit MLE and OLS with their
    estimation effects) behind R ``did``'s overlap guard, for rows ordered in four blocks:
    comparison-pre | comparison-post | treated-pre | treated-post (``bounds``: the five block
    edges). ``z``: the covariates without the intercept (n x p, column-major), or None.

    The estimand and formulas of DRDID's ``drdid_rc`` (the formula-by-formula reference in
    tests/reference_drdid_rc.py; equal to rounding, ~1e-15, tested), reorganised for the many
    cells of an unbalanced
    Callaway-Sant'Anna panel: every cell mean, regression and moment is a sum over a block,
    and each OLS estimation effect ``lin_k @ m`` is the vector ``r_k * (x @ (n G_k^-1 m))``
    instead of an n x k matrix. ``exact`` and ``overlap_guard`` as there.
    """
    cell = _RCCell.of(y, z, w, bounds)
    ps, keep = _blocked_propensity(z, w, cell.split, overlap_guard)
    every = np.ones(cell.k, dtype=bool)
    use = [every, every, keep, keep]
    beta, inverses = _cell_regressions(cell, use)
    fits = _cell_fits(cell, beta)
    wt = np.empty(cell.n)  # weights of the cell means: trimmed odds, w for the treated
    p0 = ps[: cell.split]
    wt[: cell.split] = (p0 < TRIM_LEVEL) * w[: cell.split] * p0 / (1 - p0)
    wt[cell.split :] = w[cell.split :]
    att, psi, means = _rc_plugin(cell, fits, wt)
    psi += _ols_effects(cell, fits, wt, means, use, inverses, exact)
    psi -= _logit_effect(cell, ps, keep, means)
    return att, psi


@dataclass
class _RCCell:
    """A repeated-cross-section 2x2 in four row blocks (see :func:`dr_rc_blocks`)."""

    y: np.ndarray
    w: np.ndarray
    z: np.ndarray | None  # covariates without the intercept (n x p, column-major)
    cols: list[np.ndarray]  # the columns of z
    blocks: list[slice]  # comparison-pre, comparison-post, treated-pre, treated-post
    n: int
    k: int
    split: int  # first treated row

    @classmethod
    def of(cls, y: np.ndarray, z: np.ndarray | None, w: np.ndarray, bounds: np.ndarray) -> _RCCell:
        cols = [] if z is None else [z[:, j] for j in range(z.shape[1])]
        blocks = [slice(int(bounds[c]), int(bounds[c + 1])) for c in range(4)]
        return cls(y, w, z, cols, blocks, len(y), 1 + len(cols), int(bounds[2]))

    def rows(self, s: slice) -> Part:
        """The design of rows ``s`` as a :class:`Part` (views; for :func:`_gram`, :func:`_xt`)."""
        return Part(self.y[s], None if self.z is None else self.z[s], None)

    @property
    def treated(self) -> slice:
        return slice(self.split, self.n)

    def within_treated(self, c: int) -> slice:
        """Block ``c`` (2 or 3) as a slice of the treated rows."""
        s = self.blocks[c]
        return slice(s.start - self.split, s.stop - self.split)


def _cell_regressions(cell: _RCCell, use: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """OLS (weights w) of y on [1, covariates] in each block: coefficients (k x 4; zero for
    the treated blocks' dropped indicator columns) and the inverse Gram matrices."""
    beta = np.zeros((cell.k, 4))
    inverses = []
    for c, s in enumerate(cell.blocks):
        gram = _gram(cell.rows(s), cell.w[s])[np.ix_(use[c], use[c])]
        if not well_conditioned(gram):
            raise EstimationFailure(f"{CELL_CODES[c]}: singular design (collinear covariates)")
        inv = np.linalg.inv(gram)
        beta[use[c], c] = inv @ _xt(cell.rows(s), cell.w[s] * cell.y[s])[use[c]]
        inverses.append(inv)
    return beta, inverses


def _cell_fits(cell: _RCCell, beta: np.ndarray) -> dict[str, Any]:
    """Fitted values: the comparison regression of each row's own period (``out_c``), the
    treated regressions on the treated rows and the treated-minus-comparison differences."""
    cols, trt = cell.cols, cell.treated
    out_c = np.empty(cell.n)
    for c, s in enumerate(cell.blocks):
        out_c[s] = _rows_xb(cols, beta[:, c % 2], s)
    fit_t = [_rows_xb(cols, beta[:, 2], trt), _rows_xb(cols, beta[:, 3], trt)]
    return {
        "out_c": out_c,
        "fit_t": fit_t,
        "d_pre": fit_t[0] - _rows_xb(cols, beta[:, 0], trt),
        "d_post": fit_t[1] - _rows_xb(cols, beta[:, 1], trt),
    }


def _rc_plugin(
    cell: _RCCell, fits: dict[str, Any], wt: np.ndarray
) -> tuple[float, np.ndarray, dict[str, Any]]:
    """The ATT of eq. (3.4) and its plug-in influence function (R's mean-n scale: weights
    divided by their means), with the cell means the estimation effects need."""
    n, blocks, trt = cell.n, cell.blocks, cell.treated
    resid = cell.y - fits["out_c"]
    d_pre, d_post = fits["d_pre"], fits["d_post"]
    sw = np.array([wt[s].sum() for s in blocks])
    a_own = np.array([_dot(wt[s], resid[s]) for s in blocks]) / sw
    w_t = cell.w[trt]
    sw_d = sw[2] + sw[3]
    a_dpost = _dot(w_t, d_post) / sw_d
    a_dpre = _dot(w_t, d_pre) / sw_d
    t0, t1 = cell.within_treated(2), cell.within_treated(3)
    a_dt1post = _dot(w_t[t1], d_post[t1]) / sw[3]
    a_dt0pre = _dot(w_t[t0], d_pre[t0]) / sw[2]
    att = (
        (a_own[3] - a_own[2]) - (a_own[1] - a_own[0]) + (a_dpost - a_dt1post) - (a_dpre - a_dt0pre)
    )
    mw = sw / n
    own_sign = (1.0, -1.0, -1.0, 1.0)
    centred = np.empty(n)
    psi = np.empty(n)
    for c, s in enumerate(blocks):
        centred[s] = wt[s] * (resid[s] - a_own[c])
        psi[s] = centred[s] * (own_sign[c] / mw[c])
    psi[trt] += w_t * ((d_post - a_dpost) - (d_pre - a_dpre)) / (sw_d / n)
    psi[blocks[3]] -= w_t[t1] * (d_post[t1] - a_dt1post) / mw[3]
    psi[blocks[2]] += w_t[t0] * (d_pre[t0] - a_dt0pre) / mw[2]
    return float(att), psi, {"sw": sw, "sw_d": sw_d, "centred": centred}


def _ols_effects(
    cell: _RCCell,
    fits: dict[str, Any],
    wt: np.ndarray,
    means: dict[str, Any],
    use: list[np.ndarray],
    inverses: list[np.ndarray],
    exact: bool,
) -> np.ndarray:
    """The four outcome regressions' estimation effects, ``sum_k lin_k @ m_k`` with each
    ``m_k`` the combination of DRDID's M1, M3 and the treated-regression moments."""
    blocks, cols, sw = cell.blocks, cell.cols, means["sw"]
    mean_x = np.array([_xt(cell.rows(s), wt[s]) for s in blocks]) / sw[:, None]
    m1_post, m1_pre = -mean_x[3], -mean_x[2]
    m3_post, m3_pre = -mean_x[1], -mean_x[0]
    mean_t = (mean_x[2] * sw[2] + mean_x[3] * sw[3]) / means["sw_d"]
    mom_post, mom_pre = mean_t - mean_x[3], mean_t - mean_x[2]
    pre_sign = -1.0 if exact else 1.0
    combos = (
        pre_sign * (m1_pre - m3_pre) + mom_pre,
        m1_post - m3_post - mom_post,
        -mom_pre,
        mom_post,
    )
    out = np.empty(cell.n)
    for c, s in enumerate(blocks):
        direction = np.zeros(cell.k)
        direction[use[c]] = inverses[c] @ combos[c][use[c]] * cell.n
        if c < 2:
            fitted = fits["out_c"][s]
        else:
            fitted = fits["fit_t"][c - 2][cell.within_treated(c)]
        out[s] = cell.w[s] * (cell.y[s] - fitted) * _rows_xb(cols, direction, s)
    return out


def _logit_effect(
    cell: _RCCell, ps: np.ndarray, keep: np.ndarray, means: dict[str, Any]
) -> np.ndarray:
    """The propensity score's estimation effect: logit score times the inverse information
    times DRDID's M2 (post minus pre)."""
    blocks, cols, sw, centred = cell.blocks, cell.cols, means["sw"], means["centred"]
    m2_post = _xt(cell.rows(blocks[1]), centred[blocks[1]]) / sw[1]
    m2_pre = _xt(cell.rows(blocks[0]), centred[blocks[0]]) / sw[0]
    w, n, split = cell.w, cell.n, cell.split
    info = _gram(cell.rows(slice(0, n)), ps * (1 - ps) * w)[np.ix_(keep, keep)]
    if not well_conditioned(info):
        raise EstimationFailure("propensity score information matrix is singular")
    ps_dir = np.zeros(cell.k)
    ps_dir[keep] = np.linalg.inv(info) * n @ (m2_post - m2_pre)[keep]
    score = np.empty(n)
    score[:split] = w[:split] * (0.0 - ps[:split])
    score[split:] = w[split:] * (1.0 - ps[split:])
    return score * _rows_xb(cols, ps_dir, slice(0, n))
