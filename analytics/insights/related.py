"""Relatedness density: how close a category is to what a region is already specialised in.

The diversification method of the Atlas of Economic Complexity and the US Cluster Mapping portal,
on the US 2014 relatedness table (``related.parquet``: one row per ordered pair of traded
categories, ``percentile`` 0–99 of the co-agglomeration score ``cr_all``):

    density(r, c) = Σ_{c' ≠ c} φ(c, c') · 1[LQ(r, c') ≥ t]  ÷  Σ_{c' ≠ c} φ(c, c')

with φ(c, c') = percentile(c, c') / 100 (the score itself can be negative, its percentile cannot),
t the LQ threshold, and c' running over the categories that have a relatedness row with c *and* a
known LQ in the region (a category whose LQ is unknown is left out of both sums, not counted as not
specialised). Density is a share 0–1: 1 means every related category of c is specialised in r.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

DENSITY_COLUMNS = ["category_id", "category_name", "density", "lq", "employment", "n_related"]


def relatedness_density(related: pd.DataFrame, region_metrics: pd.DataFrame, lq_threshold: float = 1.0,
                        weight: str = "percentile") -> pd.DataFrame:
    """Per category of ``region_metrics`` that has relatedness rows: density, lq, employment.

    ``related``: category_id, related_id and the ``weight`` column (``percentile`` 0–100, divided by 100;
    ``strength`` is used as given). ``region_metrics``: one region's rows for one year (category_id, lq,
    employment; category_name optional). ``n_related``: the c' that entered the denominator. Categories
    without relatedness rows (local ones) are not returned; density is NaN where no c' has a known LQ.
    Sorted by density (highest first), then category id.
    """
    if weight not in related.columns:
        raise ValueError(f"weight {weight!r}: not a column of the relatedness table")
    rm = region_metrics.drop_duplicates("category_id").set_index("category_id")
    lq = pd.to_numeric(rm["lq"], errors="coerce")
    r = related[["category_id", "related_id", weight]].copy()
    r = r[(r["category_id"] != r["related_id"]) & r["category_id"].isin(rm.index)]
    r["phi"] = r[weight].astype(float) / (100.0 if weight == "percentile" else 1.0)
    r["lq_other"] = r["related_id"].map(lq)
    r = r[r["lq_other"].notna() & r["phi"].notna()]
    r["hit"] = r["phi"] * (r["lq_other"] >= lq_threshold)
    g = r.groupby("category_id")
    den = g["phi"].sum()
    out = pd.DataFrame({"num": g["hit"].sum(), "den": den, "n_related": g.size()})
    out["density"] = (out["num"] / out["den"].where(out["den"] != 0)).astype(float)
    cats = sorted(set(related["category_id"]) & set(rm.index))
    out = out.reindex(cats)
    out["n_related"] = out["n_related"].fillna(0).astype(int)
    out["lq"] = lq.reindex(cats)
    out["employment"] = pd.to_numeric(rm["employment"], errors="coerce").reindex(cats)
    names = rm["category_name"] if "category_name" in rm.columns else pd.Series(np.nan, index=rm.index)
    out["category_name"] = names.reindex(cats)
    out = out.rename_axis("category_id").reset_index()
    out = out.sort_values(["density", "category_id"], ascending=[False, True], na_position="last", kind="stable")
    return out[DENSITY_COLUMNS].reset_index(drop=True)
