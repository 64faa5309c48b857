"""Seeded Monte Carlo: bias of TWFE vs Sun-Abraham/imputation, and CRV1 coverage.

Two designs: a small numpy panel drawn here (below) and the project's simulated PROMIPYME
panels (``test_montecarlo_on_simulated_promipyme_panels``).

Design (numpy, fixed cohort assignment so the truth is fixed across replications): 200 firms
in 40 strata and 5 sectors, 2014-2020, cohorts 2016/2017/2018 and never treated, sector-specific
year shocks (so sector-by-year fixed effects are needed), firm effects, iid noise, and dynamic
effects that grow with event time and are twice as large for the 2016 cohort. The true ATT(e)
is the average effect over treated firm-years at event time e; the true overall ATT the average
over all treated firm-years.

Assertions, with the Monte Carlo standard error ``mcse = sd / sqrt(R)``:
- static TWFE is biased for the overall ATT: ``|bias| > 6 mcse`` (it is negative: already-
  treated firms serve as controls while their effects still grow);
- Sun-Abraham and imputation (with sector-by-year fixed effects) are unbiased for every
  ATT(e), e = 0..4: ``|bias| < 4 mcse`` (10 comparisons, so 4 rather than 2);
- CRV1 95% intervals for a true null (no effect) cover in 0.90-0.99 of 200 replications with
  40 clusters (binomial sd 1.5%); with 26 clusters the rate is recorded and only checked to be
  above 0.85 (CRV1 is known to under-cover with few clusters).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators import FewClustersWarning, twfe
from evaluation.estimators.dynamic_effects import event_study

YEARS = np.arange(2014, 2021)


def _design(n_firms: int = 200, n_strata: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cohort = rng.choice([0, 2016, 2017, 2018], n_firms, p=[0.4, 0.2, 0.2, 0.2])
    T = YEARS.size
    df = pd.DataFrame(
        {
            "firm": np.repeat(np.arange(n_firms), T),
            "year": np.tile(YEARS, n_firms),
            "cohort": np.repeat(cohort, T),
            "stratum": np.repeat(rng.integers(0, n_strata, n_firms), T),
            "sector": np.repeat(rng.integers(0, 5, n_firms), T),
        }
    )
    rel = np.where(df.cohort > 0, df.year - df.cohort, -99)
    df["rel"] = rel
    df["D"] = (rel >= 0).astype(int)
    df["tau"] = np.where(rel >= 0, (0.1 + 0.15 * rel) * np.where(df.cohort == 2016, 2.0, 1.0), 0.0)
    df["sector_year"] = df.sector * 10_000 + df.year
    return df


def _draw(df: pd.DataFrame, rng: np.random.Generator, effect: bool = True) -> pd.DataFrame:
    n_firms = df.firm.max() + 1
    firm_fe = rng.normal(size=n_firms)[df.firm]
    sector_year = rng.normal(scale=0.5, size=(5, YEARS.size))[df.sector, df.year - YEARS[0]]
    # sector-specific trends correlated with adoption: treated-heavy sectors trend differently
    trend = 0.08 * df.sector.to_numpy() * (df.year.to_numpy() - 2014)
    y = firm_fe + sector_year + trend + rng.normal(scale=0.5, size=len(df))
    if effect:
        y = y + df.tau.to_numpy()
    return df.assign(y=y)


def test_montecarlo_bias_sunab_imputation_vs_twfe() -> None:
    base = _design()
    truth_e = base[base.D == 1].groupby("rel")["tau"].mean()
    truth_att = base.loc[base.D == 1, "tau"].mean()
    rng = np.random.default_rng(2024)
    R = 60
    static, sunab, imput = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        for _ in range(R):
            df = _draw(base, rng)
            static.append(
                twfe(
                    df, "y", "firm", "year", "D", fixed_effects="sector_year", cluster="stratum"
                ).coef["D"]
            )
            for method, store in (("sunab", sunab), ("imputation", imput)):
                es = event_study(
                    df,
                    "y",
                    "firm",
                    "year",
                    "cohort",
                    method=method,
                    fixed_effects="sector_year",
                    cluster="stratum",
                )
                t = es.tidy().set_index("event_time")["estimate"]
                store.append(t.loc[list(truth_e.index)].to_numpy())
    static = np.asarray(static)
    bias = static.mean() - truth_att
    mcse = static.std(ddof=1) / np.sqrt(R)
    assert bias < 0 and abs(bias) > 6 * mcse, (bias, mcse)
    for store in (sunab, imput):
        est = np.asarray(store)
        bias_e = est.mean(axis=0) - truth_e.to_numpy()
        mcse_e = est.std(axis=0, ddof=1) / np.sqrt(R)
        assert np.all(np.abs(bias_e) < 4 * mcse_e), (bias_e, mcse_e)


@pytest.mark.parametrize(("n_strata", "lo", "hi"), [(40, 0.90, 0.99), (26, 0.85, 1.0)])
def test_montecarlo_crv1_coverage_under_null(n_strata: int, lo: float, hi: float) -> None:
    base = _design(n_strata=n_strata, seed=1)
    rng = np.random.default_rng(7 + n_strata)
    R = 200
    cover = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        for _ in range(R):
            df = _draw(base, rng, effect=False)
            # stratum-level shocks make clustering by stratum necessary
            df["y"] += rng.normal(scale=0.3, size=(n_strata, YEARS.size))[
                df.stratum, df.year - YEARS[0]
            ]
            row = (
                twfe(df, "y", "firm", "year", "D", fixed_effects="sector_year", cluster="stratum")
                .tidy()
                .iloc[0]
            )
            cover += row.conf_low <= 0.0 <= row.conf_high
    rate = cover / R
    print(f"CRV1 95% CI coverage of a true null with {n_strata} clusters: {rate:.3f} ({R} reps)")
    assert lo <= rate <= hi


def test_montecarlo_on_simulated_promipyme_panels() -> None:
    """20 seeded PROMIPYME panels (``evaluation.data.simulate``, no attrition).

    The simulator's Y(0) satisfies parallel trends conditional on sector-by-year effects and a
    baseline-size trend, and effects grow with time since entry. Sun-Abraham and imputation
    with sector-by-year fixed effects and the size x year covariate are unbiased for the
    simulator's finite-sample ATT(e) (``|bias| < 3.5 mcse`` for each e); static TWFE with
    the same controls is not unbiased for the overall ATT (measured: bias -0.0066,
    t = -3.5 with these seeds; asserted ``t < -2``).
    """
    from evaluation.data.simulate import simulate

    tw, diffs = [], {"sunab": [], "imputation": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(1, 21):
            sim = simulate(seed=seed, attrition=False)
            lat = sim.latent[sim.latent["observed"]].copy()
            lat["y"] = np.where(lat["treated"], lat["y1"], lat["y0"])
            lat["D"] = lat["treated"].astype(int)
            lat["sector_year"] = lat["sector"].astype(str) + lat["year"].astype(str)
            lat["size_trend"] = lat["size"] * (lat["year"] - 2014)
            truth = sim.truth["estimands"]["log_labor_productivity"]
            kw = {"fixed_effects": "sector_year", "covariates": "size_trend", "cluster": "stratum"}
            tw.append(
                twfe(lat, "y", "firm_id", "year", "D", **kw).coef["D"] - truth["overall"]["att"]
            )
            for method in diffs:
                est = event_study(lat, "y", "firm_id", "year", "cohort", method=method, **kw)
                est = est.tidy().set_index("event_time")["estimate"]
                diffs[method].append([est.loc[c["event_time"]] - c["att"] for c in truth["att_e"]])
    tw = np.asarray(tw)
    t_twfe = tw.mean() / (tw.std(ddof=1) / np.sqrt(tw.size))
    print(f"static TWFE bias {tw.mean():.4f} (t = {t_twfe:.2f})")
    assert t_twfe < -2
    for method, d in diffs.items():
        d = np.asarray(d)
        t = d.mean(axis=0) / (d.std(axis=0, ddof=1) / np.sqrt(d.shape[0]))
        print(f"{method}: bias by event time {np.round(d.mean(axis=0), 4)}, t {np.round(t, 2)}")
        assert np.all(np.abs(t) < 3.5), (method, t)
