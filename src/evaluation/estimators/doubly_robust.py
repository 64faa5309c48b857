"""Sant'Anna & Zhao (2020) doubly robust difference-in-differences for two groups, two periods.

:func:`drdid` follows R ``DRDID`` 1.2: with panel data (``unit`` given) the "improved"
estimator ``drdid_imp_panel`` (propensity score by inverse probability tilting, outcome
regression by weighted least squares; doubly robust for inference too) or the "traditional"
locally efficient ``drdid_panel`` (logit MLE, OLS); with repeated cross-sections
``drdid_imp_rc`` or ``drdid_rc``. Standard errors come from the influence function,
``sqrt(sum((psi - mean psi)^2)) / n`` as DRDID computes them since 1.2.3 (versions before
October 2025 divided ``sd(psi)`` by ``sqrt(n)``, which is larger by ``sqrt(n / (n - 1))``).
Comparison units with a propensity score of 0.995 or more are trimmed, as in DRDID. The
estimators themselves live in :mod:`.santanna_zhao`, shared with Callaway-Sant'Anna; this
module checks and shapes the data.

References
----------
Sant'Anna, P. H. C. and Zhao, J. (2020). Doubly robust difference-in-differences estimators.
Journal of Econometrics 219(1), 101-122.
Graham, B., Pinto, C. and Egel, D. (2012). Inverse probability tilting for moment condition
models with missing data. Review of Economic Studies 79(3), 1053-1079.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .results import EstimationResult, tidy_frame
from .santanna_zhao import (
    DRDIDWarning,
    EstimationFailure,
    drdid_imp_panel,
    drdid_imp_rc,
    drdid_panel,
    drdid_rc,
)

__all__ = ["drdid", "DRDIDWarning"]


# ----------------------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------------------
def _binary(values: np.ndarray, column: str, role: str) -> np.ndarray:
    levels = np.unique(values[~np.isnan(values)])
    if not np.isin(levels, [0.0, 1.0]).all() or len(levels) != 2:
        raise ValueError(
            f"drdid: the {role} column {column!r} must be binary 0/1 with both values "
            f"present (found {levels[:6].tolist()})"
        )
    return values


def drdid(
    data: pd.DataFrame,
    outcome: str,
    treated: str,
    post: str,
    *,
    covariates: Sequence[str] | str | None = None,
    unit: str | None = None,
    method: str = "imp",
    weights: str | None = None,
    alpha: float = 0.05,
    rc_influence: str = "drdid",
) -> EstimationResult:
    """Doubly robust DiD ATT of Sant'Anna & Zhao (2020), as R ``DRDID::drdid``.

    Parameters
    ----------
    data : long data, one row per unit and period (panel) or per observation (repeated
        cross-sections).
    outcome : outcome column.
    treated : 0/1 column, 1 for the group treated in the post period (time-invariant).
    post : 0/1 column, 1 in the post-treatment period (a column with two numeric periods is
        also accepted: the later one is the post period).
    covariates : pre-treatment covariates (an intercept is always included); with panel data
        they must not vary over time.
    unit : unit id column: panel estimator when given, repeated cross-sections otherwise.
    method : ``"imp"`` (improved: inverse probability tilting + weighted least squares) or
        ``"trad"`` (logit MLE + OLS).
    weights : sampling weights column (normalized to mean one; time-invariant in panels).
    alpha : 1 - confidence level.
    rc_influence : repeated cross-sections with ``method="trad"`` only: ``"drdid"`` (default)
        reproduces DRDID 1.2.3's influence function, ``"exact"`` the plug-in influence
        function, whose pre-period outcome-regression terms have the opposite sign (the two
        agree asymptotically under a correct propensity score; see
        :func:`~evaluation.estimators.santanna_zhao.drdid_rc`).

    Returns
    -------
    EstimationResult with one row ``ATT`` (normal inference); ``info["influence"]`` holds the
    influence function (one entry per unit, or per observation for cross-sections).

    Notes
    -----
    Panel ("trad"): with D the group, dY = Y_post - Y_pre, p(X) the logit score and m(X) the
    OLS fit of dY on X among comparison units,
    ``ATT = E[D (dY - m(X))] / E[D] - E[w0 (dY - m(X))] / E[w0]``, ``w0 = p(X)(1-D)/(1-p(X))``.

    Examples
    --------
    The LaLonde NSW experimental group against CPS comparisons, earnings 1975 -> 1978 (the
    ``DRDID`` manual's panel example; it prints ATT -615.2344, SE 683.2211 with ``n - 1`` in the
    variance, here ``n``):

    >>> import pandas as pd
    >>> w = pd.read_csv("tests/data/drdid_nsw_cps5000.csv")
    >>> nsw = pd.concat([w.assign(year=1975, re=w["re75"]), w.assign(year=1978, re=w["re78"])])
    >>> covs = ["age", "educ", "black", "married", "nodegree", "hisp", "re74"]
    >>> res = drdid(nsw, "re", "experimental", "year", covariates=covs, unit="id")
    >>> print(f"ATT {res.coef['ATT']:.2f} (SE {res.se['ATT']:.2f}), {res.nobs} rows")
    ATT -615.23 (SE 683.15), 10000 rows
    >>> trad = drdid(nsw, "re", "experimental", "year", covariates=covs, unit="id", method="trad")
    >>> print(f"{trad.coef['ATT']:.2f}")
    -507.61
    """
    if method not in ("imp", "trad"):
        raise ValueError(f"drdid: method must be 'imp' or 'trad', got {method!r}")
    if rc_influence not in ("drdid", "exact"):
        raise ValueError("drdid: rc_influence must be 'drdid' or 'exact'")
    if isinstance(covariates, str):
        covariates = [covariates]
    covariates = list(covariates or [])
    frame = _checked_frame(data, outcome, treated, post, covariates, unit, weights)
    post_v, d_v, y_v, w_v, x_v = _vectors(frame, outcome, treated, post, covariates, weights)
    notes: list[str] = []
    if unit is not None:
        att, psi, n = _panel(frame, unit, post_v, d_v, y_v, w_v, x_v, method, notes)
        design = "panel data"
    else:
        w = w_v / w_v.mean()
        try:
            if method == "imp":
                att, psi, _ = drdid_imp_rc(y_v, post_v, d_v, x_v, w)
            else:
                att, psi = drdid_rc(y_v, post_v, d_v, x_v, w, exact=rc_influence == "exact")
                if rc_influence == "drdid":
                    notes.append(
                        "influence function as DRDID 1.2.3 drdid_rc (pre-period outcome-"
                        "regression effect signs differ from the exact plug-in; "
                        "rc_influence='exact' gives the latter)"
                    )
        except EstimationFailure as err:
            raise ValueError(f"drdid: {err}") from err
        n = len(y_v)
        design = "repeated cross-sections"

    se = float(np.sqrt(np.sum((psi - psi.mean()) ** 2)) / n)
    table = tidy_frame(["ATT"], [att], [se], alpha=alpha)
    label = {
        "imp": "improved locally efficient DR DiD (inverse probability tilting, WLS)",
        "trad": "locally efficient DR DiD (logit MLE, OLS)",
    }[method]
    notes.append(f"Sant'Anna-Zhao {label}, {design}; analytic influence-function SE")
    return EstimationResult(
        estimator=f"drdid:{method}",
        table=table,
        nobs=len(frame) if unit is None else 2 * n,
        vcov=pd.DataFrame([[se**2]], index=["ATT"], columns=["ATT"]),
        vcov_type="influence function (units independent)",
        outcome=outcome,
        notes=notes,
        info={"influence": psi, "n": n, "method": method, "panel": unit is not None},
    )


def _checked_frame(
    data: pd.DataFrame,
    outcome: str,
    treated: str,
    post: str,
    covariates: list[str],
    unit: str | None,
    weights: str | None,
) -> pd.DataFrame:
    """The used columns: present, numeric (but the unit id) and complete."""
    needed = [outcome, treated, post, *covariates] + [c for c in (unit, weights) if c]
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        raise KeyError(f"drdid: columns {missing} not found in data")
    frame = data[list(dict.fromkeys(needed))]
    numeric = [c for c in frame.columns if c != unit]
    for c in numeric:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise TypeError(f"drdid: column {c!r} must be numeric (got {frame[c].dtype})")
    bad = frame[numeric].isna().any(axis=1).to_numpy().copy()
    if unit is not None:
        bad |= frame[unit].isna().to_numpy()
    if bad.any():
        rows = list(frame.index[bad][:5])
        raise ValueError(
            f"drdid: {int(bad.sum())} rows with missing values in {numeric} (rows {rows}); "
            "drop or impute them first"
        )
    return frame


def _vectors(
    frame: pd.DataFrame,
    outcome: str,
    treated: str,
    post: str,
    covariates: list[str],
    weights: str | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Post indicator (the later of two periods), group, outcome, weights and the covariate
    matrix with an intercept."""
    p_raw = frame[post].to_numpy(dtype=float)
    periods = np.unique(p_raw)
    if len(periods) != 2:
        raise ValueError(
            f"drdid: column {post!r} must take exactly two values (pre and post), found "
            f"{periods[:6].tolist()}"
        )
    post_v = (p_raw == periods[1]).astype(float)
    d_v = _binary(frame[treated].to_numpy(dtype=float), treated, "treated")
    y_v = frame[outcome].to_numpy(dtype=float)
    w_v = np.ones(len(frame)) if weights is None else frame[weights].to_numpy(dtype=float)
    if (w_v < 0).any():
        raise ValueError(f"drdid: negative sampling weights in column {weights!r}")
    x_v = np.column_stack([np.ones(len(frame))] + [frame[c].to_numpy(float) for c in covariates])
    return post_v, d_v, y_v, w_v, x_v


def _panel(
    frame: pd.DataFrame,
    unit: str,
    post_v: np.ndarray,
    d_v: np.ndarray,
    y_v: np.ndarray,
    w_v: np.ndarray,
    x_v: np.ndarray,
    method: str,
    notes: list[str],
) -> tuple[float, np.ndarray, int]:
    """Panel estimator on the units observed in both periods (others dropped with a warning,
    as DRDID); group, covariates and weights must not vary within a unit."""
    codes, labels = pd.factorize(frame[unit])
    n_units = len(labels)
    counts = np.bincount(codes * 2 + post_v.astype(int), minlength=2 * n_units)
    if (counts > 1).any():
        raise ValueError(f"drdid: units observed more than once in a period ({unit!r})")
    complete = (counts.reshape(n_units, 2) == 1).all(axis=1)
    if not complete.all():
        message = (
            f"{int((~complete).sum())} units not observed in both periods were dropped "
            "(balanced panel, as DRDID)"
        )
        warnings.warn(message, UserWarning, stacklevel=3)
        notes.append(message)
    keep = complete[codes]
    pre_rows = np.flatnonzero(keep & (post_v == 0))
    post_rows = np.flatnonzero(keep & (post_v == 1))
    pre_rows = pre_rows[np.argsort(codes[pre_rows], kind="stable")]
    post_rows = post_rows[np.argsort(codes[post_rows], kind="stable")]
    for name, values in (("treated", d_v), ("covariates", x_v), ("weights", w_v)):
        v = values if values.ndim == 2 else values[:, None]
        if not np.array_equal(v[pre_rows], v[post_rows]):
            raise ValueError(
                f"drdid: {name} vary over time within units; the panel estimator needs "
                "time-invariant (pre-treatment) values"
            )
    dy = y_v[post_rows] - y_v[pre_rows]
    d, x, w = d_v[post_rows], x_v[post_rows], w_v[post_rows]
    w = w / w.mean()
    estimator = drdid_imp_panel if method == "imp" else drdid_panel
    try:
        att, psi = estimator(dy, d, x, w)
    except EstimationFailure as err:
        raise ValueError(f"drdid: {err}") from err
    return att, psi, len(dy)
