"""What a notebook hands back to the pipeline: estimates and named scalars.

A notebook calls ``record(result, label=...)`` for every estimate it wants in the run's
estimates table, and ``record_value(name, value)`` for a scalar the final report reads. When
the notebook runs under ``evaluation run`` the runner sets ``EVALUATION_RECORD_DIR`` (a
per-job folder) and ``EVALUATION_JOB`` (the job's id, notebook and parameters, as JSON) in the
kernel's environment; the records are appended there and collected by the runner into
``reports/estimates.parquet`` / ``.csv`` and ``reports/values.json``. In an interactive session
(JupyterLab, a hand-run papermill) nothing is written: the functions return what they would
have recorded, so the notebook behaves the same.

The record is JSON lines (one estimate per line), an append-only text format: a job killed
half-way leaves whole lines, and the runner only collects records of jobs that succeeded.

Example
-------
>>> from evaluation.pipeline import record, record_value
>>> record(twfe_result, label="TWFE, CRV1 by stratum")     # doctest: +SKIP
>>> record_value("n_participants", 260)                      # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

RECORD_DIR_ENV = "EVALUATION_RECORD_DIR"
JOB_ENV = "EVALUATION_JOB"
ESTIMATES_FILE = "estimates.jsonl"
VALUES_FILE = "values.jsonl"

# Columns every collected estimate carries before the tidy ones (the job's identity).
JOB_COLUMNS = ["notebook", "job", "label", "estimator", "outcome_variable", "nobs", "vcov_type"]

# Parameters set by ``parameters.check`` for a hand-run notebook (no runner environment).
_session: dict[str, Any] = {"notebook": "", "job": "", "parameters": {}}


def _job() -> dict[str, Any]:
    """The current job's identity: from the runner's environment, else from ``check``."""
    raw = os.environ.get(JOB_ENV)
    if raw:
        try:
            job = json.loads(raw)
        except json.JSONDecodeError as err:  # set by the runner; a broken value is a bug
            raise RuntimeError(f"{JOB_ENV} is not valid JSON: {err}") from err
        return {
            "notebook": job.get("notebook", ""),
            "job": job.get("job", ""),
            "parameters": dict(job.get("parameters", {})),
        }
    return {
        "notebook": _session["notebook"],
        "job": _session["job"],
        "parameters": dict(_session["parameters"]),
    }


def set_session(notebook: str, parameters: Mapping[str, Any]) -> None:
    """Remember a hand-run notebook's name and parameters (called by ``parameters.check``)."""
    _session["notebook"] = notebook
    _session["job"] = ""
    _session["parameters"] = {k: v for k, v in parameters.items() if _scalar(v)}


def _record_dir() -> Path | None:
    raw = os.environ.get(RECORD_DIR_ENV)
    return Path(raw) if raw else None


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool | int | float)


def _plain(value: Any) -> Any:
    """A JSON-safe Python value (numpy scalars unwrapped, NaN kept as None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else value
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _append(name: str, rows: list[dict[str, Any]]) -> None:
    folder = _record_dir()
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, sort_keys=False, ensure_ascii=False) + "\n")


def record(
    result: Any,
    *,
    label: str = "",
    **extra: Any,
) -> pd.DataFrame:
    """Add an estimate's tidy table, with the job's parameters, to the run's estimates table.

    Parameters
    ----------
    result : an :class:`~evaluation.estimators.results.EstimationResult` (its ``tidy()`` is
        recorded with ``estimator``, ``outcome``, ``nobs`` and ``vcov_type``) or a DataFrame
        that already has the tidy columns ``term, estimate, std_error, ...``.
    label : a short description shown in tables ("TWFE, CRV1 by stratum"); it should be unique
        within a notebook so that estimates can be told apart.
    **extra : scalar columns to add to every row (e.g. ``specification="covariates"``).

    Returns
    -------
    The rows as recorded (job identity, parameters, tidy columns), also in interactive use.
    """
    from evaluation.estimators.results import TIDY_COLUMNS, EstimationResult

    if isinstance(result, EstimationResult):
        tidy = result.tidy()
        meta = {
            "estimator": result.estimator,
            "outcome_variable": result.outcome,
            "nobs": int(result.nobs),
            "vcov_type": result.vcov_type,
        }
    elif isinstance(result, pd.DataFrame):
        tidy = result.copy()
        missing = [c for c in TIDY_COLUMNS if c not in tidy.columns]
        if missing:
            raise ValueError(
                f"record(label={label!r}): the table lacks the tidy columns {missing}; "
                f"expected at least {TIDY_COLUMNS}"
            )
        meta = {"estimator": "", "outcome_variable": "", "nobs": None, "vcov_type": ""}
    else:
        raise TypeError(
            f"record(label={label!r}) takes an EstimationResult or a tidy DataFrame, "
            f"not {type(result).__name__}"
        )
    for key, value in extra.items():
        if not _scalar(_plain(value)):
            raise TypeError(f"record(): extra column {key!r} must be a scalar, got {value!r}")
    job = _job()
    head = {"notebook": job["notebook"], "job": job["job"], "label": label, **meta}
    params = {f"param_{k}": _plain(v) for k, v in job["parameters"].items()}
    rows = []
    for row in tidy.to_dict(orient="records"):
        body = {str(k): _plain(v) for k, v in row.items()}
        rows.append({**head, **params, **{k: _plain(v) for k, v in extra.items()}, **body})
    _append(ESTIMATES_FILE, rows)
    return pd.DataFrame(rows)


def record_value(name: str, value: Any) -> Any:
    """Record a named scalar (a count, a share, a test statistic) for the final report.

    ``value`` must be JSON-serialisable after unwrapping numpy scalars: a number, a string, a
    boolean, None, or a list/dict of those. Returns ``value`` unchanged.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"record_value(): name must be a non-empty string, got {name!r}")
    plain = _plain(value)
    if isinstance(plain, list | tuple):
        plain = [_plain(v) for v in plain]
    elif isinstance(plain, dict):
        plain = {str(k): _plain(v) for k, v in plain.items()}
    try:
        json.dumps(plain)
    except TypeError as err:
        raise TypeError(f"record_value({name!r}): value is not JSON-serialisable: {err}") from err
    job = _job()
    _append(
        VALUES_FILE,
        [
            {
                "notebook": job["notebook"],
                "job": job["job"],
                "parameters": {k: _plain(v) for k, v in job["parameters"].items()},
                "name": name,
                "value": plain,
            }
        ],
    )
    return value


def read_job_records(folder: Path) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Read one job's records (what the runner collects): estimates and values."""
    rows: list[dict[str, Any]] = []
    values: list[dict[str, Any]] = []
    est = folder / ESTIMATES_FILE
    if est.is_file():
        for n, line in enumerate(est.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise ValueError(f"{est}: line {n} is not valid JSON ({err})") from err
    val = folder / VALUES_FILE
    if val.is_file():
        for line in val.read_text(encoding="utf-8").splitlines():
            if line.strip():
                values.append(json.loads(line))
    return pd.DataFrame(rows), values


def load_estimates(reports_dir: Path | str) -> pd.DataFrame:
    """The run's estimates table (``reports/estimates.parquet``) for the final report."""
    path = Path(reports_dir) / "estimates.parquet"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist: run `evaluation run` first (the final report reads the "
            "estimates of the other notebooks)"
        )
    return pd.read_parquet(path)


def load_values(reports_dir: Path | str) -> pd.DataFrame:
    """Every recorded scalar (``reports/values.json``): notebook, job, parameters, name, value."""
    path = Path(reports_dir) / "values.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run `evaluation run` first")
    data = json.loads(path.read_text(encoding="utf-8"))
    return pd.DataFrame(data, columns=["notebook", "job", "parameters", "name", "value"])
