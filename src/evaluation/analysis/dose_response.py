"""Dose-response by intensity of support: the per-firm dose and the continuous-treatment DiD.

The dose of a participating firm is its total support over the programme: the sum of the
support-hours column (the codebook column behind the study context's ``support_hours``
feature, or another column named by the page) over the years from its cohort on, up to the
last year of ``program.period`` when the configuration gives one. Comparison firms have a dose
of 0 by design: hours they report from other providers are not programme support. A
participant with no observed hours has an unknown dose and leaves the sample; one with 0 hours
is neither treated with a positive dose nor untreated and leaves it too (both counted).

The estimates are :func:`evaluation.estimators.continuous_treatment.continuous_did` (Callaway,
Goodman-Bacon and Sant'Anna 2024): a B-spline in the dose (the curve, ATT(d) and ACRT(d), and
their overall averages) and dose bins (the table), staggered cohorts aggregated by their
treated firms, clustered by the study's inference cluster. This module turns the data into
results; the page words them (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.analysis.context import VALUE_FEATURES, StudyContext
from evaluation.analysis.effects import NotEstimable, adjusted, cs_covariates, estimation_sample
from evaluation.estimators.continuous_treatment import ContinuousDiDResult, continuous_did

DOSE_FEATURE = "support_hours"
DOSE = "dose"  # the derived per-firm column added to the estimation sample
UNIT, TIME, COHORT = "firm_id", "year", "cohort"
MIN_TREATED = 10  # fewer participants with a positive dose: no curve (too thin to fit)


@dataclass(frozen=True)
class DoseSample:
    """The estimation sample with the per-firm dose, and what was left out."""

    data: pd.DataFrame  # responding firm-years with the outcome and ``dose``
    doses: pd.Series  # positive doses of the participants in the sample, by firm
    column: str  # the support column summed
    last_year: int | None  # last programme year counted (None: every year from the cohort)
    excluded: dict[str, int] = field(default_factory=dict)  # unknown_dose, zero_dose, covariates
    control_group: str = "never_treated"
    covariates: tuple[str, ...] = ()  # columns the trends are conditioned on (sector indicators)
    sectors: bool = False  # sector indicators among them


@dataclass(frozen=True)
class DoseResults:
    """The curve (parametric) and the table (binned) of one outcome."""

    parametric: ContinuousDiDResult
    binned: ContinuousDiDResult

    def finding(self) -> dict[str, float | str]:
        """Numbers of the one-sentence finding; ``direction`` says how the effect moves with
        the dose: ``rises``/``falls`` when the ACRT_overall interval excludes 0, else ``flat``."""
        tab = self.parametric.tidy().set_index("term")
        att, acrt = tab.loc["ATT_overall"], tab.loc["ACRT_overall"]
        curve = self.parametric.curve()
        if acrt.conf_low > 0:
            direction = "rises"
        elif acrt.conf_high < 0:
            direction = "falls"
        else:
            direction = "flat"
        return {
            "direction": direction,
            "att": float(att.estimate),
            "att_low": float(att.conf_low),
            "att_high": float(att.conf_high),
            "acrt": float(acrt.estimate),
            "acrt_low": float(acrt.conf_low),
            "acrt_high": float(acrt.conf_high),
            "dose_low": float(curve["dose"].iloc[0]),
            "dose_high": float(curve["dose"].iloc[-1]),
            "att_at_low": float(curve["att"].iloc[0]),
            "att_at_high": float(curve["att"].iloc[-1]),
        }


def dose_column(ctx: StudyContext, dose: str | None = None) -> str:
    """The support column: the page's ``dose`` parameter, else the context's support hours."""
    return dose or VALUE_FEATURES[DOSE_FEATURE]


def firm_doses(panel: pd.DataFrame, column: str, *, last_year: int | None = None) -> pd.Series:
    """Total support per firm from its cohort on (to ``last_year``); 0 for comparison firms,
    NaN for participants without any observed value."""
    cohort = panel[COHORT].fillna(0)
    window = (cohort > 0) & (panel[TIME] >= cohort)
    if last_year is not None:
        window &= panel[TIME] <= last_year
    hours = panel[column].where(window)
    total = hours.groupby(panel[UNIT]).sum(min_count=1)
    comparison = cohort.groupby(panel[UNIT]).first() == 0
    return total.where(~comparison, 0.0).rename(DOSE)


def dose_sample(
    panel: pd.DataFrame,
    outcome: str,
    ctx: StudyContext,
    column: str,
    *,
    conditional_trends: bool = True,
) -> DoseSample:
    """The outcome's estimation sample with the dose; NotEstimable (a message id) when the
    data cannot support a dose-response analysis.

    With ``conditional_trends`` the trends are conditioned on the study's observed
    ``analysis.covariates`` and sector indicators, as the Callaway-Sant'Anna pages do
    (:func:`evaluation.analysis.effects.cs_covariates`); firms without a covariate value leave
    the sample (counted)."""
    if column not in panel.columns or not panel[column].notna().any():
        if column == VALUE_FEATURES[DOSE_FEATURE]:
            raise NotEstimable(ctx.missing(DOSE_FEATURE), f"no values of {column!r}")
        raise NotEstimable("dose.missing.column", f"no values of {column!r}", column=column)
    period = ctx.settings.program.period
    last_year = int(period[1]) if period else None
    doses = firm_doses(panel, column, last_year=last_year)
    data = estimation_sample(panel, outcome, ctx)
    data[DOSE] = data[UNIT].map(doses)
    participant = data[COHORT] > 0
    unknown = participant & data[DOSE].isna()
    zero = participant & (data[DOSE] <= 0)
    excluded = {
        "unknown_dose": int(data.loc[unknown, UNIT].nunique()),
        "zero_dose": int(data.loc[zero, UNIT].nunique()),
    }
    data = data[~(unknown | zero)].reset_index(drop=True)
    covariates: list[str] = []
    if conditional_trends:
        data, found = cs_covariates(data, ctx)
        covariates = list(found or [])
        before = data[UNIT].nunique()
        data = adjusted(data, covariates).reset_index(drop=True)
        excluded["missing_covariates"] = int(before - data[UNIT].nunique())
    positive = data.loc[data[COHORT] > 0].groupby(UNIT)[DOSE].first()
    if len(positive) < MIN_TREATED:
        raise NotEstimable(
            "dose.missing.positive",
            f"{len(positive)} participants with a positive {column!r}",
            column=column,
            n=len(positive),
            minimum=MIN_TREATED,
        )
    if positive.nunique() < 2:
        raise NotEstimable("dose.missing.variation", "a single dose value", column=column)
    has_never = bool((data[COHORT] == 0).any())
    if not has_never and data.loc[data[COHORT] > 0, COHORT].nunique() < 2:
        raise NotEstimable("dose.missing.comparison", "no comparison firms")
    return DoseSample(
        data=data,
        doses=positive,
        column=column,
        last_year=last_year,
        excluded=excluded,
        control_group="never_treated" if has_never else "not_yet_treated",
        covariates=tuple(covariates),
        sectors=any(c.startswith("sector_") for c in covariates),
    )


def distribution(doses: pd.Series, cohorts: pd.Series | None = None) -> pd.DataFrame:
    """Summary of the participants' doses (all, and by cohort when there are several)."""
    groups = [("all", doses)]
    if cohorts is not None and cohorts.nunique() > 1:
        groups += [(str(int(g)), doses[cohorts == g]) for g in sorted(cohorts.unique())]
    rows = []
    for name, d in groups:
        q = np.quantile(d, [0.1, 0.25, 0.5, 0.75, 0.9]) if len(d) else [np.nan] * 5
        rows.append(
            {"group": name, "firms": len(d), "mean": d.mean(), "p10": q[0], "p25": q[1],
             "median": q[2], "p75": q[3], "p90": q[4], "max": d.max()}
        )  # fmt: skip
    return pd.DataFrame(rows).set_index("group")


def estimate(
    sample: DoseSample,
    outcome: str,
    ctx: StudyContext,
    *,
    degree: int = 3,
    num_knots: int = 0,
    bins: int = 4,
    alpha: float = 0.05,
    replications: int = 999,
    seed: int | None = None,
) -> DoseResults:
    """The parametric curve and the binned table of ``outcome`` (same sample and inference).

    The spline's degree is lowered when the participants have too few distinct doses for it.
    """
    distinct = int(sample.doses.nunique())
    degree = max(1, min(degree, distinct - 2 - num_knots))
    cluster = ctx.cluster if ctx.cluster in sample.data.columns else None
    common = dict(
        control_group=sample.control_group, covariates=list(sample.covariates) or None,
        alpha=alpha, replications=replications, seed=seed, cluster=cluster,
    )  # fmt: skip
    args = (sample.data, outcome, UNIT, TIME, COHORT, DOSE)
    parametric = continuous_did(*args, degree=degree, num_knots=num_knots, **common)
    binned = continuous_did(*args, method="binned", bins=bins, **common)
    return DoseResults(parametric=parametric, binned=binned)
