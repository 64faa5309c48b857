"""Difference-in-differences with spillovers through exposure to treated units.

Model (two-way fixed effects with an exposure term split by own treatment status; Clarke 2017,
"Estimating difference-in-differences in the presence of spillovers", MPRA 81604; Butts 2021,
"Difference-in-differences estimation with spatial spillovers", arXiv:2105.03737)::

    y_it = a_i + l_t + tau D_it + delta_c (1 - D_it) E_it + delta_t D_it E_it
               [+ rho (1 - D_it) P_it] + X_it'g + e_it

with ``D_it`` the unit's own (absorbing, possibly staggered) treatment and ``E_it`` its exposure
to treated units (for a network: the share of its partners that have been treated by ``t``).
The terms of the result are

* ``direct_effect`` (``tau``): the effect of own treatment on a treated unit *with no exposure*,
  i.e. the direct effect net of spillover (Butts's "direct effect"); without the
  ``D E`` term (``exposure_on_treated=False``) it averages over the treated units' exposure;
* ``exposure_effect`` (``delta_c``): the spillover on untreated units - the change in the
  outcome of a non-participant when its exposure goes from 0 to 1 (all partners treated);
* ``exposure_effect_treated`` (``delta_t``): the additional effect of exposure on treated units;
* ``placebo_exposure`` (``rho``, with ``placebo=``): the same slope for an exposure computed
  on links that should carry no spillover (e.g. links formed *after* treatment, whose partners
  could not have been exposed through them at the time); about zero when the exposure design
  is valid and the later links do not select on outcome trends.

Identification (Butts 2021): parallel trends of the untreated, unexposed
potential outcome across all units; exposure fixed by a pre-treatment network (exogenous); the
exposure mapping is correct (spillovers reach only the partners counted). Without the spillover
terms the TWFE coefficient of ``D`` is biased by the spillover on the control units (Clarke
2017). With staggered adoption and heterogeneous effects the TWFE coefficients are weighted
averages of cohort-period effects (Goodman-Bacon 2021); the model is a regression summary,
not the staggered-robust ATT.

``method="two_stage"`` estimates the same terms by Gardner's two-stage DiD (Gardner 2021,
"Two-stage differences in differences", arXiv:2207.05943), a staggered-robust route Butts
(2021) discusses: the firm and year effects are fitted on the untreated, unexposed firm-years
only (every spillover regressor zero), the outcome net of them is regressed on the terms, and
the variance is the GMM (cluster) variance of both stages (Gardner 2021; pyfixest ``did2s``). It is robust to effects that vary by cohort
and period; its terms are averages over the treated (exposed) firm-years.

Inference follows fixest/pyfixest (:func:`evaluation.estimators.fe_regression.fe_ols`):
singletons dropped, CRV1 ``G/(G-1) (N-1)/(N-K)`` with fixed effects nested in the cluster not
counted, Student-t with ``G - 1`` df. With few clusters use :func:`spillover_bootstrap` (the
restricted wild cluster bootstrap of :mod:`evaluation.estimators.wild_bootstrap`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from evaluation.estimators.fe_regression import fe_ols
from evaluation.estimators.fixed_effects import factorize
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
    make_spec,
    tidy_frame,
    warn_few_clusters,
)
from evaluation.estimators.vcov import check_vcov_type

__all__ = ["SPILLOVER_TERMS", "spillover_did", "spillover_design", "spillover_bootstrap"]

DIRECT, EXPOSURE, EXPOSURE_TREATED, PLACEBO = (
    "direct_effect",
    "exposure_effect",
    "exposure_effect_treated",
    "placebo_exposure",
)
SPILLOVER_TERMS = (DIRECT, EXPOSURE, EXPOSURE_TREATED, PLACEBO)
_WHERE = "spillover_did"


def _finite(x: np.ndarray, column: str, data: pd.DataFrame, where: str) -> np.ndarray:
    bad = ~np.isfinite(x)
    if bad.any():
        rows = data.index[np.flatnonzero(bad)[:5]].tolist()
        raise ValueError(
            f"{where}: column {column!r} has {int(bad.sum())} non-finite value(s), e.g. rows {rows}"
        )
    return x


def spillover_design(
    data: pd.DataFrame,
    treatment: str,
    exposure: str,
    *,
    placebo: str | None = None,
    exposure_on_treated: bool = True,
    where: str = _WHERE,
) -> pd.DataFrame:
    """The regressors of the model, one column per term, on the rows of ``data``.

    ``direct_effect = D``, ``exposure_effect = (1 - D) E``, ``exposure_effect_treated = D E``
    (with ``exposure_on_treated``) and ``placebo_exposure = (1 - D) P`` (with ``placebo``).
    """
    D = binary_column(data, treatment, where)
    E = _finite(numeric_column(data, exposure, where), exposure, data, where)
    cols: dict[str, np.ndarray] = {DIRECT: D, EXPOSURE: (1.0 - D) * E}
    if exposure_on_treated:
        cols[EXPOSURE_TREATED] = D * E
    if placebo is not None:
        P = _finite(numeric_column(data, placebo, where), placebo, data, where)
        cols[PLACEBO] = (1.0 - D) * P
    return pd.DataFrame(cols, index=data.index)


@column_scope()
def spillover_did(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    exposure: str,
    *,
    placebo: str | None = None,
    exposure_on_treated: bool = True,
    covariates: str | Sequence[str] | None = None,
    fixed_effects: str | None = None,
    weights: str | None = None,
    cluster: str | None = None,
    vcov: str = "CRV1",
    alpha: float = 0.05,
    method: str = "twfe",
) -> EstimationResult:
    """Direct effect and spillover on the untreated by two-way fixed effects (module docstring).

    Parameters
    ----------
    data : firm-year panel (unbalanced allowed).
    outcome, unit, time : column names.
    treatment : own treatment ``D_it`` (0/1, switched on from the unit's first treated period).
    exposure : exposure ``E_it`` (numeric; a share in [0, 1] for the network exposure, so that
        ``exposure_effect`` is the effect of full against no exposure).
    placebo : a placebo exposure column (adds ``placebo_exposure`` for untreated units).
    exposure_on_treated : add ``exposure_effect_treated`` (``D E``), so that ``direct_effect``
        is the effect on treated units with no exposure (Butts 2021); False: one exposure term
        for the untreated only (Clarke 2017) and ``direct_effect`` averages over exposure.
    covariates : time-varying controls (e.g. baseline size x time trends for conditional
        parallel trends); their coefficients are reported as terms of the TWFE fit and are
        first-stage controls of the two-stage fit.
    fixed_effects : one more fixed effect nested in the period (e.g. a sector-by-year id):
        absorbed beside unit and period in the TWFE fit, in place of the period effect in
        the two-stage fit's first stage (the same span, since it is nested in the period).
    weights : analytic weights column (TWFE only).
    cluster : CRV1 cluster column (default with ``vcov="CRV1"``: the unit).
    vcov : ``"iid"``, ``"hetero"`` or ``"CRV1"``. alpha : level of the intervals.
    method : ``"twfe"`` (one regression) or ``"two_stage"`` (Gardner 2021: unit and period
        effects and covariates from the untreated, unexposed firm-years, then the terms;
        GMM cluster variance by ``cluster``; no weights).

    Returns
    -------
    EstimationResult ``spillovers`` with the terms of the module docstring (a term with no
    variation left after the fixed effects is an error for ``direct_effect`` and
    ``exposure_effect``, dropped with a note otherwise); ``spec`` kind ``"spillovers"``.
    Matches ``pyfixest.feols("y ~ direct_effect + exposure_effect + ... | unit + time")`` on
    the columns of :func:`spillover_design`.

    Examples
    --------
    300 firms on a ring (partners: the two neighbours on each side), 2014-2019, a third
    supported from 2016 or 2017, 20 strata; truth: direct effect 0.2, spillover on a
    non-participant 0.1 per unit of exposure (share of partners supported), none on
    participants:

    >>> import numpy as np
    >>> import pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> n = 300
    >>> cohort = np.where(rng.random(n) < 1 / 3, rng.choice([2016, 2017], n), 0)
    >>> s = pd.DataFrame({"firm": np.repeat(np.arange(n), 6),
    ...                   "year": np.tile(np.arange(2014, 2020), n)})
    >>> g = cohort[s["firm"]]
    >>> s["D"] = ((g > 0) & (s["year"] >= g)).astype(int)
    >>> pg = cohort[(s["firm"].to_numpy()[:, None] + [-2, -1, 1, 2]) % n]  # partners' cohorts
    >>> s["exposure"] = ((pg > 0) & (pg <= s["year"].to_numpy()[:, None])).mean(axis=1)
    >>> s["stratum"] = s["firm"] % 20
    >>> s["y"] = (rng.normal(size=n)[s["firm"]] + 0.05 * (s["year"] - 2014) + 0.2 * s["D"]
    ...           + 0.1 * (1 - s["D"]) * s["exposure"] + rng.normal(scale=0.3, size=len(s)))
    >>> sp = spillover_did(s, "y", "firm", "year", "D", "exposure", cluster="stratum")
    >>> print(sp.tidy()[["term", "estimate", "std_error"]].round(3).to_string(index=False))
                       term  estimate  std_error
              direct_effect     0.180      0.041
            exposure_effect     0.095      0.074
    exposure_effect_treated     0.030      0.147

    (It warns ``FewClustersWarning``: 20 clusters; see :func:`spillover_bootstrap`.)
    """
    where = _WHERE
    kind, cluster, notes = _check_options(alpha, method, vcov, weights, cluster, unit)
    covs = as_list(covariates)
    used = [unit, time, treatment, exposure, *as_list(placebo), *covs]
    used += [c for c in (weights, cluster, fixed_effects) if c]
    sample, sample_notes = prepare_sample(data, outcome, list(dict.fromkeys(used)), where)
    notes += sample_notes
    design = spillover_design(
        sample,
        treatment,
        exposure,
        placebo=placebo,
        exposure_on_treated=exposure_on_treated,
        where=where,
    )
    y, Z, w, cl = _arrays(sample, outcome, covs, weights, cluster)
    _check_exposure_varies(design, exposure)
    roles: dict[str, Any] = {"unit": unit, "time": time, "treatment": treatment}
    roles |= {"exposure": exposure, "placebo": placebo}
    if method == "two_stage":
        return _two_stage(
            data, sample, design, y, Z, covs, outcome, unit, time, fixed_effects, cluster, cl,
            notes, alpha, {**roles, "cluster": cluster}, exposure_on_treated,
        )  # fmt: skip
    fe_names = [unit, time, *as_list(fixed_effects)]
    fit = fe_ols(
        y,
        np.column_stack([design.to_numpy(), *Z]),
        [*list(design.columns), *covs],
        [sample[c].to_numpy() for c in fe_names],
        fe_names,
        weights=w,
        cluster=cl,
        vcov=kind,
        required=[DIRECT, EXPOSURE],
    )
    roles |= {"covariates": covs, "weights": weights, "cluster": cluster, "fixed_effects": fe_names}
    return _twfe_result(
        data, sample, design, fit, covs, outcome, roles, kind, cluster, notes, alpha,
        exposure_on_treated,
    )  # fmt: skip


def _check_options(
    alpha: float,
    method: str,
    vcov: str,
    weights: str | None,
    cluster: str | None,
    unit: str,
) -> tuple[str, str | None, list[str]]:
    """Validate the options of :func:`spillover_did`; the vcov kind, the cluster column
    (the unit by default with CRV1, noted) and the notes so far."""
    where = _WHERE
    if not 0 < alpha < 1:
        raise ValueError(f"{where}: alpha must be in (0, 1), got {alpha!r}")
    if method not in ("twfe", "two_stage"):
        raise ValueError(f"{where}: method must be 'twfe' or 'two_stage', got {method!r}")
    kind = check_vcov_type(vcov)
    if method == "two_stage" and (weights or kind != "CRV1"):
        raise ValueError(
            f"{where}: method='two_stage' supports no weights and uses its GMM cluster variance "
            "(vcov='CRV1')"
        )
    notes: list[str] = []
    if cluster is not None and kind != "CRV1":
        raise ValueError(f"{where}: cluster={cluster!r} given but vcov={vcov!r}; use vcov='CRV1'")
    if kind == "CRV1" and cluster is None:
        cluster = unit
        notes.append(f"standard errors clustered by {unit!r} (the unit; fixest default)")
    return kind, cluster, notes


def _arrays(
    sample: pd.DataFrame,
    outcome: str,
    covs: list[str],
    weights: str | None,
    cluster: str | None,
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray | None, np.ndarray | None]:
    """Outcome, covariate columns, checked weights and cluster codes (at least two)."""
    where = _WHERE
    Z = [numeric_column(sample, c, where) for c in covs]
    y = numeric_column(sample, outcome, where)
    w = None
    if weights:
        w = numeric_column(sample, weights, where)
        check_weights(w, weights, sample.index, where)
    cl = None
    if cluster is not None:
        cl, G = factorize(sample[cluster], cluster)
        if G < 2:
            raise ValueError(
                f"{where}: cluster column {cluster!r} has a single value; cluster-robust "
                "inference needs at least two clusters"
            )
    return y, Z, w, cl


def _check_exposure_varies(design: pd.DataFrame, exposure: str) -> None:
    """The spillover on the untreated needs an untreated row with a non-zero exposure."""
    untreated = design[DIRECT].to_numpy() == 0
    if not (design[EXPOSURE].to_numpy()[untreated] != 0).any():
        raise ValueError(
            f"{_WHERE}: no untreated row has a non-zero exposure in column {exposure!r}: the "
            "spillover on the untreated is not identified"
        )


def _twfe_result(
    data: pd.DataFrame,
    sample: pd.DataFrame,
    design: pd.DataFrame,
    fit: Any,
    covs: list[str],
    outcome: str,
    roles: dict[str, Any],
    kind: str,
    cluster: str | None,
    notes: list[str],
    alpha: float,
    exposure_on_treated: bool,
) -> EstimationResult:
    """The result of the TWFE fit: kept terms, their covariance, notes and spec."""
    terms = [t for t in [*list(design.columns), *covs] if t in fit.names]
    idx = [fit.names.index(t) for t in terms]
    V = fit.vcov.vcov[np.ix_(idx, idx)]
    table = tidy_frame(terms, fit.beta[idx], np.sqrt(np.diag(V)), df=fit.vcov.df_t, alpha=alpha)
    all_notes = [*notes, *fit.notes]
    if kind == "CRV1":
        warn_few_clusters(fit.n_clusters, "CRV1", all_notes)
    options = {"vcov": kind, "term": DIRECT, "exposure_on_treated": exposure_on_treated}
    options["method"] = "twfe"
    options |= {"alpha": alpha, "drop_singletons": True}
    spec = make_spec(
        "spillovers",
        data,
        outcome,
        roles,
        options,
        nobs=fit.nobs,
        dropped=[
            ("missing outcome", len(data) - len(sample)),
            ("singleton", len(sample) - fit.nobs),
        ],
    )
    label = {"iid": "iid (homoskedastic)", "hetero": "heteroskedasticity-robust (HC1)"}
    exposed_untreated = int((design[EXPOSURE].to_numpy()[fit.keep] != 0).sum())
    return EstimationResult(
        estimator="spillovers",
        table=table,
        nobs=fit.nobs,
        vcov=pd.DataFrame(V, index=terms, columns=terms),
        vcov_type=label.get(kind, f"CRV1 clustered by {cluster}"),
        n_clusters=fit.n_clusters,
        outcome=outcome,
        notes=all_notes,
        info={
            "spec": spec,
            "df_t": fit.vcov.df_t,
            "ssc": fit.vcov.ssc,
            "exposed_untreated_rows": exposed_untreated,
            "convention": "Butts (2021)" if exposure_on_treated else "Clarke (2017)",
        },
        spec=spec,
    )


def _two_stage(
    data: pd.DataFrame,
    sample: pd.DataFrame,
    design: pd.DataFrame,
    y: np.ndarray,
    Z: list[np.ndarray],
    covs: list[str],
    outcome: str,
    unit: str,
    time: str,
    period_fe: str | None,
    cluster: str,
    cl: np.ndarray,
    notes: list[str],
    alpha: float,
    roles: dict[str, Any],
    exposure_on_treated: bool,
) -> EstimationResult:
    """Gardner (2021) two-stage DiD with the spillover terms; GMM variance by cluster.

    Stage 1: ``y = a_i + l_p + X g`` on the rows where every term is zero (untreated,
    unexposed), ``p`` the period or ``period_fe`` (nested in the period), solved exactly
    (sparse normal equations, the first period's effect set to zero). Stage 2:
    ``y - a_i - l_p - X g`` on the terms, no intercept. Variance: ``B^-1 (sum_g W_g W_g') B^-1``
    with ``B = X2'X2`` and ``W_g = X2_g'e2_g - X2'X1 (X10'X10)^-1 X10_g'e1_g`` (Gardner 2021,
    appendix; pyfixest ``did2s``), no small-sample factor; t with ``G - 1`` df.
    """
    where = _WHERE
    X2 = design.to_numpy(dtype=float)
    names = list(design.columns)
    stage1 = ~(X2 != 0).any(axis=1)
    keep, ucodes, tcodes, notes = _imputable_rows(sample, unit, time, period_fe, stage1, notes)
    X2, y, stage1 = X2[keep], y[keep], stage1[keep]
    Zk = np.column_stack(Z)[keep] if Z else np.empty((int(keep.sum()), 0))
    u, n_u = factorize(ucodes[keep], unit)
    tt, n_t = factorize(tcodes[keep], time)
    cl_k, G = factorize(cl[keep], cluster)
    n = y.size
    X1, A, theta = _first_stage(u, n_u, tt, n_t, Zk, stage1, y)
    ytil = y - X1 @ theta
    B = X2.T @ X2
    kept = [j for j in range(X2.shape[1]) if B[j, j] > 0]
    if [names[j] for j in range(X2.shape[1]) if j not in kept and names[j] in (DIRECT, EXPOSURE)]:
        raise ValueError(
            f"{where}: {DIRECT!r} or {EXPOSURE!r} has no variation: its effect is not identified"
        )
    X2, names = X2[:, kept], [names[j] for j in kept]
    bread = np.linalg.inv(X2.T @ X2)
    beta = bread @ (X2.T @ ytil)
    e2 = ytil - X2 @ beta
    e1 = np.where(stage1, ytil, 0.0)
    W = _gmm_scores(X1, A, X2, Zk, u, n_u, tt, cl_k, G, e1, e2)
    V = bread @ (W.T @ W) @ bread
    table = tidy_frame(names, beta, np.sqrt(np.diag(V)), df=G - 1, alpha=alpha)
    all_notes = list(notes)
    warn_few_clusters(G, "CRV1", all_notes)
    fe_names = [unit, period_fe] if period_fe else [unit, time]
    roles = {**roles, "covariates": covs, "weights": None, "fixed_effects": fe_names}
    options = {"vcov": "CRV1", "term": DIRECT, "exposure_on_treated": exposure_on_treated,
               "alpha": alpha, "method": "two_stage"}  # fmt: skip
    spec = make_spec(
        "spillovers", data, outcome, roles, options, nobs=n,
        dropped=[("missing outcome", len(data) - len(sample)), ("no first stage", int((~keep).sum()))],
    )  # fmt: skip
    return EstimationResult(
        estimator="spillovers",
        table=table,
        nobs=n,
        vcov=pd.DataFrame(V, index=names, columns=names),
        vcov_type=f"two-stage GMM (Gardner 2021) clustered by {cluster}",
        n_clusters=G,
        outcome=outcome,
        notes=all_notes,
        info={
            "spec": spec,
            "df_t": G - 1,
            "stage1_rows": int(stage1.sum()),
            "convention": "Gardner (2021) two-stage; Butts (2021)",
        },  # fmt: skip
        spec=spec,
    )


def _imputable_rows(
    sample: pd.DataFrame,
    unit: str,
    time: str,
    period_fe: str | None,
    stage1: np.ndarray,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Rows whose unit and period have an untreated, unexposed row (their fixed effects can
    be imputed), the unit and period codes, and the notes with the dropped rows counted."""
    where = _WHERE
    ucodes, _ = factorize(sample[unit], unit)
    period = period_fe or time
    tcodes, _ = factorize(sample[period], period)
    if period_fe:
        per_level = sample.groupby(tcodes)[time].nunique()
        if (per_level > 1).any():
            raise ValueError(
                f"{where}: method='two_stage' takes a fixed effect nested in the period "
                f"{time!r}; {period_fe!r} spans several periods"
            )
    # rows of units or periods with no untreated, unexposed row cannot be imputed: dropped
    ok_unit = np.bincount(ucodes, weights=stage1, minlength=ucodes.max() + 1) > 0
    ok_time = np.bincount(tcodes, weights=stage1, minlength=tcodes.max() + 1) > 0
    keep = ok_unit[ucodes] & ok_time[tcodes]
    if not keep.all():
        notes = [
            *notes,
            f"{int((~keep).sum())} row(s) of firms or periods without an untreated, unexposed "
            "observation dropped (their fixed effects cannot be imputed)",
        ]
    if not stage1[keep].any():
        raise ValueError(f"{where}: no untreated, unexposed row: the first stage is not identified")
    return keep, ucodes, tcodes, notes


def _first_stage(
    u: np.ndarray,
    n_u: int,
    tt: np.ndarray,
    n_t: int,
    Zk: np.ndarray,
    stage1: np.ndarray,
    y: np.ndarray,
) -> tuple[Any, Any, np.ndarray]:
    """Unit, period (first one dropped) and covariate design ``X1``, the stage-1 normal
    matrix ``A`` and its exact sparse solution ``theta`` on the stage-1 rows."""
    from scipy import sparse
    from scipy.sparse.linalg import spsolve

    n = y.size
    q = Zk.shape[1]
    p_fe = n_u + n_t - 1
    rows = np.arange(n)
    has_t = tt > 0
    X1 = sparse.csr_matrix(
        (
            np.ones(n + int(has_t.sum())),
            (np.concatenate([rows, rows[has_t]]), np.concatenate([u, n_u + tt[has_t] - 1])),
        ),
        shape=(n, p_fe),
    )
    if q:
        X1 = sparse.hstack([X1, sparse.csr_matrix(Zk)], format="csr")
    X10 = sparse.diags(stage1.astype(float)) @ X1
    A = (X10.T @ X10).tocsc()
    theta = spsolve(A, X10.T @ y)
    if not np.all(np.isfinite(theta)):
        raise ValueError(
            f"{_WHERE}: the untreated, unexposed firm-years do not connect every firm and "
            "period: the first-stage fixed effects are not identified"
        )
    return X1, A, theta


def _gmm_scores(
    X1: Any,
    A: Any,
    X2: np.ndarray,
    Zk: np.ndarray,
    u: np.ndarray,
    n_u: int,
    tt: np.ndarray,
    cl_k: np.ndarray,
    G: int,
    e1: np.ndarray,
    e2: np.ndarray,
) -> np.ndarray:
    """Cluster scores ``W_g = X2_g'e2_g - X2'X1 (X10'X10)^-1 X10_g'e1_g`` (Gardner 2021)."""
    from scipy import sparse
    from scipy.sparse.linalg import spsolve

    q = Zk.shape[1]
    p_fe = X1.shape[1] - q
    has_t = tt > 0
    Zsol = spsolve(A, np.asarray(X1.T @ X2))
    Zsol = np.asarray(Zsol).reshape(p_fe + q, -1)
    S1 = sparse.csr_matrix(
        (
            np.concatenate([e1, e1[has_t]]),
            (np.concatenate([cl_k, cl_k[has_t]]), np.concatenate([u, n_u + tt[has_t] - 1])),
        ),
        shape=(G, p_fe),
    )
    if q:
        S1 = sparse.hstack(
            [S1, sparse.csr_matrix(np.column_stack(
                [np.bincount(cl_k, weights=Zk[:, j] * e1, minlength=G) for j in range(q)]))],
            format="csr",
        )  # fmt: skip
    S2 = np.column_stack([np.bincount(cl_k, weights=X2[:, j] * e2, minlength=G)
                          for j in range(X2.shape[1])])  # fmt: skip
    return S2 - np.asarray(S1 @ Zsol)


def spillover_bootstrap(
    result: EstimationResult,
    term: str,
    *,
    data: pd.DataFrame,
    cluster: str | None = None,
    replications: int = 9999,
    weight_type: str = "rademacher",
    seed: int | np.random.Generator | None = None,
    alpha: float = 0.05,
) -> EstimationResult:
    """Restricted wild cluster bootstrap-t (WCR) for one term of a :func:`spillover_did` fit.

    Rebuilds the design of ``result`` from ``data`` (checked against the fit's fingerprint)
    and calls :func:`evaluation.estimators.wild_bootstrap.wild_cluster_bootstrap` on the same
    regression (two-way fixed effects, the spillover terms and covariates, its weights);
    ``cluster`` defaults to the fit's cluster. See that function for the conventions
    (Cameron, Gelbach & Miller 2008; Roodman et al. 2019).

    Examples
    --------
    The simulated network of :func:`spillover_did` (20 strata as clusters; true spillover
    0.1):

    >>> import numpy as np
    >>> import pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> n = 300
    >>> cohort = np.where(rng.random(n) < 1 / 3, rng.choice([2016, 2017], n), 0)
    >>> s = pd.DataFrame({"firm": np.repeat(np.arange(n), 6),
    ...                   "year": np.tile(np.arange(2014, 2020), n)})
    >>> g = cohort[s["firm"]]
    >>> s["D"] = ((g > 0) & (s["year"] >= g)).astype(int)
    >>> pg = cohort[(s["firm"].to_numpy()[:, None] + [-2, -1, 1, 2]) % n]  # partners' cohorts
    >>> s["exposure"] = ((pg > 0) & (pg <= s["year"].to_numpy()[:, None])).mean(axis=1)
    >>> s["stratum"] = s["firm"] % 20
    >>> s["y"] = (rng.normal(size=n)[s["firm"]] + 0.05 * (s["year"] - 2014) + 0.2 * s["D"]
    ...           + 0.1 * (1 - s["D"]) * s["exposure"] + rng.normal(scale=0.3, size=len(s)))
    >>> sp = spillover_did(s, "y", "firm", "year", "D", "exposure", cluster="stratum")
    >>> wcr = spillover_bootstrap(sp, "exposure_effect", data=s, replications=999, seed=1)
    >>> print(wcr.tidy()[["term", "estimate", "p_value", "p_value_crv1"]]
    ...       .round(3).to_string(index=False))
               term  estimate  p_value  p_value_crv1
    exposure_effect     0.095    0.215         0.219
    """
    from evaluation.estimators.wild_bootstrap import wild_cluster_bootstrap

    where = "spillover_bootstrap"
    spec = result.spec
    if spec is None or spec.kind != "spillovers" or spec.get("method") == "two_stage":
        raise ValueError(
            f"{where}: pass a spillover_did result of method 'twfe' (got {result.estimator!r})"
        )
    spec.check_data(data, where)
    cluster = cluster or spec.get("cluster")
    if cluster is None:
        raise ValueError(f"{where}: name the cluster column (the fit was not clustered)")
    if term not in set(result.table["term"]):
        raise KeyError(f"{where}: term {term!r} is not in the fit ({list(result.table['term'])})")
    outcome = spec.outcome
    covs = as_list(spec.get("covariates"))
    sample = data[data[outcome].notna()]
    design = spillover_design(
        sample,
        spec["treatment"],
        spec["exposure"],
        placebo=spec.get("placebo"),
        exposure_on_treated=bool(spec.get("exposure_on_treated")),
        where=where,
    )
    fes = list(spec["fixed_effects"])
    keep = [c for c in dict.fromkeys([outcome, *fes, cluster, *covs, spec.get("weights")]) if c]
    frame = pd.concat([sample[keep].reset_index(drop=True), design.reset_index(drop=True)], axis=1)
    regressors = [t for t in [*design.columns, *covs] if t in set(result.table["term"])]
    boot_spec = {
        "kind": "ols",
        "data": frame,
        "outcome": outcome,
        "regressors": regressors,
        "fixed_effects": list(spec["fixed_effects"]),
        "weights": spec.get("weights"),
        "cluster": cluster,
    }
    res = wild_cluster_bootstrap(
        boot_spec,
        term,
        cluster,
        replications=replications,
        weight_type=weight_type,
        seed=seed,
        alpha=alpha,
    )
    return res
