"""Within transformation, singletons and fixed-effect degrees of freedom.

Reference: the residual of an explicit dummy-variable least-squares fit (numpy ``lstsq``), which
is what ``demean`` must reproduce without building the dummies. Tolerance 1e-9 absolute on
O(1) data.
"""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.estimators.fixed_effects import (
    FixedEffects,
    demean,
    drop_singletons,
    factorize,
    fe_dof,
    nested_in,
)


def _dummy_residual(y: np.ndarray, fes: list[np.ndarray], w: np.ndarray | None) -> np.ndarray:
    cols = [np.eye(int(c.max()) + 1)[c] for c in fes]
    D = np.column_stack(cols)
    sw = np.ones(y.shape[0]) if w is None else np.sqrt(w)
    yw = y * sw[:, None] if y.ndim == 2 else y * sw
    b = np.linalg.lstsq(D * sw[:, None], yw, rcond=None)[0]
    return y - D @ b


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_fe", [1, 2, 3])
def test_demean_matches_dummy_regression(weighted: bool, n_fe: int) -> None:
    rng = np.random.default_rng(42 + n_fe)
    n = 400
    fes = [rng.integers(0, 40, n), rng.integers(0, 6, n), rng.integers(0, 4, n)][:n_fe]
    X = rng.normal(size=(n, 3)) + fes[0][:, None] * 0.1
    w = rng.uniform(0.2, 3.0, n) if weighted else None
    got = demean(X, fes, weights=w, tol=1e-13)
    exp = _dummy_residual(X, fes, w)
    np.testing.assert_allclose(got, exp, atol=1e-9)
    # 1-d input returns 1-d output
    np.testing.assert_allclose(demean(X[:, 0], fes, weights=w, tol=1e-13), exp[:, 0], atol=1e-9)


def test_balanced_two_way_exact_one_pass() -> None:
    rng = np.random.default_rng(1)
    units, periods = 50, 7
    u = np.repeat(np.arange(units), periods)
    t = np.tile(np.arange(periods), units)
    fe = FixedEffects([u, t], [units, periods], ["unit", "time"])
    assert fe._balanced
    y = rng.normal(size=units * periods)
    np.testing.assert_allclose(fe.demean(y), _dummy_residual(y, [u, t], None), atol=1e-12)
    # dropping one row makes it unbalanced: the iterative path must still be exact
    keep = np.ones(u.size, bool)
    keep[3] = False
    sub = fe.subset(keep)
    assert not sub._balanced
    np.testing.assert_allclose(
        sub.demean(y[keep], tol=1e-13),
        _dummy_residual(y[keep], [u[keep], t[keep]], None),
        atol=1e-9,
    )


def test_demean_string_ids_and_input_untouched() -> None:
    ids = np.array(["a", "b", "a", "c", "b", "c"], dtype=object)
    x = np.array([1.0, 2.0, 3.0, 4.0, 6.0, 8.0])
    x0 = x.copy()
    got = demean(x, [ids])
    np.testing.assert_allclose(got, [-1.0, -2.0, 1.0, -2.0, 2.0, 2.0])
    np.testing.assert_array_equal(x, x0)


def test_factorize_missing_id_names_column_and_rows() -> None:
    with pytest.raises(ValueError, match=r"'firm_id'.*rows \[1, 3\]"):
        factorize(np.array(["a", None, "b", None], dtype=object), "firm_id")
    codes, g = factorize(np.array([10, 30, 10, 20]))
    assert g == 3 and codes.tolist() == [0, 2, 0, 1]  # integer ids: sorted order


def test_drop_singletons_iterates() -> None:
    # unit 2 appears once -> dropped; that leaves time 2 with one row (unit 1) -> dropped too
    unit = np.array([0, 0, 1, 1, 1, 2])
    time = np.array([0, 1, 0, 1, 2, 3])
    keep = drop_singletons([unit, time])
    assert keep.tolist() == [True, True, True, True, False, False]


def test_nested_and_dof() -> None:
    firm = np.array([0, 0, 1, 1, 2, 2])
    stratum = np.array([0, 0, 0, 0, 1, 1])
    time = np.array([0, 1, 0, 1, 0, 1])
    assert nested_in(firm, stratum)
    assert not nested_in(time, stratum)
    assert fe_dof([3, 2]) == 4
    # firm nested in the cluster: its 3 levels not counted, one added back (pyfixest get_ssc)
    assert fe_dof([3, 2], nested=[True, False]) == 4 - 3 + 1
