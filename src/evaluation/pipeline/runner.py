"""``evaluation run``: the notebook pipeline of DESIGN.md section 7.

Expands ``config/pipeline.yml`` into jobs, skips those whose inputs are unchanged since their
last success, runs the rest in parallel (local processes, or a Dask cluster with
``--scheduler``), stage by stage, then collects every job's estimates into
``reports/estimates.parquet``/``.csv`` and its scalars into ``reports/values.json``, writes
``reports/run_manifest.json`` and ``reports/index.html``, and prints the final reports to PDF.
A failed job fails only itself: the run goes on and exits non-zero with a summary at the end.

The run is told only through the settings: outcome roles in ``config/pipeline.yml`` resolve
from ``settings.analysis``, every kernel gets the command's configuration
(``EVALUATION_ROOT``, the data and reports locations, ``EVALUATION_CONFIG`` for ``--config``)
and the effective settings are an input of every job's cache entry. Pages and records of jobs
no longer in the grid are removed, so ``reports/`` never shows results of another
configuration, and the estimates table holds only jobs whose recorded outputs verify.

Example
-------
``evaluation run --dry-run`` lists what would run and why; ``evaluation run --only
03_main_effects --force`` re-runs one notebook's jobs.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation.config import Settings
from evaluation.estimators.results import TIDY_COLUMNS
from evaluation.pipeline import cache
from evaluation.pipeline.jobs import Job, PipelineConfig, PipelineConfigError, load_pipeline, select
from evaluation.pipeline.manifest import provenance, read_manifest, utc_now, write_manifest
from evaluation.pipeline.parameters import allowed_outcomes
from evaluation.pipeline.record import JOB_COLUMNS, read_job_records

log = logging.getLogger("evaluation.pipeline")

ESTIMATES = "estimates"
VALUES = "values.json"


@dataclass
class RunOptions:
    """What ``evaluation run`` was asked to do (the CLI arguments, with defaults resolved)."""

    pipeline: Path
    reports: Path
    processed: Path
    raw: Path
    jobs: int = 1
    only: list[str] | None = None
    force: bool = False
    dry_run: bool = False
    scheduler: str | None = None
    pdf: bool = True
    progress: bool | None = None  # None: a bar when stderr is a terminal
    # Fingerprint of the evaluation package's source; None computes it. Tests freeze it so
    # that other people's edits to the source during a test session do not look like changes.
    package_hash: str | None = None
    config: Path | None = None  # --config: an explicit settings file, passed on to kernels
    out: Any = field(default=sys.stdout, repr=False)


def _emit(opts: RunOptions, text: str) -> None:
    print(text, file=opts.out, flush=True)


def _settings_hash(settings: Settings) -> str:
    return cache.sha256_json(settings.model_dump(mode="json", exclude={"root"}))


def job_components(
    job: Job, config: PipelineConfig, shared: dict[str, str], upstream: str | None
) -> dict[str, str]:
    """The input hashes that decide whether ``job`` is up to date (see :mod:`cache`)."""
    comps = {
        "notebook": cache.sha256_file(job.path) if job.path.is_file() else "missing",
        "parameters": cache.sha256_json(job.params),
        **shared,
        "runner": cache.sha256_json({"kernel": config.kernel, "time_limit": job.time_limit}),
        # The page header shows the title: a renamed entry renders its page again.
        "title": cache.sha256_json(job.title_for(job.params.get("language", "en"))),
    }
    if upstream is not None:
        comps["upstream"] = upstream
    return comps


def kernel_environment(settings: Settings, opts: RunOptions) -> dict[str, str]:
    """What every kernel needs to load the same settings as the command that started it."""
    env = {
        "EVALUATION_ROOT": str(settings.root),
        "EVALUATION_RAW": str(opts.raw),
        "EVALUATION_PROCESSED": str(opts.processed),
        "EVALUATION_REPORTS": str(opts.reports),
    }
    if opts.config is not None:
        env["EVALUATION_CONFIG"] = str(Path(opts.config).resolve())
    return env


def _spec(job: Job, opts: RunOptions, config: PipelineConfig, settings: Settings,
          prov: dict[str, Any], comps: dict[str, str]) -> dict[str, Any]:  # fmt: skip
    # The page header follows the page's language when the config gives a title in it.
    title = job.title_for(job.params.get("language", "en")) or job.notebook
    suffix = ", ".join(f"{k}={v}" for k, v in job.params.items() if k in job.grid_keys)
    return {
        "job": job.id,
        "notebook": job.notebook,
        "path": str(job.path),
        "params": job.params,
        "inject": {
            "processed_dir": str(opts.processed),
            "raw_dir": str(opts.raw),
            "reports_dir": str(opts.reports),
        },
        "env": kernel_environment(settings, opts) if hasattr(settings, "analysis") else None,
        "outcomes": list(allowed_outcomes(settings)) if hasattr(settings, "analysis") else None,
        "kernel": config.kernel,
        "time_limit": job.time_limit,
        "start_timeout": config.start_timeout,
        "cwd": str(config.notebooks_dir if config.notebooks_dir.is_dir() else settings.root),
        "root": str(settings.root),
        "reports": str(opts.reports),
        "page": str(job.output(opts.reports)),
        "provenance": prov,
        "title": f"{title} ({suffix})" if suffix else title,
        "toc": job.final,
        "components": comps,
    }


# --- collecting the estimates ------------------------------------------------------------
def _tidy_types(frame: pd.DataFrame) -> pd.DataFrame:
    """Give every column one Parquet type: numbers stay numbers, mixed columns become text."""
    numeric = set(TIDY_COLUMNS) - {"term"}
    for col in frame.columns:
        if col in numeric:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
            continue
        if frame[col].dtype != object:
            continue
        kinds = {
            type(v)
            for v in frame[col]
            if v is not None and not (isinstance(v, float) and np.isnan(v))
        }
        if kinds and kinds <= {int, float} and col not in ("term",):
            frame[col] = pd.to_numeric(frame[col])
        elif kinds and kinds != {str}:
            frame[col] = frame[col].map(lambda v: None if v is None else str(v))
    return frame


def collect(jobs: list[Job], reports: Path) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Every verified job's estimates (one tidy table) and recorded values, in job order.

    A job counts only when its success record exists and its page, estimates and values still
    have the recorded hashes (:func:`cache.verified_success`).
    """
    frames, values = [], []
    for job in jobs:
        if cache.verified_success(reports, job.id, job.output(reports)) is None:
            continue
        frame, vals = read_job_records(cache.job_dir(reports, job.id))
        if len(frame):
            frames.append(frame)
        values.extend(vals)
    if frames:
        table = pd.concat(frames, ignore_index=True, sort=False)
    else:
        table = pd.DataFrame(columns=[*JOB_COLUMNS, *TIDY_COLUMNS])
    params = sorted(c for c in table.columns if c.startswith("param_"))
    first = [c for c in JOB_COLUMNS if c in table.columns]
    tidy = [c for c in TIDY_COLUMNS if c in table.columns]
    rest = sorted(c for c in table.columns if c not in {*first, *params, *tidy})
    table = table[first + params + tidy + rest].astype(object).where(table.notna(), None)
    return _tidy_types(table.reset_index(drop=True)), values


def write_estimates(table: pd.DataFrame, values: list[dict[str, Any]], reports: Path) -> str:
    """Write estimates.parquet/.csv and values.json atomically; return a hash of their content."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), buf, compression="zstd")
    cache.atomic_write_bytes(reports / f"{ESTIMATES}.parquet", buf.getvalue())
    csv = table.to_csv(index=False, lineterminator="\n")
    cache.atomic_write_text(reports / f"{ESTIMATES}.csv", csv)
    text = json.dumps(values, indent=1, sort_keys=True, ensure_ascii=False)
    cache.atomic_write_text(reports / VALUES, text)
    return cache.sha256_bytes(csv.encode() + b"\0" + text.encode())


# --- the run --------------------------------------------------------------------------------
def _results(specs: list[dict[str, Any]], opts: RunOptions) -> Iterator[dict[str, Any]]:
    from evaluation.pipeline import executors

    if opts.scheduler:
        yield from executors.run_dask(specs, opts.scheduler)
    else:
        yield from executors.run_local(specs, max(1, opts.jobs))


def _progress(total: int, opts: RunOptions):
    tty = opts.progress if opts.progress is not None else sys.stderr.isatty()
    if not tty or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="job", file=sys.stderr, dynamic_ncols=True)


def run_pipeline(settings: Settings, opts: RunOptions) -> int:
    """Run the pipeline; return the exit status (0 when every selected job succeeded)."""
    t0 = time.monotonic()
    config = load_pipeline(opts.pipeline, root=settings.root, analysis=settings.analysis)
    selected = {j.id for j in select(config.jobs, opts.only)}
    reports = opts.reports
    reports.mkdir(parents=True, exist_ok=True)
    prov = provenance(settings.root, opts.processed)
    lock = settings.root / "requirements.lock"
    shared = {
        "data": cache.data_hash(opts.processed),
        "package": opts.package_hash or prov["source_sha256"],
        "settings": _settings_hash(settings),
        "lock": cache.sha256_file(lock) if lock.is_file() else "missing",
    }
    try:
        previous = {j["job"]: j for j in read_manifest(reports).get("jobs", [])}
    except (FileNotFoundError, json.JSONDecodeError):
        previous = {}
    entries: dict[str, dict[str, Any]] = {}
    failed: list[dict[str, Any]] = []
    stages = sorted({j.stage for j in config.jobs})
    upstream: str | None = None
    for stage in stages:
        stage_jobs = [j for j in config.jobs if j.stage == stage]
        if stage > stages[0]:
            # Later stages (the final report) read the estimates of the earlier ones.
            earlier = [j for j in config.jobs if j.stage < stage]
            table, values = collect(earlier, reports)
            # which earlier jobs succeeded is an input too: the final report lists failures
            done = {j.id: entries[j.id]["status"] in ("ok", "cached") for j in earlier}
            upstream = cache.sha256_bytes(
                table.to_csv(index=False).encode()
                + json.dumps(values, sort_keys=True).encode()
                + json.dumps(done, sort_keys=True).encode()
            )
            if not opts.dry_run:
                write_estimates(table, values, reports)
                # a provisional manifest: later stages read the earlier jobs' statuses
                # (manifest.read_status); it says "partial" until the run ends
                _write_run_manifest(settings, opts, config, entries, prov, shared, t0,
                                    partial=True)  # fmt: skip
        to_run: list[dict[str, Any]] = []
        for job in stage_jobs:
            comps = job_components(job, config, shared, upstream)
            page = job.output(reports)
            success = cache.read_success(reports, job.id)
            reasons = cache.staleness(comps, success, page, reports=reports, job_id=job.id)
            entry = {
                "job": job.id,
                "notebook": job.notebook,
                "notebook_path": _rel(job.path, settings.root),
                "title": job.title,
                "parameters": job.params,
                "stage": stage,
                "final": job.final,
                "page": job.relative_output(),
                "components": comps,
                "input_sha256": cache.sha256_json(comps),
            }
            if job.id not in selected:
                # Not part of this run: report what is known from the last one.
                old = previous.get(job.id, {})
                ok = success is not None and not cache.output_problems(
                    success, reports, job.id, page
                )
                last = "failed earlier" if old.get("status", "").startswith("failed") else "not run"
                entry.update(status="cached" if ok and not reasons else ("stale" if ok else last),
                             reason="not selected (--only)", duration=old.get("duration"),
                             page_sha256=old.get("page_sha256"), error=old.get("error", ""))  # fmt: skip
                if not page.is_file():
                    entry["page"] = None
            elif reasons or opts.force:
                why = ["--force"] if opts.force and not reasons else reasons
                entry.update(status="pending", reason="; ".join(why))
                to_run.append(_spec(job, opts, config, settings, prov, comps))
            else:
                old = previous.get(job.id, {})
                entry.update(status="cached", reason="up to date", duration=old.get("duration"),
                             page_sha256=cache.sha256_file(page), error="")  # fmt: skip
            entries[job.id] = entry
        if opts.dry_run:
            for job in stage_jobs:
                e = entries[job.id]
                verb = {"pending": "run ", "cached": "skip"}.get(e["status"], "skip")
                _emit(opts, f"{verb} {job.id}: {e['reason']}")
            continue
        bar = _progress(len(to_run), opts)
        for n, res in enumerate(_results(to_run, opts), start=1):
            entry = entries[res["job"]]
            entry.update(
                status=res["status"], duration=res.get("duration"), error=res.get("error", ""),
                error_cell=res.get("error_cell"), page_sha256=res.get("page_sha256"),
                started=res.get("started"),
            )  # fmt: skip
            if res["status"] != "ok":
                first = (res.get("error") or "failed").strip().splitlines()
                entry["reason"] = first[0] if first else "failed"
                failed.append(entry)
            else:
                entry["reason"] = f"ran ({entry.get('reason', '')})"
            if bar is not None:
                bar.set_postfix_str(f"{res['status']} {res['job']}"[:60])
                bar.update(1)
            else:
                _emit(opts, f"[{n}/{len(to_run)}] {res['status']:6} {res['job']} "
                            f"({res.get('duration', 0):.1f} s)")  # fmt: skip
        if bar is not None:
            bar.close()
    if opts.dry_run:
        n = sum(e["status"] == "pending" for e in entries.values())
        _emit(opts, f"dry run: {n} of {len(entries)} jobs would run")
        return 0
    removed = remove_orphans(reports, config.jobs)
    if removed:
        _emit(opts, f"removed {len(removed)} page(s) and record(s) of jobs no longer in the grid")
    table, values = collect(list(config.jobs), reports)
    write_estimates(table, values, reports)
    manifest = _write_run_manifest(settings, opts, config, entries, prov, shared, t0,
                                   removed=removed)  # fmt: skip
    from evaluation.pipeline import site

    pdf_errors: list[str] = []
    if opts.pdf:
        pdf_errors = site.print_finals(reports, out=opts.out)
    site.build_index(reports)
    counts = manifest["summary"]
    _emit(opts, f"{counts['ok']} ran, {counts['cached']} up to date, {counts['failed']} failed "
                f"({time.monotonic() - t0:.1f} s); index: {reports / 'index.html'}")  # fmt: skip
    if failed or pdf_errors:
        _emit(opts, "FAILED:")
        for e in failed:
            first = (e.get("error") or "").strip().splitlines()
            _emit(opts, f"  {e['job']}: {first[0] if first else 'failed'} -> {reports / e['page']}")
        for err in pdf_errors:
            _emit(opts, f"  PDF: {err}")
        return 1
    return 0


def _write_run_manifest(
    settings: Settings,
    opts: RunOptions,
    config: PipelineConfig,
    entries: dict[str, dict[str, Any]],
    prov: dict[str, Any],
    shared: dict[str, str],
    t0: float,
    *,
    partial: bool = False,
    removed: list[str] | None = None,
) -> dict[str, Any]:
    """Write ``run_manifest.json``: every job with its status and reason, and whether the run
    is complete (every job ok or up to date). ``partial``: written between stages."""
    jobs = [
        entries.get(j.id)
        or {
            "job": j.id, "notebook": j.notebook, "title": j.title, "parameters": j.params,
            "stage": j.stage, "final": j.final, "page": None, "status": "pending",
            "reason": "a later stage, still to run",
        }
        for j in config.jobs
    ]  # fmt: skip
    summary = _summary({j["job"]: j for j in jobs})
    manifest = {
        "created": utc_now(),
        "partial": partial,
        "program": {"name": settings.program.name, "slug": settings.program.slug},
        "complete": not partial and summary["jobs"] == summary["ok"] + summary["cached"],
        "pipeline": _rel(opts.pipeline, settings.root),
        "pipeline_sha256": cache.sha256_file(opts.pipeline),
        "settings_root": str(settings.root),
        "provenance": prov,
        "inputs": {**shared, "processed_dir": str(opts.processed), "raw_dir": str(opts.raw)},
        "executor": f"dask {opts.scheduler}" if opts.scheduler else f"local processes x{opts.jobs}",
        "jobs": jobs,
        "outputs": _output_hashes(opts.reports),
        "summary": summary,
        "removed": removed or [],
        "duration": round(time.monotonic() - t0, 3),
    }
    write_manifest(opts.reports, manifest)
    return manifest


def remove_orphans(reports: Path, jobs: tuple[Job, ...] | list[Job]) -> list[str]:
    """Delete pages (HTML, PDF) and cache records of jobs that are not in the grid any more.

    Only files the runner writes are touched: ``reports/<notebook>/<job>.html|.pdf`` and
    ``reports/.cache/<job>/``; tables, the manifest and anything else stay. Returns the
    relative paths removed.
    """
    from evaluation.pipeline.jobs import NAME_RE

    reports = Path(reports)
    keep_pages = {j.relative_output() for j in jobs}
    keep_ids = {j.id for j in jobs}
    removed: list[str] = []
    for folder in sorted(p for p in reports.iterdir() if p.is_dir()) if reports.is_dir() else []:
        if folder.name == cache.CACHE_DIR or not NAME_RE.match(folder.name):
            continue
        for path in sorted(folder.glob("*.html")) + sorted(folder.glob("*.pdf")):
            page = f"{folder.name}/{path.stem}.html"
            if page not in keep_pages:
                path.unlink(missing_ok=True)
                removed.append(f"{folder.name}/{path.name}")
        if not any(folder.iterdir()):
            folder.rmdir()
    cache_root = reports / cache.CACHE_DIR
    if cache_root.is_dir():
        for folder in sorted(p for p in cache_root.iterdir() if p.is_dir()):
            if folder.name not in keep_ids:
                import shutil

                shutil.rmtree(folder, ignore_errors=True)
                removed.append(f"{cache.CACHE_DIR}/{folder.name}/")
    return removed


def _rel(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _output_hashes(reports: Path) -> dict[str, str]:
    names = [f"{ESTIMATES}.parquet", f"{ESTIMATES}.csv", VALUES]
    return {n: cache.sha256_file(reports / n) for n in names if (reports / n).is_file()}


def _summary(entries: dict[str, dict[str, Any]]) -> dict[str, int]:
    statuses = [e["status"] for e in entries.values()]
    return {
        "jobs": len(statuses),
        "ok": statuses.count("ok"),
        "cached": statuses.count("cached"),
        "failed": statuses.count("failed"),
        "failed_earlier": statuses.count("failed earlier"),
        "not_run": statuses.count("not run") + statuses.count("stale"),
        "pending": statuses.count("pending"),
    }


def options_from_args(args: Any, settings: Settings) -> RunOptions:
    """Resolve the CLI arguments against the settings (absolute paths everywhere)."""
    root = settings.root

    def absolute(value: Path | None, default: Path) -> Path:
        path = Path(value) if value else default
        return (path if path.is_absolute() else Path.cwd() / path).resolve()

    raw_arg = getattr(args, "raw", None)
    return RunOptions(
        pipeline=absolute(getattr(args, "pipeline", None), root / "config" / "pipeline.yml"),
        reports=absolute(getattr(args, "reports", None), settings.path("reports")),
        processed=absolute(getattr(args, "processed", None), settings.path("processed")),
        raw=absolute(raw_arg, settings.path("raw")),
        jobs=int(args.jobs) if getattr(args, "jobs", None) is not None else (os.cpu_count() or 1),
        only=getattr(args, "only", None),
        force=bool(getattr(args, "force", False)),
        dry_run=bool(getattr(args, "dry_run", False)),
        scheduler=getattr(args, "scheduler", None),
        config=getattr(args, "config", None),
    )


def command(args: Any, settings: Settings) -> int:
    """``evaluation run``: see the module docstring. Exit status 1 when any job failed."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        opts = options_from_args(args, settings)
        if opts.jobs < 1:
            raise PipelineConfigError(f"--jobs must be at least 1, got {opts.jobs}")
        return run_pipeline(settings, opts)
    except PipelineConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
