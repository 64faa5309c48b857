"""The specifications the report pages estimate, in one place, so every page uses the same.

Conventions (stated on the pages and in the final report's methods):

* estimation sample: responding firm-years with a non-missing outcome (non-positive value
  added leaves log outcomes missing and so leaves the sample; it stays in the counts);
* inference clustered by ``analysis.cluster`` (26 strata), CRV1 with fixest's small-sample
  factors, beside the restricted wild cluster bootstrap (Rademacher) for the regression
  estimators;
* Callaway–Sant'Anna: doubly robust, not-yet-treated comparison, covariates
  ``analysis.covariates`` and sector indicators (:func:`cs_covariates`: the same conditioning
  as the regressions' sector-by-year effects; without them the simulated truth is missed by
  about +0.013 on average), influence functions summed by cluster, normal critical values;
* Sun–Abraham, imputation and TWFE with *conditional trends* (``conditional_trends``, on by
  default): sector-by-year fixed effects and, for each ``analysis.covariates`` entry (baseline
  size), a linear trend ``covariate x (year - base_year)``. The program recruited by sector and
  larger firms grow differently, so parallel trends are plausible only conditionally; a
  time-invariant covariate enters a fixed-effects regression only through such a trend
  (Callaway–Sant'Anna conditions on it directly).

Overall effects of the event-study estimators (Sun–Abraham, imputation) average the
post-entry event-time effects weighted by their numbers of treated firm-years (fixest's
``aggregate(agg = "att")`` for Sun–Abraham; the BJS average over all treated observations).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.config import Settings
from evaluation.estimators.results import EstimationResult, FewClustersWarning, tidy_frame

UNIT, TIME, COHORT = "firm_id", "year", "cohort"
ESTIMATORS = ("twfe", "cs", "sunab", "imputation")
# Fewer clusters than this in a subgroup: its estimate is shown without an interval.
MIN_CLUSTERS_FOR_INFERENCE = 10


def _noted(call, *args, **kwargs):
    """Run an estimator, turning its data warnings into notes of the result (shown under the
    page's table) instead of stderr text in the report."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", FewClustersWarning)
        result = call(*args, **kwargs)
    for w in caught:
        text = str(w.message)
        if text not in result.notes and not issubclass(w.category, FewClustersWarning):
            result.notes.append(text)
    return result


def quiet_few_clusters() -> None:
    """Silence the few-clusters warning on report pages: every CRV1 number printed there has
    the wild cluster bootstrap beside it, and the result's notes keep the warning's text."""
    warnings.simplefilter("ignore", FewClustersWarning)


def estimation_sample(
    panel: pd.DataFrame,
    outcome: str,
    *,
    conditional_trends: bool = True,
    trend_covariates: Sequence[str] | None = None,
    base_year: int | None = None,
) -> pd.DataFrame:
    """Responding firm-years with the outcome observed; adds ``after``, ``sector_year`` and a
    ``<covariate>_trend`` column per trend covariate (see :func:`trends`; default: the
    settings' ``analysis.covariates`` and ``analysis.base_year``)."""
    if trend_covariates is None or base_year is None:
        from evaluation.config import load_settings

        analysis = load_settings().analysis
        trend_covariates = analysis.covariates if trend_covariates is None else trend_covariates
        base_year = analysis.base_year if base_year is None else base_year
    if outcome not in panel.columns:
        raise KeyError(f"outcome {outcome!r} is not a column of the panel")
    data = panel[(panel["responded"] == 1) & panel[outcome].notna()].copy()
    cohorts = data.loc[data[COHORT] > 0, COHORT]
    if cohorts.empty:
        raise ValueError(f"no participating firm has an observed {outcome!r}: nothing to estimate")
    data["after"] = (data[TIME] >= int(cohorts.min())).astype(int)
    if conditional_trends:
        data["sector_year"] = data["sector"].astype(str) + ":" + data[TIME].astype(str)
        for name in trend_covariates:
            if name not in data.columns:
                raise KeyError(f"covariate {name!r} (analysis.covariates) is not a panel column")
            data[f"{name}_trend"] = data[name] * (data[TIME] - base_year)
    return data.reset_index(drop=True)


def trends(settings: Settings, conditional_trends: bool) -> tuple[str | None, list[str] | None]:
    """The fixed effects and trend covariates of the regression estimators."""
    if not conditional_trends:
        return None, None
    return "sector_year", [f"{c}_trend" for c in settings.analysis.covariates] or None


def cs_covariates(
    data: pd.DataFrame, settings: Settings, *, sectors: bool = True
) -> tuple[pd.DataFrame, list[str] | None]:
    """Callaway–Sant'Anna covariates: ``analysis.covariates`` plus sector indicators.

    The regression estimators condition on sector through sector-by-year fixed effects;
    Callaway–Sant'Anna conditions on covariates in each 2x2 comparison, so sector enters as
    indicators (``sector_<code>``, the first sector present is the base). Sectors where a
    cohort has no firm get propensity score 0 in that cohort's comparisons (the separated-
    logit limit, see ``evaluation.estimators._cs_estimators``). Returns the data with the
    indicator columns added and the covariate names (None when there are none).
    """
    covs = list(settings.analysis.covariates)
    if sectors and "sector" in data.columns:
        levels = sorted(data["sector"].dropna().astype(str).unique())
        if len(levels) > 1:
            data = data.copy()
            for level in levels[1:]:
                name = f"sector_{level}"
                data[name] = (data["sector"].astype(str) == level).astype(float)
                covs.append(name)
    return data, covs or None


def n_treated_firms(data: pd.DataFrame) -> int:
    """Participating firms with at least one observed post-entry firm-year."""
    return int(data.loc[data["treated"] == 1, UNIT].nunique())


@dataclass
class Effect:
    """One estimator's overall effect with CRV1 (or analytic) and wild-bootstrap inference."""

    key: str
    result: EstimationResult
    term: str
    bootstrap: EstimationResult | None = None
    dynamic: EstimationResult | None = None
    extra: dict = field(default_factory=dict)

    def row(self) -> pd.Series:
        return self.result.tidy().set_index("term").loc[self.term]


def main_effects(
    data: pd.DataFrame,
    outcome: str,
    settings: Settings,
    *,
    reps: int,
    seed: int,
    conditional_trends: bool = True,
) -> list[Effect]:
    """The 2x2 DiD (participants vs comparison, after vs before the first cohort) and TWFE,
    each with its wild cluster bootstrap."""
    from evaluation.estimators import did_2x2, wild_cluster_bootstrap

    cluster = settings.analysis.cluster
    did = did_2x2(data, outcome, "participant", "after", cluster=cluster)
    boot = wild_cluster_bootstrap(did, "participant:after", cluster, reps=reps, seed=seed)
    return [
        Effect("did_2x2", did, "participant:after", bootstrap=boot),
        twfe_effect(
            data, outcome, settings, reps=reps, seed=seed, conditional_trends=conditional_trends
        ),
    ]


def twfe_effect(
    data: pd.DataFrame,
    outcome: str,
    settings: Settings,
    *,
    reps: int,
    seed: int,
    conditional_trends: bool = True,
) -> Effect:
    """The static TWFE effect of ``treated`` (with the trend controls of :func:`trends`) and
    its wild cluster bootstrap."""
    from evaluation.estimators import twfe, wild_cluster_bootstrap

    cluster = settings.analysis.cluster
    fe, covs = trends(settings, conditional_trends)
    res = twfe(
        data, outcome, UNIT, TIME, "treated", covariates=covs, cluster=cluster, fixed_effects=fe
    )
    boot = wild_cluster_bootstrap(res, "treated", cluster, reps=reps, seed=seed)
    return Effect("twfe", res, "treated", bootstrap=boot)


def inference_table(effects: Sequence[Effect], labels: dict[str, str]) -> pd.DataFrame:
    """One row per estimator: estimate, CRV1 SE/CI/p and wild bootstrap CI/p, observations."""
    rows = []
    for eff in effects:
        r = eff.row()
        b = eff.bootstrap.tidy().iloc[0] if eff.bootstrap is not None else None
        rows.append(
            {
                "label": labels.get(eff.key, eff.key),
                "estimate": r["estimate"],
                "std_error": r["std_error"],
                "crv1_low": r["conf_low"],
                "crv1_high": r["conf_high"],
                "p_crv1": r["p_value"],
                "wcb_low": np.nan if b is None else b["conf_low"],
                "wcb_high": np.nan if b is None else b["conf_high"],
                "p_wcb": np.nan if b is None else b["p_value"],
                "nobs": int(eff.result.nobs),
                "clusters": eff.result.n_clusters,
            }
        )
    return pd.DataFrame(rows)


def _overall_from_event_times(
    res: EstimationResult, data: pd.DataFrame, name: str
) -> EstimationResult:
    """Average of post-entry event-time effects weighted by treated firm-years (delta method)."""
    tab = res.tidy()
    post = tab[tab["event_time"] >= 0]
    rel = (data[TIME] - data[COHORT]).where(data[COHORT] > 0)
    counts = rel.value_counts()
    top = post["event_time"].max()
    # a binned last event time (window) pools every later firm-year into it
    n = np.array(
        [
            float(counts[counts.index >= e].sum()) if e == top else float(counts.get(e, 0))
            for e in post["event_time"]
        ]
    )
    w = n / n.sum()
    est = float(w @ post["estimate"].to_numpy())
    if res.vcov is not None:
        V = res.vcov.loc[post["term"], post["term"]].to_numpy()
        se = float(np.sqrt(w @ V @ w))
    else:
        se = float(np.sqrt(np.sum((w * post["std_error"].to_numpy()) ** 2)))
    df = None if name == "imputation" or res.n_clusters is None else res.n_clusters - 1
    table = tidy_frame(["overall"], [est], [se], df=df)
    return EstimationResult(
        estimator=res.estimator,
        table=table,
        nobs=res.nobs,
        vcov_type=res.vcov_type,
        n_clusters=res.n_clusters,
        outcome=res.outcome,
        notes=[
            *res.notes,
            "overall = post-entry event-time effects weighted by treated firm-years",
        ],
    )


def staggered_effects(
    data: pd.DataFrame,
    outcome: str,
    settings: Settings,
    *,
    reps: int,
    seed: int,
    conditional_trends: bool = True,
    estimators: Sequence[str] = ESTIMATORS,
) -> dict[str, Effect]:
    """Overall and event-time effects of TWFE, Callaway–Sant'Anna, Sun–Abraham and imputation."""
    from evaluation.estimators import event_study

    cluster = settings.analysis.cluster
    fe, covs = trends(settings, conditional_trends)
    out: dict[str, Effect] = {}
    for key in estimators:
        if key == "twfe":
            static = twfe_effect(
                data, outcome, settings, reps=reps, seed=seed,
                conditional_trends=conditional_trends,
            )  # fmt: skip
            dyn = event_study(
                data,
                outcome,
                UNIT,
                TIME,
                COHORT,
                method="twfe",
                cluster=cluster,
                fixed_effects=fe,
                covariates=covs,
            )
            static.dynamic = dyn
            out[key] = static
        elif key == "cs":
            out[key] = primary_cs(data, outcome, settings)
        elif key in ("sunab", "imputation"):
            dyn = event_study(
                data,
                outcome,
                UNIT,
                TIME,
                COHORT,
                method=key,
                cluster=cluster,
                fixed_effects=fe,
                covariates=covs,
            )
            out[key] = Effect(
                key, _overall_from_event_times(dyn, data, key), "overall", dynamic=dyn
            )
        else:
            raise ValueError(f"unknown estimator {key!r}; expected one of {ESTIMATORS}")
    return out


def event_study_spec(
    data: pd.DataFrame,
    outcome: str,
    settings: Settings,
    *,
    method: str,
    conditional_trends: bool = True,
) -> EstimationResult:
    """The page's event study: ``cs`` with the pre-specified covariates and a not-yet-treated
    comparison (universal base period); regression methods with sector-by-year effects."""
    from evaluation.estimators import event_study

    cluster = settings.analysis.cluster
    if method == "cs":
        data, cs_covs = cs_covariates(data, settings, sectors=conditional_trends)
        return _noted(
            event_study,
            data,
            outcome,
            UNIT,
            TIME,
            COHORT,
            method="cs",
            covariates=cs_covs,
            cluster=cluster,
            cs_options={"control_group": "not_yet", "method": "dr"},
        )
    fe, covs = trends(settings, conditional_trends)
    return _noted(
        event_study,
        data,
        outcome,
        UNIT,
        TIME,
        COHORT,
        method=method,
        cluster=cluster,
        fixed_effects=fe,
        covariates=covs,
    )


def primary_cs(
    data: pd.DataFrame, outcome: str, settings: Settings, *, allow_unbalanced: bool = False
) -> Effect:
    """The pre-specified Callaway–Sant'Anna specification: overall (simple) and dynamic.

    By default on the firms observed in every year (R ``did``'s balanced panel); with
    ``allow_unbalanced`` on every observed firm-year (repeated-cross-section 2x2s), the
    attrition check of notebook 10.
    """
    from evaluation.estimators import callaway_santanna

    data, cs_covs = cs_covariates(data, settings)
    cs = _noted(
        callaway_santanna,
        data,
        outcome,
        UNIT,
        TIME,
        COHORT,
        covariates=cs_covs,
        control_group="not_yet",
        method="dr",
        cluster=settings.analysis.cluster,
        allow_unbalanced=allow_unbalanced,
    )
    simple = cs.aggregate("simple")
    simple.notes = list(dict.fromkeys([*cs.notes, *simple.notes]))
    dynamic = cs.aggregate("dynamic")
    dyn_table = dynamic.tidy()
    dynamic_es = EstimationResult(
        estimator="callaway_santanna",
        table=dyn_table[dyn_table["term"] != "overall"].reset_index(drop=True),
        nobs=dynamic.nobs,
        vcov_type=dynamic.vcov_type,
        n_clusters=dynamic.n_clusters,
        outcome=outcome,
        notes=list(dynamic.notes),
    )
    return Effect(
        "cs", simple, "overall", dynamic=dynamic_es, extra={"att_gt": cs, "pretest": cs.pretest()}
    )


def truth_for(truth: dict | None, outcome: str, sample: str) -> dict | None:
    """The true overall and event-time effects for ``outcome`` on ``sample`` (simulated data).

    Returns ``{"overall": float, "att_e": {event_time: float}}``, or None when there is no
    truth file, it does not cover the outcome, or the sample has no truth of its own (the
    truth file is by women-led status only: samples ``all``, ``women_led``, ``men_led``).
    """
    if not truth:
        return None
    est = truth.get("estimands", {}).get(outcome)
    if est is None:
        return None
    if sample == "all":
        return {
            "overall": float(est["overall"]["att"]),
            "att_e": {int(r["event_time"]): float(r["att"]) for r in est.get("att_e", [])},
        }
    if sample in ("women_led", "men_led"):
        flag = sample == "women_led"
        key = "true" if flag else "false"
        return {
            "overall": float(est["by_women_led"][key]["att"]),
            "att_e": {
                int(r["event_time"]): float(r["att"])
                for r in est.get("att_e_by_women_led", [])
                if bool(r["women_led"]) == flag
            },
        }
    return None


def truth_comparison(
    effects: dict[str, Effect], truth: dict, labels: dict[str, str]
) -> pd.DataFrame:
    """Each estimator's overall and event-time effects beside the truth: error and coverage."""
    rows = []
    for key, eff in effects.items():
        rows.append(_truth_row(labels.get(key, key), "overall", eff.row(), truth["overall"]))
        if eff.dynamic is not None:
            for _, d in eff.dynamic.tidy().iterrows():
                e = d["event_time"]
                if pd.notna(e) and int(e) in truth["att_e"] and pd.notna(d["std_error"]):
                    rows.append(_truth_row(labels.get(key, key), int(e), d, truth["att_e"][int(e)]))
    return pd.DataFrame(rows)


def _truth_row(label: str, target, r: pd.Series, truth: float) -> dict:
    return {
        "label": label,
        "target": target,
        "estimate": float(r["estimate"]),
        "truth": truth,
        "error": float(r["estimate"]) - truth,
        "covers": bool(r["conf_low"] <= truth <= r["conf_high"]),
    }


def subgroup_effects(
    data: pd.DataFrame, outcome: str, settings: Settings, dimension: str
) -> pd.DataFrame:
    """The primary estimator (Callaway–Sant'Anna) on each level of ``dimension`` separately.

    For ``cohort`` the cohort-specific averages of the full-sample fit are used (R ``did``'s
    group aggregation), since a cohort alone has no comparison of its own. A subgroup the
    estimator cannot handle (too few firms, no overlap) gets a missing estimate and the
    reason in ``note``; ``n_treated`` counts its participating firms, for suppression.
    """
    rows = []
    if dimension == "cohort":
        cs = primary_cs(data, outcome, settings).extra["att_gt"]
        groups = cs.aggregate("group").tidy()
        for _, r in groups[groups["term"] != "overall"].iterrows():
            g = int(r["group"])
            n = int(data.loc[(data[COHORT] == g) & (data["treated"] == 1), UNIT].nunique())
            k = int(data.loc[data[COHORT].isin([0, g]), settings.analysis.cluster].nunique())
            rows.append({"subgroup": g, **_tidy_part(r), "n_treated": n, "clusters": k, "note": ""})
        return _withhold_few_clusters(pd.DataFrame(rows))
    if dimension not in data.columns:
        raise KeyError(f"subgroup dimension {dimension!r} is not a column of the panel")
    for level, sub in data.groupby(dimension, sort=True):
        n = n_treated_firms(sub)
        k = int(sub[settings.analysis.cluster].nunique())
        try:
            eff = primary_cs(sub, outcome, settings)
            r = eff.row()
            rows.append(
                {"subgroup": level, **_tidy_part(r), "n_treated": n, "clusters": k, "note": ""}
            )
        except (ValueError, np.linalg.LinAlgError) as err:
            rows.append(
                {
                    "subgroup": level,
                    **dict.fromkeys(
                        ("estimate", "std_error", "p_value", "conf_low", "conf_high"), np.nan
                    ),
                    "n_treated": n,
                    "clusters": k,
                    "note": str(err).split("\n")[0][:160],
                }
            )
    return _withhold_few_clusters(pd.DataFrame(rows))


def _withhold_few_clusters(frame: pd.DataFrame) -> pd.DataFrame:
    # cluster-robust inference from a handful of strata is meaningless (CRV1 with G = 2 gives
    # near-zero standard errors): keep the estimate, withhold its inference
    few = frame["clusters"] < MIN_CLUSTERS_FOR_INFERENCE
    frame.loc[few, ["std_error", "p_value", "conf_low", "conf_high"]] = np.nan
    frame["few_clusters"] = few
    return frame


def _tidy_part(r: pd.Series) -> dict:
    return {k: float(r[k]) for k in ("estimate", "std_error", "p_value", "conf_low", "conf_high")}


def primary_effect(
    data: pd.DataFrame, outcome: str, settings: Settings, *, reps: int, seed: int
) -> Effect:
    """The pre-specified estimator (``analysis.primary_estimator``) on ``outcome``."""
    key = settings.analysis.primary_estimator
    if key == "cs":
        return primary_cs(data, outcome, settings)
    if key in ESTIMATORS:
        return staggered_effects(data, outcome, settings, reps=reps, seed=seed, estimators=[key])[
            key
        ]
    raise ValueError(f"config analysis.primary_estimator={key!r}: expected one of {ESTIMATORS}")
