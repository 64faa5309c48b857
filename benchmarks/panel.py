"""Simulated firm-year panels for the estimator benchmarks (numpy only, seeded).

``make_panel(rows)`` gives ``rows // 8`` firms observed 2013-2020 (T = 8), spread over 26
strata (the clusters), with staggered entry (cohorts 2015-2018, 40% never treated, coded 0), a
time-invariant covariate ``x`` that shifts both participation and the outcome trend (so
conditional parallel trends hold), and dynamic effects. 2,080 rows is the program's own panel
(260 firms); 1M and 10M rows stand for a national firm registry.

``make_messy_panel(rows)`` is the same panel as a registry delivers it (issue 13): firm ids are
strings (``"F0000123"``, object dtype), rows are shuffled, 15% of firm-years are missing at
random (unbalanced on both sides: treated and never-treated firms lose years), and the cohort
of never-treated firms is missing (NaN, float64) instead of coded 0. It keeps ``rows`` rows
of the tidy panel before the 15% are dropped (1M -> 850,000 firm-years, 125,000 firms).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

T = 8
FIRST_YEAR = 2013
N_STRATA = 26
COHORTS = np.array([0, 2015, 2016, 2017, 2018])
HERE = Path(__file__).resolve().parent
CACHE = HERE / "data"


def make_panel(rows: int, seed: int = 2016) -> pd.DataFrame:
    """A balanced panel of ``rows`` firm-years (rounded down to a multiple of 8)."""
    rng = np.random.default_rng(seed)
    n = rows // T
    stratum = rng.integers(0, N_STRATA, size=n)
    x = rng.normal(size=n)
    # participation rises with x (selection on observables)
    p_treat = 1.0 / (1.0 + np.exp(-(0.4 + 0.5 * x)))
    treated = rng.uniform(size=n) < p_treat * 0.75
    cohort = np.where(treated, COHORTS[1 + rng.integers(0, 4, size=n)], 0)
    unit = np.repeat(np.arange(n, dtype=np.int64), T)
    year = np.tile(np.arange(FIRST_YEAR, FIRST_YEAR + T, dtype=np.int64), n)
    g = cohort[unit]
    e = year - g
    d = (g > 0) & (e >= 0)
    effect = np.where(d, 0.05 + 0.02 * e, 0.0)
    y = (
        rng.normal(size=n)[unit]
        + rng.normal(scale=0.1, size=T)[year - FIRST_YEAR]
        + 0.03 * x[unit] * (year - FIRST_YEAR)
        + rng.normal(scale=0.2, size=N_STRATA * T).reshape(N_STRATA, T)[
            stratum[unit], year - FIRST_YEAR
        ]
        + effect
        + rng.normal(size=unit.size)
    )
    return pd.DataFrame(
        {
            "unit": unit,
            "year": year,
            "stratum": stratum[unit].astype(np.int64),
            "cohort": g.astype(np.int64),
            "treat": d.astype(np.float64),
            "rel": np.where(g > 0, e, -1).astype(np.int64),
            "x": x[unit],
            "y": y,
        }
    )


MISSING_SHARE = 0.15
SHAPES = ("tidy", "messy")


def make_messy_panel(rows: int, seed: int = 2016) -> pd.DataFrame:
    """The tidy panel of ``rows`` rows as a registry delivers it (see the module docstring).

    ``rel`` (event time, -1 for never treated) is kept for the peers that need it as a column;
    ``treat`` is unchanged. Drawn with its own seeded generator, so the same ``rows`` and
    ``seed`` always give the same rows in the same order.
    """
    df = make_panel(rows, seed)
    rng = np.random.default_rng(seed + 1)
    keep = rng.uniform(size=len(df)) >= MISSING_SHARE
    df = df.loc[keep].iloc[rng.permutation(int(keep.sum()))].reset_index(drop=True)
    n = rows // T
    width = len(str(n))
    labels = np.array([f"F{i:0{width}d}" for i in range(n)], dtype=object)
    df["unit"] = labels[df["unit"].to_numpy()]
    df["cohort"] = df["cohort"].astype(np.float64).where(df["cohort"] > 0)
    return df


def load_panel(rows: int, shape: str = "tidy") -> pd.DataFrame:
    """The panel of ``rows`` rows and the given shape ("tidy" or "messy"), cached as Parquet
    under benchmarks/data (git-ignored); string ids come back as object-dtype strings."""
    if shape not in SHAPES:
        raise ValueError(f"unknown panel shape {shape!r} (expected one of {SHAPES})")
    CACHE.mkdir(exist_ok=True)
    stem = f"panel_{rows}" if shape == "tidy" else f"panel_{shape}_{rows}"
    path = CACHE / f"{stem}.parquet"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        make = make_panel if shape == "tidy" else make_messy_panel
        make(rows).to_parquet(tmp, index=False)
        tmp.rename(path)
    df = pd.read_parquet(path)
    if shape == "messy" and df["unit"].dtype != object:
        df["unit"] = df["unit"].astype(object)
    return df
