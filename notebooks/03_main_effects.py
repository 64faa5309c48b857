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
# 03 Main effects
# 2x2 difference-in-differences and two-way fixed effects on the outcome; CRV1 beside the
# wild cluster bootstrap.
# (Developer note, not shown: the pages print only cell outputs, in the report language.)

# %% tags=["parameters"]
outcome = "primary"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
bootstrap_reps = 9999
conditional_trends = True

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="03_main_effects")

# %%
from evaluation.analysis import effects
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel
from evaluation.estimators import etable
from evaluation.pipeline import record
from evaluation.reporting import figures, sections
from evaluation.reporting.effects import inference_table
from evaluation.reporting.sections import heading, say, show
from evaluation.reporting.tables import publish_table
from evaluation.reporting.translations import (
    fmt_effect,
    fmt_int,
    fmt_interval,
    fmt_number,
    fmt_p,
    t,
)

effects.quiet_few_clusters()
settings = load_settings()
folder = sections.resolve(processed_dir)
ctx = study_context(settings, load_panel(folder), processed=folder)
outcome = ctx.resolve_outcome(outcome)
label = sections.outcome_label(outcome, language, ctx)
panel = load_panel(folder, sample)
data = effects.attempt(
    effects.estimation_sample, panel, outcome, ctx, conditional_trends=conditional_trends
)
estimates, skipped = [], {}
if not isinstance(data, effects.NotEstimable):
    for key, fit in (("did_2x2", effects.did_effect), ("twfe", effects.twfe_effect)):
        options = {"conditional_trends": conditional_trends} if key == "twfe" else {}
        eff = effects.attempt(
            fit, data, outcome, ctx, replications=bootstrap_reps, seed=seed, **options
        )
        if isinstance(eff, effects.NotEstimable):
            skipped[key] = eff
            continue
        estimates.append(eff)
        record(eff.result, label=f"{eff.key} CRV1", **eff.columns(sample))
        record(eff.bootstrap, label=f"{eff.key} wild cluster bootstrap", **eff.columns(sample))

# %%
heading("nb03.title", language, level=1)
if panel.empty:
    sections.not_available(
        "missing.sample", language, sample=sections.sample_label(sample, language)
    )
elif isinstance(data, effects.NotEstimable):
    sections.not_available(data.message, language, **data.values)
else:
    say(
        "nb03.intro",
        language,
        program=settings.program.name,
        outcome=sections.inline(label),
        sample=sections.sample_label(sample, language),
        post_from=int(data.loc[data["after"] == 1, "year"].min()),
        n_clusters=int(data[ctx.cluster].nunique()),
    )
    for key, why in skipped.items():
        say("missing.analysis", language, analysis=t(f"est.{key}", language), reason=str(why))

# %%
if estimates:
    heading("nb03.table.heading", language)
    labels = {key: t(f"est.{key}", language) for key in ("did_2x2", "twfe")}
    table = inference_table(estimates, labels)
    frame = table.set_index("label")
    frame.index.name = t("common.estimator", language)
    frame.insert(
        3,
        "ci_crv1",
        [
            fmt_interval(lo, hi, language)
            for lo, hi in zip(frame.crv1_low, frame.crv1_high, strict=True)
        ],
    )
    frame.insert(
        5,
        "ci_wcb",
        [
            fmt_interval(lo, hi, language)
            for lo, hi in zip(frame.wcb_low, frame.wcb_high, strict=True)
        ],
    )
    frame = frame.drop(columns=["crv1_low", "crv1_high", "wcb_low", "wcb_high", "inference"])
    crv1, wcb = t("inf.crv1_short", language), t("inf.wcb_short", language)
    cluster = sections.cluster_name(ctx.cluster, language)
    notes = [
        sections.spec_text(eff.spec, t(f"est.{eff.key}", language), eff.result.nobs, sample,
                           language, ctx)
        for eff in estimates
    ]  # fmt: skip
    notes += [
        t("inf.withheld", language, estimator=labels[eff.key],
          n_clusters=eff.result.n_clusters, k=effects.MIN_CLUSTERS_FOR_INFERENCE)
        for eff in estimates if not eff.inference
    ]  # fmt: skip
    notes += [
        t("inf.crv1", language, cluster=cluster, n_clusters=estimates[0].result.n_clusters),
        t("inf.wcb", language, cluster=cluster, reps=bootstrap_reps),
        sections.conditioning_text(
            [c for c in ctx.covariates if c in data.columns],
            "sector_year" in data.columns,
            language,
            ctx,
        )
        if conditional_trends
        else t("spec.no_trends", language),
        *sections.exclusion_notes(data, language, ctx),
        *sections.context_notes(ctx, language, money=effects.uses_money(ctx, outcome)),
    ]
    if ctx.outcome(outcome).kind == "log":
        notes.append(t("report.interpretation_logs", language))
    show(
        publish_table(
            frame,
            min_cell=settings.analysis.min_cell,
            language=language,
            pvalue_columns=["p_crv1", "p_wcb"],
            labels={
                "estimate": t("common.estimate", language),
                "std_error": f"{t('common.std_error', language)} ({crv1})",
                "ci_crv1": f"{t('common.ci', language)} ({crv1})",
                "p_crv1": f"{t('common.p_value', language)} ({crv1})",
                "ci_wcb": f"{t('common.ci', language)} ({wcb})",
                "p_wcb": f"{t('common.p_value', language)} ({wcb})",
                "nobs": t("common.n_obs", language),
                "clusters": t("common.n_clusters", language),
            },
            notes=notes,
        )
    )
    for _, row in table.iterrows():
        say(
            "nb03.result",
            language,
            estimator=row["label"],
            effect=fmt_effect(row["estimate"], language),
            ci_crv1=fmt_interval(row["crv1_low"], row["crv1_high"], language),
            p_crv1=fmt_p(row["p_crv1"], language),
            ci_wcb=fmt_interval(row["wcb_low"], row["wcb_high"], language),
            p_wcb=fmt_p(row["p_wcb"], language),
        )
    side = [eff for eff in estimates if eff.inference]  # withheld inference: no stars
    if side:
        heading("nb03.side_by_side.heading", language)
        effect = t("common.estimate", language)
        frame = etable(
            *(eff.result for eff in side),
            labels=[labels[eff.key] for eff in side],
            terms=[eff.term for eff in side],
            rename={eff.term: effect for eff in side},
            foot={
                "nobs": t("common.n_obs", language),
                "clusters": t("common.n_clusters", language),
            },
            number_format=lambda v: fmt_number(v, language, 3),
            count_format=lambda n: fmt_int(n, language),
        ).rename(index={f"{effect} ": ""})  # the standard errors' line carries no label
        show(
            publish_table(
                frame,
                min_cell=settings.analysis.min_cell,
                language=language,
                notes=[t("table.stars", language)],
            )
        )
    plot = table.rename(columns={"crv1_low": "conf_low", "crv1_high": "conf_high"})
    show(figures.estimates_figure(plot, language=language, outcome=outcome, outcome_label=label))
    say("nb03.caveat", language)
