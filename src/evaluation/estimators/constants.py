"""Numerical limits and conventions shared by the estimators, defined once.

Every module of :mod:`evaluation.estimators` imports these names from here, so that a limit is
tuned in one place (tests may monkeypatch the name in the module that uses it).
"""

from __future__ import annotations

__all__ = [
    "FAST_TABLE_LIMIT",
    "FEW_CLUSTERS",
    "TIDY_COLUMNS",
    "FINGERPRINT_DIGITS",
    "KEEP_FITTED_DATA",
]

#: Largest (units x within-unit codes) table the cell fast paths of TWFE, the event studies
#: and the imputation estimator build before falling back to alternating projections.
FAST_TABLE_LIMIT = 50_000_000

#: Fewer clusters than this and CRV1 over-rejects (Cameron & Miller 2015): a warning and a note.
FEW_CLUSTERS = 30

#: The broom/pyfixest tidy columns every result table starts with.
TIDY_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]

#: Significant digits of the column sums in a data fingerprint: row order moves a float sum in
#: its last bits only, so rounding makes the fingerprint independent of row order.
FINGERPRINT_DIGITS = 10

#: Whether a result's ModelSpec keeps a strong in-memory reference to the fitted DataFrame.
#: False (the default since every caller of the package passes ``data=``): only a weak
#: reference is kept, so a result never keeps its data alive; what needs the data again (wild
#: bootstrap, Romano-Wolf, ``with_vcov``) takes ``data=`` and checks it against the fingerprint.
#: True restores the old behaviour for third-party callers that do not pass ``data=`` yet
#: (their fallback still warns with a DeprecationWarning). Never pickled either way.
KEEP_FITTED_DATA = False
