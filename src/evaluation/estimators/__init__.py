"""Estimators for the PROMIPYME evaluation, each returning an :class:`EstimationResult`.

Names are loaded lazily so that importing one estimator does not import them all.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "EstimationResult": "results",
    "ModelSpec": "results",
    "etable": "presentation",
    "coefplot": "presentation",
    "CSDynamicResult": "staggered",
    "FewClustersWarning": "results",
    "tidy_frame": "results",
    "did_2x2": "did",
    "twfe": "did",
    "triple_differences": "did",
    "event_study": "dynamic_effects",
    "EventStudyResult": "dynamic_effects",
    "callaway_santanna": "staggered",
    "bacon_decomposition": "bacon",
    "drdid": "doubly_robust",
    "wild_cluster_bootstrap": "wild_bootstrap",
    "balance_table": "balance",
    "honest_did": "sensitivity",
    "lee_bounds": "bounds",
    "minimum_detectable_effect": "power",
    "romano_wolf": "multiple_testing",
    "sharpened_qvalues": "multiple_testing",
    "randomization_inference": "randomization",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'evaluation.estimators' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return __all__
