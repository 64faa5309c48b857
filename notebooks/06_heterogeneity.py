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
# 06 Heterogeneity
# Women-led firms (triple differences), and the primary estimator by country, sector and
# cohort, with small subgroups suppressed.
# (Developer note, not shown: the pages print only cell outputs, in the report language.)

# %% tags=["parameters"]
outcome = "log_labor_productivity"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
dimensions = ["women_led", "country", "sector", "cohort"]

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="06_heterogeneity")

# %%
import pandas as pd

from evaluation.config import load_settings
from evaluation.data.load import load_panel
from evaluation.estimators import triple_differences
from evaluation.pipeline import record
from evaluation.reporting import effects, figures, sections
from evaluation.reporting.sections import heading, say, show
from evaluation.reporting.tables import estimates_table
from evaluation.reporting.translations import fmt_effect, fmt_interval, fmt_p, t, variable_label

effects.quiet_few_clusters()
settings = load_settings()
min_cell = settings.analysis.min_cell
data = effects.estimation_sample(load_panel(sections.resolve(processed_dir), sample), outcome)
cluster = settings.analysis.cluster

# %%
heading("nb06.title", language, level=1)
say("nb06.intro", language, outcome=variable_label(outcome, language))

# %%
heading("nb06.ddd.heading", language)
if data["women_led"].nunique() > 1:
    ddd = triple_differences(
        data, outcome, "firm_id", "year", "treated", "women_led", cluster=cluster
    )
    record(ddd, label="triple differences: women-led x participant x post")
    gap = ddd.tidy().set_index("term").loc["treated:women_led"]
    say(
        "nb06.ddd.text",
        language,
        effect=fmt_effect(gap["estimate"], language),
        ci=fmt_interval(gap["conf_low"], gap["conf_high"], language),
        p=fmt_p(gap["p_value"], language),
        inference=t(
            "inf.crv1",
            language,
            cluster=sections.cluster_name(cluster, language),
            n_clusters=ddd.n_clusters,
        ),
    )
    tidy = ddd.tidy()
    tidy["term"] = [
        {
            "treated": t("common.men_led", language),
            "treated:women_led": t("common.difference", language),
        }.get(term, t("common.women_led", language))
        for term in tidy["term"]
    ]
    show(estimates_table(tidy, language=language, caption=t("est.triple_differences", language)))

# %%
heading("nb06.subgroups.heading", language)
say("nb06.subgroups.text", language, estimator=t("est.cs", language), min_cell=min_cell)
frames = []
for dimension in dimensions:
    if dimension not in data.columns or data[dimension].nunique() < 2:
        continue
    part = effects.subgroup_effects(data, outcome, settings, dimension)
    part.insert(0, "dimension", dimension)
    frames.append(part)
subgroups = pd.concat(frames, ignore_index=True)
subgroups["term"] = [
    f"{d}={g}" for d, g in zip(subgroups["dimension"], subgroups["subgroup"], strict=True)
]
# recorded: estimates from at least min_cell participating firms, with their inference
publishable = subgroups[subgroups["n_treated"] >= min_cell].dropna(subset=["estimate", "std_error"])
columns = ["term", "estimate", "std_error", "p_value", "conf_low", "conf_high", "n_treated"]
record(
    publishable[columns].assign(statistic=publishable["estimate"] / publishable["std_error"]),
    label="subgroup effects (Callaway-Sant'Anna)",
)
subgroups["label"] = [
    # women-led and cohort levels name themselves ("Women-led", "Cohort 2016")
    sections.level_label(d, g, language)
    if d in ("women_led", "cohort")
    else f"{variable_label(d, language)}: {sections.level_label(d, g, language)}"
    for d, g in zip(subgroups["dimension"], subgroups["subgroup"], strict=True)
]
table = estimates_table(
    subgroups,
    language=language,
    label_column="label",
    n_column="n_treated",
    min_cell=min_cell,
    caption=t("fig.subgroups.title", language),
    notes=[t("nb06.few_clusters", language, k=effects.MIN_CLUSTERS_FOR_INFERENCE)]
    + ([t("nb06.not_estimable", language)] if subgroups["note"].astype(bool).any() else []),
)
table.frame.index.name = t("nb06.subgroup", language)
table.frame[t("common.n_clusters", language)] = subgroups["clusters"].to_numpy()
table.frame[t("nb06.note", language)] = [
    t("nb06.not_estimated", language) if note else "" for note in subgroups["note"]
]
show(table)
plot = subgroups.assign(
    estimate=table.values["estimate"].to_numpy(),
    conf_low=subgroups["conf_low"].where(table.values["estimate"].notna().to_numpy()),
    conf_high=subgroups["conf_high"].where(table.values["estimate"].notna().to_numpy()),
)
show(
    figures.estimates_figure(
        plot,
        language=language,
        outcome=outcome,
        title=t("fig.subgroups.title", language),
        group="dimension",
    )
)
