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
# # 11 Sensitivity and multiple outcomes
# Rambachan-Roth robust intervals for the event study (relative magnitudes and smoothness,
# breakdown values), Romano-Wolf and FDR adjustments over the outcome x subgroup family, a
# Kling-Liebman-Katz index, and cluster-level randomization inference.

# %% tags=["parameters"]
outcome = "log_labor_productivity"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
outcomes = ["log_labor_productivity", "log_sales", "log_employees", "exporter", "linkages"]
index_outcomes = ["log_labor_productivity", "log_value_added", "log_sales"]
reps = 199
ri_reps = 999
method = "cs"

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="11_sensitivity")

# %%
import numpy as np
import pandas as pd

from evaluation.config import load_settings
from evaluation.data.load import load_panel
from evaluation.estimators import (
    honest_did,
    randomization_inference,
    romano_wolf,
    sharpened_qvalues,
    twfe,
)
from evaluation.estimators.multiple_testing import benjamini_hochberg, klk_index
from evaluation.reporting.sections import heading, say
from evaluation.pipeline import record, record_value
from evaluation.reporting import effects, sections
from evaluation.reporting.sections import show
from evaluation.reporting.tables import estimates_table, publish_table
from evaluation.reporting.translations import fmt_interval, fmt_number, fmt_p, t, variable_label

effects.quiet_few_clusters()
settings = load_settings()
cluster = settings.analysis.cluster
panel = load_panel(sections.resolve(processed_dir), sample)
data = effects.estimation_sample(panel, outcome)

# %%
heading("nb11.title", language, level=1)
heading("nb11.honest", language)
# the pre-specified estimator's event study (Callaway-Sant'Anna: universal base period, joint
# influence-function covariance), as HonestDiD recommends for staggered adoption
study = effects.event_study_spec(data, outcome, settings, method=method)
record(study, label=f"event study ({method}) for sensitivity")
rm = honest_did(study, restriction="relative_magnitude", m_values=np.arange(0, 2.01, 0.25))
sd = honest_did(study, restriction="smoothness")
n_post = rm.info["num_post"]
rm_avg = honest_did(study, m_values=np.arange(0, 2.01, 0.25), l_vec=np.full(n_post, 1 / n_post))
breakdowns = {"rm": rm.breakdown(), "sd": sd.breakdown(), "rm_avg": rm_avg.breakdown()}
for key, res in (("first period", rm), ("smoothness", sd), ("average", rm_avg)):
    record(res, label=f"honest_did {key}")
record_value("breakdown_mbar", breakdowns["rm"])
record_value("breakdown_m", breakdowns["sd"])
record_value("breakdown_mbar_average", breakdowns["rm_avg"])
say(
    "nb11.honest.text", language, outcome=variable_label(outcome, language),
    estimator=t(f"est.{method}", language),
    rm=fmt_number(breakdowns["rm"], language, 2), sd=fmt_number(breakdowns["sd"], language, 4),
    rm_avg=fmt_number(breakdowns["rm_avg"], language, 2),
)  # fmt: skip
intervals = pd.concat([rm.tidy(), sd.robust()], ignore_index=True)
intervals["interval"] = [
    fmt_interval(lo, hi, language)
    for lo, hi in zip(intervals.conf_low, intervals.conf_high, strict=True)
]
show(publish_table(intervals[["term", "method", "interval"]].set_index("term"), language=language))

# %%
heading("nb11.multiple", language)
subgroups = {
    "all": data,
    "women_led": data[data.women_led == 1],
    "men_led": data[data.women_led == 0],
}
results, labels = [], []
for y in outcomes:
    for name, part in subgroups.items():
        frame = part[part[y].notna()]
        results.append(twfe(frame, y, "firm_id", "year", "treated", cluster=cluster))
        labels.append(f"{variable_label(y, language)} | {name}")
family = romano_wolf(results, reps=reps, seed=seed, labels=labels)
table = family.tidy()
table["q_bh"] = benjamini_hochberg(table["p_value"].to_numpy())
table["q_sharpened"] = sharpened_qvalues(table["p_value"].to_numpy())
record(family, label="romano-wolf outcome x subgroup")
data["klk_index"] = klk_index(data, index_outcomes, data["participant"] == 0)
index_fit = twfe(
    data[data.klk_index.notna()], "klk_index", "firm_id", "year", "treated", cluster=cluster
)
record(index_fit, label="KLK productivity index")
irow = index_fit.tidy().set_index("term").loc["treated"]
say(
    "nb11.multiple.text", language, cluster=cluster, reps=reps, k=len(table),
    index=fmt_number(irow.estimate, language, 3),
    index_ci=fmt_interval(irow.conf_low, irow.conf_high, language),
)  # fmt: skip
cols = ["term", "estimate", "p_value", "p_romano_wolf", "q_bh", "q_sharpened"]
show(publish_table(table[cols].set_index("term"), language=language, pvalue_columns=cols[2:]))

# %%
heading("nb11.ri", language)
ri = randomization_inference(data, outcome, level=cluster, reps=ri_reps, seed=seed)
record(ri, label="randomization inference (cohorts across strata)")
row = ri.tidy().iloc[0]
record_value("ri_p_value", row.p_value)
say(
    "nb11.ri.text", language, clusters=ri.n_clusters, reps=int(row.assignments),
    estimate=fmt_number(row.estimate, language, 3), p=fmt_p(row.p_value, language),
    se=fmt_number(row.p_value_mc_se, language, 3),
)  # fmt: skip
show(estimates_table(ri.tidy(), language=language))
