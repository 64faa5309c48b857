"""Difference-in-differences by regression: the 2x2 design, two-way fixed effects, and DDD.

Each function checks its input (columns present, no missing values, binary treatments,
variation), fits weighted least squares with the fixed effects absorbed
(:func:`evaluation.estimators.fe_regression.fe_ols`) and returns an :class:`EstimationResult`
whose ``spec`` (a frozen :class:`~evaluation.estimators.results.ModelSpec`, also
``info["spec"]``) records the specification without the data, so that the wild cluster bootstrap
and :meth:`~evaluation.estimators.results.EstimationResult.with_vcov` can rebuild the design
from the data passed back to them.

Conventions (fixest/pyfixest): analytic weights; singletons dropped; CRV1 with
``G/(G-1) * (N-1)/(N-K)`` and fixed effects nested in the cluster not counted in ``K``; t
inference with ``G - 1`` degrees of freedom when clustered and ``N - K`` otherwise.
Rows with a missing outcome are dropped with a note (fixest drops them too); a missing value in
any other column used is an error, because a missing unit, period, treatment, weight or cluster
is a data problem rather than non-response.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from evaluation.estimators.constants import FAST_TABLE_LIMIT
from evaluation.estimators.fe_regression import (
    FEOLSFit,
    fe_ols,
    unit_cell_ols,
)
from evaluation.estimators.fixed_effects import (
    drop_singletons,
    factorize,
    grid_layout,
    nested_in,
    refactorize,
)
from evaluation.estimators.idcodes import column_scope
from evaluation.estimators.inputs import (
    as_list,
    binary_column,
    check_weights,
    numeric_column,
    prepare_sample,
)
from evaluation.estimators.results import (
    EstimationResult,
    ModelSpec,
    make_spec,
    tidy_frame,
    warn_few_clusters,
)
from evaluation.estimators.vcov import check_vcov_type

__all__ = ["did_2x2", "twfe", "triple_differences"]


def resolve_inference(
    vcov: str, cluster: str | None, default_cluster: str | None, where: str
) -> tuple[str, str | None, list[str]]:
    """Apply the cluster/vcov defaults: a cluster column means CRV1 by it.

    With ``vcov="CRV1"`` and no cluster, ``default_cluster`` is used (the unit, as fixest
    clusters by the first fixed effect); without one, heteroskedasticity-robust (HC1) SEs.
    """
    kind = check_vcov_type(vcov)
    notes: list[str] = []
    if cluster is not None and kind != "CRV1":
        raise ValueError(f"{where}: cluster={cluster!r} given but vcov={vcov!r}; use vcov='CRV1'")
    if kind == "CRV1" and cluster is None:
        if default_cluster is None:
            notes.append("no cluster variable: heteroskedasticity-robust (HC1) standard errors")
            return "hetero", None, notes
        notes.append(f"standard errors clustered by {default_cluster!r} (the unit; fixest default)")
        cluster = default_cluster
    return kind, cluster, notes


def cluster_codes(data: pd.DataFrame, cluster: str | None, where: str) -> np.ndarray | None:
    """Integer codes of the cluster column; a ValueError if it has a single value."""
    if cluster is None:
        return None
    codes, g = factorize(data[cluster], cluster)
    if g < 2:
        raise ValueError(
            f"{where}: cluster column {cluster!r} has a single value ({data[cluster].iloc[0]!r}); "
            "cluster-robust inference needs at least two clusters"
        )
    return codes


def vcov_label(kind: str, cluster: str | None) -> str:
    return {
        "iid": "iid (homoskedastic)",
        "hetero": "heteroskedasticity-robust (HC1)",
        "CRV1": f"CRV1 clustered by {cluster}",
    }[kind]


def result_from_fit(
    fit: FEOLSFit,
    *,
    estimator: str,
    outcome: str,
    kind: str,
    cluster: str | None,
    notes: list[str],
    spec: ModelSpec,
    terms: Sequence[str] | None = None,
) -> EstimationResult:
    """Wrap an array-level fit into the shared results schema (the fit itself is not kept:
    it holds row-level arrays; ``info["path"]`` says which algorithm produced it)."""
    names = fit.names if terms is None else [t for t in terms if t in fit.names]
    idx = [fit.names.index(t) for t in names]
    V = fit.vcov.vcov[np.ix_(idx, idx)]
    table = tidy_frame(names, fit.beta[idx], np.sqrt(np.diag(V)), df=fit.vcov.df_t)
    all_notes = [*notes, *fit.notes]
    if kind == "CRV1":
        warn_few_clusters(fit.n_clusters, "CRV1", all_notes)
    res = EstimationResult(
        estimator=estimator,
        table=table,
        nobs=fit.nobs,
        vcov=pd.DataFrame(V, index=names, columns=names),
        vcov_type=vcov_label(kind, cluster),
        n_clusters=fit.n_clusters,
        outcome=outcome,
        notes=all_notes,
        info={
            "spec": spec,
            "path": "projections" if fit.X is not None else "cells",
            "df_t": fit.vcov.df_t,
            "ssc": fit.vcov.ssc,
        },
        spec=spec,
    )
    return res


def fast_unit_time_fit(
    y: np.ndarray,
    unit: np.ndarray | pd.Series,
    time: np.ndarray,
    dummies: list[np.ndarray],
    names: list[str],
    covariates: np.ndarray | None,
    cov_names: list[str],
    weights: np.ndarray | None,
    cluster: np.ndarray | None,
    kind: str,
    required: Sequence[str],
) -> FEOLSFit | None:
    """Unit + period fixed effects with binary regressors, on the cell fast path.

    Returns None when the fast path does not apply (heteroskedastic vcov, unit not nested in
    the cluster, or too many period x treatment-pattern codes); the caller then uses the
    general alternating-projections path. Same numbers either way (tested).
    """
    if kind == "hetero" or len(dummies) > 6:
        return None
    ucodes, nu = factorize(unit, "unit")
    tcodes, nt = factorize(time, "time")
    # a balanced panel sorted by unit, time: no singletons, unit sums by reshaping
    sorted_grid = grid_layout(ucodes, tcodes, nu, nt) == (0, 1) and min(nu, nt) >= 2
    keep = np.ones(y.size, dtype=bool) if sorted_grid else drop_singletons([ucodes, tcodes])
    notes = []
    if not keep.all():
        notes.append(
            f"{int((~keep).sum())} singleton observation(s) dropped (alone in a fixed-effect "
            "group; fixest/pyfixest default)"
        )
        ucodes, nu = refactorize(ucodes[keep])
        tcodes, nt = refactorize(tcodes[keep])
        y = y[keep]
        dummies = [d[keep] for d in dummies]
        covariates = None if covariates is None else covariates[keep]
        weights = None if weights is None else weights[keep]
        cluster = None if cluster is None else cluster[keep]
    if y.size == 0:
        raise ValueError("no observations left after dropping singletons")
    k = len(dummies)
    n_r = nt * 2**k
    if nu * n_r > FAST_TABLE_LIMIT:
        return None
    ccodes, G, fe_nested = None, None, None
    if cluster is not None:
        ccodes, G = (cluster, int(cluster.max()) + 1) if keep.all() else refactorize(cluster)
        if not nested_in(ucodes, ccodes, nu, block=nt if sorted_grid else None):
            return None
        fe_nested = [True, nested_in(tcodes, ccodes, nt)]
    r = tcodes * 2**k
    for j, d in enumerate(dummies):
        r = r + (d > 0.5).astype(np.intp) * 2**j
    codes = np.arange(n_r)
    L = np.zeros((n_r, nt + k))
    L[codes, codes // 2**k] = 1.0
    for j in range(k):
        L[:, nt + j] = (codes % 2**k // 2**j) % 2
    fit = unit_cell_ols(
        y,
        ucodes,
        nu,
        np.zeros(nu, dtype=np.intp),
        1,
        r,
        n_r,
        L,
        [*(f"fe::time::{t}" for t in range(nt)), *names],
        covariates=covariates,
        cov_names=cov_names,
        weights=weights,
        cluster=ccodes,
        n_clusters=G,
        vcov=kind,
        fe_sizes=[nu, nt],
        fe_nested=fe_nested,
        required=required,
        rows_per_unit=nt if sorted_grid else None,
    )
    fit.notes = notes + fit.notes
    full_keep = keep
    fit.keep = full_keep
    return fit


# --- estimators ---------------------------------------------------------------------------


def weight_values(sample: pd.DataFrame, weights: str | None, where: str) -> np.ndarray | None:
    """The analytic weights column as floats, checked positive and finite (None without one)."""
    if not weights:
        return None
    w = numeric_column(sample, weights, where)
    check_weights(w, weights, sample.index, where)
    return w


def used_columns(*columns: str | Sequence[str] | None) -> list[str]:
    """The columns a fit reads besides the outcome, in order, skipping options not given."""
    return [c for col in columns for c in as_list(col)]


def sample_drops(data: pd.DataFrame, sample: pd.DataFrame, nobs: int) -> list[tuple[str, int]]:
    """The ``dropped`` record of a spec: rows without the outcome, then singletons."""
    return [("missing outcome", len(data) - len(sample)), ("singleton", len(sample) - nobs)]


def did_2x2(
    data: pd.DataFrame,
    outcome: str,
    treated: str,
    post: str,
    *,
    covariates: str | Sequence[str] | None = None,
    weights: str | None = None,
    cluster: str | None = None,
    vcov: str = "CRV1",
) -> EstimationResult:
    """Canonical two-group, two-period difference-in-differences by regression.

    Fits ``y = a + b treated + c post + d treated*post + X'g + e`` by (weighted) least squares;
    ``d`` (term ``"treated:post"``, reported first) is the DiD estimate. Works on a panel or on
    pooled cross-sections (no unit fixed effects).

    Parameters
    ----------
    data : DataFrame; outcome : dependent variable.
    treated, post : binary 0/1 (or boolean) columns.
    covariates : column(s) added linearly.
    weights : analytic weights column (fixest ``weights=``).
    cluster : column to cluster by (then CRV1). Without it and ``vcov="CRV1"`` the result
        falls back to HC1 (noted), since a 2x2 without a panel id has no natural cluster.
    vcov : ``"iid"``, ``"hetero"`` (HC1) or ``"CRV1"``.

    Notes
    -----
    Small-sample factors: HC1 ``N/(N-K)``; CRV1 ``G/(G-1) (N-1)/(N-K)`` (statsmodels'
    ``cov_type="cluster"`` default, and fixest's). t inference with ``G-1`` or ``N-K`` df.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.read_csv("tests/data/mpdta.csv").query("year in (2003, 2007)")
    >>> d = d.assign(treated=(d["first.treat"] == 2007).astype(int), post=(d["year"] == 2007) * 1)
    >>> d = d[d["first.treat"].isin([0, 2007])]
    >>> res = did_2x2(d, "lemp", "treated", "post", cluster="countyreal")
    >>> print(f"{res.coef['treated:post']:.4f}")
    -0.0294
    """
    where = "did_2x2"
    covs = as_list(covariates)
    kind, cluster, inf_notes = resolve_inference(vcov, cluster, None, where)
    used = used_columns(treated, post, covs, weights, cluster)
    sample, notes = prepare_sample(data, outcome, used, where)
    d, p = _two_by_two_indicators(sample, treated, post, where)
    term = f"{treated}:{post}"
    X = [d * p, d, p] + [numeric_column(sample, c, where) for c in covs]
    fit = fe_ols(
        numeric_column(sample, outcome, where),
        np.column_stack(X),
        [term, treated, post, *covs],
        [],
        [],
        weights=weight_values(sample, weights, where),
        cluster=cluster_codes(sample, cluster, where),
        vcov=kind,
        required=[term],
    )
    roles = {"treated": treated, "post": post, "unit": None, "time": None, "fixed_effects": []}
    roles |= {"covariates": covs, "weights": weights, "cluster": cluster}
    options = {"vcov": kind, "term": term, "treatment": [term], "interaction_name": term}
    options["drop_singletons"] = True
    spec = make_spec(
        "did_2x2",
        data,
        outcome,
        roles,
        options,
        nobs=fit.nobs,
        dropped=[("missing outcome", len(data) - len(sample))],
    )
    return result_from_fit(
        fit,
        estimator="did_2x2",
        outcome=outcome,
        kind=kind,
        cluster=cluster,
        notes=[*notes, *inf_notes],
        spec=spec,
        terms=[term, treated, post, *covs, "(Intercept)"],
    )


def _two_by_two_indicators(
    sample: pd.DataFrame, treated: str, post: str, where: str
) -> tuple[np.ndarray, np.ndarray]:
    """The group and period indicators of a 2x2 design, checked: both binary and varying, and
    all four (treated, post) cells observed - otherwise the interaction is not identified."""
    d = binary_column(sample, treated, where)
    p = binary_column(sample, post, where)
    for col, x in ((treated, d), (post, p)):
        if np.unique(x).size < 2:
            raise ValueError(f"{where}: column {col!r} has no variation (all {x[0]:g})")
    cells = [(a, b) for a in (0.0, 1.0) for b in (0.0, 1.0) if not ((d == a) & (p == b)).any()]
    if cells:
        raise ValueError(
            f"{where}: no observations in the (treated, post) cell(s) {cells}; the 2x2 design "
            "needs all four"
        )
    return d, p


@column_scope()
def twfe(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treatment: str | Sequence[str],
    *,
    covariates: str | Sequence[str] | None = None,
    weights: str | None = None,
    cluster: str | None = None,
    vcov: str = "CRV1",
    fixed_effects: str | Sequence[str] | None = None,
    binary: bool = True,
    fast: bool = True,
) -> EstimationResult:
    """Two-way fixed-effects regression ``y_it = a_i + l_t + D_it'b + X_it'g + e_it``.

    Parameters
    ----------
    data : panel DataFrame (unbalanced allowed; unit ids of any type).
    outcome, unit, time : column names.
    treatment : treatment column or list of columns (each 0/1 unless ``binary=False``).
    covariates : time-varying control column(s).
    weights : analytic weights column (fixest ``weights=``).
    cluster : cluster column (CRV1 by it). Default with ``vcov="CRV1"``: the unit.
    vcov : ``"iid"``, ``"hetero"`` (HC1) or ``"CRV1"``.
    fixed_effects : extra fixed-effect columns (e.g. a sector-by-year id).
    binary : require 0/1 treatments (set False for a continuous dose).
    fast : use the cell fast path when it applies (binary treatments, no extra fixed effects,
        iid or CRV1 with the unit nested in the cluster); False forces alternating projections.

    Notes
    -----
    Matches ``pyfixest.feols("y ~ D + X | unit + time", vcov=..., weights=...)`` and fixest:
    singletons dropped, CRV1 ``G/(G-1) (N-1)/(N-K)`` with fixed effects nested in the cluster
    not counted, t with ``G-1`` df. With staggered adoption and heterogeneous effects the TWFE
    coefficient is a weighted average with possibly negative weights (Goodman-Bacon 2021; de
    Chaisemartin & D'Haultfoeuille 2020): use ``event_study(method="sunab"|"imputation")`` or
    Callaway-Sant'Anna for the ATT.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.read_csv("tests/data/mpdta.csv")
    >>> d["post"] = ((d["first.treat"] > 0) & (d["year"] >= d["first.treat"])).astype(int)
    >>> res = twfe(d, "lemp", "countyreal", "year", "post")
    >>> print(f"{res.coef['post']:.4f} ({res.se['post']:.4f})")
    -0.0365 (0.0133)
    """
    where = "twfe"
    treats = as_list(treatment)
    if not treats:
        raise ValueError(f"{where}: give at least one treatment column")
    covs = as_list(covariates)
    extra_fe = as_list(fixed_effects)
    kind, cluster, inf_notes = resolve_inference(vcov, cluster, unit, where)
    used = used_columns(unit, time, treats, covs, extra_fe, weights, cluster)
    sample, notes = prepare_sample(data, outcome, used, where)
    D = _treatment_arrays(sample, treats, binary, where)
    Z = [numeric_column(sample, c, where) for c in covs]
    y = numeric_column(sample, outcome, where)
    w = weight_values(sample, weights, where)
    cl = cluster_codes(sample, cluster, where)
    fit = None
    if binary and not extra_fe and fast:
        unit_time = (sample[unit], sample[time].to_numpy())
        covs_matrix = np.column_stack(Z) if covs else None
        fit = fast_unit_time_fit(
            y, *unit_time, D, treats, covs_matrix, covs, w, cl, kind, treats
        )  # fmt: skip
    fe_names = [unit, time, *extra_fe]
    if fit is None:
        fit = fe_ols(
            y,
            np.column_stack([*D, *Z]),
            [*treats, *covs],
            [sample[c].to_numpy() for c in fe_names],
            fe_names,
            weights=w,
            cluster=cl,
            vcov=kind,
            required=treats,
        )
    roles = {"unit": unit, "time": time, "treatment": treats, "fixed_effects": fe_names}
    roles |= {"covariates": covs, "weights": weights, "cluster": cluster}
    options = {"vcov": kind, "term": treats[0], "drop_singletons": True, "binary": binary}
    spec = make_spec(
        "twfe", data, outcome, roles, options, nobs=fit.nobs,
        dropped=sample_drops(data, sample, fit.nobs),
    )  # fmt: skip
    return result_from_fit(
        fit,
        terms=[*treats, *covs],
        estimator="twfe",
        outcome=outcome,
        kind=kind,
        cluster=cluster,
        notes=[*notes, *inf_notes],
        spec=spec,
    )


def _treatment_arrays(
    sample: pd.DataFrame, treats: list[str], binary: bool, where: str
) -> list[np.ndarray]:
    """The treatment columns as floats (0/1 checked when ``binary``), each with variation."""
    arrays = []
    for t in treats:
        x = binary_column(sample, t, where) if binary else numeric_column(sample, t, where)
        if x.min() == x.max():
            raise ValueError(f"{where}: treatment {t!r} has no variation (all {x[0]:g})")
        arrays.append(x)
    return arrays


def triple_differences(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    subgroup: str,
    *,
    cluster: str | None = None,
    covariates: str | Sequence[str] | None = None,
    weights: str | None = None,
    vcov: str = "CRV1",
) -> EstimationResult:
    """Triple differences (DDD): does the treatment effect differ for a subgroup?

    Fits ``y_it = a_i + l_{t,s(i)} + b D_it + d D_it * S_i + X_it'g + e_it`` with unit fixed
    effects and period-by-subgroup fixed effects, where ``D_it`` is the participation x post
    indicator and ``S_i`` the (time-invariant) subgroup, e.g. women-led. With two periods this is
    the fully saturated participant x subgroup x post regression: ``b`` is the DiD for
    ``S = 0`` firms, ``d`` (term ``"<treatment>:<subgroup>"``) the triple difference - the
    gap in DiD effects between the subgroups, each measured against comparison firms of the same
    subgroup, so subgroup-specific time shocks do not bias it. The table also reports the
    implied effect for ``S = 1`` (``b + d``, SE from the covariance).

    Parameters
    ----------
    treatment : binary ``D_it`` column; subgroup : binary, constant within unit.
    cluster : cluster column (CRV1); default with ``vcov="CRV1"``: the unit.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.read_csv("tests/data/mpdta.csv")
    >>> d["post"] = ((d["first.treat"] > 0) & (d["year"] >= d["first.treat"])).astype(int)
    >>> pop = d.groupby("countyreal")["lpop"].transform("first")
    >>> d["large"] = (pop > d["lpop"].median()).astype(int)
    >>> res = triple_differences(d, "lemp", "countyreal", "year", "post", "large")
    >>> print(res.tidy()[["term", "estimate", "std_error"]].round(4).to_string(index=False))
              term  estimate  std_error
              post   -0.0434     0.0240
        post:large    0.0079     0.0282
    post (large=1)   -0.0355     0.0148
    """
    where = "triple_differences"
    covs = as_list(covariates)
    kind, cluster, inf_notes = resolve_inference(vcov, cluster, unit, where)
    used = used_columns(unit, time, treatment, subgroup, covs, weights, cluster)
    sample, notes = prepare_sample(data, outcome, used, where)
    d = binary_column(sample, treatment, where)
    s = binary_column(sample, subgroup, where)
    ucodes = _check_subgroup_design(sample, unit, treatment, subgroup, d, s, where)
    inter = f"{treatment}:{subgroup}"
    tcodes, _ = factorize(sample[time], time)
    time_by_sub = tcodes * 2 + s.astype(np.intp)
    fe_names = [unit, f"{time}^{subgroup}"]
    fit = fe_ols(
        numeric_column(sample, outcome, where),
        np.column_stack([d, d * s] + [numeric_column(sample, c, where) for c in covs]),
        [treatment, inter, *covs],
        [ucodes, time_by_sub],
        fe_names,
        weights=weight_values(sample, weights, where),
        cluster=cluster_codes(sample, cluster, where),
        vcov=kind,
        required=[treatment, inter],
    )
    roles = {"unit": unit, "time": time, "indicator": treatment, "subgroup": subgroup}
    roles |= {"covariates": covs, "weights": weights, "cluster": cluster}
    options = {"vcov": kind, "term": inter, "treatment": [treatment, inter]}
    options["fixed_effects"] = fe_names
    spec = make_spec(
        "triple_differences", data, outcome, roles, options, nobs=fit.nobs,
        dropped=sample_drops(data, sample, fit.nobs),
    )  # fmt: skip
    res = result_from_fit(
        fit,
        estimator="triple_differences",
        outcome=outcome,
        kind=kind,
        cluster=cluster,
        notes=[*notes, *inf_notes],
        spec=spec,
    )
    return _with_subgroup_sum(res, fit, treatment, subgroup, unit, time)


def _check_subgroup_design(
    sample: pd.DataFrame,
    unit: str,
    treatment: str,
    subgroup: str,
    d: np.ndarray,
    s: np.ndarray,
    where: str,
) -> np.ndarray:
    """Check the DDD design and return the unit codes: treatment and subgroup vary, the
    subgroup is constant within unit, and the treatment varies inside each subgroup."""
    if np.unique(d).size < 2:
        raise ValueError(f"{where}: treatment {treatment!r} has no variation")
    if np.unique(s).size < 2:
        raise ValueError(f"{where}: subgroup {subgroup!r} has no variation")
    ucodes, nu = factorize(sample[unit], unit)
    smin = np.full(nu, 2.0)
    smax = np.full(nu, -1.0)
    np.minimum.at(smin, ucodes, s)
    np.maximum.at(smax, ucodes, s)
    varying = smin != smax
    if varying.any():
        ids = pd.unique(sample[unit].to_numpy()[varying[ucodes]])[:5].tolist()
        raise ValueError(
            f"{where}: subgroup {subgroup!r} must be constant within {unit!r}; it varies for "
            f"{int(varying.sum())} unit(s), e.g. {ids}"
        )
    for sv in (0.0, 1.0):
        if np.unique(d[s == sv]).size < 2:
            raise ValueError(
                f"{where}: treatment {treatment!r} has no variation within {subgroup!r} == {sv:g}"
            )
    return ucodes


def _with_subgroup_sum(
    res: EstimationResult, fit: FEOLSFit, treatment: str, subgroup: str, unit: str, time: str
) -> EstimationResult:
    """Add the implied effect for the subgroup S = 1, ``b + d`` (SE from the covariance)."""
    inter = f"{treatment}:{subgroup}"
    i, j = fit.names.index(treatment), fit.names.index(inter)
    V = fit.vcov.vcov
    est = fit.beta[i] + fit.beta[j]
    se = float(np.sqrt(V[i, i] + V[j, j] + 2 * V[i, j]))
    extra = tidy_frame([f"{treatment} ({subgroup}=1)"], [est], [se], df=fit.vcov.df_t)
    return replace(
        res,
        table=pd.concat([res.table, extra], ignore_index=True),
        notes=[
            *res.notes,
            f"'{treatment}' is the effect for {subgroup}=0, '{inter}' the difference for "
            f"{subgroup}=1 (the triple difference), '{treatment} ({subgroup}=1)' their sum; "
            f"fixed effects: {unit} and {time} x {subgroup}",
        ],
    )
