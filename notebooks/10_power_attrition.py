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
# 10 Power, balance and attrition
# The minimum detectable effect of the clustered DiD (and a simulation check), baseline balance
# of the analysis sample after attrition beside the full baseline sample, differential
# attrition tests and Lee bounds for the main effect.

# %% tags=["parameters"]
outcome = "primary"
sample = "all"
language = "en"
seed = 20160601
processed_dir = "data/processed"
raw_dir = "data/raw"
reps = 200
# None: the configured outcomes the data hold, firm age and the women-led flag when observed
balance_covariates = None

# %%
from evaluation.pipeline.parameters import check

params = check(globals(), notebook="10_power_attrition")

# %%
import numpy as np
import pandas as pd

from evaluation.analysis import effects
from evaluation.analysis.context import study_context
from evaluation.config import load_settings
from evaluation.data.load import load_panel
from evaluation.estimators import balance_table, lee_bounds, minimum_detectable_effect
from evaluation.estimators.bounds import differential_attrition
from evaluation.estimators.power import simulated_power
from evaluation.pipeline import record, record_value
from evaluation.reporting import sections
from evaluation.reporting.sections import heading, say, show
from evaluation.reporting.tables import estimates_table, publish_table
from evaluation.reporting.translations import (
    fmt_interval,
    fmt_number,
    fmt_p,
    fmt_percent,
    t,
)

effects.quiet_few_clusters()
settings = load_settings()
folder = sections.resolve(processed_dir)
ctx = study_context(settings, load_panel(folder), processed=folder)
outcome = ctx.resolve_outcome(outcome)
# strata as fixed effects in the balance regressions only when clusters group several firms
strata_fe = None if ctx.cluster == "firm_id" else "inference_cluster"
baseline_year, endline_year = ctx.years.baseline, ctx.years.endline
panel = load_panel(folder, sample)
# a column of its own, so that clustering by firm does not collide with the firm index
panel["inference_cluster"] = panel[ctx.cluster]
cluster = "inference_cluster"
firms = panel.drop_duplicates("firm_id").set_index("firm_id")
years = sorted(panel["year"].unique())
pre_years = [y for y in years if baseline_year is not None and y <= baseline_year]
post_years = [
    y for y in years if baseline_year is not None and baseline_year < y <= (endline_year or y)
]
if balance_covariates is None:
    balance_covariates = [outcome, *ctx.analysis_outcomes, "firm_age", "women_led"]
balance_covariates = list(
    dict.fromkeys(c for c in balance_covariates if c in panel and panel[c].notna().any())
)


def variable_label(name: str, language: str) -> str:
    return sections.outcome_label(name, language, ctx)


def skipped(key: str, err: Exception) -> None:
    """An analysis of this page the data cannot support: say which and why."""
    sections.say("missing.analysis", language, analysis=t(key, language), reason=str(err))


ok = not panel.empty and outcome in panel and panel[outcome].notna().any()

# %%
heading("nb10.title", language, level=1)
if not ok:
    sections.not_available(
        "missing.sample" if panel.empty else "missing.outcome",
        language,
        sample=sections.sample_label(sample, language),
        outcome=outcome,
        reason="",
    )


# %%
if ok:
    heading("nb10.power", language)
    try:
        per_cluster = float(firms.groupby(cluster).size().mean())
        share = float(firms["participant"].mean())
        mde = minimum_detectable_effect(
            panel[panel.responded == 1], clusters=firms[cluster].nunique(), firms_per_cluster=per_cluster,
            treated_share=share, outcome=outcome, cluster=cluster, pre_window=pre_years,
            post_window=post_years, comparison="participant",
        )  # fmt: skip
        record(mde, label="minimum detectable effect")
        m = mde.tidy().iloc[0]
        record_value("mde", m.estimate)
        # simulation check on comparison firms only (no program effect in their outcomes): half of the
        # comparison firms of each stratum get the stratum's real cohort, then timing is permuted
        rng = np.random.default_rng(seed)
        comp = panel[
            (panel.participant == 0) & (panel.responded == 1) & panel[outcome].notna()
        ].copy()
        stratum_cohort = firms[firms.participant == 1].groupby(cluster)["cohort"].first()
        ids = comp.drop_duplicates("firm_id")[["firm_id", cluster]]
        ids["pseudo"] = ids.groupby(cluster)["firm_id"].transform(
            lambda s: rng.permutation(len(s)) < len(s) / 2
        )
        ids["pseudo_cohort"] = np.where(
            ids["pseudo"], ids[cluster].map(stratum_cohort).fillna(0), 0
        )
        if not (ids["pseudo_cohort"] > 0).any():
            # clusters of one firm (or strata without participants): half of the comparison
            # firms, drawn at random, get cohorts drawn from the participants' cohorts
            ids["pseudo"] = rng.permutation(len(ids)) < len(ids) / 2
            drawn = rng.choice(firms.loc[firms.participant == 1, "cohort"].to_numpy(), len(ids))
            ids["pseudo_cohort"] = np.where(ids["pseudo"], drawn, 0)
        comp["pseudo_cohort"] = comp["firm_id"].map(ids.set_index("firm_id")["pseudo_cohort"])
        # the analytic MDE of this placebo design (comparison firms only, half pseudo-participants)
        placebo_mde = float(
            minimum_detectable_effect(
                comp, clusters=comp[cluster].nunique(),
                firms_per_cluster=float(ids.groupby(cluster).size().mean()), treated_share=0.5,
                outcome=outcome, cluster=cluster, pre_window=pre_years, post_window=post_years,
                comparison=None,
            ).tidy().estimate[0]
        )  # fmt: skip
        placebo = comp[comp.year <= endline_year]
        sim, size = (
            simulated_power(
                placebo, effect, outcome=outcome, cohort="pseudo_cohort", cluster=cluster,
                replications=reps,
                seed=seed + k,
            ).tidy().iloc[0]
            for k, effect in enumerate((placebo_mde, 0.0))
        )  # fmt: skip
        record_value("simulated_power_at_mde", sim.estimate)
        record_value("simulated_size", size.estimate)
        say(
            "nb10.power.text", language, clusters=int(m.clusters), per=fmt_number(per_cluster, language, 0),
            share=fmt_percent(share, language), icc=fmt_number(m.icc, language, 3), pre=int(m.pre_periods),
            post=int(m.post_periods), outcome=variable_label(outcome, language),
            mde=fmt_number(m.estimate, language, 3), mde_p=fmt_number(placebo_mde, language, 3),
            sim=fmt_percent(sim.estimate, language), reps=reps,
            size=fmt_percent(size.estimate, language),
        )  # fmt: skip
    except effects.DATA_ERRORS as err:
        skipped("nb10.power", err)

# %%
if ok:
    try:
        heading("nb10.balance", language)
        base = panel[panel.year == baseline_year]
        responding_end = set(
            panel.loc[(panel.year == endline_year) & (panel.responded == 1), "firm_id"]
        )
        covs = [c for c in balance_covariates if c in base.columns]
        full = balance_table(
            base[base.responded == 1], "participant", covs, cluster=cluster, fixed_effects=strata_fe
        )
        analysis = balance_table(
            base[(base.responded == 1) & base.firm_id.isin(responding_end)], "participant", covs,
            cluster=cluster, fixed_effects=strata_fe,
        )  # fmt: skip
        record(full, label="balance baseline full sample")
        record(analysis, label="balance baseline analysis sample")
        jf, ja = full.info["joint_test"], analysis.info["joint_test"]
        say(
            "nb10.balance.text", language, year=baseline_year, cluster=sections.cluster_name(ctx.cluster, language), end=endline_year,
            f_full=fmt_number(jf["statistic"], language, 2), p_full=fmt_p(jf["p_value"], language),
            f_an=fmt_number(ja["statistic"], language, 2), p_an=fmt_p(ja["p_value"], language),
        )  # fmt: skip
        side = pd.concat(
            {"full": full.tidy().set_index("term"), "analysis": analysis.tidy().set_index("term")},
            axis=1,
        )
        cols = [
            (s, c)
            for s in ("full", "analysis")
            for c in ("estimate", "normalized_difference", "p_value", "n_treated", "n_control")
        ]
        side = side[cols]
        side.columns = [f"{s}: {c}" for s, c in cols]
        side.index = [variable_label(v, language) for v in side.index]
        counts = {
            f"{s}: {c}": [f"{s}: n_treated", f"{s}: n_control"]
            for s in ("full", "analysis")
            for c in ("estimate", "normalized_difference", "p_value")
        }
        show(
            publish_table(
                side,
                count_columns=counts,
                language=language,
                pvalue_columns=["full: p_value", "analysis: p_value"],
            )
        )
    except effects.DATA_ERRORS as err:
        skipped("nb10.balance", err)

# %%
if ok:
    try:
        heading("nb10.attrition", language)
        wide = panel.pivot_table(index="firm_id", columns="year", values=outcome)
        attrition_covariates = [
            c
            for c in ("women_led", "baseline_log_employees")
            if c in firms and firms[c].notna().any()
        ]
        frame = firms[["participant", cluster, *attrition_covariates]].copy()
        frame["responded_end"] = frame.index.isin(responding_end).astype(int)
        frame["change"] = wide.get(endline_year) - wide.get(baseline_year)
        frame["observed"] = (frame["responded_end"] == 1) & frame["change"].notna()
        frame["observed"] = frame["observed"].astype(int)
        att = differential_attrition(
            frame.reset_index(),
            "responded_end",
            "participant",
            attrition_covariates,
            cluster=cluster,
        )
        record(att, label="differential attrition")
        bounds = lee_bounds(
            frame.reset_index(),
            "change",
            "participant",
            "observed",
            cluster=cluster,
            replications=reps,
            seed=seed,
        )
        record(bounds, label="Lee bounds")
        b = bounds.tidy().set_index("term")
        a = att.tidy().set_index("term").loc["participant"]
        record_value("lee_lower", b.loc["lower", "estimate"])
        record_value("lee_upper", b.loc["upper", "estimate"])
        say(
            "nb10.attrition.text", language, end=endline_year, base=baseline_year,
            resp_t=fmt_percent(att.info["response_treated"], language),
            resp_c=fmt_percent(att.info["response_control"], language),
            diff=fmt_number(a.estimate, language, 3), p=fmt_p(a.p_value, language),
            joint=fmt_p(att.info["joint_p"], language), outcome=variable_label(outcome, language),
            lower=fmt_number(b.loc["lower", "estimate"], language, 3),
            upper=fmt_number(b.loc["upper", "estimate"], language, 3),
            im=fmt_interval(b.loc["identified_set", "conf_low"], b.loc["identified_set", "conf_high"], language),
        )  # fmt: skip
        show(estimates_table(bounds.tidy().iloc[:2], language=language))
    except effects.DATA_ERRORS as err:
        skipped("nb10.attrition", err)

# %%
if ok:
    try:
        # the pre-specified Callaway-Sant'Anna estimate on the balanced panel beside the same
        # specification on every observed firm-year: does attrition move it?
        est_sample = effects.estimation_sample(panel, outcome, ctx)
        rows = []
        try:
            for key, unbalanced in (("nb10.cs_balanced", False), ("nb10.cs_all", True)):
                eff = effects.primary_cs(est_sample, outcome, ctx, allow_unbalanced=unbalanced)
                record(
                    eff.result,
                    label=f"callaway_santanna {'all firm-years' if unbalanced else 'balanced'}",
                    **eff.columns(sample),
                )
                firms_used = eff.extra["att_gt"].n_units
                if not unbalanced:
                    # cohort sizes among the firms the estimate uses (R did's pg weights), so
                    # the final report can weight the true ATT(g,t) as the simple aggregation does
                    gt = eff.extra["att_gt"]
                    sizes = pd.Series(gt.unit_weights).groupby(gt.unit_cohort).sum()
                    record_value(
                        "cs_cohort_sizes",
                        {
                            str(int(g)): float(n)
                            for g, n in sizes.items()
                            if np.isfinite(g) and g > 0
                        },
                    )
                rows.append(
                    eff.row().to_dict()
                    | {"term": t(key, language, firms=firms_used), "firms": firms_used}
                )
        except ValueError as err:  # e.g. too few firm-years in a cell for a small sample
            say("nb10.unbalanced.failed", language, reason=str(err))
        else:
            cs_rows = pd.DataFrame(rows)
            record_value("cs_balanced", cs_rows.estimate[0])
            record_value("cs_all_firm_years", cs_rows.estimate[1])
            say(
                "nb10.unbalanced.text", language, outcome=variable_label(outcome, language),
                n_bal=int(cs_rows.firms[0]), n_all=int(cs_rows.firms[1]),
                est_bal=fmt_number(cs_rows.estimate[0], language, 3),
                ci_bal=fmt_interval(cs_rows.conf_low[0], cs_rows.conf_high[0], language),
                est_all=fmt_number(cs_rows.estimate[1], language, 3),
                ci_all=fmt_interval(cs_rows.conf_low[1], cs_rows.conf_high[1], language),
            )  # fmt: skip
            show(estimates_table(cs_rows, language=language))
    except effects.DATA_ERRORS as err:
        skipped("nb10.cs_all", err)
