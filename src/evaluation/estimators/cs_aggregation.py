"""Aggregation of ATT(g,t) into overall, event-time, cohort and calendar effects, following
R ``did``'s ``compute.aggte``: cohort-share weights ``pg``, the extra influence-function term
for estimated weights (``wif``), ``balance_e`` / ``min_e`` / ``max_e``.

Internal module of :func:`~evaluation.estimators.callaway_santanna` (not in the export table).
"""

from __future__ import annotations

import warnings
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
    tab = res.table
    group = tab["group"].to_numpy(dtype=float)
    time = tab["time"].to_numpy(dtype=float)
    att = tab["estimate"].to_numpy(dtype=float)
    psi_all = res.influence
    usable = np.ones(len(att), dtype=bool)
    if np.isnan(att).any():
        if not na_rm:
            bad = tab.loc[np.isnan(att), "term"].tolist()
            raise ValueError(
                f"aggregate: ATT(g,t) could not be estimated for {bad}; pass na_rm=True "
                "to aggregate the others (R: na.rm = TRUE)"
            )
        usable = ~np.isnan(att)
    n = res.n_units
    glist = np.unique(group[usable])
    w_ind = res.unit_weights
    cohort = res.unit_cohort
    # cohort shares P(G = g), with the first-period sampling weights (R: pg)
    code_ext = _cohort_slots(cohort, glist)  # never/other cohorts -> last slot
    inside = code_ext < len(glist)
    wsum_by_g = np.bincount(code_ext[inside], weights=w_ind[inside], minlength=len(glist))
    pg_g = wsum_by_g / n
    pg_cell = pg_g[np.searchsorted(glist, group)]
    pg_cell[~usable] = 0.0

    def wif_dot(keep: np.ndarray, pg_k: np.ndarray, grp_k: np.ndarray, a: np.ndarray):
        """R's wif(keepers, pg, weights.ind, G, group) %*% a as coefficients, in O(G).

        wif[i, k] = (w_i 1{G_i = g_k} - pg_k) / S - (sum_k' (w_i 1{G_i = g_k'} - pg_k'))
        pg_k / S^2 with S = sum pg_k; its product with a is w_i t(G_i) + c, returned as
        ``[t(g) for g in glist, t(other), c]`` (linear: combinations of terms combine them);
        :func:`wif_vector` gives the n-vector.
        """
        spg = pg_k.sum()
        gi = np.searchsorted(glist, grp_k)
        s_by_g = np.bincount(gi, weights=a, minlength=len(glist) + 1)
        c_by_g = np.bincount(gi, minlength=len(glist) + 1).astype(float)
        pa = (pg_k * a).sum()
        t_by_g = s_by_g / spg - c_by_g * pa / spg**2
        return np.append(t_by_g, -pa / spg + spg * pa / spg**2)

    def wif_vector(coef: np.ndarray) -> np.ndarray:
        return w_ind * coef[:-1][code_ext] + coef[-1]

    n_cells = len(att)

    def combo(keep: np.ndarray, weights: np.ndarray, with_wif: bool):
        """Estimate, cell weights (K-vector) and the estimated-weights IF term."""
        idx = np.flatnonzero(keep)
        a = np.zeros(n_cells)
        if len(idx) == 0:
            return float("nan"), a, np.zeros(len(glist) + 2)
        a[idx] = weights
        extra = wif_dot(keep, pg_cell[idx], group[idx], att[idx]) if with_wif else None
        return float(att[idx] @ weights), a, extra

    post = usable & (group <= time) & (time <= group + max_e)
    labels: list[str] = []
    extra: list[float] = []
    ests: list[float] = []
    cols: list[tuple[np.ndarray, np.ndarray | None]] = []
    kind = {"dynamic": "event_time", "group": "group", "calendar": "time"}.get(type)
    notes = list(res.notes)

    def mean_of(parts: list[tuple[np.ndarray, np.ndarray | None]], share: np.ndarray):
        a = sum(s * p[0] for s, p in zip(share, parts, strict=True))
        extras = [s * p[1] for s, p in zip(share, parts, strict=True) if p[1] is not None]
        return a, (sum(extras) if extras else None)

    if type == "simple":
        w = pg_cell[post] / pg_cell[post].sum()
        est, a, wif = combo(post, w, True)
        overall_est, overall_col = est, (a, wif)
    elif type == "group":
        for g in glist:
            keep = post & (group == g)
            k = int(keep.sum())
            est, a, _ = combo(keep, np.full(k, 1.0 / max(k, 1)), False)
            labels.append(f"g={g:g}")
            extra.append(g)
            ests.append(est)
            cols.append((a, None))
        att_g = np.array(ests)
        share = pg_g / pg_g.sum()
        overall_est = float(att_g @ share)
        a, _ = mean_of(cols, share)
        overall_col = (a, wif_dot(np.ones(len(glist), bool), pg_g, glist, att_g))
    elif type == "dynamic":
        e_cell = time - group
        include = usable.copy()
        eseq = np.unique(e_cell[usable])
        if balance_e is not None:
            t_max = time[usable].max()
            include &= t_max - group >= balance_e
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
        for e in eseq:
            keep = include & (e_cell == e)
            w = pg_cell[keep] / pg_cell[keep].sum()
            est, a, wif = combo(keep, w, True)
            labels.append(f"e={e:g}")
            extra.append(e)
            ests.append(est)
            cols.append((a, wif))
        pos = np.flatnonzero(eseq >= 0)
        if len(pos) == 0:
            overall_est, overall_col = float("nan"), (np.zeros(n_cells), None)
        else:
            overall_est = float(np.mean(np.array(ests)[pos]))
            overall_col = mean_of([cols[i] for i in pos], np.full(len(pos), 1 / len(pos)))
    else:  # calendar
        if np.isfinite(min_e) or np.isfinite(max_e) or balance_e is not None:
            warnings.warn(
                "min_e, max_e and balance_e are ignored for type='calendar' (as R)",
                UserWarning,
                stacklevel=2,
            )
        cal_post = usable & (group <= time)
        periods = np.unique(time[cal_post & (time >= group[usable].min())])
        for t1 in periods:
            keep = cal_post & (time == t1)
            w = pg_cell[keep] / pg_cell[keep].sum()
            est, a, wif = combo(keep, w, True)
            labels.append(f"t={t1:g}")
            extra.append(t1)
            ests.append(est)
            cols.append((a, wif))
        overall_est = float(np.mean(ests))
        overall_col = mean_of(cols, np.full(len(cols), 1 / len(cols)))

    # all aggregated influence functions in one product: psi_all @ A (+ wif terms)
    parts = [*cols, overall_col]
    weights_matrix = np.column_stack([p[0] for p in parts])
    psi = tall_matmul(psi_all, weights_matrix)
    for j, (_, wif) in enumerate(parts):
        if wif is not None:
            psi[:, j] += wif_vector(wif)
    est_all = np.array([*ests, overall_est])
    terms = [*labels, "overall"]
    sums = res._sums(psi)
    se = analytic_se(sums, n)
    crit = None
    if res.bootstrap > 0:
        band = np.arange(len(terms)) < len(labels)  # uniform band over the egt rows
        draws = _aggregate_draws(res, parts, glist)
        se, crit = bootstrap_inference(draws, sums.shape[0], n, res.alpha, band=band)
        crit = crit if labels else float("nan")
    extra_cols: dict[str, list[Any]] = {}
    if kind is not None:
        extra_cols[kind] = [*extra, np.nan]
    table = tidy_frame(terms, est_all, se, alpha=res.alpha, extra=extra_cols)
    if crit is not None and labels and np.isfinite(crit):
        rows = np.arange(len(labels))
        table.loc[rows, "conf_low"] = est_all[rows] - crit * se[rows]
        table.loc[rows, "conf_high"] = est_all[rows] + crit * se[rows]
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
