"""The machinery every validation rule runs on: DuckDB queries, queued row rules, capped
listings of offending rows, and the issue list (see :mod:`evaluation.data.validate`).

A row rule is a SQL condition on one view plus the value to show; :meth:`RuleEngine.flush`
counts every queued rule of a view in one aggregate scan (so clean data costs one pass per
table, even at 10M rows) and only then lists the first few rows of the rules that fired.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import duckdb

from evaluation.config import Settings, Years
from evaluation.data.codebook import DOMAIN_COLUMNS, FIRM_LEVEL, REQUIRED, Column, columns
from evaluation.data.ingest import Mapping, Source
from evaluation.data.validation_report import Issue

MONEY = ("sales", "wage_bill", "intermediate_inputs", "capital_stock", "exports")


@dataclass(frozen=True)
class Thresholds:
    """Where suspicious-but-legal data becomes a warning (defaults in
    :mod:`evaluation.data.validate`, read at each call so they can be changed there)."""

    women_led_target: float | None  # per-cluster women-led share the logframe promises
    nonresponse: float
    response_gap: float  # participants vs comparison firms, percentage points / 100
    min_group: int  # firm-years per group and year before a response gap is worth a warning
    outlier_z: float


class RuleEngine:
    """Collects issues for one validation run: runs queued row rules in one aggregate pass per
    view (:meth:`flush`), then lists the first ``max_rows`` offending rows of each rule that
    fired. The rules themselves live in the subclasses of the two rule modules."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        sources: dict[str, Source],
        *,
        settings: Settings,
        mapping: Mapping,
        max_rows: int,
        thresholds: Thresholds,
        long: bool = False,
        single: bool = False,
    ) -> None:
        self.con = con
        self.sources = dict(sources)
        self.original = set(sources)  # tables with a file (firms may alias a long file)
        self.settings = settings
        self.long = long  # one long firm-year file stands in for the firm table
        self.single = single  # one table file checked alone: no cross-table rules
        # Resolved by Validator.resolve_years once the tables are typed.
        self.years: Years | None = None
        self.first_year: int | None = settings.analysis.first_year
        self.last_year: int | None = settings.analysis.last_year
        self.base_year: int | None = settings.analysis.base_year
        self.money = "nominal"
        self.notes: list[str] = []
        self.carry: list[str] = []  # raw firm_years columns carried into the panel
        self.outcome_sources: dict[str, dict] = {}
        self.mapping = mapping
        self.k = max_rows
        self.issues: list[Issue] = []
        self.usable: dict[str, set[str]] = {}
        self.pending: list[tuple] = []
        self.on_hit: dict[int, object] = {}
        self.alias: dict[str, str] = {}
        self.colsql: dict[str, dict] = {}
        self.t = thresholds
        self.rows_in: dict[str, int] = {}

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

    # ---------------------------------------------------------------- the contract
    def model(self, table: str) -> tuple[Column, ...]:
        """The codebook columns of ``table`` as this run reads it (a long firm-year file
        also carries the firm-level columns)."""
        cols = columns(table)
        if self.long and table == "firm_years":
            firm = {c.name: c for c in columns("firms")}
            cols += tuple(replace(firm[n], table="firm_years") for n in FIRM_LEVEL)
        return cols

    def required(self, table: str) -> tuple[str, ...]:
        """Required columns: the minimal contract for firms and firm_years (firm-level ones
        of a long file included), the codebook's flags for the optional tables."""
        if table == "firm_years" and self.long:
            return (*REQUIRED["firm_years"], *REQUIRED["firms"][1:])
        if table in REQUIRED:
            return REQUIRED[table]
        return tuple(c.name for c in columns(table) if c.required)

    def allowed(self, table: str, col: Column) -> tuple | None:
        """Legal values: the configured domain for countries, sectors and link types."""
        key = "firms" if (self.long and col.name in FIRM_LEVEL) else table
        field = DOMAIN_COLUMNS.get((key, col.name))
        if field is not None:
            return getattr(self.settings.domain, field)
        return col.allowed


__all__ = ["MONEY", "RuleEngine", "Thresholds"]
