"""Goodman-Bacon decomposition: the published castle-doctrine example (R bacondecomp README),
the identity with pyfixest's TWFE coefficient (1e-10), known-truth panels, clear errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from evaluation.estimators import bacon_decomposition


@pytest.fixture(scope="module")
def castle(test_data) -> pd.DataFrame:
    d = pd.read_csv(test_data / "bacon" / "castle.csv")
    d["post"] = (d["effyear"].notna() & (d["year"] >= d["effyear"])).astype(float)
    return d


def test_castle_matches_bacondecomp_readme(castle):
    res = bacon_decomposition(castle, "l_homicide", "state", "year", "post")
    by = res.by_type().set_index("type")
    # published to 5 decimals (bacondecomp README): weight, avg_est
    published = {
        "earlier_vs_later": (0.05976, -0.00554),
        "later_vs_earlier": (0.03190, 0.07032),
        "treated_vs_never": (0.90834, 0.08796),
    }
    for kind, (weight, est) in published.items():
        assert by.loc[kind, "weight"] == pytest.approx(weight, abs=5e-6)
        assert by.loc[kind, "estimate"] == pytest.approx(est, abs=5e-6)
    assert res.info["weighted_sum"] == pytest.approx(0.0818, abs=5e-5)
    # 5 treated cohorts vs never + 10 pairs in each direction
    assert by["n_comparisons"].tolist() == [5, 10, 10]
    tidy = res.tidy()
    assert list(tidy.columns) == ["term", "treated", "control", "type", "estimate", "weight"]
    assert set(tidy.loc[tidy["type"] == "treated_vs_never", "control"]) == {0}


def _twfe_pyfixest(d: pd.DataFrame, y: str, unit: str, time: str, treat: str) -> float:
    fit = pf.feols(f"{y} ~ {treat} | {unit} + {time}", data=d, fixef_rm="none")
    return float(fit.coef()[treat])


def test_weights_sum_to_one_and_reproduce_pyfixest_twfe(castle):
    res = bacon_decomposition(castle, "l_homicide", "state", "year", "post")
    t = res.tidy()
    assert t["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert (t["weight"] >= 0).all()
    beta = _twfe_pyfixest(castle, "l_homicide", "state", "year", "post")
    assert float((t["weight"] * t["estimate"]).sum()) == pytest.approx(beta, abs=1e-10)


def _staggered_panel(
    seed: int, *, never: bool = True, always: bool = False, dynamic: float = 0.0, noise: float = 1
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    T = 8
    cohorts = [3, 5, 6] + ([0] if never else []) + ([1] if always else [])
    n_units = 60
    cohort = rng.choice(cohorts, size=n_units)
    cohort[: len(cohorts)] = cohorts  # every group present
    unit = np.repeat(np.arange(n_units), T)
    year = np.tile(np.arange(1, T + 1), n_units) + 2013
    g = cohort[unit]
    first_year = np.where(g > 0, g + 2013, 0)
    d = ((g > 0) & (year >= first_year)).astype(float)
    effect = d * (1.0 + dynamic * (year - first_year))
    y = (
        rng.normal(size=n_units)[unit]
        + rng.normal(size=T)[year - 2014]
        + effect
        + noise * rng.normal(size=unit.size)
    )
    ids = np.array([f"firm-{i:03d}" for i in range(n_units)])[unit]  # string ids
    return pd.DataFrame({"firm": ids, "year": year, "d": d, "y": y})


@pytest.mark.parametrize(
    ("never", "always"), [(True, False), (False, False), (True, True), (False, True)]
)
def test_identity_on_simulated_panels(never, always):
    d = _staggered_panel(1, never=never, always=always)
    res = bacon_decomposition(d, "y", "firm", "year", "d")
    t = res.tidy()
    assert t["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    beta = _twfe_pyfixest(d, "y", "firm", "year", "d")
    assert float((t["weight"] * t["estimate"]).sum()) == pytest.approx(beta, abs=1e-10)
    assert ("treated_vs_never" in set(t["type"])) == never
    if always:
        # always-treated units are controls only, in later_vs_earlier comparisons
        assert 2014 in set(t.loc[t["type"] == "later_vs_earlier", "control"])
        assert 2014 not in set(t["treated"])


def test_known_truth_constant_and_dynamic_effects():
    # constant effect, no noise: every 2x2 recovers it exactly
    d = _staggered_panel(2, noise=0.0)
    t = bacon_decomposition(d, "y", "firm", "year", "d").tidy()
    np.testing.assert_allclose(t["estimate"], 1.0, atol=1e-12)
    # effects growing with time since treatment: clean comparisons are positive, the
    # forbidden later-vs-earlier ones are biased downward (Goodman-Bacon 2021, section 3)
    d = _staggered_panel(2, noise=0.0, dynamic=0.5)
    res = bacon_decomposition(d, "y", "firm", "year", "d")
    by = res.by_type().set_index("type")["estimate"]
    assert by["treated_vs_never"] > 1.0 and by["earlier_vs_later"] > 1.0
    assert by["later_vs_earlier"] < 1.0
    assert "TWFE coefficient" in res.summary()


def test_errors_and_dropping():
    d = _staggered_panel(3)
    unbalanced = d.drop(index=[5, 17])
    with pytest.raises(ValueError, match="balanced panel: 2 unit"):
        bacon_decomposition(unbalanced, "y", "firm", "year", "d")
    res = bacon_decomposition(unbalanced, "y", "firm", "year", "d", balance="drop")
    assert res.info["n_units"] == 58 and any("dropped" in n for n in res.notes)
    switching = d.copy()
    switching.loc[(switching["firm"] == "firm-000") & (switching["year"] == 2021), "d"] = 0.0
    with pytest.raises(ValueError, match="not absorbing.*firm-000"):
        bacon_decomposition(switching, "y", "firm", "year", "d")
    nonbinary = d.assign(d=d["d"] * 2)
    with pytest.raises(ValueError, match="must be binary"):
        bacon_decomposition(nonbinary, "y", "firm", "year", "d")
    missing = d.copy()
    missing.loc[3, "y"] = np.nan
    with pytest.raises(ValueError, match="'y' has 1 missing value.*rows \\[3\\]"):
        bacon_decomposition(missing, "y", "firm", "year", "d")
    with pytest.raises(ValueError, match="duplicated"):
        bacon_decomposition(pd.concat([d, d.iloc[:1]]), "y", "firm", "year", "d")
    with pytest.raises(KeyError, match="'nope'"):
        bacon_decomposition(d, "nope", "firm", "year", "d")
    with pytest.raises(ValueError, match="same treatment timing"):
        bacon_decomposition(d.assign(d=0.0), "y", "firm", "year", "d")
