"""Configuration: layers, the programme boundary, years, errors, and the generated reference."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evaluation.config import (
    Analysis,
    ConfigError,
    load_layers,
    load_settings,
    resolve_years,
)
from evaluation.config_reference import reference_markdown

REPO = Path(__file__).resolve().parents[1]


def _root(tmp_path: Path, local: dict | None) -> Path:
    (tmp_path / "config").mkdir()
    text = (REPO / "config" / "evaluation.yml").read_text(encoding="utf-8")
    (tmp_path / "config" / "evaluation.yml").write_text(text, encoding="utf-8")
    if local is not None:
        (tmp_path / "config" / "local.yml").write_text(yaml.safe_dump(local), encoding="utf-8")
    return tmp_path


def test_default_programme_is_read_from_the_versioned_file():
    settings = load_settings(root=REPO)
    assert settings.program.name == "PROMIPYME"
    assert settings.analysis.cluster == "stratum"
    assert settings.domain.countries == ("CO", "EC")
    assert len(settings.program.logframe) == 7
    assert settings.program.logframe[0].indicator.get("es").startswith("Clústeres")


def test_another_programme_gets_none_of_the_default_facts(tmp_path, monkeypatch):
    for env in ("EVALUATION_RAW", "EVALUATION_PROCESSED", "EVALUATION_REPORTS"):
        monkeypatch.delenv(env, raising=False)
    local = {
        "program": {"name": "Export Grants"},
        "analysis": {"primary_outcome": "log_sales", "first_year": 2010},
    }
    settings = load_settings(root=_root(tmp_path, local))
    assert settings.program.name == "Export Grants"
    assert settings.program.logframe == () and settings.program.description is None
    assert settings.domain.countries is None  # any country is legal
    assert settings.outcomes == {}
    a = settings.analysis
    assert a.cluster is None and a.covariates == () and a.secondary_outcomes == ()
    assert a.first_year == 2010 and a.last_year is None and a.base_year is None
    # generic choices still come from the versioned file
    assert a.seed == 20160601 and a.min_cell == 5 and a.primary_estimator == "cs"
    dumped = yaml.safe_dump(settings.model_dump(mode="json"))
    for fact in ("PROMIPYME", "Colombia", "stratum", "baseline_log_employees", "CAINCO"):
        assert fact not in dumped


def test_local_file_without_program_block_merges_key_by_key(tmp_path, monkeypatch):
    monkeypatch.delenv("EVALUATION_RAW", raising=False)
    root = _root(tmp_path, {"analysis": {"seed": 7}, "paths": {"raw": "/data/x"}})
    settings = load_settings(root=root)
    assert settings.program.name == "PROMIPYME" and settings.analysis.seed == 7
    assert settings.analysis.cluster == "stratum"
    _, _, sources = load_layers(root=root)
    assert sources["analysis.seed"] == "local.yml"
    assert sources["analysis.cluster"] == "evaluation.yml"
    assert sources["paths.raw"] == "local.yml"
    monkeypatch.setenv("EVALUATION_RAW", "/elsewhere")
    _, data, sources = load_layers(root=root)
    assert data["paths"]["raw"] == "/elsewhere"
    assert sources["paths.raw"] == "environment EVALUATION_RAW"


def test_invalid_values_name_the_key_and_the_file(tmp_path):
    root = _root(tmp_path, {"analysis": {"min_cell": 0}})
    with pytest.raises(ConfigError, match=r"analysis\.min_cell \(local\.yml\)"):
        load_settings(root=root)
    root2 = tmp_path / "b"
    root2.mkdir()
    _root(root2, {"program": {"name": "  "}})
    with pytest.raises(ConfigError, match="program.name"):
        load_settings(root=root2)
    root3 = tmp_path / "c"
    root3.mkdir()
    _root(root3, {"outcomes": {"bad name": {"expr": "1"}}})
    with pytest.raises(ConfigError, match="plain identifier"):
        load_settings(root=root3)


def test_unreadable_yaml_is_a_config_error(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "evaluation.yml").write_text("analysis: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be read as YAML"):
        load_settings(root=tmp_path)


def test_declared_outcomes_and_plain_text_labels(tmp_path):
    local = {
        "program": {"name": "P", "title": "One title for both languages"},
        "outcomes": {"lemp": {"expr": "lemp", "kind": "log", "label": "Log employment"}},
        "analysis": {"primary_outcome": "lemp"},
    }
    settings = load_settings(root=_root(tmp_path, local))
    assert settings.outcomes["lemp"].kind == "log"
    assert settings.outcomes["lemp"].label.get("es") == "Log employment"
    assert settings.program.title.get("es") == "One title for both languages"
    assert settings.analysis.outcomes == ("lemp",)


def test_resolve_years_defaults_and_overrides():
    a = Analysis()
    years = resolve_years(a, [2003, 2004, 2005, 2006, 2007], [2004, 2006, 2007, 0])
    assert (years.first, years.last, years.baseline, years.endline, years.base) == (
        2003, 2007, 2003, 2007, None,
    )  # fmt: skip
    # cohorts at or before the first year are not a baseline; the period's end is the end line
    years = resolve_years(a, range(2010, 2017), [2010, 2013], period=(2012, 2014))
    assert years.baseline == 2012 and years.endline == 2014
    fixed = Analysis(first_year=2011, last_year=2015, baseline_year=2012, endline_year=2014,
                     base_year=2011)  # fmt: skip
    years = resolve_years(fixed, range(2010, 2017), [2013], has_prices=True)
    assert years.as_dict() == {
        "first_year": 2011, "last_year": 2015, "baseline_year": 2012, "endline_year": 2014,
        "base_year": 2011,
    }  # fmt: skip
    assert resolve_years(a, [2014, 2015], []).baseline == 2014  # nobody treated
    with pytest.raises(ValueError, match="no years"):
        resolve_years(a, [], [])
    with pytest.raises(ValueError, match="must be before"):
        Analysis(first_year=2015, last_year=2015)


def test_configuration_reference_is_current():
    """docs/configuration.md is generated from the models; regenerate it when this fails:
    python -m evaluation.config_reference > docs/configuration.md"""
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert text == reference_markdown()
    for key in ("`program.name`", "`analysis.primary_outcome`", "`outcomes.<name>.expr`",
                "`domain.countries`", "`preparation.winsorize.lower`", "`paths.raw`"):  # fmt: skip
        assert key in text
