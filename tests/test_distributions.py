"""The tail functions of ``estimators.distributions`` (NumPy and ``math`` only, so that the
first fit in a fresh process does not import ``scipy.special``) against ``scipy.stats``.

Tolerances (relative): 1e-12 where scipy is exact to rounding; 1e-9 for the t distribution
with 1e4 and more degrees of freedom, where the two disagree by up to ~1e-10 in the deep tails
(there ``scipy.special.betaln(0.5, 5e5)`` itself is off by 3.5e-11 against the asymptotic
series; ours agrees with it to the last bit).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from evaluation.estimators import distributions as dist

X = np.r_[np.linspace(-40, 40, 801), np.nan, np.inf, -np.inf]
Q = np.r_[np.linspace(0.0005, 0.9995, 999), 0.975, 0.995, 1e-10, 1 - 1e-10]


@pytest.mark.parametrize("df", [0.5, 1.0, 2.0, 3.0, 24.0, 499.0, 1e4, 1e6, np.inf])
def test_student_t_tail_and_quantile(df: float) -> None:
    rtol = 1e-12 if df < 1e4 or np.isinf(df) else 1e-9
    # below 1e-300 the tails are subnormal numbers in both: compared absolutely there
    np.testing.assert_allclose(dist.t_sf(X, df), stats.t(df).sf(X), rtol=rtol, atol=1e-300)
    np.testing.assert_allclose(dist.t_ppf(Q, df), stats.t(df).ppf(Q), rtol=rtol, atol=0)


def test_normal_tail_and_quantile() -> None:
    x = X[np.abs(X) <= 37]  # beyond, the tail is subnormal in both
    np.testing.assert_allclose(dist.norm_sf(x), stats.norm.sf(x), rtol=1e-12, atol=0)
    np.testing.assert_allclose(dist.norm_ppf(Q), stats.norm.ppf(Q), rtol=1e-13, atol=0)
    assert dist.norm_ppf(0.0) == -np.inf and dist.norm_ppf(1.0) == np.inf


@pytest.mark.parametrize("k", [1, 2, 3, 7, 30, 200])
def test_chi_squared_and_f_tails(k: int) -> None:
    w = np.r_[np.linspace(0, 120, 481), np.inf]
    np.testing.assert_allclose(dist.chi2_sf(w, k), stats.chi2.sf(w, k), rtol=1e-12, atol=0)
    for d2 in (5, 40, 499):
        want = stats.f.sf(w[:200] / 4, k, d2)
        np.testing.assert_allclose(dist.f_sf(w[:200] / 4, k, d2), want, rtol=1e-11, atol=0)


def test_invalid_degrees_of_freedom_give_nan_and_scalars_stay_scalars() -> None:
    for bad in (0, -1, np.nan):
        assert np.isnan(dist.t_ppf(0.975, bad)) and np.isnan(stats.t(bad).ppf(0.975))
        assert np.isnan(dist.t_sf(1.0, bad))
        assert np.isnan(dist.chi2_sf(3.0, bad)) and np.isnan(stats.chi2.sf(3.0, bad))
        assert np.isnan(dist.f_sf(3.0, bad, 10))
    assert isinstance(dist.t_ppf(0.975, 10), float)
    assert dist.t_sf(np.array([[1.0, 2.0]]), 5).shape == (1, 2)
    assert dist.t_ppf(0.5, 7) == 0.0


def test_first_fits_import_no_scipy() -> None:
    """Cold start: importing the package and fitting twfe, an event study (with its pre-trend
    test) and Callaway-Sant'Anna in a fresh process loads no part of scipy."""
    code = (
        "import sys, pandas as pd\n"
        "import evaluation.estimators as est\n"
        "d = pd.read_csv('tests/data/mpdta.csv')\n"
        "d['post'] = ((d['first.treat'] > 0) & (d['year'] >= d['first.treat'])).astype(int)\n"
        "est.twfe(d, 'lemp', 'countyreal', 'year', 'post').tidy()\n"
        "est.event_study(d, 'lemp', 'countyreal', 'year', 'first.treat').pretrend_test()\n"
        "est.event_study(d, 'lemp', 'countyreal', 'year', 'first.treat', method='sunab')\n"
        "est.callaway_santanna(d, 'lemp', 'countyreal', 'year', 'first.treat').tidy()\n"
        "print(sorted(m for m in sys.modules if m == 'scipy' or m.startswith('scipy.')))\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr
