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
outcome = "log_labor_productivity"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="02_descriptives")

# %%
from evaluation.config import load_settings
from evaluation.data.load import load_panel
from evaluation.estimators import balance_table
from evaluation.pipeline import record, record_value
from evaluation.reporting import figures, sections
from evaluation.reporting.effects import quiet_few_clusters
from evaluation.reporting.sections import heading, say, show
from evaluation.reporting.tables import publish_table
from evaluation.reporting.translations import fmt_number, fmt_p, t, variable_label

quiet_few_clusters()
settings = load_settings()
min_cell = settings.analysis.min_cell
panel = load_panel(sections.resolve(processed_dir), sample)
base = sections.baseline(panel)
base_year = int(base["year"].iloc[0])
variables = [outcome, "log_sales", "log_employees", "exporter", "linkages", "firm_age"]
variables = list(dict.fromkeys(v for v in variables if v in panel.columns))

# %%
heading("nb02.title", language, level=1)
say("nb02.intro", language, year=base_year, sample=sections.sample_label(sample, language))

# %%
heading("nb02.groups.heading", language)
for by in ([], ["country"], ["women_led"], ["country", "women_led"]):
    means = sections.means_by_group(base, variables, by, language)
    show(sections.publish_means(means, variables, language, min_cell=min_cell))

# %%
heading("nb02.balance.heading", language)
say("nb02.balance.text", language)
covariates = [v for v in variables if base[v].notna().any()]
balance = balance_table(base, "participant", covariates, cluster=settings.analysis.cluster)
record(balance, label=f"baseline balance {base_year}")
tidy = balance.tidy().set_index("term")
tidy.index = [variable_label(v, language) for v in tidy.index]
tidy.index.name = t("common.variable", language)
order = ["mean_treated", "sd_treated", "n_treated", "mean_control", "sd_control", "n_control",
         "estimate", "normalized_difference", "p_value"]  # fmt: skip
participants, comparison = t("common.participants", language), t("common.comparison", language)
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
                cluster=sections.cluster_name(settings.analysis.cluster, language),
                n_clusters=balance.n_clusters,
            )
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

# %%
heading("nb02.trend.heading", language)
label = variable_label(outcome, language)
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
