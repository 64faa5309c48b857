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
# 15 Cost-effectiveness
# Cost per supported firm, per unit of the primary outcome's effect and per job, with the
# effects estimated here by the pre-specified estimator (stage 1: no other page's output is
# read); costs from program.costs. Without costs the page says what to provide.
# (Developer note, not shown: the pages print only cell outputs, in the report language.)

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

params = check(globals(), notebook="15_cost_effectiveness")

# %%
import pandas as pd

from evaluation.analysis import cost_effectiveness as ce
from evaluation.analysis import effects, indicators
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel, load_table
from evaluation.pipeline import record, record_value
from evaluation.reporting import sections
from evaluation.reporting.costs import cost_curve_figure
from evaluation.reporting.sections import heading, not_available, say, show
from evaluation.reporting.tables import publish_table
from evaluation.reporting.translations import fmt_int, fmt_interval, fmt_number, t

JOBS = "employees"  # the processed panel's headcount column (codebook), not a programme fact

effects.quiet_few_clusters()
settings = load_settings()
folder = sections.resolve(processed_dir)
ctx = study_context(settings, load_panel(folder), processed=folder)
outcome = ctx.resolve_outcome(outcome)
label = sections.outcome_label(outcome, language, ctx)
kind = ctx.outcome(outcome).kind
key = settings.analysis.primary_estimator
panel = load_panel(folder, sample)
firms = load_table("firms", folder)
firms = firms[firms["firm_id"].isin(set(panel["firm_id"]))]
try:
    base = ce.cost_base(settings, firms)
except ce.CostsUnavailable as why:
    base = why


def _effect(column: str) -> effects.Effect | effects.NotEstimable:
    """The pre-specified estimator's overall effect on ``column`` (or why it is missing)."""
    data = effects.attempt(effects.estimation_sample, panel, column, ctx)
    if isinstance(data, effects.NotEstimable):
        return data
    skipped: dict = {}
    found = effects.attempt(
        effects.staggered_effects, data, column, ctx, replications=bootstrap_reps, seed=seed,
        estimators=[key], skipped=skipped,
    )  # fmt: skip
    if isinstance(found, effects.NotEstimable):
        return found
    return found.get(key) or skipped.get(key) or effects.NotEstimable("missing.treated")


result = None
if isinstance(base, ce.CostBase):
    main_effect = _effect(outcome)
    jobs_effect = (
        _effect(JOBS)
        if ctx.has("employees")
        else effects.NotEstimable("missing.employees", "no employees column")
    )
    ok_main = isinstance(main_effect, effects.Effect)
    ok_jobs = isinstance(jobs_effect, effects.Effect)
    result = ce.cost_effectiveness(
        base,
        main_effect.result if ok_main else None,
        main_effect.term if ok_main else "",
        kind,
        jobs_effect.result if ok_jobs else None,
        jobs_effect.term if ok_jobs else "",
    )
    spec = main_effect.columns(sample) if ok_main else {"sample": sample}
    record(result, label="cost-effectiveness", **spec)

# %%
heading("nb15.title", language, level=1)
if not isinstance(base, ce.CostBase):
    not_available(base.message, language, **base.values)
else:
    say("nb15.intro", language, outcome=sections.inline(label), estimator=t(f"est.{key}", language))
    year_text = t("nb15.costs.year", language, year=base.year) if base.year else ""
    level = t(f"cost.level.{base.level}", language)
    say(
        "nb15.costs", language, total=fmt_number(base.total, language, 0),
        currency=base.currency, year_text=year_text,
        firms=fmt_int(base.firms, language),
        source=t(f"nb15.costs.source.{base.source}", language, level=level),
    )  # fmt: skip
    if base.unmatched:
        say("nb15.costs.unmatched", language, n=base.unmatched, level=level)
    costs_note = settings.program.costs.note if settings.program.costs else None
    if costs_note is not None:
        say("nb15.costs.note", language, note=costs_note.get(language))

# %%
if result is not None:
    if not ok_main:
        not_available("missing.costs_effect", language, outcome=sections.inline(label),
                      reason=str(main_effect.values.get("reason", main_effect)))  # fmt: skip
    if not ok_jobs and not ctx.has("employees"):
        not_available(ctx.missing("employees"), language)
    elif not ok_jobs:
        not_available("missing.jobs", language,
                      reason=str(jobs_effect.values.get("reason", jobs_effect)))  # fmt: skip
    heading("nb15.table.heading", language)
    tidy = result.tidy()
    unit = {"cost_per_firm": t("cost.level.firm", language),
            "cost_per_outcome_unit": t("cost.unit.percent" if kind in ce.PERCENT_KINDS
                                       else "cost.unit.level", language),
            "cost_per_job": t("cost.unit.job", language)}  # fmt: skip

    def _set(row: pd.Series) -> str:
        if row.status == "bounded":
            return fmt_interval(row.conf_low, row.conf_high, language, 0)
        if row.status == "unbounded" and pd.notna(row.lower_bound):
            return t("cost.set.unbounded", language, lower=fmt_number(row.lower_bound, language, 0))
        if row.status == "unbounded":
            return t("cost.set.open", language)
        return t(f"cost.set.{row.status}", language)

    table = pd.DataFrame(
        {
            t("cost.col.per", language): [unit[r] for r in tidy["term"]],
            t("cost.col.cost", language, currency=base.currency): [
                fmt_number(v, language, 0) if pd.notna(v) else "–" for v in tidy["estimate"]
            ],
            t("cost.col.set", language, currency=base.currency): [
                _set(r) for r in tidy.itertuples()
            ],
            t("cost.col.effect", language): [
                fmt_number(v, language, 3) if pd.notna(v) else "–" for v in tidy["effect"]
            ],
            t("cost.col.effect_ci", language): [
                fmt_interval(lo, hi, language) if pd.notna(lo) else "–"
                for lo, hi in zip(tidy["effect_low"], tidy["effect_high"], strict=True)
            ],
        },
        index=pd.Index([t(f"cost.term.{x}", language) for x in tidy["term"]], name=""),
    )
    notes = [t("nb15.caveat", language)]
    if ok_main:
        notes.append(sections.spec_text(main_effect.spec, t(f"est.{key}", language),
                                        main_effect.result.nobs, sample, language, ctx))  # fmt: skip
    if kind == "log":
        notes.append(t("report.interpretation_logs", language))
    show(publish_table(table, language=language, notes=notes))
    curves = {"cost_per_outcome_unit": t("cost.fig.x.percent" if kind in ce.PERCENT_KINDS
                                         else "cost.fig.x.level", language),
              "cost_per_job": t("cost.fig.x.jobs", language)}  # fmt: skip
    drawn = tidy["term"].isin(list(curves)) & tidy["status"].isin(["bounded", "unbounded"])
    if drawn.any():
        show(cost_curve_figure(tidy, language=language, unit_labels=curves,
                               currency=base.currency))  # fmt: skip

# %%
if result is not None:
    heading("nb15.finding.heading", language)
    rows = result.tidy().set_index("term")
    money = {"per_firm": fmt_number(base.per_firm, language, 0), "currency": base.currency}
    for term, key_text in (
        ("cost_per_outcome_unit", "nb15.finding"),
        ("cost_per_job", "nb15.jobs"),
    ):
        if term not in rows.index:
            continue
        r = rows.loc[term]
        say(
            f"{key_text}.{r.status}", language, **money, outcome=sections.inline(label),
            unit=unit[term], cost=fmt_number(r.estimate, language, 0),
            low=fmt_number(r.conf_low, language, 0), high=fmt_number(r.conf_high, language, 0),
            lower=fmt_number(r.lower_bound, language, 0), effect=fmt_number(r.effect, language, 2),
        )  # fmt: skip
    record_value("cost_per_firm", base.per_firm)

# %%
if isinstance(base, ce.CostBase) and ctx.has("logframe"):
    tables = {name: load_table(name, folder) for name in ("organizations", "links")
              if ctx.has(name)}  # fmt: skip
    inputs = indicators.Inputs(
        firms=firms, **tables, panel=panel, baseline_year=ctx.years.baseline,
        endline_year=ctx.years.endline, outcome=outcome, outcome_kind=kind,
    )  # fmt: skip
    frame = effects.attempt(
        indicators.logframe, indicators.logframe_targets(settings.program), inputs
    )
    if isinstance(frame, pd.DataFrame):
        lf = ce.logframe_costs(base, frame)
        if not lf.empty:
            heading("nb15.logframe.heading", language)
            say("nb15.logframe.text", language)
            shown = pd.DataFrame(
                {
                    t("cost.lf.target", language): lf["target"].map(
                        lambda v: fmt_number(v, language, 0)),
                    t("cost.lf.achieved", language): lf["achieved"].map(
                        lambda v: fmt_number(v, language, 0) if pd.notna(v) else "–"),
                    t("cost.lf.per_target", language, currency=base.currency):
                        lf["cost_per_target"].map(lambda v: fmt_number(v, language, 0)),
                    t("cost.lf.per_achieved", language, currency=base.currency):
                        lf["cost_per_achieved"].map(
                            lambda v: fmt_number(v, language, 0) if pd.notna(v) else "–"),
                },
            )  # fmt: skip
            shown.index = pd.Index(
                lf["indicator_es" if language == "es" else "indicator"],
                name=t("cost.lf.indicator", language),
            )
            show(publish_table(shown, language=language))
