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
# 13 Dose-response by intensity of support (a code cell of comments: not shown on the page).
# The participants' support per firm (total of the support column from the cohort on) as a
# continuous treatment: its distribution, the ATT(d)/ACRT(d) curve with a uniform band
# (Callaway, Goodman-Bacon and Sant'Anna 2024), effects by dose bin, the assumptions in words
# and one finding from the estimates. Without a support column, participants with a positive
# dose or dose variation, the page says what is missing and the job succeeds.

# %% tags=["parameters"]
outcome = "primary"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
dose = ""
degree = 3
num_knots = 0
bins = 4
bootstrap_reps = 999
conditional_trends = True

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="13_dose_response")

# %%
from evaluation.analysis import dose_response, effects
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel
from evaluation.pipeline import record, record_value
from evaluation.reporting import sections
from evaluation.reporting.dose_response import (
    bins_table,
    digits_for,
    distribution_table,
    dose_response_figure,
)
from evaluation.reporting.sections import heading, not_available, say, show
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
folder = sections.resolve(processed_dir)
ctx = study_context(settings, load_panel(folder), processed=folder)
outcome = ctx.resolve_outcome(outcome)
label = sections.outcome_label(outcome, language, ctx)
panel = load_panel(folder, sample)
column = dose_response.dose_column(ctx, dose or None)
column_label = variable_label(column, language)
sample_data = (
    effects.attempt(
        dose_response.dose_sample,
        panel,
        outcome,
        ctx,
        column,
        conditional_trends=conditional_trends,
    )  # fmt: skip
    if not panel.empty
    else None
)
ok = sample_data is not None and not isinstance(sample_data, effects.NotEstimable)
results = None
if ok:
    results = effects.attempt(
        dose_response.estimate, sample_data, outcome, ctx, degree=degree, num_knots=num_knots,
        bins=bins, alpha=settings.analysis.alpha, replications=bootstrap_reps, seed=seed,
    )  # fmt: skip
    if isinstance(results, effects.NotEstimable):
        ok = False
is_log = ctx.outcome(outcome).kind == "log"


def effect_text(value: float) -> str:
    return fmt_effect(value, language) if is_log else fmt_number(value, language, 3)


# %%
heading("nb13.title", language, level=1)
say("nb13.intro", language, outcome=label)
if panel.empty:
    not_available("missing.sample", language, sample=sections.sample_label(sample, language))
elif not ok:
    problem = results if isinstance(results, effects.NotEstimable) else sample_data
    not_available(problem.message, language, **problem.values)
    if problem.message == ctx.missing(dose_response.DOSE_FEATURE):
        say("nb13.enable", language, column=column)

# %%
if ok:
    heading("nb13.distribution.heading", language)
    if sample_data.last_year is None:
        say("nb13.dose.definition", language, column=column_label)
    else:
        say("nb13.dose.definition_period", language, column=column_label,
            last=sample_data.last_year)  # fmt: skip
    if any(sample_data.excluded.values()):
        say("nb13.excluded", language, column=column_label,
            unknown=sample_data.excluded["unknown_dose"], zero=sample_data.excluded["zero_dose"])  # fmt: skip
    cohorts = sample_data.data.groupby("firm_id")["cohort"].first()
    table = dose_response.distribution(sample_data.doses, cohorts.reindex(sample_data.doses.index))
    say("nb13.distribution.text", language, n=fmt_int(len(sample_data.doses), language),
        column=column_label)  # fmt: skip
    show(distribution_table(table, language=language))

# %%
if ok:
    heading("nb13.assumptions.heading", language)
    say("nb13.assumptions.pt", language)
    say("nb13.assumptions.spt", language)
    plain = [c for c in sample_data.covariates if not c.startswith("sector_")]
    names = [sections.outcome_label(c, language, ctx) for c in plain]
    names += [t("spec.sector_indicators", language)] if sample_data.sectors else []
    if names:
        say("nb13.conditioning.covariates", language, covariates=", ".join(names))
    else:
        say("nb13.conditioning.none", language)
    if sample_data.excluded.get("missing_covariates"):
        say("nb13.excluded_covariates", language, n=sample_data.excluded["missing_covariates"])

# %%
if ok:
    curve_result, binned_result = results.parametric, results.binned
    spec_columns = dict(
        cluster=ctx.cluster, n_clusters=curve_result.n_clusters,
        control_group=sample_data.control_group, dose_column=column,
    )  # fmt: skip
    record(curve_result, label="continuous DiD, B-spline in the dose", **spec_columns)
    record(binned_result, label="continuous DiD, dose bins", **spec_columns)
    found = results.finding()
    record_value("dose_response_direction", found["direction"])
    record_value("dose_response_att_overall", found["att"])
    record_value("dose_response_acrt_overall", found["acrt"])
    acrt_digits = digits_for(found["acrt_low"], found["acrt_high"])
    att_ci = fmt_interval(found["att_low"], found["att_high"], language, 3)
    acrt_ci = fmt_interval(found["acrt_low"], found["acrt_high"], language, acrt_digits)
    acrt = fmt_number(found["acrt"], language, acrt_digits)

    heading("nb13.curve.heading", language)
    band = curve_result.info["band"]
    say(
        "nb13.curve.text", language, att=effect_text(found["att"]), att_ci=att_ci, acrt=acrt,
        acrt_ci=acrt_ci, column=column_label,
        n_treated=fmt_int(curve_result.info["n_treated"], language),
        n_control=fmt_int(curve_result.info["n_control"], language),
        degree=curve_result.spec["degree"], cluster=sections.cluster_name(ctx.cluster, language),
        n_clusters=curve_result.n_clusters, band=t(f"nb13.band.{band}", language),
    )  # fmt: skip
    binned_tidy = binned_result.tidy()
    show(
        dose_response_figure(
            curve_result.curve(), language=language,
            title=t("nb13.figure.title", language, outcome=label),
            dose_label=t("nb13.figure.x", language, column=column_label), overall=found["att"],
            bins=binned_tidy[binned_tidy.term.str.startswith("bin=")],
            doses=sample_data.doses,
        )
    )  # fmt: skip

# %%
if ok:
    heading("nb13.binned.heading", language)
    n_bins = int(binned_tidy.term.str.startswith("bin=").sum())
    say("nb13.binned.text", language, bins=n_bins, outcome=label)
    show(bins_table(binned_tidy, binned_result.curve(), language=language))

# %%
if ok:
    heading("nb13.finding.heading", language)
    say(
        f"nb13.finding.{found['direction']}", language, outcome=label,
        att=effect_text(found["att"]), att_ci=att_ci, acrt=acrt, acrt_ci=acrt_ci,
        column=column_label,
    )  # fmt: skip
