"""Provenance of a run and the run manifest (``reports/run_manifest.json``).

Every page states where its numbers came from, and the manifest records, for every job, its
parameters, input hashes, output hash, timing and status, plus the software versions and the
data hashes (the gslab_make habit of logging the state of the repository and its inputs).
Outside a git checkout, provenance falls back to the package version and a hash of its
source, so a deposited copy can still be matched to the code that produced it.
"""

from __future__ import annotations

import json
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from evaluation.pipeline.cache import atomic_write_text, package_source_hash, sha256_file

KEY_PACKAGES = (
    "evaluation",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "linearmodels",
    "pyfixest",
    "matplotlib",
    "seaborn",
    "pyarrow",
    "papermill",
    "nbconvert",
    "jupytext",
)
MANIFEST = "run_manifest.json"
SCHEMA = "evaluation-run-manifest/2"
# Statuses of a job in the run manifest; only the first two count as succeeded.
SUCCEEDED = ("ok", "cached")


def package_versions() -> dict[str, str]:
    """Python and the key libraries' installed versions."""
    out = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_state(root: Path) -> dict[str, Any] | None:
    """The checkout's commit and whether tracked files differ from it; None outside git."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True, timeout=20,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": bool(dirty)}


def data_hashes(processed: Path) -> dict[str, str]:
    """SHA-256 of the processed data, as recorded by ``prepare``'s data manifest.

    Reads ``data_manifest.json`` and lists every entry that carries a ``sha256`` (whatever
    nesting the manifest uses), plus the manifest's own hash; without a manifest, hashes the
    Parquet files directly.
    """
    processed = Path(processed)
    manifest = processed / "data_manifest.json"
    out: dict[str, str] = {}
    if manifest.is_file():
        out["data_manifest.json"] = sha256_file(manifest)
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return out
        _collect_sha(data, "", out)
        return out
    for path in sorted(processed.glob("*.parquet")):
        out[path.name] = sha256_file(path)
    return out


def _collect_sha(node: Any, prefix: str, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("sha256"), str):
            name = node.get("path") or node.get("file") or node.get("name") or prefix
            out[str(name)] = node["sha256"]
            return
        for key, value in node.items():
            if key in ("code", "pseudonym_key"):  # code version, key fingerprint: not data
                continue
            _collect_sha(value, f"{prefix}/{key}" if prefix else str(key), out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _collect_sha(value, f"{prefix}[{i}]", out)


def provenance(root: Path, processed: Path) -> dict[str, Any]:
    """What every page and the manifest state about the code, data and software."""
    from evaluation import __version__

    state = git_state(root)
    out: dict[str, Any] = {"package_version": __version__, "source_sha256": package_source_hash()}
    if state:
        out["commit"] = state["commit"] + (" (uncommitted changes)" if state["dirty"] else "")
    else:
        out["commit"] = "no git checkout: see package_version and source_sha256"
    lock = Path(root) / "requirements.lock"
    if lock.is_file():
        out["requirements_lock_sha256"] = sha256_file(lock)
    out["data"] = data_hashes(processed)
    out["versions"] = package_versions()
    return out


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_manifest(reports: Path, manifest: dict[str, Any]) -> Path:
    """Write ``reports/run_manifest.json`` atomically (sorted keys: diffable between runs)."""
    path = Path(reports) / MANIFEST
    atomic_write_text(path, json.dumps({"schema": SCHEMA, **manifest}, indent=1, sort_keys=True))
    return path


def read_manifest(reports: Path) -> dict[str, Any]:
    """The run manifest of ``reports`` (FileNotFoundError naming the file when there is none)."""
    path = Path(reports) / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run `evaluation run` first")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err}); run `evaluation run` again") from err


def read_status(reports: Path | str) -> list[dict[str, Any]]:
    """Every job of the run with its status and why: for the final report and the index.

    Returns a list (pipeline order) of ``{"job", "notebook", "status", "reason", "stage",
    "final", "page", "succeeded"}``. ``status`` is ``ok`` (ran), ``cached`` (up to date),
    ``failed``, ``failed earlier``, ``stale``, ``not run`` or ``pending`` (a later stage still
    to run while the final report reads this); ``reason`` says why in one line (the first line
    of the error of a failed job). Read by reporting code, which may import only this reader.
    An empty list when the folder holds no run yet.
    """
    try:
        manifest = read_manifest(Path(reports))
    except FileNotFoundError:
        return []
    out = []
    for job in manifest.get("jobs", []):
        status = str(job.get("status", "not run"))
        reason = str(job.get("reason") or "")
        if status in ("failed", "failed earlier") and job.get("error"):
            lines = str(job["error"]).strip().splitlines()
            reason = lines[0] if lines else reason
        out.append(
            {
                "job": job.get("job"),
                "notebook": job.get("notebook"),
                "status": status,
                "reason": reason,
                "stage": job.get("stage", 1),
                "final": bool(job.get("final")),
                "page": job.get("page"),
                "succeeded": status in SUCCEEDED,
            }
        )
    return out
