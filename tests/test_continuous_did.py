"""DiD with a continuous treatment (``continuous_did``, Callaway, Goodman-Bacon and Sant'Anna 2024).

Three ways:

* an independent implementation on the same data: the PyPI package ``contdid`` 0.1.0 (two-period
  parametric route: ATT(d), ACRT(d), overall ATT/ACRT and their analytic standard errors; the
  multi-period route: point estimates, both comparison groups). The 0.1.0 wheel ships without
  its ``runtime_assets/symbol_map_contract.json`` (the list of legal option values), so every
  ``cont_did`` call fails with FileNotFoundError; the test supplies that list (the four enums its
  docstrings name) and leaves the numerical code untouched. Its multi-period standard errors
  treat the (g, t) cells as independent although they share units, so only its point estimates
  are compared there;
* Monte Carlo with known ATT(d), ACRT(d) under strong parallel trends (staggered, selection on
  levels): bias and coverage of pointwise intervals and of the uniform band;
* special cases exactly: one dose value is the 2x2 DiD; bins are means by hand; one cohort with
  ``base_period="average"`` equals the two-period estimate on pre/post averages.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators.continuous_treatment import continuous_did
from evaluation.estimators.did import did_2x2
from evaluation.estimators.results import TIDY_COLUMNS


def tau(d: np.ndarray | float) -> np.ndarray | float:
    """Known dose response (ATT(d) under strong parallel trends)."""
    return 0.3 * d + 0.02 * d**2


def dtau(d: np.ndarray | float) -> np.ndarray | float:
    return 0.3 + 0.04 * d


# E[tau(D)] and E[tau'(D)] for D ~ U(1, 10): E[D] = 5.5, E[D^2] = 81/12 + 5.5^2 = 37. The
# influence functions include the sampling of the doses, so these population values are the
# estimands the intervals are for.
POPULATION = {"ATT_overall": 0.3 * 5.5 + 0.02 * 37.0, "ACRT_overall": 0.3 + 0.04 * 5.5}


def panel(
    n: int = 400,
    periods: tuple[int, ...] = (1, 2),
    cohorts: tuple[int, ...] = (2,),
    seed: int = 0,
    dose: str = "uniform",
) -> pd.DataFrame:
    """Long panel: cohort 0 or one of ``cohorts``; dose > 0 for treated; effect tau(dose) from
    the cohort on; unit levels correlated with the dose (selection on levels, not on gains)."""
    rng = np.random.default_rng(seed)
    g = rng.choice([0, *cohorts], size=n, p=[0.4] + [0.6 / len(cohorts)] * len(cohorts))
    d = np.where(g > 0, rng.uniform(1, 10, n) if dose == "uniform" else 5.0, 0.0)
    a = rng.normal(size=n) + 0.2 * d
    t = np.asarray(periods, dtype=float)
    y = (a[:, None] + 0.4 * t[None, :] + rng.normal(size=(n, t.size))
         + ((t[None, :] >= g[:, None]) & (g[:, None] > 0)) * tau(d)[:, None])  # fmt: skip
    return pd.DataFrame(
        {
            "id": np.repeat(np.arange(n), t.size),
            "time": np.tile(t, n),
            "y": y.ravel(),
            "g": np.repeat(g, t.size).astype(float),
            "dose": np.repeat(d, t.size),
        }
    )


def est(result, term: str) -> float:
    return float(result.tidy().set_index("term").loc[term, "estimate"])


# --- contdid (PyPI) ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def contdid():
    pkg = pytest.importorskip("contdid")
    import contdid.validation as validation

    validation._allowed_enum_map = lambda: {  # the wheel lacks this asset (module docstring)
        "target_parameter": ("level", "slope"),
        "aggregation": ("dose", "eventstudy"),
        "dose_est_method": ("parametric", "cck"),
        "control_group": ("nevertreated", "notyettreated"),
    }
    return pkg


def _contdid_panel(pkg, data: pd.DataFrame):
    return pkg.PanelData(
        data, id_column="id", time_column="time", outcome_column="y", group_column="g",
        dose_column="dose",
    )  # fmt: skip


@pytest.mark.parametrize("degree,num_knots", [(3, 2), (1, 0), (2, 1)])
def test_two_periods_match_contdid(contdid, degree, num_knots):
    data = panel(n=500, seed=1)
    grid = [2.0, 4.0, 6.0, 8.0]
    ours = continuous_did(
        data, "y", "id", "time", "g", "dose", degree=degree, num_knots=num_knots, grid=grid,
        replications=0,
    ).tidy().set_index("term")  # fmt: skip
    p = _contdid_panel(contdid, data)
    for target, name, label in (("level", "ATT", "att"), ("slope", "ACRT", "acrt")):
        ref = contdid.cont_did(
            p, target_parameter=target, control_group="nevertreated", dvals=grid,
            degree=degree, num_knots=num_knots, bstrap=False,
        )  # fmt: skip
        terms = [f"{name}(d={d:g})" for d in grid]
        # point estimates: same OLS on the same basis, to rounding
        np.testing.assert_allclose(ours.loc[terms, "estimate"], ref.estimate, rtol=0, atol=1e-9)
        overall = ref.metadata["summary"][f"overall_{label}"]
        assert ours.loc[f"{name}_overall", "estimate"] == pytest.approx(overall, abs=1e-9)
        # standard errors: HC0 sandwich of the dose regression (+ the comparison mean's
        # variance for levels: contdid divides by n0 - 1, the influence function by n0)
        np.testing.assert_allclose(ours.loc[terms, "std_error"], ref.std_error, rtol=2e-3)


@pytest.mark.parametrize("control", ["never_treated", "not_yet_treated"])
def test_staggered_point_estimates_match_contdid(contdid, control):
    from contdid.estimation import estimate_dose_effects_multiperiod

    data = panel(n=200, periods=(1, 2, 3), cohorts=(2, 3), seed=2)
    grid = [2.0, 5.0, 8.0]
    ours = continuous_did(
        data, "y", "id", "time", "g", "dose", degree=2, num_knots=1, grid=grid,
        control_group=control, replications=0,
    ).tidy().set_index("term")  # fmt: skip
    p = _contdid_panel(contdid, data)
    for target, name, label in (("level", "ATT", "att"), ("slope", "ACRT", "acrt")):
        spec = contdid.ContDIDSpec(
            target_parameter=target, aggregation="dose", dose_est_method="parametric",
            control_group=control.replace("_", ""), bstrap=False,
        )  # fmt: skip
        ref = estimate_dose_effects_multiperiod(p, spec, dvals=grid, degree=2, num_knots=1)
        terms = [f"{name}(d={d:g})" for d in grid]
        np.testing.assert_allclose(ours.loc[terms, "estimate"], ref.estimate, rtol=0, atol=1e-9)
        overall = ref.metadata["summary"][f"overall_{label}"]
        assert ours.loc[f"{name}_overall", "estimate"] == pytest.approx(overall, abs=1e-9)


# --- Monte Carlo with known truth ---------------------------------------------------------------
def test_monte_carlo_bias_and_coverage():
    """Staggered (cohorts 2 and 3 of periods 1-3), 100 samples of 400 units, cubic basis that
    contains tau: bias below 3 Monte Carlo standard errors + 0.02; pointwise 95% coverage of
    each term within 3 binomial standard errors (0.022) of 0.95, i.e. >= 0.88, and 0.92-0.98
    averaged over the 8 terms; the uniform band (199 draws each) covers the whole curve in
    >= 0.88 of the samples."""
    grid = np.array([2.0, 5.0, 8.0])
    reps = 100
    rows, band_cover = [], []
    for r in range(reps):
        data = panel(n=400, periods=(1, 2, 3), cohorts=(2, 3), seed=100 + r)
        res = continuous_did(
            data, "y", "id", "time", "g", "dose", degree=3, grid=grid, curve_points=20,
            replications=199, seed=r,
        )  # fmt: skip
        tab = res.tidy().set_index("term")
        truth = {f"ATT(d={d:g})": tau(d) for d in grid}
        truth |= {f"ACRT(d={d:g})": dtau(d) for d in grid}
        truth |= POPULATION
        for term, value in truth.items():
            row = tab.loc[term]
            rows.append((term, row.estimate - value, row.conf_low <= value <= row.conf_high))
        curve = res.curve()
        band_cover.append(
            bool(((curve.lo <= tau(curve.dose)) & (tau(curve.dose) <= curve.hi)).all())
        )
    mc = pd.DataFrame(rows, columns=["term", "error", "covered"]).groupby("term")
    bias = mc.error.mean()
    mcse = mc.error.std() / np.sqrt(reps)
    coverage = mc.covered.mean()
    assert (bias.abs() < 3 * mcse + 0.02).all(), bias
    assert (coverage >= 0.88).all(), coverage
    assert 0.92 <= coverage.mean() <= 0.98, coverage
    assert np.mean(band_cover) >= 0.88, np.mean(band_cover)


# --- special cases, exactly ---------------------------------------------------------------------
def test_one_dose_value_is_the_2x2_did():
    data = panel(n=300, seed=3, dose="binary")
    res = continuous_did(data, "y", "id", "time", "g", "dose", replications=0)
    tab = res.tidy().set_index("term")
    assert list(tab.index) == ["ATT(d=5)", "ATT_overall"]  # no ACRT: not identified
    data = data.assign(treated=(data.g > 0).astype(int), post=(data.time == 2).astype(int))
    ref = did_2x2(data, "y", "treated", "post", cluster="id").tidy().set_index("term")
    assert tab.loc["ATT_overall", "estimate"] == pytest.approx(
        ref.loc["treated:post", "estimate"], abs=1e-10
    )
    assert tab.loc["ATT(d=5)", "estimate"] == pytest.approx(tab.loc["ATT_overall", "estimate"])
    # same influence function up to fixest's small-sample factor G/(G-1) (N-1)/(N-K)
    n, g = len(data), data.id.nunique()
    factor = np.sqrt(g / (g - 1) * (n - 1) / (n - 4))
    assert tab.loc["ATT_overall", "std_error"] * factor == pytest.approx(
        ref.loc["treated:post", "std_error"], rel=1e-6
    )
    assert any("single dose value" in note for note in res.notes)


def test_binned_is_bin_means_minus_comparison_mean():
    data = panel(n=400, seed=4)
    res = continuous_did(data, "y", "id", "time", "g", "dose", method="binned", bins=4,
                         replications=0)  # fmt: skip
    assert res.estimator == "continuous_did_binned"
    wide = data.pivot(index="id", columns="time", values="y")
    units = data.groupby("id")[["g", "dose"]].first()
    dy = wide[2] - wide[1]
    m0 = dy[units.g == 0].mean()
    dpos = units.dose[units.g > 0]
    edges = np.quantile(dpos, np.linspace(0, 1, 5))
    tab = res.tidy()
    bins = tab[tab.term.str.startswith("bin=")]
    assert len(bins) == 4
    for b, (_, row) in enumerate(bins.iterrows()):
        lo, hi = edges[b], edges[b + 1]
        inside = (dpos <= hi) & ((dpos > lo) if b else (dpos >= lo))
        assert row.estimate == pytest.approx(dy[dpos.index[inside]].mean() - m0, abs=1e-10)
        assert row.term == f"bin={lo:g}-{hi:g}"
    curve = res.curve()
    assert {"dose_low", "dose_high", "n_treated", "att", "lo", "hi"} <= set(curve.columns)
    assert curve.n_treated.sum() == len(dpos)


def test_one_cohort_average_base_equals_two_periods_on_averages():
    data = panel(n=300, periods=(1, 2, 3, 4, 5), cohorts=(3,), seed=5)
    res = continuous_did(data, "y", "id", "time", "g", "dose", base_period="average",
                         degree=2, grid=[3.0, 6.0], replications=0)  # fmt: skip
    collapsed = (
        data.assign(time=np.where(data.time >= 3, 2.0, 1.0), g=np.where(data.g > 0, 2.0, 0.0))
        .groupby(["id", "time"], as_index=False)
        .agg(y=("y", "mean"), g=("g", "first"), dose=("dose", "first"))
    )
    ref = continuous_did(collapsed, "y", "id", "time", "g", "dose", degree=2, grid=[3.0, 6.0],
                         replications=0)  # fmt: skip
    pd.testing.assert_series_equal(
        res.tidy().estimate, ref.tidy().estimate, check_exact=False, atol=1e-10
    )


# --- result contract and errors -----------------------------------------------------------------
def test_result_contract_and_curve():
    data = panel(n=300, seed=6)
    res = continuous_did(data, "y", "id", "time", "g", "dose", num_knots=1, replications=99,
                         seed=1)  # fmt: skip
    tab = res.tidy()
    assert list(tab.columns[: len(TIDY_COLUMNS)]) == list(TIDY_COLUMNS)
    assert {"ATT_overall", "ACRT_overall"} <= set(tab.term)
    assert tab.term.str.match(r"^((ATT|ACRT)\(d=[0-9.]+\)|ATT_overall|ACRT_overall)$").all()
    curve = res.curve()
    assert {"dose", "att", "att_se", "lo", "hi", "acrt", "acrt_lo", "acrt_hi"} <= set(curve)
    assert (curve.band == "uniform").all()
    assert (curve.hi - curve.lo > 0).all()
    # the uniform band is wider than the pointwise one
    assert res.info["critical_values"]["att"] > 1.96
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.nobs = 1
    assert "continuous_did" in res.summary() and "<table" in res._repr_html_()
    again = continuous_did(data, "y", "id", "time", "g", "dose", num_knots=1, replications=99,
                           seed=1)  # fmt: skip
    pd.testing.assert_frame_equal(again.curve(), curve)


def test_errors_name_the_column_and_rows():
    data = panel(n=50, seed=7)
    varying = data.copy()
    varying.loc[varying.index[1], "dose"] += 1.0
    with pytest.raises(ValueError, match="continuous_did: column 'dose' must be constant"):
        continuous_did(varying, "y", "id", "time", "g", "dose")
    untreated_dose = data.copy()
    untreated_dose.loc[untreated_dose.g == 0, "dose"] = 1.0
    with pytest.raises(ValueError, match="never-treated units .* must have 'dose' = 0"):
        continuous_did(untreated_dose, "y", "id", "time", "g", "dose")
    with pytest.raises(ValueError, match="method must be"):
        continuous_did(data, "y", "id", "time", "g", "dose", method="kernel")
    missing = data.copy()
    missing.loc[missing.index[3], "dose"] = np.nan
    with pytest.raises(
        ValueError, match=r"column 'dose' has missing values in 1 row\(s\), e.g. index \[3\]"
    ):
        continuous_did(missing, "y", "id", "time", "g", "dose")


def test_missing_outcomes_and_zero_dose_participants_are_noted():
    data = panel(n=300, seed=8)
    data.loc[data.index[:10], "y"] = np.nan
    first_treated = data.loc[data.g > 0, "id"].iloc[0]
    data.loc[data.id == first_treated, "dose"] = 0.0
    res = continuous_did(data, "y", "id", "time", "g", "dose", replications=0)
    assert any("missing y dropped" in n for n in res.notes)
    assert any("dose of 0 left out" in n for n in res.notes)
    assert np.isfinite(res.tidy().estimate).all()


# --- the analysis layer and the figure (page 13) ------------------------------------------------
def _firm_panel(n: int = 120, seed: int = 9, hours: str = "varied") -> pd.DataFrame:
    """A processed-panel-like frame: cohorts 0/2016, support hours from the cohort on."""
    rng = np.random.default_rng(seed)
    years = np.arange(2014, 2019)
    cohort = np.where(np.arange(n) < n // 2, 2016, 0)
    per_year = rng.uniform(5, 60, n) if hours == "varied" else np.full(n, 20.0)
    rows = []
    for i in range(n):
        for y in years:
            supported = cohort[i] > 0 and y >= cohort[i]
            h = per_year[i] if supported else (2.0 if cohort[i] == 0 else 0.0)
            rows.append((f"f{i:03d}", y, cohort[i], 1, h, rng.normal() + 0.1 * supported))
    return pd.DataFrame(
        rows, columns=["firm_id", "year", "cohort", "responded", "bds_hours", "log_sales"]
    )


@pytest.fixture(scope="module")
def settings():
    from evaluation.config import load_settings

    return load_settings()


def test_firm_doses_sum_support_from_the_cohort_and_zero_for_comparison():
    from evaluation.analysis.dose_response import firm_doses

    panel = _firm_panel(n=4)
    doses = firm_doses(panel, "bds_hours")
    treated = panel[(panel.cohort > 0) & (panel.year >= panel.cohort)]
    assert doses["f000"] == pytest.approx(treated[treated.firm_id == "f000"].bds_hours.sum())
    assert doses["f003"] == 0.0  # comparison firm: its own hours are not programme support
    capped = firm_doses(panel, "bds_hours", last_year=2016)
    assert capped["f000"] == pytest.approx(doses["f000"] / 3)
    panel.loc[panel.firm_id == "f001", "bds_hours"] = np.nan
    assert np.isnan(firm_doses(panel, "bds_hours")["f001"])


def test_dose_sample_says_what_is_missing(settings):
    from evaluation.analysis import dose_response
    from evaluation.analysis.context import study_context
    from evaluation.analysis.effects import NotEstimable

    panel = _firm_panel()
    ctx = study_context(settings, panel, tables={"links": pd.DataFrame(),
                                                 "organizations": pd.DataFrame()})  # fmt: skip
    sample = dose_response.dose_sample(panel, "log_sales", ctx, "bds_hours")
    assert len(sample.doses) == 60 and sample.control_group == "never_treated"
    results = dose_response.estimate(sample, "log_sales", ctx, replications=49, seed=1)
    assert results.parametric.estimator == "continuous_did"
    assert results.binned.estimator == "continuous_did_binned"
    assert results.finding()["direction"] in ("rises", "falls", "flat")
    no_hours = panel.drop(columns="bds_hours")
    with pytest.raises(NotEstimable) as err:
        dose_response.dose_sample(no_hours, "log_sales", ctx, "bds_hours")
    assert err.value.message == ctx.missing("support_hours")
    same = _firm_panel(hours="same")
    with pytest.raises(NotEstimable) as err:
        dose_response.dose_sample(same, "log_sales", ctx, "bds_hours")
    assert err.value.message == "dose.missing.variation"
    few = panel[(panel.cohort == 0) | panel.firm_id.isin(["f000", "f001"])]
    with pytest.raises(NotEstimable) as err:
        dose_response.dose_sample(few, "log_sales", ctx, "bds_hours")
    assert err.value.message == "dose.missing.positive"
    only_participants = panel[panel.cohort > 0]
    with pytest.raises(NotEstimable) as err:
        dose_response.dose_sample(only_participants, "log_sales", ctx, "bds_hours")
    assert err.value.message == "dose.missing.comparison"


@pytest.mark.parametrize("language", ["en", "es"])
def test_figure_and_tables_render(language):
    from evaluation.reporting.dose_response import bins_table, dose_response_figure

    data = panel(n=200, seed=10)
    res = continuous_did(data, "y", "id", "time", "g", "dose", replications=49, seed=2)
    binned = continuous_did(data, "y", "id", "time", "g", "dose", method="binned",
                            replications=0)  # fmt: skip
    tab = binned.tidy()
    fig = dose_response_figure(res.curve(), language=language, title="t", dose_label="hours",
                               overall=est(res, "ATT_overall"), bins=tab[tab.term.str.startswith("bin=")],
                               doses=data.dose[data.dose > 0])  # fmt: skip
    assert len(fig.axes) == 2
    table = bins_table(tab, binned.curve(), language=language)
    assert len(table.frame) == 4
    assert (table.frame.index.str.contains(",") if language == "es" else
            table.frame.index.str.contains(r"\.")).any()  # fmt: skip


# --- covariates: conditional parallel trends ----------------------------------------------------
def _trending(n: int, seed: int, dose: str = "uniform") -> pd.DataFrame:
    """Two periods; the untreated change depends on x, and x rises with the dose (and with
    treatment): unconditional parallel trends fail, parallel trends given x hold."""
    data = panel(n=n, seed=seed, dose=dose)
    rng = np.random.default_rng(seed + 1)
    units = data.groupby("id")[["g", "dose"]].first()
    x = rng.normal(size=len(units)) + 0.15 * units.dose.to_numpy() + 0.5 * (units.g > 0).to_numpy()
    data["x"] = np.repeat(x, 2)
    data["y"] += np.where(data.time == 2, 0.5 * data.x, 0.0)
    return data


def test_covariates_give_the_outcome_regression_did_in_the_binary_case():
    from evaluation.estimators.santanna_zhao import Part, att_2x2

    data = _trending(400, seed=11, dose="binary")
    res = continuous_did(data, "y", "id", "time", "g", "dose", covariates="x", replications=0)
    row = res.tidy().set_index("term").loc["ATT_overall"]
    wide = data.pivot(index="id", columns="time", values="y")
    units = data.groupby("id")[["g", "x"]].first()
    dy = (wide[2] - wide[1]).to_numpy()
    treat = (units.g > 0).to_numpy()
    x = units.x.to_numpy()[:, None]
    att, if1, if0 = att_2x2(
        "reg", Part(dy[treat], x[treat], None), Part(dy[~treat], x[~treat], None)
    )
    assert row.estimate == pytest.approx(att, abs=1e-10)
    se = np.sqrt((if1**2).sum() + (if0**2).sum()) / len(dy)
    assert row.std_error == pytest.approx(se, rel=1e-8)


def test_covariates_remove_the_bias_of_x_specific_trends():
    """One large sample (8,000 units): without x the dose-response is biased by the trend in x
    (ACRT off by 0.5 x 0.15 = 0.075 per unit of dose); with x every term is within 3.5 SE."""
    data = _trending(8000, seed=12)
    grid = [3.0, 6.0]
    adj = continuous_did(data, "y", "id", "time", "g", "dose", covariates=["x"], degree=2,
                         grid=grid, replications=0).tidy().set_index("term")  # fmt: skip
    raw = continuous_did(data, "y", "id", "time", "g", "dose", degree=2, grid=grid,
                         replications=0).tidy().set_index("term")  # fmt: skip
    d_pos = data.loc[(data.g > 0) & (data.time == 1), "dose"].to_numpy()
    truth = {f"ATT(d={d:g})": tau(d) for d in grid} | {f"ACRT(d={d:g})": dtau(d) for d in grid}
    truth |= {"ATT_overall": tau(d_pos).mean(), "ACRT_overall": dtau(d_pos).mean()}
    for term, value in truth.items():
        assert abs(adj.loc[term, "estimate"] - value) < 3.5 * adj.loc[term, "std_error"], term
    assert raw.loc["ACRT_overall", "estimate"] - truth["ACRT_overall"] == pytest.approx(0.075,
                                                                                         abs=0.02)  # fmt: skip


def test_monte_carlo_with_covariates_standard_errors():
    """80 samples of 400 units with x-specific trends, adjusted for x: the influence-function
    standard error (mean over samples) is within 25% of the estimates' Monte Carlo standard
    deviation for every term, and pointwise 95% coverage is >= 0.85 (binomial sd 0.024)."""
    grid = [3.0, 6.0]
    rows = []
    for r in range(80):
        data = _trending(400, seed=1000 + r)
        tab = continuous_did(data, "y", "id", "time", "g", "dose", covariates="x", degree=2,
                             grid=grid, replications=0).tidy().set_index("term")  # fmt: skip
        truth = {f"ATT(d={d:g})": tau(d) for d in grid}
        truth |= {f"ACRT(d={d:g})": dtau(d) for d in grid}
        truth |= POPULATION
        for term, value in truth.items():
            row = tab.loc[term]
            rows.append((term, row.estimate - value, row.std_error,
                         row.conf_low <= value <= row.conf_high))  # fmt: skip
    mc = pd.DataFrame(rows, columns=["term", "error", "se", "covered"]).groupby("term")
    ratio = mc.se.mean() / mc.error.std()
    assert ratio.between(0.75, 1.25).all(), ratio
    assert (mc.covered.mean() >= 0.85).all(), mc.covered.mean()


def test_grid_outside_the_treated_doses_is_an_error():
    data = panel(n=100, seed=13)
    with pytest.raises(ValueError, match=r"grid doses \[50.0\] lie outside"):
        continuous_did(data, "y", "id", "time", "g", "dose", grid=[2.0, 50.0], replications=0)
