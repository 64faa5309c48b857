"""Network measures on a hand-built network (hand-computed values) and the DiD on degree."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from evaluation.analysis import network
from evaluation.reporting.network import network_figure


@pytest.fixture
def toy():
    firms = pd.DataFrame(
        {
            "firm_id": ["a", "b", "c", "d", "e", "f"],
            "participant": [1, 1, 1, 1, 0, 0],
            "cluster_id": ["K1", "K1", "K1", "K2", None, None],
            "country": ["CO", "CO", "CO", "EC", "CO", "EC"],
            "women_led": [1, 0, 1, 0, 1, 0],
            "stratum": ["s1", "s1", "s1", "s2", "s1", "s2"],
        }
    )
    links = pd.DataFrame(
        {
            "firm_a": ["a", "b", "a", "c", "d", "a", "b"],
            "firm_b": ["b", "a", "c", "d", "f", "b", "e"],
            "year": [2015, 2015, 2015, 2015, 2015, 2018, 2018],
            "link_type": ["client", "supplier", "client", "client", "client", "client", "client"],
        }
    )
    return firms, links


def test_measures_by_hand(toy):
    firms, links = toy
    m = network.network_measures(links, firms, [2015]).set_index("group")
    # 2015 links: a-b (two types, one link), a-c, c-d, d-f
    k1 = m.loc["K1"]
    assert k1.links == 3 and k1.within_links == 2  # a-b, a-c within; c-d leaves K1
    assert k1.density == pytest.approx(2 / 3)
    assert k1.mean_degree == pytest.approx((2 + 1 + 2) / 3)
    assert k1.share_across_clusters == pytest.approx(1 / 3)
    assert k1.share_across_countries == pytest.approx(1 / 3)  # c (CO) - d (EC)
    assert k1.share_women_led == pytest.approx(1.0)  # every K1 link involves a or c
    comp = m.loc["comparison"]
    assert comp.links == 1 and comp.within_links == 0 and comp.mean_degree == pytest.approx(0.5)


def test_density_matches_networkx(toy):
    firms, links = toy
    edges = network.undirected_links(links, firms)
    k1 = ["a", "b", "c"]
    g = nx.Graph()
    g.add_nodes_from(k1)
    g.add_edges_from(
        [
            (u, v)
            for u, v, y in zip(edges.u, edges.v, edges.year, strict=True)
            if y == 2015 and u in k1 and v in k1
        ]
    )
    m = network.network_measures(links, firms, [2015]).set_index("group")
    assert m.loc["K1", "density"] == pytest.approx(nx.density(g))


def test_unknown_firm_is_named(toy):
    firms, links = toy
    bad = pd.concat(
        [
            links,
            pd.DataFrame(
                {"firm_a": ["zz"], "firm_b": ["a"], "year": [2015], "link_type": ["client"]}
            ),
        ],
        ignore_index=True,
    )
    with pytest.raises(ValueError, match=r"rows \[7\]"):
        network.network_measures(bad, firms)


def test_degree_did_recovers_known_effect():
    """Simulated network: participants gain 2 links on average between baseline and end line."""
    rng = np.random.default_rng(0)
    n_str, per = 26, 10
    firms = pd.DataFrame(
        {
            "firm_id": [f"f{s}_{i}" for s in range(n_str) for i in range(per)],
            "participant": [int(i < per // 2) for s in range(n_str) for i in range(per)],
            "cluster_id": [
                f"K{s}" if i < per // 2 else None for s in range(n_str) for i in range(per)
            ],
            "country": ["CO" if s < 13 else "EC" for s in range(n_str) for i in range(per)],
            "women_led": rng.integers(0, 2, n_str * per),
            "stratum": [f"s{s}" for s in range(n_str) for i in range(per)],
        }
    )
    ids = firms.firm_id.to_numpy()
    part = set(firms.firm_id[firms.participant == 1])
    rows = []
    background = [tuple(rng.choice(ids, 2, replace=False)) for _ in range(len(ids) // 2)]
    for year, extra in ((2015, 0), (2018, 1)):
        # persistent background links (1 per firm on average) plus 30 churning ones
        rows += [(a, b, year) for a, b in background]
        rows += [(*rng.choice(ids, 2, replace=False), year) for _ in range(30)]
        if extra:  # 1 new link per participant pair-up inside clusters: +2 degree on average
            plist = sorted(part)
            for k in range(len(plist)):
                a = plist[k]
                b = plist[(k + 1) % len(plist)] if k % 5 != 4 else plist[k - 4]
                rows.append((a, b, year))
    links = pd.DataFrame(rows, columns=["firm_a", "firm_b", "year"])
    res = network.degree_did(links, firms, 2015, 2018, cluster="stratum")
    row = res.tidy().set_index("term").iloc[0]
    # a new within-cluster link can coincide with a background one: slightly below 2
    assert row["estimate"] == pytest.approx(2.0, abs=0.15)
    assert row["conf_low"] > 0
    edges, attr = network.figure_frame(links, firms, 2018, "CO")
    fig = network_figure(edges, attr, title="CO 2018", language="es")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert not any(fid in " ".join(texts) for fid in ids)  # no firm identifiers drawn


def test_no_links_and_thin_firms_never_fail(toy):
    """No network data, no clusters, countries or women-led flag: empty results, no KeyError."""
    firms, _ = toy
    thin = firms[["firm_id"]].assign(cohort=[2016 if i % 2 else 0 for i in range(len(firms))])
    empty = pd.DataFrame(columns=["firm_a", "firm_b", "year", "link_type"])
    assert network.undirected_links(empty, thin).empty
    assert network.program_summary(empty, thin).empty
    assert network.network_measures(empty, thin, [2015]).loc[:, "links"].sum() == 0
    attr = network.firm_attributes(thin)
    assert set(attr["group"]) == {"participants", "comparison"}
    assert attr["country"].isna().all() and attr["women_led"].isna().all()
    panel = network.degree_panel(empty, thin, [2015, 2018])
    assert (panel["degree"] == 0).all() and len(panel) == 2 * len(thin)
