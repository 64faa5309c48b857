"""MDE against statsmodels' power functions, BPW's closed form, and a simulated panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.power import NormalIndPower, TTestIndPower

from evaluation.estimators import minimum_detectable_effect
from evaluation.estimators.power import _contrast_variance, simulated_power


@pytest.mark.parametrize(("n", "share", "power"), [(40, 0.5, 0.8), (120, 0.3, 0.9)])
def test_unclustered_limit_equals_statsmodels_ttest(n, share, power):
    """One firm per cluster, no ICC, one pre and one post period: a two-sample t test on D_i.

    Var(D) = 2 sigma^2; statsmodels' standardized effect is in units of sd(D). Exact
    non-central t on both sides: agreement to 1e-6.
    """
    sigma = 1.3
    res = minimum_detectable_effect(
        clusters=n, firms_per_cluster=1, periods=(1, 1), sigma=sigma, icc=0.0,
        treated_share=share, power=power, assignment="cluster", exact=True,
    )  # fmt: skip
    d = TTestIndPower().solve_power(
        nobs1=n * share, ratio=(1 - share) / share, alpha=0.05, power=power
    )
    assert res.tidy().estimate[0] / (np.sqrt(2) * sigma) == pytest.approx(d, abs=1e-6)


def test_large_sample_approximation_equals_normal_power():
    """The t + t approximation tends to the normal-power formula (1e-3 relative at 20,000)."""
    res = minimum_detectable_effect(
        clusters=20_000, firms_per_cluster=1, periods=(1, 1), sigma=1.0, assignment="cluster"
    )
    d = NormalIndPower().solve_power(nobs1=10_000, ratio=1.0, alpha=0.05, power=0.8)
    assert res.tidy().estimate[0] / np.sqrt(2) == pytest.approx(d, rel=1e-3)


def test_contrast_variance_equals_bpw_closed_form():
    """Burlig-Preonas-Woerman (2020) eq. 8 with the average covariances of an AR(1)."""
    sigma, rho, m, r = 0.7, 0.6, 3, 4
    t = np.arange(m + r)
    cov = sigma**2 * rho ** np.abs(t[:, None] - t[None, :])
    pre, post = cov[:m, :m], cov[m:, m:]
    psi_b = (pre.sum() - np.trace(pre)) / (m * (m - 1))
    psi_a = (post.sum() - np.trace(post)) / (r * (r - 1))
    psi_x = cov[:m, m:].mean()
    bpw = sigma**2 * (1 / m + 1 / r) + (m - 1) / m * psi_b + (r - 1) / r * psi_a - 2 * psi_x
    assert _contrast_variance(sigma, rho, m, r) == pytest.approx(bpw, rel=1e-12)


def test_design_effects_and_take_up():
    base = dict(sigma=1.0, clusters=26, firms_per_cluster=10, periods=(2, 3))
    iid = minimum_detectable_effect(icc=0.0, assignment="cluster", **base).tidy().estimate[0]
    clus = minimum_detectable_effect(icc=0.2, assignment="cluster", **base).tidy()
    assert clus.design_effect[0] == pytest.approx(1 + 9 * 0.2)
    assert clus.estimate[0] == pytest.approx(iid * np.sqrt(2.8), rel=1e-12)
    within = minimum_detectable_effect(icc=0.2, assignment="within", **base).tidy()
    assert within.estimate[0] < iid  # cluster shocks difference out
    half = minimum_detectable_effect(icc=0.2, take_up=0.5, **base).tidy()
    assert half.estimate[0] == pytest.approx(2 * within.estimate[0])
    with pytest.raises(ValueError, match="power"):
        minimum_detectable_effect(sigma=1.0, power=1.2)
    with pytest.raises(ValueError, match="data or sigma"):
        minimum_detectable_effect(clusters=26)
    # no default programme's design: the number of clusters, the outcome and the cluster
    # column are the caller's
    with pytest.raises(ValueError, match="clusters= "):
        minimum_detectable_effect(sigma=1.0)


def _simulated_panel(seed: int, clusters: int = 26, per: int = 16) -> tuple[pd.DataFrame, dict]:
    """Firm effects, AR(1) firm shocks (sd 0.5, rho 0.5), cluster-year shocks (sd 0.15)."""
    rng = np.random.default_rng(seed)
    years, sd, rho, tau = 5, 0.5, 0.5, 0.15
    rows = []
    for g in range(clusters):
        shock = rng.normal(0, tau, years)
        for i in range(per):
            e = np.empty(years)
            e[0] = rng.normal(0, sd)
            for t in range(1, years):
                e[t] = rho * e[t - 1] + rng.normal(0, sd * np.sqrt(1 - rho**2))
            a = rng.normal(0, 1)
            for t in range(years):
                rows.append(
                    (
                        f"f{g}_{i}",
                        f"s{g}",
                        t,
                        2 if i < per // 2 else 0,
                        a + 0.05 * t + shock[t] + e[t],
                    )
                )
    data = pd.DataFrame(rows, columns=["firm_id", "stratum", "year", "cohort", "y"])
    data["participant"] = (data.cohort > 0).astype(int)
    var_ind = _contrast_variance(sd, rho, 2, 3)
    var_cl = tau**2 * (1 / 2 + 1 / 3)
    truth = {"var_ind": var_ind, "icc": var_cl / (var_cl + var_ind), "sd": sd, "rho": rho}
    return data, truth


def test_mde_from_data_recovers_design_parameters():
    data, truth = _simulated_panel(1)
    res = minimum_detectable_effect(
        data, clusters=26, firms_per_cluster=16, periods=(2, 3), outcome="y", cluster="stratum"
    ).tidy()
    var_total = truth["var_ind"] / (1 - truth["icc"])
    assert res.var_contrast[0] == pytest.approx(var_total, rel=0.2)  # 208 comparison firms
    assert res.icc[0] == pytest.approx(truth["icc"], abs=0.1)


@pytest.mark.slow
def test_simulated_power_at_the_mde_is_eighty_percent():
    """Known truth: at the analytic MDE the re-randomized TWFE test rejects ~80% (MC SE 0.03)."""
    data, truth = _simulated_panel(2)
    mde = minimum_detectable_effect(
        sigma=truth["sd"], serial_correlation=truth["rho"], icc=truth["icc"], clusters=26,
        firms_per_cluster=16, periods=(2, 3), assignment="within",
    ).tidy()  # fmt: skip
    # the analytic MDE uses Var(D)(1 - icc) / (P(1-P)N) with Var(D) the total contrast variance
    var_total = truth["var_ind"] / (1 - truth["icc"])
    mde_value = float(
        minimum_detectable_effect(
            sigma=np.sqrt(var_total / _contrast_variance(1.0, truth["rho"], 2, 3)),
            serial_correlation=truth["rho"], icc=truth["icc"], clusters=26,
            firms_per_cluster=16, periods=(2, 3),
        ).tidy().estimate[0]
    )  # fmt: skip
    assert mde.estimate[0] < mde_value  # the first call ignores the cluster component
    sim = simulated_power(
        data, mde_value, outcome="y", cluster="stratum", replications=150, seed=5
    ).tidy()
    assert sim.estimate[0] == pytest.approx(0.8, abs=0.1)
    assert sim.mean_estimate[0] == pytest.approx(mde_value, abs=0.03)
