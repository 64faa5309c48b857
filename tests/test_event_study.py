"""Event studies against independent implementations, and input errors.

References and tolerances:
- ``twfe``: ``pyfixest.feols("y ~ i(rel, ref=-1) | firm + year")``: estimates 1e-8 relative,
  SEs 1e-6 relative (CRV1 by stratum, with and without weights, binned window).
- ``sunab``: ``pyfixest.feols`` on explicitly built cohort x event-time dummies, aggregated here
  with cohort shares counted by pandas: estimates 1e-8, SEs 1e-6 relative.
- ``imputation``: a dense dummy-variable ``lstsq`` implementation of BJS (imputed effects and the
  Theorem 3 variance with explicit influence weights ``v = -Z0 (Z0'Z0)^+ Z1' w``): 1e-7
  absolute; and pyfixest's ``did2s`` point estimates (Gardner's two-stage estimator equals
  imputation with a saturated second stage): 1e-4 (pyfixest's own demeaning tolerance).
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyfixest as pf  # noqa: E402
import pytest  # noqa: E402

from evaluation.estimators import FewClustersWarning  # noqa: E402
from evaluation.estimators.dynamic_effects import EventStudyResult, event_study  # noqa: E402


def _staggered(seed: int = 5, n_units: int = 240, T: int = 8, frac: float = 0.9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    coh = rng.choice([0, 2016, 2017, 2018], n_units)
    df = pd.DataFrame(
        {
            "firm": np.repeat([f"f{i:03d}" for i in range(n_units)], T),
            "year": np.tile(np.arange(2014, 2014 + T), n_units),
            "cohort": np.repeat(coh, T).astype(float),
        }
    )
    df["stratum"] = np.repeat(rng.integers(0, 40, n_units), T)
    rel = np.where(df.cohort > 0, df.year - df.cohort, np.nan)
    effect = np.where(rel >= 0, 0.2 * (rel + 1) * (1 + (df.cohort == 2016)), 0.0)
    df["x"] = rng.normal(size=len(df))
    df["y"] = (
        effect + 0.5 * df.x + np.repeat(rng.normal(size=n_units), T) + rng.normal(size=len(df))
    )
    df["w"] = rng.uniform(0.5, 2.0, len(df))
    df.loc[df.cohort == 0, "cohort"] = np.nan  # missing = never treated
    if frac < 1:
        df = df.sample(frac=frac, random_state=2).reset_index(drop=True)
    return df


def _rel(df: pd.DataFrame, lo: int | None = None, hi: int | None = None) -> pd.Series:
    rel = (df.year - df.cohort).where(df.cohort > 0)
    if lo is not None:
        rel = rel.clip(lower=lo, upper=hi)
    return rel


@pytest.mark.parametrize(("weights", "window"), [(None, None), ("w", None), (None, (-2, 3))])
def test_twfe_event_study_matches_pyfixest(
    weights: str | None, window: tuple[int, int] | None
) -> None:
    df = _staggered()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        got = event_study(
            df, "y", "firm", "year", "cohort", window=window, weights=weights, cluster="stratum"
        )
    d = df.assign(rel=_rel(df, *(window or (None, None))).fillna(-1).astype(int))
    exp = pf.feols(
        "y ~ i(rel, ref=-1) | firm + year", data=d, vcov={"CRV1": "stratum"}, weights=weights
    )
    assert isinstance(got, EventStudyResult)
    tab = got.tidy()
    exp_e = [int(t.split("::")[1]) for t in exp.coef().index]
    assert tab["event_time"].tolist() == exp_e
    np.testing.assert_allclose(tab["estimate"], exp.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(tab["std_error"], exp.se().to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(tab["p_value"], exp.pvalue().to_numpy(), atol=1e-8)
    assert got.vcov.index.tolist() == tab["term"].tolist()
    # joint pre-trend test = pyfixest's Wald test on the same leads (its chi2 form; F = chi2/q)
    lead = [i for i, e in enumerate(exp_e) if e < 0]
    R = np.eye(len(exp_e))[lead]
    wt = exp.wald_test(R=R, distribution="chi2")
    pt = got.pretrend_test()
    assert pt["chi2"] == pytest.approx(float(wt["statistic"]), rel=1e-6)
    assert pt["chi2_p"] == pytest.approx(float(wt["pvalue"]), rel=1e-6)
    assert pt["statistic"] == pytest.approx(pt["chi2"] / len(lead), rel=1e-12)
    assert pt["df2"] == got.n_clusters - 1
    if window:
        assert tab["event_time"].min() == -2 and tab["event_time"].max() == 3
        assert any("binned" in n for n in got.notes)


@pytest.mark.parametrize("weights", [None, "w"])
def test_sunab_matches_pyfixest_interactions(weights: str | None) -> None:
    df = _staggered()
    d = df.assign(rel=_rel(df))
    cols = []
    for c in sorted(d.cohort.dropna().unique()):
        for e in sorted(d.rel[d.cohort == c].unique()):
            if e == -1:
                continue
            name = f"c{int(c)}_e{int(e)}".replace("-", "m")
            d[name] = ((d.cohort == c) & (d.rel == e)).astype(float)
            cols.append((name, c, e))
    exp = pf.feols(
        "y ~ " + " + ".join(n for n, _, _ in cols) + " | firm + year",
        data=d,
        vcov={"CRV1": "stratum"},
        weights=weights,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        got = event_study(
            df, "y", "firm", "year", "cohort", method="sunab", weights=weights, cluster="stratum"
        )
    ce = got.info["cohort_effects"]
    np.testing.assert_allclose(ce["estimate"], exp.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(ce["std_error"], exp.se().to_numpy(), rtol=1e-6)
    b, V = exp.coef().to_numpy(), exp._vcov
    wcol = d["w"] if weights else pd.Series(1.0, index=d.index)
    events = sorted({e for _, _, e in cols})
    A = np.zeros((len(events), len(cols)))
    for r, e in enumerate(events):
        for j, (_, c, ee) in enumerate(cols):
            if ee == e:
                A[r, j] = wcol[(d.cohort == c) & (d.rel == e)].sum()
        A[r] /= A[r].sum()
    tab = got.tidy()
    assert tab["event_time"].tolist() == [int(e) for e in events]
    np.testing.assert_allclose(tab["estimate"], A @ b, rtol=1e-8)
    np.testing.assert_allclose(tab["std_error"], np.sqrt(np.diag(A @ V @ A.T)), rtol=1e-6)
    Vagg = A @ V @ A.T  # covariances: 1e-6 relative to the largest variance
    np.testing.assert_allclose(got.vcov.to_numpy(), Vagg, rtol=1e-6, atol=1e-6 * np.abs(Vagg).max())


def _bjs_dense(
    df: pd.DataFrame, cluster: str, weights: str | None = None, extra_fe: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """BJS imputation and Theorem 3 SEs with dense dummies (independent reference)."""
    u = pd.factorize(df.firm)[0]
    t = pd.factorize(df.year)[0]
    blocks = [np.eye(u.max() + 1)[u], np.eye(t.max() + 1)[t], df.x.to_numpy()[:, None]]
    if extra_fe:
        f = pd.factorize(df[extra_fe])[0]
        blocks.append(np.eye(f.max() + 1)[f])
    Z = np.column_stack(blocks)
    y = df.y.to_numpy()
    w = np.ones(len(df)) if weights is None else df[weights].to_numpy()
    rel = _rel(df).to_numpy()
    treated = rel >= 0
    Z0, Z1, w0, w1 = Z[~treated], Z[treated], w[~treated], w[treated]
    P = np.linalg.pinv(Z0.T @ (Z0 * w0[:, None]))
    h = P @ Z0.T @ (w0 * y[~treated])
    resid0 = y[~treated] - Z0 @ h
    tau = y[treated] - Z1 @ h
    rel1, coh1 = rel[treated], df.cohort.to_numpy()[treated]
    key = pd.MultiIndex.from_arrays([coh1, rel1])
    num = pd.Series(w1**2 * tau).groupby(key).transform("sum").to_numpy()
    den = pd.Series(w1**2).groupby(key).transform("sum").to_numpy()
    eps1 = tau - num / den
    g = pd.factorize(df[cluster])[0]
    est, se = [], []
    for e in sorted(np.unique(rel1)):
        v1 = np.where(rel1 == e, w1, 0.0) / w1[rel1 == e].sum()
        v0 = -w0 * (Z0 @ (P @ (Z1.T @ v1)))
        s = np.bincount(g[treated], v1 * eps1, g.max() + 1) + np.bincount(
            g[~treated], v0 * resid0, g.max() + 1
        )
        est.append(v1 @ tau)
        se.append(np.sqrt(s @ s))
    return np.array(est), np.array(se)


@pytest.mark.parametrize(("weights", "extra_fe"), [(None, None), ("w", None), ("w", "sector_year")])
def test_imputation_matches_dense_bjs(weights: str | None, extra_fe: str | None) -> None:
    df = _staggered(seed=8, n_units=120, T=7)
    df["sector_year"] = (df["stratum"] % 3).astype(str) + "-" + df["year"].astype(str)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        got = event_study(
            df,
            "y",
            "firm",
            "year",
            "cohort",
            method="imputation",
            covariates="x",
            weights=weights,
            cluster="stratum",
            fixed_effects=extra_fe,  # an extra fixed effect takes the conjugate-gradient path
        )
    post = got.tidy().query("event_time >= 0")
    est, se = _bjs_dense(df, "stratum", weights, extra_fe)
    np.testing.assert_allclose(post["estimate"], est, atol=1e-7)
    np.testing.assert_allclose(post["std_error"], se, atol=1e-7)


def test_imputation_leads_and_did2s() -> None:
    df = _staggered(seed=8, n_units=120, T=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        got = event_study(
            df,
            "y",
            "firm",
            "year",
            "cohort",
            method="imputation",
            covariates="x",
            cluster="stratum",
        )
    tab = got.tidy()
    # leads: BJS Test 1 regression on untreated observations
    pt = got.pretrend_test()
    assert pt["distribution"] == "chi2" and pt["leads"] == [e for e in tab.event_time if e < 0]
    # Gardner's did2s point estimates (balanced panel, no covariates)
    bal = _staggered(seed=9, n_units=200, T=7, frac=1.0)
    bal["D"] = (bal.year >= bal.cohort).astype(int)
    bal["rel2"] = _rel(bal).where(bal.D == 1, -1000).astype(int)
    bal["cohort0"] = bal.cohort.fillna(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exp = pf.did2s(
            bal,
            "y",
            first_stage="~0|firm+year",
            second_stage="~i(rel2,ref=-1000)",
            treatment="D",
            cluster="stratum",
        )
        got2 = event_study(
            bal, "y", "firm", "year", "cohort0", method="imputation", cluster="stratum"
        )
    post2 = got2.tidy().query("event_time >= 0")
    np.testing.assert_allclose(post2["estimate"], exp.coef().to_numpy(), atol=1e-4)


def test_plot_and_result_shape() -> None:
    import evaluation.estimators as est

    df = _staggered()
    # the public name resolves to a callable even though a module has the same name
    res = est.event_study(df, "y", "firm", "year", "cohort", method="sunab", vcov="hetero")
    assert "Estimator: event_study_sunab" in res.summary() and "<table" in res._repr_html_()
    fig = res.plot()
    assert fig.axes and len(fig.axes[0].lines) >= 2
    assert res.n_clusters is None and "HC1" in res.vcov_type
    assert "event_time" in res.tidy().columns and res.nobs == len(df)


def test_event_study_errors() -> None:
    df = _staggered()
    with pytest.raises(ValueError, match="method must be one of"):
        event_study(df, "y", "firm", "year", "cohort", method="bogus")
    bad = df.copy()
    bad.loc[bad.firm == bad.firm.iloc[0], "cohort"] = [2016, 2017] + [2016] * (
        int((bad.firm == bad.firm.iloc[0]).sum()) - 2
    )
    with pytest.raises(ValueError, match="must be constant within 'firm'"):
        event_study(bad, "y", "firm", "year", "cohort")
    early = df.copy()
    early.loc[early.cohort == 2016, "cohort"] = 2014
    with pytest.raises(ValueError, match=r"cohort\(s\) \[2014\].*no observation before adoption"):
        event_study(early, "y", "firm", "year", "cohort")
    with pytest.raises(ValueError, match="no treated units"):
        event_study(df.assign(cohort=0), "y", "firm", "year", "cohort")
    with pytest.raises(ValueError, match="reference period -9"):
        event_study(df, "y", "firm", "year", "cohort", ref_period=-9, vcov="hetero")
    with pytest.raises(ValueError, match=r"column 'x' has missing values"):
        event_study(
            df.assign(x=np.where(df.index == 3, np.nan, df.x)),
            "y",
            "firm",
            "year",
            "cohort",
            covariates="x",
        )
    with pytest.raises(ValueError, match="cluster column 'c' has a single value"):
        event_study(df.assign(c=1), "y", "firm", "year", "cohort", cluster="c")
    one = df[(df.cohort.isna()) | (df.cohort == 2016)].assign(
        cohort=lambda d: d.cohort.fillna(2016)
    )
    with pytest.raises(ValueError, match="no never-treated units and a single cohort"):
        event_study(one, "y", "firm", "year", "cohort")


def test_cs_wrapper_reproduces_callaway_santanna_dynamic() -> None:
    from evaluation.estimators import callaway_santanna

    df = _staggered(frac=1.0)
    got = event_study(df, "y", "firm", "year", "cohort", method="cs")
    dyn = callaway_santanna(df, "y", "firm", "year", "cohort", base_period="universal").aggregate(
        "dynamic"
    )
    exp = dyn.tidy()
    exp = exp[exp.event_time.notna() & (exp.event_time != -1)]
    tab = got.tidy()
    np.testing.assert_array_equal(tab["event_time"], exp["event_time"].astype(int))
    np.testing.assert_allclose(tab["estimate"], exp["estimate"], rtol=1e-12)
    np.testing.assert_allclose(tab["std_error"], exp["std_error"], rtol=1e-12)
    V = dyn.vcov.loc[exp.term, exp.term].to_numpy()
    np.testing.assert_allclose(got.vcov.to_numpy(), V, rtol=1e-12)
    lead = (exp.event_time < 0).to_numpy()
    b = exp["estimate"].to_numpy()[lead]
    W = b @ np.linalg.solve(V[np.ix_(lead, lead)], b)
    assert got.pretrend_test()["chi2"] == pytest.approx(W, rel=1e-10)


@pytest.mark.parametrize("method", ["twfe", "sunab"])
@pytest.mark.parametrize(
    ("weights", "cluster", "covs"), [(None, "stratum", None), ("w", "firm", "x"), (None, None, "x")]
)
def test_cell_fast_path_equals_alternating_projections(
    method: str, weights: str | None, cluster: str | None, covs: str | None
) -> None:
    df = _staggered(seed=21)
    kw = {
        "method": method,
        "weights": weights,
        "cluster": cluster,
        "covariates": covs,
        "window": (-3, 3),
    }
    if cluster is None:
        kw["vcov"] = "iid"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        fast = event_study(df, "y", "firm", "year", "cohort", **kw)
        slow = event_study(df, "y", "firm", "year", "cohort", fast=False, **kw)
    assert fast.info["path"] == "cells" and slow.info["path"] == "projections"
    np.testing.assert_allclose(
        fast.tidy()["estimate"], slow.tidy()["estimate"], rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(fast.vcov.to_numpy(), slow.vcov.to_numpy(), rtol=1e-8, atol=1e-15)
    assert fast.nobs == slow.nobs


def test_imputation_without_never_treated_drops_unimputable_periods() -> None:
    df = _staggered(seed=4, frac=1.0)
    df = df[df.cohort.notna()]  # cohorts 2016-2018 only: from 2018 on nobody is untreated
    res = event_study(df, "y", "firm", "year", "cohort", method="imputation", vcov="hetero")
    assert any("no untreated observation" in n for n in res.notes)
    assert res.tidy()["event_time"].max() == 2018 - 2016 - 1  # 2017 is the last imputable year


def test_inputs_are_not_modified() -> None:
    df = _staggered(seed=3)
    before = df.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        for method in ("twfe", "sunab", "imputation"):
            event_study(
                df, "y", "firm", "year", "cohort", method=method, cluster="stratum", window=(-2, 2)
            )
    pd.testing.assert_frame_equal(df, before)
