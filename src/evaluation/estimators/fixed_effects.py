"""Fixed effects: integer coding, singleton removal and the within transformation.

The regression estimators (TWFE, event studies, the wild cluster bootstrap) never build dummy
matrices. They partial the fixed effects out of every column by demeaning (Frisch-Waugh-Lovell)
and solve the small normal equations of what remains. This module holds the pieces that work on
plain numpy arrays:

- :func:`factorize` turns any id column (strings, integers, categoricals) into dense int codes;
- :func:`drop_singletons` finds observations alone in a fixed-effect group, which fixest and
  pyfixest drop by default (they are fitted perfectly and only inflate the sample size);
- :func:`demean` subtracts the (weighted) projection onto the fixed effects: exact in one pass for
  one fixed effect or a balanced two-way panel, alternating projections (Gaure 2013, the method of
  R ``lfe``/``fixest``) with Irons-Tuck acceleration otherwise;
- :func:`fe_dof` and :func:`nested_in` give the degrees of freedom the fixed effects absorb, with
  the pyfixest/fixest convention for effects nested in the cluster variable.

Group sums use ``np.bincount`` so each pass over ``n`` rows costs O(n) with no sorting.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FixedEffectsConvergenceWarning",
    "FixedEffects",
    "factorize",
    "factorize_sorted",
    "grid_layout",
    "drop_singletons",
    "demean",
    "fe_dof",
    "nested_in",
    "group_sums",
    "FEOLSFit",
    "fe_ols",
    "independent_columns",
    "unit_cell_ols",
]


class FixedEffectsConvergenceWarning(UserWarning):
    """Alternating projections stopped at ``maxiter`` before reaching the tolerance."""


def factorize(
    values: pd.Series | np.ndarray | Sequence, name: str = "id"
) -> tuple[np.ndarray, int]:
    """Dense integer codes ``0..G-1`` for an id column of any type.

    Parameters
    ----------
    values : the ids (strings, integers, categoricals, ...).
    name : column name used in the error message.

    Returns
    -------
    codes : ``np.intp`` array of the same length (dense; integer ids are coded in sorted
        order, other ids in order of first appearance).
    n_groups : number of distinct ids.

    Raises
    ------
    ValueError
        If any id is missing (NaN/None), naming the column and the first offending rows.
    """
    arr = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if arr.dtype.kind in "iub" and arr.size:
        # integer ids in a modest range: dense codes by presence table (sorted order), O(n)
        # without hashing - several times faster than pd.factorize on large panels
        lo, hi = int(arr.min()), int(arr.max())
        if hi - lo <= 4 * arr.size + 1024:
            codes = arr.astype(np.intp, copy=False)
            return _refactorize(codes - lo if lo else codes)
    codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=True)
    return _checked_codes(codes, name), len(uniques)


def _checked_codes(codes: np.ndarray, name: str) -> np.ndarray:
    """pandas codes as intp; a ValueError naming the column and rows if any id is missing."""
    codes = np.asarray(codes)
    if codes.size and codes.min() < 0:
        bad = np.flatnonzero(codes < 0)
        raise ValueError(
            f"column {name!r} has {bad.size} missing value(s) (e.g. rows {bad[:5].tolist()}); "
            "every observation needs an id"
        )
    return codes.astype(np.intp, copy=False)


def factorize_sorted(
    values: pd.Series | np.ndarray | Sequence, name: str = "id"
) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes in sorted order of the values, and the sorted distinct values.

    Integer ids in a modest range take the O(n) presence-table path of :func:`factorize`;
    other ids go through ``pandas.factorize(sort=True)``. Missing ids raise as there.
    """
    arr = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if arr.dtype.kind in "iu" and arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        if hi - lo <= 4 * arr.size + 1024:
            raw = arr.astype(np.intp, copy=False)
            codes, levels = _presence_codes(raw - lo if lo else raw)
            return codes, (levels + lo).astype(arr.dtype)
    codes, uniques = pd.factorize(arr, sort=True, use_na_sentinel=True)
    return _checked_codes(codes, name), np.asarray(uniques)


def group_sums(codes: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum ``values`` (n,) or (n, k) within groups; returns (G,) or (G, k).

    Uses one ``np.bincount`` per column: O(n) time, no sort, no (n x G) matrix.
    """
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=n_groups)
    out = np.empty((n_groups, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(codes, weights=values[:, j], minlength=n_groups)
    return out


def drop_singletons(fe: Sequence[np.ndarray], max_rounds: int = 100) -> np.ndarray:
    """Mask of observations to keep after iteratively removing fixed-effect singletons.

    An observation whose level of any fixed effect occurs once is fitted exactly by that
    effect; removing it changes no coefficient but changes N and hence the small-sample
    corrections. Removal can create new singletons, so it repeats until none is left
    (Correia 2015; fixest ``fixef.rm = "singleton"``, pyfixest's default).

    Parameters
    ----------
    fe : list of int code arrays, each of length n (as from :func:`factorize`).

    Returns
    -------
    keep : boolean array of length n.
    """
    if not fe:
        return np.ones(0, dtype=bool)
    n = len(fe[0])
    keep = np.ones(n, dtype=bool)
    for _ in range(max_rounds):
        changed = False
        for codes in fe:
            counts = np.bincount(codes if keep.all() else codes[keep])
            if not (counts == 1).any():  # the common case: skip the row-level pass
                continue
            counts = np.concatenate([counts, np.zeros(int(codes.max()) + 1 - counts.size, int)])
            single = keep & (counts[codes] == 1)
            if single.any():
                keep &= ~single
                changed = True
        if not changed:
            break
    return keep


def _refactorize(codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Re-code an int code array to dense ``0..G-1`` (after dropping rows)."""
    if codes.size == 0:
        return codes.astype(np.intp), 0
    dense, levels = _presence_codes(codes)
    return dense, levels.size


def _presence_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes (sorted order) of non-negative ints by a presence table, and the values
    present; O(n + max) without sorting or hashing."""
    present = np.zeros(int(codes.max()) + 1, dtype=bool)
    present[codes] = True
    levels = np.flatnonzero(present)
    if levels.size == present.size:  # already dense: no remapping pass
        return codes.astype(np.intp, copy=False), levels
    return (np.cumsum(present) - 1)[codes].astype(np.intp, copy=False), levels


@dataclass
class FixedEffects:
    """Integer-coded fixed effects of one estimation sample.

    Attributes
    ----------
    codes : list of dense int code arrays (one per fixed effect), each of length n.
    sizes : number of levels of each fixed effect.
    names : the column names (for messages and for the nested-in-cluster check).
    weights : analytic weights or None.
    """

    codes: list[np.ndarray]
    sizes: list[int]
    names: list[str]
    weights: np.ndarray | None = None

    def __post_init__(self) -> None:
        w = self.weights
        # (outer, inner) fixed effect when the rows are the complete grid sorted by the outer
        # then the inner effect (a balanced panel sorted by unit, time): demeaning reshapes
        self._grid: tuple[int, int] | None = None
        if len(self.codes) == 2 and w is None:
            self._grid = grid_layout(*self.codes, *self.sizes)
        self._inv_wsum = []
        self._wsum = []
        for j, (c, g) in enumerate(zip(self.codes, self.sizes, strict=True)):
            if self._grid is not None:  # every level of one effect meets every other level once
                s = np.full(g, float(self.sizes[1 - j]))
            else:
                s = np.bincount(c, weights=w, minlength=g).astype(float)
            self._wsum.append(s)
            with np.errstate(divide="ignore"):
                self._inv_wsum.append(np.where(s > 0, 1.0 / s, 0.0))
        self._balanced = (
            len(self.codes) == 2
            and w is None
            and (self._grid is not None or _is_balanced(*self.codes, *self.sizes))
        )

    @classmethod
    def from_arrays(
        cls,
        fe: Sequence[np.ndarray],
        names: Sequence[str] | None = None,
        weights: np.ndarray | None = None,
    ) -> FixedEffects:
        """Build from raw id arrays (any dtype) or int codes."""
        names = list(names) if names is not None else [f"fe{j}" for j in range(len(fe))]
        codes, sizes = [], []
        for arr, nm in zip(fe, names, strict=True):
            c, g = factorize(arr, nm)
            codes.append(c)
            sizes.append(g)
        return cls(codes, sizes, names, weights)

    def nested_in(self, j: int, cluster_codes: np.ndarray) -> bool:
        """:func:`nested_in` for effect ``j``; on a sorted grid the outer effect is nested when
        each block of rows has one cluster (no scatter pass)."""
        block = None
        if self._grid is not None and self._grid[0] == j:
            block = self.sizes[self._grid[1]]
        return nested_in(self.codes[j], cluster_codes, self.sizes[j], block)

    def level_sums(self, j: int, values: np.ndarray) -> np.ndarray:
        """Sums of ``values`` within the levels of effect ``j`` (a reshape on a sorted grid)."""
        if self._grid is not None and self._grid[0] == j:
            grid = values.reshape(self.sizes[j], -1)
            return grid @ np.ones(grid.shape[1])
        return np.bincount(self.codes[j], weights=values, minlength=self.sizes[j])

    def subset(self, keep: np.ndarray) -> FixedEffects:
        """The same fixed effects restricted to rows ``keep`` (re-coded densely)."""
        codes, sizes = [], []
        for c in self.codes:
            cc, g = _refactorize(c[keep])
            codes.append(cc)
            sizes.append(g)
        w = None if self.weights is None else self.weights[keep]
        return FixedEffects(codes, sizes, list(self.names), w)

    def demean(
        self, X: np.ndarray, tol: float = 1e-10, maxiter: int = 10_000, overwrite: bool = False
    ) -> np.ndarray:
        """Within-transform ``X`` (n,) or (n, k); see :func:`demean`. With ``overwrite``, a
        float64 ``X`` in Fortran order (or 1-D) is transformed in place and returned."""
        return _demean_prepared(self, X, tol, maxiter, overwrite)


def grid_layout(c1: np.ndarray, c2: np.ndarray, g1: int, g2: int) -> tuple[int, int] | None:
    """``(0, 1)`` if row ``r`` is (level ``r // g2`` of c1, level ``r % g2`` of c2), ``(1, 0)``
    for the transposed order, else None: a complete grid in sorted order (dense codes from
    :func:`factorize` of sorted integer ids make a unit-then-time sorted panel such a grid)."""
    n = c1.size
    if n == 0 or n != g1 * g2:
        return None
    for outer, inner, go, gi, order in ((c1, c2, g1, g2, (0, 1)), (c2, c1, g2, g1, (1, 0))):
        if outer[0] != 0 or inner[0] != 0 or outer[-1] != go - 1 or inner[-1] != gi - 1:
            continue
        o, i = outer.reshape(go, gi), inner.reshape(go, gi)
        if (o == o[:, :1]).all() and (o[:, 0] == np.arange(go)).all():
            if (i == np.arange(gi)).all():
                return order
    return None


def _demean_grid(col: np.ndarray, shape: tuple[int, int]) -> None:
    """Two-way within transformation in place on a complete sorted grid (rows x columns):
    subtract row means, then column means (exact: the two projections commute)."""
    grid = col.reshape(shape)
    # means as matrix-vector products: several times faster than mean(axis=...) on a
    # tall grid with few columns
    grid -= (grid @ np.full(shape[1], 1.0 / shape[1]))[:, None]
    grid -= np.full(shape[0], 1.0 / shape[0]) @ grid


def _is_balanced(c1: np.ndarray, c2: np.ndarray, g1: int, g2: int) -> bool:
    """True when every (level1, level2) pair occurs exactly once (a balanced panel)."""
    n = c1.size
    if n != g1 * g2 or n == 0:
        return False
    pair = np.bincount(c1 * g2 + c2, minlength=n)
    return bool((pair == 1).all())


def _project_out(
    x: np.ndarray, codes: np.ndarray, inv_wsum: np.ndarray, w: np.ndarray | None
) -> np.ndarray:
    """Subtract (in place) the weighted group means of ``x``; return the means subtracted."""
    sums = np.bincount(codes, weights=x if w is None else x * w, minlength=inv_wsum.size)
    means = sums * inv_wsum
    x -= means[codes]
    return means


def _demean_column(
    x: np.ndarray, fe: FixedEffects, tol: float, maxiter: int
) -> tuple[np.ndarray, int, bool]:
    """Demean one column by alternating projections with Irons-Tuck extrapolation.

    Each sweep ``F`` projects out every fixed effect in turn; the within transform is the
    fixed point of ``F`` in the affine space ``x + span(D)``. Every third sweep extrapolates
    from ``x, F(x), F(F(x))`` (Irons & Tuck 1969, as in fixest; Berge 2018), which stays in
    that affine space because it is an affine combination of iterates.
    """
    w = fe.weights
    scale = max(1.0, float(np.max(np.abs(x))) if x.size else 1.0)

    def sweep(v: np.ndarray) -> float:
        delta = 0.0
        for codes, inv in zip(fe.codes, fe._inv_wsum, strict=True):
            m = _project_out(v, codes, inv, w)
            delta = max(delta, float(np.max(np.abs(m))) if m.size else 0.0)
        return delta

    it = 0
    while it < maxiter:
        x0 = x.copy()
        d = sweep(x)
        it += 1
        if d <= tol * scale:
            return x, it, True
        x1 = x.copy()
        d = sweep(x)
        it += 1
        if d <= tol * scale:
            return x, it, True
        # x holds F(F(x0)); extrapolate
        dgx = x - x1
        d2x = dgx - (x1 - x0)
        denom = float(d2x @ d2x)
        if denom > 0:
            coef = float(dgx @ d2x) / denom
            x -= coef * dgx
    return x, it, False


def _demean_prepared(
    fe: FixedEffects, X: np.ndarray, tol: float, maxiter: int, overwrite: bool = False
) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    one_d = X.ndim == 1
    out = np.array(X.reshape(-1, 1) if one_d else X, dtype=float, order="F", copy=not overwrite)
    if not fe.codes:
        return out[:, 0] if one_d else out
    if fe._grid is not None:
        shape = (fe.sizes[fe._grid[0]], fe.sizes[fe._grid[1]])
        for j in range(out.shape[1]):
            _demean_grid(out[:, j], shape)
        return out[:, 0] if one_d else out
    if len(fe.codes) == 1 or fe._balanced:
        # One fixed effect: one projection is exact. Balanced two-way, unweighted: the two
        # projections commute (x - mean_i - mean_t + grand mean), so one sweep is exact.
        for j in range(out.shape[1]):
            col = out[:, j]
            for codes, inv in zip(fe.codes, fe._inv_wsum, strict=True):
                _project_out(col, codes, inv, fe.weights)
        return out[:, 0] if one_d else out
    failed = []
    for j in range(out.shape[1]):
        col, _, ok = _demean_column(out[:, j], fe, tol, maxiter)
        out[:, j] = col
        if not ok:
            failed.append(j)
    if failed:
        warnings.warn(
            f"demeaning did not converge within {maxiter} iterations for column(s) {failed} "
            f"(tol={tol}); estimates may be inaccurate",
            FixedEffectsConvergenceWarning,
            stacklevel=3,
        )
    return out[:, 0] if one_d else out


def demean(
    X: np.ndarray,
    fe: Sequence[np.ndarray] | FixedEffects,
    weights: np.ndarray | None = None,
    tol: float = 1e-10,
    maxiter: int = 10_000,
) -> np.ndarray:
    """Residuals of ``X`` after a (weighted) least-squares projection on fixed effects.

    Parameters
    ----------
    X : (n,) or (n, k) float array; not modified.
    fe : list of id arrays (int codes from :func:`factorize` or raw ids), each of length n,
        or a prepared :class:`FixedEffects` (then ``weights`` is taken from it).
    weights : analytic weights (n,), as fixest's ``weights=``; None for OLS.
    tol : convergence tolerance on the largest group mean removed in a sweep, relative to
        ``max(1, max|x|)``.
    maxiter : maximum number of sweeps per column (a warning is issued if reached).

    Returns
    -------
    (n,) or (n, k) array ``M_D X`` with ``M_D = I - D (D'WD)^- D'W``.

    Notes
    -----
    One fixed effect, or two on a balanced unweighted panel: exact in one pass. Otherwise the
    method of alternating projections (Guimaraes & Portugal 2010; Gaure 2013) with Irons-Tuck
    acceleration every two sweeps, as R ``fixest`` does.

    Examples
    --------
    >>> import numpy as np
    >>> unit = np.array([0, 0, 1, 1]); time = np.array([0, 1, 0, 1])
    >>> demean(np.array([1.0, 2.0, 3.0, 5.0]), [unit, time]).round(3)
    array([ 0.25, -0.25, -0.25,  0.25])
    """
    if isinstance(fe, FixedEffects):
        prepared = fe
    else:
        arrays = list(fe)
        if arrays and all(np.issubdtype(np.asarray(a).dtype, np.integer) for a in arrays):
            codes, sizes = [], []
            for a in arrays:
                c, g = _refactorize(np.asarray(a))
                codes.append(c)
                sizes.append(g)
            prepared = FixedEffects(codes, sizes, [f"fe{j}" for j in range(len(arrays))], weights)
        else:
            prepared = FixedEffects.from_arrays(arrays, weights=weights)
    return _demean_prepared(prepared, X, tol, maxiter)


def nested_in(
    fe_codes: np.ndarray,
    cluster_codes: np.ndarray,
    n_fe: int | None = None,
    block: int | None = None,
) -> bool:
    """True if every level of the fixed effect falls in a single cluster (e.g. firm in stratum).

    ``block``: the rows are sorted by level with exactly ``block`` rows each (a balanced panel
    sorted by unit), so each consecutive block must hold one cluster - no scatter pass.
    """
    if block is not None:
        blocks = cluster_codes.reshape(-1, block)
        return bool((blocks == blocks[:, :1]).all())
    g = int(fe_codes.max()) + 1 if n_fe is None else n_fe
    # The cluster of some row of each level (whichever write numpy keeps: if the level is
    # nested all its rows agree, otherwise some row differs from it either way).
    first = np.full(g, -1, dtype=np.int64)
    first[fe_codes] = cluster_codes
    head = min(fe_codes.size, 65_536)  # most non-nested effects show it in the first rows
    if not (first[fe_codes[:head]] == cluster_codes[:head]).all():
        return False
    return bool((first[fe_codes] == cluster_codes).all())


def fe_dof(sizes: Sequence[int], nested: Sequence[bool] | None = None) -> int:
    """Degrees of freedom absorbed by the fixed effects, pyfixest/fixest convention.

    All levels are counted, minus one for each fixed effect after the first (the usual
    redundancy of a connected design); with ``nested`` (CRV1 with fixest's
    ``fixef.K = "nested"``), the levels of effects fully nested in the cluster are not counted,
    though one is added back for each (its intercept), exactly as pyfixest's ``get_ssc``.
    """
    sizes = list(sizes)
    if not sizes:
        return 0
    k_fe = int(sum(sizes)) - (len(sizes) - 1)
    if nested is not None and any(nested):
        k_nested = int(sum(s for s, f in zip(sizes, nested, strict=True) if f))
        k_fe = k_fe - k_nested + int(sum(nested))
    return k_fe


# --- least squares with absorbed fixed effects ---------------------------------------------


@dataclass
class FEOLSFit:
    """A fitted least-squares regression with absorbed fixed effects (array level).

    Attributes
    ----------
    names : names of the estimated slope coefficients (collinear ones removed).
    beta : the coefficients.
    vcov : :class:`~evaluation.estimators.vcov.VcovResult`.
    nobs : observations used (after dropping singletons).
    keep : boolean mask over the input rows: the estimation sample.
    X, y : within-transformed design and outcome on the estimation sample (``X`` columns
        match ``names``); what a wild bootstrap needs to refit.
    resid : residuals on the estimation sample.
    bread : ``(X'WX)^{-1}``.
    weights : analytic weights on the estimation sample, or None.
    cluster : cluster codes on the estimation sample, or None.
    n_clusters : number of clusters, or None.
    fe : the fixed effects on the estimation sample.
    df_k : ``K`` counting all fixed effects; ``df_k_cluster`` with nested ones not counted.
    notes : sentences about the sample (singletons, collinear regressors).
    """

    names: list[str]
    beta: np.ndarray
    vcov: Any
    nobs: int
    keep: np.ndarray
    X: np.ndarray
    y: np.ndarray
    resid: np.ndarray
    bread: np.ndarray
    weights: np.ndarray | None
    cluster: np.ndarray | None
    n_clusters: int | None
    fe: FixedEffects | None
    df_k: int
    df_k_cluster: int
    notes: list[str]
    scores: np.ndarray | None = None  # cluster score sums (G x kept), fast path CRV1 only


def independent_columns(
    XtX: np.ndarray, tol: float = 1e-10, scale: np.ndarray | None = None
) -> list[int]:
    """Indices of a maximal set of linearly independent columns, in order (like fixest).

    A column is dropped when its residual sum of squares on the columns kept before it is at
    most ``tol`` times ``scale[j]`` - its sum of squares *before* the fixed effects were
    partialled out, so that a regressor absorbed by the fixed effects (constant within unit,
    say) is caught even though rounding leaves it a tiny positive norm - or, without
    ``scale``, times its own diagonal entry (sequential Gram-Schmidt on the Gram matrix).
    """
    ref = np.diag(XtX) if scale is None else np.asarray(scale, dtype=float)
    kept: list[int] = []
    for j in range(XtX.shape[0]):
        own = XtX[j, j]
        if own <= 0 or ref[j] <= 0:
            continue
        if kept:
            A = XtX[np.ix_(kept, kept)]
            b = XtX[kept, j]
            rss = own - b @ np.linalg.solve(A, b)
        else:
            rss = own
        if rss > tol * ref[j]:
            kept.append(j)
    return kept


def fe_ols(
    y: np.ndarray,
    X: np.ndarray,
    names: Sequence[str],
    fe: Sequence[np.ndarray],
    fe_names: Sequence[str],
    *,
    weights: np.ndarray | None = None,
    cluster: np.ndarray | None = None,
    vcov: str = "iid",
    drop_singleton_obs: bool = True,
    required: Sequence[str] = (),
    tol: float = 1e-10,
    maxiter: int = 10_000,
) -> FEOLSFit:
    """Weighted least squares of ``y`` on ``X`` with the fixed effects ``fe`` absorbed.

    The fixed effects are partialled out of ``y`` and ``X`` by :func:`demean` (Frisch-Waugh-
    Lovell); the slope coefficients solve the k x k normal equations of what remains, and the
    covariance follows fixest's conventions (:mod:`evaluation.estimators.vcov`). Without fixed
    effects an intercept ``(Intercept)`` is added. Singleton observations are dropped first, as
    fixest and pyfixest do by default; regressors collinear with the fixed effects or with
    earlier columns are dropped with a note, except those in ``required`` (then a ValueError).

    Parameters
    ----------
    y : (n,) outcome; X : (n, k) regressors; names : their names.
    fe : int-code (or raw id) arrays, one per fixed effect; fe_names : their names.
    weights : analytic weights (positive) or None.
    cluster : int codes of the cluster variable (needed for ``vcov="CRV1"``).
    vcov : ``"iid"``, ``"hetero"`` or ``"CRV1"``.
    """
    from evaluation.estimators.vcov import check_vcov_type, sandwich

    vcov = check_vcov_type(vcov)
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float).reshape(y.size, -1)
    names = list(names)
    notes: list[str] = []
    n_in = y.size
    keep = np.ones(n_in, dtype=bool)
    fe_obj: FixedEffects | None = None
    if fe:
        fe_obj = FixedEffects.from_arrays(list(fe), names=list(fe_names), weights=weights)
        if drop_singleton_obs and len(fe_obj.codes):
            keep = drop_singletons(fe_obj.codes)
            n_drop = int(n_in - keep.sum())
            if n_drop:
                notes.append(
                    f"{n_drop} singleton observation(s) dropped (alone in a fixed-effect group; "
                    "fixest/pyfixest default)"
                )
                fe_obj = fe_obj.subset(keep)
    else:
        X = np.column_stack([np.ones(n_in), X])
        names = ["(Intercept)", *names]
    sub = keep.all()
    yk = y if sub else y[keep]
    Xk = X if sub else X[keep]
    w = None if weights is None else (weights if sub else weights[keep])
    n = yk.size
    if n == 0:
        raise ValueError("no observations left after dropping singletons")
    if fe_obj is not None:
        Z = fe_obj.demean(np.column_stack([yk, Xk]), tol=tol, maxiter=maxiter)
        yd, Xd = Z[:, 0], Z[:, 1:]
    else:
        yd, Xd = yk, Xk
    Xw = Xd if w is None else Xd * w[:, None]
    XtX = Xw.T @ Xd
    raw = np.einsum("ij,ij->j", Xk, Xk) if w is None else np.einsum("ij,ij,i->j", Xk, Xk, w)
    cols = independent_columns(XtX, scale=raw)
    dropped = [names[j] for j in range(len(names)) if j not in cols]
    bad = [nm for nm in dropped if nm in set(required)]
    if bad:
        raise ValueError(
            f"{bad} has no variation left after absorbing the fixed effects {list(fe_names)} "
            "(or is collinear with the other regressors): its effect is not identified"
        )
    if dropped:
        notes.append(f"collinear regressor(s) dropped: {dropped}")
        Xd = Xd[:, cols]
        Xw = Xw[:, cols]
        XtX = XtX[np.ix_(cols, cols)]
        names = [names[j] for j in cols]
    bread = np.linalg.inv(XtX)
    beta = bread @ (Xw.T @ yd)
    resid = yd - Xd @ beta
    k = len(names)
    sizes = fe_obj.sizes if fe_obj is not None else []
    df_k = k + fe_dof(sizes)
    df_k_cluster = df_k
    ccodes, G = None, None
    if cluster is not None:
        ccodes, G = _refactorize(np.asarray(cluster)[keep] if not sub else np.asarray(cluster))
        if fe_obj is not None:
            nested = [
                nested_in(c, ccodes, g) for c, g in zip(fe_obj.codes, fe_obj.sizes, strict=True)
            ]
            df_k_cluster = k + fe_dof(sizes, nested)
    if vcov == "CRV1" and ccodes is None:
        raise ValueError("vcov='CRV1' needs a cluster variable")
    v = sandwich(
        Xd,
        resid,
        bread,
        vcov,
        weights=w,
        cluster=ccodes,
        n_clusters=G,
        df_k=df_k,
        df_k_cluster=df_k_cluster,
    )
    return FEOLSFit(
        names=names,
        beta=beta,
        vcov=v,
        nobs=n,
        keep=keep,
        X=Xd,
        y=yd,
        resid=resid,
        bread=bread,
        weights=w,
        cluster=ccodes,
        n_clusters=G,
        fe=fe_obj,
        df_k=df_k,
        df_k_cluster=df_k_cluster,
        notes=notes,
    )


# --- fast path: unit fixed effects absorbed, everything else a function of a small cell -----


def unit_cell_ols(
    y: np.ndarray,
    unit: np.ndarray,
    n_units: int,
    unit_group: np.ndarray,
    n_groups: int,
    r: np.ndarray,
    n_r: int,
    L: np.ndarray,
    L_names: Sequence[str],
    *,
    covariates: np.ndarray | None = None,
    cov_names: Sequence[str] = (),
    weights: np.ndarray | None = None,
    cluster: np.ndarray | None = None,
    n_clusters: int | None = None,
    vcov: str = "CRV1",
    fe_sizes: Sequence[int] = (),
    fe_nested: Sequence[bool] | None = None,
    required: Sequence[str] = (),
    cell: np.ndarray | None = None,
    rows_per_unit: int | None = None,
) -> FEOLSFit:
    """Least squares with unit fixed effects and regressors that are functions of a cell.

    The cell of row ``i`` is ``c = unit_group[unit[i]] * n_r + r[i]``: a unit-level group
    (e.g. the adoption cohort) crossed with a within-unit code (e.g. the period, or period x
    treatment status). Period dummies, event-time dummies and cohort x event-time dummies are
    all columns of ``H L`` with ``H`` the (never built) cell indicator matrix. With
    ``s_u`` the unit weight sums and ``A[u, r]`` the unit x code weight sums, the Gram matrix
    of the unit-demeaned cell indicators is ``diag(m) - sum_u A_u A_u' / s_u`` (per group), so
    the whole regression costs a few bincounts and an (n_units x n_r) table - no alternating
    projections and no (n x k) design. Covariates are demeaned by unit exactly (one pass).

    CRV1 requires the unit to be nested in the cluster (then each unit's residuals sum to zero
    within its cluster and the cluster scores are ``L'`` times cluster x cell residual sums);
    the callers fall back to :func:`fe_ols` otherwise. The vcov follows fixest's conventions
    with ``K = #regressors kept (excluding the period dummies, counted in fe_sizes) + fe dof``.

    Parameters
    ----------
    cell : the cell codes if the caller has them (must equal the formula above).
    rows_per_unit : T when the rows are sorted by unit with exactly T rows each (a balanced
        panel sorted by unit): unit sums become reshapes instead of bincounts.
    L : (n_groups * n_r, m) map from cells to regressors; columns named ``L_names``. Columns
        whose names start with ``"fe::"`` are fixed-effect dummies (not counted in ``K``,
        placed first so that redundancy drops them rather than a regressor of interest).
    """
    from evaluation.estimators.vcov import VcovResult, check_vcov_type

    vcov = check_vcov_type(vcov)
    n = y.size
    w = weights
    C = n_groups * n_r
    if cell is None:  # callers that already hold the cell codes pass them (saves a pass)
        cell = r if n_groups == 1 else unit_group[unit] * n_r + r
    # unit x code weight table; unit sums and cell sums follow from it without more passes
    A = np.bincount(unit * n_r + r, weights=w, minlength=n_units * n_r).reshape(n_units, n_r)
    A = A.astype(float, copy=False)
    s = A @ np.ones(n_r)  # row and column sums as products: faster than sum(axis=...) here
    inv_s = np.where(s > 0, 1.0 / np.where(s > 0, s, 1.0), 0.0)
    wy = y if w is None else w * y
    T = rows_per_unit
    if T is not None and T * n_units != n:
        raise ValueError("unit_cell_ols: rows_per_unit does not match the number of rows")

    def unit_means(v: np.ndarray) -> np.ndarray:
        if T is not None:
            return (v.reshape(n_units, T) @ np.ones(T)) * inv_s
        return np.bincount(unit, weights=v, minlength=n_units) * inv_s

    def minus_unit_values(v: np.ndarray, per_unit: np.ndarray) -> np.ndarray:
        if T is not None:
            return (v.reshape(n_units, T) - per_unit[:, None]).reshape(n)
        return v - per_unit[unit]

    ybar = unit_means(wy)
    Hy = np.bincount(cell, weights=wy, minlength=C)
    m_c = np.zeros(C)
    HMH = np.zeros((C, C))
    HMy = Hy.copy()
    groups = [slice(None)] if n_groups == 1 else [unit_group == g for g in range(n_groups)]
    for g, rows in enumerate(groups):
        Ag = A[rows]
        sl = slice(g * n_r, (g + 1) * n_r)
        m_c[sl] = np.ones(Ag.shape[0]) @ Ag
        HMH[sl, sl] = np.diag(m_c[sl]) - (Ag * inv_s[rows, None]).T @ Ag
        HMy[sl] -= Ag.T @ ybar[rows]
    p = 0 if covariates is None else covariates.shape[1]
    if p:
        Xd = np.empty((n, p))
        HMX = np.empty((C, p))
        for j in range(p):
            xj = covariates[:, j]
            wx = xj if w is None else w * xj
            Xd[:, j] = minus_unit_values(xj, unit_means(wx))
            wxd = Xd[:, j] if w is None else w * Xd[:, j]
            HMX[:, j] = np.bincount(cell, weights=wxd, minlength=C)
        Xw = Xd if w is None else Xd * w[:, None]
        XMX = Xw.T @ Xd
        XMy = Xw.T @ y  # Xd is orthogonal to unit means, so X'M y = Xd'W y
    names = [*L_names, *cov_names]
    m = L.shape[1]
    Gram = np.zeros((m + p, m + p))
    Gram[:m, :m] = L.T @ HMH @ L
    rhs = np.concatenate([L.T @ HMy, XMy if p else np.empty(0)])
    if p:
        Gram[:m, m:] = L.T @ HMX
        Gram[m:, :m] = Gram[:m, m:].T
        Gram[m:, m:] = XMX
    raw = np.concatenate(
        [
            (L**2).T @ m_c,
            np.einsum("ij,ij->j", covariates, covariates)
            if p and w is None
            else (np.einsum("ij,ij,i->j", covariates, covariates, w) if p else np.empty(0)),
        ]
    )
    cols = independent_columns(Gram, scale=raw)
    dropped = [names[j] for j in range(m + p) if j not in cols]
    bad = [nm for nm in dropped if nm in set(required)]
    if bad:
        raise ValueError(
            f"{bad} has no variation left after absorbing the fixed effects "
            "(or is collinear with the other regressors): its effect is not identified"
        )
    notes: list[str] = []
    dropped_reg = [nm for nm in dropped if not nm.startswith("fe::")]
    if dropped_reg:
        notes.append(f"collinear regressor(s) dropped: {dropped_reg}")
    Gk = Gram[np.ix_(cols, cols)]
    bread = np.linalg.inv(Gk)
    beta = bread @ rhs[cols]
    full = np.zeros(m + p)
    full[cols] = beta
    f = L @ full[:m]
    if n_groups == 1:
        fbar = (A @ f) * inv_s
    else:
        fbar = np.einsum("ur,ur->u", A, f.reshape(n_groups, n_r)[unit_group]) * inv_s
    resid = minus_unit_values(y, ybar - fbar)
    resid -= f[cell]
    if p:
        resid -= Xd @ full[m:]
    k = sum(1 for j in cols if not names[j].startswith("fe::"))
    df_k = k + fe_dof(fe_sizes)
    df_k_cluster = k + fe_dof(fe_sizes, fe_nested) if fe_nested is not None else df_k
    wu = resid if w is None else w * resid
    scores = None
    if vcov == "iid":
        V = bread * float(resid @ wu) / (n - df_k)
        vres = VcovResult(V, "iid", n - df_k, df_k, (n - 1) / (n - df_k))
    elif vcov == "CRV1":
        if cluster is None or n_clusters is None:
            raise ValueError("vcov='CRV1' needs a cluster variable")
        Q = np.bincount(cluster * C + cell, weights=wu, minlength=n_clusters * C)
        S = np.empty((n_clusters, m + p))
        S[:, :m] = Q.reshape(n_clusters, C) @ L
        for j in range(p):
            S[:, m + j] = np.bincount(cluster, weights=Xd[:, j] * wu, minlength=n_clusters)
        S = S[:, cols]
        G = n_clusters
        ssc = G / (G - 1) * (n - 1) / (n - df_k_cluster)
        vres = VcovResult(ssc * bread @ (S.T @ S) @ bread, "CRV1", G - 1, df_k_cluster, ssc, G)
        scores = S
    else:
        raise ValueError("unit_cell_ols supports vcov 'iid' and 'CRV1' (use fe_ols for 'hetero')")
    return FEOLSFit(
        names=[names[j] for j in cols],
        beta=beta,
        vcov=vres,
        nobs=n,
        keep=np.ones(n, dtype=bool),
        X=None,  # type: ignore[arg-type]  # not materialised on the fast path
        y=None,  # type: ignore[arg-type]
        resid=resid,
        bread=bread,
        weights=weights,
        cluster=cluster,
        n_clusters=n_clusters,
        fe=None,
        df_k=df_k,
        df_k_cluster=df_k_cluster,
        notes=notes,
        scores=scores,
    )
