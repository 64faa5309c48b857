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
from typing import Any

from evaluation import __version__
from evaluation.config import load_settings

# subcommand -> module exposing command(args, settings) -> int
HANDLERS = {
    "simulate": "evaluation.data.simulate",
    "validate": "evaluation.data.validate",
    "prepare": "evaluation.data.prepare",
    "verify": "evaluation.data.manifest",
    "key": "evaluation.data.keys",
    "run": "evaluation.pipeline.runner",
    "report": "evaluation.pipeline.site",
    "publish": "evaluation.pipeline.publish",
    "config": "evaluation.pipeline.config_show",
}
# subcommand -> the folder it writes, locked while it runs (evaluation.pipeline.locks)
LOCKED = {"prepare": "processed", "run": "reports", "report": "reports", "publish": "dist"}
# Exit statuses (README "Exit codes"): 0 done; 1 the command ran and found problems (invalid
# data, failed jobs, changed files); 2 it could not do what was asked (usage, configuration,
# data that cannot be read, a locked folder, the environment); 3 a defect in this code.
EXIT_USER, EXIT_INTERNAL = 2, 3


def _data_options(parser: argparse.ArgumentParser, *, processed: bool = False) -> None:
    parser.add_argument("--raw", type=Path, help="raw data folder (default: from config)")
    parser.add_argument("--mapping", type=Path, help="column mapping YAML for real data")
    if processed:
        parser.add_argument("--processed", type=Path, help="processed data folder")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evaluation",
        description="Impact evaluation of a firm-support programme: data, estimates, reports.",
    )
    parser.add_argument("--version", action="version", version=f"evaluation {__version__}")
    parser.add_argument("--config", type=Path, help="settings file (default config/evaluation.yml)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    debug = argparse.ArgumentParser(add_help=False)  # --debug also after the subcommand
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
    sub = _DebugSubparsers(sub, debug)

    p = sub.add_parser(
        "simulate", help="write the seeded simulation of the default programme (data/raw)"
    )
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
    _wait_option(p)

    p = sub.add_parser("verify", help="re-hash inputs and outputs against the data manifest")
    _data_options(p, processed=True)

    sub.add_parser("key", help="print a new random pseudonymization key and how to store it")

    p = sub.add_parser("run", help="execute the notebook pipeline into reports/")
    p.add_argument("--pipeline", type=Path, default=None, help="default config/pipeline.yml")
    p.add_argument("--jobs", type=int, default=None, help="parallel jobs (default: cores)")
    p.add_argument("--only", action="append", default=None, help="run only this notebook/job")
    p.add_argument("--force", action="store_true", help="re-run jobs whose inputs are unchanged")
    p.add_argument("--dry-run", action="store_true", help="list what would run and why")
    p.add_argument("--scheduler", default=None, help="Dask distributed scheduler address")
    p.add_argument("--processed", type=Path, help="processed data folder")
    p.add_argument("--reports", type=Path, help="reports folder")
    _wait_option(p)

    p = sub.add_parser("report", help="rebuild reports/index.html and the final report PDFs")
    p.add_argument("--reports", type=Path, help="reports folder")
    _wait_option(p)

    p = sub.add_parser("publish", help="bundle final reports, estimates and manifests")
    p.add_argument("--reports", type=Path, help="reports folder")
    p.add_argument("--out", type=Path, default=None, help="archive folder (default dist/)")
    p.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="publish a run with failed or missing parts (INCOMPLETE in the name)",
    )
    _wait_option(p)

    p = sub.add_parser("config", help="show the effective configuration and where it came from")
    p.add_argument(
        "--show", action="store_true", help="print the merged settings (YAML) and their sources"
    )
    return parser


class _DebugSubparsers:
    """Adds the ``--debug`` parent to every subcommand (keeps ``add_parser`` calls unchanged)."""

    def __init__(self, sub: Any, parent: argparse.ArgumentParser) -> None:
        self._sub, self._parent = sub, parent

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs["parents"] = [*kwargs.get("parents", []), self._parent]
        return self._sub.add_parser(name, **kwargs)


def _wait_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait", action="store_true", help="wait for another command using the folder"
    )


def _locked_folder(args: argparse.Namespace, settings: Any) -> Path | None:
    """The folder the subcommand writes (locked while it runs); None when it writes none."""
    kind = LOCKED.get(args.command)
    if kind is None or getattr(args, "dry_run", False):
        return None
    if kind == "dist":
        value = getattr(args, "out", None)
        return Path(value).resolve() if value else settings.root / "dist"
    value = getattr(args, kind, None)
    return Path(value).resolve() if value else settings.path(kind)


def _dispatch(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    module = importlib.import_module(HANDLERS[args.command])
    folder = _locked_folder(args, settings)
    if folder is None:
        return int(module.command(args, settings) or 0)
    from evaluation.pipeline.locks import FolderLock

    with FolderLock(folder, command=f"evaluation {args.command}", wait=args.wait):
        return int(module.command(args, settings) or 0)


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; a user's problem is one line on stderr, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - every error ends as one line and an exit code
        from evaluation.pipeline.errors import describe

        user, line = describe(err)
        if getattr(args, "debug", False):
            import traceback

            traceback.print_exc()
        print(line, file=sys.stderr)
        return EXIT_USER if user else EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
