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

from evaluation.data.codebook import PANEL_COLUMNS

SAMPLES = ("all", "CO", "EC", "women_led", "men_led", "balanced", "participants")
LANGUAGES = ("en", "es")

# Panel columns that are identifiers, design or timing variables, never an outcome.
_NOT_OUTCOMES = {
    "firm_id", "year", "country", "territory", "sector", "stratum", "women_led",
    "participant", "cluster_id", "organization", "cohort", "founded", "firm_age",
    "responded", "va_nonpositive", "winsorized", "rel_time", "post", "treated",
    "balanced", "baseline_log_employees", "baseline_log_labor_productivity",
}  # fmt: skip
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


def value_problems(params: Mapping[str, Any]) -> list[str]:
    """Every illegal value among ``params`` (an empty list when all are legal)."""
    problems: list[str] = []
    for name, value in params.items():
        if name == "outcome":
            if value not in OUTCOMES:
                problems.append(
                    _value_error(
                        name, value, "an outcome column of the panel: " + ", ".join(OUTCOMES)
                    )
                )
        elif name == "outcomes":
            bad = [v for v in (value or []) if v not in OUTCOMES]
            if not isinstance(value, list | tuple) or bad:
                problems.append(_value_error(name, value, "a list of panel outcome columns"))
        elif name == "sample":
            if value not in SAMPLES:
                problems.append(_value_error(name, value, "one of " + "|".join(SAMPLES)))
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


def validate(path: Path, params: Mapping[str, Any], *, job: str = "") -> dict[str, Any]:
    """Check a job's parameters against its notebook before running it.

    Returns the notebook's declared defaults updated with ``params``. Raises
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
    problems += value_problems({k: v for k, v in merged.items() if k in params or k in REQUIRED})
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
    from evaluation.config import find_root

    root = find_root()
    for folder in (root / "notebooks", Path.cwd()):
        for suffix in (".py", ".ipynb"):
            candidate = folder / f"{notebook}{suffix}"
            if candidate.is_file():
                return candidate
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
    problems += value_problems(params)
    if problems:
        raise ParameterError(f"notebook {notebook}: " + "; ".join(problems))
    set_session(notebook, params)
    return params
