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
    factorize_sorted,
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


@pytest.mark.parametrize("order", ["unit_time", "time_unit", "shuffled"])
def test_sorted_grid_fast_path_equals_dummy_regression(order: str) -> None:
    """A balanced panel sorted by unit then time (or time then unit) is demeaned by reshaping;
    any other row order takes the bincount path. All must equal the dummy regression, and the
    grid's level sums and nesting check must equal the generic ones."""
    rng = np.random.default_rng(5)
    units, periods = 40, 6
    u = np.repeat(np.arange(units), periods)
    t = np.tile(np.arange(periods), units)
    if order == "time_unit":
        u, t = np.tile(np.arange(units), periods), np.repeat(np.arange(periods), units)
    elif order == "shuffled":
        perm = rng.permutation(u.size)
        u, t = u[perm], t[perm]
    fe = FixedEffects([u, t], [units, periods], ["unit", "time"])
    expected_grid = {"unit_time": (0, 1), "time_unit": (1, 0), "shuffled": None}[order]
    assert fe._grid == expected_grid and fe._balanced
    X = rng.normal(size=(u.size, 2)) + u[:, None] * 0.3
    np.testing.assert_allclose(fe.demean(X), _dummy_residual(X, [u, t], None), atol=1e-12)
    inplace = np.asfortranarray(X.copy())
    assert fe.demean(inplace, overwrite=True) is inplace
    np.testing.assert_allclose(inplace, fe.demean(X), atol=1e-14)
    stratum = u % 7  # units nested in strata, periods not
    for j in (0, 1):
        assert fe.nested_in(j, stratum) == nested_in(fe.codes[j], stratum)
        np.testing.assert_allclose(
            fe.level_sums(j, X[:, 0]), np.bincount(fe.codes[j], weights=X[:, 0]), atol=1e-12
        )
    assert fe.nested_in(0, stratum) and not fe.nested_in(1, stratum)
    broken = stratum.copy()
    broken[-1] += 1  # the last unit now spans two strata
    assert not fe.nested_in(0, broken)


def test_factorize_sorted_matches_pandas() -> None:
    import pandas as pd

    cases = [
        np.array([5, 3, 3, 9, 5]),
        np.array([0, 1, 1, 0]),
        np.array([-2, 7, 7, 1000]),
        np.array([2**40, 3, 3]),  # wide range: the pandas path
        np.array(["b", "a", "b"], dtype=object),
        np.array([3.0, 1.0, 3.0]),
    ]
    for values in cases:
        codes, levels = factorize_sorted(values)
        ref_codes, ref_levels = pd.factorize(values, sort=True)
        assert codes.tolist() == ref_codes.tolist()
        assert list(levels) == list(ref_levels)
    with pytest.raises(ValueError, match=r"'stratum'.*rows \[1\]"):
        factorize_sorted(np.array(["a", None], dtype=object), "stratum")
