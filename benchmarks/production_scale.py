"""ACF production function on a simulated 1M firm-year panel: seconds, beside a numpy floor.

Run: ``.venv/bin/python benchmarks/production_scale.py [n_firms] [n_years]`` (default
100,000 firms x 10 years). Times, on the same simulated panel (ACF design of
``evaluation.estimators.production_simulation``, string firm ids):

* numpy floor: the first-stage OLS alone (degree-3 polynomial in labour, capital and
  materials: 20 regressors, normal equations) - no estimator can be faster than this pass;
* ``production_function(method="acf", replications=0)``: lags by year, first stage, the
  multi-start GMM second stage (the point estimate);
* the PyPI peer ``pymarkup-estimator`` (``PyMarkup.estimators.acf.ACFEstimator``, a
  De Loecker-Warzynski ACF: statsmodels first stage of degree 2, Nelder-Mead), when it is
  importable - it estimates a different specification (one variable input, AR(1) law of
  motion), so only its time is comparable, not its numbers.

Prints one line per timing; the figures of record are in benchmarks/README.md.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from evaluation.estimators.production import _polynomial, production_function
from evaluation.estimators.production_simulation import simulate_production_panel


def main(n_firms: int = 100_000, n_years: int = 10) -> None:
    t0 = time.perf_counter()
    d = simulate_production_panel(n_firms, n_years, design="acf", seed=1)
    print(f"simulate {len(d):,} firm-years: {time.perf_counter() - t0:.2f} s")

    t0 = time.perf_counter()
    v = d[["l", "k", "m"]].to_numpy()
    v = (v - v.mean(axis=0)) / v.std(axis=0)
    x = np.column_stack([np.ones(len(v)), _polynomial(v, 3)])
    coef = np.linalg.solve(x.T @ x, x.T @ d["y"].to_numpy())
    phi = x @ coef
    floor = time.perf_counter() - t0
    print(f"numpy floor (first-stage OLS, {x.shape[1]} regressors): {floor:.2f} s ({phi[0]:.3f})")

    t0 = time.perf_counter()
    res = production_function(
        d, "y", "firm_id", "year", free="l", state="k", proxy="m", method="acf", replications=0
    )
    ours = time.perf_counter() - t0
    coef_s = ", ".join(f"{k}={v:.4f}" for k, v in res.coef.items())
    print(f"production_function ACF: {ours:.2f} s ({coef_s}; truth l=0.6, k=0.4)")

    try:
        from PyMarkup.estimators.acf import ACFEstimator
    except ImportError:
        print("pymarkup-estimator not importable: peer not timed")
        return
    import pandas as pd

    df = pd.DataFrame(
        {"id": pd.factorize(d["firm_id"])[0], "year": d["year"], "y": d["y"], "c": d["l"],
         "k": d["k"]}
    )  # fmt: skip
    df = df.sort_values(["id", "year"])
    df["c2"], df["k2"], df["ck"] = df.c**2, df.k**2, df.c * df.k
    df["c_lag"] = df.groupby("id").c.shift(1)
    df["k_lag"] = df.groupby("id").k.shift(1)
    t0 = time.perf_counter()
    peer = ACFEstimator(include_market_share=False)._estimate_window(df)
    print(f"pymarkup-estimator ACF (one window): {time.perf_counter() - t0:.2f} s ({peer})")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
