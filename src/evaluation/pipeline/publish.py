"""``evaluation publish``: one dated archive of the final reports, tables and manifests.

For deposit (a data repository, the donor): the final reports (HTML and PDF, every language),
``estimates.parquet``/``.csv``, ``values.json``, the run manifest and the data manifest, plus a
``SHA256SUMS`` file in the format ``sha256sum -c`` reads. The archive is reproducible: entries
in sorted order, fixed timestamps and permissions, so the same reports give the same bytes.
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evaluation.pipeline.cache import atomic_write_bytes, sha256_bytes
from evaluation.pipeline.manifest import read_manifest

PREFIX = "promipyme-evaluation"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest ZIP time: no build time in the bytes
TABLES = ("estimates.parquet", "estimates.csv", "values.json", "run_manifest.json", "index.html")


def archive_date() -> str:
    """YYYYMMDD of today (UTC), or of ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return when.strftime("%Y%m%d")


def collect_files(reports: Path, processed: Path | None = None) -> dict[str, Path]:
    """Archive name -> file: the final reports (HTML, PDF), tables and manifests."""
    reports = Path(reports)
    manifest = read_manifest(reports)
    files: dict[str, Path] = {}
    finals = [j for j in manifest.get("jobs", []) if j.get("final")]
    if not finals:
        raise ValueError(f"{reports / 'run_manifest.json'}: no final report job in this run")
    problems = []
    for job in finals:
        if job.get("status") not in ("ok", "cached") or not job.get("page"):
            problems.append(f"{job['job']} ({job.get('status')})")
            continue
        page = reports / job["page"]
        files[f"reports/{job['page']}"] = page
        pdf = page.with_suffix(".pdf")
        if pdf.is_file():
            files[f"reports/{Path(job['page']).with_suffix('.pdf').as_posix()}"] = pdf
        else:
            problems.append(f"{job['job']}: PDF missing (run `evaluation report`)")
    if problems:
        raise ValueError("cannot publish: final reports not ready: " + "; ".join(problems))
    for name in TABLES:
        if (reports / name).is_file() and name != "index.html":
            files[name] = reports / name
    if processed is not None and (Path(processed) / "data_manifest.json").is_file():
        files["data_manifest.json"] = Path(processed) / "data_manifest.json"
    return dict(sorted(files.items()))


def build_archive(files: dict[str, Path], root_name: str) -> bytes:
    """A deterministic ZIP: sorted entries under ``root_name/``, fixed times, SHA256SUMS."""
    sums = []
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, path in sorted(files.items()):
            data = Path(path).read_bytes()
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


def publish(reports: Path, out: Path, processed: Path | None = None) -> Path:
    """Write ``out/promipyme-evaluation-YYYYMMDD.zip`` and its ``.sha256``; return its path."""
    root_name = f"{PREFIX}-{archive_date()}"
    data = build_archive(collect_files(reports, processed), root_name)
    target = Path(out) / f"{root_name}.zip"
    atomic_write_bytes(target, data)
    atomic_write_bytes(
        target.with_suffix(".zip.sha256"), f"{sha256_bytes(data)}  {target.name}\n".encode()
    )
    return target


def command(args: Any, settings: Any) -> int:
    """``evaluation publish [--reports DIR] [--out DIR]``."""
    value = getattr(args, "reports", None)
    reports = Path(value).resolve() if value else settings.path("reports")
    out = getattr(args, "out", None)
    out = Path(out).resolve() if out else settings.root / "dist"
    try:
        target = publish(reports, out, settings.path("processed"))
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"published {target}")
    return 0
