"""Time one implementation of one case on one panel size, in this process; print one JSON line.

Usage: ``python run_one.py CASE IMPL ROWS``. The panel is loaded (from the Parquet cache) and
the call is first made once on the 2,080-row panel, so that import and JIT compilation (numba
in pyfixest and wildboottest) are not timed. Then the timed region is the estimator call on the
in-memory DataFrame; calls under 5 s are repeated (3 in all) and the fastest is kept. Peak memory is the largest resident set size seen by a
sampling thread (every 5 ms) during the call, minus the resident size just before it.
"""

from __future__ import annotations

import gc
import json
import sys
import threading
import time
import warnings
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases  # noqa: E402
from panel import load_panel  # noqa: E402


class PeakRSS:
    def __init__(self, interval: float = 0.005) -> None:
        self.proc = psutil.Process()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = self.proc.memory_info().rss
            if rss > self.peak:
                self.peak = rss
            time.sleep(self.interval)

    def __enter__(self) -> PeakRSS:
        self.baseline = self.proc.memory_info().rss
        self.peak = self.baseline
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


def main() -> None:
    case, impl, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
    fn = cases.get(case, impl)
    warnings.simplefilter("ignore")
    small = load_panel(2080)
    fn(small)  # warm-up: imports, JIT
    df = small if rows == 2080 else load_panel(rows)
    del small
    gc.collect()
    with PeakRSS() as mem:
        start = time.perf_counter()
        estimate = fn(df)
        seconds = time.perf_counter() - start
    # the machine is shared: repeat short calls and keep the fastest (as timeit does)
    repeats = 1
    while seconds < 5.0 and repeats < 3:
        gc.collect()
        start = time.perf_counter()
        fn(df)
        seconds = min(seconds, time.perf_counter() - start)
        repeats += 1
    out = {
        "case": case,
        "impl": impl,
        "rows": rows,
        "seconds": seconds,
        "repeats": repeats,
        "peak_mb": (mem.peak - mem.baseline) / 2**20,
        "estimate": estimate,
        "status": "ok",
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
