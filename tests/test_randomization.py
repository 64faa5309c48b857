"""Cluster-level randomization inference vs the TWFE estimator, pyfixest's ritest, and size."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators import randomization_inference


def _panel(
    seed: int,
    effect: float = 0.0,
    clusters: int = 26,
    per: int = 8,
    staggered: bool = True,
    attrition: float = 0.0,
) -> pd.DataFrame:
    """Strata with 4 participants each (cohort 2016 or 2017 by stratum) and comparison firms."""
    rng = np.random.default_rng(seed)
    cohorts = (
        np.array([2016, 2017] * (clusters // 2))
        if staggered
        else np.array([2016, 0] * (clusters // 2))
    )
    rows = []
    for s in range(clusters):
        shock = rng.normal(0, 0.1, 7)
        for i in range(per):
            g = cohorts[s] if (i < per // 2 and cohorts[s] > 0) else 0
            a = rng.normal()
            for t, year in enumerate(range(2014, 2021)):
                if rng.uniform() < attrition:
                    continue
                d = float(g > 0 and year >= g)
                y = a + 0.02 * t + shock[t] + effect * d + rng.normal(0, 0.3)
                rows.append(
                    (f"f{s}_{i}", f"s{s}", year, g, y, int(i < per // 2 and cohorts[s] > 0))
                )
    return pd.DataFrame(rows, columns=["firm_id", "stratum", "year", "cohort", "y", "participant"])


def test_observed_statistic_equals_twfe_estimator():
    """The fast demeaned coefficient equals the package's TWFE (unbalanced panel, 1e-9)."""
    from evaluation.estimators import twfe

    data = _panel(0, effect=0.2, attrition=0.1)
    ri = randomization_inference(data, "y", cluster="stratum", replications=19, seed=1)
    data["treated"] = ((data.cohort > 0) & (data.year >= data.cohort)).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = twfe(data, "y", "firm_id", "year", "treated", cluster="stratum").coef["treated"]
    assert ri.tidy().estimate[0] == pytest.approx(ref, abs=1e-9)


def test_matches_pyfixest_ritest_within_monte_carlo_error():
    """Non-staggered design, cohort assigned by stratum: permuting cohorts across strata is
    permuting the cluster-level treatment. On the balanced panel the TWFE coefficient equals the
    OLS slope of the firm's post-minus-pre contrast on participation, which pyfixest's ritest
    permutes at the stratum level. Both are Monte Carlo (999 and 49 draws - pyfixest's
    non-numba path runs ~30 draws/s - different RNGs): p-values agree within 4 combined MC
    standard errors."""
    import pyfixest as pf

    data = _panel(3, effect=0.1, staggered=False)
    # every firm of a stratum takes the stratum's cohort (2016 or never): treatment is constant
    # within stratum, and the 26 stratum cohorts are what both procedures permute
    data["cohort"] = data.groupby("stratum").cohort.transform("max")
    data["everyone"] = 1
    ri = randomization_inference(
        data, "y", cluster="stratum", participant="everyone", replications=999, seed=4
    )
    means = data.assign(post=data.year >= 2016).pivot_table(
        index=["firm_id", "stratum", "cohort"], columns="post", values="y", aggfunc="mean"
    )
    contrast = (means[True] - means[False]).rename("c").reset_index()
    contrast["D"] = (contrast.cohort > 0).astype(int)
    contrast["stratum_code"] = pd.factorize(contrast.stratum)[0]
    fit = pf.feols("c ~ D", data=contrast)
    assert fit.coef()["D"] == pytest.approx(ri.tidy().estimate[0], abs=1e-9)
    out = fit.ritest(resampvar="D", cluster="stratum_code", reps=49, rng=np.random.default_rng(5))
    p_ref = float(out["Pr(>|t|)"])
    p = ri.tidy().p_value[0]
    se = np.sqrt(max(p, 0.01) * (1 - p) * (1 / 999 + 1 / 49))
    assert abs(p - p_ref) <= 4 * se


def test_exact_enumeration_equals_brute_force_pyfixest():
    """Exact p-value: all 20 assignments of 3 x 2016 / 3 x 2017 over 6 strata, each refitted
    with pyfixest (unit + year FE); identical distribution (1e-9) and p-value."""
    import itertools

    import pyfixest as pf

    data = _panel(2, clusters=6, per=4, effect=0.1)
    ri = randomization_inference(data, "y", cluster="stratum", replications=999)
    strata = sorted(data.stratum.unique())
    observed = data.groupby("stratum").cohort.max().reindex(strata).to_numpy()
    stats = []
    for treated_2016 in itertools.combinations(range(6), 3):
        new = dict(
            zip(strata, [2016 if k in treated_2016 else 2017 for k in range(6)], strict=True)
        )
        g = np.where(data.participant == 1, data.stratum.map(new), 0)
        frame = data.assign(D=((g > 0) & (data.year >= g)).astype(float))
        stats.append(pf.feols("y ~ D | firm_id + year", data=frame).coef()["D"])
    obs_idx = [
        k
        for k, c in enumerate(itertools.combinations(range(6), 3))
        if all(observed[list(c)] == 2016)
    ][0]
    p_ref = np.mean(np.abs(stats) >= abs(stats[obs_idx]) - 1e-12)
    assert ri.tidy().estimate[0] == pytest.approx(stats[obs_idx], abs=1e-9)
    np.testing.assert_allclose(np.sort(ri.info["distribution"]), np.sort(stats), atol=1e-9)
    assert ri.tidy().p_value[0] == pytest.approx(p_ref, abs=1e-12)


def test_exact_enumeration_when_few_assignments():
    data = _panel(1, clusters=6, per=4)
    ri = randomization_inference(data, "y", cluster="stratum", replications=999, seed=0)
    # 6 clusters, 3 at 2016 and 3 at 2017: C(6,3) = 20 distinct assignments
    assert bool(ri.tidy().exact[0]) and ri.tidy().assignments[0] == 20
    p = ri.tidy().p_value[0]
    assert p * 20 == pytest.approx(round(p * 20))  # a multiple of 1/20


def test_size_under_the_null_and_power():
    """Known truth: under no effect p-values are ~uniform; a large effect is detected."""
    ps = [
        randomization_inference(_panel(100 + k), "y", cluster="stratum", replications=99, seed=k)
        .tidy()
        .p_value[0]
        for k in range(40)
    ]
    assert np.mean(np.array(ps) <= 0.1) <= 0.25  # 10% nominal; 40 draws, loose MC bound
    strong = randomization_inference(
        _panel(7, effect=0.4), "y", cluster="stratum", replications=199, seed=1
    )
    assert strong.tidy().p_value[0] <= 0.01


def test_errors_name_the_problem():
    data = _panel(0)
    with pytest.raises(ValueError, match="'nope' not in data"):
        randomization_inference(data, "nope", cluster="stratum")
    mixed = data.copy()
    mixed.loc[(mixed.stratum == "s0") & (mixed.firm_id == "f0_0"), "cohort"] = 2017
    with pytest.raises(ValueError, match="several cohorts"):
        randomization_inference(mixed, "y", cluster="stratum")
