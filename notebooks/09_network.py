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
# Density, degree and reach of the business links per year and cluster; the program's effect on
# a firm's links (DiD on degree); the network of each country at end line, without labels.

# %% tags=["parameters"]
outcome = "linkages"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
baseline_year = 2015
endline_year = 2018

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="09_network")

# %%
from evaluation import network
from evaluation.config import load_settings
from evaluation.data.load import load_table
from evaluation.indicators import heading, say
from evaluation.pipeline import record, record_value
from evaluation.reporting import effects, sections
from evaluation.reporting.sections import show
from evaluation.reporting.tables import estimates_table, publish_table
from evaluation.reporting.translations import fmt_interval, fmt_number, fmt_p

effects.quiet_few_clusters()
settings = load_settings()
cluster = settings.analysis.cluster
folder = sections.resolve(processed_dir)
firms = load_table("firms", folder)
links = load_table("links", folder)
if sample != "all":
    from evaluation.data.load import SAMPLES

    keep = set(firms.query(SAMPLES[sample])["firm_id"]) if SAMPLES[sample] else set(firms.firm_id)
    firms = firms[firms.firm_id.isin(keep)]
    links = links[links.firm_a.isin(keep) & links.firm_b.isin(keep)]

# %%
heading("nb09.title", language, level=1)
say("nb09.intro", language)
heading("nb09.summary", language)
summary = network.program_summary(links, firms).set_index("year")
for year in (baseline_year, endline_year):
    if year in summary.index:
        record_value(f"network_links_{year}", int(summary.loc[year, "links"]))
        record_value(f"women_led_links_{year}", int(summary.loc[year, "links_between_women_led"]))
show(publish_table(summary, language=language, digits=3))

# %%
heading("nb09.clusters", language, base=baseline_year, end=endline_year)
say("nb08.breakdowns.text", language, min_cell=settings.analysis.min_cell)
measures = network.network_measures(links, firms, [baseline_year, endline_year])
wide = measures.pivot(index="group", columns="year")
cols = ["firms", "density", "mean_degree", "share_across_clusters", "share_women_led"]
table = wide[cols]
table.columns = [f"{c} {y}" for c, y in table.columns]
show(publish_table(table, row_count=f"firms {baseline_year}", language=language, digits=3))

# %%
did = network.degree_did(links, firms, baseline_year, endline_year, cluster=cluster)
record(did, label="DiD on firm degree")
row = did.tidy().set_index("term").iloc[0]
record_value("degree_effect", row.estimate)
say(
    "nb09.did", language, effect=fmt_number(row.estimate, language, 3),
    ci=fmt_interval(row.conf_low, row.conf_high, language), p=fmt_p(row.p_value, language),
    base=baseline_year, end=endline_year, cluster=cluster, n_clusters=did.n_clusters,
)  # fmt: skip
show(estimates_table(did.tidy().iloc[:1], language=language))

# %%
heading("nb09.figures", language)
for country in sorted(firms["country"].unique()):
    show(network.network_figure(links, firms, country, endline_year, language=language, seed=seed))
