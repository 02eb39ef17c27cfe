"""Cluster metrics for region × category × year, exactly as METHODOLOGY.md §2 defines them.

Everything is computed from an industry-level *facts* table, so built-in and custom
categories (and custom regions) go through the same code and ratios are never averaged:

facts: ``region_id, industry, year, employment, employment_imputed, payroll, units``
    (one region level; ``payroll`` in currency units, ``units`` = local units or
    establishments; NaN = missing, never zero).
category_map: ``industry, category_id`` (an industry in at most one category).
categories: ``category_id, category_name, category_type`` (traded | local).
totals: ``region_id, year, total, traded, local`` — the region's employment over all
    industries of the dataset (the LQ/focus denominators E(r)).
benchmark: ``year, category_id, employment, payroll`` and ``year, total, traded, local`` for
    the benchmark area (Europe or the US) — E(c) and E.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

KEY = ["region_id", "category_id", "year"]


def category_facts(facts: pd.DataFrame, category_map: pd.DataFrame) -> pd.DataFrame:
    """Sum member industries into categories: employment, payroll, units and flags."""
    merged = facts.merge(category_map[["industry", "category_id"]], on="industry", how="inner")
    merged["emp_missing"] = merged["employment"].isna().astype(int)
    if "missing_children" in merged.columns:
        merged["emp_missing"] += merged["missing_children"].fillna(0).astype(int)
    merged["pay_for_wage"] = merged["payroll"].where(merged["employment"].notna())
    merged["emp_with_pay"] = merged["employment"].where(merged["payroll"].notna())
    merged["employment_imputed"] = merged["employment_imputed"].astype(bool)
    grouped = merged.groupby(KEY, sort=False)
    out = grouped[["employment", "payroll", "units", "pay_for_wage", "emp_with_pay"]].sum(min_count=1)
    out = out.rename(columns={"pay_for_wage": "wage_payroll", "emp_with_pay": "wage_employment"})
    out["employment_imputed"] = grouped["employment_imputed"].max()
    out["missing_parts"] = grouped["emp_missing"].sum()
    out = out.reset_index()
    return out


def compute_metrics(
    facts: pd.DataFrame,
    category_map: pd.DataFrame,
    categories: pd.DataFrame,
    totals: pd.DataFrame,
    bench_categories: pd.DataFrame,
    bench_totals: pd.DataFrame,
) -> pd.DataFrame:
    """Metrics of every region × category × year present in ``facts``.

    Columns: employment, employment_imputed, missing_parts, units, payroll, avg_wage,
    rel_wage, size_share, focus, lq_total, lq_type (LQ over traded employment for traded
    categories and local for local ones), plus category_name/category_type.
    """
    cf = category_facts(facts, category_map)
    cf = cf.merge(categories[["category_id", "category_name", "category_type"]], on="category_id", how="left")
    cf = cf.merge(totals, on=["region_id", "year"], how="left")
    bc = bench_categories.rename(columns={"employment": "bench_employment", "payroll": "bench_payroll",
                                          "wage_employment": "bench_wage_employment"})
    cf = cf.merge(bc, on=["category_id", "year"], how="left")
    bt = bench_totals.rename(columns={"total": "bench_total", "traded": "bench_traded", "local": "bench_local"})
    cf = cf.merge(bt, on="year", how="left")

    emp = cf["employment"]
    cf["avg_wage"] = cf["wage_payroll"] / cf["wage_employment"].where(cf["wage_employment"] > 0)
    bench_wage = cf["bench_payroll"] / cf["bench_wage_employment"].where(cf["bench_wage_employment"] > 0)
    cf["rel_wage"] = cf["avg_wage"] / bench_wage
    cf["size_share"] = emp / cf["bench_employment"].where(cf["bench_employment"] > 0)
    cf["focus"] = emp / cf["total"].where(cf["total"] > 0)
    bench_share = cf["bench_employment"] / cf["bench_total"]
    cf["lq_total"] = cf["focus"] / bench_share.where(bench_share > 0)
    is_traded = cf["category_type"].eq("traded")
    type_total = np.where(is_traded, cf["traded"], cf["local"])
    bench_type = np.where(is_traded, cf["bench_traded"], cf["bench_local"])
    type_total = pd.Series(type_total, index=cf.index, dtype=float)
    bench_type = pd.Series(bench_type, index=cf.index, dtype=float)
    cf["lq_type"] = (emp / type_total.where(type_total > 0)) / (
        cf["bench_employment"] / bench_type.where(bench_type > 0)
    )
    # ratios to 12 significant digits: the same category summed in another order (a custom copy,
    # a custom region) gives the same ratio to the last bit, so thresholds such as LQ ≥ 1 and
    # percentile ranks never flip on float noise
    for col in ("rel_wage", "size_share", "focus", "lq_total", "lq_type"):
        cf[col] = _significant(cf[col].to_numpy(dtype=float), 12)
    keep = [
        "region_id", "year", "category_id", "category_name", "category_type", "employment",
        "employment_imputed", "missing_parts", "units", "payroll", "avg_wage", "rel_wage",
        "size_share", "focus", "lq_total", "lq_type",
    ]
    return cf[keep]


def _significant(x: np.ndarray, digits: int) -> np.ndarray:
    """``x`` rounded to ``digits`` significant digits (NaN, inf and 0 unchanged)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = np.isfinite(x) & (x != 0)
        scale = np.where(ok, 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(np.where(ok, x, 1.0))))), 1.0)
        return np.where(ok, np.round(x * scale) / scale, x)


def add_ranks(metrics: pd.DataFrame, cols: tuple[str, ...] = ("employment", "lq_total", "lq_type", "size_share", "focus")) -> pd.DataFrame:
    """Rank (1 = highest) within category and year, with the count of ranked regions."""
    out = metrics.copy()
    g = out.groupby(["category_id", "year"], sort=False)
    for col in cols:
        out[f"{col}_rank"] = g[col].rank(ascending=False, method="min")
    out["rank_n"] = g["employment"].transform("count")
    return out


def rank_with_count(values: pd.Series) -> tuple[pd.Series, int]:
    """Rank of each value (1 = highest, ties share the best rank) among the non-missing values,
    and how many there are ("12th of 241"); missing values get no rank."""
    v = pd.to_numeric(values, errors="coerce")
    return v.rank(ascending=False, method="min"), int(v.notna().sum())


def would_rank(value: float, others: pd.Series) -> int | None:
    """The rank ``value`` would take among ``others`` (1 + how many are strictly higher)."""
    if value is None or pd.isna(value):
        return None
    o = pd.to_numeric(others, errors="coerce").dropna()
    return int((o > value).sum()) + 1
