"""``evaluation prepare``: validated raw tables -> analysis-ready Parquet in data/processed.

Outputs (DESIGN.md section 2): ``panel.parquet`` (one row per firm and year, columns exactly
``codebook.PANEL_COLUMNS``), ``firms.parquet`` (no personal data), ``links.parquet`` (network
edges), ``organizations.parquet`` and ``data_manifest.json`` (hashes, row counts, code version).

Conventions (DESIGN.md section 3): nominal local-currency money is deflated by the country's
producer price index to the base year and then converted to USD at the base year's exchange
rate, ``x_usd = x * (PPI[c, base] / PPI[c, t]) / FX[c, base]``; value added = real sales -
real intermediate inputs; labor productivity = value added / employees; logs only of positive
values (``va_nonpositive`` flags the rest, which stay in the panel). Cohort 0 marks never-treated
comparison firms (the R ``did`` convention). Outliers: value added and labor productivity are
also written winsorized within country x year (``*_w`` columns, percentiles from
``preparation.winsorize`` in the config, default 1st/99th, cut-offs taken among responding
firm-years with positive value added) beside the untouched originals, and ``winsorized`` flags
every row changed (:func:`cutoffs_sql`). Nothing is imputed: a missing answer stays missing,
and ``responded``/``balanced`` say where. Baseline covariates come from the last
pre-program year, by default the first cohort minus one, the same calendar year for every firm.

Firm ids become keyed pseudonyms, ``HMAC-SHA256(key, firm_id)`` truncated to 16 hex
characters: without the key nobody can recompute them from a tax registry, and with it the
data holder can link back. Only whitelisted codebook columns are written, so personal columns
(and any unknown column of a real export) never reach data/processed.

The transformation is one DuckDB query per output over the raw views (the panel query also reads
a small temp table of winsorizing cut-offs, computed first), so 10M firm-years run in
bounded memory (DuckDB spills to a scratch folder inside the staging directory). Outputs are
written into ``processed/.staging-*`` and moved into place only when everything succeeded;
rows are sorted and row groups fixed, so two runs give byte-identical Parquet files.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from evaluation.config import Settings, load_settings
from evaluation.data.codebook import PANEL_COLUMNS
from evaluation.data.ingest import DataError, Mapping, connect, is_simulated, load_mapping
from evaluation.data.schema import PANEL_TYPES
from evaluation.data.validate import ValidationReport, validate

# Published on purpose: simulated data has no real people behind it, and a fixed key lets anyone
# regenerate the committed example byte for byte. Never used for data without a simulator marker.
SIMULATION_KEY = b"promipyme-simulated-data--public-default-key"
KEY_ENV = "EVALUATION_PSEUDONYM_KEY"
KEY_FILE = ".pseudonym_key"
ROW_GROUP = 1 << 18  # fixed row groups: part of what makes the files byte-identical
BATCH = 1 << 16
OUTPUTS = ("panel", "firms", "links", "organizations")


class PrepareError(RuntimeError):
    """Preparation stopped: invalid raw data, a missing key, or a failed write."""

    def __init__(self, message: str, report: ValidationReport | None = None) -> None:
        super().__init__(message)
        self.report = report


# --------------------------------------------------------------------------- pseudonyms
@dataclass(frozen=True)
class PseudonymKey:
    """The HMAC key and where it came from (the manifest records the source, not the key)."""

    key: bytes
    source: str

    @property
    def fingerprint(self) -> str:
        """A short tag that tells two keys apart without revealing either."""
        return hmac.new(self.key, b"promipyme key fingerprint", hashlib.sha256).hexdigest()[:12]


def resolve_key(root: Path, raw: Path) -> PseudonymKey:
    """The pseudonymization key: environment, then ``<root>/.pseudonym_key``, then (simulated
    data only) the documented public default; otherwise stop with instructions."""
    env = os.environ.get(KEY_ENV, "")
    if env.strip():
        return PseudonymKey(env.strip().encode("utf-8"), f"environment variable {KEY_ENV}")
    path = root / KEY_FILE
    if path.is_file():
        key = path.read_bytes().strip()
        if not key:
            raise PrepareError(f"{path} is empty; write a long random secret into it")
        return PseudonymKey(key, f"file {KEY_FILE}")
    if is_simulated(raw):
        return PseudonymKey(SIMULATION_KEY, "public default for simulated data")
    raise PrepareError(
        f"no pseudonymization key for {raw}: firm ids of real data are replaced by keyed "
        f"pseudonyms, so set {KEY_ENV} or write a long random secret to {path} (git-ignored), "
        'e.g. python -c "import secrets; print(secrets.token_hex(32))" > .pseudonym_key'
    )


def pseudonym(key: bytes, firm_id: str) -> str:
    """``HMAC-SHA256(key, firm_id)``, first 16 hex characters (64 bits)."""
    return hmac.new(key, firm_id.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def _register_pseudonyms(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    ids = con.sql("SELECT DISTINCT firm_id FROM typ_firms WHERE firm_id IS NOT NULL")
    firm_ids = ids.to_arrow_table().column(0).to_pylist()
    pids = [pseudonym(key, f) for f in firm_ids]
    if len(set(pids)) != len(pids):  # 64 bits: about 1e-7 at a million firms, still checked
        raise PrepareError("two firm ids received the same pseudonym; use another key")
    table = pa.table({"firm_id": pa.array(firm_ids, pa.string()), "pid": pa.array(pids)})
    con.register("pseudo_arrow", table)
    con.execute("CREATE OR REPLACE TEMP TABLE pseudo AS SELECT * FROM pseudo_arrow")
    con.unregister("pseudo_arrow")


# --------------------------------------------------------------------------- SQL
def baseline_year_of(con: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """Last pre-program year: the first cohort minus one (the base year if nobody is treated)."""
    first = con.execute("SELECT min(cohort) FROM typ_firms WHERE participant").fetchall()[0][0]
    return int(first) - 1 if first is not None else settings.analysis.base_year


CUTOFFS = "winsor_cutoffs"  # temp table: country x year cut-offs of the outlier treatment


def _values_sql(base_year: int) -> str:
    """CTEs ``base`` .. ``v``: firm-years with real base-year USD money (``*_usd``), ``emp``
    and value added ``va``; the common first steps of the panel and the cut-off queries."""
    money = ("sales", "intermediate_inputs", "wage_bill", "capital_stock", "exports")
    # Values of non-responding rows are not survey answers: they are set missing.
    keep = ",\n".join(
        f"CASE WHEN y.responded THEN y.{c} END AS {c}"
        for c in (*money, "employees", "bds_hours", "linkages")
    )
    real = ",\n".join(f"{c} * k AS {c}_usd" for c in money)
    return f"""
WITH base AS (
    SELECT country, ppi AS ppi0, usd_rate AS fx0 FROM typ_prices WHERE year = {base_year}
), j AS (
    SELECT p.pid AS firm_id, y.year, f.country, f.territory, f.sector, f.stratum,
        f.women_led, f.participant, f.cluster_id, f.organization,
        coalesce(f.cohort, 0) AS cohort, f.founded, y.responded,
        (b.ppi0 / pr.ppi) / b.fx0 AS k,
        {keep}
    FROM typ_firm_years y
    JOIN typ_firms f USING (firm_id)
    JOIN pseudo p USING (firm_id)
    JOIN typ_prices pr ON pr.country = f.country AND pr.year = y.year
    JOIN base b ON b.country = f.country
), r AS (
    SELECT *, {real}, employees AS emp FROM j
), v AS (
    SELECT *, sales_usd - intermediate_inputs_usd AS va FROM r
)"""


def cutoffs_sql(*, base_year: int, lower: float, upper: float) -> str:
    """The winsorizing cut-offs of value added and labor productivity, one row per country x
    year: ``va_lo``, ``va_hi``, ``lp_lo``, ``lp_hi`` at the ``lower``/``upper`` quantiles.

    The cut-offs are DuckDB's ``quantile_cont`` (linear interpolation between order statistics,
    numpy's default ``linear`` method and R's type 7) over responding firm-years with positive
    value added (and, for productivity, positive employment): the distribution whose tails the
    log outcomes use. :func:`panel_sql` raises values below the lower cut-off to it and lowers
    values above the upper one to it (winsorizing; Wilcox 2012, *Introduction to Robust
    Estimation and Hypothesis Testing*, section 3.3). Rows outside that sample (non-positive
    value added, no employees, no answer) keep their value: raising a loss to the 1st percentile
    of profits would hide the very rows ``va_nonpositive`` flags. ``lower = 0`` and
    ``upper = 1`` clip nothing. A separate query (a few dozen rows kept in a temp table) so the
    panel query reads its input once and 10M rows stay in bounded memory.
    """
    if not 0.0 <= lower < upper <= 1.0:
        raise ValueError(f"winsorize: need 0 <= lower < upper <= 1, got {lower!r}, {upper!r}")
    lo, hi = repr(float(lower)), repr(float(upper))
    lp_ok = "FILTER (WHERE emp > 0)"
    return f"""{_values_sql(base_year)}
SELECT country, year,
    quantile_cont(va, {lo}) AS va_lo, quantile_cont(va, {hi}) AS va_hi,
    quantile_cont(va / emp, {lo}) {lp_ok} AS lp_lo, quantile_cont(va / emp, {hi}) {lp_ok} AS lp_hi
FROM v WHERE responded AND va > 0
GROUP BY country, year ORDER BY country, year
"""


def panel_sql(
    *,
    base_year: int,
    first_year: int,
    last_year: int,
    baseline_year: int,
    cutoffs: str = CUTOFFS,
) -> str:
    """The panel query (see the module docstring for the conventions).

    ``cutoffs`` names the table :func:`cutoffs_sql` filled; the ``*_w`` columns hold the
    winsorized values, the originals stay.
    """
    # "Every panel year" = every year the survey covers (validated to lie in the panel range).
    n_years = "(SELECT count(DISTINCT year) FROM typ_firm_years)"
    body = f"""{_values_sql(base_year)}, o AS (
    SELECT *,
        CASE WHEN emp > 0 THEN va / emp END AS lp,
        CASE WHEN va > 0 AND emp > 0 THEN ln(va / emp) END AS log_lp,
        CASE WHEN emp > 0 THEN ln(emp) END AS log_emp,
        sum(CASE WHEN responded AND year BETWEEN {first_year} AND {last_year} THEN 1 ELSE 0 END)
            OVER (PARTITION BY firm_id) AS n_responded
    FROM v
), w AS (
    SELECT o.*,
        CASE WHEN o.responded AND o.va > 0
            THEN least(greatest(o.va, q.va_lo), q.va_hi) ELSE o.va END AS va_w,
        CASE WHEN o.responded AND o.va > 0 AND o.emp > 0
            THEN least(greatest(o.lp, q.lp_lo), q.lp_hi) ELSE o.lp END AS lp_w
    FROM o LEFT JOIN {cutoffs} q ON q.country = o.country AND q.year = o.year
)
SELECT
    firm_id, year, country, territory, sector, stratum, women_led, participant, cluster_id,
    organization, cohort, founded, year - founded AS firm_age, responded,
    sales_usd, intermediate_inputs_usd, va AS value_added_usd, wage_bill_usd, capital_stock_usd,
    exports_usd, emp AS employees, bds_hours, linkages, lp AS labor_productivity,
    log_lp AS log_labor_productivity,
    CASE WHEN va > 0 THEN ln(va) END AS log_value_added,
    va_w AS value_added_usd_w, lp_w AS labor_productivity_w,
    CASE WHEN va > 0 AND emp > 0 THEN ln(lp_w) END AS log_labor_productivity_w,
    CASE WHEN va > 0 THEN ln(va_w) END AS log_value_added_w,
    CASE WHEN sales_usd > 0 THEN ln(sales_usd) END AS log_sales,
    log_emp AS log_employees,
    CASE WHEN exports_usd IS NULL THEN NULL WHEN exports_usd > 0 THEN 1 ELSE 0 END AS exporter,
    CASE WHEN va IS NULL THEN NULL WHEN va <= 0 THEN 1 ELSE 0 END AS va_nonpositive,
    CASE WHEN va_w IS DISTINCT FROM va OR lp_w IS DISTINCT FROM lp THEN 1 ELSE 0 END
        AS winsorized,
    CASE WHEN participant THEN year - cohort END AS rel_time,
    CASE WHEN participant AND year >= cohort THEN 1 ELSE 0 END AS post,
    CASE WHEN participant AND year >= cohort THEN 1 ELSE 0 END AS treated,
    CASE WHEN n_responded = {n_years} THEN 1 ELSE 0 END AS balanced,
    max(CASE WHEN year = {baseline_year} THEN log_emp END)
        OVER (PARTITION BY firm_id) AS baseline_log_employees,
    max(CASE WHEN year = {baseline_year} THEN log_lp END)
        OVER (PARTITION BY firm_id) AS baseline_log_labor_productivity
FROM w
"""
    cast = ", ".join(f"CAST({c} AS {PANEL_TYPES[c]}) AS {c}" for c in PANEL_COLUMNS)
    return f"SELECT {cast} FROM ({body}) ORDER BY firm_id, year"


FIRMS_SQL = """
SELECT p.pid AS firm_id, f.country, f.territory, f.sector, f.stratum,
    CAST(f.women_led AS TINYINT) AS women_led, CAST(f.founded AS INTEGER) AS founded,
    CAST(f.participant AS TINYINT) AS participant, f.cluster_id,
    CAST(coalesce(f.cohort, 0) AS INTEGER) AS cohort, f.organization
FROM typ_firms f JOIN pseudo p USING (firm_id)
ORDER BY firm_id
"""
LINKS_SQL = """
SELECT a.pid AS firm_a, b.pid AS firm_b, CAST(l.year AS INTEGER) AS year, l.link_type
FROM typ_links l JOIN pseudo a ON a.firm_id = l.firm_a JOIN pseudo b ON b.firm_id = l.firm_b
ORDER BY firm_a, firm_b, year, link_type
"""
ORGANIZATIONS_SQL = """
SELECT organization, name, country, CAST(year AS INTEGER) AS year,
    CAST(bds_services AS INTEGER) AS bds_services, CAST(bds_clients AS INTEGER) AS bds_clients,
    CAST(staff_trained AS INTEGER) AS staff_trained, bds_revenue,
    CAST(public_private_agreements AS INTEGER) AS public_private_agreements
FROM typ_organizations ORDER BY organization, year
"""
EMPTY_LINKS = pa.schema(
    [("firm_a", pa.string()), ("firm_b", pa.string()), ("year", pa.int32()),
     ("link_type", pa.string())]
)  # fmt: skip
EMPTY_ORGANIZATIONS = pa.schema(
    [("organization", pa.string()), ("name", pa.string()), ("country", pa.string()),
     ("year", pa.int32()), ("bds_services", pa.int32()), ("bds_clients", pa.int32()),
     ("staff_trained", pa.int32()), ("bds_revenue", pa.float64()),
     ("public_private_agreements", pa.int32())]
)  # fmt: skip


# --------------------------------------------------------------------------- writing
def _write_parquet(reader: pa.RecordBatchReader, path: Path) -> int:
    """Stream ``reader`` into ``path`` in fixed-size row groups; returns the row count.

    No timestamps or host names are written; the only metadata is the schema and pyarrow's
    ``created_by`` string, so identical rows give identical bytes.
    """
    schema = reader.schema
    rows = 0
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    with pq.ParquetWriter(
        path,
        schema,
        compression="zstd",
        compression_level=3,
        use_dictionary=True,
        write_statistics=True,
        version="2.6",
    ) as writer:
        for batch in reader:
            pending.append(batch)
            pending_rows += batch.num_rows
            while pending_rows >= ROW_GROUP:
                table = pa.Table.from_batches(pending, schema)
                writer.write_table(table.slice(0, ROW_GROUP), row_group_size=ROW_GROUP)
                rest = table.slice(ROW_GROUP)
                pending = rest.to_batches()
                pending_rows = rest.num_rows
                rows += ROW_GROUP
        if pending_rows or rows == 0:
            table = pa.Table.from_batches(pending, schema)
            writer.write_table(table, row_group_size=ROW_GROUP)
            rows += pending_rows
    return rows


def _query_to_parquet(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> int:
    reader = con.sql(sql).to_arrow_reader(BATCH)
    return _write_parquet(reader, path)


def _empty(schema: pa.Schema, path: Path) -> int:
    return _write_parquet(pa.RecordBatchReader.from_batches(schema, []), path)


def _remove_stale_staging(processed: Path) -> None:
    """Delete staging folders left by a prepare that was killed (its process is gone)."""
    for path in processed.glob(".staging-*"):
        parts = path.name.split("-")
        pid = int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None
        if pid is None or pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except PermissionError:  # alive, another user's
            continue


@dataclass
class PrepareResult:
    """What ``prepare`` produced: the manifest and the validation report it acted on."""

    processed: Path
    manifest: dict
    report: ValidationReport


def prepare(
    raw: Path | str | None = None,
    processed: Path | str | None = None,
    *,
    mapping: Mapping | Path | str | None = None,
    settings: Settings | None = None,
    baseline_year: int | None = None,
    memory_limit: str = "2GB",
) -> PrepareResult:
    """Validate ``raw``, then write the processed data set into ``processed`` atomically.

    Raises :class:`PrepareError` (with the validation report attached) when the raw data has
    errors; nothing is written in that case, and a failure while writing leaves the processed
    folder as it was.

    Examples
    --------
    >>> result = prepare("data/raw", "data/processed")       # doctest: +SKIP
    >>> result.manifest["outputs"]["panel.parquet"]["rows"]  # doctest: +SKIP
    5460
    """
    from evaluation.data import manifest as manifest_mod

    settings = settings or load_settings()
    raw = Path(raw) if raw is not None else settings.path("raw")
    processed = Path(processed) if processed is not None else settings.path("processed")
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    if not raw.is_dir():
        raise PrepareError(f"{raw}: raw data folder not found")
    if processed.resolve() == raw.resolve() or raw.resolve() in processed.resolve().parents:
        raise PrepareError(f"{processed}: processed output may not live inside raw data {raw}")
    key = resolve_key(settings.root, raw)
    processed.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(processed)
    staging = processed / f".staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        spill = staging / "duckdb-spill"
        spill.mkdir()
        con = connect(memory_limit=memory_limit, temp_directory=spill)
        try:
            report = validate(raw, mapping=mapping, settings=settings, con=con)
            if not report.ok:
                raise PrepareError(
                    f"raw data in {raw} has {len(report.errors)} error(s); nothing was written",
                    report,
                )
            a = settings.analysis
            _register_pseudonyms(con, key.key)
            base = baseline_year if baseline_year is not None else baseline_year_of(con, settings)
            rows = {}
            w = settings.preparation.winsorize
            cut = cutoffs_sql(base_year=a.base_year, lower=w.lower, upper=w.upper)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {CUTOFFS} AS {cut}")
            sql = panel_sql(
                base_year=a.base_year,
                first_year=a.first_year,
                last_year=a.last_year,
                baseline_year=base,
            )
            rows["panel"] = _query_to_parquet(con, sql, staging / "panel.parquet")
            rows["firms"] = _query_to_parquet(con, FIRMS_SQL, staging / "firms.parquet")
            if "links" in report.sources:
                rows["links"] = _query_to_parquet(con, LINKS_SQL, staging / "links.parquet")
            else:
                rows["links"] = _empty(EMPTY_LINKS, staging / "links.parquet")
            if "organizations" in report.sources:
                rows["organizations"] = _query_to_parquet(
                    con, ORGANIZATIONS_SQL, staging / "organizations.parquet"
                )
            else:
                rows["organizations"] = _empty(
                    EMPTY_ORGANIZATIONS, staging / "organizations.parquet"
                )
        finally:
            con.close()
        shutil.rmtree(spill, ignore_errors=True)
        manifest = manifest_mod.build_manifest(
            raw=raw,
            staging=staging,
            report=report,
            rows=rows,
            mapping=mapping,
            settings=settings,
            key=key,
            baseline_year=base,
        )
        manifest_mod.write_json(manifest, staging / manifest_mod.MANIFEST)
        # Everything exists: move into place, the manifest last (its presence marks a
        # complete data set).
        for name in OUTPUTS:
            os.replace(staging / f"{name}.parquet", processed / f"{name}.parquet")
        os.replace(staging / manifest_mod.MANIFEST, processed / manifest_mod.MANIFEST)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PrepareResult(processed=processed, manifest=manifest, report=report)


def command(args: argparse.Namespace, settings: Settings) -> int:
    """``evaluation prepare [--raw DIR] [--processed DIR] [--mapping FILE]``."""
    raw = args.raw or settings.path("raw")
    processed = args.processed or settings.path("processed")
    mapping = args.mapping or settings.paths.column_mapping
    if mapping is not None and not Path(mapping).is_absolute() and not Path(mapping).exists():
        mapping = settings.root / mapping
    try:
        result = prepare(raw, processed, mapping=mapping, settings=settings)
    except PrepareError as exc:
        if exc.report is not None:
            print(exc.report.format())
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    except DataError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 2
    print(result.report.format())
    for name, info in result.manifest["outputs"].items():
        print(f"  wrote {processed / name}: {info['rows']} rows, sha256 {info['sha256'][:12]}")
    return 0


__all__ = [
    "KEY_ENV",
    "KEY_FILE",
    "SIMULATION_KEY",
    "PrepareError",
    "PrepareResult",
    "PseudonymKey",
    "command",
    "cutoffs_sql",
    "panel_sql",
    "prepare",
    "pseudonym",
    "resolve_key",
]
