"""The US 2014 relatedness table (Delgado, Porter & Stern) read into the build: pairs of traded
clusters with their co-agglomeration score, its percentile and the portal's 90th-percentile flag."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

PAIRS_FILE = "us/clusters/related_clusters_2014_pairs.csv"
LIST_FILE = "us/clusters/clusters_2014_list.csv"


def build_related(raw: Path) -> pd.DataFrame:
    """category_id, related_id, related_name, strength, percentile, related_90 (no self pairs)."""
    pairs = pd.read_csv(raw / PAIRS_FILE, dtype=str)
    clusters = pd.read_csv(raw / LIST_FILE, dtype=str)
    key = clusters.set_index("cluster_code")["cluster_key"]
    name = clusters.set_index("cluster_code")["cluster_name"]
    pairs = pairs[pairs["clustera"] != pairs["clusterb"]]
    out = pd.DataFrame({
        "category_id": pairs["clustera"].map(key),
        "related_id": pairs["clusterb"].map(key),
        "related_name": pairs["clusterb"].map(name),
        "strength": pd.to_numeric(pairs["cr_all"], errors="coerce"),
        "percentile": pd.to_numeric(pairs["cr_all_pc"], errors="coerce"),
        "related_90": pd.to_numeric(pairs["rel_all_90_v3"], errors="coerce").fillna(0).astype(bool),
    })
    return out.dropna(subset=["category_id", "related_id"]).sort_values(
        ["category_id", "strength"], ascending=[True, False]).reset_index(drop=True)
