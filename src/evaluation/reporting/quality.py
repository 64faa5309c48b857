"""The data-quality page's tables in the report language (formatting only).

The checks themselves run in the analysis layer (:mod:`evaluation.analysis.quality`): the
validation summary and the differential-attrition DiD. This module turns the validation
warnings into a publishable table with headings in the page's language.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from evaluation.reporting.translations import t

HEADINGS = {"rule": "nb01.rule", "table": "nb01.table", "column": "common.variable",
            "problem": "nb01.problem", "rows": "nb01.rows"}  # fmt: skip


def warnings_table(summary: Any, language: str) -> pd.DataFrame:
    """The validation warnings of an ``analysis.quality.ValidationSummary``: rule, table,
    column, finding and rows affected."""
    frame = pd.DataFrame(summary.warnings, columns=list(HEADINGS))
    return frame.rename(columns={k: t(v, language) for k, v in HEADINGS.items()})
