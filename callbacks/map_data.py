"""The numbers behind the map explorer: one value per region for a view, ranked, flagged, formatted.

A *view* is a valid map state (see ``layouts.map_state``). :func:`view_table` gives one row per
region of the level with the shown value (unformatted), its rank "k of n", stars and the star
criteria met, and data-quality flags; it is memoized per view (flask-caching) and built from a
per-process LRU of level-year tables (``store.table``). Pure pandas: no Dash components here.

One category: the regional cluster's metric (employment, size share, LQ, focus, stars, CAGR,
average wage). "All categories": a region-level measure per metric key —
employment → total employment; size → total employment ÷ the benchmark area's (the sum over its
``meta["benchmark_level"]`` regions that year);
lq → cluster strength (share of employment in traded clusters with LQ > 2, the chosen LQ
denominator; as ``analytics.metrics.regions.region_indicators``);
focus → traded share of employment; stars → number of clusters with ≥ 1 star (chosen rules);
growth → CAGR of total employment; wage → employment-weighted average wage over the clusters.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analytics.metrics.stars import get_rules
from analytics.serving.store import DATASETS, get_store
from callbacks.caching import cache
from layouts.map_state import ALL, CUSTOM, level_label

TABLE_COLUMNS = [
    "region_id", "region_name", "category_id", "category_name", "category_type", "employment",
    "employment_imputed", "missing_parts", "payroll", "avg_wage", "size_share", "focus", "lq", "rated",
    "stars", "star_size", "star_specialisation", "star_focus",
]
GROWTH_COLUMNS = ["emp_start", "cagr"]
CRITERIA_SHORT = {"size": "size", "specialisation": "LQ", "focus": "focus"}


@dataclass(frozen=True)
class MetricInfo:
    """How a metric is shown: column in the view table, titles with units, scale kind, format."""

    column: str  # value column in the CSV (unformatted)
    title: str  # colour-bar title with units
    hover_label: str  # label in the hover card
    unit: str  # unit after the number in the hover card ("" for none)
    scale: str  # "sequential" | "diverging" | "steps"
    fmt: str  # "int" | "pct" | "num" | "signed_pct" | "stars"
    colours: str = "viridis"  # "viridis" | "cividis"


def metric_info(dataset: str, category: str, metric: str, year: int, start_year: int | None,
                rules: str, denominator: str) -> MetricInfo:
    meta = DATASETS[dataset]
    area, currency = meta["label"], meta.get("currency", "")
    growth_span = f"{start_year}–{year}" if start_year else f"to {year}"
    lq_basis = "total employment" if denominator == "total" else "traded/local employment"
    if category == ALL:
        return {
            "employment": MetricInfo("total_employment", "Total employment (persons)", "Total employment", "persons",
                                     "sequential", "int"),
            "size": MetricInfo("employment_share", f"Share of {area} employment (%)", f"Share of {area} employment",
                               "%", "sequential", "pct"),
            "lq": MetricInfo("cluster_strength", f"Cluster strength (% of employment in clusters with LQ > 2, "
                             f"LQ on {lq_basis})", "Cluster strength", "% of employment", "sequential", "pct"),
            "focus": MetricInfo("traded_share", "Traded share of employment (%)", "Traded share", "% of employment",
                                "sequential", "pct"),
            "stars": MetricInfo("starred_clusters", f"Clusters with ≥ 1 star ({get_rules(rules).label}; count)",
                                "Starred clusters", "", "sequential", "int"),
            "growth": MetricInfo("cagr_total", f"CAGR of total employment {growth_span} (% per year)",
                                 f"Growth {growth_span}", "% per year", "diverging", "signed_pct"),
            "wage": MetricInfo("avg_wage", f"Average wage, all clusters ({currency} per person)",
                               "Average wage", f"{currency} per person", "sequential", "int"),
        }[metric]
    return {
        "employment": MetricInfo("employment", "Employment (persons)", "Employment", "persons", "sequential", "int"),
        "size": MetricInfo("size_share", f"Share of the category's {area} employment (%)", "Size share",
                           f"% of the category in {area}", "sequential", "pct"),
        "lq": MetricInfo("lq", f"Location quotient (1 = {area} average; on {lq_basis})", "Location quotient", "",
                         "sequential", "num"),
        "focus": MetricInfo("focus", "Focus (% of the region's employment)", "Focus", "% of the region's employment",
                            "sequential", "pct"),
        "stars": MetricInfo("stars", f"Stars ({get_rules(rules).label})", "Stars", "", "steps", "stars"),
        "growth": MetricInfo("cagr", f"CAGR {growth_span} (% per year)", f"Growth {growth_span}", "% per year",
                             "diverging", "signed_pct"),
        "wage": MetricInfo("avg_wage", f"Average wage ({currency} per person)", "Average wage",
                           f"{currency} per person", "sequential", "int"),
    }[metric]


# --- tables ---------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def level_year_table(dataset: str, level: str, year: int, rules: str, denominator: str,
                     start_year: int | None = None) -> pd.DataFrame:
    """All regional clusters of a level and year (stars; growth since ``start_year`` if given)."""
    t = get_store(dataset).table(level, year, rules, denominator, start_year)
    cols = TABLE_COLUMNS + (GROWTH_COLUMNS if start_year is not None else [])
    return t[[c for c in cols if c in t.columns]].reset_index(drop=True)


@lru_cache(maxsize=16)
def region_measures(dataset: str, level: str, year: int, rules: str, denominator: str) -> pd.DataFrame:
    """Region-level measures ("All categories") of a level and year, indexed by region_id."""
    store = get_store(dataset)
    t = level_year_table(dataset, level, year, rules, denominator)
    all_ind = store.indicators
    ind = all_ind[(all_ind["level"] == level) & (all_ind["year"] == year)].set_index("region_id")
    out = pd.DataFrame(index=pd.Index(t["region_id"].unique(), name="region_id"))
    total = ind["total_employment"].reindex(out.index)
    out["total_employment"] = total
    # share of the benchmark area's employment (the sum over its benchmark-level regions that year)
    bench_level = DATASETS[dataset].get("benchmark_level", level)
    bench = all_ind.loc[(all_ind["level"] == bench_level) & (all_ind["year"] == year), "total_employment"]
    out["employment_share"] = total / bench.sum(min_count=1)
    lq2 = t["employment"].where((t["lq"] > 2) & t["category_type"].eq("traded"))  # as analytics.metrics.regions
    out["cluster_strength"] = lq2.groupby(t["region_id"]).sum() / total.where(total > 0)
    out["traded_share"] = ind["traded_employment"].reindex(out.index) / total.where(total > 0)
    starred = (t["stars"].fillna(0).astype(float) >= 1) & t["rated"].astype(bool)
    out["starred_clusters"] = starred.groupby(t["region_id"]).sum().astype(float)
    has_wage = t["avg_wage"].notna() & (t["employment"] > 0)
    wage_bill = (t["avg_wage"] * t["employment"]).where(has_wage)
    out["avg_wage"] = wage_bill.groupby(t["region_id"]).sum(min_count=1) / \
        t["employment"].where(has_wage).groupby(t["region_id"]).sum(min_count=1)
    out["imputed_clusters"] = t["employment_imputed"].astype(bool).groupby(t["region_id"]).sum()
    out["incomplete_clusters"] = (t["missing_parts"] > 0).groupby(t["region_id"]).sum()
    return out


def _total_growth(dataset: str, level: str, year: int, start_year: int) -> pd.Series:
    ind = get_store(dataset).indicators
    ind = ind[ind["level"] == level]
    end = ind[ind["year"] == year].set_index("region_id")["total_employment"]
    start = ind[ind["year"] == start_year].set_index("region_id")["total_employment"]
    start = start.reindex(end.index)
    ok = (start > 0) & end.notna()
    return ((end / start.where(ok)) ** (1.0 / (year - start_year)) - 1.0).where(ok)


@lru_cache(maxsize=8)
def map_regions(dataset: str, level: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Feature ids of the level's geometry (the map's fixed order) and their names."""
    store = get_store(dataset)
    names = store.regions.drop_duplicates("region_id").set_index("region_id")["name"]
    feats = store.geometry(level)["features"]
    ids = tuple(str(f["id"]) for f in feats)
    return ids, tuple(str(names.get(i, f["properties"].get("name", i))) for i, f in zip(ids, feats))


@lru_cache(maxsize=8)
def unlinked_regions(dataset: str, level: str) -> list[str]:
    """Map regions that have no region profile (not among the store's regions with data)."""
    known = set(get_store(dataset).level_metrics(level)["region_id"].unique())
    return [r for r in map_regions(dataset, level)[0] if r not in known]


def _rank(values: pd.Series) -> tuple[pd.Series, int]:
    valid = values.dropna()
    return values.rank(ascending=False, method="min"), int(valid.size)


def _true(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and v is not pd.NA and bool(v)


def _stars_text(row: dict, criteria: tuple[str, ...], kmax: int) -> str:
    """"2/3 (size, LQ)" — the stars out of the maximum and the criteria met; "not rated" for local categories."""
    if not _true(row["rated"]) or pd.isna(row["stars"]):
        return "not rated"
    s = int(row["stars"])
    met = [CRITERIA_SHORT.get(c, c) for c in criteria if _true(row.get(f"star_{c}"))]
    return f"{s}/{kmax}" + (f" ({', '.join(met)})" if met else "")


def max_stars(rules: str) -> int:
    r = get_rules(rules)
    return int(getattr(r, "max_stars", len(r.criteria)))


def custom_level_table(dataset: str, level: str, year: int, rules: str, denominator: str, ccat: str,
                       start_year: int | None = None) -> pd.DataFrame:
    """Like :func:`level_year_table` for a custom category (``analytics.serving.custom.custom_table`` rows,
    category_id set to ``"custom"``; growth since ``start_year`` from its metrics in both years)."""
    from callbacks.custom_views import category_growth, custom_rows

    t = custom_rows(dataset, level, year, rules, denominator, ccat=ccat)
    t = t[[c for c in TABLE_COLUMNS if c in t.columns]].assign(category_id=CUSTOM)
    if start_year is not None:
        t = t.merge(category_growth(dataset, level, start_year, year, ccat), on="region_id", how="left")
    return t.reset_index(drop=True)


@lru_cache(maxsize=16)
def regions_with_totals(dataset: str, level: str, year: int) -> frozenset:
    """Regions of the level with a published total employment in the year (data, whatever the category)."""
    ind = get_store(dataset).indicators
    sel = (ind["level"] == level) & (ind["year"] == year) & ind["total_employment"].notna()
    return frozenset(ind.loc[sel, "region_id"])


NOT_PUBLISHED = {"us": "not published (fewer than 3 establishments, or none)"}


def not_published_text(dataset: str) -> str:
    return NOT_PUBLISHED.get(dataset, "not published")


@cache.memoize()
def view_table(dataset: str, level: str, category: str, metric: str, year: int, start_year: int | None,
               rules: str, denominator: str, ccat: str | None = None) -> pd.DataFrame:
    """One row per map region (geometry order): value, rank, rank_n, stars, criteria, flags.

    Columns: region_id, region_name, value, rank, rank_n, has_row (the region has data rows),
    not_published (one category: the region has data that year, but no published cell for the
    category), stars (0..k or NaN), stars_text, flags (text), plus the source columns for the CSV.
    ``category == "custom"`` maps the custom category ``ccat`` (a spec).
    """
    ids, names = map_regions(dataset, level)
    frame = pd.DataFrame({"region_id": list(ids), "region_name": list(names)})
    info = metric_info(dataset, category, metric, year, start_year, rules, denominator)
    if category == ALL:
        rm = region_measures(dataset, level, year, rules, denominator).copy()
        if metric == "growth":
            rm["cagr_total"] = _total_growth(dataset, level, year, start_year) if start_year else np.nan
        rm = rm.reset_index()
        frame = frame.merge(rm, on="region_id", how="left")
        frame["has_row"] = frame["total_employment"].notna()
        frame["value"] = frame[info.column] if info.column in frame else np.nan
        frame["stars"] = np.nan
        frame["stars_text"] = frame["starred_clusters"].map(lambda n: "" if pd.isna(n) else f"{int(n)}")
        imp, inc = frame["imputed_clusters"], frame["incomplete_clusters"]
        frame["flags"] = [
            "; ".join(([f"{int(a)} imputed"] if a and a > 0 else [])
                      + ([f"{int(b)} incomplete"] if b and b > 0 else []))
            for a, b in zip(imp.fillna(0), inc.fillna(0))
        ]
    else:
        growth = metric == "growth" and start_year is not None
        if category == CUSTOM:
            t = custom_level_table(dataset, level, year, rules, denominator, ccat, start_year if growth else None)
        else:
            t = level_year_table(dataset, level, year, rules, denominator, start_year if growth else None)
        t = t[t["category_id"] == category].drop(columns=["region_name"])
        frame = frame.merge(t, on="region_id", how="left")
        frame["has_row"] = frame["category_id"].notna()
        if info.column in frame:
            frame["value"] = pd.to_numeric(frame[info.column], errors="coerce").astype(float)
        else:
            frame["value"] = np.nan
        if metric == "stars":  # unrated (local) categories have no stars: shown as "not rated"
            frame.loc[~frame["rated"].fillna(False).astype(bool), "value"] = np.nan
        crit = get_rules(rules).criteria
        kmax = max_stars(rules)
        rows = frame[["rated", "stars", "star_size", "star_specialisation", "star_focus", "has_row"]]
        frame["stars_text"] = [_stars_text(r, crit, kmax) if r["has_row"] else "" for r in rows.to_dict("records")]
        imputed = frame["employment_imputed"].fillna(False).astype(bool)
        missing = frame["missing_parts"].fillna(0).astype(int)
        frame["flags"] = [
            "; ".join((["imputed"] if a else []) + ([f"incomplete: {b} parts missing"] if b > 0 else []))
            for a, b in zip(imputed, missing)
        ]
    if category == ALL:
        frame["not_published"] = False
    else:  # data for the region that year, but no cell for this category (suppressed or none)
        totals = regions_with_totals(dataset, level, year)
        frame["not_published"] = frame["value"].isna() & ~frame["has_row"] & frame["region_id"].isin(totals)
        frame.loc[frame["not_published"], "flags"] = not_published_text(dataset)
    rank, n = _rank(frame["value"])
    frame["rank"] = rank
    frame["rank_n"] = n
    return frame


# --- formatting -------------------------------------------------------------------------------------

def fmt_value(x, fmt: str) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "no data"
    if fmt == "int":
        return f"{x:,.0f}"
    if fmt == "num":
        return f"{x:,.2f}"
    if fmt == "pct":
        v = x * 100
        return f"{v:,.2f}" if abs(v) < 10 else f"{v:,.1f}"
    if fmt == "signed_pct":
        return f"{x * 100:+,.1f}"
    if fmt == "stars":
        return f"{int(x)} star{'s' if int(x) != 1 else ''}"
    return str(x)


def source_text(dataset: str, level: str, year: int, category: str, metric: str, start_year: int | None) -> str:
    meta = DATASETS[dataset]
    when = f"{start_year}–{year}" if metric == "growth" and start_year else str(year)
    return (f"{meta['source']} Year {when}; {level_label(dataset, level)}; benchmark area: "
            f"{meta['benchmark_area']}.")
