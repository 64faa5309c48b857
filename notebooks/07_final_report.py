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
# that ran) and limitations, in the language of the `language` parameter. The primary outcome
# and estimator come from the configuration (pre-specified); the primary numbers are computed
# here, the robustness table and the diagnostics are read from what the other pages recorded
# in this run. Sections whose data are absent say so in one line.
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
from evaluation.analysis import effects, indicators
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel, load_table, load_truth
from evaluation.pipeline import load_estimates, load_values, record, record_value
from evaluation.reporting import figures, final, sections
from evaluation.reporting.indicators import worded
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

effects.quiet_few_clusters()
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


def estimate(outcome_name):
    """The pre-specified estimator on one outcome, or the reason it cannot run."""
    data = effects.attempt(effects.estimation_sample, panel, outcome_name, ctx)
    if isinstance(data, effects.NotEstimable):
        return data, None
    result = effects.attempt(
        effects.primary_effect, data, outcome_name, ctx, replications=bootstrap_reps, seed=seed
    )
    return result, data


primary, data = estimate(primary_outcome)
has_primary = not isinstance(primary, effects.NotEstimable)
if has_primary:
    record(primary.result, label="primary", role="primary", **primary.columns(sample))
    row = primary.row()
    _ = record_value("primary_estimate", row["estimate"])
    inference = t(
        "inf.if_cluster" if estimator_key == "cs" else "inf.crv1",
        language,
        cluster=sections.cluster_name(primary.spec.get("cluster", ctx.cluster), language),
        n_clusters=primary.spec.get("n_clusters", primary.result.n_clusters),
    )
truth = effects.truth_for(truth_file, primary_outcome, sample) if has_primary else None

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
    not_available(primary.message, language, **primary.values)
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
by_gender = None
if has_primary and ctx.has("women_led_groups"):
    by_gender = effects.attempt(effects.subgroup_effects, data, primary_outcome, ctx, "women_led")
    if isinstance(by_gender, effects.NotEstimable):
        by_gender = None
gender = {int(r.subgroup): r for r in by_gender.itertuples()} if by_gender is not None else {}
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
        truth=fmt_number(truth["overall"], language, 3),
        error=fmt_number(row["estimate"] - truth["overall"], language, 3),
    )
say("final.summary.source", language)
say("final.primary_note", language)

# %%
outcome_items, skipped = [], []
if has_primary:
    outcome_items.append(
        final.OutcomeEffect("primary", primary_outcome, primary, effects.n_treated_firms(data))
    )
    for name in analysis.secondary_outcomes:
        eff, sub = estimate(name)
        if isinstance(eff, effects.NotEstimable):
            skipped.append(f"{name}: {eff}")
            continue
        record(eff.result, label="secondary", role="secondary", **eff.columns(sample))
        outcome_items.append(
            final.OutcomeEffect("secondary", name, eff, effects.n_treated_firms(sub))
        )
if ctx.has("logframe"):
    heading("final.logframe.heading", language)
    computed = None
    if final.recorded(run_values.frame, "logframe") is None:
        # the indicators page recorded none: the same table, same years, from this report
        summaries = {
            item.outcome: indicators.effect_summary(
                item.effect.result, item.effect.term, t(f"est.{estimator_key}", language),
                item.n_treated,
            )
            for item in outcome_items
        }  # fmt: skip
        inputs = indicators.Inputs(
            firms=load_table("firms", folder),
            organizations=load_table("organizations", folder),
            links=load_table("links", folder),
            panel=panel, effects={"primary": summaries.get(primary_outcome)},
            baseline_year=ctx.years.baseline, endline_year=ctx.years.endline,
            outcome=primary_outcome, outcome_kind=ctx.outcome(primary_outcome).kind,
        )  # fmt: skip
        computed = worded(indicators.logframe(indicators.logframe_targets(program), inputs))
    logframe, source = final.logframe_table(run_values.frame, language, computed)
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
    not_available(primary.message, language, **primary.values)
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
            truth=truth["overall"] if truth else None,
        )
    )
    show(final.robustness_table(robust, language, min_cell))

# %%
heading("final.gender.heading", language)
if by_gender is None:
    not_available(ctx.missing("women_led_groups") if has_primary else primary.message, language,
                  **({} if has_primary else primary.values))  # fmt: skip
else:
    say("final.gender.text", language)
    by_gender["term"] = [
        t("common.women_led" if g else "common.men_led", language) for g in by_gender["subgroup"]
    ]
    by_gender["statistic"] = by_gender["estimate"] / by_gender["std_error"]
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
                   "truth": truth["overall"]}]  # fmt: skip
    for flag, r in sorted(gender.items()):
        sub = effects.truth_for(truth_file, primary_outcome, "women_led" if flag else "men_led")
        if sub is not None and r.n_treated >= min_cell and r.estimate == r.estimate:
            label = t("common.women_led" if flag else "common.men_led", language)
            truth_rows.append(
                {"label": label, "estimate": float(r.estimate), "truth": sub["overall"]}
            )
    show(final.truth_table(truth_rows, language, min_cell))

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
        {**primary.spec, "nobs": primary.result.nobs, "sample": sample},
    )
    spec |= {
        "estimator": estimator_key, "outcome": primary_outcome,
        "sample_label": sections.sample_label(str(spec.get("sample", sample)), language),
        "n_firms": data["firm_id"].nunique(), "n_treated": effects.n_treated_firms(data),
        "staggered": ctx.has("staggered"), "money": ctx.money, "base_year": ctx.years.base,
    }  # fmt: skip
    for key, values in final.methods_sentences(spec, language):
        say(key, language, **values)
else:
    not_available(primary.message, language, **primary.values)
heading("final.limitations.heading", language)
for key in ("selection", "attrition", "spillovers", "subgroups"):
    say(f"final.limitations.{key}", language)
if has_primary and int(primary.spec.get("n_clusters") or 0) < final.FEW_CLUSTERS:
    say("final.limitations.clusters", language, n_clusters=primary.spec.get("n_clusters"))
