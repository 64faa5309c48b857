"""Multiple-testing adjustments against statsmodels, closed forms and simulations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from evaluation.estimators import romano_wolf, sharpened_qvalues
from evaluation.estimators.multiple_testing import (
    benjamini_hochberg,
    klk_index,
    romano_wolf_from_draws,
)

PVALUES = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.222, 0.251, 0.269, 0.275, 0.34, 0.341, 0.384, 0.569, 0.594, 0.696, 0.762, 0.94, 0.942, 0.975, 0.986])  # fmt: skip


def test_bh_equals_statsmodels():
    np.testing.assert_allclose(
        benjamini_hochberg(PVALUES), multipletests(PVALUES, method="fdr_bh")[1], atol=0
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sharpened_qvalues_match_statsmodels_tsbky(seed):
    """q_i <= q iff statsmodels' two-stage BKY (fdr_tsbky) rejects H_i at level q (grid 0.001)."""
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(0, 0.02, 6), rng.uniform(0, 1, 14)])
    q = sharpened_qvalues(p)
    for level in (0.01, 0.05, 0.1, 0.2, 0.35):
        rejected = multipletests(p, alpha=level, method="fdr_tsbky")[0]
        np.testing.assert_array_equal(q <= level + 1e-9, rejected)


def test_sharpened_qvalues_properties():
    q = sharpened_qvalues(pd.Series(PVALUES, index=[f"h{i}" for i in range(PVALUES.size)]))
    assert isinstance(q, pd.Series) and q.index[0] == "h0"
    # with many true effects the adaptive second stage rejects more than BH at 20%
    assert (q.to_numpy() <= 0.2).sum() >= (benjamini_hochberg(PVALUES) <= 0.2).sum()
    assert np.all(np.diff(q.to_numpy()) >= 0)  # monotone in p
    with pytest.raises(ValueError, match=r"positions \[1\]"):
        sharpened_qvalues([0.1, 1.5])


def test_romano_wolf_single_hypothesis_is_bootstrap_pvalue():
    rng = np.random.default_rng(0)
    draws = rng.normal(0.3, 0.1, size=(999, 1))
    p = romano_wolf_from_draws(np.array([0.3]), draws)
    t = 0.3 / draws.std(ddof=1)
    assert p[0] == pytest.approx((np.sum(np.abs(draws - 0.3) / draws.std(ddof=1) >= t) + 1) / 1000)


def test_romano_wolf_independent_tests_match_sidak():
    """Independent statistics: the first step-down p-value is Sidak's 1 - (1 - p)^S (MC 0.01)."""
    rng = np.random.default_rng(1)
    est = np.array([2.2, 1.0, 0.5, 0.1])  # SE 1
    draws = est + rng.standard_normal((40_000, 4))
    p = romano_wolf_from_draws(est, draws, std_errors=np.ones(4))
    from scipy import stats

    p_single = 2 * stats.norm.sf(2.2)
    assert p[0] == pytest.approx(1 - (1 - p_single) ** 4, abs=0.01)
    # last step: only the smallest statistic remains
    assert p[3] == pytest.approx(max(2 * stats.norm.sf(0.1), p[2]), abs=0.01)
    assert np.all(p[np.argsort(-np.abs(est))] == np.maximum.accumulate(p[np.argsort(-np.abs(est))]))


def test_romano_wolf_controls_fwer_under_complete_null():
    """Simulation with known truth: 5 correlated outcomes, all nulls true; FWER <= ~5%."""
    rng = np.random.default_rng(7)
    s = 5
    corr = 0.5 * np.ones((s, s)) + 0.5 * np.eye(s)
    chol = np.linalg.cholesky(corr)
    sims, reps = 400, 199
    fwer_rw = fwer_naive = 0
    for _ in range(sims):
        est = chol @ rng.standard_normal(s)
        draws = est + rng.standard_normal((reps, s)) @ chol.T
        p = romano_wolf_from_draws(est, draws)
        fwer_rw += (p <= 0.05).any()
        fwer_naive += (np.abs(est) > 1.96).any()
    assert fwer_rw / sims <= 0.085  # 5% + ~3 MC standard errors
    assert fwer_naive / sims > 0.12  # unadjusted testing over-rejects


def _panel(seed: int = 0, effect: float = 0.2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(12):
        for i in range(8):
            unit = f"s{g}u{i}"
            treated = i < 4
            a = rng.normal()
            for t in range(4):
                d = int(treated and t >= 2)
                common = rng.normal()
                rows.append(
                    {
                        "unit": unit,
                        "stratum": f"s{g}",
                        "year": t,
                        "D": d,
                        "y1": a + 0.1 * t + effect * d + common + rng.normal(),
                        "y2": a + 0.1 * t + common + rng.normal(),
                        "y3": -a + rng.normal(),
                    }  # fmt: skip
                )
    return pd.DataFrame(rows)


def test_romano_wolf_refits_cluster_bootstrap():
    from evaluation.estimators import twfe

    data = _panel(effect=1.0)
    with pytest.warns(UserWarning):
        results = [
            twfe(data, y, "unit", "year", "D", cluster="stratum") for y in ("y1", "y2", "y3")
        ]
    rw = romano_wolf(results, data=data, replications=99, seed=3)
    tab = rw.tidy()
    again = romano_wolf(results[:2], data=data, replications=19, seed=3).tidy()
    np.testing.assert_array_equal(
        again.p_bootstrap,
        romano_wolf(results[:2], data=data, replications=19, seed=3).tidy().p_bootstrap,
    )
    assert list(tab.term) == ["y1:D", "y2:D", "y3:D"]
    assert tab.loc[0, "p_romano_wolf"] < 0.05  # the real effect survives
    assert np.all(tab.p_romano_wolf >= tab.p_bootstrap - 1e-12)
    # bootstrap SE close to the CRV1 SE of the strong-effect outcome (loose: 99 draws, 12 clusters)
    assert tab.loc[0, "std_error_bootstrap"] == pytest.approx(tab.loc[0, "std_error"], rel=0.5)
    assert rw.info["draws"].shape == (99, 3)  # seeded: same draws on a rerun checked above


def test_romano_wolf_errors():
    with pytest.raises(ValueError, match="shape"):
        romano_wolf_from_draws(np.zeros(3), np.zeros((10, 2)))
    with pytest.raises(ValueError, match="no results"):
        romano_wolf([])


def test_klk_index_standardized_on_reference():
    data = _panel()
    data["ref"] = data.D == 0
    idx = klk_index(data, ["y1", "y2", "y3"], "ref", signs=[1, 1, -1])
    assert idx[data.ref].mean() == pytest.approx(0, abs=1e-12)
    assert idx[data.ref].std(ddof=1) == pytest.approx(1, abs=1e-12)
    # hand computation for one row
    z = []
    for col, sgn in (("y1", 1), ("y2", 1), ("y3", -1)):
        ref = data.loc[data.ref, col]
        z.append(sgn * (data.loc[0, col] - ref.mean()) / ref.std(ddof=1))
    raw = klk_index(data, ["y1", "y2", "y3"], "ref", signs=[1, 1, -1])
    assert np.isfinite(raw[0]) and np.isfinite(np.mean(z))
    with pytest.raises(ValueError, match="signs"):
        klk_index(data, ["y1"], "ref", signs=[2])


def test_romano_wolf_subgroup_fits_share_the_cluster_draws():
    """A subgroup fitted on a subset of the data is resampled with the same strata as the full
    sample, so the bootstrap estimates of the two are strongly correlated."""
    from evaluation.estimators import twfe

    data = _panel(seed=4, effect=0.5)
    half = data[data.unit.str.endswith(("0", "1", "4", "5"))]  # treated and control units
    with pytest.warns(UserWarning):
        results = [twfe(d, "y1", "unit", "year", "D", cluster="stratum") for d in (data, half)]
    draws = romano_wolf(results, data=[data, half], replications=49, seed=1).info["draws"]
    assert np.corrcoef(draws.T)[0, 1] > 0.5


def test_fast_refit_equals_twfe():
    """The demeaning shortcut used in the bootstrap equals the package's TWFE (1e-8)."""
    from evaluation.estimators import twfe
    from evaluation.estimators.multiple_testing import _cluster_resample, _fast_twfe

    data = _panel(seed=5, effect=0.3)
    with pytest.warns(UserWarning):
        res = twfe(data, "y1", "unit", "year", "D", cluster="stratum")
    picked = np.array(sorted(data.stratum.unique()))[np.random.default_rng(0).integers(0, 12, 12)]
    boot = _cluster_resample(data, "stratum", "unit", picked)
    with pytest.warns(UserWarning):
        ref = twfe(boot, "y1", "unit", "year", "D", cluster="stratum").coef["D"]
    assert _fast_twfe(res.info["spec"], boot, "D") == pytest.approx(ref, abs=1e-8)
