"""Data-quality checks shown on the first report page: validation summary, differential attrition.

Attrition is tested as a 2x2 difference-in-differences in the response indicator (participants
vs comparison, from the program's first year vs before), clustered like the main estimates:
if participation changed who answers the survey, means of respondents compare different
firms before and after, and the effect estimates inherit the bias (the Lee bounds of the
sensitivity pages bound it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evaluation.config import Settings
from evaluation.estimators.results import EstimationResult
from evaluation.reporting.translations import t


@dataclass
class ValidationSummary:
    """Counts of validation errors and warnings, and a publishable table of the warnings.

    The table lists rule, table, column, the finding and how many rows it affects; it never
    carries the offending values or row numbers (they could identify a firm).
    """

    n_errors: int
    n_warnings: int
    warnings: pd.DataFrame
    error: str | None = None


def validation_summary(raw: Path, settings: Settings, language: str) -> ValidationSummary:
    """Re-validate the raw folder (read-only) and summarize what it found."""
    empty = pd.DataFrame()
    if not Path(raw).exists():
        return ValidationSummary(0, 0, empty, error=f"{Path(raw).name}: not found")
    from evaluation.data.validate import validate

    try:
        report = validate(raw, settings=settings)
    except Exception as err:  # a broken raw folder must not stop the page: say why instead
        return ValidationSummary(0, 0, empty, error=f"{type(err).__name__}: {err}")
    rows = [
        {
            t("nb01.rule", language): issue.rule,
            t("nb01.table", language): issue.table or "",
            t("common.variable", language): issue.column or "",
            t("nb01.problem", language): issue.problem,
            t("nb01.rows", language): int(issue.count),
        }
        for issue in report.warnings
    ]
    return ValidationSummary(len(report.errors), len(report.warnings), pd.DataFrame(rows))


@dataclass
class Attrition:
    result: EstimationResult
    bootstrap: EstimationResult
    post_from: int


def attrition_did(panel: pd.DataFrame, settings: Settings, *, reps: int, seed: int) -> Attrition:
    """2x2 DiD of the response indicator: participants vs comparison, after vs before entry,
    CRV1 by the inference cluster and the restricted wild cluster bootstrap beside it.

    "After" starts with the earliest cohort's first year of support.
    """
    from evaluation.estimators import did_2x2, wild_cluster_bootstrap
    from evaluation.reporting.effects import _noted

    cohorts = panel.loc[panel["cohort"] > 0, "cohort"]
    if cohorts.empty:
        raise ValueError("attrition_did: the panel has no participating firm (cohort > 0)")
    post_from = int(cohorts.min())
    data = panel.assign(after=(panel["year"] >= post_from).astype(int))
    cluster = settings.analysis.cluster
    result = _noted(did_2x2, data, "responded", "participant", "after", cluster=cluster)
    boot = wild_cluster_bootstrap(result, "participant:after", cluster, reps=reps, seed=seed)
    return Attrition(result=result, bootstrap=boot, post_from=post_from)
