"""Time and peak memory of ``evaluation validate`` and ``evaluation prepare`` by input size.

Reproduces the "Data layer" table of benchmarks/README.md::

    .venv/bin/python benchmarks/data_scale.py                 # default, 1M and 10M rows
    .venv/bin/python benchmarks/data_scale.py --sizes default 1m --workdir /tmp/bench

Each size is simulated once with ``evaluation simulate`` (seeded, so the inputs are the same on
every machine), then ``validate`` and ``prepare`` each run as a separate process under
``/usr/bin/time -v`` (GNU time), which reports the wall time and the peak resident memory of
the process. ``prepare`` includes its own validation pass. Panel years follow the simulated
range, passed through a temporary settings file (``--config``), so nothing versioned changes.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
EVALUATION = Path(sys.executable).with_name("evaluation")
# name -> (participants, comparison, years, format): firms x years = firm-year rows
SIZES = {
    "default": (260, 520, "2014-2020", "csv"),  # the committed example: 780 x 7 = 5,460
    "1m": (40_000, 85_000, "2013-2020", "parquet"),  # 125,000 x 8 = 1,000,000
    "10m": (400_000, 850_000, "2013-2020", "parquet"),  # 1,250,000 x 8 = 10,000,000
}


def timed(cmd: list[str]) -> dict:
    """Run ``cmd`` under GNU time; wall seconds, peak RSS (MB), exit status and output tail."""
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, cwd=REPO, check=False
    )
    err = proc.stderr
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", err)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    cpu = sum(
        float(m.group(1)) for m in re.finditer(r"(?:User|System) time \(seconds\): ([\d.]+)", err)
    )
    parts = [float(p) for p in wall.group(1).split(":")] if wall else [float("nan")]
    seconds = sum(p * 60**i for i, p in enumerate(reversed(parts)))
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_mb": round(int(rss.group(1)) / 1024) if rss else None,
        "status": proc.returncode,
        "tail": (proc.stdout.strip().splitlines() or [""])[-1],
    }


def settings_file(folder: Path, years: str) -> Path:
    first, last = (int(y) for y in years.split("-"))
    data = yaml.safe_load((REPO / "config" / "evaluation.yml").read_text(encoding="utf-8"))
    data["analysis"]["first_year"], data["analysis"]["last_year"] = first, last
    path = folder / "settings.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def run_size(name: str, workdir: Path, keep: bool) -> dict:
    participants, comparison, years, fmt = SIZES[name]
    folder = workdir / name
    raw, processed = folder / "raw", folder / "processed"
    folder.mkdir(parents=True, exist_ok=True)
    if not (raw / "firm_years.parquet").exists() and not (raw / "firm_years.csv").exists():
        simulate = [str(EVALUATION), "simulate", "--raw", str(raw), "--years", years]
        simulate += ["--participants", str(participants), "--comparison", str(comparison)]
        simulate += ["--format", fmt]
        sim = timed(simulate)
        if sim["status"]:
            raise SystemExit(f"simulate failed for {name}: {sim['tail']}")
    config = settings_file(folder, years)
    base = [str(EVALUATION), "--config", str(config)]
    val = timed([*base, "validate", str(raw)])
    shutil.rmtree(processed, ignore_errors=True)
    prep = timed([*base, "prepare", "--raw", str(raw), "--processed", str(processed)])
    rows = None
    manifest = processed / "data_manifest.json"
    if manifest.is_file():
        rows = json.loads(manifest.read_text())["outputs"]["panel.parquet"]["rows"]
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return {"size": name, "rows": rows, "validate": val, "prepare": prep}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--workdir", type=Path, default=None, help="scratch (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep simulated inputs and outputs")
    parser.add_argument("--json", type=Path, default=None, help="also write results as JSON")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="promipyme-data-bench-"))
    results = [run_size(name, workdir, args.keep) for name in args.sizes]
    print(
        f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    print(
        "| input | firm-years | validate: wall, CPU, peak RSS "
        "| prepare (incl. validation): wall, CPU, peak RSS |"
    )
    print("|---|---:|---:|---:|")
    for r in results:
        v, p = r["validate"], r["prepare"]
        print(
            f"| {r['size']} | {r['rows']:,} "
            f"| {v['seconds']:.0f} s, {v['cpu_seconds']:.0f} s, {v['peak_mb']:,} MB "
            f"| {p['seconds']:.0f} s, {p['cpu_seconds']:.0f} s, {p['peak_mb']:,} MB |"
        )
        for step in (v, p):
            if step["status"]:
                print(f"  exit {step['status']}: {step['tail']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.workdir is None and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return (
        0 if all(not r["validate"]["status"] and not r["prepare"]["status"] for r in results) else 1
    )


if __name__ == "__main__":
    sys.exit(main())
