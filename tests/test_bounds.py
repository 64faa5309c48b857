"""Lee bounds: brute-force trimming, a simulation with known truth, and SEs vs Monte Carlo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators import lee_bounds
from evaluation.estimators.bounds import differential_attrition


def _draw(n: int, rng: np.random.Generator, effect: float = 0.3) -> pd.DataFrame:
    """Monotone selection: treatment raises response; the always-observed effect is ``effect``."""
    d = rng.integers(0, 2, n)
    u = rng.uniform(size=n)
    y0 = rng.normal(size=n) + 0.8 * (u > 0.5)  # response propensity correlates with outcome
    y1 = y0 + effect
    s0 = u > 0.4  # responds without treatment
    s1 = u > 0.2  # responds with treatment (monotone: s1 >= s0)
    s = np.where(d == 1, s1, s0).astype(int)
    y = np.where(d == 1, y1, y0)
    return pd.DataFrame(
        {"y": np.where(s == 1, y, np.nan), "d": d, "s": s, "x": (u > 0.7).astype(int)}
    )


def test_bounds_equal_brute_force_trimming():
    """When p * n is an integer, the bounds are means after dropping k sorted observations."""
    y1 = np.arange(1.0, 11.0)  # 10 observed treated
    y0 = np.array([2.0, 4.0, 6.0, 8.0])  # 4 observed of 5 controls: q0 = 0.8; q1 = 1.0
    data = pd.DataFrame(
        {
            "y": np.r_[y1, y0, np.nan],
            "d": [1] * 10 + [0] * 5,
            "s": [1] * 14 + [0],
        }
    )
    res = lee_bounds(data, "y", "d", "s")
    tab = res.tidy().set_index("term")
    # p = (1.0 - 0.8) / 1.0 = 0.2 -> trim 2 of 10 treated
    assert res.info["p"] == pytest.approx(0.2)
    assert tab.loc["lower", "estimate"] == pytest.approx(np.mean(y1[:8]) - 5.0, abs=1e-12)
    assert tab.loc["upper", "estimate"] == pytest.approx(np.mean(y1[2:]) - 5.0, abs=1e-12)
    assert tab.loc["identified_set", "conf_low"] < tab.loc["lower", "estimate"]


def test_bounds_trim_control_when_it_responds_more():
    data = pd.DataFrame(
        {"y": [1.0, 2.0, 3.0, 4.0, np.nan, 1.0, 2.0, 3.0, 4.0, 5.0], "d": [1] * 5 + [0] * 5, "s": [1, 1, 1, 1, 0] + [1] * 5}
    )  # fmt: skip
    tab = lee_bounds(data, "y", "d", "s").tidy().set_index("term")
    # control trimmed by 0.2 (one of five): effect bounds 2.5 - mean(2..5) and 2.5 - mean(1..4)
    assert tab.loc["lower", "estimate"] == pytest.approx(2.5 - 3.5)
    assert tab.loc["upper", "estimate"] == pytest.approx(2.5 - 2.5)


def test_bounds_contain_truth_and_analytic_se_matches_monte_carlo():
    """Known truth 0.3 lies within the population bounds; analytic SEs within 12% of MC SDs."""
    rng = np.random.default_rng(0)
    lows, highs, se_l, se_u = [], [], [], []
    for _ in range(200):
        tab = lee_bounds(_draw(2000, rng), "y", "d", "s").tidy().set_index("term")
        lows.append(tab.loc["lower", "estimate"])
        highs.append(tab.loc["upper", "estimate"])
        se_l.append(tab.loc["lower", "std_error"])
        se_u.append(tab.loc["upper", "std_error"])
    assert np.mean(lows) < 0.3 < np.mean(highs)
    assert np.mean(se_l) == pytest.approx(np.std(lows, ddof=1), rel=0.12)
    assert np.mean(se_u) == pytest.approx(np.std(highs, ddof=1), rel=0.12)


def test_covariate_cells_tighten_and_cluster_bootstrap():
    rng = np.random.default_rng(1)
    data = _draw(3000, rng)
    data["cl"] = np.arange(len(data)) % 40
    plain = lee_bounds(data, "y", "d", "s").tidy().set_index("term")
    tight = (
        lee_bounds(data, "y", "d", "s", covariates="x", replications=99).tidy().set_index("term")
    )
    width = lambda t: t.loc["upper", "estimate"] - t.loc["lower", "estimate"]  # noqa: E731
    assert width(tight) < width(plain)
    assert (
        tight.loc["lower", "estimate"] <= 0.3 + 0.1 and tight.loc["upper", "estimate"] >= 0.3 - 0.1
    )
    clus = lee_bounds(data, "y", "d", "s", cluster="cl", replications=199, seed=2)
    assert "cluster bootstrap" in clus.vcov_type and clus.n_clusters == 40
    # units are independent here, so the cluster bootstrap SE is close to the analytic one
    assert clus.tidy().std_error[0] == pytest.approx(plain.loc["lower", "std_error"], rel=0.3)


def test_bad_input_names_rows():
    data = pd.DataFrame({"y": [1.0, 2.0], "d": [1, 2], "s": [1, 1]})
    with pytest.raises(ValueError, match=r"'d' must be 0/1; rows \[1\]"):
        lee_bounds(data, "y", "d", "s")
    data = pd.DataFrame({"y": [1.0, np.nan], "d": [1, 0], "s": [1, 1]})
    with pytest.raises(ValueError, match="missing where"):
        lee_bounds(data, "y", "d", "s")


def test_differential_attrition_detects_gap():
    rng = np.random.default_rng(3)
    data = _draw(4000, rng)
    data["cl"] = np.arange(len(data)) % 30
    data["z"] = rng.normal(size=len(data))
    res = differential_attrition(data, "s", "d", covariates=["z"], cluster="cl")
    tab = res.tidy().set_index("term")
    assert tab.loc["d", "estimate"] == pytest.approx(0.2, abs=0.04)  # 0.8 vs 0.6 response
    assert res.info["joint_p"] < 0.001
