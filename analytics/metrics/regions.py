"""Dataset-independent metric assembly: facts per level + definitions → metrics and region indicators.

Used by the build (for the built-in categories) and, with other definitions, for custom
categories and regions, so every number goes through one code path.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.metrics.categories import Definitions
from analytics.metrics.core import add_ranks, compute_metrics
from analytics.metrics.stars import lq_column, rate


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


def rate_per_level(metrics: pd.DataFrame, rules: str, denominator: str) -> pd.DataFrame:
    """Star columns with each region level rated on its own (percentiles are within one region type)."""
    if "level" not in metrics.columns or metrics["level"].nunique() <= 1:
        return rate(metrics, rules, denominator)
    parts = [rate(part, rules, denominator) for _, part in metrics.groupby("level", sort=False)]
    return pd.concat(parts).reindex(metrics.index)


KEY = ["region_id", "level", "year"]


def region_measures(rows: pd.DataFrame, strong: pd.Series, totals: pd.DataFrame) -> pd.DataFrame:
    """Region-level measures of rated regional clusters, one row per region-year: the one definition
    the build, every page and the CLI use.

    ``rows``: rated metrics rows (region_id, level, year, category_type, employment, lq under the
    chosen denominator, stars, avg_wage, employment_imputed, missing_parts). ``strong``: the US
    "strong cluster" flag of the same rows (rules us-strong, LQ over traded/local employment).
    ``totals``: region_id, level, year, total, traded, local (E(r)).

    * ``cluster_strength`` = Σ employment of traded categories with LQ > 2 ÷ total employment
      (local categories are background, as in the European Cluster Observatory);
    * ``cluster_strength_us`` = Σ employment of strong traded clusters ÷ traded employment;
    * ``n_starred`` = regional clusters with at least one star; ``n_strong`` = strong clusters;
    * ``traded_share`` = traded ÷ total employment; ``avg_wage`` = employment-weighted average
      wage over the clusters with a wage; ``imputed_clusters`` / ``incomplete_clusters`` counts.

    Regions with totals but no cluster rows get 0 clusters and NaN strength only where the total
    is unknown or zero; regions without totals are not invented.
    """
    traded = rows["category_type"].eq("traded")
    emp = rows["employment"]
    nan = pd.Series(np.nan, index=rows.index)
    wage = rows["avg_wage"] if "avg_wage" in rows else nan
    has_wage = wage.notna() & (emp > 0)
    stars = pd.to_numeric(rows["stars"], errors="coerce")
    m = pd.DataFrame({
        "region_id": rows["region_id"], "level": rows["level"], "year": rows["year"],
        "lq2_emp": emp.where((rows["lq"] > 2) & traded),
        "strong_traded_emp": emp.where(strong.astype(bool) & traded),
        "starred": stars > 0,
        "strong": strong.astype(bool) & traded,
        "wage_bill": (wage * emp).where(has_wage),
        "wage_emp": emp.where(has_wage),
        "imputed": (rows["employment_imputed"].astype("boolean").fillna(False).astype(bool)
                    if "employment_imputed" in rows else pd.Series(False, index=rows.index)),
        "incomplete": (rows["missing_parts"] if "missing_parts" in rows else nan).fillna(0) > 0,
    })
    g = m.groupby(KEY)
    out = g[["lq2_emp", "strong_traded_emp"]].sum()
    out["n_starred"] = g["starred"].sum()
    out["n_strong"] = g["strong"].sum()
    wage = g[["wage_bill", "wage_emp"]].sum(min_count=1)
    out["avg_wage"] = wage["wage_bill"] / wage["wage_emp"]
    out["imputed_clusters"] = g["imputed"].sum()
    out["incomplete_clusters"] = g["incomplete"].sum()
    t = totals[KEY + ["total", "traded", "local"]]
    out = out.reset_index().merge(t, on=KEY, how="right")
    total = out["total"].where(out["total"] > 0)
    out["cluster_strength"] = out["lq2_emp"].fillna(0.0).where(total.notna()) / total
    out["cluster_strength_us"] = out["strong_traded_emp"].fillna(0.0).where(out["traded"] > 0) / \
        out["traded"].where(out["traded"] > 0)
    out["traded_share"] = out["traded"] / total
    for col in ("n_starred", "n_strong", "imputed_clusters", "incomplete_clusters"):
        out[col] = out[col].fillna(0).astype(int)
    out = out.drop(columns=["lq2_emp", "strong_traded_emp"]).rename(columns={
        "total": "total_employment", "traded": "traded_employment", "local": "local_employment"})
    return out


def region_indicators(metrics: pd.DataFrame, totals: pd.DataFrame, rules: str = "eco2008",
                      denominator: str = "total") -> pd.DataFrame:
    """Per region-year (every level): :func:`region_measures` under a rule set and LQ denominator
    (each region level rated on its own, as percentiles are within one region type)."""
    stars = rate_per_level(metrics, rules, denominator)
    us = rate_per_level(metrics, "us-strong", "traded")
    rows = metrics.assign(lq=metrics[lq_column(denominator)], stars=stars["stars"])
    return region_measures(rows, us["strong"], totals)
