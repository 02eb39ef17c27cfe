"""Related clusters (US 2014 relatedness, Delgado–Porter–Stern) and diversification opportunities.

The relatedness table covers the 51 traded US benchmark clusters. Category ids of both
datasets are US cluster keys (European categories are derived from the US clusters), so
the same table serves both. ``strength`` is the co-agglomeration/relatedness score
``cr_all``, ``percentile`` its percentile ``cr_all_pc``; ``related_90`` marks pairs above the
90th-percentile threshold the US portal used for its "related clusters" lists.
"""
from __future__ import annotations

import pandas as pd


def related_categories(related: pd.DataFrame, category_id: str, available: set[str] | None = None,
                       top: int = 8) -> pd.DataFrame:
    """The category's related categories, strongest first (only those in ``available``)."""
    r = related[related["category_id"] == category_id]
    if available is not None:
        r = r[r["related_id"].isin(available)]
    return r.head(top).reset_index(drop=True)


def diversification(related: pd.DataFrame, region_metrics: pd.DataFrame, strong_ids: set[str],
                    top: int = 10) -> pd.DataFrame:
    """For a region: categories related to its strong ones that are not strong themselves.

    ``region_metrics``: the region's rows (category_id, category_name, lq, employment) for
    one year. ``density`` = sum of relatedness percentiles to the region's strong categories
    divided by the number of strong categories (relatedness density, 0–100).
    """
    if not strong_ids:
        return pd.DataFrame(columns=["category_id", "category_name", "density", "related_to", "lq", "employment"])
    r = related[related["category_id"].isin(strong_ids) & ~related["related_id"].isin(strong_ids)]
    r = r[r["related_90"] | (r["percentile"] >= 90)]
    g = r.groupby("related_id")
    out = pd.DataFrame({
        "density": g["percentile"].sum() / len(strong_ids),
        "related_to": g["category_id"].agg(lambda s: ", ".join(sorted(s))),
    }).reset_index().rename(columns={"related_id": "category_id"})
    out = out.merge(region_metrics[["category_id", "category_name", "lq", "employment"]], on="category_id", how="inner")
    return out.sort_values("density", ascending=False).head(top).reset_index(drop=True)
