"""What a study can estimate: the settings, the years, and what the data actually hold.

Every notebook and page starts from one :class:`StudyContext` (:func:`study_context`): the
resolved years (:func:`evaluation.config.resolve_years`, the one rule), the inference cluster
that really exists in the data (``analysis.cluster`` when the panel has it, else the firm), the
baseline covariates that are observed, the outcomes that can be built, and for every optional
piece of data (network, organizations, women-led flag, sectors, prices ...) whether it is there
and, if not, the message id that says what is missing and what would enable it. Pages never
assume a column exists: they ask the context, and a missing piece turns an analysis off with
its reason on the page instead of failing the job.

Availability is read from the processed data themselves (a column with no non-missing value was
not supplied), plus the data manifest for what the data cannot show (nominal vs real money).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evaluation.config import Settings, Years, load_settings, resolve_years
from evaluation.data.codebook import PANEL_COLUMNS

UNIT, TIME, COHORT = "firm_id", "year", "cohort"
MANIFEST = "data_manifest.json"
# The staggered-robust estimators the pages compare, in the order they are shown.
ESTIMATORS = ("twfe", "cs", "sunab", "imputation")
# Fewer clusters than this: an estimate is shown without an interval (CRV1 with a handful of
# clusters gives near-zero standard errors; Cameron and Miller 2015).
MIN_CLUSTERS_FOR_INFERENCE = 10

# Optional pieces of firm-level data: feature -> panel column that carries it.
FIRM_FEATURES = {
    "country": "country",
    "territory": "territory",
    "sector": "sector",
    "stratum": "stratum",
    "women_led": "women_led",
    "founded": "founded",
    "clusters": "cluster_id",
    "organization": "organization",
}
# Optional firm-year values: feature -> panel column.
VALUE_FEATURES = {
    "intermediate_inputs": "intermediate_inputs_usd",
    "value_added": "value_added_usd",
    "productivity": "log_labor_productivity",
    "wage_bill": "wage_bill_usd",
    "capital": "capital_stock_usd",
    "exports": "exports_usd",
    "support_hours": "bds_hours",
    "linkages": "linkages",
    "employees": "employees",
    "sales": "sales_usd",
}
# Built-in outcomes and their kind (how an effect on them reads).
BUILTIN_OUTCOMES = {
    "log_labor_productivity": "log",
    "log_labor_productivity_w": "log",
    "log_value_added": "log",
    "log_value_added_w": "log",
    "log_sales": "log",
    "log_employees": "log",
    "exporter": "binary",
    "linkages": "level",
    "labor_productivity": "level",
    "labor_productivity_w": "level",
    "employees": "level",
    "sales_usd": "level",
    "value_added_usd": "level",
    "exports_usd": "level",
    "bds_hours": "level",
}


@dataclass(frozen=True)
class Feature:
    """One optional piece of data: present or not, and why not (a message id)."""

    name: str
    available: bool
    reason: str | None = None  # message id ``missing.<name>`` when not available


@dataclass(frozen=True)
class OutcomeInfo:
    """An analysis outcome: where it comes from, how it reads, whether the data have it."""

    name: str
    kind: str  # log | level | share | binary
    source: str  # builtin | declared | column
    available: bool
    label: Mapping[str, str] | None = None  # {en, es} for declared outcomes


@dataclass(frozen=True)
class StudyContext:
    """The facts every page needs, resolved once from settings and data."""

    settings: Settings
    years: Years
    cluster: str  # the inference cluster column actually used
    cluster_fallback: bool  # True when analysis.cluster was absent and firms are clusters
    n_clusters: int
    covariates: tuple[str, ...]  # analysis.covariates observed for at least some firms
    covariates_dropped: tuple[str, ...]  # configured but not in the data
    money: str  # "real" (deflated) or "nominal" (as reported)
    features: Mapping[str, Feature] = field(default_factory=dict)
    outcomes: Mapping[str, OutcomeInfo] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # data notes recorded by prepare (manifest)

    def has(self, feature: str) -> bool:
        """Whether the optional piece ``feature`` is in the data (unknown names: False)."""
        item = self.features.get(feature)
        return bool(item and item.available)

    def missing(self, feature: str) -> str:
        """The message id that explains what is missing for ``feature``."""
        item = self.features.get(feature)
        return (item.reason if item else None) or f"missing.{feature}"

    @property
    def analysis_outcomes(self) -> tuple[str, ...]:
        """Primary then secondary outcomes that the data can provide."""
        return tuple(o for o in self.settings.analysis.outcomes if self.outcome(o).available)

    def resolve_outcome(self, name: str) -> str:
        """A notebook's ``outcome`` parameter as a column: ``primary`` -> the configured
        primary outcome, ``secondary`` -> the first secondary one; other names unchanged."""
        analysis = self.settings.analysis
        if name == "primary":
            return analysis.primary_outcome
        if name == "secondary":
            if not analysis.secondary_outcomes:
                raise ValueError("outcome 'secondary': analysis.secondary_outcomes is empty")
            return analysis.secondary_outcomes[0]
        return name

    def outcome(self, name: str) -> OutcomeInfo:
        """The outcome ``name`` (unknown names come back unavailable)."""
        if name in self.outcomes:
            return self.outcomes[name]
        return OutcomeInfo(name, "level", "column", False)

    @property
    def program(self):
        return self.settings.program


def _observed(frame: pd.DataFrame | None, column: str) -> bool:
    return frame is not None and column in frame.columns and bool(frame[column].notna().any())


def read_data_manifest(processed: Path | str) -> dict:
    """The data manifest ``prepare`` wrote (empty when there is none)."""
    path = Path(processed) / MANIFEST
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def outcome_catalogue(settings: Settings, panel: pd.DataFrame) -> dict[str, OutcomeInfo]:
    """Every outcome the settings name or declare, with its kind, source and availability."""
    names = list(dict.fromkeys([*settings.analysis.outcomes, *settings.outcomes]))
    out: dict[str, OutcomeInfo] = {}
    for name in names:
        declared = settings.outcomes.get(name)
        available = _observed(panel, name)
        if declared is not None:
            label = declared.label.model_dump() if declared.label else None
            out[name] = OutcomeInfo(name, declared.kind, "declared", available, label)
        elif name in BUILTIN_OUTCOMES:
            out[name] = OutcomeInfo(name, BUILTIN_OUTCOMES[name], "builtin", available)
        else:
            out[name] = OutcomeInfo(name, "level", "column", available)
    return out


def study_context(
    settings: Settings | None = None,
    panel: pd.DataFrame | None = None,
    *,
    processed: Path | str | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> StudyContext:
    """Resolve the context of a study from its settings and processed data.

    ``panel`` (default: ``panel.parquet`` of ``processed``) decides what is observed;
    ``tables`` may carry the processed ``links`` and ``organizations`` (else read from
    ``processed`` when it is given). The manifest of ``processed`` says whether money is real.
    """
    from evaluation.data.load import load_table

    settings = settings or load_settings()
    folder = Path(processed) if processed is not None else settings.path("processed")
    if panel is None:
        panel = load_table("panel", folder)
    tables = dict(tables or {})
    for name in ("links", "organizations"):
        if name not in tables:
            try:
                tables[name] = load_table(name, folder)
            except FileNotFoundError:
                tables[name] = pd.DataFrame()
    manifest = read_data_manifest(folder)
    contents = manifest.get("contents", {})
    money = contents.get("money") or ("real" if _observed(panel, "sales_usd") else "nominal")

    features: dict[str, Feature] = {}

    def add(name: str, ok: bool) -> None:
        features[name] = Feature(name, ok, None if ok else f"missing.{name}")

    for name, column in FIRM_FEATURES.items():
        add(name, _observed(panel, column))
    for name, column in VALUE_FEATURES.items():
        add(name, _observed(panel, column))
    add("responded", bool(contents.get("responded", _observed(panel, "responded"))))
    add("prices", money == "real")
    add("links", len(tables["links"]) > 0)
    add("organizations", len(tables["organizations"]) > 0)
    add("logframe", bool(settings.program.logframe))
    firms = panel.drop_duplicates(UNIT)
    if _observed(panel, "women_led"):
        both = firms["women_led"].dropna().nunique() > 1
        features["women_led_groups"] = Feature(
            "women_led_groups", both, None if both else "missing.women_led_groups"
        )
    else:
        features["women_led_groups"] = Feature("women_led_groups", False, "missing.women_led")
    treated = firms.loc[firms[COHORT].fillna(0) > 0, COHORT] if COHORT in firms else []
    add("treated", len(treated) > 0)
    add("comparison", bool((firms[COHORT].fillna(0) == 0).any()) if COHORT in firms else False)
    add("staggered", pd.Series(treated).nunique() > 1)

    requested = settings.analysis.cluster
    if requested and _observed(panel, requested):
        cluster, fallback = requested, False
    else:
        cluster, fallback = UNIT, True
    n_clusters = int(panel[cluster].nunique()) if cluster in panel else 0

    configured = tuple(settings.analysis.covariates)
    covariates = tuple(c for c in configured if _observed(panel, c))
    dropped = tuple(c for c in configured if c not in covariates)
    add("covariates", bool(covariates))

    years = resolve_years(
        settings.analysis,
        panel[TIME].dropna().unique() if TIME in panel else [],
        treated,
        has_prices=money == "real",
        period=settings.program.period,
    )
    if contents.get("years"):  # prepare recorded what it used: the same rule, same answer
        recorded = contents["years"]
        years = Years(
            first=recorded.get("first_year", years.first),
            last=recorded.get("last_year", years.last),
            baseline=recorded.get("baseline_year", years.baseline),
            endline=recorded.get("endline_year", years.endline),
            base=recorded.get("base_year", years.base),
        )
    return StudyContext(
        settings=settings,
        years=years,
        cluster=cluster,
        cluster_fallback=fallback,
        n_clusters=n_clusters,
        covariates=covariates,
        covariates_dropped=dropped,
        money=money,
        features=features,
        outcomes=outcome_catalogue(settings, panel),
        notes=tuple(contents.get("notes", ())),
    )


__all__ = [
    "BUILTIN_OUTCOMES",
    "ESTIMATORS",
    "MIN_CLUSTERS_FOR_INFERENCE",
    "PANEL_COLUMNS",
    "Feature",
    "OutcomeInfo",
    "StudyContext",
    "read_data_manifest",
    "study_context",
]
