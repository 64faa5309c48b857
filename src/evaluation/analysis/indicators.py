"""The programme's results framework: logframe targets against what the data show.

Targets come from the configuration (``program.logframe``, :class:`evaluation.config.LogframeTarget`),
each with a definition, a baseline, a target and the kind of evidence that can show it:

* ``count`` -- the indicator is a count or share (clusters created, organizations offering more
  services): the achieved value is a descriptive count and the status compares it with the
  target;
* ``effect`` -- the indicator claims a change caused by the programme: the achieved value is
  the causal estimate with its 95% interval, and the target is met only when the interval lies
  above zero. A before/after count of firms whose outcome rose is kept beside it *as
  description*, never as the effect (secular growth and selection would count as success);
* ``not_measurable`` -- these data cannot show it.

A measure whose data are absent (no business clusters, no organizations table, no links, no
women-led flag) returns status ``not_measurable`` with the ``missing.<feature>`` message id as
its evidence instead of failing. This module computes; it never words a sentence: evidence is a
list of (message id, typed values) that :mod:`evaluation.reporting.indicators` renders in
each report language (see docs/architecture.md, layers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

EVIDENCE = ("count", "effect", "not_measurable")
STATUSES = ("met", "not_met", "not_measurable")

# A value of an evidence sentence and how it is to be printed: ("int" | "share" | "number" |
# "signed" | "year" | "text" | "outcome", value). Reporting formats each kind per language.
Value = tuple[str, Any]
Piece = tuple[str, dict[str, Value]]  # (message id, values)


@dataclass(frozen=True)
class Target:
    """One logframe target from config."""

    id: str
    indicator: Mapping[str, str]
    definition: Mapping[str, str]
    baseline: float | None
    target: float | None
    evidence: str
    measure: str
    threshold: float | None = None


def _text(value: Any) -> Mapping[str, str] | None:
    """A config text as {en, es} (a plain string serves both; English fills a missing es)."""
    if isinstance(value, str):
        return {"en": value, "es": value}
    if isinstance(value, Mapping) and value.get("en") is not None:
        return {"en": value["en"], "es": value.get("es") or value["en"]}
    return None


def logframe_targets(program: Any) -> list[Target]:
    """Validate and read ``program.logframe``; errors name the entry and key.

    ``program`` is the settings' :class:`~evaluation.config.Program` or a mapping with a
    ``logframe`` list. An empty list is allowed (no results framework: ``[]``).
    """
    if hasattr(program, "logframe"):
        entries = [e.model_dump(exclude_none=True) for e in program.logframe]
    else:
        entries = list((program or {}).get("logframe") or [])
    out = []
    for k, e in enumerate(entries):
        where = f"config program.logframe[{k}] ({e.get('id', '?')})"
        for key in ("id", "indicator", "definition", "evidence", "measure"):
            if key not in e:
                raise ValueError(f"{where}: missing key {key!r}")
        if e["evidence"] not in EVIDENCE:
            raise ValueError(f"{where}: evidence must be one of {EVIDENCE}, got {e['evidence']!r}")
        if e["measure"] not in MEASURES:
            raise ValueError(
                f"{where}: unknown measure {e['measure']!r}; known: {sorted(MEASURES)}"
            )
        texts = {key: _text(e[key]) for key in ("indicator", "definition")}
        for key, value in texts.items():
            if value is None:
                raise ValueError(f"{where}: {key} needs a text ({{en, es}} or one string)")
        out.append(
            Target(
                id=e["id"],
                indicator=texts["indicator"],
                definition=texts["definition"],
                baseline=e.get("baseline"),
                target=e.get("target"),
                evidence=e["evidence"],
                measure=e["measure"],
                threshold=e.get("threshold"),
            )  # fmt: skip
        )
    return out


@dataclass
class Measured:
    """What the data show for one target: numbers, a status code and the evidence pieces."""

    achieved: float | None
    status: str
    evidence: list[Piece]
    conf_low: float | None = None
    conf_high: float | None = None
    baseline_observed: float | None = None
    estimate: float | None = None  # effect indicators: the causal estimate
    n_effect: int | None = None  # and the participating firms it is estimated on
    achieved_piece: Piece | None = None  # the achieved cell, when it is not a count


@dataclass
class Inputs:
    """The data a measure may read. Absent tables are empty frames, never None."""

    firms: pd.DataFrame
    organizations: pd.DataFrame = field(default_factory=pd.DataFrame)
    links: pd.DataFrame = field(default_factory=pd.DataFrame)
    panel: pd.DataFrame | None = None
    effects: Mapping[str, Mapping[str, Any] | None] = field(default_factory=dict)
    baseline_year: int = 0
    endline_year: int = 0
    outcome: str = ""  # the primary outcome (the effect of ``productivity_effect``)
    outcome_kind: str = "log"  # how its effect reads (log | level | share | binary)


def _observed(frame: pd.DataFrame | None, column: str) -> bool:
    return frame is not None and column in frame.columns and bool(frame[column].notna().any())


def _missing(feature: str) -> Measured:
    """A target these data cannot measure: the ``missing.<feature>`` message says why."""
    return Measured(None, "not_measurable", [(f"missing.{feature}", {})])


def _participants(firms: pd.DataFrame) -> pd.DataFrame:
    if _observed(firms, "participant"):
        return firms[firms["participant"].fillna(0).astype(int) == 1]
    cohort = pd.to_numeric(firms.get("cohort"), errors="coerce")
    return firms[cohort.fillna(0) > 0]


# --------------------------------------------------------------------------------------
# measures (one per kind of indicator)
# --------------------------------------------------------------------------------------
def clusters_created(t: Target, data: Inputs) -> Measured:
    if not _observed(data.firms, "cluster_id"):
        return _missing("clusters")
    part = _participants(data.firms)
    n = int(part["cluster_id"].nunique())
    status = "met" if t.target is not None and n >= t.target else "not_met"
    return Measured(n, status, [("logframe.ev.clusters", {"n": ("int", n),
                                                          "firms": ("int", len(part))})])  # fmt: skip


def women_share_by_cluster(firms: pd.DataFrame, threshold: float = 0.25) -> pd.DataFrame:
    """Per business cluster: participating firms, women-led firms, their share, target reached."""
    part = _participants(firms)
    extra = {c: (c, "first") for c in ("country", "organization") if c in part.columns}
    out = part.groupby("cluster_id").agg(
        **extra, firms=("women_led", "size"), women_led=("women_led", "sum")
    )
    out["share_women_led"] = out["women_led"] / out["firms"]
    out["meets_target"] = out["share_women_led"] >= threshold - 1e-12
    return out.reset_index()


def clusters_meeting_women_share(t: Target, data: Inputs) -> Measured:
    if not _observed(data.firms, "cluster_id"):
        return _missing("clusters")
    if not _observed(data.firms, "women_led"):
        return _missing("women_led")
    threshold = float(t.threshold if t.threshold is not None else 0.25)
    tab = women_share_by_cluster(data.firms, threshold)
    n, total = int(tab["meets_target"].sum()), len(tab)
    target = t.target if t.target is not None else total
    status = "met" if n >= target and n == total else "not_met"
    values = {"n": ("int", n), "total": ("int", total), "threshold": ("share", threshold),
              "low": ("share", float(tab["share_women_led"].min()))}  # fmt: skip
    return Measured(n, status, [("logframe.ev.women_share", values)])


def _effect_measured(
    effect: Mapping[str, Any] | None,
    extra: list[Piece] | None = None,
    *,
    kind: str,
    outcome: str = "",
) -> Measured:
    """An effect indicator: met only when the 95% interval lies above zero.

    The achieved cell is not a number in the target's unit (a count of firms) but the effect
    in its own unit (``kind``: ``log`` with the implied percent change exp(b) - 1, ``level``,
    or ``links`` per firm) and the number of participating firms it is estimated on.
    """
    extra = list(extra or [])
    if effect is None:
        return Measured(None, "not_measurable", [("logframe.ev.effect_missing", {}), *extra],
                        achieved_piece=("logframe.achieved.missing", {}))  # fmt: skip
    est, lo, hi = (float(effect[k]) for k in ("estimate", "conf_low", "conf_high"))
    n = int(effect.get("n_treated", 0))
    status = "met" if lo > 0 else "not_met"
    ev = ("logframe.ev.effect", {"estimate": ("number", est), "label": ("text", effect.get("label", "")),
                                 "low": ("number", lo), "high": ("number", hi), "n": ("int", n)})  # fmt: skip
    cell_values: dict[str, Value] = {"estimate": ("signed", est), "n": ("int", n)}
    if kind == "links":
        cell = ("logframe.achieved.links", cell_values)
    elif kind == "log":
        cell_values |= {
            "pct": ("pct_signed", float(np.expm1(est))),
            "outcome": ("outcome", outcome),
        }
        cell = ("logframe.achieved.log", cell_values)
    else:
        cell = ("logframe.achieved.level", cell_values | {"outcome": ("outcome", outcome)})
    return Measured(None, status, [ev, *extra], lo, hi, estimate=est, n_effect=n,
                    achieved_piece=cell)  # fmt: skip


def descriptive_change(panel: pd.DataFrame, base: int, end: int, outcome: str) -> dict[str, float]:
    """Before/after counts (description only): firms whose outcome rose from ``base`` to ``end``.

    ``n``/``up``: participants observed both years / whose outcome rose; ``share_c``: the share
    of comparison firms whose outcome rose (NaN without any).
    """
    frame = panel.assign(participant=_participants_flag(panel))
    wide = frame.pivot_table(index=["firm_id", "participant"], columns="year", values=outcome)
    if base not in wide.columns or end not in wide.columns:
        return {"n": 0, "up": 0, "share_c": float("nan")}
    both = wide[[base, end]].dropna()
    rose = (both[end] > both[base]).groupby(level="participant").agg(["size", "sum", "mean"])
    get = lambda g, c: float(rose.loc[g, c]) if g in rose.index else float("nan")  # noqa: E731
    n, up = get(1, "size"), get(1, "sum")
    return {
        "n": int(n) if n == n else 0,
        "up": int(up) if up == up else 0,
        "share_c": get(0, "mean"),
    }


def _participants_flag(frame: pd.DataFrame) -> pd.Series:
    if _observed(frame, "participant"):
        return frame["participant"].fillna(0).astype(int)
    return (pd.to_numeric(frame["cohort"], errors="coerce").fillna(0) > 0).astype(int)


def productivity_effect(t: Target, data: Inputs) -> Measured:
    """The primary outcome's causal effect (the pre-specified estimator) with a descriptive
    before/after count beside it."""
    base, end, outcome = data.baseline_year, data.endline_year, data.outcome
    extra: list[Piece] = []
    if data.panel is not None and _observed(data.panel, outcome):
        d = descriptive_change(data.panel, base, end, outcome)
        extra.append(("logframe.ev.descriptive", {
            "up": ("int", d["up"]), "n": ("int", d["n"]), "base": ("year", base),
            "end": ("year", end), "share_c": ("share", d["share_c"]), "outcome": ("outcome", outcome),
        }))  # fmt: skip
    kind = "log" if data.outcome_kind == "log" else "level"
    return _effect_measured(data.effects.get("primary"), extra, kind=kind, outcome=outcome)


def organizations_strengthened(t: Target, data: Inputs) -> Measured:
    org = data.organizations
    if not _observed(org, "bds_services"):
        return _missing("organizations")
    base, end = data.baseline_year, data.endline_year
    wide = org.pivot_table(index="organization", columns="year", values="bds_services")
    if base not in wide.columns or end not in wide.columns:
        return Measured(None, "not_measurable", [("logframe.ev.organizations_years",
                                                  {"base": ("year", base), "end": ("year", end)})])  # fmt: skip
    n = int((wide[end] > wide[base]).sum())
    status = "met" if t.target is not None and n >= t.target else "not_met"
    values = {"n": ("int", n), "total": ("int", len(wide)), "base": ("year", base),
              "end": ("year", end)}  # fmt: skip
    return Measured(n, status, [("logframe.ev.organizations", values)], baseline_observed=0)


def women_network_links(t: Target, data: Inputs) -> Measured:
    if data.links is None or data.links.empty:
        return _missing("links")
    if not _observed(data.firms, "women_led"):
        return _missing("women_led")
    firms, links = data.firms, data.links
    base, end = data.baseline_year, data.endline_year
    women = set(firms.loc[pd.to_numeric(firms["women_led"], errors="coerce") == 1, "firm_id"])

    def count(year: int) -> tuple[int, int]:
        ly = links[links["year"] == year].drop_duplicates(["firm_a", "firm_b"])
        both = ly[ly["firm_a"].isin(women) & ly["firm_b"].isin(women)]
        return len(both), len(set(both["firm_a"]) | set(both["firm_b"]))

    b_links, _ = count(base)
    e_links, e_firms = count(end)
    status = "met" if e_links > b_links and e_links > 0 else "not_met"
    values = {"end_links": ("int", e_links), "base_links": ("int", b_links),
              "end": ("year", end), "base": ("year", base), "firms": ("int", e_firms)}  # fmt: skip
    return Measured(e_links, status, [("logframe.ev.women_network", values)],
                    baseline_observed=b_links)  # fmt: skip


def linkage_effect(t: Target, data: Inputs) -> Measured:
    if data.links is None or data.links.empty:
        return _missing("links")
    return _effect_measured(data.effects.get("linkage"), kind="links")


def bds_market(t: Target, data: Inputs) -> Measured:
    org = data.organizations
    if not _observed(org, "bds_clients"):
        return _missing("organizations")
    base, end = data.baseline_year, data.endline_year
    clients = org.groupby("year")["bds_clients"].sum()
    values = {"base": ("year", base), "end": ("year", end),
              "base_clients": ("int", int(clients.get(base, 0))),
              "end_clients": ("int", int(clients.get(end, 0)))}  # fmt: skip
    return Measured(None, "not_measurable", [("logframe.ev.bds_market", values)])


MEASURES: dict[str, Callable[[Target, Inputs], Measured]] = {
    "clusters_created": clusters_created,
    "clusters_meeting_women_share": clusters_meeting_women_share,
    "productivity_effect": productivity_effect,
    "primary_effect": productivity_effect,
    "organizations_strengthened": organizations_strengthened,
    "women_network_links": women_network_links,
    "linkage_effect": linkage_effect,
    "bds_market": bds_market,
}


def effect_summary(
    result: Any, term: str, label: str, n_treated: int | None = None
) -> dict[str, Any]:
    """The estimate, interval and p-value of ``term`` in an estimation result, for the logframe."""
    row = result.tidy().set_index("term").loc[term]
    return {
        "estimate": float(row["estimate"]),
        "conf_low": float(row["conf_low"]),
        "conf_high": float(row["conf_high"]),
        "p_value": float(row["p_value"]),
        "label": label,
        "n_treated": int(n_treated) if n_treated is not None else 0,
    }


def logframe(targets: list[Target], data: Inputs) -> pd.DataFrame:
    """The logframe: one row per target, numbers and evidence pieces, no words.

    Columns: ``id``, ``indicator``/``indicator_es`` and ``definition``/``definition_es`` (the
    configuration's texts), ``baseline``, ``target``, ``achieved`` (counts only: a number in
    the target's unit), ``estimate``, ``conf_low``, ``conf_high`` and ``n_effect`` (effects
    only), ``status_code``, ``evidence_type``, ``evidence_pieces`` and ``achieved_piece``
    (message ids with typed values, worded by :func:`evaluation.reporting.indicators.worded`).
    """
    rows = []
    for t in targets:
        m = MEASURES[t.measure](t, data)
        if t.evidence == "not_measurable":
            m.status = "not_measurable"
        if m.status not in STATUSES:
            raise ValueError(f"indicator {t.id}: status {m.status!r}")
        rows.append(
            {
                "id": t.id,
                "indicator": t.indicator["en"],
                "indicator_es": t.indicator["es"],
                "definition": t.definition["en"],
                "definition_es": t.definition["es"],
                "baseline": t.baseline if t.baseline is not None else m.baseline_observed,
                "target": t.target,
                "achieved": m.achieved,
                "estimate": m.estimate,
                "conf_low": m.conf_low,
                "conf_high": m.conf_high,
                "n_effect": m.n_effect,
                "status_code": m.status,
                "evidence_type": t.evidence,
                "evidence_pieces": m.evidence,
                "achieved_piece": m.achieved_piece,
            }
        )
    return pd.DataFrame(rows)


def breakdown(firms: pd.DataFrame, by: str) -> pd.DataFrame:
    """Participating firms by ``by`` (country, organization, cluster_id, women_led): firms,
    women-led firms and their share (firms only without the women-led flag); aggregated, ready
    for ``publish_table(row_count="firms")``."""
    if by not in firms.columns:
        raise ValueError(f"breakdown: column {by!r} not in firms")
    part = _participants(firms)
    if not _observed(part, "women_led"):  # no women-led flag: firms only
        return part.groupby(by).agg(firms=("firm_id", "size"))
    out = part.groupby(by).agg(firms=("firm_id", "size"), women_led=("women_led", "sum"))
    out["share_women_led"] = out["women_led"] / out["firms"]
    return out
