"""Notebook parameters: what a notebook declares, and which values are legal.

Papermill injects parameters as plain assignments after the cell tagged ``parameters`` and
silently accepts any name, so a misspelled ``outcom="log_sales"`` would run the default
analysis under a wrong label. Two checks close that gap:

* the runner calls :func:`validate` *before* executing a job: every given name must be
  assigned in the notebook's ``parameters`` cell, and every value must be legal;
* the notebook calls :func:`check` right after its parameters cell, so a hand-run papermill
  job (``papermill -p outcome ...``) is validated too. Inside the kernel it finds the cell
  papermill injected (IPython keeps executed cell sources in ``In``) and compares its names
  with the declared ones.

Example
-------
In a notebook, right after the ``parameters`` cell::

    from evaluation.pipeline.parameters import check
    check(globals(), notebook="03_main_effects")
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evaluation.data import load as _load
from evaluation.data.codebook import PANEL_COLUMNS

# Samples every panel can be cut into; any other sample is ``<column>=<value>`` (the data
# layer's generic rule, :mod:`evaluation.data.load`: rows whose column equals the value, e.g.
# ``country=KE``). No programme's codes are named here.
SAMPLES = tuple(_load.SAMPLES)
SUBSET_SAMPLE = _load.SAMPLE_PATTERN
LANGUAGES = ("en", "es")
# Outcome parameter values the runner resolves from settings.analysis (config/pipeline.yml
# names no outcome): ``primary`` -> analysis.primary_outcome, ``secondary`` -> each secondary.
OUTCOME_ROLES = ("primary", "secondary")

# Panel columns that are identifiers, design or timing variables, never an outcome.
_NOT_OUTCOMES = {
    "firm_id", "year", "country", "territory", "sector", "stratum", "women_led",
    "participant", "cluster_id", "organization", "cohort", "founded", "firm_age",
    "responded", "va_nonpositive", "winsorized", "rel_time", "post", "treated",
    "balanced", "baseline_log_employees", "baseline_log_labor_productivity",
}  # fmt: skip
# Built-in outcomes: outcome columns the processed panel can hold for any programme.
OUTCOMES = tuple(c for c in PANEL_COLUMNS if c not in _NOT_OUTCOMES)

# Parameters the runner fills with absolute paths when the notebook declares them.
PATH_PARAMETERS = ("processed_dir", "raw_dir", "reports_dir")
REQUIRED = ("outcome", "sample", "language", "seed", "processed_dir", "raw_dir")


class ParameterError(ValueError):
    """A notebook job's parameters are unknown or out of range (the message says which)."""


# --- what a notebook declares ----------------------------------------------------------
_PERCENT_CELL = re.compile(r"^# %%")
_PERCENT_PARAMS = re.compile(r"^# %%.*\btags\s*=\s*\[[^\]]*[\"']parameters[\"']")


def _percent_parameters(text: str) -> str | None:
    """The parameters cell of a jupytext percent-format script, read without jupytext.

    A plain line scan keeps ``check`` cheap inside the kernel (jupytext takes seconds to
    import on a loaded machine); other formats fall back to jupytext.
    """
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _PERCENT_PARAMS.match(line):
            body = []
            for nxt in lines[i + 1 :]:
                if _PERCENT_CELL.match(nxt):
                    break
                body.append(nxt)
            return "\n".join(body)
    return None


def parameters_cell(path: Path) -> str:
    """The source of the notebook's cell tagged ``parameters`` (jupytext .py or .ipynb)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"notebook {path} does not exist")
    if path.suffix == ".py":
        found = _percent_parameters(path.read_text(encoding="utf-8"))
        if found is not None:
            return found
        import jupytext

        nb = jupytext.read(path)
    else:
        import nbformat

        nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell.source
    raise ParameterError(
        f"{path}: no code cell is tagged 'parameters'; papermill needs one "
        '(jupytext: `# %% tags=["parameters"]`)'
    )


def _assignments(source: str, where: str) -> dict[str, Any]:
    """Names assigned at top level in ``source``, with their literal value when it has one."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ParameterError(f"{where}: the parameters cell is not valid Python ({err})") from err
    out: dict[str, Any] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Name):
                try:
                    out[target.id] = ast.literal_eval(value) if value is not None else None
                except ValueError:
                    out[target.id] = None  # an expression: declared, no literal default
    return out


def declared(path: Path) -> dict[str, Any]:
    """The parameters a notebook declares (names assigned in its parameters cell) and defaults."""
    return _assignments(parameters_cell(path), str(path))


# --- legal values ----------------------------------------------------------------------
def _value_error(name: str, value: Any, expected: str) -> str:
    return f"parameter {name}={value!r}: expected {expected}"


def allowed_outcomes(settings: Any | None = None) -> tuple[str, ...]:
    """Legal ``outcome`` values: the roles, the configured and declared outcomes, built-ins.

    ``settings`` is an :class:`evaluation.config.Settings` (None: built-ins and roles only).
    Configured outcomes (``analysis.primary_outcome``/``secondary_outcomes``) and declared
    ones (``outcomes:``) come first, so an error message lists the programme's own first.
    """
    names: list[str] = list(OUTCOME_ROLES)
    if settings is not None:
        names += list(settings.analysis.outcomes) + list(settings.outcomes)
    names += list(OUTCOMES)
    return tuple(dict.fromkeys(names))


def sample_problem(value: Any) -> str | None:
    """Why ``value`` is not a legal sample (None when it is).

    Legal: one of :data:`SAMPLES` or ``<column>=<value>`` with an identifier column (the data
    layer's rule in :mod:`evaluation.data.load`); whether the column exists is the data's
    question, answered by the notebook's page.
    """
    if isinstance(value, str) and (value in SAMPLES or SUBSET_SAMPLE.match(value)):
        return None
    return "one of " + "|".join(SAMPLES) + " or <column>=<value> (e.g. country=KE)"


def value_problems(
    params: Mapping[str, Any], *, outcomes: tuple[str, ...] | list[str] | None = None
) -> list[str]:
    """Every illegal value among ``params`` (an empty list when all are legal).

    ``outcomes`` are the legal outcome names (default: :func:`allowed_outcomes` without
    settings, i.e. the roles and the built-in panel outcomes).
    """
    legal = tuple(outcomes) if outcomes is not None else allowed_outcomes()
    problems: list[str] = []
    for name, value in params.items():
        if name == "outcome":
            if not isinstance(value, str) or value not in legal:
                problems.append(
                    _value_error(
                        name, value, "primary, secondary, a configured or declared outcome, "
                        "or an outcome column of the panel: " + ", ".join(legal[2:])
                    )
                )  # fmt: skip
        elif name == "outcomes":
            bad = [v for v in (value or []) if v not in legal]
            if not isinstance(value, list | tuple) or bad:
                problems.append(
                    _value_error(name, value, "a list of configured, declared or panel outcomes")
                )
        elif name == "sample":
            why = sample_problem(value)
            if why:
                problems.append(_value_error(name, value, why))
        elif name == "language":
            if value not in LANGUAGES:
                problems.append(_value_error(name, value, "one of " + "|".join(LANGUAGES)))
        elif name == "seed":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(_value_error(name, value, "a non-negative integer"))
        elif name in PATH_PARAMETERS:
            if not isinstance(value, str) or not value:
                problems.append(_value_error(name, value, "a folder path (string)"))
        elif not _json_like(value):
            problems.append(
                _value_error(name, value, "a number, string, boolean, None or a list/dict of them")
            )
    return problems


def _json_like(value: Any) -> bool:
    if value is None or isinstance(value, str | bool | int | float):
        return True
    if isinstance(value, list | tuple):
        return all(_json_like(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_like(v) for k, v in value.items())
    return False


def validate(
    path: Path,
    params: Mapping[str, Any],
    *,
    job: str = "",
    outcomes: tuple[str, ...] | list[str] | None = None,
) -> dict[str, Any]:
    """Check a job's parameters against its notebook before running it.

    ``outcomes`` are the legal outcome names (the runner passes :func:`allowed_outcomes` of
    the run's settings). Returns the notebook's declared defaults updated with ``params``. Raises
    :class:`ParameterError` listing every unknown name (with the closest declared name) and
    every illegal value.
    """
    names = declared(path)
    where = f"job {job} ({Path(path).name})" if job else str(path)
    problems = []
    for name in params:
        if name not in names:
            hint = _closest(name, names)
            problems.append(
                f"unknown parameter {name!r}: the notebook's parameters cell declares "
                f"{sorted(names)}" + (f" (did you mean {hint!r}?)" if hint else "")
            )
    merged = {**names, **dict(params)}
    problems += value_problems(
        {k: v for k, v in merged.items() if k in params or k in REQUIRED}, outcomes=outcomes
    )
    if problems:
        raise ParameterError(f"{where}: " + "; ".join(problems))
    return merged


def _closest(name: str, candidates: Mapping[str, Any]) -> str | None:
    import difflib

    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return match[0] if match else None


# --- inside the notebook ---------------------------------------------------------------
_INJECTED = re.compile(r"^\s*# Parameters\s*\n")


def _find_notebook(notebook: str) -> Path | None:
    from evaluation.config import code_root, find_root

    folders = [find_root() / "notebooks", Path.cwd()]
    if code_root() is not None:
        folders.append(code_root() / "notebooks")
    for folder in folders:
        for suffix in (".py", ".ipynb"):
            candidate = folder / f"{notebook}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def _kernel_settings() -> Any | None:
    """The settings the runner gave the kernel (``EVALUATION_ROOT`` and the path variables).

    None when they cannot be read: the notebook's own loading then reports the problem; the
    parameter check falls back on the built-in outcomes.
    """
    from evaluation.config import load_settings

    try:
        return load_settings()
    except Exception:  # noqa: BLE001 - a config problem is reported where settings are used
        return None


def check(namespace: Mapping[str, Any], *, notebook: str) -> dict[str, Any]:
    """Validate a notebook's parameters from inside the notebook; return them.

    ``namespace`` is the notebook's ``globals()``. The declared names are those of the
    notebook's ``parameters`` cell (read from ``notebooks/<notebook>.py``, or, when the file is
    not found, taken to be the required names present in ``namespace``); names papermill
    injected are read from the kernel's input history. Raises :class:`ParameterError` naming
    every unknown parameter and illegal value.
    """
    from evaluation.pipeline.record import set_session

    path = _find_notebook(notebook)
    names = declared(path) if path is not None else {n: None for n in REQUIRED if n in namespace}
    problems: list[str] = []
    missing = [n for n in REQUIRED if n not in namespace]
    if missing:
        problems.append(f"the parameters cell must assign {missing}")
    injected: set[str] = set()
    for source in namespace.get("In", []) or []:
        if isinstance(source, str) and _INJECTED.match(source):
            injected |= set(_assignments(source, notebook))
    unknown = sorted(injected - set(names))
    for name in unknown:
        hint = _closest(name, names)
        problems.append(
            f"unknown parameter {name!r}: the parameters cell declares {sorted(names)}"
            + (f" (did you mean {hint!r}?)" if hint else "")
        )
    params = {n: namespace[n] for n in names if n in namespace}
    problems += value_problems(params, outcomes=allowed_outcomes(_kernel_settings()))
    if problems:
        raise ParameterError(f"notebook {notebook}: " + "; ".join(problems))
    set_session(notebook, params)
    return params
