"""`evaluation publish` publishes only complete runs: every job ok or up to date, the data
manifest the RUN recorded still verifying, every final report with its PDF. One line per
problem and exit 2; --allow-incomplete marks the bundle INCOMPLETE. Built on a hand-made run
folder (no kernels): the checks read only the manifests and files."""

from __future__ import annotations

import hashlib
import json
import zipfile
from argparse import Namespace
from pathlib import Path

import pytest

from evaluation.pipeline import publish
from evaluation.pipeline.cache import data_hash


def _sha(path: Path) -> dict:
    data = path.read_bytes()
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def _run(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A complete run: raw -> processed (with data manifest) -> reports with a final report."""
    raw, processed, reports = tmp_path / "raw", tmp_path / "processed", tmp_path / "reports"
    for folder in (raw, processed, reports / "07_final"):
        folder.mkdir(parents=True)
    (raw / "firms.csv").write_text("firm_id,cohort\na,2016\n")
    (processed / "panel.parquet").write_bytes(b"PAR1 not really parquet PAR1")
    (processed / "data_manifest.json").write_text(json.dumps({
        "raw": str(raw), "code": {}, "inputs": {"firms.csv": _sha(raw / "firms.csv")},
        "outputs": {"panel.parquet": _sha(processed / "panel.parquet")},
    }))  # fmt: skip
    jobs = [{"job": "03_x__y__all", "notebook": "03_x", "status": "cached", "final": False,
             "page": "03_x/03_x__y__all.html", "stage": 1}]  # fmt: skip
    for lang in ("en", "es"):
        page = reports / "07_final" / f"07_final__{lang}.html"
        page.write_text(f"<html>{lang}</html>")
        page.with_suffix(".pdf").write_bytes(b"%PDF-1.7 " + lang.encode())
        jobs.append({"job": f"07_final__{lang}", "notebook": "07_final", "status": "ok",
                     "final": True, "page": f"07_final/07_final__{lang}.html", "stage": 2})  # fmt: skip
    (reports / "estimates.csv").write_text("job,term\n")
    manifest = {
        "schema": "evaluation-run-manifest/2", "created": "2024-01-01T00:00:00Z",
        "partial": False, "complete": True, "program": {"name": "Test Scheme", "slug": "test-scheme"},
        "inputs": {"processed_dir": str(processed), "raw_dir": str(raw),
                   "data": data_hash(processed)},
        "jobs": jobs,
    }  # fmt: skip
    (reports / "run_manifest.json").write_text(json.dumps(manifest))
    return raw, processed, reports


def _edit_manifest(reports: Path, **changes) -> None:
    path = reports / "run_manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))


def _settings(tmp_path: Path):
    from evaluation.config import load_settings

    (tmp_path / "root" / "config").mkdir(parents=True, exist_ok=True)
    (tmp_path / "root" / "config" / "evaluation.yml").write_text("program: {name: Test Scheme}\n")
    return load_settings(root=tmp_path / "root")


def _publish(tmp_path, reports, capsys, **kw) -> tuple[int, list[str]]:
    args = Namespace(reports=reports, out=tmp_path / "dist", allow_incomplete=False, **kw)
    rc = publish.command(args, _settings(tmp_path))
    return rc, [line for line in capsys.readouterr().err.splitlines() if line]


def test_a_complete_run_is_published_under_the_programmes_name(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1704067200")  # 2024-01-01
    _, _, reports = _run(tmp_path)
    rc, err = _publish(tmp_path, reports, capsys)
    assert rc == 0 and err == []
    archive = tmp_path / "dist" / "test-scheme-evaluation-20240101.zip"
    with zipfile.ZipFile(archive) as zf:
        root = "test-scheme-evaluation-20240101/"
        names = set(zf.namelist())
        for want in ("reports/07_final/07_final__en.pdf", "reports/07_final/07_final__es.html",
                     "data_manifest.json", "run_manifest.json", "bundle.json", "SHA256SUMS"):  # fmt: skip
            assert root + want in names
        bundle = json.loads(zf.read(root + "bundle.json"))
    assert bundle["status"] == "complete" and bundle["problems"] == []
    assert bundle["program"]["name"] == "Test Scheme" and "draft" not in bundle


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (lambda raw, proc, rep: _set_status(rep, "03_x__y__all", "failed", "cell [3] raised X"),
         "job 03_x__y__all is failed: cell [3] raised X"),
        (lambda raw, proc, rep: _set_status(rep, "03_x__y__all", "not run", "not selected"),
         "job 03_x__y__all is not run: not selected"),
        (lambda raw, proc, rep: _set_status(rep, "03_x__y__all", "stale", "data changed"),
         "job 03_x__y__all is stale"),
        (lambda raw, proc, rep: (rep / "07_final" / "07_final__es.pdf").unlink(),
         "final report PDF"),
        (lambda raw, proc, rep: (proc / "panel.parquet").write_bytes(b"changed"),
         "data changed since prepare"),
        (lambda raw, proc, rep: (raw / "firms.csv").write_text("firm_id,cohort\nb,\n"),
         "input firms.csv: content changed"),
        (lambda raw, proc, rep: _edit_manifest(rep, partial=True), "did not finish"),
    ],
)  # fmt: skip
def test_an_incomplete_run_is_refused_with_one_line_each(tmp_path, capsys, break_it, expected):
    raw, processed, reports = _run(tmp_path)
    break_it(raw, processed, reports)
    rc, err = _publish(tmp_path, reports, capsys)
    assert rc == 2
    problems = [line for line in err if line.startswith("error: cannot publish: ")]
    assert len(problems) >= 1 and any(expected in line for line in problems), err
    assert all("Traceback" not in line for line in err)
    assert not (tmp_path / "dist").exists()


def _set_status(reports: Path, job_id: str, status: str, reason: str) -> None:
    path = reports / "run_manifest.json"
    manifest = json.loads(path.read_text())
    for job in manifest["jobs"]:
        if job["job"] == job_id:
            job.update(status=status, reason=reason, error=reason if "fail" in status else "")
    path.write_text(json.dumps(manifest))


def test_the_data_manifest_checked_is_the_runs_not_the_configured_one(tmp_path, capsys):
    raw, processed, reports = _run(tmp_path)
    # the configured processed folder (the settings' default) does not exist at all: irrelevant
    rc, _ = _publish(tmp_path, reports, capsys)
    assert rc == 0
    # the run's processed folder re-prepared from other data: the run is no longer its output
    (processed / "panel.parquet").write_bytes(b"new panel")
    manifest = json.loads((processed / "data_manifest.json").read_text())
    manifest["outputs"]["panel.parquet"] = _sha(processed / "panel.parquet")
    (processed / "data_manifest.json").write_text(json.dumps(manifest))
    rc, err = _publish(tmp_path, reports, capsys)
    assert rc == 2 and any("not those the run read" in line for line in err)


def test_allow_incomplete_marks_the_bundle_and_records_a_draft(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1704067200")
    _, _, reports = _run(tmp_path)
    _set_status(reports, "03_x__y__all", "failed", "boom")
    _edit_manifest(reports, draft=True)
    rc, _ = _publish(tmp_path, reports, capsys)
    assert rc == 2  # not forced: refused
    args = Namespace(reports=reports, out=tmp_path / "dist", allow_incomplete=True)
    assert publish.command(args, _settings(tmp_path)) == 0
    assert "INCOMPLETE" in capsys.readouterr().out
    name = "test-scheme-evaluation-20240101-INCOMPLETE"
    with zipfile.ZipFile(tmp_path / "dist" / f"{name}.zip") as zf:
        bundle = json.loads(zf.read(f"{name}/bundle.json"))
    assert bundle["status"] == "INCOMPLETE" and bundle["draft"] is True
    assert bundle["problems"] == ["job 03_x__y__all is failed: boom"]
