"""The descriptive building blocks of the pages, on small hand-made panels (no notebook run)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.analysis import effects
from evaluation.estimators.results import EstimationResult, tidy_frame
from evaluation.reporting import sections


def _panel() -> pd.DataFrame:
    # 12 firms x 3 years: firms 0-5 participants (cohort 2016), 6-11 comparison
    rows = []
    for f in range(12):
        for year in (2015, 2016, 2017):
            participant = int(f < 6)
            rows.append(
                {
                    "firm_id": f"p{f:02d}",
                    "year": year,
                    "participant": participant,
                    "cohort": 2016 if participant else 0,
                    "country": "CO" if f % 2 == 0 else "EC",
                    "sector": "C" if f % 3 else "G",
                    "women_led": int(f in (0, 6, 7)),
                    "responded": int(not (f == 1 and year == 2017)),
                    "sales_usd": 1000.0 + 10 * f + year,
                    "treated": int(participant and year >= 2016),
                    "log_labor_productivity": 9.0 + 0.1 * f
                    if not (f == 2 and year == 2015)
                    else np.nan,
                    "va_nonpositive": 0,
                    "baseline_log_employees": 1.0 + 0.1 * f,
                }
            )
    return pd.DataFrame(rows)


def test_response_by_year_counts_firms_and_rates():
    table = sections.response_by_year(_panel(), "en")
    assert table.loc[2017, "n_participants"] == 6
    assert table.loc[2017, "rate_participants"] == pytest.approx(5 / 6)
    assert table.loc[2015, "rate_comparison"] == 1.0


def test_outliers_flag_a_planted_extreme_value_per_country():
    panel = _panel()
    panel.loc[(panel.firm_id == "p04") & (panel.year == 2016), "sales_usd"] = 1e9
    table = sections.outliers(panel, "en", variables=["sales_usd"], k=3.0)
    assert table.iloc[0].to_dict() == {
        "firm_years_CO": 1, "firms_CO": 1, "firm_years_EC": 0, "firms_EC": 0
    }  # fmt: skip


def test_missingness_is_among_responding_firm_years():
    table = sections.missingness(_panel(), "en", variables=["log_labor_productivity"])
    # participants: 17 responding firm-years, one missing value
    assert table.iloc[0]["missing_participants"] == pytest.approx(1 / 17)
    assert table.iloc[0]["missing_comparison"] == 0.0


def test_means_by_group_are_suppressed_below_min_cell_and_read_down():
    base = sections.baseline(_panel())
    assert base["year"].unique().tolist() == [2015]
    means = sections.means_by_group(base, ["log_labor_productivity"], ["women_led"], "en")
    # women-led participants: one firm -> withheld; others shown
    table = sections.publish_means(means, ["log_labor_productivity"], "en", min_cell=2)
    women = table.frame["Women-led"].tolist()
    assert women[0] == "s"  # one participating women-led firm
    assert women[1] == "2"  # two comparison women-led firms
    assert "s" not in table.frame["Not women-led"].tolist()
    assert table.frame.index[2].startswith("Log labor productivity: participants")


def test_estimation_sample_keeps_responding_observed_rows():
    data = effects.estimation_sample(_panel(), "log_labor_productivity")
    assert len(data) == 36 - 1 - 1  # one non-response, one missing outcome
    assert data.loc[data.year >= 2016, "after"].eq(1).all()
    assert data["sector_year"].iloc[0] in ("C:2015", "G:2015")
    # the size trend: baseline size x (year - base year), zero in the base year
    first = data[data.firm_id == "p03"].set_index("year")["baseline_log_employees_trend"]
    assert first.to_dict() == pytest.approx({2015: 0.0, 2016: 1.3, 2017: 2.6})
    # an outcome the data cannot build is a clear "not estimable" result, not a crash
    with pytest.raises(effects.NotEstimable, match="not_there"):
        effects.estimation_sample(_panel(), "not_there")


def test_overall_effect_weights_event_times_by_treated_firm_years():
    data = _panel().query("responded == 1")
    tidy = tidy_frame(
        ["e::-2", "e::0", "e::1"], [0.0, 0.1, 0.3], [0.1, 0.02, 0.04],
        extra={"event_time": [-2, 0, 1]},
    )  # fmt: skip
    vcov = pd.DataFrame(np.diag([0.01, 0.0004, 0.0016]), index=tidy.term, columns=tidy.term)
    res = EstimationResult("sunab", tidy, nobs=len(data), vcov=vcov, n_clusters=12)
    overall = effects._overall_from_event_times(res, data, "sunab").tidy().iloc[0]
    # 6 treated firm-years at e=0, 5 at e=1 (one non-response)
    w = np.array([6, 5]) / 11
    assert overall["estimate"] == pytest.approx(w @ [0.1, 0.3])
    assert overall["std_error"] == pytest.approx(np.sqrt(w**2 @ [0.0004, 0.0016]))


def test_truth_for_samples():
    truth = {
        "estimands": {
            "y": {
                "overall": {"att": 0.1},
                "att_e": [{"event_time": 0, "att": 0.05}],
                "by_women_led": {"true": {"att": 0.2}, "false": {"att": 0.08}},
                "att_e_by_women_led": [
                    {"event_time": 0, "att": 0.07, "women_led": True},
                    {"event_time": 0, "att": 0.04, "women_led": False},
                ],
            }
        }
    }
    assert effects.truth_for(truth, "y", "all") == {"overall": 0.1, "att_e": {0: 0.05}}
    assert effects.truth_for(truth, "y", "women_led") == {"overall": 0.2, "att_e": {0: 0.07}}
    assert effects.truth_for(truth, "y", "CO") is None
    assert effects.truth_for(truth, "z", "all") is None
    assert effects.truth_for(None, "y", "all") is None


def test_logframe_table_takes_the_report_language_and_formats_numbers():
    from evaluation.reporting import final

    values = pd.DataFrame(
        [
            {"notebook": "08_indicators", "job": "j", "parameters": {}, "name": "logframe",
             "value": [{"id": "a", "indicator": "Clusters", "indicator_es": "Clústeres",
                        "baseline": 0, "target": 26, "achieved": 0.1234, "status": "met",
                        "status_es": "cumplida", "evidence": "count", "evidence_es": "conteo",
                        "status_code": "met"}]},
        ]
    )  # fmt: skip
    es, source = final.logframe_table(values, "es")
    assert source == "recorded"
    assert list(es.columns) == [
        "Indicador",
        "Línea de base",
        "Meta",
        "Logrado",
        "Estado",
        "Evidencia",
    ]
    assert es.iloc[0].tolist() == ["Clústeres", "0", "26", "0,123", "cumplida", "conteo"]
    en, _ = final.logframe_table(values, "en")
    assert en.iloc[0].tolist() == ["Clusters", "0", "26", "0.123", "met", "count"]
    assert final.logframe_table(None, "en") == (None, "")


def test_logframe_table_shows_an_effect_in_words_not_against_the_count_target():
    from evaluation.reporting import final

    row = {"id": "productivity", "indicator": "SMEs with higher productivity",
           "indicator_es": "Pymes con mayor productividad", "baseline": 0, "target": 260,
           "achieved_text": "effect of +0.104 on log productivity (≈ +11.0%) across 243 "
           "participating SMEs", "achieved_text_es": "efecto de +0,104 en la productividad en "
           "logaritmos (≈ +11,0 %) en 243 pymes participantes", "status": "met",
           "status_es": "cumplida", "evidence": "effect", "evidence_es": "efecto"}  # fmt: skip
    count = {**row, "id": "clusters", "target": 26, "achieved_text": "26",
             "achieved_text_es": "26"}  # fmt: skip
    values = pd.DataFrame(
        [{"notebook": "08_indicators", "job": "j", "parameters": {}, "name": "logframe",
          "value": [row, count]}]
    )  # fmt: skip
    en, _ = final.logframe_table(values, "en")
    es, _ = final.logframe_table(values, "es")
    assert en.iloc[0]["Achieved"].startswith("effect of +0.104") and "243" in en.iloc[0]["Achieved"]
    assert es.iloc[0]["Logrado"].startswith("efecto de +0,104") and en.iloc[0]["Target"] == "260"
    assert (en.iloc[1]["Achieved"], es.iloc[1]["Logrado"]) == ("26", "26")


def test_diagnostics_keep_other_pages_scalars_with_translated_names():
    from evaluation.reporting import final

    values = pd.DataFrame(
        [
            {"notebook": "10_power_attrition", "job": "j", "parameters": {}, "name": "mde", "value": 0.05},
            {"notebook": "10_power_attrition", "job": "j", "parameters": {}, "name": "table", "value": [1, 2]},
            {"notebook": "04_event_study", "job": "j", "parameters": {}, "name": "pretrend_p_value", "value": 0.3},
            {"notebook": "11_sensitivity", "job": "j", "parameters": {}, "name": "new_thing", "value": 2},
        ]
    )  # fmt: skip
    diag = final.diagnostics(values, "es")
    assert diag["name"].tolist() == ["Efecto mínimo detectable (80 % de potencia)", "new thing"]
    assert diag["value"].tolist() == ["0,050", "2"]  # formatted in the report language
    assert final.recorded(values, "mde") == 0.05
    assert final.recorded(values, "mde", notebook="11_sensitivity") is None


def test_trends_note_says_how_callaway_santanna_conditions():
    """The pages' note on conditioning matches cs_covariates: baseline size *and* sector."""
    from evaluation.config import load_settings
    from evaluation.reporting.translations import t

    data = pd.DataFrame({"sector": ["A", "B", "C", "A"], "baseline_log_employees": 1.0})
    settings = load_settings()
    _, covs = effects.cs_covariates(data, settings)
    assert covs == [*settings.analysis.covariates, "sector_B", "sector_C"]
    en, es = t("spec.trends", "en"), t("spec.trends", "es")
    assert "Callaway–Sant'Anna conditions on baseline size and on sector" in en
    assert "Callaway–Sant'Anna condiciona en el tamaño de la línea de base y en el sector" in es
