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
from typing import Any

import numpy as np
import pandas as pd

from .idcodes import missing_count, string_codes
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
    # rows grouped by (period, cohort), built on first use by the cells (cs_cells.row_groups)
    groups: Any = None


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
    u_col = data[unit]
    # numpy-typed ids as an array; extension columns (Arrow strings, categoricals) stay as they
    # are: converting Arrow strings to Python objects would cost more than coding them
    u_raw = u_col.to_numpy() if isinstance(u_col.dtype, np.dtype) else None
    # Fast path: rows sorted by unit then period, every unit with the same periods.
    first = t_raw[: min(n_rows, 64)]
    n_t = int(np.argmax(first[1:] <= first[:-1]) + 1) if (first[1:] <= first[:-1]).any() else 0
    if n_t > 1 and n_rows % n_t == 0 and u_raw is not None and u_raw.dtype.kind in "iuf":
        times = t_raw[:n_t]
        tt = t_raw.reshape(-1, n_t)
        uu = u_raw.reshape(-1, n_t)
        heads = uu[:, 0]
        if (tt == times).all() and (uu == heads[:, None]).all() and (heads[1:] > heads[:-1]).all():
            n_units = n_rows // n_t
            u_code = np.repeat(np.arange(n_units), n_t)
            t_code = np.tile(np.arange(n_t), n_units)
            return u_code, t_code, heads, times, True
    if missing_count(data[unit]):
        bad = pd.isna(data[unit]).to_numpy()
        raise ValueError(
            f"callaway_santanna: missing unit ids in column {unit!r} (rows {_rows(data, bad)})"
        )
    if u_raw is None:
        coded = string_codes(u_col)
    else:
        coded = string_codes(u_raw) if u_raw.dtype == object else None
    u_code, labels = coded if coded is not None else pd.factorize(u_col, sort=False)
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
    covariates = list(covariates or [])
    raw = _read_columns(data, outcome, unit, time, cohort, covariates, weights, cluster)
    piv = _Pivot.of(data, unit, time, raw["t"])
    notes: list[str] = []
    unbalanced_long = not piv.balanced and allow_unbalanced
    keep = _observed_units(piv, allow_unbalanced, notes)
    g_unit = _unit_cohorts(piv, raw["g"], keep, cohort, anticipation)
    c_unit, c_labels = _unit_clusters(data, piv, keep, cluster)
    times_idx, latest = _periods(piv.times, g_unit, keep, control_group, anticipation, notes)
    keep &= ~_early_units(piv.times[times_idx[0]], g_unit, keep, anticipation, notes)
    sel = _Selection.of(g_unit, keep, times_idx, piv)
    if unbalanced_long:
        return _long_panel(piv, sel, g_unit, raw, c_unit, c_labels, cluster, latest, notes)
    y = sel.take_matrix(piv.pivot(raw["y"]))
    times_kept = piv.times[times_idx]
    g_sorted = g_unit[sel.order]
    x = None
    if covariates:
        mats = [piv.pivot(v) for v in raw["x"]]
        if all(piv.invariant(m)[keep].all() for m in mats):
            x = [np.asfortranarray(np.column_stack([sel.take_unit(m) for m in mats]))]
        else:
            cols = [sel.take_matrix(m) for m in mats]
            x = [
                np.asfortranarray(np.column_stack([c[:, p] for c in cols]))
                for p in range(len(times_kept))
            ]
    w = None if raw["w"] is None else _period_weights(piv, sel, raw["w"], keep, notes)
    if cluster is not None:
        c_unit, c_labels = _used_clusters(c_unit[sel.order], c_labels, cluster)
    return Panel(
        units=np.asarray(piv.labels)[sel.order],
        cohort=g_sorted,
        times=times_kept,
        y=y,
        x=x,
        w=w,
        cluster=c_unit,
        cluster_labels=c_labels,
        blocks=_cohort_blocks(g_sorted),
        nobs=len(sel.order) * len(times_kept),
        latest_control=latest,
        notes=notes,
    )


def _read_columns(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    covariates: list[str],
    weights: str | None,
    cluster: str | None,
) -> dict[str, Any]:
    """The numeric columns as float arrays (``t``, ``y``, ``g``, ``x`` list, ``w``), checked:
    present, numeric, no missing values (a missing cohort means never treated), weights not
    negative and not all zero, cohorts not negative."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError("callaway_santanna: data must be a pandas DataFrame")
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
    return {"t": t_raw, "y": y_raw, "g": g_raw, "x": x_raw, "w": w_raw}


@dataclass
class _Pivot:
    """Unit and period codes of the rows, and the units x periods views built from them."""

    u_code: np.ndarray
    t_code: np.ndarray
    labels: np.ndarray
    times: np.ndarray
    ordered: bool  # rows unit-major, period-minor, one per unit and period
    counts: np.ndarray | None  # rows per unit x period cell (None when ordered)
    balanced: bool

    @classmethod
    def of(cls, data: pd.DataFrame, unit: str, time: str, t_raw: np.ndarray) -> _Pivot:
        u_code, t_code, labels, times, ordered = _pivot_codes(data, unit, t_raw)
        n_units, n_t = len(labels), len(times)
        if n_t < 2:
            raise ValueError(f"callaway_santanna: column {time!r} has fewer than two periods")
        if ordered:  # the fast path proved one row per unit and period
            return cls(u_code, t_code, labels, times, True, None, True)
        cell = u_code * n_t + t_code
        counts = np.bincount(cell, minlength=n_units * n_t)
        if (counts > 1).any():
            dup = counts[cell] > 1
            raise ValueError(
                f"callaway_santanna: units observed more than once in a period ({unit!r} x "
                f"{time!r}; rows {_rows(data, dup)})"
            )
        return cls(u_code, t_code, labels, times, False, counts, len(cell) == n_units * n_t)

    @property
    def n_units(self) -> int:
        return len(self.labels)

    def pivot(self, values: np.ndarray) -> np.ndarray:
        """A row column as a units x periods matrix (NaN where a unit is not observed)."""
        n_units, n_t = self.n_units, len(self.times)
        if self.ordered:  # rows already unit-major, period-minor: reshape without a scatter
            return values.reshape(n_units, n_t)
        out = np.full((n_units, n_t), np.nan)
        out[self.u_code, self.t_code] = values
        return out

    def invariant(self, mat: np.ndarray) -> np.ndarray:
        """Per unit: whether the (observed) values are the same in every period."""
        if self.balanced:
            return (mat == mat[:, :1]).all(axis=1)
        hi = np.nanmax(np.where(np.isnan(mat), -np.inf, mat), axis=1)
        lo = np.nanmin(np.where(np.isnan(mat), np.inf, mat), axis=1)
        return hi == lo

    def first_observed(self, mat: np.ndarray) -> np.ndarray:
        """Per unit: the value of a time-invariant column."""
        if self.balanced:
            return mat[:, 0].copy()
        return np.nanmax(np.where(np.isnan(mat), -np.inf, mat), axis=1)


def _observed_units(piv: _Pivot, allow_unbalanced: bool, notes: list[str]) -> np.ndarray:
    """Units kept for observation: all of them on a balanced panel or with
    ``allow_unbalanced`` (noted), otherwise those observed in every period (R's default)."""
    keep = np.ones(piv.n_units, dtype=bool)
    if piv.balanced:
        return keep
    if allow_unbalanced:
        notes.append(
            "unbalanced panel kept (allow_unbalanced): each ATT(g,t) is a repeated-cross-"
            "section comparison of the observations in its two periods, influence functions "
            "summed by unit (R did's allow_unbalanced_panel = TRUE)"
        )
        return keep
    observed = piv.counts.reshape(piv.n_units, len(piv.times)) > 0
    keep = observed.all(axis=1)
    dropped = int((~keep).sum())
    message = (
        f"{dropped} of {piv.n_units} units are not observed in every period and were dropped "
        "(balanced-panel estimator, as R did's att_gt with panel=TRUE)"
    )
    warnings.warn(message, CSDataWarning, stacklevel=4)
    notes.append(message)
    if not keep.any():
        raise ValueError("callaway_santanna: no unit is observed in every period")
    return keep


def _unit_cohorts(
    piv: _Pivot, g_raw: np.ndarray, keep: np.ndarray, cohort: str, anticipation: int
) -> np.ndarray:
    """The cohort of every unit (constant within unit, checked); cohorts after the last
    period plus anticipation are never treated within the window (0)."""
    g_mat = piv.pivot(g_raw)
    varying = keep & ~piv.invariant(g_mat)
    if varying.any():
        raise ValueError(
            f"callaway_santanna: cohort column {cohort!r} varies within units "
            f"{piv.labels[varying][:5].tolist()}; it must be the unit's first treated period "
            "(treatment is irreversible)"
        )
    g_unit = piv.first_observed(g_mat)
    return np.where(g_unit > piv.times[-1] + anticipation, 0.0, g_unit)


def _unit_clusters(
    data: pd.DataFrame, piv: _Pivot, keep: np.ndarray, cluster: str | None
) -> tuple[np.ndarray | None, Any]:
    """Cluster code per unit and the labels (None without clusters); clusters must be
    time-invariant within unit and have no missing values."""
    if cluster is None:
        return None, None
    if pd.isna(data[cluster]).any():
        bad = pd.isna(data[cluster]).to_numpy()
        raise ValueError(
            f"callaway_santanna: missing values in cluster column {cluster!r} "
            f"(rows {_rows(data, bad)})"
        )
    c_code, c_labels = pd.factorize(data[cluster], sort=True)
    c_mat = piv.pivot(c_code.astype(float))
    if (keep & ~piv.invariant(c_mat)).any():
        raise ValueError(
            f"callaway_santanna: cluster column {cluster!r} varies within units; "
            "clusters must be time-invariant"
        )
    return piv.first_observed(c_mat).astype(np.int64), c_labels


def _periods(
    times: np.ndarray,
    g_unit: np.ndarray,
    keep: np.ndarray,
    control_group: str,
    anticipation: int,
    notes: list[str],
) -> tuple[np.ndarray, float | None]:
    """The periods kept and the last cohort when it serves only as a comparison: without
    never-treated units, periods from its treatment on are dropped (as R ``did``)."""
    if (g_unit[keep] == 0).any():
        return np.arange(len(times)), None
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
    warnings.warn(message, CSDataWarning, stacklevel=4)
    notes.append(message)
    return np.flatnonzero(t_keep), latest


def _early_units(
    first_period: float,
    g_unit: np.ndarray,
    keep: np.ndarray,
    anticipation: int,
    notes: list[str],
) -> np.ndarray:
    """Kept units already treated in the first period (plus anticipation): they have no
    pre-period and are dropped, with a warning (as R ``did``)."""
    early = keep & (g_unit > 0) & (g_unit <= first_period + anticipation)
    if early.any():
        message = (
            f"{int(early.sum())} units already treated in the first period {first_period:g}"
            + (f" (with anticipation {anticipation})" if anticipation else "")
            + " have no pre-period and were dropped (as R did)"
        )
        warnings.warn(message, CSDataWarning, stacklevel=4)
        notes.append(message)
    return early


@dataclass
class _Selection:
    """The kept units in cohort order (never-treated last) and the kept periods."""

    order: np.ndarray  # kept units, cohorts ascending, input order within a cohort
    times_idx: np.ndarray
    identity: bool  # every unit kept, already in order
    all_times: bool
    balanced: bool

    @classmethod
    def of(
        cls, g_unit: np.ndarray, keep: np.ndarray, times_idx: np.ndarray, piv: _Pivot
    ) -> _Selection:
        # Cohorts are few, so a stable sort of small integer codes does it in O(n).
        g_codes, g_values = pd.factorize(np.where(g_unit == 0, np.inf, g_unit), sort=True)
        sort_codes = np.where(keep, g_codes, len(g_values)).astype(
            np.int16 if len(g_values) < 32000 else np.int64
        )
        order = np.argsort(sort_codes, kind="stable")[: int(keep.sum())]
        identity = len(order) == piv.n_units and bool((order[1:] > order[:-1]).all())
        return cls(order, times_idx, identity, len(times_idx) == len(piv.times), piv.balanced)

    def take_matrix(self, mat: np.ndarray) -> np.ndarray:
        """Rows in cohort order, kept periods, each period contiguous (Fortran order)."""
        sub = mat if self.identity else np.take(mat, self.order, axis=0)
        if not self.all_times:
            sub = sub[:, self.times_idx]
        return np.asfortranarray(sub)

    def take_unit(self, mat: np.ndarray) -> np.ndarray:
        """A time-invariant column in cohort order."""
        if self.balanced:
            col = mat[:, 0]
        else:
            col = np.nanmax(np.where(np.isnan(mat), -np.inf, mat), axis=1)
        return np.ascontiguousarray(col if self.identity else col[self.order])


def _period_weights(
    piv: _Pivot, sel: _Selection, w_raw: np.ndarray, keep: np.ndarray, notes: list[str]
) -> list[np.ndarray]:
    """Sampling weights in cohort order: one array when time-invariant, else one per period
    (each 2x2 then uses its earlier period's weights, as R ``did``; noted)."""
    w_mat = piv.pivot(w_raw)
    if piv.invariant(w_mat)[keep].all():
        return [sel.take_unit(w_mat)]
    message = (
        "sampling weights vary over time within units: each 2x2 comparison uses the "
        "earlier period's weights and aggregation uses first-period weights (as R did)"
    )
    warnings.warn(message, CSDataWarning, stacklevel=4)
    notes.append(message)
    w_sorted = sel.take_matrix(w_mat)
    return [np.ascontiguousarray(w_sorted[:, p]) for p in range(w_sorted.shape[1])]


def _cohort_blocks(g_sorted: np.ndarray) -> dict[float, tuple[int, int]]:
    """Cohort -> (start, stop) row range of units sorted by cohort (never-treated, 0, last)."""
    key = np.where(g_sorted == 0, np.inf, g_sorted)
    cuts = np.flatnonzero(key[1:] != key[:-1]) + 1
    return {
        (0.0 if np.isinf(key[a]) else float(key[a])): (int(a), int(b))
        for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(key)], strict=True)
    }


def _used_clusters(c_sorted: np.ndarray, c_labels: Any, cluster: str) -> tuple[np.ndarray, Any]:
    """Cluster codes recoded to the clusters of the kept units (at least two needed)."""
    used, c_unit = np.unique(c_sorted, return_inverse=True)
    if len(used) < 2:
        raise ValueError(
            f"callaway_santanna: cluster column {cluster!r} has a single value; "
            "clustered inference needs at least two clusters"
        )
    return c_unit, np.asarray(c_labels)[used]


def _long_panel(
    piv: _Pivot,
    sel: _Selection,
    g_unit: np.ndarray,
    raw: dict[str, Any],
    c_unit: np.ndarray | None,
    c_labels: Any,
    cluster: str | None,
    latest: float | None,
    notes: list[str],
) -> Panel:
    """The unbalanced panel as observations, units coded in cohort order (never last)."""
    order, times_idx = sel.order, sel.times_idx
    new_code = np.full(len(g_unit), -1, dtype=np.int64)
    new_code[order] = np.arange(len(order))
    period_map = np.full(len(piv.times), -1, dtype=np.int64)
    period_map[times_idx] = np.arange(len(times_idx))
    rows = (new_code[piv.u_code] >= 0) & (period_map[piv.t_code] >= 0)
    unit = new_code[piv.u_code[rows]]
    n = len(order)
    w_rows = np.ones(int(rows.sum())) if raw["w"] is None else raw["w"][rows]
    x = np.column_stack([np.ones(int(rows.sum()))] + [v[rows] for v in raw["x"]])
    counts = np.bincount(unit, minlength=n)
    g_sorted = g_unit[order]
    long = LongPanel(
        unit=unit,
        period=period_map[piv.t_code[rows]],
        y=raw["y"][rows],
        x=x,
        w=w_rows,
        cohort_row=g_sorted[unit],
        cohort=g_sorted,
        unit_weights=np.bincount(unit, weights=w_rows, minlength=n) / counts,
    )
    if cluster is not None:
        c_unit, c_labels = _used_clusters(c_unit[order], c_labels, cluster)
    return Panel(
        units=np.asarray(piv.labels)[order],
        cohort=g_sorted,
        times=piv.times[times_idx],
        y=None,  # type: ignore[arg-type]
        x=None,
        w=None,
        cluster=c_unit,
        cluster_labels=c_labels,
        blocks=_cohort_blocks(g_sorted),
        nobs=int(rows.sum()),
        latest_control=latest,
        notes=notes,
        long=long,
    )
