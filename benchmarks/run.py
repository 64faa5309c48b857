"""Run the side-by-side estimator benchmarks and write the results table.

Usage (``make bench`` calls it)::

    python run.py --rows 2080 1000000 [--shape tidy|messy] [--cases twfe cs] [--timeout 300]

Every (case, implementation, size) runs in its own process (``run_one.py``) with a timeout:
ours and the numpy floor with the project's interpreter (the pinned lock), the peers with the
benchmark environment's. Results go to ``results/estimators_<rows>.csv`` (``estimators_messy_<rows>.csv``
for the registry-shaped panel) and to the "Estimators" section of ``README.md`` (between the
``BEGIN/END ESTIMATORS TABLE`` markers), with each warm time's and each first call's ratio to
the fastest peer's and to the numpy floor; the table of ratios of ours to the fastest peer is
printed at the end.
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


def run_one(case: str, impl: str, rows: int, timeout: float, shape: str = "tidy") -> dict:
    env_name = cases.IMPLEMENTATIONS[case][impl][0]
    cmd = [PYTHON[env_name], str(HERE / "run_one.py"), case, impl, str(rows), shape]
    start = time.perf_counter()
    # the 1-minute load average when the process starts: > ~1 on 2 cores means other work
    # competed for the CPU and the wall time is an upper bound
    base = {
        "case": case,
        "impl": impl,
        "rows": rows,
        "shape": shape,
        "seconds": float("nan"),
        "first_seconds": float("nan"),
        "load_avg": round(os.getloadavg()[0], 2),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
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
    out["date"] = base["date"]
    return out


def _fmt_time(s: float) -> str:
    if s != s:  # NaN
        return "-"
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def _ratio(x: float, ref: float, fmt: str) -> str:
    return "-" if x != x or ref != ref else format(x / ref, fmt) + "x"


def _shape(table: pd.DataFrame) -> pd.Series:
    return table["shape"].fillna("tidy") if "shape" in table else pd.Series("tidy", table.index)


def _fastest(c: pd.DataFrame, column: str) -> float:
    peers = c[~c["impl"].isin(["ours", "numpy_floor"]) & (c["status"] == "ok")]
    return peers[column].min() if len(peers) else float("nan")


def _when(part: pd.DataFrame) -> str:
    """When a block was measured and under what load (older result files lack the date)."""
    dates = part["date"].dropna() if "date" in part else pd.Series(dtype=object)
    load = part["load_avg"].dropna() if "load_avg" in part else pd.Series(dtype=float)
    when = f"measured {dates.min()}" if len(dates) else "measured in an earlier session"
    if dates.nunique() > 1:
        when += f" to {dates.max()}"
    if len(load):
        when += f", 1-minute load average {load.min():.1f}-{load.max():.1f}"
    return when


def markdown(table: pd.DataFrame) -> str:
    """One block per panel: case, implementation, warm and first-call times, memory, ratios,
    estimate, status."""
    table = table.assign(shape=_shape(table))
    if "first_seconds" not in table:
        table["first_seconds"] = float("nan")
    blocks = []
    for (shape, rows), part in table.groupby(["shape", "rows"], sort=True):
        title = f"**{rows:,} rows**" if shape == "tidy" else f"**{rows:,} rows, {shape} panel**"
        title += f" ({_when(part)})"
        lines = [
            title,
            "",
            "| case | implementation | time | first call | peak memory | vs fastest peer "
            "| first call vs fastest peer | vs numpy floor | estimate | status |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for case in cases.CASES:
            c = part[part["case"] == case]
            if c.empty:
                continue
            order = list(cases.IMPLEMENTATIONS[case])
            c = c.assign(_o=c["impl"].map(order.index)).sort_values("_o")
            fastest = _fastest(c, "seconds")
            fastest_first = _fastest(c, "first_seconds")
            floor = c.loc[c["impl"] == "numpy_floor", "seconds"]
            floor = floor.iloc[0] if len(floor) else float("nan")
            for _, r in c.iterrows():
                ok = r["status"] == "ok"
                sec = r["seconds"] if ok else float("nan")
                first = r["first_seconds"] if ok else float("nan")
                mem = f"{r['peak_mb']:.0f} MB" if ok else "-"
                est = f"{r['estimate']:.4f}" if ok and r["estimate"] == r["estimate"] else "-"
                lines.append(
                    f"| {case} | {r['impl']} | {_fmt_time(sec)} | {_fmt_time(first)} | {mem} | "
                    f"{_ratio(sec, fastest, '.2f')} | {_ratio(first, fastest_first, '.2f')} | "
                    f"{_ratio(sec, floor, '.1f')} | {est} | {r['status']} |"
                )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def speedups(table: pd.DataFrame) -> str:
    """How many times faster ours is than the fastest peer (warm, first call) and our warm
    time over the numpy floor's, per panel and case - the issue's targets at a glance."""
    table = table.assign(shape=_shape(table))
    if "first_seconds" not in table:
        table["first_seconds"] = float("nan")
    lines = [
        "| panel | case | fastest peer | speed-up warm | speed-up first call | ours / floor |",
        "|---|---|---|---:|---:|---:|",
    ]
    for (shape, rows), part in table.groupby(["shape", "rows"], sort=True):
        for case in cases.CASES:
            c = part[(part["case"] == case) & (part["status"] == "ok")]
            ours = c[c["impl"] == "ours"]
            peers = c[~c["impl"].isin(["ours", "numpy_floor"])]
            if ours.empty or peers.empty:
                continue
            best = peers.loc[peers["seconds"].idxmin()]
            floor = c.loc[c["impl"] == "numpy_floor", "seconds"]
            o = ours.iloc[0]
            lines.append(
                f"| {rows:,} {shape} | {case} | {best['impl']} | "
                f"{_ratio(best['seconds'], o['seconds'], '.1f')} | "
                f"{_ratio(peers['first_seconds'].min(), o['first_seconds'], '.1f')} | "
                f"{_ratio(o['seconds'], floor.iloc[0] if len(floor) else float('nan'), '.2f')} |"
            )
    return "\n".join(lines)


def write_readme(table: pd.DataFrame) -> None:
    text = README.read_text() if README.exists() else "# Benchmarks\n\n## Estimators\n\n"
    machine = (
        f"_Written {time.strftime('%Y-%m-%d', time.gmtime())} from `results/estimators_*.csv` "
        f"on {platform.machine()}, {os.cpu_count()} cores (each block says when it was "
        "measured and the 1-minute load average at the start of each process), Python "
        f"{platform.python_version()}; `time` is the warm call (best of 3 for calls under 5 s), "
        "`first call` the first call in a fresh process (imports and JIT compilation "
        "included); memory is peak RSS growth during the warm call; ratios > 1 mean slower, "
        "speed-ups > 1 mean ours is faster._"
    )
    block = f"{BEGIN}\n{machine}\n\n{speedups(table)}\n\n{markdown(table)}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    README.write_text(text)


def best_of_rounds(records: pd.DataFrame) -> pd.DataFrame:
    """One row per (case, impl): the round with the fastest warm call, its first call the
    fastest first call of any round, ``rounds`` the number of rounds that ran without error
    (an implementation that failed in every round keeps its last error)."""
    if records.empty or "round" not in records:
        return records
    out = []
    for _, part in records.groupby(["case", "impl"], sort=False):
        ok = part[part["status"] == "ok"]
        if ok.empty:
            out.append(part.iloc[-1].to_dict())
            continue
        best = ok.loc[ok["seconds"].idxmin()].to_dict()
        best["first_seconds"] = float(ok["first_seconds"].min())
        best["rounds"] = len(ok)
        out.append(best)
    return pd.DataFrame(out).drop(columns="round")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[2080, 1_000_000])
    ap.add_argument("--shape", choices=["tidy", "messy"], default="tidy")
    ap.add_argument("--cases", nargs="+", default=cases.CASES)
    ap.add_argument("--impls", nargs="+", default=None)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--no-readme", action="store_true")
    ap.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run every implementation this many times, alternating the order; keep the "
        "fastest warm and first call of each (a shared machine's load only slows calls down)",
    )
    args = ap.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    for rows in args.rows:
        # build the Parquet cache once, outside any timed process
        subprocess.run(
            [
                PYTHON["project"],
                "-c",
                f"from panel import load_panel; load_panel({rows}, {args.shape!r})",
            ],
            cwd=HERE,
            check=True,
        )
        stem = "estimators" if args.shape == "tidy" else f"estimators_{args.shape}"
        out_csv = RESULTS / f"{stem}_{rows}.csv"
        done = pd.read_csv(out_csv) if out_csv.exists() else pd.DataFrame()
        records = []
        for round_ in range(args.rounds):
            for case in args.cases:
                impls = [
                    i for i in cases.IMPLEMENTATIONS[case] if not args.impls or i in args.impls
                ]
                # alternate: each round starts one implementation later (load drifts)
                shift = round_ % len(impls) if impls else 0
                for impl in impls[shift:] + impls[:shift]:
                    rec = run_one(case, impl, rows, args.timeout, args.shape)
                    rec["round"] = round_
                    print(json.dumps(rec), flush=True)
                    records.append(rec)
        new = best_of_rounds(pd.DataFrame(records))
        if len(done):
            keep = ~done.set_index(["case", "impl"]).index.isin(
                new.set_index(["case", "impl"]).index
            )
            new = pd.concat([done[keep], new], ignore_index=True)
        new.to_csv(out_csv, index=False)
    frames = [pd.read_csv(p) for p in sorted(RESULTS.glob("estimators_*.csv"))]
    table = pd.concat(frames, ignore_index=True)
    print("\nOurs against the fastest peer (x times faster) and against the numpy floor:\n")
    print(speedups(table), flush=True)
    if not args.no_readme:
        write_readme(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
