"""Difference-in-differences with a continuous treatment (dose): ATT(d), ACRT(d) and summaries.

Follows Callaway, B., Goodman-Bacon, A. and Sant'Anna, P. H. C. (2024), "Difference-in-
differences with a continuous treatment", NBER Working Paper 32117 / arXiv:2107.02637 (CGBS).
Units are untreated (cohort 0, dose 0) or start treatment in period ``cohort`` with a
time-invariant dose ``D > 0`` (e.g. hours of support per firm). For a treated cohort ``g`` and a
post period ``t >= g`` the building block is the outcome change from the base period,
``dY = Y_t - Y_base``, regressed on a basis ``B(D)`` of the dose among the cohort's units, minus
the mean change of the comparison units:

    ATT_gt(d) = B(d)' beta_gt - mean(dY | comparison),   ACRT_gt(d) = B'(d)' beta_gt.

Identification (CGBS's two-period results, extended to cohorts as they do; a report should say
which assumption it relies on):

* Under **parallel trends** (PT: the mean untreated change is the same for every dose group,
  ``E[dY(0) | D = d] = E[dY(0) | D = 0]``), the contrast
  ``E[dY | D = d] - E[dY | D = 0]`` identifies ``ATT(d|d)``, the effect of dose ``d`` on the
  units that received ``d``, and the overall ``ATT_overall = E[ATT(D|D) | D > 0]`` (which equals
  the binary DiD of treated against untreated). Its slope in ``d`` mixes the causal response
  with selection bias (units choosing different doses may gain differently), so PT does *not*
  identify ``ACRT``.
* Under **strong parallel trends** (SPT: no selection on gains, the mean potential change under
  any dose is the same across dose groups, ``E[Y_t(d) - Y_t-1(0) | D = d] = E[Y_t(d) - Y_t-1(0)
  | D > 0]``), the same contrast identifies
  ``ATT(d) = E[Y(d) - Y(0) | D > 0]`` for the whole treated population, its derivative
  ``ACRT(d)`` (the average causal response on the treated at dose ``d``), and
  ``ACRT_overall = E[ACRT(D) | D > 0]``.

The terms carry the SPT names (``ATT(d=12.5)``, ``ACRT(d=12.5)``, ``ATT_overall``,
``ACRT_overall``); the result's notes repeat which assumption each needs.

Estimation: ``method="parametric"`` uses a clamped B-spline of the dose of ``degree`` with
``num_knots`` interior knots at dose quantiles (``num_knots=0``: a global polynomial; CGBS's
parametric estimator and the R/PyPI ``contdid`` package's parametric route); ``method="binned"`` uses
indicators of dose bins (quantile bins), so each bin's ATT is the mean change of its units minus
the comparison mean (the binned version for tables). With a single dose value among the treated
the basis collapses to a constant and ``ATT_overall`` is exactly the 2x2 DiD (ACRT is not
identified then and is left out).

Timing: common timing (one treated cohort) and staggered adoption. Unbalanced panels: a unit
enters a cell when its outcome is observed in the period and in the base period. Every (cohort, post period)
cell is estimated on its own with the dose basis fixed across cells (boundary and knots from all
treated doses) and aggregated with weights proportional to the cell's treated units, the
"simple" aggregation of Callaway and Sant'Anna (2021) used for the dose aggregation in the
paper's multi-period extension (and by ``contdid``'s multi-period route). ``base_period="last"`` compares with the
period before the cohort starts (CGBS); ``"average"`` with the mean of all pre periods. With one
cohort and a balanced panel the aggregate equals the estimate on post-period averages.

Inference: influence functions per unit (treated regression and comparison mean), summed within
``cluster`` (default: the unit); pointwise standard errors are analytic (normal inference). The
uniform band over the dose curve uses a multiplier bootstrap of the influence functions
(Mammen weights, one draw per cluster, ``replications`` draws, ``seed``), with the sup-t
critical value as in Callaway and Sant'Anna (2021, Section 4.1) and CGBS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.estimators.constants import FEW_CLUSTERS
from evaluation.estimators.distributions import norm_ppf
from evaluation.estimators.inputs import as_list, check_columns, rows_excerpt
from evaluation.estimators.results import EstimationResult, ModelSpec, make_spec, tidy_frame

__all__ = ["continuous_did", "ContinuousDiDResult"]

WHERE = "continuous_did"
_CONTROL = {
    "never_treated": "never_treated",
    "never": "never_treated",
    "nevertreated": "never_treated",
    "not_yet_treated": "not_yet_treated",
    "not_yet": "not_yet_treated",
    "notyettreated": "not_yet_treated",
}
ASSUMPTIONS = {
    "ATT(d)": "ATT(d|d) under parallel trends; ATT(d) under strong parallel trends",
    "ACRT(d)": "strong parallel trends (not identified under parallel trends alone)",
    "ATT_overall": "parallel trends (the binary DiD of treated against untreated)",
    "ACRT_overall": "strong parallel trends",
}


@dataclass(eq=False, repr=False)
class ContinuousDiDResult(EstimationResult):
    """An :class:`EstimationResult` with the dose-response curve and its uniform band.

    ``curve()`` returns one row per evaluation dose (parametric: ``dose, att, att_se, lo, hi,
    acrt, acrt_se, acrt_lo, acrt_hi``; binned: one row per bin with ``dose_low, dose_high``).
    ``lo``/``hi`` form the uniform band (sup-t multiplier bootstrap) when ``replications > 0``,
    else pointwise intervals (``band`` column says which).
    """

    curve_frame: pd.DataFrame = field(default_factory=pd.DataFrame)

    def curve(self) -> pd.DataFrame:
        """The dose-response curve with its band (a copy)."""
        return self.curve_frame.copy()


# --- dose bases -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DoseBasis:
    """A basis of the dose on [low, high]: values and derivatives, partition of unity."""

    kind: str  # "bspline" | "bins" | "constant"
    low: float
    high: float
    degree: int = 0
    knots: tuple[float, ...] = ()  # interior knots (bspline) or all bin edges (bins)

    @property
    def size(self) -> int:
        if self.kind == "constant":
            return 1
        if self.kind == "bins":
            return len(self.knots) - 1
        return self.degree + 1 + len(self.knots)

    def _knot_vector(self) -> np.ndarray:
        """Clamped knots: boundaries repeated degree + 1 times (de Boor 1978)."""
        return np.r_[[self.low] * (self.degree + 1), self.knots, [self.high] * (self.degree + 1)]

    def values(self, d: np.ndarray) -> np.ndarray:
        d = np.asarray(d, dtype=float)
        if self.kind == "constant":
            return np.ones((d.size, 1))
        if self.kind == "bins":
            return np.eye(self.size)[self.bin_of(d)]
        return bspline_basis(np.clip(d, self.low, self.high), self._knot_vector(), self.degree)

    def derivatives(self, d: np.ndarray) -> np.ndarray:
        d = np.asarray(d, dtype=float)
        if self.kind != "bspline":
            return np.zeros((d.size, self.size))
        t, k = self._knot_vector(), self.degree
        lower = bspline_basis(np.clip(d, self.low, self.high), t, k - 1)
        out = np.zeros((d.size, self.size))
        for i in range(self.size):
            left, right = t[i + k] - t[i], t[i + k + 1] - t[i + 1]
            if left > 0:
                out[:, i] += k * lower[:, i] / left
            if right > 0:
                out[:, i] -= k * lower[:, i + 1] / right
        return out

    def bin_of(self, d: np.ndarray) -> np.ndarray:
        """Bin index (bins closed on the right, the first also on the left)."""
        edges = np.asarray(self.knots)
        return np.clip(np.searchsorted(edges, d, side="left") - 1, 0, self.size - 1)


def bspline_basis(x: np.ndarray, t: np.ndarray, k: int) -> np.ndarray:
    """Values of the ``len(t) - k - 1`` B-splines of degree ``k`` on knots ``t`` at ``x``.

    Cox-de Boor recursion (de Boor 1978, ch. IX) on half-open intervals ``[t_i, t_i+1)``, the
    right boundary belonging to the last non-empty interval (as ``scipy.interpolate.BSpline``,
    which the tests check against through ``contdid``); ``x`` must lie in ``[t_k, t_-k-1]``.
    """
    x = np.asarray(x, dtype=float)
    m = len(t) - 1
    values = np.zeros((x.size, m))
    nonempty = [i for i in range(m) if t[i] < t[i + 1]]
    for i in nonempty:
        values[:, i] = (x >= t[i]) & (x < t[i + 1])
    values[x >= t[-1], nonempty[-1]] = 1.0
    for d in range(1, k + 1):
        nxt = np.zeros((x.size, m - d))
        for i in range(m - d):
            left, right = t[i + d] - t[i], t[i + d + 1] - t[i + 1]
            if left > 0:
                nxt[:, i] += (x - t[i]) / left * values[:, i]
            if right > 0:
                nxt[:, i] += (t[i + d + 1] - x) / right * values[:, i + 1]
        values = nxt
    return values


def make_basis(
    doses: np.ndarray,
    method: str,
    degree: int,
    num_knots: int,
    knots: Sequence[float] | None,
    bins: int | Sequence[float],
) -> tuple[DoseBasis, list[str]]:
    """The basis for the treated doses; a constant one (and a note) when the dose is binary."""
    low, high = float(doses.min()), float(doses.max())
    unique = np.unique(doses)
    if unique.size == 1:
        note = (
            f"a single dose value ({low:g}) among the treated: ATT_overall is the binary 2x2 DiD "
            "and ACRT is not identified"
        )
        return DoseBasis("constant", low, high), [note]
    if method == "binned":
        if isinstance(bins, (int, np.integer)):
            if bins < 1:
                raise ValueError(f"{WHERE}: bins must be a positive integer, got {bins}")
            edges = np.unique(np.quantile(doses, np.linspace(0, 1, int(bins) + 1)))
        else:
            edges = np.unique(np.asarray(bins, dtype=float))
            if edges.size < 2 or edges[0] > low or edges[-1] < high:
                raise ValueError(
                    f"{WHERE}: bin edges {list(edges)} must be increasing and cover the treated "
                    f"doses [{low:g}, {high:g}]"
                )
        if edges.size < 2:
            edges = np.array([low, high])
        return DoseBasis("bins", float(edges[0]), float(edges[-1]), 0, tuple(edges)), []
    if degree < 1:
        raise ValueError(f"{WHERE}: degree must be at least 1 for method='parametric'")
    if knots is not None:
        inner = np.unique(np.asarray(knots, dtype=float))
        if np.any((inner <= low) | (inner >= high)):
            raise ValueError(f"{WHERE}: knots must lie strictly inside [{low:g}, {high:g}]")
    elif num_knots > 0:
        qs = np.quantile(doses, np.linspace(0, 1, num_knots + 2)[1:-1])
        inner = np.unique(qs[(qs > low) & (qs < high)])
    else:
        inner = np.array([])
    basis = DoseBasis("bspline", low, high, int(degree), tuple(float(k) for k in inner))
    if unique.size < basis.size + 1:
        raise ValueError(
            f"{WHERE}: the treated units' dose has {unique.size} distinct values, too few for a "
            f"degree-{degree} basis with {inner.size} knot(s) ({basis.size} coefficients); "
            "lower degree/num_knots or use method='binned'"
        )
    return basis, []


# --- input checks ---------------------------------------------------------------------------
def _unit_constant(data: pd.DataFrame, unit: str, column: str) -> pd.Series:
    """The per-unit value of ``column``; a ValueError naming units where it varies."""
    nunique = data.groupby(unit, sort=False)[column].nunique(dropna=False)
    bad = nunique.index[nunique.to_numpy() > 1]
    if len(bad):
        rows = data.index[data[unit].isin(bad)]
        raise ValueError(
            f"{WHERE}: column {column!r} must be constant within each unit ({unit!r}); it varies "
            f"for {len(bad)} unit(s), e.g. {list(bad[:3])} (rows {list(rows[:5])})"
        )
    return data.groupby(unit, sort=False)[column].first()


def _check_numeric(data: pd.DataFrame, column: str) -> None:
    if not pd.api.types.is_numeric_dtype(data[column]):
        raise ValueError(f"{WHERE}: column {column!r} must be numeric (got {data[column].dtype})")
    bad = data[column].isna().to_numpy()
    if bad.any():
        raise ValueError(
            f"{WHERE}: column {column!r} has missing values in {rows_excerpt(bad, data.index)}"
        )


def _default_grid(doses: np.ndarray) -> np.ndarray:
    """Deciles 10-90 of the treated doses, rounded to 3 significant digits (readable terms)."""
    q = np.quantile(doses, np.linspace(0.1, 0.9, 9))
    return np.unique([float(f"{v:.3g}") for v in q])


# --- the estimator --------------------------------------------------------------------------
def continuous_did(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    dose: str,
    *,
    method: str = "parametric",
    degree: int = 3,
    num_knots: int = 0,
    knots: Sequence[float] | None = None,
    bins: int | Sequence[float] = 4,
    grid: Sequence[float] | None = None,
    curve_points: int = 50,
    control_group: str = "never_treated",
    base_period: str = "last",
    covariates: str | Sequence[str] | None = None,
    alpha: float = 0.05,
    replications: int = 999,
    seed: int | None = None,
    cluster: str | None = None,
) -> ContinuousDiDResult:
    """ATT(d), ACRT(d), ATT_overall and ACRT_overall of a continuous treatment (CGBS 2024).

    See the module docstring for the estimands and which assumption identifies each
    (parallel trends: ATT(d|d) and ATT_overall; strong parallel trends: ATT(d), ACRT(d),
    ACRT_overall).

    Parameters
    ----------
    data : long panel, one row per unit and period.
    outcome : outcome column (rows where it is missing are dropped, with a note).
    unit, time : unit identifier and numeric period.
    cohort : first treated period, 0 for never-treated units (constant within unit).
    dose : treatment intensity, constant within unit, 0 for never-treated units; treated units
        with a dose of 0 are left out (noted).
    method : ``"parametric"`` (B-spline/polynomial in the dose) or ``"binned"`` (dose bins).
    degree, num_knots, knots : the B-spline (``num_knots`` interior knots at dose quantiles, or
        explicit ``knots``); ``degree=1, num_knots=0`` is a straight line.
    bins : number of quantile bins, or the bin edges, for ``method="binned"``.
    grid : doses of the ``ATT(d=..)``/``ACRT(d=..)`` terms (default: deciles 10-90 of the treated
        doses, rounded). ``curve_points`` evenly spaced doses between the 5th and 95th
        percentiles form the curve with its band (``result.curve()``).
    control_group : ``"never_treated"`` or ``"not_yet_treated"`` (units whose cohort starts after
        the period; Callaway and Sant'Anna 2021).
    base_period : ``"last"`` (period before the cohort starts) or ``"average"`` (pre mean).
    covariates : time-invariant unit covariates (numeric; constant within unit, no missing
        values) for parallel trends conditional on them: in every cell the comparison units'
        change is predicted by OLS on the covariates and subtracted from each treated unit's
        change (the outcome-regression DiD of Heckman, Ichimura and Todd 1997 / Sant'Anna and
        Zhao 2020, applied before the dose regression; its estimation effect is in the
        influence function). Without them, unconditional (strong) parallel trends.
    alpha : 1 - confidence level of intervals and band.
    replications : multiplier-bootstrap draws for the uniform band (0: pointwise only).
    seed : seed of the bootstrap draws.
    cluster : column for clustered inference (constant within unit); default the unit.

    Returns
    -------
    ContinuousDiDResult with terms ``ATT(d=<d>)``, ``ACRT(d=<d>)`` (parametric), ``bin=<lo>-<hi>``
    (binned), ``ATT_overall`` and ``ACRT_overall`` (parametric).

    Examples
    --------
    600 firms, 2 periods, 400 supported in period 2 with ``hours`` uniform on (0.5, 10); true
    effect ``0.05 h - 0.002 h^2`` (ATT(2) = 0.092, ATT(5) = 0.200, ATT(8) = 0.272; ACRT(h) =
    0.05 - 0.004 h):

    >>> import numpy as np
    >>> import pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> n = 600
    >>> hours = np.where(np.arange(n) < 400, rng.uniform(0.5, 10, n), 0.0)
    >>> p = pd.DataFrame({"firm": np.repeat(np.arange(n), 2), "period": np.tile([1, 2], n),
    ...                   "cohort": np.repeat(np.where(hours > 0, 2, 0), 2),
    ...                   "hours": np.repeat(hours, 2)})
    >>> post = p["period"] == 2
    >>> p["y"] = (np.repeat(rng.normal(size=n), 2) + 0.1 * post
    ...           + (0.05 * p["hours"] - 0.002 * p["hours"] ** 2) * post
    ...           + rng.normal(scale=0.2, size=2 * n))
    >>> cd = continuous_did(p, "y", "firm", "period", "cohort", "hours", degree=2,
    ...                     grid=[2, 5, 8], replications=0)
    >>> print(cd.tidy()[["term", "estimate", "std_error"]].round(3).to_string(index=False))
            term  estimate  std_error
        ATT(d=2)     0.104      0.028
        ATT(d=5)     0.184      0.029
        ATT(d=8)     0.255      0.029
       ACRT(d=2)     0.028      0.014
       ACRT(d=5)     0.025      0.005
       ACRT(d=8)     0.022      0.012
     ATT_overall     0.184      0.024
    ACRT_overall     0.025      0.005
    >>> binned = continuous_did(p, "y", "firm", "period", "cohort", "hours", method="binned",
    ...                         bins=4, replications=0)
    >>> print(binned.tidy()[["term", "estimate", "std_error"]].round(3).to_string(index=False))
                    term  estimate  std_error
    bin=0.526098-2.87661     0.093      0.034
     bin=2.87661-5.03266     0.139      0.031
      bin=5.03266-7.5919     0.241      0.038
      bin=7.5919-9.99075     0.261      0.036
             ATT_overall     0.184      0.024

    (``replications=0``: pointwise influence-function SEs only; with draws, ``cd.curve()``
    adds a uniform band.)
    """
    control = _check_options(method, control_group, base_period, alpha, replications)
    covs = as_list(covariates)
    _check_data(data, outcome, unit, time, cohort, dose, covs, cluster)
    notes: list[str] = []
    n_missing = _missing_outcomes(data, outcome, notes)
    units_cohort, units_dose, W, clusters = _unit_columns(data, unit, cohort, dose, covs, cluster)
    never = _check_never_treated(units_cohort, units_dose, cohort, dose, notes)

    wide = data.pivot(index=unit, columns=time, values=outcome).reindex(units_cohort.index)
    periods, Y = wide.columns.to_numpy(dtype=float), wide.to_numpy(dtype=float)
    g_all, d_all = units_cohort.to_numpy(dtype=float), units_dose.to_numpy(dtype=float)
    usable, in_usable = _usable_cohorts(g_all, d_all, never, periods, control, cohort, dose, notes)
    treated_doses = d_all[in_usable]
    basis, basis_notes = make_basis(treated_doses, method, degree, num_knots, knots, bins)
    notes.extend(basis_notes)

    cells = _cells(Y, periods, g_all, never, in_usable, usable, base_period, control)
    fitted = _fittable_cells(cells, basis, d_all, dose, notes)
    parametric = basis.kind == "bspline"
    grid_pts, curve_pts, blocks = _evaluation_points(basis, treated_doses, grid, curve_points, dose)
    used = _used_units(fitted, len(g_all))
    n = int(used.sum())
    est, psi, cell_rows = _estimates_and_influence(
        fitted, blocks, basis, d_all, W, n, len(g_all), notes
    )
    se, crit, band, G = _inference(psi, used, clusters, n, alpha, replications, seed)
    table = _estimates_table(basis, grid_pts, est, se, parametric, alpha)
    curve = _curve_frame(basis, curve_pts, treated_doses, est, se, crit, band, parametric)
    notes += _closing_notes(len(fitted), cluster, G, band, replications, crit)
    cells_table = pd.DataFrame(
        cell_rows, columns=["cohort", "time", "n_treated", "n_control", "weight", "att", "acrt"]
    )
    spec = _spec(data, outcome, unit, time, cohort, dose, covs, cluster, method, basis,
                 control, base_period, alpha, replications, seed, n_missing)  # fmt: skip
    return ContinuousDiDResult(
        estimator="continuous_did" if method == "parametric" else "continuous_did_binned",
        table=table,
        nobs=n,
        vcov=None,
        vcov_type=f"influence function, clustered by {cluster or unit}",
        n_clusters=G,
        outcome=outcome,
        notes=notes,
        info={
            "spec": spec,
            "cells": cells_table,
            "basis": basis,
            "n_treated": int(in_usable[used].sum()),
            "n_control": int((used & ~in_usable).sum()),
            "critical_values": crit,
            "band": band,
            "assumptions": dict(ASSUMPTIONS),
            "n_grid": len(grid_pts),
        },
        spec=spec,
        curve_frame=curve,
    )


def _check_options(
    method: str, control_group: str, base_period: str, alpha: float, replications: int
) -> str:
    """Validate the scalar options of :func:`continuous_did`; return the comparison rule."""
    if method not in ("parametric", "binned"):
        raise ValueError(f"{WHERE}: method must be 'parametric' or 'binned', got {method!r}")
    if control_group not in _CONTROL:
        raise ValueError(
            f"{WHERE}: control_group must be 'never_treated' or 'not_yet_treated', "
            f"got {control_group!r}"
        )
    control = _CONTROL[control_group]
    if base_period not in ("last", "average"):
        raise ValueError(f"{WHERE}: base_period must be 'last' or 'average', got {base_period!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"{WHERE}: alpha must be in (0, 1), got {alpha}")
    if int(replications) != replications or replications < 0:
        raise ValueError(f"{WHERE}: replications must be a non-negative integer")
    return control


def _check_data(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    dose: str,
    covs: list[str],
    cluster: str | None,
) -> None:
    """Columns present and numeric, ids complete, one row per unit and period, doses >= 0."""
    cols = [outcome, unit, time, cohort, dose, *covs] + ([cluster] if cluster else [])
    check_columns(data, list(dict.fromkeys(cols)), WHERE)
    for c in (time, cohort, dose, *covs):
        _check_numeric(data, c)
    for c in [unit] + ([cluster] if cluster else []):
        bad = data[c].isna().to_numpy()
        if bad.any():
            raise ValueError(
                f"{WHERE}: column {c!r} has missing values in {rows_excerpt(bad, data.index)}"
            )
    if not pd.api.types.is_numeric_dtype(data[outcome]):
        raise ValueError(f"{WHERE}: outcome {outcome!r} must be numeric")
    dup = data.duplicated([unit, time]).to_numpy()
    if dup.any():
        raise ValueError(
            f"{WHERE}: more than one row per {unit!r} and {time!r} in "
            f"{rows_excerpt(dup, data.index)}"
        )
    negative = (data[dose] < 0).to_numpy()
    if negative.any():
        raise ValueError(
            f"{WHERE}: column {dose!r} has negative doses in {rows_excerpt(negative, data.index)}"
        )


def _missing_outcomes(data: pd.DataFrame, outcome: str, notes: list[str]) -> int:
    """Count of rows with a missing outcome (dropped), noted when there are any."""
    n_missing = int(data[outcome].isna().sum())
    if n_missing:
        notes.append(f"{n_missing} row(s) with a missing {outcome} dropped")
    return n_missing


def _unit_columns(
    data: pd.DataFrame,
    unit: str,
    cohort: str,
    dose: str,
    covs: list[str],
    cluster: str | None,
) -> tuple[pd.Series, pd.Series, np.ndarray | None, pd.Series]:
    """Per-unit cohort, dose, covariate matrix (or None) and cluster, aligned on the units."""
    units_cohort = _unit_constant(data, unit, cohort)
    units_dose = _unit_constant(data, unit, dose).reindex(units_cohort.index)
    W = (
        np.column_stack(
            [_unit_constant(data, unit, c).reindex(units_cohort.index) for c in covs]
        ).astype(float)
        if covs
        else None
    )
    clusters = (
        _unit_constant(data, unit, cluster).reindex(units_cohort.index)
        if cluster
        else pd.Series(units_cohort.index, index=units_cohort.index)
    )
    return units_cohort, units_dose, W, clusters


def _check_never_treated(
    units_cohort: pd.Series,
    units_dose: pd.Series,
    cohort: str,
    dose: str,
    notes: list[str],
) -> np.ndarray:
    """Never-treated units need a zero dose; treated units with a zero dose are noted.

    Returns the mask of never-treated units."""
    never = units_cohort.to_numpy() == 0
    wrong = never & (units_dose.to_numpy() != 0)
    if wrong.any():
        bad = units_cohort.index[wrong]
        raise ValueError(
            f"{WHERE}: never-treated units ({cohort!r} = 0) must have {dose!r} = 0; "
            f"{len(bad)} unit(s) do not, e.g. {list(bad[:3])}"
        )
    zero_dose = (~never) & (units_dose.to_numpy() <= 0)
    if zero_dose.any():
        notes.append(
            f"{int(zero_dose.sum())} treated unit(s) with a dose of 0 left out (neither treated "
            "with a positive dose nor untreated)"
        )
    return never


def _usable_cohorts(
    g_all: np.ndarray,
    d_all: np.ndarray,
    never: np.ndarray,
    periods: np.ndarray,
    control: str,
    cohort: str,
    dose: str,
    notes: list[str],
) -> tuple[list, np.ndarray]:
    """Cohorts observed before and after their start, and the mask of their dosed units."""
    treated_ok = (~never) & (d_all > 0)
    cohorts = np.unique(g_all[treated_ok])
    usable = [g for g in cohorts if np.any(periods < g) and np.any(periods >= g)]
    dropped_cohorts = [g for g in cohorts if g not in usable]
    if dropped_cohorts:
        notes.append(
            f"cohort(s) {[float(g) for g in dropped_cohorts]} left out: no period before or "
            "after the start of treatment"
        )
    in_usable = treated_ok & np.isin(g_all, usable)
    if not in_usable.any():
        raise ValueError(
            f"{WHERE}: no treated units with a positive {dose!r} in a cohort observed before and "
            "after it starts"
        )
    if not never.any() and control == "never_treated":
        raise ValueError(
            f"{WHERE}: no never-treated units ({cohort!r} = 0) to compare with; use "
            "control_group='not_yet_treated' or supply comparison units"
        )
    return usable, in_usable


def _cells(
    Y: np.ndarray,
    periods: np.ndarray,
    g_all: np.ndarray,
    never: np.ndarray,
    in_usable: np.ndarray,
    usable: list,
    base_period: str,
    control: str,
) -> list[tuple]:
    """(cohort, period, treated rows, comparison rows, outcome change) per post-period cell."""
    cells = []
    for g in usable:
        pre = periods < g
        if base_period == "last":
            ref = Y[:, np.flatnonzero(pre)[-1]]
        else:
            with np.errstate(all="ignore"):
                cnt = np.isfinite(Y[:, pre]).sum(axis=1)
                ref = np.where(cnt > 0, np.nansum(Y[:, pre], axis=1) / np.maximum(cnt, 1), np.nan)
        for j in np.flatnonzero(periods >= g):
            t = periods[j]
            dy = Y[:, j] - ref
            ok = np.isfinite(dy)
            tr = np.flatnonzero(ok & in_usable & (g_all == g))
            if control == "never_treated":
                co = np.flatnonzero(ok & never)
            else:
                co = np.flatnonzero(ok & (never | ((g_all > t) & (g_all > 0))))
            cells.append((g, t, tr, co, dy))
    return cells


def _fittable_cells(
    cells: list[tuple], basis: DoseBasis, d_all: np.ndarray, dose: str, notes: list[str]
) -> list[tuple]:
    """Cells with enough treated units for the dose basis and two comparison units."""
    fitted = []
    skipped = 0
    for g, t, tr, co, dy in cells:
        X = basis.values(d_all[tr])
        if tr.size <= basis.size or co.size < 2 or np.linalg.matrix_rank(X) < basis.size:
            skipped += 1
            continue
        fitted.append((g, t, tr, co, dy, X))
    if skipped:
        notes.append(
            f"{skipped} (cohort, period) cell(s) left out: too few treated units for the dose "
            "basis or fewer than two comparison units"
        )
    if not fitted:
        raise ValueError(
            f"{WHERE}: no (cohort, period) cell has enough treated units with a positive "
            f"{dose!r} ({basis.size} coefficients) and two comparison units"
        )
    return fitted


def _used_units(fitted: list[tuple], n_units: int) -> np.ndarray:
    """Units that enter some fitted cell, as treated or comparison."""
    used = np.zeros(n_units, dtype=bool)
    for _, _, tr, co, _, _ in fitted:
        used[tr] = True
        used[co] = True
    return used


def _evaluation_points(
    basis: DoseBasis,
    treated_doses: np.ndarray,
    grid: Sequence[float] | None,
    curve_points: int,
    dose: str,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Grid and curve doses, and the linear maps from the coefficients to ATT (and ACRT)."""
    parametric = basis.kind == "bspline"
    if basis.kind == "bins":
        which = basis.bin_of(treated_doses)
        grid_pts = np.array(
            [np.median(treated_doses[which == b]) if np.any(which == b) else np.nan
             for b in range(basis.size)]
        )  # fmt: skip
        curve_pts = grid_pts
        A_grid = np.eye(basis.size)
        A_curve = A_grid
    else:
        grid_pts = _default_grid(treated_doses) if grid is None else np.asarray(grid, float)
        outside = (grid_pts < basis.low) | (grid_pts > basis.high)
        if outside.any():
            raise ValueError(
                f"{WHERE}: grid doses {[float(v) for v in grid_pts[outside]]} lie outside the treated units' "
                f"{dose!r} range [{basis.low:g}, {basis.high:g}]; the curve is not extrapolated"
            )
        if basis.kind == "constant":
            grid_pts = np.array([basis.low])
        lo_q, hi_q = np.quantile(treated_doses, [0.05, 0.95])
        curve_pts = (
            np.linspace(lo_q, hi_q, int(curve_points)) if basis.kind == "bspline" else grid_pts
        )
        A_grid = basis.values(grid_pts)
        A_curve = basis.values(curve_pts)
    blocks = {"att_grid": A_grid, "att_curve": A_curve}
    if parametric:
        blocks |= {
            "acrt_grid": basis.derivatives(grid_pts),
            "acrt_curve": basis.derivatives(curve_pts),
        }
    return grid_pts, curve_pts, blocks


def _estimates_and_influence(
    fitted: list[tuple],
    blocks: dict[str, np.ndarray],
    basis: DoseBasis,
    d_all: np.ndarray,
    W: np.ndarray | None,
    n: int,
    n_units: int,
    notes: list[str],
) -> tuple[dict, dict, list[tuple]]:
    """Cell-weighted estimates and their influence functions (units x terms), per block.

    Each cell regresses the treated units' changes, net of the comparison units' outcome
    regression, on the dose basis; cells are weighted by their treated units.
    """
    parametric = basis.kind == "bspline"
    weights = np.array([tr.size for _, _, tr, _, _, _ in fitted], dtype=float)
    weights /= weights.sum()
    est = {k: np.zeros(v.shape[0]) for k, v in blocks.items()}
    psi = {k: np.zeros((n_units, v.shape[0])) for k, v in blocks.items()}
    est["att_o"] = np.zeros(1)
    psi["att_o"] = np.zeros((n_units, 1))
    if parametric:
        est["acrt_o"] = np.zeros(1)
        psi["acrt_o"] = np.zeros((n_units, 1))
    cell_rows = []
    dropped_columns = 0
    for w, (g, t, tr, co, dy, X) in zip(weights, fitted, strict=True):
        y1, y0 = dy[tr], dy[co]
        n1, n0 = tr.size, co.size
        # comparison units' outcome regression (intercept only without covariates: their mean)
        Z0 = np.ones((n0, 1)) if W is None else np.column_stack([np.ones(n0), W[co]])
        Z1 = np.ones((n1, 1)) if W is None else np.column_stack([np.ones(n1), W[tr]])
        if W is not None:
            varies = np.r_[True, np.ptp(Z0[:, 1:], axis=0) > 0]
            dropped_columns += int((~varies).sum())
            Z0, Z1 = Z0[:, varies], Z1[:, varies]
        gamma, *_ = np.linalg.lstsq(Z0, y0, rcond=None)
        ctl = (n / n0) * (Z0 * (y0 - Z0 @ gamma)[:, None]) @ np.linalg.pinv(Z0.T @ Z0 / n0)
        r = y1 - Z1 @ gamma  # treated changes net of the comparison prediction
        beta, *_ = np.linalg.lstsq(X, r, rcond=None)
        e = r - X @ beta
        Qinv = np.linalg.pinv(X.T @ X / n1)
        lin = (n / n1) * (X * e[:, None]) @ Qinv  # n1 x k: IF of beta, scaled to n
        P = Qinv @ (X.T @ Z1 / n1)  # k x p: beta moves by -P (d gamma)
        for key, A in blocks.items():
            est[key] += w * (A @ beta)
            psi[key][tr] += w * lin @ A.T
            psi[key][co] -= w * ctl @ (A @ P).T
        att_o = float(r.mean())
        est["att_o"] += w * att_o
        psi["att_o"][tr, 0] += w * (n / n1) * (r - att_o)
        psi["att_o"][co, 0] -= w * ctl @ Z1.mean(axis=0)
        acrt_o = np.nan
        if parametric:
            slopes = basis.derivatives(d_all[tr]) @ beta
            acrt_o = float(slopes.mean())
            mbar = basis.derivatives(d_all[tr]).mean(axis=0)
            est["acrt_o"] += w * acrt_o
            psi["acrt_o"][tr, 0] += w * ((n / n1) * (slopes - acrt_o) + lin @ mbar)
            psi["acrt_o"][co, 0] -= w * ctl @ (mbar @ P)
        cell_rows.append((g, t, n1, n0, w, att_o, acrt_o))
    if dropped_columns:
        notes.append(
            f"{dropped_columns} covariate column(s) left out of (cohort, period) cells where "
            "they do not vary among the comparison units"
        )
    return est, psi, cell_rows


def _inference(
    psi: dict[str, np.ndarray],
    used: np.ndarray,
    clusters: pd.Series,
    n: int,
    alpha: float,
    replications: int,
    seed: int | None,
) -> tuple[dict[str, np.ndarray], dict[str, float], str, int]:
    """Cluster-robust standard errors from the influence functions, and the critical values
    of the curve band: sup-t over Mammen (1993) multiplier-bootstrap draws, or pointwise."""
    ccodes = pd.factorize(clusters.to_numpy()[used])[0]
    G = int(ccodes.max()) + 1

    def summed(p: np.ndarray) -> np.ndarray:
        out = np.zeros((G, p.shape[1]))
        np.add.at(out, ccodes, p[used])
        return out

    S = {k: summed(v) for k, v in psi.items()}
    se = {k: np.sqrt((v**2).sum(axis=0)) / n for k, v in S.items()}
    z = norm_ppf(1 - alpha / 2)
    crit = {"att": z, "acrt": z}
    band = "pointwise"
    if replications > 0:
        rng = np.random.default_rng(seed)
        # Mammen (1993) two-point weights: mean 0, variance 1
        s5 = np.sqrt(5.0)
        p = (s5 + 1) / (2 * s5)
        V = np.where(rng.uniform(size=(int(replications), G)) < p, (1 - s5) / 2, (1 + s5) / 2)
        for key in ("att", "acrt"):
            if f"{key}_curve" not in S:
                continue
            s_c = se[f"{key}_curve"]
            keep = s_c > 0
            if not keep.any():
                continue
            T = (V @ S[f"{key}_curve"][:, keep]) / n
            crit[key] = float(np.quantile(np.abs(T / s_c[keep]).max(axis=1), 1 - alpha))
        band = "uniform"
    return se, crit, band, G


def _estimates_table(
    basis: DoseBasis,
    grid_pts: np.ndarray,
    est: dict[str, np.ndarray],
    se: dict[str, np.ndarray],
    parametric: bool,
    alpha: float,
) -> pd.DataFrame:
    """Tidy table: grid (or bin) terms, then ATT_overall (and ACRT_overall)."""
    if basis.kind == "bins":
        edges = basis.knots
        terms = [f"bin={edges[b]:g}-{edges[b + 1]:g}" for b in range(basis.size)]
        vals, ses = list(est["att_grid"]), list(se["att_grid"])
    else:
        terms = [f"ATT(d={d:g})" for d in grid_pts]
        vals, ses = list(est["att_grid"]), list(se["att_grid"])
        if parametric:
            terms += [f"ACRT(d={d:g})" for d in grid_pts]
            vals += list(est["acrt_grid"])
            ses += list(se["acrt_grid"])
    terms.append("ATT_overall")
    vals.append(float(est["att_o"][0]))
    ses.append(float(se["att_o"][0]))
    if parametric:
        terms.append("ACRT_overall")
        vals.append(float(est["acrt_o"][0]))
        ses.append(float(se["acrt_o"][0]))
    dose_col = list(grid_pts) * (2 if parametric else 1)
    extra = {"dose": dose_col + [np.nan] * (2 if parametric else 1)}
    return tidy_frame(terms, vals, ses, alpha=alpha, extra=extra)


def _curve_frame(
    basis: DoseBasis,
    curve_pts: np.ndarray,
    treated_doses: np.ndarray,
    est: dict[str, np.ndarray],
    se: dict[str, np.ndarray],
    crit: dict[str, float],
    band: str,
    parametric: bool,
) -> pd.DataFrame:
    """The dose-response curve with its (pointwise or uniform) band."""
    curve = pd.DataFrame({"dose": curve_pts})
    if basis.kind == "bins":
        curve["dose_low"] = list(basis.knots[:-1])
        curve["dose_high"] = list(basis.knots[1:])
        curve["n_treated"] = np.bincount(basis.bin_of(treated_doses), minlength=basis.size)
    curve["att"] = est["att_curve"]
    curve["att_se"] = se["att_curve"]
    curve["lo"] = curve["att"] - crit["att"] * curve["att_se"]
    curve["hi"] = curve["att"] + crit["att"] * curve["att_se"]
    if parametric:
        curve["acrt"] = est["acrt_curve"]
        curve["acrt_se"] = se["acrt_curve"]
        curve["acrt_lo"] = curve["acrt"] - crit["acrt"] * curve["acrt_se"]
        curve["acrt_hi"] = curve["acrt"] + crit["acrt"] * curve["acrt_se"]
    curve["band"] = band
    return curve


def _closing_notes(
    n_cells: int,
    cluster: str | None,
    G: int,
    band: str,
    replications: int,
    crit: dict[str, float],
) -> list[str]:
    """Identification, aggregation, few-clusters and band notes."""
    notes = [
        "identification: ATT(d) is ATT(d|d) under parallel trends and ATT(d) under strong "
        "parallel trends; ACRT(d) and ACRT_overall need strong parallel trends; ATT_overall "
        "needs parallel trends (Callaway, Goodman-Bacon and Sant'Anna 2024)"
    ]
    if n_cells > 1:
        notes.append(
            f"{n_cells} (cohort, period) cells aggregated with weights proportional to "
            "their treated units"
        )
    if cluster and G < FEW_CLUSTERS:
        notes.append(
            f"only {G} clusters: cluster-robust standard errors can be too small with fewer "
            f"than ~{FEW_CLUSTERS} clusters (Cameron and Miller 2015)"
        )
    if band == "uniform":
        notes.append(
            f"curve band: uniform (sup-t, {int(replications)} multiplier-bootstrap draws, "
            f"critical value {crit['att']:.3f})"
        )
    return notes


def _spec(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    dose: str,
    covs: list[str],
    cluster: str | None,
    method: str,
    basis: DoseBasis,
    control: str,
    base_period: str,
    alpha: float,
    replications: int,
    seed: int | None,
    n_missing: int,
) -> ModelSpec:
    """The model spec of :func:`continuous_did` (column roles, options, rows used)."""
    n_rows = int(data[outcome].notna().sum())
    spec = make_spec(
        "continuous_did" if method == "parametric" else "continuous_did_binned",
        data,
        outcome,
        {
            "unit": unit,
            "time": time,
            "cohort": cohort,
            "dose": dose,
            "covariates": covs,
            "cluster": cluster,
        },  # fmt: skip
        {
            "method": method,
            "degree": basis.degree,
            "knots": list(basis.knots),
            "basis": basis.kind,
            "control_group": control,
            "base_period": base_period,
            "alpha": alpha,
            "replications": int(replications),
            "seed": seed,
        },
        nobs=n_rows,
        dropped=[("missing outcome", n_missing)],
    )
    return spec
