"""Changes-in-changes (Athey-Imbens 2006): three ways.

1. An independent implementation on the same data: the PyPI package ``pycinc`` 0.2.0
   (``ChangesInChanges``). It interpolates quantiles linearly, so with
   ``quantile_method="linear"`` the quantile effects agree to 1e-9; with the paper's
   left-continuous inverse (the default) they agree to 0.01 at 3,000 units per cell (the two
   quantile definitions differ by less than one order-statistic spacing).
2. Monte Carlo with known truth: a location-scale change over time that breaks parallel
   trends in levels, groups with different unobservable distributions and a treatment that
   stretches the treated outcome (so the true quantile effects rise with q). Bias of every
   term within 0.03 (about a third of a standard error); 95% interval coverage within
   [0.85, 0.99] (bootstrap and analytic).
3. Invariances: a common strictly increasing transformation of the outcome transforms the
   observed and counterfactual quantiles by the same function (exact, default quantiles);
   the estimator ignores row order; the seed fixes the bootstrap.
No published table is reproduced: the paper's application (Meyer, Viscusi and Durbin 1995
injury durations) is not in the repository.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from evaluation.estimators.cic import (
    DEFAULT_QUANTILES,
    MEAN_TERM,
    changes_in_changes,
    cic_analytic_se,
    cic_point,
)

QS = np.asarray(DEFAULT_QUANTILES)
MU1, SD1, NOISE = 0.4, 0.8, 0.5  # treated group's unobservable: N(MU1, SD1^2) + N(0, NOISE^2)


def _panel(n: int, seed: int) -> pd.DataFrame:
    """Two-period panel: Y = h(U, t), h(u, 0) = u, h(u, 1) = 0.3 + 1.5 u; U_it = a_i + e_it
    (same distribution in both periods within a group); treated post: 1.2 Y(0) + 0.1."""
    rng = np.random.default_rng(seed)
    g = np.repeat([0, 1], n)
    a = np.where(g == 1, rng.normal(MU1, SD1, 2 * n), rng.normal(0.0, 1.0, 2 * n))
    rows = []
    for t in (0, 1):
        u = a + rng.normal(0, NOISE, 2 * n)
        y = u if t == 0 else 0.3 + 1.5 * u
        y = np.where((g == 1) & (t == 1), 1.2 * y + 0.1, y)
        rows.append(pd.DataFrame({"firm": np.arange(2 * n), "year": 2015 + 3 * t, "g": g, "y": y}))
    return pd.concat(rows, ignore_index=True)


def _truth() -> tuple[np.ndarray, float]:
    """True quantile effects 0.2 Q_N(q) + 0.1 and mean effect 0.2 E[Y_N] + 0.1."""
    q_n = 0.3 + 1.5 * (MU1 + np.sqrt(SD1**2 + NOISE**2) * norm.ppf(QS))
    return 0.2 * q_n + 0.1, 0.2 * (0.3 + 1.5 * MU1) + 0.1


def _cross_section(n: int = 3000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for g in (0, 1):
        for t in (0, 1):
            u = rng.normal(0.5 * g, 1 + 0.2 * g, n)
            y = u if t == 0 else 0.3 + 1.5 * u
            if g == 1 and t == 1:
                y = 1.2 * y + 0.1
            parts.append(pd.DataFrame({"y": y, "g": g, "t": t}))
    frame = pd.concat(parts, ignore_index=True)
    frame["id"] = np.arange(len(frame))
    return frame


# --------------------------------------------------------------------------- 1. pycinc
def test_matches_pycinc_quantile_effects():
    pycinc = pytest.importorskip("pycinc")
    data = _cross_section()
    ref = pycinc.ChangesInChanges(n_quantiles=11).fit(data, "y", "g", "t")
    expected = ref.treatment_effects[1:-1]  # the grid 0, 0.1, ..., 1 without its ends
    linear = changes_in_changes(
        data, "y", "id", "t", "g", pre=0, post=1, inference="analytic", quantile_method="linear"
    ).tidy()
    np.testing.assert_allclose(linear["estimate"].iloc[:-1], expected, atol=1e-9)
    paper = changes_in_changes(data, "y", "id", "t", "g", pre=0, post=1, inference="analytic")
    np.testing.assert_allclose(paper.tidy()["estimate"].iloc[:-1], expected, atol=0.01)


# --------------------------------------------------------------------------- 2. Monte Carlo
def test_monte_carlo_bias_against_known_quantile_effects():
    true_q, true_mean = _truth()
    estimates = []
    covered = []
    for rep in range(150):
        data = _panel(500, seed=rep)
        wide = data.pivot(index="firm", columns="year", values="y")
        g = data.groupby("firm")["g"].first().to_numpy()
        cells = (wide.loc[g == 0, 2015], wide.loc[g == 0, 2018], wide.loc[g == 1, 2015],
                 wide.loc[g == 1, 2018])  # fmt: skip
        point = cic_point(*cells, QS)
        est = np.append(point["qte"], point["mean"])
        se_q, se_m = cic_analytic_se(*cells, QS)
        se = np.append(se_q, se_m)
        truth = np.append(true_q, true_mean)
        estimates.append(est)
        covered.append(np.abs(est - truth) <= 1.96 * se)
    bias = np.mean(estimates, axis=0) - np.append(true_q, true_mean)
    assert np.abs(bias).max() < 0.03, bias
    coverage = np.mean(covered, axis=0)
    # analytic SEs ignore the panel correlation (conservative here): coverage at least 0.9
    assert (coverage >= 0.90).all() and (coverage <= 1.0).all(), coverage


def test_monte_carlo_bootstrap_coverage():
    true_q, true_mean = _truth()
    truth = np.append(true_q, true_mean)
    hits = []
    for rep in range(60):
        res = changes_in_changes(
            _panel(200, seed=1000 + rep), "y", "firm", "year", "g", pre=2015, post=2018,
            replications=99, seed=rep,
        )  # fmt: skip
        tab = res.tidy()
        hits.append((tab["conf_low"] <= truth) & (truth <= tab["conf_high"]))
    coverage = np.mean(hits, axis=0)
    assert coverage.mean() >= 0.88 and coverage.mean() <= 0.99, coverage
    assert coverage.min() >= 0.8, coverage


def test_difference_in_differences_would_miss_what_cic_recovers():
    """Groups differ in spread and the outcome's scale changes: the DiD of means is biased,
    the CiC mean is not (the reason to use it)."""
    data = _panel(4000, seed=7)
    res = changes_in_changes(data, "y", "firm", "year", "g", pre=2015, post=2018,
                             inference="analytic")  # fmt: skip
    means = data.groupby(["g", "year"])["y"].mean()
    did = (means[1, 2018] - means[1, 2015]) - (means[0, 2018] - means[0, 2015])
    _, true_mean = _truth()
    assert abs(res.coef[MEAN_TERM] - true_mean) < 0.04
    assert abs(did - true_mean) > 0.15


# --------------------------------------------------------------------------- 3. invariances
def test_common_monotone_transformation_moves_quantiles_with_it():
    data = _panel(500, seed=3)
    base = changes_in_changes(data, "y", "firm", "year", "g", pre=2015, post=2018,
                              inference="analytic").tidy().iloc[:-1]  # fmt: skip
    moved = data.assign(y=np.exp(data["y"]) + 2.0)
    other = changes_in_changes(moved, "y", "firm", "year", "g", pre=2015, post=2018,
                               inference="analytic").tidy().iloc[:-1]  # fmt: skip
    np.testing.assert_allclose(other["observed"], np.exp(base["observed"]) + 2.0, rtol=1e-12)
    np.testing.assert_allclose(
        other["counterfactual"], np.exp(base["counterfactual"]) + 2.0, rtol=1e-12
    )


def test_row_order_and_seed():
    data = _panel(200, seed=4)
    one = changes_in_changes(data, "y", "firm", "year", "g", pre=2015, post=2018,
                             replications=49, seed=9)  # fmt: skip
    shuffled = data.sample(frac=1.0, random_state=2)
    two = changes_in_changes(shuffled, "y", "firm", "year", "g", pre=2015, post=2018,
                             replications=49, seed=9)  # fmt: skip
    np.testing.assert_allclose(one.tidy()["estimate"], two.tidy()["estimate"], rtol=1e-12)
    again = changes_in_changes(data, "y", "firm", "year", "g", pre=2015, post=2018,
                               replications=49, seed=9)  # fmt: skip
    np.testing.assert_array_equal(one.tidy()["std_error"], again.tidy()["std_error"])


# --------------------------------------------------------------------------- contract
def test_result_schema_terms_and_frozen():
    data = _panel(150, seed=5)
    data["cl"] = data["firm"] % 20
    res = changes_in_changes(data, "y", "firm", "year", "g", pre=[2015], post=[2018],
                             replications=39, seed=1, cluster="cl")  # fmt: skip
    assert list(res.tidy()["term"]) == [f"q={q:.2f}" for q in QS] + [MEAN_TERM]
    assert res.n_clusters == 20 and "clusters" in res.vcov_type
    assert res.info["cells"] == {"y00": 150, "y01": 150, "y10": 150, "y11": 150}
    assert "cic_mean" in res.summary() and "<table" in res._repr_html_()
    with pytest.raises(AttributeError):
        res.nobs = 1  # type: ignore[misc]


def test_post_years_averaged_per_unit():
    data = _panel(100, seed=6)
    later = data[data["year"] == 2018].assign(year=2019)
    both = pd.concat([data, later], ignore_index=True)
    one = changes_in_changes(data, "y", "firm", "year", "g", pre=2015, post=2018,
                             inference="analytic")  # fmt: skip
    avg = changes_in_changes(both, "y", "firm", "year", "g", pre=2015, post=[2018, 2019],
                             inference="analytic")  # fmt: skip
    np.testing.assert_allclose(one.coef, avg.coef, rtol=1e-12)
    assert any("averaged" in n for n in avg.notes)


def test_errors_name_function_column_and_rows():
    data = _panel(50, seed=8)
    with pytest.raises(ValueError, match=r"changes_in_changes: .*'g'.*constant within a unit"):
        changes_in_changes(data.assign(g=np.where(data["year"] == 2018, 1, data["g"])),
                           "y", "firm", "year", "g", pre=2015, post=2018)  # fmt: skip
    with pytest.raises(ValueError, match=r"changes_in_changes: too few units .*treated, post"):
        changes_in_changes(data[~((data["g"] == 1) & (data["year"] == 2018))],
                           "y", "firm", "year", "g", pre=2015, post=2018)  # fmt: skip
    with pytest.raises(ValueError, match=r"changes_in_changes: column\(s\) \['nope'\]"):
        changes_in_changes(data, "nope", "firm", "year", "g", pre=2015, post=2018)
    with pytest.raises(ValueError, match="quantiles must lie strictly between 0 and 1"):
        changes_in_changes(data, "y", "firm", "year", "g", pre=2015, post=2018, quantiles=[1.0])


# --------------------------------------------------------------------------- the page's helpers
def test_share_above_baseline_median_hand_computed():
    from evaluation.analysis.distribution import share_above_baseline_median, shares_by_group

    data = pd.DataFrame(
        {"firm_id": list("abcdabcd"), "year": [1] * 4 + [2] * 4,
         "cic_group": [1, 1, 0, 0] * 2, "y": [1.0, 4.0, 2.0, 3.0, 5.0, 6.0, 1.0, 3.5]}
    )  # fmt: skip
    table = share_above_baseline_median(data, "y", 1, 2)
    assert table.attrs["median"] == 2.5
    assert shares_by_group(table) == {
        "participants": {"baseline": 0.5, "endline": 1.0},
        "comparison": {"baseline": 0.5, "endline": 0.5},
    }
    assert table.attrs["difference"] == pytest.approx(0.5)


def test_finding_codes():
    from evaluation.analysis.distribution import finding

    def result(lows: list[float]) -> object:
        qs = np.arange(1, len(lows) + 1) / (len(lows) + 1)
        tab = pd.DataFrame({"term": [f"q={q:.2f}" for q in qs] + [MEAN_TERM],
                            "quantile": [*qs, np.nan], "conf_low": [*lows, 0.0],
                            "conf_high": [*(np.array(lows) + 1), 1.0]})  # fmt: skip
        return type("R", (), {"tidy": lambda self: tab})()

    assert finding(result([0.1] * 9))["code"] == "broad"
    assert finding(result([-1] * 6 + [0.1] * 3))["code"] == "concentrated_top"
    assert finding(result([0.1] * 3 + [-1] * 6))["code"] == "concentrated_bottom"
    assert finding(result([-1] * 8 + [0.1]))["code"] == "none"  # one of nine: chance
    assert finding(result([-1] * 9))["code"] == "none"
    assert finding(result([-2.0] * 9))["code"] == "negative"


def test_quantile_effects_figure_and_table():
    from evaluation.reporting.distribution import quantile_effects_figure, quantile_table

    res = changes_in_changes(_panel(100, seed=2), "y", "firm", "year", "g", pre=2015,
                             post=2018, inference="analytic")  # fmt: skip
    fig = quantile_effects_figure(res.tidy(), language="es", outcome_label="y")
    assert len(fig.axes[0].lines) >= 2
    table = quantile_table(res.tidy(), "es")
    assert len(table) == len(QS) + 1 and table.index[0].startswith("Cuantil 10")


def test_cic_sample_says_what_is_missing():
    from types import SimpleNamespace

    from evaluation.analysis.distribution import cic_sample

    ctx = SimpleNamespace(years=SimpleNamespace(first=2014, endline=2018))
    panel = pd.DataFrame({"firm_id": ["a", "a", "b", "b"], "year": [2015, 2018] * 2,
                          "cohort": [2016, 2016, 2017, 2017], "y": [1.0, 2.0, 1.5, 2.5]})  # fmt: skip
    with pytest.raises(ValueError, match="no never-supported comparison firm"):
        cic_sample(panel, "y", ctx)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="outcome 'z' is not observed"):
        cic_sample(panel, "z", ctx)  # type: ignore[arg-type]
    late = panel.assign(cohort=[0, 0, 2019, 2019])
    with pytest.raises(ValueError, match="no participant treated by the end line"):
        cic_sample(late, "y", ctx)  # type: ignore[arg-type]
