"""Callaway-Sant'Anna on unbalanced panels (``allow_unbalanced=True``, R's
``allow_unbalanced_panel``): repeated-cross-section 2x2s, influence functions summed by unit.

No R output is frozen for this path; checks are independent: a balanced panel gives exactly the
panel results; an outcome-regression cell rebuilt with statsmodels OLS (1e-10); influence
functions equal n x the derivative of the estimates with respect to each unit's weight (all
its observations), for ATT(g,t) and the aggregation (1e-6). DRDID's ``drdid_rc`` influence
function is not the exact derivative (see ``drdid._trad_rc``); with the exact signs swapped in,
the ``dr`` path passes the same check, which validates everything around it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import evaluation.estimators.cs_cells as cells
import evaluation.estimators.santanna_zhao as sz
from evaluation.estimators import callaway_santanna
from evaluation.estimators.staggered import CSDataWarning


def _unbalanced(n: int = 32, periods: int = 4, drop: int = 20, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    g = rng.choice([0.0, 3.0], size=n, p=[0.5, 0.5])
    frames = []
    for t in range(1, periods + 1):
        y = rng.normal(size=n) + 0.3 * x * t + (g > 0) * (t >= g)
        xt = x + 0.1 * rng.normal(size=n)  # time-varying: each observation uses its own
        frames.append(pd.DataFrame({"id": np.arange(n), "t": t, "y": y, "x": xt, "g": g}))
    df = pd.concat(frames).sort_values(["id", "t"]).reset_index(drop=True)
    df["w"] = 1.0
    return df.drop(index=rng.choice(len(df), drop, replace=False)).reset_index(drop=True)


def test_balanced_panel_unchanged(test_data):
    mpdta = pd.read_csv(test_data / "mpdta.csv")
    args = ("lemp", "countyreal", "year", "first.treat")
    a = callaway_santanna(mpdta, *args, covariates=["lpop"], allow_unbalanced=True)
    b = callaway_santanna(mpdta, *args, covariates=["lpop"])
    pd.testing.assert_frame_equal(a.tidy(), b.tidy())


def test_units_kept_and_noted():
    df = _unbalanced(n=60, drop=40)
    with pytest.warns(CSDataWarning, match="dropped"):
        dropped = callaway_santanna(df, "y", "id", "t", "g", method="reg")
    kept = callaway_santanna(df, "y", "id", "t", "g", method="reg", allow_unbalanced=True)
    assert kept.nobs == len(df) > dropped.nobs
    assert kept.n_units == 60
    assert any("allow_unbalanced" in n for n in kept.notes)


def test_reg_cell_matches_statsmodels():
    df = _unbalanced(n=200, drop=120, seed=9)
    res = callaway_santanna(
        df, "y", "id", "t", "g", covariates=["x"], method="reg", allow_unbalanced=True
    )
    got = res.tidy().set_index("term").loc["ATT(3,3)", "estimate"]
    c = df[df["t"].isin([2, 3])]
    x = sm.add_constant(c[["x"]])
    treated, post = c["g"] == 3, c["t"] == 3
    b_pre = sm.OLS(c["y"][~treated & ~post], x[~treated & ~post]).fit().params
    b_post = sm.OLS(c["y"][~treated & post], x[~treated & post]).fit().params
    exp = (c["y"][treated & post].mean() - c["y"][treated & ~post].mean()) - (
        x[treated] @ (b_post - b_pre)
    ).mean()
    assert got == pytest.approx(exp, abs=1e-10)


def _separated(n: int = 90, periods: int = 4, drop: int = 40, seed: int = 3) -> pd.DataFrame:
    """Unbalanced panel with sector indicators where sector 2 has comparison units only: the
    logit separates them (their propensity scores go to 0)."""
    rng = np.random.default_rng(seed)
    sector = rng.integers(0, 3, n)
    g = rng.choice([0.0, 3.0], size=n, p=[0.5, 0.5])
    g[sector == 2] = 0.0
    frames = []
    for t in range(1, periods + 1):
        y = rng.normal(size=n) + 0.4 * sector * t + (g > 0) * (t >= g) + 0.2 * t
        frames.append(pd.DataFrame({"id": np.arange(n), "t": t, "y": y, "g": g, "sector": sector}))
    df = pd.concat(frames).sort_values(["id", "t"]).reset_index(drop=True)
    df["s1"] = (df["sector"] == 1).astype(float)
    df["s2"] = (df["sector"] == 2).astype(float)
    df["w"] = 1.0
    return df.drop(index=rng.choice(len(df), drop, replace=False)).reset_index(drop=True)


@pytest.mark.parametrize("method", ["reg", "ipw", "dr"])
def test_separated_indicator_levels_give_the_limit(method):
    """A sector without treated units separates its comparison units; the estimate is the
    limit of the logit fit, as on the balanced path. Checked against the same data plus one
    treated unit in that sector with weight 1e-6 (an ordinary fit that converges to the limit
    as the weight goes to 0; at 1e-6 it is within ~1e-6)."""
    df = _separated()
    kw = {
        "covariates": ["s1", "s2"],
        "method": method,
        "weights": "w",
        "allow_unbalanced": True,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no cell may fail
        limit = callaway_santanna(df, "y", "id", "t", "g", **kw)
    extra = df[df["id"] == df.loc[df["sector"] == 2, "id"].iloc[0]].assign(id=10_000, g=3.0)
    near = pd.concat([df, extra.assign(w=1e-6)], ignore_index=True)
    ordinary = callaway_santanna(near, "y", "id", "t", "g", **kw)
    assert limit.table["estimate"].notna().all() and limit.table["std_error"].notna().all()
    np.testing.assert_allclose(limit.table["estimate"], ordinary.table["estimate"], atol=1e-5)


@pytest.mark.parametrize("design", ["continuous", "separated"])
@pytest.mark.parametrize("method", ["reg", "ipw", "dr-exact"])
def test_influence_function_equals_weight_derivative(method, design, monkeypatch):
    if method == "dr-exact":
        monkeypatch.setitem(
            cells.RC_ESTIMATORS, "dr", lambda y, p, d, x, w: sz.drdid_rc(y, p, d, x, w, exact=True)
        )
        method = "dr"
    df = _unbalanced() if design == "continuous" else _separated(n=40, drop=16)
    covariates = ["x"] if design == "continuous" else ["s1", "s2"]
    kw = {"covariates": covariates, "method": method, "weights": "w", "allow_unbalanced": True}
    base = callaway_santanna(df, "y", "id", "t", "g", **kw)
    agg = base.aggregate("dynamic")
    n, eps = base.n_units, 1e-6
    fd = np.zeros_like(base.influence)
    fd_agg = np.zeros_like(agg.info["influence"])
    ids = df["id"].to_numpy()
    for i, u in enumerate(base.units):
        sides = []
        for sign in (1.0, -1.0):
            d = df.copy()
            d.loc[ids == u, "w"] = 1.0 + sign * eps
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = callaway_santanna(d, "y", "id", "t", "g", **kw)
            sides.append((r.table["estimate"].to_numpy(), r.aggregate("dynamic").table["estimate"]))
        fd[i] = n * (sides[0][0] - sides[1][0]) / (2 * eps)
        fd_agg[i] = n * (sides[0][1].to_numpy() - sides[1][1].to_numpy()) / (2 * eps)
    np.testing.assert_allclose(fd, base.influence, atol=1e-6)
    np.testing.assert_allclose(fd_agg, agg.info["influence"], atol=1e-6)
