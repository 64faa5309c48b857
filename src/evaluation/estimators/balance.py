"""Covariate balance between participants and comparison firms.

For each covariate: means and standard deviations by group, the difference, the normalized
difference of Imbens & Rubin (2015, eq. 14.1), ``(m1 - m0) / sqrt((s1^2 + s0^2) / 2)`` (a
scale-free size of imbalance; |value| > 0.25 is the usual warning sign, Imbens & Wooldridge
2009), and the p-value of the difference from the regression ``x = a + b D + e`` (``b`` is the
difference), cluster-robust when a cluster is given; with ``fixed_effects`` the regression
absorbs them, so ``b`` is the within-stratum difference. A joint test regresses the treatment on
all covariates and tests that every slope is zero with a (cluster-robust) Wald F statistic.

Inference follows fixest/statsmodels conventions: CRV1 with ``G/(G-1) (n-1)/(n-K)`` and
t(G-1) (F(q, G-1) for the joint test), fixed effects nested in the cluster not counted in K;
without a cluster, HC1 with t(n-K).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.estimators.fixed_effects import FixedEffects, factorize, fe_dof, nested_in
from evaluation.estimators.results import EstimationResult, tidy_frame

__all__ = ["balance_table", "BalanceTable"]


@dataclass
class BalanceTable(EstimationResult):
    """Balance table; ``info["joint_test"]`` holds the joint F test."""

    def __repr__(self) -> str:
        jt = self.info.get("joint_test") or {}
        return (
            f"<BalanceTable: {len(self.table)} covariate(s) by {self.outcome or '-'}; "
            f"joint p = {jt.get('p_value', np.nan):.3g}; {self.nobs:,} obs>"
        )

    def summary(self, digits: int = 3) -> str:
        cols = [
            "term",
            "mean_treated",
            "mean_control",
            "estimate",
            "normalized_difference",
            "p_value",
        ]
        body = self.table[cols].to_string(index=False, float_format=lambda v: f"{v:.{digits}f}")
        jt = self.info["joint_test"]
        joint = (
            f"Joint test (treatment on all covariates): F({jt['df_num']}, {jt['df_denom']}) = "
            f"{jt['statistic']:.{digits}f}, p = {jt['p_value']:.{digits}f}"
        )
        return "\n".join(
            [*self._header(), "", body, "", joint, *(f"Note: {n}" for n in self.notes)]
        )


def _numeric(data: pd.DataFrame, col: str) -> np.ndarray:
    if col not in data.columns:
        raise KeyError(f"balance_table: column {col!r} not in the data")
    s = data[col]
    if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
        raise TypeError(f"balance_table: column {col!r} must be numeric or boolean, got {s.dtype}")
    return s.to_numpy(dtype=float, na_value=np.nan)


class _Design:
    """Absorbed effects (an intercept, or fixed effects) and clusters on a row subset."""

    def __init__(
        self,
        fe_ids: list[np.ndarray],
        fe_names: list[str],
        cluster: np.ndarray | None,
        rows: np.ndarray,
    ) -> None:
        n = rows.size
        if fe_ids:
            codes = [factorize(a[rows], nm)[0] for a, nm in zip(fe_ids, fe_names, strict=True)]
        else:
            codes = [np.zeros(n, dtype=np.intp)]  # the intercept
            fe_names = ["(Intercept)"]
        self.fe = FixedEffects(codes, [int(c.max()) + 1 for c in codes], fe_names, None)
        self.n = n
        if cluster is not None:
            _, cl = np.unique(cluster[rows], return_inverse=True)
            self.cl = cl.astype(np.intp)
            self.G = int(self.cl.max()) + 1
            nested = [nested_in(c, self.cl) for c in codes]
            self.k_fe = fe_dof(self.fe.sizes, nested)
        else:
            self.cl = None
            self.G = None
            self.k_fe = fe_dof(self.fe.sizes)

    def fit(self, y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """Coefficients, (CRV1 or HC1) covariance and residual degrees of freedom."""
        Z = self.fe.demean(np.column_stack([y, X]))
        yd, Xd = Z[:, 0], Z[:, 1:]
        XtX = Xd.T @ Xd
        bread = np.linalg.pinv(XtX, hermitian=True)
        b = bread @ (Xd.T @ yd)
        e = yd - Xd @ b
        K = Xd.shape[1] + self.k_fe
        scores = Xd * e[:, None]
        if self.cl is not None:
            G = self.G
            sums = np.column_stack(
                [
                    np.bincount(self.cl, weights=scores[:, j], minlength=G)
                    for j in range(Xd.shape[1])
                ]
            )
            meat = sums.T @ sums
            ssc = G / (G - 1) * (self.n - 1) / (self.n - K)
            df = G - 1
        else:
            meat = scores.T @ scores
            ssc = self.n / (self.n - K)
            df = self.n - K
        return b, ssc * bread @ meat @ bread, float(df)


def balance_table(
    data: pd.DataFrame,
    treatment: str,
    covariates: Sequence[str],
    cluster: str | None = None,
    fixed_effects: str | Sequence[str] | None = None,
    *,
    alpha: float = 0.05,
) -> BalanceTable:
    """Means, SDs, differences, normalized differences and p-values, plus a joint F test.

    Parameters
    ----------
    data : one row per unit (or unit-period; then cluster by unit or stratum).
    treatment : binary 0/1 (or boolean) group indicator; 1 = participants.
    covariates : numeric (or boolean) columns; missing values are left out covariate by
        covariate (``n_treated``/``n_control`` say how many remain) and listwise in the joint
        test.
    cluster : column for cluster-robust (CRV1) inference; None gives HC1.
    fixed_effects : column(s) absorbed in the regressions (e.g. ``"stratum"``): the
        ``estimate`` is then the within-stratum difference.
    alpha : level of the ``conf_low``/``conf_high`` interval of the difference.

    Returns
    -------
    BalanceTable: ``tidy()`` with ``term`` (covariate), ``estimate`` (difference, treated minus
    control), ``std_error, statistic, p_value, conf_low, conf_high`` and ``mean_treated,
    mean_control, sd_treated, sd_control, n_treated, n_control, normalized_difference``;
    ``info["joint_test"]`` with ``statistic`` (F), ``df_num``, ``df_denom``, ``p_value``,
    ``nobs``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.read_csv("tests/data/mpdta.csv").query("year == 2003")
    >>> d["treated"] = (d["first.treat"] > 0).astype(int)
    >>> bal = balance_table(d, "treated", ["lpop", "lemp"])
    >>> cols = ["term", "estimate", "p_value", "normalized_difference"]
    >>> print(bal.tidy()[cols].round(3).to_string(index=False))
    term  estimate  p_value  normalized_difference
    lpop     0.339    0.004                  0.267
    lemp     0.377    0.006                  0.255
    """
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if not covariates:
        raise ValueError("balance_table: give at least one covariate")
    d = _treatment(data, treatment)
    fe_names, fe_ids = _fixed_effects(data, fixed_effects)
    cl = _clusters(data, cluster)
    values = {c: _numeric(data, c) for c in covariates}
    table = _covariate_rows(covariates, values, d, fe_ids, fe_names, cl, alpha)
    joint, G = _joint_test(covariates, values, d, fe_ids, fe_names, cl)
    notes = [
        f"differences: treated minus control; p-values from the regression of each covariate on "
        f"{treatment!r}"
        + (f" within {', '.join(fe_names)}" if fe_names else "")
        + (f", CRV1 by {cluster!r} (t, G-1 df)" if cluster else ", HC1")
        + "; normalized difference = diff / sqrt((sd1^2 + sd0^2) / 2) (Imbens-Rubin)",
    ]
    rank, q = joint["df_num"], len(covariates)
    if rank < q:
        notes.append(f"joint test: covariance of rank {rank} < {q} covariates; F uses rank {rank}")
    if cl is not None and G is not None and G < 30:
        notes.append(f"only {G} clusters: CRV1 p-values may be too small")
    return BalanceTable(
        estimator="balance_table",
        table=table,
        nobs=int(d.size),
        vcov_type=f"CRV1 by {cluster}" if cluster else "HC1",
        n_clusters=G,
        outcome=treatment,
        notes=notes,
        info={"joint_test": joint, "fixed_effects": list(fe_names), "cluster": cluster},
    )


def _treatment(data: pd.DataFrame, treatment: str) -> np.ndarray:
    """The 0/1 treatment (errors name missing or other values, or a single group)."""
    d = _numeric(data, treatment)
    bad = np.flatnonzero(~np.isin(d, [0.0, 1.0]))
    if bad.size:
        raise ValueError(
            f"balance_table: treatment {treatment!r} must be 0/1 without missing values; "
            f"{bad.size} row(s) are not (e.g. rows {data.index[bad[:5]].tolist()})"
        )
    if d.min() == d.max():
        raise ValueError(f"balance_table: treatment {treatment!r} has a single group")
    return d


def _fixed_effects(
    data: pd.DataFrame, fixed_effects: str | Sequence[str] | None
) -> tuple[list[str], list[np.ndarray]]:
    """Names and values of the absorbed fixed-effect columns."""
    fe_names = (
        []
        if fixed_effects is None
        else [fixed_effects]
        if isinstance(fixed_effects, str)
        else list(fixed_effects)
    )
    fe_ids = []
    for name in fe_names:
        if name not in data.columns:
            raise KeyError(f"balance_table: fixed-effect column {name!r} not in the data")
        fe_ids.append(data[name].to_numpy())
    return fe_names, fe_ids


def _clusters(data: pd.DataFrame, cluster: str | None) -> np.ndarray | None:
    """The cluster column's values (complete, at least two), or None for HC1."""
    if cluster is None:
        return None
    if cluster not in data.columns:
        raise KeyError(f"balance_table: cluster column {cluster!r} not in the data")
    if data[cluster].isna().any():
        rows = data.index[np.flatnonzero(data[cluster].isna().to_numpy())[:5]].tolist()
        raise ValueError(
            f"balance_table: cluster column {cluster!r} has missing values (rows {rows})"
        )
    cl = data[cluster].to_numpy()
    if pd.unique(cl).size < 2:
        raise ValueError(f"balance_table: cluster column {cluster!r} has a single value")
    return cl


def _covariate_rows(
    covariates: list[str],
    values: dict[str, np.ndarray],
    d: np.ndarray,
    fe_ids: list[np.ndarray],
    fe_names: list[str],
    cl: np.ndarray | None,
    alpha: float,
) -> pd.DataFrame:
    """One row per covariate: group means, SDs, sizes, normalized difference, and the
    regression difference with its test (each covariate on its own non-missing rows)."""
    rows_out = []
    est, se, df_list = [], [], []
    for c in covariates:
        x = values[c]
        ok = np.isfinite(x)
        for a in fe_ids:
            ok &= pd.notna(a)
        x1, x0 = x[ok & (d == 1)], x[ok & (d == 0)]
        if x1.size < 2 or x0.size < 2:
            raise ValueError(
                f"balance_table: covariate {c!r} has fewer than 2 non-missing values in a group"
            )
        m1, m0 = x1.mean(), x0.mean()
        s1, s0 = x1.std(ddof=1), x0.std(ddof=1)
        pooled = np.sqrt((s1**2 + s0**2) / 2)
        rows_out.append(
            {
                "mean_treated": m1,
                "mean_control": m0,
                "sd_treated": s1,
                "sd_control": s0,
                "n_treated": int(x1.size),
                "n_control": int(x0.size),
                "normalized_difference": (m1 - m0) / pooled if pooled > 0 else np.nan,
            }
        )
        design = _Design(fe_ids, list(fe_names), cl, np.flatnonzero(ok))
        b, V, df = design.fit(x[ok], d[ok][:, None])
        est.append(b[0])
        se.append(np.sqrt(V[0, 0]))
        df_list.append(df)
    # per-row degrees of freedom (they differ only if missing values drop whole clusters)
    frames = [
        tidy_frame([c], [e], [s], df=df, alpha=alpha)
        for c, e, s, df in zip(covariates, est, se, df_list, strict=True)
    ]
    table = pd.concat(frames, ignore_index=True)
    extra = pd.DataFrame(rows_out)
    return pd.concat([table, extra], axis=1)


def _joint_test(
    covariates: list[str],
    values: dict[str, np.ndarray],
    d: np.ndarray,
    fe_ids: list[np.ndarray],
    fe_names: list[str],
    cl: np.ndarray | None,
) -> tuple[dict[str, Any], int | None]:
    """Joint F test of the treatment on all covariates (listwise complete rows; Wald with a
    pseudo-inverse of rank ``df_num``) and the number of clusters used."""
    from scipy import stats

    X = np.column_stack([values[c] for c in covariates])
    ok = np.isfinite(X).all(axis=1)
    for a in fe_ids:
        ok &= pd.notna(a)
    design = _Design(fe_ids, list(fe_names), cl, np.flatnonzero(ok))
    b, V, df = design.fit(d[ok], X[ok])
    Vinv = np.linalg.pinv(V, hermitian=True)
    rank = int(np.linalg.matrix_rank(V))
    F = float(b @ Vinv @ b) / rank
    joint = {
        "statistic": F,
        "df_num": rank,
        "df_denom": df,
        "p_value": float(stats.f.sf(F, rank, df)),
        "nobs": int(ok.sum()),
        "vcov": "CRV1" if cl is not None else "HC1",
    }
    return joint, design.G
