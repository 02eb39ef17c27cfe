"""Dataset-independent metric assembly: facts per level + definitions → metrics and region indicators.

Used by the build (for the built-in categories) and, with other definitions, for custom
categories and regions, so every number goes through one code path.
"""
from __future__ import annotations

import pandas as pd

from analytics.metrics.categories import Definitions
from analytics.metrics.core import add_ranks, compute_metrics
from analytics.metrics.stars import rate


def region_totals(facts: pd.DataFrame, defs: Definitions, totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """E(r): employment over all industries, traded and local industries, per region-year.

    ``totals`` may give an external ``total`` (e.g. the US all-industries row); traded and
    local are always sums of the member industries.
    """
    types = defs.type_of_industry()
    f = facts[["region_id", "year", "industry", "employment"]].copy()
    f["type"] = f["industry"].map(types).fillna("none")
    by_type = f.pivot_table(index=["region_id", "year"], columns="type", values="employment",
                            aggfunc=lambda s: s.sum(min_count=1))
    out = pd.DataFrame(index=by_type.index)
    out["traded"] = by_type.get("traded")
    out["local"] = by_type.get("local")
    out["total"] = f.groupby(["region_id", "year"])["employment"].sum(min_count=1)
    out = out.reset_index()
    if totals is not None:
        out = out.drop(columns=["total"]).merge(totals[["region_id", "year", "total"]], on=["region_id", "year"], how="left")
    return out


def benchmark(bench_facts: pd.DataFrame, defs: Definitions, bench_totals: pd.DataFrame | None = None):
    """E(c) and E over the benchmark area (all regions of ``bench_facts`` summed per year)."""
    f = bench_facts.merge(defs.industry_map, on="industry", how="inner")
    f["wage_employment"] = f["employment"].where(f["payroll"].notna())
    f["payroll"] = f["payroll"].where(f["employment"].notna())
    bc = f.groupby(["category_id", "year"])[["employment", "payroll", "wage_employment"]].sum(min_count=1).reset_index()
    rt = region_totals(bench_facts, defs, bench_totals)
    bt = rt.groupby("year")[["total", "traded", "local"]].sum(min_count=1).reset_index()
    return bc, bt


def level_metrics(facts: pd.DataFrame, defs: Definitions, bc: pd.DataFrame, bt: pd.DataFrame,
                  regions: pd.DataFrame, level: str, totals: pd.DataFrame | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Metrics with ranks for one region level (joined with region names), and E(r) totals."""
    rt = region_totals(facts, defs, totals)
    m = compute_metrics(facts, defs.industry_map, defs.categories, rt, bc, bt)
    m = add_ranks(m)
    m.insert(1, "level", level)
    names = regions.drop_duplicates("region_id").set_index("region_id")["name"]
    m.insert(1, "region_name", m["region_id"].map(names))
    m = m.sort_values(["year", "region_id", "category_id"]).reset_index(drop=True)
    rt.insert(1, "level", level)
    return m, rt


def _rate_per_level(metrics: pd.DataFrame, rules: str, denominator: str) -> pd.DataFrame:
    """Star columns with each region level rated on its own (percentiles are within one region type)."""
    if "level" not in metrics.columns or metrics["level"].nunique() <= 1:
        return rate(metrics, rules, denominator)
    parts = [rate(part, rules, denominator) for _, part in metrics.groupby("level", sort=False)]
    return pd.concat(parts).reindex(metrics.index)


def region_indicators(metrics: pd.DataFrame, totals: pd.DataFrame, rules: str = "eco2008",
                      denominator: str = "total") -> pd.DataFrame:
    """Per region-year: E(r), cluster strength (both variants), starred and strong counts, ranks.

    ``cluster_strength``: share of the region's employment in traded categories with LQ > 2
    (local categories are background, as in the European Cluster Observatory).
    ``cluster_strength_us``: employment in strong traded clusters ÷ traded employment.
    """
    stars = _rate_per_level(metrics, rules, denominator)
    us = _rate_per_level(metrics, "us-strong", "traded")
    lq = metrics["lq_total"] if denominator == "total" else metrics["lq_type"]
    traded = metrics["category_type"] == "traded"
    m = pd.DataFrame({
        "region_id": metrics["region_id"], "level": metrics["level"], "year": metrics["year"],
        "lq2_emp": metrics["employment"].where((lq > 2) & traded),
        "strong_traded_emp": metrics["employment"].where(us["strong"].astype(bool) & traded),
        "starred": stars["stars"] > 0,
        "strong": us["strong"].astype(bool),
    })
    g = m.groupby(["region_id", "level", "year"])
    out = g[["lq2_emp", "strong_traded_emp"]].sum()
    out["n_starred"] = g["starred"].sum()
    out["n_strong"] = g["strong"].sum()
    out = out.reset_index().merge(totals, on=["region_id", "level", "year"], how="right")
    out["cluster_strength"] = out["lq2_emp"] / out["total"].where(out["total"] > 0)
    out["cluster_strength_us"] = out["strong_traded_emp"] / out["traded"].where(out["traded"] > 0)
    out = out.drop(columns=["lq2_emp", "strong_traded_emp"]).rename(columns={"total": "total_employment",
                                                                            "traded": "traded_employment",
                                                                            "local": "local_employment"})
    return out
