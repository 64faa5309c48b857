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
# Cover (programme name and title from config), the run's true status, executive summary,
# logframe table, main results, robustness, gender, methods (worded from the specification
# that ran) and limitations, in the language of the `language` parameter. This page estimates
# nothing: the pre-specified numbers (primary and secondary outcomes, women-led and men-led
# firms) are the ones notebook 16 recorded in stage 1 (roles primary/secondary/subgroup), the
# robustness table and the diagnostics are read from what the other pages recorded in this
# run. Sections whose data are absent say so in one line.
# (Developer note, not shown: the pages print only cell outputs, in the report language.)

# %% tags=["parameters"]
outcome = "primary"
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
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel, load_truth
from evaluation.pipeline import load_estimates, load_values
from evaluation.reporting import figures, final, sections
from evaluation.reporting.report_builder import estimand_truth
from evaluation.reporting.sections import heading, not_available, say, show
from evaluation.reporting.tables import estimates_table, publish_table
from evaluation.reporting.translations import (
    fmt_effect,
    fmt_int,
    fmt_interval,
    fmt_number,
    t,
    variable_label,
)

settings = load_settings()
analysis = settings.analysis
program = settings.program
min_cell = analysis.min_cell
folder = sections.resolve(processed_dir)
reports = sections.resolve(reports_dir)
ctx = study_context(settings, processed=folder)
primary_outcome = ctx.resolve_outcome("primary")
estimator_key = analysis.primary_estimator
panel = load_panel(folder, sample)
firms = panel.drop_duplicates("firm_id")
participant = (firms["cohort"].fillna(0) > 0).astype(int)
status = final.run_status(reports)
run_values = final.read_run(load_values, reports, "values.json")
run_estimates = final.read_run(load_estimates, reports, "estimates.parquet")
truth_file = load_truth(sections.resolve(raw_dir)) if sections.resolve(raw_dir).exists() else None
recorded_primary = [e for e in final.recorded_effects(run_estimates.frame, "primary")
                    if e.outcome == primary_outcome and e.sample == sample]  # fmt: skip
primary = recorded_primary[-1] if recorded_primary else None
has_primary = primary is not None
missing_primary = "final.recorded.missing"
missing_values = {"outcome": sections.inline(variable_label(primary_outcome, language))}
if has_primary:
    row = primary.row()
    inference = t(
        "inf.if_cluster" if estimator_key == "cs" else "inf.crv1",
        language,
        cluster=sections.cluster_name(primary.spec.get("cluster", ctx.cluster), language),
        n_clusters=primary.spec.get("n_clusters", "—"),
    )


def truth_of(sample_name):
    """The true value of the recorded estimator's own estimand on ``sample_name``."""
    sizes = final.recorded(
        run_values.frame, f"cohort_sizes primary {primary_outcome} {sample_name}"
    )
    if sizes is None and sample_name != "all":
        sizes = final.recorded(
            run_values.frame, f"cohort_sizes subgroup {primary_outcome} {sample_name}"
        )
    return estimand_truth(truth_file, primary_outcome, estimator_key, sizes, sample=sample_name)


truth = truth_of(sample) if has_primary else None

# %%
heading("final.title", language, level=1, program=program.name)
if program.title is not None:
    say("final.section.text", language, text=program.title.get(language))
if program.description is not None:
    say("final.section.text", language, text=program.description.get(language))
for key, value in (("donor", program.donor), ("implementer", program.implementer),
                   ("countries", ", ".join(program.countries))):  # fmt: skip
    if value:
        say(f"final.facts.{key}", language, value=value)
if program.period:
    say("final.facts.period", language, first=program.period[0], last=program.period[1])

# %%
heading("final.status.heading", language)
if status.error is not None:
    say("final.status.unknown", language, reason=status.error)
elif status.ok:
    say("final.status.ok", language, n_jobs=status.n_jobs)
else:
    say("final.status.problems", language, n_bad=len(status.problems), n_jobs=status.n_jobs)
    show(final.status_table(status, language))

# %%
heading("final.summary.heading", language)
say(
    "final.summary.data",
    language,
    n_participants=fmt_int(participant.sum(), language),
    n_comparison=fmt_int((participant == 0).sum(), language),
    first_year=ctx.years.first,
    last_year=ctx.years.last,
)
if not has_primary:
    not_available(missing_primary, language, **missing_values)
else:
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
gender = {}
for item in final.recorded_effects(run_estimates.frame, "subgroup"):
    if item.outcome == primary_outcome and item.sample in ("women_led", "men_led"):
        gender[int(item.sample == "women_led")] = final.subgroup_row(item)
by_gender = final.subgroup_frame(gender) if has_primary and gender else None
if by_gender is not None:
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
        truth=fmt_number(truth, language, 3),
        error=fmt_number(row["estimate"] - truth, language, 3),
    )
say("final.summary.source", language)
say("final.primary_note", language)

# %%
outcome_items, skipped = [], []
if has_primary:
    outcome_items.append(
        final.OutcomeEffect("primary", primary_outcome, primary, primary.n_treated)
    )
    secondary = {e.outcome: e for e in final.recorded_effects(run_estimates.frame, "secondary")
                 if e.sample == sample}  # fmt: skip
    for name in analysis.secondary_outcomes:
        if name not in secondary:
            skipped.append(t("final.recorded.missing_secondary", language,
                             outcome=variable_label(name, language)))  # fmt: skip
            continue
        outcome_items.append(
            final.OutcomeEffect("secondary", name, secondary[name], secondary[name].n_treated)
        )
if ctx.has("logframe"):
    heading("final.logframe.heading", language)
    logframe, source = final.logframe_table(run_values.frame, language, None)
    if logframe is None:
        reason = run_values.reason or t("common.not_available", language)
        say("final.logframe.missing", language, reason=reason)
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
if not outcome_items:
    not_available(missing_primary, language, **missing_values)
else:
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
robust = None
if run_estimates.frame is not None:
    robust = final.robustness_rows(run_estimates.frame, primary_outcome, language, sample=sample)
if run_estimates.frame is None:
    say("final.robustness.missing", language, reason=run_estimates.reason)
elif robust.empty:
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
            truth=truth,
        )
    )
    show(final.robustness_table(robust, language, min_cell))

# %%
heading("final.gender.heading", language)
if by_gender is None:
    if has_primary and ctx.has("women_led_groups"):
        not_available(missing_primary, language, **missing_values)
    elif has_primary:
        not_available(ctx.missing("women_led_groups"), language)
    else:
        not_available(missing_primary, language, **missing_values)
else:
    say("final.gender.text", language)
    by_gender["term"] = [
        t("common.women_led" if g else "common.men_led", language) for g in by_gender["subgroup"]
    ]
    show(
        estimates_table(
            by_gender, language=language, n_column="n_treated", min_cell=min_cell,
            notes=[inference],
        )
    )  # fmt: skip

# %%
if truth is not None:
    heading("final.truth.heading", language)
    truth_rows = [{"label": t("common.all", language), "estimate": row["estimate"],
                   "truth": truth}]  # fmt: skip
    for flag, r in sorted(gender.items()):
        name = "women_led" if flag else "men_led"
        sub = truth_of(name)
        if sub is not None and (r.n_treated or 0) >= min_cell and r.estimate == r.estimate:
            label = t("common." + name, language)
            truth_rows.append({"label": label, "estimate": float(r.estimate), "truth": sub})
    show(final.truth_table(truth_rows, language, min_cell, note="final.truth.own_estimand"))

# %%
heading("final.diagnostics.heading", language)
diag = final.diagnostics(run_values.frame, language)
if diag is None:
    reason = run_values.reason or t("common.not_available", language)
    say("final.diagnostics.missing", language, reason=reason)
else:
    say("final.diagnostics.text", language)
    show(final.diagnostics_table(diag, language, min_cell))

# %%
heading("final.methods.heading", language)
if has_primary:
    spec = final.primary_spec(
        run_estimates.frame,
        primary_outcome,
        {**primary.spec, "nobs": primary.nobs, "sample": sample},
    )
    spec |= {
        "estimator": estimator_key, "outcome": primary_outcome,
        "sample_label": sections.sample_label(str(spec.get("sample", sample)), language),
        "n_firms": primary.n_firms, "n_treated": primary.n_treated,
        "staggered": ctx.has("staggered"), "money": ctx.money, "base_year": ctx.years.base,
    }  # fmt: skip
    for key, values in final.methods_sentences(spec, language):
        say(key, language, **values)
else:
    not_available(missing_primary, language, **missing_values)
heading("final.limitations.heading", language)
for key in ("selection", "attrition", "spillovers", "subgroups"):
    say(f"final.limitations.{key}", language)
if has_primary and int(primary.spec.get("n_clusters") or 0) < final.FEW_CLUSTERS:
    say("final.limitations.clusters", language, n_clusters=primary.spec.get("n_clusters"))
