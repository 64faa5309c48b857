"""Cost-effectiveness: what a unit of effect cost (issue 14, part 4).

Costs come from ``program.costs`` (:class:`evaluation.config.Costs`): a programme total and/or
a table by cluster or firm. Ratios (term names as recorded):

* ``cost_per_firm`` -- total cost / supported firms (firms with a cohort in the data, or the
  firms of a firm-level cost table). An accounting ratio: no sampling uncertainty;
* ``cost_per_outcome_unit`` -- cost per supported firm / the average effect on the treated of
  the primary outcome, per *unit* of outcome: one percentage point (0.01 log points, or 0.01
  of a share or binary outcome) for ``log``/``share``/``binary`` outcomes, one unit of the
  outcome for ``level`` ones. The cost of raising one firm's outcome by that unit for the
  period the effect averages over;
* ``cost_per_job`` -- cost per supported firm / the average effect on employment in levels
  (employees per supported firm).

Intervals. The cost is fixed (not estimated), so a ratio ``C / tau`` has an exact confidence
set: the values ``C / t`` for ``t`` in the effect's interval (Fieller's (1954) set with a
numerator known without error reduces to this). When the effect's interval lies above zero
the set is ``[C / high, C / low]``; when it includes zero the set is unbounded (only ``C /
high`` bounds it from below: ``lower_bound``), and ``conf_low``/``conf_high`` are left
missing -- a finite interval there would mislead. A non-positive point estimate has no cost
per unit (``status`` says so). ``std_error`` is the delta-method ``C se / tau^2``, for
reference only; ``statistic`` and ``p_value`` are those of the effect.

Numbers only; the page words them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.config import Costs, Settings
from evaluation.estimators.results import EstimationResult

UNIT, COHORT = "firm_id", "cohort"
TERMS = ("cost_per_firm", "cost_per_outcome_unit", "cost_per_job")
LEVEL_ID = {"cluster": "cluster_id", "firm": "firm_id"}
PERCENT_KINDS = ("log", "share", "binary")


@dataclass(frozen=True)
class CostBase:
    """The costs as used: total, currency, price year, level, supported firms and table facts."""

    total: float
    currency: str
    year: int | None
    level: str
    firms: int  # supported firms the cost is spread over
    units: int  # rows of the cost table matched in the data (clusters or firms); 0 = none
    unmatched: int  # rows of the cost table whose id is not in the data
    source: str  # "total", "table" or "total+table"

    @property
    def per_firm(self) -> float:
        return self.total / self.firms if self.firms else float("nan")


class CostsUnavailable(ValueError):
    """The costs cannot be used; ``message`` is a catalogue id, ``values`` its placeholders."""

    def __init__(self, message: str, text: str = "", **values: object) -> None:
        super().__init__(text or message)
        self.message = message
        self.values = values


def _table(costs: Costs, root: Path) -> pd.DataFrame:
    path = costs.table if costs.table.is_absolute() else root / costs.table  # type: ignore[union-attr]
    if not path.is_file():
        raise CostsUnavailable("missing.costs_table", f"{path} not found", path=str(path))
    frame = pd.read_csv(path, dtype={LEVEL_ID[costs.level]: str})
    need = [LEVEL_ID[costs.level], "amount"]
    absent = [c for c in need if c not in frame.columns]
    if absent:
        raise ValueError(
            f"cost_base: {path} lacks column(s) {absent} (level {costs.level} needs {need}); "
            f"it has {list(frame.columns)}"
        )
    amount = pd.to_numeric(frame["amount"], errors="coerce")
    bad = amount.isna() | (amount < 0)
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy())[:5] + 2).tolist()  # file lines (header = 1)
        raise ValueError(
            f"cost_base: {path} column 'amount' must be a non-negative number; lines {rows}"
        )
    return frame.assign(amount=amount)


def cost_base(settings: Settings, firms: pd.DataFrame) -> CostBase:
    """The costs of ``program.costs`` against the firms of the data (one row per firm, with
    ``cohort`` and, for cluster costs, ``cluster_id``).

    Raises :class:`CostsUnavailable` (``missing.costs``) without costs or supported firms.
    """
    costs = settings.program.costs
    if costs is None:
        raise CostsUnavailable("missing.costs", "program.costs is not configured")
    cohort = firms[COHORT].fillna(0) if COHORT in firms else pd.Series(0, index=firms.index)
    supported = firms[cohort > 0]
    units = unmatched = 0
    total = costs.total
    n_firms = int(supported[UNIT].nunique())
    source = "total"
    if costs.table is not None:
        table = _table(costs, settings.root)
        key = LEVEL_ID[costs.level]
        if key not in firms.columns:
            raise CostsUnavailable("missing.costs_level", f"no {key} in the data", column=key)
        known = set(firms[key].dropna().astype(str))
        matched = table[table[key].astype(str).isin(known)]
        units, unmatched = int(matched[key].nunique()), int(len(table) - len(matched))
        if costs.level == "firm":
            n_firms = int(matched.loc[matched["amount"] > 0, key].nunique())
        else:
            ids = set(matched.loc[matched["amount"] > 0, key].astype(str))
            n_firms = int(supported.loc[supported[key].astype(str).isin(ids), UNIT].nunique())
        source = "total+table" if total is not None else "table"
        if total is None:
            total = float(matched["amount"].sum())
    if not n_firms:
        raise CostsUnavailable("missing.treated", "no supported firm to spread the costs over")
    return CostBase(float(total), costs.currency, costs.year, costs.level, n_firms, units,
                    unmatched, source)  # fmt: skip


def unit_size(kind: str) -> float:
    """The outcome unit a cost is quoted per: 0.01 (a percentage point) for log, share and
    binary outcomes, 1 for levels."""
    return 0.01 if kind in PERCENT_KINDS else 1.0


def ratio(cost: float, estimate: float, se: float, low: float, high: float) -> dict[str, object]:
    """``cost / effect`` with its exact confidence set (see the module docstring).

    Returns ``estimate``, ``std_error`` (delta method), ``conf_low``, ``conf_high``,
    ``lower_bound`` (``C / high`` when the set is unbounded) and ``status``: ``bounded``,
    ``unbounded`` (the effect's interval includes zero) or ``not_positive`` (no gain).
    """
    out: dict[str, object] = {"estimate": np.nan, "std_error": np.nan, "conf_low": np.nan,
                              "conf_high": np.nan, "lower_bound": np.nan}  # fmt: skip
    if not np.isfinite(estimate) or estimate <= 0:
        return {**out, "status": "not_positive"}
    out["estimate"] = cost / estimate
    out["std_error"] = cost * se / estimate**2 if np.isfinite(se) else np.nan
    if np.isfinite(low) and low > 0:
        return {**out, "conf_low": cost / high, "conf_high": cost / low, "status": "bounded"}
    if np.isfinite(high) and high > 0:
        out["lower_bound"] = cost / high
    return {**out, "status": "unbounded"}


def cost_effectiveness(
    base: CostBase,
    outcome_effect: EstimationResult | None,
    outcome_term: str,
    outcome_kind: str,
    jobs_effect: EstimationResult | None = None,
    jobs_term: str = "",
) -> EstimationResult:
    """The three ratios as one result (terms :data:`TERMS`; a ratio whose effect is missing
    is left out). Extra columns: ``status``, ``lower_bound``, ``effect``, ``effect_low``,
    ``effect_high``, ``unit_size`` (the outcome unit) and ``currency``."""
    rows = [
        {"term": "cost_per_firm", "estimate": base.per_firm, "std_error": np.nan,
         "statistic": np.nan, "p_value": np.nan, "conf_low": np.nan, "conf_high": np.nan,
         "status": "accounting", "lower_bound": np.nan, "effect": np.nan, "effect_low": np.nan,
         "effect_high": np.nan, "unit_size": np.nan},
    ]  # fmt: skip
    for term, result, key, size in (
        ("cost_per_outcome_unit", outcome_effect, outcome_term, unit_size(outcome_kind)),
        ("cost_per_job", jobs_effect, jobs_term, 1.0),
    ):
        if result is None:
            continue
        eff = result.tidy().set_index("term").loc[key]
        scaled = [float(v) / size for v in (eff.estimate, eff.std_error, eff.conf_low,
                                            eff.conf_high)]  # fmt: skip
        r = ratio(base.per_firm, *scaled)
        rows.append({"term": term, **r, "statistic": eff.statistic, "p_value": eff.p_value,
                     "effect": eff.estimate, "effect_low": eff.conf_low,
                     "effect_high": eff.conf_high, "unit_size": size})  # fmt: skip
    table = pd.DataFrame(rows)
    table["currency"] = base.currency
    order = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
    table = table[order + [c for c in table.columns if c not in order]]
    notes = [
        "cost_per_firm: accounting ratio (no sampling uncertainty)",
        "intervals: the effect's interval mapped through cost / effect (exact with a known "
        "cost; Fieller 1954); unbounded when the effect's interval includes zero",
    ]
    return EstimationResult(
        estimator="cost_effectiveness",
        table=table,
        nobs=base.firms,
        vcov_type="transformed effect interval (cost known)",
        outcome=outcome_effect.outcome if outcome_effect is not None else "",
        notes=notes,
        info={"base": base},
    )


def logframe_costs(base: CostBase, logframe: pd.DataFrame) -> pd.DataFrame:
    """Cost per targeted and per achieved unit of every logframe target with a positive
    numeric target (``logframe``: :func:`evaluation.analysis.indicators.logframe`'s table).

    Columns: ``id``, ``indicator``, ``indicator_es``, ``target``, ``achieved`` (counts only),
    ``cost_per_target`` and ``cost_per_achieved`` (missing when nothing was achieved).
    """
    rows = []
    for row in logframe.itertuples():
        target = row.target
        if target is None or not np.isfinite(target) or target <= 0:
            continue
        achieved = row.achieved if row.evidence_type == "count" else None
        ok = achieved is not None and np.isfinite(achieved) and achieved > 0
        rows.append(
            {
                "id": row.id,
                "indicator": row.indicator,
                "indicator_es": row.indicator_es,
                "target": float(target),
                "achieved": float(achieved) if ok else np.nan,
                "cost_per_target": base.total / float(target),
                "cost_per_achieved": base.total / float(achieved) if ok else np.nan,
            }  # fmt: skip
        )
    return pd.DataFrame(
        rows, columns=["id", "indicator", "indicator_es", "target", "achieved",
                       "cost_per_target", "cost_per_achieved"],
    )  # fmt: skip
