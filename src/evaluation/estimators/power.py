"""Power of a clustered difference-in-differences design: analytic MDE and simulated power.

Analytic minimum detectable effect (Bloom 1995, 2005; Burlig, Preonas & Woerman 2020 for
panels with serially correlated errors). Each firm contributes the contrast
``D_i = mean(y_i, post) - mean(y_i, pre)`` over ``m`` pre- and ``r`` post-periods; with error
covariance ``Sigma`` over periods, ``Var(D_i) = c' Sigma c`` with ``c = (-1/m, ..., 1/r, ...)``.
For constant pre/pre, post/post and pre/post covariances this is BPW's (2020, eq. 8)
``sigma^2 (1/m + 1/r) + (m-1)/m psi_B + (r-1)/r psi_A - 2 psi_X``; with an AR(1) it is computed
exactly. The DiD is the difference of mean contrasts between participants (share ``P``) and
comparison firms, so

    Var(tau_hat) = Var(D) * deff / (P (1 - P) J n),     MDE = (t_{1-alpha/2} + t_{power}) * sd,

with ``J`` clusters of ``n`` firms, ``deff = 1 + (n - 1) rho`` when whole clusters are treated
(Bloom's design effect, ``rho`` the intra-cluster correlation of ``D_i``) and ``deff = 1 - rho``
when participation varies within clusters and cluster shocks cancel (blocked design), t with
``J - 2`` (whole clusters) or ``J - 1`` (within) degrees of freedom. Incomplete take-up ``c``
scales the MDE of the effect of participation by ``1 / c``. ``exact=True`` solves the
non-central t power equation instead of the ``t + t`` approximation.

Simulated power (:func:`simulated_power`): re-assign participation timing across clusters on a
real or simulated panel, add a known effect, re-estimate, count rejections (BPW 2020 sec. 4).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .inputs import renamed
from .results import EstimationResult

ASSIGNMENTS = ("cluster", "within")


def _contrast_variance(sigma: float, rho_ar: float, pre: int, post: int) -> float:
    t = np.arange(pre + post)
    cov = sigma**2 * rho_ar ** np.abs(t[:, None] - t[None, :])
    c = np.concatenate([np.full(pre, -1.0 / pre), np.full(post, 1.0 / post)])
    return float(c @ cov @ c)


def _icc_anova(values: np.ndarray, groups: np.ndarray) -> float:
    """One-way ANOVA estimator of the intra-class correlation (unbalanced groups)."""
    codes, uniq = pd.factorize(groups)
    k = uniq.size
    n_g = np.bincount(codes)
    n = values.size
    if k < 2 or n <= k:
        return 0.0
    means = np.bincount(codes, values) / n_g
    grand = values.mean()
    msb = np.sum(n_g * (means - grand) ** 2) / (k - 1)
    msw = np.sum((values - means[codes]) ** 2) / (n - k)
    n0 = (n - np.sum(n_g**2) / n) / (k - 1)
    s2b = max((msb - msw) / n0, 0.0)
    return float(s2b / (s2b + msw)) if s2b + msw > 0 else 0.0


def contrast_from_panel(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    pre_periods: Sequence[Any],
    post_periods: Sequence[Any],
    cluster: str | None = None,
) -> pd.DataFrame:
    """Per-unit pre/post contrast ``D_i`` of ``outcome`` (units observed in both windows)."""
    for col in (outcome, unit, time, *([cluster] if cluster else [])):
        if col not in data.columns:
            raise ValueError(f"minimum_detectable_effect: column {col!r} not in data")
    d = data[[unit, time, outcome, *([cluster] if cluster else [])]].dropna(subset=[outcome])
    pre = d[d[time].isin(pre_periods)].groupby(unit)[outcome].mean()
    post = d[d[time].isin(post_periods)].groupby(unit)[outcome].mean()
    out = pd.DataFrame({"contrast": post - pre}).dropna()
    if cluster:
        out["cluster"] = d.groupby(unit)[cluster].first().reindex(out.index)
    if len(out) < 3:
        raise ValueError(
            f"minimum_detectable_effect: only {len(out)} units observed in both the pre "
            f"{list(pre_periods)} and post {list(post_periods)} windows of {outcome!r}"
        )
    return out


def _exact_multiplier(alpha: float, power: float, df: float, scale: float) -> float:
    """Effect (in SE units) whose two-sided t test has the requested power (non-central t)."""
    from scipy import optimize, stats

    crit = stats.t.ppf(1 - alpha / 2, df)

    def gap(delta: float) -> float:
        return stats.nct.sf(crit, df, delta) + stats.nct.cdf(-crit, df, delta) - power

    hi = crit + stats.norm.ppf(power) + 5.0  # power is near 1 here; nct is unstable far out
    return float(optimize.brentq(gap, 0.0, hi, xtol=1e-12)) * scale


def minimum_detectable_effect(
    data: pd.DataFrame | None = None,
    icc: float | None = None,
    clusters: int | None = None,
    periods: tuple[int, int] = (2, 3),
    power: float = 0.8,
    alpha: float = 0.05,
    *,
    firms_per_cluster: float = 20.0,
    treated_share: float = 0.5,
    take_up: float = 1.0,
    sigma: float | None = None,
    serial_correlation: float = 0.0,
    assignment: str = "within",
    outcome: str | None = None,
    unit: str = "firm_id",
    time: str = "year",
    cluster: str | None = None,
    pre_window: Sequence[Any] | None = None,
    post_window: Sequence[Any] | None = None,
    comparison: str | None = "participant",
    exact: bool = False,
) -> EstimationResult:
    """Minimum detectable effect of a clustered DiD (see the module docstring for the formula).

    Parameters
    ----------
    data : panel to take ``Var(D_i)`` and the ICC from (comparison firms only when
        ``comparison`` names the participation column); else give ``sigma`` (and ``icc``).
    icc : intra-cluster correlation of the contrast (from ``data`` when None).
    clusters, firms_per_cluster, treated_share : ``J``, ``n`` and ``P``.
    periods : (pre, post) number of periods in each window (ignored with ``data``).
    power, alpha : target power and two-sided size.
    take_up : share of the assigned that participate (MDE of participation = MDE / take_up).
    sigma, serial_correlation : outcome SD and AR(1) correlation when ``data`` is None.
    assignment : ``"cluster"`` (whole clusters treated) or ``"within"`` (participation varies
        within each cluster, as in recruitment strata).
    pre_window, post_window : periods of ``data`` defining ``D_i`` (default: the first
        ``periods[0]`` and the next ``periods[1]`` periods).
    exact : solve the non-central t power equation rather than ``t_{1-a/2} + t_{power}``.

    Examples
    --------
    40 strata of 25 firms, half of each stratum supported, 2 pre- and 3 post-years, outcome SD
    1, ICC 0.05; the MDE is ``(t_.975 + t_.80) * sd`` with 39 df:

    >>> mde = minimum_detectable_effect(icc=0.05, clusters=40, firms_per_cluster=25, sigma=1.0)
    >>> cols = ["estimate", "std_error", "design_effect", "df"]
    >>> print(mde.tidy()[cols].round(4).to_string(index=False))
     estimate  std_error  design_effect  df
       0.1617     0.0563           0.95  39
    >>> from scipy import stats
    >>> sd = ((1 / 2 + 1 / 3) * (1 - 0.05) / (0.5 * 0.5 * 40 * 25)) ** 0.5
    >>> print(f"{(stats.t.ppf(0.975, 39) + stats.t.ppf(0.8, 39)) * sd:.4f}")
    0.1617

    With the contrast's variance and ICC taken from a panel (mpdta's log employment, 2003-04
    against 2005-07, counties clustered by state) for a design of 20 clusters of 20 firms:

    >>> import pandas as pd
    >>> d = pd.read_csv("tests/data/mpdta.csv").assign(state=lambda x: x["countyreal"] // 1000)
    >>> mde = minimum_detectable_effect(d, clusters=20, outcome="lemp", unit="countyreal",
    ...                                 time="year", cluster="state", comparison=None)
    >>> cols = ["estimate", "var_contrast", "icc", "pre_periods", "post_periods"]
    >>> print(mde.tidy()[cols].round(4).to_string(index=False))
     estimate  var_contrast    icc  pre_periods  post_periods
       0.0462        0.0281 0.1297            2             3
    """
    _check_mde_options(
        assignment, power, alpha, treated_share, take_up, clusters, data, outcome,
        firms_per_cluster,
    )  # fmt: skip
    notes: list[str] = []
    if data is not None:
        var_d, icc, m, r = _variance_from_panel(
            data, outcome, unit, time, cluster, periods, pre_window, post_window, comparison,
            icc, notes,
        )  # fmt: skip
    else:
        var_d, icc, m, r = _variance_from_sigma(sigma, serial_correlation, periods, icc)
    if not 0 <= icc < 1:
        raise ValueError(f"minimum_detectable_effect: icc must lie in [0, 1), got {icc}")
    n_total = clusters * firms_per_cluster
    deff, df = _design_effect(assignment, firms_per_cluster, icc, clusters)
    se = float(np.sqrt(var_d * deff / (treated_share * (1 - treated_share) * n_total)))
    mde_itt = _mde_itt(alpha, power, df, se, exact, notes)
    mde = mde_itt / take_up
    table = pd.DataFrame(
        {
            "term": ["mde"],
            "estimate": [mde],
            "std_error": [se / take_up],
            "statistic": [np.nan],
            "p_value": [np.nan],
            "conf_low": [np.nan],
            "conf_high": [np.nan],
            "mde_itt": [mde_itt],
            "var_contrast": [var_d],
            "icc": [icc],
            "design_effect": [deff],
            "clusters": [clusters],
            "firms_per_cluster": [firms_per_cluster],
            "treated_share": [treated_share],
            "take_up": [take_up],
            "pre_periods": [m],
            "post_periods": [r],
            "df": [df],
            "power": [power],
            "alpha": [alpha],
        }
    )
    notes.append(_mde_note(power, alpha, assignment))
    return EstimationResult(
        estimator="minimum_detectable_effect",
        table=table,
        nobs=int(n_total),
        n_clusters=clusters,
        outcome=outcome if data is not None else "",
        notes=notes,
    )


def _design_effect(
    assignment: str, firms_per_cluster: float, icc: float, clusters: int
) -> tuple[float, int]:
    """Design effect and t degrees of freedom: whole clusters treated (Bloom 1995:
    ``1 + (n - 1) ICC``, ``J - 2`` df) or participation within clusters (``1 - ICC``, ``J - 1``)."""
    if assignment == "cluster":
        return 1 + (firms_per_cluster - 1) * icc, clusters - 2
    return 1 - icc, clusters - 1


def _mde_itt(
    alpha: float, power: float, df: float, se: float, exact: bool, notes: list[str]
) -> float:
    """MDE of assignment: ``(t_{1-a/2} + t_{power}) se``, or the exact non-central t."""
    from scipy import stats

    if exact:
        notes.append("exact non-central t power")
        return _exact_multiplier(alpha, power, df, se)
    multiplier = stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)
    return float(multiplier * se)


def _mde_note(power: float, alpha: float, assignment: str) -> str:
    """The note saying which formula the MDE follows."""
    return (
        f"MDE at power {power:.0%}, two-sided alpha {alpha}: Bloom (1995) with a "
        f"{'whole-cluster' if assignment == 'cluster' else 'within-cluster'} design effect and "
        "the pre/post contrast variance of Burlig, Preonas & Woerman (2020)"
    )


def _check_mde_options(
    assignment: str,
    power: float,
    alpha: float,
    treated_share: float,
    take_up: float,
    clusters: int | None,
    data: pd.DataFrame | None,
    outcome: str | None,
    firms_per_cluster: float,
) -> None:
    """Validate the design options of :func:`minimum_detectable_effect`."""
    if assignment not in ASSIGNMENTS:
        raise ValueError(f"minimum_detectable_effect: assignment must be one of {ASSIGNMENTS}")
    for name, v in (("power", power), ("alpha", alpha), ("treated_share", treated_share)):
        if not 0 < v < 1:
            raise ValueError(f"minimum_detectable_effect: {name} must lie in (0, 1), got {v}")
    if not 0 < take_up <= 1:
        raise ValueError("minimum_detectable_effect: take_up must lie in (0, 1]")
    if clusters is None:
        raise ValueError(
            "minimum_detectable_effect: clusters= (the number of clusters J) is required"
        )
    if data is not None and not outcome:
        raise ValueError("minimum_detectable_effect: outcome= names the column of data to use")
    if clusters < 3 or firms_per_cluster <= 0:
        raise ValueError("minimum_detectable_effect: need at least 3 clusters and firms > 0")


def _variance_from_panel(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cluster: str | None,
    periods: tuple[int, int],
    pre_window: Sequence[Any] | None,
    post_window: Sequence[Any] | None,
    comparison: str | None,
    icc: float | None,
    notes: list[str],
) -> tuple[float, float, int, int]:
    """``Var(D_i)`` of the firms' post-minus-pre contrast and the ICC (ANOVA, by cluster,
    unless given) from a panel, with the window lengths."""
    years = sorted(data[time].dropna().unique())
    pre_w = list(pre_window) if pre_window is not None else years[: periods[0]]
    post_w = (
        list(post_window)
        if post_window is not None
        else years[periods[0] : periods[0] + periods[1]]
    )
    sample = data
    if comparison is not None and comparison in data.columns:
        sample = data[data[comparison].astype(float) == 0]
        notes.append(f"Var(D) and ICC from comparison firms ({comparison} == 0)")
    con = contrast_from_panel(sample, outcome, unit, time, pre_w, post_w, cluster)
    var_d = float(con["contrast"].var(ddof=1))
    if icc is None:
        if not cluster:
            raise ValueError(
                "minimum_detectable_effect: give cluster= (to estimate the ICC) or icc="
            )
        icc = _icc_anova(con["contrast"].to_numpy(), con["cluster"].to_numpy())
    notes.append(
        f"contrast of {outcome}: mean over {post_w} minus mean over {pre_w}, {len(con)} firms"
    )
    return var_d, icc, len(pre_w), len(post_w)


def _variance_from_sigma(
    sigma: float | None, serial_correlation: float, periods: tuple[int, int], icc: float | None
) -> tuple[float, float, int, int]:
    """``Var(D_i)`` from the outcome SD and its AR(1) correlation (ICC 0 unless given)."""
    if sigma is None:
        raise ValueError("minimum_detectable_effect: give data or sigma")
    m, r = int(periods[0]), int(periods[1])
    if m < 1 or r < 1:
        raise ValueError("minimum_detectable_effect: periods must be (pre >= 1, post >= 1)")
    var_d = _contrast_variance(sigma, serial_correlation, m, r)
    return var_d, 0.0 if icc is None else float(icc), m, r


def simulated_power(
    data: pd.DataFrame,
    effect: float,
    *,
    outcome: str,
    unit: str = "firm_id",
    time: str = "year",
    cluster: str,
    cohort: str = "cohort",
    replications: int = 200,
    seed: int = 0,
    alpha: float = 0.05,
    estimator: Callable[[pd.DataFrame], EstimationResult] | None = None,
    term: str = "treated_sim",
    reps: int | None = None,
) -> EstimationResult:
    """Share of re-randomized placebo assignments in which a known ``effect`` is detected.

    Within each cluster, the observed cohorts (first treated period; 0 = comparison) are
    permuted across its units, ``effect`` is added to the outcome of the units' treated
    periods, and the TWFE coefficient (CRV1 by ``cluster``, t with G - 1 df) is tested at
    ``alpha``. With ``effect = 0`` this is the size of the test. Outcome values of the
    actually treated periods carry their real effect, so use pre-program years or comparison
    firms (or a simulation without effects) for a clean power calculation.
    """
    from .did import twfe

    reps = renamed("simulated_power", "replications", replications, "reps", reps, 200)
    for col in (outcome, unit, time, cluster, cohort):
        if col not in data.columns:
            raise ValueError(f"simulated_power: column {col!r} not in data")
    if reps < 10:
        raise ValueError("simulated_power: replications must be at least 10")
    rng = np.random.default_rng(seed)
    d = data.dropna(subset=[outcome]).copy()
    units = d.groupby(unit)[[cluster, cohort]].first()
    units[cohort] = units[cohort].fillna(0)
    base = d[outcome].to_numpy(float)
    unit_pos = pd.Index(units.index).get_indexer(d[unit])
    t_vals = d[time].to_numpy()
    fit = estimator or (
        lambda frame: twfe(frame, outcome, unit, time, term, cluster=cluster)  # noqa: B023
    )
    rejections = []
    estimates = []
    import warnings

    groups = units.groupby(cluster).indices
    for _ in range(reps):
        new = units[cohort].to_numpy(float).copy()
        for idx in groups.values():
            new[idx] = new[idx][rng.permutation(idx.size)]
        g = new[unit_pos]
        treated = ((g > 0) & (t_vals >= g)).astype(float)
        d[term] = treated
        d[outcome] = base + effect * treated
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = fit(d)
        row = res.tidy().set_index("term").loc[term]
        rejections.append(row["p_value"] <= alpha)
        estimates.append(row["estimate"])
    rate = float(np.mean(rejections))
    mc_se = float(np.sqrt(rate * (1 - rate) / reps))
    table = pd.DataFrame(
        {
            "term": ["power"],
            "estimate": [rate],
            "std_error": [mc_se],
            "statistic": [np.nan],
            "p_value": [np.nan],
            "conf_low": [max(rate - 1.96 * mc_se, 0.0)],
            "conf_high": [min(rate + 1.96 * mc_se, 1.0)],
            "effect": [effect],
            "reps": [reps],
            "mean_estimate": [float(np.mean(estimates))],
        }
    )
    return EstimationResult(
        estimator="simulated_power",
        table=table,
        nobs=len(d),
        outcome=outcome,
        notes=[
            f"{reps} within-{cluster} permutations of {cohort}, effect {effect:g} added, "
            f"seed {seed}; std_error is the Monte Carlo SE of the rejection rate"
        ],
        info={"estimates": np.array(estimates)},
    )
