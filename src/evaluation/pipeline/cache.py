"""Which jobs need to run: input fingerprints and the per-job success record.

A job's inputs are fingerprinted by component (the notebook source, its parameters, the
processed data, the ``evaluation`` package source, the settings, the lock, and for later
stages the estimates of earlier ones). Every attempt of a job runs in its own scratch folder
(``reports/.cache/<job>/attempt-*``, never shared or emptied by another attempt). Only when
every output a job must produce exists -- its page, ``estimates.jsonl`` (possibly empty) and
``values.jsonl`` -- are the records moved into ``reports/.cache/<job>/`` and
``success.json`` written (atomically, last) with the component hashes and the SHA-256 of each
output. A job is up to date when every component is unchanged and every output still has its
recorded hash, so a run cut off midway resumes with the jobs that had not finished, a partial
or edited output is run again rather than trusted, and the dry run can say *why* a job would
run (gslab_make's "log the state of the inputs" idea).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CACHE_DIR = ".cache"
SUCCESS = "success.json"
ATTEMPT_PREFIX = "attempt-"
# The records every successful job leaves in its cache folder (besides its page).
RECORD_FILES = ("estimates.jsonl", "values.jsonl")
COMPONENT_LABELS = {
    "notebook": "notebook source changed",
    "parameters": "parameters changed",
    "data": "processed data changed",
    "package": "evaluation package source changed",
    "settings": "settings (config/evaluation.yml) changed",
    "lock": "requirements.lock changed",
    "upstream": "estimates of earlier stages changed",
    "runner": "job settings (kernel, time limit) changed",
    "title": "page title changed",
}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, streamed."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def sha256_json(value: Any) -> str:
    """SHA-256 of a value's canonical JSON (sorted keys), independent of dict order."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=True, default=str, allow_nan=True)
    return sha256_bytes(text.encode("utf-8"))


def sha256_tree(
    root: Path, patterns: Iterable[str] = ("**/*",), *, skip: Iterable[str] = ()
) -> str:
    """One hash over the relative names and contents of the files under ``root``."""
    root = Path(root)
    if not root.exists():
        return sha256_bytes(b"missing")
    skipped = set(skip)
    files = sorted(
        {
            p
            for pattern in patterns
            for p in root.glob(pattern)
            if p.is_file() and not (set(p.relative_to(root).parts) & skipped)
        }
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(sha256_file(path).encode() + b"\n")
    return digest.hexdigest()


def package_source_hash() -> str:
    """Hash of the installed ``evaluation`` package's Python source and resources."""
    import evaluation

    return sha256_tree(
        Path(evaluation.__file__).parent,
        ("**/*.py", "resources/**/*"),
        skip=("__pycache__",),
    )


def data_hash(processed: Path) -> str:
    """Hash of the processed data and the raw inputs it came from.

    Uses the SHA-256 entries of ``prepare``'s ``data_manifest.json`` (inputs and outputs),
    not the whole manifest, whose code section (commit, dirty flag) changes with every commit
    although the data do not. Without a manifest, hashes every file of the folder.
    """
    from evaluation.pipeline.manifest import data_hashes

    manifest = Path(processed) / "data_manifest.json"
    if manifest.is_file():
        hashes = data_hashes(processed)
        hashes.pop("data_manifest.json", None)
        if hashes:
            return sha256_json(hashes)
        return sha256_file(manifest)
    return sha256_tree(processed)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file through a temporary file and a rename, so readers never see half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; pages and tables are for readers
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def job_dir(reports: Path, job_id: str) -> Path:
    return Path(reports) / CACHE_DIR / job_id


def read_success(reports: Path, job_id: str) -> dict[str, Any] | None:
    """The job's last success record, or None (never run, or the record is unreadable)."""
    path = job_dir(reports, job_id) / SUCCESS
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, OSError):
        return None


def write_success(reports: Path, job_id: str, record: dict[str, Any]) -> None:
    atomic_write_text(
        job_dir(reports, job_id) / SUCCESS, json.dumps(record, indent=1, sort_keys=True)
    )


def clear_success(reports: Path, job_id: str) -> None:
    (job_dir(reports, job_id) / SUCCESS).unlink(missing_ok=True)


def new_attempt(reports: Path, job_id: str) -> Path:
    """A fresh scratch folder for one attempt of ``job_id`` (unique: no two attempts share it)."""
    folder = job_dir(reports, job_id)
    folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=ATTEMPT_PREFIX, dir=folder))


def output_hashes(reports: Path, job_id: str, page: Path) -> dict[str, str | None]:
    """SHA-256 of a job's outputs as they are now (None for a missing one)."""
    folder = job_dir(reports, job_id)
    paths = {"page": Path(page), **{name: folder / name for name in RECORD_FILES}}
    return {k: sha256_file(p) if p.is_file() else None for k, p in paths.items()}


def output_problems(
    previous: dict[str, Any] | None, reports: Path, job_id: str, page: Path
) -> list[str]:
    """Outputs of a recorded success that are missing or changed since (empty: all verified).

    A record without output hashes (written by an older runner) verifies nothing and is
    treated as partial.
    """
    if previous is None:
        return ["never run successfully"]
    recorded = previous.get("outputs")
    if not isinstance(recorded, dict):
        recorded = {"page": previous.get("page_sha256")}
        problems = ["outputs not recorded (older cache)"]
    else:
        problems = []
    now = output_hashes(reports, job_id, page)
    for name in ("page", *RECORD_FILES):
        label = "page" if name == "page" else name
        if now[name] is None:
            problems.append(f"{label} missing")
        elif recorded.get(name) != now[name]:
            problems.append(f"{label} modified since the last run")
    return problems


def verified_success(reports: Path, job_id: str, page: Path) -> dict[str, Any] | None:
    """The job's success record when every output still matches it, else None."""
    record = read_success(reports, job_id)
    if record is None or output_problems(record, reports, job_id, page):
        return None
    return record


def staleness(
    components: dict[str, str],
    previous: dict[str, Any] | None,
    page: Path,
    *,
    reports: Path | None = None,
    job_id: str | None = None,
) -> list[str]:
    """Why a job must run; an empty list means it is up to date.

    ``components`` are the current input hashes; ``previous`` the last success record;
    ``page`` the job's HTML page. With ``reports`` and ``job_id`` every recorded output (page,
    estimates, values) must still exist with its recorded hash; without them only the page.
    """
    if previous is None:
        return ["never run successfully"]
    old = previous.get("components", {})
    reasons = [
        COMPONENT_LABELS.get(name, f"{name} changed")
        for name, value in components.items()
        if old.get(name) != value
    ]
    if reports is not None and job_id is not None:
        return reasons + output_problems(previous, reports, job_id, page)
    if not page.is_file():
        reasons.append("page missing")
    elif sha256_file(page) != previous.get("page_sha256"):
        reasons.append("page modified since the last run")
    return reasons
