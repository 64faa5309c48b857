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
# # 08 Program results framework
# The logframe targets (config/evaluation.yml, `program:`) against what the data show, with
# counts where the indicator is a count and causal estimates where it claims an effect;
# breakdowns by country, organization, cluster and women-led status; the women-led network as
# a result of its own. Records the logframe table for the final report.

# %% tags=["parameters"]
outcome = "log_labor_productivity"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
bootstrap_reps = 999

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="08_indicators")

# %%
import numpy as np

from evaluation import indicators, network
from evaluation.config import load_settings
from evaluation.data.load import load_panel, load_table
from evaluation.estimators import triple_differences
from evaluation.indicators import heading, say
from evaluation.pipeline import record, record_value
from evaluation.reporting import effects, sections
from evaluation.reporting.sections import show
from evaluation.reporting.tables import publish_table
from evaluation.reporting.translations import (
    fmt_effect,
    fmt_interval,
    fmt_number,
    fmt_p,
    fmt_percent,
    t,
    variable_label,
)

effects.quiet_few_clusters()
settings = load_settings()
program = settings.program
cluster = settings.analysis.cluster
min_cell = settings.analysis.min_cell
base_year, end_year = 2015, 2018  # TEMPORARY: resolved by evaluation.analysis years (issue 11)
folder = sections.resolve(processed_dir)
panel = load_panel(folder, sample)
firms = load_table("firms", folder)
firms = firms[firms.firm_id.isin(set(panel.firm_id))]
links = load_table("links", folder)
organizations = load_table("organizations", folder)
data = effects.estimation_sample(panel, outcome)

# %%
# the causal evidence: the pre-specified estimator on the outcome, and the DiD on firm degree
primary = effects.primary_effect(data, outcome, settings, reps=bootstrap_reps, seed=seed)
record(primary.result, label="logframe: primary effect")
productivity = indicators.effect_summary(
    primary.result, primary.term, t(f"est.{primary.key}", language), effects.n_treated_firms(data)
)
degree = network.degree_did(links, firms, base_year, end_year, cluster=cluster)
record(degree, label="logframe: DiD on firm degree")
linkage = indicators.effect_summary(
    degree, "participant:endline", "DiD", int(firms.participant.sum())
)
targets = indicators.logframe_targets(program)
logframe = indicators.logframe(
    targets, firms=firms, organizations=organizations, links=links, panel=panel,
    productivity=productivity, linkage=linkage, baseline_year=base_year, endline_year=end_year,
)  # fmt: skip
rows = logframe.replace({np.nan: None}).to_dict(orient="records")
# the final report shows this table first: the columns it prints, with their Spanish twins
# (the achieved cell as worded text: an effect with its unit and the SMEs it rests on)
shown_columns = ["indicator", "indicator_es", "baseline", "target", "achieved_text",
                 "achieved_text_es", "status", "status_es", "evidence", "evidence_es"]  # fmt: skip
record_value("logframe", [{k: r[k] for k in shown_columns} for r in rows])
_ = record_value("logframe_full", rows)  # recorded, not shown on the page

# %%
heading("nb08.title", language, level=1)
say("nb08.intro", language, estimator=t(f"est.{primary.key}", language))
heading("nb08.logframe", language)
suffix = "_es" if language == "es" else ""
shown = logframe[
    [f"indicator{suffix}", "baseline", "target", f"achieved_text{suffix}", f"status{suffix}",
     f"evidence{suffix}"]
].rename(columns=lambda c: c.removesuffix("_es").removesuffix("_text"))  # fmt: skip
show(
    publish_table(
        shown.set_index("indicator"),
        language=language,
        digits={"baseline": 0, "target": 0},
    )  # fmt: skip
)

# %%
heading("nb08.breakdowns", language)
say("nb08.breakdowns.text", language, min_cell=min_cell)
for by in ("country", "organization", "cluster_id", "women_led"):
    table = indicators.breakdown(firms, by)
    table.index.name = variable_label(by, language)
    show(
        publish_table(
            table,
            count_columns={"share_women_led": ["firms", "women_led"]},
            row_count="firms",
            min_cell=min_cell,
            language=language,
            percent_columns=["share_women_led"],
        )  # fmt: skip
    )

# %%
heading("nb08.gender", language)
share = indicators.women_share_by_cluster(firms)
threshold = 0.25
say(
    "nb08.gender.participation", language,
    share_p=fmt_percent(firms.loc[firms.participant == 1, "women_led"].mean(), language),
    share_c=fmt_percent(firms.loc[firms.participant == 0, "women_led"].mean(), language),
    low=fmt_percent(share["share_women_led"].min(), language), target=fmt_percent(threshold, language),
    n=int(share["meets_target"].sum()), total=len(share),
)  # fmt: skip
record_value("women_share_min_cluster", float(share["share_women_led"].min()))
if data["women_led"].nunique() > 1:
    ddd = triple_differences(
        data, outcome, "firm_id", "year", "treated", "women_led", cluster=cluster
    )
    record(ddd, label="gender: triple differences")
    tab = ddd.tidy().set_index("term")
    gap, women = tab.loc["treated:women_led"], tab.iloc[-1]
    say(
        "nb08.gender.effect", language, outcome=variable_label(outcome, language),
        effect=fmt_effect(women.estimate, language), ci=fmt_interval(women.conf_low, women.conf_high, language),
        cluster=cluster, gap=fmt_effect(gap.estimate, language),
        gap_ci=fmt_interval(gap.conf_low, gap.conf_high, language), p=fmt_p(gap.p_value, language),
    )  # fmt: skip
    links_ddd = network.degree_did(
        links, firms, base_year, end_year, cluster=cluster, subgroup="women_led"
    )
    record(links_ddd, label="gender: DDD on firm degree")
    lt = links_ddd.tidy().set_index("term")
    lw, lo = lt.iloc[-1], lt.loc["treated_net"]
    say(
        "nb08.gender.links", language, effect=fmt_number(lw.estimate, language, 3),
        ci=fmt_interval(lw.conf_low, lw.conf_high, language), other=fmt_number(lo.estimate, language, 3),
        other_ci=fmt_interval(lo.conf_low, lo.conf_high, language), base=base_year, end=end_year,
    )  # fmt: skip
heading("nb08.share_table", language, level=3)
share_table = share.set_index("cluster_id")[["country", "firms", "women_led", "share_women_led"]]
show(
    publish_table(
        share_table,
        count_columns={"share_women_led": ["firms", "women_led"]},
        row_count="firms",
        min_cell=min_cell,
        language=language,
        percent_columns=["share_women_led"],
    )  # fmt: skip
)
