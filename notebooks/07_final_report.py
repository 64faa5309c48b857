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
# 07 Final evaluation report
# Executive summary, logframe table, main results, robustness, gender, methods and
# limitations, in the language of the `language` parameter. The primary outcome and
# estimator come from config/evaluation.yml (pre-specified); the primary numbers are computed
# here from the processed data, the robustness table and the diagnostics are read from what the
# other pages recorded in this run (reports/estimates.parquet, reports/values.json).
# (Developer note, not shown: the pages print only cell outputs, in the report language.)

# %% tags=["parameters"]
outcome = "log_labor_productivity"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
reports_dir = "reports"
bootstrap_reps = 9999

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="07_final_report")

# %%

from evaluation import indicators
from evaluation.config import load_settings
from evaluation.data.load import load_panel, load_truth
from evaluation.pipeline import record, record_value
from evaluation.reporting import effects, figures, final, sections
from evaluation.reporting.sections import heading, say, show
from evaluation.reporting.tables import estimates_table, publish_table
from evaluation.reporting.translations import (
    fmt_effect,
    fmt_int,
    fmt_interval,
    fmt_number,
    t,
    variable_label,
)

effects.quiet_few_clusters()
settings = load_settings()
analysis = settings.analysis
min_cell = analysis.min_cell
primary_outcome = analysis.primary_outcome
estimator_key = analysis.primary_estimator
panel = load_panel(sections.resolve(processed_dir), sample)
data = effects.estimation_sample(panel, primary_outcome)
primary = effects.primary_effect(data, primary_outcome, settings, reps=bootstrap_reps, seed=seed)
record(primary.result, label="primary", role="primary")
row = primary.row()
n_clusters = primary.result.n_clusters
if estimator_key == "cs":
    inference = t(
        "inf.if_cluster",
        language,
        cluster=sections.cluster_name(analysis.cluster, language),
        n_clusters=n_clusters,
    )
else:
    inference = primary.result.vcov_type
by_gender = effects.subgroup_effects(data, primary_outcome, settings, "women_led")
truth = effects.truth_for(load_truth(sections.resolve(raw_dir)), primary_outcome, sample)
run_values = final.load_run_values(sections.resolve(reports_dir))
run_estimates = final.load_run_estimates(sections.resolve(reports_dir))
firms = panel.drop_duplicates("firm_id")
_ = record_value("primary_estimate", row["estimate"])

# %%
heading("final.title", language, level=1)
say("final.subtitle", language)
heading("final.summary.heading", language)
say(
    "final.summary.program",
    language,
    n_participants=fmt_int(firms["participant"].sum(), language),
    n_comparison=fmt_int((firms["participant"] == 0).sum(), language),
    first_year=int(panel["year"].min()),
    last_year=int(panel["year"].max()),
)
say(
    "final.summary.primary",
    language,
    outcome=sections.inline(variable_label(primary_outcome, language)),
    effect=fmt_effect(row["estimate"], language),
    ci=fmt_interval(row["conf_low"], row["conf_high"], language),
    estimator=t(f"est.{estimator_key}", language),
    inference=inference,
)
covers_zero = row["conf_low"] <= 0 <= row["conf_high"]
say("final.summary.not_significant" if covers_zero else "final.summary.significant", language)
gender = {int(r.subgroup): r for r in by_gender.itertuples()}
say(
    "final.summary.gender",
    language,
    women=final.effect_text(gender.get(1), language, min_cell),
    men=final.effect_text(gender.get(0), language, min_cell),
)
if truth is not None:
    say(
        "final.summary.truth",
        language,
        truth=fmt_number(truth["overall"], language, 3),
        error=fmt_number(row["estimate"] - truth["overall"], language, 3),
    )
say("final.summary.source", language)
say("final.primary_note", language)

# %%
heading("final.logframe.heading", language)
primary_item = final.OutcomeEffect(
    "primary", primary_outcome, primary, effects.n_treated_firms(data)
)
outcome_items, skipped = final.outcome_effects(
    panel, primary_item, settings, reps=bootstrap_reps, seed=seed
)
for item in outcome_items[1:]:
    record(item.effect.result, label="secondary", role="secondary")
computed = None
if final.recorded(run_values.frame, "logframe") is None:
    # the indicators page did not record one: the same table, from this report's estimates
    summaries = {
        item.outcome: indicators.effect_summary(
            item.effect.result,
            item.effect.term,
            t(f"est.{estimator_key}", language),
            item.n_treated,
        )
        for item in outcome_items
    }
    computed = final.compute_logframe(
        settings,
        sections.resolve(processed_dir),
        panel,
        summaries.get(primary_outcome),
        summaries.get("linkages"),
    )
logframe, source = final.logframe_table(run_values.frame, language, computed)
if logframe is None:
    say(
        "final.logframe.missing",
        language,
        reason=run_values.reason or t("common.not_available", language),
    )
else:
    say("final.logframe.text", language)
    show(
        publish_table(
            logframe,
            min_cell=min_cell,
            language=language,
            caption=t("final.logframe.heading", language),
            notes=[t(f"final.logframe.{source}", language)],
        )
    )

# %%
heading("final.main.heading", language)
say(
    "final.main.text",
    language,
    outcome=sections.inline(variable_label(primary_outcome, language)),
    estimator=t(f"est.{estimator_key}", language),
)
main = final.main_results_frame(outcome_items, language)
show(
    estimates_table(
        main,
        language=language,
        n_column="n_treated",
        min_cell=min_cell,
        caption=t("final.main.heading", language),
        notes=[inference, t("report.interpretation_logs", language), *skipped],
    )
)

# %%
heading("final.robustness.heading", language)
if run_estimates.frame is None:
    say("final.robustness.missing", language, reason=run_estimates.reason)
else:
    robust = final.robustness_rows(run_estimates.frame, primary_outcome, language, sample=sample)
    if robust.empty:
        say("final.robustness.missing", language, reason=t("common.not_available", language))
    else:
        say("final.robustness.text", language)
        robust["label"] = robust["estimator"] + "\n" + robust["inference"]
        show(
            figures.estimates_figure(
                robust,
                group="estimator",
                language=language,
                outcome=primary_outcome,
                truth=truth["overall"] if truth else None,
            )
        )
        show(final.robustness_table(robust, language, min_cell))

# %%
heading("final.gender.heading", language)
say("final.gender.text", language)
by_gender["term"] = [
    t("common.women_led" if g else "common.men_led", language) for g in by_gender["subgroup"]
]
by_gender["statistic"] = by_gender["estimate"] / by_gender["std_error"]
show(
    estimates_table(
        by_gender, language=language, n_column="n_treated", min_cell=min_cell, notes=[inference]
    )
)

# %%
if truth is not None:
    heading("final.truth.heading", language)
    full_truth = load_truth(sections.resolve(raw_dir))
    show(
        final.truth_table(
            row["estimate"], full_truth, gender, language, min_cell, outcome=primary_outcome
        )
    )

# %%
heading("final.diagnostics.heading", language)
diag = final.diagnostics(run_values.frame, language)
if diag is None:
    say(
        "final.diagnostics.missing",
        language,
        reason=run_values.reason or t("common.not_available", language),
    )
else:
    say("final.diagnostics.text", language)
    show(final.diagnostics_table(diag, language, min_cell))

# %%
heading("final.methods.heading", language)
say(
    "final.methods.text",
    language,
    # Callaway-Sant'Anna conditions on sector indicators too (effects.cs_covariates)
    covariates=", ".join(
        variable_label(c, language).lower() for c in ["sector", *analysis.covariates]
    ),
    n_clusters=n_clusters,
    base_year=analysis.base_year,
)
heading("final.limitations.heading", language)
for key in ("selection", "clusters", "attrition", "spillovers", "subgroups"):
    say(
        f"final.limitations.{key}",
        language,
        **({"n_clusters": n_clusters} if key == "clusters" else {}),
    )
