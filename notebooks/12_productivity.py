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
# 12 Total factor productivity
# Which production inputs the data hold (analysis.production), the output elasticities by
# Olley-Pakes, Levinsohn-Petrin and Ackerberg-Caves-Frazer beside OLS, and the primary DiD
# estimator on log TFP (the configured method's productivity) with its event-time figure.
# Without a configured production function or its columns the page says what to provide and
# the job succeeds. `outcome` is required by the runner but unused: the outcome is log TFP.

# %% tags=["parameters"]
outcome = "primary"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
bootstrap_reps = 99

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="12_productivity")

# %%
import pandas as pd

from evaluation.analysis import effects, productivity
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel, load_truth
from evaluation.estimators.production import summary_frame
from evaluation.pipeline import record, record_value
from evaluation.reporting import figures, sections
from evaluation.reporting.sections import heading, not_available, say, show
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
panel = load_panel(folder, sample)
inputs = productivity.production_inputs(settings, panel)
why_not = productivity.not_estimable(inputs) if not panel.empty else None
results, skipped = {}, {}
tfp_sample = None
if not panel.empty and why_not is None:
    tfp_sample = productivity.estimation_sample(panel, inputs)
    for method in inputs.methods:
        fit = effects.attempt(
            productivity.estimate, tfp_sample, inputs, method,
            replications=bootstrap_reps, seed=seed, alpha=settings.analysis.alpha,
        )  # fmt: skip
        if isinstance(fit, effects.NotEstimable):
            skipped[method] = fit
            continue
        results[method] = fit
        record(fit, label=f"production_{method}", sample=sample)

# %%
heading("nb12.title", language, level=1)
config = inputs.config
if panel.empty:
    not_available("missing.sample", language, sample=sections.sample_label(sample, language))
elif config is None:
    not_available("missing.production_config", language)
else:
    say(
        "nb12.intro", language,
        form=t(f"nb12.form.{config.form}", language),
        output_kind=t("nb12.output." + ("value_added" if config.value_added else "gross"), language),
        method=t(f"est.production_{config.method}", language),
    )  # fmt: skip

# %%
if config is not None and not panel.empty:
    heading("nb12.inputs.heading", language)
    rows = []
    for role, column in inputs.roles.items():
        rows.append(
            {
                "role": t(f"nb12.role.{role}", language),
                "column": column or t("nb12.not_configured", language),
                "found": t("common.yes" if role in inputs.found else "common.no", language),
            }
        )
    frame = pd.DataFrame(rows).set_index("role")
    frame.index.name = t("common.role", language)
    show(
        publish_table(
            frame,
            language=language,
            labels={"column": t("nb12.column", language), "found": t("nb12.found", language)},
        )
    )
    if why_not is not None:
        not_available(why_not.message, language, **why_not.values)
    else:
        for method, what in (("op", "nb12.role.investment"), ("lp", "nb12.role.intermediates")):
            if method not in inputs.methods:
                say(
                    "nb12.method_missing", language,
                    method=t(f"est.production_{method}", language), what=t(what, language),
                )  # fmt: skip
        for method, why in skipped.items():
            say(
                "missing.analysis", language,
                analysis=t(f"est.production_{method}", language), reason=str(why),
            )  # fmt: skip

# %%
if results:
    heading("nb12.elasticities.heading", language)
    say(
        "nb12.sample", language,
        rows=fmt_int(len(tfp_sample), language),
        firms=fmt_int(tfp_sample["firm_id"].nunique(), language),
        excluded=fmt_int(tfp_sample.attrs.get("excluded", 0), language),
    )  # fmt: skip
    names = productivity.input_names(inputs)
    role_of = {v: k for k, v in inputs.found.items()}

    def input_label(term: str) -> str:
        if term == "returns_to_scale":
            return t("nb12.returns_to_scale", language)
        return t(f"nb12.role.{role_of[names[term]]}", language).split(" (")[0]

    # OLS beside the control functions: the bias they correct
    ols = productivity.ols_reference(tfp_sample, inputs)
    table = pd.DataFrame(
        {t("nb12.ols", language): ols.to_numpy()}, index=[input_label(c) for c in ols.index]
    )
    for method, fit in results.items():
        frame = summary_frame(fit)
        column = t(f"est.production_{method}", language)
        cells = {
            input_label(r.term): f"{fmt_number(r.estimate, language, 3)} "
            f"({fmt_number(r.std_error, language, 3)})"
            for r in frame.itertuples()
        }
        table[column] = pd.Series(cells)
        for r in frame.itertuples():
            record_value(f"tfp_{method}_{r.term.removeprefix('tfp_log_')}", float(r.estimate))
    table.index.name = t("common.term", language)
    notes = [t("nb12.elasticities.note", language, reps=bootstrap_reps)]
    if config.form == "translog":
        notes.append(t("nb12.elasticities.translog", language))
    notes += sorted({n for fit in results.values() for n in fit.notes})
    show(publish_table(table, language=language, notes=notes))
    truth_file = load_truth(sections.resolve(raw_dir))
    if isinstance(truth_file, dict) and not truth_file.get("production"):
        say("nb12.simulated", language)

# %%
tfp_method = None
if results:
    tfp_method = config.method if config.method in results else list(results)[-1]
    panel_tfp = productivity.with_log_tfp(panel, tfp_sample, results[tfp_method])
    data = effects.attempt(effects.estimation_sample, panel_tfp, productivity.OUTCOME, ctx)
    eff = None
    if not isinstance(data, effects.NotEstimable):
        eff = effects.attempt(
            effects.primary_effect, data, productivity.OUTCOME, ctx,
            replications=settings.analysis.bootstrap_reps, seed=seed,
        )  # fmt: skip
    heading("nb12.did.heading", language)
    if isinstance(data, effects.NotEstimable):
        not_available(data.message, language, **data.values)
    elif isinstance(eff, effects.NotEstimable):
        not_available(eff.message, language, **eff.values)
    else:
        record(eff.result, label=f"{eff.key} overall", **eff.columns(sample))
        if eff.dynamic is not None:
            record(eff.dynamic, label=f"{eff.key} dynamic", **eff.columns(sample))
        row = eff.row()
        record_value("tfp_effect", float(row["estimate"]))
        estimator = t(f"est.{eff.key}", language)
        say(
            "nb12.did.text", language, estimator=estimator,
            effect=fmt_effect(row["estimate"], language),
            ci=fmt_interval(row["conf_low"], row["conf_high"], language) if eff.inference else "–",
            p=fmt_p(row["p_value"], language) if eff.inference else "–",
        )  # fmt: skip
        label = t("var.log_tfp", language)
        notes = [
            sections.spec_text(eff.spec, estimator, eff.result.nobs, sample, language, ctx),
            *sorted(set(eff.result.notes)),
            t("report.interpretation_logs", language),
            t("nb12.did.caveat", language),
        ]
        shown = pd.DataFrame(
            [
                {
                    "label": estimator,
                    "estimate": row["estimate"],
                    "std_error": row["std_error"],
                    "ci": fmt_interval(row["conf_low"], row["conf_high"], language),
                    "p_value": row["p_value"],
                    "nobs": int(eff.result.nobs),
                }
            ]
        ).set_index("label")
        shown.index.name = t("common.estimator", language)
        show(
            publish_table(
                shown,
                min_cell=settings.analysis.min_cell,
                language=language,
                labels={
                    "estimate": t("common.estimate", language),
                    "std_error": t("common.std_error", language),
                    "ci": t("common.ci", language),
                    "p_value": t("common.p_value", language),
                    "nobs": t("common.n_obs", language),
                },
                notes=notes,
            )
        )
        if eff.dynamic is not None and eff.inference:
            heading("nb12.dynamic.heading", language)
            show(
                figures.event_study_figure(
                    eff.dynamic.tidy().dropna(subset=["std_error"]),
                    language=language,
                    outcome=productivity.OUTCOME,
                    outcome_label=label,
                )
            )
