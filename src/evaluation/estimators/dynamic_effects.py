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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.estimators.constants import FAST_TABLE_LIMIT
from evaluation.estimators.did import resolve_inference, vcov_label
from evaluation.estimators.event_panel import (
    EventPanel,
    as_number,
    cohort_cell_fit,
    dummy_columns,
    event_term,
    int_codes,
    prepare_event_panel,
    sorted_levels,
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
from evaluation.estimators.idcodes import column_scope
from evaluation.estimators.imputation import imputation_event_study
from evaluation.estimators.inputs import as_list
from evaluation.estimators.results import (
    EstimationResult,
    make_spec,
    tidy_frame,
    warn_few_clusters,
)
from evaluation.estimators.vcov import wald_test

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


def _pretrend(
    event_times: np.ndarray, beta: np.ndarray, V: np.ndarray, df: int | None, ref: int | None
) -> dict[str, Any]:
    lead = event_times < 0
    if ref is not None:
        lead &= event_times != ref
    res = wald_test(beta[lead], V[np.ix_(lead, lead)], df=df)
    res["distribution"] = "chi2" if df is None else "F"
    res["leads"] = [as_number(e) for e in event_times[lead]]
    return res


# --- regression methods ------------------------------------------------------------------


def _regression_es(
    p: EventPanel,
    method: str,
    ref: int,
    kind: str,
    unit: str,
    time: str,
    fast: bool = True,
    design: dict[str, Any] | None = None,
) -> tuple[list[float], np.ndarray, np.ndarray, Any, list[str], dict[str, Any]]:
    """The dynamic TWFE or Sun-Abraham regression on the event panel ``p``.

    ``design``, when given, is filled with the least-squares design actually fitted (``y``,
    ``X``, ``names``, ``fe``, ``fe_names``, ``weights`` and ``rows``, the panel rows used) and
    the projection path is taken, so that post-fit variances (``with_vcov`` CRV3, two-way) can
    refit or re-score exactly this design.
    """
    notes: list[str] = []
    keep = np.ones(p.y.size, dtype=bool)
    cohort_ctrl = p.cohort
    if method == "sunab" and not (p.cohort == 0).any():
        last = p.cohort.max()
        keep = p.time < last
        cohort_ctrl = np.where(p.cohort == last, 0.0, p.cohort)
        notes.append(
            f"sunab: no never-treated units; the last cohort ({as_number(last)}) is the control group "
            f"and periods from {as_number(last)} on are dropped ({int((~keep).sum())} observations)"
        )
    fe_raw = [p.unit, p.time, *p.fe_extra]
    fe_names = [unit, time, *p.fe_extra_names]
    if keep.all():
        # unit and period are already dense codes from prepare_event_panel: no second factorization
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
        ucodes, nu = refactorize(fe_codes[0][single])
    y, t, coh, rel = p.y[rows], p.time[rows], cohort_ctrl[rows], p.rel[rows]
    w = None if p.w is None else p.w[rows]
    if isinstance(rows, slice) and cohort_ctrl is p.cohort:
        tcode, gcode = p.tcode, p.gcode
        tlev = sorted_levels(p.time, tcode)
        glev = sorted_levels(p.cohort, gcode)
    else:
        tcode, tlev = int_codes(t)
        gcode, glev = int_codes(coh)
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
            f"(observed: {[as_number(v) for v in rel_vals]})"
        )
    target = treated_cell & (rel_cell != ref)
    col_of_cell = np.full(C, -1, dtype=np.intp)
    if method == "twfe":
        est_vals = rel_vals[rel_vals != ref]
        col_of_cell[target] = np.searchsorted(est_vals, rel_cell[target])
        names = [event_term(e) for e in est_vals]
        col_rel = est_vals
        col_cohort = None
    else:
        cell_g = np.repeat(glev, nt).astype(float)
        pairs = np.unique(np.column_stack([cell_g[target], rel_cell[target]]), axis=0)
        key = {(a, b): j for j, (a, b) in enumerate(map(tuple, pairs))}
        for c in np.flatnonzero(target):
            col_of_cell[c] = key[(cell_g[c], rel_cell[c])]
        col_cohort, col_rel = pairs[:, 0], pairs[:, 1]
        names = [f"cohort::{as_number(c)}:{event_term(e)}" for c, e in pairs]
    k = len(names)
    cl = None if p.cluster is None else refactorize(p.cluster[rows])
    ccodes, G = (None, None) if cl is None else cl
    X = p.X[rows] if p.X.shape[1] else None
    use_fast = (
        fast
        and design is None
        and not p.fe_extra
        and kind != "hetero"
        and nu * nt <= FAST_TABLE_LIMIT
        and (ccodes is None or nested_in(ucodes, ccodes, nu))
    )
    if use_fast:
        fit = cohort_cell_fit(
            y, ucodes, nu, gcode, ng, tcode, tlev, col_of_cell, names, cell,
            covariates=X, cov_names=p.covs, weights=w, cluster=ccodes, n_clusters=G, vcov=kind,
        )  # fmt: skip
    else:
        D = dummy_columns(col_of_cell[cell], k)
        Xall = np.column_stack([D, X]) if X is not None else D
        if design is not None:
            design.update(
                y=y, X=Xall, names=[*names, *p.covs], fe=[c[single] for c in fe_codes],
                fe_names=fe_names, weights=w, rows=np.arange(p.y.size)[rows],
            )  # fmt: skip
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
        sel = [idx[event_term(e)] for e in ev]
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
            "cohort": [as_number(col_cohort[j]) for j in kept],
            "event_time": np.array([col_rel[j] for j in kept], dtype=float),
            "share": [A[ev.index(float(col_rel[j])), idx[names[j]]] for j in kept],
        },
    )
    sel = [idx[names[j]] for j in kept]
    agg = {"cohort_effects": cohort_tab, "aggregation": A[:, sel]}
    return ev, A @ fit.beta, A @ V @ A.T, fit, notes, agg


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


@column_scope()
def event_study(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    *,
    method: str = "twfe",
    ref_period: int = -1,
    window: tuple[int, int] | None = None,
    covariates: str | Sequence[str] | None = None,
    weights: str | None = None,
    cluster: str | None = None,
    vcov: str = "CRV1",
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
        tab["event_time"] = tab["event_time"].to_numpy(float)
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
                "spec": make_spec(
                    "event_study_cs",
                    data,
                    outcome,
                    {
                        "unit": unit,
                        "time": time,
                        "cohort": cohort,
                        "covariates": covs,
                        "weights": weights,
                        "cluster": cluster,
                    },
                    {"window": window, "ref_period": ref_period},
                    nobs=dyn.nobs,
                    dropped=cs.spec.dropped if cs.spec is not None else (),
                ),
            },
            ref_period=int(ref_period),
        )
        res.info["pretrend"] = _pretrend(
            ev, tab["estimate"].to_numpy(float), V.to_numpy(float), None, int(ref_period)
        )
        return res
    kind, cluster, inf_notes = resolve_inference(vcov, cluster, unit, where)
    p = prepare_event_panel(
        data, outcome, unit, time, cohort, window, covs, weights, cluster, extra_fe, where
    )
    notes = [*p.notes, *inf_notes]
    info: dict[str, Any] = {"method": method}
    if method in ("twfe", "sunab"):
        ev, beta, V, fit, more, extra = _regression_es(
            p, method, int(ref_period), kind, unit, time, fast
        )
        notes += more
        info.update(extra)
        info["path"] = "projections" if fit.X is not None else "cells"
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
        ev, beta, V, extra, more, n_cl, nobs = imputation_event_study(p, kind, cluster, unit, time)
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
    terms = [event_term(e) for e in ev_arr]
    se = np.sqrt(np.clip(np.diag(V), 0, None))
    table = tidy_frame(terms, beta, se, df=df_t, extra={"event_time": ev_arr})
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
    res.info["spec"] = make_spec(
        f"event_study_{method}",
        data,
        outcome,
        {
            "unit": unit,
            "time": time,
            "cohort": cohort,
            "covariates": covs,
            "fixed_effects": [unit, time, *extra_fe],
            "weights": weights,
            "cluster": cluster,
        },
        {"window": window, "ref_period": ref_period, "vcov": kind, "method": method},
        nobs=nobs,
        dropped=[
            ("missing outcome", len(data) - len(p.sample)),
            ("singleton", len(p.sample) - nobs),
        ],
    )
    object.__setattr__(res, "spec", res.info["spec"])
    return res
