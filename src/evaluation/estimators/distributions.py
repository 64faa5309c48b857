"""Normal, Student-t, chi-squared and F tail functions for p-values and critical values.

Internal module (not in the package's export table). ``scipy.stats`` costs more than a second
to import, ``scipy.special`` a fraction of that: these functions call the ``scipy.special``
routines that ``scipy.stats`` itself evaluates (``norm.sf(x) = ndtr(-x)``, ``norm.ppf =
ndtri``, ``t.sf(x, df) = stdtr(df, -x)``, ``t.ppf = stdtrit``, ``chi2.sf = chdtrc``,
``f.sf = fdtrc``), so the numbers are the same to the last bit, and they import it only on
first use. Degrees of freedom that ``scipy.stats`` rejects (not positive, or NaN) give NaN, as
there.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _valid(*dfs: Any) -> bool | np.ndarray:
    ok: Any = True
    for df in dfs:
        ok = ok & (np.asarray(df, dtype=float) > 0)
    return ok


def _nan_unless(ok: Any, value: Any) -> Any:
    if np.all(ok):
        return value
    return np.where(ok, value, np.nan)


def norm_sf(x: Any) -> Any:
    """Standard normal survival function ``P(Z > x)`` (``scipy.stats.norm.sf``)."""
    from scipy.special import ndtr

    return ndtr(-np.asarray(x, dtype=float))


def norm_ppf(q: Any) -> Any:
    """Standard normal quantile (``scipy.stats.norm.ppf``)."""
    from scipy.special import ndtri

    return ndtri(q)


def t_sf(x: Any, df: Any) -> Any:
    """Student-t survival function with ``df`` degrees of freedom (``scipy.stats.t.sf``)."""
    from scipy.special import stdtr

    return _nan_unless(_valid(df), stdtr(df, -np.asarray(x, dtype=float)))


def t_ppf(q: Any, df: Any) -> Any:
    """Student-t quantile (``scipy.stats.t.ppf``)."""
    from scipy.special import stdtrit

    return _nan_unless(_valid(df), stdtrit(df, q))


def chi2_sf(x: Any, df: Any) -> Any:
    """Chi-squared survival function (``scipy.stats.chi2.sf``)."""
    from scipy.special import chdtrc

    return _nan_unless(_valid(df), chdtrc(df, x))


def f_sf(x: Any, dfn: Any, dfd: Any) -> Any:
    """F survival function (``scipy.stats.f.sf``)."""
    from scipy.special import fdtrc

    return _nan_unless(_valid(dfn, dfd), fdtrc(dfn, dfd, x))
