"""The repeated-cross-section DR kernel (``santanna_zhao.dr_rc_cell``: what ``drdid`` and every
unbalanced Callaway-Sant'Anna cell compute) against the formula-by-formula reference
implementation of R ``DRDID::drdid_rc`` (tests/reference_drdid_rc.py), with and without R
``did``'s overlap guard, on random 2x2 samples:
with and without covariates, sampling weights, an indicator covariate and an indicator level
absent among the treated (the separated-logit limit), both influence-function conventions.
The kernel reorganises the same formulas into per-cell sums, so results agree to rounding
(tolerance 1e-12 relative to the largest influence value), and the same failures are raised.
"""

from __future__ import annotations

import numpy as np
import pytest

import evaluation.estimators.santanna_zhao as sz
from tests.reference_drdid_rc import reference_drdid_rc


def _sample(case: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(300, 3000))
    d = (rng.uniform(size=n) < 0.4).astype(float)
    post = (rng.uniform(size=n) < 0.5).astype(float)
    x1 = rng.normal(size=n) + 0.3 * d
    cols = [np.ones(n), x1]
    if case == 1:  # an indicator covariate present in both groups
        cols.append((rng.uniform(size=n) < 0.3).astype(float))
    elif case == 2:  # an indicator level no treated row has: separated comparison rows
        cols.append(((rng.uniform(size=n) < 0.2) & (d == 0)).astype(float))
    elif case == 3:  # no covariates
        cols = [np.ones(n)]
    x = np.column_stack(cols)
    y = rng.normal(size=n) + x1 * (1 + post) + d * post
    w = np.ones(n) if seed % 2 == 0 else rng.uniform(0.5, 2.0, n)
    return y, post, d, x, w / w.mean()


@pytest.mark.parametrize("case", [0, 1, 2, 3])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("guard", [False, True])
def test_kernel_equals_reference(case: int, seed: int, exact: bool, guard: bool) -> None:
    y, post, d, x, w = _sample(case, 10 * case + seed)
    att_ref, psi_ref = reference_drdid_rc(y, post, d, x, w, exact=exact, overlap_guard=guard)
    att, psi = sz.dr_rc_cell(y, post, d, x, w, exact=exact, overlap_guard=guard)
    scale = np.max(np.abs(psi_ref))
    assert att == pytest.approx(att_ref, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(psi, psi_ref, rtol=0, atol=1e-12 * scale)


def test_kernel_raises_as_reference() -> None:
    """No overlap (a covariate that almost separates the groups) fails in both."""
    rng = np.random.default_rng(4)
    n = 400
    d = (rng.uniform(size=n) < 0.5).astype(float)
    post = (rng.uniform(size=n) < 0.5).astype(float)
    x = np.column_stack([np.ones(n), 8.0 * d + rng.normal(size=n) * 0.1])
    y = rng.normal(size=n)
    w = np.ones(n)
    with pytest.raises(sz.EstimationFailure) as ref:
        reference_drdid_rc(y, post, d, x, w, overlap_guard=True)
    with pytest.raises(sz.EstimationFailure) as got:
        sz.dr_rc_cell(y, post, d, x, w)
    assert str(got.value) == str(ref.value)


def test_multiplier_draws_do_not_depend_on_blas_threads() -> None:
    """The CS multiplier product always runs on one BLAS thread: a seed gives the same draws
    bit for bit whatever OpenBLAS's thread count (which changes a product's last bits, and
    which an earlier version set from the machine's load), and the count is restored."""
    import evaluation.estimators.cs_inference as inference

    rng = np.random.default_rng(2)
    mats = [rng.normal(size=(3000, 12)), rng.normal(size=(3000, 3))]
    api = inference._openblas_threads()
    if api is None:
        pytest.skip("numpy is not linked to a bundled OpenBLAS here")
    get, set_ = api
    before = get()
    try:
        set_(2)
        two = inference.multiplier_draws(mats, 199, 5)
        assert get() == 2  # restored after the product
        with inference.one_blas_thread():
            assert get() == 1
        set_(1)
        one = inference.multiplier_draws(mats, 199, 5)
    finally:
        set_(before)
    for a, b in zip(two, one, strict=True):
        assert np.array_equal(a, b)


def test_two_by_two_conditioning_closed_form_equals_svd() -> None:
    """``well_conditioned``'s closed form for 1 x 1 and 2 x 2 matrices (every Newton step of a
    one-covariate logit) agrees with the SVD condition number wherever that is not within
    rounding of the 1/eps threshold (|log10(cond) - log10(1/eps)| > 0.5), and rejects exactly
    collinear designs."""
    rng = np.random.default_rng(11)
    limit = 1 / np.finfo(float).eps
    checked = 0
    for i in range(3000):
        x = rng.normal(size=(6, 2)) * rng.uniform(1e-3, 1e3, size=2)
        if i % 2:
            noise = 10.0 ** -rng.uniform(2, 14)
            x[:, 1] = x[:, 0] * rng.uniform(-3, 3) + rng.normal(size=6) * noise
        a = x.T @ x
        d = np.sqrt(np.diag(a))
        cond = np.linalg.cond(a / np.outer(d, d))
        if abs(np.log10(cond) - np.log10(limit)) <= 0.5:
            continue
        assert sz.well_conditioned(a) == bool(cond < limit), (a, cond)
        checked += 1
    assert checked > 2300
    assert not sz.well_conditioned(np.array([[4.0, 2.0], [2.0, 1.0]]))  # rank one
    assert not sz.well_conditioned(np.array([[1.0, 0.0], [0.0, 0.0]]))
    assert sz.well_conditioned(np.array([[3.0]]))
