"""Formatting of the effects the analysis layer estimates (:mod:`evaluation.analysis.effects`).

Reporting formats and renders; it never estimates. What remains here turns
:class:`~evaluation.analysis.effects.Effect` objects into the rows a page shows.

The estimation functions (``estimation_sample``, ``main_effects``, ``staggered_effects``,
``primary_effect`` ...) live in :mod:`evaluation.analysis.effects`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from evaluation.analysis.context import MIN_CLUSTERS_FOR_INFERENCE


def inference_table(
    effects: Sequence[Any], labels: dict[str, str], *, withhold_few: bool = True
) -> pd.DataFrame:
    """One row per estimator: estimate, CRV1 SE/CI/p and wild bootstrap CI/p, observations.

    With ``withhold_few`` an effect estimated from fewer than
    :data:`MIN_CLUSTERS_FOR_INFERENCE` clusters keeps its estimate but loses its intervals
    and p-values (``inference`` False), as the page states.
    """
    rows = []
    for eff in effects:
        r = eff.row()
        b = eff.bootstrap.tidy().iloc[0] if eff.bootstrap is not None else None
        clusters = eff.result.n_clusters
        shown = not withhold_few or clusters is None or clusters >= MIN_CLUSTERS_FOR_INFERENCE
        nan = np.nan
        rows.append(
            {
                "label": labels.get(eff.key, eff.key),
                "estimate": r["estimate"],
                "std_error": r["std_error"] if shown else nan,
                "crv1_low": r["conf_low"] if shown else nan,
                "crv1_high": r["conf_high"] if shown else nan,
                "p_crv1": r["p_value"] if shown else nan,
                "wcb_low": nan if b is None or not shown else b["conf_low"],
                "wcb_high": nan if b is None or not shown else b["conf_high"],
                "p_wcb": nan if b is None or not shown else b["p_value"],
                "nobs": int(eff.result.nobs),
                "clusters": clusters,
                "inference": shown,
            }
        )
    return pd.DataFrame(rows)
