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
# 04 Event study
# Dynamic effects by years since entry, the joint pre-trend test, and the plot.
# (Developer note, not shown: the pages print only cell outputs, in the report language.)

# %% tags=["parameters"]
outcome = "primary"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
method = "cs"
conditional_trends = True

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="04_event_study")

# %%
from matplotlib import rc_context
from matplotlib.figure import Figure

from evaluation.analysis import effects
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel
from evaluation.estimators.presentation import coefplot
from evaluation.pipeline import record, record_value
from evaluation.reporting import figures, sections
from evaluation.reporting.sections import heading, say, show
from evaluation.reporting.tables import estimates_table
from evaluation.reporting.translations import fmt_number, fmt_p, t

effects.quiet_few_clusters()
if method not in ("twfe", "sunab", "imputation", "cs"):
    raise ValueError(f"parameter method={method!r}: expected one of twfe, sunab, imputation, cs")
settings = load_settings()
folder = sections.resolve(processed_dir)
ctx = study_context(settings, load_panel(folder), processed=folder)
outcome = ctx.resolve_outcome(outcome)
label = sections.outcome_label(outcome, language, ctx)
panel = load_panel(folder, sample)
data = effects.attempt(
    effects.estimation_sample, panel, outcome, ctx, conditional_trends=conditional_trends
)
study = pretrend = None
if not isinstance(data, effects.NotEstimable):
    study = effects.attempt(
        effects.event_study_spec,
        data,
        outcome,
        ctx,
        method=method,
        conditional_trends=conditional_trends,
    )
if study is not None and not isinstance(study, effects.NotEstimable):
    spec = study.info["columns"]
    record(study, label=f"event study ({method})", **spec, sample=sample)
    pretrend = effects.attempt(study.pretrend_test)  # no pre-period: NotEstimable
    if isinstance(pretrend, dict):
        record_value("pretrend_statistic", pretrend["statistic"])
        record_value("pretrend_p_value", pretrend["p_value"])

# %%
heading("nb04.title", language, level=1)
if panel.empty:
    sections.not_available(
        "missing.sample", language, sample=sections.sample_label(sample, language)
    )
elif isinstance(data, effects.NotEstimable):
    sections.not_available(data.message, language, **data.values)
elif isinstance(study, effects.NotEstimable):
    say("missing.analysis", language, analysis=t(f"est.{method}", language), reason=str(study))
else:
    say(
        "nb04.intro",
        language,
        outcome=sections.inline(label),
        ref=study.ref_period if study.ref_period is not None else -1,
        estimator=t(f"est.{method}", language),
        sample=sections.sample_label(sample, language),
    )
    # the library's coefficient plot in the house style: texts from the catalogue, the
    # palette of reporting.figures, the language's decimal separator
    with rc_context(figures.STYLE):
        figure = Figure(figsize=(7.5, 4.8), layout="constrained")
        coefplot(
            study,
            ax=figure.add_subplot(),
            labels=[t(f"est.{method}", language)],
            colors=[figures.PALETTE[3]],
            title=t("fig.event_study.title", language),
            xlabel=t("common.event_time", language),
            ylabel=t("fig.event_study.y", language, outcome=label.split(" (")[0]),
            reference_label=t("fig.reference", language) if study.ref_period is not None else None,
            number_format=lambda v: fmt_number(v, language, 2),
            legend_below=True,
        )
    show(figure)

# %%
if isinstance(pretrend, dict):
    df = (
        pretrend["df1"]
        if pretrend["distribution"] == "chi2"
        else f"{pretrend['df1']}, {pretrend['df2']:g}"
    )
    say(
        "nb04.pretest",
        language,
        stat=fmt_number(pretrend["statistic"], language, 2),
        df=df,
        p=fmt_p(pretrend["p_value"], language),
    )
    say(
        "nb04.pretest.reject"
        if pretrend["p_value"] < settings.analysis.alpha
        else "nb04.pretest.accept",
        language,
    )
elif study is not None and not isinstance(study, effects.NotEstimable):
    sections.not_available("missing.pretrend", language)

# %%
if study is not None and not isinstance(study, effects.NotEstimable):
    heading("nb04.table.heading", language)
    tidy = study.tidy().dropna(subset=["std_error"]).copy()
    tidy["term"] = tidy["event_time"].astype(int).astype(str)
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
    show(
        estimates_table(
            tidy,
            language=language,
            caption=t("common.event_time", language),
            notes=[
                sections.spec_text(
                    spec, t(f"est.{method}", language), study.nobs, sample, language, ctx
                ),
                study.vcov_type,
                *study.notes,
                conditioning,
                *sections.exclusion_notes(data, language, ctx),
                *sections.context_notes(ctx, language, money=effects.uses_money(ctx, outcome)),
                *(
                    [t("report.interpretation_logs", language)]
                    if ctx.outcome(outcome).kind == "log"
                    else []
                ),
            ],
        )
    )
