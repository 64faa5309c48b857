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
  summed by unit, as R does (``rowsum`` by id).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np

from .cs_panel import LongPanel, Panel
from .santanna_zhao import (
    PS_CAP,
    TRIM_LEVEL,
    EstimationFailure,
    Part,
    absent_indicators,
    att_2x2,
    expit,
    fit_logit,
    logit_scores_separated,
    nuisance,
    ps_information_inverse,
    reg_did_rc,
    split_parts,
    std_ipw_did_rc,
    well_conditioned,
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
                ctrl_rows = comparison_rows(panel.long, g, control, threshold)
                att[k], psi[:, k] = unbalanced_cell(panel.long, method, g, cur, base, ctrl_rows, n)
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


def comparison_rows(long: LongPanel, g: float, control: str, threshold: float) -> np.ndarray:
    """Observation mask of the comparison cohorts of cohort g (see :func:`comparison_blocks`)."""
    if control == "never":
        return long.cohort_row == 0
    return (long.cohort_row == 0) | ((long.cohort_row > threshold) & (long.cohort_row != g))


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


CELL_CODES = ("c_pre", "c_post", "t_pre", "t_post")  # code = 2 d + post


def _separated_scores(x: np.ndarray, d: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~.santanna_zhao.logit_scores_separated` with the design split once (it splits
    twice when no indicator level is separated); same calls, same numbers."""
    t, c = split_parts(x, d, w)
    keep, sep_c = absent_indicators(t, c)
    if keep.all() and not sep_c.any():
        beta, _, _ = fit_logit(t, c)
        return expit(x @ beta), keep
    return logit_scores_separated(x, d, w)


def rc_scores(x: np.ndarray, d: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~.santanna_zhao.rc_propensity` with R ``did``'s overlap guard: the guard's
    unweighted logit is the weighted one when every weight is 1, so it is fitted once then."""
    unit_weights = bool((w == 1.0).all())
    if unit_weights:
        ps, keep = _separated_scores(x, d, w)
        guard = ps
    else:
        guard = _separated_scores(x, d, np.ones(len(d)))[0]
    if guard.max(initial=0) >= 0.999:
        raise EstimationFailure("overlap condition violated (propensity score >= 0.999)")
    if not unit_weights:
        ps, keep = _separated_scores(x, d, w)
    return np.minimum(ps, PS_CAP), keep


def _cell_fits(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, cell: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    """OLS (weights ``w``) of y on x within each of the four cells: coefficients (k x 4,
    zero for the treated cells' dropped columns) and the inverse Gram matrices on the columns
    used. Gram and cross-products by one ``bincount`` pass per entry (no row subsets copied)."""
    k = x.shape[1]
    gram = np.empty((4, k, k))
    for j in range(k):
        wx = w * x[:, j]
        for m in range(j, k):
            gram[:, j, m] = gram[:, m, j] = np.bincount(cell, weights=wx * x[:, m], minlength=4)
    wy = w * y
    xty = np.column_stack([np.bincount(cell, weights=wy * x[:, j], minlength=4) for j in range(k)])
    every = np.ones(k, dtype=bool)
    beta = np.zeros((k, 4))
    inverses = []
    for c, name in enumerate(CELL_CODES):
        cols = keep if name.startswith("t_") else every
        g = gram[c][np.ix_(cols, cols)]
        if not well_conditioned(g):
            raise EstimationFailure(f"{name}: singular design (collinear covariates)")
        inv = np.linalg.inv(g)
        beta[cols, c] = inv @ xty[c, cols]
        inverses.append(inv)
    return beta, inverses


def dr_rc_cell(
    y: np.ndarray,
    post: np.ndarray,
    d: np.ndarray,
    x: np.ndarray,
    w: np.ndarray,
    *,
    exact: bool = False,
) -> tuple[float, np.ndarray]:
    """``santanna_zhao.drdid_rc(y, post, d, x, w, exact=exact, overlap_guard=True)`` - R
    ``DRDID::drdid_rc`` (Sant'Anna and Zhao 2020, eq. 3.4, logit MLE and OLS with their
    estimation effects) behind R ``did``'s overlap guard - restructured for the many cells of
    an unbalanced Callaway-Sant'Anna panel: the four cell regressions and every moment are
    per-cell sums (``bincount`` over the cell code ``2 d + post``), and each OLS estimation
    effect ``lin_k @ m`` is the vector ``r_k * (x @ (n G_k^-1 m))`` rather than an n x k
    matrix. Same estimand and formulas as the reference function (equal to rounding, ~1e-15;
    tested); about four times faster on large cells.
    """
    n = len(y)
    ps, keep = rc_scores(x, d, w)
    cell = (2 * d + post).astype(np.intp)
    treated = d == 1
    trim = np.where(treated, True, ps < TRIM_LEVEL)
    beta, inverses = _cell_fits(x, y, w, cell, keep)
    fits = x @ beta  # n x 4: every row's fitted value under each cell's regression
    rows = np.arange(n)
    out_c = fits[rows, post.astype(np.intp)]  # comparison regression of the row's period
    d_post = fits[:, 3] - fits[:, 1]  # treated minus comparison regression, post
    d_pre = fits[:, 2] - fits[:, 0]
    # row weights of the four cells' means: w for the treated, trimmed odds for the others
    wt = np.where(treated, w, trim * w * ps / (1 - ps))
    resid = y - out_c
    sw = np.bincount(cell, weights=wt, minlength=4)  # sums of w_cpre, w_cpost, w_tpre, w_tpost
    a_own = np.bincount(cell, weights=wt * resid, minlength=4) / sw
    sw_d = sw[2] + sw[3]
    wd = np.where(treated, w, 0.0)
    a_dpost = float(np.dot(wd, d_post)) / sw_d
    a_dpre = float(np.dot(wd, d_pre)) / sw_d
    a_dt1post = float(np.bincount(cell, weights=wd * d_post, minlength=4)[3]) / sw[3]
    a_dt0pre = float(np.bincount(cell, weights=wd * d_pre, minlength=4)[2]) / sw[2]
    att = (
        (a_own[3] - a_own[2]) - (a_own[1] - a_own[0]) + (a_dpost - a_dt1post) - (a_dpre - a_dt0pre)
    )
    # plug-in influence function (the mean-n scale of R: weights divided by their means)
    mw = sw / n
    own_sign = np.array([1.0, -1.0, -1.0, 1.0])
    psi = wt * (resid - a_own[cell]) * (own_sign / mw)[cell]
    psi += wd * ((d_post - a_dpost) - (d_pre - a_dpre)) / (sw_d / n)
    t_post, t_pre = cell == 3, cell == 2
    psi -= np.where(t_post, w * (d_post - a_dt1post), 0.0) / mw[3]
    psi += np.where(t_pre, w * (d_pre - a_dt0pre), 0.0) / mw[2]
    # estimation effects: moments of the weighted covariates by cell
    k = x.shape[1]
    sx = np.column_stack([np.bincount(cell, weights=wt * x[:, j], minlength=4) for j in range(k)])
    centred = wt * (resid - a_own[cell])
    rx = np.column_stack(
        [np.bincount(cell, weights=centred * x[:, j], minlength=4) for j in range(k)]
    )
    mean_x = sx / sw[:, None]  # weighted covariate means of each cell
    m1_post, m1_pre = -mean_x[3], -mean_x[2]
    m3_post, m3_pre = -mean_x[1], -mean_x[0]
    m2_post, m2_pre = rx[1] / sw[1], rx[0] / sw[0]
    mean_t = (sx[2] + sx[3]) / sw_d
    mom_post, mom_pre = mean_t - mean_x[3], mean_t - mean_x[2]
    pre_sign = -1.0 if exact else 1.0
    combos = [
        pre_sign * (m1_pre - m3_pre) + mom_pre,  # c_pre
        m1_post - m3_post - mom_post,  # c_post
        -mom_pre,  # t_pre
        mom_post,  # t_post
    ]
    every = np.ones(k, dtype=bool)
    dirs = np.zeros((k, 4))
    for c, name in enumerate(CELL_CODES):
        cols = keep if name.startswith("t_") else every
        dirs[cols, c] = inverses[c] @ combos[c][cols] * n
    xdir = x @ dirs
    fitted_own = fits[rows, cell]
    psi += w * (y - fitted_own) * xdir[rows, cell]
    ps_dir = ps_information_inverse(x, ps, w, keep) * n @ (m2_post - m2_pre)
    psi -= w * (d - ps) * (x @ ps_dir)
    return float(att), psi


def _ipw_rc(y, post, d, x, w):
    return std_ipw_did_rc(y, post, d, x, w, overlap_guard=True)


# R did's repeated-cross-section 2x2 estimators, with its overlap guard on the scores
RC_ESTIMATORS = {"dr": _dr_rc, "ipw": _ipw_rc, "reg": reg_did_rc}


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

    ``control`` flags the comparison cohorts per row (never, or not yet treated).
    """
    rows = ((long.period == cur) | (long.period == base)) & ((long.cohort_row == g) | control)
    idx = np.flatnonzero(rows)
    d = (long.cohort_row[idx] == g).astype(float)
    post = (long.period[idx] == cur).astype(float)
    for dv in (0.0, 1.0):
        for pv in (0.0, 1.0):
            if not ((d == dv) & (post == pv)).any():
                raise EstimationFailure("no treated or comparison observations in a period")
    w = long.w[idx]
    w = w / w.mean()
    att, psi = RC_ESTIMATORS[method](long.y[idx], post, d, long.x[idx], w)
    n1 = len(idx)
    unit_if = np.bincount(long.unit[idx], weights=psi * (n_units / n1), minlength=n_units)
    return att, unit_if
