"""Randomization inference at the cluster level: re-assign participation timing across clusters.

Under the sharp null of no effect for any firm in any year, the outcomes do not depend on
which cluster entered when, so re-assigning the observed entry cohorts across the clusters
(e.g. recruitment strata, each recruiting one business cluster) and recomputing the estimator traces
the estimator's randomization distribution (Fisher 1935; Young 2019; Heß 2017 Stata ``ritest``;
pyfixest ``ritest``). Participation stays with the cluster's participants; comparison firms
keep cohort 0. The p-value is the share of assignments with ``|stat*| >= |stat|`` (ritest
convention); when the number of distinct assignments does not exceed ``replications`` they are all
enumerated and the p-value is exact.

The default statistic is the TWFE coefficient of ``participant x post`` with unit and year
fixed effects, computed by two-way demeaning (alternating projections on unbalanced panels), so
each draw costs a few passes over the data; any other estimator can be passed as a callable.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable

import numpy as np
import pandas as pd

from .inputs import renamed
from .results import EstimationResult


def demean_alternating(
    x: np.ndarray,
    codes: list[np.ndarray],
    counts: list[np.ndarray],
    tol: float = 1e-12,
    maxiter: int = 10_000,
) -> np.ndarray:
    """Remove unit and time means by alternating projections (exact in one pass if balanced)."""
    out = x.astype(float).copy()
    for _ in range(maxiter):
        change = 0.0
        for c, n in zip(codes, counts, strict=True):
            means = np.bincount(c, out, minlength=n.size) / n
            out -= means[c]
            change = max(change, float(np.abs(means).max()))
        if change < tol:
            break
    return out


def _assignments(
    cohorts: np.ndarray, reps: int, rng: np.random.Generator
) -> tuple[np.ndarray, bool]:
    """Permutations of the cluster cohorts: all distinct ones if few, else ``reps`` random ones."""
    counts = Counter(cohorts.tolist())
    n_distinct = math.factorial(cohorts.size)
    for c in counts.values():
        n_distinct //= math.factorial(c)
    if n_distinct <= reps:
        values = sorted(counts)
        out = []
        for combo in _multiset_permutations(cohorts.size, [counts[v] for v in values]):
            out.append(np.array([values[i] for i in combo], dtype=float))
        return np.vstack(out), True
    return np.vstack([cohorts[rng.permutation(cohorts.size)] for _ in range(reps)]), False


def _multiset_permutations(n: int, counts: list[int]):
    """Distinct arrangements of ``counts[k]`` copies of label k over n slots (as tuples)."""
    if not counts:
        yield ()
        return
    first, rest = counts[0], counts[1:]
    for slots in itertools.combinations(range(n), first):
        remaining = [i for i in range(n) if i not in slots]
        for tail in _multiset_permutations(len(remaining), rest):
            arr = [0] * n  # label 0 in the chosen slots, labels 1.. of the tail elsewhere
            for pos, lab in zip(remaining, tail, strict=True):
                arr[pos] = lab + 1
            yield tuple(arr)


def randomization_inference(
    data: pd.DataFrame,
    outcome: str,
    unit: str = "firm_id",
    time: str = "year",
    cohort: str = "cohort",
    *,
    cluster: str | None = None,
    replications: int = 999,
    seed: int = 0,
    participant: str | None = None,
    strata: str | None = None,
    estimator: Callable[[pd.DataFrame], float] | None = None,
    level: str | None = None,
    reps: int | None = None,
) -> EstimationResult:
    """Cluster-level randomization inference for a staggered DiD.

    Parameters
    ----------
    data : firm-year panel; ``cohort`` is the first treated year (0 or missing = comparison).
    cluster : column of the assignment clusters (e.g. recruitment strata); all participants of a
        cluster share its cohort, and the cohorts are permuted across clusters. ``level`` is
        its deprecated name.
    replications, seed : number of random re-assignments (all distinct ones when there are no
        more than this) and their seed. ``reps`` is the deprecated name of ``replications``.
    strata : optional column (constant within ``cluster``) within which cohorts are permuted.
    participant : 0/1 column of participation (default: cohort > 0).
    estimator : ``f(frame) -> float`` computed on a copy of ``data`` whose ``cohort`` and
        ``treated_ri`` (participant x post) columns hold the re-assigned timing; default the
        TWFE coefficient of ``treated_ri`` with unit and year fixed effects.

    Examples
    --------
    Six strata of ten firms; half of each stratum's firms join, two strata in each of 2018,
    2019 and 2020; true effect 0.5. The 6! / (2! 2! 2!) = 90 distinct assignments of the entry
    years to the strata are all enumerated, so the p-value is exact (here 1/90: no other
    timing gives as large a coefficient):

    >>> import numpy as np
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> p = pd.DataFrame({"firm": np.repeat(np.arange(60), 6),
    ...                   "year": np.tile(np.arange(2016, 2022), 60)})
    >>> p["stratum"] = p["firm"] // 10
    >>> entry = np.array([2018, 2018, 2019, 2019, 2020, 2020])[p["stratum"]]
    >>> p["cohort"] = np.where(p["firm"] % 2 == 0, entry, 0)
    >>> on = (p["cohort"] > 0) & (p["year"] >= p["cohort"])
    >>> p["y"] = rng.normal(size=60)[p["firm"]] + 0.5 * on + rng.normal(scale=0.5, size=len(p))
    >>> ri = randomization_inference(p, "y", "firm", "year", "cohort", cluster="stratum")
    >>> print(ri.tidy()[["term", "estimate", "p_value", "assignments", "exact"]]
    ...       .round(3).to_string(index=False))
       term  estimate  p_value  assignments  exact
    treated     0.595    0.011           90   True
    """
    where = "randomization_inference"
    level = renamed(where, "cluster", cluster, "level", level, None)
    if level is None:
        raise ValueError(f"{where}: cluster= names the column of the assignment clusters")
    reps = renamed(where, "replications", replications, "reps", reps, 999)
    frame = _checked_frame(data, outcome, unit, time, cohort, level, strata, reps)
    g = frame[cohort].fillna(0).to_numpy(float)
    part = (g > 0) if participant is None else frame[participant].astype(bool).to_numpy()
    cl_codes, cl_names = pd.factorize(frame[level], sort=True)
    cluster_cohort = _cluster_cohorts(g, part, cl_codes, cl_names, level)
    rng = np.random.default_rng(seed)
    stat, label = _statistic(frame, outcome, unit, time, cohort, part, cl_codes, estimator)
    observed = stat(cluster_cohort)
    if strata is None:
        draws, exact = _assignments(cluster_cohort, reps, rng)
    else:
        draws = _stratified_draws(frame, cl_codes, strata, level, cluster_cohort, reps, rng)
        exact = False
    dist = np.array([stat(a) for a in draws])
    dist = dist[np.isfinite(dist)]
    p = float(np.mean(np.abs(dist) >= np.abs(observed) - 1e-12))
    mc_se = 0.0 if exact else float(np.sqrt(p * (1 - p) / dist.size))
    table = pd.DataFrame(
        {
            "term": ["treated"],
            "estimate": [observed],
            "std_error": [float(dist.std(ddof=1))],
            "statistic": [observed / float(dist.std(ddof=1))],
            "p_value": [p],
            "conf_low": [np.nan],
            "conf_high": [np.nan],
            "p_value_mc_se": [mc_se],
            "assignments": [dist.size],
            "exact": [exact],
        }
    )
    notes = [
        f"randomization inference: cohorts re-assigned across {cl_names.size} {level} clusters"
        + (f" within {strata}" if strata else "")
        + (
            " (all distinct assignments enumerated: exact p-value)"
            if exact
            else f", {dist.size} draws, seed {seed}"
        )
        + f"; statistic: {label}; std_error is the SD of the randomization distribution"
    ]
    return EstimationResult(
        estimator="randomization_inference",
        table=table,
        nobs=len(frame),
        vcov_type="randomization",
        n_clusters=int(cl_names.size),
        outcome=outcome,
        notes=notes,
        info={"distribution": dist, "exact": exact, "seed": seed},
    )


def _checked_frame(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    level: str,
    strata: str | None,
    reps: int,
) -> pd.DataFrame:
    """Rows with an outcome (renumbered); columns present, ids complete, enough draws."""
    where = "randomization_inference"
    for col in (outcome, unit, time, cohort, level, *([strata] if strata else [])):
        if col not in data.columns:
            raise ValueError(f"{where}: column {col!r} not in data")
    if reps < 19:
        raise ValueError(f"{where}: replications must be at least 19")
    frame = data.dropna(subset=[outcome]).reset_index(drop=True)
    if frame[[unit, time, level]].isna().any().any():
        rows = list(frame.index[frame[[unit, time, level]].isna().any(axis=1)][:10])
        raise ValueError(f"{where}: missing {unit}/{time}/{level} at rows {rows}")
    return frame


def _cluster_cohorts(
    g: np.ndarray, part: np.ndarray, cl_codes: np.ndarray, cl_names: pd.Index, level: str
) -> np.ndarray:
    """The cohort of each cluster (its participants' one cohort; 0 without participants);
    at least two distinct cohorts are needed to permute."""
    where = "randomization_inference"
    cluster_cohort = np.zeros(cl_names.size)
    for k in range(cl_names.size):
        vals = np.unique(g[(cl_codes == k) & part])
        if vals.size > 1:
            raise ValueError(
                f"{where}: participants of {level}={cl_names[k]!r} have several cohorts "
                f"{vals.tolist()}; cluster-level re-assignment needs one cohort per cluster"
            )
        cluster_cohort[k] = vals[0] if vals.size else 0.0
    if np.unique(cluster_cohort).size < 2:
        raise ValueError(
            f"{where}: all clusters share cohort {cluster_cohort[0]:g}; nothing to permute"
        )
    return cluster_cohort


def _statistic(
    frame: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    part: np.ndarray,
    cl_codes: np.ndarray,
    estimator: Callable[[pd.DataFrame], float] | None,
) -> tuple[Callable[[np.ndarray], float], str]:
    """The statistic of a cluster-cohort assignment, and its label: by default the TWFE
    coefficient of participant x post (outcome demeaned once, by alternating projections),
    else the user's ``estimator`` on a copy of the data with the re-assigned timing."""
    t_vals = frame[time].to_numpy(float)
    if estimator is None:
        u_codes, u_names = pd.factorize(frame[unit])
        t_codes, t_names = pd.factorize(frame[time])
        codes = [u_codes, t_codes]
        counts = [np.bincount(u_codes).astype(float), np.bincount(t_codes).astype(float)]
        y_dm = demean_alternating(frame[outcome].to_numpy(float), codes, counts)

        def stat(cl_cohort: np.ndarray) -> float:
            gg = cl_cohort[cl_codes]
            d = (part & (gg > 0) & (t_vals >= gg)).astype(float)
            d_dm = demean_alternating(d, codes, counts)
            denom = d_dm @ d_dm
            return float(d_dm @ y_dm / denom) if denom > 1e-12 else np.nan

        return stat, "TWFE coefficient of participant x post (unit and year FE)"
    work = frame.copy()

    def user_stat(cl_cohort: np.ndarray) -> float:
        gg = cl_cohort[cl_codes]
        work[cohort] = np.where(part, gg, 0.0)
        work["treated_ri"] = (part & (gg > 0) & (t_vals >= gg)).astype(float)
        return float(estimator(work))

    return user_stat, "user statistic"


def _stratified_draws(
    frame: pd.DataFrame,
    cl_codes: np.ndarray,
    strata: str,
    level: str,
    cluster_cohort: np.ndarray,
    reps: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Random re-assignments (reps x clusters) permuting cohorts within each stratum."""
    s_of_cluster = frame.groupby(cl_codes)[strata].agg(lambda v: v.unique()).to_numpy()
    if any(np.size(v) > 1 for v in s_of_cluster):
        raise ValueError(f"randomization_inference: {strata!r} must be constant within {level!r}")
    s_codes = pd.factorize(np.array([np.atleast_1d(v)[0] for v in s_of_cluster]))[0]
    draws = np.tile(cluster_cohort, (reps, 1))
    for s in np.unique(s_codes):
        idx = np.flatnonzero(s_codes == s)
        for r in range(reps):
            draws[r, idx] = cluster_cohort[idx][rng.permutation(idx.size)]
    return draws
