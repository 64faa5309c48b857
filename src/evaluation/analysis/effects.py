"""The specifications the estimation pages run, in one place, so every page uses the same.

The analysis layer turns (panel, :class:`~evaluation.analysis.context.StudyContext`) into
results; pages only format and render them (``docs/architecture.md``: data -> analysis ->
reporting). Every specification is resolved from what the data hold, and what ran is kept with
the result (:attr:`Effect.spec`) so that the methods text and the estimates table state it:

* estimation sample: responding firm-years with a non-missing outcome (non-positive value
  added leaves log outcomes missing and so leaves the sample; it stays in the counts). A panel
  without a ``responded`` indicator counts every firm-year present as answered. Firms treated
  at or before the first panel year have no pre-period and are left out (count kept);
* inference clustered by the context's cluster: ``analysis.cluster`` when the data carry it,
  else the firm (stated on the page), CRV1 with fixest's small-sample factors beside the
  restricted wild cluster bootstrap (Rademacher) for the regression estimators. With fewer
  than :data:`MIN_CLUSTERS_FOR_INFERENCE` clusters the estimate is shown without an interval;
* covariates: the configured ``analysis.covariates`` that the data hold. Firms missing one are
  left out of the adjusted specifications (count kept); absent covariates -> unadjusted;
* Callaway–Sant'Anna: doubly robust, not-yet-treated comparison, the covariates plus sector
  indicators when a sector is observed (:func:`cs_covariates`: the same conditioning as the
  regressions' sector-by-year effects; on the default simulation, without them the truth is
  missed by about +0.013), influence functions summed by cluster, normal critical values;
* Sun–Abraham, imputation and TWFE with *conditional trends* (``conditional_trends``, on by
  default): sector-by-year fixed effects when a sector is observed and, for each covariate, a
  linear trend ``covariate x (year - base year)``. A time-invariant covariate enters a
  fixed-effects regression only through such a trend; the origin of the trend is absorbed by
  the firm effects, so any base year gives the same estimates.

Overall effects of the event-study estimators (Sun–Abraham, imputation) average the
post-entry event-time effects weighted by their numbers of treated firm-years (fixest's
``aggregate(agg = "att")`` for Sun–Abraham; the BJS average over all treated observations).

Functions take a :class:`StudyContext` (what the pages pass) or, for older callers, the
:class:`~evaluation.config.Settings` (the context is then read from the data at hand).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from evaluation.analysis.context import ESTIMATORS, MIN_CLUSTERS_FOR_INFERENCE, StudyContext
from evaluation.config import Settings
from evaluation.estimators.results import EstimationResult, FewClustersWarning, tidy_frame

UNIT, TIME, COHORT = "firm_id", "year", "cohort"
# Comparison group each estimator uses (recorded with every effect; see Effect.spec).
CONTROL_GROUP = {
    "did_2x2": "never_treated",
    "twfe": "",
    "cs": "not_yet_treated",
    "sunab": "never_treated",
    "imputation": "not_yet_treated",
}
# Errors of an estimator that mean "these data cannot support this specification".
DATA_ERRORS = (ValueError, KeyError, np.linalg.LinAlgError, ZeroDivisionError)

Study = StudyContext | Settings


# --- the specification that runs ------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    """What a specification conditions on and how it infers, resolved from the data.

    ``cluster`` is the inference cluster column actually used (``fallback`` when it is the
    firm because ``analysis.cluster`` is not in the data); ``covariates`` the configured
    covariates observed in the data; ``sectors`` whether a sector is observed with at least two
    levels (sector-by-year effects, sector indicators); ``base_year`` the origin of the trends.
    """

    cluster: str
    fallback: bool
    requested_cluster: str | None
    covariates: tuple[str, ...]
    sectors: bool
    base_year: int


def _observed(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and bool(frame[column].notna().any())


def _settings(study: Study | None) -> Settings:
    if study is None:
        from evaluation.config import load_settings

        return load_settings()
    return study.settings if isinstance(study, StudyContext) else study


def resolve_spec(study: Study | None, data: pd.DataFrame) -> Spec:
    """The cluster, covariates, sector conditioning and trend origin for ``data``.

    With a :class:`StudyContext` its cluster and covariates are used (they were read from the
    full panel); with settings they are read from ``data``. Either way a column must be
    observed in ``data`` to be used.
    """
    settings = _settings(study)
    requested = settings.analysis.cluster
    if isinstance(study, StudyContext):
        cluster, fallback = study.cluster, study.cluster_fallback
        covariates = tuple(c for c in study.covariates if _observed(data, c))
        years = study.years
        base = years.base or years.baseline or years.first
    else:
        if requested and _observed(data, requested):
            cluster, fallback = requested, False
        else:
            cluster, fallback = UNIT, True
        covariates = tuple(c for c in settings.analysis.covariates if _observed(data, c))
        base = settings.analysis.base_year
    if cluster != UNIT and not _observed(data, cluster):
        cluster, fallback = UNIT, True
    if base is None:
        base = int(data[TIME].min()) if TIME in data and len(data) else 0
    sectors = _observed(data, "sector") and data["sector"].dropna().nunique() > 1
    return Spec(cluster, fallback, requested, covariates, bool(sectors), int(base))


# --- the estimation sample ------------------------------------------------------------------
class NotEstimable(ValueError):
    """The data cannot support an analysis; ``message`` is a catalogue id, ``values`` its
    placeholders. Pages render it with ``sections.not_available`` instead of failing."""

    def __init__(self, message: str, text: str = "", **values: Any) -> None:
        super().__init__(text or message)
        self.message = message
        self.values = values


def estimation_sample(
    panel: pd.DataFrame,
    outcome: str,
    study: Study | None = None,
    *,
    conditional_trends: bool = True,
    trend_covariates: Sequence[str] | None = None,
    base_year: int | None = None,
) -> pd.DataFrame:
    """Responding firm-years with the outcome observed, ready for every specification.

    Adds ``after`` (from the first cohort's year on), ``sector_year`` (when a sector is
    observed) and a ``<covariate>_trend`` column per observed trend covariate (see
    :func:`trends`). Firms treated at or before the first panel year are left out (no
    pre-period). ``data.attrs["excluded"]`` counts the firms left out by reason
    (``always_treated``, ``missing_covariates``: firms without a covariate value stay in the
    sample but leave the covariate-adjusted specifications, see :func:`adjusted`).

    Raises :class:`NotEstimable` when the outcome is not in the data or no participating firm
    has it observed.
    """
    spec = resolve_spec(study, panel)
    covariates = list(spec.covariates if trend_covariates is None else trend_covariates)
    base = spec.base_year if base_year is None else base_year
    if outcome not in panel.columns or not panel[outcome].notna().any():
        raise NotEstimable(
            "missing.outcome",
            f"outcome {outcome!r} is not observed in the panel",
            outcome=outcome,
            reason="no firm-year of the panel has a value of it",
        )
    answered = panel["responded"] == 1 if _observed(panel, "responded") else True
    data = panel[answered & panel[outcome].notna()].copy()
    if data[COHORT].isna().any():  # missing cohort = never treated
        data[COHORT] = data[COHORT].fillna(0).astype(int)
    first = int(panel[TIME].min())
    if isinstance(study, StudyContext) and study.years.first is not None:
        first = int(study.years.first)
    early = data[COHORT].between(1, first)
    always = int(data.loc[early, UNIT].nunique())
    data = data[~early]
    cohorts = data.loc[data[COHORT] > 0, COHORT]
    if cohorts.empty:
        raise NotEstimable(
            "missing.treated",
            f"no participating firm has an observed {outcome!r}: nothing to estimate",
        )
    if "treated" not in data.columns or data["treated"].isna().any():
        data["treated"] = ((data[COHORT] > 0) & (data[TIME] >= data[COHORT])).astype(int)
    if "participant" not in data.columns or data["participant"].isna().any():
        data["participant"] = (data[COHORT] > 0).astype(int)
    data["after"] = (data[TIME] >= int(cohorts.min())).astype(int)
    if conditional_trends:
        if spec.sectors:
            data["sector_year"] = data["sector"].astype(str) + ":" + data[TIME].astype(str)
        for name in covariates:
            if name not in data.columns:
                raise KeyError(f"covariate {name!r} (analysis.covariates) is not a panel column")
            data[f"{name}_trend"] = data[name] * (data[TIME] - base)
    missing = data[list(covariates)].isna().any(axis=1) if covariates else None
    data = data.reset_index(drop=True)
    data.attrs["excluded"] = {
        "always_treated": always,
        "missing_covariates": 0
        if missing is None
        else int(data.loc[missing.values, UNIT].nunique()),
    }
    return data


def adjusted(data: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """``data`` without the firms that miss a value of one of ``covariates``."""
    if not covariates:
        return data
    bad = data.loc[data[list(covariates)].isna().any(axis=1), UNIT].unique()
    if len(bad) == 0:
        return data
    out = data[~data[UNIT].isin(bad)].reset_index(drop=True)
    out.attrs = dict(data.attrs)
    return out


def trends(study: Study, conditional_trends: bool, data: pd.DataFrame | None = None):
    """The fixed effects and trend covariates of the regression estimators.

    Sector-by-year effects only when ``data`` (default: assume present) hold a sector; one
    trend per observed covariate. Returns ``(fixed_effects or None, covariates or None)``.
    """
    if not conditional_trends:
        return None, None
    if data is None:
        covs = list(_settings(study).analysis.covariates)
        return "sector_year", [f"{c}_trend" for c in covs] or None
    spec = resolve_spec(study, data)
    fe = "sector_year" if spec.sectors and "sector_year" in data.columns else None
    covs = [f"{c}_trend" for c in spec.covariates if f"{c}_trend" in data.columns]
    return fe, covs or None


def cs_covariates(
    data: pd.DataFrame, study: Study, *, sectors: bool = True
) -> tuple[pd.DataFrame, list[str] | None]:
    """Callaway–Sant'Anna covariates: the observed ``analysis.covariates`` plus sector indicators.

    The regression estimators condition on sector through sector-by-year fixed effects;
    Callaway–Sant'Anna conditions on covariates in each 2x2 comparison, so sector enters as
    indicators (``sector_<code>``, the first sector present is the base). Sectors where a
    cohort has no firm get propensity score 0 in that cohort's comparisons (the separated-
    logit limit, see ``evaluation.estimators.santanna_zhao``). Returns the data with the
    indicator columns added and the covariate names (None when there are none).
    """
    spec = resolve_spec(study, data)
    covs = list(spec.covariates)
    if sectors and spec.sectors:
        levels = sorted(data["sector"].dropna().astype(str).unique())
        data = data.copy()
        for level in levels[1:]:
            name = f"sector_{level}"
            data[name] = (data["sector"].astype(str) == level).astype(float)
            covs.append(name)
    return data, covs or None


def n_treated_firms(data: pd.DataFrame) -> int:
    """Participating firms with at least one observed post-entry firm-year."""
    return int(data.loc[data["treated"] == 1, UNIT].nunique())


# --- results ------------------------------------------------------------------------------
@dataclass
class Effect:
    """One estimator's overall effect with CRV1 (or analytic) and wild-bootstrap inference.

    ``spec`` holds the specification that ran, as the estimates table records it: ``cluster``
    (column), ``n_clusters``, ``covariates`` (", "-joined; "" = none; "sector" when sector
    effects or indicators entered), ``control_group`` and ``conditional_trends``.
    """

    key: str
    result: EstimationResult
    term: str
    bootstrap: EstimationResult | None = None
    dynamic: EstimationResult | None = None
    extra: dict = field(default_factory=dict)
    spec: dict = field(default_factory=dict)

    def row(self) -> pd.Series:
        return self.result.tidy().set_index("term").loc[self.term]

    def columns(self, sample: str = "all") -> dict[str, Any]:
        """The spec columns to record beside the estimate (``record(..., **columns)``)."""
        return {**self.spec, "sample": sample}

    @property
    def inference(self) -> bool:
        """Whether intervals are shown (enough clusters for cluster-robust inference)."""
        return int(self.spec.get("n_clusters") or 0) >= MIN_CLUSTERS_FOR_INFERENCE


def _spec_columns(
    key: str, spec: Spec, data: pd.DataFrame, covariates: Sequence[str], conditional: bool
) -> dict[str, Any]:
    return {
        "cluster": spec.cluster,
        "n_clusters": int(data[spec.cluster].nunique()) if spec.cluster in data else 0,
        "covariates": ", ".join(covariates),
        "control_group": CONTROL_GROUP.get(key, ""),
        "conditional_trends": bool(conditional),
    }


def _regression_covariates(spec: Spec, fe: str | None, covs: Sequence[str] | None) -> list[str]:
    used = [c.removesuffix("_trend") for c in covs or []]
    return used + (["sector"] if fe else [])


def _noted(call: Callable, *args, **kwargs) -> EstimationResult:
    """Run an estimator, turning its data warnings into notes of the result (shown under the
    page's table) instead of stderr text in the report."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", FewClustersWarning)
        result = call(*args, **kwargs)
    texts = [str(w.message) for w in caught if not issubclass(w.category, FewClustersWarning)]
    return result.with_notes(*texts) if texts else result


def quiet_few_clusters() -> None:
    """Silence the few-clusters warning on report pages: every CRV1 number printed there has
    the wild cluster bootstrap beside it, and the result's notes keep the warning's text."""
    warnings.simplefilter("ignore", FewClustersWarning)


def _require_comparison(data: pd.DataFrame) -> None:
    if not (data[COHORT] == 0).any():
        raise NotEstimable("missing.comparison", "no never-treated comparison firms")


def did_effect(
    data: pd.DataFrame, outcome: str, study: Study, *, replications: int, seed: int
) -> Effect:
    """The 2x2 DiD: participants vs never-treated firms, after vs before the first cohort,
    with its wild cluster bootstrap. Needs never-treated firms (:class:`NotEstimable`)."""
    from evaluation.estimators import did_2x2, wild_cluster_bootstrap

    _require_comparison(data)
    spec = resolve_spec(study, data)
    did = did_2x2(data, outcome, "participant", "after", cluster=spec.cluster)
    boot = wild_cluster_bootstrap(
        did, "participant:after", spec.cluster, data=data, replications=replications, seed=seed
    )
    return Effect(
        "did_2x2",
        did,
        "participant:after",
        bootstrap=boot,
        spec=_spec_columns("did_2x2", spec, data, [], False),
    )


def main_effects(
    data: pd.DataFrame,
    outcome: str,
    study: Study,
    *,
    replications: int,
    seed: int,
    conditional_trends: bool = True,
) -> list[Effect]:
    """The 2x2 DiD (participants vs comparison, after vs before the first cohort) and TWFE,
    each with its wild cluster bootstrap. (Callers that must survive thin data use
    :func:`did_effect` and :func:`twfe_effect` through :func:`attempt`.)"""
    return [
        did_effect(data, outcome, study, replications=replications, seed=seed),
        twfe_effect(
            data,
            outcome,
            study,
            replications=replications,
            seed=seed,
            conditional_trends=conditional_trends,
        ),
    ]


def twfe_effect(
    data: pd.DataFrame,
    outcome: str,
    study: Study,
    *,
    replications: int,
    seed: int,
    conditional_trends: bool = True,
) -> Effect:
    """The static TWFE effect of ``treated`` (with the trend controls of :func:`trends`) and
    its wild cluster bootstrap. Firms missing a trend covariate leave this specification."""
    from evaluation.estimators import twfe, wild_cluster_bootstrap

    spec = resolve_spec(study, data)
    fe, covs = trends(study, conditional_trends, data)
    used = _regression_covariates(spec, fe, covs)
    data = adjusted(data, [c.removesuffix("_trend") for c in covs or []])
    if data["treated"].nunique() < 2:
        raise NotEstimable("missing.treated", "no variation in treatment")
    res = _noted(
        twfe,
        data,
        outcome,
        UNIT,
        TIME,
        "treated",
        covariates=covs,
        cluster=spec.cluster,
        fixed_effects=fe,
    )
    boot = wild_cluster_bootstrap(
        res, "treated", spec.cluster, data=data, replications=replications, seed=seed
    )
    return Effect(
        "twfe",
        res,
        "treated",
        bootstrap=boot,
        spec=_spec_columns("twfe", spec, data, used, conditional_trends),
    )


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


def _regression_event_study(
    data: pd.DataFrame, outcome: str, study: Study, method: str, conditional_trends: bool
) -> tuple[EstimationResult, pd.DataFrame, list[str]]:
    from evaluation.estimators import event_study

    spec = resolve_spec(study, data)
    fe, covs = trends(study, conditional_trends, data)
    used = _regression_covariates(spec, fe, covs)
    data = adjusted(data, [c.removesuffix("_trend") for c in covs or []])
    if method == "sunab":
        _require_comparison(data)
    res = _noted(
        event_study,
        data,
        outcome,
        UNIT,
        TIME,
        COHORT,
        method=method,
        cluster=spec.cluster,
        fixed_effects=fe,
        covariates=covs,
    )
    return res, data, used


def staggered_effects(
    data: pd.DataFrame,
    outcome: str,
    study: Study,
    *,
    replications: int,
    seed: int,
    conditional_trends: bool = True,
    estimators: Sequence[str] = ESTIMATORS,
    skipped: dict[str, NotEstimable] | None = None,
) -> dict[str, Effect]:
    """Overall and event-time effects of TWFE, Callaway–Sant'Anna, Sun–Abraham and imputation.

    With ``skipped`` (a dict) an estimator the data cannot support is left out and its
    :class:`NotEstimable` reason stored there; without it the error propagates.
    """
    spec = resolve_spec(study, data)
    out: dict[str, Effect] = {}
    for key in estimators:
        if key not in ESTIMATORS:
            raise ValueError(f"unknown estimator {key!r}; expected one of {ESTIMATORS}")
        try:
            if key == "twfe":
                static = twfe_effect(
                    data, outcome, study, replications=replications, seed=seed,
                    conditional_trends=conditional_trends,
                )  # fmt: skip
                static.dynamic, _, _ = _regression_event_study(
                    data, outcome, study, "twfe", conditional_trends
                )
                out[key] = static
            elif key == "cs":
                out[key] = primary_cs(data, outcome, study)
            else:
                dyn, used_data, used = _regression_event_study(
                    data, outcome, study, key, conditional_trends
                )
                out[key] = Effect(
                    key,
                    _overall_from_event_times(dyn, used_data, key),
                    "overall",
                    dynamic=dyn,
                    spec=_spec_columns(key, spec, used_data, used, conditional_trends),
                )
        except DATA_ERRORS as err:
            if skipped is None:
                raise
            skipped[key] = as_not_estimable(err)
    return out


def as_not_estimable(err: Exception) -> NotEstimable:
    """An estimator's data error as a :class:`NotEstimable` (``missing.estimator``)."""
    if isinstance(err, NotEstimable):
        return err
    reason = str(err).split("\n")[0][:200]
    return NotEstimable("missing.estimator", reason, reason=reason)


def attempt(call: Callable, *args, **kwargs) -> Any:
    """``call(*args, **kwargs)``, or the :class:`NotEstimable` the data raised."""
    try:
        return call(*args, **kwargs)
    except DATA_ERRORS as err:
        return as_not_estimable(err)


def event_study_spec(
    data: pd.DataFrame,
    outcome: str,
    study: Study,
    *,
    method: str,
    conditional_trends: bool = True,
) -> EstimationResult:
    """The page's event study: ``cs`` with the pre-specified covariates and a not-yet-treated
    comparison (universal base period); regression methods with sector-by-year effects.
    ``result.info["columns"]`` holds the spec columns recorded with it (see :class:`Effect`);
    ``result.spec`` stays the estimator's :class:`~evaluation.estimators.results.ModelSpec`."""
    from evaluation.estimators import event_study

    spec = resolve_spec(study, data)
    if method == "cs":
        data = adjusted(data, spec.covariates)
        data, cs_covs = cs_covariates(data, study, sectors=conditional_trends)
        res = _noted(
            event_study,
            data,
            outcome,
            UNIT,
            TIME,
            COHORT,
            method="cs",
            covariates=cs_covs,
            cluster=spec.cluster,
            cs_options={"control_group": "not_yet", "method": "dr"},
        )
        columns = _spec_columns("cs", spec, data, _cs_used(spec, cs_covs), conditional_trends)
        return replace(res, info={**res.info, "columns": columns})
    res, used_data, used = _regression_event_study(data, outcome, study, method, conditional_trends)
    columns = _spec_columns(method, spec, used_data, used, conditional_trends)
    return replace(res, info={**res.info, "columns": columns})


def _cs_used(spec: Spec, cs_covs: Sequence[str] | None) -> list[str]:
    covs = [c for c in cs_covs or [] if not c.startswith("sector_") or c in spec.covariates]
    sector = len(covs) < len(cs_covs or [])
    return covs + (["sector"] if sector else [])


def primary_cs(
    data: pd.DataFrame, outcome: str, study: Study, *, allow_unbalanced: bool = False
) -> Effect:
    """The pre-specified Callaway–Sant'Anna specification: overall (simple) and dynamic.

    By default on the firms observed in every year (R ``did``'s balanced panel); with
    ``allow_unbalanced`` on every observed firm-year (repeated-cross-section 2x2s), the
    attrition check of notebook 10. Firms missing a covariate are left out.
    """
    from evaluation.estimators import callaway_santanna

    spec = resolve_spec(study, data)
    data = adjusted(data, spec.covariates)
    data, cs_covs = cs_covariates(data, study)
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
        cluster=spec.cluster,
        allow_unbalanced=allow_unbalanced,
    )
    simple = cs.aggregate("simple")
    simple = replace(simple, notes=list(dict.fromkeys([*cs.notes, *simple.notes])))
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
    columns = _spec_columns("cs", spec, data, _cs_used(spec, cs_covs), True)
    if simple.n_clusters:
        columns["n_clusters"] = int(simple.n_clusters)
    return Effect(
        "cs",
        simple,
        "overall",
        dynamic=dynamic_es,
        extra={"att_gt": cs, "pretest": cs.pretest()},
        spec=columns,
    )


# --- the truth of simulated data ------------------------------------------------------------
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
    if sample in ("women_led", "men_led") and "by_women_led" in est:
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


# --- subgroups ----------------------------------------------------------------------------
def subgroup_effects(
    data: pd.DataFrame, outcome: str, study: Study, dimension: str
) -> pd.DataFrame:
    """The primary estimator (Callaway–Sant'Anna) on each level of ``dimension`` separately.

    For ``cohort`` the cohort-specific averages of the full-sample fit are used (R ``did``'s
    group aggregation), since a cohort alone has no comparison of its own. A subgroup the
    estimator cannot handle (too few firms, no overlap) gets a missing estimate and the
    reason in ``note``; ``n_treated`` counts its participating firms, for suppression.
    """
    cluster = resolve_spec(study, data).cluster
    rows = []
    if dimension == "cohort":
        cs = primary_cs(data, outcome, study).extra["att_gt"]
        groups = cs.aggregate("group").tidy()
        for _, r in groups[groups["term"] != "overall"].iterrows():
            g = int(r["group"])
            n = int(data.loc[(data[COHORT] == g) & (data["treated"] == 1), UNIT].nunique())
            k = int(data.loc[data[COHORT].isin([0, g]), cluster].nunique())
            rows.append({"subgroup": g, **_tidy_part(r), "n_treated": n, "clusters": k, "note": ""})
        return _withhold_few_clusters(pd.DataFrame(rows))
    if dimension not in data.columns:
        raise KeyError(f"subgroup dimension {dimension!r} is not a column of the panel")
    for level, sub in data.groupby(dimension, sort=True):
        n = n_treated_firms(sub)
        k = int(sub[cluster].nunique())
        try:
            r = primary_cs(sub, outcome, study).row()
            rows.append(
                {"subgroup": level, **_tidy_part(r), "n_treated": n, "clusters": k, "note": ""}
            )
        except DATA_ERRORS as err:
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
    # cluster-robust inference from a handful of clusters is meaningless (CRV1 with G = 2
    # gives near-zero standard errors): keep the estimate, withhold its inference
    if frame.empty:
        return frame.assign(few_clusters=pd.Series(dtype=bool))
    few = frame["clusters"] < MIN_CLUSTERS_FOR_INFERENCE
    frame.loc[few, ["std_error", "p_value", "conf_low", "conf_high"]] = np.nan
    frame["few_clusters"] = few
    return frame


def _tidy_part(r: pd.Series) -> dict:
    return {k: float(r[k]) for k in ("estimate", "std_error", "p_value", "conf_low", "conf_high")}


def primary_effect(
    data: pd.DataFrame, outcome: str, study: Study, *, replications: int, seed: int
) -> Effect:
    """The pre-specified estimator (``analysis.primary_estimator``) on ``outcome``."""
    key = _settings(study).analysis.primary_estimator
    if key == "cs":
        return primary_cs(data, outcome, study)
    if key in ESTIMATORS:
        return staggered_effects(
            data, outcome, study, replications=replications, seed=seed, estimators=[key]
        )[key]
    raise ValueError(f"config analysis.primary_estimator={key!r}: expected one of {ESTIMATORS}")


__all__ = [
    "CONTROL_GROUP",
    "ESTIMATORS",
    "MIN_CLUSTERS_FOR_INFERENCE",
    "Effect",
    "NotEstimable",
    "Spec",
    "adjusted",
    "attempt",
    "cs_covariates",
    "did_effect",
    "estimation_sample",
    "event_study_spec",
    "main_effects",
    "n_treated_firms",
    "primary_cs",
    "primary_effect",
    "resolve_spec",
    "staggered_effects",
    "subgroup_effects",
    "trends",
    "truth_comparison",
    "truth_for",
    "twfe_effect",
]


MONEY_HINTS = ("sales", "value_added", "productivity", "usd", "exports", "wage", "capital")


def uses_money(study: StudyContext, outcome: str) -> bool:
    """Whether a built-in outcome is a money amount or built from one (its page then says when
    money is nominal); declared outcomes say so through their ``unit``."""
    info = study.outcome(outcome)
    if info.source == "declared":
        declared = study.settings.outcomes.get(outcome)
        unit = str(getattr(declared, "unit", "") or "").lower()
        return any(k in unit for k in ("usd", "money", "currency", "$"))
    return any(k in outcome for k in MONEY_HINTS)
