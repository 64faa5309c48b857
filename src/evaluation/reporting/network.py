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


# --- spillovers (issue 14): labels, the figure and the table of the spillovers section -------

_SPEC_ALL, _SPEC_ANY, _SPEC_PLACEBO, _SPEC_TWO_STAGE = "all", "any", "placebo", "two_stage"


def link_type_label(value: str, language: str) -> str:
    """A link type in the report language (as given in the data when the catalogue has none)."""
    from evaluation.reporting.translations import has_message

    key = f"spill.link_type.{value}"
    return t(key, language) if has_message(key) else str(value)


def spillover_labels(table: pd.DataFrame, *, language: str, base: int) -> pd.DataFrame:
    """The spillover estimates (``SpilloverAnalysis.table()``) with ``spec_label`` and
    ``term_label`` in the report language; a link type without a catalogue entry is shown
    as given in the data."""
    from evaluation.reporting.translations import has_message

    def spec(value: str) -> str:
        if value == _SPEC_ALL:
            return t("spill.spec.all", language)
        if value == _SPEC_PLACEBO:
            return t("spill.spec.placebo", language, base=base)
        if value == _SPEC_ANY:
            return t("spill.spec.any", language)
        if value == _SPEC_TWO_STAGE:
            return t("spill.spec.two_stage", language)
        return link_type_label(value, language)

    def term(value: str) -> str:
        key = f"spill.term.{value}"
        return t(key, language) if has_message(key) else str(value)

    return table.assign(
        spec_label=[spec(v) for v in table["specification"]],
        term_label=[term(v) for v in table["term"]],
    )


def _with_bootstrap(frame: pd.DataFrame) -> pd.DataFrame:
    """Intervals and p-values replaced by the wild bootstrap's where it was computed."""
    out = frame.copy()
    if "boot_p_value" in out:
        has = out["boot_p_value"].notna()
        out.loc[has, "p_value"] = out.loc[has, "boot_p_value"]
        out.loc[has, "conf_low"] = out.loc[has, "boot_conf_low"]
        out.loc[has, "conf_high"] = out.loc[has, "boot_conf_high"]
    return out


def spillover_figure(table: pd.DataFrame, *, language: str, base: int, outcome_label: str):
    """Forest plot of the spillover on comparison firms with 95% intervals: through all
    baseline links, through each link type, and the placebo on later links (its own colour).

    ``table`` is ``SpilloverAnalysis.table()`` (the wild bootstrap interval replaces CRV1's
    where it was computed). Rendering only: the estimates come from the analysis layer.
    """
    from evaluation.reporting.figures import estimates_figure

    rows = _with_bootstrap(spillover_labels(table, language=language, base=base))
    keep = rows["term"].isin(["exposure_effect", "placebo_exposure"])
    rows = rows[keep].reset_index(drop=True)
    rows["kind"] = [
        t("spill.figure.placebo" if s == _SPEC_PLACEBO else "spill.figure.effect", language)
        for s in rows["specification"]
    ]
    return estimates_figure(
        rows,
        language=language,
        label="spec_label",
        group="kind",
        title=t("spill.figure.title", language),
        outcome_label=outcome_label,
    )


def spillover_rows(table: pd.DataFrame, *, language: str, base: int) -> pd.DataFrame:
    """The rows of the spillovers table: one label per row (effect, and the link type for the
    by-type rows), the tidy columns with the wild bootstrap inference where computed."""
    rows = _with_bootstrap(spillover_labels(table, language=language, base=base))
    label = [
        tl if s == _SPEC_ALL else (sl if s == _SPEC_PLACEBO else f"{tl}: {sl}")
        for s, sl, tl in zip(rows["specification"], rows["spec_label"], rows["term_label"],
                             strict=True)
    ]  # fmt: skip
    return rows.assign(label=label)[
        ["label", "term", "estimate", "std_error", "p_value", "conf_low", "conf_high"]
    ]
