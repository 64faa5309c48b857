"""Spillovers through the business network: exposure of firms to supported partners.

Exposure (a network exposure mapping in the sense of Aronow & Samii 2017; the share-of-
neighbours form used by Butts 2021 for spatial rings):

* links are undirected: a pair of firms is linked in a year if a row of the links table
  names them in either order; several rows (link types) between the same pair count once,
  self-links are dropped;
* a pair's *formation year* is the first year it appears; the **baseline network** holds the
  pairs formed up to the baseline year (inclusive). Links formed later may be caused by the
  programme or by the outcome itself (endogenous), so they do not enter the exposure;
* ``exposure_it`` = share of firm ``i``'s baseline partners that have been treated by year
  ``t`` (cohort > 0 and cohort <= t); 0 for a firm without baseline partners; ``exposed`` =
  1 when that share is positive; ``exposure__<type>`` the same share over the partners linked
  by a link of that type formed up to the baseline year;
* ``placebo_exposure_it`` = the same share over the partners of links formed *after* the
  baseline year (in or after the first treatment year) and absent from the baseline network.
  Conditional on the baseline exposure it should not move a non-participant's outcome unless
  later links select on outcome trends (the placebo of issue 14).

:func:`spillover_analysis` fits :func:`evaluation.estimators.spillovers.spillover_did` on the
outcome panel (direct effect, exposure effect on non-participants), one fit per link type, the
placebo fit, the fit on the binary ``exposed`` indicator, the staggered-robust two-stage fit
(Gardner 2021), and - with fewer clusters than ``FEW_CLUSTERS`` - the restricted wild cluster
bootstrap of the two main terms. Anything the data cannot support comes back as a reason code
(``reasons``), never an exception; the page turns codes into catalogue sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from evaluation.analysis.network import LINK_COLUMNS
from evaluation.estimators.constants import FEW_CLUSTERS
from evaluation.estimators.results import EstimationResult

UNKNOWN_TYPE = "unknown"
TYPE_PREFIX = "exposure__"
TREATED = "spill_treated"  # own treatment D_it built from the panel's cohort


def _check(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"spillovers: table {name!r} lacks columns {missing}")


def treatment_years(firms: pd.DataFrame) -> pd.Series:
    """Per firm (index ``firm_id`` as text): first treated year, NaN if never treated.

    From ``cohort`` (> 0 = the first supported year; 0 or missing = never supported).
    """
    _check(firms, ["firm_id", "cohort"], "firms")
    cohort = pd.to_numeric(firms["cohort"], errors="coerce").to_numpy(dtype=float)
    cohort = np.where(cohort > 0, cohort, np.nan)
    return pd.Series(cohort, index=firms["firm_id"].astype(str).to_numpy(), name="first_treated")


def pair_table(links: pd.DataFrame, firms: pd.DataFrame) -> pd.DataFrame:
    """Undirected pairs ``u < v`` with ``link_type`` and the year each (pair, type) first
    appears (``formed_type``) and the pair first appears with any type (``formed``).

    Unknown firms are an error naming the rows; a links table without ``link_type`` gives
    one type, ``unknown``.
    """
    cols = ["u", "v", "link_type", "formed_type", "formed"]
    if links is None or links.empty:
        return pd.DataFrame({c: pd.Series(dtype=int if "formed" in c else object) for c in cols})
    _check(links, LINK_COLUMNS, "links")
    known = set(firms["firm_id"].astype(str))
    a, b = links["firm_a"].astype(str), links["firm_b"].astype(str)
    unknown = ~a.isin(known) | ~b.isin(known)
    if unknown.any():
        rows = list(links.index[unknown.to_numpy()][:10])
        raise ValueError(
            f"spillovers: links rows {rows} name firms that are not in the firms table"
        )
    ltype = (
        links["link_type"].astype(object).where(links["link_type"].notna(), UNKNOWN_TYPE)
        if "link_type" in links.columns
        else pd.Series(UNKNOWN_TYPE, index=links.index)
    )
    edges = pd.DataFrame(
        {
            "u": np.minimum(a, b),
            "v": np.maximum(a, b),
            "link_type": ltype.astype(str).to_numpy(),
            "year": pd.to_numeric(links["year"], errors="raise").astype(int).to_numpy(),
        }
    )
    edges = edges[edges["u"] != edges["v"]]
    by_type = edges.groupby(["u", "v", "link_type"], as_index=False)["year"].min()
    by_type = by_type.rename(columns={"year": "formed_type"})
    first = by_type.groupby(["u", "v"])["formed_type"].transform("min")
    return by_type.assign(formed=first.astype(int))[cols].reset_index(drop=True)


def _share_treated(
    pairs: pd.DataFrame, ids: pd.Index, first_treated: pd.Series, years: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Partners per firm and, per year, the share of them treated by that year.

    Returns ``(partners (n_firms,), share (n_firms, n_years))``; share 0 without partners.
    """
    pairs = pairs.drop_duplicates(["u", "v"])
    ends = pd.concat(
        [
            pd.DataFrame({"firm": pairs["u"], "partner": pairs["v"]}),
            pd.DataFrame({"firm": pairs["v"], "partner": pairs["u"]}),
        ],
        ignore_index=True,
    )
    pos = ids.get_indexer(ends["firm"])
    partner_year = first_treated.reindex(ends["partner"]).to_numpy()
    n = len(ids)
    partners = np.bincount(pos[pos >= 0], minlength=n).astype(float) if len(ends) else np.zeros(n)
    share = np.zeros((n, len(years)))
    for j, year in enumerate(years):
        treated = np.nan_to_num(partner_year, nan=np.inf) <= year
        count = np.bincount(pos[pos >= 0], weights=treated[pos >= 0], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            share[:, j] = np.where(partners > 0, count / np.where(partners > 0, partners, 1), 0.0)
    return partners, share


def link_types(links: pd.DataFrame | None) -> list[str]:
    """The link types in the data, sorted (``unknown`` when the table has no type column)."""
    if links is None or links.empty:
        return []
    if "link_type" not in links.columns:
        return [UNKNOWN_TYPE]
    return sorted(links["link_type"].astype(object).fillna(UNKNOWN_TYPE).astype(str).unique())


def exposure_panel(
    links: pd.DataFrame | None,
    firms: pd.DataFrame,
    years: Sequence[int],
    baseline_year: int,
    *,
    placebo_after: int | None = None,
) -> pd.DataFrame:
    """Exposure per firm and year (see the module docstring).

    Columns: ``firm_id`` (text), ``year``, ``partners`` (baseline partners), ``exposure``,
    ``exposed`` (0/1), ``exposure__<type>`` per link type, ``placebo_partners`` and
    ``placebo_exposure`` (links formed after ``placebo_after``, default the baseline year).
    """
    first_treated = treatment_years(firms)
    ids = pd.Index(first_treated.index, name="firm_id")
    years = [int(y) for y in years]
    pairs = pair_table(links, firms)
    base = pairs[pairs["formed"] <= baseline_year]
    after = baseline_year if placebo_after is None else int(placebo_after)
    later = pairs[pairs["formed"] > after]
    n, T = len(ids), len(years)
    partners, share = _share_treated(base, ids, first_treated, years)
    out = {
        "firm_id": np.repeat(ids.to_numpy(), T),
        "year": np.tile(np.asarray(years, dtype=int), n),
        "partners": np.repeat(partners, T),
        "exposure": share.reshape(-1),
        "exposed": (share.reshape(-1) > 0).astype(int),
    }
    for ltype in link_types(links):
        typed = base[(base["link_type"] == ltype) & (base["formed_type"] <= baseline_year)]
        _, s = _share_treated(typed, ids, first_treated, years)
        out[f"{TYPE_PREFIX}{ltype}"] = s.reshape(-1)
    p_partners, p_share = _share_treated(later, ids, first_treated, years)
    out["placebo_partners"] = np.repeat(p_partners, T)
    out["placebo_exposure"] = p_share.reshape(-1)
    return pd.DataFrame(out)


@dataclass(frozen=True)
class SpilloverAnalysis:
    """What the spillovers section shows.

    Attributes
    ----------
    main : the fit with ``direct_effect``, ``exposure_effect``, ``exposure_effect_treated``
        (None when not identified; ``reasons`` says why).
    by_type : link type -> fit with that type's exposure (types not identified are absent).
    binary : the fit with the binary ``exposed`` indicator (any baseline partner supported)
        in place of the share, or None.
    two_stage : the same model by Gardner's (2021) two-stage DiD (robust to effects that vary
        with cohort and time since support), or None.
    placebo : the fit with ``placebo_exposure`` added, or None.
    bootstrap : term -> wild cluster bootstrap result (few clusters only).
    counts : firms, non-participants, non-participants with baseline partners, exposed
        non-participants (by the end line), baseline pairs, later pairs.
    reasons : codes of what could not be estimated: ``no_links``, ``no_baseline_links``,
        ``no_exposed_comparison``, ``no_placebo_links``, ``type:<type>``, ``few_clusters``.
    """

    main: EstimationResult | None
    by_type: dict[str, EstimationResult] = field(default_factory=dict)
    binary: EstimationResult | None = None
    two_stage: EstimationResult | None = None
    placebo: EstimationResult | None = None
    bootstrap: dict[str, EstimationResult] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()

    def main_inference(self) -> EstimationResult | None:
        """The main fit with the wild cluster bootstrap's p-value and interval in place of
        CRV1's for the bootstrapped terms (standard errors stay CRV1, as in the bootstrap's
        own result), so that a reader of the recorded estimates sees the page's inference."""
        if self.main is None or not self.bootstrap:
            return self.main
        table = self.main.table.copy()
        for term, boot in self.bootstrap.items():
            row = boot.table.iloc[0]
            sel = table["term"] == term
            table.loc[sel, ["p_value", "conf_low", "conf_high"]] = [
                row["p_value"], row["conf_low"], row["conf_high"]
            ]  # fmt: skip
        reps = next(iter(self.bootstrap.values())).info.get("reps")
        label = (
            f"{self.main.vcov_type}; p-values and intervals of {sorted(self.bootstrap)}: "
            f"WCR wild cluster bootstrap ({reps} draws)"
        )
        return replace(self.main, table=table, vcov_type=label)

    def table(self) -> pd.DataFrame:
        """One row per reported term: ``specification`` (all / link type / placebo), the
        tidy columns, and the wild bootstrap p-value and interval where computed."""
        frames = []
        if self.main is not None:
            t = self.main.tidy()
            own = ["direct_effect", "exposure_effect", "exposure_effect_treated"]
            frames.append(t[t["term"].isin(own)].assign(specification="all"))  # no controls
        if self.two_stage is not None:
            t = self.two_stage.tidy()
            keep = t["term"].isin(["direct_effect", "exposure_effect"])
            frames.append(t[keep].assign(specification="two_stage"))
        if self.binary is not None:
            t = self.binary.tidy()
            frames.append(t[t["term"] == "exposure_effect"].assign(specification="any"))
        for ltype, res in self.by_type.items():
            t = res.tidy()
            frames.append(t[t["term"] == "exposure_effect"].assign(specification=ltype))
        if self.placebo is not None:
            t = self.placebo.tidy()
            frames.append(t[t["term"] == "placebo_exposure"].assign(specification="placebo"))
        if not frames:
            return pd.DataFrame()
        out = pd.concat(frames, ignore_index=True)
        for col in ("boot_p_value", "boot_conf_low", "boot_conf_high"):
            out[col] = np.nan
        for term, boot in self.bootstrap.items():
            row = boot.tidy().iloc[0]
            sel = (out["specification"] == "all") & (out["term"] == term)
            out.loc[sel, ["boot_p_value", "boot_conf_low", "boot_conf_high"]] = [
                row.p_value, row.conf_low, row.conf_high
            ]  # fmt: skip
        return out


def _not_identified(err: ValueError) -> bool:
    text = str(err)
    return "not identified" in text or "no variation left" in text


def spillover_analysis(
    panel: pd.DataFrame,
    links: pd.DataFrame | None,
    firms: pd.DataFrame,
    outcome: str,
    baseline_year: int,
    endline_year: int,
    *,
    cluster: str = "firm_id",
    covariates: Sequence[str] | None = None,
    fixed_effects: str | None = None,
    replications: int = 999,
    seed: int | None = None,
    alpha: float = 0.05,
    unit: str = "firm_id",
    time: str = "year",
) -> SpilloverAnalysis:
    """Exposure, the spillover fits and their inference on the outcome ``panel``.

    The own treatment is ``cohort > 0 and year >= cohort`` from the panel's ``cohort``; the
    sample is every firm-year of the panel with the outcome observed (pass the pages'
    estimation sample, :func:`evaluation.analysis.effects.estimation_sample`). ``covariates``
    and ``fixed_effects`` are the conditional-trend controls of the other estimation pages
    (:func:`evaluation.analysis.effects.trends`: baseline covariate x year trends, sector-by-
    year effects). ``cluster`` is the study's inference cluster (CRV1; wild cluster bootstrap
    with ``replications`` draws when there are fewer than ``FEW_CLUSTERS`` clusters).
    """
    from evaluation.estimators.spillovers import spillover_bootstrap, spillover_did

    reasons: list[str] = []
    if links is None or links.empty:
        return SpilloverAnalysis(main=None, reasons=("no_links",))
    years = sorted(int(y) for y in panel[time].unique())
    expo = exposure_panel(links, firms, years, baseline_year)
    clash = [c for c in expo.columns if c in panel.columns and c not in (unit, time)]
    data = (
        panel.drop(columns=clash)
        .assign(**{unit: panel[unit].astype(str)})
        .merge(expo, on=[unit, time], how="left", validate="many_to_one")
    )
    fill = [c for c in expo.columns if c not in (unit, time)]
    data[fill] = data[fill].fillna(0.0)
    cohort = pd.to_numeric(data["cohort"], errors="coerce").fillna(0).to_numpy()
    data[TREATED] = ((cohort > 0) & (data[time].to_numpy() >= cohort)).astype(int)
    participant = cohort > 0
    firm_rows = data.drop_duplicates(unit)
    end_rows = data[data[time] == endline_year]
    pairs = pair_table(links, firms)

    def supported(frame: pd.DataFrame) -> pd.Series:
        return pd.to_numeric(frame["cohort"], errors="coerce").fillna(0) > 0

    formed = pairs.drop_duplicates(["u", "v"])["formed"]
    counts = {
        "firms": int(firm_rows.shape[0]),
        "comparison_firms": int((~supported(firm_rows)).sum()),
        "comparison_with_partners": int(
            ((firm_rows["partners"] > 0) & ~supported(firm_rows)).sum()
        ),
        "exposed_comparison": int(((end_rows["exposure"] > 0) & ~supported(end_rows)).sum()),
        "baseline_pairs": int((formed <= baseline_year).sum()),
        "later_pairs": int((formed > baseline_year).sum()),
    }
    if counts["baseline_pairs"] == 0:
        return SpilloverAnalysis(main=None, counts=counts, reasons=("no_baseline_links",))
    observed = data[outcome].notna().to_numpy()
    if not ((data["exposure"].to_numpy() > 0) & ~participant & observed).any():
        return SpilloverAnalysis(main=None, counts=counts, reasons=("no_exposed_comparison",))
    fit_args = {"cluster": cluster, "alpha": alpha, "covariates": covariates}
    fit_args["fixed_effects"] = fixed_effects
    try:
        main = spillover_did(data, outcome, unit, time, TREATED, "exposure", **fit_args)
    except ValueError as err:
        if not _not_identified(err):
            raise
        return SpilloverAnalysis(main=None, counts=counts, reasons=("no_exposed_comparison",))
    by_type: dict[str, EstimationResult] = {}
    for ltype in link_types(links):
        column = f"{TYPE_PREFIX}{ltype}"
        try:
            by_type[ltype] = spillover_did(data, outcome, unit, time, TREATED, column, **fit_args)
        except ValueError as err:
            if not _not_identified(err):
                raise
            reasons.append(f"type:{ltype}")
    binary = spillover_did(data, outcome, unit, time, TREATED, "exposed", **fit_args)
    two_stage = None
    try:
        two_stage = spillover_did(
            data, outcome, unit, time, TREATED, "exposure", method="two_stage", **fit_args
        )
    except ValueError as err:
        if not _not_identified(err):
            raise
        reasons.append("two_stage")
    placebo = None
    if counts["later_pairs"] == 0 or not (data["placebo_exposure"].to_numpy() > 0).any():
        reasons.append("no_placebo_links")
    else:
        placebo = spillover_did(
            data, outcome, unit, time, TREATED, "exposure", placebo="placebo_exposure",
            **fit_args,
        )  # fmt: skip
        if "placebo_exposure" not in set(placebo.table["term"]):
            placebo = None
            reasons.append("no_placebo_links")
    bootstrap: dict[str, EstimationResult] = {}
    if main.n_clusters is not None and main.n_clusters < FEW_CLUSTERS:
        reasons.append("few_clusters")
        for term in ("direct_effect", "exposure_effect"):
            bootstrap[term] = spillover_bootstrap(
                main, term, data=data, replications=replications, seed=seed, alpha=alpha
            )
    return SpilloverAnalysis(
        main=main,
        by_type=by_type,
        binary=binary,
        two_stage=two_stage,
        placebo=placebo,
        bootstrap=bootstrap,
        counts=counts,
        reasons=tuple(reasons),
    )
