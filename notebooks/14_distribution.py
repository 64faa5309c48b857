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
# 14 Distribution of the effect
# Changes-in-changes (Athey-Imbens 2006) quantile effects on the treated, baseline vs end line
# (participants supported by the end line against never-supported firms), bootstrap over the
# inference clusters; the share of firms above the baseline median by group and year; one
# finding (broad or concentrated gains). Without comparison firms, a baseline or the outcome,
# the page says what is missing and the job succeeds.
# (Developer note, not shown: the pages print only cell outputs, in the report language.)

# %% tags=["parameters"]
outcome = "primary"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
bootstrap_reps = 499

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="14_distribution")

# %%
from evaluation.analysis import distribution, effects
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel
from evaluation.pipeline import record, record_value
from evaluation.reporting import sections
from evaluation.reporting.distribution import (
    quantile_effects_figure,
    quantile_table,
    share_labels,
    share_table,
)
from evaluation.reporting.sections import heading, not_available, say, show
from evaluation.reporting.tables import publish_table
from evaluation.reporting.translations import (
    fmt_effect,
    fmt_int,
    fmt_interval,
    fmt_number,
    fmt_percent,
    t,
)

settings = load_settings()
folder = sections.resolve(processed_dir)
ctx = study_context(settings, load_panel(folder), processed=folder)
outcome = ctx.resolve_outcome(outcome)
label = sections.outcome_label(outcome, language, ctx)
base_year, end_year = ctx.years.baseline, ctx.years.endline
panel = load_panel(folder, sample)
data = effects.attempt(distribution.cic_sample, panel, outcome, ctx)
result = shares = None
if not isinstance(data, effects.NotEstimable):
    result = effects.attempt(
        distribution.distribution_effects,
        data,
        outcome,
        ctx,
        replications=bootstrap_reps,
        seed=seed,
    )
    shares = effects.attempt(
        distribution.share_above_baseline_median, data, outcome, base_year, end_year
    )
problem = next(
    (x for x in (data, result) if isinstance(x, effects.NotEstimable)), None
)  # the first reason the estimates are missing
if problem is None and result is not None:
    cluster = result.spec.columns.get("cluster") or "firm_id"
    n_clusters = result.n_clusters or int(data["firm_id"].nunique())
    record(result, label="changes-in-changes, baseline vs end line", sample=sample,
           cluster=cluster, n_clusters=n_clusters)  # fmt: skip
if shares is not None and not isinstance(shares, effects.NotEstimable):
    record_value("share_above_baseline_median", distribution.shares_by_group(shares))

# %%
heading("nb14.title", language, level=1)
if panel.empty:
    not_available("missing.sample", language, sample=sections.sample_label(sample, language))
elif problem is not None:
    reason = str(problem.values.get("reason", problem))
    not_available("missing.cic", language, base=base_year, end=end_year, reason=reason)
else:
    cells = result.info["cells"]
    say(
        "nb14.intro", language, outcome=sections.inline(label), base=base_year, end=end_year,
        treated=fmt_int(cells["y11"], language), comparison=fmt_int(cells["y01"], language),
    )  # fmt: skip

# %%
if problem is None and result is not None:
    heading("nb14.quantiles.heading", language)
    tidy = result.tidy()
    show(quantile_effects_figure(tidy, language=language, outcome_label=label))
    cluster = result.spec.columns.get("cluster")
    if cluster:
        inference = t("dist.note.bootstrap", language, reps=bootstrap_reps, seed=seed,
                      cluster=sections.cluster_name(cluster, language),
                      n_clusters=result.n_clusters)  # fmt: skip
    else:
        inference = t("dist.note.bootstrap_firms", language, reps=bootstrap_reps, seed=seed)
    notes = [t("dist.note.periods", language, base=base_year, end=end_year), inference]
    if result.info["outside_support"] > 0:
        share = fmt_percent(result.info["outside_support"], language)
        notes.append(t("dist.note.outside", language, share=share))
    excluded = data.attrs.get("excluded", {})
    if any(excluded.values()):
        notes.append(t("dist.note.excluded", language, always=excluded["always_treated"],
                       late=excluded["not_yet_treated"]))  # fmt: skip
    notes += sections.context_notes(ctx, language, money=effects.uses_money(ctx, outcome))
    if ctx.outcome(outcome).kind == "log":
        notes.append(t("report.interpretation_logs", language))
    show(publish_table(quantile_table(tidy, language), language=language, digits=3, notes=notes))

# %%
if problem is None and result is not None:
    heading("nb14.finding.heading", language)
    found = distribution.finding(result)
    record_value("distribution_finding", found["code"])
    mean = result.tidy().set_index("term").loc["cic_mean"]
    where = ", ".join(
        fmt_percent(q, language, 0) for q in found["significant"] or found["negative"]
    )
    say(
        f"nb14.finding.{found['code']}", language, k=len(found["significant"]), n=found["n"],
        where=where, mean=fmt_effect(mean.estimate, language),
        ci=fmt_interval(mean.conf_low, mean.conf_high, language),
    )  # fmt: skip
    say("nb14.caveat", language)

# %%
if shares is not None and not isinstance(shares, effects.NotEstimable):
    heading("nb14.share.heading", language)
    by = distribution.shares_by_group(shares)
    say(
        "nb14.share.text", language, outcome=sections.inline(label),
        median=fmt_number(shares.attrs["median"], language, 3),
        p_base=fmt_percent(by["participants"]["baseline"], language),
        p_end=fmt_percent(by["participants"]["endline"], language),
        c_base=fmt_percent(by["comparison"]["baseline"], language),
        c_end=fmt_percent(by["comparison"]["endline"], language),
        diff=fmt_number(100 * shares.attrs["difference"], language, 1),
    )  # fmt: skip
    show(
        publish_table(
            share_table(shares, language),
            count_columns={"share_base": "firms_base", "share_end": "firms_end"},
            min_cell=settings.analysis.min_cell,
            language=language,
            percent_columns=["share_base", "share_end"],
            labels=share_labels(language, base_year, str(end_year)),
            notes=[t("dist.note.share", language)],
        )
    )
