"""Typed configuration: where data lives, the program's facts, the analysis choices.

One place defines paths and settings (cookiecutter-data-science convention). Versioned
settings live in ``config/evaluation.yml``; machine-only values (a real-data location, the
pseudonymization key, a Dask scheduler address) come from the environment or the git-ignored
``config/local.yml``, which overrides the versioned file key by key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field


def find_root(start: Path | None = None) -> Path:
    """The repository root: the nearest parent holding ``pyproject.toml`` and ``config/``.

    ``EVALUATION_ROOT`` overrides it; outside a checkout the current directory is used.
    """
    env = os.environ.get("EVALUATION_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "pyproject.toml").is_file() and (candidate / "config").is_dir():
            return candidate
    return here


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Paths(_Strict):
    """Data locations, relative to the repository root unless absolute."""

    raw: Path = Path("data/raw")
    processed: Path = Path("data/processed")
    reports: Path = Path("reports")
    column_mapping: Path | None = None


class Analysis(_Strict):
    """Analysis choices fixed in advance (pre-specification)."""

    primary_outcome: str = "log_labor_productivity"
    secondary_outcomes: tuple[str, ...] = ("log_sales", "log_employees", "exporter", "linkages")
    primary_estimator: str = "cs"
    cluster: str = "stratum"
    base_year: int = 2015
    first_year: int = 2014
    last_year: int = 2020
    covariates: tuple[str, ...] = ("baseline_log_employees",)
    min_cell: int = Field(5, ge=1)
    seed: int = 20160601
    bootstrap_reps: int = 9999
    alpha: float = 0.05


class Winsorize(_Strict):
    """Quantiles at which ``prepare`` winsorizes the productivity outcomes (``*_w`` columns).

    ``lower = 0`` and ``upper = 1`` switch the treatment off (the ``*_w`` columns then equal
    the originals and ``winsorized`` is 0 everywhere).
    """

    lower: float = Field(0.01, ge=0.0, lt=0.5)
    upper: float = Field(0.99, gt=0.5, le=1.0)


class Preparation(_Strict):
    """Choices of ``evaluation prepare`` that change the processed values."""

    winsorize: Winsorize = Winsorize()


class Settings(_Strict):
    """Everything a command needs: paths plus analysis choices plus program targets."""

    root: Path
    paths: Paths = Paths()
    analysis: Analysis = Analysis()
    preparation: Preparation = Preparation()
    program: dict[str, Any] = Field(default_factory=dict)

    def path(self, name: str) -> Path:
        """An absolute data location by name (``raw``, ``processed``, ``reports``)."""
        value = getattr(self.paths, name)
        return value if value.is_absolute() else self.root / value


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_settings(config: Path | str | None = None, *, root: Path | None = None) -> Settings:
    """Read ``config/evaluation.yml`` (or ``config``), then ``config/local.yml`` over it.

    ``EVALUATION_RAW`` and ``EVALUATION_PROCESSED`` override the data locations, so a
    confidential data set can stay outside the repository without editing versioned files.
    """
    root = (root or find_root()).resolve()
    main = Path(config) if config else root / "config" / "evaluation.yml"
    data: dict = {}
    if main.is_file():
        data = yaml.safe_load(main.read_text(encoding="utf-8")) or {}
    local = root / "config" / "local.yml"
    if config is None and local.is_file():
        data = _merge(data, yaml.safe_load(local.read_text(encoding="utf-8")) or {})
    paths = dict(data.get("paths") or {})
    for key, env in (("raw", "EVALUATION_RAW"), ("processed", "EVALUATION_PROCESSED")):
        if os.environ.get(env):
            paths[key] = os.environ[env]
    data["paths"] = paths
    return Settings(root=root, **data)
