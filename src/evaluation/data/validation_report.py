"""The result of ``evaluation validate``: one :class:`Issue` per violated rule, gathered in a
:class:`ValidationReport` that formats itself for the terminal.

Kept apart from the rules (:mod:`evaluation.data._rule_engine` and the two rule modules) so
that ``prepare``, the manifest and the reports can hold a report without importing DuckDB
rule code. Every issue says where (file, column, the first few row numbers as the file shows
them, and the total count), what was found and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evaluation.data.ingest import Source


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
    # What the data supplied and what was assumed (tables, columns, money, responded, years,
    # outcomes, carried raw columns, notes): the data manifest's ``contents``.
    contents: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def infos(self) -> list[Issue]:
        """Information lines: optional pieces absent (what they would have enabled)."""
        return [i for i in self.issues if i.severity == "info"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def format(self) -> str:
        lines = [f"Validation of {self.raw}"]
        for table, src in self.sources.items():
            lines.append(f"  {table}: {src.describe()}, {self.rows.get(table, 0)} rows")
        lines += [str(i) for i in self.errors] + [str(i) for i in self.warnings]
        lines += [str(i) for i in self.infos]
        lines += [f"NOTE {n}" for n in self.contents.get("notes", ())]
        verdict = "FAILED" if self.errors else "passed"
        lines.append(
            f"Validation {verdict}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)."
        )
        return "\n".join(lines)


__all__ = ["Issue", "ValidationReport"]
