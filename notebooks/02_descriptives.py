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
# 02 Descriptives and baseline balance
# Participants vs comparison firms at baseline, by country and women-led status; balance
# table; the outcome over time by cohort.
# (Developer note, not shown: the pages print only cell outputs, in the report language.)

# %% tags=["parameters"]
outcome = "primary"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="02_descriptives")

# %%
from evaluation.analysis import effects
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel
from evaluation.estimators import balance_table
from evaluation.pipeline import record, record_value
from evaluation.reporting import figures, sections
from evaluation.reporting.sections import heading, say, show
from evaluation.reporting.tables import publish_table
from evaluation.reporting.translations import fmt_number, fmt_p, t

effects.quiet_few_clusters()
settings = load_settings()
min_cell = settings.analysis.min_cell
folder = sections.resolve(processed_dir)
ctx = study_context(settings, load_panel(folder), processed=folder)
outcome = ctx.resolve_outcome(outcome)
panel = load_panel(folder, sample)
base_year = ctx.years.baseline
base = sections.baseline(panel, base_year) if base_year is not None else panel.iloc[:0]
candidates = [outcome, *ctx.analysis_outcomes, "firm_age"]
variables = list(
    dict.fromkeys(v for v in candidates if v in panel.columns and panel[v].notna().any())
)

# %%
heading("nb02.title", language, level=1)
if panel.empty:
    sections.not_available(
        "missing.sample", language, sample=sections.sample_label(sample, language)
    )
elif base.empty:
    sections.not_available("missing.baseline", language)
else:
    say("nb02.intro", language, year=base_year, sample=sections.sample_label(sample, language))

# %%
if not base.empty:
    heading("nb02.groups.heading", language)
    groupings = [[]]
    for dims in (["country"], ["women_led"], ["country", "women_led"]):
        absent = [d for d in dims if not ctx.has(d)]
        if absent:
            if len(dims) == 1:
                sections.not_available(ctx.missing(dims[0]), language)
            continue
        groupings.append(dims)
    for by in groupings:
        means = sections.means_by_group(base, variables, by, language)
        show(sections.publish_means(means, variables, language, min_cell=min_cell))
    if ctx.money == "nominal" and any(effects.uses_money(ctx, v) for v in variables):
        say("money.nominal", language)

# %%
covariates = [v for v in variables if base[v].notna().any()] if not base.empty else []
both = base["participant"].nunique() > 1 if not base.empty else False
if covariates and both:
    heading("nb02.balance.heading", language)
    say("nb02.balance.text", language)
    balance = balance_table(base, "participant", covariates, cluster=ctx.cluster)
    record(
        balance, label=f"baseline balance {base_year}", cluster=ctx.cluster,
        n_clusters=int(balance.n_clusters or 0), covariates="", control_group="never_treated",
        conditional_trends=False, sample=sample,
    )  # fmt: skip
    tidy = balance.tidy().set_index("term")
    tidy.index = [sections.outcome_label(v, language, ctx) for v in tidy.index]
    tidy.index.name = t("common.variable", language)
    order = ["mean_treated", "sd_treated", "n_treated", "mean_control", "sd_control",
             "n_control", "estimate", "normalized_difference", "p_value"]  # fmt: skip
    participants = t("common.participants", language)
    comparison = t("common.comparison", language)
    show(
        publish_table(
            tidy[order],
            # each statistic rests on the firms of its group(s) with the covariate observed
            count_columns={
                "mean_treated": "n_treated",
                "sd_treated": "n_treated",
                "mean_control": "n_control",
                "sd_control": "n_control",
                "estimate": ["n_treated", "n_control"],
                "normalized_difference": ["n_treated", "n_control"],
                "p_value": ["n_treated", "n_control"],
            },
            min_cell=min_cell,
            language=language,
            digits=3,
            caption=t("nb02.balance.heading", language),
            labels={
                "mean_treated": f"{t('common.mean', language)}: {participants.lower()}",
                "sd_treated": f"{t('common.sd', language)}: {participants.lower()}",
                "n_treated": f"{t('common.n_firms', language)}: {participants.lower()}",
                "mean_control": f"{t('common.mean', language)}: {comparison.lower()}",
                "sd_control": f"{t('common.sd', language)}: {comparison.lower()}",
                "n_control": f"{t('common.n_firms', language)}: {comparison.lower()}",
                "estimate": t("common.difference", language),
                "normalized_difference": t("nb02.norm_diff", language),
                "p_value": t("common.p_value", language),
            },
            notes=[
                t(
                    "inf.crv1",
                    language,
                    cluster=sections.cluster_name(ctx.cluster, language),
                    n_clusters=balance.n_clusters,
                ),
                *sections.context_notes(ctx, language),
            ],
        )
    )
    joint = balance.info.get("joint_test") or {}
    if joint:
        say(
            "nb02.balance.joint",
            language,
            f=fmt_number(joint.get("statistic"), language, 2),
            p=fmt_p(joint.get("p_value"), language),
        )
        record_value("balance_joint_p", joint.get("p_value"))
elif not base.empty:
    heading("nb02.balance.heading", language)
    sections.not_available("missing.comparison" if not both else "missing.balance", language)

# %%
if not panel.empty and outcome in panel.columns and panel[outcome].notna().any():
    heading("nb02.trend.heading", language)
    label = sections.outcome_label(outcome, language, ctx)
    say("nb02.trend.text", language, outcome=label, min_cell=min_cell)
    trend = sections.outcome_trend(panel, outcome, language, min_cell=min_cell)
    cohorts = sorted(c for c in panel["cohort"].unique() if c > 0)
    show(
        figures.trend_figure(
            trend,
            language=language,
            ylabel=label,
            title=t("fig.trend.title", language, outcome=label.split(" (")[0]),
            vlines=[c - 0.5 for c in cohorts],
        )
    )
elif not panel.empty:
    sections.not_available("missing.outcome", language, outcome=outcome, reason="")
