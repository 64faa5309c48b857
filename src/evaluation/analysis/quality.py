"""Data-quality analyses of the first report page: the validation summary and differential attrition.

* :func:`validation_summary` re-runs ``evaluation validate`` on the raw folder *with the
  configured mapping and settings* (one code path with the command line: the data layer's
  ``validate_configured``), read-only. A raw folder that is not reachable (confidential data
  prepared elsewhere) is reported, not fatal.
* :func:`attrition_did`: a 2x2 difference-in-differences in the response indicator
  (participants vs comparison, from the earliest cohort's first year vs before), clustered
  like the main estimates: if participation changed who answers the survey, means of
  respondents compare different firms before and after (the Lee bounds of the sensitivity
  pages bound the consequence).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evaluation.config import Settings
from evaluation.estimators.results import EstimationResult, FewClustersWarning


@dataclass
class ValidationSummary:
    """Counts of validation errors and warnings and the warnings' publishable facts.

    ``warnings`` rows hold rule, table, column, the finding and how many rows it affects; never
    the offending values or row numbers (they could identify a firm). ``error`` says why the
    raw data could not be re-validated (None when they were).
    """

    n_errors: int
    n_warnings: int
    warnings: list[dict] = field(default_factory=list)
    error: str | None = None


def validation_summary(raw: Path | None, settings: Settings) -> ValidationSummary:
    """Re-validate the raw folder (read-only) with the configured mapping and summarize it."""
    raw = Path(raw) if raw is not None else settings.path("raw")
    if not raw.exists():
        return ValidationSummary(0, 0, error=f"{raw.name}: not reachable from this machine")
    from evaluation.data.ingest import DataError
    from evaluation.data.validate import validate_configured

    try:
        report = validate_configured(settings, raw=raw)
    except (DataError, OSError) as err:  # unreadable raw data: the page says why
        return ValidationSummary(0, 0, error=str(err))
    rows = [
        {
            "rule": issue.rule,
            "table": issue.table or "",
            "column": issue.column or "",
            "problem": issue.problem,
            "rows": int(issue.count),
        }  # fmt: skip
        for issue in report.warnings
    ]
    return ValidationSummary(len(report.errors), len(report.warnings), rows)


@dataclass
class Attrition:
    """The response-rate DiD, its wild cluster bootstrap and the first post year."""

    result: EstimationResult
    bootstrap: EstimationResult | None
    post_from: int


def attrition_did(
    panel: pd.DataFrame, cluster: str, *, replications: int, seed: int
) -> Attrition | None:
    """2x2 DiD of the response indicator: participants vs comparison, after vs before entry,
    CRV1 by ``cluster`` and the restricted wild cluster bootstrap beside it.

    "After" starts with the earliest cohort's first year of support. Returns None when the
    data cannot show attrition: no response indicator with both values, no participant or no
    comparison firm, or no year before entry.
    """
    from evaluation.estimators import did_2x2, wild_cluster_bootstrap

    if "responded" not in panel.columns or panel["responded"].dropna().nunique() < 2:
        return None
    cohort = pd.to_numeric(panel["cohort"], errors="coerce").fillna(0)
    if not (cohort > 0).any() or not (cohort == 0).any():
        return None
    post_from = int(cohort[cohort > 0].min())
    if not (panel["year"] < post_from).any():
        return None
    data = panel.assign(
        after=(panel["year"] >= post_from).astype(int),
        participant=(cohort > 0).astype(int),
        responded=panel["responded"].fillna(0).astype(float),
    )
    if cluster not in data.columns or data[cluster].isna().all():
        cluster = "firm_id"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        result = did_2x2(data, "responded", "participant", "after", cluster=cluster)
        boot = wild_cluster_bootstrap(
            result, "participant:after", cluster, data=data, replications=replications, seed=seed
        )
    return Attrition(result=result, bootstrap=boot, post_from=post_from)
