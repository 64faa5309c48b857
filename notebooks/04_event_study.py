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
outcome = "log_labor_productivity"
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
from evaluation.config import load_settings
from evaluation.data.load import load_panel
from evaluation.pipeline import record, record_value
from evaluation.reporting import effects, figures, sections
from evaluation.reporting.sections import heading, say, show
from evaluation.reporting.tables import estimates_table
from evaluation.reporting.translations import fmt_number, fmt_p, t, variable_label

effects.quiet_few_clusters()
if method not in ("twfe", "sunab", "imputation", "cs"):
    raise ValueError(f"parameter method={method!r}: expected one of twfe, sunab, imputation, cs")
settings = load_settings()
data = effects.estimation_sample(
    load_panel(sections.resolve(processed_dir), sample),
    outcome,
    conditional_trends=conditional_trends,
)
study = effects.event_study_spec(
    data, outcome, settings, method=method, conditional_trends=conditional_trends
)
record(study, label=f"event study ({method})")
pretrend = study.pretrend_test()
record_value("pretrend_statistic", pretrend["statistic"])
_ = record_value("pretrend_p_value", pretrend["p_value"])

# %%
heading("nb04.title", language, level=1)
say(
    "nb04.intro",
    language,
    outcome=sections.inline(variable_label(outcome, language)),
    ref=study.ref_period if study.ref_period is not None else -1,
    estimator=t(f"est.{method}", language),
    sample=sections.sample_label(sample, language),
)
show(
    figures.event_study_figure(
        study.tidy(), language=language, outcome=outcome, ref_period=study.ref_period
    )
)

# %%
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

# %%
heading("nb04.table.heading", language)
tidy = study.tidy().dropna(subset=["std_error"]).copy()
tidy["term"] = tidy["event_time"].astype(int).astype(str)
show(
    estimates_table(
        tidy,
        language=language,
        caption=t("common.event_time", language),
        notes=[
            study.vcov_type,
            *study.notes,
            t("spec.trends" if conditional_trends else "spec.no_trends", language),
            t("report.interpretation_logs", language),
        ],
    )
)
