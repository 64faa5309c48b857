"""The inter-firm business network: measures per year and group, and a DiD on firm degree.

Links (``firm_a``, ``firm_b``, ``year``, ``link_type``) are undirected; several link types
between the same two firms in a year count as one link. A firm's group is its business
cluster (``cluster_id``) if it participates, else ``comparison``; without business clusters
in the data every participant is in one group, ``participants``. Per year and group:

* ``firms`` in the group, ``links`` touching it, ``within_links`` between two of its firms;
* ``density`` = within links / (firms (firms - 1) / 2), the share of possible pairs linked;
* ``mean_degree`` = mean number of links (to anyone) of the group's firms, isolates included;
* ``share_across_clusters`` / ``share_across_countries``: share of the group's links whose
  other firm is in another group / another country (NaN without countries);
* ``share_women_led``: share of the group's links that involve a women-led firm (NaN without
  the women-led flag).

The programme's effect on inter-connection is a DiD on firm degree between a baseline and an
end-line year (participants vs comparison firms, CRV1 by the study's inference cluster; see
docs/architecture.md for the layer this module belongs to). No firm name or identifier leaves
this module except inside the firm-level frames the figures draw without labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

COMPARISON = "comparison"
PARTICIPANTS = "participants"
LINK_COLUMNS = ("firm_a", "firm_b", "year")


def _check(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"network: table {name!r} lacks columns {missing}")


def _observed(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and bool(frame[column].notna().any())


def undirected_links(links: pd.DataFrame, firms: pd.DataFrame) -> pd.DataFrame:
    """One row per (year, firm pair): self-links dropped; unknown firms are an error.

    An empty links table (no network data) gives an empty frame with the same columns.
    """
    if links is None or links.empty:
        return pd.DataFrame({"year": pd.Series(dtype=int), "u": [], "v": []})
    _check(links, LINK_COLUMNS, "links")
    known = set(firms["firm_id"])
    unknown = ~links["firm_a"].isin(known) | ~links["firm_b"].isin(known)
    if unknown.any():
        rows = list(links.index[unknown][:10])
        raise ValueError(f"network: links rows {rows} name firms that are not in the firms table")
    a = links["firm_a"].astype(str)
    b = links["firm_b"].astype(str)
    out = pd.DataFrame(
        {"year": links["year"].astype(int), "u": np.minimum(a, b), "v": np.maximum(a, b)}
    )
    return out[out["u"] != out["v"]].drop_duplicates().reset_index(drop=True)


def firm_attributes(firms: pd.DataFrame) -> pd.DataFrame:
    """Per firm (index: ``firm_id`` as text): ``group``, ``country``, ``women_led``, ``participant``.

    Optional columns that the data lack come back missing (``country`` None, ``women_led``
    NaN); the participant flag falls back on ``cohort > 0`` when ``participant`` is absent.
    """
    _check(firms, ["firm_id"], "firms")
    f = firms.assign(firm_id=firms["firm_id"].astype(str)).set_index("firm_id")
    if _observed(f, "participant"):
        part = f["participant"].fillna(0).astype(int)
    elif "cohort" in f.columns:
        part = (pd.to_numeric(f["cohort"], errors="coerce").fillna(0) > 0).astype(int)
    else:
        raise ValueError("network: table 'firms' lacks both 'participant' and 'cohort'")
    if _observed(f, "cluster_id"):
        group = f["cluster_id"].astype(object).where(part == 1, COMPARISON).fillna(COMPARISON)
    else:
        group = pd.Series(np.where(part == 1, PARTICIPANTS, COMPARISON), index=f.index)
    country = f["country"] if _observed(f, "country") else pd.Series(None, index=f.index)
    women = (
        pd.to_numeric(f["women_led"], errors="coerce")
        if _observed(f, "women_led")
        else pd.Series(np.nan, index=f.index)
    )
    return pd.DataFrame(
        {"group": group, "country": country, "women_led": women, "participant": part}
    )


def _share(mask: np.ndarray, n: int) -> float:
    return float(mask.sum() / n) if n else np.nan


def network_measures(
    links: pd.DataFrame, firms: pd.DataFrame, years: Sequence[int] | None = None
) -> pd.DataFrame:
    """Measures per year and group (business cluster or comparison); see the module docstring."""
    edges = undirected_links(links, firms)
    attr = firm_attributes(firms)
    has_country, has_women = attr["country"].notna().any(), attr["women_led"].notna().any()
    years = sorted(edges["year"].unique()) if years is None else list(years)
    sizes = attr.groupby("group").size()
    rows = []
    for year in years:
        e = edges[edges["year"] == year]
        ends = attr.loc[e["u"]], attr.loc[e["v"]]
        ga, gb = (x["group"].to_numpy() for x in ends)
        ca, cb = (x["country"].to_numpy() for x in ends)
        wa, wb = (x["women_led"].to_numpy() for x in ends)
        deg_all = pd.concat([e["u"], e["v"]]).value_counts().reindex(attr.index, fill_value=0)
        for group, n in sizes.items():
            touch_a, touch_b = ga == group, gb == group
            touch, within = touch_a | touch_b, touch_a & touch_b
            n_links = int(touch.sum())
            other_country = np.where(touch_a, cb, ca) != np.where(touch_a, ca, cb)
            rows.append(
                {
                    "year": int(year),
                    "group": group,
                    "firms": int(n),
                    "links": n_links,
                    "within_links": int(within.sum()),
                    "density": float(within.sum() / (n * (n - 1) / 2)) if n > 1 else np.nan,
                    "mean_degree": float(deg_all[attr["group"] == group].mean()),
                    "share_across_clusters": _share(touch & ~within, n_links),
                    "share_across_countries": _share(touch & other_country, n_links)
                    if has_country
                    else np.nan,
                    "share_women_led": _share(touch & ((wa == 1) | (wb == 1)), n_links)
                    if has_women
                    else np.nan,
                }
            )
    return pd.DataFrame(rows)


def program_summary(links: pd.DataFrame, firms: pd.DataFrame) -> pd.DataFrame:
    """Per year: links, mean degree of participants and of comparison firms, links between
    women-led firms, and the share of links that cross clusters or countries (NaN for what
    the data do not hold)."""
    edges = undirected_links(links, firms)
    attr = firm_attributes(firms)
    has_country, has_women = attr["country"].notna().any(), attr["women_led"].notna().any()
    rows = []
    for year, e in edges.groupby("year"):
        deg = pd.concat([e["u"], e["v"]]).value_counts().reindex(attr.index, fill_value=0)
        ends = attr.loc[e["u"]], attr.loc[e["v"]]
        ga, gb = (x["group"].to_numpy() for x in ends)
        ca, cb = (x["country"].to_numpy() for x in ends)
        wa, wb = (x["women_led"].to_numpy() for x in ends)
        rows.append(
            {
                "year": int(year),
                "links": len(e),
                "mean_degree_participants": float(deg[attr["participant"] == 1].mean()),
                "mean_degree_comparison": float(deg[attr["participant"] == 0].mean()),
                "links_between_women_led": int(((wa == 1) & (wb == 1)).sum())
                if has_women
                else np.nan,
                "share_across_clusters": float(np.mean(ga != gb)) if len(e) else np.nan,
                "share_across_countries": float(np.mean(ca != cb))
                if len(e) and has_country
                else np.nan,
            }
        )
    columns = ["year", "links", "mean_degree_participants", "mean_degree_comparison",
               "links_between_women_led", "share_across_clusters", "share_across_countries"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


DESIGN_COLUMNS = ("firm_id", "participant", "women_led", "stratum", "country", "cohort",
                  "cluster_id")  # fmt: skip


def degree_panel(links: pd.DataFrame, firms: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Firm x year degree (0 for firms without links) with the firm's design columns."""
    edges = undirected_links(links, firms)
    ids = firms["firm_id"].astype(str)
    frames = []
    for year in years:
        e = edges[edges["year"] == year]
        deg = pd.concat([e["u"], e["v"]]).value_counts()
        frames.append(
            pd.DataFrame(
                {
                    "firm_id": ids.to_numpy(),
                    "year": int(year),
                    "degree": deg.reindex(ids).fillna(0).to_numpy(),
                }
            )  # fmt: skip
        )
    design = firms[[c for c in DESIGN_COLUMNS if c in firms.columns]].copy()
    design["firm_id"] = design["firm_id"].astype(str)
    design["participant"] = firm_attributes(firms)["participant"].to_numpy()
    return pd.concat(frames, ignore_index=True).merge(design, on="firm_id", how="left")


def degree_did(
    links: pd.DataFrame,
    firms: pd.DataFrame,
    baseline_year: int,
    endline_year: int,
    *,
    cluster: str = "firm_id",
    subgroup: str | None = None,
):
    """DiD on firm degree: participants vs comparison, ``baseline_year`` to ``endline_year``.

    ``did_2x2`` with CRV1 by ``cluster`` (the study's inference cluster,
    :attr:`evaluation.analysis.context.StudyContext.cluster`); with ``subgroup`` (e.g.
    ``women_led``) a triple difference (participant x end line x subgroup) with its own
    inference.
    """
    from evaluation.estimators import did_2x2, triple_differences

    panel = degree_panel(links, firms, [baseline_year, endline_year])
    panel["endline"] = (panel["year"] == endline_year).astype(int)
    if subgroup is None:
        return did_2x2(panel, "degree", "participant", "endline", cluster=cluster)
    panel["treated_net"] = panel["participant"].astype(int) * panel["endline"]
    return triple_differences(
        panel, "degree", "firm_id", "year", "treated_net", subgroup, cluster=cluster
    )


def figure_frame(
    links: pd.DataFrame, firms: pd.DataFrame, year: int, country: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The edges of one year (of one country's firms when ``country`` is given) and the
    attributes of their firms, for an unlabelled network figure."""
    edges = undirected_links(links, firms)
    attr = firm_attributes(firms)
    nodes = attr.index if country is None else attr.index[attr["country"] == country]
    e = edges[(edges["year"] == year) & edges["u"].isin(nodes) & edges["v"].isin(nodes)]
    used = sorted(set(e["u"]) | set(e["v"]))
    return e.reset_index(drop=True), attr.loc[used]
