"""Shared fixtures. Tests never read ../shared: reference data is copied into tests/data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEST_DATA = REPO / "tests" / "data"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def test_data() -> Path:
    return TEST_DATA


# --- the pipeline: ONE shared run of a small grid through the real runner ------------------
# Used by the pipeline's own tests (tests/test_runner*.py, test_pipeline*.py,
# test_report_site*.py, test_browser*.py) and by the notebooks' tests: it prepares the
# committed data/raw into a temporary folder (`evaluation prepare --raw --processed`), then runs
# the test notebooks of tests/data/notebooks (machinery: estimates, a failing cell, a hang, bad
# parameters) and every notebook of notebooks/ (one job each, cheap settings) into a temporary
# reports folder. Set EVALUATION_TEST_NOTEBOOKS=0 to leave the real notebooks out.
import dataclasses  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

# Cheaper values for the shared test run, used when a notebook declares the parameter.
CHEAP_PARAMETERS = {"bootstrap_reps": 199, "reps": 99, "n_boot": 199, "biters": 199}
TEST_TIME_LIMIT_HANG = 10


@dataclasses.dataclass
class PipelineRun:
    """The shared run: where everything is, what the runner printed, and how to run again."""

    root: Path
    reports: Path
    processed: Path
    raw: Path
    notebooks: Path
    pipeline: Path
    real_data: bool
    real_notebooks: list[str]
    package_hash: str | None = None
    rc: int = 0
    output: str = ""
    seconds: float = 0.0

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.reports / "run_manifest.json").read_text(encoding="utf-8"))

    def job(self, job_id: str) -> dict[str, Any]:
        for job in self.manifest()["jobs"]:
            if job["job"] == job_id:
                return job
        raise KeyError(job_id)

    def run(
        self,
        *,
        reports: Path | None = None,
        pipeline: Path | None = None,
        only: list[str] | None = None,
        force: bool = False,
        dry_run: bool = False,
        scheduler: str | None = None,
        jobs: int = 2,
        pdf: bool = True,
    ) -> tuple[int, str, float]:
        """Run the pipeline again (same data); returns (exit status, output, seconds)."""
        from evaluation.config import load_settings
        from evaluation.pipeline.runner import RunOptions, run_pipeline

        out = io.StringIO()
        opts = RunOptions(
            pipeline=pipeline or self.pipeline,
            reports=reports or self.reports,
            processed=self.processed,
            raw=self.raw,
            jobs=jobs,
            only=only,
            force=force,
            dry_run=dry_run,
            scheduler=scheduler,
            pdf=pdf,
            progress=False,
            out=out,
            package_hash=self.package_hash,
        )
        t0 = time.monotonic()
        rc = run_pipeline(load_settings(root=self.root), opts)
        return rc, out.getvalue(), time.monotonic() - t0


def _prepare_test_data(processed: Path) -> bool:
    """`evaluation prepare` of the committed data/raw into ``processed``.

    A broken prepare fails every test that uses the shared run, loudly, with its output: the
    tests never go on with a made-up panel.
    """
    import contextlib

    from evaluation.cli import main

    raw = REPO / "data" / "raw"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["prepare", "--raw", str(raw), "--processed", str(processed)])
    if rc != 0 or not (processed / "panel.parquet").is_file():
        pytest.fail(
            f"pipeline fixture: `evaluation prepare` of {raw} failed (exit {rc}):\n"
            f"{out.getvalue()[-3000:]}\n{err.getvalue()[-3000:]}",
            pytrace=False,
        )
    return True


def _real_notebooks() -> list[str]:
    if os.environ.get("EVALUATION_TEST_NOTEBOOKS", "1") == "0":
        return []
    return sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.py"))


def write_test_pipeline(path: Path, notebooks: Path, real: list[str]) -> None:
    """The shared run's pipeline: test notebooks (incl. deliberate failures) + real ones."""
    from evaluation.pipeline.parameters import declared

    entries: list[dict[str, Any]] = [
        {"name": "t1_tiny", "grid": {"outcome": ["log_labor_productivity", "log_sales"],
                                     "sample": ["all"]}},
        {"name": "t4_fail", "grid": {"sample": ["all"]}},
        {"name": "t3_hang", "time_limit": TEST_TIME_LIMIT_HANG, "grid": {"sample": ["all"]}},
        {"name": "t1_tiny", "parameters": {"outcom": "log_sales"}},  # misspelled name
        {"name": "t1_tiny", "parameters": {"sample": "../../../escape"}},  # path traversal
        {"name": "t2_summary", "stage": 2, "final": True, "grid": {"language": ["en", "es"]}},
    ]  # fmt: skip
    for name in real:
        names = declared(notebooks / f"{name}.py")
        cheap = {k: v for k, v in CHEAP_PARAMETERS.items() if k in names}
        final = "final" in name or "report" in name
        entry: dict[str, Any] = {"name": name, "parameters": cheap}
        if final:
            entry.update(stage=2, final=True, grid={"language": ["en", "es"]})
        else:
            entry["grid"] = {"sample": ["all"]}
        entries.append(entry)
    import yaml

    text = yaml.safe_dump(
        {"notebooks_dir": str(notebooks), "time_limit": 900, "notebooks": entries},
        sort_keys=False,
    )
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    """One run of the small shared grid (see the block comment above)."""
    from evaluation.pipeline.cache import package_source_hash

    base = tmp_path_factory.mktemp("pipeline")
    processed = base / "processed"
    real_data = _prepare_test_data(processed)
    notebooks = base / "notebooks"
    shutil.copytree(TEST_DATA / "notebooks", notebooks)
    real = _real_notebooks() if real_data else []
    for name in real:
        shutil.copy2(REPO / "notebooks" / f"{name}.py", notebooks / f"{name}.py")
    pipeline = base / "pipeline.yml"
    write_test_pipeline(pipeline, notebooks, real)
    run = PipelineRun(
        root=REPO,
        reports=base / "reports",
        processed=processed,
        raw=REPO / "data" / "raw",
        notebooks=notebooks,
        pipeline=pipeline,
        real_data=real_data,
        real_notebooks=real,
        # frozen for the session: parallel edits to src/ must not invalidate the cache tests
        package_hash=package_source_hash(),
    )
    run.rc, run.output, run.seconds = run.run()
    print(f"\nshared pipeline run: {run.seconds:.1f} s, exit {run.rc}\n{run.output}")
    return run
