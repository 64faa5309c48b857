"""Wild cluster bootstrap-t for one coefficient of a linear model with fixed effects.

The restricted wild cluster bootstrap (WCR; Cameron, Gelbach & Miller 2008) is the few-cluster
inference the evaluation reports beside CRV1: with a few dozen clusters, CRV1 t-tests over-reject, while
the WCR bootstrap-t, with the null imposed on the bootstrap data-generating process, stays close
to its nominal size (MacKinnon, Nielsen & Webb 2023).

Algorithm ("fast and wild", Roodman, MacKinnon, Nielsen & Webb 2019). For the model
``y = x b + W g + e`` (``x`` the tested regressor, ``W`` the other regressors and the fixed
effects), Frisch-Waugh-Lovell gives ``x~ = M_W x`` and ``y~ = M_W y`` once. Under the null
``b = r`` the restricted residuals are ``u_r = y~ - r x~``, linear in ``r``. A bootstrap draw
multiplies the residuals of cluster ``h`` by ``v_h`` and re-estimates the *full* model, so with
``S = x~'x~`` and per-cluster ``s_g(r) = x~_g' u_r,g``:

- ``b* - r = sum_g v_g s_g(r) / S``;
- the bootstrap CRV1 score of cluster ``g`` is ``sum_h C_gh(r) v_h - (x~_g'x~_g)(b* - r)`` where
  ``C_gh(r) = 1[g=h] s_g(r) - (x~ 1_g)' P_W (u_r 1_h)`` carries the (small) leakage of a
  cluster's residuals into other clusters through fixed effects and regressors that are not
  nested in the clusters (time effects, covariates).

Everything a draw needs is therefore G-vectors and the G x G matrices ``C``, kept in low-rank
form (rank = levels of the non-nested fixed effects + other regressors): each draw costs
O(G * rank), independent of the number of rows, and the p-value at any further null value
costs O(B) (the sum of squared bootstrap scores is a quadratic in ``r``). The cross-cluster term is computed exactly: fixed
effects nested in the cluster contribute nothing (x~ sums to zero within each of their levels);
the others enter through a Schur complement on their levels (e.g. 8 years), so the set-up costs
a few passes over the data. This is the same statistic as a bootstrap that re-estimates the full
dummy-variable regression, and as the ``wildboottest``/``boottest`` WCR11 statistic when the
fixed effects are passed as regressors.

Conventions: bootstrap t-statistics use the CRV1 small-sample factor of the original
regression (fixest's, with fixed effects nested in the cluster not counted); the p-value is
symmetric and two-sided, ``p = mean(|t*_b| >= |t|)`` with exact ties (which full enumeration
produces) counted as exceeding; the confidence interval is the set of null values ``r`` with
``p(r) > alpha``, its ends found by bisection (test inversion, as boottest does).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.estimators.distributions import t_sf
from evaluation.estimators.fixed_effects import (
    FixedEffects,
    drop_singletons,
    factorize,
    factorize_sorted,
    fe_dof,
)
from evaluation.estimators.idcodes import column_scope, missing_count
from evaluation.estimators.inputs import as_list, renamed
from evaluation.estimators.results import EstimationResult, ModelSpec

__all__ = ["wild_cluster_bootstrap", "BootstrapProblem", "prepare_problem", "draw_weights"]

WEBB_POINTS = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
_MAX_ENUMERATION_CLUSTERS = 20
_MAX_SCHUR_LEVELS = 2000
_MAX_DENSE_CROSSTAB = 50_000_000  # nested levels x free levels held densely


# --------------------------------------------------------------------------------------
# specification -> arrays
# --------------------------------------------------------------------------------------
def _design_from_spec(spec: Mapping[str, Any], data: pd.DataFrame | None = None) -> dict[str, Any]:
    """Translate an estimator's :class:`ModelSpec` (or a user dict) into design pieces.

    The data: ``data`` if given (checked against a ModelSpec's fingerprint), else a dict
    spec's ``"data"``, else the fitted data while the caller still holds them (deprecated).

    Recognized kinds: ``"twfe"`` (unit and time fixed effects, regressors = treatment(s) +
    covariates), ``"did_2x2"`` (intercept, treated, post, treated x post, covariates) and
    ``"ols"`` (``regressors``, optional ``fixed_effects``, ``intercept``).
    """
    where = "wild_cluster_bootstrap"
    if isinstance(spec, ModelSpec):
        data = spec.resolve_data(data, where)
    elif data is None:
        if not isinstance(spec.get("data"), pd.DataFrame):
            raise ValueError(f"{where}: the specification needs the data ('data')")
        data = spec["data"]
    kind = spec.get("kind", "ols")
    outcome = spec["outcome"]
    covariates = as_list(spec.get("covariates"))
    derived: dict[str, np.ndarray] = {}
    if kind == "twfe":
        regressors = as_list(spec["treatment"]) + covariates
        fixed_effects = as_list(spec.get("fixed_effects")) or [spec["unit"], spec["time"]]
        intercept = False
    elif kind == "did_2x2":
        treated, post = spec["treated"], spec["post"]
        interaction = spec.get("interaction_name", f"{treated}:{post}")
        derived[interaction] = data[treated].to_numpy(float) * data[post].to_numpy(float)
        regressors = [treated, post, interaction, *covariates]
        fixed_effects = as_list(spec.get("fixed_effects"))
        intercept = not fixed_effects
    elif kind == "ols":
        regressors = as_list(spec["regressors"])
        fixed_effects = as_list(spec.get("fixed_effects"))
        intercept = bool(spec.get("intercept", not fixed_effects))
    else:
        raise ValueError(
            f"wild_cluster_bootstrap: unsupported specification kind {kind!r} (supported: "
            "twfe, did_2x2, ols); for other models pass a kind='ols' dict with the regressors "
            "and fixed effects as data columns"
        )
    return {
        "data": data,
        "outcome": outcome,
        "regressors": regressors,
        "derived": derived,
        "fixed_effects": fixed_effects,
        "intercept": intercept,
        "weights": spec.get("weights"),
        "drop_singletons": bool(spec.get("drop_singletons", True)),
    }


def _column(data: pd.DataFrame, name: str, derived: Mapping[str, np.ndarray]) -> np.ndarray:
    if name in derived:
        return derived[name]
    if name not in data.columns:
        raise KeyError(f"wild_cluster_bootstrap: column {name!r} not in the data")
    values = data[name]
    if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
        raise TypeError(
            f"wild_cluster_bootstrap: column {name!r} must be numeric, got {values.dtype}"
        )
    return values.to_numpy(dtype=float, na_value=np.nan)


# --------------------------------------------------------------------------------------
# cluster-level sufficient statistics
# --------------------------------------------------------------------------------------
@dataclass
class BootstrapProblem:
    """Cluster-level statistics from which every bootstrap draw is computed.

    With ``u_r = y~ - r x~``: ``s_g(r) = s0_g - r s1_g``, ``C(r) = C0 - r C1`` and
    ``S = sum(s1)``; see the module docstring. The cross-cluster parts are kept in low-rank
    form, ``C0 = diag(s0) - left @ right_y.T`` and ``C1 = diag(s1) - left @ right_x.T``, with
    rank = levels of the non-nested fixed effects + other regressors, so a draw costs
    O(G * rank) rather than O(G^2) and no G x G matrix is needed when G is large.
    """

    term: str
    estimate: float
    s0: np.ndarray
    s1: np.ndarray
    left: np.ndarray
    right_y: np.ndarray
    right_x: np.ndarray
    ssc: float
    nobs: int
    n_params: int
    clusters: np.ndarray
    notes: list[str]

    @property
    def n_clusters(self) -> int:
        return int(self.s0.size)

    @property
    def S(self) -> float:
        return float(self.s1.sum())

    @property
    def C0(self) -> np.ndarray:
        """Dense ``C0`` (G x G), for inspection and tests."""
        return np.diag(self.s0) - self.left @ self.right_y.T

    @property
    def C1(self) -> np.ndarray:
        """Dense ``C1`` (G x G)."""
        return np.diag(self.s1) - self.left @ self.right_x.T

    def apply(self, V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``C0 @ V`` and ``C1 @ V`` through the low-rank form (einsum, no BLAS threads)."""
        ry = np.einsum("gr,gb->rb", self.right_y, V)
        rx = np.einsum("gr,gb->rb", self.right_x, V)
        C0V = self.s0[:, None] * V - np.einsum("gr,rb->gb", self.left, ry)
        C1V = self.s1[:, None] * V - np.einsum("gr,rb->gb", self.left, rx)
        return C0V, C1V

    @property
    def std_error(self) -> float:
        """CRV1 standard error of the original regression."""
        scores = self.s0 - self.estimate * self.s1
        return float(np.sqrt(self.ssc * np.sum(scores**2)) / self.S)


def _weighted_lstsq(A: np.ndarray, b: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    if w is None:
        return np.linalg.lstsq(A, b, rcond=None)[0]
    sw = np.sqrt(w)
    bb = b * sw[:, None] if b.ndim == 2 else b * sw
    return np.linalg.lstsq(A * sw[:, None], bb, rcond=None)[0]


def _cluster_sums(cl: np.ndarray, values: np.ndarray, G: int) -> np.ndarray:
    return np.bincount(cl, weights=values, minlength=G)


def _fe_cross_terms(
    fe: FixedEffects,
    nested: list[bool],
    cl: np.ndarray,
    G: int,
    wx: np.ndarray,
    wy: np.ndarray,
    xt: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Factors of ``D[g,h] = (x~ 1_g)' W P_FE (y~ 1_h)`` and ``E[g,h] = (x~ 1_g)' W P_FE (x~ 1_h)``.

    Returns ``(left, right_y, right_x)`` with ``D = left @ right_y.T``, ``E = left @ right_x.T``.
    ``wx = w * x~``, ``wy = w * y~``. Nested effects contribute nothing; the non-nested ones
    (``F_c``) enter through ``L = F_c' W M_{F_n} F_c`` (Schur complement on their levels).
    """
    free = [j for j, is_nested in enumerate(nested) if not is_nested]
    if not free:
        return np.zeros((G, 0)), np.zeros((G, 0)), np.zeros((G, 0))
    p_c = int(sum(fe.sizes[j] for j in free))
    if p_c > _MAX_SCHUR_LEVELS:
        D, E = _fe_cross_terms_by_demeaning(fe, cl, G, wx, wy, xt)
        return np.eye(G), D.T, E.T
    # cluster x level sums of w x~ and w y~ for each non-nested effect
    cx_blocks, cy_blocks = [], []
    for j in free:
        codes, p = fe.codes[j], fe.sizes[j]
        idx = cl * p + codes
        cx_blocks.append(np.bincount(idx, weights=wx, minlength=G * p).reshape(G, p))
        cy_blocks.append(np.bincount(idx, weights=wy, minlength=G * p).reshape(G, p))
    cx = np.hstack(cx_blocks)
    cy = np.hstack(cy_blocks)
    # L = F_c' W M_{F_n} F_c, one column per level of the non-nested effects
    nested_idx = [j for j, is_nested in enumerate(nested) if is_nested]
    offsets = np.cumsum([0] + [fe.sizes[j] for j in free])
    if len(nested_idx) <= 1:
        L = _schur_sparse(fe, free, offsets, nested_idx[0] if nested_idx else None)
    else:
        L = _schur_by_demeaning(fe, free, offsets, nested_idx)
    L = 0.5 * (L + L.T)
    Linv = np.linalg.pinv(L, rcond=1e-11, hermitian=True)
    return cx @ Linv, cy, cx


def _schur_sparse(
    fe: FixedEffects, free: list[int], offsets: np.ndarray, nested_j: int | None
) -> np.ndarray:
    """``F_c' W F_c - F_c' W F_n (F_n' W F_n)^-1 F_n' W F_c`` for at most one nested effect.

    One nested effect has a diagonal ``F_n' W F_n`` (weighted level counts), so the Schur
    complement needs only weighted cross-tabulations (bincounts): O(n) in total.
    """
    n = fe.codes[0].size
    w = fe.weights
    p_c = int(offsets[-1])
    L = np.zeros((p_c, p_c))
    for a, ja in enumerate(free):
        for b, jb in enumerate(free):
            if b < a:
                continue
            pa, pb = fe.sizes[ja], fe.sizes[jb]
            if a == b:  # an effect with itself: its weighted level counts on the diagonal
                tab = np.diag(fe._wsum[ja])
            else:
                tab = np.bincount(
                    fe.codes[ja] * pb + fe.codes[jb], weights=w, minlength=pa * pb
                ).reshape(pa, pb)
            L[offsets[a] : offsets[a + 1], offsets[b] : offsets[b + 1]] = tab
    L = np.triu(L) + np.triu(L, 1).T
    if nested_j is None:
        return L
    codes_n, g_n = fe.codes[nested_j], fe.sizes[nested_j]
    inv = fe._inv_wsum[nested_j]
    if fe._balanced:
        # two effects, every pair of levels once (unweighted): the cross-tabulation is all ones
        return L - inv.sum() * np.ones((p_c, p_c))
    if g_n * p_c <= _MAX_DENSE_CROSSTAB:
        # dense nested-level x free-level weighted counts
        N = np.hstack(
            [
                np.bincount(
                    codes_n * fe.sizes[j] + fe.codes[j], weights=w, minlength=g_n * fe.sizes[j]
                ).reshape(g_n, fe.sizes[j])
                for j in free
            ]
        )
        return L - (N * inv[:, None]).T @ N
    from scipy import sparse

    cols = np.concatenate([fe.codes[j] + offsets[a] for a, j in enumerate(free)])
    vals = np.concatenate([np.ones(n) if w is None else w] * len(free))
    Nw = sparse.csr_matrix((vals, (np.concatenate([codes_n] * len(free)), cols)), shape=(g_n, p_c))
    return L - (Nw.T @ (sparse.diags(inv) @ Nw)).toarray()


def _schur_by_demeaning(
    fe: FixedEffects, free: list[int], offsets: np.ndarray, nested_idx: list[int]
) -> np.ndarray:
    """The same Schur complement with several nested effects: demean each dummy column."""
    w = fe.weights
    fe_n = FixedEffects(
        [fe.codes[j] for j in nested_idx],
        [fe.sizes[j] for j in nested_idx],
        [fe.names[j] for j in nested_idx],
        w,
    )
    p_c = int(offsets[-1])
    L = np.zeros((p_c, p_c))
    col = 0
    for j in free:
        codes_j, p_j = fe.codes[j], fe.sizes[j]
        for level in range(p_j):
            d = fe_n.demean((codes_j == level).astype(float))
            wd = d if w is None else w * d
            for b, k in enumerate(free):
                L[offsets[b] : offsets[b + 1], col] = np.bincount(
                    fe.codes[k], weights=wd, minlength=fe.sizes[k]
                )
            col += 1
    return L


def _fe_cross_terms_by_demeaning(
    fe: FixedEffects, cl: np.ndarray, G: int, wx: np.ndarray, wy: np.ndarray, xt: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Generic route: ``P_FE (x~ 1_g) = x~ 1_g - M_FE (x~ 1_g)``, one demeaning per cluster."""
    D = np.empty((G, G))
    E = np.empty((G, G))
    for g in range(G):
        z = np.where(cl == g, xt, 0.0)
        q = z - fe.demean(z)
        D[g] = np.bincount(cl, weights=q * wy, minlength=G)
        E[g] = np.bincount(cl, weights=q * wx, minlength=G)
    return D, E


def _design_columns(
    design: Mapping[str, Any], term: str, cluster: str
) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    """The coefficient names, ``[y, X]`` side by side in Fortran order, and the weights.

    Fortran order keeps each column contiguous, so the fixed effects are swept out of all of
    them in place. Fails, naming it, on a term that is not a regressor or a missing cluster
    column.
    """
    frame, derived = design["data"], design["derived"]
    regressors: list[str] = design["regressors"]
    if term not in regressors:
        raise KeyError(
            f"wild_cluster_bootstrap: term {term!r} is not a regressor of the model "
            f"(regressors: {regressors})"
        )
    if cluster not in frame.columns:
        raise KeyError(f"wild_cluster_bootstrap: cluster column {cluster!r} not in the data")
    names = list(regressors)
    if design["intercept"]:
        names = ["(Intercept)", *names]
    stacked = np.empty((len(frame), 1 + len(names)), order="F")
    stacked[:, 0] = _column(frame, design["outcome"], derived)
    if design["intercept"]:
        stacked[:, 1] = 1.0
    for j, r in enumerate(regressors):
        stacked[:, 1 + int(design["intercept"]) + j] = _column(frame, r, derived)
    w = None
    if design["weights"] is not None:
        w = _column(frame, design["weights"], derived)
    return names, stacked, w


def _complete_rows(
    frame: pd.DataFrame,
    stacked: np.ndarray,
    w: np.ndarray | None,
    id_columns: list[str],
    notes: list[str],
) -> np.ndarray:
    """Rows with no missing value in the outcome, regressors, weights, cluster and fixed
    effects (the dropped ones noted); fails on a non-positive weight among them."""
    ok = np.isfinite(stacked[:, 0]) & np.isfinite(stacked[:, 1:]).all(axis=1)
    if w is not None:
        ok &= np.isfinite(w)
    for c in id_columns:
        col = frame[c]
        if col.dtype.kind in "iub":  # integer and boolean columns cannot be missing
            continue
        if col.dtype == object and not missing_count(col):
            continue  # string ids: counted once per call, shared with their coding
        ok &= col.notna().to_numpy()
    if not ok.all():
        bad = np.flatnonzero(~ok)
        notes.append(
            f"{bad.size} row(s) with missing values dropped (e.g. rows {bad[:5].tolist()})"
        )
    if w is not None and (w[ok] <= 0).any():
        raise ValueError("wild_cluster_bootstrap: weights must be positive")
    return ok


def _coded_effects(
    frame: pd.DataFrame, fe_cols: list[str], w: np.ndarray | None, rows: slice | np.ndarray
) -> FixedEffects:
    """The fixed effects ``fe_cols`` coded on ``rows`` of the data (weights ``w`` all rows)."""
    coded = [factorize(frame[c].to_numpy()[rows], c) for c in fe_cols]
    return FixedEffects(
        [c for c, _ in coded],
        [g for _, g in coded],
        list(fe_cols),
        None if w is None else w[rows],
    )


def _estimation_sample(
    frame: pd.DataFrame,
    fe_cols: list[str],
    w: np.ndarray | None,
    ok: np.ndarray,
    singletons: bool,
    notes: list[str],
) -> tuple[FixedEffects, slice | np.ndarray]:
    """The rows fitted (complete rows, fixed-effect singletons dropped as fixest does by
    default when ``singletons``) and the fixed effects coded on them.

    The rows are a slice (no copy) when every row is kept, the usual case on large clean
    panels.
    """
    idx: slice | np.ndarray = slice(None) if ok.all() else np.flatnonzero(ok)
    fe = _coded_effects(frame, fe_cols, w, idx)
    # a complete sorted grid has no singletons: every level meets every other level
    no_singletons = fe._grid is not None and min(fe.sizes) >= 2
    if fe.codes and singletons and not no_singletons:
        keep = drop_singletons(fe.codes)
        if not keep.all():
            notes.append(f"{int((~keep).sum())} fixed-effect singleton(s) dropped")
            idx = np.flatnonzero(ok)[keep]
            fe = fe.subset(keep)  # the codes kept and re-numbered: no second pass over the ids
    return fe, idx


def _partial_out(
    stacked: np.ndarray, fe: FixedEffects, k_index: int, w: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Frisch-Waugh-Lovell: ``y~`` and ``x~`` free of the fixed effects, then of the other
    regressors ``Xo`` (returned free of the fixed effects), and the tested regressor's raw
    (weighted) sum of squares, the scale of the collinearity check. Overwrites ``stacked``.
    """
    x_raw = stacked[:, 1 + k_index]
    scale = float(x_raw @ x_raw) if w is None else float(np.sum(w * x_raw**2))
    if fe.codes:
        stacked = fe.demean(stacked, overwrite=True)
    yd, Xd = stacked[:, 0], stacked[:, 1:]
    xd = Xd[:, k_index]
    Xo = np.delete(Xd, k_index, axis=1)
    if Xo.shape[1]:
        coef = _weighted_lstsq(Xo, np.column_stack([yd, xd]), w)
        yt = yd - Xo @ coef[:, 0]
        xt = xd - Xo @ coef[:, 1]
    else:
        yt, xt = yd, xd
    return yt, xt, Xo, scale


def _score_sums(
    fe: FixedEffects, nested: list[bool], cl: np.ndarray, G: int, values: list[np.ndarray]
) -> list[np.ndarray]:
    """Cluster sums of each row-level array in ``values``.

    An effect nested in the clusters (firms in strata) sums rows by level first, then levels
    by cluster: on a sorted balanced panel the first step is a reshape.
    """
    outer = fe._grid[0] if fe._grid is not None and nested[fe._grid[0]] else None
    if outer is None:
        return [_cluster_sums(cl, v, G) for v in values]
    level_cluster = cl.reshape(fe.sizes[outer], -1)[:, 0]
    return [_cluster_sums(level_cluster, fe.level_sums(outer, v), G) for v in values]


def _leakage_factors(
    fe: FixedEffects,
    nested: list[bool],
    cl: np.ndarray,
    G: int,
    wx: np.ndarray,
    wy: np.ndarray,
    xt: np.ndarray,
    Xo: np.ndarray,
    w: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Low-rank factors ``(left, right_y, right_x)`` of the cross-cluster terms of ``C0`` and
    ``C1`` (see :class:`BootstrapProblem`): the other regressors' part, then the non-nested
    fixed effects' part (:func:`_fe_cross_terms`), side by side."""
    lefts, rights_y, rights_x = [], [], []
    if Xo.shape[1]:  # the other regressors, already free of fixed effects
        A = np.column_stack([_cluster_sums(cl, wx * Xo[:, j], G) for j in range(Xo.shape[1])])
        B = np.column_stack([_cluster_sums(cl, wy * Xo[:, j], G) for j in range(Xo.shape[1])])
        H = Xo.T @ Xo if w is None else (Xo * w[:, None]).T @ Xo
        lefts.append(A @ np.linalg.pinv(H, hermitian=True))
        rights_y.append(B)
        rights_x.append(A)
    if fe.codes:
        left_fe, ry_fe, rx_fe = _fe_cross_terms(fe, nested, cl, G, wx, wy, xt)
        lefts.append(left_fe)
        rights_y.append(ry_fe)
        rights_x.append(rx_fe)
    left = np.hstack(lefts) if lefts else np.zeros((G, 0))
    right_y = np.hstack(rights_y) if rights_y else np.zeros((G, 0))
    right_x = np.hstack(rights_x) if rights_x else np.zeros((G, 0))
    return left, right_y, right_x


def prepare_problem(
    spec: Mapping[str, Any],
    term: str,
    cluster: str,
    *,
    data: pd.DataFrame | None = None,
) -> BootstrapProblem:
    """Partial out everything but ``term`` once and reduce to cluster-level statistics.

    Rows with a missing value in any used column are dropped (noted), and, with fixed
    effects, singletons are dropped as fixest does by default.
    """
    design = _design_from_spec(spec, data)
    frame = design["data"]
    fe_cols = design["fixed_effects"]
    names, stacked, w = _design_columns(design, term, cluster)
    notes: list[str] = []
    ok = _complete_rows(frame, stacked, w, [cluster, *fe_cols], notes)
    fe, idx = _estimation_sample(frame, fe_cols, w, ok, design["drop_singletons"], notes)
    if not isinstance(idx, slice):
        stacked = np.asfortranarray(stacked[idx])
        w = None if w is None else w[idx]
    cl, clusters = factorize_sorted(frame[cluster].to_numpy()[idx], cluster)
    G = clusters.size
    if G < 2:
        raise ValueError(
            f"wild_cluster_bootstrap: cluster column {cluster!r} has {G} distinct value(s); "
            "at least 2 clusters are needed"
        )
    n = stacked.shape[0]
    yt, xt, Xo, scale = _partial_out(stacked, fe, names.index(term), w)
    wx, wy = (xt, yt) if w is None else (w * xt, w * yt)
    nested = [fe.nested_in(j, cl) for j in range(len(fe.codes))]
    s0, s1 = _score_sums(fe, nested, cl, G, [wx * yt, wx * xt])
    S = float(s1.sum())
    if S <= 1e-12 * max(scale, 1e-300):
        raise ValueError(
            f"wild_cluster_bootstrap: {term!r} is collinear with the fixed effects and the "
            "other regressors; it is not identified"
        )
    left, right_y, right_x = _leakage_factors(fe, nested, cl, G, wx, wy, xt, Xo, w)
    n_params = len(names) + (fe_dof(fe.sizes, nested) if fe.codes else 0)
    return BootstrapProblem(
        term=term,
        estimate=float(s0.sum() / S),
        s0=s0,
        s1=s1,
        left=left,
        right_y=right_y,
        right_x=right_x,
        ssc=(G / (G - 1)) * ((n - 1) / (n - n_params)),
        nobs=n,
        n_params=n_params,
        clusters=clusters,
        notes=notes,
    )


# --------------------------------------------------------------------------------------
# draws and statistics
# --------------------------------------------------------------------------------------
def draw_weights(
    n_clusters: int, reps: int, weights: str, rng: np.random.Generator
) -> tuple[np.ndarray, bool]:
    """Bootstrap weights as a (G, B) matrix, and whether they are a full enumeration.

    Rademacher weights are +/-1 with equal probability; Webb's six-point weights are
    +/-sqrt(1/2), +/-1, +/-sqrt(3/2) with equal probability (Webb 2023). With Rademacher weights
    and ``reps >= 2**G`` (G <= 20), all ``2**G`` sign vectors are enumerated instead (as
    boottest does), in the order of ``itertools.product([-1, 1], repeat=G)`` (first cluster
    varying slowest), which makes the result deterministic.
    """
    G = n_clusters
    if weights == "rademacher":
        if G <= _MAX_ENUMERATION_CLUSTERS and reps >= 2**G:
            b = np.arange(2**G, dtype=np.int64)
            bits = (b[None, :] >> np.arange(G - 1, -1, -1, dtype=np.int64)[:, None]) & 1
            return (2.0 * bits - 1.0), True
        return np.where(rng.random((G, reps)) < 0.5, -1.0, 1.0), False
    if weights == "webb":
        return WEBB_POINTS[rng.integers(0, 6, size=(G, reps))], False
    raise ValueError(
        f"wild_cluster_bootstrap: weights must be 'rademacher' or 'webb', not {weights!r}"
    )


class _Bootstrap:
    """Evaluate bootstrap t-statistics for any null value ``r`` in O(B).

    With ``CV(r) = (C0 - r C1) V``, the numerator is ``delta(r) = (a - r b) / S`` (``a, b``
    the column sums of ``C0 V, C1 V``) and the bootstrap scores are ``P - r Q`` with
    ``P = C0 V - s1 a' / S`` and ``Q = C1 V - s1 b' / S``; so the sum of squared scores is the
    quadratic ``pp - 2 r pq + r^2 qq`` in ``r``. Three B-vectors, computed once, make every
    later evaluation (the p-value at a new ``r`` during test inversion) O(B).
    """

    def __init__(self, problem: BootstrapProblem, V: np.ndarray, impose_null: bool) -> None:
        self.p = problem
        self.impose_null = impose_null
        S = problem.S
        B = V.shape[1]
        self.a, self.b = np.empty(B), np.empty(B)
        self.pp, self.pq, self.qq = np.empty(B), np.empty(B), np.empty(B)
        # blocks of draws keep the G x block temporaries small when there are many clusters
        block = max(1, min(B, 4_000_000 // max(problem.n_clusters, 1)))
        for lo in range(0, B, block):
            sl = slice(lo, min(B, lo + block))
            # einsum, not BLAS: these products are too small for threaded BLAS to pay off
            # (it costs ~30x more on a busy 2-core machine), and the loop order is fixed, so
            # the same seed gives the same bits on any machine
            C0V, C1V = problem.apply(V[:, sl])
            a = C0V.sum(axis=0)
            b = C1V.sum(axis=0)
            C0V -= problem.s1[:, None] * (a / S)[None, :]
            C1V -= problem.s1[:, None] * (b / S)[None, :]
            self.a[sl], self.b[sl] = a, b
            self.pp[sl] = np.einsum("gb,gb->b", C0V, C0V)
            self.pq[sl] = np.einsum("gb,gb->b", C0V, C1V)
            self.qq[sl] = np.einsum("gb,gb->b", C1V, C1V)
        self.se = problem.std_error
        if not impose_null:
            self._t_unrestricted = self._tstar(problem.estimate)

    def _tstar(self, r: float) -> np.ndarray:
        p = self.p
        num = self.a - r * self.b  # S * (b* - r)
        ss = np.maximum(self.pp - 2.0 * r * self.pq + r * r * self.qq, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = num / np.sqrt(p.ssc * ss)
        return np.where(np.isfinite(t), t, 0.0)

    def t_boot(self, r: float) -> np.ndarray:
        """Bootstrap t-statistics for the null ``b = r`` (WCU: independent of ``r``)."""
        return self._tstar(r) if self.impose_null else self._t_unrestricted

    def t_stat(self, r: float) -> float:
        return (self.p.estimate - r) / self.se

    def pvalue(self, r: float) -> float:
        t = abs(self.t_stat(r))
        tb = np.abs(self.t_boot(r))
        # exact ties (full enumeration reproduces the sample itself) count as exceeding
        return float(np.mean(tb >= t - 1e-10 * max(1.0, t)))


def _invert(boot: _Bootstrap, alpha: float, side: int, tol: float) -> float:
    """Bisection for the end of {r: p(r) > alpha} on one side of the estimate."""
    est, se = boot.p.estimate, boot.se
    inside = est
    step = 2.0 * se
    outside = est + side * step
    for _ in range(60):
        if boot.pvalue(outside) <= alpha:
            break
        inside = outside
        step *= 2.0
        outside = est + side * step
    else:
        return float(side * np.inf)
    while abs(outside - inside) > tol * se:
        mid = 0.5 * (inside + outside)
        if boot.pvalue(mid) > alpha:
            inside = mid
        else:
            outside = mid
    return 0.5 * (inside + outside)


def _resolve_target(
    result_or_spec: Any, term: str | None, cluster: str | None
) -> tuple[Mapping[str, Any], str, str]:
    """The specification (a result's ``info["spec"]`` or a dict), and the term and cluster
    tested: the arguments, else the specification's own ``term`` and ``cluster``."""
    if isinstance(result_or_spec, EstimationResult):
        spec = result_or_spec.info.get("spec")
        if spec is None:
            raise ValueError(
                f"wild_cluster_bootstrap: the {result_or_spec.estimator!r} result carries no "
                "specification (info['spec']); pass a twfe/did_2x2 result or a spec dict"
            )
    elif isinstance(result_or_spec, Mapping):
        spec = result_or_spec
    else:
        raise TypeError("wild_cluster_bootstrap: pass an EstimationResult or a specification dict")
    term = term if term is not None else spec.get("term")
    cluster = cluster if cluster is not None else spec.get("cluster")
    if term is None or cluster is None:
        raise ValueError("wild_cluster_bootstrap: name the term and the cluster column")
    return spec, term, cluster


def _inverted_interval(
    boot: _Bootstrap, alpha: float, conf_int: bool, ci_tol: float
) -> tuple[float, float]:
    """Both ends of the test-inversion interval ``{r: p(r) > alpha}``; NaN if not asked for."""
    if not conf_int:
        return np.nan, np.nan
    return _invert(boot, alpha, -1, ci_tol), _invert(boot, alpha, +1, ci_tol)


def _draw_labels(impose_null: bool, weights: str, B: int, enumerated: bool) -> tuple[str, str, str]:
    """How the result names the bootstrap: its kind (WCR/WCU), weights and draws."""
    kind = "WCR" if impose_null else "WCU"
    wname = "Rademacher" if weights == "rademacher" else "Webb six-point"
    draws = f"full enumeration of {B} sign vectors" if enumerated else f"{B} draws"
    return kind, wname, draws


def _bootstrap_notes(
    labels: tuple[str, str, str],
    enumerated: bool,
    G: int,
    B: int,
    cluster: str,
    term: str,
    null: float,
    alpha: float,
) -> list[str]:
    """The notes saying which bootstrap ran, what it tested, and (full enumeration) the
    p-value's granularity."""
    kind, wname, draws = labels
    notes = [
        f"{kind} wild cluster bootstrap-t, {wname} weights, {draws}, {G} clusters by {cluster!r}; "
        f"symmetric two-sided p-value for H0: {term} = {null:g}; {100 * (1 - alpha):g}% "
        "interval by test inversion; std_error is CRV1",
    ]
    if enumerated:
        notes.append(
            f"with {G} clusters only {B} distinct Rademacher draws exist: p-values are "
            f"multiples of 1/{B}"
        )
    return notes


def _summary_table(term: str, estimate: float, se: float, **stats: float) -> pd.DataFrame:
    """The one-row tidy table: ``estimate``, CRV1 ``std_error`` and the tested ``stats``
    (``statistic``, ``p_value``, ``conf_low``, ``conf_high``, ``p_value_crv1``, in order)."""
    columns = {"term": [term], "estimate": [estimate], "std_error": [se]}
    return pd.DataFrame(columns | {k: [v] for k, v in stats.items()})


@column_scope()
def wild_cluster_bootstrap(
    result_or_spec: EstimationResult | Mapping[str, Any],
    term: str | None = None,
    cluster: str | None = None,
    *,
    data: pd.DataFrame | None = None,
    replications: int = 9999,
    weight_type: str = "rademacher",
    impose_null: bool = True,
    seed: int | np.random.Generator | None = None,
    null: float = 0.0,
    alpha: float = 0.05,
    conf_int: bool = True,
    ci_tol: float = 1e-6,
    reps: int | None = None,
    weights: str | None = None,
) -> EstimationResult:
    """Wild cluster bootstrap-t p-value and confidence interval for one coefficient.

    Parameters
    ----------
    result_or_spec : a ``twfe`` or ``did_2x2`` result (its ``info["spec"]``), or a dict with
        ``data``, ``outcome`` and either ``kind="twfe"`` keys (``unit, time, treatment,
        covariates, weights``) or ``kind="ols"`` keys (``regressors``, ``fixed_effects``,
        ``intercept``, ``weights``).
    term : the coefficient tested (a treatment or covariate column; ``"treated:post"`` for a
        ``did_2x2`` result). None: the specification's ``term`` (its first treatment).
    cluster : column defining the bootstrap (and CRV1) clusters. None: the specification's
        cluster.
    data : the data the result was fitted on (results do not keep it; checked against the
        fingerprint). Needed for a result; a dict spec may carry ``"data"`` instead.
    replications : number of draws B; with Rademacher weights and ``replications >= 2**G``
        all ``2**G`` sign vectors are enumerated instead.
    weight_type : ``"rademacher"`` or ``"webb"`` (six-point; better with fewer than ~12
        clusters).
    impose_null : True for WCR (null imposed on the bootstrap DGP, recommended); False for WCU.
    seed : integer seed or numpy Generator; the same seed gives the same numbers.
    null : value ``r`` of the coefficient under the null hypothesis (default 0).
    alpha : level of the test-inversion confidence interval (``1 - alpha`` coverage).
    conf_int : compute the confidence interval (about 2 x 40 evaluations of O(G B)).
    ci_tol : precision of the interval's ends, as a fraction of the CRV1 standard error.
    reps, weights : deprecated names of ``replications`` and ``weight_type``.

    Returns
    -------
    EstimationResult with one row: ``estimate``, its CRV1 ``std_error`` and ``statistic``
    (t for the null ``r``), the bootstrap ``p_value`` and the bootstrap ``conf_low``,
    ``conf_high``; ``info`` holds ``t_boot``, ``reps``, ``weights``, ``full_enumeration``,
    ``impose_null``, ``null``, ``p_value_crv1`` and the small-sample factor.

    Notes
    -----
    Restricted residuals ``u_r = M_W (y - r x)``; draw ``b``: ``y*_b = W g_r + r x + u_r v_b``
    with ``v_b`` constant within clusters; ``t*_b`` is the CRV1 t-statistic of ``b*_b - r`` from
    the full regression of ``y*_b``; ``p = mean(|t*_b| >= |t|)`` (symmetric). See the module
    docstring for the O(G^2)-per-draw computation (Roodman et al. 2019, MacKinnon, Nielsen &
    Webb 2023).

    Examples
    --------
    Minimum-wage effects on teen employment, clustered by the 29 states (the first two digits
    of a county's FIPS code): CRV1 and the bootstrap p-value, and the bootstrap interval.

    >>> import pandas as pd
    >>> from evaluation.estimators import twfe
    >>> d = pd.read_csv("tests/data/mpdta.csv")
    >>> d["post"] = ((d["first.treat"] > 0) & (d["year"] >= d["first.treat"])).astype(int)
    >>> d["state"] = d["countyreal"] // 1000
    >>> fit = twfe(d, "lemp", "countyreal", "year", "post", cluster="state")
    >>> res = wild_cluster_bootstrap(fit, data=d, replications=9999, seed=2)
    >>> row = res.tidy().iloc[0]
    >>> print(res.n_clusters, f"{row['p_value_crv1']:.2f}", f"{row['p_value']:.2f}")
    29 0.12 0.13
    >>> print(f"[{row['conf_low']:.3f}, {row['conf_high']:.3f}]")
    [-0.083, 0.014]
    """
    where = "wild_cluster_bootstrap"
    reps = renamed(where, "replications", replications, "reps", reps, 9999)
    weights = renamed(where, "weight_type", weight_type, "weights", weights, "rademacher")
    if reps < 1:
        raise ValueError("wild_cluster_bootstrap: replications must be a positive integer")
    if not 0 < alpha < 1:
        raise ValueError("wild_cluster_bootstrap: alpha must be in (0, 1)")
    spec, term, cluster = _resolve_target(result_or_spec, term, cluster)
    clock = time.perf_counter()
    problem = prepare_problem(spec, term, cluster, data=data)
    setup_seconds = time.perf_counter() - clock
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    V, enumerated = draw_weights(problem.n_clusters, int(reps), weights, rng)
    boot = _Bootstrap(problem, V, impose_null)
    t_stat = boot.t_stat(null)
    p_value = boot.pvalue(null)
    low, high = _inverted_interval(boot, alpha, conf_int, ci_tol)
    bootstrap_seconds = time.perf_counter() - clock - setup_seconds
    G = problem.n_clusters
    p_crv1 = float(2 * t_sf(abs(t_stat), G - 1))  # scipy.special, as scipy.stats (tested)
    table = _summary_table(
        term, problem.estimate, boot.se, statistic=t_stat, p_value=p_value,
        conf_low=low, conf_high=high, p_value_crv1=p_crv1,
    )  # fmt: skip
    B = V.shape[1]
    labels = _draw_labels(impose_null, weights, B, enumerated)
    kind, wname, draws = labels
    notes = _bootstrap_notes(labels, enumerated, G, B, cluster, term, null, alpha)
    return EstimationResult(
        estimator="wild_cluster_bootstrap",
        table=table,
        nobs=problem.nobs,
        vcov=None,
        vcov_type=f"{kind} wild cluster bootstrap ({wname}, {draws}); CRV1 std. error",
        n_clusters=G,
        outcome=str(spec["outcome"]),
        notes=[*problem.notes, *notes],
        info={
            "t_boot": boot.t_boot(null),
            "reps": B,
            "weights": weights,
            "full_enumeration": enumerated,
            "impose_null": impose_null,
            "null": null,
            "alpha": alpha,
            "p_value_crv1": p_crv1,
            "small_sample_factor": problem.ssc,
            "n_params": problem.n_params,
            "seed": seed if not isinstance(seed, np.random.Generator) else None,
            "p_value_convention": "symmetric: mean(|t*| >= |t|)",
            # O(n) partialling out vs the O(G^2 B) bootstrap proper (row-count independent)
            "seconds": {"partial_out": setup_seconds, "bootstrap": bootstrap_seconds},
        },
    )
