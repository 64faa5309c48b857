"""The network figure of the network page: firms as unlabelled nodes, links as lines.

Rendering only: the edges and firm attributes come from
:func:`evaluation.analysis.network.figure_frame`. Participants and comparison firms differ by
colour, women-led firms are triangles (when the data carry the flag); nodes carry no label, so
no firm can be told apart on a page. The layout is seeded (Fruchterman-Reingold as in
networkx's ``spring_layout``), so a page is the same on every run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.reporting.translations import t


def network_figure(edges: pd.DataFrame, attr: pd.DataFrame, *, title: str, language: str,
                   seed: int = 0):  # fmt: skip
    """A matplotlib figure of the network ``edges`` (``u``, ``v``) with node ``attr``."""
    import networkx as nx
    from matplotlib.figure import Figure

    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(edges["u"]) | set(edges["v"])))
    graph.add_edges_from(zip(edges["u"], edges["v"], strict=True))
    pos = nx.spring_layout(graph, seed=seed) if graph.number_of_nodes() else {}
    fig = Figure(figsize=(6.5, 5.0))
    ax = fig.add_subplot()
    for u, v in graph.edges:
        ax.plot([pos[u][0], pos[v][0]], [pos[u][1], pos[v][1]], color="#7f7f7f", lw=0.6,
                alpha=0.7, zorder=1)  # fmt: skip
    names = {1: t("nb09.figure.participants", language), 0: t("nb09.figure.comparison", language)}
    women = t("nb09.figure.women_led", language)
    for part, color in ((1, "#1f77b4"), (0, "#ff7f0e")):
        for wl, marker in ((0, "o"), (1, "^")):
            sel = [
                n
                for n in graph.nodes
                if attr.loc[n, "participant"] == part
                and (attr.loc[n, "women_led"] == 1) == bool(wl)
            ]
            if not sel:
                continue
            xy = np.array([pos[n] for n in sel])
            name = names[part] + (f" ({women})" if wl else "")
            ax.scatter(xy[:, 0], xy[:, 1], s=14, c=color, marker=marker, label=name, zorder=2)
    ax.set_axis_off()
    ax.set_title(title)
    if graph.number_of_nodes():
        ax.legend(loc="lower left", fontsize=7, frameon=False)
    return fig
