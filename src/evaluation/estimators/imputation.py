"""Borusyak, Jaravel & Spiess (2024) imputation event study: fixed effects (and covariates)
fitted on untreated observations only, ``Y(0)`` imputed for treated ones, effects averaged by event
time; conservative cluster-robust SEs (their Theorem 3) and the pre-trend regression (Test 1).

The public entry point is :func:`evaluation.estimators.event_study` with ``method="imputation"``
(:mod:`.dynamic_effects`), which calls :func:`imputation_event_study` here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evaluation.estimators.constants import FAST_TABLE_LIMIT
from evaluation.estimators.event_panel import (
    EventPanel,
    cohort_cell_fit,
    dummy_columns,
    event_term,
    int_codes,
)
from evaluation.estimators.fe_regression import (
    fe_ols,
)
from evaluation.estimators.fixed_effects import (
    drop_singletons,
    factorize,
    nested_in,
    refactorize,
)
from evaluation.estimators.vcov import cluster_scores

# --- imputation (Borusyak, Jaravel & Spiess 2024) -------------------------------------------


class _FESystem:
    """The normal-equation operator ``Z0'W0 Z0`` for fixed effects plus covariates.

    ``Z h = sum_j g_j[codes_j] + X c``; products use bincounts, so a conjugate-gradient solve
    costs O(n) per iteration and never forms the dummy matrix.
    """

    def __init__(self, codes: list[np.ndarray], sizes: list[int], X: np.ndarray, w: np.ndarray):
        self.codes, self.sizes, self.X, self.w = codes, sizes, X, w
        self.offsets = np.cumsum([0, *sizes, X.shape[1]])
        diag = [np.bincount(c, weights=w, minlength=g) for c, g in zip(codes, sizes, strict=True)]
        diag.append(np.einsum("ij,ij,i->j", X, X, w) if X.shape[1] else np.empty(0))
        d = np.concatenate(diag)
        self.inv_diag = np.where(d > 0, 1.0 / np.where(d > 0, d, 1.0), 0.0)
        self.dim = int(self.offsets[-1])

    def fitted(
        self, h: np.ndarray, codes: list[np.ndarray] | None = None, X: np.ndarray | None = None
    ) -> np.ndarray:
        codes = self.codes if codes is None else codes
        X = self.X if X is None else X
        o = self.offsets
        f = np.zeros(codes[0].size)
        for j, c in enumerate(codes):
            f += h[o[j] : o[j + 1]][c]
        if X.shape[1]:
            f += X @ h[o[-2] : o[-1]]
        return f

    def rhs(
        self, v: np.ndarray, codes: list[np.ndarray] | None = None, X: np.ndarray | None = None
    ) -> np.ndarray:
        """``Z'v`` for a vector ``v`` on the rows described by ``codes``/``X``."""
        codes = self.codes if codes is None else codes
        X = self.X if X is None else X
        parts = [
            np.bincount(c, weights=v, minlength=g) for c, g in zip(codes, self.sizes, strict=True)
        ]
        parts.append(X.T @ v if X.shape[1] else np.empty(0))
        return np.concatenate(parts)

    def solve(self, b: np.ndarray, tol: float = 1e-13) -> np.ndarray:
        from scipy.sparse.linalg import LinearOperator, cg

        A = LinearOperator((self.dim, self.dim), matvec=lambda h: self.rhs(self.w * self.fitted(h)))
        M = LinearOperator((self.dim, self.dim), matvec=lambda r: self.inv_diag * r)
        scale = float(np.linalg.norm(b)) or 1.0
        h = np.zeros(self.dim)
        for _ in range(4):  # iterative refinement of the (singular, consistent) system
            r = b - A.matvec(h)
            if np.linalg.norm(r) <= tol * scale:
                break
            dh, _info = cg(
                A,
                r,
                rtol=tol * scale / max(np.linalg.norm(r), 1e-300),
                atol=0.0,
                maxiter=20_000,
                M=M,
            )
            h += dh
        return h


class _UnitTimeSystem(_FESystem):
    """``Z0'W0 Z0`` for unit and period fixed effects plus covariates, solved exactly.

    Block elimination: the unit block is diagonal (unit weight sums ``s``), so the system
    reduces to the (periods + covariates) Schur complement ``K'W M_U K``, built from the
    (units x periods) weight table. One solve costs a few bincounts, no iterations. The first
    period's effect is fixed at zero (it is redundant given the unit effects).
    """

    def __init__(self, codes: list[np.ndarray], sizes: list[int], X: np.ndarray, w: np.ndarray):
        super().__init__(codes, sizes, X, w)
        u, t = codes
        nu, nt = sizes
        self.A = np.bincount(u * nt + t, weights=w, minlength=nu * nt).reshape(nu, nt)
        s = self.A.sum(axis=1)
        self.inv_s = np.where(s > 0, 1.0 / np.where(s > 0, s, 1.0), 0.0)
        p = X.shape[1]
        # unit sums of w * x: the unit block's coupling with the covariates
        self.WXu = (
            np.column_stack([np.bincount(u, weights=w * X[:, j], minlength=nu) for j in range(p)])
            if p
            else np.zeros((nu, 0))
        )
        S = np.zeros((nt + p, nt + p))
        S[:nt, :nt] = np.diag(self.A.sum(axis=0)) - self.A.T @ (self.A * self.inv_s[:, None])
        if p:
            Xd = (
                X
                - np.column_stack(
                    [
                        np.bincount(u, weights=w * X[:, j], minlength=nu) * self.inv_s
                        for j in range(p)
                    ]
                )[u]
            )
            for j in range(p):
                S[:nt, nt + j] = np.bincount(t, weights=w * Xd[:, j], minlength=nt)
            S[nt:, :nt] = S[:nt, nt:].T
            S[nt:, nt:] = (Xd * w[:, None]).T @ Xd
        self._factor(S)

    def _factor(self, S: np.ndarray) -> None:
        """Invert the Schur complement with the first observed period's effect fixed at 0."""
        present = np.flatnonzero(self.A.sum(axis=0) > 0)
        self.free = np.setdiff1d(np.arange(S.shape[0]), present[:1])
        S_red = S[np.ix_(self.free, self.free)]
        try:
            self.S_inv = np.linalg.inv(S_red)
        except np.linalg.LinAlgError:
            self.S_inv = np.linalg.pinv(S_red)

    @classmethod
    def from_table(cls, A: np.ndarray) -> _UnitTimeSystem:
        """The system for unit and period effects only, from the (units x periods) table of
        untreated weight sums ``A`` (no pass over the rows; unbalanced panels have zeros)."""
        self = cls.__new__(cls)
        nu, nt = A.shape
        self.sizes, self.A = [nu, nt], A
        s = A.sum(axis=1)
        self.inv_s = np.where(s > 0, 1.0 / np.where(s > 0, s, 1.0), 0.0)
        self.WXu = np.zeros((nu, 0))
        self._factor(np.diag(A.sum(axis=0)) - A.T @ (A * self.inv_s[:, None]))
        return self

    def solve_many(
        self, bU: np.ndarray, bK: np.ndarray, units: bool = True
    ) -> tuple[np.ndarray | None, np.ndarray]:
        """Solve for several right-hand sides at once: ``bU`` (nu, E), ``bK`` (nt + p, E).

        Returns the unit block ``hU`` (nu, E; None if ``units`` is False, which saves two
        passes over a units x E table) and the period/covariate block ``hK``.
        Only unit- and period-level tables are touched: no pass over the rows.
        """
        nt = self.sizes[1]
        q = bU * self.inv_s[:, None]
        rhs = bK.copy()
        rhs[:nt] -= self.A.T @ q
        rhs[nt:] -= self.WXu.T @ q
        hK = np.zeros_like(bK)
        hK[self.free] = self.S_inv @ rhs[self.free]
        if not units:
            return None, hK
        # (tall x small) @ (small x E) as the transpose of (E x small) @ (small x tall):
        # multithreaded OpenBLAS is pathologically slow on the former shape (measured 30x)
        uwk = (hK[:nt].T @ self.A.T).T
        if self.WXu.shape[1]:
            uwk += (hK[nt:].T @ self.WXu.T).T
        hU = (bU - uwk) * self.inv_s[:, None]
        return hU, hK

    def solve(self, b: np.ndarray, tol: float = 0.0) -> np.ndarray:
        nu = self.sizes[0]
        hU, hK = self.solve_many(b[:nu, None], b[nu:, None])
        return np.concatenate([hU[:, 0], hK[:, 0]])


def _present_levels(codes: np.ndarray, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes of the levels present in ``codes`` (sorted codes of sorted ``levels``)."""
    present = np.zeros(levels.size, dtype=bool)
    present[codes] = True
    if present.all():
        return codes, levels
    return (np.cumsum(present) - 1)[codes], levels[present]


def _bjs_leads(
    p: EventPanel,
    i0: np.ndarray,
    codes_all: list[np.ndarray],
    sizes: list[int],
    fe_names: list[str],
    gcodes: np.ndarray,
    G: int,
    notes: list[str],
    nested: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[float]]:
    """BJS Test 1: regress untreated outcomes on the fixed effects, covariates and leads.

    Returns the lead coefficients, their covariance (CRV1, or HC1 without a cluster), their
    cluster-level influence sums (G x leads, scaled so that ``S'S`` is that covariance) and
    the lead event times. Leads farther back than the window are the reference; if all are
    included, the farthest is dropped as collinear with the unit effects (noted).
    """
    c0 = [c[i0] for c in codes_all]
    keep = drop_singletons(c0)
    if keep.all():
        rows, u_rows, t_rows = i0, c0[0], c0[1]
    else:
        rows, u_rows, t_rows = i0[keep], c0[0][keep], c0[1][keep]
    del keep, c0
    y0 = p.y[rows]
    w0 = None if p.w is None else p.w[rows]
    ucodes, nu = refactorize(u_rows)
    if p.tlev is not None and p.glev is not None and p.gcode is not None:
        # codes_all[1] is the panel's period code: re-code the levels present, no float pass
        tcode, tlev = _present_levels(t_rows, p.tlev)
        gcode, glev = _present_levels(p.gcode[rows], p.glev)
    else:
        tcode, tlev = int_codes(p.time[rows])
        gcode, glev = int_codes(p.cohort[rows])
    del u_rows, t_rows
    ng = glev.size
    cell, lead_vals, col = _lead_cells(p.rel[rows], gcode, tcode, ng, tlev.size)
    if lead_vals.size == 0:
        return np.empty(0), np.empty((0, 0)), np.zeros((G, 0)), []
    names = [event_term(e) for e in lead_vals]
    g_rows = gcodes[rows]
    gk, Gk = refactorize(g_rows)
    X = p.X[rows] if p.X.shape[1] else None
    clustered = p.cluster is not None
    # units nested in clusters on all rows are nested on any subset of them
    fast = len(codes_all) == 2 and clustered and (nested or nested_in(ucodes, gk, nu))
    if fast:
        fit = cohort_cell_fit(
            y0, ucodes, nu, gcode, ng, tcode, tlev, col, names, cell,
            covariates=X, cov_names=p.covs, weights=w0, cluster=gk, n_clusters=Gk, vcov="CRV1",
        )  # fmt: skip
        S_raw = fit.scores  # (Gk, kept) cluster score sums
    else:
        D = dummy_columns(col[cell], len(names))
        Xl = np.column_stack([D, X]) if X is not None else D
        fit = fe_ols(
            y0,
            Xl,
            [*names, *p.covs],
            [c[rows] for c in codes_all],
            fe_names,
            weights=w0,
            cluster=gk,
            vcov="CRV1" if clustered else "hetero",
            drop_singleton_obs=False,
        )
        wu = fit.resid if fit.weights is None else fit.weights * fit.resid
        S_raw = cluster_scores(fit.X, wu, gk, Gk)
    dropped = [nm for nm in names if nm not in fit.names]
    if dropped:
        notes.append(
            f"imputation pre-trend regression: lead(s) {dropped} dropped (collinear with the "
            "fixed effects; they are the reference)"
        )
    sel = [fit.names.index(nm) for nm in names if nm in fit.names]
    lead_ev = [float(lead_vals[names.index(fit.names[j])]) for j in sel]
    scale = fit.vcov.ssc if clustered else fit.nobs / (fit.nobs - fit.df_k)
    # map the local cluster codes back to the global ones for the joint covariance
    glob = np.zeros(Gk, dtype=np.intp)
    glob[gk] = g_rows
    S_loc = (S_raw @ fit.bread)[:, sel] * np.sqrt(scale)
    S = np.zeros((G, len(sel)))
    np.add.at(S, glob, S_loc)
    return fit.beta[sel], fit.vcov.vcov[np.ix_(sel, sel)], S, lead_ev


def _lead_cells(
    rel: np.ndarray, gcode: np.ndarray, tcode: np.ndarray, ng: int, nt: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cohort x period cell of each row, the lead event times present (-1, -2, ...,
    farthest last) and each cell's lead column (-1: none)."""
    cell = gcode * nt + tcode
    rel_cell = np.full(ng * nt, np.nan)
    rel_cell[cell] = rel
    lead_vals = np.unique(rel_cell[~np.isnan(rel_cell)])[::-1]  # -1, -2, ... farthest last
    col = np.full(ng * nt, -1, dtype=np.intp)
    has = ~np.isnan(rel_cell)
    col[has] = np.searchsorted(-lead_vals, -rel_cell[has])
    return cell, lead_vals, col


def _treated_side(
    p: EventPanel, i1: np.ndarray, tau: np.ndarray, w1: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Event-time averages of the imputed effects and the treated part of BJS Theorem 3.

    Returns the event times ``ev``, their codes ``ecode`` on the treated rows ``i1``, the
    estimates, the weights ``v1`` (``w / sum(w)`` within an event time) and ``eps1``: the
    effects net of their cohort x event-time mean weighted by ``v^2`` (v proportional to w
    within a cell), the residual of the conservative variance.
    """
    ecode, ev = int_codes(p.rel[i1])
    ev = ev.astype(float)
    wsum = np.bincount(ecode, weights=w1, minlength=ev.size)
    est = np.bincount(ecode, weights=w1 * tau, minlength=ev.size) / wsum
    ccode, clev = int_codes(p.cohort[i1])
    cell_code = ccode * ev.size + ecode
    n_cells = clev.size * ev.size
    w1sq = w1 * w1
    num = np.bincount(cell_code, weights=w1sq * tau, minlength=n_cells)
    den = np.bincount(cell_code, weights=w1sq, minlength=n_cells)
    den = np.where(den > 0, den, 1.0)
    eps1 = tau - (num / den)[cell_code]
    return ev, ecode, est, w1 / wsum[ecode], eps1


def _imputation_two_way(
    p: EventPanel, unit: str, time: str, nu: int, nt: int
) -> tuple[list[float], np.ndarray, np.ndarray, dict[str, Any], list[str], int | None, int]:
    """BJS imputation with unit and period effects only, on (units x periods) tables.

    Same estimator and Theorem 3 variance as the general path, organised for large panels:
    with ``k = unit * nt + period`` every sum by unit or by period of the untreated rows is a
    row or column sum of one ``bincount`` table over ``k`` (weights zero on treated rows, so
    untreated rows are never gathered), the two-way fit is the exact block solve of
    :class:`_UnitTimeSystem` on that table, fitted values are one lookup in the table
    ``hU[u] + hT[t]``, and the influence weights of all event times are solved at once. With
    units nested in clusters, the untreated part of each cluster's score is ``-R hT_e``, ``R``
    the cluster x period sums of ``w * resid`` (each unit's weighted residuals sum to zero, so
    the unit part of ``v0`` drops out; Borusyak, Jaravel & Spiess 2024, Theorem 3 and their
    Stata ``did_imputation`` notes on computing the weights ``v``). Balanced or not.
    """
    notes: list[str] = []
    untreated = (p.cohort == 0) | (p.time < p.cohort)
    k = p.unit * nt
    k += p.tcode
    w0 = untreated.astype(float) if p.w is None else np.where(untreated, p.w, 0.0)
    A = np.bincount(k, weights=w0, minlength=nu * nt).reshape(nu, nt)
    # a treated row is imputable when its unit and its period both have untreated rows
    ok = ((A.sum(axis=1) > 0)[:, None] & (A.sum(axis=0) > 0)[None, :]).ravel()
    t1 = ~untreated
    n_treated = int(np.count_nonzero(t1))
    if not ok.all():  # else every treated row is imputable: no lookup pass
        t1 &= ok[k]
    i1 = np.flatnonzero(t1)
    del t1, ok
    if i1.size < n_treated:
        notes.append(
            f"imputation: {n_treated - i1.size} treated observation(s) dropped because a fixed "
            "effect level (unit, period or extra) has no untreated observation to estimate it from"
        )
    if not i1.size:
        raise ValueError("event_study(imputation): no treated observation can be imputed")
    sysm = _UnitTimeSystem.from_table(A)
    B = np.bincount(k, weights=w0 * p.y, minlength=nu * nt).reshape(nu, nt)
    hU, hK = sysm.solve_many(B.sum(axis=1)[:, None], B.sum(axis=0)[:, None])
    F = (hU[:, 0][:, None] + hK[:, 0][None, :]).ravel()  # fitted Y(0) by (unit, period)
    del hU, hK
    w1 = np.ones(i1.size) if p.w is None else p.w[i1]
    ev, ecode, est, v1all, eps1 = _treated_side(p, i1, p.y[i1] - F[k[i1]], w1)
    E = ev.size
    if p.cluster is not None:
        gcodes, G = p.cluster, int(p.cluster.max()) + 1
        ug = np.empty(nu, dtype=np.intp)
        ug[p.unit] = gcodes
        nested = bool((ug[p.unit] == gcodes).all())
    else:
        gcodes, G, nested = np.arange(p.y.size), p.y.size, False
    g1, u1, tc1 = gcodes[i1], p.unit[i1], p.tcode[i1]
    # influence weights of the untreated rows for every event time: v0 = -w0 (hU_e[u] + hT_e[t])
    bU = np.bincount(u1 * E + ecode, weights=v1all, minlength=nu * E).reshape(nu, E)
    bK = np.bincount(tc1 * E + ecode, weights=v1all, minlength=nt * E).reshape(nt, E)
    del u1, tc1
    S = np.bincount(g1 * E + ecode, weights=v1all * eps1, minlength=G * E).reshape(G, E)
    del eps1, v1all, ecode
    if nested:
        _hU, hT = sysm.solve_many(bU, bK, units=False)
        # (unit, period) sums of w * resid over untreated rows: B - A * fitted, no row pass
        WR = (B - A * F.reshape(nu, nt)).reshape(nu, nt)
        R = np.column_stack([np.bincount(ug, weights=WR[:, j], minlength=G) for j in range(nt)])
        S -= R @ hT
        del WR, R
    else:
        hU, hT = sysm.solve_many(bU, bK)
        wr0 = w0 * (p.y - F[k])  # zero on treated rows
        u, t = p.unit, p.tcode
        for e in range(E):
            S[:, e] -= np.bincount(gcodes, weights=wr0 * (hU[u, e] + hT[t, e]), minlength=G)
        del wr0
    del k, w0, A, B, F
    i0 = np.flatnonzero(untreated)
    del untreated
    codes_all, sizes = [p.unit, p.tcode], [nu, nt]
    return _with_leads(
        p, i0, codes_all, sizes, [unit, time], gcodes, G, notes, ev, est, S, i1.size, nested
    )


def imputation_event_study(
    p: EventPanel, kind: str, cluster: str | None, unit: str, time: str
) -> tuple[list[float], np.ndarray, np.ndarray, dict[str, Any], list[str], int | None, int]:
    """Borusyak-Jaravel-Spiess (2024) imputation event study on a coded panel, for
    :func:`~evaluation.estimators.event_study` (``method="imputation"``): event times,
    post-period effects with the BJS Test 1 pre-period leads, their covariance (Theorem 3
    conservative variance), extra info (``n_pre_leads``), notes, the number of clusters and of
    observations. Unit + period effects without covariates take the
    (units x periods) table path; otherwise the general sparse path.
    """
    nu, nt = int(p.unit.max()) + 1, int(p.tcode.max()) + 1
    if not p.fe_extra and not p.X.shape[1] and nu * nt <= FAST_TABLE_LIMIT:
        return _imputation_two_way(p, unit, time, nu, nt)
    notes: list[str] = []
    n = p.y.size
    w = np.ones(n) if p.w is None else p.w
    untreated = (p.cohort == 0) | (p.time < p.cohort)
    treated_obs = ~untreated
    fe_names = [unit, time, *p.fe_extra_names]
    codes_all, sizes, t1 = _imputable(p, untreated, treated_obs, notes)
    i0, i1 = np.flatnonzero(untreated), np.flatnonzero(t1)
    system = _UnitTimeSystem if len(codes_all) == 2 else _FESystem
    sysm = system([c[i0] for c in codes_all], sizes, p.X[i0], w[i0])
    codes1 = [c[i1] for c in codes_all]
    X1 = p.X[i1]
    # step 1: fixed effects and covariates on untreated observations
    h = sysm.solve(sysm.rhs(w[i0] * p.y[i0]))
    resid0 = p.y[i0] - sysm.fitted(h)
    # step 2: impute Y(0) and the unit-level effects
    tau = p.y[i1] - sysm.fitted(h, codes1, X1)
    # step 3: averages by event time with the observation weights, Theorem 3 residuals
    w1 = w[i1]
    ev, ecode, est, v1all, eps1 = _treated_side(p, i1, tau, w1)
    # influence weights: v1 = w/sum(w) on the treated cell, v0 = -W0 Z0 (Z0'W0Z0)^- Z1'v1
    if p.cluster is not None:
        gcodes, G = p.cluster, int(p.cluster.max()) + 1
    else:
        gcodes, G = np.arange(n), n
    E = ev.size
    g0, g1 = gcodes[i0], gcodes[i1]
    nested = p.cluster is not None and len(codes_all) == 2 and nested_in(codes_all[0], gcodes)
    if nested:
        # All event times at once. v0 = -W0 Z0 h_e; summed with the untreated residuals by
        # cluster, the unit part vanishes (each unit's weighted residuals sum to zero and the
        # unit lies in one cluster), leaving cluster x period and cluster x covariate tables.
        t0 = codes_all[1][i0]
        u1, t1c = codes_all[0][i1], codes_all[1][i1]
        nu, nt = sizes
        px = p.X.shape[1]
        bU = np.bincount(u1 * E + ecode, weights=v1all, minlength=nu * E).reshape(nu, E)
        bK = np.zeros((nt + px, E))
        bK[:nt] = np.bincount(t1c * E + ecode, weights=v1all, minlength=nt * E).reshape(nt, E)
        for j in range(px):
            bK[nt + j] = np.bincount(ecode, weights=X1[:, j] * v1all, minlength=E)
        _hU, hK = sysm.solve_many(bU, bK, units=False)
        wr0 = w[i0] * resid0
        R = np.zeros((G, nt + px))
        R[:, :nt] = np.bincount(g0 * nt + t0, weights=wr0, minlength=G * nt).reshape(G, nt)
        for j in range(px):
            R[:, nt + j] = np.bincount(g0, weights=wr0 * p.X[i0, j], minlength=G)
        S = -(R @ hK)
        S += np.bincount(g1 * E + ecode, weights=v1all * eps1, minlength=G * E).reshape(G, E)
    else:
        S = np.zeros((G, E))
        for k in range(E):
            v1 = np.where(ecode == k, v1all, 0.0)
            hk = sysm.solve(sysm.rhs(v1, codes1, X1))
            v0 = -w[i0] * sysm.fitted(hk)
            S[:, k] = np.bincount(g1, weights=v1 * eps1, minlength=G) + np.bincount(
                g0, weights=v0 * resid0, minlength=G
            )
    # free the row-level arrays of the imputation before the second regression (peak memory)
    del sysm, resid0, tau, eps1, v1all, g0, g1, w, w1, ecode
    del codes1, X1, untreated, treated_obs, t1
    return _with_leads(p, i0, codes_all, sizes, fe_names, gcodes, G, notes, ev, est, S, i1.size)


def _imputable(
    p: EventPanel, untreated: np.ndarray, treated_obs: np.ndarray, notes: list[str]
) -> tuple[list[np.ndarray], list[int], np.ndarray]:
    """Codes and sizes of every fixed effect, and the treated observations whose fixed-effect
    levels all have an untreated observation (the others dropped, noted)."""
    codes_all, sizes = [], []
    imputable = treated_obs.copy()
    # unit and period codes come dense from prepare_event_panel; extra fixed effects are coded here
    coded = [(p.unit, int(p.unit.max()) + 1), (p.tcode, int(p.tcode.max()) + 1)]
    coded += [factorize(a, nm) for a, nm in zip(p.fe_extra, p.fe_extra_names, strict=True)]
    for c, g in coded:
        codes_all.append(c)
        sizes.append(g)
        seen = np.zeros(g, dtype=bool)
        seen[c[untreated]] = True
        imputable &= seen[c] | untreated
    lost = treated_obs & ~imputable
    if lost.any():
        notes.append(
            f"imputation: {int(lost.sum())} treated observation(s) dropped because a fixed effect "
            "level (unit, period or extra) has no untreated observation to estimate it from"
        )
    t1 = treated_obs & imputable
    if not t1.any():
        raise ValueError("event_study(imputation): no treated observation can be imputed")
    return codes_all, sizes, t1


def _with_leads(
    p: EventPanel,
    i0: np.ndarray,
    codes_all: list[np.ndarray],
    sizes: list[int],
    fe_names: list[str],
    gcodes: np.ndarray,
    G: int,
    notes: list[str],
    ev: np.ndarray,
    est: np.ndarray,
    S: np.ndarray,
    n1: int,
    nested: bool = False,
) -> tuple[list[float], np.ndarray, np.ndarray, dict[str, Any], list[str], int | None, int]:
    """Add the BJS Test 1 leads to the post-period effects ``est`` (cluster sums ``S``).

    The covariance of the leads is their own regression's; the cross-covariance with the
    effects comes from the cluster-level influence sums of both.
    """
    lead_est, lead_V, lead_S, lead_ev = _bjs_leads(
        p, i0, codes_all, sizes, fe_names, gcodes, G, notes, nested
    )
    order = np.argsort(lead_ev, kind="stable")
    all_ev = [lead_ev[i] for i in order] + [float(e) for e in ev]
    Sall = np.column_stack([lead_S[:, order], S])
    V = Sall.T @ Sall
    if lead_V.size:
        V[: len(order), : len(order)] = lead_V[np.ix_(order, order)]
    beta = np.concatenate([lead_est[order], est])
    n_cl = G if p.cluster is not None else None
    return all_ev, beta, V, {"n_pre_leads": len(order)}, notes, n_cl, int(i0.size + n1)
