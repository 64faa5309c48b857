"""Post-fit variances that are undefined for some coefficients (``with_vcov``, event studies).

On ``tests/data/mpdta.csv`` clustered by state (the county FIPS code // 1000: 29 states), the
2004 cohort is one state. CRV3's refit without that state cannot estimate the coefficients
only that cohort identifies, so their jackknife variance is undefined (NaN): the other
standard errors and the pre-trend test must still be reported, not raise. Two-way clustering
can give an indefinite covariance; the pre-trend test is then NaN, not a negative statistic.

Tolerance: the dynamic TWFE CRV3 standard errors that are defined equal a jackknife over
pyfixest refits (one per state left out) to 1e-8 relative (same formula, rounding only).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators import event_study
from evaluation.estimators.dynamic_effects import pretrend_wald_test
from evaluation.estimators.vcov import wald_test


@pytest.fixture(scope="module")
def mpdta(test_data) -> pd.DataFrame:
    d = pd.read_csv(test_data / "mpdta.csv")
    d["state"] = d["countyreal"] // 1000
    return d


def _study(d: pd.DataFrame, method: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return event_study(d, "lemp", "countyreal", "year", "first.treat", method=method)


def test_twfe_crv3_defined_ses_equal_a_jackknife_of_pyfixest_refits(mpdta):
    pf = pytest.importorskip("pyfixest")
    es = _study(mpdta, "twfe")
    got = es.with_vcov({"CRV3": "state"}, data=mpdta)
    se = pd.Series(got.se.to_numpy(), index=got.table["event_time"].astype(int))
    # event times 2 and 3 are seen only in the 2004 cohort, one state
    assert se[se.isna()].index.tolist() == [2, 3]
    assert any("jackknife variance is undefined" in n for n in got.notes)
    # the jackknife of the defined coefficients over pyfixest refits without each state
    rel = np.where(mpdta["first.treat"] > 0, mpdta["year"] - mpdta["first.treat"], -1)
    frame = mpdta.assign(rel=rel)
    keep = [-4, -3, -2, 0, 1]
    formula = "lemp ~ i(rel, ref=-1) | countyreal + year"

    def coefs(sub: pd.DataFrame) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            b = pf.feols(formula, data=sub, vcov="iid").coef()
        b.index = [int(str(i).split("::")[-1].split(".")[0].rstrip("]")) for i in b.index]
        return b.loc[keep].to_numpy()

    full = coefs(frame)
    np.testing.assert_allclose(full, es.coef.to_numpy()[[0, 1, 2, 3, 4]], rtol=0, atol=1e-10)
    acc = np.zeros((len(keep), len(keep)))
    for state in np.unique(frame["state"]):
        diff = coefs(frame[frame["state"] != state]) - full
        acc += np.outer(diff, diff)
    want = np.sqrt(got.info["ssc"] * np.diag(acc))
    np.testing.assert_allclose(se.loc[keep].to_numpy(), want, rtol=1e-8)
    test = got.info["pretrend"]  # the leads are defined: the test is reported, F(3, 28)
    assert np.isfinite(test["statistic"]) and (test["df1"], test["df2"]) == (3, 28.0)


def test_sunab_crv3_nan_only_where_the_shares_weight_the_lost_cohort(mpdta):
    es = _study(mpdta, "sunab")
    got = es.with_vcov({"CRV3": "state"}, data=mpdta)
    cohorts = got.info["cohort_effects"]
    lost = cohorts.loc[cohorts["std_error"].isna()]
    assert set(lost["cohort"]) == {2004}
    touched = set(lost.loc[lost["share"] > 0, "event_time"])
    se = pd.Series(got.se.to_numpy(), index=got.table["event_time"])
    assert set(se[se.isna()].index) == touched == {0.0, 1.0, 2.0, 3.0}
    assert (se.drop(list(touched)) > 0).all()  # the leads keep their standard errors
    V = got.vcov.to_numpy()
    lead = (got.table["event_time"] < 0).to_numpy()
    assert np.isfinite(V[np.ix_(lead, lead)]).all()
    np.testing.assert_allclose(np.sqrt(np.diag(V)[lead]), se[se.index < 0].to_numpy())
    assert np.isfinite(got.info["pretrend"]["p_value"])


def test_two_way_indefinite_leads_give_no_pretrend_test(mpdta):
    es = _study(mpdta, "twfe")
    got = es.with_vcov({"CRV1": ["state", "year"]}, data=mpdta)
    V = got.vcov.to_numpy()
    lead = (got.table["event_time"] < 0).to_numpy()
    assert np.linalg.eigvalsh(V[np.ix_(lead, lead)])[0] < 0  # V_1 + V_2 - V_12: indefinite
    test = got.info["pretrend"]
    assert np.isnan(test["statistic"]) and np.isnan(test["p_value"])
    assert (test["df1"], test["df2"]) == (3, got.n_clusters - 1)


def test_pretrend_wald_test_is_the_wald_test_when_defined():
    rng = np.random.default_rng(0)
    M = rng.normal(size=(5, 5))
    V = M @ M.T
    beta = rng.normal(size=5)
    ev = np.array([-3.0, -2.0, -1.0, 0.0, 1.0])
    got = pretrend_wald_test(ev, beta, V, 20, -1)
    want = wald_test(beta[:2], V[:2, :2], df=20)
    assert {k: got[k] for k in want} == want and got["leads"] == [-3, -2]
    assert pretrend_wald_test(ev, beta, V, None, -1)["distribution"] == "chi2"
    bad = V.copy()
    bad[0, 1] = bad[1, 0] = 10 * np.sqrt(V[0, 0] * V[1, 1])  # |correlation| 10: indefinite
    assert np.isnan(pretrend_wald_test(ev, beta, bad, 20, -1)["statistic"])
    undefined = V.copy()
    undefined[1, :] = undefined[:, 1] = np.nan
    out = pretrend_wald_test(ev, beta, undefined, None, -1)
    assert np.isnan(out["p_value"]) and (out["df1"], out["df2"]) == (2, np.inf)
    none = pretrend_wald_test(np.array([0.0, 1.0]), beta[:2], V[:2, :2], 20, -1)
    assert none["df1"] == 0 and np.isnan(none["p_value"])  # no lead: wald_test's empty case
