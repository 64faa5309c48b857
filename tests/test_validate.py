"""Validation: every class of bad input is rejected with file, column, row and value.

The broken corpus (tests/data/broken/<case>/<file>, built by tests/data/broken/build.py) holds
one edited file per rule; each is laid over a copy of the hand-made data set tests/data/small.
Line numbers are those a text editor shows (header = line 1).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from evaluation.cli import main
from evaluation.config import load_settings
from evaluation.data.codebook import RAW_TABLES
from evaluation.data.validate import validate
from tests.conftest import REPO, TEST_DATA

SMALL = TEST_DATA / "small"
BROKEN = TEST_DATA / "broken"
SETTINGS = load_settings(root=REPO)

# case -> (rule, file, column, where, found): every piece must appear in one error message
CASES = {
    "missing_column": ("missing-column", "firms.csv", "cohort", "", ""),
    "bad_type": ("type", "firm_years.csv", "sales", "line 11 ", "'12,5 M'"),
    "bad_int": ("type", "firms.csv", "founded", "line 6 ", "'2001.5'"),
    "bad_country": ("allowed-values", "firms.csv", "country", "line 4 ", "'PE'"),
    "bad_sector": ("allowed-values", "firms.csv", "sector", "line 5 ", "'Z'"),
    "bad_bool": ("type", "firms.csv", "women_led", "line 7 ", "'quizas'"),
    "bad_link_type": ("allowed-values", "links.csv", "link_type", "line 4 ", "'friend'"),
    "duplicate_firm": ("unique-key", "firms.csv", "firm_id", "lines 3, 8 ", "'F02'"),
    "duplicate_firm_year": ("unique-key", "firm_years.csv", "firm_id x year", "lines 4, 44 ", "2016"),
    "unknown_firm_year": ("reference", "firm_years.csv", "firm_id", "line 33 ", "'F99'"),
    "unknown_link_firm": ("reference", "links.csv", "firm_b", "line 6 ", "'F77'"),
    "negative_sales": ("range", "firm_years.csv", "sales", "line 17 ", "-410000"),
    "negative_employees": ("range", "firm_years.csv", "employees", "line 27 ", "-11"),
    "year_outside_domain": ("range", "firm_years.csv", "year", "line 37 ", "1890"),
    "negative_cohort": ("range", "firms.csv", "cohort", "line 5 ", "-2017"),
    "participant_without_cluster": ("participant-fields", "firms.csv", "cluster_id", "line 3 ", "'F02'"),
    "comparison_with_cohort": ("comparison-fields", "firms.csv", "cohort", "line 4 ", "2016"),
    "cluster_two_strata": ("cluster-consistency", "firms.csv", "stratum", "lines 2, 3 ", "CL01"),
    "cluster_two_cohorts": ("cluster-consistency", "firms.csv", "cohort", "lines 2, 3 ", "2017"),
    "unknown_organization": ("reference", "firms.csv", "organization", "lines 2, 3 ", "'CCX'"),
    "organization_other_country": ("reference", "firms.csv", "organization", "line 5 ", "'CCQ'"),
    "missing_price": ("prices", "prices.csv", "ppi", "", "EC-2018"),
    "nonpositive_ppi": ("range", "prices.csv", "ppi", "line 7 ", "0"),
    "missing_core_values": ("response-values", "firm_years.csv", "intermediate_inputs", "line 32 ", "'F05'"),
    "missing_required_value": ("missing-value", "firms.csv", "territory", "line 2 ", ""),
}  # fmt: skip
# Legal under the minimal contract but worth a warning (the data are used, with a note).
WARNING_CASES = {
    "year_outside_panel": ("year-outside-panel", "firm_years.csv", "year", "line 37 ", "2013"),
    "cohort_no_preperiod": ("cohort-no-preperiod", "firms.csv", "cohort", "line 5 ", "2014"),
    "cohort_after_panel": ("cohort-after-panel", "firms.csv", "cohort", "line 5 ", "2023"),
}  # fmt: skip
# Whole-file faults: the message names the file and what was expected.
FILE_CASES = {
    "ragged_firm_years": ("read", "firm_years.csv", "line 10: 9", "expected 11 fields"),
    "empty_firm_years": ("empty-table", "firm_years.csv", "no data rows", "at least one row"),
}


def overlay(tmp_path: Path, *cases: str) -> Path:
    """A copy of the small data set with the broken files of ``cases`` laid over it."""
    raw = tmp_path / "raw"
    shutil.copytree(SMALL, raw)
    for case in cases:
        for path in (BROKEN / case).iterdir():
            shutil.copy(path, raw / path.name)
    return raw


def tree_hash(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_every_case_has_a_broken_file():
    folders = {p.name for p in BROKEN.iterdir() if p.is_dir()}
    assert folders == set(CASES) | set(WARNING_CASES) | set(FILE_CASES)


def test_small_data_set_passes_without_warnings():
    report = validate(SMALL, settings=SETTINGS)
    assert report.ok, report.format()
    assert report.warnings == []
    assert report.rows == {
        "firms": 6,
        "firm_years": 42,
        "links": 5,
        "organizations": 6,
        "prices": 14,
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_file_is_rejected_with_location(case, tmp_path):
    rule, file, column, where, found = CASES[case]
    report = validate(overlay(tmp_path, case), settings=SETTINGS)
    assert not report.ok
    hits = [i for i in report.errors if i.rule == rule and i.file == file]
    assert hits, f"{case}: no {rule} error in {file}:\n{report.format()}"
    texts = [str(i) for i in hits]
    matching = [t for t in texts if f"column {column!r}" in t or (column in t and rule == "prices")]
    assert matching, f"{case}: column {column} not named:\n" + "\n".join(texts)
    assert any(where in t and found in t for t in matching), (
        f"{case}: expected {where!r} and {found!r} in\n" + "\n".join(matching)
    )
    assert all("expected" in t for t in matching)


@pytest.mark.parametrize("case", sorted(WARNING_CASES))
def test_contract_warnings_name_the_rows(case, tmp_path):
    rule, file, column, where, found = WARNING_CASES[case]
    report = validate(overlay(tmp_path, case), settings=SETTINGS)
    assert report.ok, report.format()
    hits = [str(i) for i in report.warnings if i.rule == rule and i.file == file]
    assert hits, report.format()
    assert any(f"column {column!r}" in t and where in t and found in t for t in hits), hits


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_whole_file_faults_are_errors(case, tmp_path):
    rule, file, *pieces = FILE_CASES[case]
    report = validate(overlay(tmp_path, case), settings=SETTINGS)
    hits = [str(i) for i in report.errors if i.rule == rule]
    assert hits and all(p in hits[0] for p in (file, *pieces)), report.format()


def test_all_violations_reported_at_once(tmp_path):
    raw = overlay(tmp_path, "bad_type", "bad_country", "missing_price", "bad_link_type")
    report = validate(raw, settings=SETTINGS)
    rules = {(i.rule, i.file) for i in report.errors}
    assert {
        ("type", "firm_years.csv"),
        ("allowed-values", "firms.csv"),
        ("prices", "prices.csv"),
        ("allowed-values", "links.csv"),
    } <= rules
    assert "4 error(s)" in report.format()


def test_many_failures_list_a_capped_number_of_rows_with_the_count(tmp_path):
    raw = overlay(tmp_path)
    years = pd.read_csv(raw / "firm_years.csv", dtype=str, keep_default_na=False)
    years.loc[years["responded"] == "1", "employees"] = "-1"
    years.to_csv(raw / "firm_years.csv", index=False)
    report = validate(raw, settings=SETTINGS, max_rows=5)
    (issue,) = [i for i in report.errors if i.rule == "range" and i.column == "employees"]
    assert issue.count == 40  # 42 firm-years, two non-responding rows are empty
    assert issue.rows == (1, 2, 3, 4, 5)
    assert "40 rows, lines 2, 3, 4, 5, 6 (header = 1) (first shown)" in str(issue)


def test_missing_and_ambiguous_tables(tmp_path):
    raw = overlay(tmp_path)
    (raw / "prices.csv").unlink()
    (raw / "links.csv").unlink()
    shutil.copy(raw / "firms.csv", raw / "firms.txt")
    report = validate(raw, settings=SETTINGS)
    errors = [str(i) for i in report.errors]
    assert not any("no file for table 'prices'" in e for e in errors)  # optional now
    assert any("table firms has several files (firms.csv, firms.txt)" in e for e in errors)
    infos = {i.table: str(i) for i in report.infos if i.rule == "missing-table"}
    assert set(infos) == {"links", "prices"} and "nominal" in infos["prices"]
    (raw / "firms.txt").unlink()
    (raw / "firm_years.csv").unlink()
    (raw / "firms.csv").rename(raw / "firms.dat")
    errors = [str(i) for i in validate(raw, settings=SETTINGS).errors]
    assert any("no file for table 'firms'" in e for e in errors)
    assert any("no file for table 'firm_years'" in e for e in errors)


def test_documented_multi_cohort_cluster_passes(tmp_path):
    raw = overlay(tmp_path, "cluster_two_cohorts")
    mapping = tmp_path / "mapping.yml"
    mapping.write_text("clusters:\n  multi_cohort: [CL01]\n")
    assert not validate(raw, settings=SETTINGS).ok
    assert validate(raw, settings=SETTINGS, mapping=mapping).ok


def test_warnings_do_not_fail_validation(tmp_path):
    raw = overlay(tmp_path)
    firms = pd.read_csv(raw / "firms.csv", dtype=str, keep_default_na=False)
    firms.loc[firms["firm_id"] == "F01", "women_led"] = "0"  # CL01: 0 of 2 women-led
    firms["phone"] = "555-0101"
    firms.to_csv(raw / "firms.csv", index=False)
    years = pd.read_csv(raw / "firm_years.csv", dtype=str, keep_default_na=False)
    years.loc[years["year"] == "2020", ["responded", "sales", "employees", "wage_bill"]] = ""
    years.loc[years["year"] == "2020", "responded"] = "0"
    years.to_csv(raw / "firm_years.csv", index=False)
    report = validate(raw, settings=SETTINGS)
    assert report.ok, report.format()
    rules = {i.rule for i in report.warnings}
    assert {"women-led-target", "unknown-column", "non-response", "non-response-values"} <= rules
    women = next(str(i) for i in report.warnings if i.rule == "women-led-target")
    assert "CL01 (0% of 2)" in women


def test_outlier_warning_on_log_scale(tmp_path):
    # 20 Ecuadorian firm-years with sales of 20k-240k USD and one typed 10,000 times too large
    raw = overlay(tmp_path)
    years = pd.read_csv(raw / "firm_years.csv", dtype=str, keep_default_na=False)
    row = (years["firm_id"] == "F05") & (years["year"] == "2019")
    years.loc[row, "sales"] = str(int(years.loc[row, "sales"].iloc[0]) * 10_000)
    years.to_csv(raw / "firm_years.csv", index=False)
    report = validate(raw, settings=SETTINGS)
    assert report.ok
    hits = [i for i in report.warnings if i.rule == "outlier" and i.column == "sales"]
    assert hits and hits[0].count == 1 and "line 35 " in str(hits[0])


def test_single_table_file(tmp_path):
    report = validate(SMALL / "firms.csv", settings=SETTINGS)
    assert report.ok and set(report.sources) == {"firms"}
    raw = overlay(tmp_path, "bad_country")
    report = validate(raw / "firms.csv", settings=SETTINGS)
    assert [i.rule for i in report.errors] == ["allowed-values"]


def test_validation_writes_nothing(tmp_path, capsys):
    raw = overlay(tmp_path, "negative_sales")
    before = tree_hash(tmp_path)
    assert main(["validate", str(raw)]) == 1
    assert main(["validate", str(SMALL)]) == 0
    assert tree_hash(tmp_path) == before
    out = capsys.readouterr().out
    assert "Validation FAILED: 1 error(s)" in out and "line 17 " in out


def test_pandera_schema_agrees_with_the_sql_rules(tmp_path):
    """The codebook's pandera schema (an independent implementation of the single-table rules)
    rejects exactly the same single-table cases as the DuckDB validator."""
    from evaluation.data.ingest import connect
    from evaluation.data.schema import raw_schema

    single_table = {
        "bad_country",
        "bad_sector",
        "bad_link_type",
        "duplicate_firm",
        "duplicate_firm_year",
        "negative_sales",
        "negative_employees",
        "year_outside_domain",
        "nonpositive_ppi",
        "missing_required_value",
    }
    for case in sorted(single_table) + [None]:
        raw = overlay(tmp_path / (case or "good"), *([case] if case else []))
        files = [p.name for p in (BROKEN / case).iterdir()] if case else ["firms.csv"]
        for name in files:
            table = Path(name).stem
            con = connect()
            report = validate(raw / name, settings=SETTINGS, con=con)
            typed = con.execute(f"SELECT * EXCLUDE (__row) FROM typ_{table}").df()
            con.close()
            d = SETTINGS.domain
            schema = raw_schema(table, min_year=d.min_year, max_year=d.max_year, domain=d)
            try:
                schema.validate(typed, lazy=True)
                pandera_ok = True
            except Exception:  # pandera's SchemaErrors
                pandera_ok = False
            assert pandera_ok == report.ok, (case, report.format())


def test_every_raw_table_has_a_schema():
    from evaluation.data.schema import raw_schema

    for table in RAW_TABLES:
        assert raw_schema(table).columns


def test_parquet_errors_name_record_numbers(tmp_path):
    raw = overlay(tmp_path)
    years = pd.read_csv(raw / "firm_years.csv")
    years.loc[16, "sales"] = -5.0  # the 17th record
    (raw / "firm_years.csv").unlink()
    years.to_parquet(raw / "firm_years.parquet")
    report = validate(raw, settings=SETTINGS)
    (issue,) = report.errors
    assert issue.file == "firm_years.parquet" and issue.rows == (17,)
    assert "column 'sales': negative values -- 1 row, record 17; found -5.0" in str(issue)


def test_bad_mapping_exits_with_a_message(tmp_path, capsys):
    mapping = tmp_path / "mapping.yml"
    mapping.write_text("tables:\n  firms:\n    columns: {NIT: nit}\n")
    assert main(["validate", str(SMALL), "--mapping", str(mapping)]) == 2
    assert "maps to 'nit'" in capsys.readouterr().err


def test_base_year_prices_required_even_when_unused():
    from evaluation.config import Analysis, Settings

    settings = Settings(root=REPO, analysis=Analysis(base_year=2012))
    report = validate(SMALL, settings=settings)
    (issue,) = report.errors
    assert issue.rule == "prices" and "base year 2012" in str(issue)
    assert "CO-2012, EC-2012" in str(issue)


def test_differential_response_warning(tmp_path, monkeypatch):
    monkeypatch.setattr("evaluation.data.validate.MIN_GROUP", 3)  # 3 participants here
    raw = overlay(tmp_path)
    years = pd.read_csv(raw / "firm_years.csv", dtype=str, keep_default_na=False)
    gone = years.firm_id.isin(["F01", "F02", "F04"]) & (years.year == "2020")
    years.loc[gone, years.columns[3:]] = ""
    years.loc[gone, "responded"] = "0"
    years.to_csv(raw / "firm_years.csv", index=False)
    report = validate(raw, settings=SETTINGS)
    assert report.ok
    (gap,) = [i for i in report.warnings if i.rule == "differential-response"]
    assert "2020: 0% vs 100%" in str(gap)  # participants vs comparison firms


def test_blank_line_keeps_line_numbers_true(tmp_path):
    raw = overlay(tmp_path, "negative_sales")
    text = (raw / "firm_years.csv").read_text().splitlines(keepends=True)
    (raw / "firm_years.csv").write_text("".join(text[:5] + ["\n"] + text[5:]))
    report = validate(raw, settings=SETTINGS)
    negative = next(i for i in report.errors if i.rule == "range")
    assert "line 18 " in str(negative)  # was line 17, one blank line inserted above it
    blank = [i for i in report.errors if i.rule == "missing-value" and i.column == "firm_id"]
    assert blank and "line 6 " in str(blank[0])


def test_women_led_target_comes_from_the_configured_logframe(tmp_path):
    """The per-cluster women-led share is a programme fact: without a logframe target that
    promises one, the warning is not raised; with another threshold, that one is used."""
    from evaluation.data.validate import women_led_target

    raw = overlay(tmp_path)
    firms = pd.read_csv(raw / "firms.csv", dtype=str, keep_default_na=False)
    firms.loc[firms["firm_id"] == "F01", "women_led"] = "0"
    firms.to_csv(raw / "firms.csv", index=False)
    assert women_led_target(SETTINGS) == 0.25
    other = SETTINGS.model_copy(
        update={"program": SETTINGS.program.model_copy(update={"logframe": ()})}
    )
    assert women_led_target(other) is None
    rules = {i.rule for i in validate(raw, settings=other).warnings}
    assert "women-led-target" not in rules
