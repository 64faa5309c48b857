"""What the final report reads from the run: recorded estimates, recorded values, the logframe.

The final report computes its primary numbers itself from the processed data (the
pre-specified outcome and estimator, so the headline never depends on which other jobs
ran), and reads everything else from what the other pipeline jobs recorded through
:func:`evaluation.pipeline.record` / :func:`~evaluation.pipeline.record_value`:
``reports/estimates.parquet`` (robustness: the same outcome under other estimators and
inference) and ``reports/values.json`` (the logframe table and the design diagnostics of the
indicators, network, power/attrition and sensitivity pages). Missing files are reported on the
page, not fatal: a report can be rendered before every job has run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation.reporting.translations import has_message, t

# Notebooks whose overall estimates form the robustness table, and how to find them.
ROBUSTNESS_ROWS = (
    # (notebook, label recorded, term) -> estimator message id
    ("03_main_effects", "did_2x2 CRV1", "participant:after", "est.did_2x2", "crv1"),
    (
        "03_main_effects",
        "did_2x2 wild cluster bootstrap",
        "participant:after",
        "est.did_2x2",
        "wcb",
    ),
    ("05_staggered", "twfe overall", "treated", "est.twfe", "crv1"),
    ("05_staggered", "twfe wild cluster bootstrap", "treated", "est.twfe", "wcb"),
    ("05_staggered", "sunab overall", "overall", "est.sunab", "crv1"),
    ("05_staggered", "imputation overall", "overall", "est.imputation", "bjs"),
    ("05_staggered", "cs overall", "overall", "est.cs", "if"),
)
OWN_NOTEBOOKS = {
    "01_data_quality",
    "02_descriptives",
    "03_main_effects",
    "04_event_study",
    "05_staggered",
    "06_heterogeneity",
    "07_final_report",
}


@dataclass
class Loaded:
    """A table read from the run, or the reason it is not there."""

    frame: pd.DataFrame | None
    reason: str = ""


def load_run_estimates(reports_dir: Path) -> Loaded:
    """``reports/estimates.parquet`` (every recorded estimate with its job's parameters)."""
    from evaluation.pipeline import load_estimates

    try:
        return Loaded(load_estimates(reports_dir))
    except (FileNotFoundError, OSError, ValueError) as err:
        return Loaded(None, f"{Path(reports_dir).name}/estimates.parquet: {type(err).__name__}")


def load_run_values(reports_dir: Path) -> Loaded:
    """``reports/values.json`` (every recorded scalar or small table with its job)."""
    from evaluation.pipeline import load_values

    try:
        return Loaded(load_values(reports_dir))
    except (FileNotFoundError, OSError, ValueError) as err:
        return Loaded(None, f"{Path(reports_dir).name}/values.json: {type(err).__name__}")


def robustness_rows(
    estimates: pd.DataFrame, outcome: str, language: str, *, sample: str = "all"
) -> pd.DataFrame:
    """The primary outcome's overall effect under each recorded estimator and inference."""
    # the estimate's own outcome (jobs whose grid has no outcome carry no param_outcome);
    # a job without a sample parameter ran on its default sample, "all"
    frame = estimates
    if "outcome_variable" in frame.columns:
        frame = frame[frame["outcome_variable"] == outcome]
    elif "param_outcome" in frame.columns:
        frame = frame[frame["param_outcome"] == outcome]
    if "param_sample" in frame.columns:
        frame = frame[frame["param_sample"].fillna("all") == sample]
    rows = []
    for notebook, label, term, estimator, inference in ROBUSTNESS_ROWS:
        hit = frame[
            (frame["notebook"] == notebook) & (frame["label"] == label) & (frame["term"] == term)
        ]
        if hit.empty:
            continue
        r = hit.iloc[0]
        rows.append(
            {
                "estimator": t(estimator, language),
                "inference": _inference_label(inference, r, language),
                "estimate": float(r["estimate"]),
                "conf_low": float(r["conf_low"]),
                "conf_high": float(r["conf_high"]),
                "p_value": float(r["p_value"]),
            }
        )
    return pd.DataFrame(rows)


def _inference_label(kind: str, row: pd.Series, language: str) -> str:
    """A short name of the inference, in the report language (the estimator's own
    ``vcov_type`` text is English and long; the methods section explains each)."""
    return t(f"inf.{kind}_short", language)


def recorded(values: pd.DataFrame | None, name: str, *, notebook: str | None = None) -> Any:
    """The last value recorded under ``name`` (by ``notebook`` when given), else None."""
    if values is None or values.empty:
        return None
    hit = values[values["name"] == name]
    if notebook is not None:
        hit = hit[hit["notebook"] == notebook]
    return None if hit.empty else hit.iloc[-1]["value"]


LOGFRAME_COLUMNS = ("indicator", "baseline", "target", "achieved", "status", "evidence")


def logframe_table(
    values: pd.DataFrame | None, language: str, computed: pd.DataFrame | None = None
) -> tuple[pd.DataFrame | None, str]:
    """The logframe table in the report language, and where it came from.

    Prefers the table the indicators page recorded (``record_value("logframe", rows)``);
    otherwise ``computed`` (the same :func:`evaluation.indicators.logframe`, run by the final
    report on this run's data). Rows carry English columns and ``_es`` twins
    (``indicator_es``); the report language's text is kept, numbers are formatted for it.
    """
    rows = recorded(values, "logframe")
    source = "recorded"
    if isinstance(rows, list) and rows:
        frame = pd.DataFrame(rows)
    elif computed is not None and len(computed):
        frame, source = computed.copy(), "computed"
    else:
        return None, ""
    # The achieved cell as the indicators module words it (an effect is stated with its unit
    # and the SMEs it is estimated on, never as a bare number beside a count target).
    for text_column, column in (("achieved_text", "achieved"), ("achieved_text_es", "achieved_es")):
        if text_column in frame.columns:
            shown = frame[text_column]
            frame[column] = shown.where(shown.notna(), frame.get(column))
    for column in LOGFRAME_COLUMNS:
        twin = f"{column}_es"
        if language == "es" and twin in frame.columns:
            frame[column] = frame[twin].where(frame[twin].notna(), frame.get(column))
    frame = frame[[c for c in LOGFRAME_COLUMNS if c in frame.columns]].copy()
    for column in ("baseline", "target", "achieved"):
        if column in frame.columns:
            frame[column] = [_number(v, language) for v in frame[column]]
    headings = {c: t(f"logframe.{c}", language) for c in frame.columns}
    return frame.rename(columns=headings), source


def _number(value: Any, language: str) -> str:
    from evaluation.reporting.translations import MISSING, fmt_int, fmt_number

    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return MISSING
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer():
        return fmt_int(value, language)
    return fmt_number(value, language, 3)


def compute_logframe(
    settings: Any,
    processed: Path,
    panel: pd.DataFrame,
    productivity: dict | None,
    linkage: dict | None,
) -> pd.DataFrame | None:
    """The logframe computed here with :mod:`evaluation.indicators` (when nothing was recorded).

    ``productivity`` and ``linkage`` are ``indicators.effect_summary`` dicts of this report's
    own estimates (the pre-specified estimator), so effect indicators carry causal evidence.
    """
    try:
        from evaluation import indicators
        from evaluation.data.load import load_table

        targets = indicators.logframe_targets(settings.program)
        cohorts = panel.loc[panel["cohort"] > 0, "cohort"]
        return indicators.logframe(
            targets,
            firms=load_table("firms", processed),
            organizations=load_table("organizations", processed),
            links=load_table("links", processed),
            panel=panel,
            productivity=productivity,
            linkage=linkage,
            baseline_year=int(cohorts.min()) - 1 if len(cohorts) else settings.analysis.base_year,
            endline_year=int(panel["year"].max()),
        )
    except (ImportError, KeyError, ValueError, FileNotFoundError):
        return None


def diagnostics(values: pd.DataFrame | None, language: str) -> pd.DataFrame | None:
    """Scalar values recorded by the other pages (indicators, network, power, attrition,
    sensitivity), named in the report language where the catalogue has ``value.<name>``."""
    if values is None or values.empty:
        return None
    other = values[~values["notebook"].isin(OWN_NOTEBOOKS)]
    rows = []
    for _, r in other.iterrows():
        value = r["value"]
        if isinstance(value, bool) or not isinstance(value, int | float | str) or value is None:
            continue
        if isinstance(value, float) and not np.isfinite(value):
            continue
        key = f"value.{r['name']}"
        rows.append(
            {
                "source": r["notebook"],
                "name": t(key, language) if has_message(key) else str(r["name"]).replace("_", " "),
                "value": value,
            }
        )
    if not rows:
        return None
    return pd.DataFrame(rows).drop_duplicates(subset=["source", "name"], keep="last")


# --- pieces of the final report page ------------------------------------------------------
@dataclass
class OutcomeEffect:
    """The pre-specified estimator on one outcome: its role, result and participant count."""

    role: str  # "primary" | "secondary"
    outcome: str
    effect: Any  # evaluation.reporting.effects.Effect
    n_treated: int


def outcome_effects(
    panel: pd.DataFrame, primary: OutcomeEffect, settings: Any, *, reps: int, seed: int
) -> tuple[list[OutcomeEffect], list[str]]:
    """The primary outcome's effect (given) and each secondary outcome's, by the pre-specified
    estimator; returns them and the outcomes that could not be estimated (with the reason)."""
    from evaluation.reporting import effects

    items, skipped = [primary], []
    for name in settings.analysis.secondary_outcomes:
        if name not in panel.columns or panel[name].notna().sum() == 0:
            skipped.append(f"{name}: not in the panel")
            continue
        try:
            sub = effects.estimation_sample(panel, name)
            eff = effects.primary_effect(sub, name, settings, reps=reps, seed=seed)
        except ValueError as err:
            skipped.append(f"{name}: {err}")
            continue
        items.append(OutcomeEffect("secondary", name, eff, effects.n_treated_firms(sub)))
    return items, skipped


def main_results_frame(items: list[OutcomeEffect], language: str) -> pd.DataFrame:
    """One tidy row per outcome, labelled primary/secondary, for ``tables.estimates_table``."""
    from evaluation.reporting.translations import variable_label

    rows = []
    for item in items:
        r = item.effect.row()
        rows.append(
            {
                "term": f"{t('common.' + item.role, language)}: "
                f"{variable_label(item.outcome, language)}",
                **{k: r[k] for k in ("estimate", "std_error", "statistic", "p_value")},
                "conf_low": r["conf_low"],
                "conf_high": r["conf_high"],
                "n_treated": item.n_treated,
            }
        )
    return pd.DataFrame(rows)


def effect_text(row: Any, language: str, min_cell: int) -> str:
    """ "0.122 (≈ +13.0%), 95% CI [0.071, 0.173]", or "not available" for a withheld estimate."""
    from evaluation.reporting.translations import fmt_effect, fmt_interval

    if row is None or pd.isna(row.estimate) or row.n_treated < min_cell:
        return t("common.not_available", language)
    ci = fmt_interval(row.conf_low, row.conf_high, language)
    return f"{fmt_effect(row.estimate, language)}, {t('common.ci', language)} {ci}"


def robustness_table(robust: pd.DataFrame, language: str, min_cell: int):
    """The robustness rows as a published table (interval in one column)."""
    from evaluation.reporting.tables import publish_table
    from evaluation.reporting.translations import fmt_interval

    shown = robust.assign(label=robust["estimator"] + " · " + robust["inference"])
    shown = shown.set_index("label")
    shown["ci"] = [
        fmt_interval(lo, hi, language)
        for lo, hi in zip(shown["conf_low"], shown["conf_high"], strict=True)
    ]
    shown = shown[["estimate", "ci", "p_value"]]
    shown.index.name = t("common.estimator", language)
    return publish_table(
        shown,
        min_cell=min_cell,
        language=language,
        labels={
            "estimate": t("common.estimate", language),
            "ci": t("common.ci", language),
            "p_value": t("common.p_value", language),
        },
        notes=[t("final.robustness.computed", language)],
    )


def truth_table(
    estimate: float,
    truth: dict | None,
    gender: dict[int, Any],
    language: str,
    min_cell: int,
    *,
    outcome: str,
):
    """Primary estimate against the truth file, overall and by women-led status."""
    from evaluation.reporting import effects
    from evaluation.reporting.tables import publish_table

    rows = [
        {
            "label": t("common.all", language),
            "estimate": estimate,
            "truth": effects.truth_for(truth, outcome, "all")["overall"],
        }
    ]
    for flag, r in sorted(gender.items()):
        sub = effects.truth_for(truth, outcome, "women_led" if flag else "men_led")
        if sub is not None and r.n_treated >= min_cell and pd.notna(r.estimate):
            rows.append(
                {
                    "label": t("common.women_led" if flag else "common.men_led", language),
                    "estimate": float(r.estimate),
                    "truth": sub["overall"],
                }
            )
    frame = pd.DataFrame(rows)
    frame["error"] = frame["estimate"] - frame["truth"]
    frame = frame.set_index("label")
    frame.index.name = t("common.sample", language)
    return publish_table(
        frame,
        min_cell=min_cell,
        language=language,
        labels={
            "estimate": t("common.estimate", language),
            "truth": t("common.truth", language),
            "error": t("common.error", language),
        },
        notes=[t("nb05.truth.weights", language)],
    )


def diagnostics_table(diag: pd.DataFrame, language: str, min_cell: int):
    """The other pages' recorded values as a published table."""
    from evaluation.reporting.tables import publish_table

    frame = diag.set_index(["source", "name"])
    frame.index.names = [t("final.source", language), t("common.variable", language)]
    return publish_table(
        frame, min_cell=min_cell, language=language, labels={"value": t("common.value", language)}
    )
