"""Find and read the raw tables: CSV, XLSX, Stata .dta, Parquet; apply a column mapping.

A raw folder holds one file per table, named after it (``firms.csv``, ``firm_years.parquet``,
...), in any supported format. Each table becomes a DuckDB view ``src_<table>`` with a
``__row`` column (1 = first data record) and the codebook's column names, so the validator and
``prepare`` run the same SQL on a hand-made test file and on a 10M-row registry export.

Small formats (CSV, XLSX, .dta) are read with pandas into text columns -- the validator, not the
reader, decides what a cell means, so a stray "n/d" in a numeric column is reported rather than
silently turned into NaN. Parquet is scanned lazily by DuckDB (streamed, never loaded whole).
Nothing here writes a file.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from evaluation.data.codebook import RAW_TABLES, columns
from evaluation.data.schema import literal, quote

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".dta": "dta",
    ".parquet": "parquet",
    ".pq": "parquet",
}
DELIMITERS = (",", ";", "\t")
SIMULATION_MARKERS = (".simulate.json", "truth.json")


class DataError(ValueError):
    """Raw data (or its mapping) cannot be read at all; the message names the file and why."""


# --------------------------------------------------------------------------- column mapping
@dataclass(frozen=True)
class TableMapping:
    """How one real table maps onto the model: file name, renames, recodings, extra personal."""

    file: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    personal: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mapping:
    """A column mapping YAML (see ``config/column_mapping.example.yml``)."""

    tables: dict[str, TableMapping] = field(default_factory=dict)
    multi_cohort_clusters: tuple[str, ...] = ()
    source: Path | None = None

    def table(self, name: str) -> TableMapping:
        return self.tables.get(name, TableMapping())


def load_mapping(path: Path | str | None) -> Mapping:
    """Read and check a column mapping file; ``None`` means the model's own names."""
    if path is None:
        return Mapping()
    path = Path(path)
    if not path.is_file():
        raise DataError(f"column mapping {path}: file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DataError(f"column mapping {path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise DataError(f"column mapping {path}: expected a mapping at the top level")
    unknown = set(data) - {"tables", "clusters"}
    if unknown:
        raise DataError(
            f"column mapping {path}: unknown top-level keys {sorted(unknown)}; "
            "expected 'tables' and optionally 'clusters'"
        )
    tables = {}
    for table, spec in (data.get("tables") or {}).items():
        if table not in RAW_TABLES:
            raise DataError(
                f"column mapping {path}: unknown table {table!r}; expected one of {RAW_TABLES}"
            )
        spec = spec or {}
        bad = set(spec) - {"file", "columns", "values", "personal"}
        if bad:
            raise DataError(
                f"column mapping {path}, table {table}: unknown keys {sorted(bad)}; "
                "expected file, columns, values, personal"
            )
        model = {c.name for c in columns(table)}
        renames = {str(k): str(v) for k, v in (spec.get("columns") or {}).items()}
        for real, target in renames.items():
            if target not in model:
                raise DataError(
                    f"column mapping {path}, table {table}: column {real!r} maps to "
                    f"{target!r}, which is not a column of {table} (expected one of "
                    f"{sorted(model)})"
                )
        targets = list(renames.values())
        dupes = sorted({t for t in targets if targets.count(t) > 1})
        if dupes:
            raise DataError(
                f"column mapping {path}, table {table}: several real columns map to {dupes}"
            )
        values = {}
        for target, recode in (spec.get("values") or {}).items():
            if target not in model:
                raise DataError(
                    f"column mapping {path}, table {table}: value recoding for unknown "
                    f"column {target!r}"
                )
            if not isinstance(recode, dict):
                raise DataError(
                    f"column mapping {path}, table {table}, values.{target}: expected a "
                    "mapping real value -> model value"
                )
            values[target] = {str(k): v for k, v in recode.items()}
        tables[table] = TableMapping(
            file=spec.get("file"),
            columns=renames,
            values=values,
            personal=tuple(str(p) for p in spec.get("personal") or ()),
        )
    clusters = data.get("clusters") or {}
    multi = tuple(str(c) for c in clusters.get("multi_cohort") or ())
    return Mapping(tables=tables, multi_cohort_clusters=multi, source=path)


# --------------------------------------------------------------------------- discovery
def discover(raw: Path, mapping: Mapping | None = None) -> tuple[dict[str, Path], list[str]]:
    """The file of every table present in ``raw`` and a list of problems (ambiguous files).

    A table's file is ``<table>.<ext>`` for a supported extension, or the file the mapping
    names. Two candidate files for one table are an error: which one is the data?
    """
    mapping = mapping or Mapping()
    found: dict[str, Path] = {}
    problems: list[str] = []
    for table in RAW_TABLES:
        named = mapping.table(table).file
        if named:
            path = raw / named
            if not path.is_file():
                problems.append(f"{path}: file named for table {table} in the mapping not found")
            elif path.suffix.lower() not in FORMATS:
                problems.append(f"{path}: unsupported format; expected one of {sorted(FORMATS)}")
            else:
                found[table] = path
            continue
        candidates = sorted(
            p for p in raw.glob(f"{table}.*") if p.suffix.lower() in FORMATS and p.is_file()
        )
        if len(candidates) > 1:
            names = ", ".join(p.name for p in candidates)
            problems.append(f"{raw}: table {table} has several files ({names}); keep one")
        elif candidates:
            found[table] = candidates[0]
    return found, problems


def is_simulated(raw: Path) -> bool:
    """Whether ``raw`` holds the simulator's output (it writes a marker and a truth file)."""
    return any((raw / marker).is_file() for marker in SIMULATION_MARKERS)


# --------------------------------------------------------------------------- CSV sniffing
def detect_encoding(path: Path, *, limit: int | None = None) -> str:
    """``utf-8-sig`` (BOM), ``utf-8`` when every byte decodes, else ``latin-1``.

    The whole file is checked (incrementally, in 1 MB blocks) because a single accented name
    deep in a registry export decides the answer; latin-1 decodes any byte sequence, so it is
    the fallback for the Windows exports common in Colombia and Ecuador.
    """
    with path.open("rb") as fh:
        head = fh.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        read = 0
        try:
            while block := fh.read(1 << 20):
                decoder.decode(block)
                read += len(block)
                if limit is not None and read >= limit:
                    return "utf-8"
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "latin-1"
    return "utf-8"


def detect_delimiter(path: Path, encoding: str, *, lines: int = 50) -> str:
    """The delimiter among ``,``, ``;`` and tab that splits the first lines into the same,
    largest number of fields (quotes respected); ties and ragged files fall back to the header.
    """
    with path.open("r", encoding=encoding, newline="") as fh:
        head = [line for _, line in zip(range(lines), fh, strict=False)]
    if not head:
        return ","
    best, best_fields = None, 1
    for delim in DELIMITERS:
        widths = {len(row) for row in csv.reader(head, delimiter=delim) if row}
        if len(widths) == 1 and (width := widths.pop()) > best_fields:
            best, best_fields = delim, width
    if best is not None:
        return best
    counts = {d: head[0].count(d) for d in DELIMITERS}
    top = max(DELIMITERS, key=lambda d: counts[d])
    return top if counts[top] else ","


# --------------------------------------------------------------------------- sources
@dataclass
class Source:
    """One raw table registered in DuckDB as view ``src_<table>``.

    ``columns`` maps every model column present to the source's DuckDB type;
    ``renamed`` maps model column -> the name in the file (for messages); ``extra`` lists file
    columns the model does not know (never carried into processed data).
    """

    table: str
    path: Path
    fmt: str
    columns: dict[str, str]
    renamed: dict[str, str]
    extra: list[str]
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def view(self) -> str:
        return f"src_{self.table}"

    @property
    def line_based(self) -> bool:
        """CSV and XLSX rows are shown as the line/row number a spreadsheet shows."""
        return self.fmt in {"csv", "xlsx"}

    def where(self, rows: list[int]) -> str:
        """Row numbers as a reader finds them in the file."""
        if self.line_based:
            word = "line" if self.fmt == "csv" else "row"
            shown = [r + 1 for r in rows]
            return f"{word}{'s' if len(rows) > 1 else ''} {', '.join(map(str, shown))} (header = 1)"
        return f"record{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))}"

    def describe(self) -> str:
        bits = [self.fmt]
        if self.encoding:
            bits.append(self.encoding)
        if self.delimiter:
            bits.append("delimiter " + {"\t": "tab"}.get(self.delimiter, repr(self.delimiter)))
        return f"{self.path.name} ({', '.join(bits)})"


def _read_frame(path: Path, fmt: str) -> tuple[pd.DataFrame, str | None, str | None]:
    if fmt == "csv":
        encoding = detect_encoding(path)
        delimiter = detect_delimiter(path, encoding)
        try:
            frame = pd.read_csv(
                path,
                sep=delimiter,
                encoding=encoding,
                dtype=str,
                keep_default_na=False,
                skipinitialspace=False,
                # keep blank lines as (empty) rows so reported line numbers match the file
                skip_blank_lines=False,
            )
        except (pd.errors.ParserError, ValueError) as exc:
            raise DataError(f"{path}: cannot be read as CSV ({exc})") from exc
        return frame, encoding, delimiter
    if fmt == "xlsx":
        try:
            frame = pd.read_excel(path, dtype=str, engine="openpyxl", sheet_name=0)
        except Exception as exc:  # openpyxl raises many kinds; all mean "not a workbook"
            raise DataError(f"{path}: cannot be read as an Excel workbook ({exc})") from exc
        return frame, None, None
    if fmt == "dta":
        try:
            frame = pd.read_stata(path, convert_categoricals=True, convert_missing=False)
        except Exception as exc:
            raise DataError(f"{path}: cannot be read as a Stata .dta file ({exc})") from exc
        for name in frame.columns:
            if isinstance(frame[name].dtype, pd.CategoricalDtype):
                frame[name] = frame[name].astype(str).where(frame[name].notna(), None)
        return frame, None, None
    raise DataError(f"{path}: unsupported format {fmt}")


def _match_columns(
    table: str, file_columns: list[str], mapping: TableMapping, path: Path
) -> tuple[dict[str, str], list[str]]:
    """Model column -> file column, and the file columns left over."""
    model = [c.name for c in columns(table)]
    out: dict[str, str] = {}
    used: set[str] = set()
    for real, target in mapping.columns.items():
        if real in file_columns:
            out[target] = real
            used.add(real)
    stripped = {c.strip().lower(): c for c in file_columns if c not in used}
    for name in model:
        if name in out:
            continue
        if name in file_columns and name not in used:
            out[name] = name
        elif name.lower() in stripped:
            out[name] = stripped[name.lower()]
        else:
            continue
        used.add(out[name])
    extra = [c for c in file_columns if c not in used]
    return out, extra


def register(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, mapping: Mapping | None = None
) -> Source:
    """Create view ``src_<table>`` over ``path`` with model column names and recoded values."""
    mapping = mapping or Mapping()
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(f"{path}: unsupported format; expected one of {sorted(FORMATS)}")
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    encoding = delimiter = None
    base = f"base_{table}"
    if fmt == "parquet":
        try:
            con.execute(
                f"CREATE OR REPLACE VIEW {base} AS SELECT *, file_row_number + 1 AS __row "
                f"FROM read_parquet({literal(str(path))}, file_row_number = true)"
            )
        except duckdb.Error as exc:
            raise DataError(f"{path}: cannot be read as Parquet ({exc})") from exc
        file_columns = [r[0] for r in con.execute(f"DESCRIBE {base}").fetchall() if r[0] != "__row"]
        file_columns = [c for c in file_columns if c != "file_row_number"]
    else:
        frame, encoding, delimiter = _read_frame(path, fmt)
        frame.columns = [str(c) for c in frame.columns]
        file_columns = list(frame.columns)
        if len(set(file_columns)) != len(file_columns):
            dupes = sorted({c for c in file_columns if file_columns.count(c) > 1})
            raise DataError(f"{path}: duplicate column names {dupes}")
        frame = frame.assign(__row=range(1, len(frame) + 1))
        con.register(f"frame_{table}", frame)
        con.execute(f"CREATE OR REPLACE VIEW {base} AS SELECT * FROM frame_{table}")
    tmap = mapping.table(table)
    matched, extra = _match_columns(table, file_columns, tmap, path)
    types = dict((r[0], r[1]) for r in con.execute(f"DESCRIBE {base}").fetchall())
    select = ["__row"]
    model_types: dict[str, str] = {}
    for name, real in matched.items():
        recode = tmap.values.get(name)
        if recode:
            cases = " ".join(
                f"WHEN {literal(k)} THEN {literal(_as_text(v))}" for k, v in recode.items()
            )
            expr = (
                f"CASE trim(CAST({quote(real)} AS VARCHAR)) {cases} "
                f"ELSE CAST({quote(real)} AS VARCHAR) END"
            )
            model_types[name] = "VARCHAR"
        else:
            expr = quote(real)
            model_types[name] = types[real]
        select.append(f"{expr} AS {quote(name)}")
    con.execute(f"CREATE OR REPLACE VIEW src_{table} AS SELECT {', '.join(select)} FROM {base}")
    return Source(
        table=table,
        path=path,
        fmt=fmt,
        columns=model_types,
        renamed={k: v for k, v in matched.items() if k != v},
        extra=extra,
        encoding=encoding,
        delimiter=delimiter,
    )


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def connect(*, memory_limit: str = "2GB", temp_directory: Path | None = None):
    """An in-memory DuckDB connection with bounded memory (spills to ``temp_directory``)."""
    con = duckdb.connect(database=":memory:")
    con.execute(f"SET memory_limit = {literal(memory_limit)}")
    con.execute("SET preserve_insertion_order = true")
    if temp_directory is not None:
        con.execute(f"SET temp_directory = {literal(str(temp_directory))}")
    else:
        con.execute("SET temp_directory = ''")
    return con


__all__ = [
    "DataError",
    "Mapping",
    "Source",
    "TableMapping",
    "connect",
    "detect_delimiter",
    "detect_encoding",
    "discover",
    "is_simulated",
    "load_mapping",
    "register",
]
