"""Nothing lost, nothing false under faults: the end-to-end probes of issue #15.

Every probe drives the real command line (``python -m evaluation.cli`` in a subprocess with
``EVALUATION_ROOT`` at a temporary configuration root, see :mod:`tests.reliability.hostile`)
the way an unlucky or hostile user would:

1. two ``evaluation run`` on one reports folder ~1 s apart: the second refuses (exit 2, one
   line naming the holder's pid) or, with ``--wait``, waits; the estimates and pages equal a
   clean run's;
2. ``SIGKILL`` of the runner's process group mid-run, then a rerun: the stale lock is taken
   over with a note, the interrupted job runs again (nothing partial is reused), and
   estimates, values and pages equal an uninterrupted run's byte for byte, and so does the
   run record but for when and how each job got its outputs (:data:`VOLATILE_RUN`,
   :data:`VOLATILE_JOB`);
3. a job that raises and a job with an illegal parameter: exit 1, both failed with their
   reason in the run manifest, the index (INCOMPLETE) and the final report (whose status
   does not say every job succeeded); ``publish`` refuses (exit 2, one line per problem,
   nothing written) and ``--allow-incomplete`` writes an INCOMPLETE bundle;
4. hostile strings (:data:`hostile.PAYLOADS`) in every text column of the raw data, in the
   programme's name/title/description/donor/implementer/countries, a declared outcome's
   labels and the raw/processed/reports folder names: validate and prepare succeed, and
   every HTML file written (pages, index, final reports) holds no live element from the input
   (no script, event-handler attribute, ``javascript:`` URL, ``<svg>`` or foreign
   ``<img>``), while the strings themselves are shown as text; the CLI's messages for such
   input are one line without a traceback; malformed CSV (ragged, header-only, UTF-16
   without a byte-order mark, a 50 MB field) is refused with exit 1, one error line, the
   problem named per file and line, and nothing written;
5. pseudonymization keys: real data without a key, an empty ``truth.json`` (with or without a
   copied simulator marker) and a 1-byte key are refused by ``prepare`` with one line, exit 2
   and nothing written.

One prepared data set (the hostile one) serves every probe (module-scoped fixture); the runs
use test notebooks (``tests/reliability/notebooks/r1_slow.py``,
``tests/data/notebooks/t4_fail.py``) and two repository notebooks (01 data quality, 07 final
report) with the cheap parameters of the shared test run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evaluation.pipeline.locks import lock_path
from tests.conftest import REPO, TEST_DATA
from tests.reliability import hostile
from tests.reliability.hostile import KEY, Result, cli

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
SLOW_OUTCOMES = ("log_sales", "log_employees", "log_labor_productivity")
PAUSE = 2.0  # seconds each r1_slow job waits: long enough to join or kill a run mid-job
# Scripts our own pages may carry, by SHA-256 of their text. Today's pages have none (the
# nbconvert template is configured without JavaScript); a new one must be added here on
# purpose, after review -- a count would let an injected script replace ours unnoticed.
OUR_SCRIPTS: frozenset[str] = frozenset()
# What may differ between two runs of the same inputs: in run_manifest.json, when the run was
# made and how long it took, and per job how it got its outputs this time (ran or reused,
# when, how long). Pages, estimates (Parquet and CSV) and values are compared byte for byte
# with nothing masked; index.html shows the masked fields and is only checked to exist.
VOLATILE_RUN = ("created", "duration", "summary")
VOLATILE_JOB = ("status", "reason", "duration", "started")


@dataclass
class Study:
    """The hostile data set, prepared once, and the commands' results so far."""

    dest: Path
    root: Path
    raw: Path
    processed: Path
    reports: Path
    notebooks: Path
    code: Path
    log: dict[str, Result]

    def env(self, **extra: str) -> dict[str, str]:
        """The test key and the frozen package, plus ``extra``."""
        return {"EVALUATION_PSEUDONYM_KEY": KEY, "PYTHONPATH": str(self.code), **extra}

    def cli(self, *argv: str, **env: str) -> Result:
        return cli(self.root, *argv, **self.env(**env))

    def run(self, pipeline: Path, reports: Path, *extra: str) -> Result:
        return self.cli("run", "--pipeline", str(pipeline), "--reports", str(reports), *extra)

    def popen(self, pipeline: Path, reports: Path, *extra: str) -> subprocess.Popen[str]:
        """A run in its own process group (so the whole group can be killed)."""
        argv = hostile.command("run", "--pipeline", str(pipeline), "--reports", str(reports),
                               "--jobs", "1", *extra)  # fmt: skip
        return subprocess.Popen(
            argv, env=hostile.environment(self.root, **self.env()),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=self.root,
            start_new_session=True,
        )  # fmt: skip


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    dest = tmp_path_factory.mktemp("end_to_end")
    root = hostile.hostile_root(dest)
    import yaml

    paths = yaml.safe_load((root / "config" / "local.yml").read_text(encoding="utf-8"))["paths"]
    notebooks = dest / "notebooks"
    notebooks.mkdir()
    for source in (REPO / "notebooks" / "01_data_quality.py",
                   REPO / "notebooks" / "07_final_report.py",
                   TEST_DATA / "notebooks" / "t4_fail.py", HERE / "notebooks" / "r1_slow.py"):  # fmt: skip
        shutil.copy2(source, notebooks / source.name)
    study = Study(dest, root, Path(paths["raw"]), Path(paths["processed"]),
                  Path(paths["reports"]), notebooks, hostile.frozen_source(dest), {})  # fmt: skip
    study.log["validate"] = study.cli("validate")
    study.log["prepare"] = study.cli("prepare")
    assert study.log["prepare"].rc == 0, study.log["prepare"].out[-2000:] + study.log["prepare"].err
    return study


def slow_pipeline(study: Study) -> Path:
    path = study.dest / "slow.yml"
    if not path.exists():
        entry = {"name": "r1_slow", "parameters": {"pause": PAUSE},
                 "grid": {"outcome": list(SLOW_OUTCOMES), "sample": ["all"]}}  # fmt: skip
        hostile.cheap_pipeline(path, [], extra=[entry], notebooks_dir=study.notebooks)
    return path


SLOW_JOBS = tuple(f"r1_slow__{o}__all" for o in SLOW_OUTCOMES)


@pytest.fixture(scope="module")
def reference(study: Study) -> Path:
    """An uninterrupted run of the slow pipeline: what every other run must reproduce."""
    reports = study.dest / "reference"
    result = study.run(slow_pipeline(study), reports, "--jobs", "2")
    assert result.rc == 0, result.out + result.err
    return reports


# --- comparing runs -----------------------------------------------------------------------
def run_record(reports: Path) -> dict[str, Any]:
    """run_manifest.json without :data:`VOLATILE_RUN` and each job's :data:`VOLATILE_JOB`."""
    manifest = json.loads((reports / "run_manifest.json").read_text(encoding="utf-8"))
    for key in VOLATILE_RUN:
        manifest.pop(key, None)
    manifest["jobs"] = [
        {k: v for k, v in job.items() if k not in VOLATILE_JOB and v is not None}
        for job in manifest["jobs"]
    ]  # a reused job's entry leaves out what only a run sets (error_cell: None)
    return manifest


def assert_same_results(reports: Path, reference: Path) -> None:
    """Estimates, values and every page byte-identical to the reference run's; the run
    record identical but for :data:`VOLATILE_RUN`/:data:`VOLATILE_JOB`; complete."""
    outputs = ["estimates.parquet", "estimates.csv", "values.json"]
    outputs += [f"r1_slow/{job}.html" for job in SLOW_JOBS]
    for name in outputs:
        assert (reports / name).read_bytes() == (reference / name).read_bytes(), name
    got, want = run_record(reports), run_record(reference)
    assert got["complete"] and not got["partial"]
    assert [j["job"] for j in got["jobs"]] == list(SLOW_JOBS)
    assert got["jobs"] == want["jobs"]  # same inputs, parameters, page hashes
    assert got["outputs"] == want["outputs"]  # same estimates and values hashes
    assert (reports / "index.html").is_file()
    table = pd.read_parquet(reports / "estimates.parquet")
    assert sorted(set(table["job"])) == sorted(SLOW_JOBS) and len(table) == 2 * len(SLOW_JOBS)


def wait_for(condition, seconds: float, what: str) -> None:
    t0 = time.monotonic()
    while not condition():
        if time.monotonic() - t0 > seconds:
            raise AssertionError(f"gave up after {seconds:g} s waiting for {what}")
        time.sleep(0.1)


# --- 1. concurrent runs -------------------------------------------------------------------
def test_second_run_refuses_or_waits_and_nothing_is_lost(study, reference):
    reports = study.dest / "concurrent"
    pipeline = slow_pipeline(study)
    first = study.popen(pipeline, reports)
    try:
        wait_for(lambda: lock_path(reports).exists(), 60, "the first run's lock")
        time.sleep(1.0)
        second = study.run(pipeline, reports, "--jobs", "1")
        third = study.popen(pipeline, reports, "--wait")
        out1, err1 = first.communicate(timeout=300)
        out3, err3 = third.communicate(timeout=300)
    finally:
        for proc in (first, locals().get("third")):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert second.rc == 2, second.out + second.err
    assert len(second.lines) == 1 and second.lines[0].startswith("error (folder in use): ")
    assert f"pid {first.pid}" in second.lines[0] and "--wait" in second.lines[0]
    assert "Traceback" not in second.err + second.out
    assert first.returncode == 0, out1 + err1
    assert third.returncode == 0, out3 + err3
    assert "waiting for" in err3  # it waited for the first run, then found it all done
    assert "0 ran, 3 up to date, 0 failed" in out3
    assert_same_results(reports, reference)
    assert not lock_path(reports).exists()


# --- 2. SIGKILL mid-run, then rerun -------------------------------------------------------
def test_killed_run_reruns_to_the_uninterrupted_result(study, reference):
    reports = study.dest / "killed"
    pipeline = slow_pipeline(study)
    proc = study.popen(pipeline, reports)
    cache = reports / ".cache"
    first, second = SLOW_JOBS[0], SLOW_JOBS[1]
    try:
        # kill while the second job runs: the first has succeeded, the second has a scratch
        # folder of its own (attempt-*) and no success record
        wait_for(lambda: (cache / first / "success.json").is_file()
                 and any((cache / second).glob("attempt-*")), 240, "the second job to start")  # fmt: skip
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert lock_path(reports).exists()  # the dead run's lock is still there
    assert not (cache / second / "success.json").exists()
    assert not (reports / "estimates.parquet").exists()  # never collected: nothing claimed

    rerun = study.run(pipeline, reports, "--jobs", "2")
    assert rerun.rc == 0, rerun.out + rerun.err
    assert "no longer running; taking the lock over" in rerun.err
    assert f"pid {proc.pid}" in rerun.err
    status = {j["job"]: j["status"] for j in json.loads(
        (reports / "run_manifest.json").read_text(encoding="utf-8"))["jobs"]}  # fmt: skip
    # the finished job is reused (its outputs verify); the interrupted ones ran again
    assert status == {first: "cached", second: "ok", SLOW_JOBS[2]: "ok"}
    assert not any((cache / second).glob("attempt-*"))  # the killed attempt's scratch is gone
    assert_same_results(reports, reference)
    assert not lock_path(reports).exists()
