"""A cache that cannot lie: own scratch folder per attempt, success only with every output,
outputs verified against their recorded hashes, partial jobs re-run and left out of tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.pipeline import cache, executors
from evaluation.pipeline.jobs import Job


def _spec(tmp_path: Path, job_id: str = "n__all") -> dict:
    reports = tmp_path / "reports"
    return {
        "job": job_id, "notebook": "n", "path": str(tmp_path / "n.py"), "params": {"sample": "all"},
        "reports": str(reports), "page": str(reports / "n" / f"{job_id}.html"),
        "title": "n", "provenance": {}, "components": {"notebook": "abc"}, "root": str(tmp_path),
    }  # fmt: skip


def _fake_execute(records: dict[str, str], *, page: bool = True, seen: list | None = None):
    def execute(spec, attempt, result):
        if seen is not None:
            seen.append(attempt)
        for name, text in records.items():
            (attempt / name).write_text(text)
        if page:
            cache.atomic_write_text(Path(spec["page"]), f"<html>{spec['job']}</html>")
        result["status"] = "ok"

    return execute


def test_every_attempt_has_its_own_scratch_folder(tmp_path, monkeypatch):
    seen: list[Path] = []
    spec = _spec(tmp_path)
    reports = Path(spec["reports"])
    other = cache.new_attempt(reports, spec["job"])  # e.g. another attempt's folder
    (other / "estimates.jsonl").write_text('{"x": 1}\n')
    monkeypatch.setattr(executors, "_execute", _fake_execute({}, seen=seen))
    executors.run_job(spec)
    executors.run_job(spec)
    assert len(seen) == 2 and seen[0] != seen[1] and other not in seen
    assert all(p.name.startswith(cache.ATTEMPT_PREFIX) for p in seen)


def test_success_needs_every_output_and_records_their_hashes(tmp_path, monkeypatch):
    spec = _spec(tmp_path)
    reports = Path(spec["reports"])
    row = '{"term": "t", "estimate": 1.0}\n'
    monkeypatch.setattr(executors, "_execute", _fake_execute({"estimates.jsonl": row}))
    result = executors.run_job(spec)
    assert result["status"] == "ok"
    work = cache.job_dir(reports, spec["job"])
    assert (work / "estimates.jsonl").read_text() == row
    assert (work / "values.jsonl").read_text() == ""  # nothing recorded: an empty record
    record = cache.read_success(reports, spec["job"])
    assert set(record["outputs"]) == {"page", "estimates.jsonl", "values.jsonl"}
    assert record["outputs"] == cache.output_hashes(reports, spec["job"], Path(spec["page"]))
    assert not list(work.glob("attempt-*"))  # scratch removed after success
    # the notebook "succeeded" but wrote no page: not a success, no record, records dropped
    Path(spec["page"]).unlink()
    monkeypatch.setattr(executors, "_execute", _fake_execute({"estimates.jsonl": row}, page=False))
    monkeypatch.setattr(executors, "_write_error_page", lambda spec, error: None)
    result = executors.run_job(spec)
    assert result["status"] == "failed" and "page was not written" in result["error"]
    assert cache.read_success(reports, spec["job"]) is None
    assert not (work / "estimates.jsonl").exists()


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda page, work: page.unlink(), "page missing"),
        (lambda page, work: page.write_text("edited"), "page modified since the last run"),
        (lambda page, work: (work / "estimates.jsonl").unlink(), "estimates.jsonl missing"),
        (lambda page, work: (work / "values.jsonl").write_text("{}\n"),
         "values.jsonl modified since the last run"),
    ],
)  # fmt: skip
def test_partial_or_edited_outputs_are_run_again(tmp_path, monkeypatch, damage, reason):
    spec = _spec(tmp_path)
    reports, page = Path(spec["reports"]), Path(spec["page"])
    monkeypatch.setattr(executors, "_execute", _fake_execute({"estimates.jsonl": "{}\n"}))
    executors.run_job(spec)
    comps = spec["components"]
    record = cache.read_success(reports, spec["job"])
    assert cache.staleness(comps, record, page, reports=reports, job_id=spec["job"]) == []
    damage(page, cache.job_dir(reports, spec["job"]))
    assert cache.staleness(comps, record, page, reports=reports, job_id=spec["job"]) == [reason]
    assert cache.verified_success(reports, spec["job"], page) is None


def test_estimates_table_holds_only_verified_jobs(tmp_path, monkeypatch):
    from evaluation.pipeline.runner import collect

    jobs = [Job("n", tmp_path / "n.py", {"sample": s}, grid_keys=("sample",)) for s in "ab"]
    reports = tmp_path / "reports"
    for job in jobs:
        spec = {**_spec(tmp_path, job.id), "page": str(job.output(reports))}
        row = json.dumps({"job": job.id, "term": "t", "estimate": 1.0}) + "\n"
        monkeypatch.setattr(executors, "_execute", _fake_execute({"estimates.jsonl": row}))
        assert executors.run_job(spec)["status"] == "ok"
    assert sorted(collect(jobs, reports)[0]["job"]) == ["n__a", "n__b"]
    # job b's estimates are cut off after its success (a crash, a copy): not trusted any more
    (cache.job_dir(reports, "n__b") / "estimates.jsonl").write_text("")
    assert list(collect(jobs, reports)[0]["job"]) == ["n__a"]
    # an old-style record without output hashes verifies nothing
    cache.write_success(reports, "n__a", {"components": {}, "page_sha256": "x"})
    assert collect(jobs, reports)[0].empty


def test_a_kernel_that_never_started_is_retried_once_in_a_fresh_attempt(tmp_path, monkeypatch):
    spec = _spec(tmp_path)
    seen: list[Path] = []
    ok = _fake_execute({}, seen=seen)

    def flaky(spec, attempt, result):
        if not seen:
            seen.append(attempt)
            result["error"] = "RuntimeError: Kernel died before replying to kernel_info"
            return
        ok(spec, attempt, result)

    monkeypatch.setattr(executors, "_execute", flaky)
    result = executors.run_job(spec)
    assert result["status"] == "ok" and result["error"] == ""
    assert len(seen) == 2 and seen[0] != seen[1]

    def always_dies(spec, attempt, result):
        seen.append(attempt)
        result["error"] = "RuntimeError: Kernel died before replying to kernel_info"

    seen.clear()
    monkeypatch.setattr(executors, "_execute", always_dies)
    assert executors.run_job(spec)["status"] == "failed"
    assert len(seen) == 1 + executors.START_RETRIES  # bounded: no endless retries
    assert cache.read_success(Path(spec["reports"]), spec["job"]) is None
