"""The (units x periods) table path of the BJS imputation event study (unit and period fixed
effects, no covariates) against an independent dense implementation and against the general
path of the same module.

- Dense reference: unit and period dummies, ``pinv`` of the untreated normal equations, the
  influence weights ``v0 = -W0 Z0 (Z0'W0 Z0)^- Z1'v1`` and the Theorem 3 variance written out
  (Borusyak, Jaravel & Spiess 2024); tolerance 1e-8 absolute on estimates and SEs.
- General path (forced with ``FAST_TABLE_LIMIT = 0``): every number of the result, leads and
  full covariance included, to 1e-9; notes and observation counts identical.
Cases: unbalanced rows in random order, weights, units nested in clusters (cluster x period
tables) or not (per-event-time pass), heteroskedasticity-robust, unimputable treated rows.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import evaluation.estimators.imputation as imp
from evaluation.estimators import event_study


def _panel(seed: int, n_units: int = 150, T: int = 7, never: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cohorts = [0, 2016, 2017, 2018] if never else [2016, 2017, 2019]
    coh = rng.choice(cohorts, n_units)
    df = pd.DataFrame(
        {
            "firm": np.repeat([f"u{i:04d}" for i in range(n_units)], T),
            "year": np.tile(np.arange(2014, 2014 + T), n_units),
            "cohort": np.repeat(coh, T),
            "stratum": np.repeat(rng.integers(0, 30, n_units), T),
        }
    )
    rel = np.where(df.cohort > 0, df.year - df.cohort, -99)
    effect = np.where(rel >= 0, 0.1 * (rel + 1) * (1 + (df.cohort == 2016)), 0.0)
    df["y"] = (
        effect
        + np.repeat(rng.normal(size=n_units), T)
        + rng.normal(scale=0.3, size=T)[df.year - 2014]
        + rng.normal(size=len(df))
    )
    df["w"] = rng.uniform(0.5, 2.0, len(df))
    df["region_year"] = rng.integers(0, 12, len(df))  # units not nested in it
    return df.sample(frac=0.85, random_state=seed).reset_index(drop=True)


def _dense(df: pd.DataFrame, cluster: str | None, weights: str | None) -> tuple:
    u = pd.factorize(df.firm)[0]
    t = pd.factorize(df.year)[0]
    Z = np.column_stack([np.eye(u.max() + 1)[u], np.eye(t.max() + 1)[t]])
    y = df.y.to_numpy()
    w = np.ones(len(df)) if weights is None else df[weights].to_numpy()
    coh = df.cohort.to_numpy()
    rel = np.where(coh > 0, df.year - coh, np.nan)
    treated = rel >= 0
    untreated = ~treated
    # treated rows whose unit or period has no untreated row cannot be imputed
    ok = np.isin(u, u[untreated]) & np.isin(t, t[untreated])
    t1 = treated & ok
    Z0, Z1, w0, w1 = Z[untreated], Z[t1], w[untreated], w[t1]
    P = np.linalg.pinv(Z0.T @ (Z0 * w0[:, None]))
    h = P @ Z0.T @ (w0 * y[untreated])
    resid0 = y[untreated] - Z0 @ h
    tau = y[t1] - Z1 @ h
    rel1, coh1 = rel[t1], coh[t1]
    key = pd.MultiIndex.from_arrays([coh1, rel1])
    num = pd.Series(w1**2 * tau).groupby(key).transform("sum").to_numpy()
    den = pd.Series(w1**2).groupby(key).transform("sum").to_numpy()
    eps1 = tau - num / den
    g = np.arange(len(df)) if cluster is None else pd.factorize(df[cluster])[0]
    G = g.max() + 1
    est, se = [], []
    for e in sorted(np.unique(rel1)):
        v1 = np.where(rel1 == e, w1, 0.0) / w1[rel1 == e].sum()
        v0 = -w0 * (Z0 @ (P @ (Z1.T @ v1)))
        s = np.bincount(g[t1], v1 * eps1, G) + np.bincount(g[untreated], v0 * resid0, G)
        est.append(v1 @ tau)
        se.append(np.sqrt(s @ s))
    return np.array(est), np.array(se)


CASES = [
    ("stratum", None, True),  # units nested in clusters: cluster x period tables
    ("stratum", "w", True),
    ("region_year", "w", True),  # not nested: one pass per event time
    (None, None, True),  # HC: every row its own cluster
    ("stratum", "w", False),  # no never-treated: the last periods cannot be imputed
]


def _fit(df: pd.DataFrame, cluster: str | None, weights: str | None):  # type: ignore[no-untyped-def]
    vcov = "hetero" if cluster is None else "CRV1"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return event_study(
            df,
            "y",
            "firm",
            "year",
            "cohort",
            method="imputation",
            weights=weights,
            cluster=cluster,
            vcov=vcov,
        )


@pytest.mark.parametrize(("cluster", "weights", "never"), CASES)
def test_table_path_matches_dense_bjs(cluster: str | None, weights: str | None, never: bool):
    df = _panel(seed=11, never=never)
    got = _fit(df, cluster, weights).tidy().query("event_time >= 0")
    est, se = _dense(df, cluster, weights)
    np.testing.assert_allclose(got["estimate"], est, rtol=0, atol=1e-8)
    np.testing.assert_allclose(got["std_error"], se, rtol=0, atol=1e-8)


@pytest.mark.parametrize(("cluster", "weights", "never"), CASES)
def test_table_path_matches_general_path(
    cluster: str | None, weights: str | None, never: bool, monkeypatch: pytest.MonkeyPatch
):
    df = _panel(seed=12, never=never)
    fast = _fit(df, cluster, weights)
    monkeypatch.setattr(imp, "FAST_TABLE_LIMIT", 0)
    slow = _fit(df, cluster, weights)
    a, b = fast.tidy(), slow.tidy()
    assert a["event_time"].tolist() == b["event_time"].tolist()
    for col in ("estimate", "std_error", "p_value"):
        np.testing.assert_allclose(a[col], b[col], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fast.vcov.to_numpy(), slow.vcov.to_numpy(), rtol=1e-9, atol=1e-14)
    assert fast.nobs == slow.nobs and fast.notes == slow.notes
    pa, pb = fast.pretrend_test(), slow.pretrend_test()
    assert pa["leads"] == pb["leads"]
    assert pa["statistic"] == pytest.approx(pb["statistic"], rel=1e-9)
    if not never:
        assert any("no untreated observation" in n for n in fast.notes)
