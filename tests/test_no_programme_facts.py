"""No fact of the default programme in the code: src/ and notebooks/ name it only through config.

The default programme's facts live in ``config/evaluation.yml`` and in the simulator
(``src/evaluation/data/simulate*.py``, ``simulation_*.py``, ``synthetic_names.py``), which
builds its seeded data. Anywhere else a name, place, donor or design count would leak into the
pages of another programme's evaluation. The test fails naming file, line and the fact found.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FACTS = ("PROMIPYME", "AL-Invest", "CAINCO", "Bucaramanga", "Progetto Sud", "Colombia",
         "Colombian", "Ecuador", "26 strata", "26 clusters", "26 estratos",
         "26 conglomerados")  # fmt: skip
ALLOWED = re.compile(r"^(simulate.*|simulation_.*|synthetic_names)\.py$")
PATTERN = re.compile("|".join(re.escape(f) for f in FACTS), re.IGNORECASE)


def _files() -> list[Path]:
    files = [*(REPO / "notebooks").glob("*.py")]
    for path in (REPO / "src").rglob("*"):
        if not path.is_file() or path.suffix not in (".py", ".yml", ".yaml", ".j2", ".css"):
            continue
        if ".egg-info" in str(path) or "__pycache__" in path.parts:
            continue
        if path.parent.name == "data" and ALLOWED.match(path.name):
            continue
        files.append(path)
    return files


def hits(files: list[Path]) -> list[str]:
    """``file:line: fact`` for every occurrence of a default-programme fact."""
    out = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in PATTERN.finditer(line):
                name = path.relative_to(REPO) if path.is_relative_to(REPO) else path.name
                out.append(f"{name}:{number}: {match.group(0)!r}")
    return out


def test_the_search_finds_a_planted_fact(tmp_path):
    planted = tmp_path / "x.py"
    planted.write_text("ok = 1\nname = 'promipyme in Colombia'\n", encoding="utf-8")
    assert hits([planted]) == ["x.py:2: 'promipyme'", "x.py:2: 'Colombia'"]


def test_simulator_files_are_the_only_exception():
    names = {p.name for p in _files()}
    assert "simulate.py" not in names and "synthetic_names.py" not in names
    assert "context.py" in names and "01_data_quality.py" in names


def test_no_default_programme_fact_in_src_or_notebooks():
    found = hits(_files())
    assert not found, "default-programme facts outside config and the simulator:\n" + "\n".join(
        found
    )
