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
# 06 Heterogeneity
# Women-led firms (triple differences), and the primary estimator by country, sector and
# cohort, with small subgroups suppressed.
# (Developer note, not shown: the pages print only cell outputs, in the report language.)

# %% tags=["parameters"]
outcome = "primary"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
dimensions = ["women_led", "country", "sector", "cohort"]

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="06_heterogeneity")

# %%
import pandas as pd

from evaluation.analysis import effects
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel
from evaluation.estimators import triple_differences
from evaluation.pipeline import record
from evaluation.reporting import figures, sections
from evaluation.reporting.sections import heading, say, show
from evaluation.reporting.tables import estimates_table
from evaluation.reporting.translations import fmt_effect, fmt_interval, fmt_p, t, variable_label

effects.quiet_few_clusters()
settings = load_settings()
min_cell = settings.analysis.min_cell
folder = sections.resolve(processed_dir)
ctx = study_context(settings, load_panel(folder), processed=folder)
outcome = ctx.resolve_outcome(outcome)
label = sections.outcome_label(outcome, language, ctx)
panel = load_panel(folder, sample)
data = effects.attempt(effects.estimation_sample, panel, outcome, ctx)
cluster = ctx.cluster
ok = not panel.empty and not isinstance(data, effects.NotEstimable)

# %%
heading("nb06.title", language, level=1)
if panel.empty:
    sections.not_available(
        "missing.sample", language, sample=sections.sample_label(sample, language)
    )
elif not ok:
    sections.not_available(data.message, language, **data.values)
else:
    say("nb06.intro", language, outcome=label)

# %%
if ok:
    heading("nb06.ddd.heading", language)
    ddd = None
    if not ctx.has("women_led_groups") or data["women_led"].nunique() < 2:
        sections.not_available(ctx.missing("women_led_groups"), language)
    else:
        ddd = effects.attempt(
            triple_differences, data, outcome, "firm_id", "year", "treated", "women_led",
            cluster=cluster,
        )  # fmt: skip
        if isinstance(ddd, effects.NotEstimable):
            say(
                "missing.analysis",
                language,
                analysis=t("est.triple_differences", language),
                reason=str(ddd),
            )
            ddd = None
    if ddd is not None:
        record(
            ddd, label="triple differences: women-led x participant x post", cluster=cluster,
            n_clusters=int(ddd.n_clusters or 0), covariates="", control_group="",
            conditional_trends=False, sample=sample,
        )  # fmt: skip
        gap = ddd.tidy().set_index("term").loc["treated:women_led"]
        say(
            "nb06.ddd.text",
            language,
            effect=fmt_effect(gap["estimate"], language),
            ci=fmt_interval(gap["conf_low"], gap["conf_high"], language),
            p=fmt_p(gap["p_value"], language),
            inference=t(
                "inf.crv1",
                language,
                cluster=sections.cluster_name(cluster, language),
                n_clusters=ddd.n_clusters,
            ),
        )
        tidy = ddd.tidy()
        tidy["term"] = [
            {
                "treated": t("common.men_led", language),
                "treated:women_led": t("common.difference", language),
            }.get(term, t("common.women_led", language))
            for term in tidy["term"]
        ]
        show(
            estimates_table(
                tidy,
                language=language,
                caption=t("est.triple_differences", language),
                notes=sections.context_notes(ctx, language),
            )
        )

# %%
frames = []
if ok:
    heading("nb06.subgroups.heading", language)
    say("nb06.subgroups.text", language, estimator=t("est.cs", language), min_cell=min_cell)
    for dimension in dimensions:
        if dimension == "cohort":
            if data.loc[data["cohort"] > 0, "cohort"].nunique() < 2:
                cohort = int(data.loc[data["cohort"] > 0, "cohort"].min())
                sections.not_available("missing.single_cohort", language, cohort=cohort)
                continue
        elif dimension not in data.columns or data[dimension].dropna().nunique() < 2:
            feature = "women_led_groups" if dimension == "women_led" else dimension
            if feature in ctx.features and not ctx.has(feature):
                sections.not_available(ctx.missing(feature), language)
            else:
                say(
                    "missing.dimension",
                    language,
                    dimension=variable_label(dimension, language),
                    reason=t("missing.women_led_groups", language)
                    if dimension == "women_led"
                    else t("common.not_available", language),
                )
            continue
        part = effects.attempt(effects.subgroup_effects, data, outcome, ctx, dimension)
        if isinstance(part, effects.NotEstimable):
            say(
                "missing.dimension",
                language,
                dimension=variable_label(dimension, language),
                reason=str(part),
            )
            continue
        part.insert(0, "dimension", dimension)
        frames.append(part)

# %%
if frames:
    subgroups = pd.concat(frames, ignore_index=True)
    subgroups["term"] = [
        f"{d}={g}" for d, g in zip(subgroups["dimension"], subgroups["subgroup"], strict=True)
    ]
    # recorded: estimates from at least min_cell participating firms, with their inference
    publishable = subgroups[subgroups["n_treated"] >= min_cell].dropna(
        subset=["estimate", "std_error"]
    )
    columns = ["term", "estimate", "std_error", "p_value", "conf_low", "conf_high", "n_treated"]
    spec = effects.resolve_spec(ctx, data)
    if not publishable.empty:
        record(
            publishable[columns].assign(
                statistic=publishable["estimate"] / publishable["std_error"]
            ),
            label="subgroup effects (Callaway-Sant'Anna)",
            cluster=spec.cluster,
            n_clusters=int(data[spec.cluster].nunique()),
            covariates=", ".join([*spec.covariates, *(["sector"] if spec.sectors else [])]),
            control_group="not_yet_treated",
            conditional_trends=True,
            sample=sample,
        )
    subgroups["label"] = [
        # women-led and cohort levels name themselves ("Women-led", "Cohort 2016")
        sections.level_label(d, g, language)
        if d in ("women_led", "cohort")
        else f"{variable_label(d, language)}: {sections.level_label(d, g, language)}"
        for d, g in zip(subgroups["dimension"], subgroups["subgroup"], strict=True)
    ]
    table = estimates_table(
        subgroups,
        language=language,
        label_column="label",
        n_column="n_treated",
        min_cell=min_cell,
        caption=t("fig.subgroups.title", language),
        notes=[
            t(
                "nb06.few_clusters",
                language,
                cluster=sections.cluster_name(cluster, language),
                k=effects.MIN_CLUSTERS_FOR_INFERENCE,
            ),
            *sections.context_notes(ctx, language),
        ]
        + ([t("nb06.not_estimable", language)] if subgroups["note"].astype(bool).any() else []),
    )
    table.frame.index.name = t("nb06.subgroup", language)
    table.frame[t("common.n_clusters", language)] = subgroups["clusters"].to_numpy()
    table.frame[t("nb06.note", language)] = [
        t("nb06.not_estimated", language) if note else "" for note in subgroups["note"]
    ]
    show(table)
    plot = subgroups.assign(
        estimate=table.values["estimate"].to_numpy(),
        conf_low=subgroups["conf_low"].where(table.values["estimate"].notna().to_numpy()),
        conf_high=subgroups["conf_high"].where(table.values["estimate"].notna().to_numpy()),
    )
    show(
        figures.estimates_figure(
            plot,
            language=language,
            outcome=outcome,
            outcome_label=label,
            title=t("fig.subgroups.title", language),
            group="dimension",
        )
    )
