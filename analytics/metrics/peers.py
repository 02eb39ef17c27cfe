"""Peer regions for benchmarking, on a stated basis (METHODOLOGY.md §4).

Bases: ``structure`` (cosine similarity of category employment shares), ``size`` (closest
total employment, by log ratio), ``prosperity`` (closest GDP per capita, by log ratio),
``strong`` (most starred/strong categories in common), ``neighbours`` (shared border).
Peers are regions of the focal region's level with data in the year. A custom region is
compared with regions of its members' level (its members excluded).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

BASES = {
    "structure": "similar economic structure (cosine similarity of category employment shares)",
    "size": "similar size (total employment)",
    "prosperity": "similar prosperity (GDP per capita)",
    "strong": "the same strong clusters",
    "neighbours": "neighbours sharing a border",
}


def shares_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """Region × category matrix of employment shares (focus) from a metrics table of one year."""
    return table.pivot_table(index="region_id", columns="category_id", values="focus", aggfunc="first").fillna(0.0)


def suggest(basis: str, focal_id: str, level_table: pd.DataFrame, indicators: pd.DataFrame,
            focal_table: pd.DataFrame | None = None, neighbours: pd.DataFrame | None = None,
            exclude: set[str] | None = None, n: int = 8, prosperity_col: str = "gdp_pc_pps",
            members: set[str] | None = None) -> pd.DataFrame:
    """Top ``n`` peers: region_id, score (higher = closer), basis_value (what the score means).

    ``level_table``: metrics + stars of the level and year (Store.table). ``indicators``:
    region indicators of that level and year. ``focal_table``: the focal region's rows when it
    is not in ``level_table`` (a custom region); ``members``: its member regions (their borders are
    the custom region's, for the neighbours basis).
    """
    if basis not in BASES:
        raise ValueError(f"unknown peer basis {basis!r}; choose one of {', '.join(BASES)}")
    exclude = set(exclude or ()) | {focal_id}
    focal = focal_table if focal_table is not None else level_table[level_table["region_id"] == focal_id]
    if focal.empty:
        return pd.DataFrame(columns=["region_id", "score", "basis_value"])
    others = level_table[~level_table["region_id"].isin(exclude)]
    if basis == "structure":
        mat = shares_matrix(others)
        vec = shares_matrix(focal).reindex(columns=mat.columns, fill_value=0.0).iloc[0].to_numpy()
        norms = np.linalg.norm(mat.to_numpy(), axis=1) * np.linalg.norm(vec)
        sim = np.where(norms > 0, mat.to_numpy() @ vec / np.where(norms > 0, norms, 1), np.nan)
        out = pd.DataFrame({"region_id": mat.index, "score": sim, "basis_value": sim})
    elif basis in ("size", "prosperity"):
        col = "total_employment" if basis == "size" else prosperity_col
        ind = indicators.set_index("region_id")[col]
        focal_value = _focal_indicator(focal, indicators, col, focal_id)
        cand = ind[ind.index.isin(set(others["region_id"]))].dropna()
        if focal_value is None or not np.isfinite(focal_value) or focal_value <= 0:
            return pd.DataFrame(columns=["region_id", "score", "basis_value"])
        dist = np.abs(np.log(cand.where(cand > 0) / focal_value))
        out = pd.DataFrame({"region_id": cand.index, "score": -dist.to_numpy(), "basis_value": cand.to_numpy()})
    elif basis == "strong":
        mine = set(focal.loc[focal["stars"].fillna(0) > 0, "category_id"])
        starred = others[others["stars"].fillna(0) > 0]
        shared = starred[starred["category_id"].isin(mine)].groupby("region_id")["category_id"].agg(
            ["size", lambda s: ", ".join(sorted(s))])
        shared.columns = ["score", "basis_value"]
        out = shared.reset_index()
    else:  # neighbours
        if neighbours is None:
            return pd.DataFrame(columns=["region_id", "score", "basis_value"])
        ids = set(members) if members else {focal_id}
        nb = neighbours[neighbours["region_id"].isin(ids) & ~neighbours["neighbour_id"].isin(ids | exclude)]
        nb = nb[nb["neighbour_id"].isin(set(others["region_id"]))]
        out = pd.DataFrame({"region_id": nb["neighbour_id"].unique()})
        out["score"], out["basis_value"] = 1.0, "shares a border"
    out = out.dropna(subset=["score"]).sort_values(["score", "region_id"], ascending=[False, True]).head(n)
    return out.reset_index(drop=True)


def _focal_indicator(focal: pd.DataFrame, indicators: pd.DataFrame, col: str, focal_id: str):
    if col in focal.columns and focal[col].notna().any():
        return float(focal[col].dropna().iloc[0])
    row = indicators[indicators["region_id"] == focal_id]
    return float(row[col].iloc[0]) if len(row) and pd.notna(row[col].iloc[0]) else None


def scorecard(table: pd.DataFrame, region_ids: list[str], categories: list[str] | None = None) -> pd.DataFrame:
    """Ranks within the peer group (1 = highest) of employment, LQ and growth per category."""
    t = table[table["region_id"].isin(region_ids)]
    if categories:
        t = t[t["category_id"].isin(categories)]
    cols = [c for c in ("employment", "lq", "cagr") if c in t.columns]
    out = t[["region_id", "region_name", "category_id", "category_name", *cols]].copy()
    for c in cols:
        out[f"{c}_peer_rank"] = out.groupby("category_id")[c].rank(ascending=False, method="min")
    out["peer_n"] = out.groupby("category_id")["region_id"].transform("size")
    return out.reset_index(drop=True)
