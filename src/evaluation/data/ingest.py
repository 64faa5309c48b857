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

from evaluation.data.codebook import FIRM_LEVEL, RAW_TABLES, columns
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
SIMULATION_MARKER = ".simulate.json"  # written by `evaluation simulate`: the sha256 of its files
# A CSV cell longer than this is not a value but a quoting accident (an unclosed quote
# swallowing the rest of the file) or a file that is not a table: refused with its line.
MAX_FIELD = 1 << 20


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
    derived: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    """A column mapping YAML (see ``config/column_mapping.example.yml``)."""

    tables: dict[str, TableMapping] = field(default_factory=dict)
    multi_cohort_clusters: tuple[str, ...] = ()
    source: Path | None = None

    def table(self, name: str) -> TableMapping:
        return self.tables.get(name, TableMapping())


def model_columns(table: str, *, long: bool = False) -> tuple[str, ...]:
    """The model columns a file of ``table`` may carry.

    ``long``: a firm-year file standing in for both tables (no firms file) may also carry the
    firm-level columns (:data:`codebook.FIRM_LEVEL`); they become the firm table.
    """
    names = tuple(c.name for c in columns(table))
    if long and table == "firm_years":
        names += tuple(n for n in FIRM_LEVEL if n not in names)
    return names


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
        bad = set(spec) - {"file", "columns", "values", "personal", "derived"}
        if bad:
            raise DataError(
                f"column mapping {path}, table {table}: unknown keys {sorted(bad)}; "
                "expected file, columns, values, personal, derived"
            )
        model = set(model_columns(table, long=True))
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
        derived = {}
        for target, expr in (spec.get("derived") or {}).items():
            if target not in model:
                raise DataError(
                    f"column mapping {path}, table {table}, derived.{target}: {target!r} is "
                    f"not a column of {table} (expected one of {sorted(model)})"
                )
            if not isinstance(expr, str) or not expr.strip():
                raise DataError(
                    f"column mapping {path}, table {table}, derived.{target}: expected a "
                    "DuckDB SQL expression over the file's columns"
                )
            if target in renames.values():
                raise DataError(
                    f"column mapping {path}, table {table}: {target!r} is both renamed from "
                    "a file column and derived; keep one"
                )
            derived[str(target)] = expr
        tables[table] = TableMapping(
            file=spec.get("file"),
            columns=renames,
            values=values,
            personal=tuple(str(p) for p in spec.get("personal") or ()),
            derived=derived,
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
    """Whether ``raw`` verifiably holds the simulator's output, unedited.

    ``evaluation simulate`` records the sha256 of every file it writes in
    :data:`SIMULATION_MARKER`. The folder counts as simulated only when that record parses,
    lists the firms and firm_years files, and every table file present is listed there with
    its current hash: an edited, added or renamed table file (or a marker without hashes, or a
    lone ``truth.json``) means somebody's data may be in it, and the public key must not apply.
    """
    import hashlib
    import json

    marker = Path(raw) / SIMULATION_MARKER
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    files = record.get("files") if isinstance(record, dict) else None
    if not isinstance(files, dict):
        return False
    tables = [
        p
        for p in Path(raw).iterdir()
        if p.is_file() and p.suffix.lower() in FORMATS and p.stem in RAW_TABLES
    ]
    stems = {p.stem for p in tables}
    if not {"firms", "firm_years"} <= stems:
        return False
    for path in tables:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        if files.get(path.name) != digest.hexdigest():
            return False
    return True


# --------------------------------------------------------------------------- CSV sniffing
def detect_encoding(path: Path, *, limit: int | None = None) -> str:
    """``utf-8-sig`` / ``utf-16`` / ``utf-32`` (byte-order mark), ``utf-8`` when every byte
    decodes, else ``latin-1``.

    The whole file is checked (incrementally, in 1 MB blocks) because a single accented name
    deep in a registry export decides the answer; latin-1 decodes any byte sequence, so it is
    the fallback for Windows exports. A file with NUL bytes and no byte-order mark (UTF-16
    without BOM, or not text at all) is refused: read as latin-1 it would give a table of
    garbage.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            return "utf-32"
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        read = 0
        result = "utf-8"
        while block := fh.read(1 << 20):
            if b"\0" in block:
                raise DataError(
                    f"{path}: the file holds NUL bytes and no byte-order mark: it is not a "
                    "text table in UTF-8 or latin-1 (UTF-16 without a BOM?); save it as UTF-8 "
                    "CSV (or UTF-16 with a BOM)"
                )
            read += len(block)
            if result == "utf-8" and (limit is None or read <= limit):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    result = "latin-1"
        if result == "utf-8":
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                result = "latin-1"
    return result


def detect_delimiter(path: Path, encoding: str, *, lines: int = 50) -> str:
    """The delimiter among ``,``, ``;`` and tab that splits the first lines into the same,
    largest number of fields (quotes respected); ties and ragged files fall back to the header.
    """
    with path.open("r", encoding=encoding, newline="") as fh:
        head = [line[:MAX_FIELD] for _, line in zip(range(lines), fh, strict=False)]
    if not head:
        return ","
    best, best_fields = None, 1
    for delim in DELIMITERS:
        try:
            widths = {len(row) for row in csv.reader(head, delimiter=delim) if row}
        except csv.Error:  # a quote left open in the first lines: decided by the header below
            continue
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
    derived: dict[str, str] = field(default_factory=dict)
    extra_types: dict[str, str] = field(default_factory=dict)

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


def _read_csv(path: Path, encoding: str, delimiter: str) -> pd.DataFrame:
    """A CSV file as text columns, strictly: every record must have the header's field count.

    Python's ``csv`` reader in strict mode (quotes must close, nothing may follow a closing
    quote) with a cell limit of :data:`MAX_FIELD` characters; a violation is a
    :class:`DataError` naming the file, the line and what was expected, never a parser
    traceback. Blank lines are kept as empty records so that the line numbers the validator
    reports are those an editor shows (header = line 1).
    """
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD)
    ragged: list[tuple[int, int]] = []
    n_ragged = 0
    records: list[list[str]] = []
    try:
        with path.open("r", encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter, strict=True)
            try:
                header = next(reader, None)
                if header is None:
                    raise DataError(f"{path}: the file is empty (no header line)")
                width = len(header)
                for row in reader:
                    if not row:
                        records.append([""] * width)
                    elif len(row) != width:
                        n_ragged += 1
                        if len(ragged) < 5:
                            ragged.append((reader.line_num, len(row)))
                    else:
                        records.append(row)
            except csv.Error as exc:
                line = reader.line_num
                why = str(exc)
                if "field larger than field limit" in why:
                    why = (
                        f"a cell longer than {MAX_FIELD:,} characters (an unclosed quote, or "
                        "not a table)"
                    )
                raise DataError(
                    f"{path}, line {line}: cannot be read as CSV ({why}); expected "
                    f"{delimiter!r}-separated fields with balanced double quotes"
                ) from None
            except UnicodeDecodeError as exc:
                raise DataError(
                    f"{path}: cannot be decoded as {encoding} ({exc.reason} at byte "
                    f"{exc.start}); save it as UTF-8"
                ) from None
    finally:
        csv.field_size_limit(limit)
    if ragged:
        shown = ", ".join(f"line {line}: {found}" for line, found in ragged)
        raise DataError(
            f"{path}: {n_ragged} record(s) with the wrong number of fields ({shown}"
            f"{' ...' if n_ragged > len(ragged) else ''}); expected {width} fields as in the "
            f"header (delimiter {delimiter!r}); a truncated or hand-edited file?"
        )
    return pd.DataFrame(records, columns=header, dtype=object)


def _read_frame(path: Path, fmt: str) -> tuple[pd.DataFrame, str | None, str | None]:
    if fmt == "csv":
        encoding = detect_encoding(path)
        delimiter = detect_delimiter(path, encoding)
        return _read_csv(path, encoding, delimiter), encoding, delimiter
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
    model: tuple[str, ...], file_columns: list[str], mapping: TableMapping
) -> tuple[dict[str, str], list[str]]:
    """Model column -> file column, and the file columns left over."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for real, target in mapping.columns.items():
        if real in file_columns:
            out[target] = real
            used.add(real)
    stripped = {c.strip().lower(): c for c in file_columns if c not in used}
    for name in model:
        if name in out or name in mapping.derived:
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
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    mapping: Mapping | None = None,
    *,
    long: bool = False,
) -> Source:
    """Create view ``src_<table>`` over ``path`` with model column names and recoded values.

    Columns the mapping derives (``derived:``, a DuckDB expression over the file's own
    columns) are evaluated here, in the source view; an expression DuckDB cannot bind or
    evaluate is a :class:`DataError` naming the mapping file, table, column and expression.
    File columns the model does not know stay in the view under their own names (listed in
    ``Source.extra``): the validator decides which, if any, an outcome needs. ``long``: see
    :func:`model_columns`.
    """
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
    matched, extra = _match_columns(model_columns(table, long=long), file_columns, tmap)
    types = dict((r[0], r[1]) for r in con.execute(f"DESCRIBE {base}").fetchall())
    source = base
    ref = {c: quote(c) for c in file_columns}
    if tmap.derived:
        # Derived expressions read numbers where the file holds numbers (see _typed_scope);
        # the model columns keep their original cells, for the validator to judge.
        source = _typed_scope(con, base, file_columns, types)
        ref = {c: f"__raw{i}" for i, c in enumerate(file_columns)}
    select = ["__row"]
    model_types: dict[str, str] = {}
    for name, real in matched.items():
        recode = tmap.values.get(name)
        if recode:
            cases = " ".join(
                f"WHEN {literal(k)} THEN {literal(_as_text(v))}" for k, v in recode.items()
            )
            expr = (
                f"CASE trim(CAST({ref[real]} AS VARCHAR)) {cases} "
                f"ELSE CAST({ref[real]} AS VARCHAR) END"
            )
            model_types[name] = "VARCHAR"
        else:
            expr = ref[real]
            model_types[name] = types[real]
        select.append(f"{expr} AS {quote(name)}")
    for name, expr in tmap.derived.items():
        where = (
            f"column mapping {mapping.source or '(given)'}, table {table}, derived.{name} "
            f"({expr!r}) over {path.name}"
        )
        try:
            kind = con.execute(f"DESCRIBE SELECT ({expr}) AS v FROM {source}").fetchall()[0][1]
            con.execute(f"SELECT count(({expr})) FROM {source}").fetchall()
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise DataError(
                f"{where}: the expression cannot be evaluated ({first}); it may use the "
                f"file's columns {file_columns}"
            ) from None
        model_types[name] = kind
        select.append(f"({expr}) AS {quote(name)}")
    taken = set(model_types) | {"__row"}
    # Extra columns stay reachable under their own names (an outcome may need one); names
    # DuckDB cannot carry (empty, or the reserved __ prefix) are never needed.
    carried = [c for c in extra if c not in taken and c.strip() and not c.startswith("__")]
    select += [f"{ref[c]} AS {quote(c)}" for c in carried]
    con.execute(f"CREATE OR REPLACE VIEW src_{table} AS SELECT {', '.join(select)} FROM {source}")
    return Source(
        table=table,
        path=path,
        fmt=fmt,
        columns=model_types,
        renamed={k: v for k, v in matched.items() if k != v},
        extra=extra,
        encoding=encoding,
        delimiter=delimiter,
        derived=dict(tmap.derived),
        extra_types={c: types[c] for c in carried},
    )


def _typed_scope(
    con: duckdb.DuckDBPyConnection, base: str, names: list[str], types: dict[str, str]
) -> str:
    """A view of ``base`` where text columns holding only numbers (or missing cells) are
    numbers -- BIGINT when every value is whole, else DOUBLE -- so that a derived expression
    such as ``"first.treat" > 0`` means the same over a CSV file as over Parquet. Every
    original column is also there unchanged as ``__raw<i>`` (its position in ``names``)."""
    from evaluation.data.schema import MISSING_TOKENS

    text = [n for n in names if types.get(n, "").upper() == "VARCHAR"]
    missing = ", ".join(literal(t) for t in MISSING_TOKENS)
    checks = []
    for n in text:
        v = f"trim({quote(n)})"
        present = f"{quote(n)} IS NOT NULL AND {v} NOT IN ({missing})"
        checks.append(
            f"count(*) FILTER (WHERE {present} AND TRY_CAST({v} AS DOUBLE) IS NULL), "
            f"count(*) FILTER (WHERE {present} AND TRY_CAST({v} AS DOUBLE) IS NOT NULL AND "
            f"TRY_CAST({v} AS DOUBLE) <> floor(TRY_CAST({v} AS DOUBLE)))"
        )
    counts = con.execute(f"SELECT {', '.join(checks)} FROM {base}").fetchall()[0] if text else ()
    select = []
    for n in names:
        if n in text:
            i = text.index(n)
            bad, fractional = counts[2 * i], counts[2 * i + 1]
            if not bad:
                kind = "DOUBLE" if fractional else "BIGINT"
                v = f"trim({quote(n)})"
                select.append(
                    f"CASE WHEN {v} IN ({missing}) THEN NULL ELSE "
                    f"CAST(CAST({v} AS DOUBLE) AS {kind}) END AS {quote(n)}"
                )
                select.append(f"{quote(n)} AS __raw{names.index(n)}")
                continue
        select.append(quote(n))
        select.append(f"{quote(n)} AS __raw{names.index(n)}")
    view = f"scope_{base}"
    con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT __row, {', '.join(select)} FROM {base}")
    return view


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
    "model_columns",
    "register",
]
