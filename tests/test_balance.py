"""Balance table against statsmodels (HC1, CRV1, dummies) and pyfixest (absorbed, nested FE).

Tolerances: estimates, standard errors, p-values and F statistics 1e-8 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm

from evaluation.estimators import balance_table

COVS = ["log_employees", "women_led", "age"]


@pytest.fixture(scope="module")
def firms() -> pd.DataFrame:
    rng = np.random.default_rng(2016)
    n = 520
    stratum = rng.integers(0, 26, size=n)
    p = 0.2 + 0.6 * (stratum % 3 == 0)
    d = (rng.uniform(size=n) < p).astype(int)
    emp = np.exp(2 + 0.3 * d + 0.05 * stratum + rng.normal(size=n))
    frame = pd.DataFrame(
        {
            "participant": d,
            "stratum": [f"S{s:02d}" for s in stratum],
            "sector": rng.choice(list("ABCD"), size=n),
            "log_employees": np.log(emp),
            "women_led": (rng.uniform(size=n) < 0.3 + 0.1 * d).astype(int),
            "age": rng.gamma(3, 5, size=n) + 2 * d,
        }
    )
    frame.loc[rng.choice(n, 15, replace=False), "age"] = np.nan
    return frame


def _sm_fit(y, X, cov_type, groups=None):
    model = sm.OLS(y, X)
    if cov_type == "cluster":
        return model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    return model.fit(cov_type="HC1", use_t=True)


@pytest.mark.parametrize("cluster", [None, "stratum"])
@pytest.mark.parametrize("fe", [None, "sector"])
def test_against_statsmodels(firms, cluster, fe):
    res = balance_table(firms, "participant", COVS, cluster=cluster, fixed_effects=fe)
    t = res.tidy().set_index("term")
    for c in COVS:
        sub = firms[firms[c].notna()]
        X = sub[["participant"]].astype(float)
        X = sm.add_constant(X)
        if fe is not None:
            X = pd.concat([X, pd.get_dummies(sub[fe], drop_first=True, dtype=float)], axis=1)
        groups = pd.factorize(sub[cluster])[0] if cluster else None
        fit = _sm_fit(sub[c].astype(float), X, "cluster" if cluster else "HC1", groups)
        row = t.loc[c]
        assert row["estimate"] == pytest.approx(fit.params["participant"], rel=1e-8)
        assert row["std_error"] == pytest.approx(fit.bse["participant"], rel=1e-8)
        assert row["p_value"] == pytest.approx(fit.pvalues["participant"], rel=1e-8)
        ci = fit.conf_int().loc["participant"]
        assert row["conf_low"] == pytest.approx(ci[0], rel=1e-8)
        assert row["conf_high"] == pytest.approx(ci[1], rel=1e-8)
        # descriptive columns
        g1 = sub.loc[sub["participant"] == 1, c]
        g0 = sub.loc[sub["participant"] == 0, c]
        assert row["mean_treated"] == pytest.approx(g1.mean(), rel=1e-12)
        assert row["sd_control"] == pytest.approx(g0.std(), rel=1e-12)
        assert (row["n_treated"], row["n_control"]) == (len(g1), len(g0))
        nd = (g1.mean() - g0.mean()) / np.sqrt((g1.var() + g0.var()) / 2)
        assert row["normalized_difference"] == pytest.approx(nd, rel=1e-12)
    # joint test: treatment on all covariates, listwise complete
    sub = firms.dropna(subset=COVS)
    X = sm.add_constant(sub[COVS].astype(float))
    if fe is not None:
        X = pd.concat([X, pd.get_dummies(sub[fe], drop_first=True, dtype=float)], axis=1)
    groups = pd.factorize(sub[cluster])[0] if cluster else None
    fit = _sm_fit(sub["participant"].astype(float), X, "cluster" if cluster else "HC1", groups)
    R = np.zeros((len(COVS), X.shape[1]))
    for i, c in enumerate(COVS):
        R[i, list(X.columns).index(c)] = 1.0
    ft = fit.f_test(R)
    jt = res.info["joint_test"]
    assert jt["statistic"] == pytest.approx(float(np.squeeze(ft.fvalue)), rel=1e-8)
    assert jt["df_denom"] == pytest.approx(float(ft.df_denom))
    assert jt["p_value"] == pytest.approx(float(ft.pvalue), rel=1e-8)
    assert jt["nobs"] == len(sub)


def test_nested_fixed_effects_follow_fixest(firms):
    """Strata absorbed and clustered on: fixest does not count the nested effects in K."""
    res = balance_table(firms, "participant", COVS, cluster="stratum", fixed_effects="stratum")
    t = res.tidy().set_index("term")
    for c in COVS:
        fit = pf.feols(f"{c} ~ participant | stratum", data=firms, vcov={"CRV1": "stratum"})
        assert t.loc[c, "estimate"] == pytest.approx(fit.coef()["participant"], rel=1e-8)
        assert t.loc[c, "std_error"] == pytest.approx(fit.se()["participant"], rel=1e-8)
        assert t.loc[c, "p_value"] == pytest.approx(fit.pvalue()["participant"], rel=1e-8)
    assert res.n_clusters == 26 and any("26 clusters" in n for n in res.notes)
    assert "Joint test" in res.summary()


def test_detects_imbalance_and_not_balance():
    rng = np.random.default_rng(7)
    n = 4000
    d = rng.integers(0, 2, size=n)
    frame = pd.DataFrame({"d": d, "same": rng.normal(size=n), "shifted": rng.normal(size=n) + d})
    t = balance_table(frame, "d", ["same", "shifted"]).tidy().set_index("term")
    assert abs(t.loc["same", "normalized_difference"]) < 0.1
    assert t.loc["shifted", "normalized_difference"] == pytest.approx(1.0, abs=0.1)
    assert t.loc["shifted", "p_value"] < 1e-10


def test_errors(firms):
    with pytest.raises(ValueError, match="must be 0/1.*rows \\[0"):
        balance_table(firms.assign(participant=firms["participant"] * 2), "participant", COVS)
    with pytest.raises(KeyError, match="'nope'"):
        balance_table(firms, "participant", ["nope"])
    with pytest.raises(TypeError, match="'sector' must be numeric"):
        balance_table(firms, "participant", ["sector"])
    with pytest.raises(ValueError, match="single value"):
        balance_table(firms.assign(one=1), "participant", COVS, cluster="one")
    with pytest.raises(ValueError, match="single group"):
        balance_table(firms.assign(participant=1), "participant", COVS)
