"""Single-table validation rules: required columns, readable types, missing values, allowed
values, ranges and unique keys, for each raw table against its codebook rows.

``table_rules`` also builds the typed view ``typ_<table>`` every later rule and ``prepare``
read: each model column in its type, absent optional columns as NULL.
"""

from __future__ import annotations

from evaluation.data._rule_engine import RuleEngine
from evaluation.data.codebook import KEYS, columns
from evaluation.data.schema import (
    EXPECTED_TYPE,
    STRICTLY_POSITIVE,
    bounds,
    column_sql,
    literal,
    quote,
)


class TableRules(RuleEngine):
    """The per-table rules (one call of :meth:`table_rules` per raw table present)."""

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


def _tuple(value: object) -> object:
    if isinstance(value, dict):
        return tuple(value.values())
    if isinstance(value, list):
        return tuple(value)
    return value


__all__ = ["TableRules"]
