"""honest_did against R HonestDiD's published Medicaid example, an LP solver, and simulations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from evaluation.estimators import EstimationResult, honest_did, tidy_frame
from evaluation.estimators.sensitivity import _dual_vertices, _folded_normal_quantile

DATA = "diagnostics"


@pytest.fixture(scope="module")
def medicaid(test_data):
    beta = pd.read_csv(test_data / DATA / "honestdid_medicaid_betahat.csv")
    sigma = pd.read_csv(test_data / DATA / "honestdid_medicaid_sigma.csv", index_col=0)
    ref = pd.read_csv(test_data / DATA / "honestdid_medicaid_r.csv")
    return beta, sigma, ref


def test_relative_magnitudes_reproduce_r_readme(medicaid):
    """C-LF intervals of the HonestDiD README to 1e-3.

    Not exact by construction: the least-favourable critical value is the 99.5% quantile of
    1,000 simulated draws (R: mvtnorm with seed 0; here NumPy with seed 0), and the interval
    ends are points of a 1,000-point grid of step 3.7e-4, so a different simulated critical
    value moves an end by one or two grid steps.
    """
    beta, sigma, ref = medicaid
    ref = ref[ref.restriction == "DeltaRM"]
    res = honest_did(beta.estimate.to_numpy(), sigma.to_numpy(), 5, 2, m_values=ref.m.to_numpy())
    got = res.robust()
    assert list(got.method) == ["C-LF"] * 4
    np.testing.assert_allclose(got.conf_low, ref.lb, atol=1e-3)
    np.testing.assert_allclose(got.conf_high, ref.ub, atol=1e-3)
    # README: "the breakdown value for a significant effect is Mbar = 2"
    assert 1.8 < res.breakdown() <= 2.0


def test_smoothness_flci_reproduces_r_readme(medicaid):
    """FLCIs of the README to its printed precision (3 significant digits: 6e-4).

    Our folded-normal quantile is exact; R simulates it with 10^6 draws (error ~1e-4 relative).
    """
    beta, sigma, ref = medicaid
    ref = ref[ref.restriction == "DeltaSD"]
    res = honest_did(
        beta.estimate.to_numpy(), sigma.to_numpy(), 5, 2, "smoothness", ref.m.to_numpy()
    )
    got = res.robust()
    np.testing.assert_allclose(got.conf_low, ref.lb, atol=6e-4)
    np.testing.assert_allclose(got.conf_high, ref.ub, atol=6e-4)
    # README: breakdown "M ~ 0.03" from its coarse grid; 0 enters between M = 0.02 and 0.03
    assert 0.02 < res.breakdown() < 0.03


def test_original_interval_and_tidy_schema(medicaid):
    beta, sigma, _ = medicaid
    res = honest_did(beta.estimate.to_numpy(), sigma.to_numpy(), 5, 2, m_values=[0.5])
    tidy = res.tidy()
    for col in ("term", "estimate", "std_error", "conf_low", "conf_high", "m", "method"):
        assert col in tidy.columns
    orig = res.original
    se = np.sqrt(sigma.to_numpy()[5, 5])
    assert orig["estimate"] == pytest.approx(beta.estimate[5], abs=1e-15)
    assert orig["conf_low"] == pytest.approx(beta.estimate[5] - 1.959964 * se, abs=1e-7)
    assert orig["conf_high"] == pytest.approx(beta.estimate[5] + 1.959964 * se, abs=1e-7)


def test_event_study_result_input_matches_vector(medicaid):
    beta, sigma, _ = medicaid
    table = tidy_frame(
        beta.term, beta.estimate, np.sqrt(np.diag(sigma)), extra={"event_time": beta.event_time}
    )
    # the omitted reference period as an event-study table may show it: zero SE, dropped
    ref = tidy_frame(["year2013"], [0.0], [0.0], extra={"event_time": [-1]})
    table = pd.concat([table, ref]).sample(frac=1, random_state=1)
    es = EstimationResult("event_study", table, nobs=100, vcov=sigma, outcome="dins")
    a = honest_did(es, m_values=[1.0])
    b = honest_did(beta.estimate.to_numpy(), sigma.to_numpy(), 5, 2, m_values=[1.0])
    pd.testing.assert_frame_equal(a.tidy(), b.tidy())
    assert a.info["num_pre"] == 5 and a.info["num_post"] == 2


def test_dual_vertex_eta_equals_linear_programme():
    """eta from enumerated dual vertices equals the primal LP solved by HiGHS (1e-9)."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        m, k = 6, 2
        x = rng.normal(size=(m, k))
        sd = rng.uniform(0.5, 2, size=m)
        y = rng.normal(size=m)
        verts = _dual_vertices(np.column_stack([sd, x]))
        res = optimize.linprog(
            np.r_[1.0, np.zeros(k)],
            A_ub=-np.column_stack([sd, x]),
            b_ub=-y,
            bounds=[(None, None)] * (k + 1),
            method="highs",
        )
        if res.status == 3:  # unbounded: no dual vertex
            assert verts.shape[0] == 0
            continue
        assert (verts @ y).max() == pytest.approx(res.fun, abs=1e-9)


def test_folded_normal_quantile_against_simulation():
    rng = np.random.default_rng(0)
    z = rng.standard_normal(400_000)
    for mu in (0.0, 0.7, 3.0):
        assert _folded_normal_quantile(0.95, mu) == pytest.approx(
            np.quantile(np.abs(z + mu), 0.95), abs=0.01
        )
    assert _folded_normal_quantile(0.95, 0.0) == pytest.approx(1.959964, abs=1e-6)


def _ar_sigma(n: int, se: float = 0.02, rho: float = 0.5) -> np.ndarray:
    idx = np.arange(n)
    return se**2 * rho ** np.abs(idx[:, None] - idx[None, :])


def test_flci_unbiased_under_linear_trend():
    """Known truth: under a linear differential trend (Delta^SD(0)) the FLCI centre recovers tau."""
    sigma = _ar_sigma(6)
    times = np.array([-4, -3, -2, -1, 1, 2])  # reference period 0 omitted
    tau = np.array([0.0, 0.0, 0.0, 0.0, 0.10, 0.15])
    beta = tau + 0.03 * times  # noise-free: a linear pre-trend carried into the post-period
    res = honest_did(beta, sigma, 4, 2, restriction="smoothness", m_values=[0.0])
    lo, hi = res.robust().loc[0, ["conf_low", "conf_high"]]
    assert (lo + hi) / 2 == pytest.approx(0.10, abs=1e-6)
    # the conventional interval is centred on the biased 0.13
    assert res.original["estimate"] == pytest.approx(0.13)


def test_relative_magnitudes_coverage_simulation():
    """Coverage of the C-LF set at Mbar = 1 when the truth lies in Delta^RM(1) (200 draws)."""
    sigma = _ar_sigma(5, se=0.02)
    delta = np.array([-0.02, -0.01, 0.0, 0.01, 0.02])  # pre diffs 0.01; post diff 0.01 <= 1 x
    tau_post = np.array([0.05, 0.06])
    truth = delta + np.r_[0.0, 0.0, 0.0, tau_post]
    rng = np.random.default_rng(11)
    chol = np.linalg.cholesky(sigma)
    covered = 0
    reps = 200
    for _ in range(reps):
        beta = truth + chol @ rng.standard_normal(5)
        lo, hi = (
            honest_did(beta, sigma, 3, 2, m_values=[1.0]).robust().loc[0, ["conf_low", "conf_high"]]
        )
        covered += lo <= tau_post[0] <= hi
    # nominal >= 95%; 200 draws: a 91% floor is ~3 MC standard errors below 95%
    assert covered / reps >= 0.91


def test_breakdown_brackets_zero(medicaid):
    beta, sigma, _ = medicaid
    res = honest_did(
        beta.estimate.to_numpy(),
        sigma.to_numpy(),
        5,
        2,
        restriction="smoothness",
        m_values=[0.0, 0.05],
    )
    m = res.breakdown()
    lo_before = (
        honest_did(
            beta.estimate.to_numpy(),
            sigma.to_numpy(),
            5,
            2,
            restriction="smoothness",
            m_values=[m * 0.98],
        )
        .robust()
        .conf_low[0]
    )
    lo_after = (
        honest_did(
            beta.estimate.to_numpy(),
            sigma.to_numpy(),
            5,
            2,
            restriction="smoothness",
            m_values=[m * 1.02],
        )
        .robust()
        .conf_low[0]
    )
    assert lo_before > 0 > lo_after


def test_single_post_period_runs_and_nests():
    sigma = _ar_sigma(4)
    beta = np.array([0.01, -0.005, 0.002, 0.08])
    res = honest_did(beta, sigma, 3, 1, m_values=[0.0, 1.0, 2.0], method="Conditional")
    rob = res.robust()
    width = (rob.conf_high - rob.conf_low).to_numpy()
    assert np.all(np.diff(width) >= -1e-12)  # sets grow with Mbar
    assert rob.conf_low[0] <= 0.08 <= rob.conf_high[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sigma": np.eye(3), "num_pre": 2, "num_post": 2}, "sigma"),
        ({"sigma": np.eye(4), "num_pre": 3, "num_post": 2}, "num_pre"),
        ({"sigma": np.eye(4), "num_pre": 2, "num_post": 2, "restriction": "other"}, "restriction"),
        ({"sigma": np.eye(4), "num_pre": 2, "num_post": 2, "l_vec": [1.0]}, "l_vec"),
        ({"sigma": -np.eye(4), "num_pre": 2, "num_post": 2}, "semi-definite"),
    ],
)
def test_bad_input_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        honest_did(np.zeros(4), **kwargs)


def test_interval_cut_by_the_grid_warns():
    sigma = _ar_sigma(4)
    beta = np.array([0.01, -0.005, 0.002, 0.08])
    with pytest.warns(RuntimeWarning, match="end of the theta grid"):
        res = honest_did(beta, sigma, 3, 1, m_values=[2.0], grid_lb=0.0, grid_ub=0.09)
    assert any("end of the theta grid" in n for n in res.notes)


def test_default_grid_widens_until_the_set_is_closed():
    """Large pre-period violations: at Mbar = 2 the set is wider than +/- 20 SE of theta-hat."""
    import warnings

    sigma = _ar_sigma(4, se=0.01)
    beta = np.array([0.3, 0.0, -0.2, 0.05])  # pre-period swings of 0.3 and 0.2
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        res = honest_did(beta, sigma, 3, 1, m_values=[2.0])
    lo, hi = res.robust().loc[0, ["conf_low", "conf_high"]]
    assert hi - lo > 40 * 0.01  # wider than R's default grid
    assert lo < 0.05 - 2 * 0.3 * 0.9 and hi > 0.05 + 2 * 0.3 * 0.9  # covers Mbar x max swing


def test_options_by_position_are_deprecated_but_still_work(medicaid):
    """The API convention: options keyword-only; the old positional form warns, same result."""
    beta, sigma, _ = medicaid
    b, S = beta.estimate.to_numpy(), sigma.to_numpy()
    want = honest_did(b, S, 5, 2, restriction="smoothness", m_values=[0.0, 0.05])
    with pytest.warns(DeprecationWarning, match="by keyword"):
        got = honest_did(b, S, 5, 2, "smoothness", [0.0, 0.05])
    pd.testing.assert_frame_equal(got.tidy(), want.tidy())
    with pytest.raises(TypeError, match="by position and by keyword"):
        honest_did(b, S, 5, 2, "smoothness", m_values=[0.0], restriction="smoothness")
