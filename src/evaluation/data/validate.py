"""``evaluation validate``: check raw tables against the codebook, report every violation.

Every rule is a DuckDB query over the views of :mod:`evaluation.data.ingest`, so a hand-made
test file and a 10M-row Parquet export go through the same code; each rule returns the total
number of offending rows and the first few (row numbers as the file shows them, with their
values), so a report on a registry-sized file stays readable. Validation never writes
anything: DuckDB runs in memory with spilling disabled unless the caller provides a scratch
folder outside the raw data.

The minimal contract (:data:`codebook.REQUIRED`): ``firms`` (``firm_id``, ``cohort``) and
``firm_years`` (``firm_id``, ``year`` and what the outcomes need) -- or one long firm-year
file carrying the firm-level columns. Every other column and table is optional: when absent,
the rules that need it are skipped and at most a warning or note says what it turns off.

Rules (errors): required tables, columns and rows, readable types; allowed values (country,
sector, link_type from the configured ``domain``; booleans); unique keys (codebook ``KEYS``);
referential integrity (firm_years and links refer to known firms, firms to known organizations
of their own country); clusters consistent (one stratum, one organization, one cohort unless
documented in the mapping); ranges (no negative money or employees, years inside the domain,
no negative cohort); participants have cluster, cohort and organization, comparison firms
have none; firm-level columns of a long file constant within a firm; every configured outcome
buildable; with a configured base year, a price row for every country-year used and the base
year; responding firm-years carry the core values. Warnings: cohorts without a pre-period or
after the panel, firm-years outside the panel, built-in outcomes without their inputs, prices
that do not cover the data (money then nominal), extreme outliers (robust z > 6 on the log
scale, per country), clusters below the 25% women-led target, high non-response, response
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
from evaluation.data.codebook import RAW_TABLES, REQUIRED_TABLES
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

MAX_ROWS = 5
NONRESPONSE_WARN = 0.30
RESPONSE_GAP_WARN = 0.10  # participants vs comparison firms, percentage points / 100
MIN_GROUP = 20  # firm-years per group and year before a response gap is worth a warning
OUTLIER_Z = 6.0
# What each optional table unlocks (said when it is absent).
OPTIONAL_TABLES = {
    "links": "the inter-firm network analysis needs it; written empty",
    "organizations": "the organization indicators need it; written empty",
    "prices": "without it money is used as reported (nominal), not deflated",
}


# The logframe measure whose threshold is the per-cluster women-led share the programme promised.
WOMEN_SHARE_MEASURE = "clusters_meeting_women_share"


def women_led_target(settings: Settings | None) -> float | None:
    """The women-led share per cluster the configured logframe promises (None: no such target,
    and no warning). It is a programme fact, so it comes from ``program.logframe``."""
    if settings is None:
        return None
    for target in settings.program.logframe:
        if target.measure == WOMEN_SHARE_MEASURE and target.threshold is not None:
            return float(target.threshold)
    return None


def thresholds(settings: Settings | None = None) -> Thresholds:
    """The warning thresholds as this module defines them at call time (the women-led target
    from the settings' logframe)."""
    return Thresholds(
        women_led_target=women_led_target(settings),
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
        Supplies the panel years and the base year (``analysis``), the legal values
        (``domain``) and the outcomes; default: the repository's.
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
        long = not single and "firm_years" in files and "firms" not in files
        if not single:
            for table in RAW_TABLES:
                if table in files or (long and table == "firms"):
                    continue
                needed = table in REQUIRED_TABLES
                report.issues.append(
                    Issue(
                        "error" if needed else "info",
                        "missing-table",
                        table,
                        None,
                        None,
                        f"no file for table {table!r} in {raw}"
                        + ("" if needed else f" (optional; {OPTIONAL_TABLES[table]})"),
                        f"{table}.csv, .xlsx, .dta or .parquet",
                    )
                )
        for table, path in files.items():
            try:
                report.sources[table] = register(
                    con, table, path, mapping, long=long and table == "firm_years"
                )
            except DataError as exc:
                report.issues.append(Issue("error", "read", table, path.name, None, str(exc)))
        fy = report.sources.get("firm_years")
        if long and fy is not None and "cohort" not in fy.columns:
            report.issues.append(
                Issue(
                    "error",
                    "missing-table",
                    "firms",
                    None,
                    None,
                    f"no file for table 'firms' in {raw}, and firm_years has no cohort column "
                    "to build the firm table from",
                    "firms.csv (firm_id, cohort), or one long firm-year file with a cohort",
                )
            )
        checker = Validator(
            con,
            report.sources,
            settings=settings,
            mapping=mapping,
            max_rows=max_rows,
            thresholds=thresholds(settings),
            long=long,
            single=single,
        )
        checker.run()
        report.issues.extend(checker.issues)
        report.rows = dict(checker.rows_in)
        report.contents = checker.contents()
    finally:
        if own:
            con.close()
    return report


def configured_mapping(settings: Settings, mapping: Path | str | None = None) -> Path | None:
    """The column mapping to use: ``mapping`` (a command-line path) or the configured one;
    a relative path is taken from the working directory when it exists there, else from the
    configuration root."""
    mapping = mapping or settings.paths.column_mapping
    if mapping is not None and not Path(mapping).is_absolute():
        mapping = Path(mapping) if Path(mapping).exists() else settings.root / mapping
    return Path(mapping) if mapping is not None else None


def validate_configured(
    settings: Settings, raw: Path | str | None = None, *, mapping: Path | str | None = None
) -> ValidationReport:
    """Validate the configured raw data exactly as ``evaluation validate`` does: the raw
    folder (``raw`` or ``paths.raw``), the configured column mapping and these settings.
    The data-quality page calls this, so it shows what the command found (one code path)."""
    raw = Path(raw) if raw is not None else settings.path("raw")
    return validate(raw, mapping=configured_mapping(settings, mapping), settings=settings)


def command(args: argparse.Namespace, settings: Settings) -> int:
    """``evaluation validate [PATH] [--mapping FILE]``: print the report; 1 on any error."""
    try:
        report = validate_configured(settings, args.path, mapping=args.mapping)
    except DataError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 2
    print(report.format())
    return 0 if report.ok else 1


__all__ = [
    "MONEY",
    "Issue",
    "ValidationReport",
    "command",
    "configured_mapping",
    "thresholds",
    "validate",
    "validate_configured",
]
