"""The minimal data contract: validate + prepare take panels of other programmes.

Uses the builders of ``tests/panels`` (raw folder + configuration root told only through
``config/local.yml``): ``minimal`` (the default simulation cut to firm_id/cohort and
firm_id/year/sales/employees, gaps, shuffled, no prices), ``mpdta`` (R did's county panel as
one long firm-year file with a derived cohort and the declared outcome ``lemp``) and
``registry`` (string ids, shuffled rows, gaps, missing cohorts). Exact checks: values are
compared with the raw file (relative tolerance 1e-12: one log or none).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from evaluation.config import load_settings
from evaluation.data.codebook import PANEL_COLUMNS
from evaluation.data.ingest import DataError
from evaluation.data.load import load_table
from evaluation.data.prepare import PrepareError, prepare, pseudonym
from evaluation.data.validate import validate_configured
from tests import panels


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", panels.KEY)


def run(root: Path):
    settings = load_settings(root=root)
    result = prepare(settings=settings, mapping=settings.mapping_path())
    return settings, result


def test_minimal_panel(tmp_path):
    settings, result = run(panels.minimal(tmp_path))
    contents = result.manifest["contents"]
    assert contents["money"] == "nominal" and contents["responded"] is False
    assert contents["tables"] == {
        "firms": True, "firm_years": True, "links": False, "organizations": False,
        "prices": False,
    }  # fmt: skip
    assert contents["columns"]["firms"] == ["cohort", "firm_id"]
    assert contents["years"] == {
        "first_year": 2014, "last_year": 2020, "baseline_year": 2015, "endline_year": 2020,
        "base_year": None,
    }  # fmt: skip
    assert contents["outcomes"]["log_sales"] == {"source": "builtin", "kind": "log"}
    notes = " | ".join(contents["notes"])
    assert "participant derived from cohort" in notes and "nominal" in notes
    panel = load_table("panel", settings.path("processed"))
    assert list(panel.columns) == list(PANEL_COLUMNS)
    raw = pd.read_csv(settings.path("raw") / "firm_years.csv", dtype={"firm_id": str})
    assert len(panel) == len(raw)
    # nominal: sales_usd is the reported value, log_sales its log
    raw["firm_id"] = [pseudonym(panels.KEY.encode(), f) for f in raw.firm_id]
    both = panel.merge(raw, on=["firm_id", "year"], suffixes=("", "_raw"))
    np.testing.assert_allclose(both.sales_usd, both.sales, rtol=1e-12)
    np.testing.assert_allclose(both.log_sales, np.log(both.sales), rtol=1e-12)
    assert panel.country.isna().all() and panel.log_labor_productivity.isna().all()
    assert (panel.responded == 1).all()
    firms = load_table("firms", settings.path("processed"))
    assert set(firms.cohort) == {0, 2016, 2017}
    assert (firms.participant == (firms.cohort > 0)).all()
    assert len(load_table("links", settings.path("processed"))) == 0


def test_mpdta_long_file_derived_cohort_and_declared_outcome(tmp_path):
    settings, result = run(panels.mpdta(tmp_path))
    contents = result.manifest["contents"]
    assert contents["tables"]["firms"] is False
    assert contents["outcomes"] == {"lemp": {"source": "declared", "kind": "log"}}
    assert contents["years"]["first_year"] == 2003 and contents["years"]["last_year"] == 2007
    assert any("firm table was built from the long firm-year file" in n for n in contents["notes"])
    assert any("derived in the column mapping" in n for n in contents["notes"])
    panel = load_table("panel", settings.path("processed"))
    assert list(panel.columns) == [*PANEL_COLUMNS, "lemp"]
    assert len(panel) == 2500 and panel.firm_id.nunique() == 500
    mpdta = pd.read_csv(Path(__file__).parent / "data" / "mpdta.csv")
    mpdta["firm_id"] = [pseudonym(panels.KEY.encode(), str(c)) for c in mpdta.countyreal]
    both = panel.merge(mpdta, on=["firm_id", "year"])
    assert len(both) == 2500
    np.testing.assert_allclose(both.lemp_x, both.lemp_y, rtol=1e-12)
    assert (both.cohort == both["first.treat"]).all()
    assert (both.treated == both.treat * (both.year >= both["first.treat"])).all()
    # unknown raw columns never reach processed data
    assert not {"lpop", "treat", "first.treat"} & set(panel.columns)


def test_registry_panel_with_string_ids_gaps_and_missing_cohorts(tmp_path):
    settings, result = run(panels.registry(tmp_path, firms=300))
    panel = load_table("panel", settings.path("processed"))
    raw = pd.read_csv(settings.path("raw") / "firm_years.csv")
    assert len(panel) == len(raw) and panel.firm_id.str.fullmatch(r"[0-9a-f]{16}").all()
    firms = pd.read_csv(settings.path("raw") / "firms.csv", dtype=str, keep_default_na=False)
    never = firms.cohort.eq("").sum()
    out = load_table("firms", settings.path("processed"))
    assert (out.cohort == 0).sum() == never > 0
    assert panel.balanced.mean() < 0.5  # ~15% gaps over 7 years
    assert result.manifest["contents"]["money"] == "nominal"


def test_validate_configured_is_the_command_path(tmp_path, capsys, monkeypatch):
    from evaluation.cli import main

    root = panels.mpdta(tmp_path)
    report = validate_configured(load_settings(root=root))
    assert report.ok and report.contents["outcomes"]["lemp"]["source"] == "declared"
    monkeypatch.setenv("EVALUATION_ROOT", str(root))
    assert main(["validate"]) == 0
    assert "firm table was built from the long firm-year file" in capsys.readouterr().out


def _rewrite_local(root: Path, change) -> None:
    path = root / "config" / "local.yml"
    local = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(local)
    path.write_text(yaml.safe_dump(local, sort_keys=False), encoding="utf-8")


def test_unknown_outcome_is_an_error_naming_the_key(tmp_path):
    root = panels.minimal(tmp_path)
    _rewrite_local(root, lambda d: d["analysis"].update(secondary_outcomes=["turnover"]))
    report = validate_configured(load_settings(root=root))
    (issue,) = report.errors
    assert "analysis.secondary_outcomes" in str(issue) and "'turnover'" in str(issue)
    with pytest.raises(PrepareError):
        run(root)
    assert not (tmp_path / "processed").exists() or not any((tmp_path / "processed").iterdir())


def test_raw_column_outcome_is_carried_as_double(tmp_path):
    root = panels.minimal(tmp_path)
    raw = tmp_path / "raw" / "firm_years.csv"
    years = pd.read_csv(raw, dtype=str)
    years["visits"] = (np.arange(len(years)) % 5).astype(str)
    years["note"] = "free text"  # unknown, not an outcome: never written
    years.to_csv(raw, index=False)
    _rewrite_local(root, lambda d: d["analysis"].update(secondary_outcomes=["visits"]))
    settings, result = run(root)
    panel = load_table("panel", settings.path("processed"))
    assert list(panel.columns) == [*PANEL_COLUMNS, "visits"]
    assert panel.visits.dtype == np.float64 and set(panel.visits) == {0, 1, 2, 3, 4}
    assert result.manifest["contents"]["outcomes"]["visits"]["source"] == "column"
    assert "note" not in panel.columns


def test_builtin_outcome_without_inputs_is_a_warning(tmp_path):
    root = panels.minimal(tmp_path)
    _rewrite_local(root, lambda d: d["analysis"].update(primary_outcome="log_labor_productivity"))
    report = validate_configured(load_settings(root=root))
    assert report.ok
    (issue,) = [i for i in report.warnings if i.rule == "outcome-inputs"]
    assert "intermediate_inputs" in str(issue) and "analysis.primary_outcome" in str(issue)


def test_declared_expression_errors_are_named(tmp_path):
    root = panels.mpdta(tmp_path)
    _rewrite_local(root, lambda d: d["outcomes"]["lemp"].update(expr="ln(no_such_column)"))
    report = validate_configured(load_settings(root=root))
    text = " ".join(str(i) for i in report.errors)
    assert "outcomes.lemp.expr" in text and "no_such_column" in text


def test_derived_expression_errors_name_mapping_table_and_column(tmp_path):
    root = panels.mpdta(tmp_path)
    mapping = tmp_path / "mapping.yml"
    spec = yaml.safe_load(mapping.read_text())
    spec["tables"]["firm_years"]["derived"]["cohort"] = '"first_treat" + 1'
    mapping.write_text(yaml.safe_dump(spec))
    report = validate_configured(load_settings(root=root))
    (issue,) = [i for i in report.errors if i.rule == "read"]
    text = str(issue)
    assert str(mapping) in text and "firm_years" in text and "derived.cohort" in text
    assert "first_treat" in text and "first.treat" in text  # the expression, the file's columns
    spec["tables"]["firm_years"]["derived"]["no_such"] = "1"
    mapping.write_text(yaml.safe_dump(spec))
    with pytest.raises(DataError, match="derived.no_such"):
        validate_configured(load_settings(root=root))


def test_long_file_with_a_varying_firm_level_column_is_an_error(tmp_path):
    root = panels.mpdta(tmp_path)
    raw = tmp_path / "raw" / "firm_years.csv"
    data = pd.read_csv(raw)
    data.loc[(data.countyreal == 8001) & (data.year == 2005), "first.treat"] = 2006
    data.to_csv(raw, index=False)
    report = validate_configured(load_settings(root=root))
    (issue,) = [i for i in report.errors if i.rule == "firm-level-varies"]
    assert issue.column == "cohort" and "8001" in str(issue)


def test_cohorts_outside_the_window(tmp_path):
    """A cohort after the last year becomes 0 with a note; one at the first year is kept."""
    root = panels.registry(tmp_path, firms=60, years=(2010, 2016))
    firms_csv = tmp_path / "raw" / "firms.csv"
    firms = pd.read_csv(firms_csv, dtype=str, keep_default_na=False)
    firms.loc[firms.index[:3], "cohort"] = "2019"
    firms.loc[firms.index[3:5], "cohort"] = "2010"
    firms.to_csv(firms_csv, index=False)
    settings, result = run(root)
    rules = {i.rule for i in result.report.warnings}
    assert {"cohort-after-panel", "cohort-no-preperiod"} <= rules
    assert any(
        "3 firm(s) first supported after 2016" in n for n in result.manifest["contents"]["notes"]
    )
    out = load_table("firms", settings.path("processed"))
    late = {pseudonym(panels.KEY.encode(), f) for f in firms.firm_id[:3]}
    moved = out[out.firm_id.isin(late)]
    assert (moved.cohort == 0).all() and (moved.participant == 0).all()
    early = {pseudonym(panels.KEY.encode(), f) for f in firms.firm_id[3:5]}
    assert (out[out.firm_id.isin(early)].cohort == 2010).all()


def test_domain_comes_from_config(tmp_path):
    """A country outside the configured list is an error only when the domain lists countries."""
    root = panels.minimal(tmp_path)
    firms_csv = tmp_path / "raw" / "firms.csv"
    firms = pd.read_csv(firms_csv, dtype=str, keep_default_na=False)
    firms["country"] = np.where(np.arange(len(firms)) % 2 == 0, "KE", "UG")
    firms.to_csv(firms_csv, index=False)
    assert validate_configured(load_settings(root=root)).ok  # another programme: any value
    _rewrite_local(root, lambda d: d.update(domain={"countries": ["KE"]}))
    report = validate_configured(load_settings(root=root))
    (issue,) = report.errors
    assert issue.rule == "allowed-values" and "'UG'" in str(issue) and "one of KE" in str(issue)


def test_prices_partly_covering_leave_money_nominal(tmp_path):
    """Without a configured base year, prices that miss a country-year are not used."""
    root = panels.minimal(tmp_path)
    raw = tmp_path / "raw"
    firms = pd.read_csv(raw / "firms.csv", dtype=str, keep_default_na=False)
    firms["country"] = "KE"
    firms.to_csv(raw / "firms.csv", index=False)
    prices = pd.DataFrame(
        {"country": "KE", "year": range(2014, 2020), "cpi": 100.0, "ppi": 100.0, "usd_rate": 2.0}
    )  # 2020 missing
    prices.to_csv(raw / "prices.csv", index=False)
    _rewrite_local(root, lambda d: d["analysis"].pop("base_year"))
    settings, result = run(root)
    assert result.manifest["contents"]["money"] == "nominal"
    assert any(i.rule == "prices" for i in result.report.warnings)
    prices.loc[len(prices)] = ["KE", 2020, 100.0, 100.0, 2.0]
    prices.to_csv(raw / "prices.csv", index=False)
    settings, result = run(root)
    contents = result.manifest["contents"]
    assert contents["money"] == "real" and contents["years"]["base_year"] == 2014
    panel = load_table("panel", settings.path("processed"))
    years = pd.read_csv(raw / "firm_years.csv")
    assert panel.sales_usd.sum() == pytest.approx(years.sales.sum() / 2.0, rel=1e-12)
    assert math.isfinite(panel.log_sales.mean())
