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
# 11 Sensitivity and multiple outcomes
# Rambachan-Roth robust intervals for the event study (relative magnitudes and smoothness,
# breakdown values), Romano-Wolf and FDR adjustments over the outcome x subgroup family, a
# Kling-Liebman-Katz index, and cluster-level randomization inference.

# %% tags=["parameters"]
outcome = "primary"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
# empty: the configured outcomes the data hold (analysis.primary_outcome + secondary_outcomes)
outcomes = []
index_outcomes = []
reps = 199
ri_reps = 999
method = "cs"

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="11_sensitivity")

# %%
import numpy as np
import pandas as pd

from evaluation.analysis import effects
from evaluation.analysis.context import study_context
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
from evaluation.pipeline import record, record_value
from evaluation.reporting import sections
from evaluation.reporting.sections import heading, say, show
from evaluation.reporting.tables import estimates_table, publish_table
from evaluation.reporting.translations import fmt_interval, fmt_number, fmt_p, t

effects.quiet_few_clusters()
settings = load_settings()
folder = sections.resolve(processed_dir)
ctx = study_context(settings, load_panel(folder), processed=folder)
outcome = ctx.resolve_outcome(outcome)
outcomes = [o for o in (outcomes or ctx.analysis_outcomes)]
index_outcomes = list(index_outcomes or settings.analysis.index_outcomes or ctx.analysis_outcomes)
panel = load_panel(folder, sample)
panel["inference_cluster"] = panel[ctx.cluster]
cluster = "inference_cluster"
data = effects.attempt(effects.estimation_sample, panel, outcome, ctx)
ok = not isinstance(data, effects.NotEstimable)


def variable_label(name: str, language: str) -> str:
    return sections.outcome_label(name, language, ctx)


def skipped(key: str, err: Exception) -> None:
    """An analysis of this page the data cannot support: say which and why."""
    say("missing.analysis", language, analysis=t(key, language), reason=str(err))


# %%
heading("nb11.title", language, level=1)
if panel.empty:
    sections.not_available(
        "missing.sample", language, sample=sections.sample_label(sample, language)
    )
elif not ok:
    sections.not_available(data.message, language, **data.values)

# %%
if ok:
    heading("nb11.honest", language)
    try:
        # the pre-specified estimator's event study (Callaway-Sant'Anna: universal base period,
        # joint influence-function covariance), as HonestDiD recommends for staggered adoption
        study = effects.event_study_spec(data, outcome, ctx, method=method)
        record(study, label=f"event study ({method}) for sensitivity", **study.info["columns"],
               sample=sample)  # fmt: skip
        grid = np.arange(0, 2.01, 0.25)
        rm = honest_did(study, restriction="relative_magnitude", m_values=grid)
        sd = honest_did(study, restriction="smoothness")
        n_post = rm.info["num_post"]
        rm_avg = honest_did(study, m_values=grid, l_vec=np.full(n_post, 1 / n_post))
        breakdowns = {"rm": rm.breakdown(), "sd": sd.breakdown(), "rm_avg": rm_avg.breakdown()}
        for key, res in (("first period", rm), ("smoothness", sd), ("average", rm_avg)):
            record(res, label=f"honest_did {key}")
        record_value("breakdown_mbar", breakdowns["rm"])
        record_value("breakdown_m", breakdowns["sd"])
        record_value("breakdown_mbar_average", breakdowns["rm_avg"])
        say(
            "nb11.honest.text", language, outcome=variable_label(outcome, language),
            estimator=t(f"est.{method}", language),
            rm=fmt_number(breakdowns["rm"], language, 2),
            sd=fmt_number(breakdowns["sd"], language, 4),
            rm_avg=fmt_number(breakdowns["rm_avg"], language, 2),
        )  # fmt: skip
        intervals = pd.concat([rm.tidy(), sd.robust()], ignore_index=True)
        intervals["interval"] = [
            fmt_interval(lo, hi, language)
            for lo, hi in zip(intervals.conf_low, intervals.conf_high, strict=True)
        ]
        show(
            publish_table(
                intervals[["term", "method", "interval"]].set_index("term"), language=language
            )
        )
    except effects.DATA_ERRORS as err:
        skipped("nb11.honest", err)

# %%
if ok:
    heading("nb11.multiple", language)
    try:
        subgroups = {"all": data}
        if ctx.has("women_led_groups") and data["women_led"].nunique() > 1:
            subgroups["women_led"] = data[data.women_led == 1]
            subgroups["men_led"] = data[data.women_led == 0]
        results, frames, labels, keys = [], [], [], []
        for y in outcomes:
            if y not in data or not data[y].notna().any():
                continue
            for name, part in subgroups.items():
                frames.append(part[part[y].notna()])
                results.append(twfe(frames[-1], y, "firm_id", "year", "treated", cluster=cluster))
                labels.append(f"{variable_label(y, language)} | {name}")
                keys.append((y, name))
        if len(results) < 2:
            raise ValueError("fewer than two outcome x subgroup estimates to adjust jointly")
        family = romano_wolf(results, data=frames, replications=reps, seed=seed, labels=labels)
        table = family.tidy()
        table["q_bh"] = benjamini_hochberg(table["p_value"].to_numpy())
        table["q_sharpened"] = sharpened_qvalues(table["p_value"].to_numpy())
        record(family, label="romano-wolf outcome x subgroup")
        # the adjusted p- and q-values by outcome and subgroup, for the final report
        record_value(
            "multiple_testing",
            [
                {"outcome": y, "subgroup": name, "estimate": float(r.estimate),
                 "p_value": float(r.p_value), "p_romano_wolf": float(r.p_romano_wolf),
                 "q_bh": float(r.q_bh), "q_sharpened": float(r.q_sharpened),
                 "replications": int(reps)}
                for (y, name), r in zip(keys, table.itertuples(), strict=True)
            ],
        )  # fmt: skip
        in_index = [o for o in index_outcomes if o in data and data[o].notna().any()]
        index_text = {"index": "", "index_ci": ""}
        if len(in_index) >= 2:
            data["klk_index"] = klk_index(data, in_index, data["participant"] == 0)
            index_fit = twfe(
                data[data.klk_index.notna()], "klk_index", "firm_id", "year", "treated",
                cluster=cluster,
            )  # fmt: skip
            record(index_fit, label="KLK index")
            irow = index_fit.tidy().set_index("term").loc["treated"]
            index_text = {
                "index": fmt_number(irow.estimate, language, 3),
                "index_ci": fmt_interval(irow.conf_low, irow.conf_high, language),
            }
        say(
            "nb11.multiple.text", language, cluster=sections.cluster_name(ctx.cluster, language),
            reps=reps, k=len(table), **index_text,
        )  # fmt: skip
        cols = ["term", "estimate", "p_value", "p_romano_wolf", "q_bh", "q_sharpened"]
        show(
            publish_table(table[cols].set_index("term"), language=language, pvalue_columns=cols[2:])
        )
    except effects.DATA_ERRORS as err:
        skipped("nb11.multiple", err)

# %%
if ok:
    heading("nb11.ri", language)
    try:
        ri = randomization_inference(
            data, outcome, cluster=cluster, replications=ri_reps, seed=seed
        )
        record(ri, label="randomization inference (cohorts across clusters)")
        row = ri.tidy().iloc[0]
        record_value("ri_p_value", row.p_value)
        say(
            "nb11.ri.text", language, clusters=ri.n_clusters, reps=int(row.assignments),
            estimate=fmt_number(row.estimate, language, 3), p=fmt_p(row.p_value, language),
            se=fmt_number(row.p_value_mc_se, language, 3),
        )  # fmt: skip
        show(estimates_table(ri.tidy(), language=language))
    except effects.DATA_ERRORS as err:
        skipped("nb11.ri", err)
