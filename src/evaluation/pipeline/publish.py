"""``evaluation publish``: one dated archive of a complete run, for deposit.

The archive holds the final reports (page HTML, document PDF, DOCX and HTML, every language), ``estimates.parquet`` /
``.csv``, ``values.json``, the run manifest, the data manifest the run used and a
``bundle.json`` (what was published, from which run, complete or not), plus a ``SHA256SUMS``
file in the format ``sha256sum -c`` reads. It is reproducible: entries in sorted order, fixed
timestamps and permissions, so the same reports give the same bytes.

Only a complete run is published. Every job must have succeeded in the run (``ok``) or be up
to date (``cached``); the data manifest the *run* recorded must still verify (its inputs and
outputs hash as recorded, and they are the data the run read); every final report needs its
PDF. Each problem is one line; ``--allow-incomplete`` publishes anyway with ``INCOMPLETE`` in
the archive's name and in ``bundle.json``. The archive is named after the programme of the
run's settings (``settings.program.slug``), never a name in this code.
"""

from __future__ import annotations

import io
import json
import os
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evaluation.pipeline import site
from evaluation.pipeline.cache import atomic_write_bytes, data_hash, sha256_bytes
from evaluation.pipeline.manifest import SUCCEEDED, read_manifest

SUFFIX = "evaluation"
INCOMPLETE = "INCOMPLETE"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest ZIP time: no build time in the bytes
TABLES = ("estimates.parquet", "estimates.csv", "values.json", "run_manifest.json")


class PublishRefused(ValueError):
    """The run is not publishable; ``problems`` holds one line per reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def archive_date() -> str:
    """YYYYMMDD of today (UTC), or of ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return when.strftime("%Y%m%d")


def _data_problems(manifest: dict[str, Any], root: Path | None) -> tuple[list[str], Path | None]:
    """Whether the data manifest the run recorded verifies; returns (problems, its path)."""
    inputs = manifest.get("inputs", {})
    folder = inputs.get("processed_dir")
    if not folder:
        return ["the run manifest records no processed data folder: run `evaluation run`"], None
    processed = Path(folder)
    data_manifest = processed / "data_manifest.json"
    if not data_manifest.is_file():
        return [f"data manifest {data_manifest} (used by the run) is missing"], None
    from evaluation.data.manifest import verify

    raw = inputs.get("raw_dir")
    try:
        changes, _ = verify(processed, Path(raw) if raw else None, root=root)
    except (OSError, KeyError, ValueError) as err:
        return [f"data manifest {data_manifest} cannot be verified: {err}"], data_manifest
    problems = [f"data changed since prepare ({data_manifest}): {c}" for c in changes]
    recorded = inputs.get("data")
    if recorded and data_hash(processed) != recorded:
        problems.append(
            f"the processed data in {processed} are not those the run read: "
            "run `evaluation run` again"
        )
    return problems, data_manifest


def check_run(
    reports: Path, root: Path | None = None
) -> tuple[dict[str, Any], list[str], dict[str, Path]]:
    """The run manifest, every reason not to publish it, and the files to bundle."""
    reports = Path(reports)
    manifest = read_manifest(reports)
    problems: list[str] = []
    files: dict[str, Path] = {}
    if manifest.get("partial"):
        problems.append("the run did not finish (its manifest is provisional): run it again")
    jobs = manifest.get("jobs", [])
    for job in jobs:
        status = job.get("status")
        if status not in SUCCEEDED:
            why = job.get("reason") or ""
            if status in ("failed", "failed earlier") and job.get("error"):
                lines = str(job["error"]).strip().splitlines()
                why = lines[0] if lines else why
            problems.append(f"job {job['job']} is {status}" + (f": {why}" if why else ""))
    finals = [j for j in jobs if j.get("final")]
    if not finals:
        problems.append(f"{reports / 'run_manifest.json'}: no final report job in this run")
    for job in finals:
        if job.get("status") not in SUCCEEDED or not job.get("page"):
            continue
        page = reports / job["page"]
        if not page.is_file():
            problems.append(f"final report {page} is missing: run `evaluation run`")
            continue
        files[f"reports/{job['page']}"] = page
        documents = site.document_paths(reports, job["page"])
        for path in documents.values():
            if path.is_file():
                files[f"reports/{path.relative_to(reports).as_posix()}"] = path
        if not documents["pdf"].is_file():
            problems.append(
                f"final report PDF {documents['pdf']} is missing: run `evaluation report` "
                "(the typst package of the lock prints it)"
            )
    for name in TABLES:
        if (reports / name).is_file():
            files[name] = reports / name
    data_problems, data_manifest = _data_problems(manifest, root)
    problems += data_problems
    if data_manifest is not None and data_manifest.is_file():
        files["data_manifest.json"] = data_manifest
    return manifest, problems, dict(sorted(files.items()))


def collect_files(reports: Path, processed: Path | None = None) -> dict[str, Path]:
    """Archive name -> file of a publishable run (:class:`PublishRefused` otherwise).

    ``processed`` is ignored: the data manifest is the one the run recorded.
    """
    _, problems, files = check_run(reports)
    if problems:
        raise PublishRefused(problems)
    return files


def build_archive(
    files: dict[str, Path], root_name: str, extra: dict[str, bytes] | None = None
) -> bytes:
    """A deterministic ZIP: sorted entries under ``root_name/``, fixed times, SHA256SUMS."""
    sums = []
    buf = io.BytesIO()
    blobs = {name: Path(path).read_bytes() for name, path in files.items()}
    blobs.update(extra or {})
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in sorted(blobs):
            data = blobs[name]
            sums.append(f"{sha256_bytes(data)}  {name}")
            _add(zf, f"{root_name}/{name}", data)
        _add(zf, f"{root_name}/SHA256SUMS", ("\n".join(sums) + "\n").encode())
    return buf.getvalue()


def _add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3  # unix, whatever the building machine
    zf.writestr(info, data)


def bundle_name(slug: str, *, incomplete: bool = False) -> str:
    """``<programme slug>-evaluation-YYYYMMDD`` (``-INCOMPLETE`` appended when forced)."""
    name = f"{slug}-{SUFFIX}-{archive_date()}"
    return f"{name}-{INCOMPLETE}" if incomplete else name


def _draft(manifest: dict[str, Any], reports: Path) -> bool | None:
    """A draft flag recorded by the run (manifest ``draft`` or a recorded value ``draft``)."""
    if "draft" in manifest:
        return bool(manifest["draft"])
    values = reports / "values.json"
    if values.is_file():
        try:
            for row in json.loads(values.read_text(encoding="utf-8")):
                if row.get("name") == "draft":
                    return bool(row.get("value"))
        except (json.JSONDecodeError, AttributeError):
            return None
    return None


def publish(
    reports: Path,
    out: Path,
    processed: Path | None = None,
    *,
    slug: str = "programme",
    allow_incomplete: bool = False,
    root: Path | None = None,
) -> Path:
    """Write ``out/<slug>-evaluation-YYYYMMDD.zip`` and its ``.sha256``; return its path.

    Raises :class:`PublishRefused` (one line per problem) unless the run is complete or
    ``allow_incomplete`` is set. ``processed`` is ignored (the run's data manifest is used).
    """
    reports = Path(reports)
    manifest, problems, files = check_run(reports, root)
    if problems and not allow_incomplete:
        raise PublishRefused(problems)
    root_name = bundle_name(slug, incomplete=bool(problems))
    bundle = {
        "bundle": root_name,
        "program": manifest.get("program", {}),
        "status": INCOMPLETE if problems else "complete",
        "problems": problems,
        "run_created": manifest.get("created"),
        "run_manifest_sha256": sha256_bytes(files["run_manifest.json"].read_bytes())
        if "run_manifest.json" in files
        else None,
    }
    draft = _draft(manifest, reports)
    if draft is not None:
        bundle["draft"] = draft
    extra = {"bundle.json": (json.dumps(bundle, indent=1, sort_keys=True) + "\n").encode()}
    data = build_archive(files, root_name, extra)
    target = Path(out) / f"{root_name}.zip"
    atomic_write_bytes(target, data)
    atomic_write_bytes(
        target.with_suffix(".zip.sha256"), f"{sha256_bytes(data)}  {target.name}\n".encode()
    )
    return target


def command(args: Any, settings: Any) -> int:
    """``evaluation publish [--reports DIR] [--out DIR] [--allow-incomplete]``: exit 2 when
    the run is not publishable (one line per reason)."""
    value = getattr(args, "reports", None)
    reports = Path(value).resolve() if value else settings.path("reports")
    out = getattr(args, "out", None)
    out = Path(out).resolve() if out else settings.root / "dist"
    allow = bool(getattr(args, "allow_incomplete", False))
    try:
        target = publish(
            reports, out, slug=settings.program.slug, allow_incomplete=allow, root=settings.root
        )
    except PublishRefused as err:
        for line in err.problems:
            print(f"error: cannot publish: {line}", file=sys.stderr)
        print(
            "error: nothing was published; fix the above or use --allow-incomplete",
            file=sys.stderr,
        )
        return 2
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if INCOMPLETE in target.name:
        print(f"published an INCOMPLETE run: {target}")
    else:
        print(f"published {target}")
    return 0
