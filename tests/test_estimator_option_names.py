"""One name per concept: ``replications=`` and ``cluster=`` in lee_bounds, randomization_inference
and simulated_power; the old names (``reps=``, ``level=``) still work with a DeprecationWarning and
give identical numbers (same seed), both names at once is a TypeError, and the options after the
column roles are keyword-only.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators import lee_bounds, randomization_inference
from evaluation.estimators.power import simulated_power


def _units(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """One row per unit: treatment raises response; 20 clusters for the pairs bootstrap."""
    rng = np.random.default_rng(seed)
    d = rng.integers(0, 2, n)
    u = rng.uniform(size=n)
    s = np.where(d == 1, u > 0.2, u > 0.4).astype(int)
    y = rng.normal(size=n) + 0.3 * d
    return pd.DataFrame({"y": np.where(s == 1, y, np.nan), "d": d, "s": s, "cl": np.arange(n) % 20})


def _panel(seed: int = 0, clusters: int = 8, per: int = 4) -> pd.DataFrame:
    """Firm-year panel: half of each cluster participates, cohort 2016 or 2017 by cluster."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(clusters):
        g_c = 2016 if c % 2 == 0 else 2017
        for i in range(per):
            g = g_c if i < per // 2 else 0
            a = rng.normal()
            for year in range(2014, 2019):
                rows.append((f"f{c}_{i}", year, f"s{c}", g, a + rng.normal(0, 0.3)))
    return pd.DataFrame(rows, columns=["firm_id", "year", "stratum", "cohort", "y"])


def _new_and_old(new_call, old_call) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tables of the call with new names (no warning at all) and with old names (a warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = new_call().tidy()
    with pytest.warns(DeprecationWarning, match="is deprecated; use"):
        old = old_call().tidy()
    return new, old


def test_lee_bounds_replications():
    data = _units()
    new, old = _new_and_old(
        lambda: lee_bounds(data, "y", "d", "s", cluster="cl", replications=39, seed=3),
        lambda: lee_bounds(data, "y", "d", "s", cluster="cl", reps=39, seed=3),
    )
    pd.testing.assert_frame_equal(new, old, rtol=0, atol=0)
    assert np.isfinite(new.std_error[:2]).all()  # lower, upper (the identified set has none)
    other = lee_bounds(data, "y", "d", "s", cluster="cl", replications=39, seed=4).tidy()
    assert not np.allclose(other.std_error[:2], new.std_error[:2])  # the seed and draws are used
    with pytest.raises(TypeError, match="give replications= only"):
        lee_bounds(data, "y", "d", "s", replications=39, reps=39)


def test_randomization_inference_replications_and_cluster():
    data = _panel()
    new, old = _new_and_old(
        lambda: randomization_inference(data, "y", cluster="stratum", replications=19, seed=1),
        lambda: randomization_inference(data, "y", level="stratum", reps=19, seed=1),
    )
    pd.testing.assert_frame_equal(new, old, rtol=0, atol=0)
    with pytest.warns(DeprecationWarning, match="use cluster="):
        randomization_inference(data, "y", level="stratum", replications=19, seed=1)
    with pytest.raises(TypeError, match="give cluster= only"):
        randomization_inference(data, "y", cluster="firm_id", level="stratum", replications=19)
    with pytest.raises(TypeError):  # the cluster is no longer positional
        randomization_inference(data, "y", "firm_id", "year", "cohort", "stratum")
    with pytest.raises(ValueError, match="replications must be at least 19"):
        randomization_inference(data, "y", cluster="stratum", replications=5)


def test_simulated_power_replications():
    data = _panel(2, clusters=10, per=6)  # no effect in the data: a clean placebo
    new, old = _new_and_old(
        lambda: simulated_power(data, 0.5, outcome="y", cluster="stratum", replications=20, seed=2),
        lambda: simulated_power(data, 0.5, outcome="y", cluster="stratum", reps=20, seed=2),
    )
    pd.testing.assert_frame_equal(new, old, rtol=0, atol=0)
    assert 0.0 <= new.estimate[0] <= 1.0
    with pytest.raises(ValueError, match="replications must be at least 10"):
        simulated_power(data, 0.5, outcome="y", cluster="stratum", replications=5)
