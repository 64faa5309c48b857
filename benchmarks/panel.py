"""Simulated firm-year panels for the estimator benchmarks (numpy only, seeded).

``make_panel(rows)`` gives ``rows // 8`` firms observed 2013-2020 (T = 8), spread over 26
strata (the clusters), with staggered entry (cohorts 2015-2018, 40% never treated, coded 0), a
time-invariant covariate ``x`` that shifts both participation and the outcome trend (so
conditional parallel trends hold), and dynamic effects. 2,080 rows is the program's own panel
(260 firms); 1M and 10M rows stand for a national firm registry.
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


def load_panel(rows: int) -> pd.DataFrame:
    """The panel of ``rows`` rows, cached as Parquet under benchmarks/data (git-ignored)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"panel_{rows}.parquet"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        make_panel(rows).to_parquet(tmp, index=False)
        tmp.rename(path)
    return pd.read_parquet(path)
