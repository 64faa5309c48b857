"""The pipeline configuration and its expansion into jobs (notebook x parameter grid).

``config/pipeline.yml`` lists notebooks; each has a ``grid`` (parameter -> list of values,
expanded as a Cartesian product in the order written), fixed ``parameters``, a ``stage``
(jobs of a later stage run after every job of the earlier ones, so the final report can read
the run's estimates) and ``final: true`` for the final evaluation report (printed to PDF and
published). A job's output path is derived from its parameters through :func:`slugify`, and
is checked to stay inside the reports folder, so no parameter value can write elsewhere.

The configuration names no outcome of any programme: an ``outcome`` value ``primary`` is
``analysis.primary_outcome`` and ``secondary`` expands into one job per secondary outcome
(none when there is none), resolved here from the run's settings so that job ids, pages and
the estimates table carry the outcome's real name.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
MAX_SLUG = 80
DEFAULT_TIME_LIMIT = 900
_NOTEBOOK_KEYS = {
    "name", "grid", "parameters", "stage", "final", "time_limit", "title", "title_es",
}  # fmt: skip
# Page-header titles in another language: ``title_<lang>`` keys, used for jobs whose
# ``language`` parameter is ``<lang>`` (``title`` is the English one and the fallback).
_TITLE_LANGUAGES = ("es",)
_TOP_KEYS = {"notebooks_dir", "kernel", "time_limit", "start_timeout", "notebooks"}


class PipelineConfigError(ValueError):
    """``config/pipeline.yml`` is malformed (the message names the file and the entry)."""


def slugify(value: Any) -> str:
    """A file-name-safe slug of a parameter value: ASCII letters, digits, ``-`` and ``_``.

    Accents are folded (``"Señal"`` -> ``"senal"``), every other character becomes ``-``,
    so separators (``/``, ``\\``), ``..`` and NUL can never reach a path.
    """
    text = json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else str(value)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9_]+", "-", text).strip("-_")
    return text[:MAX_SLUG].strip("-_") or "x"


def _digest(params: dict[str, Any]) -> str:
    canon = json.dumps(params, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(canon.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Job:
    """One notebook run with one set of parameters."""

    notebook: str
    path: Path
    params: dict[str, Any]
    stage: int = 1
    final: bool = False
    time_limit: float = DEFAULT_TIME_LIMIT
    title: str = ""
    grid_keys: tuple[str, ...] = field(default_factory=tuple)
    titles: dict[str, str] = field(default_factory=dict)

    def title_for(self, language: Any) -> str:
        """The page title in ``language`` (``title_<lang>`` in the config), else ``title``."""
        return self.titles.get(str(language), "") or self.title

    @property
    def id(self) -> str:
        """A stable, unique, path-safe identifier: notebook and the grid values' slugs.

        When a value's slug differs from the value (it had unsafe characters) or the name
        would be long, a short hash of the parameters keeps distinct jobs distinct.
        """
        keys = self.grid_keys or tuple(sorted(self.params))
        parts = [slugify(self.params[k]) for k in keys if k in self.params]
        exact = all(
            slugify(self.params[k]) == str(self.params[k]) for k in keys if k in self.params
        )
        name = "__".join([self.notebook, *parts]) if parts else self.notebook
        if not exact or len(name) > 120:
            name = f"{name[:110]}__{_digest(self.params)}"
        return name

    def output(self, reports: Path) -> Path:
        """The job's HTML page under ``reports``; refuses any path that would leave it."""
        root = Path(reports).resolve()
        target = (root / self.notebook / f"{self.id}.html").resolve()
        if root not in target.parents:
            raise ValueError(f"job {self.id!r}: output {target} would leave {root}")
        return target

    def relative_output(self) -> str:
        return f"{self.notebook}/{self.id}.html"


@dataclass(frozen=True)
class PipelineConfig:
    """The parsed ``config/pipeline.yml``."""

    source: Path
    notebooks_dir: Path
    kernel: str
    start_timeout: float
    jobs: tuple[Job, ...]
    text: str


def _fail(source: Path, where: str, message: str) -> PipelineConfigError:
    return PipelineConfigError(f"{source}: {where}: {message}")


def outcome_roles(analysis: Any | None) -> dict[str, list[str]]:
    """``primary``/``secondary`` -> outcome names, from ``settings.analysis`` (None: unresolved).

    The secondary list leaves out the primary outcome, so listing it in both places does not
    give two jobs with one id.
    """
    if analysis is None:
        return {}
    primary = str(analysis.primary_outcome)
    secondary = [str(o) for o in analysis.secondary_outcomes if str(o) != primary]
    return {"primary": [primary], "secondary": list(dict.fromkeys(secondary))}


def _resolve_values(values: list[Any], roles: dict[str, list[str]]) -> list[Any]:
    """A grid list with ``primary``/``secondary`` replaced by their outcomes (no repeats)."""
    out: list[Any] = []
    for value in values:
        for item in roles.get(value, [value]) if isinstance(value, str) else [value]:
            if item not in out:
                out.append(item)
    return out


def load_pipeline(path: Path, *, root: Path, analysis: Any | None = None) -> PipelineConfig:
    """Read and check ``config/pipeline.yml``, and expand every notebook's grid into jobs.

    ``analysis`` (``settings.analysis``) resolves the outcome roles ``primary`` and
    ``secondary``; without it they stay as written (the notebook resolves them).
    """
    path = Path(path)
    if not path.is_file():
        raise PipelineConfigError(f"pipeline configuration {path} does not exist")
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise PipelineConfigError(f"{path}: not valid YAML ({err})") from err
    if not isinstance(data, dict):
        raise _fail(path, "top level", "expected a mapping with a 'notebooks' list")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise _fail(
            path, "top level", f"unknown keys {sorted(unknown)}; allowed {sorted(_TOP_KEYS)}"
        )
    nb_dir = Path(data.get("notebooks_dir", "notebooks"))
    if not nb_dir.is_absolute():
        # relative to the configuration root; a root holding only config/ (another
        # programme's settings) uses the checkout's notebooks
        from evaluation.config import code_root

        checkout = code_root()
        local = root / nb_dir
        shared = checkout / nb_dir if checkout is not None else None
        nb_dir = shared if not local.is_dir() and shared and shared.is_dir() else local
    default_limit = data.get("time_limit", DEFAULT_TIME_LIMIT)
    entries = data.get("notebooks")
    if not isinstance(entries, list) or not entries:
        raise _fail(path, "notebooks", "expected a non-empty list of notebook entries")
    jobs: list[Job] = []
    for i, entry in enumerate(entries, start=1):
        jobs.extend(_expand(path, i, entry, nb_dir, default_limit, outcome_roles(analysis)))
    seen: dict[str, Job] = {}
    for job in jobs:
        if job.id in seen:
            raise _fail(path, f"notebook {job.notebook}", f"two grid entries give job {job.id}")
        seen[job.id] = job
    return PipelineConfig(
        source=path,
        notebooks_dir=nb_dir,
        kernel=str(data.get("kernel", "python3")),
        start_timeout=float(data.get("start_timeout", 120)),
        jobs=tuple(jobs),
        text=text,
    )


def _expand(
    source: Path,
    i: int,
    entry: Any,
    nb_dir: Path,
    default_limit: Any,
    roles: dict[str, list[str]] | None = None,
) -> list[Job]:
    where = f"notebooks[{i}]"
    if not isinstance(entry, dict) or "name" not in entry:
        raise _fail(source, where, "expected a mapping with at least 'name'")
    name = str(entry["name"])
    where = f"notebook {name!r}"
    if not NAME_RE.match(name):
        raise _fail(source, where, "names may hold only letters, digits, '_' and '-'")
    unknown = set(entry) - _NOTEBOOK_KEYS
    if unknown:
        raise _fail(
            source, where, f"unknown keys {sorted(unknown)}; allowed {sorted(_NOTEBOOK_KEYS)}"
        )
    grid = entry.get("grid") or {}
    fixed = entry.get("parameters") or {}
    if not isinstance(grid, dict) or not isinstance(fixed, dict):
        raise _fail(source, where, "'grid' and 'parameters' must be mappings")
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            raise _fail(source, where, f"grid.{key} must be a non-empty list, got {values!r}")
    overlap = set(grid) & set(fixed)
    if overlap:
        raise _fail(source, where, f"{sorted(overlap)} appear in both 'grid' and 'parameters'")
    roles = roles or {}
    if roles:
        grid = {k: _resolve_values(v, roles) if k == "outcome" else v for k, v in grid.items()}
        fixed = dict(fixed)
        if fixed.get("outcome") == "secondary":
            raise _fail(
                source, where, "parameters.outcome: secondary may be several outcomes; "
                "write it in grid.outcome: [secondary] (one job each)"
            )  # fmt: skip
        if fixed.get("outcome") == "primary":
            fixed["outcome"] = roles["primary"][0]
        if isinstance(fixed.get("outcomes"), list):
            fixed["outcomes"] = _resolve_values(fixed["outcomes"], roles)
    limit = entry.get("time_limit", default_limit)
    if not isinstance(limit, int | float) or isinstance(limit, bool) or limit <= 0:
        raise _fail(
            source, where, f"time_limit must be a positive number of seconds, got {limit!r}"
        )
    stage = entry.get("stage", 1)
    if not isinstance(stage, int) or isinstance(stage, bool) or stage < 1:
        raise _fail(source, where, f"stage must be a positive integer, got {stage!r}")
    nb_path = nb_dir / f"{name}.py"
    if not nb_path.is_file() and (nb_dir / f"{name}.ipynb").is_file():
        nb_path = nb_dir / f"{name}.ipynb"
    titles: dict[str, str] = {}
    for lang in _TITLE_LANGUAGES:
        value = entry.get(f"title_{lang}")
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise _fail(source, where, f"title_{lang} must be non-empty text, got {value!r}")
        titles[lang] = value.strip()
    keys = tuple(grid)
    out = []
    if any(not values for values in grid.values()):
        return out  # e.g. grid.outcome: [secondary] with no secondary outcome: no job
    for combo in itertools.product(*(grid[k] for k in keys)):
        params = {**fixed, **dict(zip(keys, combo, strict=True))}
        out.append(
            Job(
                notebook=name,
                path=nb_path,
                params=params,
                stage=stage,
                final=bool(entry.get("final", False)),
                time_limit=float(limit),
                title=str(entry.get("title", "")),
                grid_keys=keys,
                titles=titles,
            )
        )
    return out


def select(jobs: tuple[Job, ...] | list[Job], only: list[str] | None) -> list[Job]:
    """Jobs whose notebook or job id matches one of ``only`` (all when ``only`` is empty).

    A pattern matches a notebook name exactly, a job id exactly, or a job id prefix.
    """
    if not only:
        return list(jobs)
    chosen = [
        j for j in jobs if any(p == j.notebook or p == j.id or j.id.startswith(p) for p in only)
    ]
    if not chosen:
        names = sorted({j.notebook for j in jobs})
        raise PipelineConfigError(f"--only {only}: no job matches; notebooks are {names}")
    return chosen
