"""The layers of docs/architecture.md, checked on the import statements of every module.

data -> analysis -> reporting: reporting formats and renders, it never estimates, so it may
import only ``evaluation.reporting.*``, the settings, the codebook, the study context, the
results schema and the run-manifest reader; the data layer imports neither analysis nor
reporting; the analysis layer imports no reporting. Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "evaluation"
REPORTING_MAY_IMPORT = (
    "evaluation.reporting",
    "evaluation.config",
    "evaluation.data.codebook",
    "evaluation.analysis.context",
    "evaluation.estimators.results",
    "evaluation.pipeline.manifest",
)
FORBIDDEN = {
    "data": ("evaluation.analysis", "evaluation.reporting"),
    "analysis": ("evaluation.reporting",),
}


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every ``evaluation`` import in a file, at any depth."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("evaluation")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("evaluation"):
                # ``from evaluation.pipeline import manifest`` imports the submodule
                out += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return out


def _inside(module: str, allowed: tuple[str, ...]) -> bool:
    return any(module == a or module.startswith(a + ".") for a in allowed)


def violations() -> list[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        layer = path.relative_to(PACKAGE).parts[0]
        for line, module in imports(path):
            where = f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}"
            if layer == "reporting" and not _inside(module, REPORTING_MAY_IMPORT):
                # a name imported from an allowed module (``from evaluation.config import X``)
                if not _inside(module.rsplit(".", 1)[0], REPORTING_MAY_IMPORT):
                    out.append(where)
            for bad in FORBIDDEN.get(layer, ()):
                if _inside(module, (bad,)):
                    out.append(where)
    return out


def test_import_reader_sees_nested_and_from_imports(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text(
        "import evaluation.config\n"
        "def f():\n    from evaluation.analysis import effects\n"
        "from . import sibling\n",
        encoding="utf-8",
    )
    assert imports(sample) == [(1, "evaluation.config"), (3, "evaluation.analysis.effects")]


def test_layers_import_only_what_docs_architecture_allows():
    found = violations()
    assert not found, "layer violations (docs/architecture.md):\n" + "\n".join(found)
