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

# %% [markdown]
# # 01 Data quality
# %% [markdown]
# # 02 Descriptives and baseline balance
# Participants vs comparison firms at baseline, by country and women-led status; balance
# table; the outcome over time by cohort.

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
tidy = balance.tidy()
n_firms = {flag: int((base["participant"] == flag).sum()) for flag in (0, 1)}
shown = tidy.set_index("term")
shown.index = [variable_label(v, language) for v in shown.index]
shown.index.name = t("common.variable", language)
show(
    publish_table(
        shown.drop(columns=[c for c in ("statistic",) if c in shown.columns]),
        min_cell=min_cell,
        language=language,
        digits=3,
        caption=t("nb02.balance.heading", language),
        notes=[
            f"{t('common.participants', language)}: {n_firms[1]}; "
            f"{t('common.comparison', language)}: {n_firms[0]}."
        ],
    )
)
joint = balance.info.get("joint_test") or balance.info.get("joint") or {}
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
