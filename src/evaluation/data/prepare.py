"""``evaluation prepare``: validated raw tables -> analysis-ready Parquet in data/processed.

Outputs (DESIGN.md section 2): ``panel.parquet`` (one row per firm and year of the analysis
panel: every column of ``codebook.PANEL_COLUMNS``, NULL where the input was not supplied, then
the outcomes taken from raw firm_years columns or declared in the configuration),
``firms.parquet`` (no personal data), ``links.parquet`` (network
edges), ``organizations.parquet`` and ``data_manifest.json`` (hashes, row counts, code version).

Conventions (DESIGN.md section 3): when a prices table covers every country-year used and the
base year (the validator decides, ``contents.money = "real"``), nominal local-currency money is
deflated by the country's producer price index to the base year and then converted to USD at
the base year's exchange rate, ``x_usd = x * (PPI[c, base] / PPI[c, t]) / FX[c, base]``;
otherwise the ``*_usd`` columns hold the values as reported (``contents.money = "nominal"``).
Cohorts after the last panel year become 0 (comparison firms within the window, as R ``did``
treats them); firm-years outside the panel are left out; without a ``participant`` column a
firm with a cohort is a participant; without ``responded`` every firm-year present counts as
answered. Value added = real sales -
real intermediate inputs; labor productivity = value added / employees; logs only of positive
values (``va_nonpositive`` flags the rest, which stay in the panel). Cohort 0 marks never-treated
comparison firms (the R ``did`` convention). Outliers: value added and labor productivity are
also written winsorized within country x year (``*_w`` columns, percentiles from
``preparation.winsorize`` in the config, default 1st/99th, cut-offs taken among responding
firm-years with positive value added) beside the untouched originals, and ``winsorized`` flags
every row changed (:func:`cutoffs_sql`). Nothing is imputed: a missing answer stays missing,
and ``responded``/``balanced`` say where. Baseline covariates come from the last
pre-program year (:func:`evaluation.config.resolve_years`: by default the first cohort minus
one), the same calendar year for every firm.

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
import contextlib
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
from evaluation.data import keys
from evaluation.data.codebook import PANEL_COLUMNS
from evaluation.data.ingest import DataError, Mapping, connect, load_mapping
from evaluation.data.keys import KEY_ENV, KEY_FILE, SIMULATION_KEY, PseudonymKey, pseudonym
from evaluation.data.schema import PANEL_TYPES, quote
from evaluation.data.validate import ValidationReport, configured_mapping, validate

ROW_GROUP = 1 << 18  # fixed row groups: part of what makes the files byte-identical
BATCH = 1 << 16
OUTPUTS = ("panel", "firms", "links", "organizations")


class PrepareError(RuntimeError):
    """Preparation stopped: invalid raw data, a missing key, or a failed write."""

    def __init__(self, message: str, report: ValidationReport | None = None) -> None:
        super().__init__(message)
        self.report = report


# --------------------------------------------------------------------------- pseudonyms
def resolve_key(root: Path, raw: Path) -> PseudonymKey:
    """The pseudonymization key (:func:`evaluation.data.keys.resolve_key`); a missing or
    short key stops preparation with the instructions."""
    try:
        return keys.resolve_key(root, raw)
    except keys.MissingKeyError as exc:
        raise PrepareError(str(exc)) from None


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
CUTOFFS = "winsor_cutoffs"  # temp table: country x year cut-offs of the outlier treatment


def _values_sql(
    base_year: int | None,
    *,
    real: bool = True,
    first_year: int | None = None,
    last_year: int | None = None,
    carried: tuple[str, ...] = (),
) -> str:
    """CTEs ``base`` .. ``v``: firm-years with base-year USD money (``*_usd``; as reported when
    ``real`` is false), ``emp`` and value added ``va``; the common first steps of the panel and
    the cut-off queries. ``first_year``/``last_year`` bound the panel (cohorts after it become
    0 and their firms comparison firms); ``carried`` raw columns pass through as ``__x<i>``."""
    money = ("sales", "intermediate_inputs", "wage_bill", "capital_stock", "exports")
    # Values of non-responding rows are not survey answers: they are set missing.
    keep = ",\n".join(
        f"CASE WHEN y.responded THEN y.{c} END AS {c}"
        for c in (*money, "employees", "bds_hours", "linkages")
    )
    keep += "".join(
        f",\nCASE WHEN y.responded THEN y.{quote(c)} END AS __x{i}" for i, c in enumerate(carried)
    )
    real_sql = ",\n".join(f"{c} * k AS {c}_usd" for c in money)
    cohort, participant, window = "coalesce(f.cohort, 0)", "f.participant", ""
    if last_year is not None:
        late = f"coalesce(f.cohort > {last_year}, FALSE)"
        cohort = f"CASE WHEN {late} THEN 0 ELSE coalesce(f.cohort, 0) END"
        participant = f"(f.participant AND NOT {late})"
    if first_year is not None and last_year is not None:
        window = f"\n    WHERE y.year BETWEEN {first_year} AND {last_year}"
    if real:
        base = (
            f"base AS (\n    SELECT country, ppi AS ppi0, usd_rate AS fx0 FROM typ_prices "
            f"WHERE year = {base_year}\n), "
        )
        k = "(b.ppi0 / pr.ppi) / b.fx0"
        joins = (
            "\n    JOIN typ_prices pr ON pr.country = f.country AND pr.year = y.year"
            "\n    JOIN base b ON b.country = f.country"
        )
    else:
        base, k, joins = "", "CAST(1.0 AS DOUBLE)", ""
    return f"""
WITH {base}j AS (
    SELECT p.pid AS firm_id, y.year, f.country, f.territory, f.sector, f.stratum,
        f.women_led, {participant} AS participant, f.cluster_id, f.organization,
        {cohort} AS cohort, f.founded, y.responded,
        {k} AS k,
        {keep}
    FROM typ_firm_years y
    JOIN typ_firms f USING (firm_id)
    JOIN pseudo p USING (firm_id){joins}{window}
), r AS (
    SELECT *, {real_sql}, employees AS emp FROM j
), v AS (
    SELECT *, sales_usd - intermediate_inputs_usd AS va FROM r
)"""


def cutoffs_sql(*, base_year: int | None, lower: float, upper: float, **values: object) -> str:
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
    panel query reads its input once and 10M rows stay in bounded memory. ``values`` go to
    :func:`_values_sql` (``real``, ``first_year``, ``last_year``). Without a country column
    the cut-offs are per year (the NULL country is one group).
    """
    if not 0.0 <= lower < upper <= 1.0:
        raise ValueError(f"winsorize: need 0 <= lower < upper <= 1, got {lower!r}, {upper!r}")
    lo, hi = repr(float(lower)), repr(float(upper))
    lp_ok = "FILTER (WHERE emp > 0)"
    return f"""{_values_sql(base_year, **values)}
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
    real: bool = True,
    carried: tuple[str, ...] = (),
    columns: tuple[str, ...] = (),
    declared: dict[str, str] | None = None,
) -> str:
    """The panel query (see the module docstring for the conventions).

    ``cutoffs`` names the table :func:`cutoffs_sql` filled; the ``*_w`` columns hold the
    winsorized values, the originals stay. After the panel columns come the outcomes that are
    raw firm_years columns (``columns``, among the ``carried`` ones, as DOUBLE) and the
    ``declared`` ones (name -> DuckDB
    expression over the panel columns and the carried raw columns, as DOUBLE).
    """
    # "Every panel year" = every year the survey covers inside the panel.
    n_years = (
        "(SELECT count(DISTINCT year) FROM typ_firm_years "
        f"WHERE year BETWEEN {first_year} AND {last_year})"
    )
    values = _values_sql(
        base_year, real=real, first_year=first_year, last_year=last_year, carried=carried
    )
    passed = "".join(f", __x{i}" for i in range(len(carried)))
    body = f"""{values}, o AS (
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
    FROM o LEFT JOIN {cutoffs} q ON q.country IS NOT DISTINCT FROM o.country
        AND q.year = o.year
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
        OVER (PARTITION BY firm_id) AS baseline_log_labor_productivity{passed}
FROM w
"""
    cast = ", ".join(f"CAST({c} AS {PANEL_TYPES[c]}) AS {c}" for c in PANEL_COLUMNS)
    if not carried and not declared:
        return f"SELECT {cast} FROM ({body}) ORDER BY firm_id, year"
    # Outcome columns: the carried raw columns under their own names, then the declared
    # expressions evaluated over the panel columns and those raw columns.
    named = ", ".join(f"__x{i} AS {quote(c)}" for i, c in enumerate(carried))
    inner = f"SELECT * EXCLUDE ({', '.join(f'__x{i}' for i in range(len(carried)))}), {named}"
    inner = inner if carried else "SELECT *"
    declared = declared or {}
    extra = [f"CAST({quote(c)} AS DOUBLE) AS {quote(c)}" for c in columns if c not in declared]
    extra += [f"CAST(({e}) AS DOUBLE) AS {quote(n)}" for n, e in declared.items()]
    return f"SELECT {cast}, {', '.join(extra)} FROM ({inner} FROM ({body})) ORDER BY firm_id, year"


def firms_sql(last_year: int | None = None) -> str:
    """The firm table; cohorts after ``last_year`` become 0 (comparison firms in the window)."""
    cohort, participant = "coalesce(f.cohort, 0)", "f.participant"
    if last_year is not None:
        late = f"coalesce(f.cohort > {last_year}, FALSE)"
        cohort = f"CASE WHEN {late} THEN 0 ELSE coalesce(f.cohort, 0) END"
        participant = f"(f.participant AND NOT {late})"
    return f"""
SELECT p.pid AS firm_id, f.country, f.territory, f.sector, f.stratum,
    CAST(f.women_led AS TINYINT) AS women_led, CAST(f.founded AS INTEGER) AS founded,
    CAST({participant} AS TINYINT) AS participant, f.cluster_id,
    CAST({cohort} AS INTEGER) AS cohort, f.organization
FROM typ_firms f JOIN pseudo p USING (firm_id)
ORDER BY firm_id
"""


FIRMS_SQL = firms_sql()
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
    created = not processed.exists()  # a refused run removes the folder it created
    processed.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(processed)
    staging = processed / f".staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    done = False
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
            contents = report.contents
            years = contents["years"]
            if baseline_year is not None:
                years["baseline_year"] = int(baseline_year)
            base = years["baseline_year"]
            real = contents["money"] == "real"
            carried = tuple(contents["carried"])
            outcome_columns = tuple(
                n for n, o in contents["outcomes"].items() if o["source"] == "column"
            )
            declared = {
                n: settings.outcomes[n].expr
                for n, o in contents["outcomes"].items()
                if o["source"] == "declared"
            }
            _register_pseudonyms(con, key.key)
            rows = {}
            w = settings.preparation.winsorize
            span = {"first_year": years["first_year"], "last_year": years["last_year"]}
            cut = cutoffs_sql(
                base_year=years["base_year"], lower=w.lower, upper=w.upper, real=real, **span
            )
            con.execute(f"CREATE OR REPLACE TEMP TABLE {CUTOFFS} AS {cut}")
            sql = panel_sql(
                base_year=years["base_year"],
                baseline_year=base,
                real=real,
                carried=carried,
                columns=outcome_columns,
                declared=declared,
                **span,
            )
            rows["panel"] = _query_to_parquet(con, sql, staging / "panel.parquet")
            firms = firms_sql(years["last_year"])
            rows["firms"] = _query_to_parquet(con, firms, staging / "firms.parquet")
            if report.contents["tables"]["links"]:
                rows["links"] = _query_to_parquet(con, LINKS_SQL, staging / "links.parquet")
            else:
                rows["links"] = _empty(EMPTY_LINKS, staging / "links.parquet")
            if report.contents["tables"]["organizations"]:
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
        done = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not done:
            with contextlib.suppress(OSError):  # only when empty: nothing else is touched
                processed.rmdir()
    return PrepareResult(processed=processed, manifest=manifest, report=report)


def command(args: argparse.Namespace, settings: Settings) -> int:
    """``evaluation prepare [--raw DIR] [--processed DIR] [--mapping FILE]``.

    Exit 1 when the raw data are invalid (the validation report on stdout, nothing written);
    a refusal of what was asked (no raw folder, no usable key) is raised to the command line,
    which prints it as one line and exits 2.
    """
    raw = args.raw or settings.path("raw")
    processed = args.processed or settings.path("processed")
    mapping = configured_mapping(settings, args.mapping)
    try:
        result = prepare(raw, processed, mapping=mapping, settings=settings)
    except PrepareError as exc:
        if exc.report is None:
            # Not the data's content but what was asked (no raw folder, no usable key, output
            # inside raw): the command line's one-line error and exit 2 (docs/reliability.md).
            raise
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
    "firms_sql",
    "panel_sql",
    "prepare",
    "pseudonym",
    "resolve_key",
]
