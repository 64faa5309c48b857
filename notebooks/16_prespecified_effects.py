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
# 16 Pre-specified effects: the numbers the final report states
# The pre-specified estimator (analysis.primary_estimator) on the primary outcome, on every
# secondary outcome (analysis.secondary_outcomes) and, when the data hold the women-led flag,
# on the women-led and men-led firms separately. Recorded with role primary / secondary /
# subgroup so the final report (stage 2) and the report document only read them; this page
# runs in stage 1 beside the other estimation pages. For Callaway-Sant'Anna it also records
# the cohort sizes behind each simple aggregation (the weights of its estimand, which the
# report uses to compute the true value of the same estimand on simulated data).
# (Developer note, not shown: the pages print only cell outputs, in the report language.)

# %% tags=["parameters"]
outcome = "primary"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
bootstrap_reps = 9999

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="16_prespecified_effects")

# %%
import math

from evaluation.analysis import effects
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel
from evaluation.pipeline import record, record_value
from evaluation.reporting import sections
from evaluation.reporting.sections import heading, not_available, say, show
from evaluation.reporting.tables import estimates_table
from evaluation.reporting.translations import t, variable_label

effects.quiet_few_clusters()
settings = load_settings()
analysis = settings.analysis
folder = sections.resolve(processed_dir)
ctx = study_context(settings, processed=folder)
primary_outcome = ctx.resolve_outcome(outcome)
estimator_key = analysis.primary_estimator
panel = load_panel(folder, sample)


def estimate(frame, outcome_name):
    """The pre-specified estimator on one outcome, or the reason it cannot run."""
    data = effects.attempt(effects.estimation_sample, frame, outcome_name, ctx)
    if isinstance(data, effects.NotEstimable):
        return data, None
    result = effects.attempt(
        effects.primary_effect, data, outcome_name, ctx, replications=bootstrap_reps, seed=seed
    )
    return result, data


def cohort_sizes(eff):
    """Firms per cohort behind a Callaway-Sant'Anna simple aggregation (its weights)."""
    gt = (eff.extra or {}).get("att_gt")
    if gt is None or not hasattr(gt, "unit_weights"):
        return None
    import pandas as pd

    sizes = pd.Series(gt.unit_weights).groupby(gt.unit_cohort).sum()
    return {str(int(g)): float(n) for g, n in sizes.items() if math.isfinite(g) and g > 0}


def keep(eff, data, role, outcome_name, subgroup=sample):
    """Record one effect with its role, sample, participant count and cohort weights."""
    n_treated = effects.n_treated_firms(data)
    record(eff.result, label=role if role != "subgroup" else f"subgroup {subgroup}", role=role,
           n_treated=n_treated, n_firms=int(data["firm_id"].nunique()),
           **eff.columns(subgroup))  # fmt: skip
    sizes = cohort_sizes(eff)
    if sizes:
        record_value(f"cohort_sizes {role} {outcome_name} {subgroup}", sizes)
    row = eff.row()
    return {"term": f"{t('common.' + role, language) if role != 'subgroup' else ''}"
            f"{': ' if role != 'subgroup' else ''}{variable_label(outcome_name, language)}",
            **{k: row[k] for k in ("estimate", "std_error", "statistic", "p_value",
                                   "conf_low", "conf_high")},
            "n_treated": n_treated}  # fmt: skip


# %%
heading("nb16.title", language, level=1)
say("nb16.intro", language, estimator=t(f"est.{estimator_key}", language))

# %%
rows, skipped = [], []
primary, data = estimate(panel, primary_outcome)
if isinstance(primary, effects.NotEstimable):
    not_available(primary.message, language, **primary.values)
else:
    rows.append(keep(primary, data, "primary", primary_outcome))
    _ = record_value("primary_estimate", float(primary.row()["estimate"]))
    for name in analysis.secondary_outcomes:
        eff, sub = estimate(panel, name)
        if isinstance(eff, effects.NotEstimable):
            skipped.append(f"{variable_label(name, language)}: {eff}")
            continue
        rows.append(keep(eff, sub, "secondary", name))
if rows:
    import pandas as pd

    heading("final.main.heading", language)
    show(
        estimates_table(
            pd.DataFrame(rows), language=language, n_column="n_treated",
            min_cell=analysis.min_cell, caption=t("final.main.heading", language),
            notes=[t("report.interpretation_logs", language), *skipped],
        )
    )  # fmt: skip

# %%
heading("final.gender.heading", language)
if isinstance(primary, effects.NotEstimable):
    not_available(primary.message, language, **primary.values)
elif not ctx.has("women_led_groups"):
    not_available(ctx.missing("women_led_groups"), language)
else:
    by_group = []
    for flag, name in ((1, "women_led"), (0, "men_led")):
        part = data[data["women_led"] == flag]
        eff = effects.attempt(
            effects.primary_effect, part, primary_outcome, ctx,
            replications=bootstrap_reps, seed=seed,
        )  # fmt: skip
        if isinstance(eff, effects.NotEstimable):
            skipped.append(f"{t('common.' + name, language)}: {eff}")
            continue
        r = keep(eff, part, "subgroup", primary_outcome, subgroup=name)
        by_group.append(r | {"term": t("common." + name, language)})
    if by_group:
        import pandas as pd

        show(
            estimates_table(
                pd.DataFrame(by_group), language=language, n_column="n_treated",
                min_cell=analysis.min_cell, notes=skipped,
            )
        )  # fmt: skip
    else:
        not_available("missing.women_led_groups", language)
