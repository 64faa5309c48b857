"""Production functions and total factor productivity by the control-function approach:
Olley-Pakes (1996), Levinsohn-Petrin (2003) and Ackerberg-Caves-Frazer (2015).

Model (all variables natural logs; firm i, year t)::

    y_it = f(x_it; theta) + omega_it + eps_it,       omega_it = g(omega_i,t-1) + xi_it

``y`` is value added (``value_added=True``) or gross output (``value_added=False``, the
intermediate input then enters ``f``); ``x`` are the *free* inputs (labour: chosen with or
after the productivity shock), the *state* inputs (capital: chosen a year ahead) and, for gross
output, the intermediates. ``f`` is Cobb-Douglas (``sum_j b_j x_j``) or translog (``sum_j b_j
x_j + sum_j b_jj x_j^2 + sum_{j<m} b_jm x_j x_m``, the convention of De Loecker and Warzynski
2012). Productivity ``omega`` is first-order Markov; ``g`` is a polynomial (``markov_degree``,
3 by default, with a constant, so ``f`` has none).

First stage (a proxy inverts productivity: investment for OP, intermediates for LP and ACF):
OLS of ``y`` on a full polynomial of degree ``degree`` (3, as R ``prodest``/Stata ``prodest``)
in the proxy and the state inputs - and, for ACF, the free inputs too - with year dummies when
``time_effects``. OP and LP add the free-input terms linearly and read their coefficients
there; ACF identifies nothing in the first stage (its critique of OP/LP: labour is a function
of the same state and productivity) and keeps only ``phi_it`` (the fitted values), purging
``eps``.

Second stage, for a candidate ``theta``: ``omega_it(theta) = phi_it - x_it' theta`` (OP/LP:
the free part fixed at its first-stage value), ``g`` by OLS of ``omega_it`` on the polynomial
in ``omega_i,t-1``, and the innovation ``xi_it(theta)``. Moment conditions:

* ACF (GMM; Ackerberg, Caves and Frazer 2015, eq. 26-27): ``E[xi_it z_it] = 0`` with ``z``
  each term of ``f`` evaluated at the *current* state inputs and the *lagged* free inputs and
  intermediates (``k_t, l_t-1``; translog: also ``k_t^2, l_t-1^2, k_t l_t-1``): as many
  moments as parameters (just identified), weight ``(Z'Z / N)^-1`` as R ``prodest``.
* OP and LP (non-linear least squares, Olley and Pakes 1996 eq. 14 as R ``prodest``):
  minimise ``sum xi_it^2`` with ``xi = y - free part - s_it' theta - g(omega_i,t-1)``, the
  state terms ``s`` current; with gross output and the intermediate input as LP's proxy, its
  terms are identified by the moment ``E[xi_it m_i,t-1] = 0`` (GMM, instruments as ACF).
  Gandhi, Navarro and Rivers (2020) show that gross-output proxy estimators are not
  identified without variation beyond the model's (prices, say): the result says so.

With ``markov_controls`` (a participation indicator, say) ``g`` also has each control of the
previous year and its product with ``omega_i,t-1`` (De Loecker 2013): a programme that shifts
productivity then stays out of ``xi``.

The optimiser is deterministic (``scipy.optimize.least_squares`` on the residuals or on the
weighted moments), started from OLS, two scaled copies of it and two with the free and the
other terms scaled apart (:func:`_starts`); on more than ``SUBSAMPLE_ROWS`` second-stage rows
the starts run on a fixed random subsample first and only the roots found are solved on all
rows. ACF's just-identified moments can have several exact roots (Kim, Luo and Su 2019,
Journal of Applied Econometrics 34(4)): the root with positive output elasticities whose
productivity its past predicts best is reported, with a note. Bootstrap draws start from the
estimate. OP's selection correction (survival probability) is
not implemented: OP (1996) found it small in balanced-type panels, and ``prodest`` makes it
optional too.

Lags are the previous *year* of the same firm (not the previous row): a firm with a gap in its
years contributes no second-stage row for the year after the gap. Standard errors: block
(cluster) bootstrap over firms - or over ``cluster`` when given, each draw re-estimates both
stages on whole firms drawn with replacement (copies of a firm count as distinct firms) -,
normal intervals from the bootstrap standard deviation, as ``prodest``.

References
----------
Ackerberg, D. A., Caves, K. and Frazer, G. (2015). Identification properties of recent
production function estimators. Econometrica 83(6), 2411-2451.
De Loecker, J. and Warzynski, F. (2012). Markups and firm-level export status. American
Economic Review 102(6), 2437-2471.
Gandhi, A., Navarro, S. and Rivers, D. (2020). On the identification of gross output
production functions. Journal of Political Economy 128(8), 2973-3016.
Levinsohn, J. and Petrin, A. (2003). Estimating production functions using inputs to control
for unobservables. Review of Economic Studies 70(2), 317-341.
Olley, G. S. and Pakes, A. (1996). The dynamics of productivity in the telecommunications
equipment industry. Econometrica 64(6), 1263-1297.
Rovigatti, G. and Mollisi, V. (2018). Theory and practice of total-factor productivity
estimation: the control function approach using Stata. Stata Journal 18(3), 618-662.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from evaluation.estimators.inputs import (
    as_list,
    check_columns,
    check_no_missing,
    numeric_column,
    rows_excerpt,
)
from evaluation.estimators.results import EstimationResult, ModelSpec, make_spec, tidy_frame

__all__ = ["METHODS", "FORMS", "ProductionResult", "production_function", "lag_index"]

METHODS = ("op", "lp", "acf")
FORMS = ("cobb_douglas", "translog")
WHERE = "production_function"
#: Above this many second-stage rows the multi-start search runs on a fixed random subsample
#: of this size first; only the roots it finds are then solved on all rows.
SUBSAMPLE_ROWS = 100_000


# --- panel lags -----------------------------------------------------------------------------
def lag_index(unit: np.ndarray, time: np.ndarray) -> np.ndarray:
    """Row position of the same unit's previous year (``time - 1``), -1 when not in the data.

    ``unit`` are integer codes, ``time`` integers. A duplicated (unit, time) pair is a
    ValueError. Linear in the rows after one sort, so it serves 1M-row panels.
    """
    t = time.astype(np.int64)
    tmin = int(t.min()) if len(t) else 0
    span = int(t.max()) - tmin + 2 if len(t) else 2
    key = unit.astype(np.int64) * span + (t - tmin)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    dup = np.flatnonzero(sorted_key[1:] == sorted_key[:-1])
    if len(dup):
        raise ValueError(
            f"{WHERE}: unit and time identify rows more than once ({len(dup)} duplicated "
            f"pair(s), e.g. rows {order[dup[:5]].tolist()}); one row per firm and year is needed"
        )
    want = key - 1
    pos = np.searchsorted(sorted_key, want)
    pos = np.minimum(pos, len(sorted_key) - 1)
    found = (sorted_key[pos] == want) & (t > tmin)
    return np.where(found, order[pos], -1)


# --- design ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Terms:
    """The terms of f: each a tuple of input positions (``(j,)``, ``(j, j)``, ``(j, m)``)."""

    names: tuple[str, ...]  # input columns
    roles: tuple[str, ...]  # "free" | "state" | "intermediate"
    terms: tuple[tuple[int, ...], ...]

    def label(self, term: tuple[int, ...]) -> str:
        if len(term) == 1:
            return self.names[term[0]]
        if term[0] == term[1]:
            return f"{self.names[term[0]]}^2"
        return f"{self.names[term[0]]}:{self.names[term[1]]}"

    @property
    def labels(self) -> list[str]:
        return [self.label(t) for t in self.terms]

    def matrix(self, x: np.ndarray) -> np.ndarray:
        """The terms evaluated at inputs ``x`` (rows x inputs)."""
        out = np.empty((x.shape[0], len(self.terms)))
        for j, term in enumerate(self.terms):
            col = x[:, term[0]].copy()
            for m in term[1:]:
                col *= x[:, m]
            out[:, j] = col
        return out

    def instruments(self, x: np.ndarray, x_lag: np.ndarray) -> np.ndarray:
        """The terms at current state inputs and lagged free/intermediate inputs (ACF's z)."""
        lagged = np.array([r != "state" for r in self.roles])
        mixed = np.where(lagged[None, :], x_lag, x)
        return self.matrix(mixed)


def _make_terms(names: Sequence[str], roles: Sequence[str], form: str) -> _Terms:
    k = len(names)
    terms: list[tuple[int, ...]] = [(j,) for j in range(k)]
    if form == "translog":
        terms += [(j, j) for j in range(k)]
        terms += [(j, m) for j in range(k) for m in range(j + 1, k)]
    return _Terms(tuple(names), tuple(roles), tuple(terms))


def _polynomial(v: np.ndarray, degree: int) -> np.ndarray:
    """All monomials of total degree 1..degree of the columns of ``v`` (no constant)."""
    cols = []
    for d in range(1, degree + 1):
        for combo in itertools.combinations_with_replacement(range(v.shape[1]), d):
            col = v[:, combo[0]].copy()
            for m in combo[1:]:
                col *= v[:, m]
            cols.append(col)
    return np.column_stack(cols) if cols else np.empty((v.shape[0], 0))


def _powers(c: np.ndarray, degree: int) -> np.ndarray:
    """Columns 1, c, c^2, ..., c^degree (products, not pow: several times faster)."""
    out = np.empty((len(c), degree + 1))
    out[:, 0] = 1.0
    for d in range(1, degree + 1):
        np.multiply(out[:, d - 1], c, out=out[:, d])
    return out


def _markov_design(omega_l: np.ndarray, degree: int, controls: np.ndarray | None) -> np.ndarray:
    """Regressors of g: 1, the powers of lagged omega (centred) and, with Markov controls
    (lagged), each control and its product with lagged omega (De Loecker 2013)."""
    c = omega_l - omega_l.mean()
    g = _powers(c, degree)
    if controls is None:
        return g
    return np.column_stack([g, controls, controls * c[:, None]])


def _ols(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least squares through the normal equations (scaled), lstsq when ill-conditioned."""
    xtx = x.T @ x
    d = np.sqrt(np.maximum(np.diag(xtx), 1e-300))
    scaled = xtx / np.outer(d, d)
    try:
        if np.linalg.cond(scaled) < 1e10:
            return np.linalg.solve(scaled, (x.T @ y) / d) / d
    except np.linalg.LinAlgError:
        pass
    return np.linalg.lstsq(x, y, rcond=None)[0]


@dataclass(frozen=True)
class _FirstStage:
    """What is needed to recompute phi on any data: polynomial and year-dummy layout."""

    poly_columns: tuple[
        int, ...
    ]  # input positions (into the stacked [inputs, proxy]) in the polynomial
    center: tuple[float, ...]
    scale: tuple[float, ...]
    degree: int
    linear_terms: tuple[int, ...]  # term positions entering linearly (OP/LP free terms)
    years: tuple[int, ...]  # year levels with a dummy (first level is the base)
    coef: tuple[float, ...]  # constant, linear terms, polynomial, year dummies


def _first_stage_design(
    x: np.ndarray,
    proxy: np.ndarray,
    years: np.ndarray,
    terms: _Terms,
    fs: _FirstStage,
) -> np.ndarray:
    stacked = np.column_stack([x, proxy])
    v = (stacked[:, list(fs.poly_columns)] - np.array(fs.center)) / np.array(fs.scale)
    parts = [np.ones((len(x), 1))]
    if fs.linear_terms:
        parts.append(terms.matrix(x)[:, list(fs.linear_terms)])
    parts.append(_polynomial(v, fs.degree))
    if len(fs.years) > 1:
        parts.append((years[:, None] == np.array(fs.years[1:])[None, :]).astype(float))
    return np.column_stack(parts)


# --- one fit on arrays ----------------------------------------------------------------------
@dataclass
class _Problem:
    """Arrays of one estimation sample (the data, or a bootstrap draw)."""

    y: np.ndarray
    x: np.ndarray  # inputs in _Terms order
    proxy: np.ndarray
    years: np.ndarray
    lag: np.ndarray  # row of the previous year of the same firm, -1 if none
    controls: np.ndarray | None = None  # Markov controls (rows x q), entering g lagged


@dataclass
class _Fit:
    theta: np.ndarray  # all terms of f
    first: _FirstStage
    criterion: float
    n_second: int
    converged: bool
    n_roots: int = 1


@dataclass(frozen=True)
class _Model:
    method: str
    terms: _Terms
    degree: int
    markov_degree: int
    time_effects: bool
    proxy_is_input: int | None  # position of the proxy among the inputs (LP/ACF gross output)
    year_levels: tuple[int, ...]
    center: tuple[float, ...]
    scale: tuple[float, ...]
    linear_terms: tuple[int, ...] = field(default=())  # OP/LP: terms read in the first stage
    second_terms: tuple[int, ...] = field(default=())  # terms estimated in the second stage
    gmm: bool = True

    def poly_columns(self) -> tuple[int, ...]:
        k = len(self.terms.names)
        proxy_col = k if self.proxy_is_input is None else self.proxy_is_input
        if self.method == "acf":
            cols = list(range(k))
        else:
            cols = [j for j, r in enumerate(self.terms.roles) if r == "state"]
            if self.proxy_is_input is not None:
                cols = [c for c in cols if c != self.proxy_is_input]
        if proxy_col not in cols:
            cols.append(proxy_col)
        return tuple(cols)

    def first_stage(self, p: _Problem) -> tuple[_FirstStage, np.ndarray, np.ndarray]:
        cols = self.poly_columns()
        fs = _FirstStage(
            poly_columns=cols,
            center=tuple(self.center[c] for c in cols),
            scale=tuple(self.scale[c] for c in cols),
            degree=self.degree,
            linear_terms=self.linear_terms,
            years=self.year_levels if self.time_effects else (),
            coef=(),
        )
        design = _first_stage_design(p.x, p.proxy, p.years, self.terms, fs)
        coef = _ols(design, p.y)
        fitted = design @ coef
        beta_free = coef[1 : 1 + len(self.linear_terms)]
        fs = _FirstStage(**{**fs.__dict__, "coef": tuple(float(c) for c in coef)})
        return fs, fitted, beta_free

    def fit(self, p: _Problem, starts: Sequence[np.ndarray]) -> _Fit:
        fs, phi_full, beta_free = self.first_stage(p)
        tm = self.terms.matrix(p.x)
        free_part = tm[:, list(self.linear_terms)] @ beta_free if self.linear_terms else 0.0
        phi = phi_full - free_part
        res = p.y - free_part
        rows = np.flatnonzero(p.lag >= 0)
        if len(rows) < len(self.second_terms) + self.markov_degree + 2:
            raise ValueError(
                f"{WHERE}: only {len(rows)} firm-year(s) have the previous year of the same "
                "firm; the second stage needs consecutive years"
            )
        lag = p.lag[rows]
        s_cur = tm[rows][:, list(self.second_terms)]
        s_lag = tm[lag][:, list(self.second_terms)]
        phi_t, phi_l, res_t = phi[rows], phi[lag], res[rows]
        x_lag = p.x[lag]
        z = self.terms.instruments(p.x[rows], x_lag)[:, list(self.second_terms)]
        ctrl = None if p.controls is None else p.controls[lag]
        use_gmm = self.gmm
        if use_gmm:
            chol = _gmm_weight_root(z)
        deg = self.markov_degree
        means = p.x.mean(axis=0)

        def plausible(theta: np.ndarray) -> bool:
            full = np.zeros(len(self.terms.terms))
            full[list(self.linear_terms)] = beta_free
            full[list(self.second_terms)] = theta
            return bool(np.all(_elasticities(full, self.terms, means) > 0))

        def persistence(theta: np.ndarray) -> float:
            """Share of the variance of omega that its past predicts (R^2 of g)."""
            omega = phi_t - s_cur @ theta
            g = _markov_design(phi_l - s_lag @ theta, deg, ctrl)
            return float(np.var(g @ _ols(g, omega)) / max(float(np.var(omega)), 1e-300))

        def system(sel: Any) -> Any:
            """The residual function of the second stage on the rows ``sel``."""
            pt, pl, sc = phi_t[sel], phi_l[sel], s_cur[sel]
            sl, rt, zz = s_lag[sel], res_t[sel], z[sel]
            cc = None if ctrl is None else ctrl[sel]
            acf = self.method == "acf"

            def residuals(theta: np.ndarray) -> np.ndarray:
                omega = pt - sc @ theta
                omega_l = pl - sl @ theta
                g = _markov_design(omega_l, deg, cc)
                fitted = g @ _ols(g, omega)
                e = omega - fitted if acf else rt - sc @ theta - fitted
                if use_gmm:
                    return chol.T @ (zz.T @ e / len(e))
                return e / np.sqrt(len(e))

            return residuals

        if len(rows) > SUBSAMPLE_ROWS and len(starts) > 1:
            # locate the roots from every start on a fixed random subsample of rows, then
            # solve on all rows from each of them (same roots, a fraction of the passes)
            sel = np.sort(np.random.default_rng(0).choice(len(rows), SUBSAMPLE_ROWS, replace=False))
            pre = _solve_from(system(sel), starts)
            if pre:
                starts = [f[1] for f in _distinct(_tied_at_minimum(pre))]
        found = _solve_from(system(slice(None)), starts)
        if not found:
            raise ValueError(f"{WHERE}: the second stage failed from every starting value")
        roots = _distinct(_tied_at_minimum(found))
        # several exact solutions: positive elasticities, then persistence
        best = (
            max(roots, key=lambda f: (plausible(f[1]), persistence(f[1])))
            if len(roots) > 1
            else roots[0]
        )
        theta = np.zeros(len(self.terms.terms))
        theta[list(self.linear_terms)] = beta_free
        theta[list(self.second_terms)] = best[1]
        return _Fit(theta, fs, best[0], len(rows), best[2], len(roots))


def _gmm_weight_root(z: np.ndarray) -> np.ndarray:
    """Cholesky root of the GMM weight ``(Z'Z / N)^-1`` (as R prodest; irrelevant when just
    identified); the identity when the weight is not positive definite."""
    w = np.linalg.pinv(z.T @ z / len(z))
    try:
        return np.linalg.cholesky((w + w.T) / 2)
    except np.linalg.LinAlgError:
        return np.eye(z.shape[1])


def _solve_from(residuals: Any, points: Sequence[np.ndarray]) -> list:
    """Levenberg-Marquardt solutions ``(criterion, theta, converged)`` from each start
    (starts that fail or end non-finite are skipped)."""
    out: list[tuple[float, np.ndarray, bool]] = []
    for start in points:
        try:
            sol = least_squares(
                residuals, np.asarray(start, float), method="lm", xtol=1e-12,
                ftol=1e-14, gtol=1e-14, max_nfev=2000,
            )  # fmt: skip
        except (ValueError, np.linalg.LinAlgError):
            continue
        if np.all(np.isfinite(sol.x)):
            out.append((float(2 * sol.cost), sol.x, bool(sol.success)))
    return out


def _tied_at_minimum(found: list) -> list:
    """Solutions whose criterion equals the lowest one (relative tolerance 1e-10)."""
    low = min(f[0] for f in found)
    return [f for f in found if f[0] <= low + 1e-10 * (1 + abs(low))]


def _distinct(found: list) -> list:
    """Solutions ``(criterion, theta, converged)`` with distinct theta (1e-5 apart)."""
    out: list = []
    for f in found:
        if all(np.max(np.abs(f[1] - r[1])) > 1e-5 for r in out):
            out.append(f)
    return out


def _resample(
    groups: np.ndarray, n_groups: int, lag: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of one block-bootstrap draw of whole groups and the lag index within the draw."""
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(len(groups), dtype=np.int64)
    rank[order] = np.arange(len(groups)) - np.repeat(starts, counts)
    draw = rng.integers(0, n_groups, n_groups)
    sizes = counts[draw]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    copy = np.repeat(np.arange(n_groups), sizes)
    within = np.arange(sizes.sum()) - np.repeat(offsets, sizes)
    rows = order[np.repeat(starts[draw], sizes) + within]
    old_lag = lag[rows]
    new_lag = np.where(old_lag >= 0, offsets[copy] + rank[np.maximum(old_lag, 0)], -1)
    return rows, new_lag


# --- the result ----------------------------------------------------------------------------
@dataclass(eq=False, repr=False)
class ProductionResult(EstimationResult):
    """A production function: coefficients (and, for translog, output elasticities at the
    sample mean of the inputs), returns to scale, and :meth:`productivity`."""

    def productivity(
        self, data: pd.DataFrame, *, kind: Literal["omega", "residual"] = "omega"
    ) -> pd.Series:
        """Log TFP of every row of ``data`` (a float Series named ``log_tfp``, NaN where an
        input is missing).

        ``kind="omega"`` (default; the OP/LP/ACF convention): ``phi - f(x)``, the first-stage
        fit minus the fitted inputs, i.e. productivity without the i.i.d. shock ``eps``;
        it needs the proxy (and, with year effects, a year seen in the fit).
        ``kind="residual"``: ``y - f(x)``, output minus fitted inputs (includes ``eps``).
        Both carry an arbitrary constant (``f`` has none): compare them, do not read levels.
        """
        model: _Model = self.info["model"]
        first: _FirstStage = self.info["first_stage"]
        spec = self.spec
        where = f"{WHERE}.productivity"
        cols = list(model.terms.names)
        cols += [spec.outcome] if kind == "residual" else [spec["proxy"], spec["time"]]
        check_columns(data, list(dict.fromkeys(cols)), where)
        x = np.column_stack([numeric_column(data, c, where) for c in model.terms.names])
        theta = np.asarray(self.info["theta"])
        fx = model.terms.matrix(x) @ theta
        if kind == "residual":
            out = numeric_column(data, spec.outcome, where) - fx
        elif kind == "omega":
            proxy = numeric_column(data, spec["proxy"], where)
            years = numeric_column(data, spec["time"], where)
            design = _first_stage_design(x, proxy, years, model.terms, first)
            phi = design @ np.asarray(first.coef)
            if len(first.years) > 1:
                phi[~np.isin(years, first.years)] = np.nan
            out = phi - fx
        else:
            raise ValueError(f"{where}: kind must be 'omega' or 'residual' (got {kind!r})")
        out = np.where(np.isfinite(out), out, np.nan)
        return pd.Series(out, index=data.index, name="log_tfp")


# --- the estimator --------------------------------------------------------------------------
def production_function(
    data: pd.DataFrame,
    output: str,
    unit: str,
    time: str,
    *,
    free: str | Sequence[str],
    state: str | Sequence[str],
    proxy: str,
    method: Literal["acf", "op", "lp"] = "acf",
    form: Literal["cobb_douglas", "translog"] = "cobb_douglas",
    value_added: bool = True,
    intermediates: str | None = None,
    replications: int = 199,
    cluster: str | None = None,
    seed: int = 0,
    alpha: float = 0.05,
    degree: int = 3,
    markov_degree: int = 3,
    time_effects: bool = False,
    markov_controls: str | Sequence[str] | None = None,
) -> ProductionResult:
    """Estimate a production function by OP, LP or ACF (see the module docstring).

    Parameters
    ----------
    data : one row per firm and year; ``output`` and every input are natural logs.
    output, unit, time : log output (value added, or gross output with ``value_added=False``),
        firm id (any hashable: strings welcome) and integer year.
    free, state : log free inputs (labour) and log state inputs (capital).
    proxy : the control for productivity: log investment (OP) or log intermediates (LP, ACF).
        ACF also accepts a free input as its own proxy (De Loecker and Warzynski 2012's
        variable input): the first stage is then a polynomial in the inputs alone.
    method : ``"acf"`` (default), ``"op"`` or ``"lp"``.
    form : ``"cobb_douglas"`` or ``"translog"``.
    value_added, intermediates : gross output (``value_added=False``) needs the log
        intermediate input column, which then enters ``f``.
    replications : block-bootstrap draws for the standard errors (0: none).
    cluster : resample whole clusters of firms (default: the firm, ``unit``).
    seed, alpha : bootstrap seed and 1 - confidence level (normal intervals).
    degree, markov_degree : polynomial degrees of the first stage and of ``g``.
    time_effects : year dummies in the first stage (then ``omega`` includes aggregate
        productivity by year, as in De Loecker and Warzynski 2012).
    markov_controls : numeric columns (e.g. a 0/1 programme participation indicator) whose
        previous-year values enter the law of motion, ``omega_t = g(omega_t-1) + a d_t-1 +
        b d_t-1 omega_t-1 + xi_t``: productivity that the programme may shift (De Loecker
        2013, "Detecting learning by exporting"); without them a programme effect on
        productivity is part of ``xi`` and can bias the moments.

    Returns
    -------
    ProductionResult : tidy rows ``kind == "coefficient"`` (each term of ``f``; for
        Cobb-Douglas these are the output elasticities), ``"elasticity"`` (translog: output
        elasticity of each input at the sample mean of the inputs), ``"returns_to_scale"``
        (sum of the elasticities). ``vcov`` is the bootstrap covariance of the coefficients.

    Examples
    --------
    >>> from evaluation.estimators.production_simulation import simulate_production_panel
    >>> d = simulate_production_panel(300, 8, design="oplp", seed=1)  # truth: 0.6, 0.4
    >>> res = production_function(
    ...     d, "y", "firm_id", "year", free="l", state="k", proxy="m", method="lp",
    ...     replications=0,
    ... )
    >>> print(f"{res.coef['l']:.3f} {res.coef['k']:.3f}")
    0.600 0.401
    >>> res.productivity(d).head(3).round(3).tolist()
    [0.028, -0.089, -0.061]
    """
    free_cols, state_cols = as_list(free), as_list(state)
    inputs, roles = _check_options(
        free_cols, state_cols, method, form, value_added, intermediates, replications,
        degree, markov_degree,
    )  # fmt: skip
    cluster_col = cluster or unit
    control_cols = as_list(markov_controls)
    used = list(dict.fromkeys([output, unit, time, *inputs, proxy, cluster_col, *control_cols]))
    check_columns(data, used, WHERE)
    notes: list[str] = []
    sample, dropped = _sample(data, output, used, notes)
    y, x, p_val = _arrays(sample, output, inputs, proxy)
    t_int = _whole_years(sample, time)
    lag, groups, group_levels = _lags_and_clusters(sample, unit, cluster_col, t_int)
    model = _make_model(
        method, inputs, roles, proxy, form, value_added, degree, markov_degree, time_effects,
        t_int, np.column_stack([x, p_val]), notes,
    )  # fmt: skip
    terms, second = model.terms, model.second_terms
    controls = _controls(sample, control_cols)
    problem = _Problem(y, x, p_val, t_int, lag, controls)
    fit = model.fit(problem, _ols_starts(terms, x, y, roles, second))
    _fit_notes(fit, notes)
    means = x.mean(axis=0)
    point = _summaries(fit.theta, terms, means)
    draws, se = _bootstrap(
        model, problem, fit, groups, len(group_levels), len(point), replications, seed, notes
    )
    labels, kinds = _summary_labels(terms)
    table = tidy_frame(labels, point, se, alpha=alpha, extra={"kind": kinds})
    vcov = _bootstrap_vcov(draws, len(terms.terms), labels) if replications else None
    spec = _spec(
        sample, output, len(y), dropped, unit, time, free_cols, state_cols, proxy,
        intermediates, cluster_col, control_cols, method, form, value_added, degree,
        markov_degree, time_effects, replications, seed, alpha,
    )  # fmt: skip
    vcov_type = f"block bootstrap by {cluster_col} ({replications} draws)"
    return ProductionResult(
        estimator=f"production_{method}",
        table=table,
        nobs=len(y),
        vcov=vcov,
        vcov_type=vcov_type if replications else "none",
        n_clusters=len(group_levels),
        outcome=output,
        notes=notes,
        info={
            "model": model,
            "first_stage": fit.first,
            "theta": tuple(float(v) for v in fit.theta),
            "criterion": fit.criterion,
            "nobs_second_stage": fit.n_second,
            "input_means": dict(zip(inputs, means.tolist(), strict=True)),
            "converged": fit.converged,
        },
        spec=spec,
    )


def _controls(sample: pd.DataFrame, control_cols: list[str]) -> np.ndarray | None:
    """The Markov controls (rows x columns), or None without them."""
    return (
        np.column_stack([numeric_column(sample, c, WHERE) for c in control_cols])
        if control_cols
        else None
    )


def _spec(
    sample: pd.DataFrame,
    output: str,
    nobs: int,
    dropped: int,
    unit: str,
    time: str,
    free_cols: list[str],
    state_cols: list[str],
    proxy: str,
    intermediates: str | None,
    cluster_col: str,
    control_cols: list[str],
    method: str,
    form: str,
    value_added: bool,
    degree: int,
    markov_degree: int,
    time_effects: bool,
    replications: int,
    seed: int,
    alpha: float,
) -> ModelSpec:
    """The model spec of :func:`production_function` (column roles, options, rows used)."""
    spec = make_spec(
        f"production_{method}",
        sample,
        output,
        {
            "unit": unit,
            "time": time,
            "free": free_cols,
            "state": state_cols,
            "proxy": proxy,
            "intermediates": intermediates,
            "cluster": cluster_col,
            "markov_controls": control_cols,
        },
        {
            "method": method,
            "form": form,
            "value_added": value_added,
            "degree": degree,
            "markov_degree": markov_degree,
            "time_effects": time_effects,
            "replications": replications,
            "seed": seed,
            "alpha": alpha,
        },
        nobs=nobs,
        dropped=[("missing output", dropped)],
    )
    return spec


def _check_options(
    free_cols: list[str],
    state_cols: list[str],
    method: str,
    form: str,
    value_added: bool,
    intermediates: str | None,
    replications: int,
    degree: int,
    markov_degree: int,
) -> tuple[list[str], list[str]]:
    """Validate the options of :func:`production_function`; the inputs and their roles."""
    if method not in METHODS:
        raise ValueError(f"{WHERE}: method must be one of {METHODS} (got {method!r})")
    if form not in FORMS:
        raise ValueError(f"{WHERE}: form must be one of {FORMS} (got {form!r})")
    if not state_cols or not (free_cols or intermediates):
        raise ValueError(
            f"{WHERE}: give at least one state= (capital) input and one free= (labour) input "
            "(or, for gross output, intermediates=)"
        )
    if value_added and intermediates is not None:
        raise ValueError(
            f"{WHERE}: intermediates= is for gross output; pass value_added=False with it"
        )
    if not value_added and intermediates is None:
        raise ValueError(f"{WHERE}: gross output (value_added=False) needs intermediates=")
    if replications < 0 or (0 < replications < 19):
        raise ValueError(f"{WHERE}: replications must be 0 or at least 19 (got {replications})")
    if degree < 1 or markov_degree < 1:
        raise ValueError(f"{WHERE}: degree and markov_degree must be at least 1")
    inputs = [*free_cols, *state_cols] + ([intermediates] if intermediates else [])
    if len(set(inputs)) < len(inputs):
        raise ValueError(f"{WHERE}: an input is given twice in free/state/intermediates")
    roles = ["free"] * len(free_cols) + ["state"] * len(state_cols)
    roles += ["intermediate"] if intermediates else []
    return inputs, roles


def _sample(
    data: pd.DataFrame, output: str, used: list[str], notes: list[str]
) -> tuple[pd.DataFrame, int]:
    """Rows with a finite output (others dropped, noted) and no missing value elsewhere."""
    y_all = pd.to_numeric(data[output], errors="coerce")
    keep = y_all.notna().to_numpy() & np.isfinite(y_all.to_numpy(dtype=float, na_value=np.nan))
    if not keep.any():
        raise ValueError(f"{WHERE}: output {output!r} is missing or infinite in every row")
    dropped = int((~keep).sum())
    if dropped:
        notes.append(f"{dropped} row(s) with a missing or non-finite output {output!r} dropped")
    sample = data.loc[keep]
    check_no_missing(sample, [c for c in used if c != output], WHERE)
    return sample, dropped


def _arrays(
    sample: pd.DataFrame, output: str, inputs: list[str], proxy: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Output, inputs and proxy; every input and the proxy must be finite (a log of zero is
    an error naming the rows)."""
    y = numeric_column(sample, output, WHERE)
    x = np.column_stack([numeric_column(sample, c, WHERE) for c in inputs])
    p_val = numeric_column(sample, proxy, WHERE)
    for name, values in [*zip(inputs, x.T, strict=True), (proxy, p_val)]:
        bad = ~np.isfinite(values)
        if bad.any():
            raise ValueError(
                f"{WHERE}: column {name!r} is not finite in {rows_excerpt(bad, sample.index)} "
                "(the log of a zero or negative value?); drop those rows first"
            )
    return y, x, p_val


def _whole_years(sample: pd.DataFrame, time: str) -> np.ndarray:
    """The time column as integers; an error naming the rows that are not whole years."""
    t_val = numeric_column(sample, time, WHERE)
    if not np.all(t_val == np.round(t_val)):
        bad = t_val != np.round(t_val)
        raise ValueError(
            f"{WHERE}: time column {time!r} must hold whole years; "
            f"{rows_excerpt(bad, sample.index)}"
        )
    return t_val.astype(np.int64)


def _lags_and_clusters(
    sample: pd.DataFrame, unit: str, cluster_col: str, t_int: np.ndarray
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Previous-year row of each row, and the cluster codes (firms nested in clusters)."""
    unit_codes = pd.factorize(sample[unit], sort=False)[0]
    lag = lag_index(unit_codes, t_int)
    groups, group_levels = pd.factorize(sample[cluster_col], sort=False)
    has_lag = lag >= 0
    if cluster_col != unit and (groups[has_lag] != groups[lag[has_lag]]).any():
        raise ValueError(
            f"{WHERE}: firms must be nested in clusters; column {cluster_col!r} changes within "
            f"a firm in {rows_excerpt(has_lag & (groups != groups[np.maximum(lag, 0)]), sample.index)}"
        )
    return lag, groups, group_levels


def _make_model(
    method: str,
    inputs: list[str],
    roles: list[str],
    proxy: str,
    form: str,
    value_added: bool,
    degree: int,
    markov_degree: int,
    time_effects: bool,
    t_int: np.ndarray,
    stacked: np.ndarray,
    notes: list[str],
) -> _Model:
    """The model: terms of ``f``, which stage estimates each (ACF: all in the second; OP/LP:
    terms with a free input in the first), and the scaling of the first-stage polynomial."""
    proxy_pos = inputs.index(proxy) if proxy in inputs else None
    own_proxy = method == "acf" and proxy_pos is not None and roles[proxy_pos] == "free"
    if proxy_pos is not None and roles[proxy_pos] != "intermediate" and not own_proxy:
        raise ValueError(
            f"{WHERE}: the proxy {proxy!r} is also a state input (or, for OP/LP, a free "
            "input); the proxy must be investment (OP) or intermediates (LP, ACF)"
        )
    terms = _make_terms(inputs, roles, form)
    if method == "acf":
        linear: tuple[int, ...] = ()
        second = tuple(range(len(terms.terms)))
        gmm = True
    else:
        # OP/LP: terms that involve a free input (or, for OP, intermediates) are read in the
        # first stage; terms of the state inputs (and of the proxy when it is an input) after.
        first_roles = {"free"} if proxy_pos is not None else {"free", "intermediate"}
        linear = tuple(
            j for j, term in enumerate(terms.terms) if any(roles[m] in first_roles for m in term)
        )
        second = tuple(j for j in range(len(terms.terms)) if j not in linear)
        gmm = proxy_pos is not None
    if not value_added and proxy_pos is not None:
        notes.append(
            "gross output with the intermediate input as proxy: identified only with variation "
            "outside the model (Gandhi, Navarro and Rivers 2020); prefer value added"
        )
    return _Model(
        method=method,
        terms=terms,
        degree=degree,
        markov_degree=markov_degree,
        time_effects=time_effects,
        proxy_is_input=proxy_pos,
        year_levels=tuple(int(v) for v in np.unique(t_int)),
        center=tuple(float(v) for v in stacked.mean(axis=0)),
        scale=tuple(float(v) if v > 0 else 1.0 for v in stacked.std(axis=0)),
        linear_terms=linear,
        second_terms=second,
        gmm=gmm,
    )


def _fit_notes(fit: _Fit, notes: list[str]) -> None:
    """Notes on an optimiser stopped early and on several roots of the moments."""
    if not fit.converged:
        notes.append("the second-stage optimiser stopped before its tolerance; check the estimate")
    if fit.n_roots > 1:
        notes.append(
            f"{fit.n_roots} distinct parameter values solve the moment conditions (as Kim, Luo "
            "and Su 2019 found for ACF); reported: the one with positive output elasticities "
            "whose productivity its past predicts best (most persistent Markov process)"
        )


def _bootstrap(
    model: _Model,
    problem: _Problem,
    fit: _Fit,
    groups: np.ndarray,
    n_groups: int,
    n_point: int,
    replications: int,
    seed: int,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Block-bootstrap draws of the summaries (failed draws NaN, noted) and their standard
    errors (NaN when fewer than half the draws, or fewer than two, succeed)."""
    draws = np.full((replications, n_point), np.nan)
    if not replications:
        return draws, np.full(n_point, np.nan)
    y, x, p_val, t_int, lag, controls = (
        problem.y, problem.x, problem.proxy, problem.years, problem.lag, problem.controls
    )  # fmt: skip
    terms = model.terms
    rng = np.random.default_rng(seed)
    start = [fit.theta[list(model.second_terms)]]
    for b in range(replications):
        rows, new_lag = _resample(groups, n_groups, lag, rng)
        sub = _Problem(
            y[rows], x[rows], p_val[rows], t_int[rows], new_lag,
            None if controls is None else controls[rows],
        )  # fmt: skip
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                bfit = model.fit(sub, start)
        except (ValueError, np.linalg.LinAlgError):
            continue
        draws[b] = _summaries(bfit.theta, terms, x[rows].mean(axis=0))
    failed = int(np.isnan(draws[:, 0]).sum())
    if failed:
        notes.append(f"{failed} of {replications} bootstrap draw(s) failed and were left out")
    ok = replications - failed
    se = draws.std(axis=0, ddof=1, where=~np.isnan(draws)) if ok >= 2 else None
    if se is None or ok < replications / 2:
        se = np.full(n_point, np.nan)
        notes.append("too few bootstrap draws succeeded: standard errors not reported")
    return draws, se


def _bootstrap_vcov(draws: np.ndarray, n_coef: int, labels: list[str]) -> pd.DataFrame | None:
    """Bootstrap covariance of the coefficients (None with fewer than two good draws)."""
    good = ~np.isnan(draws[:, 0])
    if good.sum() >= 2:
        cov = np.cov(draws[good][:, :n_coef], rowvar=False).reshape(n_coef, n_coef)
        return pd.DataFrame(cov, index=labels[:n_coef], columns=labels[:n_coef])
    return None


def _ols_starts(
    terms: _Terms, x: np.ndarray, y: np.ndarray, roles: list[str], second: Sequence[int]
) -> list[np.ndarray]:
    """Starting values of the second stage from the OLS fit of ``y`` on the terms."""
    ols = _ols(np.column_stack([np.ones(len(y)), terms.matrix(x)]), y)[1:]
    return _starts(ols[list(second)], [roles[t[0]] for t in terms.terms], second)


def _starts(ols: np.ndarray, roles: Sequence[str], second: Sequence[int]) -> list[np.ndarray]:
    """Deterministic starting values: OLS, OLS scaled by 0.5 and 1.5, and OLS with the free
    (labour) terms scaled down and the others up and vice versa (ACF's criterion can have
    several roots; the multi-start finds them)."""
    free = np.array([roles[j] == "free" for j in second])
    out = [ols, 0.5 * ols, 1.5 * ols]
    if free.any() and (~free).any():
        out += [np.where(free, 0.6, 1.6) * ols, np.where(free, 1.3, 0.5) * ols]
    return out


def _elasticities(theta: np.ndarray, terms: _Terms, at: np.ndarray) -> np.ndarray:
    """d f / d x_j at inputs ``at`` (Cobb-Douglas: the coefficients)."""
    out = np.zeros(len(terms.names))
    for coef, term in zip(theta, terms.terms, strict=True):
        if len(term) == 1:
            out[term[0]] += coef
        elif term[0] == term[1]:
            out[term[0]] += 2 * coef * at[term[0]]
        else:
            out[term[0]] += coef * at[term[1]]
            out[term[1]] += coef * at[term[0]]
    return out


def _summaries(theta: np.ndarray, terms: _Terms, means: np.ndarray) -> np.ndarray:
    """Coefficients, then (translog) the elasticities at the means, then returns to scale."""
    elast = _elasticities(theta, terms, means)
    translog = len(terms.terms) > len(terms.names)
    parts = [theta] + ([elast] if translog else []) + [np.array([elast.sum()])]
    return np.concatenate(parts)


def _summary_labels(terms: _Terms) -> tuple[list[str], list[str]]:
    translog = len(terms.terms) > len(terms.names)
    labels = terms.labels
    kinds = ["coefficient"] * len(labels)
    if translog:
        labels = labels + [f"elasticity:{n}" for n in terms.names]
        kinds += ["elasticity"] * len(terms.names)
    return labels + ["returns_to_scale"], kinds + ["returns_to_scale"]


def summary_frame(result: EstimationResult) -> pd.DataFrame:
    """The output elasticities of a production function, one row per input (for tables):
    the coefficients for Cobb-Douglas, the elasticities at the mean for translog."""
    tab = result.tidy()
    if (tab["kind"] == "elasticity").any():
        out = tab[tab["kind"] == "elasticity"].copy()
        out["term"] = out["term"].str.removeprefix("elasticity:")
    else:
        out = tab[(tab["kind"] == "coefficient")].copy()
    rts = tab[tab["kind"] == "returns_to_scale"]
    return pd.concat([out, rts], ignore_index=True)


def describe(result: EstimationResult) -> dict[str, Any]:
    """Scalars a page reports beside the table: second-stage rows, criterion, convergence."""
    return {
        "nobs": result.nobs,
        "nobs_second_stage": result.info.get("nobs_second_stage"),
        "criterion": result.info.get("criterion"),
        "converged": result.info.get("converged"),
    }
