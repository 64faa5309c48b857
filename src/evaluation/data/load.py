"""Read the processed data: the one entry point for notebooks and estimator tests.

``load_panel`` returns the analysis panel (``codebook.PANEL_COLUMNS``) for a named sample;
``load_table`` one of the other processed tables; ``load_truth`` the simulator's truth file
(None for real data). Locations default to the configured ``data/processed`` and ``data/raw``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from evaluation.config import load_settings

TABLES = ("panel", "firms", "links", "organizations")
# Samples every panel can be cut into (a query over firm-level or panel flags); any other
# sample is ``<column>=<value>`` on a firm-level column, e.g. ``country=CO`` or ``sector=C``.
SAMPLES = {
    "all": None,
    "women_led": "women_led == 1",
    "men_led": "women_led == 0",
    "balanced": "balanced == 1",
    "participants": "participant == 1",
}
# ``<column>=<value>``: an identifier column and a value without "=", path separators or a
# leading blank (the sample names page files, so it may never climb out of reports/).
SAMPLE_PATTERN = re.compile(r"^(?P<column>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>[^=\s/\\][^=/\\]*)$")


def check_sample(name: str) -> None:
    """Raise ``KeyError`` unless ``name`` is one of :data:`SAMPLES` or ``<column>=<value>``."""
    if not isinstance(name, str) or not (name in SAMPLES or SAMPLE_PATTERN.match(name)):
        raise KeyError(
            f"unknown sample {name!r}; expected one of {tuple(SAMPLES)} or <column>=<value> "
            "(e.g. country=CO)"
        )


def select_sample(frame: pd.DataFrame, sample: str) -> pd.DataFrame:
    """The rows of ``frame`` (panel or firm table) in ``sample``, index reset.

    ``<column>=<value>`` compares the column's values as text (``cohort=2016`` matches the
    integer 2016); a column the data do not have is a ``KeyError`` naming it.
    """
    check_sample(sample)
    if sample in SAMPLES:
        query = SAMPLES[sample]
        return frame if query is None else frame.query(query).reset_index(drop=True)
    match = SAMPLE_PATTERN.match(sample)
    column, value = match["column"], match["value"]
    if column not in frame.columns:
        raise KeyError(f"sample {sample!r}: the data have no column {column!r}")
    keep = frame[column].astype("string").str.strip() == value.strip()
    return frame[keep.fillna(False).to_numpy()].reset_index(drop=True)


def _processed(processed: Path | str | None) -> Path:
    return Path(processed) if processed is not None else load_settings().path("processed")


def load_table(name: str, processed: Path | str | None = None) -> pd.DataFrame:
    """One processed table (``panel``, ``firms``, ``links``, ``organizations``)."""
    if name not in TABLES:
        raise KeyError(f"unknown processed table {name!r}; expected one of {TABLES}")
    path = _processed(processed) / f"{name}.parquet"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: not found; run `evaluation prepare` first")
    return pd.read_parquet(path)


def load_panel(processed: Path | str | None = None, sample: str = "all") -> pd.DataFrame:
    """The firm-year panel, restricted to ``sample``.

    Samples: ``all``, ``women_led``, ``men_led``, ``balanced`` (firms that responded every
    panel year), ``participants``, or ``<column>=<value>`` (e.g. ``country=CO``). The index is
    reset; rows stay sorted by pseudonymous firm id and year.

    Examples
    --------
    >>> panel = load_panel(sample="women_led")               # doctest: +SKIP
    >>> panel.groupby("year").log_labor_productivity.mean()  # doctest: +SKIP
    """
    check_sample(sample)
    return select_sample(load_table("panel", processed), sample)


def load_truth(raw: Path | str | None = None) -> dict | None:
    """The simulator's ``truth.json`` in ``raw`` (true effects), or None for real data."""
    folder = Path(raw) if raw is not None else load_settings().path("raw")
    path = folder / "truth.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


__all__ = [
    "SAMPLES",
    "SAMPLE_PATTERN",
    "TABLES",
    "check_sample",
    "load_panel",
    "load_table",
    "load_truth",
    "select_sample",
]
