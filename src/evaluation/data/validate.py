"""``evaluation validate``: check raw tables against the codebook, report every violation.

Every rule is a DuckDB query over the views of :mod:`evaluation.data.ingest`, so a hand-made
test file and a 10M-row Parquet export go through the same code; each rule returns the total
number of offending rows and the first few (row numbers as the file shows them, with their
values), so a report on a registry-sized file stays readable. Validation never writes
anything: DuckDB runs in memory with spilling disabled unless the caller provides a scratch
folder outside the raw data.

Rules (errors): required columns and readable types; allowed values (country, sector,
link_type, booleans); unique keys (codebook ``KEYS``); referential integrity (firm_years and
links refer to known firms, firms to known organizations of their own country); clusters
consistent (one stratum, one organization, one cohort unless documented in the mapping);
ranges (no negative money or employees, years inside the analysis panel, cohort inside the
panel with at least one pre-period); participants have cluster, cohort and organization,
comparison firms have none; a price row for every country-year used and the base year;
responding firm-years carry the core values. Warnings: extreme outliers (robust z > 6 on the
log scale, per country), clusters below the 25% women-led target, high non-response, response
rates of participants and comparison firms more than 10 points apart in a year, values on
non-responding rows, unknown columns, optional tables absent.

Layout: this module holds the thresholds, :func:`validate` and the command;
:mod:`evaluation.data.validation_report` the report objects; ``_rule_engine`` the query
machinery, ``_table_rules`` and ``_cross_rules`` the rules themselves.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from evaluation.config import Settings, load_settings
from evaluation.data._cross_rules import Validator
from evaluation.data._rule_engine import MONEY, Thresholds
from evaluation.data.codebook import RAW_TABLES
from evaluation.data.ingest import (
    FORMATS,
    DataError,
    Mapping,
    connect,
    discover,
    load_mapping,
    register,
)
from evaluation.data.validation_report import Issue, ValidationReport

REQUIRED_TABLES = ("firms", "firm_years", "prices")
MAX_ROWS = 5
WOMEN_LED_TARGET = 0.25  # logframe: at least 25% of the SMEs in each cluster led by women
NONRESPONSE_WARN = 0.30
RESPONSE_GAP_WARN = 0.10  # participants vs comparison firms, percentage points / 100
MIN_GROUP = 20  # firm-years per group and year before a response gap is worth a warning
OUTLIER_Z = 6.0


def thresholds() -> Thresholds:
    """The warning thresholds as this module defines them at call time."""
    return Thresholds(
        women_led_target=WOMEN_LED_TARGET,
        nonresponse=NONRESPONSE_WARN,
        response_gap=RESPONSE_GAP_WARN,
        min_group=MIN_GROUP,
        outlier_z=OUTLIER_Z,
    )


def validate(
    raw: Path | str,
    *,
    mapping: Mapping | Path | str | None = None,
    settings: Settings | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    max_rows: int = MAX_ROWS,
) -> ValidationReport:
    """Check a raw folder (or one table file) and return every violation found.

    Parameters
    ----------
    raw
        A folder with one file per table (``firms.csv``, ``firm_years.parquet`` ...) or one
        table file (its name says which table; cross-table rules are then skipped).
    mapping
        A column mapping (path or loaded) renaming real data's columns to the codebook's.
    settings
        Supplies the panel years and the base year (``analysis``); default: the repository's.
    con
        A DuckDB connection to register the raw views in (``prepare`` reuses them).

    Examples
    --------
    >>> report = validate("data/raw")                       # doctest: +SKIP
    >>> report.ok, [str(e) for e in report.errors][:1]       # doctest: +SKIP
    (False, ["ERROR [range] firm_years.csv, column 'sales': negative values -- 1 row, line 17
    (header = 1); found -410000.0; expected >= 0"])
    """
    raw = Path(raw)
    settings = settings or load_settings()
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    report = ValidationReport(raw=raw)
    own = con is None
    con = con or connect()
    try:
        if raw.is_file():
            named = {m.file: t for t, m in mapping.tables.items() if m.file}
            table = named.get(raw.name, raw.stem)
            if table not in RAW_TABLES or raw.suffix.lower() not in FORMATS:
                raise DataError(
                    f"{raw}: a single table file must be named <table>.<ext> with table one of "
                    f"{RAW_TABLES} and ext one of {sorted(FORMATS)}"
                )
            files = {table: raw}
            single = True
        elif raw.is_dir():
            files, problems = discover(raw, mapping)
            for text in problems:
                report.issues.append(Issue("error", "files", None, None, None, text))
            single = False
        else:
            raise DataError(f"{raw}: no such file or folder")
        if not single:
            for table in RAW_TABLES:
                if table in files:
                    continue
                needed = table in REQUIRED_TABLES
                report.issues.append(
                    Issue(
                        "error" if needed else "warning",
                        "missing-table",
                        table,
                        None,
                        None,
                        f"no file for table {table!r} in {raw}"
                        + ("" if needed else " (optional; processed output will be empty)"),
                        f"{table}.csv, .xlsx, .dta or .parquet",
                    )
                )
        for table, path in files.items():
            try:
                report.sources[table] = register(con, table, path, mapping)
            except DataError as exc:
                report.issues.append(Issue("error", "read", table, path.name, None, str(exc)))
        checker = Validator(
            con,
            report.sources,
            first_year=settings.analysis.first_year,
            last_year=settings.analysis.last_year,
            base_year=settings.analysis.base_year,
            mapping=mapping,
            max_rows=max_rows,
            thresholds=thresholds(),
        )
        checker.run()
        report.issues.extend(checker.issues)
        report.rows = dict(checker.rows_in)
    finally:
        if own:
            con.close()
    return report


def command(args: argparse.Namespace, settings: Settings) -> int:
    """``evaluation validate [PATH] [--mapping FILE]``: print the report; 1 on any error."""
    raw = args.path or settings.path("raw")
    mapping = args.mapping or settings.paths.column_mapping
    if mapping is not None and not Path(mapping).is_absolute():
        mapping = Path(mapping) if Path(mapping).exists() else settings.root / mapping
    try:
        report = validate(raw, mapping=mapping, settings=settings)
    except DataError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 2
    print(report.format())
    return 0 if report.ok else 1


__all__ = ["MONEY", "Issue", "ValidationReport", "command", "thresholds", "validate"]
