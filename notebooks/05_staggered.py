# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %%
# 05 Staggered adoption
# TWFE vs Callaway-Sant'Anna vs Sun-Abraham vs imputation: one table, one plot, and on
# simulated data the comparison with the true effects of the truth file.
# (Developer note, not shown: the pages print only cell outputs, in the report language.)

# %% tags=["parameters"]
outcome = "primary"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
bootstrap_reps = 9999
conditional_trends = True

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="05_staggered")

# %%
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from evaluation.analysis import effects
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel, load_truth
from evaluation.estimators.presentation import coefplot
from evaluation.pipeline import record, record_value
from evaluation.reporting import figures, sections
from evaluation.reporting.sections import heading, say, show
from evaluation.reporting.tables import publish_table
from evaluation.reporting.translations import fmt_interval, fmt_number, t

effects.quiet_few_clusters()
settings = load_settings()
folder = sections.resolve(processed_dir)
ctx = study_context(settings, load_panel(folder), processed=folder)
outcome = ctx.resolve_outcome(outcome)
label = sections.outcome_label(outcome, language, ctx)
panel = load_panel(folder, sample)
data = effects.attempt(
    effects.estimation_sample, panel, outcome, ctx, conditional_trends=conditional_trends
)
results, skipped = {}, {}
if not isinstance(data, effects.NotEstimable):
    results = effects.staggered_effects(
        data, outcome, ctx, replications=bootstrap_reps, seed=seed,
        conditional_trends=conditional_trends, skipped=skipped,
    )  # fmt: skip
for key, eff in results.items():
    record(eff.result, label=f"{key} overall", **eff.columns(sample))
    if eff.bootstrap is not None:
        record(eff.bootstrap, label=f"{key} wild cluster bootstrap", **eff.columns(sample))
    if eff.dynamic is not None:
        record(eff.dynamic, label=f"{key} dynamic", **eff.columns(sample))
labels = {key: t(f"est.{key}", language) for key in effects.ESTIMATORS}

# %%
heading("nb05.title", language, level=1)
if panel.empty:
    sections.not_available(
        "missing.sample", language, sample=sections.sample_label(sample, language)
    )
elif isinstance(data, effects.NotEstimable):
    sections.not_available(data.message, language, **data.values)
else:
    cohorts = sorted(int(c) for c in data["cohort"].unique() if c > 0)
    say(
        "nb05.intro",
        language,
        n_cohorts=len(cohorts),
        cohorts=", ".join(map(str, cohorts)),
        outcome=sections.inline(label),
        sample=sections.sample_label(sample, language),
    )
    if len(cohorts) == 1:
        sections.not_available("missing.single_cohort", language, cohort=cohorts[0])
    if not (data["cohort"] == 0).any():
        sections.not_available("missing.comparison", language)
    for key, why in skipped.items():
        say("missing.analysis", language, analysis=labels[key], reason=str(why))

# %%
if results:
    heading("nb05.overall.heading", language)
    rows = []
    for key, eff in results.items():
        r = eff.row()
        shown = eff.inference
        rows.append(
            {
                "label": labels[key],
                "estimate": r["estimate"],
                "std_error": r["std_error"] if shown else float("nan"),
                "ci": fmt_interval(r["conf_low"], r["conf_high"], language) if shown else "",
                "p_value": r["p_value"] if shown else float("nan"),
                "inference": eff.result.vcov_type,
                "nobs": int(eff.result.nobs),
                "conf_low": r["conf_low"] if shown else float("nan"),
                "conf_high": r["conf_high"] if shown else float("nan"),
            }
        )
    overall = pd.DataFrame(rows)
    shown = overall.drop(columns=["conf_low", "conf_high"]).set_index("label")
    shown.index.name = t("common.estimator", language)
    notes = sorted({n for eff in results.values() for n in eff.result.notes})
    specs = [
        sections.spec_text(eff.spec, labels[key], eff.result.nobs, sample, language, ctx)
        for key, eff in results.items()
    ]
    withheld = [
        t("inf.withheld", language, estimator=labels[key], n_clusters=eff.spec["n_clusters"],
          k=effects.MIN_CLUSTERS_FOR_INFERENCE)
        for key, eff in results.items() if not eff.inference
    ]  # fmt: skip
    conditioning = (
        sections.conditioning_text(
            [c for c in ctx.covariates if c in data.columns],
            "sector_year" in data.columns,
            language,
            ctx,
        )
        if conditional_trends
        else t("spec.no_trends", language)
    )
    logs = [t("report.interpretation_logs", language)] if ctx.outcome(outcome).kind == "log" else []
    show(
        publish_table(
            shown,
            min_cell=settings.analysis.min_cell,
            language=language,
            labels={
                "estimate": t("common.estimate", language),
                "std_error": t("common.std_error", language),
                "ci": t("common.ci", language),
                "p_value": t("common.p_value", language),
                "inference": t("common.inference", language),
                "nobs": t("common.n_obs", language),
            },
            notes=[
                *specs,
                *withheld,
                *notes,
                conditioning,
                *sections.exclusion_notes(data, language, ctx),
                *sections.context_notes(ctx, language, money=effects.uses_money(ctx, outcome)),
                *logs,
            ],
        )
    )

# %%
truth_file = load_truth(sections.resolve(raw_dir))
truth = effects.truth_for(truth_file, outcome, sample)


def event_time_effects(key, eff):
    """The estimator's event-time result; for Callaway-Sant'Anna the library's dynamic
    aggregation itself (the analysis layer keeps only its table), whose ``pretrend_test`` uses
    the joint influence-function covariance."""
    att_gt = (eff.extra or {}).get("att_gt") if key == "cs" else None
    return att_gt.aggregate("dynamic") if att_gt is not None else eff.dynamic


dynamic = {
    key: event_time_effects(key, eff)
    for key, eff in results.items()
    if eff.dynamic is not None and eff.inference
}
if dynamic:
    heading("nb05.dynamic.heading", language)
    # the library's coefficient plot in the house style: one colour and marker per estimator,
    # texts from the catalogue, the true effects by event time on simulated data
    with rc_context(figures.STYLE):
        figure = Figure(figsize=(7.5, 4.8), layout="constrained")
        coefplot(
            *dynamic.values(),
            ax=figure.add_subplot(),
            labels=[labels[key] for key in dynamic],
            colors=figures.colors(len(dynamic)),
            markers=[figures.MARKERS[i % len(figures.MARKERS)] for i in range(len(dynamic))],
            title=t("fig.event_study.title", language),
            xlabel=t("common.event_time", language),
            ylabel=t("fig.event_study.y", language, outcome=label.split(" (")[0]),
            line=pd.Series(truth["att_e"]) if truth else None,
            line_label=t("common.truth", language) if truth else None,
            line_color=figures.TRUTH_COLOR,
            reference_label=t("fig.reference", language),
            number_format=lambda v: fmt_number(v, language, 2),
            legend_below=True,
        )
    show(figure)
    # the joint pre-trend test of each estimator's event-time effects (Callaway-Sant'Anna:
    # the dynamic aggregation's own test on its influence-function covariance)
    pretrends = {
        key: effects.attempt(res.pretrend_test)
        for key, res in dynamic.items()
        if hasattr(res, "pretrend_test")
    }
    rows = [
        {
            "label": labels[key],
            "statistic": (
                f"χ²({test['df1']}) = " if test["distribution"] == "chi2"
                else f"F({test['df1']}, {test['df2']:g}) = "
            ) + fmt_number(test["statistic"], language, 2),
            "p_value": test["p_value"],
        }
        for key, test in pretrends.items()
        if isinstance(test, dict)
    ]  # fmt: skip
    for key, test in pretrends.items():
        if isinstance(test, dict):
            record_value(f"pretrend_p_value_{key}", test["p_value"])
    if rows:
        tests = pd.DataFrame(rows).set_index("label")
        tests.index.name = t("common.estimator", language)
        show(
            publish_table(
                tests,
                language=language,
                labels={
                    "statistic": t("common.statistic", language),
                    "p_value": t("common.p_value", language),
                },
                notes=[
                    f"{t('doc.gloss.pretrend', language)}: {t('doc.gloss.pretrend.text', language)}"
                ],
            )
        )
    else:
        sections.not_available("missing.pretrend", language)

# %%
# simulated data only: real data have no truth file, and then this section is silent
if truth_file is not None and results:
    heading("nb05.truth.heading", language)
    if truth is None:
        say("nb05.truth.other_sample", language, sample=sections.sample_label(sample, language))
    else:
        say("nb05.truth.text", language)
        comparison = effects.truth_comparison(results, truth, labels)
        record_value("truth_overall", truth["overall"])
        record_value(
            "truth_errors_overall",
            {
                row.label: row.error
                for row in comparison[comparison["target"] == "overall"].itertuples()
            },
        )
        comparison["target"] = [
            t("nb05.overall", language) if v == "overall" else str(v) for v in comparison["target"]
        ]
        comparison = comparison.set_index(["label", "target"])
        comparison.index.names = [t("common.estimator", language), t("nb05.target", language)]
        show(
            publish_table(
                comparison,
                min_cell=settings.analysis.min_cell,
                language=language,
                labels={
                    "estimate": t("common.estimate", language),
                    "truth": t("common.truth", language),
                    "error": t("common.error", language),
                    "covers": t("common.covers", language),
                },
                notes=[t("nb05.truth.weights", language)],
            )
        )
        show(
            figures.estimates_figure(
                overall,
                language=language,
                outcome=outcome,
                outcome_label=label,
                truth=truth["overall"],
                title=t("fig.truth.title", language),
            )
        )
