"""Read the processed data: the one entry point for notebooks and estimator tests.

``load_panel`` returns the analysis panel (``codebook.PANEL_COLUMNS``) for a named sample;
``load_table`` one of the other processed tables; ``load_truth`` the simulator's truth file
(None for real data). Locations default to the configured ``data/processed`` and ``data/raw``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from evaluation.config import load_settings

TABLES = ("panel", "firms", "links", "organizations")
SAMPLES = {
    "all": None,
    "CO": "country == 'CO'",
    "EC": "country == 'EC'",
    "women_led": "women_led == 1",
    "men_led": "women_led == 0",
    "balanced": "balanced == 1",
    "participants": "participant == 1",
}


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

    Samples: ``all``, ``CO``, ``EC``, ``women_led``, ``men_led``, ``balanced`` (firms that
    responded every panel year), ``participants``. The index is reset; rows stay sorted by
    pseudonymous firm id and year.

    Examples
    --------
    >>> panel = load_panel(sample="women_led")               # doctest: +SKIP
    >>> panel.groupby("year").log_labor_productivity.mean()  # doctest: +SKIP
    """
    if sample not in SAMPLES:
        raise KeyError(f"unknown sample {sample!r}; expected one of {tuple(SAMPLES)}")
    frame = load_table("panel", processed)
    if SAMPLES[sample] is not None:
        frame = frame.query(SAMPLES[sample]).reset_index(drop=True)
    return frame


def load_truth(raw: Path | str | None = None) -> dict | None:
    """The simulator's ``truth.json`` in ``raw`` (true effects), or None for real data."""
    folder = Path(raw) if raw is not None else load_settings().path("raw")
    path = folder / "truth.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


__all__ = ["SAMPLES", "TABLES", "load_panel", "load_table", "load_truth"]
