"""Freeze the reference output of the ``wildboottest`` package (v0.3.2) for our tests.

Run in an environment that has ``wildboottest`` (the benchmark venv has it; it is not a project
dependency): ``benchmarks/.venv-bench/bin/python tests/data/wildboot/make_wildboottest_reference.py``.

Writes ``wildboot_ref_data.csv`` (three small seeded panels) and ``wildboot_ref_tboot.csv``
(case, draw, t_boot, t_stat, p_value, k). Every case uses few clusters and Rademacher weights with
``B > 2**G``, so wildboottest enumerates all sign vectors: the output is deterministic and
draw-by-draw comparable (its order is ``itertools.product([-1, 1], repeat=G)``). Fixed effects
are passed to wildboottest as dummy columns, so it bootstraps the full regression.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from wildboottest.wildboottest import WildboottestCL

HERE = Path(__file__).resolve().parent


def make_panel(seed: int, n_clusters: int, units_per: int, periods: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_units = n_clusters * units_per
    unit = np.repeat(np.arange(n_units), periods)
    time = np.tile(np.arange(periods), n_units)
    stratum = unit // units_per
    cohort_of_unit = rng.choice([0, 2, 3, 4], size=n_units, p=[0.4, 0.2, 0.2, 0.2])
    cohort = cohort_of_unit[unit]
    treat = ((cohort > 0) & (time >= cohort)).astype(float)
    x1 = rng.normal(size=unit.size) + 0.3 * time
    alpha = rng.normal(size=n_units)[unit]
    gamma = rng.normal(size=periods)[time]
    eta = rng.normal(scale=0.7, size=n_clusters)[stratum]
    y = alpha + gamma + 0.2 * treat + 0.5 * x1 + eta + rng.standard_t(5, size=unit.size)
    weight = rng.uniform(0.5, 2.0, size=n_units)[unit]
    return pd.DataFrame(
        {
            "unit": unit,
            "time": time,
            "stratum": stratum,
            "treat": treat,
            "x1": x1.round(6),
            "y": y.round(6),
            "w": weight.round(6),
        }
    )


def run(case: str, X: np.ndarray, y: np.ndarray, cluster: np.ndarray) -> pd.DataFrame:
    R = np.zeros(X.shape[1])
    R[0] = 1.0
    wb = WildboottestCL(X=X, Y=y, cluster=cluster, R=R, B=99999, seed=1, parallel=False)
    wb.get_scores(bootstrap_type="11", impose_null=True)
    _, B, enumerated = wb.get_weights(weights_type="rademacher")
    assert enumerated, "expected full enumeration"
    wb.get_numer()
    wb.get_denom()
    wb.get_tboot()
    wb.get_vcov()
    wb.get_tstat()
    wb.get_pvalue(pval_type="two-tailed")
    return pd.DataFrame(
        {
            "case": case,
            "draw": np.arange(B),
            "t_boot": wb.t_boot,
            "t_stat": float(np.asarray(wb.t_stat).ravel()[0]),
            "p_value": float(wb.pvalue),
            "k": X.shape[1],
        }
    )


def main() -> None:
    panels = []
    outputs = []
    # case 1: TWFE with a covariate, 8 clusters (strata) nesting the units, unit + time FE
    d1 = make_panel(20261127, n_clusters=8, units_per=5, periods=6).assign(panel="twfe8")
    unit_d = pd.get_dummies(d1["unit"], dtype=float).to_numpy()
    time_d = pd.get_dummies(d1["time"], dtype=float).to_numpy()[:, 1:]
    X1 = np.column_stack([d1["treat"], d1["x1"], unit_d, time_d])
    outputs.append(run("twfe8", X1, d1["y"].to_numpy(), d1["stratum"].to_numpy()))
    # case 2: the same design, weighted (WLS = OLS on sqrt(w)-scaled rows)
    sw = np.sqrt(d1["w"].to_numpy())
    outputs.append(
        run("twfe8_weighted", X1 * sw[:, None], d1["y"].to_numpy() * sw, d1["stratum"].to_numpy())
    )
    # case 3: pooled OLS with intercept, 10 clusters, time FE as dummies (not nested)
    d3 = make_panel(7, n_clusters=10, units_per=3, periods=5).assign(panel="ols10")
    time_d3 = pd.get_dummies(d3["time"], dtype=float).to_numpy()
    X3 = np.column_stack([d3["treat"], d3["x1"], time_d3])
    outputs.append(run("ols10_timefe", X3, d3["y"].to_numpy(), d3["stratum"].to_numpy()))
    panels = pd.concat([d1, d3], ignore_index=True)
    panels.to_csv(HERE / "wildboot_ref_data.csv", index=False)
    pd.concat(outputs, ignore_index=True).to_csv(
        HERE / "wildboot_ref_tboot.csv", index=False, float_format="%.12g"
    )


if __name__ == "__main__":
    main()
