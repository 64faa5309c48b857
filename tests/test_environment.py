"""The environment is pinned in one place: pyproject declares, the lock pins, conda reuses it."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO


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


def test_every_declared_dependency_is_pinned_in_the_lock():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = _lock()
    missing = [
        d for d in project["dependencies"] if canonicalize_name(Requirement(d).name) not in pins
    ]
    assert not missing, f"declared in pyproject.toml but not pinned in requirements.lock: {missing}"


def test_installed_versions_match_the_lock():
    pins = _lock()
    wrong = {}
    for name in ("numpy", "pandas", "scipy", "statsmodels", "pyfixest", "linearmodels", "pyarrow"):
        if version(name) != pins[canonicalize_name(name)]:
            wrong[name] = (version(name), pins[canonicalize_name(name)])
    assert not wrong, f"installed != locked: {wrong}"


def test_environment_yml_installs_the_lock_and_the_package():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps and "pip" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "-r requirements.lock" in pip_section
    assert "-e ." in pip_section
    # conda must not pin anything of its own that could disagree with the lock
    conda_pkgs = [d for d in deps if isinstance(d, str)]
    assert sorted(conda_pkgs) == ["pip", "python=3.11"]
