"""Cold start of the estimators: import cost and the first fit, each in fresh processes.

``python cold_start.py [--runs 5] [--rows 10000]`` (project environment) measures, as the
minimum over ``--runs`` fresh interpreter processes (the minimum is the least disturbed by
other load on the machine):

* ``import pandas`` alone (the baseline every notebook pays anyway);
* ``import pandas`` then ``import evaluation.estimators``, each timed in the same process; the
  second clock is what the package adds to the baseline (target: < 0.3 s). (The difference of
  two minima over separate processes was reported before; on a loaded machine the noise in
  ``import pandas`` alone exceeds the package's cost and made it negative.)
* after those imports, the first ``twfe``, ``event_study`` and ``callaway_santanna`` fit on a
  balanced staggered panel of ``--rows`` rows (1,000 units, 10 periods by default; target for
  each: < 0.2 s), and the second call in the same process (the warm cost, for comparison).

The panel is simulated in the timed process from a fixed seed before the clock starts.
Writes ``results/cold_start.csv`` (one row per measure) with the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent

IMPORT_BASE = """
import time
t0 = time.perf_counter()
import pandas
print(time.perf_counter() - t0)
"""

IMPORT_PACKAGE = """
import json, time
t0 = time.perf_counter()
import pandas
t1 = time.perf_counter()
import evaluation.estimators
t2 = time.perf_counter()
print(json.dumps({"both": t2 - t0, "added": t2 - t1}))
"""

FIRST_FIT = """
import json, time
import numpy as np
import pandas as pd
import evaluation.estimators as est

rng = np.random.default_rng(20260101)
units, periods = {units}, {periods}
cohort = rng.choice([0, 4, 6, 8], size=units, p=[0.4, 0.2, 0.2, 0.2])
unit = np.repeat(np.arange(units), periods)
year = np.tile(np.arange(1, periods + 1), units)
g = cohort[unit]
treat = ((g > 0) & (year >= g)).astype(float)
y = rng.normal(size=units)[unit] + 0.1 * year + 0.5 * treat + rng.normal(size=unit.size)
df = pd.DataFrame({{"unit": unit, "year": year, "cohort": g, "treat": treat, "y": y}})
calls = {{
    "twfe": lambda: est.twfe(df, "y", "unit", "year", "treat"),
    "event_study": lambda: est.event_study(df, "y", "unit", "year", "cohort"),
    "callaway_santanna": lambda: est.callaway_santanna(df, "y", "unit", "year", "cohort"),
}}
fn = calls["{case}"]
t0 = time.perf_counter()
fn()
first = time.perf_counter() - t0
t0 = time.perf_counter()
fn()
second = time.perf_counter() - t0
print(json.dumps({{"first": first, "second": second}}))
"""


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=HERE
    )
    return out.stdout.strip().splitlines()[-1]


def main(runs: int, rows: int) -> pd.DataFrame:
    periods = 10
    units = rows // periods
    load = os.getloadavg()[0]
    records: list[dict[str, object]] = []
    base = [float(_run(IMPORT_BASE)) for _ in range(runs)]
    package = [json.loads(_run(IMPORT_PACKAGE)) for _ in range(runs)]
    records.append({"measure": "import pandas", "seconds": min(base)})
    records.append(
        {
            "measure": "import pandas + evaluation.estimators",
            "seconds": min(t["both"] for t in package),
        }
    )
    records.append(
        {"measure": "added by evaluation.estimators", "seconds": min(t["added"] for t in package)}
    )
    for case in ("twfe", "event_study", "callaway_santanna"):
        code = FIRST_FIT.format(units=units, periods=periods, case=case)
        times = [json.loads(_run(code)) for _ in range(runs)]
        records.append({"measure": f"first {case} fit", "seconds": min(t["first"] for t in times)})
        records.append(
            {"measure": f"second {case} fit", "seconds": min(t["second"] for t in times)}
        )
    table = pd.DataFrame(records)
    table["seconds"] = table["seconds"].round(4)
    table["runs"] = runs
    table["rows"] = rows
    table["load_average_1min"] = round(load, 2)
    table["date"] = date.today().isoformat()
    table["python"] = platform.python_version()
    return table


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    result = main(args.runs, args.rows)
    out = HERE / "results" / "cold_start.csv"
    result.to_csv(out, index=False)
    print(result.to_string(index=False))
    print(f"written: {out}")
