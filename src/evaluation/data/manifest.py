"""The data manifest of data/processed, and ``evaluation verify`` that checks it.

``data_manifest.json`` records, for one ``prepare`` run, the sha256 and size of every input
file read and every output written, row counts, the settings that shape the outputs, the
pseudonym key's source and fingerprint (never the key), and the code version: package version,
git commit when available, and a hash of the ``evaluation.data`` sources (so a change to the
preparation code is visible even in an uncommitted working tree). It carries no timestamps, so
the same inputs and code give the same manifest -- the gslab_make habit of logging the state of
the code and of every input beside the output.

It also records ``contents``: what the data supplied and what was assumed -- tables and
model columns present (derived ones included), ``money`` ("real" when deflated, "nominal"
when used as reported), whether ``responded`` was supplied, the resolved ``years``, where each
outcome comes from (builtin, declared, column) and plain-language ``notes``. The analysis
layer reads it (:func:`evaluation.analysis.context.study_context`).

``verify`` re-hashes inputs and outputs and lists what changed: a reviewer's check that the
processed data came from these raw files with this code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluation import __version__
from evaluation.config import Settings

if TYPE_CHECKING:
    from evaluation.data.ingest import Mapping
    from evaluation.data.prepare import PseudonymKey
    from evaluation.data.validate import ValidationReport

MANIFEST = "data_manifest.json"
MANIFEST_VERSION = 1
DATA_CODE = Path(__file__).resolve().parent


def sha256_file(path: Path, *, block: int = 1 << 20) -> str:
    """sha256 of a file, read in 1 MB blocks (registry files do not fit in memory)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(block):
            digest.update(chunk)
    return digest.hexdigest()


def file_entry(path: Path, rows: int | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
    if rows is not None:
        entry["rows"] = int(rows)
    return entry


def data_code_hash() -> str:
    """sha256 over the names and bytes of ``src/evaluation/data/*.py`` (sorted)."""
    digest = hashlib.sha256()
    for path in sorted(DATA_CODE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def git_commit(root: Path) -> str | None:
    """The checked-out commit, with ``-dirty`` when tracked files differ; None outside git."""
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("-dirty" if dirty else "") if head else None


def code_version(root: Path) -> dict[str, Any]:
    return {
        "package": "evaluation",
        "version": __version__,
        "git_commit": git_commit(root),
        "data_code_sha256": data_code_hash(),
    }


def _display(path: Path, root: Path) -> str:
    """A path relative to the repository when inside it (manifests move with clones)."""
    path = Path(path).resolve()
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def build_manifest(
    *,
    raw: Path,
    staging: Path,
    report: ValidationReport,
    rows: dict[str, int],
    mapping: Mapping,
    settings: Settings,
    key: PseudonymKey,
    baseline_year: int,
) -> dict[str, Any]:
    """The manifest of a prepare run whose outputs sit in ``staging``."""
    root = settings.root
    inputs = {}
    for table, src in sorted(report.sources.items()):
        inputs[src.path.name] = {"table": table, **file_entry(src.path, report.rows.get(table))}
    if mapping.source is not None:
        inputs["column mapping"] = {
            "path": _display(mapping.source, root),
            **file_entry(mapping.source),
        }
    outputs = {f"{n}.parquet": file_entry(staging / f"{n}.parquet", rows[n]) for n in rows}
    contents = dict(report.contents)
    years = dict(contents.get("years") or {})
    years["baseline_year"] = baseline_year
    contents["years"] = years
    contents.pop("carried", None)
    return {
        "manifest_version": MANIFEST_VERSION,
        "code": code_version(root),
        "raw": _display(raw, root),
        "contents": contents,
        "settings": {
            "first_year": years.get("first_year"),
            "last_year": years.get("last_year"),
            "base_year": years.get("base_year"),
            "baseline_year": baseline_year,
            "winsorize": settings.preparation.winsorize.model_dump(),
        },
        "pseudonym_key": {"source": key.source, "fingerprint": key.fingerprint},
        "validation": {
            "errors": len(report.errors),
            "warnings": sorted({f"{w.rule}: {w.table}.{w.column}" for w in report.warnings}),
        },
        "inputs": inputs,
        "outputs": dict(sorted(outputs.items())),
    }


def write_json(data: dict, path: Path) -> None:
    """Stable JSON (sorted keys, fixed indentation, trailing newline)."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def read_manifest(processed: Path) -> dict[str, Any]:
    path = Path(processed) / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no data manifest; run `evaluation prepare` first")
    return json.loads(path.read_text(encoding="utf-8"))


def verify(
    processed: Path, raw: Path | None = None, *, root: Path | None = None
) -> tuple[list[str], list[str]]:
    """Compare files with the manifest: (changes, notes). Changes make verification fail.

    A change is an input or output whose hash or size differs, or that is missing. Notes are
    informational: files in processed/ the manifest does not list, a different code version.
    """
    processed = Path(processed)
    manifest = read_manifest(processed)
    root = root or Path.cwd()
    if raw is None:
        raw = Path(manifest["raw"])
        if not raw.is_absolute():
            raw = root / raw
    raw = Path(raw)
    changes: list[str] = []
    notes: list[str] = []

    def check(kind: str, name: str, path: Path, expected: dict) -> None:
        if not path.is_file():
            changes.append(f"{kind} {name}: missing ({path})")
            return
        digest = sha256_file(path)
        if digest != expected["sha256"]:
            size = path.stat().st_size
            changes.append(
                f"{kind} {name}: content changed (sha256 {expected['sha256'][:12]} -> "
                f"{digest[:12]}, {expected['bytes']} -> {size} bytes)"
            )

    for name, entry in manifest["inputs"].items():
        if "path" in entry:
            path = Path(entry["path"])
            path = path if path.is_absolute() else root / path
        else:
            path = raw / name
        check("input", name, path, entry)
    for name, entry in manifest["outputs"].items():
        check("output", name, processed / name, entry)
    listed = set(manifest["outputs"]) | {MANIFEST}
    for path in sorted(processed.iterdir()):
        if path.is_file() and path.name not in listed and not path.name.startswith("."):
            notes.append(f"untracked file in {processed}: {path.name}")
    current = data_code_hash()
    if manifest["code"].get("data_code_sha256") != current:
        notes.append("the data-preparation code changed since this manifest was written")
    return changes, notes


def command(args: argparse.Namespace, settings: Settings) -> int:
    """``evaluation verify [--raw DIR] [--processed DIR]``: 0 when nothing changed."""
    processed = args.processed or settings.path("processed")
    try:
        changes, notes = verify(processed, args.raw, root=settings.root)
    except FileNotFoundError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 2
    for line in changes:
        print(f"CHANGED {line}")
    for line in notes:
        print(f"NOTE {line}")
    if changes:
        print(f"Verification FAILED: {len(changes)} change(s) against {processed / MANIFEST}.")
        return 1
    print(f"Verification passed: inputs and outputs match {processed / MANIFEST}.")
    return 0


__all__ = [
    "MANIFEST",
    "build_manifest",
    "code_version",
    "command",
    "read_manifest",
    "sha256_file",
    "verify",
]
