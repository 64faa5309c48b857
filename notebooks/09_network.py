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
# # 09 Inter-firm business network
# Density, degree and reach of the business links per year and group; the programme's effect
# on a firm's links (DiD on degree); the network at end line, without labels. Without a links
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
from evaluation.analysis import effects, network
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel, load_table
from evaluation.pipeline import record, record_value
from evaluation.reporting import sections
from evaluation.reporting.network import network_figure
from evaluation.reporting.sections import heading, not_available, say, show
from evaluation.reporting.tables import estimates_table, publish_table
from evaluation.reporting.translations import country_name, fmt_interval, fmt_number, fmt_p, t

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
