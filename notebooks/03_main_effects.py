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
# 03 Main effects
# 2x2 difference-in-differences and two-way fixed effects on the outcome; CRV1 beside the
# wild cluster bootstrap.
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

params = check(globals(), notebook="03_main_effects")

# %%
from evaluation.config import load_settings
from evaluation.data.load import load_panel
from evaluation.pipeline import record
from evaluation.reporting import effects, figures, sections
from evaluation.reporting.sections import heading, say, show
from evaluation.reporting.tables import publish_table
from evaluation.reporting.translations import fmt_effect, fmt_interval, fmt_p, t, variable_label

effects.quiet_few_clusters()
settings = load_settings()
data = effects.estimation_sample(
    load_panel(sections.resolve(processed_dir), sample),
    outcome,
    conditional_trends=conditional_trends,
)
estimates = effects.main_effects(
    data, outcome, settings, reps=bootstrap_reps, seed=seed, conditional_trends=conditional_trends
)
for eff in estimates:
    record(eff.result, label=f"{eff.key} CRV1")
    record(eff.bootstrap, label=f"{eff.key} wild cluster bootstrap")

# %%
heading("nb03.title", language, level=1)
say(
    "nb03.intro",
    language,
    outcome=sections.inline(variable_label(outcome, language)),
    sample=sections.sample_label(sample, language),
    post_from=int(data.loc[data["after"] == 1, "year"].min()),
    n_clusters=estimates[0].result.n_clusters,
)

# %%
heading("nb03.table.heading", language)
labels = {key: t(f"est.{key}", language) for key in ("did_2x2", "twfe")}
table = effects.inference_table(estimates, labels)
frame = table.set_index("label")
frame.index.name = t("common.estimator", language)
frame.insert(
    3,
    "ci_crv1",
    [
        fmt_interval(lo, hi, language)
        for lo, hi in zip(frame.crv1_low, frame.crv1_high, strict=True)
    ],
)
frame.insert(
    5,
    "ci_wcb",
    [fmt_interval(lo, hi, language) for lo, hi in zip(frame.wcb_low, frame.wcb_high, strict=True)],
)
frame = frame.drop(columns=["crv1_low", "crv1_high", "wcb_low", "wcb_high"])
crv1, wcb = t("inf.crv1_short", language), t("inf.wcb_short", language)
show(
    publish_table(
        frame,
        min_cell=settings.analysis.min_cell,
        language=language,
        pvalue_columns=["p_crv1", "p_wcb"],
        labels={
            "estimate": t("common.estimate", language),
            "std_error": f"{t('common.std_error', language)} ({crv1})",
            "ci_crv1": f"{t('common.ci', language)} ({crv1})",
            "p_crv1": f"{t('common.p_value', language)} ({crv1})",
            "ci_wcb": f"{t('common.ci', language)} ({wcb})",
            "p_wcb": f"{t('common.p_value', language)} ({wcb})",
            "nobs": t("common.n_obs", language),
            "clusters": t("common.n_clusters", language),
        },
        notes=[
            t(
                "inf.crv1",
                language,
                cluster=sections.cluster_name(settings.analysis.cluster, language),
                n_clusters=estimates[0].result.n_clusters,
            ),
            t(
                "inf.wcb",
                language,
                cluster=sections.cluster_name(settings.analysis.cluster, language),
                reps=bootstrap_reps,
            ),
            t("spec.trends" if conditional_trends else "spec.no_trends", language),
            t("report.interpretation_logs", language),
        ],
    )
)
for _, row in table.iterrows():
    say(
        "nb03.result",
        language,
        estimator=row["label"],
        effect=fmt_effect(row["estimate"], language),
        ci_crv1=fmt_interval(row["crv1_low"], row["crv1_high"], language),
        p_crv1=fmt_p(row["p_crv1"], language),
        ci_wcb=fmt_interval(row["wcb_low"], row["wcb_high"], language),
        p_wcb=fmt_p(row["p_wcb"], language),
    )
plot = table.rename(columns={"crv1_low": "conf_low", "crv1_high": "conf_high"})
show(figures.estimates_figure(plot, language=language, outcome=outcome))
say("nb03.caveat", language)
