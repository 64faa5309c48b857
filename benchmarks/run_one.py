"""Time one implementation of one case on one panel, in a fresh process; print one JSON line.

Usage: ``python run_one.py CASE IMPL ROWS [SHAPE]`` (SHAPE ``tidy``, the default, or
``messy``: see ``panel.py``). The panel is loaded from the Parquet cache first (pandas and
pyarrow are imported by then, as for a user who reads Parquet). Then:

* ``first_seconds``: the first call on the panel in this fresh process, as a user meets it -
  the implementation's imports, JIT compilation (numba in pyfixest and wildboottest) and any
  one-off setup are inside;
* ``seconds``: the warm call - the same call repeated (3 in all when calls take under 5 s,
  fastest kept, as timeit does; one repeat for calls of 5-120 s; none beyond 120 s, when the
  first call stands for both).

Peak memory is the largest resident set size seen by a sampling thread (every 5 ms) during
the first warm call (or the first call when there is none), minus the resident size just
before it.
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
    shape = sys.argv[4] if len(sys.argv) > 4 else "tidy"
    fn = cases.get(case, impl)
    warnings.simplefilter("ignore")
    df = load_panel(rows, shape)
    gc.collect()
    with PeakRSS() as first_mem:
        start = time.perf_counter()
        estimate = fn(df)
        first = time.perf_counter() - start
    # the machine is shared: repeat short calls and keep the fastest (as timeit does)
    seconds, repeats, mem = float("nan"), 0, first_mem
    limit = 3 if first < 5.0 else (1 if first < 120.0 else 0)
    while repeats < limit:
        gc.collect()
        with PeakRSS() as warm_mem:
            start = time.perf_counter()
            fn(df)
            took = time.perf_counter() - start
        if repeats == 0:
            mem = warm_mem
        seconds = took if seconds != seconds else min(seconds, took)
        repeats += 1
        if seconds >= 5.0:
            break
    out = {
        "case": case,
        "impl": impl,
        "rows": rows,
        "shape": shape,
        "first_seconds": first,
        "seconds": seconds if repeats else first,
        "repeats": repeats,
        "peak_mb": (mem.peak - mem.baseline) / 2**20,
        "estimate": estimate,
        "status": "ok",
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
