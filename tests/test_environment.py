"""The environment is pinned in one place: pyproject declares (a run's dependencies and the
extras of the tools), one lock pins them all, the Makefile and conda install from that lock."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, distributions, version

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO

# Tools of the developers and of CI: never a dependency of a run, always in an extra.
TOOLS = {"pytest", "pytest-timeout", "ruff", "psutil", "jupyterlab"}


def _lock() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        assert "file://" not in line, f"requirements.lock has a local path: {line}"
        assert "--hash" not in line, "requirements.lock must not carry hashes"
        match = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)==([^\s;]+)(\s*;.*)?", line)
        assert match, f"requirements.lock line is not an exact pin: {line!r}"
        pins[canonicalize_name(match.group(1).split("[")[0])] = match.group(2)
    return pins


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def _names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def test_every_declared_dependency_and_extra_is_pinned_in_the_lock():
    project = _project()
    pins = _lock()
    declared = {"": project["dependencies"], **project.get("optional-dependencies", {})}
    missing = {
        extra or "dependencies": sorted(_names(reqs) - set(pins))
        for extra, reqs in declared.items()
        if _names(reqs) - set(pins)
    }
    assert not missing, f"declared in pyproject.toml but not pinned in requirements.lock: {missing}"


def test_test_and_lint_tools_are_extras_not_run_dependencies():
    project = _project()
    extras = project.get("optional-dependencies", {})
    assert {"test", "lint"} <= set(extras), "pyproject.toml lacks the test / lint extras"
    in_run = sorted(_names(project["dependencies"]) & TOOLS)
    assert not in_run, f"tools declared as dependencies of a run: {in_run}"
    in_extras = set().union(*(_names(reqs) for reqs in extras.values()))
    assert TOOLS <= in_extras, f"tools in no extra: {sorted(TOOLS - in_extras)}"
    assert {"pytest", "pytest-timeout"} <= _names(extras["test"])
    assert "ruff" in _names(extras["lint"])


def test_installed_versions_match_the_lock():
    """Every installed distribution the lock names is at the locked version (installed ==
    locked), and the run's dependencies and the test extra are all installed."""
    pins = _lock()
    wrong = {}
    for dist in distributions():
        name = canonicalize_name(dist.metadata["Name"] or "")
        if name in pins and dist.version != pins[name]:
            wrong[name] = (dist.version, pins[name])
    assert not wrong, f"installed != locked: {wrong}"
    project = _project()
    needed = _names(project["dependencies"]) | _names(project["optional-dependencies"]["test"])
    absent = []
    for name in sorted(needed):
        try:
            version(name)
        except PackageNotFoundError:
            absent.append(name)
    assert not absent, f"declared but not installed (run `make test`): {absent}"


def test_makefile_installs_from_the_one_lock():
    make = (REPO / "Makefile").read_text()
    assert "--constraint $(LOCK) -e ." in make  # the run's environment at the locked pins
    assert '-e ".[$*]"' in make  # an extra, same constraint
    assert re.search(r"^test: \$\(VENV\)/\.installed-test", make, re.M)
    assert re.search(r"^lint: \$\(VENV\)/\.installed-lint", make, re.M)
    lock = next(line for line in make.splitlines() if "uv pip compile" in line)
    assert "--all-extras" in lock and "-o $(LOCK)" in lock


def test_environment_yml_installs_the_lock_and_the_package():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps and "pip" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "-c requirements.lock" in pip_section  # the same pins as make install
    assert "-e ." in pip_section
    # conda must not pin anything of its own that could disagree with the lock
    conda_pkgs = [d for d in deps if isinstance(d, str)]
    assert sorted(conda_pkgs) == ["pip", "python=3.11"]
