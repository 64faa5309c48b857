"""Reference implementation of R ``DRDID::drdid_rc`` in DRDID's own layout, for the tests.

The library computes ``drdid_rc`` with ``santanna_zhao.dr_rc_blocks`` (per-block sums, the
kernel of every unbalanced Callaway-Sant'Anna cell). This module keeps the formula-by-formula
version - each line one of DRDID 1.2.3's intermediate quantities (Sant'Anna and Zhao 2020,
eq. 3.4: logit MLE and OLS with their estimation effects) - as the independent implementation
the kernel is checked against (tests/test_cs_rc_kernel.py). It is built only on the library's
shared nuisance helpers (propensity score, weighted least squares, OLS influence).
"""

from __future__ import annotations

import numpy as np

from evaluation.estimators.santanna_zhao import (
    TRIM_LEVEL,
    asy_lin_rep_ols,
    ps_information_inverse,
    rc_combine,
    rc_propensity,
    wls,
)


def reference_drdid_rc(y, post, d, x, w, *, exact: bool = False, overlap_guard: bool = False):
    """DRDID::drdid_rc (see ``santanna_zhao.drdid_rc`` for ``exact`` and ``overlap_guard``)."""
    pre_sign = -1.0 if exact else 1.0
    n = len(y)
    # indicator levels absent among the treated: those comparison rows get a score of 0 and
    # the treated-cell regressions drop the indicators (all 0 or collinear on treated rows)
    ps, keep = rc_propensity(x, d, w, overlap_guard=overlap_guard)
    trim = np.where(d == 0, ps < TRIM_LEVEL, True)
    cells = {
        "c_pre": (d == 0) & (post == 0),
        "c_post": (d == 0) & (post == 1),
        "t_pre": (d == 1) & (post == 0),
        "t_post": (d == 1) & (post == 1),
    }
    every = np.ones(x.shape[1], dtype=bool)
    cols = {k: keep if k.startswith("t_") else every for k in cells}
    fit = {k: x @ wls(x, y, w, rows, k, cols[k]) for k, rows in cells.items()}
    out_c = post * fit["c_post"] + (1 - post) * fit["c_pre"]
    w_tpre, w_tpost = trim * w * d * (1 - post), trim * w * d * post
    w_cpre = trim * w * ps * (1 - d) * (1 - post) / (1 - ps)
    w_cpost = trim * w * ps * (1 - d) * post / (1 - ps)
    w_d, w_dt1, w_dt0 = trim * w * d, trim * w * d * post, trim * w * d * (1 - post)
    att, psi, a = rc_combine(
        y, out_c, fit["c_pre"], fit["c_post"], fit["t_pre"], fit["t_post"],
        w_tpre, w_tpost, w_cpre, w_cpost, w_d, w_dt1, w_dt0,
    )  # fmt: skip
    # estimation effects (DRDID notation): OLS coefficients of the four cells, logit score
    lin = {
        k: asy_lin_rep_ols(x, y, fit[k], w * rows.astype(float), cols[k])
        for k, rows in cells.items()
    }
    m1_post = -np.mean((w_tpost * post)[:, None] * x, axis=0) / np.mean(w_tpost)
    m1_pre = -np.mean((w_tpre * (1 - post))[:, None] * x, axis=0) / np.mean(w_tpre)
    inf_treat_or = lin["c_post"] @ m1_post + pre_sign * (lin["c_pre"] @ m1_pre)
    score = (w * (d - ps))[:, None] * x
    lin_ps = score @ (ps_information_inverse(x, ps, w, keep) * n)
    m2_pre = np.mean((w_cpre * (y - out_c - a["cpre"]))[:, None] * x, axis=0) / np.mean(w_cpre)
    m2_post = np.mean((w_cpost * (y - out_c - a["cpost"]))[:, None] * x, axis=0) / np.mean(w_cpost)
    inf_cont_ps = lin_ps @ (m2_post - m2_pre)
    m3_post = -np.mean((w_cpost * post)[:, None] * x, axis=0) / np.mean(w_cpost)
    m3_pre = -np.mean((w_cpre * (1 - post))[:, None] * x, axis=0) / np.mean(w_cpre)
    inf_cont_or = lin["c_post"] @ m3_post + pre_sign * (lin["c_pre"] @ m3_pre)
    mom_post = np.mean((w_d / np.mean(w_d) - w_dt1 / np.mean(w_dt1))[:, None] * x, axis=0)
    mom_pre = np.mean((w_d / np.mean(w_d) - w_dt0 / np.mean(w_dt0))[:, None] * x, axis=0)
    inf_or = (lin["t_post"] - lin["c_post"]) @ mom_post - (lin["t_pre"] - lin["c_pre"]) @ mom_pre
    return att, psi + inf_treat_or - inf_cont_ps - inf_cont_or + inf_or
