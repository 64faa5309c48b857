"""Callaway-Sant'Anna: input handling (R ``did`` conventions) and clear errors for bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators import EstimationResult, callaway_santanna
from evaluation.estimators.staggered import CSDataWarning, CSResult

ARGS = ("lemp", "countyreal", "year", "first.treat")


@pytest.fixture(scope="module")
def mpdta(test_data) -> pd.DataFrame:
    return pd.read_csv(test_data / "mpdta.csv")


@pytest.fixture(scope="module")
def base(mpdta) -> CSResult:
    return callaway_santanna(mpdta, *ARGS)


def test_result_schema(base):
    assert isinstance(base, EstimationResult)
    tab = base.tidy()
    assert list(tab.columns[:7]) == [
        "term",
        "estimate",
        "std_error",
        "statistic",
        "p_value",
        "conf_low",
        "conf_high",
    ]
    assert {"group", "time", "event_time", "post"} <= set(tab.columns)
    assert base.vcov.shape == (12, 12)
    assert "pre-test" in base.summary() and "<table" in base._repr_html_()
    for kind, col in (("dynamic", "event_time"), ("group", "group"), ("calendar", "time")):
        agg = base.aggregate(kind).tidy()
        assert agg["term"].iloc[-1] == "overall" and np.isnan(agg[col].iloc[-1])
    assert str(base.pretest()).startswith("Wald pre-test")


def test_aliases_and_input_order_and_unit_types(mpdta, base):
    alias = callaway_santanna(mpdta, *ARGS, control_group="nevertreated")
    pd.testing.assert_frame_equal(alias.tidy(), base.tidy())
    shuffled = mpdta.sample(frac=1.0, random_state=3)
    shuffled = shuffled.assign(countyreal="c" + shuffled["countyreal"].astype(str))
    other = callaway_santanna(shuffled, *ARGS)
    np.testing.assert_allclose(other.table["estimate"], base.table["estimate"], atol=1e-13)
    np.testing.assert_allclose(other.table["std_error"], base.table["std_error"], rtol=1e-12)
    ny_alias = callaway_santanna(mpdta, *ARGS, control_group="notyettreated")
    ny = callaway_santanna(mpdta, *ARGS, control_group="not_yet")
    pd.testing.assert_frame_equal(ny.tidy(), ny_alias.tidy())


def test_missing_cohort_is_never_treated(mpdta, base):
    d = mpdta.assign(**{"first.treat": mpdta["first.treat"].replace(0, np.nan)})
    pd.testing.assert_frame_equal(callaway_santanna(d, *ARGS).tidy(), base.tidy())


def test_unbalanced_units_dropped_with_note(mpdta):
    dropped_unit = mpdta["countyreal"].iloc[7]
    d = mpdta.drop(index=[7])
    with pytest.warns(CSDataWarning, match="not observed in every period"):
        res = callaway_santanna(d, *ARGS)
    assert any("not observed in every period" in n for n in res.notes)
    ref = callaway_santanna(mpdta[mpdta["countyreal"] != dropped_unit], *ARGS)
    pd.testing.assert_frame_equal(res.tidy(), ref.tidy())


def test_first_period_cohort_dropped_with_note(mpdta):
    d = mpdta.copy()
    d.loc[d["countyreal"] == d["countyreal"].iloc[0], "first.treat"] = 2003
    with pytest.warns(CSDataWarning, match="already treated in the first period"):
        res = callaway_santanna(d, *ARGS)
    assert 2003 not in res.table["group"].to_numpy()
    ref = callaway_santanna(d[d["first.treat"] != 2003], *ARGS)
    pd.testing.assert_frame_equal(res.tidy(), ref.tidy())


def test_late_cohort_counts_as_never_treated(mpdta):
    d = mpdta.copy()
    d.loc[d["first.treat"] == 0, "first.treat"] = 2010
    res = callaway_santanna(d, *ARGS)
    pd.testing.assert_frame_equal(res.tidy(), callaway_santanna(mpdta, *ARGS).tidy())


def test_no_never_treated(mpdta):
    treated_only = mpdta[mpdta["first.treat"] > 0]
    with pytest.raises(ValueError, match="no never-treated units"):
        callaway_santanna(treated_only, *ARGS)
    with pytest.warns(CSDataWarning, match="serves only as a not-yet-treated control"):
        res = callaway_santanna(treated_only, *ARGS, control_group="not_yet")
    assert set(res.table["group"]) == {2004.0, 2006.0}
    assert res.table["time"].max() == 2006.0


@pytest.mark.parametrize(
    ("mutate", "error", "match"),
    [
        (
            lambda d: d.assign(year=d["year"].astype(str)),
            TypeError,
            "time column 'year' must be numeric",
        ),
        (
            lambda d: d.assign(lemp=d["lemp"].where(d.index != 11)),
            ValueError,
            r"outcome column 'lemp' \(rows \[11\]",
        ),
        (
            lambda d: d.assign(lpop=d["lpop"].where(d.index != 4)),
            ValueError,
            r"covariate column 'lpop' \(rows \[4\]",
        ),
        (lambda d: pd.concat([d, d.iloc[[0]]]), ValueError, "observed more than once"),
        (
            lambda d: d.assign(**{"first.treat": np.where(d.index == 0, 2004, d["first.treat"])}),
            ValueError,
            "varies within units",
        ),
        (lambda d: d.assign(**{"first.treat": -d["first.treat"]}), ValueError, "negative cohort"),
        (lambda d: d.drop(columns="lemp"), KeyError, "columns \\['lemp'\\] not found"),
    ],
    ids=[
        "time-not-numeric",
        "missing-outcome",
        "missing-covariate",
        "duplicate",
        "cohort-varies",
        "negative-cohort",
        "no-column",
    ],
)
def test_clear_errors(mpdta, mutate, error, match):
    with pytest.raises(error, match=match):
        callaway_santanna(mutate(mpdta), *ARGS, covariates=["lpop"])


def test_option_errors(mpdta, base):
    with pytest.raises(ValueError, match="single value"):
        callaway_santanna(mpdta.assign(c=1), *ARGS, cluster="c")
    with pytest.raises(ValueError, match="control_group"):
        callaway_santanna(mpdta, *ARGS, control_group="last")
    with pytest.raises(ValueError, match="method"):
        callaway_santanna(mpdta, *ARGS, method="twfe")
    with pytest.raises(ValueError, match="base_period"):
        callaway_santanna(mpdta, *ARGS, base_period="fixed")
    with pytest.raises(ValueError, match="negative sampling weights"):
        callaway_santanna(mpdta.assign(w=-1.0), *ARGS, weights="w")
    with pytest.raises(ValueError, match="type must be one of"):
        base.aggregate("cohort")
    with pytest.raises(ValueError, match="no event times"):
        base.aggregate("dynamic", min_e=10)


def test_dynamic_window_and_balance(base):
    full = base.aggregate("dynamic").tidy().set_index("event_time")
    window = base.aggregate("dynamic", min_e=-1, max_e=1).tidy()
    assert window["event_time"].dropna().tolist() == [-1.0, 0.0, 1.0]
    inner = window.set_index("event_time").drop(index=np.nan, errors="ignore")
    np.testing.assert_allclose(inner["estimate"], full.loc[[-1.0, 0.0, 1.0], "estimate"])
    # overall = mean of ATT(e) for e in {0, 1}
    overall = window[window["term"] == "overall"]["estimate"].iloc[0]
    assert overall == pytest.approx(full.loc[[0.0, 1.0], "estimate"].mean())
    # balance_e = 1: only cohorts with >= 1 post period beyond e=0 (2004, 2006), e in [-2, 1]
    bal = base.aggregate("dynamic", balance_e=1).tidy()
    assert bal["event_time"].dropna().tolist() == [-2.0, -1.0, 0.0, 1.0]
    tab = base.tidy()
    cells = tab[(tab["event_time"] == 0) & (tab["group"] <= 2006)]
    pg = {2004.0: 20, 2006.0: 40}  # mpdta cohort sizes
    exp = sum(pg[g] * a for g, a in zip(cells["group"], cells["estimate"], strict=True)) / 60
    assert bal.set_index("event_time").loc[0.0, "estimate"] == pytest.approx(exp, abs=1e-12)


def test_na_cells_and_na_rm():
    rng = np.random.default_rng(0)
    n, periods = 60, 4
    g = np.r_[np.full(20, 3.0), np.full(40, 0.0)]
    x = np.r_[np.full(20, 1.0), rng.normal(size=40)]  # perfect separation for cohort 3
    df = pd.DataFrame(
        {
            "id": np.repeat(np.arange(n), periods),
            "t": np.tile(np.arange(1, periods + 1), n),
            "y": rng.normal(size=n * periods),
            "x": np.repeat(np.where(g == 3, 5.0 + x, x), periods),
            "g": np.repeat(g, periods),
        }
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = callaway_santanna(df, "y", "id", "t", "g", covariates=["x"], method="ipw")
    assert any("overlap" in str(w.message) for w in caught)
    assert res.table["estimate"].isna().all()
    with pytest.raises(ValueError, match="na_rm"):
        res.aggregate("simple")
