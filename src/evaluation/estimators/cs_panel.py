"""Panel preparation for Callaway-Sant'Anna: validate a long DataFrame and pivot it once.

Internal module of :func:`~evaluation.estimators.callaway_santanna` (not in the export table).

The long panel becomes a units x periods array with units sorted by cohort (earliest first,
never-treated last), so that every 2x2 comparison of ATT(g,t) reads contiguous row blocks.
The conventions are those of R ``did`` 2.x ``pre_process_did``: cohort 0 or missing is never
treated; cohorts later than the last period plus anticipation count as never treated; units
treated in the first period (plus anticipation) are dropped with a warning; units not observed
in every period are dropped with a warning (R's panel estimator needs a balanced panel).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .inputs import MissingColumnError


@dataclass
class LongPanel:
    """Observations of an unbalanced panel (one row per unit and observed period), kept as
    rows for the repeated-cross-section cells (``allow_unbalanced``)."""

    unit: np.ndarray  # unit code per row (0..n-1)
    period: np.ndarray  # period index per row
    y: np.ndarray
    x: np.ndarray  # rows x k design with intercept
    w: np.ndarray  # row weights
    cohort_row: np.ndarray
    cohort: np.ndarray  # per unit
    unit_weights: np.ndarray  # per unit: mean of its rows' weights (R aggregates by id)


class CSDataWarning(UserWarning):
    """Rows or units were dropped while preparing the panel (R ``did`` does the same)."""


@dataclass
class Panel:
    """A balanced panel pivoted to arrays, units sorted by cohort (never-treated last).

    Attributes
    ----------
    units : unit labels in row order.
    cohort : first treated period per unit (0 = never treated).
    times : sorted periods.
    y : outcome, units x periods (Fortran order: each period's column is contiguous).
    x : per-period design matrices with an intercept column (None without covariates);
        a single shared matrix when the covariates do not vary over time.
    w : per-period sampling weights (None when unweighted); one array when time-invariant.
    cluster : integer cluster code per unit, or None.
    blocks : cohort -> (start, stop) row range.
    """

    units: np.ndarray
    cohort: np.ndarray
    times: np.ndarray
    y: np.ndarray
    x: list[np.ndarray] | None
    w: list[np.ndarray] | None
    cluster: np.ndarray | None
    cluster_labels: np.ndarray | None
    blocks: dict[float, tuple[int, int]]
    nobs: int
    latest_control: float | None = None
    notes: list[str] = field(default_factory=list)
    long: LongPanel | None = None  # unbalanced panel kept as observations (allow_unbalanced)

    @property
    def n(self) -> int:
        return len(self.units)

    def x_at(self, period: int) -> np.ndarray | None:
        if self.x is None:
            return None
        return self.x[0] if len(self.x) == 1 else self.x[period]

    def w_at(self, period: int) -> np.ndarray | None:
        if self.w is None:
            return None
        return self.w[0] if len(self.w) == 1 else self.w[period]


def _rows(data: pd.DataFrame, mask: np.ndarray, limit: int = 5) -> str:
    idx = list(data.index[np.flatnonzero(mask)[:limit]])
    more = int(mask.sum()) - len(idx)
    return f"{idx}" + (f" and {more} more" if more > 0 else "")


def _numeric(data: pd.DataFrame, column: str, role: str) -> np.ndarray:
    series = data[column]
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise TypeError(
            f"callaway_santanna: the {role} column {column!r} must be numeric "
            f"(got dtype {series.dtype}); convert it (e.g. years as integers)"
        )
    return series.to_numpy(dtype=float, na_value=np.nan)


def _check_missing(data: pd.DataFrame, values: np.ndarray, column: str, role: str) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(
            f"callaway_santanna: {int(bad.sum())} missing or non-finite values in the {role} "
            f"column {column!r} (rows {_rows(data, bad)}); drop or impute them first"
        )


def _pivot_codes(
    data: pd.DataFrame, unit: str, t_raw: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    """Unit codes, period codes, unit labels, periods, and whether rows are unit-major."""
    n_rows = len(t_raw)
    u_raw = data[unit].to_numpy()
    # Fast path: rows sorted by unit then period, every unit with the same periods.
    first = t_raw[: min(n_rows, 64)]
    n_t = int(np.argmax(first[1:] <= first[:-1]) + 1) if (first[1:] <= first[:-1]).any() else 0
    if n_t > 1 and n_rows % n_t == 0 and u_raw.dtype.kind in "iuf":
        times = t_raw[:n_t]
        tt = t_raw.reshape(-1, n_t)
        uu = u_raw.reshape(-1, n_t)
        heads = uu[:, 0]
        if (tt == times).all() and (uu == heads[:, None]).all() and (heads[1:] > heads[:-1]).all():
            n_units = n_rows // n_t
            u_code = np.repeat(np.arange(n_units), n_t)
            t_code = np.tile(np.arange(n_t), n_units)
            return u_code, t_code, heads, times, True
    if pd.isna(data[unit]).any():
        bad = pd.isna(data[unit]).to_numpy()
        raise ValueError(
            f"callaway_santanna: missing unit ids in column {unit!r} (rows {_rows(data, bad)})"
        )
    u_code, labels = pd.factorize(data[unit], sort=False)
    times = np.unique(t_raw)
    t_code = np.searchsorted(times, t_raw)
    return u_code.astype(np.int64), t_code, np.asarray(labels), times, False


def prepare_panel(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    covariates: Sequence[str] | None,
    weights: str | None,
    cluster: str | None,
    anticipation: int,
    control_group: str,
    allow_unbalanced: bool = False,
) -> Panel:
    """Validate ``data`` and pivot it to a :class:`Panel` (see module docstring)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError("callaway_santanna: data must be a pandas DataFrame")
    covariates = list(covariates or [])
    needed = [outcome, unit, time, cohort, *covariates]
    needed += [c for c in (weights, cluster) if c is not None]
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        raise MissingColumnError(
            f"callaway_santanna: columns {missing} not found in data "
            f"(available: {list(data.columns)})"
        )
    if len(data) == 0:
        raise ValueError("callaway_santanna: data has no rows")
    notes: list[str] = []

    t_raw = _numeric(data, time, "time")
    _check_missing(data, t_raw, time, "time")
    y_raw = _numeric(data, outcome, "outcome")
    _check_missing(data, y_raw, outcome, "outcome")
    g_raw = _numeric(data, cohort, "cohort")
    g_raw = np.where(np.isnan(g_raw), 0.0, g_raw)  # missing cohort = never treated
    if np.isinf(g_raw).any():
        g_raw = np.where(np.isinf(g_raw), 0.0, g_raw)
    x_raw = []
    for c in covariates:
        v = _numeric(data, c, "covariate")
        _check_missing(data, v, c, "covariate")
        x_raw.append(v)
    w_raw = None
    if weights is not None:
        w_raw = _numeric(data, weights, "weights")
        _check_missing(data, w_raw, weights, "weights")
        if (w_raw < 0).any():
            bad = w_raw < 0
            raise ValueError(
                f"callaway_santanna: negative sampling weights in column {weights!r} "
                f"(rows {_rows(data, bad)})"
            )
        if w_raw.mean() <= 0:
            raise ValueError(f"callaway_santanna: weights column {weights!r} sums to zero")
    if (g_raw < 0).any():
        bad = g_raw < 0
        raise ValueError(
            f"callaway_santanna: negative cohort values in column {cohort!r} (rows "
            f"{_rows(data, bad)}); expected the first treated period, or 0/missing for never"
        )

    u_code, t_code, labels, times, ordered = _pivot_codes(data, unit, t_raw)
    n_units, n_t = len(labels), len(times)
    if n_t < 2:
        raise ValueError(f"callaway_santanna: column {time!r} has fewer than two periods")
    if ordered:  # the fast path proved one row per unit and period
        counts = None
        balanced = True
    else:
        cell = u_code * n_t + t_code
        counts = np.bincount(cell, minlength=n_units * n_t)
        if (counts > 1).any():
            dup = counts[cell] > 1
            raise ValueError(
                f"callaway_santanna: units observed more than once in a period ({unit!r} x "
                f"{time!r}; rows {_rows(data, dup)})"
            )
        balanced = len(cell) == n_units * n_t

    def pivot(values: np.ndarray) -> np.ndarray:
        if ordered:  # rows already unit-major, period-minor: reshape without a scatter
            return values.reshape(n_units, n_t)
        out = np.full((n_units, n_t), np.nan)
        out[u_code, t_code] = values
        return out

    def invariant(mat: np.ndarray) -> np.ndarray:
        """Per unit: whether the (observed) values are the same in every period."""
        if balanced:
            return (mat == mat[:, :1]).all(axis=1)
        hi = np.nanmax(np.where(np.isnan(mat), -np.inf, mat), axis=1)
        lo = np.nanmin(np.where(np.isnan(mat), np.inf, mat), axis=1)
        return hi == lo

    def first_observed(mat: np.ndarray) -> np.ndarray:
        if balanced:
            return mat[:, 0].copy()
        return np.nanmax(np.where(np.isnan(mat), -np.inf, mat), axis=1)

    g_mat = pivot(g_raw)
    keep = np.ones(n_units, dtype=bool)
    unbalanced_long = not balanced and allow_unbalanced
    if unbalanced_long:
        message = (
            "unbalanced panel kept (allow_unbalanced): each ATT(g,t) is a repeated-cross-"
            "section comparison of the observations in its two periods, influence functions "
            "summed by unit (R did's allow_unbalanced_panel = TRUE)"
        )
        notes.append(message)
    elif not balanced:
        observed = counts.reshape(n_units, n_t) > 0
        keep = observed.all(axis=1)
        dropped = int((~keep).sum())
        message = (
            f"{dropped} of {n_units} units are not observed in every period and were dropped "
            "(balanced-panel estimator, as R did's att_gt with panel=TRUE)"
        )
        warnings.warn(message, CSDataWarning, stacklevel=3)
        notes.append(message)
        if not keep.any():
            raise ValueError("callaway_santanna: no unit is observed in every period")
    varying = keep & ~invariant(g_mat)
    if varying.any():
        raise ValueError(
            f"callaway_santanna: cohort column {cohort!r} varies within units "
            f"{labels[varying][:5].tolist()}; it must be the unit's first treated period "
            "(treatment is irreversible)"
        )
    g_unit = first_observed(g_mat)

    # cohorts after the last period (+ anticipation) are never treated within the window
    g_unit = np.where(g_unit > times[-1] + anticipation, 0.0, g_unit)

    # clusters must be time-invariant within unit
    c_unit = c_labels = None
    if cluster is not None:
        if pd.isna(data[cluster]).any():
            bad = pd.isna(data[cluster]).to_numpy()
            raise ValueError(
                f"callaway_santanna: missing values in cluster column {cluster!r} "
                f"(rows {_rows(data, bad)})"
            )
        c_code, c_labels = pd.factorize(data[cluster], sort=True)
        c_mat = pivot(c_code.astype(float))
        if (keep & ~invariant(c_mat)).any():
            raise ValueError(
                f"callaway_santanna: cluster column {cluster!r} varies within units; "
                "clusters must be time-invariant"
            )
        c_unit = first_observed(c_mat).astype(np.int64)

    if not (g_unit[keep] == 0).any():
        if control_group == "never":
            raise ValueError(
                "callaway_santanna: no never-treated units (cohort 0 or missing, or first "
                "treated after the last period) to serve as controls with "
                "control_group='never'; use control_group='not_yet' (the last-treated cohort "
                "then serves as control and later periods are dropped, as in R did)"
            )
        latest = g_unit[keep].max()
        cutoff = latest - anticipation
        t_keep = times < cutoff
        if t_keep.sum() < 2:
            raise ValueError(
                "callaway_santanna: no never-treated units and fewer than two periods before "
                "the last cohort is treated: no not-yet-treated comparison is available"
            )
        message = (
            f"no never-treated units: periods from {cutoff:g} on are dropped and cohort "
            f"{latest:g} serves only as a not-yet-treated control (as R did)"
        )
        warnings.warn(message, CSDataWarning, stacklevel=3)
        notes.append(message)
        times_idx = np.flatnonzero(t_keep)
    else:
        times_idx = np.arange(n_t)
        latest = None

    first_period = times[times_idx[0]]
    early = keep & (g_unit > 0) & (g_unit <= first_period + anticipation)
    if early.any():
        n_early = int(early.sum())
        message = (
            f"{n_early} units already treated in the first period {first_period:g}"
            + (f" (with anticipation {anticipation})" if anticipation else "")
            + " have no pre-period and were dropped (as R did)"
        )
        warnings.warn(message, CSDataWarning, stacklevel=3)
        notes.append(message)
        keep &= ~early

    # sort units: cohorts ascending, never-treated last (stable: input order within cohort).
    # Cohorts are few, so a radix sort of small integer codes does it in O(n).
    g_codes, g_values = pd.factorize(np.where(g_unit == 0, np.inf, g_unit), sort=True)
    sort_codes = np.where(keep, g_codes, len(g_values)).astype(
        np.int16 if len(g_values) < 32000 else np.int64
    )
    order = np.argsort(sort_codes, kind="stable")[: int(keep.sum())]
    identity = len(order) == n_units and bool((order[1:] > order[:-1]).all())
    all_times = len(times_idx) == n_t

    def take_matrix(mat: np.ndarray) -> np.ndarray:
        """Rows in cohort order, kept periods, each period contiguous (Fortran order)."""
        sub = mat if identity else np.take(mat, order, axis=0)
        if not all_times:
            sub = sub[:, times_idx]
        return np.asfortranarray(sub)

    def take_unit(mat: np.ndarray) -> np.ndarray:
        """A time-invariant column in cohort order."""
        col = mat[:, 0] if balanced else first_observed(mat)
        return np.ascontiguousarray(col if identity else col[order])

    if unbalanced_long:
        return _long_panel(
            locals_=dict(
                u_code=u_code, t_code=t_code, order=order, times=times, times_idx=times_idx,
                g_unit=g_unit, y_raw=y_raw, x_raw=x_raw, w_raw=w_raw, labels=labels,
                c_unit=c_unit, c_labels=c_labels, cluster=cluster, latest=latest, notes=notes,
            )
        )  # fmt: skip
    y = take_matrix(pivot(y_raw))
    times_kept = times[times_idx]
    g_sorted = g_unit[order]

    x = None
    if covariates:
        mats = [pivot(v) for v in x_raw]
        if all(invariant(m)[keep].all() for m in mats):
            x = [np.asfortranarray(np.column_stack([take_unit(m) for m in mats]))]
        else:
            cols = [take_matrix(m) for m in mats]
            x = [
                np.asfortranarray(np.column_stack([c[:, p] for c in cols]))
                for p in range(len(times_kept))
            ]
    w = None
    if w_raw is not None:
        w_mat = pivot(w_raw)
        if invariant(w_mat)[keep].all():
            w = [take_unit(w_mat)]
        else:
            message = (
                "sampling weights vary over time within units: each 2x2 comparison uses the "
                "earlier period's weights and aggregation uses first-period weights (as R did)"
            )
            warnings.warn(message, CSDataWarning, stacklevel=3)
            notes.append(message)
            w_sorted = take_matrix(w_mat)
            w = [np.ascontiguousarray(w_sorted[:, p]) for p in range(w_sorted.shape[1])]

    # contiguous cohort blocks (units are sorted by cohort, never-treated last)
    key = np.where(g_sorted == 0, np.inf, g_sorted)
    cuts = np.flatnonzero(key[1:] != key[:-1]) + 1
    starts = np.r_[0, cuts]
    stops = np.r_[cuts, len(key)]
    blocks = {
        (0.0 if np.isinf(key[a]) else float(key[a])): (int(a), int(b))
        for a, b in zip(starts, stops, strict=True)
    }

    if cluster is not None:
        c_unit = c_unit[order]
        used, c_unit = np.unique(c_unit, return_inverse=True)
        c_labels = np.asarray(c_labels)[used]
        if len(used) < 2:
            raise ValueError(
                f"callaway_santanna: cluster column {cluster!r} has a single value; "
                "clustered inference needs at least two clusters"
            )

    return Panel(
        units=np.asarray(labels)[order],
        cohort=g_sorted,
        times=times_kept,
        y=y,
        x=x,
        w=w,
        cluster=c_unit,
        cluster_labels=c_labels,
        blocks=blocks,
        nobs=len(order) * len(times_kept),
        latest_control=latest,
        notes=notes,
    )


def _long_panel(locals_: dict) -> Panel:
    """The unbalanced panel as observations, units coded in cohort order (never last)."""
    u_code, t_code, order = locals_["u_code"], locals_["t_code"], locals_["order"]
    times, times_idx, g_unit = locals_["times"], locals_["times_idx"], locals_["g_unit"]
    n_all = len(g_unit)
    new_code = np.full(n_all, -1, dtype=np.int64)
    new_code[order] = np.arange(len(order))
    period_map = np.full(len(times), -1, dtype=np.int64)
    period_map[times_idx] = np.arange(len(times_idx))
    rows = (new_code[u_code] >= 0) & (period_map[t_code] >= 0)
    unit = new_code[u_code[rows]]
    n = len(order)
    w_rows = np.ones(int(rows.sum())) if locals_["w_raw"] is None else locals_["w_raw"][rows]
    x = np.column_stack([np.ones(int(rows.sum()))] + [v[rows] for v in locals_["x_raw"]])
    counts = np.bincount(unit, minlength=n)
    g_sorted = g_unit[order]
    long = LongPanel(
        unit=unit,
        period=period_map[t_code[rows]],
        y=locals_["y_raw"][rows],
        x=x,
        w=w_rows,
        cohort_row=g_sorted[unit],
        cohort=g_sorted,
        unit_weights=np.bincount(unit, weights=w_rows, minlength=n) / counts,
    )
    key = np.where(g_sorted == 0, np.inf, g_sorted)
    cuts = np.flatnonzero(key[1:] != key[:-1]) + 1
    blocks = {
        (0.0 if np.isinf(key[a]) else float(key[a])): (int(a), int(b))
        for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(key)], strict=True)
    }
    c_unit, c_labels = locals_["c_unit"], locals_["c_labels"]
    if locals_["cluster"] is not None:
        used, c_unit = np.unique(c_unit[order], return_inverse=True)
        c_labels = np.asarray(c_labels)[used]
        if len(used) < 2:
            raise ValueError(
                f"callaway_santanna: cluster column {locals_['cluster']!r} has a single value; "
                "clustered inference needs at least two clusters"
            )
    return Panel(
        units=np.asarray(locals_["labels"])[order],
        cohort=g_sorted,
        times=times[times_idx],
        y=None,  # type: ignore[arg-type]
        x=None,
        w=None,
        cluster=c_unit,
        cluster_labels=c_labels,
        blocks=blocks,
        nobs=int(rows.sum()),
        latest_control=locals_["latest"],
        notes=locals_["notes"],
        long=long,
    )
