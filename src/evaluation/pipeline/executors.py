"""Run one job (validate, execute with papermill, render, cache) and run many in parallel.

:func:`run_job` is self-contained: it takes a plain, picklable job spec and returns a plain
result dict, never raising, so it runs the same in a local process pool or on a Dask worker
and a failing job cannot stop the others. The kernel gets the job's environment (where to
record estimates, one BLAS thread, a fixed hash seed) and working directory through its own
kernel manager rather than ``os.environ``/``os.chdir``, which would leak between jobs running
as threads of one Dask worker. A watchdog kills the kernel when the whole job exceeds its
time limit; papermill's ``execution_timeout`` does the same for one hung cell.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from evaluation.pipeline import cache
from evaluation.pipeline.record import JOB_ENV, RECORD_DIR_ENV

KERNEL_ENV = {
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


# A kernel that dies before its first reply ran no cell: the machine's fault, retried once.
KERNEL_START_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond")
START_RETRIES = 1


def _kernel_manager_class(env: dict[str, str], cwd: str, holder: list, log: Path):
    """An AsyncKernelManager that starts its kernel with ``env`` added, in ``cwd``.

    The kernel's own stderr (ipykernel's start-up chatter, crash messages) goes to ``log``
    in the job's cache folder instead of the runner's terminal.
    """
    from jupyter_client.manager import AsyncKernelManager

    class JobKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            holder.append(self)

        async def _async_pre_start_kernel(self, **kw: Any):
            merged = dict(kw.pop("env", None) or os.environ)
            merged.update(env)
            kw["env"] = merged
            kw["cwd"] = cwd
            self._ev_log = log.open("ab")  # closed by _close_logs when the job ends
            kw["stderr"] = self._ev_log
            return await super()._async_pre_start_kernel(**kw)

    return JobKernelManager


def _close_logs(holder: list) -> None:
    for km in holder:
        log = getattr(km, "_ev_log", None)
        if log is not None and not log.closed:
            log.close()


def _kill_kernels(holder: list) -> None:
    for km in holder:
        process = getattr(getattr(km, "provisioner", None), "process", None)
        pid = getattr(process, "pid", None)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _failed_cell(nb: Any) -> tuple[int | None, str]:
    """The first cell with an error output: (execution count, 'Name: message')."""
    for index, cell in enumerate(getattr(nb, "cells", [])):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                count = cell.get("execution_count") or index
                return count, f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"
    return None, ""


def run_job(spec: dict[str, Any]) -> dict[str, Any]:
    """Validate, execute and render one job; write its page and, on success, its cache record.

    ``spec`` keys: ``job, notebook, path, params, inject, env, outcomes, kernel, time_limit,
    start_timeout, cwd, reports, page, provenance, title, toc, components, root``.
    Returns ``job, status ('ok'|'failed'), error, error_cell, started, duration, page,
    page_sha256, outputs`` and never raises.

    The attempt runs in its own scratch folder; the job succeeds only when the notebook ran
    without error AND its page exists; then its records (``estimates.jsonl``, ``values.jsonl``,
    empty when the notebook recorded nothing) replace the previous ones and ``success.json``
    is written last with the hash of every output, so no partial state is ever recorded as a
    success.
    """
    started = time.time()
    t0 = time.monotonic()
    job_id = spec["job"]
    reports = Path(spec["reports"])
    work = cache.job_dir(reports, job_id)
    result: dict[str, Any] = {
        "job": job_id,
        "status": "failed",
        "error": "",
        "error_cell": None,
        "started": started,
        "page": spec["page"],
        "outputs": None,
    }
    attempt: Path | None = None
    try:
        cache.clear_success(reports, job_id)
        for _ in range(1 + START_RETRIES):
            attempt = cache.new_attempt(reports, job_id)
            result.update(status="failed", error="", error_cell=None)
            _execute(spec, attempt, result)
            if not any(m in result["error"] for m in KERNEL_START_FAILURES):
                break
            # the kernel never started (a loaded machine): no cell ran, so try a fresh one
        page = Path(spec["page"])
        if result["status"] == "ok" and not page.is_file():
            result["status"] = "failed"
            result["error"] = "runner error: the job ran but its page was not written"
        if result["status"] == "ok":
            for name in cache.RECORD_FILES:
                (attempt / name).touch()  # a notebook that records nothing: an empty record
                os.replace(attempt / name, work / name)
            if (attempt / "executed.ipynb").is_file():
                os.replace(attempt / "executed.ipynb", work / "executed.ipynb")
            outputs = cache.output_hashes(reports, job_id, page)
            missing = [k for k, v in outputs.items() if v is None]
            if missing:
                raise RuntimeError(f"outputs missing after the job: {missing}")
            result["outputs"] = outputs
    except Exception as err:  # a bug in the runner itself must still fail only this job
        result["status"] = "failed"
        result["error"] = f"runner error: {type(err).__name__}: {err}\n{traceback.format_exc()}"
        _write_error_page(spec, result["error"])
    result["duration"] = round(time.monotonic() - t0, 3)
    page = Path(spec["page"])
    result["page_sha256"] = cache.sha256_file(page) if page.is_file() else None
    if result["status"] == "ok":
        cache.write_success(
            reports,
            job_id,
            {
                "job": job_id,
                "components": spec["components"],
                "page_sha256": result["page_sha256"],
                "outputs": result["outputs"],
                "finished": time.time(),
                "duration": result["duration"],
            },
        )
        # this attempt and earlier failed ones (kept for their kernel log) are done with; the
        # run holds the reports lock, so no other attempt of this job is running
        for old in work.glob(f"{cache.ATTEMPT_PREFIX}*"):
            shutil.rmtree(old, ignore_errors=True)
    else:
        for name in cache.RECORD_FILES:
            (work / name).unlink(missing_ok=True)
    return result


def _write_error_page(spec: dict[str, Any], error: str) -> None:
    from evaluation.reporting.html import error_page

    page = error_page(
        title=spec["title"],
        parameters=spec["params"],
        provenance=spec["provenance"],
        error=error,
        language=str(spec["params"].get("language", "en")),
    )
    cache.atomic_write_text(Path(spec["page"]), page)


def _execute(spec: dict[str, Any], attempt: Path, result: dict[str, Any]) -> None:
    from evaluation.pipeline.jobs import PipelineConfigError
    from evaluation.pipeline.parameters import PATH_PARAMETERS, ParameterError, declared, validate

    path = Path(spec["path"])
    try:
        if not path.is_file():
            raise FileNotFoundError(
                f"notebook {path} does not exist (listed in the pipeline configuration)"
            )
        validate(path, spec["params"], job=spec["job"], outcomes=spec.get("outcomes"))
        names = declared(path)
    except (ParameterError, FileNotFoundError, PipelineConfigError) as err:
        result["error"] = str(err)
        _write_error_page(spec, f"The job did not start.\n{err}")
        return

    import jupytext
    import papermill

    nb = jupytext.read(path)
    nb.metadata["kernelspec"] = {
        "name": spec["kernel"],
        "display_name": "Python 3",
        "language": "python",
    }
    params = dict(spec["params"])
    params.update({k: v for k, v in spec["inject"].items() if k in names and k in PATH_PARAMETERS})
    job_meta = {"job": spec["job"], "notebook": spec["notebook"], "parameters": spec["params"]}
    env = {
        **KERNEL_ENV,
        # the command's configuration: same root (config files) and data/reports locations
        **(spec.get("env") or {"EVALUATION_ROOT": str(spec["root"])}),
        RECORD_DIR_ENV: str(attempt),
        JOB_ENV: json.dumps(job_meta, sort_keys=True),
    }
    holder: list = []
    km_class = _kernel_manager_class(env, str(spec["cwd"]), holder, attempt / "kernel.log")
    limit = float(spec["time_limit"])
    fired = threading.Event()

    def _timeout() -> None:
        fired.set()
        _kill_kernels(holder)

    watchdog = threading.Timer(limit, _timeout)
    watchdog.daemon = True
    output = attempt / "executed.ipynb"
    error: str | None = None
    watchdog.start()
    try:
        executed = papermill.execute_notebook(
            nb,
            str(output),
            parameters=params,
            kernel_name=spec["kernel"],
            progress_bar=False,
            log_output=False,
            start_timeout=float(spec["start_timeout"]),
            execution_timeout=int(limit),
            request_save_on_cell_execute=False,
            kernel_manager_class=km_class,
        )
    except Exception as err:
        executed = None
        kind = type(err).__name__
        if fired.is_set() or "Timeout" in kind or "timed out" in str(err).lower():
            error = f"timed out: the job exceeded its time limit of {limit:g} s ({kind})"
        else:
            error = None  # a cell error: described from the executed notebook below
            if kind != "PapermillExecutionError":
                error = f"{kind}: {err}"
    finally:
        watchdog.cancel()
        _close_logs(holder)
    if executed is None and output.is_file():
        import nbformat

        executed = nbformat.read(output, as_version=4)
    cell, message = _failed_cell(executed) if executed is not None else (None, "")
    if error is None and message:
        error = f"cell [{cell}] raised {message}"
    elif error and message and not error.startswith("timed out"):
        error = f"{error}; cell [{cell}] raised {message}"
    if error:
        result["error"] = error
        result["error_cell"] = cell
    else:
        result["status"] = "ok"
    if executed is None:
        _write_error_page(spec, error or "the notebook produced no output")
        return
    from evaluation.reporting.html import render_notebook

    page = render_notebook(
        executed,
        title=spec["title"],
        status="ok" if not error else "failed",
        parameters=spec["params"],
        provenance=spec["provenance"],
        error=error,
        toc=bool(spec.get("toc")),
        language=str(spec["params"].get("language", "en")),
    )
    cache.atomic_write_text(Path(spec["page"]), page)


# --- running many jobs ---------------------------------------------------------------------
def _failure(spec: dict[str, Any], err: BaseException) -> dict[str, Any]:
    message = f"the job's worker failed: {type(err).__name__}: {err}"
    try:
        _write_error_page(spec, message)
    except Exception:  # the page is best effort here; the summary still lists the job
        pass
    page = Path(spec["page"])
    return {
        "job": spec["job"],
        "status": "failed",
        "error": message,
        "error_cell": None,
        "started": time.time(),
        "duration": 0.0,
        "page": spec["page"],
        "page_sha256": cache.sha256_file(page) if page.is_file() else None,
    }


def run_local(
    specs: list[dict[str, Any]], workers: int, fn: Callable = run_job
) -> Iterator[dict[str, Any]]:
    """Run jobs in local worker processes (spawned: no inherited threads or state).

    Yields each result as its job finishes. Workers are reused (start-up imports are paid once
    per worker); every notebook runs in its own kernel process, and a worker that dies fails
    only the jobs it held.
    """
    if not specs:
        return
    if workers <= 1 or len(specs) == 1:
        for spec in specs:
            yield fn(spec)
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures: dict[Future, dict[str, Any]] = {pool.submit(fn, s): s for s in specs}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    yield future.result()
                except Exception as err:  # BrokenProcessPool and the like
                    yield _failure(futures[future], err)


def run_dask(
    specs: list[dict[str, Any]], address: str, fn: Callable = run_job
) -> Iterator[dict[str, Any]]:
    """Submit jobs to an existing Dask distributed scheduler at ``address``.

    Workers must see the same file system paths (repository, data, reports) as this machine,
    e.g. a shared volume; each job writes its own page and cache record there.
    """
    if not specs:
        return
    from distributed import Client, as_completed

    with Client(address, timeout="30s", set_as_default=False) as client:
        futures = {
            client.submit(
                fn, spec, key=f"evaluation-{spec['job']}-{time.time_ns()}", pure=False
            ): spec
            for spec in specs
        }
        for future in as_completed(list(futures), loop=client.loop):
            spec = futures[future]
            try:
                yield future.result()
            except Exception as err:
                yield _failure(spec, err)
