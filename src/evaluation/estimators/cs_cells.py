"""The ATT(g,t) cells of Callaway & Sant'Anna (2021): which 2x2 comparisons, and their estimates.

Internal module of :func:`~evaluation.estimators.callaway_santanna` (not in the export table).
Every cell compares cohort g with its comparison group between period t and a base period,
with the Sant'Anna-Zhao (2020) estimators of :mod:`.santanna_zhao`:

* balanced panels (R ``did``'s default): the panel kernels (:func:`~.santanna_zhao.att_2x2`) on
  contiguous cohort blocks of the units x periods array; the outcome-free part of a fit
  (propensity score, regression design) is shared by the cells with the same cohort,
  comparison group and covariate/weight period;
* unbalanced panels kept (``allow_unbalanced``, R's ``allow_unbalanced_panel = TRUE``): each
  cell is a repeated-cross-section 2x2 on the observations of cohort g and of the comparison
  group in the two periods (``drdid_rc``, ``std_ipw_did_rc``, ``reg_did_rc``; covariates and
  weights of each observation's own period). Its influence function, one entry per
  observation and rescaled by n / n_gt (n = units, n_gt = observations in the cell), is
  summed by unit, as R does (``rowsum`` by id). The observations are sorted once by (period,
  cohort), so a cell is a few contiguous slices, and the ``dr`` cells use
  :func:`dr_rc_blocks`, the reference ``drdid_rc`` reorganised into per-block sums (equal to
  rounding; tested in tests/test_cs_rc_kernel.py).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .cs_panel import LongPanel, Panel
from .santanna_zhao import (
    EstimationFailure,
    Part,
    att_2x2,
    dr_rc_blocks,
    dr_rc_cell,
    nuisance,
    reg_did_rc,
    std_ipw_did_rc,
)

_NUISANCE_CACHE = 64  # outcome-free fits kept at once (cells sharing them are adjacent)


class CSCellWarning(UserWarning):
    """An ATT(g,t) could not be estimated (no units, no overlap, singular design)."""


def cell_list(
    panel: Panel, glist: np.ndarray, base_period: str, anticipation: int
) -> Iterator[tuple[float, int, int]]:
    """(g, current period index, base period index) for every cell, in R ``did``'s order.

    ``base_period="varying"``: pre-treatment cells compare t with t - 1, post-treatment cells
    with g - 1 - anticipation; ``"universal"``: every cell with g - 1 - anticipation.
    """
    times = panel.times
    varying = base_period == "varying"
    for g in glist:
        before = np.flatnonzero(times + anticipation < g)
        pret_g = int(before[-1])
        for cur in range(1 if varying else 0, len(times)):
            if g <= times[cur] or not varying:
                base = pret_g
            else:
                base = cur - 1
            yield float(g), cur, base


def merge_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted row ranges with adjacent ones joined."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if out and out[-1][1] == s:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def gather(arr: np.ndarray | None, ranges: list[tuple[int, int]]) -> np.ndarray | None:
    """The rows of ``arr`` in ``ranges``, concatenated (a view when there is one range)."""
    if arr is None:
        return None
    if len(ranges) == 1:
        s, e = ranges[0]
        return arr[s:e]
    return np.concatenate([arr[s:e] for s, e in ranges])


def estimate_cells(
    panel: Panel,
    cells: list[tuple[float, int, int]],
    *,
    method: str,
    control: str,
    anticipation: int,
) -> tuple[np.ndarray, np.ndarray]:
    """ATT(g,t) of every cell and the units x cells influence functions (R's scale).

    A cell that cannot be estimated (no comparison units, no overlap, singular design) is
    left NaN with a :class:`CSCellWarning`; a universal base period's reference cell is 0.
    """
    times = panel.times
    n = panel.n
    psi = np.zeros((n, len(cells)), order="F")
    att = np.full(len(cells), np.nan)
    cache: dict[tuple, tuple] = {}
    for k, (g, cur, base) in enumerate(cells):
        if cur == base:  # universal base period: the reference cell is 0 by construction
            att[k] = 0.0
            continue
        threshold = times[max(cur, base)] + anticipation
        ctrl = comparison_blocks(panel, g, control, threshold)
        label = f"ATT({g:g},{times[cur]:g})"
        if not ctrl:
            warnings.warn(
                f"{label}: no available comparison units; left as NaN", CSCellWarning, stacklevel=3
            )
            continue
        try:
            if panel.long is not None:
                ctrl = comparison_cohorts(panel.long, g, control, threshold)
                att[k], psi[:, k] = unbalanced_cell(panel.long, method, g, cur, base, ctrl, n)
            else:
                att[k] = balanced_cell(panel, method, g, cur, base, ctrl, cache, psi[:, k])
        except EstimationFailure as err:
            warnings.warn(f"{label}: {err}; left as NaN", CSCellWarning, stacklevel=3)
    return att, psi


def comparison_blocks(
    panel: Panel, g: float, control: str, threshold: float
) -> list[tuple[int, int]]:
    """Row ranges of the comparison units of cohort g: never treated, or (``not_yet``) also
    first treated after ``threshold`` = max(t, base) + anticipation, cohort g excluded."""
    if control == "never":
        never = panel.blocks.get(0.0)
        ctrl = [never] if never is not None else []
    else:
        ctrl = [rng for c, rng in panel.blocks.items() if (c == 0.0 or c > threshold) and c != g]
    return merge_ranges(ctrl)


def comparison_cohorts(long: LongPanel, g: float, control: str, threshold: float) -> np.ndarray:
    """Flags over the panel's cohorts (``row_groups(long).cohorts``) of the comparison cohorts of
    cohort g (see :func:`comparison_blocks`)."""
    cohorts = row_groups(long).cohorts
    if control == "never":
        return cohorts == 0
    return (cohorts == 0) | ((cohorts > threshold) & (cohorts != g))


def balanced_cell(
    panel: Panel,
    method: str,
    g: float,
    cur: int,
    base: int,
    ctrl: list[tuple[int, int]],
    cache: dict[tuple, tuple],
    psi_col: np.ndarray,
) -> float:
    """ATT(g,t) on a balanced panel; writes its influence function (rescaled by n / n_gt, R's
    ``n/n1``) into ``psi_col``. Covariates and weights are those of the earlier period;
    weights are normalized to mean one over the 2x2 sample (as R)."""
    y = panel.y
    s, e = panel.blocks[g]
    earlier = min(cur, base)
    x_shared = panel.x is not None and len(panel.x) == 1
    w_shared = panel.w is None or len(panel.w) == 1
    key = (g, tuple(ctrl), 0 if x_shared else earlier, 0 if w_shared else earlier)
    t_part = Part(y[s:e, cur] - y[s:e, base], None, None)
    c_part = Part(gather(y[:, cur], ctrl) - gather(y[:, base], ctrl), None, None)
    if key not in cache:
        if len(cache) > _NUISANCE_CACHE:
            cache.clear()
        x_e, w_e = panel.x_at(earlier), panel.w_at(earlier)
        x1 = None if x_e is None else x_e[s:e]
        x0 = gather(x_e, ctrl)
        w1 = w0 = None
        if w_e is not None:
            w1, w0 = w_e[s:e], gather(w_e, ctrl)
            scale = (w1.sum() + w0.sum()) / (len(w1) + len(w0))
            if scale <= 0:
                raise EstimationFailure("sampling weights sum to zero")
            w1, w0 = w1 / scale, w0 / scale
        t_part.z, t_part.w, c_part.z, c_part.w = x1, w1, x0, w0
        cache[key] = (x1, w1, x0, w0, nuisance(method, t_part, c_part))
    x1, w1, x0, w0, nu = cache[key]
    t_part.z, t_part.w, c_part.z, c_part.w = x1, w1, x0, w0
    est, if1, if0 = att_2x2(method, t_part, c_part, nu)
    scale = panel.n / (t_part.n + c_part.n)
    psi_col[s:e] = if1 * scale
    off = 0
    for a, b in ctrl:
        psi_col[a:b] = if0[off : off + (b - a)] * scale
        off += b - a
    return est


def _dr_rc(y, post, d, x, w):
    return dr_rc_cell(y, post, d, x, w)


def _ipw_rc(y, post, d, x, w):
    return std_ipw_did_rc(y, post, d, x, w, overlap_guard=True)


# R did's repeated-cross-section 2x2 estimators, with its overlap guard on the scores
RC_ESTIMATORS = {"dr": _dr_rc, "ipw": _ipw_rc, "reg": reg_did_rc}


@dataclass
class RowGroups:
    """An unbalanced panel's observations sorted by (period, cohort) - stable, so in original
    order within a group - with each group's first row: every cell's observations are then a
    few contiguous slices (built once per panel by :func:`row_groups`)."""

    starts: np.ndarray  # group (period * n_cohorts + cohort index) -> first sorted row
    cohorts: np.ndarray  # sorted distinct cohorts (0 = never treated)
    y: np.ndarray
    z: np.ndarray | None  # covariates without the intercept, column-major
    w: np.ndarray
    unit: np.ndarray


def row_groups(long: LongPanel) -> RowGroups:
    """The observations of ``long`` grouped by (period, cohort), computed on first use."""
    if long.groups is None:
        cohorts = np.unique(long.cohort)
        n_c = len(cohorts)
        key = long.period * n_c + np.searchsorted(cohorts, long.cohort_row)
        n_groups = (int(long.period.max()) + 1) * n_c if len(key) else 0
        # few groups: 16-bit keys, which numpy's stable sort orders by radix sort
        small = np.int16 if n_groups <= np.iinfo(np.int16).max else key.dtype
        order = np.argsort(key.astype(small, copy=False), kind="stable")
        starts = np.concatenate(([0], np.cumsum(np.bincount(key, minlength=n_groups))))
        k = long.x.shape[1]
        z = np.asfortranarray(long.x[order, 1:]) if k > 1 else None
        long.groups = RowGroups(starts, cohorts, long.y[order], z, long.w[order], long.unit[order])
    return long.groups


def _gather(arr: np.ndarray, slices: list[slice]) -> np.ndarray:
    """Rows of ``arr`` in ``slices``, concatenated (column-major kept for 2-D arrays)."""
    if arr.ndim == 1:
        return np.concatenate([arr[s] for s in slices])
    out = np.empty((sum(s.stop - s.start for s in slices), arr.shape[1]), order="F")
    for j in range(arr.shape[1]):
        np.concatenate([arr[s, j] for s in slices], out=out[:, j])
    return out


def cell_slices(
    groups: RowGroups, g: float, cur: int, base: int, control: np.ndarray
) -> tuple[list[slice], np.ndarray]:
    """Sorted-row slices of one 2x2 cell ordered comparison-base | comparison-current |
    treated-base | treated-current, and the five block edges. ``control`` flags the
    comparison cohorts (over ``groups.cohorts``)."""
    n_c = len(groups.cohorts)
    gi = int(np.searchsorted(groups.cohorts, g))
    ctrl = np.flatnonzero(control).tolist()
    slices, bounds = [], [0]
    for cohort_idx, period in ((ctrl, base), (ctrl, cur), ([gi], base), ([gi], cur)):
        size = 0
        for c in cohort_idx:
            key = period * n_c + c
            a, b = int(groups.starts[key]), int(groups.starts[key + 1])
            if b > a:
                slices.append(slice(a, b))
                size += b - a
        bounds.append(bounds[-1] + size)
    return slices, np.array(bounds)


def unbalanced_cell(
    long: LongPanel,
    method: str,
    g: float,
    cur: int,
    base: int,
    control: np.ndarray,
    n_units: int,
) -> tuple[float, np.ndarray]:
    """ATT(g,t) and its unit-level influence function (length n_units) on an unbalanced panel.

    ``control`` flags the comparison cohorts (over ``row_groups(long).cohorts``: never, or not
    yet treated). The cell's observations are gathered from the (period, cohort) groups in
    four blocks (comparison/treated by base/current period); the estimates do not depend on
    the order of observations (up to rounding), and each unit's at most two entries are
    summed exactly.
    """
    groups = row_groups(long)
    slices, bounds = cell_slices(groups, g, cur, base, control)
    if (np.diff(bounds) == 0).any():
        raise EstimationFailure("no treated or comparison observations in a period")
    y = _gather(groups.y, slices)
    z = None if groups.z is None else _gather(groups.z, slices)
    w = _gather(groups.w, slices)
    w = w / w.mean()
    if RC_ESTIMATORS[method] is _dr_rc:
        att, psi = dr_rc_blocks(y, z, w, bounds)
    else:
        n1 = len(y)
        d = np.zeros(n1)
        d[bounds[2] :] = 1.0
        post = np.zeros(n1)
        post[bounds[1] : bounds[2]] = 1.0
        post[bounds[3] :] = 1.0
        x = np.ones((n1, 1)) if z is None else np.column_stack([np.ones(n1), z])
        att, psi = RC_ESTIMATORS[method](y, post, d, x, w)
    unit = _gather(groups.unit, slices)
    unit_if = np.bincount(unit, weights=psi * (n_units / len(y)), minlength=n_units)
    return att, unit_if
