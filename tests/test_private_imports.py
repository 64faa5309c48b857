"""No module of ``evaluation`` imports another module's private names (issue 13).

A leading underscore marks a name as private to its module: other modules may change with it
only if they do not use it. This test parses every module under ``src/evaluation`` with
:mod:`ast` and fails on ``from evaluation.<module> import _name`` or ``from .<module> import
_name`` (at module level or inside a function) when ``<module>`` is not the importing module
itself. Dunder names (``__version__``) are public by convention and allowed.

A private *module* (``data/_rule_engine.py``) is private to its package: modules of the same
package may import it and its names; modules elsewhere may not.

What needs a private name of another module gets a public name in its home module (no
underscore, a docstring) or moves to the module that uses it. ``ALLOWED`` (now empty) holds
temporary exemptions; ``test_allow_list_is_current`` says when an entry is stale.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = "evaluation"

# file (relative to src/evaluation) -> private names it may still import from other modules.
# Empty: every cross-module private import found when this test was written has been given a
# public name in its home module. An entry is a temporary exemption; the estimator library
# may never have one, and test_allow_list_is_current fails on an entry no longer needed.
ALLOWED: dict[str, set[str]] = {}


@dataclass(frozen=True)
class PrivateImport:
    """One import of a private name (or private module) from outside its home."""

    file: str  # relative to the package directory, e.g. "estimators/postfit.py"
    line: int
    module: str  # the module imported from
    name: str  # the private name (or the private module's dotted path)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.name} from {self.module}"


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_name(path: Path, src: Path) -> tuple[str, str]:
    """Dotted name of the module at ``path`` and of the package it belongs to."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
        return ".".join(parts), ".".join(parts)
    return ".".join(parts), ".".join(parts[:-1])


def _resolve(node: ast.ImportFrom, package: str) -> str:
    """The absolute module a ``from ... import`` reads from (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _private_home(module: str) -> str | None:
    """The package a private module is private to (``a.b._c`` -> ``a.b``); None if public."""
    parts = module.split(".")
    for i, part in enumerate(parts):
        if _is_private(part):
            return ".".join(parts[:i])
    return None


def _outside_home(module: str, importer_package: str) -> bool:
    """Whether ``module`` is private to a package that ``importer_package`` is not part of."""
    home = _private_home(module)
    return home is not None and not (
        importer_package == home or importer_package.startswith(home + ".")
    )


def _is_module(src: Path, module: str) -> bool:
    path = src / module.replace(".", "/")
    return path.is_dir() or path.with_suffix(".py").is_file()


def private_imports(src: Path = SRC, package: str = PACKAGE) -> list[PrivateImport]:
    """Every import, in a module under ``src/<package>``, of another module's private name
    or of a private module from outside its package."""
    found: list[PrivateImport] = []
    top = src / package
    for path in sorted(top.rglob("*.py")):
        this, this_package = _module_name(path, src)
        rel = path.relative_to(top).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == package and _outside_home(
                        alias.name, this_package
                    ):
                        found.append(PrivateImport(rel, node.lineno, alias.name, alias.name))
                continue
            if not isinstance(node, ast.ImportFrom):
                continue
            module = _resolve(node, this_package)
            if module.split(".")[0] != package:
                continue
            if _outside_home(module, this_package):
                found.append(PrivateImport(rel, node.lineno, module, module))
                continue
            for alias in node.names:
                name = alias.name
                if _is_module(src, f"{module}.{name}"):  # a submodule imported by name
                    if _outside_home(f"{module}.{name}", this_package):
                        found.append(PrivateImport(rel, node.lineno, module, name))
                elif _is_private(name) and module != this:
                    found.append(PrivateImport(rel, node.lineno, module, name))
    return found


def test_no_private_imports_across_modules() -> None:
    offenders = [str(f) for f in private_imports() if f.name not in ALLOWED.get(f.file, set())]
    assert not offenders, (
        "private names imported from another module; give them a public name (no leading "
        f"underscore, a docstring) in their home module or move them: {offenders}"
    )


def stale_entries(allowed: dict[str, set[str]], found: list[PrivateImport]) -> list[str]:
    """Entries of ``allowed`` that no import in ``found`` needs any more."""
    seen = {(f.file, f.name) for f in found}
    return sorted(
        f"{file}: {name}"
        for file, names in allowed.items()
        for name in names
        if (file, name) not in seen
    )


def test_allow_list_is_current() -> None:
    stale = stale_entries(ALLOWED, private_imports())
    assert not stale, f"no longer imported: remove from ALLOWED in {__file__}: {stale}"


def test_staleness_check_sees_unneeded_entries() -> None:
    found = [PrivateImport("a/c.py", 5, "evaluation.a.b", "_x")]
    allowed = {"a/c.py": {"_x", "_gone"}, "d.py": {"_y"}}
    assert stale_entries(allowed, found) == ["a/c.py: _gone", "d.py: _y"]
    assert stale_entries({"a/c.py": {"_x"}}, found) == []


def test_estimator_library_has_no_exemption() -> None:
    assert not [f for f in ALLOWED if f.startswith("estimators/")]


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_check_sees_private_imports(tmp_path: Path) -> None:
    pkg = "evaluation"
    _write(tmp_path, f"{pkg}/__init__.py", "__version__ = '1'\n_hidden = 1\n")
    _write(tmp_path, f"{pkg}/a/__init__.py", "")
    _write(tmp_path, f"{pkg}/a/b.py", "_x = 1\ny = 2\n")
    _write(tmp_path, f"{pkg}/a/_inner.py", "z = 1\n_w = 2\n")
    _write(
        tmp_path,
        f"{pkg}/a/c.py",
        "from evaluation import __version__\n"  # dunder: fine
        "from evaluation.a.b import y\n"  # public: fine
        "from evaluation.a._inner import z\n"  # private module, same package: fine
        "from . import _inner\n"  # the same, as a name: fine
        "from evaluation.a.b import _x\n"  # line 5: private name of another module
        "def f():\n"
        "    from .b import y, _x\n"  # line 7: relative, inside a function
        "    from .. import _hidden\n"  # line 8: the package's private name
        "import os._private\n",  # not this package: ignored
    )
    _write(
        tmp_path,
        f"{pkg}/d.py",
        "from evaluation.a._inner import z\n"  # line 1: private module of another package
        "import evaluation.a._inner\n"  # line 2: the same
        "from evaluation.a import _inner\n",  # line 3: the same, as a name
    )
    found = {(f.file, f.line, f.name) for f in private_imports(tmp_path, pkg)}
    assert found == {
        ("a/c.py", 5, "_x"),
        ("a/c.py", 7, "_x"),
        ("a/c.py", 8, "_hidden"),
        ("d.py", 1, "evaluation.a._inner"),
        ("d.py", 2, "evaluation.a._inner"),
        ("d.py", 3, "_inner"),
    }
