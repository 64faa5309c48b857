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
        """Coefficients with 95% confidence intervals by event time, the reference period
        marked (:func:`~evaluation.estimators.presentation.coefplot`); returns the Figure."""
        from evaluation.estimators.presentation import coefplot

        return coefplot(
            self,
            labels=[self.estimator],
            ax=ax,
            colors=[color],
            title=title or f"Event study ({self.estimator}), 95% CI",
            ylabel=f"effect on {self.outcome}" if self.outcome else "effect",
        )


def _is_covariance(beta: np.ndarray, V: np.ndarray, tol: float = 1e-10) -> bool:
    """Whether ``beta`` is finite and ``V`` a finite symmetric positive semi-definite matrix
    (smallest eigenvalue at least ``-tol`` times the largest in absolute value)."""
    if not (np.isfinite(beta).all() and np.isfinite(V).all()):
        return False
    eig = np.linalg.eigvalsh(0.5 * (V + V.T))
    return bool(eig[0] >= -tol * max(float(np.abs(eig).max()), 1e-300))


def pretrend_wald_test(
    event_times: np.ndarray, beta: np.ndarray, V: np.ndarray, df: int | None, ref: int | None
) -> dict[str, Any]:
    """Joint Wald test that every lead (event time < 0, the omitted ``ref`` excluded) is zero.

    ``beta`` and ``V`` are ordered as ``event_times``. With ``df`` (``G - 1`` for the
    regression methods) the statistic is F with ``(q, df)`` degrees of freedom, as fixest's
    ``wald()``; with ``df=None`` it is chi-square (normal inference: imputation, CS). Returns
    :func:`~evaluation.estimators.vcov.wald_test`'s keys plus ``distribution`` and ``leads``
    (the event times tested), the dict :meth:`EventStudyResult.pretrend_test` reports; also
    used by ``with_vcov`` (:mod:`.postfit`) after re-estimating ``V``.

    The test is NaN (statistic and p-values; degrees of freedom kept) rather than an error or
    a negative statistic when the leads' covariance is not a covariance: an undefined entry
    (CRV3 without a cluster that holds a whole cohort) or a materially negative eigenvalue
    (two-way clustering's ``V_1 + V_2 - V_12`` need not be positive semi-definite).
    """
    lead = event_times < 0
    if ref is not None:
        lead &= event_times != ref
    b_lead, V_lead = beta[lead], V[np.ix_(lead, lead)]
    if b_lead.size and not _is_covariance(b_lead, V_lead):
        nan = float("nan")
        df2 = float("inf") if df is None else float(df)
        res: dict[str, Any] = {"statistic": nan, "df1": int(b_lead.size), "df2": df2}
        res |= {"p_value": nan, "chi2": nan, "chi2_p": nan}
    else:
        res = wald_test(b_lead, V_lead, df=df)
    res["distribution"] = "chi2" if df is None else "F"
    res["leads"] = [as_number(e) for e in event_times[lead]]
    return res


# --- regression methods ------------------------------------------------------------------


@dataclass
class _EstimationRows:
    """The rows a dynamic regression uses: the last cohort's periods from its adoption on are
    dropped when it serves as control (Sun-Abraham without never treated), then singletons."""

    rows: slice | np.ndarray  # into the event panel; a slice when nothing is dropped
    cohort: np.ndarray  # cohorts on the full panel, the control cohort recoded 0
    fe_codes: list[np.ndarray]  # fixed-effect codes before the singleton drop
    fe_names: list[str]
    single: np.ndarray  # the singleton mask over the rows left by the control-cohort cut
    ucodes: np.ndarray  # dense unit codes on the rows used
    n_units: int
    notes: list[str]


@dataclass
class _CellColumns:
    """Cohort x period cells and the regressor each cell loads on (-1: none)."""

    cell: np.ndarray  # cell code of each row used
    n_cells: int
    tcode: np.ndarray
    tlev: np.ndarray
    gcode: np.ndarray
    n_cohorts: int
    col_of_cell: np.ndarray
    names: list[str]
    col_rel: np.ndarray  # event time of each regressor
    col_cohort: np.ndarray | None  # cohort of each regressor (Sun-Abraham only)


def _estimation_rows(p: EventPanel, method: str, unit: str, time: str) -> _EstimationRows:
    """Rows, fixed-effect codes and control cohort of the dynamic regression on ``p``."""
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
    rows: slice | np.ndarray
    if keep.all() and single.all():
        rows = slice(None)  # nothing dropped: views, no copies of the n-length columns
        ucodes = fe_codes[0]
        nu = int(ucodes.max()) + 1
    else:
        rows = np.flatnonzero(keep)[single]
        ucodes, nu = refactorize(fe_codes[0][single])
    return _EstimationRows(rows, cohort_ctrl, fe_codes, fe_names, single, ucodes, nu, notes)


def _cell_columns(p: EventPanel, r: _EstimationRows, method: str, ref: int) -> _CellColumns:
    """Code the (cohort, period) cells of the rows used and map each to its regressor: the
    binned event time (dynamic TWFE) or the cohort x event time pair (Sun-Abraham); cells of
    the never treated, the control cohort and the reference period load on none."""
    rows = r.rows
    if isinstance(rows, slice) and r.cohort is p.cohort:
        tcode, gcode = p.tcode, p.gcode
        tlev = sorted_levels(p.time, tcode)
        glev = sorted_levels(p.cohort, gcode)
    else:
        tcode, tlev = int_codes(p.time[rows])
        gcode, glev = int_codes(r.cohort[rows])
    nt, ng = tlev.size, glev.size
    cell = gcode * nt + tcode
    C = ng * nt
    rel = p.rel[rows]
    if r.cohort is not p.cohort:
        rel = np.where(r.cohort[rows] > 0, rel, np.nan)  # the control cohort gets no event time
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
    col_cohort = None
    if method == "twfe":
        col_rel = rel_vals[rel_vals != ref]
        col_of_cell[target] = np.searchsorted(col_rel, rel_cell[target])
        names = [event_term(e) for e in col_rel]
    else:
        cell_g = np.repeat(glev, nt).astype(float)
        pairs = np.unique(np.column_stack([cell_g[target], rel_cell[target]]), axis=0)
        key = {(a, b): j for j, (a, b) in enumerate(map(tuple, pairs))}
        for c in np.flatnonzero(target):
            col_of_cell[c] = key[(cell_g[c], rel_cell[c])]
        col_cohort, col_rel = pairs[:, 0], pairs[:, 1]
        names = [f"cohort::{as_number(c)}:{event_term(e)}" for c, e in pairs]
    return _CellColumns(
        cell, C, tcode, tlev, gcode, ng, col_of_cell, names, col_rel, col_cohort
    )  # fmt: skip


def _fit_cells(
    p: EventPanel,
    r: _EstimationRows,
    c: _CellColumns,
    kind: str,
    fast: bool,
    design: dict[str, Any] | None,
) -> Any:
    """Least squares of the dynamic regression: the cohort x period cell path when it applies
    (no extra fixed effects, iid or CRV1 with the unit nested in the cluster, table small
    enough), else alternating projections on the dummy design (always when ``design`` is
    asked for, which it then records)."""
    rows = r.rows
    y = p.y[rows]
    w = None if p.w is None else p.w[rows]
    cl = None if p.cluster is None else refactorize(p.cluster[rows])
    ccodes, G = (None, None) if cl is None else cl
    X = p.X[rows] if p.X.shape[1] else None
    nt = c.tlev.size
    use_fast = (
        fast
        and design is None
        and not p.fe_extra
        and kind != "hetero"
        and r.n_units * nt <= FAST_TABLE_LIMIT
        and (ccodes is None or nested_in(r.ucodes, ccodes, r.n_units))
    )
    if use_fast:
        return cohort_cell_fit(
            y, r.ucodes, r.n_units, c.gcode, c.n_cohorts, c.tcode, c.tlev, c.col_of_cell,
            c.names, c.cell, covariates=X, cov_names=p.covs, weights=w, cluster=ccodes,
            n_clusters=G, vcov=kind,
        )  # fmt: skip
    D = dummy_columns(c.col_of_cell[c.cell], len(c.names))
    Xall = np.column_stack([D, X]) if X is not None else D
    fe = [f[r.single] for f in r.fe_codes]
    if design is not None:
        design.update(
            y=y, X=Xall, names=[*c.names, *p.covs], fe=fe, fe_names=r.fe_names, weights=w,
            rows=np.arange(p.y.size)[rows],
        )  # fmt: skip
    return fe_ols(
        y,
        Xall,
        [*c.names, *p.covs],
        fe,
        r.fe_names,
        weights=w,
        cluster=ccodes,
        vcov=kind,
        drop_singleton_obs=False,
    )


def _sunab_aggregate(
    fit: Any, c: _CellColumns, w: np.ndarray | None
) -> tuple[list[float], np.ndarray, np.ndarray, dict[str, Any]]:
    """Sun-Abraham aggregation: each event time's coefficient is the average of its cohort x
    event-time coefficients weighted by the cohorts' shares of the (weighted) observations at
    that event time; covariance by the delta method with the shares fixed (fixest)."""
    idx = {nm: i for i, nm in enumerate(fit.names)}
    V = fit.vcov.vcov
    names, col_rel, k = c.names, c.col_rel, len(c.names)
    assert c.col_cohort is not None
    m_cell = np.bincount(c.cell, weights=w, minlength=c.n_cells)
    loaded = c.col_of_cell >= 0
    mass = np.bincount(c.col_of_cell[loaded], weights=m_cell[loaded], minlength=k)
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
            "cohort": [as_number(c.col_cohort[j]) for j in kept],
            "event_time": np.array([col_rel[j] for j in kept], dtype=float),
            "share": [A[ev.index(float(col_rel[j])), idx[names[j]]] for j in kept],
        },
    )
    sel = [idx[names[j]] for j in kept]
    agg = {"cohort_effects": cohort_tab, "aggregation": A[:, sel]}
    return ev, A @ fit.beta, A @ V @ A.T, agg


def regression_event_study(
    p: EventPanel,
    method: str,
    ref: int,
    kind: str,
    unit: str,
    time: str,
    fast: bool = True,
    design: dict[str, Any] | None = None,
) -> tuple[list[float], np.ndarray, np.ndarray, Any, list[str], dict[str, Any]]:
    """The dynamic TWFE or Sun-Abraham regression on the event panel ``p`` (fixest's
    ``i()`` / ``sunab()`` conventions, ``ref`` omitted; see the module docstring).

    Returns ``(event_times, beta, V, fit, notes, extra)``: the event times estimated, their
    coefficients and covariance (``vcov=kind``; Sun-Abraham: aggregated with the cohort shares
    fixed), the underlying fixed-effects fit (its ``keep`` marks the panel rows used), notes,
    and for Sun-Abraham the cohort x event-time table and aggregation matrix
    (``cohort_effects``, ``aggregation``; empty for TWFE). Used by :func:`event_study` and by
    ``with_vcov`` (:mod:`.postfit`, CRV3 and two-way clustering).

    ``design``, when given, is filled with the least-squares design actually fitted (``y``,
    ``X``, ``names``, ``fe``, ``fe_names``, ``weights`` and ``rows``, the panel rows used) and
    the projection path is taken, so that post-fit variances (``with_vcov`` CRV3, two-way) can
    refit or re-score exactly this design.
    """
    r = _estimation_rows(p, method, unit, time)
    c = _cell_columns(p, r, method, ref)
    fit = _fit_cells(p, r, c, kind, fast, design)
    notes = [*r.notes, *fit.notes]
    fit.keep = np.zeros(p.y.size, dtype=bool)
    fit.keep[r.rows] = True  # works for the slice too
    if method == "twfe":
        idx = {nm: i for i, nm in enumerate(fit.names)}
        ev = [e for e, nm in zip(c.col_rel, c.names, strict=True) if nm in idx]
        sel = [idx[event_term(e)] for e in ev]
        return ev, fit.beta[sel], fit.vcov.vcov[np.ix_(sel, sel)], fit, notes, {}
    w = None if p.w is None else p.w[r.rows]
    ev, beta, V, agg = _sunab_aggregate(fit, c, w)
    return ev, beta, V, fit, notes, agg


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
    >>> import pandas as pd
    >>> d = pd.read_csv("tests/data/mpdta.csv")
    >>> es = event_study(d, "lemp", "countyreal", "year", "first.treat", method="sunab")
    >>> print(es.tidy()[["term", "estimate", "std_error"]].round(4).to_string(index=False))
              term  estimate  std_error
    event_time::-4    0.0033     0.0246
    event_time::-3    0.0250     0.0182
    event_time::-2    0.0245     0.0143
     event_time::0   -0.0199     0.0119
     event_time::1   -0.0510     0.0169
     event_time::2   -0.1373     0.0366
     event_time::3   -0.1008     0.0345
    >>> test = es.pretrend_test()
    >>> print(test["distribution"], test["df1"], f"{test['statistic']:.3f}", f"{test['p_value']:.3f}")
    F 3 1.884 0.131
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
        roles = {"unit": unit, "time": time, "cohort": cohort, "covariates": covs}
        roles |= {"weights": weights, "cluster": cluster}
        cs, dyn = _cs_es(
            data, outcome, unit, time, cohort, ref_period, window, covs, weights, cluster,
            cs_options or {},
        )  # fmt: skip
        return _cs_event_study_result(data, outcome, cs, dyn, roles, window, ref_period)
    kind, cluster, inf_notes = resolve_inference(vcov, cluster, unit, where)
    p = prepare_event_panel(
        data, outcome, unit, time, cohort, window, covs, weights, cluster, extra_fe, where
    )
    if method in ("twfe", "sunab"):
        fit = _regression_event_fit(p, method, int(ref_period), kind, unit, time, fast, cluster)
    else:
        fit = _imputation_event_fit(p, kind, cluster, unit, time)
    notes = [*p.notes, *inf_notes, *fit.notes]
    ev_arr = np.asarray(fit.event_times, float)
    terms = [event_term(e) for e in ev_arr]
    se = np.sqrt(np.clip(np.diag(fit.V), 0, None))
    table = tidy_frame(terms, fit.beta, se, df=fit.df_t, extra={"event_time": ev_arr})
    if kind == "CRV1":
        warn_few_clusters(fit.n_clusters, "CRV1", notes)
    res = EventStudyResult(
        estimator=f"event_study_{method}",
        table=table,
        nobs=fit.nobs,
        vcov=pd.DataFrame(fit.V, index=terms, columns=terms),
        vcov_type=fit.label,
        n_clusters=fit.n_clusters,
        outcome=outcome,
        notes=notes,
        info={"method": method, **fit.info},
        ref_period=fit.ref,
    )
    res.info["pretrend"] = pretrend_wald_test(ev_arr, fit.beta, fit.V, fit.df_t, fit.ref)
    roles = {"unit": unit, "time": time, "cohort": cohort, "covariates": covs}
    roles |= {"fixed_effects": [unit, time, *extra_fe], "weights": weights, "cluster": cluster}
    options = {"window": window, "ref_period": ref_period, "vcov": kind, "method": method}
    res.info["spec"] = make_spec(
        f"event_study_{method}", data, outcome, roles, options, nobs=fit.nobs,
        dropped=[
            ("missing outcome", len(data) - len(p.sample)),
            ("singleton", len(p.sample) - fit.nobs),
        ],
    )  # fmt: skip
    object.__setattr__(res, "spec", res.info["spec"])
    return res


@dataclass
class _EventFit:
    """What one event-study method gives the result: coefficients by event time, their
    covariance, inference settings and the method's extra ``info`` entries."""

    event_times: list[float]
    beta: np.ndarray
    V: np.ndarray
    df_t: int | None  # None: normal inference
    n_clusters: int | None
    nobs: int
    ref: int | None  # omitted reference period (None for imputation)
    label: str  # the vcov label
    notes: list[str]
    info: dict[str, Any]


def _regression_event_fit(
    p: EventPanel,
    method: str,
    ref: int,
    kind: str,
    unit: str,
    time: str,
    fast: bool,
    cluster: str | None,
) -> _EventFit:
    """Dynamic TWFE or Sun-Abraham: the regression and its t inference (fixest)."""
    ev, beta, V, fit, notes, extra = regression_event_study(p, method, ref, kind, unit, time, fast)
    label = vcov_label(kind, cluster)
    if method == "sunab":
        label += " (delta method, cohort shares fixed)"
    info = {**extra, "path": "projections" if fit.X is not None else "cells"}
    return _EventFit(
        ev, beta, V, fit.vcov.df_t, fit.n_clusters, fit.nobs, ref, label, notes, info
    )  # fmt: skip


def _imputation_event_fit(
    p: EventPanel, kind: str, cluster: str | None, unit: str, time: str
) -> _EventFit:
    """Borusyak-Jaravel-Spiess imputation: conservative SEs, normal inference, no omitted
    period (leads come from their Test 1 regression)."""
    from evaluation.estimators.imputation import imputation_event_study  # only this method

    if kind == "iid":
        raise ValueError(
            "event_study(imputation): vcov='iid' is not available; use 'hetero' or 'CRV1'"
        )
    ev, beta, V, extra, notes, n_cl, nobs = imputation_event_study(p, kind, cluster, unit, time)
    label = (
        f"BJS conservative, clustered by {cluster}"
        if cluster
        else "BJS conservative, heteroskedasticity-robust"
    )
    notes = [
        *notes,
        "imputation: leads are the pre-trend regression's coefficients on untreated "
        "observations (BJS Test 1); post-treatment effects are imputation averages; normal "
        "inference",
    ]
    return _EventFit(ev, beta, V, None, n_cl, nobs, None, label, notes, dict(extra))


def _cs_event_study_result(
    data: pd.DataFrame,
    outcome: str,
    cs: Any,
    dyn: Any,
    roles: dict[str, Any],
    window: tuple[int, int] | None,
    ref_period: int,
) -> EventStudyResult:
    """The Callaway-Sant'Anna dynamic aggregation as an event-study result: event times in
    order, the universal base period (normalised to zero, no SE) omitted, and the overall
    average kept in ``info["overall"]``."""
    full = dyn.tidy()
    overall = full[full["event_time"].isna()]
    keep = full["event_time"].notna() & (full["event_time"] != ref_period)
    tab = full[keep].sort_values("event_time", kind="stable").reset_index(drop=True)
    tab["event_time"] = tab["event_time"].to_numpy(float)
    terms = tab["term"].tolist()
    V = dyn.vcov.loc[terms, terms]
    spec = make_spec(
        "event_study_cs",
        data,
        outcome,
        roles,
        {"window": window, "ref_period": ref_period},
        nobs=dyn.nobs,
        dropped=cs.spec.dropped if cs.spec is not None else (),
    )
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
            "spec": spec,
        },
        ref_period=int(ref_period),
    )
    res.info["pretrend"] = pretrend_wald_test(
        tab["event_time"].to_numpy(float),
        tab["estimate"].to_numpy(float),
        V.to_numpy(float),
        None,
        int(ref_period),
    )
    return res
