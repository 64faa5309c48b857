"""The message catalogue is complete in both languages; numbers read the way each language writes them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from evaluation.reporting import translations as tr
from evaluation.reporting.resources.messages import MESSAGES

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SRC = Path(__file__).resolve().parents[1] / "src" / "evaluation" / "reporting"


def test_every_message_exists_in_both_languages_with_the_same_placeholders():
    assert tr.catalogue_problems() == []
    assert len(MESSAGES) > 150


def test_catalogue_check_catches_each_defect():
    bad = {
        "a": {"en": "x"},
        "b": {"en": "x", "es": "  "},
        "c": {"en": "{n} firms", "es": "{m} empresas"},
        "d": {"en": "ok", "es": "ok", "fr": "ok"},
    }
    problems = tr.catalogue_problems(bad)
    assert any(p.startswith("a: no es") for p in problems)
    assert any(p.startswith("b: empty es") for p in problems)
    assert any(p.startswith("c: placeholders differ") for p in problems)
    assert any(p.startswith("d: unknown languages") for p in problems)


def test_spanish_differs_from_english_in_narrative():
    # a sentence "translated" by copying the English would pass the completeness test
    long_same = [k for k, v in MESSAGES.items() if len(v["en"]) > 40 and v["en"] == v["es"]]
    assert long_same == []


def test_every_message_id_used_in_notebooks_and_helpers_exists():
    # literal ids only: t("nb01.title", ...); ids built at run time (f"est.{key}") are not seen
    pattern = re.compile(r"""\bt\(\s*["']([a-z0-9_.]*[a-z0-9_])["']\s*[,)]""")
    files = [*NOTEBOOKS.glob("*.py"), *SRC.glob("*.py")]
    used = {m for f in files for m in pattern.findall(f.read_text(encoding="utf-8"))}
    assert used, "no message ids found: the pattern or the paths are wrong"
    assert sorted(used - set(MESSAGES)) == []


def test_message_lookup_fills_placeholders_and_names_what_is_missing():
    assert tr.t("report.seed", "es", seed=7) == "Semilla aleatoria: 7"
    with pytest.raises(KeyError, match="needs values for \\['seed'\\]"):
        tr.t("report.seed", "en")
    with pytest.raises(KeyError, match="no message 'report.sed'"):
        tr.t("report.sed", "en")
    with pytest.raises(ValueError, match="language must be one of"):
        tr.t("report.seed", "fr", seed=1)


@pytest.mark.parametrize(
    ("value", "digits", "en", "es"),
    [
        (1234.5, 1, "1,234.5", "1.234,5"),
        (1234567.891, 2, "1,234,567.89", "1.234.567,89"),
        (-0.04, 1, "0.0", "0,0"),
        (-1234.5, 0, "-1,234", "-1.234"),
        (0.1234, 3, "0.123", "0,123"),
        (float("nan"), 2, "–", "–"),
        (None, 2, "–", "–"),
    ],
)
def test_number_formatting(value, digits, en, es):
    assert tr.fmt_number(value, "en", digits) == en
    assert tr.fmt_number(value, "es", digits) == es


def test_counts_percentages_intervals_pvalues_dates():
    assert tr.fmt_int(12345, "en") == "12,345"
    assert tr.fmt_int(12345, "es") == "12.345"
    assert tr.fmt_percent(0.125, "en") == "12.5%"
    assert tr.fmt_percent(0.125, "es") == "12,5\u00a0%"
    assert tr.fmt_interval(0.0123, 0.0456, "en") == "[0.012, 0.046]"
    assert tr.fmt_interval(0.0123, 0.0456, "es") == "[0,012; 0,046]"
    assert tr.fmt_pvalue(0.0004, "es") == "< 0,001"
    assert tr.fmt_pvalue(0.0456, "en") == "0.046"
    assert tr.fmt_date(dt.date(2026, 11, 27), "en") == "27 November 2026"
    assert tr.fmt_date("2026-11-27", "es") == "27 de noviembre de 2026"
    assert tr.fmt_effect(0.0953, "en") == "0.095 (≈ +10.0%)"
    assert tr.fmt_effect(-0.1, "es") == "-0,100 (≈ -9,5\u00a0%)"


def test_variable_labels_come_from_catalogue_then_codebook():
    assert tr.variable_label("log_sales", "es") == "Log de las ventas reales"
    # a raw codebook column: description in English, label_es in Spanish
    assert tr.variable_label("bds_hours", "en").startswith("Hours of business")
    assert tr.variable_label("territory", "es") == "Territorio"
    assert tr.variable_label("territory", "en") == "Territory (department, province or region)"
    assert tr.variable_label("not_a_column", "es") == "not_a_column"


def test_ids_built_at_run_time_exist():
    # sector labels: the ISIC sections of the default configuration's domain
    from evaluation.analysis.effects import ESTIMATORS
    from evaluation.config import load_settings
    from evaluation.pipeline.parameters import SAMPLES

    built = [f"est.{k}" for k in (*ESTIMATORS, "did_2x2", "triple_differences")]
    built += [f"sample.{s}" for s in SAMPLES] + [
        f"sector.{s}" for s in load_settings().domain.sectors or ()
    ]
    built += [f"logframe.status.{s}" for s in ("met", "not_met", "not_measurable")]
    assert [key for key in built if key not in MESSAGES] == []


def test_countries_are_named_from_cldr_not_from_a_programme_list():
    # no country.* message: any ISO code is named in the page's language, others print as given
    assert not [k for k in MESSAGES if k.startswith("country.")]
    assert tr.country_name("KE", "en") == "Kenya" and tr.country_name("KE", "es") == "Kenia"
    assert tr.country_name("DE", "es") == "Alemania"
    assert tr.country_name("region 4", "en") == "region 4"
