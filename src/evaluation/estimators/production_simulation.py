"""Simulated firm panels with known production elasticities, for Monte Carlo checks of
:func:`evaluation.estimators.production.production_function` (tests and benchmarks).

Two timing designs, both Cobb-Douglas value added ``y = b_l l + b_k k + omega + eps``:

* ``"acf"`` - the design of Ackerberg, Caves and Frazer (2015, Section 4): productivity
  follows an AR(1) in half-years, labour is chosen at ``t - 1/2`` from the static first-order
  condition given ``omega_t-1/2``, capital and a serially correlated firm wage (so lagged
  labour is a relevant, valid instrument), capital accumulates from last year's investment
  (with an investment shock), and materials are Leontief in output (``m = b_l l + b_k k +
  omega``, the proxy ACF use). OLS is biased (labour and capital respond to productivity);
  OP and LP are not consistent here (their first stage cannot separate labour), ACF is.
* ``"oplp"`` - the OP/LP assumptions hold: labour is chosen at ``t`` with an i.i.d. wage
  shock that moves labour but neither investment nor materials, investment and materials are
  deterministic, monotone functions of ``(k_t, omega_t)``. OP, LP and ACF are consistent.

``programme_effect`` (default 0): from the middle year of the panel the more productive half
of the firms participate (``treated`` = 1) and participation raises next year's productivity
by that much on top of the Markov process (De Loecker 2013's law of motion).

Firm ids are strings; years start at 2001. Columns: ``firm_id, year, y, l, k, m, i, omega,
treated``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["simulate_production_panel"]


def simulate_production_panel(
    n_firms: int = 500,
    n_years: int = 10,
    *,
    design: str = "acf",
    beta_labour: float = 0.6,
    beta_capital: float = 0.4,
    rho: float = 0.7,
    sigma_xi: float = 0.2,
    sigma_eps: float = 0.1,
    sigma_labour: float = 0.1,
    programme_effect: float = 0.0,
    seed: int = 0,
    burn_in: int = 10,
) -> pd.DataFrame:
    """A balanced firm-year panel from the ``design`` (``"acf"`` or ``"oplp"``) above."""
    if design not in ("acf", "oplp"):
        raise ValueError(f"simulate_production_panel: design must be 'acf' or 'oplp' ({design!r})")
    rng = np.random.default_rng(seed)
    n, total = n_firms, n_years + burn_in
    half_sd = sigma_xi / np.sqrt(1 + rho)  # two half-year shocks: var(xi) = sigma_xi^2
    omega = rng.normal(0, sigma_xi / np.sqrt(1 - rho**2), n)
    log_k = rng.normal(1.0, 0.8, n)
    wage = rng.normal(0, 0.3, n)
    out = []
    start = burn_in + n_years // 2  # the programme starts mid-panel
    joins = np.zeros(n, dtype=bool)
    treated = np.zeros(n)
    for t in range(total):
        if t == start and programme_effect:
            joins = omega > np.median(omega)  # the more productive firms join
        treated_lag = treated
        treated = (joins & (t >= start)).astype(float)
        omega_half = np.sqrt(rho) * omega + rng.normal(0, half_sd, n)
        omega_new = np.sqrt(rho) * omega_half + rng.normal(0, half_sd, n)
        omega_new = omega_new + programme_effect * treated_lag
        if design == "acf":
            wage = 0.6 * wage + rng.normal(0, 0.25, n)
            seen = omega_half
        else:
            wage = rng.normal(0, 0.3, n)
            seen = omega_new
        omega = omega_new
        log_l = (np.log(beta_labour) + seen + beta_capital * log_k - wage) / (1 - beta_labour)
        if design == "acf":  # i.i.d. optimisation error in labour (ACF's DGP 2)
            log_l = log_l + rng.normal(0, sigma_labour, n)
        y_star = beta_labour * log_l + beta_capital * log_k + omega
        eps = rng.normal(0, sigma_eps, n)
        y = y_star + eps
        if design == "acf":
            log_m = y_star  # Leontief materials
            log_i = -1.0 + 1.5 * omega + 0.9 * log_k + rng.normal(0, 0.3, n)
        else:
            log_m = 0.5 + 1.2 * omega + 0.7 * log_k
            log_i = -1.0 + 1.5 * omega + 0.9 * log_k
        if t >= burn_in:
            out.append(
                pd.DataFrame(
                    {
                        "firm_id": [f"f{j:05d}" for j in range(n)],
                        "year": 2001 + t - burn_in,
                        "y": y,
                        "l": log_l,
                        "k": log_k,
                        "m": log_m,
                        "i": log_i,
                        "omega": omega,
                        "treated": treated,
                    }
                )
            )
        log_k = np.log(0.9 * np.exp(log_k) + np.exp(log_i))
    return pd.concat(out, ignore_index=True)
