"""Covariance matrices for (fixed-effects) least squares with fixest's small-sample conventions.

All three estimators share the sandwich ``bread @ meat @ bread`` with ``bread = (X'WX)^-1`` on
the within-transformed design ``X`` and analytic weights ``W``:

- ``"iid"``: ``bread * sum(w u^2) / (N - K)``;
- ``"hetero"`` (HC1): meat ``sum_i w_i^2 u_i^2 x_i x_i'``, factor ``N / (N - K)``;
- ``"CRV1"``: meat ``sum_g s_g s_g'`` with cluster score sums ``s_g = sum_{i in g} w_i u_i x_i``,
  factor ``G/(G-1) * (N-1)/(N-K)``.

``K`` counts the slope coefficients plus the fixed-effect levels (minus one per extra fixed
effect); for CRV1, fixed effects nested in the cluster variable are not counted (fixest
``ssc(adj=TRUE, fixef.K="nested", cluster.adj=TRUE)``, pyfixest ``get_ssc``). Inference uses
Student-t with ``G - 1`` degrees of freedom for CRV1 and ``N - K`` otherwise. Cluster score sums
use one ``np.bincount`` per coefficient: O(n k), no sort, no (n x G) matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evaluation.estimators.distributions import chi2_sf, f_sf

VCOV_TYPES = ("iid", "hetero", "CRV1")

__all__ = ["VCOV_TYPES", "VcovResult", "check_vcov_type", "sandwich", "cluster_scores", "wald_test"]


def check_vcov_type(vcov: str) -> str:
    """Normalise the vcov name (``"HC1"`` is accepted for ``"hetero"``); raise on unknown."""
    key = {"iid": "iid", "hetero": "hetero", "hc1": "hetero", "crv1": "CRV1"}.get(str(vcov).lower())
    if key is None:
        raise ValueError(f"vcov must be one of {VCOV_TYPES} (got {vcov!r})")
    return key


@dataclass
class VcovResult:
    """A covariance matrix with what inference needs.

    Attributes
    ----------
    vcov : (k, k) covariance matrix.
    kind : ``"iid"``, ``"hetero"`` or ``"CRV1"``.
    df_t : degrees of freedom for t tests (``G - 1`` or ``N - K``).
    df_k : the ``K`` of the small-sample factor.
    ssc : the small-sample factor applied.
    n_clusters : ``G`` for CRV1, else None.
    """

    vcov: np.ndarray
    kind: str
    df_t: int
    df_k: int
    ssc: float
    n_clusters: int | None = None


def cluster_scores(
    X: np.ndarray, wu: np.ndarray, cluster: np.ndarray, n_clusters: int
) -> np.ndarray:
    """Cluster sums of the scores ``x_i * (w_i u_i)``: a (G, k) array."""
    k = X.shape[1]
    out = np.empty((n_clusters, k))
    for j in range(k):
        out[:, j] = np.bincount(cluster, weights=X[:, j] * wu, minlength=n_clusters)
    return out


def sandwich(
    X: np.ndarray,
    resid: np.ndarray,
    bread: np.ndarray,
    kind: str,
    *,
    weights: np.ndarray | None = None,
    cluster: np.ndarray | None = None,
    n_clusters: int | None = None,
    df_k: int,
    df_k_cluster: int | None = None,
) -> VcovResult:
    """Covariance of least-squares coefficients under ``kind``.

    Parameters
    ----------
    X : (n, k) design after the within transformation (the regressors actually solved for).
    resid : (n,) residuals ``y - X b`` (on the within-transformed scale).
    bread : ``(X'WX)^{-1}``.
    kind : ``"iid"``, ``"hetero"`` or ``"CRV1"``.
    weights : analytic weights or None.
    cluster : int codes ``0..G-1`` (CRV1 only).
    df_k : ``K`` counting all fixed effects (iid, hetero).
    df_k_cluster : ``K`` for CRV1 with nested fixed effects not counted (defaults to ``df_k``).
    """
    kind = check_vcov_type(kind)
    n = X.shape[0]
    wu = resid if weights is None else weights * resid
    if kind == "iid":
        rss = float(resid @ wu)
        ssc = 1.0 / (n - df_k)
        return VcovResult(bread * rss * ssc, kind, n - df_k, df_k, (n - 1) / (n - df_k))
    if kind == "hetero":
        S = X * wu[:, None]
        meat = S.T @ S
        ssc = n / (n - df_k)
        return VcovResult(ssc * bread @ meat @ bread, kind, n - df_k, df_k, ssc)
    if cluster is None or n_clusters is None:
        raise ValueError("CRV1 needs cluster codes")
    if n_clusters < 2:
        raise ValueError("CRV1 needs at least two clusters")
    kc = df_k if df_k_cluster is None else df_k_cluster
    S = cluster_scores(X, wu, cluster, n_clusters)
    meat = S.T @ S
    G = n_clusters
    ssc = G / (G - 1) * (n - 1) / (n - kc)
    return VcovResult(ssc * bread @ meat @ bread, kind, G - 1, kc, ssc, G)


def wald_test(
    beta: np.ndarray, vcov: np.ndarray, R: np.ndarray | None = None, df: int | None = None
) -> dict[str, float]:
    """Joint Wald test of ``R beta = 0``.

    Returns the chi-square statistic and p-value, and the F form ``W / q`` with ``(q, df)``
    degrees of freedom (fixest's ``wald()``; ``df`` = ``G - 1`` for CRV1, ``N - K`` otherwise).
    ``p_value`` is the F p-value when ``df`` is given, else the chi-square one.
    """
    beta = np.asarray(beta, float)
    R = np.eye(beta.size) if R is None else np.atleast_2d(np.asarray(R, float))
    q = R.shape[0]
    if q == 0:
        nan = float("nan")
        return {"statistic": nan, "df1": 0, "df2": nan, "p_value": nan, "chi2": nan, "chi2_p": nan}
    rb = R @ beta
    W = float(rb @ np.linalg.pinv(R @ vcov @ R.T) @ rb)
    chi2_p = float(chi2_sf(W, q))
    if df is None:
        return {
            "statistic": W,
            "df1": q,
            "df2": float("inf"),
            "p_value": chi2_p,
            "chi2": W,
            "chi2_p": chi2_p,
        }
    F = W / q
    return {
        "statistic": F,
        "df1": q,
        "df2": float(df),
        "p_value": float(f_sf(F, q, df)),
        "chi2": W,
        "chi2_p": chi2_p,
    }
