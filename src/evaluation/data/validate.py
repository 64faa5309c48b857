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
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from evaluation.config import Settings, load_settings
from evaluation.data.codebook import KEYS, RAW_TABLES, columns
from evaluation.data.ingest import (
    FORMATS,
    DataError,
    Mapping,
    Source,
    connect,
    discover,
    load_mapping,
    register,
)
from evaluation.data.schema import (
    CORE_RESPONSE_COLUMNS,
    EXPECTED_TYPE,
    STRICTLY_POSITIVE,
    bounds,
    column_sql,
    literal,
    quote,
)

REQUIRED_TABLES = ("firms", "firm_years", "prices")
MAX_ROWS = 5
WOMEN_LED_TARGET = 0.25  # logframe: at least 25% of the SMEs in each cluster led by women
NONRESPONSE_WARN = 0.30
RESPONSE_GAP_WARN = 0.10  # participants vs comparison firms, percentage points / 100
MIN_GROUP = 20  # firm-years per group and year before a response gap is worth a warning
OUTLIER_Z = 6.0
MONEY = ("sales", "wage_bill", "intermediate_inputs", "capital_stock", "exports")


@dataclass(frozen=True)
class Issue:
    """One violated rule: where (file, column, rows), what was found, what was expected."""

    severity: str
    rule: str
    table: str | None
    file: str | None
    column: str | None
    problem: str
    expected: str = ""
    count: int = 0
    rows: tuple[int, ...] = ()
    where: str = ""
    values: tuple = ()
    source_column: str | None = None

    def __str__(self) -> str:
        head = f"{self.severity.upper()} [{self.rule}] {self.file or self.table or 'raw data'}"
        if self.column and self.source_column:
            head += f", column {self.source_column!r} (model column {self.column!r})"
        elif self.column:
            head += f", column {self.column!r}"
        text = f"{head}: {self.problem}"
        if self.count:
            text += f" -- {self.count} row{'s' if self.count != 1 else ''}"
            if self.where:
                more = " (first shown)" if self.count > len(self.rows) else ""
                text += f", {self.where}{more}"
        if self.values:
            shown = ", ".join(_show(v) for v in self.values)
            text += f"; found {shown}"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if value is None:
        return "<missing>"
    return repr(value) if isinstance(value, str) else str(value)


@dataclass
class ValidationReport:
    """Everything validation found; ``ok`` when there is no error (warnings allowed)."""

    raw: Path
    sources: dict[str, Source] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def format(self) -> str:
        lines = [f"Validation of {self.raw}"]
        for table, src in self.sources.items():
            lines.append(f"  {table}: {src.describe()}, {self.rows.get(table, 0)} rows")
        lines += [str(i) for i in self.errors] + [str(i) for i in self.warnings]
        verdict = "FAILED" if self.errors else "passed"
        lines.append(
            f"Validation {verdict}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)."
        )
        return "\n".join(lines)


class _Validator:
    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        sources: dict[str, Source],
        *,
        first_year: int,
        last_year: int,
        base_year: int,
        mapping: Mapping,
        max_rows: int,
    ) -> None:
        self.con = con
        self.sources = sources
        self.first_year = first_year
        self.last_year = last_year
        self.base_year = base_year
        self.mapping = mapping
        self.k = max_rows
        self.issues: list[Issue] = []
        self.usable: dict[str, set[str]] = {}
        self.pending: list[tuple] = []
        self.on_hit: dict[int, object] = {}
        self.alias: dict[str, str] = {}
        self.base_missing: list[tuple] = []
        self.colsql: dict[str, dict] = {}

    # ---------------------------------------------------------------- helpers
    def q(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()

    def add(
        self,
        severity: str,
        rule: str,
        table: str | None,
        column: str | None,
        problem: str,
        expected: str = "",
        count: int = 0,
        rows: Iterable[int] = (),
        values: Iterable = (),
    ) -> None:
        src = self.sources.get(table) if table else None
        rows = tuple(int(r) for r in rows)
        self.issues.append(
            Issue(
                severity=severity,
                rule=rule,
                table=table,
                file=src.path.name if src else None,
                column=column,
                source_column=src.renamed.get(column) if (src and column) else None,
                problem=problem,
                expected=expected,
                count=int(count),
                rows=rows,
                where=src.where(list(rows)) if (src and rows) else "",
                values=tuple(values),
            )
        )

    def rowrule(
        self,
        severity: str,
        rule: str,
        table: str,
        column: str | None,
        where: str,
        value: str,
        problem: str,
        expected: str,
        view: str | None = None,
    ) -> None:
        """Queue a row rule on ``table``: rows matching ``where`` are reported with ``value``.

        Rules are evaluated in :meth:`flush`, one aggregate pass per view (so clean data costs
        one scan per table), then one capped listing per rule that fired.
        """
        self.pending.append(
            (view or f"typ_{table}", severity, rule, table, column, where, value, problem, expected)
        )

    def flush(self) -> None:
        by_view: dict[str, list] = {}
        for spec in self.pending:
            by_view.setdefault(self.alias.get(spec[0], spec[0]), []).append(spec)
        counts = {}
        for view, specs in by_view.items():
            exprs = ", ".join(f"count(*) FILTER (WHERE {s[5]})" for s in specs)
            for spec, n in zip(specs, self.q(f"SELECT {exprs} FROM {view}")[0], strict=True):
                counts[id(spec)] = n
        for spec in self.pending:
            view, severity, rule, table, column, where, value, problem, expected = spec
            view = self.alias.get(view, view)
            count = counts[id(spec)]
            if not count:
                continue
            if id(spec) in self.on_hit:
                self.on_hit[id(spec)](count)
                continue
            first = self.q(
                f"SELECT __row, {value} FROM {view} WHERE {where} ORDER BY __row LIMIT {self.k}"
            )
            self.add(severity, rule, table, column, problem, expected, count,
                     [r[0] for r in first], [r[1] for r in first])  # fmt: skip
        self.pending = []
        self.on_hit = {}

    def joined_firm_years(self) -> None:
        """View ``fy_join``: firm_years with the firm's country and founding year and flags for
        a known firm and a priced country-year, so every firm_years rule -- single-table and
        cross-table -- is answered by one scan of a possibly 10M-row file."""
        firms = (
            "SELECT firm_id, min(country) AS country, min(founded) AS founded, "
            "bool_or(participant) AS participant FROM typ_firms "
            "WHERE firm_id IS NOT NULL GROUP BY firm_id"
        )
        priced, join = "CAST(NULL AS BOOLEAN)", ""
        if self.has("prices", "country", "year"):
            priced = "p.country IS NOT NULL"
            join = (
                "LEFT JOIN (SELECT DISTINCT country, year FROM typ_prices WHERE ppi IS NOT NULL "
                "AND usd_rate IS NOT NULL) p ON p.country = f.country AND p.year = y.year"
            )
        self.con.execute(
            "CREATE OR REPLACE TEMP VIEW fy_join AS SELECT y.*, f.country AS __country, "
            f"f.founded AS __founded, f.participant AS __participant, "
            f"f.firm_id IS NOT NULL AS __known, {priced} AS __priced "
            f"FROM typ_firm_years y LEFT JOIN ({firms}) f ON f.firm_id = y.firm_id {join}"
        )
        self.alias["typ_firm_years"] = "fy_join"

    def has(self, table: str, *cols: str) -> bool:
        return table in self.usable and all(c in self.usable[table] for c in cols)

    # ---------------------------------------------------------------- per table
    def table_rules(self, table: str) -> None:
        src = self.sources[table]
        present = set(src.columns)
        for col in columns(table):
            if col.name not in present and col.required:
                self.add(
                    "error",
                    "missing-column",
                    table,
                    col.name,
                    f"required column {col.name!r} is absent",
                    f"a column named {col.name!r} (or mapped to it)",
                )
        # Columns the mapping declares personal are known: dropped by design, no warning.
        unknown = [c for c in src.extra if c not in self.mapping.table(table).personal]
        if unknown:
            self.add(
                "warning",
                "unknown-column",
                table,
                None,
                f"columns not in the codebook are ignored (never written): {', '.join(unknown)}",
            )
        # typed view: every model column in its type; absent ones NULL
        select = ["__row"]
        sqls = {}
        for col in columns(table):
            if col.name in present:
                sqls[col.name] = column_sql(col, src.columns[col.name])
                select.append(f"{sqls[col.name].typed} AS {quote(col.name)}")
            else:
                kind = {"string": "VARCHAR", "int": "BIGINT", "float": "DOUBLE"}
                select.append(
                    f"CAST(NULL AS {kind.get(col.dtype, 'BOOLEAN')}) AS {quote(col.name)}"
                )
        self.colsql[table] = sqls
        # Text formats are already in memory: materialize them once (every rule reads them).
        # Parquet stays a lazy view, streamed by each rule, so 10M rows never sit in memory.
        kind = "VIEW" if src.fmt == "parquet" else "TEMP TABLE"
        self.con.execute(
            f"CREATE OR REPLACE {kind} typ_{table} AS SELECT {', '.join(select)} FROM {src.view}"
        )
        # types and missing values: one pass counts, a second lists the first rows
        exprs = ["count(*)"]
        order = []
        for col in columns(table):
            if col.name not in sqls:
                continue
            s = sqls[col.name]
            exprs.append(f"count(*) FILTER (WHERE {s.unreadable})")
            order.append((col, "type"))
            if not col.nullable:
                exprs.append(f"count(*) FILTER (WHERE {s.missing})")
                order.append((col, "missing"))
        counts = self.q(f"SELECT {', '.join(exprs)} FROM {src.view}")[0]
        self.rows_in[table] = counts[0]
        usable = set(present)
        for (col, kind), n in zip(order, counts[1:], strict=True):
            if not n:
                continue
            s = sqls[col.name]
            cond = s.unreadable if kind == "type" else s.missing
            first = self.q(
                f"SELECT __row, {s.raw_text} FROM {src.view} WHERE {cond} "
                f"ORDER BY __row LIMIT {self.k}"
            )
            if kind == "type":
                self.add(
                    "error",
                    "type",
                    table,
                    col.name,
                    f"values that are not {EXPECTED_TYPE[col.dtype]}",
                    EXPECTED_TYPE[col.dtype],
                    n,
                    [r[0] for r in first],
                    [r[1] for r in first],
                )
            else:
                self.add(
                    "error",
                    "missing-value",
                    table,
                    col.name,
                    "empty cells in a column that must always be filled",
                    "a value in every row",
                    n,
                    [r[0] for r in first],
                )
        self.usable[table] = usable
        for col in columns(table):
            if col.name not in present:
                continue
            c = quote(col.name)
            if col.allowed:
                self.rowrule(
                    "error",
                    "allowed-values",
                    table,
                    col.name,
                    f"{c} IS NOT NULL AND {c} NOT IN ({', '.join(literal(a) for a in col.allowed)})",
                    c,
                    "values outside the allowed set",
                    "one of " + ", ".join(col.allowed),
                )
            if col.dtype in {"int", "float"}:
                low, high = bounds(col, first_year=self.first_year, last_year=self.last_year)
                if (table, col.name) in STRICTLY_POSITIVE:
                    self.rowrule(
                        "error",
                        "range",
                        table,
                        col.name,
                        f"{c} <= 0",
                        c,
                        "zero or negative values",
                        "> 0",
                    )
                elif low is not None:
                    what = "negative values" if low == 0 else "values below the range"
                    self.rowrule(
                        "error",
                        "range",
                        table,
                        col.name,
                        f"{c} < {low}",
                        c,
                        what,
                        f">= {low:g}" + (f" and <= {high:g}" if high is not None else ""),
                    )
                if high is not None:
                    self.rowrule(
                        "error",
                        "range",
                        table,
                        col.name,
                        f"{c} > {high}",
                        c,
                        "values above the range",
                        f"<= {high:g}"
                        + (
                            f" (analysis panel {self.first_year}-{self.last_year})"
                            if "year" == col.name
                            else ""
                        ),
                    )
        keys = KEYS[table]
        if all(k in present for k in keys):
            kq = ", ".join(quote(k) for k in keys)
            not_null = " AND ".join(f"{quote(k)} IS NOT NULL" for k in keys)
            dup = (
                f"SELECT {kq}, count(*) AS n FROM typ_{table} WHERE {not_null} "
                f"GROUP BY {kq} HAVING count(*) > 1"
            )
            (ndup, nrows) = self.q(f"SELECT count(*), coalesce(sum(n), 0) FROM ({dup})")[0]
            if ndup:
                first = self.q(
                    f"SELECT t.__row, ({', '.join('t.' + quote(k) for k in keys)}) FROM typ_{table} t "
                    f"SEMI JOIN ({dup}) d USING ({kq}) ORDER BY t.__row LIMIT {self.k}"
                )
                self.add(
                    "error",
                    "unique-key",
                    table,
                    " x ".join(keys),
                    f"{ndup} key value(s) occur more than once",
                    f"unique {' x '.join(keys)}",
                    nrows,
                    [r[0] for r in first],
                    [_tuple(r[1]) for r in first],
                )

    # ---------------------------------------------------------------- across tables
    def firm_rules(self) -> None:
        if not self.has("firms", "participant"):
            return
        for name in ("cluster_id", "cohort", "organization"):
            if not self.has("firms", name):
                continue
            c = quote(name)
            self.rowrule(
                "error",
                "participant-fields",
                "firms",
                name,
                f"participant AND {c} IS NULL",
                "firm_id",
                f"participants without {name}",
                f"every participant has a {name}",
            )
            self.rowrule(
                "error",
                "comparison-fields",
                "firms",
                name,
                f"NOT participant AND {c} IS NOT NULL",
                c,
                f"comparison firms with a {name}",
                f"{name} empty for comparison firms",
            )
        if self.has("firms", "cohort"):
            self.rowrule(
                "error",
                "cohort-range",
                "firms",
                "cohort",
                f"cohort IS NOT NULL AND (cohort <= {self.first_year} OR cohort > {self.last_year})",
                "cohort",
                "cohort outside the panel or without a pre-program year",
                f"{self.first_year + 1}-{self.last_year} (panel {self.first_year}-"
                f"{self.last_year}, at least one pre-period)",
            )
        if self.has("firms", "cluster_id"):
            documented = self.mapping.multi_cohort_clusters
            for attr in ("stratum", "organization", "cohort"):
                if not self.has("firms", attr):
                    continue
                bad = (
                    f"SELECT cluster_id FROM typ_firms WHERE participant AND cluster_id IS NOT NULL "
                    f"GROUP BY cluster_id HAVING count(DISTINCT {quote(attr)}) > 1"
                )
                clusters = [r[0] for r in self.q(bad)]
                clusters = [c for c in clusters if not (attr == "cohort" and c in documented)]
                if clusters:
                    inlist = ", ".join(literal(c) for c in clusters)
                    self.rowrule(
                        "error",
                        "cluster-consistency",
                        "firms",
                        attr,
                        f"participant AND cluster_id IN ({inlist})",
                        f"(cluster_id, {quote(attr)})",
                        f"clusters with more than one {attr}: {', '.join(sorted(clusters)[:10])}",
                        f"one {attr} per cluster"
                        + (
                            " (or the cluster listed under clusters.multi_cohort in the mapping)"
                            if attr == "cohort"
                            else ""
                        ),
                    )
        if "organizations" in self.usable and self.has("firms", "organization"):
            self.rowrule(
                "error",
                "reference",
                "firms",
                "organization",
                "organization IS NOT NULL AND organization NOT IN "
                "(SELECT organization FROM typ_organizations WHERE organization IS NOT NULL)",
                "organization",
                "organizations not in the organizations table",
                "an organization listed in the organizations table",
            )
            if self.has("firms", "country") and self.has("organizations", "country"):
                self.rowrule(
                    "error",
                    "reference",
                    "firms",
                    "organization",
                    "organization IS NOT NULL AND country IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                    "typ_organizations o WHERE o.organization = typ_firms.organization AND "
                    "o.country = typ_firms.country) AND organization IN "
                    "(SELECT organization FROM typ_organizations)",
                    "(organization, country)",
                    "participants supported by an organization of another country",
                    "an organization of the firm's own country",
                )
        if self.has("firms", "women_led", "cluster_id"):
            low = self.q(
                "SELECT cluster_id, avg(CAST(women_led AS DOUBLE)), count(*) FROM typ_firms "
                "WHERE participant AND cluster_id IS NOT NULL GROUP BY cluster_id "
                f"HAVING avg(CAST(women_led AS DOUBLE)) < {WOMEN_LED_TARGET} ORDER BY cluster_id"
            )
            if low:
                shown = ", ".join(f"{c} ({s:.0%} of {n})" for c, s, n in low[: self.k])
                self.add(
                    "warning",
                    "women-led-target",
                    "firms",
                    "women_led",
                    f"{len(low)} cluster(s) below the 25% women-led target: {shown}",
                    ">= 25% women-led SMEs per cluster (logframe)",
                )

    def panel_rules(self) -> None:
        fy = "firm_years"
        if self.has(fy, "firm_id") and self.has("firms", "firm_id"):
            self.rowrule(
                "error",
                "reference",
                fy,
                "firm_id",
                "firm_id IS NOT NULL AND NOT __known",
                "firm_id",
                "firm-years of firms not in firms",
                "a firm_id listed in firms",
                view="fy_join",
            )
            self.rowrule(
                "warning",
                "no-firm-years",
                "firms",
                "firm_id",
                "firm_id IS NOT NULL AND firm_id NOT IN (SELECT firm_id FROM "
                "typ_firm_years WHERE firm_id IS NOT NULL)",
                "firm_id",
                "firms with no firm-year row (they leave the panel)",
                "at least one firm-year per firm",
            )
        if self.has(fy, "responded"):
            for name in CORE_RESPONSE_COLUMNS:
                if self.has(fy, name):
                    self.rowrule(
                        "error",
                        "response-values",
                        fy,
                        name,
                        f"({self.colsql[fy]['responded'].typed}) AND "
                        f"{self.colsql[fy][name].missing}",
                        quote("firm_id"),
                        f"responding firm-years without {name}",
                        f"{name} present whenever responded = 1",
                        view=self.sources[fy].view,
                    )
            rates = self.q(
                "SELECT year, avg(CASE WHEN responded THEN 0.0 ELSE 1.0 END), count(*) FROM "
                "typ_firm_years WHERE year IS NOT NULL AND responded IS NOT NULL GROUP BY year "
                f"HAVING avg(CASE WHEN responded THEN 0.0 ELSE 1.0 END) > {NONRESPONSE_WARN} "
                "ORDER BY year"
            )
            if rates:
                shown = ", ".join(f"{y}: {r:.0%} of {n}" for y, r, n in rates)
                self.add(
                    "warning",
                    "non-response",
                    fy,
                    "responded",
                    f"high non-response ({shown})",
                    f"non-response below {NONRESPONSE_WARN:.0%}; check attrition before "
                    "trusting the estimates",
                )
            if "typ_firm_years" in self.alias and self.has("firms", "participant"):
                self.differential_response()
            present = [m for m in (*MONEY, "employees") if self.has(fy, m)]
            if present:
                anyval = " OR ".join(f"{quote(m)} IS NOT NULL" for m in present)
                self.rowrule(
                    "warning",
                    "non-response-values",
                    fy,
                    "responded",
                    f"NOT responded AND ({anyval})",
                    "firm_id",
                    "values on non-responding rows (prepare sets them missing)",
                    "empty survey values when responded = 0",
                )
        if self.has(fy, "year") and self.has("firms", "founded"):
            self.rowrule(
                "warning",
                "founded",
                fy,
                "year",
                "responded AND __founded > year",
                "(firm_id, year)",
                "firm answered for a year before it was founded",
                "year >= founded",
                view="fy_join",
            )
        self.outliers()

    def differential_response(self) -> None:
        """Warn when participants and comparison firms answer at different rates in a year:
        attrition related to treatment biases every estimator that drops non-respondents."""
        gaps = self.q(
            "SELECT year, avg(CASE WHEN responded THEN 1.0 ELSE 0.0 END) FILTER (WHERE "
            "__participant), avg(CASE WHEN responded THEN 1.0 ELSE 0.0 END) FILTER (WHERE NOT "
            "__participant) FROM fy_join WHERE year IS NOT NULL AND responded IS NOT NULL "
            f"GROUP BY year HAVING count(*) FILTER (WHERE __participant) >= {MIN_GROUP} AND "
            f"count(*) FILTER (WHERE NOT __participant) >= {MIN_GROUP} ORDER BY year"
        )
        wide = [(y, p, c) for y, p, c in gaps if p is not None and c is not None]
        wide = [(y, p, c) for y, p, c in wide if abs(p - c) > RESPONSE_GAP_WARN]
        if wide:
            shown = ", ".join(f"{y}: {p:.0%} vs {c:.0%}" for y, p, c in wide)
            self.add(
                "warning",
                "differential-response",
                "firm_years",
                "responded",
                f"participants and comparison firms respond at different rates ({shown})",
                f"response rates within {RESPONSE_GAP_WARN:.0%} of each other; otherwise "
                "report bounds or reweight for attrition",
            )

    def outliers(self) -> None:
        fy = "firm_years"
        if not (self.has(fy, "firm_id") and self.has("firms", "country")):
            return
        names = [n for n in (*MONEY, "employees") if self.has(fy, n)]
        if not names:
            return
        # Robust z on the log scale, per country (COP and USD differ by ~3,000x). Medians and
        # MADs come from a deterministic systematic sample of at most ~200,000 rows (every
        # k-th record), exact below that; the outliers are then counted on every row.
        n_rows = self.rows_in.get(fy, 0)
        step = max(1, -(-n_rows // 200_000))
        logs = {n: f"ln(greatest({quote(n)}, 1e-300))" for n in names}
        exprs = []
        for n in names:
            pos = f"FILTER (WHERE {quote(n)} > 0)"
            exprs += [f"median({logs[n]}) {pos}", f"mad({logs[n]}) {pos}", f"count(*) {pos}"]
        stats = self.q(
            f"SELECT __country, {', '.join(exprs)} FROM fy_join "
            f"WHERE __country IS NOT NULL AND __row % {step} = 0 "
            "GROUP BY __country ORDER BY __country"
        )
        for i, n in enumerate(names):
            cases = []
            for country, *vals in stats:
                med, mad, count = vals[3 * i : 3 * i + 3]
                if count >= 20 and mad and mad > 0:
                    bound = OUTLIER_Z * 1.4826 * mad
                    cases.append(
                        f"WHEN {literal(country)} THEN abs({logs[n]} - ({med!r})) > {bound!r}"
                    )
            if not cases:
                continue
            self.rowrule(
                "warning",
                "outlier",
                fy,
                n,
                f"{quote(n)} > 0 AND (CASE __country {' '.join(cases)} ELSE FALSE END)",
                quote(n),
                f"extreme values (more than {OUTLIER_Z:g} robust SD from the country's "
                "median on the log scale)",
                "check units and typing errors",
                view="fy_join",
            )

    def link_rules(self) -> None:
        if not self.has("firms", "firm_id"):
            return
        for end in ("firm_a", "firm_b"):
            if self.has("links", end):
                c = quote(end)
                self.rowrule(
                    "error",
                    "reference",
                    "links",
                    end,
                    f"{c} IS NOT NULL AND {c} NOT IN (SELECT firm_id FROM typ_firms WHERE "
                    "firm_id IS NOT NULL)",
                    c,
                    "links to firms not in firms",
                    "a firm_id listed in firms",
                )
        if self.has("links", "firm_a", "firm_b"):
            self.rowrule(
                "warning",
                "self-link",
                "links",
                "firm_b",
                "firm_a = firm_b",
                "firm_a",
                "links from a firm to itself (dropped from network measures)",
                "two different firms",
            )

    def price_rules(self) -> None:
        if not (self.has("firm_years", "firm_id", "year") and self.has("firms", "country")):
            return
        if not self.has("prices", "country", "year"):
            return
        priced = (
            "SELECT country, year FROM typ_prices WHERE ppi IS NOT NULL AND usd_rate IS NOT NULL"
        )
        base = self.q(
            f"SELECT DISTINCT country FROM typ_firms WHERE country IS NOT NULL AND country NOT IN "
            f"(SELECT country FROM ({priced}) WHERE year = {self.base_year}) ORDER BY country"
        )
        missing = [(c, self.base_year) for (c,) in base]

        def report(count: int) -> None:
            # only when the scan found firm-years without prices: name the country-years
            rows = self.q(
                "SELECT DISTINCT __country, year FROM fy_join WHERE __country IS NOT NULL "
                "AND year IS NOT NULL AND NOT __priced ORDER BY 1, 2"
            )
            self.price_issue(sorted(set(missing) | set(rows)), count)

        self.rowrule(
            "error",
            "prices",
            "prices",
            "ppi, usd_rate",
            "__country IS NOT NULL AND year IS NOT NULL AND NOT __priced",
            "year",
            "",
            "",
            view="fy_join",
        )
        self.on_hit[id(self.pending[-1])] = report
        self.base_missing = missing

    def price_issue(self, missing: list[tuple], firm_years: int) -> None:
        shown = ", ".join(f"{c}-{y}" for c, y in missing[:20])
        used = f" ({firm_years} firm-years affected)" if firm_years else ""
        self.add(
            "error",
            "prices",
            "prices",
            "ppi, usd_rate",
            f"no price row (PPI and exchange rate) for {len(missing)} country-year(s) "
            f"used by firm_years or the base year {self.base_year}{used}: {shown}",
            "a prices row with ppi and usd_rate for every country-year used",
        )

    def run(self) -> None:
        self.rows_in: dict[str, int] = {}
        for table in RAW_TABLES:
            if table in self.sources:
                self.table_rules(table)
        self.firm_rules()
        if "firm_years" in self.usable and "firms" in self.usable:
            self.joined_firm_years()
        if "firm_years" in self.usable:
            self.panel_rules()
        if "links" in self.usable:
            self.link_rules()
        self.price_rules()
        self.flush()
        if self.base_missing and not any(i.rule == "prices" for i in self.issues):
            self.price_issue(self.base_missing, 0)


def _tuple(value: object) -> object:
    if isinstance(value, dict):
        return tuple(value.values())
    if isinstance(value, list):
        return tuple(value)
    return value


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
        checker = _Validator(
            con,
            report.sources,
            first_year=settings.analysis.first_year,
            last_year=settings.analysis.last_year,
            base_year=settings.analysis.base_year,
            mapping=mapping,
            max_rows=max_rows,
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


__all__ = ["Issue", "ValidationReport", "command", "validate"]
