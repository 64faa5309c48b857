"""Post-fit variance estimators (result.with_vcov) against pyfixest's ``Feols.vcov``.

Tolerance: 1e-8 relative on every standard error (same formulas, floating-point rounding
only); the estimates must not move at all beyond 1e-10.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators import event_study, twfe
from evaluation.estimators.results import FewClustersWarning

pf = pytest.importorskip("pyfixest")


def _panel(seed: int = 7, units: int = 60, periods: int = 6) -> pd.DataFrame:
    """Staggered panel; units nested in 15 states; a cohort column; random weights."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(units), periods)
    year = np.tile(np.arange(2000, 2000 + periods), units)
    state = unit % 15
    first = rng.choice([0, 2002, 2003, 2004], size=units)[unit]
    d = ((first > 0) & (year >= first)).astype(float)
    x = rng.normal(size=unit.size)
    y = (
        0.3 * d
        + 0.5 * x
        + rng.normal(size=units)[unit]
        + 0.1 * (year - 2000)
        + rng.normal(size=unit.size)
    )
    return pd.DataFrame(
        {"unit": unit, "year": year, "state": state, "first": first, "d": d, "x": x, "y": y,
         "w": rng.uniform(0.5, 2.0, unit.size)}
    )  # fmt: skip


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return _panel()


def _fit(panel: pd.DataFrame, weights: str | None = None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        return twfe(panel, "y", "unit", "year", "d", covariates="x", weights=weights)


VCOVS = ["iid", "hetero", {"CRV1": "state"}, {"CRV3": "state"}, {"CRV1": ["state", "year"]}]


@pytest.mark.parametrize("weights", [None, "w"])
@pytest.mark.parametrize("vcov", VCOVS, ids=str)
def test_twfe_with_vcov_matches_pyfixest(panel, vcov, weights):
    res = _fit(panel, weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = res.with_vcov(vcov, data=panel)
        two_way = isinstance(vcov, dict) and isinstance(vcov.get("CRV1"), list)
        theirs = {"CRV1": "+".join(vcov["CRV1"])} if two_way else vcov
        ref = pf.feols("y ~ d + x | unit + year", data=panel, weights=weights, vcov=theirs)
    np.testing.assert_allclose(got.coef.to_numpy(), res.coef.to_numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(got.se.to_numpy(), ref.se().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(
        got.pvalue.to_numpy(), ref.pvalue().to_numpy(), rtol=1e-7, atol=1e-12
    )
    np.testing.assert_allclose(got.confint().to_numpy(), ref.confint().to_numpy(), rtol=1e-8)
    assert got is not res and res.vcov_type.startswith("CRV1 clustered by unit")


def test_event_study_with_vcov_matches_pyfixest(panel):
    """Dynamic TWFE: the event-time coefficients with HC1 and CRV1 by state."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        es = event_study(panel, "y", "unit", "year", "first")
        for vcov in ("hetero", {"CRV1": "state"}):
            got = es.with_vcov(vcov, data=panel)
            rel = np.where(panel["first"] > 0, panel["year"] - panel["first"], -1000)
            frame = panel.assign(rel=rel)
            ref = pf.feols(
                "y ~ i(rel, ref=-1) | unit + year",
                data=frame.assign(rel=np.where(frame["first"] > 0, frame["rel"], -1)),
                vcov=vcov,
            )
            want = ref.se()
            want.index = [int(str(i).split("::")[-1].split(".")[0].rstrip("]")) for i in want.index]
            mine = pd.Series(got.se.to_numpy(), index=got.table["event_time"].astype(int))
            np.testing.assert_allclose(mine.loc[want.index], want.to_numpy(), rtol=1e-8)


def test_with_vcov_needs_the_fitted_data(panel):
    res = _fit(panel)
    with pytest.raises(ValueError, match="not the data"):
        res.with_vcov("hetero", data=panel.assign(y=panel["y"] + 1.0))
    with pytest.raises(ValueError, match="unsupported"):
        res.with_vcov({"HC3": "state"}, data=panel)
    shuffled = panel.sample(frac=1.0, random_state=3)
    again = res.with_vcov({"CRV1": "state"}, data=shuffled)  # row order does not matter
    ref = res.with_vcov({"CRV1": "state"}, data=panel)
    np.testing.assert_allclose(again.se.to_numpy(), ref.se.to_numpy(), rtol=1e-12)


def test_results_are_frozen_small_and_short(panel):
    res = _fit(panel)
    with pytest.raises(AttributeError):
        res.nobs = 1
    noted = res.with_notes("a note")
    assert noted.notes[-1] == "a note" and "a note" not in res.notes
    assert len(repr(res)) < 200 and "\n" not in repr(res)
    assert len(pickle.dumps(res)) < 20_000
    assert pickle.loads(pickle.dumps(res)).spec.source() is None  # the data are never pickled


ES_VCOVS = [{"CRV3": "state"}, {"CRV1": ["state", "year"]}]


def _pyfixest_vcov(vcov: dict) -> dict:
    two_way = isinstance(vcov.get("CRV1"), list)
    return {"CRV1": "+".join(vcov["CRV1"])} if two_way else vcov


@pytest.mark.parametrize("vcov", ES_VCOVS, ids=str)
def test_event_study_twfe_crv3_and_two_way_match_pyfixest(panel, vcov):
    """Dynamic TWFE: CRV3 by state and two-way CRV1 (state, year) equal pyfixest to 1e-8."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        es = event_study(panel, "y", "unit", "year", "first")
        got = es.with_vcov(vcov, data=panel)
        rel = np.where(panel["first"] > 0, panel["year"] - panel["first"], -1)
        ref = pf.feols(
            "y ~ i(rel, ref=-1) | unit + year", data=panel.assign(rel=rel),
            vcov=_pyfixest_vcov(vcov),
        )  # fmt: skip
    want = ref.se()
    want.index = [int(str(i).split("::")[-1].split(".")[0].rstrip("]")) for i in want.index]
    mine = pd.Series(got.se.to_numpy(), index=got.table["event_time"].astype(int))
    assert sorted(mine.index) == sorted(want.index)
    np.testing.assert_allclose(mine.loc[want.index], want.to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(got.coef.to_numpy(), es.coef.to_numpy(), rtol=0, atol=1e-10)
    assert got.n_clusters == (6 if "CRV1" in vcov else 15)  # two-way: min(15 states, 6 years)
    assert not np.allclose(got.se.to_numpy(), es.se.to_numpy())  # the variance did change
    # an undefined SE (two-way: a negative variance, NaN as in pyfixest) is said in the notes
    assert bool(got.se.isna().any()) == any("negative variance" in n for n in got.notes)
    # the pre-trend test uses the new variance: F with the new df2 = G - 1
    assert got.info["pretrend"]["df2"] == got.n_clusters - 1


@pytest.mark.parametrize("vcov", ES_VCOVS, ids=str)
def test_event_study_sunab_crv3_and_two_way_match_pyfixest(panel, vcov):
    """Sun-Abraham: the cohort x event-time coefficients' SEs equal pyfixest's on the same
    interaction dummies (1e-8), and the event-time SEs are sqrt(diag(A V A')) of pyfixest's V
    with the result's cohort shares A."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        es = event_study(panel, "y", "unit", "year", "first", method="sunab")
        got = es.with_vcov(vcov, data=panel)
        cells = got.info["cohort_effects"]
        rel = panel["year"] - panel["first"]
        dummies = {
            f"c{j}": ((panel["first"] == c) & (rel == e)).astype(float)
            for j, (c, e) in enumerate(zip(cells["cohort"], cells["event_time"], strict=True))
        }
        frame = panel.assign(**dummies)
        ref = pf.feols(
            "y ~ " + " + ".join(dummies) + " | unit + year", data=frame,
            vcov=_pyfixest_vcov(vcov),
        )  # fmt: skip
    names = list(dummies)
    np.testing.assert_allclose(cells["estimate"], ref.coef().loc[names].to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(cells["std_error"], ref.se().loc[names].to_numpy(), rtol=1e-8)
    A = got.info["aggregation"]
    V = pd.DataFrame(ref._vcov, index=ref.coef().index, columns=ref.coef().index)
    V = V.loc[names, names]
    want = np.sqrt(np.diag(A @ V.to_numpy() @ A.T))
    np.testing.assert_allclose(got.se.to_numpy(), want, rtol=1e-8)
    np.testing.assert_allclose(got.coef.to_numpy(), es.coef.to_numpy(), rtol=0, atol=1e-10)
    assert "delta method" in got.vcov_type
