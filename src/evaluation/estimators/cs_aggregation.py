"""Aggregation of ATT(g,t) into overall, event-time, cohort and calendar effects, following
R ``did``'s ``compute.aggte``: cohort-share weights ``pg``, the extra influence-function term
for estimated weights (``wif``), ``balance_e`` / ``min_e`` / ``max_e``.

Internal module of :func:`~evaluation.estimators.callaway_santanna` (not in the export table).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .cs_inference import analytic_se, bootstrap_inference, crossprod, tall_matmul
from .results import EstimationResult, tidy_frame

_AGG_TYPES = ("simple", "dynamic", "group", "calendar")


def wif_basis(unit_cohort: np.ndarray, unit_weights: np.ndarray) -> np.ndarray:
    """Columns ``w_i 1{G_i = g}`` for every cohort value g (sorted, 0 = never) and a column
    of ones: the estimated-weights term of any aggregation is a combination of them."""
    cohorts = np.unique(unit_cohort)
    cols = [np.where(unit_cohort == g, unit_weights, 0.0) for g in cohorts]
    cols.append(np.ones(len(unit_cohort)))
    return np.column_stack(cols)


def aggregate_attgt(
    res: Any,
    type: str,  # noqa: A002 - R's argument name
    balance_e: int | None,
    min_e: float,
    max_e: float,
    na_rm: bool,
) -> EstimationResult:
    """See :meth:`evaluation.estimators.staggered.CSResult.aggregate`."""
    if type not in _AGG_TYPES:
        raise ValueError(f"aggregate: type must be one of {_AGG_TYPES}, got {type!r}")
    if balance_e is not None and (int(balance_e) != balance_e or balance_e < 0):
        raise ValueError("aggregate: balance_e must be a non-negative integer")
    cells = _Cells.of(res, na_rm)
    notes = list(res.notes)
    post = cells.usable & (cells.group <= cells.time) & (cells.time <= cells.group + max_e)
    if type == "simple":
        w = cells.pg_cell[post] / cells.pg_cell[post].sum()
        est, a, wif = cells.combo(post, w, True)
        rows = _Rows(overall_est=est, overall_col=(a, wif))
    elif type == "group":
        rows = _by_group(cells, post)
    elif type == "dynamic":
        rows = _by_event_time(cells, res, balance_e, min_e, max_e, notes)
    else:
        rows = _by_period(cells, balance_e, min_e, max_e)
    return _aggregate_result(res, cells, rows, type, notes, balance_e, min_e, max_e)


@dataclass
class _Cells:
    """The ATT(g,t) of a fit with what every aggregation needs: cohort shares ``pg`` (R's
    ``pg``, first-period sampling weights) per cohort and per cell, and the cohort slot of
    every unit for the estimated-weights term."""

    group: np.ndarray
    time: np.ndarray
    att: np.ndarray
    usable: np.ndarray
    glist: np.ndarray
    pg_g: np.ndarray
    pg_cell: np.ndarray
    code_ext: np.ndarray
    w_ind: np.ndarray

    @classmethod
    def of(cls, res: Any, na_rm: bool) -> _Cells:
        tab = res.table
        group = tab["group"].to_numpy(dtype=float)
        att = tab["estimate"].to_numpy(dtype=float)
        usable = np.ones(len(att), dtype=bool)
        if np.isnan(att).any():
            if not na_rm:
                bad = tab.loc[np.isnan(att), "term"].tolist()
                raise ValueError(
                    f"aggregate: ATT(g,t) could not be estimated for {bad}; pass na_rm=True "
                    "to aggregate the others (R: na.rm = TRUE)"
                )
            usable = ~np.isnan(att)
        glist = np.unique(group[usable])
        w_ind = res.unit_weights
        # cohort shares P(G = g), with the first-period sampling weights (R: pg)
        code_ext = _cohort_slots(res.unit_cohort, glist)  # never/other cohorts -> last slot
        inside = code_ext < len(glist)
        wsum_by_g = np.bincount(code_ext[inside], weights=w_ind[inside], minlength=len(glist))
        pg_g = wsum_by_g / res.n_units
        pg_cell = pg_g[np.searchsorted(glist, group)]
        pg_cell[~usable] = 0.0
        time = tab["time"].to_numpy(dtype=float)
        return cls(group, time, att, usable, glist, pg_g, pg_cell, code_ext, w_ind)

    def wif_dot(self, pg_k: np.ndarray, grp_k: np.ndarray, a: np.ndarray) -> np.ndarray:
        """R's wif(keepers, pg, weights.ind, G, group) %*% a as coefficients, in O(G).

        wif[i, k] = (w_i 1{G_i = g_k} - pg_k) / S - (sum_k' (w_i 1{G_i = g_k'} - pg_k'))
        pg_k / S^2 with S = sum pg_k; its product with a is w_i t(G_i) + c, returned as
        ``[t(g) for g in glist, t(other), c]`` (linear: combinations of terms combine them);
        :meth:`wif_vector` gives the n-vector.
        """
        glist = self.glist
        spg = pg_k.sum()
        gi = np.searchsorted(glist, grp_k)
        s_by_g = np.bincount(gi, weights=a, minlength=len(glist) + 1)
        c_by_g = np.bincount(gi, minlength=len(glist) + 1).astype(float)
        pa = (pg_k * a).sum()
        t_by_g = s_by_g / spg - c_by_g * pa / spg**2
        return np.append(t_by_g, -pa / spg + spg * pa / spg**2)

    def wif_vector(self, coef: np.ndarray) -> np.ndarray:
        """The estimated-weights term per unit from :meth:`wif_dot` coefficients."""
        return self.w_ind * coef[:-1][self.code_ext] + coef[-1]

    def combo(self, keep: np.ndarray, weights: np.ndarray, with_wif: bool):
        """Estimate, cell weights (K-vector) and the estimated-weights IF term."""
        idx = np.flatnonzero(keep)
        a = np.zeros(len(self.att))
        if len(idx) == 0:
            return float("nan"), a, np.zeros(len(self.glist) + 2)
        a[idx] = weights
        extra = None
        if with_wif:
            extra = self.wif_dot(self.pg_cell[idx], self.group[idx], self.att[idx])
        return float(self.att[idx] @ weights), a, extra


_Column = tuple[np.ndarray, "np.ndarray | None"]  # cell weights, estimated-weights coefficients


@dataclass
class _Rows:
    """The rows of an aggregation: label, value of the by-column, estimate and influence
    column of each, and the ``overall`` row."""

    labels: list[str] = field(default_factory=list)
    extra: list[float] = field(default_factory=list)
    ests: list[float] = field(default_factory=list)
    cols: list[_Column] = field(default_factory=list)
    overall_est: float = float("nan")
    overall_col: _Column | None = None

    def add(self, label: str, value: float, est: float, col: _Column) -> None:
        self.labels.append(label)
        self.extra.append(value)
        self.ests.append(est)
        self.cols.append(col)


def _mean_of(parts: list[_Column], share: np.ndarray) -> _Column:
    a = sum(s * p[0] for s, p in zip(share, parts, strict=True))
    extras = [s * p[1] for s, p in zip(share, parts, strict=True) if p[1] is not None]
    return a, (sum(extras) if extras else None)


def _by_group(cells: _Cells, post: np.ndarray) -> _Rows:
    """Cohort averages of the post-treatment cells and their cohort-share-weighted mean."""
    rows = _Rows()
    for g in cells.glist:
        keep = post & (cells.group == g)
        k = int(keep.sum())
        est, a, _ = cells.combo(keep, np.full(k, 1.0 / max(k, 1)), False)
        rows.add(f"g={g:g}", g, est, (a, None))
    att_g = np.array(rows.ests)
    share = cells.pg_g / cells.pg_g.sum()
    rows.overall_est = float(att_g @ share)
    a, _ = _mean_of(rows.cols, share)
    rows.overall_col = (a, cells.wif_dot(cells.pg_g, cells.glist, att_g))
    return rows


def _by_event_time(
    cells: _Cells,
    res: Any,
    balance_e: int | None,
    min_e: float,
    max_e: float,
    notes: list[str],
) -> _Rows:
    """ATT(e) (cohort-share weights within each event time) and their mean over e >= 0."""
    e_cell = cells.time - cells.group
    include = cells.usable.copy()
    eseq = np.unique(e_cell[cells.usable])
    if balance_e is not None:
        t_max = cells.time[cells.usable].max()
        include &= t_max - cells.group >= balance_e
        eseq = np.unique(e_cell[include])
        first = float(res.info["times"][0])
        eseq = eseq[(eseq <= balance_e) & (eseq >= balance_e - t_max + first)]
        notes.append(
            f"balanced in event time: cohorts observed for at least {balance_e} "
            "periods after treatment"
        )
    eseq = eseq[(eseq >= min_e) & (eseq <= max_e)]
    if len(eseq) == 0:
        raise ValueError("aggregate: no event times within balance_e/min_e/max_e")
    rows = _Rows()
    for e in eseq:
        keep = include & (e_cell == e)
        w = cells.pg_cell[keep] / cells.pg_cell[keep].sum()
        est, a, wif = cells.combo(keep, w, True)
        rows.add(f"e={e:g}", e, est, (a, wif))
    pos = np.flatnonzero(eseq >= 0)
    if len(pos) == 0:
        rows.overall_col = (np.zeros(len(cells.att)), None)
    else:
        rows.overall_est = float(np.mean(np.array(rows.ests)[pos]))
        rows.overall_col = _mean_of([rows.cols[i] for i in pos], np.full(len(pos), 1 / len(pos)))
    return rows


def _by_period(cells: _Cells, balance_e: int | None, min_e: float, max_e: float) -> _Rows:
    """Calendar-period averages of the post-treatment cells and their mean."""
    if np.isfinite(min_e) or np.isfinite(max_e) or balance_e is not None:
        warnings.warn(
            "min_e, max_e and balance_e are ignored for type='calendar' (as R)",
            UserWarning,
            stacklevel=4,
        )
    cal_post = cells.usable & (cells.group <= cells.time)
    periods = np.unique(cells.time[cal_post & (cells.time >= cells.group[cells.usable].min())])
    rows = _Rows()
    for t1 in periods:
        keep = cal_post & (cells.time == t1)
        w = cells.pg_cell[keep] / cells.pg_cell[keep].sum()
        est, a, wif = cells.combo(keep, w, True)
        rows.add(f"t={t1:g}", t1, est, (a, wif))
    rows.overall_est = float(np.mean(rows.ests))
    rows.overall_col = _mean_of(rows.cols, np.full(len(rows.cols), 1 / len(rows.cols)))
    return rows


def _aggregate_result(
    res: Any,
    cells: _Cells,
    rows: _Rows,
    type: str,  # noqa: A002 - R's argument name
    notes: list[str],
    balance_e: int | None,
    min_e: float,
    max_e: float,
) -> EstimationResult:
    """Influence functions, standard errors (analytic or bootstrap, with a uniform band over
    the by-rows), table and covariance of an aggregation."""
    n = res.n_units
    labels = rows.labels
    # all aggregated influence functions in one product: psi_all @ A (+ wif terms)
    parts = [*rows.cols, rows.overall_col]
    weights_matrix = np.column_stack([p[0] for p in parts])
    psi = tall_matmul(res.influence, weights_matrix)
    for j, (_, wif) in enumerate(parts):
        if wif is not None:
            psi[:, j] += cells.wif_vector(wif)
    est_all = np.array([*rows.ests, rows.overall_est])
    terms = [*labels, "overall"]
    sums = res._sums(psi)
    se = analytic_se(sums, n)
    crit = None
    if res.bootstrap > 0:
        band = np.arange(len(terms)) < len(labels)  # uniform band over the egt rows
        draws = _aggregate_draws(res, parts, cells.glist)
        se, crit = bootstrap_inference(draws, sums.shape[0], n, res.alpha, band=band)
        crit = crit if labels else float("nan")
    extra_cols: dict[str, list[Any]] = {}
    kind = {"dynamic": "event_time", "group": "group", "calendar": "time"}.get(type)
    if kind is not None:
        extra_cols[kind] = [*rows.extra, np.nan]
    table = tidy_frame(terms, est_all, se, alpha=res.alpha, extra=extra_cols)
    if crit is not None and labels and np.isfinite(crit):
        idx = np.arange(len(labels))
        table.loc[idx, "conf_low"] = est_all[idx] - crit * se[idx]
        table.loc[idx, "conf_high"] = est_all[idx] + crit * se[idx]
        notes.append(
            f"{type} rows: uniform (sup-t) {100 * (1 - res.alpha):g}% confidence band, "
            f"critical value {crit:.3f} from {res.bootstrap} multiplier-bootstrap draws"
        )
    vcov = pd.DataFrame(crossprod(sums) / n**2, index=terms, columns=terms)
    info = {
        "type": type,
        "balance_e": balance_e,
        "min_e": min_e,
        "max_e": max_e,
        "crit_value": crit,
        "influence": psi,
    }
    return EstimationResult(
        estimator=f"callaway_santanna:{type}",
        table=table,
        nobs=res.nobs,
        vcov=vcov,
        vcov_type=res.vcov_type,
        n_clusters=res.n_clusters,
        outcome=res.outcome,
        notes=notes,
        info=info,
    )


def _aggregate_draws(res: Any, parts: list[tuple[np.ndarray, Any]], glist: np.ndarray):
    """Multiplier draws of the aggregated influence functions from the stored ATT(g,t) draws.

    Each aggregate is ``psi @ a + wif`` with ``wif = w_i t(G_i) + c``; the draws of ``psi`` and
    of the cohort basis ``w_i 1{G_i = g}``, ``1`` (:func:`wif_basis`) were taken with the
    same multipliers, so the aggregate's draws are the same combination of them: identical (up
    to rounding) to re-running the bootstrap on the aggregated influence functions.
    """
    draws_psi, draws_basis = res.boot_draws
    slot = _cohort_slots(np.unique(res.unit_cohort), glist)
    coef = np.zeros((draws_basis.shape[1], len(parts)))
    for j, (_, wif) in enumerate(parts):
        if wif is not None:
            coef[:-1, j] = wif[:-1][slot]
            coef[-1, j] = wif[-1]
    weights_matrix = np.column_stack([p[0] for p in parts])
    return draws_psi @ weights_matrix + draws_basis @ coef


def _cohort_slots(cohorts: np.ndarray, glist: np.ndarray) -> np.ndarray:
    """Position of each cohort value in ``glist``; ``len(glist)`` (the slot of never-treated
    and unused cohorts) for values not in it."""
    pos = np.searchsorted(glist, cohorts)
    found = (pos < len(glist)) & (glist[np.minimum(pos, len(glist) - 1)] == cohorts)
    return np.where(found, pos, len(glist))
