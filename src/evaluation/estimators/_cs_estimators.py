"""Two-period panel DiD estimators and their influence functions (Sant'Anna & Zhao 2020).

Each estimator follows R ``DRDID`` 1.2 exactly: ``drdid_panel`` (the locally efficient
"traditional" doubly robust estimator: logit propensity score by maximum likelihood, outcome
regression of the outcome change by OLS on the comparison units), ``std_ipw_did_panel``
(Hajek-normalized inverse probability weighting) and ``reg_did_panel`` (outcome regression,
Heckman-Ichimura-Todd 1997). Sampling weights are normalized to mean one over the 2x2
sample; comparison units with a propensity score of 0.995 or more are trimmed; scores are
capped at 1 - 1e-6.

The data arrive split into a treated part and a comparison part (the rows of a units x
periods array are sorted by cohort, so each part is a contiguous block): sums are taken
part by part and nothing of size n x k is formed beyond the design matrices themselves.
Influence functions are returned on the scale of R's ``att.inf.func`` (mean-zero, so that the
standard error is ``sqrt(sum(psi^2)) / n``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TRIM_LEVEL = 0.995
PS_CAP = 1 - 1e-6


class EstimationFailure(RuntimeError):
    """A 2x2 comparison cannot be estimated (no overlap, singular design, ...)."""


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
    if not _well_conditioned(a):
        raise EstimationFailure(f"{what}: singular or ill-conditioned covariate matrix")
    return np.linalg.solve(a, b)


def _expit(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _log_expit(z: np.ndarray) -> np.ndarray:
    """log(1 / (1 + exp(-z))), stable for large |z|."""
    return -np.logaddexp(0.0, -z)


def _well_conditioned(a: np.ndarray) -> bool:
    """Whether a symmetric positive matrix is invertible, judged scale-free (unit diagonal)."""
    d = np.sqrt(np.abs(np.diag(a)))
    if not np.isfinite(a).all() or (d <= 0).any():
        return False
    return bool(np.linalg.cond(a / np.outer(d, d)) < 1 / np.finfo(float).eps)


def _newton_logit(treat: Part, control: Part, beta: np.ndarray, tol: float, max_iter: int):
    w1, w0 = treat.weights(), control.weights()

    def loglik(b: np.ndarray) -> float:
        return _dot(w1, _log_expit(_xb(treat, b))) + _dot(w0, _log_expit(-_xb(control, b)))

    current = None
    for _ in range(max_iter):
        p1 = _expit(_xb(treat, beta))
        p0 = _expit(_xb(control, beta))
        grad = _xt(treat, w1 * (1 - p1)) - _xt(control, w0 * p0)
        hess = _gram(treat, w1 * p1 * (1 - p1)) + _gram(control, w0 * p0 * (1 - p0))
        if not _well_conditioned(hess):
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
    return beta, _expit(_xb(treat, beta)), _expit(_xb(control, beta))


def _absent_indicators(treat: Part, control: Part) -> tuple[np.ndarray, np.ndarray]:
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
    cols, sep = _absent_indicators(treat, control)
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
    """ATT and influence function (treated part, comparison part) of one 2x2 comparison.

    ``method`` is ``"dr"`` (DRDID::drdid_panel), ``"ipw"`` (std_ipw_did_panel) or ``"reg"``
    (reg_did_panel). Weights in the parts must already be normalized to mean one over the
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
