"""One clear line for every error that reaches the ``evaluation`` command.

A user's problem -- invalid configuration, data that cannot be read, a locked folder, a
missing file, a full disk, a missing browser -- is described in one line (what, where, how to
fix) and exits 2; anything else is a defect of this code and says so, asking for a report
(exit 3). ``--debug`` adds the traceback (see :func:`evaluation.cli.main`).
"""

from __future__ import annotations

import errno

REPORT = "internal error (a defect in the evaluation code, please report it with --debug output)"


def _user_types() -> tuple[type[BaseException], ...]:
    """Exception classes that mean the user's input or environment, imported lazily."""
    from evaluation.config import ConfigError
    from evaluation.pipeline.jobs import PipelineConfigError
    from evaluation.pipeline.locks import LockError
    from evaluation.pipeline.parameters import ParameterError

    types: list[type[BaseException]] = [ConfigError, PipelineConfigError, LockError, ParameterError]
    for module, name in (
        ("evaluation.data.ingest", "DataError"),
        ("evaluation.data.prepare", "PrepareError"),
        ("evaluation.data.simulation_design", "SimulationError"),
        ("evaluation.reporting.pdf", "ChromiumNotFound"),
        ("evaluation.pipeline.publish", "PublishRefused"),
    ):
        try:
            types.append(getattr(__import__(module, fromlist=[name]), name))
        except (ImportError, AttributeError):
            continue
    return tuple(types)


_KIND = {
    "ConfigError": "configuration",
    "PipelineConfigError": "pipeline configuration",
    "LockError": "folder in use",
    "ParameterError": "notebook parameters",
    "DataError": "data",
    "PrepareError": "data",
    "SimulationError": "simulation settings",
    "ChromiumNotFound": "environment",
    "PublishRefused": "cannot publish",
}
_OS_HINTS = {
    errno.ENOSPC: "the disk is full: free space and run the command again",
    errno.EACCES: "permission denied: check the folder's owner and permissions",
    errno.EROFS: "the file system is read-only: choose a writable folder",
    errno.ENOENT: "not found: check the path (config/local.yml paths, --raw/--processed)",
}


def describe(err: BaseException) -> tuple[bool, str]:
    """``(is_user_problem, one line)`` for an error that reached the command line."""
    message = " ".join(str(err).split()) or type(err).__name__
    if isinstance(err, _user_types()):
        kind = _KIND.get(type(err).__name__, "error")
        return True, f"error ({kind}): {message}"
    if isinstance(err, OSError) and err.errno in _OS_HINTS:
        where = f" {err.filename}:" if err.filename else ""  # none when cwd itself is gone
        return True, f"error (environment):{where} {_OS_HINTS[err.errno]}"
    if isinstance(err, MemoryError):
        return True, "error (environment): out of memory: use a larger machine or fewer --jobs"
    if isinstance(err, ModuleNotFoundError):
        return True, (
            f"error (environment): {message}: the environment is incomplete; run `make install`"
        )
    return False, f"{REPORT}: {type(err).__name__}: {message}"


__all__ = ["REPORT", "describe"]
