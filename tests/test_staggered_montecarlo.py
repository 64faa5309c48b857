"""Monte Carlo: Callaway-Sant'Anna with the covariate is unbiased for the true ATT(e) when
trends depend on a covariate that also drives selection; without the covariate it is biased.

Design (seeded numpy, 50 replications of 400 units x 6 periods): x ~ N(0,1); cohort 3, 4, 5
or never by thresholds on 0.6 x + logistic noise (earlier cohorts have larger x); outcome
y_it = a_i + 0.2 t + 0.4 x_i t + tau_it + e_it with heterogeneous, dynamic effects
tau = (1 + 0.5 e) x 1.5 for cohort 3 and (1 + 0.5 e) otherwise. The true ATT(e) of a
replication weights the cohorts' effects by their sizes, as the estimator's target does.
Tolerances: |mean bias| < 3 Monte Carlo s.e. + 0.02 with the covariate; > 10 Monte Carlo
s.e. without; pointwise 95% coverage of the analytic intervals, pooled over e = 0..3, >= 0.88.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.estimators import callaway_santanna

REPS, UNITS, PERIODS = 50, 400, 6
EVENTS = [0, 1, 2, 3]


def _effect(cohort: np.ndarray, event: np.ndarray) -> np.ndarray:
    return (1 + 0.5 * event) * np.where(cohort == 3, 1.5, 1.0)


def _draw(rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    x = rng.normal(size=UNITS)
    z = 0.6 * x + 0.6 * rng.logistic(size=UNITS)
    g = np.select([z > 0.8, z > 0.3, z > -0.2], [3.0, 4.0, 5.0], 0.0)
    a = rng.normal(size=UNITS) + 0.5 * x
    t = np.arange(1, PERIODS + 1)
    e = t[None, :] - g[:, None]
    tau = np.where((g[:, None] > 0) & (e >= 0), _effect(g[:, None], e), 0.0)
    y = a[:, None] + 0.2 * t + 0.4 * x[:, None] * t + tau + rng.normal(size=(UNITS, PERIODS))
    frame = pd.DataFrame(
        {
            "id": np.repeat(np.arange(UNITS), PERIODS),
            "t": np.tile(t, UNITS),
            "y": y.ravel(),
            "x": np.repeat(x, PERIODS),
            "g": np.repeat(g, PERIODS),
        }
    )
    truth = []
    for ev in EVENTS:
        cohorts = np.array([c for c in (3.0, 4.0, 5.0) if c + ev <= PERIODS])
        sizes = np.array([(g == c).sum() for c in cohorts])
        truth.append(float(sizes @ _effect(cohorts, np.full(len(cohorts), ev)) / sizes.sum()))
    return frame, np.array(truth)


@pytest.mark.slow
def test_cs_with_covariate_unbiased_without_biased():
    rng = np.random.default_rng(20160101)
    bias_cov, bias_raw, covered = [], [], []
    for _ in range(REPS):
        frame, truth = _draw(rng)
        with_x = callaway_santanna(frame, "y", "id", "t", "g", covariates=["x"])
        without = callaway_santanna(frame, "y", "id", "t", "g")
        a = with_x.aggregate("dynamic").tidy().set_index("event_time").loc[EVENTS]
        b = without.aggregate("dynamic").tidy().set_index("event_time").loc[EVENTS]
        bias_cov.append(a["estimate"].to_numpy() - truth)
        bias_raw.append(b["estimate"].to_numpy() - truth)
        covered.append((a["conf_low"] <= truth) & (truth <= a["conf_high"]))
    bias_cov, bias_raw = np.array(bias_cov), np.array(bias_raw)
    mcse_cov = bias_cov.std(axis=0, ddof=1) / np.sqrt(REPS)
    mcse_raw = bias_raw.std(axis=0, ddof=1) / np.sqrt(REPS)
    assert (np.abs(bias_cov.mean(axis=0)) < 3 * mcse_cov + 0.02).all(), bias_cov.mean(axis=0)
    assert (bias_raw.mean(axis=0) > 10 * mcse_raw).all(), bias_raw.mean(axis=0)
    assert np.mean(covered) >= 0.88
