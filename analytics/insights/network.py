"""The related-clusters network: which links to draw (threshold) and where the nodes go (layout).

Nodes are the 51 traded US benchmark clusters of the US 2014 relatedness table (``related.parquet``,
Delgado, Porter & Stern 2016); European categories are these clusters concorded to NACE divisions, so
they share the nodes (a US cluster without a European category is marked, not dropped).

**Links** are the pairs the U.S. Cluster Mapping portal calls related: ``related_90`` (the source's
``rel_all_90_v3``, relatedness at or above the 90th percentile of all cluster pairs). The table holds
both directions of each pair and the flag is symmetric, so each undirected link is drawn once, with
its relatedness percentile (``cr_all_pc``, 0–99) and score (``cr_all``) as the mean of both directions.

**Layout**: a force-directed (Fruchterman–Reingold) spring layout of the linked graph weighted by the
relatedness percentile ÷ 100 (``networkx.spring_layout`` from a fixed circular start with a fixed seed,
so the same table gives the same picture every time), scaled to [−1, 1]; clusters with no link above the
threshold sit on a ring around it. It is computed once per build and held per process.
"""
from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

SEED = 2014
ITERATIONS = 300
THRESHOLD_COLUMN = "related_90"
THRESHOLD_TEXT = ("links: the pairs the U.S. Cluster Mapping portal counts as related, relatedness at or above the "
                  "90th percentile of all pairs of traded clusters (Delgado, Porter & Stern 2016, rel_all_90_v3)")
EDGE_COLUMNS = ["source", "target", "percentile", "strength"]

_HELD: dict[tuple, object] = {}


def network_nodes(related: pd.DataFrame) -> list[str]:
    """The clusters of the relatedness table, sorted by id."""
    return sorted(set(related["category_id"]) | set(related["related_id"]))


def network_edges(related: pd.DataFrame) -> pd.DataFrame:
    """One row per undirected link above the threshold: source < target (ids), the mean percentile
    (0–99) and the mean relatedness score of both directions."""
    r = related[(related["category_id"] != related["related_id"]) & related[THRESHOLD_COLUMN].astype(bool)]
    r = r.assign(source=np.minimum(r["category_id"], r["related_id"]),
                 target=np.maximum(r["category_id"], r["related_id"]))
    out = r.groupby(["source", "target"], as_index=False).agg(percentile=("percentile", "mean"),
                                                               strength=("strength", "mean"))
    return out.sort_values(["source", "target"]).reset_index(drop=True)[EDGE_COLUMNS]


def spring_positions(nodes: list[str], edges: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """``category_id, x, y, linked`` of every node: the linked nodes by the seeded spring layout, scaled
    to [−1, 1] on its longer side; nodes without a link above the threshold evenly on a ring of radius
    1.25 around them (by id), so they neither crowd the graph nor vanish."""
    nodes = sorted(nodes)
    linked = sorted(set(edges["source"]) | set(edges["target"]))
    g = nx.Graph()
    g.add_nodes_from(linked)
    g.add_weighted_edges_from((s, t, p / 100.0) for s, t, p in zip(edges["source"], edges["target"],
                                                                    edges["percentile"]))
    out = {}
    if linked:
        init = {n: (np.cos(2 * np.pi * i / len(linked)), np.sin(2 * np.pi * i / len(linked)))
                for i, n in enumerate(linked)}  # a fixed start: the result does not depend on input order
        pos = nx.spring_layout(g, pos=init, weight="weight", seed=seed, iterations=ITERATIONS,
                               k=2.5 / np.sqrt(len(linked)))
        xy = np.array([pos[n] for n in linked], dtype=float)
        xy -= xy.mean(axis=0)
        xy /= np.abs(xy).max() or 1.0
        out.update({n: (float(x), float(y)) for n, (x, y) in zip(linked, xy)})
    lone = [n for n in nodes if n not in out]
    for i, n in enumerate(lone):
        angle = np.pi / 2 - 2 * np.pi * i / len(lone)
        out[n] = (1.25 * float(np.cos(angle)), 1.25 * float(np.sin(angle)))
    return pd.DataFrame({"category_id": nodes, "x": [out[n][0] for n in nodes], "y": [out[n][1] for n in nodes],
                         "linked": [n in set(linked) for n in nodes]})


def network(related: pd.DataFrame, key: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(positions, edges) of the relatedness table; held per ``key`` (the build id) when given."""
    def compute():
        edges = network_edges(related)
        return spring_positions(network_nodes(related), edges), edges

    if key is None:
        return compute()
    if key not in _HELD:
        _HELD[key] = compute()
    return _HELD[key]
