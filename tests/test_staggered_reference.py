"""Callaway-Sant'Anna against R ``did`` 2.5 on ``mpdta`` (frozen analytic output).

Reference: tests/data/did_r_{attgt,aggte,pretest}.csv, produced by ``att_gt(yname="lemp",
tname="year", idname="countyreal", gname="first.treat", bstrap=FALSE, cband=FALSE)`` and
``aggte(..., bstrap=FALSE)`` in four scenarios (see tests/data/README.md). Tolerances: 1e-6
absolute for estimates, 1e-4 relative for analytic standard errors, the 5 decimals R prints for
the pre-test p-value (its statistic to 1e-6 relative). Every stored column is asserted.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators import callaway_santanna

SCENARIOS = {
    "mpdta_nev_dr": {"control_group": "nevertreated", "method": "dr"},
    "mpdta_nyt_dr": {"control_group": "notyettreated", "method": "dr"},
    "mpdta_nev_reg_cov": {"control_group": "nevertreated", "method": "reg", "covariates": ["lpop"]},
    "mpdta_nev_ipw": {"control_group": "nevertreated", "method": "ipw"},
}
EST_ATOL = 1e-6
SE_RTOL = 1e-4
AGG_COLUMN = {"group": "group", "dynamic": "event_time", "calendar": "time"}


@pytest.fixture(scope="module")
def mpdta(test_data) -> pd.DataFrame:
    return pd.read_csv(test_data / "mpdta.csv")


@pytest.fixture(scope="module")
def fits(mpdta) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the reference scenarios must run without warnings
        return {
            name: callaway_santanna(mpdta, "lemp", "countyreal", "year", "first.treat", **kw)
            for name, kw in SCENARIOS.items()
        }


@pytest.fixture(scope="module")
def ref_attgt(test_data) -> pd.DataFrame:
    return pd.read_csv(test_data / "did_r_attgt.csv")


@pytest.fixture(scope="module")
def ref_aggte(test_data) -> pd.DataFrame:
    return pd.read_csv(test_data / "did_r_aggte.csv")


@pytest.fixture(scope="module")
def ref_pretest(test_data) -> pd.DataFrame:
    return pd.read_csv(test_data / "did_r_pretest.csv")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_attgt_matches_r(scenario, fits, ref_attgt):
    exp = ref_attgt[ref_attgt["scenario"] == scenario].reset_index(drop=True)
    got = fits[scenario].tidy()
    assert len(got) == len(exp) == 12
    np.testing.assert_array_equal(got["group"].to_numpy(), exp["group"].to_numpy(float))
    np.testing.assert_array_equal(got["time"].to_numpy(), exp["t"].to_numpy(float))
    np.testing.assert_array_equal(got["event_time"], exp["t"] - exp["group"])
    np.testing.assert_allclose(got["estimate"], exp["att"], rtol=0, atol=EST_ATOL)
    np.testing.assert_allclose(got["std_error"], exp["se"], rtol=SE_RTOL)
    # derived columns: normal inference (R did's pointwise intervals without bootstrap)
    z = got["estimate"] / got["std_error"]
    np.testing.assert_allclose(got["statistic"], z, rtol=1e-12)
    np.testing.assert_allclose(got["p_value"], 2 * (1 - _norm_cdf(np.abs(z))), rtol=1e-9)
    half = 1.959963984540054 * got["std_error"]
    np.testing.assert_allclose(got["conf_low"], got["estimate"] - half, rtol=1e-9)
    np.testing.assert_allclose(got["conf_high"], got["estimate"] + half, rtol=1e-9)
    assert fits[scenario].nobs == 2500
    assert got["post"].tolist() == (exp["group"] <= exp["t"]).tolist()


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("agg", ["simple", "group", "dynamic", "calendar"])
def test_aggte_matches_r(scenario, agg, fits, ref_aggte):
    exp = ref_aggte[(ref_aggte["scenario"] == scenario) & (ref_aggte["type"] == agg)]
    got = fits[scenario].aggregate(agg)
    tab = got.tidy()
    overall = tab[tab["term"] == "overall"].iloc[0]
    assert overall["estimate"] == pytest.approx(exp["overall_att"].iloc[0], abs=EST_ATOL)
    assert overall["std_error"] == pytest.approx(exp["overall_se"].iloc[0], rel=SE_RTOL)
    rows = tab[tab["term"] != "overall"]
    if agg == "simple":
        assert rows.empty and exp["egt"].isna().all()
    else:
        col = AGG_COLUMN[agg]
        np.testing.assert_array_equal(rows[col].to_numpy(float), exp["egt"].to_numpy(float))
        np.testing.assert_allclose(rows["estimate"], exp["att_egt"], rtol=0, atol=EST_ATOL)
        np.testing.assert_allclose(rows["std_error"], exp["se_egt"], rtol=SE_RTOL)
    # vcov from the joint influence functions: its diagonal gives the reported SEs
    vc = got.vcov
    assert list(vc.index) == tab["term"].tolist()
    np.testing.assert_allclose(np.sqrt(np.diag(vc)), tab["std_error"], rtol=1e-10)
    np.testing.assert_allclose(vc.to_numpy(), vc.to_numpy().T, atol=1e-15)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_pretest_matches_r(scenario, fits, ref_pretest):
    exp = ref_pretest[ref_pretest["scenario"] == scenario].iloc[0]
    got = fits[scenario].pretest()
    assert got.statistic == pytest.approx(exp["W"], rel=1e-6)
    assert round(got.p_value, 5) == pytest.approx(exp["Wpval"], abs=1e-12)
    assert got.df == 5  # pre-treatment cells: 2006 x {2004, 2005}, 2007 x {2004, 2005, 2006}


def _norm_cdf(x):
    return 0.5 * (1 + np.vectorize(math.erf)(np.asarray(x) / math.sqrt(2)))
