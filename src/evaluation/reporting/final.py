"""What the final report reads from the run: recorded estimates, recorded values, the logframe.

The final report estimates nothing: its primary, secondary and women-led/men-led numbers are
the pre-specified estimator's, recorded in stage 1 by notebook 16 (rows with role
``primary`` / ``secondary`` / ``subgroup``; :func:`recorded_effects`), and everything else is
read from what the other pipeline jobs recorded through
:func:`evaluation.pipeline.record` / :func:`~evaluation.pipeline.record_value`:
``reports/estimates.parquet`` (robustness: the same outcome under other estimators and
inference) and ``reports/values.json`` (the logframe table and the design diagnostics of the
indicators, network, power/attrition and sensitivity pages). Missing files are reported on the
page, not fatal: a report can be rendered before every job has run.

Formatting only (docs/architecture.md, layers): the notebook estimates and loads; this module
reads the run's job statuses through :func:`evaluation.pipeline.manifest.read_status` (the one
pipeline module reporting may import), words the methods from the specification that ran and
builds the tables.
"""

from __future__ import annotations

from collections.abc import Callable
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
    "16_prespecified_effects",
}


@dataclass
class Loaded:
    """A table read from the run, or the reason it is not there."""

    frame: pd.DataFrame | None
    reason: str = ""


def read_run(loader: Callable[[Path], pd.DataFrame], reports_dir: Path, name: str) -> Loaded:
    """A table of the run read by ``loader`` (``pipeline.load_estimates`` / ``load_values``),
    or why it is not there (a missing file is a fact of the run, not a failure of the page)."""
    try:
        return Loaded(loader(reports_dir))
    except (FileNotFoundError, OSError, ValueError) as err:
        return Loaded(None, f"{Path(reports_dir).name}/{name}: {type(err).__name__}")


@dataclass
class RecordedEffect:
    """One recorded overall effect (a row of ``reports/estimates.parquet``) read back for a
    page: the tidy row, the specification columns it was recorded with, its participant
    count. ``row()`` mirrors :meth:`evaluation.analysis.effects.Effect.row`."""

    outcome: str
    role: str
    sample: str
    tidy: pd.Series
    spec: dict[str, Any]
    n_treated: int | None
    nobs: int | None
    n_firms: int | None = None

    def row(self) -> pd.Series:
        return self.tidy


SPEC_COLUMNS = ("cluster", "n_clusters", "covariates", "control_group", "conditional_trends")


def recorded_effects(estimates: pd.DataFrame | None, role: str) -> list[RecordedEffect]:
    """The effects recorded with ``role`` (``primary``, ``secondary`` or ``subgroup``, notebook
    16), in recording order, one per outcome and sample (the last recorded wins). Empty when
    the run recorded none or the table lacks the columns."""
    if estimates is None or estimates.empty or "role" not in estimates.columns:
        return []
    hit = estimates[estimates["role"].astype(str) == role]
    if "term" in hit.columns:
        hit = hit[hit["term"].isin(("overall", "treated", "participant:after"))]
    sample_col = "sample" if "sample" in hit.columns else None
    out: dict[tuple[str, str], RecordedEffect] = {}
    for _, r in hit.iterrows():
        sample = str(r[sample_col]) if sample_col and pd.notna(r[sample_col]) else "all"
        spec = {k: r[k] for k in SPEC_COLUMNS if k in r.index and _present(r[k])}
        if isinstance(spec.get("n_clusters"), float) and float(spec["n_clusters"]).is_integer():
            spec["n_clusters"] = int(spec["n_clusters"])  # a count, read back from Parquet
        n, nobs, firms = r.get("n_treated"), r.get("nobs"), r.get("n_firms")
        out[(str(r["outcome_variable"]), sample)] = RecordedEffect(
            str(r["outcome_variable"]), role, sample, r, spec,
            int(n) if _present(n) else None, int(nobs) if _present(nobs) else None,
            int(firms) if _present(firms) else None,
        )  # fmt: skip
    return list(out.values())


def subgroup_row(item: RecordedEffect) -> Any:
    """A recorded subgroup effect as the row :func:`effect_text` reads (attributes
    ``estimate``, ``conf_low``, ``conf_high``, ``n_treated`` and the tidy columns)."""
    from types import SimpleNamespace

    r = item.row()
    values = {k: float(r[k]) if _present(r.get(k)) else float("nan")
              for k in ("estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high")}  # fmt: skip
    return SimpleNamespace(**values, n_treated=item.n_treated or 0)


def subgroup_frame(rows: dict[int, Any]) -> pd.DataFrame:
    """The women-led (1) and men-led (0) rows as one tidy frame (``subgroup`` 0/1 first)."""
    return pd.DataFrame(
        [{"subgroup": flag, **vars(r)} for flag, r in sorted(rows.items())],
        columns=["subgroup", "estimate", "std_error", "statistic", "p_value", "conf_low",
                 "conf_high", "n_treated"],
    )  # fmt: skip


def _present(value: Any) -> bool:
    if value is None:
        return False
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


# --- the run's status ---------------------------------------------------------------------
@dataclass
class RunStatus:
    """The other jobs of the run: how many, and those that did not succeed (with reasons)."""

    n_jobs: int
    problems: pd.DataFrame  # job, status, reason
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.n_jobs > 0 and self.problems.empty


SUCCEEDED = ("ok", "cached")


def run_status(reports_dir: Path, *, own_notebook: str = "07_final_report") -> RunStatus:
    """The status of every other job of the run, read from the pipeline's run record.

    ``ok`` only when every job of the run succeeded (ran or was up to date); failed, stale and
    not-run jobs are listed with their reason. Jobs of the final report itself (still running
    while it reads this) are left out.
    """
    from evaluation.pipeline import manifest

    try:
        if hasattr(manifest, "read_status"):
            jobs = manifest.read_status(reports_dir)
        else:
            jobs = [
                {"job": j.get("job"), "notebook": j.get("notebook"), "status": j.get("status"),
                 "reason": j.get("reason") or (j.get("error") or "").strip().split("\n")[0]}
                for j in manifest.read_manifest(reports_dir).get("jobs", [])
            ]  # fmt: skip
    except (OSError, ValueError) as err:
        return RunStatus(0, pd.DataFrame(), error=f"{type(err).__name__}: {err}")
    others = [j for j in jobs if j.get("notebook") != own_notebook
              and not str(j.get("job", "")).startswith(own_notebook)]  # fmt: skip
    if not others:
        return RunStatus(0, pd.DataFrame(), error=f"{Path(reports_dir).name}: no run recorded")
    bad = [j for j in others if str(j.get("status")) not in SUCCEEDED]
    frame = pd.DataFrame(
        [{"job": j.get("job"), "status": j.get("status"), "reason": j.get("reason", "")}
         for j in bad], columns=["job", "status", "reason"],
    )  # fmt: skip
    return RunStatus(len(others), frame)


def status_table(status: RunStatus, language: str):
    """The jobs that did not succeed, as a published table (no firm-level content)."""
    from evaluation.reporting.tables import publish_table

    frame = status.problems.set_index("job")
    frame.index.name = t("final.status.job", language)
    return publish_table(
        frame, min_cell=1, language=language,
        labels={"status": t("common.status", language), "reason": t("final.status.reason", language)},
    )  # fmt: skip


# --- the methods, from the specification that ran -------------------------------------------
def primary_spec(
    estimates: pd.DataFrame | None, outcome: str, fallback: dict[str, Any]
) -> dict[str, Any]:
    """The specification of the primary estimate: the run's recorded row when there is one.

    Looks in ``reports/estimates.parquet`` for this outcome's row recorded with role
    ``primary`` (or label ``primary``) and the spec columns (``cluster``, ``n_clusters``,
    ``covariates``, ``control_group``, ``conditional_trends``, ``sample``, ``nobs``); missing
    keys come from ``fallback`` (the specification the report itself ran).
    """
    spec = dict(fallback)
    if estimates is None or estimates.empty or "outcome_variable" not in estimates.columns:
        return spec
    hit = estimates[estimates["outcome_variable"] == outcome]
    for column, value in (("role", "primary"), ("label", "primary")):
        if column in hit.columns and (hit[column] == value).any():
            hit = hit[hit[column] == value]
            break
    else:
        return spec
    row = hit.iloc[0]
    for key in ("cluster", "n_clusters", "covariates", "control_group", "conditional_trends",
                "sample", "nobs"):  # fmt: skip
        if (
            key in row.index
            and row[key] is not None
            and not (isinstance(row[key], float) and np.isnan(row[key]))
        ):
            spec[key] = row[key]
    return spec


def methods_sentences(spec: dict[str, Any], language: str) -> list[tuple[str, dict[str, Any]]]:
    """The methods paragraph as (message id, values): only what the specification that ran
    used -- estimator, comparison group, covariates actually used (never "sector" when no
    sector existed), cluster with its number of clusters, sample and size, money."""
    from evaluation.reporting.sections import cluster_name, inline
    from evaluation.reporting.translations import fmt_int, variable_label

    out: list[tuple[str, dict[str, Any]]] = [("final.methods.design", {})]
    if spec.get("staggered"):
        out.append(("final.methods.staggered", {}))
    out.append(("final.methods.primary", {
        "estimator": t(f"est.{spec['estimator']}", language),
        "outcome": inline(variable_label(spec["outcome"], language)),
        "sample": spec.get("sample_label", spec.get("sample", "")),
        "nobs": fmt_int(spec.get("nobs"), language), "n_firms": fmt_int(spec.get("n_firms"), language),
        "n_treated": fmt_int(spec.get("n_treated"), language),
    }))  # fmt: skip
    control = str(spec.get("control_group") or "").replace("_", "")
    if control and has_message(f"final.methods.control.{control}"):
        out.append(("final.methods.control_group",
                    {"control_group": t(f"final.methods.control.{control}", language)}))  # fmt: skip
    covariates = [c.strip() for c in str(spec.get("covariates") or "").split(",") if c.strip()]
    if covariates:
        named = ", ".join(variable_label(c, language).lower() for c in covariates)
        out.append(("final.methods.covariates", {"covariates": named}))
    else:
        out.append(("final.methods.no_covariates", {}))
    n_clusters = spec.get("n_clusters")
    if spec.get("cluster"):
        out.append(("final.methods.cluster", {
            "cluster": cluster_name(str(spec["cluster"]), language),
            "n_clusters": fmt_int(n_clusters, language),
        }))  # fmt: skip
        if n_clusters is not None and int(n_clusters) < FEW_CLUSTERS:
            out.append(("final.methods.few_clusters", {}))
    if spec.get("money") == "real" and spec.get("base_year"):
        out.append(("final.methods.real", {"base_year": spec["base_year"]}))
    elif spec.get("money") == "nominal":
        out.append(("money.nominal", {}))
    return out


FEW_CLUSTERS = 50  # below this many clusters the pages add the wild cluster bootstrap


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
    otherwise ``computed`` (the same :func:`evaluation.analysis.indicators.logframe`, run by
    the final report on this run's data with the same years). Rows carry English columns and ``_es`` twins
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
                "value": _number(value, language),
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
    effect: Any  # evaluation.analysis.effects.Effect
    n_treated: int


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
    rows: list[dict[str, Any]], language: str, min_cell: int, *, note: str = "nb05.truth.weights"
):
    """Estimates against the truth file (simulated data only): rows of ``label``, ``estimate``
    and ``truth`` (the notebook reads the truth; this only lays it out)."""
    from evaluation.reporting.tables import publish_table

    frame = pd.DataFrame(rows, columns=["label", "estimate", "truth"])
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
        notes=[t(note, language)],
    )


def diagnostics_table(diag: pd.DataFrame, language: str, min_cell: int):
    """The other pages' recorded values as a published table."""
    from evaluation.reporting.tables import publish_table

    frame = diag.set_index(["source", "name"])
    frame.index.names = [t("final.source", language), t("common.variable", language)]
    return publish_table(
        frame, min_cell=min_cell, language=language, labels={"value": t("common.value", language)}
    )
