"""Callaway-Sant'Anna checked against independent computations on small simulated panels.

* Influence functions: for an estimator with sampling weights, IF_i = n * d theta / d w_i at
  unit weights. Central finite differences of the whole estimator (ATT(g,t) and every
  aggregation, so R's estimated-weights term ``wif`` is included) must match the analytic
  influence functions (tolerance 1e-6 absolute, finite-difference error ~1e-8).
* Point estimates of a 2x2 cell rebuilt from statsmodels (logit GLM, WLS) (1e-8).
* Identities: universal-base pre-period cells equal minus the sum of varying short
  differences (unconditional DiD, 1e-12); frequency weights equal duplicated units (1e-10);
  anticipation equals shifted cohorts (1e-12); one cluster per unit equals no clustering.
* Multiplier bootstrap: reproducible with a seed; its SEs within 15% of the analytic ones
  with 999 draws (Monte Carlo s.d. of an IQR-based scale is ~4% at B = 999).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from evaluation.estimators import callaway_santanna
from evaluation.estimators.results import FewClustersWarning

AGGS = ("simple", "dynamic", "group", "calendar")


def simulate(n: int = 32, periods: int = 5, seed: int = 1) -> pd.DataFrame:
    """Staggered panel: cohorts 3 and 4 and never treated, covariate-dependent trends."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    g = rng.choice([0.0, 3.0, 4.0], size=n, p=[0.4, 0.3, 0.3])
    alpha = rng.normal(size=n)
    frames = []
    for t in range(1, periods + 1):
        effect = np.where((g > 0) & (t >= g), 1 + 0.3 * (t - g), 0.0)
        y = alpha + 0.5 * x * t + rng.normal(size=n) + effect
        frames.append(pd.DataFrame({"id": np.arange(n), "t": t, "y": y, "x": x, "g": g}))
    out = pd.concat(frames).sort_values(["id", "t"]).reset_index(drop=True)
    out["w"] = 1.0
    return out


@pytest.mark.parametrize(
    "kw",
    [
        {"method": "dr", "control_group": "not_yet", "base_period": "varying"},
        {"method": "ipw", "control_group": "never", "base_period": "universal"},
        {"method": "reg", "control_group": "never", "base_period": "varying"},
    ],
    ids=["dr-notyet-varying", "ipw-never-universal", "reg-never-varying"],
)
def test_influence_function_equals_weight_derivative(kw):
    df = simulate()
    kw = {**kw, "covariates": ["x"], "weights": "w"}
    base = callaway_santanna(df, "y", "id", "t", "g", **kw)
    aggs = {k: base.aggregate(k) for k in AGGS}
    n, eps = base.n_units, 1e-6
    fd = np.zeros_like(base.influence)
    fd_agg = {k: np.zeros_like(v.info["influence"]) for k, v in aggs.items()}
    ids = df["id"].to_numpy()
    for i, u in enumerate(base.units):
        sides = []
        for sign in (1.0, -1.0):
            d = df.copy()
            d.loc[ids == u, "w"] = 1.0 + sign * eps
            r = callaway_santanna(d, "y", "id", "t", "g", **kw)
            sides.append(
                (
                    r.table["estimate"].to_numpy(),
                    {k: r.aggregate(k).table["estimate"] for k in AGGS},
                )
            )
        fd[i] = n * (sides[0][0] - sides[1][0]) / (2 * eps)
        for k in AGGS:
            fd_agg[k][i] = n * (sides[0][1][k] - sides[1][1][k]) / (2 * eps)
    np.testing.assert_allclose(fd, base.influence, atol=1e-6)
    for k in AGGS:
        np.testing.assert_allclose(fd_agg[k], aggs[k].info["influence"], atol=1e-6)
    # and the reported SEs are sqrt(sum psi^2) / n
    np.testing.assert_allclose(
        base.table["std_error"].dropna(),
        np.sqrt((base.influence**2).sum(0))[base.table["std_error"].notna()] / n,
        rtol=1e-12,
    )


def test_dr_cell_matches_statsmodels_pieces():
    df = simulate(n=300, seed=3)
    res = callaway_santanna(df, "y", "id", "t", "g", covariates=["x"], method="dr")
    got = res.tidy().set_index("term").loc["ATT(3,4)", "estimate"]
    wide = df.pivot(index="id", columns="t", values="y")
    unit = df.groupby("id")[["x", "g"]].first()
    keep = unit["g"].isin([0.0, 3.0])
    dy = (wide[4] - wide[2])[keep]
    d = (unit["g"][keep] == 3.0).astype(float)
    xmat = sm.add_constant(unit["x"][keep])
    ps = sm.GLM(d, xmat, family=sm.families.Binomial()).fit(tol=1e-12).predict(xmat)
    ols = sm.WLS(dy[d == 0], xmat[d == 0]).fit()
    resid = dy - ols.predict(xmat)
    odds = ps / (1 - ps)
    exp = resid[d == 1].mean() - np.average(resid[d == 0], weights=odds[d == 0])
    assert got == pytest.approx(exp, abs=1e-8)

    # outcome regression: treated mean change minus the comparison-fitted change
    reg = callaway_santanna(df, "y", "id", "t", "g", covariates=["x"], method="reg")
    got_reg = reg.tidy().set_index("term").loc["ATT(3,4)", "estimate"]
    exp_reg = (dy[d == 1] - ols.predict(xmat[d == 1])).mean()
    assert got_reg == pytest.approx(exp_reg, abs=1e-8)


def test_universal_pre_cells_are_cumulated_short_differences():
    df = simulate(n=200, periods=6, seed=5)
    var = callaway_santanna(df, "y", "id", "t", "g", method="reg").tidy()
    uni = callaway_santanna(df, "y", "id", "t", "g", method="reg", base_period="universal").tidy()
    v = var.set_index(["group", "time"])["estimate"]
    u = uni.set_index(["group", "time"])
    for (g, t), row in u.iterrows():
        if t == g - 1:
            assert row["estimate"] == 0.0 and np.isnan(row["std_error"])
        elif t < g - 1:
            expected = -sum(v[(g, s)] for s in range(int(t) + 1, int(g)))
            assert row["estimate"] == pytest.approx(expected, abs=1e-12)
        else:
            assert row["estimate"] == pytest.approx(v[(g, t)], abs=1e-12)
    # universal base period: the reference cell is excluded from the pre-test
    res = callaway_santanna(df, "y", "id", "t", "g", method="reg", base_period="universal")
    assert res.pretest().df == int((uni["group"] > uni["time"] + 1).sum())


def test_frequency_weights_equal_duplicated_units():
    df = simulate(n=60, seed=7)
    rng = np.random.default_rng(0)
    reps = pd.Series(rng.integers(1, 4, size=60), index=np.arange(60))
    df["w"] = df["id"].map(reps).astype(float)
    dup = df.loc[df.index.repeat(df["w"].astype(int))].copy()
    dup["id"] = dup["id"].astype(str) + "_" + dup.groupby(["id", "t"]).cumcount().astype(str)
    for method in ("dr", "ipw", "reg"):
        a = callaway_santanna(df, "y", "id", "t", "g", covariates=["x"], method=method, weights="w")
        b = callaway_santanna(dup, "y", "id", "t", "g", covariates=["x"], method=method)
        np.testing.assert_allclose(a.table["estimate"], b.table["estimate"], atol=1e-10)
        for k in AGGS:
            np.testing.assert_allclose(
                a.aggregate(k).table["estimate"], b.aggregate(k).table["estimate"], atol=1e-10
            )


def test_anticipation_equals_shifted_cohorts():
    df = simulate(n=150, periods=6, seed=11)
    df["g"] = df["g"].replace({3.0: 4.0, 4.0: 5.0})
    ant = callaway_santanna(df, "y", "id", "t", "g", anticipation=1, method="reg").tidy()
    shifted = df.assign(g=np.where(df["g"] > 0, df["g"] - 1, 0.0))
    ref = callaway_santanna(shifted, "y", "id", "t", "g", method="reg").tidy()
    a = ant[ant["time"] >= ant["group"]].set_index(["group", "time"])["estimate"]
    r = ref.set_index(["group", "time"])["estimate"]
    for (g, t), value in a.items():
        assert value == pytest.approx(r[(g - 1, t)], abs=1e-12)


def test_cluster_per_unit_equals_unclustered_and_coarse_clusters_differ():
    df = simulate(n=120, seed=13)
    plain = callaway_santanna(df, "y", "id", "t", "g", covariates=["x"])
    own = callaway_santanna(
        df.assign(c=df["id"]), "y", "id", "t", "g", covariates=["x"], cluster="c"
    )
    np.testing.assert_allclose(own.table["std_error"], plain.table["std_error"], rtol=1e-12)
    for k in AGGS:
        np.testing.assert_allclose(
            own.aggregate(k).table["std_error"], plain.aggregate(k).table["std_error"], rtol=1e-12
        )
    assert own.pretest().statistic == pytest.approx(plain.pretest().statistic, rel=1e-10)
    coarse = df.assign(c=df["id"] % 12)
    with pytest.warns(FewClustersWarning):
        cl = callaway_santanna(coarse, "y", "id", "t", "g", covariates=["x"], cluster="c")
    assert cl.n_clusters == 12
    sums = np.stack([np.bincount(cl.cluster_codes, weights=c) for c in cl.influence.T], axis=1)
    np.testing.assert_allclose(
        cl.table["std_error"], np.sqrt((sums**2).sum(0)) / cl.n_units, rtol=1e-12
    )
    assert not np.allclose(cl.table["std_error"], plain.table["std_error"], rtol=1e-3)


def test_multiplier_bootstrap_reproducible_and_close_to_analytic(test_data):
    mpdta = pd.read_csv(test_data / "mpdta.csv")
    args = ("lemp", "countyreal", "year", "first.treat")
    analytic = callaway_santanna(mpdta, *args)
    a = callaway_santanna(mpdta, *args, replications=999, seed=20161)
    b = callaway_santanna(mpdta, *args, replications=999, seed=20161)
    c = callaway_santanna(mpdta, *args, replications=999, seed=7)
    pd.testing.assert_frame_equal(a.tidy(), b.tidy())
    assert not np.allclose(a.table["std_error"], c.table["std_error"])
    np.testing.assert_allclose(a.table["std_error"], analytic.table["std_error"], rtol=0.15)
    np.testing.assert_allclose(a.table["estimate"], analytic.table["estimate"], rtol=0)
    crit = a.info["crit_value"]
    assert 1.96 < crit < 4.0  # a sup-t band over 12 cells is wider than pointwise
    np.testing.assert_allclose(
        a.table["conf_high"] - a.table["estimate"], crit * a.table["std_error"]
    )
    dyn_a, dyn_b = a.aggregate("dynamic"), b.aggregate("dynamic")
    pd.testing.assert_frame_equal(dyn_a.tidy(), dyn_b.tidy())
    np.testing.assert_allclose(
        dyn_a.table["std_error"], analytic.aggregate("dynamic").table["std_error"], rtol=0.15
    )
    assert dyn_a.info["crit_value"] > 1.96
    # clustered bootstrap: cluster-level multipliers, close to the cluster-sum analytic SEs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        clustered = mpdta.assign(state=mpdta["countyreal"] // 1000)
        cl_an = callaway_santanna(clustered, *args, cluster="state")
        cl_bs = callaway_santanna(clustered, *args, cluster="state", replications=999, seed=1)
    ratio = cl_bs.table["std_error"] / cl_an.table["std_error"]
    assert ratio.between(0.7, 1.3).all()


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"cluster": "state"},
        {"weights": "w", "covariates": ["lpop"]},
        {"control_group": "not_yet", "base_period": "universal"},
    ],
)
def test_aggregated_bootstrap_reuses_the_attgt_draws_exactly(test_data, options):
    """Aggregations bootstrap from the stored ATT(g,t) draws and the cohort basis of the
    estimated-weights term; that must equal re-drawing the same multipliers for the
    aggregated influence functions (R re-runs mboot with the seed)."""
    from evaluation.estimators.cs_inference import multiplier_bootstrap

    mpdta = pd.read_csv(test_data / "mpdta.csv")
    mpdta["state"] = mpdta["countyreal"] // 1000
    mpdta["w"] = 1 + (mpdta["countyreal"] % 7) / 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        res = callaway_santanna(
            mpdta, "lemp", "countyreal", "year", "first.treat", replications=299, seed=11, **options
        )
    for kind, extra in [
        ("simple", {}),
        ("dynamic", {}),
        ("group", {}),
        ("calendar", {}),
        ("dynamic", {"balance_e": 1}),
    ]:
        agg = res.aggregate(kind, **extra)
        sums = res._sums(agg.info["influence"])
        band = np.arange(len(agg.table)) < len(agg.table) - 1
        se, crit = multiplier_bootstrap(
            sums, res.n_units, 299, 11, res.alpha, band=band, blocks=res._blocks()
        )
        np.testing.assert_allclose(agg.table["std_error"], se, rtol=1e-10)
        if kind != "simple":
            assert agg.info["crit_value"] == pytest.approx(crit, rel=1e-10)


def test_time_varying_covariates_and_weights_use_the_earlier_period():
    """As R did: each 2x2 takes covariates and weights from its earlier period (here the
    base period 2 of ATT(3, 4) and the period 3 of the short difference ATT(4, 3))."""
    rng = np.random.default_rng(17)
    df = simulate(n=150, seed=17)
    df["x"] = df["x"] + 0.5 * rng.normal(size=len(df))
    df["w"] = rng.uniform(0.5, 2.0, size=len(df))
    with pytest.warns(UserWarning, match="weights vary over time"):
        res = callaway_santanna(df, "y", "id", "t", "g", covariates=["x"], weights="w")
    got = res.tidy().set_index("term")["estimate"]
    for term, earlier in (("ATT(3,4)", 2), ("ATT(4,3)", 2), ("ATT(4,4)", 3)):
        frozen = df.copy()
        at = df[df["t"] == earlier].set_index("id")
        frozen["x"] = frozen["id"].map(at["x"])
        frozen["w"] = frozen["id"].map(at["w"])
        ref = callaway_santanna(frozen, "y", "id", "t", "g", covariates=["x"], weights="w")
        assert got[term] == pytest.approx(ref.coef[term], abs=1e-12)
