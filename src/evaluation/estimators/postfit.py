"""Another variance estimator for a fitted regression, without re-estimating by hand:
:meth:`EstimationResult.with_vcov <evaluation.estimators.results.EstimationResult.with_vcov>`.

Supported models: ``twfe``, ``did_2x2`` and the regression event studies
``event_study(method="twfe" | "sunab")``, each with every variance estimator below. The
variance estimators and their small-sample conventions follow fixest/pyfixest (``vcov()``):

- ``"iid"``, ``"hetero"`` (HC1), ``{"CRV1": col}``: as at fit time (the estimator is asked
  again for that variance, so the numbers are the estimator's own);
- ``{"CRV3": col}``: leave-one-cluster-out jackknife ``sum_g (b_(g) - b)(b_(g) - b)'`` times
  ``G/(G-1) (N-1)/(N-K)`` (centred on the full-sample estimate, each ``b_(g)`` a full refit
  without cluster g, fixed effects re-absorbed, as pyfixest does with fixed effects);
- ``{"CRV1": [c1, c2]}``: two-way clustering (Cameron, Gelbach & Miller 2011)
  ``V_1 + V_2 - V_12`` with ``V_12`` clustered by the intersection; every term uses
  ``G = min(G_1, G_2)`` in its ``G/(G-1)`` factor and t inference has ``min(G) - 1`` degrees
  of freedom (pyfixest's ``G_df="min"``); fixed effects nested in any of the clusterings
  are not counted in ``K``.

For the event studies, CRV3 and two-way clustering apply to the regression actually fitted
(the event-time dummies of the dynamic TWFE, or Sun-Abraham's cohort x event-time
interactions) and Sun-Abraham's event-time effects then get ``A V A'`` with the cohort shares
``A`` fixed, as at fit time (delta method); the leave-one-cluster-out refits keep the design's
columns (a column left without variation in a refit is dropped from that refit and its
coefficient is undefined, which makes its variance NaN, and the variance of each Sun-Abraham
event time that weights it; pyfixest 0.60 raises on such a design). The pre-trend test is
then NaN if a lead is affected.

Results keep no data: the rows are rebuilt from ``data=`` (checked against the result's
fingerprint), so the design is the fitted one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from evaluation.estimators.fe_regression import FEOLSFit, fe_ols
from evaluation.estimators.fixed_effects import factorize, fe_dof, nested_in
from evaluation.estimators.inputs import as_list, numeric_column, prepare_sample
from evaluation.estimators.results import EstimationResult, tidy_frame
from evaluation.estimators.vcov import cluster_scores

__all__ = ["parse_vcov", "revcov"]

_REFIT_KINDS = ("twfe", "did_2x2", "event_study_twfe", "event_study_sunab")


def parse_vcov(vcov: str | Mapping[str, Any]) -> tuple[str, list[str]]:
    """``"iid"`` / ``"hetero"`` / ``{"CRV1": col}`` / ``{"CRV3": col}`` /
    ``{"CRV1": [c1, c2]}`` -> (kind, cluster columns)."""
    if isinstance(vcov, str):
        key = {"iid": "iid", "hetero": "hetero", "hc1": "hetero"}.get(vcov.lower())
        if key is None:
            raise ValueError(
                f"with_vcov: vcov must be 'iid', 'hetero' or a {{'CRV1'|'CRV3': column}} "
                f"mapping (got {vcov!r})"
            )
        return key, []
    if not isinstance(vcov, Mapping) or len(vcov) != 1:
        raise ValueError("with_vcov: give one of {'CRV1': col}, {'CRV3': col}, {'CRV1': [a, b]}")
    ((kind, cols),) = vcov.items()
    kind = str(kind).upper()
    cols = as_list(cols)
    if kind not in ("CRV1", "CRV3") or not 1 <= len(cols) <= 2:
        raise ValueError(f"with_vcov: unsupported clustered variance {dict(vcov)!r}")
    if kind == "CRV3" and len(cols) != 1:
        raise ValueError("with_vcov: CRV3 takes one cluster column")
    return kind, cols


def revcov(
    result: EstimationResult, vcov: str | Mapping[str, Any], *, data: pd.DataFrame | None = None
) -> EstimationResult:
    """``result`` with the variance estimator ``vcov`` (see the module docstring)."""
    where = "with_vcov"
    spec = result.spec
    if spec is None or spec.kind not in _REFIT_KINDS:
        kind_name = None if spec is None else spec.kind
        raise ValueError(
            f"{where}: not available for a {result.estimator!r} result (model {kind_name!r}); "
            f"supported: {', '.join(_REFIT_KINDS)}"
        )
    kind, cols = parse_vcov(vcov)
    data = spec.resolve_data(data, where)
    if kind == "CRV3" or len(cols) == 2:
        if spec.kind.startswith("event_study"):
            return _event_from_design(result, kind, cols, data)
        return _from_design(result, kind, cols, data)
    again = _refit(spec, data, kind, cols[0] if cols else None)
    drift = np.max(np.abs(again.coef.to_numpy() - result.coef.to_numpy()), initial=0.0)
    scale = max(1.0, float(np.max(np.abs(result.coef.to_numpy()), initial=0.0)))
    if drift > 1e-8 * scale:
        raise ValueError(f"{where}: the data do not reproduce the estimates (drift {drift:.3g})")
    return replace(
        result,
        table=again.table,
        vcov=again.vcov,
        vcov_type=again.vcov_type,
        n_clusters=again.n_clusters,
        notes=list(again.notes),
        info={**result.info, "pretrend": again.info.get("pretrend", result.info.get("pretrend"))},
    )


def _refit(spec: Any, data: pd.DataFrame, kind: str, cluster: str | None) -> EstimationResult:
    """The estimator of ``spec`` again on ``data`` with another iid/hetero/CRV1 variance."""
    from evaluation.estimators.did import did_2x2, twfe
    from evaluation.estimators.dynamic_effects import event_study

    common = {
        "covariates": spec.get("covariates") or None,
        "weights": spec.get("weights"),
        "cluster": cluster,
        "vcov": kind,
    }
    if spec.kind == "twfe":
        extra = [f for f in spec["fixed_effects"] if f not in (spec["unit"], spec["time"])]
        return twfe(
            data, spec.outcome, spec["unit"], spec["time"], spec["treatment"],
            fixed_effects=extra or None, binary=spec.get("binary", True), **common,
        )  # fmt: skip
    if spec.kind == "did_2x2":
        return did_2x2(data, spec.outcome, spec["treated"], spec["post"], **common)
    extra = [f for f in spec["fixed_effects"] if f not in (spec["unit"], spec["time"])]
    return event_study(
        data, spec.outcome, spec["unit"], spec["time"], spec["cohort"],
        method=spec["method"], ref_period=spec["ref_period"], window=spec["window"],
        fixed_effects=extra or None, **common,
    )  # fmt: skip


def _design(spec: Any, data: pd.DataFrame) -> tuple[FEOLSFit, pd.DataFrame, dict[str, Any]]:
    """The full least-squares design of a twfe / did_2x2 spec (alternating projections)."""
    where = "with_vcov"
    sample, _ = prepare_sample(data, spec.outcome, spec.used_columns(), where)
    y = numeric_column(sample, spec.outcome, where)
    covs = as_list(spec.get("covariates"))
    if spec.kind == "twfe":
        names = [*spec["treatment"], *covs]
        X = np.column_stack([numeric_column(sample, c, where) for c in names])
        fe_names = list(spec["fixed_effects"])
        fe = [sample[c].to_numpy() for c in fe_names]
    else:
        d = numeric_column(sample, spec["treated"], where)
        p = numeric_column(sample, spec["post"], where)
        names = [spec["term"], spec["treated"], spec["post"], *covs]
        X = np.column_stack([d * p, d, p, *(numeric_column(sample, c, where) for c in covs)])
        fe_names, fe = [], []
    w = numeric_column(sample, spec["weights"], where) if spec.get("weights") else None
    kw = {"weights": w, "vcov": "iid", "required": [names[0]]}
    fit = fe_ols(y, X, names, fe, fe_names, **kw)
    pieces = {"y": y, "X": X, "names": names, "fe": fe, "fe_names": fe_names, "kw": kw}
    return fit, sample.loc[fit.keep] if not fit.keep.all() else sample, pieces


def _from_design(
    result: EstimationResult, kind: str, cols: list[str], data: pd.DataFrame
) -> EstimationResult:
    """CRV3 or two-way CRV1 from the rebuilt design."""
    spec = result.spec
    fit, used, pieces = _design(spec, data)
    keep = fit.keep
    pieces = {
        **pieces,
        "y": pieces["y"][keep],
        "X": pieces["X"][keep],
        "fe": [f[keep] for f in pieces["fe"]],
        "weights": None if pieces["kw"]["weights"] is None else pieces["kw"]["weights"][keep],
    }
    V, G, ssc, label = _clustered(fit, pieces, used, kind, cols)
    order = [t for t in result.table["term"] if t in fit.names]
    idx = [fit.names.index(t) for t in order]
    Vo = V[np.ix_(idx, idx)]
    table = tidy_frame(order, fit.beta[idx], _std_errors(Vo), df=G - 1)
    return replace(
        result,
        table=table,
        vcov=pd.DataFrame(Vo, index=order, columns=order),
        vcov_type=label,
        n_clusters=G,
        notes=_notes(result, table, label, G, kind),
        info={**result.info, "df_t": G - 1, "ssc": ssc},
    )


def _event_from_design(
    result: EstimationResult, kind: str, cols: list[str], data: pd.DataFrame
) -> EstimationResult:
    """CRV3 or two-way CRV1 for a dynamic TWFE / Sun-Abraham event study."""
    from evaluation.estimators.dynamic_effects import (
        pretrend_wald_test,
        regression_event_study,
    )
    from evaluation.estimators.event_panel import event_term, prepare_event_panel

    where = "with_vcov"
    spec = result.spec
    unit, time, method = spec["unit"], spec["time"], spec["method"]
    extra = [f for f in spec["fixed_effects"] if f not in (unit, time)]
    covs = as_list(spec.get("covariates"))
    ref = int(spec["ref_period"])
    p = prepare_event_panel(
        data, spec.outcome, unit, time, spec["cohort"], spec["window"], covs,
        spec.get("weights"), None, extra, where,
    )  # fmt: skip
    pieces: dict[str, Any] = {}
    ev, beta, _, fit, _, agg = regression_event_study(
        p, method, ref, "iid", unit, time, False, pieces
    )
    ev_arr = np.asarray(ev, float)
    if not np.array_equal(ev_arr, result.table["event_time"].to_numpy(float)):
        raise ValueError(f"{where}: the data do not reproduce the event times of the result")
    drift = np.max(np.abs(beta - result.coef.to_numpy()), initial=0.0)
    if drift > 1e-8 * max(1.0, float(np.max(np.abs(beta), initial=0.0))):
        raise ValueError(f"{where}: the data do not reproduce the estimates (drift {drift:.3g})")
    used = p.sample.iloc[pieces["rows"]]
    V, G, ssc, label = _clustered(fit, pieces, used, kind, cols)
    info = dict(result.info)
    if method == "twfe":
        sel = [fit.names.index(event_term(e)) for e in ev_arr]
        V_ev = V[np.ix_(sel, sel)]
    else:
        cohort_tab = agg["cohort_effects"]
        sel = [fit.names.index(t) for t in cohort_tab["term"]]
        Vc = V[np.ix_(sel, sel)]
        V_ev = _delta_method(agg["aggregation"], Vc)
        label += " (delta method, cohort shares fixed)"
        info["cohort_effects"] = tidy_frame(
            list(cohort_tab["term"]), fit.beta[sel], _std_errors(Vc),
            df=G - 1,
            extra={c: cohort_tab[c].to_numpy() for c in ("cohort", "event_time", "share")},
        )  # fmt: skip
    terms = [event_term(e) for e in ev_arr]
    se = _std_errors(V_ev)
    table = tidy_frame(terms, beta, se, df=G - 1, extra={"event_time": ev_arr})
    info.update(df_t=G - 1, ssc=ssc, pretrend=pretrend_wald_test(ev_arr, beta, V_ev, G - 1, ref))
    return replace(
        result,
        table=table,
        vcov=pd.DataFrame(V_ev, index=terms, columns=terms),
        vcov_type=label,
        n_clusters=G,
        notes=_notes(result, table, label, G, kind),
        info=info,
    )


def _notes(
    result: EstimationResult, table: pd.DataFrame, label: str, G: int, kind: str
) -> list[str]:
    """The result's notes, what variance replaced the fitted one, and any undefined SEs with
    why: CRV3, a coefficient not estimable in some leave-one-cluster-out refit; two-way
    clustering, a negative variance."""
    notes = [*result.notes, f"variance re-estimated after the fit: {label} (t with {G - 1} df)"]
    bad = ", ".join(map(str, table.loc[table["std_error"].isna(), "term"]))
    if bad and kind == "CRV3":
        notes.append(
            "not estimable without one of the clusters, so the jackknife variance is "
            f"undefined: standard error undefined: {bad}"
        )
    elif bad:
        notes.append(f"negative variance, standard error undefined: {bad}")
    return notes


def _delta_method(A: np.ndarray, V: np.ndarray) -> np.ndarray:
    """``A V A'`` (Sun-Abraham's event-time covariance, shares ``A`` fixed), NaN only in the
    rows and columns of the combinations that weight a coefficient of undefined variance.

    A CRV3 refit without a cluster that holds a whole cohort leaves that cohort's
    coefficients undefined (NaN rows of ``V``); ``A @ V`` would spread the NaN to every event
    time through zero weights (``0 * NaN``), so those coefficients enter as zeros and only
    the event times that weight them are set to NaN.
    """
    undefined = ~np.isfinite(np.diag(V))
    if not undefined.any():
        return A @ V @ A.T
    out = A @ np.where(undefined[:, None] | undefined[None, :], 0.0, V) @ A.T
    touched = (A[:, undefined] != 0).any(axis=1)
    out[touched, :] = np.nan
    out[:, touched] = np.nan
    return out


def _std_errors(V: np.ndarray) -> np.ndarray:
    """Square roots of the variances; NaN where a variance is negative (two-way clustering's
    ``V_1 + V_2 - V_12`` need not be positive semi-definite; pyfixest also gives NaN), so a
    standard error is never reported as zero when it is undefined."""
    d = np.diag(V)
    return np.sqrt(np.where(d >= 0, d, np.nan))


def _clustered(
    fit: FEOLSFit, pieces: dict[str, Any], used: pd.DataFrame, kind: str, cols: list[str]
) -> tuple[np.ndarray, int, float, str]:
    """CRV3 or two-way CRV1 variance of every coefficient of ``fit``, with ``used`` the rows
    fitted (for the cluster columns) and ``pieces`` the design at those rows."""
    missing = [c for c in cols if c not in used.columns]
    if missing:
        raise ValueError(f"with_vcov: cluster column(s) {missing} not in the data")
    if used[cols].isna().any().any():
        raise ValueError(f"with_vcov: cluster column(s) {cols} have missing values")
    codes = [factorize(used[c], c) for c in cols]
    if len(cols) == 2:
        inter, g12 = factorize(codes[0][0] * codes[1][1] + codes[1][0], "+".join(cols))
        codes.append((inter, g12))
    n = fit.nobs
    k = len(fit.names)
    sizes = fit.fe.sizes if fit.fe is not None else []
    nested = [
        any(nested_in(c, cc, g) for cc, _ in codes)
        for c, g in zip(fit.fe.codes if fit.fe is not None else [], sizes, strict=True)
    ]
    df_k = k + fe_dof(sizes, nested if sizes else None)
    G = min(g for _, g in codes)
    if G < 2:
        raise ValueError("with_vcov: clustered variance needs at least two clusters")
    ssc = G / (G - 1) * (n - 1) / (n - df_k)
    if kind == "CRV3":
        V = ssc * _jackknife(fit, codes[0], pieces)
        label = f"CRV3 clustered by {cols[0]}"
    else:
        wu = fit.resid if fit.weights is None else fit.weights * fit.resid
        V = np.zeros((k, k))
        for sign, (cc, g) in zip((1.0, 1.0, -1.0), codes, strict=True):
            S = cluster_scores(fit.X, wu, cc, g)
            V += sign * ssc * fit.bread @ (S.T @ S) @ fit.bread
        label = f"CRV1 two-way clustered by {cols[0]} and {cols[1]}"
    return V, G, ssc, label


def _jackknife(
    fit: FEOLSFit, cluster: tuple[np.ndarray, int], pieces: dict[str, Any]
) -> np.ndarray:
    """``sum_g (b_(g) - b)(b_(g) - b)'`` with ``b_(g)`` refitted without cluster g
    (``pieces``: the design at the fitted rows)."""
    codes, G = cluster
    y, X, fe, w = pieces["y"], pieces["X"], pieces["fe"], pieces["weights"]
    k = len(fit.names)
    acc = np.zeros((k, k))
    for g in range(G):
        out = codes != g
        sub = fe_ols(
            y[out], X[out], pieces["names"], [f[out] for f in fe], pieces["fe_names"],
            weights=None if w is None else w[out], vcov="iid",
        )  # fmt: skip
        b = np.array(
            [sub.beta[sub.names.index(t)] if t in sub.names else np.nan for t in fit.names]
        )
        diff = b - fit.beta
        acc += np.outer(diff, diff)
    return acc
