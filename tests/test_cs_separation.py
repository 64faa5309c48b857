"""Callaway-Sant'Anna propensity scores with sector indicators that a cohort lacks.

When no firm of a cohort is in some sector, the logit of cohort-vs-comparison on sector
indicators is (quasi-)separated: the maximum-likelihood scores of that sector's comparison
firms are 0 (R ``glm`` stops near that limit with a warning, ``DRDID`` carries on). The
estimators use the limit exactly; for IPW that equals dropping those comparison firms and the
indicator, which is what these tests check (the same numbers, to 1e-10).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators import callaway_santanna


def _panel(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    # sectors 0..3; cohort 2 only in sectors 1-3 (misses the base level 0), cohort 3 only in
    # sectors 0, 2, 3 (misses sector 1); never-treated firms in every sector
    spec = [(2, s, 12) for s in (1, 2, 3)] + [(3, s, 12) for s in (0, 2, 3)]
    spec += [(0, s, 30) for s in range(4)]
    fid = 0
    for g, sector, n in spec:
        for _ in range(n):
            fid += 1
            size = rng.normal(0.3 * (g > 0), 1.0)
            a = rng.normal()
            for t in range(1, 6):
                trend = 0.05 * sector * t + 0.03 * size * t
                eff = 0.2 * (t - g + 1) if g and t >= g else 0.0
                rows.append((fid, t, g, sector, size, a + trend + eff + rng.normal(0, 0.1)))
    df = pd.DataFrame(rows, columns=["id", "t", "g", "sector", "size", "y"])
    for s in (1, 2, 3):
        df[f"s{s}"] = (df["sector"] == s).astype(float)
    return df


SECT = ["s1", "s2", "s3"]


@pytest.mark.parametrize("method", ["dr", "ipw"])
def test_separated_sectors_are_estimated(method: str) -> None:
    df = _panel()
    res = callaway_santanna(
        df, "y", "id", "t", "g", covariates=["size", *SECT], method=method, control_group="never"
    )
    tab = res.tidy()
    assert np.isfinite(tab["estimate"]).all() and np.isfinite(tab["std_error"]).all()
    # post-treatment effects are 0.2 x (t - g + 1); trends are controlled by sector and size
    att = res.aggregate("simple").tidy().iloc[-1]
    truth = 0.2 * np.mean([1, 2, 3, 4, 1, 2, 3])  # equal cohort sizes: cells weigh the same
    assert abs(att["estimate"] - truth) < 4 * att["std_error"] + 0.02


@pytest.mark.parametrize("g, sector, drop", [(2, 0, ["s1", "s2", "s3"]), (3, 1, ["s1"])])
def test_ipw_limit_equals_dropping_the_separated_firms(g: int, sector: int, drop: list) -> None:
    """IPW gives separated comparison firms weight 0: the same ATT(g,t) and standard errors
    as without those firms (the base-level case re-expresses the design: drop one indicator)."""
    df = _panel()
    full = callaway_santanna(
        df, "y", "id", "t", "g", covariates=["size", *SECT], method="ipw", control_group="never"
    ).tidy()
    keep = ~((df["g"] == 0) & (df["sector"] == sector)) & df["g"].isin([0, g])
    sub = df[keep]
    covs = ["size"] + [c for c in SECT if c not in drop]
    if g == 2:  # sector 0 removed: s1 + s2 + s3 = 1, keep two of them
        covs = ["size", "s2", "s3"]
    reduced = callaway_santanna(
        sub, "y", "id", "t", "g", covariates=covs, method="ipw", control_group="never"
    ).tidy()
    a = full[full["term"].str.startswith(f"ATT({g},")].reset_index(drop=True)
    b = reduced.reset_index(drop=True)
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=0, atol=1e-10)
    # the separated firms' influence is 0, and standard errors do not depend on zero rows
    np.testing.assert_allclose(a["std_error"], b["std_error"], rtol=1e-8)
