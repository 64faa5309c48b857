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
# 09 Inter-firm business network
# Density, degree and reach of the business links per year and group; the programme's effect
# on a firm's links (DiD on degree); the network at end line, without labels; spillovers to
# non-participants through their baseline partners (exposure, direct effect net of spillover,
# by link type, placebo on later links; evaluation.analysis.spillovers). Without a links
# table the page says so (missing.links) and the job succeeds. Baseline and end line come
# from the study context (evaluation.config.resolve_years), like every other page.

# %% tags=["parameters"]
outcome = "linkages"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="09_network")

# %%
from dataclasses import replace

from evaluation.analysis import effects, network, spillovers
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel, load_table
from evaluation.pipeline import record, record_value
from evaluation.reporting import sections
from evaluation.reporting.network import (
    link_type_label,
    network_figure,
    spillover_figure,
    spillover_rows,
)
from evaluation.reporting.sections import heading, not_available, say, show
from evaluation.reporting.tables import estimates_table, publish_table
from evaluation.reporting.translations import (
    country_name,
    fmt_int,
    fmt_interval,
    fmt_number,
    fmt_p,
    t,
)

effects.quiet_few_clusters()
settings = load_settings()
folder = sections.resolve(processed_dir)
ctx = study_context(settings, processed=folder)
baseline_year, endline_year = ctx.years.baseline, ctx.years.endline
panel = load_panel(folder, sample)
keep = set(panel["firm_id"])
firms = load_table("firms", folder)
firms = firms[firms["firm_id"].isin(keep)]
links = load_table("links", folder) if ctx.has("links") else None
if links is not None:
    links = links[links["firm_a"].isin(keep) & links["firm_b"].isin(keep)]

# %%
heading("nb09.title", language, level=1)
say("nb09.intro", language)
if links is None or links.empty:
    not_available("missing.links", language)

# %%
if links is not None and not links.empty:
    heading("nb09.summary", language)
    summary = network.program_summary(links, firms).set_index("year")
    for year in (baseline_year, endline_year):
        if year in summary.index:
            record_value(f"network_links_{year}", int(summary.loc[year, "links"]))
            if ctx.has("women_led"):
                women_links = int(summary.loc[year, "links_between_women_led"])
                record_value(f"women_led_links_{year}", women_links)
    summary = summary.dropna(axis=1, how="all")  # columns the data cannot fill
    show(publish_table(summary, language=language, digits=3))

# %%
if links is not None and not links.empty:
    heading("nb09.clusters", language, base=baseline_year, end=endline_year)
    if not ctx.has("clusters"):
        not_available("missing.clusters", language)
    say("nb08.breakdowns.text", language, min_cell=settings.analysis.min_cell)
    measures = network.network_measures(links, firms, [baseline_year, endline_year])
    wide = measures.pivot(index="group", columns="year")
    cols = [c for c in ("firms", "density", "mean_degree", "share_across_clusters",
                        "share_women_led") if measures[c].notna().any()]  # fmt: skip
    table = wide[cols]
    table.columns = [f"{c} {y}" for c, y in table.columns]
    show(publish_table(table, row_count=f"firms {baseline_year}", language=language, digits=3))

# %%
if links is not None and not links.empty:
    did = network.degree_did(links, firms, baseline_year, endline_year, cluster=ctx.cluster)
    record(did, label="DiD on firm degree")
    row = did.tidy().set_index("term").iloc[0]
    record_value("degree_effect", row.estimate)
    say(
        "nb09.did", language, effect=fmt_number(row.estimate, language, 3),
        ci=fmt_interval(row.conf_low, row.conf_high, language), p=fmt_p(row.p_value, language),
        base=baseline_year, end=endline_year,
        cluster=sections.cluster_name(ctx.cluster, language), n_clusters=did.n_clusters,
    )  # fmt: skip
    show(estimates_table(did.tidy().iloc[:1], language=language))

# %%
if links is not None and not links.empty:
    heading("nb09.figures", language)
    groups = sorted(firms["country"].dropna().unique()) if ctx.has("country") else [None]
    for country in groups:
        edges, attr = network.figure_frame(links, firms, endline_year, country)
        where = country_name(country, language) if country else t("nb09.figure.all", language)
        title = t("nb09.figure.title", language, group=where, year=endline_year)
        show(network_figure(edges, attr, title=title, language=language, seed=seed))

# %%
# Spillovers: exposure from the links formed up to the baseline year, on every firm of the
# data (partners outside the page's sample still count), the primary outcome of the settings.

# %%
heading("spill.heading", language)
all_links = load_table("links", folder) if ctx.has("links") else None
spill_outcome = ctx.analysis_outcomes[0] if ctx.analysis_outcomes else None
spill = spill_data = None
if all_links is None or all_links.empty:
    not_available("missing.links", language)
elif spill_outcome is None:
    not_available("missing.outcome", language, outcome=settings.analysis.primary_outcome,
                  reason=t("missing.links", language))  # fmt: skip
else:
    spill_data = effects.attempt(effects.estimation_sample, panel, spill_outcome, ctx)
if isinstance(spill_data, effects.NotEstimable):
    not_available(spill_data.message, language, **spill_data.values)
elif spill_data is not None:
    # the conditional-trend controls of the other estimation pages (sector-by-year effects,
    # baseline covariate x year trends); firms without a covariate value leave the sample
    spill_fe, spill_covs = effects.trends(ctx, True, spill_data)
    spill_data = effects.adjusted(spill_data, [c.removesuffix("_trend") for c in spill_covs or []])
    spill = spillovers.spillover_analysis(
        spill_data, all_links, load_table("firms", folder), spill_outcome, baseline_year,
        endline_year, cluster=ctx.cluster, covariates=spill_covs, fixed_effects=spill_fe,
        replications=settings.analysis.bootstrap_reps, seed=seed,
        alpha=settings.analysis.alpha,
    )  # fmt: skip
    spill_label = sections.outcome_label(spill_outcome, language, ctx)
    cluster_text = sections.cluster_name(ctx.cluster, language)
    if ctx.cluster_fallback and settings.analysis.cluster:
        say("cluster.fallback", language, requested=settings.analysis.cluster,
            n_clusters=fmt_int(ctx.n_clusters, language))  # fmt: skip
    elif ctx.cluster_fallback:
        say("spill.missing.cluster", language)
    say("spill.intro", language, base=baseline_year, outcome=spill_label, cluster=cluster_text,
        n_clusters=fmt_int(ctx.n_clusters, language))  # fmt: skip
    controls = [t("spec.sector_year", language)] if spill_fe else []
    controls += [t("spec.trend_in", language,
                   covariate=sections.outcome_label(c.removesuffix("_trend"), language, ctx))
                 for c in spill_covs or []]  # fmt: skip
    if controls:
        say("spill.controls", language, controls=", ".join(controls))
    else:
        say("spill.controls.none", language)
    if "no_links" not in spill.reasons:
        c = spill.counts
        say("spill.counts", language, exposed=fmt_int(c["exposed_comparison"], language),
            comparison=fmt_int(c["comparison_firms"], language), end=endline_year,
            with_partners=fmt_int(c["comparison_with_partners"], language),
            pairs=fmt_int(c["baseline_pairs"], language), base=baseline_year,
            later=fmt_int(c["later_pairs"], language))  # fmt: skip
    for reason in ("no_baseline_links", "no_exposed_comparison"):
        if reason in spill.reasons:
            not_available(f"spill.missing.{reason}", language, base=baseline_year,
                          outcome=spill_label)  # fmt: skip

# %%
if spill is not None and spill.main is not None:
    table = spill.table()
    main_rows = spillover_rows(table[table["specification"] == "all"], language=language,
                               base=baseline_year).set_index("term")  # fmt: skip
    spill_row, direct_row = main_rows.loc["exposure_effect"], main_rows.loc["direct_effect"]
    record(spill.main_inference(),
           label="Spillovers: direct effect and exposure (all baseline links)",
           specification="all")  # fmt: skip
    for ltype, res in spill.by_type.items():
        only = replace(res, table=res.table[res.table["term"] == "exposure_effect"], vcov=None)
        record(only, label=f"Spillovers: exposure through {ltype} links",
               specification=str(ltype))  # fmt: skip
    if spill.two_stage is not None:
        res = spill.two_stage
        rows2 = res.table[res.table["term"].isin(["direct_effect", "exposure_effect"])]
        record(replace(res, table=rows2, vcov=None),
               label="Spillovers: two-stage DiD (Gardner 2021), all baseline links",
               specification="two_stage")  # fmt: skip
    if spill.binary is not None:
        res = spill.binary
        only = replace(res, table=res.table[res.table["term"] == "exposure_effect"], vcov=None)
        record(only, label="Spillovers: any baseline partner supported (indicator)",
               specification="any")  # fmt: skip
    if spill.placebo is not None:
        placebo_tidy = spill.placebo.table[spill.placebo.table["term"] == "placebo_exposure"]
        placebo_row = placebo_tidy.iloc[0]
        record(replace(spill.placebo, table=placebo_tidy, vcov=None),
               label="Spillovers: placebo on links formed after the baseline",
               specification="placebo")  # fmt: skip
    for term, boot in spill.bootstrap.items():
        record(boot, label=f"Spillovers: wild cluster bootstrap, {term}", specification="all")
    detected = not (spill_row.conf_low <= 0 <= spill_row.conf_high)
    record_value("spillover_exposure_effect", float(spill_row.estimate))
    record_value("spillover_exposure_ci", [float(spill_row.conf_low), float(spill_row.conf_high)])
    record_value("spillover_exposure_p", float(spill_row.p_value))
    record_value("spillover_direct_effect", float(direct_row.estimate))
    record_value("spillover_direct_ci", [float(direct_row.conf_low), float(direct_row.conf_high)])
    record_value("spillover_detected", bool(detected))
    record_value("spillover_counts", spill.counts)
    say("spill.finding.detected" if detected else "spill.finding.none", language,
        outcome=spill_label, effect=fmt_number(spill_row.estimate, language, 3),
        ci=fmt_interval(spill_row.conf_low, spill_row.conf_high, language),
        p=fmt_p(spill_row.p_value, language),
        direct=fmt_number(direct_row.estimate, language, 3),
        direct_ci=fmt_interval(direct_row.conf_low, direct_row.conf_high, language))  # fmt: skip
    if spill.bootstrap:
        reps = next(iter(spill.bootstrap.values())).info["reps"]
        say("spill.bootstrap", language, n_clusters=fmt_int(spill.main.n_clusters, language),
            reps=fmt_int(reps, language), cluster=cluster_text)  # fmt: skip
    show(spillover_figure(table, language=language, base=baseline_year,
                          outcome_label=spill_label))  # fmt: skip
    effect_column = t("spill.column.term", language)
    rows = spillover_rows(table, language=language, base=baseline_year)
    rows = rows.rename(columns={"label": effect_column})
    show(estimates_table(rows, language=language, label_column=effect_column,
                         caption=t("spill.table.caption", language, outcome=spill_label),
                         notes=[t("spill.table.note", language, cluster=cluster_text,
                                  base=baseline_year)]))  # fmt: skip
    left_out = [r.split(":", 1)[1] for r in spill.reasons if r.startswith("type:")]
    if left_out:
        types = ", ".join(link_type_label(v, language) for v in left_out)
        say("spill.missing.types", language, types=types)
    if spill.placebo is not None:
        say("spill.placebo", language, base=baseline_year,
            effect=fmt_number(placebo_row.estimate, language, 3),
            ci=fmt_interval(placebo_row.conf_low, placebo_row.conf_high, language),
            p=fmt_p(placebo_row.p_value, language))  # fmt: skip
    else:
        not_available("spill.missing.placebo", language, base=baseline_year)
