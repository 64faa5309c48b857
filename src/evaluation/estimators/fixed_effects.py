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

A balanced panel sorted by unit then time is detected (:func:`grid_layout`) and demeaned by
reshaping. The regressions built on these pieces are in :mod:`evaluation.estimators.fe_regression`.

Group sums use ``np.bincount`` so each pass over ``n`` rows costs O(n) with no sorting.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.estimators.idcodes import string_code_count, string_codes

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
    counted = string_code_count(values) if _extension_column(values) else None
    if counted is not None:  # strings stored in Arrow, coded from their buffers
        return _checked_codes(counted[0], name), counted[1]
    arr = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if arr.dtype.kind in "iub" and arr.size:
        # integer ids in a modest range: dense codes by presence table (sorted order), O(n)
        # without hashing - several times faster than pd.factorize on large panels
        lo, hi = int(arr.min()), int(arr.max())
        if hi - lo <= 4 * arr.size + 1024:
            codes = arr.astype(np.intp, copy=False)
            return refactorize(codes - lo if lo else codes)
    counted = string_code_count(arr) if arr.dtype == object else None
    if counted is None:
        codes, uniques = pd.factorize(values, sort=False, use_na_sentinel=True)
        counted = codes, len(uniques)
    return _checked_codes(counted[0], name), counted[1]


def _extension_column(values: object) -> bool:
    """A pandas column or array with an extension dtype (Arrow-backed strings, categoricals):
    :mod:`evaluation.estimators.idcodes` codes Arrow strings without converting them to Python
    objects, and returns None for the other extension dtypes."""
    return isinstance(
        values, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)
    ) and not isinstance(values.dtype, np.dtype)


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
    coded = string_codes(values) if _extension_column(values) else None
    if coded is None:  # not strings stored in Arrow: the values as a numpy array
        arr = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
        if arr.dtype.kind in "iu" and arr.size:
            lo, hi = int(arr.min()), int(arr.max())
            if hi - lo <= 4 * arr.size + 1024:
                raw = arr.astype(np.intp, copy=False)
                codes, levels = presence_codes(raw - lo if lo else raw)
                return codes, (levels + lo).astype(arr.dtype)
        coded = string_codes(arr) if arr.dtype == object else None
    if coded is not None:
        # strings: first-appearance codes, then the distinct ids put in sorted order (Python
        # string order, as pandas' sort=True)
        codes, uniques = coded
        order = np.argsort(uniques, kind="stable")
        rank = np.empty(order.size, dtype=np.intp)
        rank[order] = np.arange(order.size)
        codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1) if order.size else codes
        return _checked_codes(codes, name), uniques[order]
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


def refactorize(codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Re-code an int code array to dense ``0..G-1`` (after dropping rows)."""
    if codes.size == 0:
        return codes.astype(np.intp), 0
    dense, levels = presence_codes(codes)
    return dense, levels.size


def presence_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
            cc, g = refactorize(c[keep])
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


#: Two fixed effects, one with at most this many levels (periods, say): the within
#: transformation is solved exactly (:func:`_small_effect_solver`) instead of iterated.
SMALL_EFFECT_LEVELS = 64


def _small_effect_solver(fe: FixedEffects):
    """Exact two-way within transformation when one effect has few levels, or None.

    With A the large effect (units) and B the small one (K periods), the residual of x on
    [A, B] is ``r - M_A D_B g`` where ``r = M_A x`` (unit means removed) and ``g`` solves the
    K x K normal equations ``(D_B' W M_A D_B) g = D_B' W r`` (Frisch-Waugh-Lovell; the
    Schur complement of the unit effects, as in the "one large, one small effect" case of
    Gaure 2013). ``D_B' W M_A D_B = diag(W_t) - S' diag(1/W_a) S`` with S the units x K
    matrix of weight sums, so each column costs three bincount passes, and the result is the
    exact projection rather than the alternating-projections iterate (which stops within its
    tolerance of it). The matrix is singular (constants are in both spans; more null
    directions when the panel is disconnected): the minimum-norm solution is used, and
    ``M_A D_B g`` does not depend on the choice. Returns a function demeaning a float64
    column in place; None when the fixed effects are not two or neither is small enough,
    or the units x K table would be large compared with the data.
    """
    if len(fe.codes) != 2:
        return None
    small = int(np.argmin(fe.sizes))
    big = 1 - small
    k, g = fe.sizes[small], fe.sizes[big]
    n = fe.codes[0].size
    if k > SMALL_EFFECT_LEVELS or g * k > max(2 * n, 1 << 20):
        return None
    a, t, w = fe.codes[big], fe.codes[small], fe.weights
    S = np.bincount(a * k + t, weights=w, minlength=g * k).reshape(g, k).astype(float)
    inv_wa = fe._inv_wsum[big]
    # S' diag(1/W_a) S in row chunks small enough for one BLAS thread (threads spin on a
    # busy machine; the product is memory-bound anyway)
    C = np.diag(S.sum(axis=0))
    scaled = S * inv_wa[:, None]
    rows = max(16, 200_000 // (k * k))
    for i in range(0, g, rows):
        C -= scaled[i : i + rows].T @ S[i : i + rows]
    vals, vecs = np.linalg.eigh((C + C.T) / 2)
    top = float(vals.max()) if vals.size else 0.0
    if top <= 0:
        return None
    use = vals > top * 1e-10
    C_pinv = (vecs[:, use] / vals[use]) @ vecs[:, use].T

    def solve(col: np.ndarray) -> None:
        _project_out(col, a, inv_wa, w)
        b = np.bincount(t, weights=col if w is None else col * w, minlength=k)
        gamma = C_pinv @ b
        unit_part = np.einsum("ij,j->i", S, gamma) * inv_wa
        col -= gamma[t]
        col += unit_part[a]

    return solve


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
    solver = _small_effect_solver(fe)
    if solver is not None:
        for j in range(out.shape[1]):
            solver(out[:, j])
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
                c, g = refactorize(np.asarray(a))
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
