"""``evaluation simulate``: a seeded simulated PROMIPYME raw dataset with known true effects.

The generator mirrors the program (DESIGN.md section 1 and 3): two countries (Colombia in
COP, Ecuador in USD), ``n_clusters`` business clusters of about ten SMEs, each recruiting in one
stratum (territory x sector) and supported by one of four entrepreneurial organizations,
staggered entry (cohorts 2016 and 2017), at least 25% women-led firms in every cluster, and a
comparison group drawn from the same strata with a comparison/participant ratio that varies
across strata.

Outcome model (log labor productivity in base-year USD per employee, firm i, year t)::

    Y_it(0) = a_i + d_{sector(i), t} + gamma * (s_i - s0) * (t - base_year) + u_it
    u_it    = rho * u_i,t-1 + e_it                          (stationary AR(1))
    Y_it(1) = Y_it(0) + tau_it,
    tau_it  = theta(t - g_i) * m_cohort(g_i) * m_women(i) * (1 + h * z_i)   for t >= g_i

``s_i`` is the firm's latent log size (log-normal employees), ``d`` a sector-specific random
walk. Participants are larger (``s_i`` shifted up) and younger, and strata of faster-growing
sectors have fewer comparison firms per participant, so *unconditional* parallel trends fail;
conditional on sector-by-year effects and baseline size they hold by construction (Callaway and
Sant'Anna 2021, Assumption 4; Roth et al. 2023, section 3). ``theta(e)`` grows with time since
entry up to a plateau (effects persist after support ends in 2018). No anticipation:
``tau_it = 0`` before entry.

Observed money follows from ``Y``: employees ``E`` (integers), real value added
``VA = exp(Y) * E``, sales and intermediate inputs with a firm-specific input share so that
``sales - inputs = VA``; nominal local-currency values are real values times
``(ppi_t / ppi_base) * usd_rate_base`` from the simulated prices table, which is exactly what
``prepare`` undoes (deflate by the PPI, then convert at the base year's rate). A few firm-years
get intermediate inputs above sales (non-positive value added, flagged downstream).

Attrition (switch ``attrition``): after the baseline year a firm leaves the survey for good
with a probability that falls with its productivity in the previous year, and answers are
missing at random in 3% of other firm-years; with ``attrition=False`` every firm answers every
year. Non-responding firm-years stay as rows with ``responded = 0`` and empty values.

The truth (``truth.json``) is finite-sample: ATT(g,t) is the mean of the simulated individual
effects ``Y_it(1) - Y_it(0)`` over the treated firm-years of cohort g in year t that responded
and (for productivity) have positive value added, i.e. the firm-years an estimator sees.

Reproducibility: all draws are element-wise from ``numpy.random.Generator(PCG64)`` streams
keyed by component (and chunk of firms); no linear algebra; floats are rounded to fixed decimals
before writing; CSV is UTF-8 with ``\\n`` line endings. The only residual machine dependence is
``numpy.exp``/``log`` in the last bit, which the rounding hides except at an exact rounding
boundary (probability of the order of 1e-7 per value).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data.codebook import (
    RAW_TABLES,
    codebook_frame,
    columns,
)
from evaluation.data.simulation_design import (
    LINK_TYPES,
    SIMULATED_CODEBOOK,
    SimulatedData,
    SimulationError,
    SimulationParameters,
    draw_design,
    draw_firms,
    draw_personal,
    draw_sector_effects,
)
from evaluation.data.simulation_outcomes import (
    TruthAccumulator,
    draw_links,
    draw_organizations,
    draw_panel_chunk,
    draw_prices,
    truth_document,
)

MANIFEST = ".simulate.json"
TRUTH = "truth.json"
CODEBOOK = "codebook.csv"

__all__ = [
    "MANIFEST",
    "SimulatedData",
    "SimulationError",
    "SimulationParameters",
    "check_writable",
    "command",
    "simulate",
    "target_files",
    "write_simulation",
]

# --------------------------------------------------------------------------------------------
# orchestration


_DECIMALS = {
    "sales": 2, "wage_bill": 2, "intermediate_inputs": 2, "capital_stock": 2, "exports": 2,
    "employees": 0, "bds_hours": 1, "linkages": 0, "cpi": 4, "ppi": 4, "usd_rate": 2,
    "bds_revenue": 2,
}  # fmt: skip


class _Run:
    """Everything drawn before the firm-year panel, which is then generated chunk by chunk."""

    def __init__(self, params: SimulationParameters) -> None:
        params.check()
        self.params = params
        self.design = draw_design(params)
        clusters = self.design["clusters"]
        self.firms = draw_firms(params, clusters)
        personal = draw_personal(params, self.firms)
        for col in personal.columns:
            self.firms[col] = personal[col].to_numpy()
        self.prices = draw_prices(params)
        self.sector_effects = draw_sector_effects(params)
        self.organizations = draw_organizations(params, self.design)
        self.links = draw_links(params, self.firms, clusters)
        n_y = len(params.years)
        n = len(self.firms)
        self.degree = (
            np.bincount(self.links["firm_a"] * n_y + self.links["year_index"], minlength=n * n_y)
            + np.bincount(self.links["firm_b"] * n_y + self.links["year_index"], minlength=n * n_y)
        ).reshape(n, n_y)
        self.price_factor = {}
        for code in ("CO", "EC"):
            pr = self.prices[self.prices["country"] == code].set_index("year")
            ppi = pr["ppi"].to_numpy()
            base = pr.loc[params.base_year]
            self.price_factor[code] = ppi / base["ppi"] * base["usd_rate"]
        self.truth_acc = TruthAccumulator(params)

    def chunks(self) -> Iterator[dict[str, np.ndarray]]:
        step = self.params.chunk_firms
        for c, start in enumerate(range(0, len(self.firms), step)):
            f = self.firms.iloc[start : start + step]
            chunk = draw_panel_chunk(
                self.params, c, f, self.sector_effects, self.price_factor, self.degree
            )
            self.truth_acc.add(chunk, f["women_led"].to_numpy(), f["cohort"].to_numpy())
            yield chunk

    def firms_table(self) -> dict[str, np.ndarray]:
        f = self.firms
        out = {}
        for c in columns("firms"):
            v = f[c.name].to_numpy()
            if c.dtype == "string":  # pandas may hold missing strings as NaN: make them None
                v = np.array([x if isinstance(x, str) else None for x in v], dtype=object)
            out[c.name] = v
        out["cohort"] = np.where(f["participant"], f["cohort"], -1)  # -1: missing
        return out

    def links_table(self) -> dict[str, np.ndarray]:
        ids = self.firms["firm_id"].to_numpy()
        return {
            "firm_a": ids[self.links["firm_a"]],
            "firm_b": ids[self.links["firm_b"]],
            "year": np.asarray(self.params.years)[self.links["year_index"]],
            "link_type": np.asarray(LINK_TYPES)[self.links["type"]],
        }

    def truth(self) -> dict[str, Any]:
        extra = {
            "firms": len(self.firms),
            "firm_years": len(self.firms) * len(self.params.years),
            "links": len(self.links["firm_a"]),
            "background_links_thinned": len(self.firms) > self.params.background_link_firms,
            "treated_firm_years": self.truth_acc.treated_rows,
        }
        return truth_document(self.params, self.design, self.truth_acc, extra)


def _panel_table(chunk: dict[str, np.ndarray], firm_ids: np.ndarray) -> dict[str, np.ndarray]:
    out = {"firm_id": firm_ids[chunk["firm_index"]]}
    for c in columns("firm_years")[1:]:
        out[c.name] = chunk[c.name]
    return out


def _typed(table: str, data: dict[str, np.ndarray]) -> pd.DataFrame:
    """A raw table as a DataFrame with codebook types (missing: None / <NA> / NaN)."""
    frame = {}
    for c in columns(table):
        v = data[c.name]
        if c.dtype == "int":
            s = pd.array(v, dtype="Int64")
            if c.nullable:
                s[np.asarray(v) < 0] = pd.NA  # -1 marks a missing value (comparison cohorts)
            frame[c.name] = s
        elif c.dtype == "float":
            frame[c.name] = np.asarray(v, dtype=np.float64)
        elif c.dtype == "bool":
            frame[c.name] = np.asarray(v, dtype=bool)
        else:
            frame[c.name] = pd.array(
                [x if isinstance(x, str) and x else None for x in v], dtype="object"
            )
    return pd.DataFrame(frame)


def simulate(
    seed: int | None = None,
    participants: int = 260,
    comparison: int | None = None,
    years: tuple[int, int] = (2014, 2020),
    attrition: bool = True,
    **options: Any,
) -> SimulatedData:
    """Simulate the PROMIPYME raw data in memory (tables as written, truth, latent outcomes).

    Parameters
    ----------
    seed : the random seed (default: SimulationParameters.seed, the config's analysis.seed).
    participants, comparison : numbers of firms (comparison defaults to twice participants).
    years : first and last panel year.
    attrition : productivity-related attrition and random non-response; False gives a
        balanced panel (for Monte Carlo studies of the estimators).
    **options : any other field of :class:`SimulationParameters`.

    Examples
    --------
    >>> data = simulate(seed=1)
    >>> data.truth["estimands"]["log_labor_productivity"]["overall"]["att"]  # doctest: +SKIP
    """
    params = SimulationParameters(
        seed=SimulationParameters.seed if seed is None else seed,
        participants=participants,
        comparison=comparison,
        first_year=years[0],
        last_year=years[1],
        attrition=attrition,
        **options,
    )
    return _simulate(params)


def _simulate(params: SimulationParameters) -> SimulatedData:
    run = _Run(params)
    ids = run.firms["firm_id"].to_numpy()
    chunks = list(run.chunks())
    panel = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
    tables = {
        "firms": _typed("firms", run.firms_table()),
        "firm_years": _typed("firm_years", _panel_table(panel, ids)),
        "links": _typed("links", run.links_table()),
        "organizations": _typed("organizations", dict(run.organizations.items())),
        "prices": _typed("prices", dict(run.prices.items())),
    }
    f = run.firms.iloc[panel["firm_index"]]
    latent = pd.DataFrame(
        {
            "firm_id": ids[panel["firm_index"]],
            "year": panel["year"],
            "sector": f["sector"].to_numpy(),
            "stratum": f["stratum"].to_numpy(),
            "participant": f["participant"].to_numpy(),
            "women_led": f["women_led"].to_numpy(),
            "cohort": f["cohort"].to_numpy(),
            "size": f["size"].to_numpy(),
            "y0": panel["y0"],
            "y1": panel["y1"],
            "tau": panel["tau"],
            "treated": panel["treated"],
            "responded": panel["responded"],
            "observed": panel["observed"],
        }
    )
    return SimulatedData(params=params, tables=tables, truth=run.truth(), latent=latent)


# --------------------------------------------------------------------------------------------
# writing: fixed-decimal CSV or Parquet, atomic, never over files simulate did not write


def _csv_column(table: str, name: str, values: np.ndarray) -> list[str]:
    c = next(c for c in columns(table) if c.name == name)
    if c.dtype == "bool":
        return ["1" if v else "0" for v in values]
    if c.dtype == "int":
        return ["" if v < 0 else str(int(v)) for v in values]
    if c.dtype == "float":
        d = _DECIMALS[name]
        return ["" if v != v else f"{v:.{d}f}" for v in values]
    return [v if isinstance(v, str) else "" for v in values]


def _csv_lines(table: str, data: dict[str, np.ndarray], header: bool) -> str:
    names_ = [c.name for c in columns(table)]
    cols = [_csv_column(table, n, data[n]) for n in names_]
    for col in cols:
        for i, v in enumerate(col):
            if any(ch in v for ch in ',"\n'):
                col[i] = '"' + v.replace('"', '""') + '"'
    lines = [",".join(row) for row in zip(*cols, strict=True)]
    if header:
        lines.insert(0, ",".join(names_))
    return "\n".join(lines) + "\n" if lines else ""


def _arrow_schema(table: str):  # -> pyarrow.Schema
    import pyarrow as pa

    kinds = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    return pa.schema([(c.name, kinds[c.dtype]) for c in columns(table)])


def _arrow_batch(table: str, data: dict[str, np.ndarray]):  # -> pyarrow.RecordBatch
    import pyarrow as pa

    arrays = []
    for c in columns(table):
        v = data[c.name]
        if c.dtype == "int":
            v = np.asarray(v, dtype=np.int64)
            arrays.append(pa.array(v, mask=v < 0, type=pa.int64()))
        elif c.dtype == "float":
            v = np.asarray(v, dtype=np.float64)
            arrays.append(pa.array(v, mask=np.isnan(v), type=pa.float64()))
        elif c.dtype == "bool":
            arrays.append(pa.array(np.asarray(v, dtype=bool), type=pa.bool_()))
        else:
            arrays.append(pa.array(v, type=pa.string()))  # None -> null
    return pa.RecordBatch.from_arrays(arrays, schema=_arrow_schema(table))


class _TableWriter:
    """Writes one raw table (possibly in several pieces) to a temporary file."""

    def __init__(self, table: str, path: Path, fmt: str) -> None:
        self.table, self.path, self.fmt = table, path, fmt
        self.first = True
        if fmt == "parquet":
            import pyarrow.parquet as pq

            self.writer = pq.ParquetWriter(path, _arrow_schema(table), compression="zstd")
        else:
            self.handle = open(path, "w", encoding="utf-8", newline="\n")

    def write(self, data: dict[str, np.ndarray]) -> None:
        if self.fmt == "parquet":
            self.writer.write_batch(_arrow_batch(self.table, data))
        else:
            self.handle.write(_csv_lines(self.table, data, self.first))
        self.first = False

    def close(self) -> None:
        if self.fmt == "parquet":
            self.writer.close()
        else:
            if self.first:  # an empty table still gets its header
                self.handle.write(",".join(c.name for c in columns(self.table)) + "\n")
            self.handle.close()


def simulated_codebook() -> pd.DataFrame:
    """The codebook as the simulator documents its data: the generic codebook with the
    simulated programme's legal values and wording (:data:`SIMULATED_CODEBOOK`)."""
    book = codebook_frame()
    for (table, name), changes in SIMULATED_CODEBOOK.items():
        row = (book["table"] == table) & (book["name"] == name)
        for key, value in changes.items():
            book.loc[row, key] = "|".join(value) if key == "allowed" else value
    return book


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_manifest(raw: Path) -> dict[str, str]:
    path = raw / MANIFEST
    if not path.exists():
        return {}
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
        if not isinstance(files, dict):
            raise TypeError
        return {str(k): str(v) for k, v in files.items()}
    except (ValueError, KeyError, TypeError) as err:
        raise SimulationError(
            f"{path} exists but is not a simulate manifest; refusing to write into {raw}"
        ) from err


def target_files(fmt: str = "csv") -> tuple[str, ...]:
    """Names of the files ``simulate`` writes for a format (tables, codebook, truth)."""
    if fmt not in ("csv", "parquet"):
        raise SimulationError(f"format {fmt!r}: expected 'csv' or 'parquet'")
    return (*(f"{t}.{fmt}" for t in RAW_TABLES), CODEBOOK, TRUTH)


def check_writable(raw: Path, fmt: str = "csv") -> dict[str, str]:
    """The manifest of ``raw``; raise if any target file exists and simulate did not write it.

    A file counts as simulate's own only if the manifest lists it with its current sha256
    (so a simulated file edited by hand is protected too).
    """
    manifest = _read_manifest(raw)
    foreign = []
    for name in target_files(fmt):
        path = raw / name
        if path.exists() and (name not in manifest or _sha256(path) != manifest[name]):
            foreign.append(name)
    if foreign:
        raise SimulationError(
            f"refusing to overwrite {', '.join(foreign)} in {raw}: not written by "
            f"'evaluation simulate' (absent from {MANIFEST} or changed since). Nothing was "
            "written; choose another --raw folder or move these files away."
        )
    return manifest


def write_simulation(
    raw_dir: Path | str, params: SimulationParameters | None = None, *, fmt: str = "csv"
) -> dict[str, Any]:
    """Simulate and write the raw files, codebook, truth and manifest into ``raw_dir``.

    The firm-year panel is generated and streamed in chunks of ``params.chunk_firms`` firms,
    so registry-sized panels fit in memory. Every file is written to a temporary name and
    renamed only when all succeeded; files of an earlier simulation (unchanged) that this
    format does not write are removed, so the folder never mixes two simulations.
    Returns the truth.
    """
    params = params or SimulationParameters()
    params.check()
    raw = Path(raw_dir)
    raw.mkdir(parents=True, exist_ok=True)
    manifest = check_writable(raw, fmt)
    targets = target_files(fmt)
    tmp = {name: raw / f".{name}.tmp-{os.getpid()}" for name in (*targets, MANIFEST)}
    try:
        run = _Run(params)
        ids = run.firms["firm_id"].to_numpy()
        static = {
            "firms": run.firms_table(),
            "links": run.links_table(),
            "organizations": dict(run.organizations.items()),
            "prices": dict(run.prices.items()),
        }
        for table, data in static.items():
            w = _TableWriter(table, tmp[f"{table}.{fmt}"], fmt)
            w.write(data)
            w.close()
        w = _TableWriter("firm_years", tmp[f"firm_years.{fmt}"], fmt)
        for chunk in run.chunks():
            w.write(_panel_table(chunk, ids))
        w.close()
        book = simulated_codebook()
        book.to_csv(tmp[CODEBOOK], index=False, lineterminator="\n", encoding="utf-8")
        truth = run.truth()
        tmp[TRUTH].write_text(
            json.dumps(truth, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8",
            newline="\n",
        )
        hashes = {name: _sha256(tmp[name]) for name in targets}
        record = {
            "files": hashes,
            "note": "files written by 'evaluation simulate'; it overwrites only files listed "
            "here with this sha256",
            "seed": params.seed,
        }
        tmp[MANIFEST].write_text(
            json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8", newline="\n"
        )
        for name in targets:
            os.replace(tmp[name], raw / name)
        for name, digest in sorted(manifest.items()):
            stale = raw / name
            if name not in targets and stale.exists() and _sha256(stale) == digest:
                stale.unlink()
        os.replace(tmp[MANIFEST], raw / MANIFEST)
    finally:
        for path in tmp.values():
            path.unlink(missing_ok=True)
    return truth


# --------------------------------------------------------------------------------------------
# command line


def _parse_years(text: str) -> tuple[int, int]:
    try:
        first, last = (int(x) for x in str(text).split("-"))
    except ValueError as err:
        raise SimulationError(f"--years {text!r}: expected FIRST-LAST, e.g. 2014-2020") from err
    return first, last


def command(args: Any, settings: Any) -> int:
    """``evaluation simulate``: write the simulated raw data; exit status 0 on success."""
    import sys

    try:
        first, last = _parse_years(args.years)
        params = SimulationParameters(
            seed=settings.analysis.seed if args.seed is None else args.seed,
            participants=args.participants,
            comparison=args.comparison,
            first_year=first,
            last_year=last,
            base_year=settings.analysis.base_year,
            attrition=not args.no_attrition,
        )
        raw = Path(args.raw) if args.raw else settings.path("raw")
        truth = write_simulation(raw, params, fmt=args.format)
    except (SimulationError, OSError) as err:
        print(f"evaluation simulate: error: {err}", file=sys.stderr)
        return 2
    est = truth["estimands"]["log_labor_productivity"]
    print(
        f"wrote {truth['design']['firms']} firms x {len(params.years)} years "
        f"({truth['design']['participants']} participants, {truth['design']['comparison']} "
        f"comparison) to {raw} (seed {params.seed}); true overall ATT on log labor "
        f"productivity {est['overall']['att']:.4f}"
    )
    return 0
