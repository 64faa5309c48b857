"""The inter-firm business network: measures per year and cluster, a DiD on degree, figures.

Links (``firm_a``, ``firm_b``, ``year``, ``link_type``) are undirected; several link types
between the same two firms in a year count as one link. A firm's group is its business
cluster (``cluster_id``) if it participates, else ``comparison``. Per year and group:

* ``firms`` in the group, ``links`` touching it, ``within_links`` between two of its firms;
* ``density`` = within links / (firms (firms - 1) / 2), the share of possible pairs linked;
* ``mean_degree`` = mean number of links (to anyone) of the group's firms, isolates included;
* ``share_across_clusters`` / ``share_across_countries``: share of the group's links whose
  other firm is in another group / another country;
* ``share_women_led``: share of the group's links that involve a women-led firm.

The program effect on inter-connection is a DiD on firm degree between a baseline and an end
line year (participants vs comparison firms, CRV1 by stratum). Figures draw nodes without
labels: no firm name or identifier reaches a report.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

COMPARISON = "comparison"


def _check(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"network: table {name!r} lacks columns {missing}")


def undirected_links(links: pd.DataFrame, firms: pd.DataFrame) -> pd.DataFrame:
    """One row per (year, firm pair): self-links dropped; unknown firms are an error."""
    _check(links, ["firm_a", "firm_b", "year"], "links")
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


def _firm_attributes(firms: pd.DataFrame) -> pd.DataFrame:
    _check(firms, ["firm_id", "participant", "cluster_id", "country", "women_led"], "firms")
    f = firms.set_index("firm_id")
    group = f["cluster_id"].where(f["participant"].astype(int) == 1, COMPARISON).fillna(COMPARISON)
    return pd.DataFrame(
        {
            "group": group,
            "country": f["country"],
            "women_led": f["women_led"].astype(int),
            "participant": f["participant"].astype(int),
        }  # fmt: skip
    )


def network_measures(
    links: pd.DataFrame, firms: pd.DataFrame, years: Sequence[int] | None = None
) -> pd.DataFrame:
    """Measures per year and group (business cluster or comparison); see the module docstring."""
    edges = undirected_links(links, firms)
    attr = _firm_attributes(firms)
    years = sorted(edges["year"].unique()) if years is None else list(years)
    sizes = attr.groupby("group").size()
    rows = []
    for year in years:
        e = edges[edges["year"] == year]
        ga, gb = attr.loc[e["u"], "group"].to_numpy(), attr.loc[e["v"], "group"].to_numpy()
        ca, cb = attr.loc[e["u"], "country"].to_numpy(), attr.loc[e["v"], "country"].to_numpy()
        wa, wb = attr.loc[e["u"], "women_led"].to_numpy(), attr.loc[e["v"], "women_led"].to_numpy()
        degree = pd.concat([e["u"], e["v"]]).value_counts()
        deg_all = degree.reindex(attr.index, fill_value=0)
        for group, n in sizes.items():
            touch_a, touch_b = ga == group, gb == group
            touch = touch_a | touch_b
            within = touch_a & touch_b
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
                    "share_across_clusters": float((touch & ~within).sum() / n_links)
                    if n_links
                    else np.nan,
                    "share_across_countries": float((touch & other_country).sum() / n_links)
                    if n_links
                    else np.nan,
                    "share_women_led": float((touch & ((wa == 1) | (wb == 1))).sum() / n_links)
                    if n_links
                    else np.nan,
                }
            )
    return pd.DataFrame(rows)


def program_summary(links: pd.DataFrame, firms: pd.DataFrame) -> pd.DataFrame:
    """Per year: links, mean degree of participants and of comparison firms, links between
    women-led firms, and the share of links that cross clusters or countries."""
    edges = undirected_links(links, firms)
    attr = _firm_attributes(firms)
    rows = []
    for year, e in edges.groupby("year"):
        deg = pd.concat([e["u"], e["v"]]).value_counts().reindex(attr.index, fill_value=0)
        ga, gb = attr.loc[e["u"], "group"].to_numpy(), attr.loc[e["v"], "group"].to_numpy()
        ca, cb = attr.loc[e["u"], "country"].to_numpy(), attr.loc[e["v"], "country"].to_numpy()
        wa, wb = attr.loc[e["u"], "women_led"].to_numpy(), attr.loc[e["v"], "women_led"].to_numpy()
        rows.append(
            {
                "year": int(year),
                "links": len(e),
                "mean_degree_participants": float(deg[attr["participant"] == 1].mean()),
                "mean_degree_comparison": float(deg[attr["participant"] == 0].mean()),
                "links_between_women_led": int(((wa == 1) & (wb == 1)).sum()),
                "share_across_clusters": float(np.mean(ga != gb)) if len(e) else np.nan,
                "share_across_countries": float(np.mean(ca != cb)) if len(e) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def degree_panel(links: pd.DataFrame, firms: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Firm x year degree (0 for firms without links) with the firm's design columns."""
    edges = undirected_links(links, firms)
    frames = []
    for year in years:
        e = edges[edges["year"] == year]
        deg = pd.concat([e["u"], e["v"]]).value_counts()
        frames.append(
            pd.DataFrame(
                {
                    "firm_id": firms["firm_id"].to_numpy(),
                    "year": int(year),
                    "degree": deg.reindex(firms["firm_id"]).fillna(0).to_numpy(),
                }
            )  # fmt: skip
        )
    keep = [
        c
        for c in (
            "firm_id",
            "participant",
            "women_led",
            "stratum",
            "country",
            "cohort",
            "cluster_id",
        )
        if c in firms.columns
    ]
    return pd.concat(frames, ignore_index=True).merge(firms[keep], on="firm_id", how="left")


def degree_did(
    links: pd.DataFrame,
    firms: pd.DataFrame,
    baseline_year: int,
    endline_year: int,
    *,
    cluster: str = "stratum",
    subgroup: str | None = None,
):
    """DiD on firm degree: participants vs comparison, ``baseline_year`` to ``endline_year``.

    ``did_2x2`` with CRV1 by ``cluster``; with ``subgroup`` (e.g. ``women_led``) a triple
    difference (participant x end line x subgroup) with its own inference.
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


def network_figure(
    links: pd.DataFrame,
    firms: pd.DataFrame,
    country: str,
    year: int,
    *,
    language: str = "en",
    seed: int = 0,
):
    """The network of one country in one year: participants and comparison firms by colour,
    women-led firms as triangles, no labels. Layout seeded (Fruchterman-Reingold)."""
    import networkx as nx
    from matplotlib.figure import Figure

    edges = undirected_links(links, firms)
    attr = _firm_attributes(firms)
    nodes = attr.index[attr["country"] == country]
    e = edges[(edges["year"] == year) & edges["u"].isin(nodes) & edges["v"].isin(nodes)]
    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(e["u"]) | set(e["v"])))
    graph.add_edges_from(zip(e["u"], e["v"], strict=True))
    pos = nx.spring_layout(graph, seed=seed) if graph.number_of_nodes() else {}
    fig = Figure(figsize=(6.5, 5.0))
    ax = fig.add_subplot()
    for u, v in graph.edges:
        ax.plot(
            [pos[u][0], pos[v][0]],
            [pos[u][1], pos[v][1]],
            color="#7f7f7f",
            lw=0.6,
            alpha=0.7,
            zorder=1,
        )
    labels = {
        ("en", 1): "Participants", ("en", 0): "Comparison firms",
        ("es", 1): "Participantes", ("es", 0): "Empresas de comparación",
    }  # fmt: skip
    women = {"en": "women-led", "es": "liderada por mujer"}[language]
    for part, color in ((1, "#1f77b4"), (0, "#ff7f0e")):
        for wl, marker in ((0, "o"), (1, "^")):
            sel = [
                n
                for n in graph.nodes
                if attr.loc[n, "participant"] == part and attr.loc[n, "women_led"] == wl
            ]
            if not sel:
                continue
            xy = np.array([pos[n] for n in sel])
            name = labels[(language, part)] + (f" ({women})" if wl else "")
            ax.scatter(xy[:, 0], xy[:, 1], s=14, c=color, marker=marker, label=name, zorder=2)
    ax.set_axis_off()
    title = {
        "en": f"Business links, {country}, {year}",
        "es": f"Vínculos empresariales, {country}, {year}",
    }
    ax.set_title(title[language])
    if graph.number_of_nodes():
        ax.legend(loc="lower left", fontsize=7, frameon=False)
    return fig
