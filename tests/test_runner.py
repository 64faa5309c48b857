"""The runner end to end, on the shared run of tests/conftest.py (``pipeline_run``).

The shared grid holds two good estimate jobs, a final-report stand-in that reads their
estimates, a job whose cell raises, a job that hangs past its time limit, a job with a
misspelled parameter name and one whose value tries to escape the reports folder.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from evaluation.pipeline import cache

pytestmark = pytest.mark.slow

GOOD = ["t1_tiny__log_labor_productivity__all", "t1_tiny__log_sales__all"]
FINALS = ["t2_summary__en", "t2_summary__es"]


def test_good_jobs_succeed_and_failures_are_isolated(pipeline_run):
    statuses = {j["job"]: j["status"] for j in pipeline_run.manifest()["jobs"]}
    for job in GOOD + FINALS:
        assert statuses[job] == "ok", pipeline_run.output
    failed = {k for k, v in statuses.items() if v == "failed" and k.startswith("t")}
    assert failed == {
        "t4_fail__all",
        "t3_hang__all",
        "t1_tiny__log_sales",
        _escape_id(pipeline_run),
    }
    assert pipeline_run.rc == 1
    # the summary at the end lists each failed job with its first error line and its page
    tail = pipeline_run.output.split("FAILED:", 1)[1]
    for job in failed:
        assert f"  {job}: " in tail
    assert "deliberate failure for outcome log_labor_productivity" in tail


def _escape_id(run) -> str:
    return next(j["job"] for j in run.manifest()["jobs"] if j["job"].startswith("t1_tiny__escape"))


def test_cell_error_page_shows_cell_and_message(pipeline_run):
    job = pipeline_run.job("t4_fail__all")
    assert job["error"].startswith("cell [") and "ValueError: deliberate failure" in job["error"]
    page = (pipeline_run.reports / job["page"]).read_text(encoding="utf-8")
    assert 'id="ev-error"' in page and "This job failed." in page
    assert "deliberate failure for outcome log_labor_productivity" in page  # the traceback
    assert 'class="ev-status-failed"' in page


def test_bad_parameter_fails_before_running_with_a_readable_page(pipeline_run):
    job = pipeline_run.job("t1_tiny__log_sales")
    assert "unknown parameter 'outcom'" in job["error"]
    assert "did you mean 'outcome'" in job["error"]
    assert job["duration"] < 30  # validated before any kernel started
    page = (pipeline_run.reports / job["page"]).read_text(encoding="utf-8")
    assert "The job did not start." in page and "unknown parameter &#x27;outcom&#x27;" in page
    assert not (cache.job_dir(pipeline_run.reports, job["job"]) / "executed.ipynb").exists()


def test_parameter_value_cannot_escape_the_reports_folder(pipeline_run):
    job = pipeline_run.job(_escape_id(pipeline_run))
    assert job["parameters"] == {"sample": "../../../escape"}
    assert "sample='../../../escape'" in job["error"] and "all|women_led" in job["error"]
    page = (pipeline_run.reports / job["page"]).resolve()
    assert pipeline_run.reports.resolve() in page.parents and page.is_file()
    base = pipeline_run.reports.parent
    assert not any("escape" in p.name for p in base.parent.rglob("*") if "reports" not in p.parts)


def test_hung_job_is_stopped_at_its_time_limit(pipeline_run):
    from tests.conftest import TEST_TIME_LIMIT_HANG

    job = pipeline_run.job("t3_hang__all")
    assert job["error"].startswith("timed out") and f"{TEST_TIME_LIMIT_HANG:g} s" in job["error"]
    # the limit plus kernel shutdown and rendering, on a loaded 2-core machine
    assert TEST_TIME_LIMIT_HANG <= job["duration"] < TEST_TIME_LIMIT_HANG + 60
    page = (pipeline_run.reports / job["page"]).read_text(encoding="utf-8")
    assert "timed out" in page


def test_final_stage_reads_earlier_estimates(pipeline_run):
    page = (pipeline_run.reports / pipeline_run.job("t2_summary__en")["page"]).read_text()
    for job in GOOD:
        assert job in page  # the summary notebook printed the estimates table
    assert 'class="ev-toc-1"' in page  # final reports get a table of contents


def test_estimates_table(pipeline_run):
    reports = pipeline_run.reports
    table = pd.read_parquet(reports / "estimates.parquet")
    csv = pd.read_csv(reports / "estimates.csv")
    assert list(table.columns) == list(csv.columns)
    assert table["job"].tolist() == [GOOD[0], GOOD[0], GOOD[1], GOOD[1]] + [
        j for j in table["job"] if not j.startswith("t")
    ]
    mine = table[table["job"].isin(GOOD)]
    assert set(mine["term"]) == {"mean", "noise"}
    assert mine["param_outcome"].tolist() == ["log_labor_productivity"] * 2 + ["log_sales"] * 2
    assert (mine["param_sample"] == "all").all() and (mine["label"] == "tiny mean").all()
    for col in ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]:
        assert table[col].dtype == float
        assert csv[col].to_numpy() == pytest.approx(table[col].to_numpy(), rel=1e-15, nan_ok=True)
    # the recorded mean is the panel's mean of the outcome (what the notebook computed)
    panel = pd.read_parquet(pipeline_run.processed / "panel.parquet")
    got = mine.set_index(["param_outcome", "term"])["estimate"]
    for outcome in ("log_labor_productivity", "log_sales"):
        assert got[(outcome, "mean")] == pytest.approx(panel[outcome].mean(), rel=1e-12)
    values = json.loads((reports / "values.json").read_text())
    n = {v["job"]: v["value"] for v in values if v["name"] == "n_obs"}
    assert n[GOOD[0]] == int(panel["log_labor_productivity"].notna().sum())


def test_manifest_records_jobs_hashes_timings_versions(pipeline_run):
    m = pipeline_run.manifest()
    assert m["schema"] == "evaluation-run-manifest/2"
    assert m["complete"] is False and m["partial"] is False  # the shared grid fails on purpose
    prov = m["provenance"]
    assert prov["commit"] and prov["source_sha256"] and prov["versions"]["pandas"]
    assert prov["versions"]["python"].startswith("3.11")
    if pipeline_run.real_data:
        assert "outputs/panel.parquet" in prov["data"]
    job = pipeline_run.job(GOOD[0])
    assert set(job["components"]) >= {
        "notebook",
        "parameters",
        "data",
        "package",
        "settings",
        "lock",
    }
    assert job["input_sha256"] == cache.sha256_json(job["components"])
    assert job["page_sha256"] == cache.sha256_file(pipeline_run.reports / job["page"])
    assert job["duration"] > 0 and job["parameters"]["outcome"] == "log_labor_productivity"
    assert set(m["outputs"]) == {"estimates.parquet", "estimates.csv", "values.json"}
    assert m["summary"]["failed"] + m["summary"]["failed_earlier"] >= 4


def test_second_run_executes_nothing(pipeline_run):
    before = {j: cache.read_success(pipeline_run.reports, j)["finished"] for j in GOOD + FINALS}
    rc, out, seconds = pipeline_run.run(only=[*GOOD, "t2_summary"])
    assert rc == 0, out
    assert "0 ran" in out and "0 failed" in out and "printed" not in out  # no kernel, no PDF
    after = {j: cache.read_success(pipeline_run.reports, j)["finished"] for j in GOOD + FINALS}
    assert before == after
    print(f"cached re-run: {seconds:.2f} s")
    assert seconds < 20  # a few seconds: hashing, manifest, index; no kernel, no PDF
    assert pipeline_run.job(GOOD[0])["status"] == "cached"


def test_dry_run_lists_what_would_run_and_why(pipeline_run, tmp_path):
    manifest_before = (pipeline_run.reports / "run_manifest.json").read_bytes()
    rc, out, _ = pipeline_run.run(dry_run=True)
    assert rc == 0
    assert f"skip {GOOD[0]}: up to date" in out
    assert "run  t4_fail__all: never run successfully" in out
    rc, out, _ = pipeline_run.run(dry_run=True, force=True, only=[GOOD[0]])
    assert f"run  {GOOD[0]}: --force" in out and "dry run: 1 of" in out
    # a changed notebook and a changed fixed parameter are named as the reasons
    notebooks = tmp_path / "notebooks"
    shutil.copytree(pipeline_run.notebooks, notebooks)
    with (notebooks / "t1_tiny.py").open("a") as fh:
        fh.write("\n# %%\nx = 2\n")
    text = pipeline_run.pipeline.read_text().replace(str(pipeline_run.notebooks), str(notebooks))
    text = text.replace("outcom: log_sales", "outcom: log_sales\n    seed: 3")
    pipeline = tmp_path / "pipeline.yml"
    pipeline.write_text(text)
    rc, out, _ = pipeline_run.run(dry_run=True, pipeline=pipeline)
    assert f"run  {GOOD[0]}: notebook source changed" in out
    assert "run  t2_summary__en: up to date" not in out
    assert (pipeline_run.reports / "run_manifest.json").read_bytes() == manifest_before


def test_resume_dask_and_determinism(pipeline_run, tmp_path, monkeypatch):
    """Interrupt a fresh run after one job; resume it on a Dask LocalCluster; compare."""
    from distributed import LocalCluster

    from evaluation.pipeline import executors

    reports = tmp_path / "reports"
    real = executors.run_local

    def interrupted(specs, workers, fn=executors.run_job):
        yield from real(specs[:1], 1, fn)  # the first job finishes ...
        raise KeyboardInterrupt  # ... then the run is cut off (Ctrl-C, a killed machine)

    monkeypatch.setattr(executors, "run_local", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pipeline_run.run(reports=reports, only=GOOD, jobs=2)
    monkeypatch.setattr(executors, "run_local", real)
    done = [j for j in GOOD if cache.read_success(reports, j)]
    assert done == [GOOD[0]] and not (reports / "run_manifest.json").exists()
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster:  # fmt: skip
        rc, out, _ = pipeline_run.run(
            reports=reports, only=GOOD, scheduler=cluster.scheduler_address
        )
    assert rc == 0, out
    assert "1 ran, 1 up to date, 0 failed" in out  # resumed: only the unfinished job ran
    m = json.loads((reports / "run_manifest.json").read_text())
    assert m["executor"].startswith("dask ")
    # determinism: two from-scratch computations of the same jobs give identical estimates
    fresh = pd.read_parquet(reports / "estimates.parquet")
    shared = pd.read_parquet(pipeline_run.reports / "estimates.parquet")
    shared = shared[shared["job"].isin(GOOD)].reset_index(drop=True)
    # the shared table has more columns (other notebooks' extras), empty for these jobs
    extra = [c for c in shared.columns if c not in fresh.columns]
    assert shared[extra].isna().all().all()
    pd.testing.assert_frame_equal(fresh, shared[fresh.columns], check_exact=True, check_dtype=False)


def test_changed_package_source_is_a_reason(pipeline_run):
    from dataclasses import replace

    other = replace(pipeline_run, package_hash="0" * 64)
    rc, out, _ = other.run(dry_run=True, only=[GOOD[0]])
    assert rc == 0 and f"run  {GOOD[0]}: evaluation package source changed" in out


def test_success_records_verified_outputs_and_no_scratch_left(pipeline_run):
    reports = pipeline_run.reports
    for job_id in GOOD + FINALS:
        job = pipeline_run.job(job_id)
        record = cache.read_success(reports, job_id)
        page = reports / job["page"]
        assert record["outputs"] == cache.output_hashes(reports, job_id, page)
        assert all(record["outputs"].values())  # page, estimates and values all exist
        assert cache.verified_success(reports, job_id, page) is not None
        assert not list(cache.job_dir(reports, job_id).glob("attempt-*"))
    # a failed job has no success record and no records in the estimates table
    assert cache.read_success(reports, "t4_fail__all") is None
    table = pd.read_parquet(reports / "estimates.parquet")
    assert "t4_fail__all" not in set(table["job"])


def test_status_is_truthful_on_index_and_for_the_final_report(pipeline_run):
    from evaluation.pipeline.manifest import read_status

    status = {s["job"]: s for s in read_status(pipeline_run.reports)}
    # "failed earlier" once a later --only run of this session left the job alone
    assert status["t4_fail__all"]["status"] in ("failed", "failed earlier")
    assert "deliberate failure" in status["t4_fail__all"]["reason"]
    assert status["t3_hang__all"]["reason"].startswith("timed out")
    assert all(status[j]["succeeded"] for j in GOOD + FINALS)
    index = (pipeline_run.reports / "index.html").read_text(encoding="utf-8")
    assert "INCOMPLETE:" in index and "Complete: all" not in index
    banner = index.split("INCOMPLETE:", 1)[1].split("</ul>", 1)[0]
    for job in ("t4_fail__all", "t3_hang__all", "t1_tiny__log_sales"):
        assert job in banner
    assert "deliberate failure" in banner and "timed out" in banner
    # the heading names the programme of the run's settings (the manifest), not a constant
    name = pipeline_run.manifest()["program"]["name"]
    assert index.split("<h1>", 1)[1].startswith(f"{name} impact evaluation")


def test_jobs_dropped_from_the_grid_lose_their_pages_and_records(pipeline_run, tmp_path):
    reports = tmp_path / "reports"
    shutil.copytree(pipeline_run.reports, reports)
    text = pipeline_run.pipeline.read_text(encoding="utf-8")
    import yaml

    data = yaml.safe_load(text)
    data["notebooks"] = [e for e in data["notebooks"] if e["name"] == "t1_tiny" and "grid" in e]
    pipeline = tmp_path / "pipeline.yml"
    pipeline.write_text(yaml.safe_dump(data, sort_keys=False))
    rc, out, _ = pipeline_run.run(reports=reports, pipeline=pipeline, pdf=False)
    assert rc == 0, out
    assert "0 ran" in out and "removed" in out  # nothing re-ran: the kept jobs were cached
    pages = sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*.html")
                   if ".cache" not in p.parts)  # fmt: skip
    assert pages == ["index.es.html", "index.html", *(f"t1_tiny/{j}.html" for j in GOOD)]
    assert sorted(p.name for p in (reports / ".cache").iterdir()) == GOOD
    table = pd.read_parquet(reports / "estimates.parquet")
    assert sorted(set(table["job"])) == GOOD
    m = json.loads((reports / "run_manifest.json").read_text())
    assert m["complete"] is True and "t4_fail/t4_fail__all.html" in m["removed"]
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "Complete: all 2 jobs succeeded." in index
