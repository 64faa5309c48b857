"""Logframe indicators from config and hand-built tables: counts, effects, statuses, errors,
and measures whose data are absent (not measurable, with the reason)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.analysis import indicators
from evaluation.config import load_settings
from evaluation.reporting.indicators import worded


def _logframe(targets, **kw):
    effects = {"primary": kw.pop("productivity", None), "linkage": kw.pop("linkage", None)}
    inputs = indicators.Inputs(effects=effects, baseline_year=2015, endline_year=2018,
                               outcome="log_labor_productivity", outcome_kind="log", **kw)  # fmt: skip
    return worded(indicators.logframe(targets, inputs))


def _firms() -> pd.DataFrame:
    rows = []
    for k in range(4):  # 4 clusters of 4 participants; cluster K3 has 0 women-led
        for i in range(4):
            rows.append(
                (
                    f"p{k}{i}",
                    1,
                    f"K{k}",
                    "CO" if k < 2 else "EC",
                    f"ORG{k % 2}",
                    int(k < 3 and i == 0) + int(k == 0 and i == 1),
                )
            )
    rows += [(f"c{i}", 0, None, "CO", None, i % 2) for i in range(8)]
    return pd.DataFrame(
        rows,
        columns=["firm_id", "participant", "cluster_id", "country", "organization", "women_led"],
    )


def _orgs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "organization": ["ORG0", "ORG0", "ORG1", "ORG1"],
            "year": [2015, 2018, 2015, 2018],
            "bds_services": [5, 8, 6, 6],
            "bds_clients": [10, 30, 12, 12],
        }  # fmt: skip
    )


def _links() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "firm_a": ["p00", "p00", "p01", "p10"],
            "firm_b": ["p01", "p20", "p20", "c1"],
            "year": [2015, 2018, 2018, 2018],
            "link_type": ["client"] * 4,
        }  # fmt: skip
    )


@pytest.fixture
def targets():
    return indicators.logframe_targets(load_settings().program)


def test_config_defines_the_program_targets(targets):
    ids = [t.id for t in targets]
    assert ids == [
        "clusters",
        "women_share",
        "productivity",
        "organizations",
        "women_network",
        "interconnected",
        "bds_market",
    ]
    by = {t.id: t for t in targets}
    assert by["clusters"].target == 26 and by["productivity"].target == 260
    assert by["organizations"].target == 4 and by["women_share"].threshold == 0.25
    assert by["productivity"].evidence == "effect" and by["bds_market"].evidence == "not_measurable"


def test_logframe_counts_statuses_and_effects(targets):
    effect = {
        "estimate": 0.08,
        "conf_low": 0.02,
        "conf_high": 0.14,
        "p_value": 0.01,
        "label": "CS",
        "n_treated": 16,
    }
    null = {
        "estimate": 0.5,
        "conf_low": -0.1,
        "conf_high": 1.1,
        "p_value": 0.2,
        "label": "DiD",
        "n_treated": 16,
    }
    lf = _logframe(
        targets,
        firms=_firms(),
        organizations=_orgs(),
        links=_links(),
        productivity=effect,
        linkage=null,
    ).set_index("id")
    assert (
        lf.loc["clusters", "achieved"] == 4 and lf.loc["clusters", "status_code"] == "not_met"
    )  # 4 < 26
    # shares: K0 2/4, K1 1/4, K2 1/4, K3 0/4 -> 3 clusters reach 25%
    assert (
        lf.loc["women_share", "achieved"] == 3 and lf.loc["women_share", "status_code"] == "not_met"
    )
    # an effect is not a count of SMEs: no number in the target's unit, the estimate apart,
    # and the achieved cell states the effect, its unit and the SMEs it is estimated on
    assert lf.loc["productivity", "target"] == 260
    assert lf.loc["productivity", "achieved"] is None or np.isnan(
        lf.loc["productivity", "achieved"]
    )
    assert lf.loc["productivity", "estimate"] == pytest.approx(0.08)
    assert lf.loc["productivity", "n_effect"] == 16
    assert lf.loc["productivity", "achieved_text"] == (
        "effect of +0.080 on log labor productivity (value added per employee) (≈ +8.3%) "
        "across 16 participating firms"
    )  # exp(0.08) - 1 = 0.0833
    assert lf.loc["productivity", "achieved_text_es"] == (
        "efecto de +0,080 en log de la productividad laboral (valor agregado por empleado) "
        "(≈ +8,3\u00a0%) en 16 empresas participantes"
    )
    assert lf.loc["interconnected", "achieved_text"] == (
        "effect of +0.500 business links per firm across 16 participating firms"
    )
    assert (
        lf.loc["clusters", "achieved_text"] == "4" and lf.loc["bds_market", "achieved_text"] == "–"
    )
    assert lf.loc["productivity", "status_code"] == "met"  # interval above zero
    assert lf.loc["interconnected", "status_code"] == "not_met"  # interval includes zero
    assert lf.loc["organizations", "achieved"] == 1  # ORG0 5 -> 8, ORG1 unchanged
    # women-led: p00, p01, p10, p20 and comparison c1, c3. Links between two women-led firms:
    # 2015 p00-p01; 2018 p00-p20, p01-p20, p10-c1
    assert lf.loc["women_network", "achieved"] == 3 and lf.loc["women_network", "baseline"] == 1
    assert lf.loc["women_network", "status_code"] == "met"
    assert lf.loc["bds_market", "status_code"] == "not_measurable"
    assert lf.loc["bds_market", "achieved"] is None or np.isnan(lf.loc["bds_market", "achieved"])
    assert (
        "10 (2015)" in lf.loc["bds_market", "evidence"]
        or "22 (2015)" in lf.loc["bds_market", "evidence"]
    )
    assert lf.loc["productivity", "status_es"] == "cumplida"
    assert "IC 95 %" in lf.loc["productivity", "evidence_es"]


def test_effect_indicator_without_estimate_is_not_measurable_and_count_is_not_an_effect(targets):
    panel = pd.DataFrame(
        {
            "firm_id": ["p00", "p00", "c0", "c0"],
            "participant": [1, 1, 0, 0],
            "year": [2015, 2018, 2015, 2018],
            "log_labor_productivity": [1.0, 1.5, 1.0, 1.4],
        }  # fmt: skip
    )
    lf = _logframe(
        targets, firms=_firms(), organizations=_orgs(), links=_links(), panel=panel
    ).set_index("id")
    assert lf.loc["productivity", "status_code"] == "not_measurable"
    assert lf.loc["productivity", "achieved_text_es"] == "sin estimación"
    # the before/after count is shown as description, explicitly not as the effect
    assert "description, not an effect: 1 of 1" in lf.loc["productivity", "evidence"]
    assert "descripción, no un efecto" in lf.loc["productivity", "evidence_es"]


def test_women_share_table_and_breakdown():
    tab = indicators.women_share_by_cluster(_firms()).set_index("cluster_id")
    assert tab.loc["K0", "share_women_led"] == 0.5 and not tab.loc["K3", "meets_target"]
    br = indicators.breakdown(_firms(), "country")
    assert br.loc["CO", "firms"] == 8 and br.loc["EC", "women_led"] == 1


def test_breakdown_small_cells_are_suppressed_when_published():
    from evaluation.reporting.tables import publish_table

    table = publish_table(
        indicators.breakdown(_firms(), "organization"), row_count="firms", min_cell=10
    )
    assert table.n_suppressed > 0  # 8 firms per organization < 10: withheld


def test_bad_config_is_named():
    with pytest.raises(ValueError, match=r"logframe\[0\].*evidence"):
        indicators.logframe_targets(
            {
                "logframe": [
                    {
                        "id": "x",
                        "indicator": {"en": "", "es": ""},
                        "definition": {"en": "", "es": ""},
                        "evidence": "guess",
                        "measure": "clusters_created",
                    }
                ]
            }
        )
    with pytest.raises(ValueError, match="unknown measure"):
        indicators.logframe_targets(
            {
                "logframe": [
                    {
                        "id": "x",
                        "indicator": {"en": "", "es": ""},
                        "definition": {"en": "", "es": ""},
                        "evidence": "count",
                        "measure": "nope",
                    }
                ]
            }
        )


def test_measures_without_their_data_are_not_measurable_with_the_reason(targets):
    firms = _firms()[["firm_id", "participant"]]
    lf = _logframe(targets, firms=firms, organizations=pd.DataFrame(), links=pd.DataFrame())
    lf = lf.set_index("id")
    assert set(lf["status_code"]) == {"not_measurable"}
    assert "No business clusters were supplied" in lf.loc["clusters", "evidence"]
    assert "No organizations table" in lf.loc["organizations", "evidence"]
    assert "No network data" in lf.loc["women_network", "evidence"]
    assert "no causal estimate" in lf.loc["productivity", "evidence"]


def test_no_logframe_in_config_is_an_empty_list():
    assert indicators.logframe_targets({"logframe": []}) == []
    assert indicators.logframe_targets({}) == []
