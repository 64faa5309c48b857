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
# 08 Programme results framework
# The logframe targets of the configuration (`program.logframe`) against what the data show,
# with counts where the indicator is a count and causal estimates where it claims an effect;
# breakdowns of the participating firms by the groups the data hold; women-led firms as a
# result of their own. Records the logframe table for the final report. Without targets in
# the configuration the page says so (missing.logframe); measures whose data are absent say
# what is missing. Baseline and end line come from the study context (resolve_years).

# %% tags=["parameters"]
outcome = "primary"
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

from evaluation.analysis import effects, indicators, network
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel, load_table
from evaluation.estimators import triple_differences
from evaluation.pipeline import record, record_value
from evaluation.reporting import sections
from evaluation.reporting.indicators import worded
from evaluation.reporting.sections import heading, not_available, say, show
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
folder = sections.resolve(processed_dir)
ctx = study_context(settings, processed=folder)
outcome = ctx.resolve_outcome(outcome)
base_year, end_year = ctx.years.baseline, ctx.years.endline
min_cell = settings.analysis.min_cell
panel = load_panel(folder, sample)
firms = load_table("firms", folder)
firms = firms[firms["firm_id"].isin(set(panel["firm_id"]))]
links = load_table("links", folder) if ctx.has("links") else firms.iloc[0:0]
organizations = load_table("organizations", folder) if ctx.has("organizations") else None
estimator = t(f"est.{settings.analysis.primary_estimator}", language)

# %%
# the causal evidence: the pre-specified estimator on the outcome, and the DiD on firm degree
effect_summaries = {}
data = effects.attempt(effects.estimation_sample, panel, outcome, ctx)
primary = None
if not isinstance(data, effects.NotEstimable):
    primary = effects.attempt(
        effects.primary_effect, data, outcome, ctx, replications=bootstrap_reps, seed=seed
    )
if primary is not None and not isinstance(primary, effects.NotEstimable):
    record(primary.result, label="logframe: primary effect", **primary.columns(sample))
    effect_summaries["primary"] = indicators.effect_summary(
        primary.result, primary.term, estimator, effects.n_treated_firms(data)
    )
if ctx.has("links") and not links.empty:
    degree = network.degree_did(links, firms, base_year, end_year, cluster=ctx.cluster)
    record(degree, label="logframe: DiD on firm degree")
    n_part = int(network.firm_attributes(firms)["participant"].sum())
    effect_summaries["linkage"] = indicators.effect_summary(
        degree, "participant:endline", "DiD", n_part
    )

# %%
heading("nb08.title", language, level=1)
say("nb08.intro", language, estimator=estimator)
if isinstance(primary, effects.NotEstimable):
    not_available(primary.message, language, **primary.values)
elif isinstance(data, effects.NotEstimable):
    not_available(data.message, language, **data.values)
heading("nb08.logframe", language)
if not ctx.has("logframe"):
    not_available("missing.logframe", language)
    record_value("logframe", [])
else:
    inputs = indicators.Inputs(
        firms=firms, organizations=organizations if organizations is not None else firms.iloc[0:0],
        links=links, panel=panel, effects=effect_summaries, baseline_year=base_year,
        endline_year=end_year, outcome=outcome, outcome_kind=ctx.outcome(outcome).kind,
    )  # fmt: skip
    logframe = worded(indicators.logframe(indicators.logframe_targets(settings.program), inputs))
    rows = logframe.replace({np.nan: None}).to_dict(orient="records")
    # the final report shows this table first: the columns it prints, with their Spanish twins
    # (the achieved cell as worded text: an effect with its unit and the firms it rests on)
    shown_columns = ["indicator", "indicator_es", "baseline", "target", "achieved_text",
                     "achieved_text_es", "status", "status_es", "evidence", "evidence_es"]  # fmt: skip
    record_value("logframe", [{k: r[k] for k in shown_columns} for r in rows])
    record_value("logframe_full", rows)  # recorded, not shown on the page
    suffix = "_es" if language == "es" else ""
    shown = logframe[
        [f"indicator{suffix}", "baseline", "target", f"achieved_text{suffix}", f"status{suffix}",
         f"evidence{suffix}"]
    ].rename(columns=lambda c: c.removesuffix("_es").removesuffix("_text"))  # fmt: skip
    shown = shown.rename(columns={c: t(f"logframe.{c}", language) for c in shown.columns})
    show(
        publish_table(
            shown.set_index(shown.columns[0]),
            language=language,
            digits={t("logframe.baseline", language): 0, t("logframe.target", language): 0},
        )  # fmt: skip
    )

# %%
heading("nb08.breakdowns", language)
say("nb08.breakdowns.text", language, min_cell=min_cell)
dimensions = [d for d, f in (("country", "country"), ("organization", "organization"),
                             ("cluster_id", "clusters"), ("women_led", "women_led")) if ctx.has(f)]  # fmt: skip
if not dimensions:
    not_available("missing.clusters", language)
for by in dimensions:
    table = indicators.breakdown(firms, by)
    if by == "country":
        table.index = [sections.level_label("country", c, language) for c in table.index]
    table.index.name = variable_label(by, language)
    show(
        publish_table(
            table,
            count_columns={"share_women_led": ["firms", "women_led"]}
            if ctx.has("women_led")
            else None,
            row_count="firms",
            min_cell=min_cell,
            language=language,
            percent_columns=["share_women_led"] if ctx.has("women_led") else None,
        )  # fmt: skip
    )

# %%
heading("nb08.gender", language)
threshold = next(
    (tg.threshold for tg in settings.program.logframe if tg.threshold is not None), None
)
if not ctx.has("women_led_groups"):
    not_available(ctx.missing("women_led_groups"), language)
elif not ctx.has("clusters") or threshold is None:
    not_available("missing.clusters", language)
else:
    share = indicators.women_share_by_cluster(firms, threshold)
    part = network.firm_attributes(firms)["participant"].to_numpy() == 1
    women = firms["women_led"].astype(float).to_numpy()
    say(
        "nb08.gender.participation", language,
        share_p=fmt_percent(women[part].mean(), language),
        share_c=fmt_percent(women[~part].mean() if (~part).any() else np.nan, language),
        low=fmt_percent(share["share_women_led"].min(), language),
        target=fmt_percent(threshold, language), n=int(share["meets_target"].sum()), total=len(share),
    )  # fmt: skip
    record_value("women_share_min_cluster", float(share["share_women_led"].min()))
if ctx.has("women_led_groups") and not isinstance(data, effects.NotEstimable):
    ddd = effects.attempt(
        triple_differences, data, outcome, "firm_id", "year", "treated", "women_led",
        cluster=ctx.cluster,
    )  # fmt: skip
    if isinstance(ddd, effects.NotEstimable):
        not_available(ddd.message, language, **ddd.values)
    else:
        record(ddd, label="gender: triple differences")
        tab = ddd.tidy().set_index("term")
        gap, women_row = tab.loc["treated:women_led"], tab.iloc[-1]
        say(
            "nb08.gender.effect", language, outcome=variable_label(outcome, language),
            effect=fmt_effect(women_row.estimate, language),
            ci=fmt_interval(women_row.conf_low, women_row.conf_high, language),
            cluster=sections.cluster_name(ctx.cluster, language), gap=fmt_effect(gap.estimate, language),
            gap_ci=fmt_interval(gap.conf_low, gap.conf_high, language), p=fmt_p(gap.p_value, language),
        )  # fmt: skip
    if ctx.has("links") and not links.empty:
        links_ddd = network.degree_did(
            links, firms, base_year, end_year, cluster=ctx.cluster, subgroup="women_led"
        )
        record(links_ddd, label="gender: DDD on firm degree")
        lt = links_ddd.tidy().set_index("term")
        lw, lo = lt.iloc[-1], lt.loc["treated_net"]
        say(
            "nb08.gender.links", language, effect=fmt_number(lw.estimate, language, 3),
            ci=fmt_interval(lw.conf_low, lw.conf_high, language), other=fmt_number(lo.estimate, language, 3),
            other_ci=fmt_interval(lo.conf_low, lo.conf_high, language), base=base_year, end=end_year,
        )  # fmt: skip
if ctx.has("women_led") and ctx.has("clusters") and threshold is not None:
    heading("nb08.share_table", language, level=3, threshold=fmt_percent(threshold, language, 0))
    columns = [c for c in ("country", "firms", "women_led", "share_women_led") if c in share]
    share_table = share.set_index("cluster_id")[columns]
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
