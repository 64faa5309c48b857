"""Sensitivity of an event study to violations of parallel trends (Rambachan & Roth 2023).

Follows R ``HonestDiD`` (Rambachan & Roth; github.com/asheshrambachan/HonestDiD):

* relative magnitudes, Delta^RM(Mbar): post-treatment violations between consecutive periods
  are at most ``Mbar`` times the largest pre-treatment one. Confidence sets are the
  conditional / least-favourable hybrid ("C-LF", the R default) or the conditional test
  ("Conditional") of Andrews, Roth & Pakes (2023, "ARP"), inverted over a grid of the target
  parameter theta = l'tau_post and united over the location and sign of the largest
  pre-treatment violation, exactly as ``computeConditionalCS_DeltaRM``;
* smoothness, Delta^SD(M): the slope of the differential trend changes by at most ``M``
  between consecutive periods; fixed-length confidence intervals (FLCI, Armstrong & Kolesar
  2018) as ``findOptimalFLCI``.

Two implementation choices differ from R and are deliberate:

* the ARP test statistic eta = min_delta max_j (y_j - X_j delta) / sd_j is a linear program
  whose dual optimum is attained at a vertex of {lambda >= 0, lambda'[sd, X] = e_1}. The
  vertices are enumerated once per constraint set, so eta, the conditioning event
  (vlo, vup) and the least-favourable critical value are exact matrix operations over the
  whole theta grid rather than one LP per grid point (R's primal and dual branches compute
  the same truncation points, by simplex bases and by bisection);
* the folded-normal quantile of the FLCI is computed exactly by root finding; R simulates it
  with 10^6 draws. The least-favourable critical value is simulated (``lf_sims`` draws, seeded)
  as in R, but with NumPy's generator, so hybrid intervals agree with R to about one grid step.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .results import EstimationResult, tidy_frame

RESTRICTIONS = ("relative_magnitude", "smoothness")
_VERTEX_LIMIT = 200_000


# --------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------
def _event_study_inputs(result: EstimationResult) -> tuple[np.ndarray, np.ndarray, int, int, list]:
    """Pre- then post-period coefficients and their covariance from an event-study result."""
    table = result.tidy()
    if "event_time" not in table.columns:
        raise ValueError(
            f"honest_did: result of estimator {result.estimator!r} has no 'event_time' column; "
            "pass an event_study result or betahat with sigma, num_pre and num_post"
        )
    if result.vcov is None:
        raise ValueError(
            f"honest_did: result of estimator {result.estimator!r} carries no vcov of the "
            "event-time coefficients; pass betahat and sigma instead"
        )
    table = table[table["event_time"].notna() & table["std_error"].gt(0)]
    table = table.sort_values("event_time", kind="stable")
    terms = list(table["term"])
    missing = [t for t in terms if t not in result.vcov.index]
    if missing:
        raise ValueError(f"honest_did: terms {missing} are missing from the result's vcov")
    beta = table["estimate"].to_numpy(float)
    sigma = result.vcov.loc[terms, terms].to_numpy(float)
    event_time = table["event_time"].to_numpy(float)
    num_pre = int((event_time < 0).sum())
    num_post = int((event_time >= 0).sum())
    return beta, sigma, num_pre, num_post, list(event_time)


def _validate(beta: np.ndarray, sigma: np.ndarray, num_pre: int, num_post: int) -> None:
    if beta.ndim != 1 or sigma.shape != (beta.size, beta.size):
        raise ValueError(
            f"honest_did: betahat has shape {beta.shape} and sigma {sigma.shape}; expected a "
            "vector of length K and a K x K covariance matrix"
        )
    if num_pre + num_post != beta.size:
        raise ValueError(
            f"honest_did: num_pre ({num_pre}) + num_post ({num_post}) != len(betahat) "
            f"({beta.size}); betahat must hold pre-periods first, reference period omitted"
        )
    if num_pre < 1 or num_post < 1:
        raise ValueError("honest_did: needs at least one pre-period and one post-period")
    if not np.all(np.isfinite(beta)) or not np.all(np.isfinite(sigma)):
        raise ValueError("honest_did: betahat and sigma must be finite")
    if not np.allclose(sigma, sigma.T, atol=1e-12 * max(1.0, np.abs(sigma).max())):
        raise ValueError("honest_did: sigma is not symmetric")
    if np.linalg.eigvalsh(sigma).min() < -1e-10 * max(1.0, np.abs(sigma).max()):
        raise ValueError("honest_did: sigma is not positive semi-definite")


# --------------------------------------------------------------------------------------
# Delta^RM constraints (R: .create_A_RM)
# --------------------------------------------------------------------------------------
def _a_rm(num_pre: int, num_post: int, mbar: float, s: int, max_positive: bool) -> np.ndarray:
    """Rows A with A delta <= 0 iff delta in Delta^RM_{s,sign}(Mbar) (reference period dropped).

    Consecutive differences of (delta_pre, 0, delta_post) are bounded by the difference at
    period ``s`` (<= 0) in the pre-period and by ``Mbar`` times it after treatment.
    """
    n = num_pre + num_post
    a_tilde = np.zeros((n, n + 1))
    for r in range(n):
        a_tilde[r, r : r + 2] = (-1.0, 1.0)
    v = np.zeros(n + 1)
    v[num_pre + s - 1 : num_pre + s + 1] = (-1.0, 1.0)
    if not max_positive:
        v = -v
    a_ub = np.vstack([np.tile(v, (num_pre, 1)), np.tile(mbar * v, (num_post, 1))])
    a = np.vstack([a_tilde - a_ub, -a_tilde - a_ub])
    a = a[(a * a).sum(axis=1) > 1e-10]
    return np.delete(a, num_pre, axis=1)


def _gamma_basis(l_vec: np.ndarray) -> np.ndarray:
    """Invertible matrix with l' as first row, completed greedily by unit vectors (R: .construct_Gamma)."""
    rows = [l_vec]
    for j in range(l_vec.size):
        cand = np.zeros(l_vec.size)
        cand[j] = 1.0
        if np.linalg.matrix_rank(np.vstack([*rows, cand])) > len(rows):
            rows.append(cand)
        if len(rows) == l_vec.size:
            break
    return np.vstack(rows)


# --------------------------------------------------------------------------------------
# ARP conditional / hybrid test by dual-vertex enumeration
# --------------------------------------------------------------------------------------
def _dual_vertices(w: np.ndarray) -> np.ndarray:
    """Vertices of {lambda >= 0 : W' lambda = e_1} (rows of the returned matrix)."""
    m, k1 = w.shape
    rank = np.linalg.matrix_rank(w)
    target = np.zeros(k1)
    target[0] = 1.0
    n_sets = int(np.prod(range(m - rank + 1, m + 1)) // max(1, np.prod(range(1, rank + 1))))
    if n_sets > _VERTEX_LIMIT:
        raise ValueError(
            f"honest_did: {n_sets} candidate dual vertices ({m} moments, {k1 - 1} nuisance "
            "parameters); use fewer post-periods or the smoothness restriction"
        )
    verts: list[np.ndarray] = []
    for subset in itertools.combinations(range(m), rank):
        wb = w[list(subset)]
        if np.linalg.matrix_rank(wb) < rank:
            continue
        sol, *_ = np.linalg.lstsq(wb.T, target, rcond=None)
        if np.abs(wb.T @ sol - target).max() > 1e-9 or sol.min() < -1e-10:
            continue
        lam = np.zeros(m)
        lam[list(subset)] = np.clip(sol, 0.0, None)
        verts.append(lam)
    if not verts:
        return np.zeros((0, m))
    out = np.unique(np.round(np.vstack(verts), 12), axis=0)
    return out


def _matrix_sqrt(sigma: np.ndarray) -> np.ndarray:
    vals, vecs = np.linalg.eigh(sigma)
    return vecs * np.sqrt(np.clip(vals, 0.0, None))


def _lf_critical_value(
    verts: np.ndarray, sigma_y: np.ndarray, kappa: float, sims: int, seed: int
) -> float:
    """Least-favourable critical value: the 1-kappa quantile of eta under y ~ N(0, Sigma_Y).

    ARP (2023) section 6.2, as R's ``.compute_least_favorable_cv`` (which uses 1,000 draws).
    """
    rng = np.random.default_rng(seed)
    draws = rng.standard_normal((sims, sigma_y.shape[0])) @ _matrix_sqrt(sigma_y).T
    eta = (draws @ verts.T).max(axis=1)
    return float(np.quantile(eta, 1 - kappa))


def _truncnorm_quantile(p: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Quantile p of the standard normal truncated to [lo, hi] (R: TruncatedNormal::norminvp)."""
    from scipy import stats

    out = np.full(lo.shape, np.nan)
    ok = lo < hi
    if ok.any():
        out[ok] = stats.truncnorm.ppf(p, lo[ok], hi[ok])
    return out


def _arp_accept(
    y0: np.ndarray,
    a1: np.ndarray,
    x: np.ndarray,
    sigma_y: np.ndarray,
    theta: np.ndarray,
    *,
    alpha: float,
    hybrid: str,
    kappa: float,
    lf_sims: int,
    seed: int,
) -> np.ndarray:
    """Acceptance (bool per theta) of the ARP test of E[y0 - a1 theta - X delta] <= 0."""
    sd = np.sqrt(np.diag(sigma_y))
    w = np.column_stack([sd, x]) if x.size else sd[:, None]
    verts = _dual_vertices(w)
    if verts.shape[0] == 0:  # primal unbounded below: eta = -inf, never rejects
        return np.ones(theta.size, dtype=bool)
    lf_cv = np.inf
    size = alpha
    if hybrid == "LF":
        lf_cv = _lf_critical_value(verts, sigma_y, kappa, lf_sims, seed)
        size = (alpha - kappa) / (1 - kappa)
    y = y0[:, None] - a1[:, None] * theta[None, :]  # moments x grid
    values = verts @ y
    best = values.argmax(axis=0)
    eta = values[best, np.arange(theta.size)]
    gam = verts[best]  # grid x moments
    sg = gam @ sigma_y
    var_b = np.einsum("ij,ij->i", sg, gam)
    accept = np.ones(theta.size, dtype=bool)
    first_stage = eta > lf_cv
    accept[first_stage] = False
    degenerate = var_b < np.finfo(float).eps
    accept[degenerate & ~first_stage] = ~(eta[degenerate & ~first_stage] > 0)
    idx = np.flatnonzero(~first_stage & ~degenerate)
    if idx.size == 0:
        return accept
    b = sg[idx] / var_b[idx, None]  # grid x moments
    s = y[:, idx].T - b * eta[idx, None]
    num = s @ verts.T  # grid x vertices
    den = 1.0 - b @ verts.T
    tol = 1e-10
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = num / den
    vlo = np.where(den > tol, ratio, -np.inf).max(axis=1)
    vup = np.where(den < -tol, ratio, np.inf).min(axis=1)
    sigma_b = np.sqrt(var_b[idx])
    # R applies the least-favourable truncation only when there are nuisance parameters.
    upper = np.minimum(vup, lf_cv) if x.size else vup
    zlo, zup = vlo / sigma_b, upper / sigma_b
    stat = eta[idx] / sigma_b
    inside = (zlo <= stat + 1e-12) & (stat <= zup + 1e-12)
    cval = np.maximum(0.0, _truncnorm_quantile(1 - size, zlo, zup))
    reject = inside & (stat > cval)
    accept[idx] = ~reject
    return accept


def _rm_accept_grid(
    beta: np.ndarray,
    sigma: np.ndarray,
    num_pre: int,
    num_post: int,
    l_vec: np.ndarray,
    mbar: float,
    theta: np.ndarray,
    *,
    alpha: float,
    hybrid: str,
    lf_sims: int,
    seed: int,
) -> np.ndarray:
    """Union over s and sign of the ARP acceptance regions (R: computeConditionalCS_DeltaRM)."""
    gamma_inv = np.linalg.inv(_gamma_basis(l_vec))
    accept = np.zeros(theta.size, dtype=bool)
    for s in range(-(num_pre - 1), 1):
        for positive in (True, False):
            a = _a_rm(num_pre, num_post, mbar, s, positive)
            post_rows = np.flatnonzero(np.abs(a[:, num_pre:]).sum(axis=1) > 0)
            a = a[post_rows]  # R: postPeriodMomentsOnly = TRUE
            a_gi = a[:, num_pre:] @ gamma_inv
            y0 = a @ beta
            sigma_y = a @ sigma @ a.T
            accept |= _arp_accept(
                y0,
                a_gi[:, 0],
                a_gi[:, 1:],
                sigma_y,
                theta,
                alpha=alpha,
                hybrid=hybrid,
                kappa=alpha / 10,
                lf_sims=lf_sims,
                seed=seed,
            )
    return accept


# --------------------------------------------------------------------------------------
# Delta^SD: fixed-length confidence interval (R: findOptimalFLCI)
# --------------------------------------------------------------------------------------
def _folded_normal_quantile(p: float, mu: float) -> float:
    """Quantile p of |Z + mu|, Z ~ N(0, 1): solves Phi(c - mu) - Phi(-c - mu) = p."""
    from scipy import optimize, stats

    mu = abs(mu)

    def gap(c: float) -> float:
        return stats.norm.cdf(c - mu) - stats.norm.cdf(-c - mu) - p

    hi = mu + stats.norm.ppf(p) + 10.0
    return float(optimize.brentq(gap, 0.0, hi, xtol=1e-14, rtol=1e-14))


@dataclass
class _FlciProblem:
    """The FLCI programme in R's (U, w) parameterisation, w the pre-period slope weights."""

    sigma: np.ndarray
    num_pre: int
    num_post: int
    l_vec: np.ndarray

    def __post_init__(self) -> None:
        k = self.num_pre
        self.w_to_l = np.eye(k) - np.eye(k, k=-1)
        pre = slice(0, k)
        post = slice(k, k + self.num_post)
        s_pre = self.sigma[pre, pre]
        s_pp = self.sigma[pre, post]
        self.q = self.w_to_l.T @ s_pre @ self.w_to_l
        self.lin = 2 * self.w_to_l.T @ s_pp @ self.l_vec
        self.const = float(self.l_vec @ self.sigma[post, post] @ self.l_vec)
        t = np.arange(1, self.num_post + 1)
        self.sum_w = float(t @ self.l_vec)
        self.bias_const = float(
            sum(
                abs(np.arange(1, s + 1) @ self.l_vec[self.num_post - s :])
                for s in range(1, self.num_post + 1)
            )
            - self.sum_w
        )

    def variance(self, w: np.ndarray) -> float:
        return float(w @ self.q @ w + self.lin @ w + self.const)

    def bias(self, w: np.ndarray) -> float:
        """Worst-case bias over Delta^SD(1): the constant plus sum_k |w_1 + ... + w_k|."""
        return self.bias_const + float(np.abs(np.cumsum(w)).sum())

    def min_variance(self) -> np.ndarray:
        """Minimum-variance weights subject to sum(w) = sum_t t l_t (KKT system)."""
        k = self.num_pre
        kkt = np.zeros((k + 1, k + 1))
        kkt[:k, :k] = 2 * self.q
        kkt[:k, k] = 1.0
        kkt[k, :k] = 1.0
        rhs = np.concatenate([-self.lin, [self.sum_w]])
        sol = np.linalg.lstsq(kkt, rhs, rcond=None)[0]
        return sol[:k]

    def min_bias_given_h(self, h: float, start: np.ndarray) -> np.ndarray:
        """Weights minimising worst-case bias subject to sd <= h (R: .findWorstCaseBiasGivenH)."""
        from scipy import optimize

        k = self.num_pre
        lower = np.tril(np.ones((k, k)))
        z0 = np.concatenate([np.abs(lower @ start) + 1e-9, start])
        cons = [
            {
                "type": "ineq",
                "fun": lambda z: z[:k] - lower @ z[k:],
                "jac": lambda z: np.hstack([np.eye(k), -lower]),
            },
            {
                "type": "ineq",
                "fun": lambda z: z[:k] + lower @ z[k:],
                "jac": lambda z: np.hstack([np.eye(k), lower]),
            },
            {
                "type": "eq",
                "fun": lambda z: np.array([z[k:].sum() - self.sum_w]),
                "jac": lambda z: np.concatenate([np.zeros(k), np.ones(k)])[None, :],
            },
            {
                "type": "ineq",
                "fun": lambda z: np.array([(h * h - self.variance(z[k:])) / (h * h)]),
                "jac": lambda z: np.concatenate(
                    [np.zeros(k), -(2 * self.q @ z[k:] + self.lin) / (h * h)]
                )[None, :],
            },
        ]
        obj = np.concatenate([np.ones(k), np.zeros(k)])
        res = optimize.minimize(
            lambda z: float(obj @ z),
            z0,
            jac=lambda z: obj,
            constraints=cons,
            method="SLSQP",
            options={"ftol": 1e-13, "maxiter": 500},
        )
        return res.x[k:]


def _flci(
    beta: np.ndarray,
    sigma: np.ndarray,
    num_pre: int,
    num_post: int,
    l_vec: np.ndarray,
    m: float,
    alpha: float,
) -> tuple[float, float, np.ndarray]:
    """Optimal FLCI for l'tau_post under Delta^SD(M): (lower, upper, affine weights)."""
    from scipy import optimize

    prob = _FlciProblem(sigma, num_pre, num_post, l_vec)
    w_min = prob.min_variance()
    h_min = np.sqrt(prob.variance(w_min))
    w_h0 = np.zeros(num_pre)
    w_h0[-1] = prob.sum_w
    h0 = np.sqrt(prob.variance(w_h0))
    cache: dict[float, np.ndarray] = {}

    def weights(h: float) -> np.ndarray:
        if h <= h_min * (1 + 1e-9):
            return w_min
        if h not in cache:
            cache[h] = prob.min_bias_given_h(h, w_min if h < h0 else w_h0)
        return cache[h]

    def half_length(h: float) -> float:
        w = weights(h)
        sd = np.sqrt(prob.variance(w))
        return _folded_normal_quantile(1 - alpha, m * prob.bias(w) / sd) * sd

    if m == 0 or h0 <= h_min * (1 + 1e-9):
        h_star = h_min
    else:
        opt = optimize.minimize_scalar(
            half_length, bounds=(h_min, h0), method="bounded", options={"xatol": 1e-10 * h0}
        )
        h_star = float(opt.x)
        for edge in (h_min, h0):  # convex in h (R's assumption): check the end points too
            if half_length(edge) < half_length(h_star):
                h_star = edge
    w = weights(h_star)
    l_pre = prob.w_to_l @ w
    full = np.concatenate([l_pre, l_vec])
    centre = float(full @ beta)
    hl = half_length(h_star)
    return centre - hl, centre + hl, full


def _sd_upper_bound_m(
    beta: np.ndarray, sigma: np.ndarray, num_pre: int, alpha: float = 0.05
) -> float:
    """Upper one-sided bound on the largest pre-period second difference (R: DeltaSD_upperBound_Mpre).

    Second differences of the pre-period path (beta_pre, 0), the reference period being 0.
    """
    from scipy import stats

    n = num_pre + 1
    d2 = np.zeros((n - 2, n))
    for r in range(n - 2):
        d2[r, r : r + 3] = (1.0, -2.0, 1.0)
    a = np.vstack([d2, -d2])[:, :num_pre]
    se = np.sqrt(np.diag(a @ sigma[:num_pre, :num_pre] @ a.T))
    return float((a @ beta[:num_pre] + stats.norm.ppf(1 - alpha) * se).max())


# --------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------
@dataclass(repr=False)
class HonestDiDResult(EstimationResult):
    """Robust confidence sets over a grid of M (or Mbar), plus the original interval.

    ``tidy()`` has one row per value with ``m``, ``conf_low``, ``conf_high``, ``method``,
    ``restriction``; the first row (``method == "Original"``) is the conventional interval.
    """

    _interval: Callable[[float], tuple[float, float]] | None = field(default=None, compare=False)

    @property
    def original(self) -> pd.Series:
        return self.table[self.table["method"] == "Original"].iloc[0]

    def robust(self) -> pd.DataFrame:
        """The robust rows only."""
        return self.table[self.table["method"] != "Original"].reset_index(drop=True)

    def breakdown(self, *, upper: float | None = None, tol: float | None = None) -> float:
        """Smallest M (or Mbar) at which the robust interval includes 0.

        Found by bisection (the robust sets are nested in M). Returns 0.0 when the original
        interval already includes zero and ``inf`` when no value up to ``upper`` reaches it.
        """
        if self._interval is None:
            raise ValueError("breakdown() needs the result of honest_did")
        orig = self.original
        if orig["conf_low"] <= 0 <= orig["conf_high"]:
            return 0.0

        def covers(m: float) -> bool:
            lo, hi = self._interval(m)
            return bool(lo <= 0 <= hi)

        if covers(0.0):
            return 0.0
        grid = self.robust()["m"].to_numpy(float)
        hi = upper if upper is not None else float(max(grid.max() if grid.size else 1.0, 1e-8))
        lo = 0.0
        tries = 0
        while not covers(hi):
            lo, hi = hi, hi * 2
            tries += 1
            if tries > 6 or (upper is not None):
                return float("inf")
        tol = tol if tol is not None else max(hi * 1e-3, 1e-12)
        while hi - lo > tol:
            mid = (lo + hi) / 2
            if covers(mid):
                hi = mid
            else:
                lo = mid
        return float(hi)


def honest_did(
    result_or_betahat: EstimationResult | Sequence[float] | np.ndarray,
    sigma: np.ndarray | pd.DataFrame | None = None,
    num_pre: int | None = None,
    num_post: int | None = None,
    *positional_options: Any,
    restriction: str = "relative_magnitude",
    m_values: Sequence[float] | None = None,
    l_vec: Sequence[float] | None = None,
    alpha: float = 0.05,
    method: str | None = None,
    grid_points: int = 1000,
    grid_lb: float | None = None,
    grid_ub: float | None = None,
    lf_sims: int = 1000,
    seed: int = 0,
) -> HonestDiDResult:
    """Rambachan-Roth robust confidence sets for an event-study parameter.

    The inputs (a result, or coefficients with ``sigma``, ``num_pre``, ``num_post``) are
    positional; every option is keyword-only, as in every estimator of the package (options
    ``restriction, m_values, l_vec, alpha`` given by position still work this release, with a
    ``DeprecationWarning``).

    Parameters
    ----------
    result_or_betahat : an ``event_study`` result (its event-time coefficients and ``vcov``;
        pre-periods are event times < 0, the omitted reference period is dropped) or the
        coefficient vector, pre-periods first, reference period omitted.
    sigma, num_pre, num_post : covariance and period counts when a vector is given.
    restriction : ``"relative_magnitude"`` (Delta^RM(Mbar)) or ``"smoothness"`` (Delta^SD(M)).
    m_values : grid of Mbar (default 10 values on [0, 2], as R) or M (default 10 values from 0
        to R's ``DeltaSD_upperBound_Mpre``).
    l_vec : weights of the target theta = l'tau_post (default: the first post period).
    method : ``"C-LF"`` (default) or ``"Conditional"`` for relative magnitudes; ``"FLCI"``
        for smoothness.
    grid_points, grid_lb, grid_ub : theta grid of the test inversion (R: 1,000 points on
        +/- 20 standard errors of theta-hat around 0). With the default grid, a set that
        reaches an end of it is recomputed on a grid twice as wide (R warns instead); with a
        user grid the set is cut there, with a warning and a note.
    lf_sims, seed : draws and seed of the least-favourable critical value.

    Returns
    -------
    HonestDiDResult, with ``.tidy()`` rows ``m, conf_low, conf_high, method`` and
    ``.breakdown()``.

    Notes
    -----
    Intervals are the convex hull of the accepted grid points, as R reports them
    (``lb = min(grid[accept])``, ``ub = max(grid[accept])``).

    Examples
    --------
    >>> import pandas as pd
    >>> from evaluation.estimators import event_study
    >>> d = pd.read_csv("tests/data/mpdta.csv")
    >>> es = event_study(d, "lemp", "countyreal", "year", "first.treat", method="sunab")
    >>> hd = honest_did(es, m_values=[0, 0.5, 1], grid_points=200)
    >>> print(hd.tidy()[["term", "conf_low", "conf_high"]].round(3).to_string(index=False))
        term  conf_low  conf_high
    original    -0.043      0.003
      Mbar=0    -0.042      0.001
    Mbar=0.5    -0.054      0.018
      Mbar=1    -0.073      0.037
    >>> hd.breakdown() == 0.0  # the conventional interval already covers zero
    True
    """
    if positional_options:
        restriction, m_values, l_vec, alpha = _positional_options(
            positional_options, restriction, m_values, l_vec, alpha
        )
    beta, sig, num_pre, num_post, event_times, outcome, nobs = _honest_inputs(
        result_or_betahat, sigma, num_pre, num_post
    )
    if restriction not in RESTRICTIONS:
        raise ValueError(
            f"honest_did: restriction must be one of {RESTRICTIONS}, got {restriction!r}"
        )
    lv = _target_weights(l_vec, num_post)
    if not 0 < alpha < 1:
        raise ValueError("honest_did: alpha must lie in (0, 1)")
    post = slice(num_pre, num_pre + num_post)
    theta_hat = float(lv @ beta[post])
    se_theta = float(np.sqrt(lv @ sig[post, post] @ lv))
    interval: _RMIntervals | _SDIntervals
    if restriction == "relative_magnitude":
        method = method or "C-LF"
        interval = _rm_intervals(
            beta, sig, num_pre, num_post, lv, alpha, method, se_theta,
            grid=(grid_points, grid_lb, grid_ub), lf_sims=lf_sims, seed=seed,
        )  # fmt: skip
        label, delta = "Mbar", "DeltaRM"
    else:
        method = method or "FLCI"
        if method != "FLCI":
            raise ValueError("honest_did: smoothness takes method 'FLCI'")
        interval = _SDIntervals(beta, sig, num_pre, num_post, lv, alpha)
        label, delta = "M", "DeltaSD"
    m_grid = _m_grid(restriction, m_values, beta, sig, num_pre)
    if np.any(m_grid < 0):
        raise ValueError("honest_did: m_values must be non-negative")
    rows = [interval(float(m)) for m in m_grid]
    table = _honest_table(theta_hat, se_theta, alpha, m_grid, rows, label, delta, method)
    info: dict[str, Any] = {
        "num_pre": num_pre,
        "num_post": num_post,
        "l_vec": lv.tolist(),
        "alpha": alpha,
        "restriction": restriction,
        "seed": seed,
        "event_time": event_times,
    }
    open_notes = interval.open_ends if isinstance(interval, _RMIntervals) else []
    notes = [*dict.fromkeys(open_notes)] + [
        f"Rambachan-Roth robust {int(round((1 - alpha) * 100))}% intervals for "
        f"theta = l'tau_post, l = {np.round(lv, 4).tolist()}; {delta} ({method}), "
        f"following R HonestDiD; 'Original' is the conventional interval."
    ]
    return HonestDiDResult(
        estimator="honest_did",
        table=table,
        nobs=nobs,
        vcov_type="event-study vcov as supplied",
        outcome=outcome,
        notes=notes,
        info=info,
        _interval=interval,
    )


def _positional_options(
    given: tuple[Any, ...],
    restriction: str,
    m_values: Sequence[float] | None,
    l_vec: Sequence[float] | None,
    alpha: float,
) -> tuple[Any, Any, Any, Any]:
    """The options ``restriction, m_values, l_vec, alpha`` given by position (deprecated):
    mapped in that order, with a ``DeprecationWarning``; an option given both ways or too many
    positions is a ``TypeError``."""
    names = ("restriction", "m_values", "l_vec", "alpha")
    if len(given) > len(names):
        raise TypeError(f"honest_did: at most {4 + len(names)} positional arguments")
    current = dict(zip(names, (restriction, m_values, l_vec, alpha), strict=True))
    defaults = {"restriction": "relative_magnitude", "m_values": None, "l_vec": None, "alpha": 0.05}
    for name, value in zip(names, given, strict=False):
        if current[name] is not defaults[name] and current[name] != defaults[name]:
            raise TypeError(f"honest_did: {name} given by position and by keyword")
        current[name] = value
    warnings.warn(
        f"honest_did: give {', '.join(names[: len(given)])} by keyword "
        f"(e.g. {names[0]}=...); passing options by position is deprecated",
        DeprecationWarning,
        stacklevel=3,
    )
    return current["restriction"], current["m_values"], current["l_vec"], current["alpha"]


def _honest_inputs(
    result_or_betahat: EstimationResult | Sequence[float] | np.ndarray,
    sigma: np.ndarray | pd.DataFrame | None,
    num_pre: int | None,
    num_post: int | None,
) -> tuple[np.ndarray, np.ndarray, int, int, list | None, str, int]:
    """Coefficients (pre then post), covariance, period counts, event times, outcome and
    ``nobs`` from an event-study result or from a vector with its covariance; validated."""
    event_times: list | None = None
    if isinstance(result_or_betahat, EstimationResult):
        beta, sig, npre, npost, event_times = _event_study_inputs(result_or_betahat)
        num_pre = npre if num_pre is None else num_pre
        num_post = npost if num_post is None else num_post
        outcome = result_or_betahat.outcome
        nobs = result_or_betahat.nobs
    else:
        if sigma is None or num_pre is None or num_post is None:
            raise ValueError(
                "honest_did: with a coefficient vector, give sigma, num_pre and num_post"
            )
        beta = np.asarray(result_or_betahat, dtype=float).ravel()
        sig = np.asarray(sigma, dtype=float)
        outcome, nobs = "", 0
    num_pre, num_post = int(num_pre), int(num_post)
    _validate(beta, sig, num_pre, num_post)
    return beta, sig, num_pre, num_post, event_times, outcome, nobs


def _target_weights(l_vec: Sequence[float] | None, num_post: int) -> np.ndarray:
    """The weights ``l`` of theta = l'tau_post: the first post period by default (R)."""
    lv = np.zeros(num_post) if l_vec is None else np.asarray(l_vec, dtype=float).ravel()
    if l_vec is None:
        lv[0] = 1.0
    if lv.size != num_post or not np.any(lv):
        raise ValueError(
            f"honest_did: l_vec must be a non-zero vector of length num_post={num_post}"
        )
    return lv


@dataclass
class _RMIntervals:
    """Relative-magnitudes robust interval at one Mbar: the ARP conditional (or hybrid) test
    inverted over the theta grid. With the default grid, a set that reaches an end of it is
    recomputed on a grid twice as wide (up to five times); R keeps the grid and warns. A set
    still cut by the grid warns and is recorded in ``open_ends``."""

    beta: np.ndarray
    sig: np.ndarray
    num_pre: int
    num_post: int
    lv: np.ndarray
    alpha: float
    lb: float
    ub: float
    auto_grid: bool
    grid_points: int
    hybrid: str
    lf_sims: int
    seed: int
    open_ends: list[str] = field(default_factory=list)

    def __call__(self, m: float) -> tuple[float, float]:
        lo_g, hi_g = self.lb, self.ub
        for _ in range(5):
            grid = np.linspace(lo_g, hi_g, self.grid_points)
            acc = _rm_accept_grid(
                self.beta, self.sig, self.num_pre, self.num_post, self.lv, m, grid,
                alpha=self.alpha, hybrid=self.hybrid, lf_sims=self.lf_sims, seed=self.seed,
            )  # fmt: skip
            if not acc.any():
                return float("nan"), float("nan")
            if not (acc[0] or acc[-1]) or not self.auto_grid:
                break
            lo_g, hi_g = 2 * lo_g, 2 * hi_g
        if acc[0] or acc[-1]:
            message = (
                f"honest_did: the robust set at {m:g} reaches the end of the theta grid "
                f"[{lo_g:.4g}, {hi_g:.4g}]; widen grid_lb/grid_ub (the interval is cut there)"
            )
            warnings.warn(message, RuntimeWarning, stacklevel=2)
            self.open_ends.append(message)
        return float(grid[acc].min()), float(grid[acc].max())


@dataclass
class _SDIntervals:
    """Smoothness fixed-length confidence interval at one M (Armstrong-Kolesar FLCI)."""

    beta: np.ndarray
    sig: np.ndarray
    num_pre: int
    num_post: int
    lv: np.ndarray
    alpha: float

    def __call__(self, m: float) -> tuple[float, float]:
        lo, hi, _ = _flci(self.beta, self.sig, self.num_pre, self.num_post, self.lv, m, self.alpha)
        return lo, hi


def _rm_intervals(
    beta: np.ndarray,
    sig: np.ndarray,
    num_pre: int,
    num_post: int,
    lv: np.ndarray,
    alpha: float,
    method: str,
    se_theta: float,
    *,
    grid: tuple[int, float | None, float | None],
    lf_sims: int,
    seed: int,
) -> _RMIntervals:
    """The relative-magnitudes interval function, its theta grid +/- 20 SE of theta-hat
    around 0 unless the caller gives ends (R's default)."""
    if method not in ("C-LF", "Conditional"):
        raise ValueError("honest_did: relative magnitudes take method 'C-LF' or 'Conditional'")
    if num_pre < 1:
        raise ValueError("honest_did: relative magnitudes need at least one pre-period")
    grid_points, grid_lb, grid_ub = grid
    return _RMIntervals(
        beta, sig, num_pre, num_post, lv, alpha,
        lb=-20 * se_theta if grid_lb is None else grid_lb,
        ub=20 * se_theta if grid_ub is None else grid_ub,
        auto_grid=grid_lb is None and grid_ub is None,
        grid_points=grid_points, hybrid="LF" if method == "C-LF" else "ARP",
        lf_sims=lf_sims, seed=seed,
    )  # fmt: skip


def _m_grid(
    restriction: str,
    m_values: Sequence[float] | None,
    beta: np.ndarray,
    sig: np.ndarray,
    num_pre: int,
) -> np.ndarray:
    """The M (or Mbar) values: the caller's, or R's defaults - 10 values on [0, 2] for Mbar;
    10 from 0 to ``DeltaSD_upperBound_Mpre`` for M (the pre-period SE with one pre-period)."""
    if m_values is not None:
        return np.asarray(m_values, float)
    if restriction == "relative_magnitude":
        return np.linspace(0, 2, 10)
    top = float(np.sqrt(sig[0, 0])) if num_pre == 1 else _sd_upper_bound_m(beta, sig, num_pre)
    return np.linspace(0, max(top, 0.0), 10)


def _honest_table(
    theta_hat: float,
    se_theta: float,
    alpha: float,
    m_grid: np.ndarray,
    rows: list[tuple[float, float]],
    label: str,
    delta: str,
    method: str,
) -> pd.DataFrame:
    """The original interval, then one robust row per M (or Mbar), in the tidy schema."""
    orig = tidy_frame(["original"], [theta_hat], [se_theta], alpha=alpha)
    robust = pd.DataFrame(
        {
            "term": [f"{label}={m:g}" for m in m_grid],
            "estimate": theta_hat,
            "std_error": np.nan,
            "statistic": np.nan,
            "p_value": np.nan,
            "conf_low": [r[0] for r in rows],
            "conf_high": [r[1] for r in rows],
        }
    )
    orig["m"] = np.nan
    orig["method"] = "Original"
    robust["m"] = m_grid
    robust["method"] = method
    table = pd.concat([orig, robust], ignore_index=True)
    table["restriction"] = [None, *[delta] * len(m_grid)]
    return table
