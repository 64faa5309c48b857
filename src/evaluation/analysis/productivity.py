"""Log total factor productivity as an outcome: production functions on the processed panel.

From the settings' ``analysis.production`` (which panel columns are output, labour, capital,
intermediate inputs and investment) this module builds the estimation sample (logs of the
inputs; firm-years with a zero, negative or missing value leave it, counted), estimates the
production function by each method the data support (OP needs investment, LP and ACF need
intermediate inputs: :func:`available_methods`) and adds ``log_tfp`` - productivity
``omega = phi - f(inputs)`` of the configured method, see
:meth:`~evaluation.estimators.production.ProductionResult.productivity` - to the panel, so
that the DiD estimators of :mod:`evaluation.analysis.effects` run on it like on any outcome.

When the settings name no production function, or the panel lacks a configured column, the
functions return (or raise) :class:`~evaluation.analysis.effects.NotEstimable` with a
``missing.*`` message id saying what to provide; the page shows it and its job succeeds.

One production function for all firms, treated or not; the law of motion of productivity
includes last year's participation (``treated``) when the panel has it (De Loecker 2013), so
that the moment conditions allow the programme to shift productivity: the page states it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.analysis.effects import NotEstimable
from evaluation.config import Production, Settings
from evaluation.estimators.production import ProductionResult, production_function

UNIT, TIME, TREATED = "firm_id", "year", "treated"
OUTCOME = "log_tfp"
# internal names of the log columns of the estimation sample
Y, L, K, M, INV = (
    "tfp_log_output",
    "tfp_log_labour",
    "tfp_log_capital",
    "tfp_log_intermediates",
    "tfp_log_inv",
)


@dataclass
class Inputs:
    """What the data hold for the production function: the configuration and its columns."""

    config: Production | None
    found: dict[str, str] = field(default_factory=dict)  # role -> column present
    missing: dict[str, str] = field(default_factory=dict)  # role -> column configured, absent

    @property
    def methods(self) -> tuple[str, ...]:
        return available_methods(self)

    @property
    def roles(self) -> dict[str, str | None]:
        """Role -> configured column (None when the role is not configured), in page order."""
        if self.config is None:
            return {}
        c = self.config
        return {"output": c.output, "labour": c.labour, "capital": c.capital,
                "intermediates": c.intermediates, "investment": c.investment}  # fmt: skip


def _varies(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and frame[column].notna().all() and frame[column].nunique() > 1


def _observed(panel: pd.DataFrame, column: str | None) -> bool:
    return bool(column) and column in panel.columns and bool(panel[column].notna().any())


def production_inputs(settings: Settings, panel: pd.DataFrame) -> Inputs:
    """The configured production columns found in (and missing from) ``panel``."""
    config = settings.analysis.production
    if config is None:
        return Inputs(None)
    roles = Inputs(config).roles
    found = {r: c for r, c in roles.items() if c and _observed(panel, c)}
    missing = {r: c for r, c in roles.items() if c and r not in found}
    return Inputs(config, found, missing)


def available_methods(inputs: Inputs) -> tuple[str, ...]:
    """Methods the found columns support: OP (investment), LP and ACF (intermediates)."""
    if inputs.config is None or any(r not in inputs.found for r in ("output", "labour", "capital")):
        return ()
    if not inputs.config.value_added and "intermediates" not in inputs.found:
        return ()
    out = []
    if "investment" in inputs.found:
        out.append("op")
    if "intermediates" in inputs.found:
        out += ["lp", "acf"]
    return tuple(m for m in ("op", "lp", "acf") if m in out)


def not_estimable(inputs: Inputs) -> NotEstimable | None:
    """Why no production function can be estimated (None when one can)."""
    if inputs.config is None:
        return NotEstimable("missing.production_config", "analysis.production is not configured")
    if inputs.methods:
        return None
    needed = [c for r, c in inputs.missing.items()]
    if not needed:  # neither a proxy configured
        needed = ["intermediates / investment"]
    return NotEstimable(
        "missing.production_inputs",
        f"production inputs not in the data: {needed}",
        columns=", ".join(needed),
    )


def estimation_sample(panel: pd.DataFrame, inputs: Inputs) -> pd.DataFrame:
    """Responding firm-years with every found input positive, with their logs added.

    ``attrs["excluded"]`` counts the firm-years left out (non-positive or missing input).
    """
    data = panel
    if _observed(panel, "responded"):
        data = data[data["responded"] == 1]
    logs = {
        Y: inputs.found.get("output"),
        L: inputs.found.get("labour"),
        K: inputs.found.get("capital"),
        M: inputs.found.get("intermediates"),
        INV: inputs.found.get("investment"),
    }
    logs = {k: v for k, v in logs.items() if v}
    values = data[list(dict.fromkeys(logs.values()))].apply(pd.to_numeric, errors="coerce")
    ok = (values > 0).all(axis=1)
    out = data.loc[ok].copy()
    for name, column in logs.items():
        out[name] = np.log(out[column].astype(float))
    out = out.reset_index(drop=True)
    out.attrs["excluded"] = int((~ok).sum())
    out.attrs["rows"] = int(len(data))
    return out


def estimate(
    sample: pd.DataFrame,
    inputs: Inputs,
    method: str,
    *,
    replications: int,
    seed: int,
    alpha: float = 0.05,
) -> ProductionResult:
    """One production function (``method``) on the estimation sample, bootstrap by firm.

    When the sample has the participation indicator ``treated`` (1 from the firm's cohort
    on), its previous-year value enters the law of motion of productivity (De Loecker 2013):
    the programme may shift productivity, and the Markov moments must allow it.
    """
    config = inputs.config
    if config is None or method not in inputs.methods:
        raise NotEstimable("missing.production_method", method=method.upper())
    gross = not config.value_added
    return production_function(
        sample,
        Y,
        UNIT,
        TIME,
        free=L,
        state=K,
        proxy=INV if method == "op" else M,
        method=method,  # type: ignore[arg-type]
        form=config.form,
        value_added=not gross,
        intermediates=M if gross else None,
        replications=replications,
        seed=seed,
        alpha=alpha,
        markov_controls=[TREATED] if _varies(sample, TREATED) else None,
    )


def input_names(inputs: Inputs) -> dict[str, str]:
    """Internal log column -> configured panel column (to label tables)."""
    pairs = {Y: "output", L: "labour", K: "capital", M: "intermediates", INV: "investment"}
    return {k: inputs.found[r] for k, r in pairs.items() if r in inputs.found}


def ols_reference(sample: pd.DataFrame, inputs: Inputs) -> pd.Series:
    """OLS elasticities of the same technology (Cobb-Douglas): the reference the control
    functions correct (inputs respond to productivity, so OLS overstates the free input).
    Indexed by the internal log columns, then ``returns_to_scale``."""
    config = inputs.config
    cols = [c for c in (L, K) if c in sample.columns]
    if config is not None and not config.value_added and M in sample.columns:
        cols.append(M)
    design = np.column_stack([np.ones(len(sample)), sample[cols].to_numpy(dtype=float)])
    coef = np.linalg.lstsq(design, sample[Y].to_numpy(dtype=float), rcond=None)[0][1:]
    return pd.Series([*coef, coef.sum()], index=[*cols, "returns_to_scale"], name="ols")


def with_log_tfp(
    panel: pd.DataFrame, sample: pd.DataFrame, result: ProductionResult
) -> pd.DataFrame:
    """``panel`` with ``log_tfp`` (omega of ``result``; missing outside the estimation sample)."""
    tfp = result.productivity(sample)
    keyed = pd.Series(tfp.to_numpy(), index=pd.MultiIndex.from_frame(sample[[UNIT, TIME]]))
    index = pd.MultiIndex.from_frame(panel[[UNIT, TIME]])
    out = panel.copy()
    out[OUTCOME] = keyed.reindex(index).to_numpy()
    return out


__all__ = [
    "OUTCOME",
    "Inputs",
    "available_methods",
    "estimate",
    "estimation_sample",
    "input_names",
    "not_estimable",
    "ols_reference",
    "production_inputs",
    "with_log_tfp",
]
