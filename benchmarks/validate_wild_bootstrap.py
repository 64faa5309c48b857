"""Random-draw agreement of our wild cluster bootstrap with ``wildboottest`` (not a test).

Run with the benchmark environment (it has wildboottest and, with --no-deps, this project):
``.venv-bench/bin/python validate_wild_bootstrap.py``. On the 2,080-row benchmark panel
(26 strata) and on 10 seeded variants with a true null, both packages run the WCR11 bootstrap
with 9,999 random draws (Rademacher and Webb); wildboottest gets the fixed effects as dummy
columns, so the statistic is the same and only the draws differ. The p-values must agree
within Monte Carlo error: |p1 - p2| <= 3 sqrt(2 p (1 - p) / B). Prints a CSV table.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from panel import make_panel  # noqa: E402


def wildboottest_p(df: pd.DataFrame, weights: str, seed: int, B: int) -> float:
    from wildboottest.wildboottest import WildboottestCL

    X = np.column_stack(
        [
            df["treat"],
            pd.get_dummies(df["unit"], dtype=float).to_numpy(),
            pd.get_dummies(df["year"], dtype=float).to_numpy()[:, 1:],
        ]
    )
    R = np.zeros(X.shape[1])
    R[0] = 1.0
    wb = WildboottestCL(
        X=X,
        Y=df["y"].to_numpy(),
        cluster=df["stratum"].to_numpy(),
        R=R,
        B=B,
        seed=seed,
        parallel=False,
    )
    wb.get_scores(bootstrap_type="11", impose_null=True)
    wb.get_weights(weights_type=weights)
    wb.get_numer()
    wb.get_denom()
    wb.get_tboot()
    wb.get_vcov()
    wb.get_tstat()
    wb.get_pvalue(pval_type="two-tailed")
    return float(wb.pvalue)


def main() -> None:
    from evaluation.estimators import wild_cluster_bootstrap

    warnings.simplefilter("ignore")
    B = 9_999
    rows = []
    for rep in range(6):
        df = make_panel(2080, seed=100 + rep)
        if rep > 0:  # true null: outcome without the treatment effect
            df["y"] = df["y"] - np.where(
                df["treat"] > 0, 0.05 + 0.02 * (df["year"] - df["cohort"]), 0
            )
        spec = dict(kind="twfe", data=df, outcome="y", unit="unit", time="year", treatment="treat")
        for weights in ("rademacher", "webb"):
            ours = wild_cluster_bootstrap(
                spec, "treat", "stratum", reps=B, weights=weights, seed=rep, conf_int=False
            )
            p1 = float(ours.tidy().loc[0, "p_value"])
            p2 = wildboottest_p(df, weights, seed=rep + 1000, B=B)
            pbar = (p1 + p2) / 2
            tol = 3 * np.sqrt(2 * max(pbar * (1 - pbar), 1 / B) / B)
            rows.append(
                {
                    "panel_seed": 100 + rep,
                    "weights": weights,
                    "p_ours": p1,
                    "p_wildboottest": p2,
                    "abs_diff": abs(p1 - p2),
                    "mc_tolerance": tol,
                    "within": abs(p1 - p2) <= tol,
                }
            )
    out = pd.DataFrame(rows)
    print(out.to_csv(index=False, float_format="%.4f"))
    print(f"all within 3 MC SE: {bool(out['within'].all())}")


if __name__ == "__main__":
    main()
