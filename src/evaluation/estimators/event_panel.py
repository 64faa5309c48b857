"""Shared data preparation for the event-study estimators (:mod:`.dynamic_effects` and
:mod:`.imputation`): input checks, unit/period/cohort coding and endpoint binning of event time.

Internal module (not in the package's export table): its names are public so that the two
estimator modules share them without private imports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.estimators.did import cluster_codes, used_columns, weight_values
from evaluation.estimators.fe_regression import unit_cell_ols
from evaluation.estimators.fixed_effects import factorize, nested_in, presence_codes
from evaluation.estimators.inputs import check_columns, numeric_column, prepare_sample

# --- data preparation --------------------------------------------------------------------


@dataclass
class EventPanel:
    """A long panel coded for the event-study estimators: arrays aligned with the rows kept
    (missing outcomes dropped), unit/period/cohort codes and binned event time."""

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
    tlev: np.ndarray | None = None  # the period of each tcode
    glev: np.ndarray | None = None  # the cohort of each gcode (0 = never treated)


def _is_np_int(column: pd.Series) -> bool:
    """A numpy (not nullable) integer column: integer-valued and never missing."""
    return isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu"


def prepare_event_panel(
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
) -> EventPanel:
    """Check and code ``data`` for an event study (``where`` names the caller in errors).

    Periods must be integers; the cohort (first treated period, 0 or missing = never) must be
    constant within unit; there must be treated units and a cohort with a pre-period. With a
    ``window`` (lo, hi), event times beyond it are binned into the endpoints (fixest
    ``bin.rel`` style) and the binning is stated in the notes.
    """
    used = used_columns(unit, time, covs, fixed_effects, weights, cluster)
    check_columns(data, [outcome, cohort, *used], where)
    sample, notes = prepare_sample(data, outcome, used, where)  # also checks used for NAs
    tvals = _integer_periods(sample, time, where)
    cvals = _cohort_values(sample, cohort, where)
    ucodes, nu = factorize(sample[unit], unit)
    _check_constant_cohort(sample, unit, cohort, ucodes, nu, cvals, where)
    treated = cvals > 0
    if not treated.any():
        raise ValueError(f"{where}: no treated units (cohort {cohort!r} is 0/missing everywhere)")
    gcode, glev = int_codes(cvals)
    tcode, tlev = int_codes(tvals)
    _check_identified(gcode, glev, tcode, tlev, cohort, time, where)
    rel = np.where(treated, tvals - cvals, np.nan)
    if window is not None:
        rel = bin_event_time(rel, window, notes, where)
    X = (
        np.column_stack([numeric_column(sample, c, where) for c in covs])
        if covs
        else np.empty((len(sample), 0))
    )
    return EventPanel(
        sample=sample,
        notes=notes,
        y=numeric_column(sample, outcome, where),
        unit=ucodes,
        time=tvals,
        cohort=cvals,
        rel=rel,
        w=weight_values(sample, weights, where),
        X=X,
        covs=covs,
        fe_extra=[sample[c].to_numpy() for c in fixed_effects],
        fe_extra_names=fixed_effects,
        cluster=cluster_codes(sample, cluster, where),
        tcode=tcode,
        gcode=gcode,
        tlev=tlev,
        glev=glev,
    )


def _integer_periods(sample: pd.DataFrame, time: str, where: str) -> np.ndarray:
    """The period column as floats, checked to hold whole numbers (event time is a difference
    of periods)."""
    tvals = numeric_column(sample, time, where)
    # numpy integer columns hold integers by construction: the rounding checks are skipped
    if not _is_np_int(sample[time]) and not (tvals == np.rint(tvals)).all():
        raise ValueError(f"{where}: time column {time!r} must hold integer periods (e.g. years)")
    return tvals


def _cohort_values(sample: pd.DataFrame, cohort: str, where: str) -> np.ndarray:
    """The first treated period as floats with never treated (0 or missing) coded 0; checked
    numeric, whole and non-negative. Never writes into the caller's frame."""
    coh = sample[cohort]
    if _is_np_int(coh):  # no missing values possible; the float conversion is a copy
        cvals = coh.to_numpy(dtype=float)
        cohort_ok = not (cvals < 0).any()
    else:
        try:
            cvals = pd.to_numeric(coh, errors="raise").to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"{where}: cohort column {cohort!r} must be numeric (first treated period; "
                "0 or missing = never treated)"
            ) from err
        cvals = np.nan_to_num(cvals, nan=0.0)  # a copy: never write into the caller's frame
        cohort_ok = not (cvals < 0).any() and (cvals == np.rint(cvals)).all()
    if not cohort_ok:
        raise ValueError(
            f"{where}: cohort column {cohort!r} must hold non-negative integer periods"
        )
    return cvals


def _check_constant_cohort(
    sample: pd.DataFrame,
    unit: str,
    cohort: str,
    ucodes: np.ndarray,
    nu: int,
    cvals: np.ndarray,
    where: str,
) -> None:
    """A ValueError naming up to five units whose cohort varies between their rows."""
    # compare every row with the value scattered from some row of its unit
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


def _check_identified(
    gcode: np.ndarray,
    glev: np.ndarray,
    tcode: np.ndarray,
    tlev: np.ndarray,
    cohort: str,
    time: str,
    where: str,
) -> None:
    """Every cohort has a pre-period, and the never treated or a second cohort exist: without
    them event-time effects are not separated from period effects."""
    # a cohort observed only from its adoption on has no pre-period: nothing to compare with
    seen = np.bincount(gcode * tlev.size + tcode, minlength=glev.size * tlev.size) > 0
    first_seen = tlev[seen.reshape(glev.size, tlev.size).argmax(axis=1)]
    cohorts = glev[glev > 0].astype(float)
    no_pre = [c for c, f in zip(glev, first_seen, strict=True) if c > 0 and f >= c]
    if no_pre:
        raise ValueError(
            f"{where}: cohort(s) {[as_number(c) for c in no_pre]} of {cohort!r} have no observation "
            f"before adoption (first {time!r} observed >= cohort); drop them or extend the panel"
        )
    if glev[0] > 0 and cohorts.size < 2:
        raise ValueError(
            f"{where}: no never-treated units and a single cohort: event-time effects are not "
            "separately identified from period effects"
        )


def bin_event_time(
    rel: np.ndarray, window: tuple[int, int], notes: list[str], where: str
) -> np.ndarray:
    """Event times beyond ``window = (lo, hi)`` pooled into the endpoints (fixest ``bin.rel``
    style); a note counts the observations pooled at each end."""
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
    return rel


def as_number(v: float) -> int | float:
    """An event time as int when whole (term names and tables print ``-1``, not ``-1.0``)."""
    return int(v) if float(v).is_integer() else float(v)


def event_term(e: float) -> str:
    """The term name of event time ``e`` (``event_time::-1``)."""
    return f"event_time::{as_number(e)}"


# --- regression methods ------------------------------------------------------------------


def dummy_columns(codes: np.ndarray, k: int) -> np.ndarray:
    """(n, k) 0/1 matrix with a one at ``codes`` (rows with code -1 stay zero)."""
    D = np.zeros((codes.size, k))
    rows = np.flatnonzero(codes >= 0)
    D[rows, codes[rows]] = 1.0
    return D


def cohort_cell_fit(
    y: np.ndarray,
    ucodes: np.ndarray,
    nu: int,
    gcode: np.ndarray,
    ng: int,
    tcode: np.ndarray,
    tlev: np.ndarray,
    col_of_cell: np.ndarray,
    names: list[str],
    cell: np.ndarray,
    *,
    covariates: np.ndarray | None,
    cov_names: list[str],
    weights: np.ndarray | None,
    cluster: np.ndarray | None,
    n_clusters: int | None,
    vcov: str,
):
    """``unit_cell_ols`` on cohort x period cells: unit and period effects absorbed, a dummy
    per event-time (or cohort x event-time) column named in ``names`` (the event-study and
    the imputation pre-trend fast paths)."""
    nt = len(tlev)
    unit_group = np.zeros(nu, dtype=np.intp)
    unit_group[ucodes] = gcode
    return unit_cell_ols(
        y,
        ucodes,
        nu,
        unit_group,
        ng,
        tcode,
        nt,
        _cell_design(col_of_cell, nt, len(names)),
        [*(f"fe::time::{v}" for v in tlev), *names],
        covariates=covariates,
        cov_names=cov_names,
        weights=weights,
        cluster=cluster,
        n_clusters=n_clusters,
        vcov=vcov,
        fe_sizes=[nu, nt],
        fe_nested=None if cluster is None else [True, nested_in(tcode, cluster, nt)],
        cell=cell,
    )


def _cell_design(col_of_cell: np.ndarray, nt: int, k: int) -> np.ndarray:
    """Regressors of each cohort x period cell for ``unit_cell_ols``: a dummy for the cell's
    period, then a 1 in the event-time column ``col_of_cell`` names (``-1`` = none of the ``k``).
    """
    n_cells = len(col_of_cell)
    design = np.zeros((n_cells, nt + k))
    design[np.arange(n_cells), np.arange(n_cells) % nt] = 1.0
    hit = np.flatnonzero(col_of_cell >= 0)
    design[hit, nt + col_of_cell[hit]] = 1.0
    return design


def int_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes of integer-valued floats in sorted order, and the sorted levels."""
    # values are validated integer-valued by prepare_event_panel, so a cast is exact
    v = values.astype(np.intp)
    lo = int(v.min())
    codes, levels = presence_codes(v - lo)
    return codes, levels + lo


def sorted_levels(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The level of each dense code (``values`` at some row carrying it)."""
    out = np.empty(int(codes.max()) + 1)
    out[codes] = values
    return out
