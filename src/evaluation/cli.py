"""The ``evaluation`` command: simulate, validate, prepare, verify, run, report, publish.

Arguments are declared here; each subcommand's work lives in the module that owns the concept,
which exposes ``command(args, settings) -> int`` (the exit status). Modules are imported only
when their subcommand runs, so ``evaluation --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from evaluation import __version__
from evaluation.config import load_settings

# subcommand -> module exposing command(args, settings) -> int
HANDLERS = {
    "simulate": "evaluation.data.simulate",
    "validate": "evaluation.data.validate",
    "prepare": "evaluation.data.prepare",
    "verify": "evaluation.data.manifest",
    "run": "evaluation.pipeline.runner",
    "report": "evaluation.reporting.site",
    "publish": "evaluation.pipeline.publish",
}


def _data_options(parser: argparse.ArgumentParser, *, processed: bool = False) -> None:
    parser.add_argument("--raw", type=Path, help="raw data folder (default: from config)")
    parser.add_argument("--mapping", type=Path, help="column mapping YAML for real data")
    if processed:
        parser.add_argument("--processed", type=Path, help="processed data folder")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evaluation", description="PROMIPYME impact evaluation: data, estimates, reports."
    )
    parser.add_argument("--version", action="version", version=f"evaluation {__version__}")
    parser.add_argument("--config", type=Path, help="settings file (default config/evaluation.yml)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("simulate", help="write the seeded simulated PROMIPYME raw data")
    p.add_argument("--raw", type=Path, help="output folder (default data/raw)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default fixed)")
    p.add_argument("--participants", type=int, default=260)
    p.add_argument("--comparison", type=int, default=None, help="comparison firms (default 2x)")
    p.add_argument("--years", default="2014-2020", help="panel years FIRST-LAST")
    p.add_argument("--no-attrition", action="store_true", help="no productivity-related attrition")
    p.add_argument("--format", choices=["csv", "parquet"], default="csv")

    p = sub.add_parser("validate", help="check raw data against the codebook; writes nothing")
    p.add_argument("path", nargs="?", type=Path, help="raw folder or one table file")
    p.add_argument("--mapping", type=Path, help="column mapping YAML for real data")

    p = sub.add_parser("prepare", help="validate, then build data/processed (Parquet)")
    _data_options(p, processed=True)

    p = sub.add_parser("verify", help="re-hash inputs and outputs against the data manifest")
    _data_options(p, processed=True)

    p = sub.add_parser("run", help="execute the notebook pipeline into reports/")
    p.add_argument("--pipeline", type=Path, default=None, help="default config/pipeline.yml")
    p.add_argument("--jobs", type=int, default=None, help="parallel jobs (default: cores)")
    p.add_argument("--only", action="append", default=None, help="run only this notebook/job")
    p.add_argument("--force", action="store_true", help="re-run jobs whose inputs are unchanged")
    p.add_argument("--dry-run", action="store_true", help="list what would run and why")
    p.add_argument("--scheduler", default=None, help="Dask distributed scheduler address")
    p.add_argument("--processed", type=Path, help="processed data folder")
    p.add_argument("--reports", type=Path, help="reports folder")

    p = sub.add_parser("report", help="rebuild reports/index.html and the final report PDFs")
    p.add_argument("--reports", type=Path, help="reports folder")

    p = sub.add_parser("publish", help="bundle final reports, estimates and manifests")
    p.add_argument("--reports", type=Path, help="reports folder")
    p.add_argument("--out", type=Path, default=None, help="archive folder (default dist/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings(args.config)
    module = importlib.import_module(HANDLERS[args.command])
    return int(module.command(args, settings) or 0)


if __name__ == "__main__":
    sys.exit(main())
