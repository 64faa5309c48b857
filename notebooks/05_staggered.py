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
outcome = "log_labor_productivity"
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

from evaluation.config import load_settings
from evaluation.data.load import load_panel, load_truth
from evaluation.pipeline import record, record_value
from evaluation.reporting import effects, figures, sections
from evaluation.reporting.sections import heading, say, show
from evaluation.reporting.tables import publish_table
from evaluation.reporting.translations import fmt_interval, t, variable_label

effects.quiet_few_clusters()
settings = load_settings()
panel = load_panel(sections.resolve(processed_dir), sample)
data = effects.estimation_sample(panel, outcome, conditional_trends=conditional_trends)
results = effects.staggered_effects(
    data, outcome, settings, reps=bootstrap_reps, seed=seed, conditional_trends=conditional_trends
)
for key, eff in results.items():
    record(eff.result, label=f"{key} overall")
    if eff.bootstrap is not None:
        record(eff.bootstrap, label=f"{key} wild cluster bootstrap")
    if eff.dynamic is not None:
        record(eff.dynamic, label=f"{key} dynamic")
labels = {key: t(f"est.{key}", language) for key in results}

# %%
heading("nb05.title", language, level=1)
cohorts = sorted(int(c) for c in panel["cohort"].unique() if c > 0)
say(
    "nb05.intro",
    language,
    cohorts=", ".join(map(str, cohorts)),
    outcome=sections.inline(variable_label(outcome, language)),
    sample=sections.sample_label(sample, language),
)

# %%
heading("nb05.overall.heading", language)
rows = []
for key, eff in results.items():
    r = eff.row()
    rows.append(
        {
            "label": labels[key],
            "estimate": r["estimate"],
            "std_error": r["std_error"],
            "ci": fmt_interval(r["conf_low"], r["conf_high"], language),
            "p_value": r["p_value"],
            "inference": eff.result.vcov_type,
            "nobs": int(eff.result.nobs),
            "conf_low": r["conf_low"],
            "conf_high": r["conf_high"],
        }
    )
overall = pd.DataFrame(rows)
shown = overall.drop(columns=["conf_low", "conf_high"]).set_index("label")
shown.index.name = t("common.estimator", language)
notes = sorted({n for eff in results.values() for n in eff.result.notes})
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
            *notes,
            t("spec.trends" if conditional_trends else "spec.no_trends", language),
            t("report.interpretation_logs", language),
        ],
    )
)

# %%
heading("nb05.dynamic.heading", language)
truth = effects.truth_for(load_truth(sections.resolve(raw_dir)), outcome, sample)
dynamic = pd.concat(
    [
        eff.dynamic.tidy().assign(estimator=key)
        for key, eff in results.items()
        if eff.dynamic is not None
    ],
    ignore_index=True,
).dropna(subset=["std_error"])
show(
    figures.event_study_figure(
        dynamic,
        language=language,
        outcome=outcome,
        series="estimator",
        series_labels=labels,
        truth=pd.Series(truth["att_e"]) if truth else None,
    )
)

# %%
heading("nb05.truth.heading", language)
if truth is None:
    if load_truth(sections.resolve(raw_dir)) is None:
        say("nb05.truth.absent", language)
    else:
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
            truth=truth["overall"],
            title=t("fig.truth.title", language),
        )
    )
