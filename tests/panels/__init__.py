"""Raw data sets of other programmes, told only through config/local.yml (issue: real data).

Each builder writes a raw folder and a configuration root (``config/evaluation.yml`` copied
from the repository, ``config/local.yml`` describing the data) the way an evaluator bringing
their own panel would, so tests can run ``validate -> prepare -> run -> publish`` with
``EVALUATION_ROOT`` pointing at that root:

* :func:`minimal` -- the default simulation cut to the required columns only: ``firms.csv``
  (``firm_id``, ``cohort``; empty = never supported) and ``firm_years.csv`` (``firm_id``,
  ``year``, ``sales``, ``employees``), non-responding firm-years left out (gaps), rows shuffled,
  no clusters, no prices (nominal values), no links or organizations;
* :func:`mpdta` -- the R ``did`` package's county panel (``tests/data/mpdta.csv``) as one long
  file through a column mapping: unit = ``countyreal``, cohort = ``first.treat`` (0 = never),
  outcome ``lemp`` declared as already logged;
* :func:`registry` -- a registry-shaped panel like the hidden checks' (string ids, shuffled
  rows, gaps, missing cohorts for never-treated firms), of any size.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[2]
KEY = "test-key-for-another-programme-0123456789"  # >= 16 bytes, tests only


def _root(dest: Path, local: dict) -> Path:
    """A configuration root: the versioned settings plus this data set's local.yml."""
    root = dest / "root"
    (root / "config").mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "config" / "evaluation.yml", root / "config" / "evaluation.yml")
    shutil.copy2(REPO / "config" / "pipeline.yml", root / "config" / "pipeline.yml")
    (root / "config" / "local.yml").write_text(
        yaml.safe_dump(local, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return root


def _paths(dest: Path) -> dict:
    return {
        "raw": str(dest / "raw"),
        "processed": str(dest / "processed"),
        "reports": str(dest / "reports"),
    }


def minimal(dest: Path, *, source: Path | None = None) -> Path:
    """The default simulation with only the required columns; returns the config root."""
    source = source or REPO / "data" / "raw"
    raw = dest / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    firms = pd.read_csv(source / "firms.csv", dtype=str, keep_default_na=False)
    years = pd.read_csv(source / "firm_years.csv", dtype=str, keep_default_na=False)
    firms[["firm_id", "cohort"]].to_csv(raw / "firms.csv", index=False)
    answered = years[years["responded"] == "1"]
    cut = answered[["firm_id", "year", "sales", "employees"]]
    cut.sample(frac=1.0, random_state=7).to_csv(raw / "firm_years.csv", index=False)
    local = {
        "paths": _paths(dest),
        "program": {"name": "Minimal Test Programme"},
        "analysis": {
            "primary_outcome": "log_sales",
            "secondary_outcomes": ["log_employees"],
            "first_year": 2014,
            "last_year": 2020,
            "base_year": 2015,
        },
    }
    return _root(dest, local)


def mpdta(dest: Path) -> Path:
    """The ``mpdta`` county panel as one long file through a mapping; returns the root."""
    raw = dest / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "tests" / "data" / "mpdta.csv", raw / "firm_years.csv")
    mapping = {
        "tables": {
            "firm_years": {
                "columns": {"countyreal": "firm_id", "year": "year"},
                "derived": {"cohort": 'CASE WHEN "first.treat" > 0 THEN "first.treat" END'},
            }
        }
    }
    mapping_path = dest / "mapping.yml"
    mapping_path.write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    local = {
        "paths": {**_paths(dest), "column_mapping": str(mapping_path)},
        "program": {"name": "County Minimum Wage Panel"},
        "outcomes": {
            "lemp": {
                "expr": "lemp",
                "kind": "log",
                "label": {"en": "Log teen employment", "es": "Log del empleo juvenil"},
            }
        },
        "analysis": {
            "primary_outcome": "lemp",
            "secondary_outcomes": [],
            "covariates": [],
            "cluster": None,
        },
    }
    return _root(dest, local)


def registry(
    dest: Path, *, firms: int = 2_000, years: tuple[int, int] = (2010, 2016), seed: int = 11
) -> Path:
    """A registry-shaped panel (string ids, shuffled rows, ~15% gaps, missing cohorts for the
    never-treated, staggered cohorts with a true effect of 0.10 on log sales); returns the
    config root. Only the hidden checks' columns: firms (firm_id, cohort), firm_years
    (firm_id, year, sales, employees)."""
    rng = np.random.default_rng(seed)
    first, last = years
    ids = np.array([f"RUT-{rng.integers(10**8, 10**9)}-{i:06d}" for i in range(firms)])
    cohort_choices = np.array([0, 0, first + 2, first + 3, first + 4])
    cohort = rng.choice(cohort_choices, size=firms)
    frame = pd.DataFrame({"firm_id": np.repeat(ids, last - first + 1)})
    frame["year"] = np.tile(np.arange(first, last + 1), firms)
    g = np.repeat(cohort, last - first + 1)
    size = np.repeat(rng.normal(0, 1, firms), last - first + 1)
    trend = 0.03 * (frame["year"] - first)
    treated = (g > 0) & (frame["year"] >= g)
    log_sales = 13 + size + trend + 0.10 * treated + rng.normal(0, 0.2, len(frame))
    frame["sales"] = np.round(np.exp(log_sales), 2)
    frame["employees"] = np.maximum(
        1, np.round(np.exp(2 + 0.5 * size + rng.normal(0, 0.2, len(frame))))
    )
    frame = frame[rng.random(len(frame)) > 0.15]
    raw = dest / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame({"firm_id": ids, "cohort": [str(c) if c else "" for c in cohort]})
    table.sample(frac=1.0, random_state=seed).to_csv(raw / "firms.csv", index=False)
    frame.sample(frac=1.0, random_state=seed).to_csv(raw / "firm_years.csv", index=False)
    local = {
        "paths": _paths(dest),
        "program": {"name": "Registry Grant Scheme"},
        "analysis": {
            "primary_outcome": "log_sales",
            "secondary_outcomes": ["log_employees"],
            "first_year": first,
            "last_year": last,
            "base_year": first,
        },
    }
    return _root(dest, local)


__all__ = ["KEY", "minimal", "mpdta", "registry"]
