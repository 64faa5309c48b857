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
# 01 Data quality
# Validation summary (what `evaluation validate` finds with the configured mapping and
# settings), response and attrition by group and year, missing and extreme values. Every
# section whose data are absent (no response indicator, no country, no prices, a raw folder
# not reachable from this machine) says so instead of failing.
# (Developer note, not shown: the pages print only cell outputs, in the report language.)

# %% tags=["parameters"]
outcome = "log_labor_productivity"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
bootstrap_reps = 9999

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="01_data_quality")

# %%
import pandas as pd

from evaluation.analysis import effects
from evaluation.analysis.context import study_context
from evaluation.analysis.quality import attrition_did, validation_summary
from evaluation.config import load_settings
from evaluation.data.load import load_panel
from evaluation.pipeline import record, record_value
from evaluation.reporting import figures, sections
from evaluation.reporting.quality import warnings_table
from evaluation.reporting.sections import heading, not_available, say, show
from evaluation.reporting.tables import publish_table
from evaluation.reporting.translations import (
    country_name,
    fmt_int,
    fmt_interval,
    fmt_number,
    fmt_p,
    t,
)

settings = load_settings()
min_cell = settings.analysis.min_cell
folder = sections.resolve(processed_dir)
ctx = study_context(settings, processed=folder)
panel = load_panel(folder, sample)

# %%
heading("nb01.title", language, level=1)
say("nb01.intro", language, sample=sections.sample_label(sample, language))
if ctx.money == "nominal":
    say("money.nominal", language)
if ctx.cluster_fallback and settings.analysis.cluster:
    say("cluster.fallback", language, requested=settings.analysis.cluster,
        n_clusters=fmt_int(ctx.n_clusters, language))  # fmt: skip

# %%
heading("nb01.validation.heading", language)
summary = validation_summary(sections.resolve(raw_dir), settings)
years = panel["year"]
if summary.error is None:
    say(
        "nb01.validation.text",
        language,
        n_errors=fmt_int(summary.n_errors, language),
        n_warnings=fmt_int(summary.n_warnings, language),
        n_rows=fmt_int(len(panel), language),
        n_firms=fmt_int(panel["firm_id"].nunique(), language),
        first_year=int(years.min()),
        last_year=int(years.max()),
    )
else:
    say("nb01.validation.unavailable", language, reason=summary.error)
record_value("validation_errors", summary.n_errors)
_ = record_value("validation_warnings", summary.n_warnings)

# %%
if summary.warnings:
    show(
        publish_table(
            warnings_table(summary, language),
            min_cell=1,
            language=language,
            caption=t("nb01.warnings", language),
        )
    )
show(
    publish_table(
        sections.composition(panel, language),
        min_cell=min_cell,
        language=language,
        caption=t("nb01.composition", language),
    )
)

# %%
heading("nb01.response.heading", language)
if not ctx.has("responded"):
    not_available("missing.responded", language)
else:
    say("nb01.response.text", language)
    response = sections.response_by_year(panel, language)
    published = publish_table(
        response,
        count_columns={"rate_participants": "n_participants", "rate_comparison": "n_comparison"},
        percent_columns=["rate_participants", "rate_comparison"],
        min_cell=min_cell,
        language=language,
        labels={
            "n_participants": t("common.participants", language),
            "rate_participants": f"{t('common.response_rate', language)}: {t('common.participants', language).lower()}",
            "n_comparison": t("common.comparison", language),
            "rate_comparison": f"{t('common.response_rate', language)}: {t('common.comparison', language).lower()}",
        },
        caption=t("common.response_rate", language),
    )
    show(published)
    show(
        figures.trend_figure(
            sections.response_long(published.values, language),
            y="rate",
            language=language,
            percent=True,
            ylabel=t("common.response_rate", language),
            title=t("fig.response.title", language),
        )
    )

# %%
attrition = (
    attrition_did(panel, ctx.cluster, replications=bootstrap_reps, seed=seed)
    if ctx.has("responded")
    else None
)
if attrition is not None:
    record(attrition.result, label="differential attrition (response rate, 2x2 DiD)")
    record(attrition.bootstrap, label="differential attrition, wild cluster bootstrap")
    row = attrition.result.tidy().iloc[0]
    boot = attrition.bootstrap.tidy().iloc[0]
    say(
        "nb01.attrition.result",
        language,
        post_from=attrition.post_from,
        effect=fmt_number(100 * row["estimate"], language, 1),
        ci=fmt_interval(100 * row["conf_low"], 100 * row["conf_high"], language, 1),
        p=fmt_p(row["p_value"], language),
        inference=t(
            "inf.crv1",
            language,
            cluster=sections.cluster_name(
                attrition.result.info.get("cluster", ctx.cluster), language
            ),
            n_clusters=attrition.result.n_clusters,
        ),
        ci_wcb=fmt_interval(100 * boot["conf_low"], 100 * boot["conf_high"], language, 1),
        p_wcb=fmt_p(boot["p_value"], language),
    )
elif ctx.has("responded"):
    not_available(ctx.missing("comparison") if ctx.has("treated") else "missing.treated", language)

# %%
# the sample flow for the final report (recorded, not shown): firms and firm-years of the
# panel by group, response by year, and the firms the estimation sample of the outcome leaves
# out with the reason (analysis.effects.estimation_sample states the same counts)
flow = {"firms": int(panel["firm_id"].nunique()), "firm_years": len(panel)}
for column in ("participant", "cohort"):
    if column in panel.columns:
        firm_group = panel.groupby("firm_id")[column].max().fillna(0).gt(0)
        flow |= {"participants": int(firm_group.sum()), "comparison": int((~firm_group).sum())}
        break
if ctx.has("responded"):
    flow["response"] = [
        {"year": int(year), **{k: (None if pd.isna(v) else float(v)) for k, v in row.items()}}
        for year, row in published.values.iterrows()
    ]
try:
    analysed = effects.estimation_sample(panel, outcome, ctx)
    groups = analysed.groupby("firm_id")["participant"].max()
    flow["analysis"] = {
        "outcome": outcome,
        "participants": int((groups == 1).sum()),
        "comparison": int((groups == 0).sum()),
        "firm_years": len(analysed),
        "excluded": {k: int(v) for k, v in analysed.attrs.get("excluded", {}).items()},
    }
except effects.DATA_ERRORS:
    pass  # the effect pages say why there is no estimation sample
_ = record_value("sample_flow", flow)

# %%
heading("nb01.missing.heading", language)
say("nb01.missing.text", language)
show(
    publish_table(
        sections.missingness(
            panel, language, list(dict.fromkeys([*sections.REPORTED, *ctx.analysis_outcomes]))
        ),
        count_columns={
            "missing_participants": "n_participants",
            "missing_comparison": "n_comparison",
        },
        percent_columns=["missing_participants", "missing_comparison"],
        min_cell=min_cell,
        language=language,
        labels={
            "n_participants": t("common.participants", language),
            "missing_participants": f"{t('common.missing_share', language)}: {t('common.participants', language).lower()}",
            "n_comparison": t("common.comparison", language),
            "missing_comparison": f"{t('common.missing_share', language)}: {t('common.comparison', language).lower()}",
        },
    )
)

# %%
heading("nb01.outliers.heading", language)
say("nb01.outliers.text", language, k=3)
if not ctx.has("country"):
    not_available("missing.country", language)
extreme = sections.outliers(panel, language, k=3.0)


def _group(column: str) -> str:
    code = column.split("_")[-1]
    return t("common.all", language) if code == "all" else country_name(code, language)


show(
    publish_table(
        extreme,
        count_columns={
            c: c.replace("firm_years_", "firms_")
            for c in extreme.columns
            if c.startswith("firm_years_")
        },
        min_cell=min_cell,
        language=language,
        labels={
            c: f"{t('nb01.row.firm_years', language)}: {_group(c)}"
            if c.startswith("firm_years_")
            else f"{t('common.n_firms', language)}: {_group(c)}"
            for c in extreme.columns
        },
    )
)
