"""Wild cluster bootstrap: against wildboottest (frozen, full enumeration), pyfixest (CRV1),
its own generic algorithm, and a seeded size Monte Carlo with a true null.

Tolerances: bootstrap t-statistics draw by draw 1e-9 (absolute; the reference is written with
12 significant digits); CRV1 standard errors and t-statistics against pyfixest 1e-10 (relative);
the size Monte Carlo within 3 Monte Carlo standard errors of 5%.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from scipy import stats

from evaluation.estimators import EstimationResult, tidy_frame, wild_cluster_bootstrap
from evaluation.estimators import wild_bootstrap as wbm


@pytest.fixture(scope="module")
def ref_data(test_data) -> pd.DataFrame:
    return pd.read_csv(test_data / "wildboot" / "wildboot_ref_data.csv")


@pytest.fixture(scope="module")
def ref_tboot(test_data) -> pd.DataFrame:
    return pd.read_csv(test_data / "wildboot" / "wildboot_ref_tboot.csv")


def _specs(d: pd.DataFrame) -> dict[str, dict]:
    twfe8 = d[d["panel"] == "twfe8"]
    base = dict(kind="twfe", data=twfe8, outcome="y", unit="unit", time="time", treatment="treat")
    return {
        "twfe8": {**base, "covariates": ["x1"]},
        "twfe8_weighted": {**base, "covariates": ["x1"], "weights": "w"},
        "ols10_timefe": dict(
            kind="ols",
            data=d[d["panel"] == "ols10"],
            outcome="y",
            regressors=["treat", "x1"],
            fixed_effects=["time"],
        ),
    }


@pytest.mark.parametrize("case", ["twfe8", "twfe8_weighted", "ols10_timefe"])
def test_full_enumeration_matches_wildboottest(case, ref_data, ref_tboot):
    spec = _specs(ref_data)[case]
    ref = ref_tboot[ref_tboot["case"] == case]
    res = wild_cluster_bootstrap(spec, "treat", "stratum", replications=99_999, seed=3)
    G = spec["data"]["stratum"].nunique()
    assert res.info["full_enumeration"] and res.info["reps"] == 2**G == len(ref)
    # wildboottest counts every column of X (all dummies) in the small-sample factor; fixest
    # does not count fixed effects nested in the cluster. Rescale theirs to ours.
    n, k = len(spec["data"]), int(ref["k"].iloc[0])
    rescale = np.sqrt(res.info["small_sample_factor"] / (G / (G - 1) * (n - 1) / (n - k)))
    t_ref = ref["t_boot"].to_numpy() / rescale
    np.testing.assert_allclose(res.info["t_boot"], t_ref, rtol=0, atol=1e-9)
    row = res.tidy().iloc[0]
    assert row["statistic"] == pytest.approx(ref["t_stat"].iloc[0] / rescale, abs=1e-10)
    # p-value: ours counts ties |t*| = |t| (the identity draw and its mirror) as exceeding;
    # wildboottest's comparison is strict, so whether a tie counts there depends on rounding:
    # its p-value lies between the strict count and ours.
    t_abs = abs(ref["t_stat"].iloc[0])
    ours_from_ref = np.mean(np.abs(ref["t_boot"]) >= t_abs - 1e-10 * max(1, t_abs))
    assert row["p_value"] == ours_from_ref
    strict = np.mean(np.abs(ref["t_boot"]) > t_abs + 1e-10 * max(1, t_abs))
    assert strict - 1e-12 <= ref["p_value"].iloc[0] <= row["p_value"] + 1e-12
    assert row["p_value"] - strict <= 2 / len(ref) + 1e-12  # at most the two tied draws


@pytest.mark.parametrize("weights", [None, "w"])
def test_crv1_matches_pyfixest(weights, ref_data):
    d = ref_data[ref_data["panel"] == "twfe8"]
    fit = pf.feols(
        "y ~ treat + x1 | unit + time", data=d, vcov={"CRV1": "stratum"}, weights=weights
    )
    spec = {**_specs(ref_data)["twfe8"], "weights": weights}
    row = wild_cluster_bootstrap(spec, "treat", "stratum", replications=99, seed=1).tidy().iloc[0]
    assert row["estimate"] == pytest.approx(fit.coef()["treat"], rel=1e-10)
    assert row["std_error"] == pytest.approx(fit.se()["treat"], rel=1e-10)
    assert row["statistic"] == pytest.approx(fit.tstat()["treat"], rel=1e-10)


@pytest.mark.parametrize(
    ("cluster", "extra_fe"),
    [("stratum", None), ("time", None), ("unit", None), ("stratum", "stratum"), ("pair", None)],
)
def test_fast_cross_terms_equal_generic_route(cluster, extra_fe, ref_data, monkeypatch):
    """Schur-complement cross-cluster terms == one demeaning per cluster (exact, generic).

    Covers: unit nested / time free (sparse Schur), time nested / unit free, nothing nested,
    two nested effects (Schur by demeaning), clusters of two strata (time and unit free).
    """
    spec = _specs(ref_data)["twfe8_weighted"]
    d = spec["data"].assign(pair=spec["data"]["stratum"] // 2)
    spec = {**spec, "data": d}
    if extra_fe:
        spec["fixed_effects"] = ["unit", "time", extra_fe]
    fast = wbm.prepare_problem(spec, "treat", cluster)
    monkeypatch.setattr(wbm, "_MAX_DENSE_CROSSTAB", -1)  # sparse cross-tabulation route
    sparse_route = wbm.prepare_problem(spec, "treat", cluster)
    np.testing.assert_allclose(sparse_route.C0, fast.C0, atol=1e-10 * np.abs(fast.C0).max())
    monkeypatch.setattr(wbm, "_MAX_SCHUR_LEVELS", -1)
    slow = wbm.prepare_problem(spec, "treat", cluster)
    scale = np.abs(slow.C0).max()
    np.testing.assert_allclose(fast.C0, slow.C0, atol=1e-10 * scale)
    np.testing.assert_allclose(fast.C1, slow.C1, atol=1e-10 * np.abs(slow.C1).max())
    # the low-rank product used per draw equals the dense one
    V = np.random.default_rng(0).choice([-1.0, 1.0], size=(fast.n_clusters, 7))
    C0V, C1V = fast.apply(V)
    np.testing.assert_allclose(C0V, fast.C0 @ V, atol=1e-10 * scale * fast.n_clusters)
    np.testing.assert_allclose(C1V, fast.C1 @ V, atol=1e-10 * np.abs(fast.C1).max() * 40)


def test_cluster_level_statistics_equal_dummy_regression(ref_data):
    """One draw by brute force: rebuild y*, refit the full dummy regression, CRV1 t."""
    spec = _specs(ref_data)["ols10_timefe"]
    d = spec["data"]
    prob = wbm.prepare_problem(spec, "treat", "stratum")
    X = np.column_stack([d["treat"], d["x1"], pd.get_dummies(d["time"], dtype=float)])
    y = d["y"].to_numpy()
    cl = pd.factorize(d["stratum"], sort=True)[0]
    r = 0.3
    Xr = X[:, 1:]
    gam = np.linalg.lstsq(Xr, y - r * X[:, 0], rcond=None)[0]
    u_r = y - r * X[:, 0] - Xr @ gam
    v = np.random.default_rng(0).choice([-1.0, 1.0], size=cl.max() + 1)
    y_star = Xr @ gam + r * X[:, 0] + u_r * v[cl]
    b = np.linalg.lstsq(X, y_star, rcond=None)[0]
    e = y_star - X @ b
    XtXi = np.linalg.inv(X.T @ X)
    scores = np.array([X[cl == g].T @ e[cl == g] for g in range(cl.max() + 1)])
    V = prob.ssc * XtXi @ scores.T @ scores @ XtXi
    t_brute = (b[0] - r) / np.sqrt(V[0, 0])
    boot = wbm._Bootstrap(prob, v[:, None], impose_null=True)
    assert boot.t_boot(r)[0] == pytest.approx(t_brute, rel=1e-9)


def test_seeded_and_reproducible(ref_data):
    spec = _specs(ref_data)["twfe8"]
    d = spec["data"]
    spec = {**spec, "data": d.assign(g=d["unit"])}  # 40 clusters: random draws, no enumeration
    a = wild_cluster_bootstrap(spec, "treat", "g", replications=499, seed=42, weight_type="webb")
    b = wild_cluster_bootstrap(spec, "treat", "g", replications=499, seed=42, weight_type="webb")
    c = wild_cluster_bootstrap(spec, "treat", "g", replications=499, seed=43, weight_type="webb")
    assert not a.info["full_enumeration"]
    pd.testing.assert_frame_equal(a.tidy(), b.tidy())
    np.testing.assert_array_equal(a.info["t_boot"], b.info["t_boot"])
    assert not np.array_equal(a.info["t_boot"], c.info["t_boot"])
    # Webb draws take six values with equal probability (mean 0, variance 1)
    V, _ = wbm.draw_weights(40, 20_000, "webb", np.random.default_rng(0))
    assert set(np.unique(V).round(12)) == set(wbm.WEBB_POINTS.round(12))
    assert abs(V.mean()) < 0.01 and abs(V.var() - 1) < 0.01


def test_confidence_interval_is_test_inversion(ref_data):
    spec = _specs(ref_data)["twfe8"]
    d = spec["data"]
    spec = {**spec, "data": d.assign(g=d["unit"])}
    res = wild_cluster_bootstrap(spec, "treat", "g", replications=999, seed=5, ci_tol=1e-9)
    row = res.tidy().iloc[0]
    lo, hi, se = row["conf_low"], row["conf_high"], row["std_error"]
    assert lo < row["estimate"] < hi
    prob = wbm.prepare_problem(spec, "treat", "g")
    V, _ = wbm.draw_weights(prob.n_clusters, 999, "rademacher", np.random.default_rng(5))
    boot = wbm._Bootstrap(prob, V, impose_null=True)
    eps = 1e-6 * se
    assert boot.pvalue(lo + eps) > 0.05 >= boot.pvalue(lo - eps)
    assert boot.pvalue(hi - eps) > 0.05 >= boot.pvalue(hi + eps)
    # the interval is wider than a normal one would be only by the bootstrap's tails: sanity
    assert 2.5 * se < hi - lo < 8 * se
    # WCU: t* does not depend on r, so the interval is estimate -/+ quantile(|t*|) * se
    wcu = wild_cluster_bootstrap(spec, "treat", "g", replications=999, seed=5, impose_null=False)
    t_abs = np.sort(np.abs(wcu.info["t_boot"]))
    lo_u, hi_u = wcu.tidy().loc[0, ["conf_low", "conf_high"]]
    half = (hi_u - lo_u) / 2 / se
    # p(r) > 0.05 needs at least 50 of the 999 |t*| at or above |t(r)|: the half-width is the
    # 50th largest |t*| (times the standard error)
    assert half == pytest.approx(t_abs[999 - 50], rel=1e-5)


def test_accepts_estimation_result_with_spec(ref_data):
    spec = _specs(ref_data)["twfe8"]
    table = tidy_frame(["treat"], [0.0], [1.0])
    result = EstimationResult("twfe", table, nobs=len(spec["data"]), info={"spec": spec})
    res = wild_cluster_bootstrap(result, "treat", "stratum", replications=300, seed=1)
    assert res.n_clusters == 8 and res.info["reps"] == 256  # 2**8 <= 300: enumeration
    assert "WCR" in res.vcov_type and "8 clusters" in res.notes[-2]
    assert set(res.tidy().columns) >= {"term", "estimate", "p_value", "conf_low", "conf_high"}
    assert "wild" in res._repr_html_()


def test_clear_errors(ref_data):
    spec = _specs(ref_data)["twfe8"]
    d = spec["data"]
    with pytest.raises(ValueError, match="1 distinct value"):
        wild_cluster_bootstrap({**spec, "data": d.assign(one=1)}, "treat", "one", replications=9)
    with pytest.raises(KeyError, match="not a regressor"):
        wild_cluster_bootstrap(spec, "nope", "stratum", replications=9)
    with pytest.raises(KeyError, match="cluster column 'zz'"):
        wild_cluster_bootstrap(spec, "treat", "zz", replications=9)
    with pytest.raises(ValueError, match="collinear"):
        const = d.assign(c=d["unit"] * 1.0)
        wild_cluster_bootstrap({**spec, "data": const, "treatment": "c"}, "c", "stratum")
    with pytest.raises(ValueError, match="rademacher' or 'webb"):
        wild_cluster_bootstrap(spec, "treat", "stratum", replications=9, weight_type="mammen")
    with pytest.raises(ValueError, match="no specification"):
        table = tidy_frame(["treat"], [0.0], [1.0])
        wild_cluster_bootstrap(EstimationResult("x", table, 1), "treat", "stratum")
    with pytest.raises(TypeError, match="numeric"):
        wild_cluster_bootstrap({**spec, "data": d.assign(y=d["y"].astype(str))}, "treat", "stratum")
    # missing values are dropped with a note
    d2 = d.copy()
    d2.loc[d2.index[:3], "y"] = np.nan
    res = wild_cluster_bootstrap({**spec, "data": d2}, "treat", "stratum", replications=99, seed=1)
    assert any("3 row(s) with missing values dropped" in n for n in res.notes)
    # a unit seen once is a fixed-effect singleton: dropped as fixest does, with a note
    lone = d.iloc[:1].assign(unit=999)
    res = wild_cluster_bootstrap(
        {**spec, "data": pd.concat([d, lone])}, "treat", "stratum", replications=9
    )
    assert res.nobs == len(d) and any("1 fixed-effect singleton" in n for n in res.notes)


def _size_panel(rng: np.random.Generator, G: int = 26, T: int = 8) -> pd.DataFrame:
    """Unequal strata, treatment concentrated in some strata, stratum x year shocks, true ATT 0."""
    sizes = rng.integers(2, 25, size=G)
    stratum = np.repeat(np.arange(G), sizes)
    n_units = stratum.size
    share = rng.beta(0.5, 1.5, size=G)
    cohort = np.where(rng.uniform(size=n_units) < share[stratum], rng.integers(3, 7, n_units), 0)
    unit = np.repeat(np.arange(n_units), T)
    year = np.tile(np.arange(T), n_units)
    st = stratum[unit]
    treat = ((cohort[unit] > 0) & (year >= cohort[unit])).astype(float)
    shock = 0.8 * rng.normal(size=(G, T))
    noise = rng.normal(size=unit.size) * (1 + treat)
    y = rng.normal(size=n_units)[unit] + shock[st, year] + noise
    return pd.DataFrame({"unit": unit, "year": year, "stratum": st, "treat": treat, "y": y})


@pytest.mark.slow
def test_size_monte_carlo_26_clusters():
    """True null, 26 unequal strata: WCR rejects close to 5%, CRV1 (t with G-1 df) more often.

    Measured with this seed: WCR 4.8%, CRV1 7.0% (600 replications, 199 draws each;
    Monte Carlo SE 0.89 points). With 1,000 replications: WCR 5.0%, CRV1 6.8%.
    """
    rng = np.random.default_rng(12345)
    R, B, G = 600, 199, 26
    rej_wcr = rej_crv1 = 0
    for _ in range(R):
        d = _size_panel(rng, G)
        spec = dict(kind="twfe", data=d, outcome="y", unit="unit", time="year", treatment="treat")
        prob = wbm.prepare_problem(spec, "treat", "stratum")
        V, _ = wbm.draw_weights(G, B, "rademacher", rng)
        boot = wbm._Bootstrap(prob, V, impose_null=True)
        rej_wcr += boot.pvalue(0.0) <= 0.05
        rej_crv1 += 2 * stats.t(G - 1).sf(abs(boot.t_stat(0.0))) <= 0.05
    mc_se = np.sqrt(0.05 * 0.95 / R)
    assert abs(rej_wcr / R - 0.05) < 3 * mc_se
    assert rej_crv1 > rej_wcr


def test_few_clusters_crv1_note_not_raised_for_bootstrap(ref_data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wild_cluster_bootstrap(
            _specs(ref_data)["twfe8"], "treat", "stratum", replications=99, seed=1
        )


def test_on_twfe_and_did_2x2_results(ref_data):
    """The bootstrap refits the model of a real result: same estimate and CRV1 SE."""
    from evaluation.estimators import did_2x2, twfe

    d = ref_data[ref_data["panel"] == "twfe8"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = twfe(d, "y", "unit", "time", "treat", covariates="x1", cluster="stratum", weights="w")
    res = wild_cluster_bootstrap(fit, data=d, replications=999, seed=11)
    row, ref = res.tidy().iloc[0], fit.tidy().set_index("term").loc["treat"]
    assert row["term"] == "treat" and res.n_clusters == 8 and res.info["full_enumeration"]
    assert row["estimate"] == pytest.approx(ref["estimate"], rel=1e-10)
    assert row["std_error"] == pytest.approx(ref["std_error"], rel=1e-10)
    assert row["p_value_crv1"] == pytest.approx(ref["p_value"], rel=1e-8)
    d2 = d.assign(post=(d["time"] >= 3).astype(float), ever=(d["unit"] % 2).astype(float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit2 = did_2x2(d2, "y", "ever", "post", covariates="x1", cluster="stratum")
    res2 = wild_cluster_bootstrap(fit2, "ever:post", "stratum", data=d2, replications=999, seed=11)
    ref2 = fit2.tidy().set_index("term").loc["ever:post"]
    assert res2.tidy().loc[0, "estimate"] == pytest.approx(ref2["estimate"], rel=1e-10)
    assert res2.tidy().loc[0, "std_error"] == pytest.approx(ref2["std_error"], rel=1e-10)


def test_sorted_balanced_panel_fast_path_equals_generic_path():
    """A balanced panel sorted by unit and year takes the reshape path (demeaning, level sums,
    nesting); the same rows shuffled take the bincount path. Same draws (seeded per cluster),
    so every number must agree to rounding."""
    rng = np.random.default_rng(3)
    units, years = 60, 6
    unit = np.repeat(np.arange(units), years)
    year = np.tile(np.arange(2015, 2015 + years), units)
    stratum = np.repeat(rng.integers(0, 12, units), years)
    cohort = np.repeat(rng.choice([0, 2017, 2018], units), years)
    treat = ((cohort > 0) & (year >= cohort)).astype(float)
    y = 0.1 * treat + rng.normal(size=unit.size) + 0.05 * unit + 0.02 * year
    data = pd.DataFrame(dict(unit=unit, year=year, stratum=stratum, treat=treat, y=y))
    shuffled = data.sample(frac=1.0, random_state=1).reset_index(drop=True)
    spec = dict(kind="twfe", outcome="y", unit="unit", time="year", treatment="treat")
    a = wild_cluster_bootstrap({**spec, "data": data}, "treat", "stratum", replications=999, seed=4)
    b = wild_cluster_bootstrap(
        {**spec, "data": shuffled}, "treat", "stratum", replications=999, seed=4
    )
    ta, tb = a.tidy().iloc[0], b.tidy().iloc[0]
    for col in ("estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"):
        assert ta[col] == pytest.approx(tb[col], rel=1e-9, abs=1e-12), col
