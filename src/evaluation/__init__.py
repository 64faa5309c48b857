"""Reproducible impact evaluation of a firm-support programme (the one config/ describes).

Flow: ``data/raw`` -> ``evaluation validate`` -> ``evaluation prepare`` -> ``data/processed``
-> ``evaluation run`` (papermill notebooks) -> ``reports/``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("evaluation")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
