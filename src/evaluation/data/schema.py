"""Raw-table schemas built from the codebook, in two executable forms.

The codebook (:mod:`evaluation.data.codebook`) is the single description of every raw column.
This module turns it into

* SQL expressions (DuckDB) that normalize one raw column of any source type into its model type
  and flag the values that cannot be read -- the validator and ``prepare`` use these, for a
  100-row test file and for a 10M-row registry export alike, so the two paths cannot disagree;
* :mod:`pandera` schemas of the typed tables (``raw_schema``) and of the processed panel
  (``panel_schema``) -- an independent statement of the same rules, used by the tests to
  cross-check the SQL validator and to check the panel ``prepare`` writes (pandera is slow to
  import and to run on 10M rows, so the command itself relies on the SQL rules).

Missing values are empty cells or one of :data:`MISSING_TOKENS`; booleans are 0/1, true/false,
yes/no (any case; a column mapping can recode other spellings such as Si/No).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from evaluation.data.codebook import KEYS, PANEL_COLUMNS, RAW_TABLES, Column, columns

if TYPE_CHECKING:  # pandera is slow to import; only the schema builders need it
    import pandera.pandas as pa

MISSING_TOKENS = ("", "NA", "N/A", "NaN", "nan", "NULL", "null", "None", ".")
BOOL_TRUE = ("1", "1.0", "true", "t", "yes", "y")
BOOL_FALSE = ("0", "0.0", "false", "f", "no", "n")
SQL_TYPES = {"string": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN"}
EXPECTED_TYPE = {
    "string": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "a boolean (0/1, true/false, yes/no)",
}
# Calendar-year columns: their legal range is the configured domain (domain.min_year ..
# max_year); years outside the analysis panel are not errors (they are left out of the panel).
YEAR_COLUMNS = {
    ("firm_years", "year"),
    ("links", "year"),
    ("organizations", "year"),
    ("prices", "year"),
}
# Money and counts that must be strictly positive to be usable as deflators or rates.
STRICTLY_POSITIVE = {("prices", "ppi"), ("prices", "usd_rate"), ("prices", "cpi")}
# Values a firm must report when it answered the survey: value added and labor productivity
# cannot be computed without them.
CORE_RESPONSE_COLUMNS = ("sales", "intermediate_inputs", "employees")


def quote(name: str) -> str:
    """A DuckDB identifier, quoted (real data brings spaces, accents and capitals)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    """A DuckDB string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def _in_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


def _is_numeric(source_type: str) -> bool:
    t = source_type.upper()
    return t in {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "FLOAT",
        "DOUBLE",
        "REAL",
    } or t.startswith("DECIMAL")


def _is_floating(source_type: str) -> bool:
    t = source_type.upper()
    return t in {"FLOAT", "DOUBLE", "REAL"} or t.startswith("DECIMAL")


def text_expr(name: str, source_type: str) -> str:
    """The column as trimmed text with every spelling of "missing" turned into NULL."""
    c = quote(name)
    t = source_type.upper()
    if t == "VARCHAR":
        return f"CASE WHEN trim({c}) IN {_in_list(MISSING_TOKENS)} THEN NULL ELSE trim({c}) END"
    if t == "BOOLEAN":
        return f"CASE WHEN {c} IS NULL THEN NULL WHEN {c} THEN '1' ELSE '0' END"
    if _is_floating(t):
        # 2016.0 (how Stata and pandas store an integer column with gaps) reads as "2016".
        return (
            f"CASE WHEN {c} IS NULL OR isnan(CAST({c} AS DOUBLE)) THEN NULL "
            f"WHEN isfinite(CAST({c} AS DOUBLE)) AND {c} = floor({c}) AND abs({c}) < 1e15 "
            f"THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) ELSE CAST({c} AS VARCHAR) END"
        )
    return f"CAST({c} AS VARCHAR)"


@dataclass(frozen=True)
class ColumnSQL:
    """How to read one codebook column from one source column.

    ``typed`` is the value in the model type (NULL when missing or unreadable); ``missing`` is
    true when the raw cell is empty; ``unreadable`` is true when the cell holds something that is
    not a value of the model type (a type error the validator reports with its raw text).
    """

    typed: str
    missing: str
    unreadable: str
    raw_text: str


def column_sql(col: Column, source_type: str) -> ColumnSQL:
    """SQL that reads ``col`` from a source column of DuckDB type ``source_type``."""
    c = quote(col.name)
    t = source_type.upper()
    numeric = _is_numeric(t)
    floating = _is_floating(t)
    text = text_expr(col.name, t)
    if numeric and col.dtype in {"int", "float"}:
        # Native numbers: no round trip through text (this path carries 10M-row Parquet).
        value = f"CAST({c} AS DOUBLE)"
        missing = f"({c} IS NULL OR isnan({value}))" if floating else f"({c} IS NULL)"
        if col.dtype == "float":
            bad = f"(NOT {missing} AND NOT isfinite({value}))"
            typed = f"CASE WHEN {missing} OR {bad} THEN NULL ELSE {value} END"
        else:
            bad = (
                f"(NOT {missing} AND NOT (isfinite({value}) AND {value} = floor({value})))"
                if floating
                else "FALSE"
            )
            typed = f"CASE WHEN {missing} OR {bad} THEN NULL ELSE CAST({c} AS BIGINT) END"
        return ColumnSQL(typed, missing, bad, text)
    if col.dtype == "bool" and (t == "BOOLEAN" or (numeric and not floating)):
        # Native booleans and 0/1 integers: read directly (10M-row Parquet again).
        typed = c if t == "BOOLEAN" else f"CASE {c} WHEN 1 THEN TRUE WHEN 0 THEN FALSE END"
        missing = f"({c} IS NULL)"
        return ColumnSQL(typed, missing, f"(NOT {missing} AND ({typed}) IS NULL)", text)
    missing = f"({text} IS NULL)"
    if col.dtype == "string":
        typed = text
        bad = "FALSE"
    elif col.dtype == "bool":
        low = f"lower({text})"
        typed = (
            f"CASE WHEN {low} IN {_in_list(BOOL_TRUE)} THEN TRUE "
            f"WHEN {low} IN {_in_list(BOOL_FALSE)} THEN FALSE ELSE NULL END"
        )
        bad = f"(NOT {missing} AND ({typed}) IS NULL)"
    else:
        num = f"TRY_CAST({text} AS DOUBLE)"
        if col.dtype == "float":
            typed = f"CASE WHEN isfinite({num}) THEN {num} END"
        else:
            typed = (
                f"CASE WHEN isfinite({num}) AND {num} = floor({num}) THEN CAST({num} AS BIGINT) END"
            )
        bad = f"(NOT {missing} AND ({typed}) IS NULL)"
    return ColumnSQL(typed, missing, bad, text)


def bounds(
    col: Column, *, min_year: int = 1900, max_year: int = 2100
) -> tuple[float | None, float | None]:
    """The legal range of a numeric column: the configured domain's years for calendar years,
    0 .. ``max_year`` for a cohort (0 = never supported), else the codebook's bounds."""
    if (col.table, col.name) in YEAR_COLUMNS:
        return float(min_year), float(max_year)
    if col.name == "cohort":
        return 0.0, float(max_year)
    return col.minimum, col.maximum


def raw_schema(
    table: str, *, min_year: int = 1900, max_year: int = 2100, domain: object | None = None
) -> pa.DataFrameSchema:
    """A pandera schema of one raw table after typing (single-table rules only).

    Cross-table rules (referential integrity, cluster consistency, prices) need more than one
    frame and live in :mod:`evaluation.data._cross_rules` (run by :mod:`evaluation.data.validate`).
    ``domain`` (``settings.domain``) supplies the legal countries, sectors and link types.
    """
    import pandera.pandas as pa

    from evaluation.data.codebook import DOMAIN_COLUMNS

    dtypes = {"string": str, "int": "Int64", "float": float, "bool": "boolean"}
    cols = {}
    for col in columns(table):
        checks = []
        field = DOMAIN_COLUMNS.get((table, col.name))
        allowed = getattr(domain, field) if (field and domain is not None) else col.allowed
        if allowed:
            checks.append(pa.Check.isin(list(allowed)))
        low, high = bounds(col, min_year=min_year, max_year=max_year)
        if (col.table, col.name) in STRICTLY_POSITIVE:
            checks.append(pa.Check.gt(0))
        elif low is not None:
            checks.append(pa.Check.ge(low))
        if high is not None:
            checks.append(pa.Check.le(high))
        cols[col.name] = pa.Column(
            dtypes[col.dtype],
            checks=checks,
            nullable=col.nullable,
            required=col.required,
            coerce=True,
        )
    return pa.DataFrameSchema(cols, unique=list(KEYS[table]), strict=False, name=table)


# Storage types of the processed panel (DuckDB names). Flags are 0/1 small integers; columns
# that are missing by design (rel_time for comparison firms, logs of non-positive values) are
# nullable.
PANEL_TYPES: dict[str, str] = {
    "firm_id": "VARCHAR",
    "year": "INTEGER",
    "country": "VARCHAR",
    "territory": "VARCHAR",
    "sector": "VARCHAR",
    "stratum": "VARCHAR",
    "women_led": "TINYINT",
    "participant": "TINYINT",
    "cluster_id": "VARCHAR",
    "organization": "VARCHAR",
    "cohort": "INTEGER",
    "founded": "INTEGER",
    "firm_age": "INTEGER",
    "responded": "TINYINT",
    "sales_usd": "DOUBLE",
    "intermediate_inputs_usd": "DOUBLE",
    "value_added_usd": "DOUBLE",
    "value_added_usd_w": "DOUBLE",
    "wage_bill_usd": "DOUBLE",
    "capital_stock_usd": "DOUBLE",
    "exports_usd": "DOUBLE",
    "employees": "DOUBLE",
    "bds_hours": "DOUBLE",
    "linkages": "DOUBLE",
    "labor_productivity": "DOUBLE",
    "labor_productivity_w": "DOUBLE",
    "log_labor_productivity": "DOUBLE",
    "log_labor_productivity_w": "DOUBLE",
    "log_value_added": "DOUBLE",
    "log_value_added_w": "DOUBLE",
    "log_sales": "DOUBLE",
    "log_employees": "DOUBLE",
    "exporter": "TINYINT",
    "va_nonpositive": "TINYINT",
    "winsorized": "TINYINT",
    "rel_time": "INTEGER",
    "post": "TINYINT",
    "treated": "TINYINT",
    "balanced": "TINYINT",
    "baseline_log_employees": "DOUBLE",
    "baseline_log_labor_productivity": "DOUBLE",
}
assert tuple(PANEL_TYPES) == tuple(PANEL_COLUMNS), "PANEL_TYPES must follow PANEL_COLUMNS"


def panel_schema() -> pa.DataFrameSchema:
    """A pandera schema of ``panel.parquet`` as pandas reads it (the processed contract)."""
    import pandera.pandas as pa

    flag = pa.Check.isin([0, 1])
    never_null = {"firm_id", "year", "country", "stratum", "women_led", "participant", "cohort"}
    never_null |= {"responded", "post", "treated", "balanced", "winsorized"}
    cols = {}
    for name, kind in PANEL_TYPES.items():
        checks = [flag] if kind == "TINYINT" else []
        if name in {"sales_usd", "intermediate_inputs_usd", "employees", "labor_productivity"}:
            checks = [] if name == "labor_productivity" else [pa.Check.ge(0)]
        cols[name] = pa.Column(nullable=name not in never_null, checks=checks)
    return pa.DataFrameSchema(cols, strict=True, ordered=True, unique=["firm_id", "year"])


__all__ = [
    "BOOL_FALSE",
    "BOOL_TRUE",
    "CORE_RESPONSE_COLUMNS",
    "EXPECTED_TYPE",
    "MISSING_TOKENS",
    "PANEL_TYPES",
    "RAW_TABLES",
    "SQL_TYPES",
    "ColumnSQL",
    "bounds",
    "column_sql",
    "literal",
    "panel_schema",
    "quote",
    "raw_schema",
    "text_expr",
]
