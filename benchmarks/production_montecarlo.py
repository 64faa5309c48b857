"""Monte Carlo of the production functions beyond the test budget: bias and bootstrap coverage.

Run: ``.venv/bin/python benchmarks/production_montecarlo.py [reps] [firms] [years] [draws]``
(default 50 panels x 300 firms x 8 years, 99 block-bootstrap draws each). Design: the ACF
timing of ``evaluation.estimators.production_simulation`` (true elasticities 0.6 labour,
0.4 capital). Prints, for ACF, the mean bias, the standard deviation of the estimates, the
mean bootstrap standard error and the coverage of the 95% normal interval, and OLS's bias.
Seeded (panel r uses seed 5000 + r, its bootstrap seed r). Results: benchmarks/README.md.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from evaluation.estimators.production import production_function
from evaluation.estimators.production_simulation import simulate_production_panel

TRUTH = np.array([0.6, 0.4])


def main(reps: int = 50, firms: int = 300, years: int = 8, draws: int = 99) -> None:
    t0 = time.perf_counter()
    est, se, cover, ols = [], [], [], []
    for r in range(reps):
        d = simulate_production_panel(firms, years, design="acf", seed=5000 + r)
        res = production_function(
            d, "y", "firm_id", "year", free="l", state="k", proxy="m", method="acf",
            replications=draws, seed=r,
        )  # fmt: skip
        tab = res.tidy().set_index("term").loc[["l", "k"]]
        est.append(tab["estimate"].to_numpy())
        se.append(tab["std_error"].to_numpy())
        cover.append((tab["conf_low"] <= TRUTH) & (TRUTH <= tab["conf_high"]))
        x = np.column_stack([np.ones(len(d)), d["l"], d["k"]])
        ols.append(np.linalg.lstsq(x, d["y"].to_numpy(), rcond=None)[0][1:])
    est, se, cover, ols = map(np.asarray, (est, se, cover, ols))
    print(f"{reps} panels x {firms} firms x {years} years, {draws} draws: "
          f"{time.perf_counter() - t0:.0f} s")  # fmt: skip
    for j, name in enumerate(("labour", "capital")):
        print(
            f"{name}: ACF bias {est[:, j].mean() - TRUTH[j]:+.4f}, sd {est[:, j].std(ddof=1):.4f}, "
            f"mean bootstrap SE {se[:, j].mean():.4f}, coverage {cover[:, j].mean():.2f}; "
            f"OLS bias {ols[:, j].mean() - TRUTH[j]:+.4f}"
        )


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:5]])
