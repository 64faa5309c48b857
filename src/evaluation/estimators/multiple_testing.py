"""Multiple outcomes: family-wise and false-discovery-rate adjustments and a summary index.

* :func:`romano_wolf` — Romano & Wolf (2005) step-down family-wise error rate control with
  bootstrap re-estimation, in the convention of Stata ``rwolf`` (Clarke, Romano & Wolf 2020):
  statistics studentized by the bootstrap standard deviation, null imposed by centring the draws
  on the estimates, p-values ``(#{max* >= t} + 1) / (B + 1)`` made monotone down the steps;
* :func:`benjamini_hochberg` — the Benjamini & Hochberg (1995) step-up q-values (statsmodels);
* :func:`sharpened_qvalues` — the two-stage "sharpened" q-values of Benjamini, Krieger &
  Yekutieli (2006) as computed by Anderson (2008, JASA, section 3.2): the smallest level q on a
  0.001 grid at which the hypothesis is rejected;
* :func:`klk_index` — the standardized index of Kling, Liebman & Katz (2007).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .inputs import renamed
from .results import EstimationResult, ModelSpec


def _pvalue_array(pvalues: Sequence[float] | np.ndarray | pd.Series, where: str) -> np.ndarray:
    p = np.asarray(pvalues, dtype=float).ravel()
    if p.size == 0:
        raise ValueError(f"{where}: no p-values given")
    bad = np.flatnonzero(~np.isfinite(p) | (p < 0) | (p > 1))
    if bad.size:
        raise ValueError(f"{where}: p-values must lie in [0, 1]; positions {bad.tolist()} do not")
    return p


def _like(pvalues: Any, values: np.ndarray) -> Any:
    if isinstance(pvalues, pd.Series):
        return pd.Series(values, index=pvalues.index, name="q_value")
    return values


def benjamini_hochberg(pvalues: Sequence[float] | np.ndarray | pd.Series) -> Any:
    """Benjamini-Hochberg (1995) q-values (statsmodels ``fdr_bh``), same shape as the input."""
    from statsmodels.stats.multitest import multipletests

    p = _pvalue_array(pvalues, "benjamini_hochberg")
    return _like(pvalues, multipletests(p, method="fdr_bh")[1])


def sharpened_qvalues(
    pvalues: Sequence[float] | np.ndarray | pd.Series, *, step: float = 0.001
) -> Any:
    """Anderson (2008) sharpened FDR q-values (two-stage Benjamini-Krieger-Yekutieli 2006).

    For each level q on a grid (step 0.001, as Anderson's code): stage one runs
    Benjamini-Hochberg at q' = q / (1 + q) and counts rejections r; stage two runs it at
    q' * m / (m - r). A hypothesis's q-value is the smallest grid level at which it is rejected
    (1 if none). Rejections at each level equal statsmodels' ``fdr_tsbky`` with ``maxiter=1``.

    Examples
    --------
    >>> print(sharpened_qvalues([0.001, 0.01, 0.04, 0.2]).round(3))
    [0.005 0.016 0.028 0.057]
    """
    p = _pvalue_array(pvalues, "sharpened_qvalues")
    m = p.size
    order = np.argsort(p, kind="stable")
    sorted_p = p[order]
    ranks = np.arange(1, m + 1)
    qvals = np.ones(m)
    levels = np.round(np.arange(1.0, 0.0, -step), 10)

    def n_rejected(level: float) -> int:
        below = np.flatnonzero(sorted_p <= level * ranks / m)
        return int(below[-1] + 1) if below.size else 0

    for q in levels:
        q1 = q / (1 + q)
        r1 = n_rejected(q1)
        if r1 == 0:
            continue
        q2 = q1 * m / (m - r1) if r1 < m else np.inf
        r2 = m if not np.isfinite(q2) else n_rejected(q2)
        qvals[order[:r2]] = q
    return _like(pvalues, qvals)


def romano_wolf_from_draws(
    estimates: np.ndarray, draws: np.ndarray, *, std_errors: np.ndarray | None = None
) -> np.ndarray:
    """Romano-Wolf step-down p-values from bootstrap draws of the estimates.

    Parameters
    ----------
    estimates : the S original estimates.
    draws : B x S bootstrap (or permutation) estimates, drawn without imposing the null; they
        are centred on ``estimates`` here to impose it (rwolf convention).
    std_errors : scale of each statistic; default the bootstrap standard deviation.
    """
    est = np.asarray(estimates, dtype=float).ravel()
    d = np.asarray(draws, dtype=float)
    if d.ndim != 2 or d.shape[1] != est.size:
        raise ValueError(
            f"romano_wolf: draws have shape {d.shape}; expected (reps, {est.size}) — one column "
            "per hypothesis"
        )
    if not np.all(np.isfinite(d)):
        rows = np.flatnonzero(~np.isfinite(d).all(axis=1))
        raise ValueError(f"romano_wolf: bootstrap draws {rows[:10].tolist()} are not finite")
    se = d.std(axis=0, ddof=1) if std_errors is None else np.asarray(std_errors, float).ravel()
    if np.any(se <= 0):
        raise ValueError("romano_wolf: a hypothesis has zero bootstrap variation")
    t_obs = np.abs(est) / se
    t_boot = np.abs(d - est) / se
    order = np.argsort(-t_obs, kind="stable")
    reps = d.shape[0]
    p = np.empty(est.size)
    running = 0.0
    for k, j in enumerate(order):
        max_rest = t_boot[:, order[k:]].max(axis=1)
        pk = (np.sum(max_rest >= t_obs[j]) + 1) / (reps + 1)
        running = max(running, pk)
        p[j] = running
    return p


def _fast_twfe(spec: dict[str, Any], data: pd.DataFrame, term: str) -> float | None:
    """The TWFE coefficient by two-way demeaning (one treatment, unit and time effects only,
    no weights or covariates), else None. Same number as ``twfe`` (singletons aside)."""
    from .randomization import demean_alternating

    simple = (
        spec.get("kind") == "twfe"
        and list(spec.get("treatment", [])) == [term]
        and not spec.get("covariates")
        and not spec.get("weights")
        and list(spec.get("fixed_effects", [])) == [spec["unit"], spec["time"]]
    )
    if not simple:
        return None
    frame = data.dropna(subset=[spec["outcome"]])
    codes, counts = [], []
    for col in (spec["unit"], spec["time"]):
        c = pd.factorize(frame[col])[0]
        codes.append(c)
        counts.append(np.bincount(c).astype(float))
    if (counts[0] < 2).any():  # singletons: let twfe drop them as fixest does
        return None
    y = demean_alternating(frame[spec["outcome"]].to_numpy(float), codes, counts, tol=1e-10)
    d = demean_alternating(frame[term].to_numpy(float), codes, counts, tol=1e-10)
    denom = float(d @ d)
    if denom < 1e-12:
        raise ValueError(f"romano_wolf: {term!r} has no variation left in a resample")
    return float(d @ y / denom)


def _refit(spec: dict[str, Any], data: pd.DataFrame) -> EstimationResult:
    from . import did

    kind = spec.get("kind")
    common = {"covariates": spec.get("covariates") or None, "weights": spec.get("weights")}
    if kind == "twfe":
        extra = [f for f in spec["fixed_effects"] if f not in (spec["unit"], spec["time"])]
        return did.twfe(
            data, spec["outcome"], spec["unit"], spec["time"], spec["treatment"],
            vcov="iid", fixed_effects=extra or None, **common,
        )  # fmt: skip
    if kind == "did_2x2":
        return did.did_2x2(
            data, spec["outcome"], spec["treated"], spec["post"], vcov="iid", **common
        )
    if kind == "triple_differences":
        return did.triple_differences(
            data, spec["outcome"], spec["unit"], spec["time"], spec["treatment"][0],
            spec["subgroup"], vcov="iid", **common,
        )  # fmt: skip
    raise ValueError(f"romano_wolf: cannot refit a result of kind {kind!r}; pass draws instead")


def _cluster_resample(
    data: pd.DataFrame, cluster: str, unit: str | None, picked: np.ndarray
) -> pd.DataFrame:
    """Pairs cluster bootstrap sample holding the clusters ``picked`` (labels, with repeats).

    Each copy is a new cluster and its units new units (integer labels), so fixed effects are
    not shared across copies. Clusters absent from ``data`` (a subgroup) contribute no rows.
    """
    codes = pd.Index(pd.unique(picked)).get_indexer(data[cluster])
    present = codes >= 0
    order = np.flatnonzero(present)[np.argsort(codes[present], kind="stable")]
    sorted_codes = codes[order]
    labels = pd.unique(picked)
    where = pd.Index(labels).get_indexer(picked)
    starts = np.searchsorted(sorted_codes, where)
    ends = np.searchsorted(sorted_codes, where, side="right")
    idx = np.concatenate([order[a:b] for a, b in zip(starts, ends, strict=True)])
    copy = np.repeat(np.arange(picked.size), ends - starts)
    out = data.iloc[idx].reset_index(drop=True)
    out[cluster] = copy
    if unit is not None:
        ucodes = pd.factorize(out[unit])[0]
        out[unit] = ucodes.astype(np.int64) * picked.size + copy
    return out


def _fitted_data(
    specs: Sequence[Any], data: pd.DataFrame | Sequence[pd.DataFrame] | None
) -> list[pd.DataFrame]:
    """The data of each result: ``data`` (one frame or one per result) or what the spec
    still reaches (a dict spec's ``"data"``, a ModelSpec's fitted data while held)."""
    if data is None or isinstance(data, pd.DataFrame):
        given = [data] * len(specs)
    else:
        given = list(data)
        if len(given) != len(specs):
            raise ValueError(f"romano_wolf: {len(given)} data sets for {len(specs)} results")
    out = []
    for s, d in zip(specs, given, strict=True):
        if isinstance(s, ModelSpec):
            out.append(s.resolve_data(d, "romano_wolf"))
        elif d is not None:
            out.append(d)
        elif isinstance(s.get("data"), pd.DataFrame):
            out.append(s["data"])
        else:
            raise ValueError("romano_wolf: pass the fitted data with data=")
    return out


def romano_wolf(
    results: Sequence[EstimationResult],
    terms: str | Sequence[str] | None = None,
    *,
    data: pd.DataFrame | Sequence[pd.DataFrame] | None = None,
    replications: int = 999,
    seed: int = 0,
    draws: np.ndarray | None = None,
    cluster: str | None = None,
    labels: Sequence[str] | None = None,
    reps: int | None = None,
) -> EstimationResult:
    """Romano-Wolf (2005) step-down adjusted p-values for a family of estimates.

    Parameters
    ----------
    results : one result per hypothesis (e.g. one per outcome or outcome x subgroup), each
        carrying ``info["spec"]`` (``twfe``, ``did_2x2`` or ``triple_differences``) unless
        ``draws`` is given.
    terms : the coefficient tested in each result (one name for all, or one per result);
        default each spec's ``term``.
    data : the data each result was fitted on (one DataFrame for all, or one per result);
        results do not keep their data. Checked against each result's fingerprint.
    replications, seed : bootstrap replications and seed. All results are refitted on the
        *same* resampled clusters, which keeps the dependence between the outcomes.
        ``reps`` is the deprecated name of ``replications``.
    draws : a reps x len(results) matrix of bootstrap estimates to use instead of refitting.
    cluster : resampling cluster (default the results' cluster, e.g. the stratum).
    labels : names of the hypotheses in the table.

    Returns
    -------
    EstimationResult with the original estimates and columns ``p_unadjusted`` (the estimator's
    own p-value), ``p_bootstrap`` (single-hypothesis bootstrap p-value) and ``p_romano_wolf``.

    Examples
    --------
    Two outcomes of mpdta (log employment and employment) with the same TWFE design, refitted
    on the same 199 county resamples:

    >>> import numpy as np
    >>> import pandas as pd
    >>> from evaluation.estimators.did import twfe
    >>> d = pd.read_csv("tests/data/mpdta.csv")
    >>> d["post"] = ((d["first.treat"] > 0) & (d["year"] >= d["first.treat"])).astype(int)
    >>> d["emp"] = np.exp(d["lemp"])
    >>> fits = [twfe(d, y, "countyreal", "year", "post") for y in ("lemp", "emp")]
    >>> rw = romano_wolf(fits, "post", data=d, replications=199, seed=1)
    >>> print(rw.tidy()[["term", "estimate", "p_unadjusted", "p_romano_wolf"]]
    ...       .round(3).to_string(index=False))
         term  estimate  p_unadjusted  p_romano_wolf
    lemp:post    -0.037         0.006           0.01
     emp:post    -9.468         0.739           0.79
    """
    results = list(results)
    reps = renamed("romano_wolf", "replications", replications, "reps", reps, 999)
    if not results:
        raise ValueError("romano_wolf: no results given")
    term_list = _term_list(results, terms)
    rows = _tested_rows(results, term_list)
    est = np.array([row["estimate"] for row in rows], dtype=float)
    notes = []
    if draws is None:
        draws, cl = _bootstrap_draws(results, term_list, data, cluster, reps, seed, notes)
        notes.append(f"pairs cluster bootstrap by {cl}, {draws.shape[0]} replications, seed {seed}")
    else:
        draws = np.asarray(draws, dtype=float)
        notes.append(f"Romano-Wolf from {draws.shape[0]} supplied draws")
    p_rw = romano_wolf_from_draws(est, draws)
    se_boot = draws.std(axis=0, ddof=1)
    t_boot = np.abs(draws - est) / se_boot
    p_single = (np.sum(t_boot >= (np.abs(est) / se_boot), axis=0) + 1) / (draws.shape[0] + 1)
    names = (
        list(labels)
        if labels is not None
        else [
            f"{r.outcome}:{t}" if r.outcome else str(t)
            for r, t in zip(results, term_list, strict=True)
        ]
    )
    table = pd.DataFrame(
        {
            "term": names,
            "estimate": est,
            "std_error": [row["std_error"] for row in rows],
            "statistic": [row["statistic"] for row in rows],
            "p_value": [row["p_value"] for row in rows],
            "conf_low": [row["conf_low"] for row in rows],
            "conf_high": [row["conf_high"] for row in rows],
            "outcome": [r.outcome for r in results],
            "std_error_bootstrap": se_boot,
            "p_unadjusted": [row["p_value"] for row in rows],
            "p_bootstrap": p_single,
            "p_romano_wolf": p_rw,
        }
    )
    notes.append(
        "p_romano_wolf controls the family-wise error rate (Romano & Wolf 2005, rwolf convention)"
    )
    return EstimationResult(
        estimator="romano_wolf",
        table=table,
        nobs=int(sum(r.nobs for r in results)),
        notes=notes,
        info={"draws": draws, "seed": seed},
    )


def _term_list(results: list[EstimationResult], terms: str | Sequence[str] | None) -> list:
    """The tested term of each result (default each spec's ``term``)."""
    if terms is None:
        term_list = [r.info.get("spec", {}).get("term") for r in results]
        if any(t is None for t in term_list):
            raise ValueError("romano_wolf: give terms (a result has no spec term)")
    elif isinstance(terms, str):
        term_list = [terms] * len(results)
    else:
        term_list = list(terms)
    if len(term_list) != len(results):
        raise ValueError(f"romano_wolf: {len(term_list)} terms for {len(results)} results")
    return term_list


def _tested_rows(results: list[EstimationResult], term_list: list) -> list[pd.Series]:
    """The tidy row of the tested term in each result (an error names a missing term)."""
    rows = []
    for r, t in zip(results, term_list, strict=True):
        tab = r.tidy().set_index("term")
        if t not in tab.index:
            raise ValueError(
                f"romano_wolf: term {t!r} not in result of {r.outcome!r} ({list(tab.index)})"
            )
        rows.append(tab.loc[t])
    return rows


def _bootstrap_draws(
    results: list[EstimationResult],
    term_list: list,
    data: pd.DataFrame | Sequence[pd.DataFrame] | None,
    cluster: str | None,
    reps: int,
    seed: int,
    notes: list[str],
) -> tuple[np.ndarray, str]:
    """Pairs cluster bootstrap of every result on the same resampled clusters (reps x
    results; failed draws dropped, noted, unless more than half fail) and the cluster column."""
    specs = [r.info.get("spec") for r in results]
    if any(s is None for s in specs):
        raise ValueError("romano_wolf: a result has no info['spec'] to refit; pass draws")
    datas = _fitted_data(specs, data)
    clusters = {cluster or s.get("cluster") for s in specs}
    if len(clusters) != 1 or None in clusters:
        raise ValueError("romano_wolf: give one resampling cluster column (cluster=...)")
    cl = clusters.pop()
    if reps < 19:
        raise ValueError("romano_wolf: reps must be at least 19")
    rng = np.random.default_rng(seed)
    # one draw of clusters per replication, shared by every hypothesis (also subgroups
    # fitted on subsets of the data), which keeps their dependence
    names = np.array(sorted({v for d in datas for v in pd.unique(d[cl])}, key=str))
    out = np.empty((reps, len(results)))
    first_error: Exception | None = None
    for b in range(reps):
        picked = names[rng.integers(0, names.size, names.size)]
        cache: dict[int, pd.DataFrame] = {}
        for j, (s, t, d) in enumerate(zip(specs, term_list, datas, strict=True)):
            key = id(d)
            if key not in cache:
                cache[key] = _cluster_resample(d, cl, s.get("unit"), picked)
            try:
                fast = _fast_twfe(s, cache[key], t)
                out[b, j] = fast if fast is not None else _refit(s, cache[key]).coef[t]
            except ValueError as err:  # e.g. no treated unit left in a resample
                first_error = first_error or err
                out[b, j] = np.nan
    bad = ~np.isfinite(out).all(axis=1)
    if bad.mean() > 0.5:
        raise ValueError(
            f"romano_wolf: {int(bad.sum())} of {reps} bootstrap refits failed; first error: "
            f"{first_error}"
        )
    if bad.any():
        notes.append(
            f"{int(bad.sum())} of {reps} bootstrap samples could not be fitted and were dropped"
        )
        out = out[~bad]
    return out, cl


def klk_index(
    data: pd.DataFrame,
    outcomes: Sequence[str],
    reference: str | np.ndarray | pd.Series,
    *,
    signs: Sequence[int] | None = None,
    min_components: int = 1,
) -> pd.Series:
    """Kling-Liebman-Katz (2007) standardized index: mean of z-scores over available outcomes.

    Each outcome is standardized by the mean and standard deviation of the ``reference`` group
    (e.g. comparison firms, or all firms at baseline), signed so that higher is better, and
    averaged over the outcomes a row has (rows with fewer than ``min_components`` are missing).
    The index is then re-standardized by the reference group, so effects are in its SD units.
    """
    outcomes = list(outcomes)
    missing = [c for c in outcomes if c not in data.columns]
    if missing:
        raise ValueError(f"klk_index: columns {missing} not in data")
    ref = (
        data[reference].astype(bool).to_numpy()
        if isinstance(reference, str)
        else np.asarray(reference, bool)
    )
    if ref.shape[0] != len(data) or not ref.any():
        raise ValueError("klk_index: reference must mark at least one row of data")
    sgn = np.ones(len(outcomes)) if signs is None else np.asarray(signs, float)
    if sgn.size != len(outcomes) or not np.all(np.isin(sgn, (-1, 1))):
        raise ValueError("klk_index: signs must be +1/-1, one per outcome")
    z = np.empty((len(data), len(outcomes)))
    for j, col in enumerate(outcomes):
        x = pd.to_numeric(data[col], errors="coerce").to_numpy(float)
        mu, sd = np.nanmean(x[ref]), np.nanstd(x[ref], ddof=1)
        if not np.isfinite(sd) or sd == 0:
            raise ValueError(f"klk_index: outcome {col!r} has no variation in the reference group")
        z[:, j] = sgn[j] * (x - mu) / sd
    count = np.isfinite(z).sum(axis=1)
    with np.errstate(invalid="ignore"):
        idx = np.where(count >= min_components, np.nansum(z, axis=1) / np.maximum(count, 1), np.nan)
    mu, sd = np.nanmean(idx[ref]), np.nanstd(idx[ref], ddof=1)
    return pd.Series((idx - mu) / sd, index=data.index, name="klk_index")
