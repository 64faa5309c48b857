"""Run the side-by-side estimator benchmarks and write the results table.

Usage (``make bench`` calls it)::

    python run.py --rows 2080 1000000 [--cases twfe wild_bootstrap] [--timeout 300]

Every (case, implementation, size) runs in its own process (``run_one.py``) with a timeout:
ours and the numpy floor with the project's interpreter (the pinned lock), the peers with the
benchmark environment's. Results go to ``results/estimators_<rows>.csv`` and to the
"Estimators" section of ``README.md`` (between the ``BEGIN/END ESTIMATORS TABLE`` markers),
with each time's ratio to the fastest peer and to the numpy floor.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cases  # noqa: E402

RESULTS = HERE / "results"
README = HERE / "README.md"
BEGIN, END = "<!-- BEGIN ESTIMATORS TABLE -->", "<!-- END ESTIMATORS TABLE -->"
PYTHON = {
    "project": os.environ.get("PROJECT_PYTHON", str(HERE.parent / ".venv" / "bin" / "python")),
    "bench": os.environ.get("BENCH_PYTHON", str(HERE / ".venv-bench" / "bin" / "python")),
}


def run_one(case: str, impl: str, rows: int, timeout: float) -> dict:
    env_name = cases.IMPLEMENTATIONS[case][impl][0]
    cmd = [PYTHON[env_name], str(HERE / "run_one.py"), case, impl, str(rows)]
    start = time.perf_counter()
    # the 1-minute load average when the process starts: > ~1 on 2 cores means other work
    # competed for the CPU and the wall time is an upper bound
    base = {
        "case": case,
        "impl": impl,
        "rows": rows,
        "seconds": float("nan"),
        "load_avg": round(os.getloadavg()[0], 2),
    }
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=HERE)
    except subprocess.TimeoutExpired:
        return {**base, "peak_mb": float("nan"), "status": f"timeout > {timeout:g} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        err = err.split("Error: ", 1)[-1][:90]
        if proc.returncode in (-9, 137):
            err = "killed (out of memory?)"
        return {**base, "peak_mb": float("nan"), "status": f"error: {err}"}
    out = json.loads(lines[-1])
    out["process_seconds"] = time.perf_counter() - start
    out["load_avg"] = base["load_avg"]
    return out


def _fmt_time(s: float) -> str:
    if s != s:  # NaN
        return "-"
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def markdown(table: pd.DataFrame) -> str:
    """One block per size: case, implementation, time, memory, ratios, estimate, status."""
    blocks = []
    for rows, part in table.groupby("rows", sort=True):
        lines = [
            f"**{rows:,} rows**",
            "",
            "| case | implementation | time | peak memory | vs fastest peer | vs numpy floor "
            "| estimate | status |",
            "|---|---|---:|---:|---:|---:|---:|---|",
        ]
        for case in cases.CASES:
            c = part[part["case"] == case]
            if c.empty:
                continue
            order = list(cases.IMPLEMENTATIONS[case])
            c = c.assign(_o=c["impl"].map(order.index)).sort_values("_o")
            peers = c[~c["impl"].isin(["ours", "numpy_floor"]) & (c["status"] == "ok")]
            fastest = peers["seconds"].min() if len(peers) else float("nan")
            floor = c.loc[c["impl"] == "numpy_floor", "seconds"]
            floor = floor.iloc[0] if len(floor) else float("nan")
            for _, r in c.iterrows():
                ok = r["status"] == "ok"
                ratio = r["seconds"] / fastest if ok and fastest == fastest else float("nan")
                vs_floor = r["seconds"] / floor if ok and floor == floor else float("nan")
                mem = f"{r['peak_mb']:.0f} MB" if ok else "-"
                est = f"{r['estimate']:.4f}" if ok and r["estimate"] == r["estimate"] else "-"
                lines.append(
                    f"| {case} | {r['impl']} | {_fmt_time(r['seconds'])} | {mem} | "
                    f"{'-' if ratio != ratio else f'{ratio:.2f}x'} | "
                    f"{'-' if vs_floor != vs_floor else f'{vs_floor:.1f}x'} | {est} | "
                    f"{r['status']} |"
                )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def write_readme(table: pd.DataFrame) -> None:
    text = README.read_text() if README.exists() else "# Benchmarks\n\n## Estimators\n\n"
    load = table["load_avg"] if "load_avg" in table else pd.Series(dtype=float)
    load_note = (
        f"1-minute load average at the start of each run {load.min():.1f}-{load.max():.1f}"
        if load.notna().any()
        else "machine load not recorded"
    )
    machine = (
        f"_Measured {time.strftime('%Y-%m-%d', time.gmtime())} on {platform.machine()}, "
        f"{os.cpu_count()} cores ({load_note}), Python "
        f"{platform.python_version()}; wall times after a warm-up call on the 2,080-row panel "
        "(best of 3 for calls under 5 s); memory is peak RSS growth during the call; ratios "
        "> 1 mean slower._"
    )
    block = f"{BEGIN}\n{machine}\n\n{markdown(table)}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    README.write_text(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[2080, 1_000_000])
    ap.add_argument("--cases", nargs="+", default=cases.CASES)
    ap.add_argument("--impls", nargs="+", default=None)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--no-readme", action="store_true")
    args = ap.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    for rows in args.rows:
        # build the Parquet cache once, outside any timed process
        subprocess.run(
            [PYTHON["project"], "-c", f"from panel import load_panel; load_panel({rows})"],
            cwd=HERE,
            check=True,
        )
        out_csv = RESULTS / f"estimators_{rows}.csv"
        done = pd.read_csv(out_csv) if out_csv.exists() else pd.DataFrame()
        records = []
        for case in args.cases:
            for impl in cases.IMPLEMENTATIONS[case]:
                if args.impls and impl not in args.impls:
                    continue
                rec = run_one(case, impl, rows, args.timeout)
                print(json.dumps(rec), flush=True)
                records.append(rec)
        new = pd.DataFrame(records)
        if len(done):
            keep = ~done.set_index(["case", "impl"]).index.isin(
                new.set_index(["case", "impl"]).index
            )
            new = pd.concat([done[keep], new], ignore_index=True)
        new.to_csv(out_csv, index=False)
    if not args.no_readme:
        frames = [pd.read_csv(p) for p in sorted(RESULTS.glob("estimators_*.csv"))]
        write_readme(pd.concat(frames, ignore_index=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
