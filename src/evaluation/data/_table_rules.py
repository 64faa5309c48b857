"""Single-table validation rules: required columns, readable types, missing values, allowed
values, ranges and unique keys, for each raw table against its codebook rows.

``table_rules`` also builds the typed view ``typ_<table>`` every later rule and ``prepare``
read: each model column in its type, absent optional columns as NULL -- except two that have
a meaning when absent: ``participant`` (derived: the firm has a cohort) and ``responded``
(every firm-year present counts as answered). A cohort of 0 means "never supported" and is
typed as NULL, the same as an empty cell. Raw firm_years columns an outcome needs
(``self.carry``) are typed as numbers and kept under their own names.
"""

from __future__ import annotations

from evaluation.data._rule_engine import RuleEngine
from evaluation.data.codebook import KEYS, REQUIRED_TABLES, Column
from evaluation.data.schema import (
    EXPECTED_TYPE,
    STRICTLY_POSITIVE,
    bounds,
    column_sql,
    literal,
    quote,
)

KIND = {"string": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN"}


class TableRules(RuleEngine):
    """The per-table rules (one call of :meth:`table_rules` per raw table present)."""

    def table_rules(self, table: str) -> None:
        src = self.sources[table]
        present = set(src.columns)
        model = self.model(table)
        for name in self.required(table):
            if name not in present:
                self.add(
                    "error",
                    "missing-column",
                    table,
                    name,
                    f"required column {name!r} is absent",
                    f"a column named {name!r} (or mapped to it, or derived in the mapping)",
                )
        # Columns the mapping declares personal are known: dropped by design, no warning;
        # columns an outcome needs are carried (self.carry), not ignored.
        skip = set(self.mapping.table(table).personal) | set(self.carry)
        unknown = [c for c in src.extra if c not in skip]
        if unknown:
            self.add(
                "warning",
                "unknown-column",
                table,
                None,
                f"columns not in the codebook are ignored (never written): {', '.join(unknown)}",
            )
        # typed view: every model column in its type; absent ones NULL (or their meaning)
        select = ["__row"]
        sqls = {c.name: column_sql(c, src.columns[c.name]) for c in model if c.name in present}
        for col in model:
            if col.name in present:
                typed = sqls[col.name].typed
                if col.name == "cohort":  # 0 = never supported, the same as an empty cell
                    typed = f"nullif({typed}, 0)"
                select.append(f"{typed} AS {quote(col.name)}")
            else:
                select.append(f"{self.absent_sql(col, sqls)} AS {quote(col.name)}")
        if table == "firm_years":
            for name in self.carry:
                if name in src.extra_types:
                    extra = Column("firm_years", name, "float", "", name, nullable=True)
                    sqls[name] = column_sql(extra, src.extra_types[name])
                    select.append(f"{sqls[name].typed} AS {quote(name)}")
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
        for col in (*model, *self.carried_columns(table)):
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
        if not counts[0] and table in REQUIRED_TABLES:
            self.add(
                "error",
                "empty-table",
                table,
                None,
                f"the {table} file has a header but no data rows",
                f"at least one row per {'firm' if table == 'firms' else 'firm and year'}",
            )
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
        for col in model:
            if col.name not in present:
                continue
            c = quote(col.name)
            allowed = self.allowed(table, col)
            if allowed:
                self.rowrule(
                    "error",
                    "allowed-values",
                    table,
                    col.name,
                    f"{c} IS NOT NULL AND {c} NOT IN ({', '.join(literal(a) for a in allowed)})",
                    c,
                    "values outside the allowed set",
                    "one of " + ", ".join(map(str, allowed)) + " (configuration: domain)",
                )
            if col.dtype in {"int", "float"}:
                d = self.settings.domain
                low, high = bounds(col, min_year=d.min_year, max_year=d.max_year)
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
                        + (" (configuration: domain.max_year)" if "year" == col.name else ""),
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

    def carried_columns(self, table: str) -> tuple[Column, ...]:
        """The raw firm_years columns carried for outcomes, as numeric codebook-like rows."""
        if table != "firm_years":
            return ()
        return tuple(Column("firm_years", n, "float", "", n, nullable=True) for n in self.carry)

    def absent_sql(self, col: Column, sqls: dict) -> str:
        """The typed value of a column the file does not have."""
        if col.name == "participant" and "cohort" in sqls:
            return f"(coalesce({sqls['cohort'].typed}, 0) > 0)"
        if col.name == "responded":
            return "TRUE"
        return f"CAST(NULL AS {KIND[col.dtype]})"


def _tuple(value: object) -> object:
    if isinstance(value, dict):
        return tuple(value.values())
    if isinstance(value, list):
        return tuple(value)
    return value


__all__ = ["TableRules"]
