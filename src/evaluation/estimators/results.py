"""One results schema for every estimator.

Every estimator in :mod:`evaluation.estimators` returns an :class:`EstimationResult` (or a
subclass). Its ``tidy()`` table is the single source: the accessors, ``summary()``, the HTML
repr and the pipeline's estimates table all derive from it. Columns follow the broom/pyfixest
convention ``term, estimate, std_error, statistic, p_value, conf_low, conf_high`` plus
estimator-specific ones (``group``, ``time``, ``event_time``, ...).
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

TIDY_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
FEW_CLUSTERS = 30


class FewClustersWarning(UserWarning):
    """Cluster-robust (CRV1) inference with fewer clusters than is safe; use a wild bootstrap."""


def tidy_frame(
    terms: Sequence[Any],
    estimates: Sequence[float] | np.ndarray,
    std_errors: Sequence[float] | np.ndarray,
    *,
    df: float | None = None,
    alpha: float = 0.05,
    extra: dict[str, Sequence[Any]] | None = None,
) -> pd.DataFrame:
    """Build a tidy table from estimates and standard errors.

    ``df`` gives Student-t inference with that many degrees of freedom (fixest uses G - 1
    for clustered and N - K otherwise); ``None`` gives normal inference (R ``did``).
    """
    est = np.asarray(estimates, dtype=float)
    se = np.asarray(std_errors, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
    dist = stats.norm if df is None else stats.t(df)
    crit = dist.ppf(1 - alpha / 2)
    frame = pd.DataFrame(
        {
            "term": list(terms),
            "estimate": est,
            "std_error": se,
            "statistic": stat,
            "p_value": 2 * dist.sf(np.abs(stat)),
            "conf_low": est - crit * se,
            "conf_high": est + crit * se,
        }
    )
    for name, values in (extra or {}).items():
        frame[name] = list(values)
    return frame


@dataclass
class EstimationResult:
    """Estimates with their inference and provenance.

    Attributes
    ----------
    estimator : short name (``"twfe"``, ``"callaway_santanna"``, ...).
    table : the tidy table (see module docstring).
    nobs : observations used.
    vcov : covariance matrix of the estimates, indexed by term, when the estimator has one.
    vcov_type : description of the variance estimator (``"CRV1 by stratum"``, ...).
    n_clusters : number of clusters, when inference is clustered.
    outcome : the dependent variable.
    notes : sentences a reader of the table needs (sample restrictions, conventions).
    info : estimator-specific extras (e.g. a pre-trend test).
    """

    estimator: str
    table: pd.DataFrame
    nobs: int
    vcov: pd.DataFrame | None = None
    vcov_type: str = ""
    n_clusters: int | None = None
    outcome: str = ""
    notes: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [c for c in TIDY_COLUMNS if c not in self.table.columns]
        if missing:
            raise ValueError(f"{self.estimator}: tidy table lacks columns {missing}")

    # --- accessors derived from tidy() -------------------------------------------------
    def tidy(self) -> pd.DataFrame:
        """The estimates as a tidy DataFrame (a copy)."""
        return self.table.copy()

    def _series(self, column: str) -> pd.Series:
        return pd.Series(self.table[column].to_numpy(), index=self.table["term"], name=column)

    @property
    def coef(self) -> pd.Series:
        return self._series("estimate")

    @property
    def se(self) -> pd.Series:
        return self._series("std_error")

    @property
    def pvalue(self) -> pd.Series:
        return self._series("p_value")

    def confint(self) -> pd.DataFrame:
        return self.table.set_index("term")[["conf_low", "conf_high"]]

    # --- presentation ------------------------------------------------------------------
    def _header(self) -> list[str]:
        lines = [f"Estimator: {self.estimator}"]
        if self.outcome:
            lines.append(f"Outcome: {self.outcome}")
        lines.append(f"Observations: {self.nobs:,}")
        if self.vcov_type:
            lines.append(f"Inference: {self.vcov_type}")
        if self.n_clusters is not None:
            lines.append(f"Clusters: {self.n_clusters}")
        return lines

    def summary(self, digits: int = 4) -> str:
        """A plain-text summary: header, the tidy table, notes."""
        body = self.table.to_string(index=False, float_format=lambda v: f"{v:.{digits}f}")
        notes = [f"Note: {n}" for n in self.notes]
        return "\n".join([*self._header(), "", body, *([""] + notes if notes else [])])

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = "<br>".join(html.escape(line) for line in self._header())
        table = self.table.to_html(index=False, float_format=lambda v: f"{v:.4f}", border=0)
        notes = "".join(f"<p><em>{html.escape(n)}</em></p>" for n in self.notes)
        return f"<div class='estimation-result'><p>{head}</p>{table}{notes}</div>"


def warn_few_clusters(n_clusters: int | None, vcov: str, notes: list[str]) -> None:
    """Warn and note when CRV1 is used with fewer than ~30 clusters (Cameron-Miller 2015)."""
    if n_clusters is not None and n_clusters < FEW_CLUSTERS and vcov.upper().startswith("CRV"):
        message = (
            f"only {n_clusters} clusters: CRV1 standard errors over-reject with fewer than "
            f"~{FEW_CLUSTERS} clusters; report wild cluster bootstrap inference beside them"
        )
        notes.append(message)
        warnings.warn(message, FewClustersWarning, stacklevel=3)
