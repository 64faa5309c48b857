"""Time and peak memory of ``event_study(method="imputation")`` at registry scale.

Usage: ``python benchmarks/imputation_scale.py [--rows 1000000 10000000] [--repeat 3]``.

Each panel size runs in its own child process (so one size's peak does not hide another's): the
panel from :mod:`panel` (T = 8 years, 26 strata as the clusters, cohorts 2015-2018 and 40%
never treated; cached as Parquet under ``benchmarks/data``) is loaded, the estimator is called
once on the 2,080-row panel (imports), then the timed call is
``event_study(df, "y", "unit", "year", "cohort", method="imputation", cluster="stratum")``,
repeated ``--repeat`` times with the fastest kept (the machine is shared; the CPU time of the
process, all threads, is also reported as it is less sensitive to other load). Peak memory is the
largest resident set size seen by a sampling thread (every 5 ms) during the calls, reported both
as the whole process (panel included) and as the growth over the resident size before the call.
Target (issue 4): under 2 s and 2 GB at 10M rows.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


class _PeakRSS:
    """Largest resident set size of this process, sampled from a thread."""

    def __init__(self, interval: float = 0.005) -> None:
        self.proc = psutil.Process()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self) -> _PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


def _one(rows: int, repeat: int) -> dict[str, float]:
    from panel import load_panel

    from evaluation.estimators import event_study

    def call(df):  # type: ignore[no-untyped-def]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 26 clusters: FewClustersWarning
            return event_study(
                df, "y", "unit", "year", "cohort", method="imputation", cluster="stratum"
            )

    call(load_panel(2080))
    df = load_panel(rows)
    gc.collect()
    before = psutil.Process().memory_info().rss
    times, cpu = [], []
    with _PeakRSS() as peak:
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            res = call(df)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            del res
            gc.collect()
    res = call(load_panel(2080)) if rows != 2080 else None
    del res
    return {
        "rows": rows,
        "seconds": min(times),
        "seconds_all": [round(t, 3) for t in times],
        "cpu_seconds": min(cpu),
        "peak_rss_gb": peak.peak / 1e9,
        "peak_growth_gb": (peak.peak - before) / 1e9,
        "panel_rss_gb": before / 1e9,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_one(args.rows[0], args.repeat)))
        return 0
    print(f"{'rows':>11} {'best s':>8} {'cpu s':>7} {'all s':>24} {'peak GB':>8} {'growth GB':>10}")
    for rows in args.rows:
        cmd = [sys.executable, __file__, "--child", "--rows", str(rows)]
        cmd += ["--repeat", str(args.repeat)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(f"{rows:>11} failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{rows:>11,} {r['seconds']:>8.2f} {r['cpu_seconds']:>7.2f} {str(r['seconds_all']):>24} "
            f"{r['peak_rss_gb']:>8.2f} {r['peak_growth_gb']:>10.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
