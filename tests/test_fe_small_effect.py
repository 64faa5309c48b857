"""The exact two-way within transformation for a small second fixed effect
(``fixed_effects._small_effect_solver``) against alternating projections run to a tight
tolerance (1e-14) on unbalanced panels: unweighted, weighted, and a disconnected panel
(two groups of units observed in disjoint periods). Tolerance 1e-11 absolute on O(1) data.
The result must also be orthogonal to both effects (weighted sums ~0 by unit and period).
"""

from __future__ import annotations

import numpy as np
import pytest

import evaluation.estimators.fixed_effects as fx


def _panel(seed: int, disconnected: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    units, periods = 400, 9
    u = np.repeat(np.arange(units), periods)
    t = np.tile(np.arange(periods), units)
    keep = rng.uniform(size=u.size) > 0.3
    if disconnected:  # the first half of the units only in periods 0-3, the rest in 4-8
        keep &= np.where(u < units // 2, t < 4, t >= 4)
    u, t = u[keep], t[keep]
    X = np.column_stack([rng.normal(size=u.size) + 0.1 * t, (rng.uniform(size=u.size) < 0.4)])
    return u, t, X.astype(float)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("disconnected", [False, True])
def test_exact_equals_tight_iteration(
    weighted: bool, disconnected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    u, t, X = _panel(3, disconnected)
    w = np.random.default_rng(4).uniform(0.5, 2.0, u.size) if weighted else None
    fe = fx.FixedEffects.from_arrays([u, t], weights=w)
    assert fx._small_effect_solver(fe) is not None
    exact = fe.demean(X)
    monkeypatch.setattr(fx, "SMALL_EFFECT_LEVELS", 0)
    iterated = fe.demean(X, tol=1e-14)
    np.testing.assert_allclose(exact, iterated, rtol=0, atol=1e-11)
    ww = np.ones(u.size) if w is None else w
    for codes in (fe.codes[0], fe.codes[1]):
        for j in range(X.shape[1]):
            assert np.abs(np.bincount(codes, weights=ww * exact[:, j])).max() < 1e-10


def test_not_used_for_large_effects() -> None:
    """Both effects large (or three effects): alternating projections as before."""
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 500, 3000), rng.integers(0, 300, 3000)
    assert fx._small_effect_solver(fx.FixedEffects.from_arrays([a, b])) is None
    c = rng.integers(0, 5, 3000)
    assert fx._small_effect_solver(fx.FixedEffects.from_arrays([a, c, c])) is None
