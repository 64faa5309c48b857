"""The analysis layer on thin panels: what it uses is what the data hold (exact counts)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.analysis import effects
from evaluation.config import load_settings


def _panel(n: int = 60, seed: int = 3) -> pd.DataFrame:
    """A small staggered panel: cohorts 2016/2017, a third never treated, 2014-2019."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        cohort = (0, 2016, 2017)[i % 3]
        size = rng.normal()
        for year in range(2014, 2020):
            treated = int(cohort > 0 and year >= cohort)
            y = 0.3 * size + 0.05 * (year - 2014) + 0.2 * treated + rng.normal(scale=0.1)
            rows.append(
                {"firm_id": f"f{i:03d}", "year": year, "cohort": cohort, "responded": 1,
                 "participant": int(cohort > 0), "treated": treated, "y": y,
                 "baseline_log_employees": size, "stratum": f"s{i % 12}"}
            )  # fmt: skip
    return pd.DataFrame(rows)


@pytest.fixture
def settings():
    return load_settings()


def test_cluster_falls_back_to_firm_and_no_sector_means_no_sector_effects(settings):
    panel = _panel().drop(columns=["stratum"])
    data = effects.estimation_sample(panel, "y", settings)
    assert "sector_year" not in data.columns  # no sector observed: nothing adjusted for it
    eff = effects.twfe_effect(data, "y", settings, replications=99, seed=1)
    assert eff.spec["cluster"] == "firm_id"
    assert eff.spec["n_clusters"] == 60
    assert "sector" not in eff.spec["covariates"]
    assert eff.spec["covariates"] == "baseline_log_employees"
    # the truth is 0.2; noise sd 0.1 over 60 firms: within 0.05
    assert eff.row()["estimate"] == pytest.approx(0.2, abs=0.05)


def test_firms_missing_a_covariate_leave_the_adjusted_spec_with_a_count(settings):
    panel = _panel()
    panel.loc[panel["firm_id"].isin(["f001", "f002", "f004"]), "baseline_log_employees"] = np.nan
    data = effects.estimation_sample(panel, "y", settings)
    assert data.attrs["excluded"]["missing_covariates"] == 3
    eff = effects.twfe_effect(data, "y", settings, replications=99, seed=1)
    assert eff.spec["n_clusters"] == 12  # strata still all present
    assert eff.result.nobs == (60 - 3) * 6


def test_always_treated_firms_are_left_out_and_counted(settings):
    panel = _panel()
    panel.loc[panel["firm_id"].isin(["f001", "f004"]), "cohort"] = 2014
    data = effects.estimation_sample(panel, "y", settings)
    assert data.attrs["excluded"]["always_treated"] == 2
    assert not data["firm_id"].isin(["f001", "f004"]).any()


def test_single_cohort_without_comparison_is_not_estimable_not_a_crash(settings):
    panel = _panel()
    panel = panel[panel["cohort"] > 0].assign(cohort=2017)
    panel["treated"] = (panel["year"] >= 2017).astype(int)
    data = effects.estimation_sample(panel, "y", settings)
    skipped: dict = {}
    out = effects.staggered_effects(data, "y", settings, replications=99, seed=1, skipped=skipped)
    assert out == {}
    assert set(skipped) == set(effects.ESTIMATORS)
    did = effects.attempt(effects.did_effect, data, "y", settings, replications=99, seed=1)
    assert isinstance(did, effects.NotEstimable) and did.message == "missing.comparison"


def test_unavailable_outcome_is_a_clear_result(settings):
    panel = _panel().assign(z=np.nan)
    err = effects.attempt(effects.estimation_sample, panel, "z", settings)
    assert isinstance(err, effects.NotEstimable)
    assert err.message == "missing.outcome" and err.values["outcome"] == "z"


def test_spec_columns_of_callaway_santanna(settings):
    data = effects.estimation_sample(_panel(), "y", settings)
    eff = effects.primary_cs(data, "y", settings)
    assert eff.spec["control_group"] == "not_yet_treated"
    assert eff.spec["covariates"] == "baseline_log_employees"
    assert eff.columns("all")["sample"] == "all"
    assert eff.row()["estimate"] == pytest.approx(0.2, abs=0.05)
