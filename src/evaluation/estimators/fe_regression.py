"""Least squares with absorbed fixed effects, on the coding and demeaning of
:mod:`evaluation.estimators.fixed_effects`.

- :func:`fe_ols`: any regressors and fixed effects; the fixed effects are partialled out of
  ``y`` and ``X`` (Frisch-Waugh-Lovell), collinear regressors dropped as fixest does, iid / HC1 /
  CRV1 covariance with fixest's small-sample conventions;
- :func:`unit_cell_ols`: the fast path when the unit effects are absorbed and every other
  regressor is a function of a small cell (period x treatment pattern, cohort x event time):
  a few bincounts and a units x cells table, no n x k design;
- :func:`independent_columns`: the sequential rank check both use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evaluation.estimators.fixed_effects import (
    FixedEffects,
    drop_singletons,
    fe_dof,
    nested_in,
    refactorize,
)

__all__ = ["FEOLSFit", "fe_ols", "independent_columns", "unit_cell_ols"]


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
    if not fe:
        X = np.column_stack([np.ones(y.size), X])
        names = ["(Intercept)", *names]
    fe_obj, keep, notes = _absorbed_effects(y.size, fe, fe_names, weights, drop_singleton_obs)
    sub = keep.all()
    yk, Xk = (y, X) if sub else (y[keep], X[keep])
    w = weights if weights is None or sub else weights[keep]
    n = yk.size
    if n == 0:
        raise ValueError("no observations left after dropping singletons")
    yd, Xd = _partial_out(yk, Xk, fe_obj, tol, maxiter)
    Xw = Xd if w is None else Xd * w[:, None]
    XtX = Xw.T @ Xd
    raw = np.einsum("ij,ij->j", Xk, Xk) if w is None else np.einsum("ij,ij,i->j", Xk, Xk, w)
    cols = independent_columns(XtX, scale=raw)
    if len(cols) < len(names):
        _check_required_kept(names, cols, required, f" {list(fe_names)}", notes)
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
    ccodes, G, df_k_cluster = _cluster_terms(cluster, keep, fe_obj, k, df_k, vcov)
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


def _absorbed_effects(
    n_in: int,
    fe: Sequence[np.ndarray],
    fe_names: Sequence[str],
    weights: np.ndarray | None,
    drop_singleton_obs: bool,
) -> tuple[FixedEffects | None, np.ndarray, list[str]]:
    """The coded fixed effects on the estimation sample, the sample mask (singletons dropped,
    as fixest and pyfixest do by default) and a note counting the rows dropped."""
    notes: list[str] = []
    keep = np.ones(n_in, dtype=bool)
    if not fe:
        return None, keep, notes
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
    return fe_obj, keep, notes


def _check_required_kept(
    names: Sequence[str], cols: list[int], required: Sequence[str], fe_text: str, notes: list[str]
) -> None:
    """A ValueError when a required regressor was dropped as collinear (its effect is not
    identified); otherwise a note naming the regressors dropped (``fe::`` dummies are not
    named: they are fixed effects, dropped first by design)."""
    dropped = [names[j] for j in range(len(names)) if j not in cols]
    bad = [nm for nm in dropped if nm in set(required)]
    if bad:
        raise ValueError(
            f"{bad} has no variation left after absorbing the fixed effects{fe_text} "
            "(or is collinear with the other regressors): its effect is not identified"
        )
    dropped_reg = [nm for nm in dropped if not nm.startswith("fe::")]
    if dropped_reg:
        notes.append(f"collinear regressor(s) dropped: {dropped_reg}")


def _partial_out(
    y: np.ndarray, X: np.ndarray, fe_obj: FixedEffects | None, tol: float, maxiter: int
) -> tuple[np.ndarray, np.ndarray]:
    """``y`` and ``X`` with the fixed effects partialled out (Frisch-Waugh-Lovell), one
    demeaning pass over both; unchanged without fixed effects."""
    if fe_obj is None:
        return y, X
    Z = fe_obj.demean(np.column_stack([y, X]), tol=tol, maxiter=maxiter)
    return Z[:, 0], Z[:, 1:]


def _cluster_terms(
    cluster: np.ndarray | None,
    keep: np.ndarray,
    fe_obj: FixedEffects | None,
    k: int,
    df_k: int,
    vcov: str,
) -> tuple[np.ndarray | None, int | None, int]:
    """Dense cluster codes on the estimation sample, their number, and ``K`` for the CRV1
    small-sample factor, where fixed effects nested in the cluster are not counted (fixest)."""
    if cluster is None:
        if vcov == "CRV1":
            raise ValueError("vcov='CRV1' needs a cluster variable")
        return None, None, df_k
    ccodes, G = refactorize(np.asarray(cluster) if keep.all() else np.asarray(cluster)[keep])
    if fe_obj is None:
        return ccodes, G, df_k
    nested = [nested_in(c, ccodes, g) for c, g in zip(fe_obj.codes, fe_obj.sizes, strict=True)]
    return ccodes, G, k + fe_dof(fe_obj.sizes, nested)


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
    from evaluation.estimators.vcov import check_vcov_type

    vcov = check_vcov_type(vcov)
    n = y.size
    w = weights
    C = n_groups * n_r
    if cell is None:  # callers that already hold the cell codes pass them (saves a pass)
        cell = r if n_groups == 1 else unit_group[unit] * n_r + r
    us = _UnitSums.build(unit, n_units, r, n_r, w, rows_per_unit)
    ybar = us.means(y if w is None else w * y)
    m_c, HMH, HMy = _cell_gram(us, ybar, y, cell, C, unit_group, n_groups, n_r, w)
    p = 0 if covariates is None else covariates.shape[1]
    Xd = HMX = XMX = XMy = None
    if covariates is not None and p:
        Xd, HMX, XMX, XMy = _demeaned_covariates(us, covariates, y, cell, C, w)
    names = [*L_names, *cov_names]
    m = L.shape[1]
    Gram, rhs = _normal_equations(L, HMH, HMy, HMX, XMX, XMy)
    raw = (L**2).T @ m_c
    if covariates is not None and p:
        raw = np.concatenate([raw, _column_sums(covariates, w)])
    cols = independent_columns(Gram, scale=raw)
    notes: list[str] = []
    if len(cols) < m + p:
        _check_required_kept(names, cols, required, "", notes)
    bread = np.linalg.inv(Gram[np.ix_(cols, cols)])
    beta = bread @ rhs[cols]
    full = np.zeros(m + p)
    full[cols] = beta
    resid = _cell_residuals(us, y, ybar, L @ full[:m], cell, unit_group, n_groups, n_r)
    if Xd is not None:
        resid -= Xd @ full[m:]
    k = sum(1 for j in cols if not names[j].startswith("fe::"))
    df_k = k + fe_dof(fe_sizes)
    df_k_cluster = k + fe_dof(fe_sizes, fe_nested) if fe_nested is not None else df_k
    vres, scores = _cell_vcov(
        vcov, bread, resid, w, L, Xd, cols, cell, C, cluster, n_clusters, df_k, df_k_cluster
    )
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


@dataclass
class _UnitSums:
    """Unit-level sums on the fast path: the unit x code weight table ``A``, the unit weight
    sums' inverses, and unit means by bincount or, for a balanced panel sorted by unit with
    ``T`` rows each, by reshaping."""

    unit: np.ndarray
    n_units: int
    A: np.ndarray  # (n_units, n_r) weight sums
    inv_s: np.ndarray  # 1 / unit weight sum (0 for an empty unit)
    T: int | None

    @classmethod
    def build(
        cls,
        unit: np.ndarray,
        n_units: int,
        r: np.ndarray,
        n_r: int,
        w: np.ndarray | None,
        T: int | None,
    ) -> _UnitSums:
        # unit weights as explicit ones: bincount then writes floats directly, faster than
        # counting in integers and converting the (n_units x n_r) table afterwards
        weights = np.ones(unit.size) if w is None else w
        A = np.bincount(unit * n_r + r, weights=weights, minlength=n_units * n_r)
        A = A.reshape(n_units, n_r)
        s = A @ np.ones(n_r)  # row and column sums as products: faster than sum(axis=...) here
        inv_s = np.where(s > 0, 1.0 / np.where(s > 0, s, 1.0), 0.0)
        if T is not None and T * n_units != unit.size:
            raise ValueError("unit_cell_ols: rows_per_unit does not match the number of rows")
        return cls(unit, n_units, A, inv_s, T)

    def means(self, v: np.ndarray) -> np.ndarray:
        """Per-unit sums of ``v`` divided by the unit weight sums (``v`` already weighted)."""
        if self.T is not None:
            return (v.reshape(self.n_units, self.T) @ np.ones(self.T)) * self.inv_s
        return np.bincount(self.unit, weights=v, minlength=self.n_units) * self.inv_s

    def minus(self, v: np.ndarray, per_unit: np.ndarray) -> np.ndarray:
        """``v`` minus its unit's value of ``per_unit``."""
        if self.T is not None:
            return (v.reshape(self.n_units, self.T) - per_unit[:, None]).reshape(v.size)
        return v - per_unit[self.unit]


def _cell_gram(
    us: _UnitSums,
    ybar: np.ndarray,
    y: np.ndarray,
    cell: np.ndarray,
    C: int,
    unit_group: np.ndarray,
    n_groups: int,
    n_r: int,
    w: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell masses ``m``, the Gram matrix of the unit-demeaned cell indicators
    ``diag(m) - sum_u A_u A_u' / s_u`` (block per unit group) and ``H'M y``."""
    Hy = np.bincount(cell, weights=y if w is None else w * y, minlength=C)
    m_c = np.zeros(C)
    HMH = np.zeros((C, C))
    HMy = Hy.copy()
    groups = [slice(None)] if n_groups == 1 else [unit_group == g for g in range(n_groups)]
    for g, rows in enumerate(groups):
        Ag = us.A[rows]
        sl = slice(g * n_r, (g + 1) * n_r)
        m_c[sl] = np.ones(Ag.shape[0]) @ Ag
        HMH[sl, sl] = np.diag(m_c[sl]) - _scaled_crossproduct(Ag, us.inv_s[rows])
        HMy[sl] -= Ag.T @ ybar[rows]
    return m_c, HMH, HMy


def _scaled_crossproduct(A: np.ndarray, scale: np.ndarray, rows: int = 8192) -> np.ndarray:
    """``A' diag(scale) A`` in blocks of rows: the scaled block stays in cache and no
    temporary as large as ``A`` is allocated (on 125k units x 16 cells, a 16 MB temporary
    costs more in page faults than the product)."""
    out = np.zeros((A.shape[1], A.shape[1]))
    for start in range(0, A.shape[0], rows):
        block = A[start : start + rows]
        out += (block * scale[start : start + rows, None]).T @ block
    return out


def _demeaned_covariates(
    us: _UnitSums,
    covariates: np.ndarray,
    y: np.ndarray,
    cell: np.ndarray,
    C: int,
    w: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Covariates demeaned by unit exactly (one pass), their cell sums ``H'M X``, ``X'M X``
    and ``X'M y``."""
    n, p = covariates.shape
    Xd = np.empty((n, p))
    HMX = np.empty((C, p))
    for j in range(p):
        xj = covariates[:, j]
        wx = xj if w is None else w * xj
        Xd[:, j] = us.minus(xj, us.means(wx))
        wxd = Xd[:, j] if w is None else w * Xd[:, j]
        HMX[:, j] = np.bincount(cell, weights=wxd, minlength=C)
    Xw = Xd if w is None else Xd * w[:, None]
    XMy = Xw.T @ y  # Xd is orthogonal to unit means, so X'M y = Xd'W y
    return Xd, HMX, Xw.T @ Xd, XMy


def _normal_equations(
    L: np.ndarray,
    HMH: np.ndarray,
    HMy: np.ndarray,
    HMX: np.ndarray | None,
    XMX: np.ndarray | None,
    XMy: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The Gram matrix and right-hand side of ``[H L, X]`` after the unit demeaning."""
    m = L.shape[1]
    p = 0 if XMX is None else XMX.shape[0]
    Gram = np.zeros((m + p, m + p))
    Gram[:m, :m] = L.T @ HMH @ L
    rhs = np.concatenate([L.T @ HMy, XMy if XMy is not None else np.empty(0)])
    if HMX is not None and XMX is not None:
        Gram[:m, m:] = L.T @ HMX
        Gram[m:, :m] = Gram[:m, m:].T
        Gram[m:, m:] = XMX
    return Gram, rhs


def _column_sums(X: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """(Weighted) sums of squares of the columns of ``X``: the rank check's scale."""
    return np.einsum("ij,ij->j", X, X) if w is None else np.einsum("ij,ij,i->j", X, X, w)


def _cell_residuals(
    us: _UnitSums,
    y: np.ndarray,
    ybar: np.ndarray,
    f: np.ndarray,
    cell: np.ndarray,
    unit_group: np.ndarray,
    n_groups: int,
    n_r: int,
) -> np.ndarray:
    """Residuals of the cell part: ``y - f[cell]`` demeaned by unit, where ``f`` is the fitted
    value of each cell (covariates are subtracted by the caller)."""
    if n_groups == 1:
        fbar = (us.A @ f) * us.inv_s
    else:
        fbar = np.einsum("ur,ur->u", us.A, f.reshape(n_groups, n_r)[unit_group]) * us.inv_s
    resid = us.minus(y, ybar - fbar)
    resid -= f[cell]
    return resid


def _cell_vcov(
    vcov: str,
    bread: np.ndarray,
    resid: np.ndarray,
    w: np.ndarray | None,
    L: np.ndarray,
    Xd: np.ndarray | None,
    cols: list[int],
    cell: np.ndarray,
    C: int,
    cluster: np.ndarray | None,
    n_clusters: int | None,
    df_k: int,
    df_k_cluster: int,
) -> tuple[Any, np.ndarray | None]:
    """iid or CRV1 covariance on the fast path (fixest's small-sample factors); CRV1 scores are
    ``L'`` times cluster x cell residual sums, valid because the unit is nested in the cluster.
    Returns the :class:`VcovResult` and the cluster scores (CRV1) or None."""
    from evaluation.estimators.vcov import VcovResult

    n = resid.size
    wu = resid if w is None else w * resid
    if vcov == "iid":
        V = bread * float(resid @ wu) / (n - df_k)
        return VcovResult(V, "iid", n - df_k, df_k, (n - 1) / (n - df_k)), None
    if vcov != "CRV1":
        raise ValueError("unit_cell_ols supports vcov 'iid' and 'CRV1' (use fe_ols for 'hetero')")
    if cluster is None or n_clusters is None:
        raise ValueError("vcov='CRV1' needs a cluster variable")
    m = L.shape[1]
    Xc = np.empty((n, 0)) if Xd is None else Xd
    Q = np.bincount(cluster * C + cell, weights=wu, minlength=n_clusters * C)
    S = np.empty((n_clusters, m + Xc.shape[1]))
    S[:, :m] = Q.reshape(n_clusters, C) @ L
    for j in range(Xc.shape[1]):
        S[:, m + j] = np.bincount(cluster, weights=Xc[:, j] * wu, minlength=n_clusters)
    S = S[:, cols]
    G = n_clusters
    ssc = G / (G - 1) * (n - 1) / (n - df_k_cluster)
    return VcovResult(ssc * bread @ (S.T @ S) @ bread, "CRV1", G - 1, df_k_cluster, ssc, G), S
