"""Event studies: dynamic TWFE, Sun-Abraham, Borusyak-Jaravel-Spiess imputation, and a
Callaway-Sant'Anna wrapper, all returning an :class:`EventStudyResult`.

Event time is ``e = time - cohort`` for units treated at ``cohort`` (cohort 0 or missing = never
treated). ``window=(lo, hi)`` *bins* the endpoints, as fixest's ``bin.rel`` does: event times
below ``lo`` are pooled into ``lo`` and above ``hi`` into ``hi`` (so ``lo``/``hi`` estimate the
average over "``lo`` or earlier" / "``hi`` or later"); no observation is dropped. The reference
period ``ref_period`` (default -1) is omitted for the regression methods.

Methods
-------
``"twfe"``: ``y_it = a_i + l_t + sum_{e != ref} b_e 1{E_it = e} + X'g``; never-treated units get
    no dummies. Biased under heterogeneous effects across cohorts (Sun & Abraham 2021).
``"sunab"``: Sun & Abraham (2021) interaction-weighted estimator: cohort x event-time dummies
    in the same regression, aggregated per event time with each cohort's share of the
    (weighted) observations at that event time; SEs by the delta method on the full covariance
    with the shares held fixed (fixest ``sunab``/``aggregate``). Without never-treated units the
    last cohort is the control and periods from its adoption on are dropped (as fixest).
``"imputation"``: Borusyak, Jaravel & Spiess (2024): fixed effects (and covariates) fitted on the
    untreated observations only, ``Y(0)`` imputed for treated ones, effects averaged by event
    time; conservative cluster-robust SEs (their Theorem 3, with treated residuals taken net of
    cohort x event-time means) and normal inference; leads from their pre-trend regression on
    untreated observations (Test 1), which is also the pre-trend test.
``"cs"``: Callaway & Sant'Anna via :func:`evaluation.estimators.callaway_santanna` with a
    universal base period, aggregated to event time; covariance from the influence functions.

The joint pre-trend test is a Wald test on the lead coefficients: F with ``(q, G-1)`` degrees of
freedom for the regression methods (fixest ``wald``), chi-square for ``imputation`` and ``cs``
(normal inference, as BJS and R ``did``).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse.linalg import LinearOperator, cg

from evaluation.estimators.did import (
    as_list,
    check_columns,
    check_no_missing,
    check_weights,
    cluster_codes,
    numeric_column,
    prepare_sample,
    resolve_inference,
    vcov_label,
)
from evaluation.estimators.fixed_effects import (
    _refactorize,
    drop_singletons,
    factorize,
    fe_ols,
    nested_in,
    unit_cell_ols,
)
from evaluation.estimators.results import EstimationResult, tidy_frame, warn_few_clusters
from evaluation.estimators.vcov import cluster_scores, wald_test

__all__ = ["event_study", "EventStudyResult"]

METHODS = ("twfe", "sunab", "imputation", "cs")


@dataclass(repr=False)
class EventStudyResult(EstimationResult):
    """Event-time estimates (``tidy()`` has ``event_time``), their covariance ``vcov`` (ordered
    by event time, indexed by term), a joint pre-trend test and a plot."""

    ref_period: int | None = -1

    def pretrend_test(self) -> dict[str, float]:
        """Joint Wald test that all lead (pre-treatment) coefficients are zero.

        Keys: ``statistic``, ``df1``, ``df2`` (inf for chi-square), ``p_value``, ``chi2``,
        ``chi2_p``, ``distribution`` and ``leads`` (the event times tested).
        """
        return dict(self.info["pretrend"])

    def event_times(self) -> np.ndarray:
        return self.table["event_time"].to_numpy()

    def plot(self, ax: Any = None, *, title: str | None = None, color: str = "C0") -> Any:
        """Coefficients with 95% confidence intervals by event time; returns the Figure."""
        if ax is None:
            # a bare Figure (no pyplot state): safe headless and in loops; Jupyter renders it
            from matplotlib.figure import Figure

            fig = Figure(figsize=(7, 4), layout="constrained")
            ax = fig.subplots()
        else:
            fig = ax.figure
        t = self.table.sort_values("event_time")
        e = t["event_time"].to_numpy(float)
        ax.axhline(0.0, color="0.4", lw=0.8)
        ax.axvline(-0.5, color="0.6", lw=0.8, ls="--")
        ax.vlines(e, t["conf_low"], t["conf_high"], color=color, lw=1.5)
        ax.plot(e, t["estimate"], "o", color=color, label=self.estimator)
        if self.ref_period is not None and self.ref_period not in set(e.astype(int)):
            ax.plot([self.ref_period], [0.0], "o", mfc="white", color=color)
        ax.set_xlabel("event time (periods since adoption)")
        ax.set_ylabel(f"effect on {self.outcome}" if self.outcome else "effect")
        ax.set_title(title or f"Event study ({self.estimator}), 95% CI")
        return fig


# --- data preparation --------------------------------------------------------------------


@dataclass
class _Panel:
    sample: pd.DataFrame
    notes: list[str]
    y: np.ndarray
    unit: np.ndarray  # codes
    time: np.ndarray  # numeric period
    cohort: np.ndarray  # 0 = never treated
    rel: np.ndarray  # binned event time (nan for never treated)
    w: np.ndarray | None
    X: np.ndarray  # covariates (n, p)
    covs: list[str]
    fe_extra: list[np.ndarray]
    fe_extra_names: list[str]
    cluster: np.ndarray | None
    tcode: np.ndarray | None = None  # dense sorted period codes (reused by the fast path)
    gcode: np.ndarray | None = None  # dense sorted cohort codes


def _prepare(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    window: tuple[int, int] | None,
    covs: list[str],
    weights: str | None,
    cluster: str | None,
    fixed_effects: list[str],
    where: str,
) -> _Panel:
    used = [unit, time, *covs, *fixed_effects]
    used += [weights] if weights else []
    used += [cluster] if cluster else []
    check_columns(data, [outcome, cohort, *used], where)
    sample, notes = prepare_sample(data, outcome, used, where)
    check_no_missing(sample, used, where)
    tvals = numeric_column(sample, time, where)
    if not (tvals == np.rint(tvals)).all():
        raise ValueError(f"{where}: time column {time!r} must hold integer periods (e.g. years)")
    coh = sample[cohort]
    try:
        cvals = pd.to_numeric(coh, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"{where}: cohort column {cohort!r} must be numeric (first treated period; "
            "0 or missing = never treated)"
        ) from err
    cvals = np.nan_to_num(cvals, nan=0.0)  # a copy: never write into the caller's frame
    if (cvals < 0).any() or not (cvals == np.rint(cvals)).all():
        raise ValueError(
            f"{where}: cohort column {cohort!r} must hold non-negative integer periods"
        )
    ucodes, nu = factorize(sample[unit].to_numpy(), unit)
    # constant within unit: compare every row with the value scattered from some row of its unit
    some = np.empty(nu)
    some[ucodes] = cvals
    varying_row = some[ucodes] != cvals
    if varying_row.any():
        bad_units = np.unique(ucodes[varying_row])
        ids = pd.unique(sample[unit].to_numpy()[np.isin(ucodes, bad_units[:5])])[:5].tolist()
        raise ValueError(
            f"{where}: cohort {cohort!r} must be constant within {unit!r}; it varies for "
            f"{bad_units.size} unit(s), e.g. {ids}"
        )
    treated = cvals > 0
    if not treated.any():
        raise ValueError(f"{where}: no treated units (cohort {cohort!r} is 0/missing everywhere)")
    # a cohort observed only from its adoption on has no pre-period: nothing to compare with
    gcode, glev = _int_codes(cvals)
    tcode, tlev = _int_codes(tvals)
    seen = np.bincount(gcode * tlev.size + tcode, minlength=glev.size * tlev.size) > 0
    first_seen = tlev[seen.reshape(glev.size, tlev.size).argmax(axis=1)]
    cohorts = glev[glev > 0].astype(float)
    no_pre = [c for c, f in zip(glev, first_seen, strict=True) if c > 0 and f >= c]
    if no_pre:
        raise ValueError(
            f"{where}: cohort(s) {[_num(c) for c in no_pre]} of {cohort!r} have no observation "
            f"before adoption (first {time!r} observed >= cohort); drop them or extend the panel"
        )
    if glev[0] > 0 and cohorts.size < 2:
        raise ValueError(
            f"{where}: no never-treated units and a single cohort: event-time effects are not "
            "separately identified from period effects"
        )
    rel = np.where(treated, tvals - cvals, np.nan)
    if window is not None:
        lo, hi = (int(v) for v in window)
        if lo > hi:
            raise ValueError(f"{where}: window must be (lo, hi) with lo <= hi (got {window})")
        n_lo = int((rel < lo).sum())
        n_hi = int((rel > hi).sum())
        rel = np.where(rel < lo, lo, np.where(rel > hi, hi, rel))
        if n_lo or n_hi:
            notes.append(
                f"window ({lo}, {hi}): endpoints binned (fixest bin.rel style) - {n_lo} "
                f"treated observation(s) pooled into event time {lo}, {n_hi} into {hi}"
            )
    w = None
    if weights:
        w = numeric_column(sample, weights, where)
        check_weights(w, weights, sample.index, where)
    X = (
        np.column_stack([numeric_column(sample, c, where) for c in covs])
        if covs
        else np.empty((len(sample), 0))
    )
    return _Panel(
        sample=sample,
        notes=notes,
        y=numeric_column(sample, outcome, where),
        unit=ucodes,
        time=tvals,
        cohort=cvals,
        rel=rel,
        w=w,
        X=X,
        covs=covs,
        fe_extra=[sample[c].to_numpy() for c in fixed_effects],
        fe_extra_names=fixed_effects,
        cluster=cluster_codes(sample, cluster, where),
        tcode=tcode,
        gcode=gcode,
    )


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else float(v)


def _term(e: float) -> str:
    return f"event_time::{_num(e)}"


def _pretrend(
    event_times: np.ndarray, beta: np.ndarray, V: np.ndarray, df: int | None, ref: int | None
) -> dict[str, Any]:
    lead = event_times < 0
    if ref is not None:
        lead &= event_times != ref
    res = wald_test(beta[lead], V[np.ix_(lead, lead)], df=df)
    res["distribution"] = "chi2" if df is None else "F"
    res["leads"] = [_num(e) for e in event_times[lead]]
    return res


# --- regression methods ------------------------------------------------------------------


def _dummies(codes: np.ndarray, k: int) -> np.ndarray:
    """(n, k) 0/1 matrix with a one at ``codes`` (rows with code -1 stay zero)."""
    D = np.zeros((codes.size, k))
    rows = np.flatnonzero(codes >= 0)
    D[rows, codes[rows]] = 1.0
    return D


def _int_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes of integer-valued floats in sorted order, and the sorted levels."""
    # values are validated integer-valued by _prepare, so a cast is exact
    v = values.astype(np.intp)
    lo = int(v.min())
    v -= lo
    present = np.zeros(int(v.max()) + 1, dtype=bool)
    present[v] = True
    if present.all():  # levels contiguous (years, cohorts): the shifted values are the codes
        return v, np.arange(present.size) + lo
    mapping = np.cumsum(present) - 1
    return mapping[v], np.flatnonzero(present) + lo


FAST_TABLE_LIMIT = 50_000_000


def _levels(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The level of each dense code (``values`` at some row carrying it)."""
    out = np.empty(int(codes.max()) + 1)
    out[codes] = values
    return out


def _regression_es(
    p: _Panel,
    method: str,
    ref: int,
    kind: str,
    unit: str,
    time: str,
    fast: bool = True,
) -> tuple[list[float], np.ndarray, np.ndarray, Any, list[str], dict[str, Any]]:
    notes: list[str] = []
    keep = np.ones(p.y.size, dtype=bool)
    cohort_ctrl = p.cohort
    if method == "sunab" and not (p.cohort == 0).any():
        last = p.cohort.max()
        keep = p.time < last
        cohort_ctrl = np.where(p.cohort == last, 0.0, p.cohort)
        notes.append(
            f"sunab: no never-treated units; the last cohort ({_num(last)}) is the control group "
            f"and periods from {_num(last)} on are dropped ({int((~keep).sum())} observations)"
        )
    fe_raw = [p.unit, p.time, *p.fe_extra]
    fe_names = [unit, time, *p.fe_extra_names]
    if keep.all():
        # unit and period are already dense codes from _prepare: no second factorization
        fe_codes = [p.unit, p.tcode] + [
            factorize(a, nm)[0] for a, nm in zip(p.fe_extra, p.fe_extra_names, strict=True)
        ]
    else:
        fe_codes = [factorize(a[keep], nm)[0] for a, nm in zip(fe_raw, fe_names, strict=True)]

    single = drop_singletons(fe_codes)
    if not single.all():
        notes.append(
            f"{int((~single).sum())} singleton observation(s) dropped (alone in a fixed-effect "
            "group; fixest/pyfixest default)"
        )
    if keep.all() and single.all():
        rows = slice(None)  # nothing dropped: views, no copies of the n-length columns
        ucodes = fe_codes[0]
        nu = int(ucodes.max()) + 1
    else:
        rows = np.flatnonzero(keep)[single]
        ucodes, nu = _refactorize(fe_codes[0][single])
    y, t, coh, rel = p.y[rows], p.time[rows], cohort_ctrl[rows], p.rel[rows]
    w = None if p.w is None else p.w[rows]
    if isinstance(rows, slice) and cohort_ctrl is p.cohort:
        tcode, gcode = p.tcode, p.gcode
        tlev = _levels(p.time, tcode)
        glev = _levels(p.cohort, gcode)
    else:
        tcode, tlev = _int_codes(t)
        gcode, glev = _int_codes(coh)
    nt, ng = tlev.size, glev.size
    cell = gcode * nt + tcode
    C = ng * nt
    if cohort_ctrl is not p.cohort:
        rel = np.where(coh > 0, rel, np.nan)  # the control cohort gets no event time
    rel_cell = np.full(C, np.nan)
    rel_cell[cell] = rel  # every row of a (cohort, period) cell has the same binned event time
    treated_cell = ~np.isnan(rel_cell)
    rel_vals = np.unique(rel_cell[treated_cell])
    if ref not in set(rel_vals.tolist()):
        raise ValueError(
            f"event_study: reference period {ref} is not an observed event time "
            f"(observed: {[_num(v) for v in rel_vals]})"
        )
    target = treated_cell & (rel_cell != ref)
    col_of_cell = np.full(C, -1, dtype=np.intp)
    if method == "twfe":
        est_vals = rel_vals[rel_vals != ref]
        col_of_cell[target] = np.searchsorted(est_vals, rel_cell[target])
        names = [_term(e) for e in est_vals]
        col_rel = est_vals
        col_cohort = None
    else:
        cell_g = np.repeat(glev, nt).astype(float)
        pairs = np.unique(np.column_stack([cell_g[target], rel_cell[target]]), axis=0)
        key = {(a, b): j for j, (a, b) in enumerate(map(tuple, pairs))}
        for c in np.flatnonzero(target):
            col_of_cell[c] = key[(cell_g[c], rel_cell[c])]
        col_cohort, col_rel = pairs[:, 0], pairs[:, 1]
        names = [f"cohort::{_num(c)}:{_term(e)}" for c, e in pairs]
    k = len(names)
    cl = None if p.cluster is None else _refactorize(p.cluster[rows])
    ccodes, G = (None, None) if cl is None else cl
    X = p.X[rows] if p.X.shape[1] else None
    use_fast = (
        fast
        and not p.fe_extra
        and kind != "hetero"
        and nu * nt <= FAST_TABLE_LIMIT
        and (ccodes is None or nested_in(ucodes, ccodes, nu))
    )
    if use_fast:
        ug = np.zeros(nu, dtype=np.intp)
        ug[ucodes] = gcode
        L = np.zeros((C, nt + k))
        L[np.arange(C), np.arange(C) % nt] = 1.0
        hit = np.flatnonzero(col_of_cell >= 0)
        L[hit, nt + col_of_cell[hit]] = 1.0
        fit = unit_cell_ols(
            y,
            ucodes,
            nu,
            ug,
            ng,
            tcode,
            nt,
            L,
            [*(f"fe::time::{v}" for v in tlev), *names],
            covariates=X,
            cov_names=p.covs,
            weights=w,
            cluster=ccodes,
            n_clusters=G,
            vcov=kind,
            fe_sizes=[nu, nt],
            fe_nested=None if ccodes is None else [True, nested_in(tcode, ccodes, nt)],
            cell=cell,
        )
    else:
        D = _dummies(col_of_cell[cell], k)
        Xall = np.column_stack([D, X]) if X is not None else D
        fit = fe_ols(
            y,
            Xall,
            [*names, *p.covs],
            [c[single] for c in fe_codes],
            fe_names,
            weights=w,
            cluster=ccodes,
            vcov=kind,
            drop_singleton_obs=False,
        )
    notes += fit.notes
    fit.keep = np.zeros(p.y.size, dtype=bool)
    fit.keep[rows] = True  # works for the slice too
    idx = {nm: i for i, nm in enumerate(fit.names)}
    V = fit.vcov.vcov
    if method == "twfe":
        ev = [e for e, nm in zip(col_rel, names, strict=True) if nm in idx]
        sel = [idx[_term(e)] for e in ev]
        return ev, fit.beta[sel], V[np.ix_(sel, sel)], fit, notes, {}
    # Sun-Abraham aggregation: cohort shares of the (weighted) observations at each event time
    m_cell = np.bincount(cell, weights=w, minlength=C)
    mass = np.bincount(col_of_cell[col_of_cell >= 0], weights=m_cell[col_of_cell >= 0], minlength=k)
    kept = [j for j, nm in enumerate(names) if nm in idx]
    ev = sorted({float(col_rel[j]) for j in kept})
    A = np.zeros((len(ev), fit.beta.size))
    for j in kept:
        A[ev.index(float(col_rel[j])), idx[names[j]]] = mass[j]
    A /= A.sum(axis=1, keepdims=True)
    cohort_tab = tidy_frame(
        [names[j] for j in kept],
        [fit.beta[idx[names[j]]] for j in kept],
        [np.sqrt(V[idx[names[j]], idx[names[j]]]) for j in kept],
        df=fit.vcov.df_t,
        extra={
            "cohort": [_num(col_cohort[j]) for j in kept],
            "event_time": [_num(col_rel[j]) for j in kept],
            "share": [A[ev.index(float(col_rel[j])), idx[names[j]]] for j in kept],
        },
    )
    sel = [idx[names[j]] for j in kept]
    agg = {"cohort_effects": cohort_tab, "aggregation": A[:, sel]}
    return ev, A @ fit.beta, A @ V @ A.T, fit, notes, agg


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
        present = np.flatnonzero(self.A.sum(axis=0) > 0)
        self.free = np.setdiff1d(np.arange(nt + p), present[:1])
        S_red = S[np.ix_(self.free, self.free)]
        try:
            self.S_inv = np.linalg.inv(S_red)
        except np.linalg.LinAlgError:
            self.S_inv = np.linalg.pinv(S_red)

    def solve_many(self, bU: np.ndarray, bK: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Solve for several right-hand sides at once: ``bU`` (nu, E), ``bK`` (nt + p, E).

        Returns the unit block ``hU`` (nu, E) and the period/covariate block ``hK``.
        Only unit- and period-level tables are touched: no pass over the rows.
        """
        nt = self.sizes[1]
        q = bU * self.inv_s[:, None]
        rhs = bK.copy()
        rhs[:nt] -= self.A.T @ q
        rhs[nt:] -= self.WXu.T @ q
        hK = np.zeros_like(bK)
        hK[self.free] = self.S_inv @ rhs[self.free]
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


def _bjs_leads(
    p: _Panel,
    i0: np.ndarray,
    codes_all: list[np.ndarray],
    sizes: list[int],
    fe_names: list[str],
    gcodes: np.ndarray,
    G: int,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[float]]:
    """BJS Test 1: regress untreated outcomes on the fixed effects, covariates and leads.

    Returns the lead coefficients, their covariance (CRV1, or HC1 without a cluster), their
    cluster-level influence sums (G x leads, scaled so that ``S'S`` is that covariance) and
    the lead event times. Leads farther back than the window are the reference; if all are
    included, the farthest is dropped as collinear with the unit effects (noted).
    """
    keep = drop_singletons([c[i0] for c in codes_all])
    rows = i0[keep] if not keep.all() else i0
    del keep
    y0 = p.y[rows]
    w0 = None if p.w is None else p.w[rows]
    ucodes, nu = _refactorize(codes_all[0][rows])
    tcode, tlev = _int_codes(p.time[rows])
    gcode, glev = _int_codes(p.cohort[rows])
    nt, ng = tlev.size, glev.size
    cell = gcode * nt + tcode
    rel_cell = np.full(ng * nt, np.nan)
    rel_cell[cell] = p.rel[rows]
    lead_vals = np.unique(rel_cell[~np.isnan(rel_cell)])[::-1]  # -1, -2, ... farthest last
    if lead_vals.size == 0:
        return np.empty(0), np.empty((0, 0)), np.zeros((G, 0)), []
    col = np.full(ng * nt, -1, dtype=np.intp)
    has = ~np.isnan(rel_cell)
    col[has] = np.searchsorted(-lead_vals, -rel_cell[has])
    names = [_term(e) for e in lead_vals]
    g_rows = gcodes[rows]
    gk, Gk = _refactorize(g_rows)
    X = p.X[rows] if p.X.shape[1] else None
    clustered = p.cluster is not None
    fast = len(codes_all) == 2 and clustered and nested_in(ucodes, gk, nu)
    if fast:
        ug = np.zeros(nu, dtype=np.intp)
        ug[ucodes] = gcode
        C = ng * nt
        L = np.zeros((C, nt + len(names)))
        L[np.arange(C), np.arange(C) % nt] = 1.0
        hit = np.flatnonzero(col >= 0)
        L[hit, nt + col[hit]] = 1.0
        fit = unit_cell_ols(
            y0,
            ucodes,
            nu,
            ug,
            ng,
            tcode,
            nt,
            L,
            [*(f"fe::time::{v}" for v in tlev), *names],
            covariates=X,
            cov_names=p.covs,
            weights=w0,
            cluster=gk,
            n_clusters=Gk,
            vcov="CRV1",
            fe_sizes=[nu, nt],
            fe_nested=[True, nested_in(tcode, gk, nt)],
        )
        S_raw = fit.scores  # (Gk, kept) cluster score sums
    else:
        D = _dummies(col[cell], len(names))
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


def _imputation_es(
    p: _Panel, kind: str, cluster: str | None, unit: str, time: str
) -> tuple[list[float], np.ndarray, np.ndarray, dict[str, Any], list[str], int | None, int]:
    notes: list[str] = []
    n = p.y.size
    w = np.ones(n) if p.w is None else p.w
    untreated = (p.cohort == 0) | (p.time < p.cohort)
    treated_obs = ~untreated
    fe_names = [unit, time, *p.fe_extra_names]
    codes_all, sizes = [], []
    imputable = treated_obs.copy()
    # unit and period codes come dense from _prepare; extra fixed effects are coded here
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
    e1 = p.rel[i1]
    ecode, ev = _int_codes(e1)
    ev = ev.astype(float)
    # step 3: averages by event time with the observation weights
    w1 = w[i1]
    wsum = np.bincount(ecode, weights=w1, minlength=ev.size)
    est = np.bincount(ecode, weights=w1 * tau, minlength=ev.size) / wsum
    # BJS Theorem 3 residuals for treated observations: tau net of its cohort x event-time
    # mean, weighted by v^2 (v proportional to w within a cell)
    coh1 = p.cohort[i1]
    ccode, clev = _int_codes(coh1)
    cell_code = ccode * ev.size + ecode
    n_cells = clev.size * ev.size
    num = np.bincount(cell_code, weights=w1**2 * tau, minlength=n_cells)
    den = np.bincount(cell_code, weights=w1**2, minlength=n_cells)
    den = np.where(den > 0, den, 1.0)
    eps1 = tau - (num / den)[cell_code]
    # influence weights: v1 = w/sum(w) on the treated cell, v0 = -W0 Z0 (Z0'W0Z0)^- Z1'v1
    if p.cluster is not None:
        gcodes, G = p.cluster, int(p.cluster.max()) + 1
    else:
        gcodes, G = np.arange(n), n
    E = ev.size
    v1all = w1 / wsum[ecode]
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
        _hU, hK = sysm.solve_many(bU, bK)
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
    del sysm, resid0, tau, eps1, v1all, g0, g1, w, w1, e1, ecode, coh1, ccode, cell_code
    del codes1, X1, untreated, treated_obs, imputable, lost, t1
    # pre-trend (BJS Test 1): untreated observations on fixed effects, covariates and leads
    lead_est, lead_V, lead_S, lead_ev = _bjs_leads(
        p, i0, codes_all, sizes, fe_names, gcodes, G, notes
    )
    order = np.argsort(lead_ev, kind="stable")
    all_ev = [lead_ev[i] for i in order] + [float(e) for e in ev]
    Sall = np.column_stack([lead_S[:, order], S])
    V = Sall.T @ Sall
    if lead_V.size:
        V[: len(order), : len(order)] = lead_V[np.ix_(order, order)]
    beta = np.concatenate([lead_est[order], est])
    n_cl = G if p.cluster is not None else None
    return all_ev, beta, V, {"n_pre_leads": len(order)}, notes, n_cl, int(i0.size + i1.size)


# --- Callaway-Sant'Anna ------------------------------------------------------------------


def _cs_es(data, outcome, unit, time, cohort, ref, window, covs, weights, cluster, kwargs):
    from evaluation.estimators import callaway_santanna

    if ref != -1:
        raise ValueError(
            "event_study(cs): the universal base period is e = -1; ref_period must be -1"
        )
    cs = callaway_santanna(
        data,
        outcome,
        unit,
        time,
        cohort,
        covariates=covs or None,
        base_period="universal",
        weights=weights,
        cluster=cluster,
        **kwargs,
    )
    agg_kw = {} if window is None else {"min_e": int(window[0]), "max_e": int(window[1])}
    dyn = cs.aggregate("dynamic", **agg_kw)
    return cs, dyn


# --- public entry point ------------------------------------------------------------------


def event_study(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    method: str = "twfe",
    ref_period: int = -1,
    window: tuple[int, int] | None = None,
    covariates: str | Sequence[str] | None = None,
    weights: str | None = None,
    cluster: str | None = None,
    vcov: str = "CRV1",
    *,
    fixed_effects: str | Sequence[str] | None = None,
    cs_options: dict[str, Any] | None = None,
    fast: bool = True,
) -> EventStudyResult:
    """Leads and lags of a staggered adoption, by one of four estimators.

    Parameters
    ----------
    data : panel DataFrame (unit ids of any type; unbalanced allowed).
    outcome, unit, time : columns; ``time`` holds integer periods.
    cohort : first treated period; 0 or missing = never treated; constant within unit.
    method : ``"twfe"``, ``"sunab"``, ``"imputation"`` or ``"cs"`` (see module docstring).
    ref_period : omitted event time for the regression methods (default -1).
    window : ``(lo, hi)``: endpoints binned (fixest ``bin.rel`` style). For ``"cs"`` passed as
        ``min_e``/``max_e`` to the dynamic aggregation (a trim, as R ``did``).
    covariates : time-varying controls; weights : analytic weights column.
    cluster : cluster column (CRV1); default with ``vcov="CRV1"``: the unit.
    vcov : ``"iid"``, ``"hetero"`` or ``"CRV1"`` (regression methods).
    fixed_effects : extra fixed-effect columns (e.g. sector-by-year), all methods but ``"cs"``.
    cs_options : extra keyword arguments for ``callaway_santanna`` (e.g. ``method``,
        ``control_group``).
    fast : regression methods: use the cohort x period cell path (unit fixed effects absorbed
        exactly, no dummy matrix) when it applies - no extra fixed effects, iid or CRV1 with the
        unit nested in the cluster; False forces alternating projections (same numbers).

    Returns
    -------
    EventStudyResult with ``tidy()`` (``event_time`` column), ``vcov`` (event-time
    coefficients ordered by event time), ``pretrend_test()`` and ``plot()``.

    Examples
    --------
    >>> es = event_study(panel, "log_lp", "firm_id", "year", "cohort",
    ...                  method="sunab", cluster="stratum")  # doctest: +SKIP
    >>> es.pretrend_test()["p_value"]  # doctest: +SKIP
    """
    where = f"event_study({method})"
    if method not in METHODS:
        raise ValueError(f"event_study: method must be one of {METHODS} (got {method!r})")
    covs = as_list(covariates)
    extra_fe = as_list(fixed_effects)
    if method == "cs":
        if extra_fe:
            raise ValueError(
                "event_study(cs): fixed_effects= is not supported for Callaway-Sant'Anna"
            )
        cs, dyn = _cs_es(
            data,
            outcome,
            unit,
            time,
            cohort,
            ref_period,
            window,
            covs,
            weights,
            cluster,
            cs_options or {},
        )
        full = dyn.tidy()
        overall = full[full["event_time"].isna()]
        # the universal base period e = -1 is normalised to zero (no standard error): omitted
        keep = full["event_time"].notna() & (full["event_time"] != ref_period)
        tab = full[keep].sort_values("event_time", kind="stable").reset_index(drop=True)
        tab["event_time"] = [_num(e) for e in tab["event_time"].to_numpy(float)]
        terms = tab["term"].tolist()
        V = dyn.vcov.loc[terms, terms]
        ev = tab["event_time"].to_numpy(float)
        res = EventStudyResult(
            estimator="event_study_cs",
            table=tab,
            nobs=dyn.nobs,
            vcov=V,
            vcov_type=dyn.vcov_type,
            n_clusters=dyn.n_clusters,
            outcome=outcome,
            notes=list(dyn.notes),
            info={
                "callaway_santanna": cs,
                "dynamic": dyn,
                "overall": overall,
                "method": "cs",
                "spec": {
                    "kind": "event_study_cs",
                    "outcome": outcome,
                    "unit": unit,
                    "time": time,
                    "cohort": cohort,
                    "window": window,
                    "ref_period": ref_period,
                    "covariates": covs,
                    "weights": weights,
                    "cluster": cluster,
                    "data": data,
                },
            },
            ref_period=int(ref_period),
        )
        res.info["pretrend"] = _pretrend(
            ev, tab["estimate"].to_numpy(float), V.to_numpy(float), None, int(ref_period)
        )
        return res
    kind, cluster, inf_notes = resolve_inference(vcov, cluster, unit, where)
    p = _prepare(data, outcome, unit, time, cohort, window, covs, weights, cluster, extra_fe, where)
    notes = [*p.notes, *inf_notes]
    info: dict[str, Any] = {"method": method}
    if method in ("twfe", "sunab"):
        ev, beta, V, fit, more, extra = _regression_es(
            p, method, int(ref_period), kind, unit, time, fast
        )
        notes += more
        info.update(extra)
        info["fit"] = fit
        df_t: int | None = fit.vcov.df_t
        n_cl, nobs = fit.n_clusters, fit.nobs
        ref: int | None = int(ref_period)
        label = vcov_label(kind, cluster)
        if method == "sunab":
            label += " (delta method, cohort shares fixed)"
    else:
        if kind == "iid":
            raise ValueError(
                "event_study(imputation): vcov='iid' is not available; use 'hetero' or 'CRV1'"
            )
        ev, beta, V, extra, more, n_cl, nobs = _imputation_es(p, kind, cluster, unit, time)
        notes += more
        info.update(extra)
        df_t, ref = None, None
        label = (
            f"BJS conservative, clustered by {cluster}"
            if cluster
            else "BJS conservative, heteroskedasticity-robust"
        )
        notes.append(
            "imputation: leads are the pre-trend regression's coefficients on untreated "
            "observations (BJS Test 1); post-treatment effects are imputation averages; normal "
            "inference"
        )
    ev_arr = np.asarray(ev, float)
    terms = [_term(e) for e in ev_arr]
    se = np.sqrt(np.clip(np.diag(V), 0, None))
    table = tidy_frame(terms, beta, se, df=df_t, extra={"event_time": [_num(e) for e in ev_arr]})
    if kind == "CRV1":
        warn_few_clusters(n_cl, "CRV1", notes)
    res = EventStudyResult(
        estimator=f"event_study_{method}",
        table=table,
        nobs=nobs,
        vcov=pd.DataFrame(V, index=terms, columns=terms),
        vcov_type=label,
        n_clusters=n_cl,
        outcome=outcome,
        notes=notes,
        info=info,
        ref_period=ref,
    )
    res.info["pretrend"] = _pretrend(ev_arr, beta, V, df_t, ref)
    res.info["spec"] = {
        "kind": f"event_study_{method}",
        "outcome": outcome,
        "unit": unit,
        "time": time,
        "cohort": cohort,
        "window": window,
        "ref_period": ref_period,
        "covariates": covs,
        "fixed_effects": [unit, time, *extra_fe],
        "weights": weights,
        "cluster": cluster,
        "vcov": kind,
        "data": data,
    }
    return res


class _CallableModule(types.ModuleType):
    """Lets ``from evaluation.estimators import event_study`` be called like the function.

    The package's lazy export table maps the public name ``event_study`` to this module of
    the same name; once the submodule is imported, the import system binds the package
    attribute to the module, so the module itself must forward calls to the function.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> EventStudyResult:
        return event_study(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
