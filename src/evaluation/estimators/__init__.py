"""Impact-evaluation estimators, each returning an immutable :class:`EstimationResult`.

API convention (every estimator)
--------------------------------
- Positional: the data and the column roles, in this order: ``data, outcome, unit, time`` and
  then ``treatment`` (a 0/1 column: ``twfe``) or ``cohort`` (first treated period, 0 or
  missing = never: ``event_study``, ``callaway_santanna``); ``did_2x2`` / ``drdid`` take
  ``treated, post``. Every other option is keyword-only.
- One name per concept: ``covariates``, ``weights`` (a column of sampling / analytic weights),
  ``cluster`` (a column), ``vcov``, ``alpha``, ``seed``, ``replications`` (bootstrap draws)
  and ``weight_type`` (the wild bootstrap's Rademacher / Webb draws). Earlier names
  (``bootstrap=``, ``reps=``, randomization inference's ``level=``, the wild bootstrap's
  ``weights=``) still work this release with a ``DeprecationWarning`` naming the new one.
- Missing values: rows with a missing outcome are dropped and counted
  (``result.spec.dropped``, a note); a missing unit, period, treatment, weight, cluster or
  covariate is a ``ValueError`` naming the column and rows. A missing column raises
  :class:`~evaluation.estimators.inputs.MissingColumnError` naming it.
- Results: frozen (assignment raises); ``result.spec`` is a :class:`ModelSpec` (columns,
  options, sample counts, dropped rows, data fingerprint) and no result holds the data; what
  needs the data again takes ``data=`` (``with_vcov``, ``wild_cluster_bootstrap``,
  ``romano_wolf``). ``tidy()`` is the one table; ``summary()`` prints it; the repr is one line.
- Side by side: :func:`etable` and :func:`coefplot`.

Names are loaded lazily so that importing one estimator does not import them all.

Examples
--------
>>> import pandas as pd
>>> from evaluation.estimators import twfe
>>> d = pd.read_csv("tests/data/mpdta.csv")
>>> d["post"] = ((d["first.treat"] > 0) & (d["year"] >= d["first.treat"])).astype(int)
>>> res = twfe(d, "lemp", "countyreal", "year", "post")
>>> print(f"{res.coef['post']:.4f}", res.n_clusters)
-0.0365 500
>>> print(f"{res.with_vcov('hetero', data=d).se['post']:.4f}")
0.0124
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
    "production_function": "production",
    "continuous_did": "continuous_treatment",
    "spillover_did": "spillovers",
    "spillover_bootstrap": "spillovers",
    "changes_in_changes": "cic",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'evaluation.estimators' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return __all__
