"""Custom categories and regions (``ccat`` / ``creg`` query parameters) for the pages.

Specs come from URLs (Dash Pages passes them URL-decoded); :func:`try_category` and
:func:`try_region` parse them against a dataset's store and return ``(definition, None)`` or
``(None, message)`` so a page can show the message and fall back to its default view.
:func:`custom_rows` gives the ``Store.table``-like rows of a custom category and/or region
(``analytics.serving.custom.custom_table``), cached per process. No Dash components here.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from analytics.serving import custom
from analytics.serving.store import get_store

CUSTOM = "custom"  # the picker value / path id of a custom definition


def _one(value):
    if isinstance(value, (list, tuple)):
        return value[-1] if value else None
    return value


@lru_cache(maxsize=256)
def parse_category(dataset: str, spec: str) -> custom.CustomCategory:
    return custom.parse_category(spec, get_store(dataset))


@lru_cache(maxsize=256)
def parse_region(dataset: str, spec: str) -> custom.CustomRegion:
    return custom.parse_region(spec, get_store(dataset))


def try_category(dataset: str, spec) -> tuple[custom.CustomCategory | None, str | None]:
    spec = _one(spec)
    if spec in (None, ""):
        return None, None
    try:
        return parse_category(dataset, str(spec)), None
    except custom.ValidationError as exc:
        return None, f"The custom category in the link could not be used: {exc}"


def try_region(dataset: str, spec) -> tuple[custom.CustomRegion | None, str | None]:
    spec = _one(spec)
    if spec in (None, ""):
        return None, None
    try:
        return parse_region(dataset, str(spec)), None
    except custom.ValidationError as exc:
        return None, f"The custom region in the link could not be used: {exc}"


@lru_cache(maxsize=32)
def custom_rows(dataset: str, level: str, year: int, rules: str, denominator: str, ccat: str | None = None,
                creg: str | None = None) -> pd.DataFrame:
    """Rows like ``Store.table`` for a custom category (regions of ``level``) and/or a custom region
    (callers must not modify the frame). Specs must be valid (parse them with ``try_*`` first)."""
    store = get_store(dataset)
    cc = parse_category(dataset, ccat) if ccat else None
    cr = parse_region(dataset, creg) if creg else None
    return custom.custom_table(store, level, int(year), rules, denominator, cc=cc, cr=cr)


@lru_cache(maxsize=32)
def category_growth(dataset: str, level: str, start_year: int, year: int, ccat: str) -> pd.DataFrame:
    """emp_start and cagr per region of a custom category between two years."""
    store = get_store(dataset)
    cc = parse_category(dataset, ccat)
    m = custom.category_metrics(cc, store, (level,))
    end = m[m["year"] == year].set_index("region_id")["employment"]
    start = m[m["year"] == start_year].set_index("region_id")["employment"].reindex(end.index)
    ok = (start > 0) & end.notna()
    cagr = ((end / start.where(ok)) ** (1.0 / (year - start_year)) - 1.0).where(ok)
    return pd.DataFrame({"region_id": end.index, "emp_start": start.to_numpy(), "cagr": cagr.to_numpy()})


def region_growth_table(dataset: str, creg: str, start_year: int, year: int) -> pd.DataFrame:
    """emp_start and cagr per built-in category of a custom region (``region_metrics`` for two years)."""
    store = get_store(dataset)
    cr = parse_region(dataset, creg)
    m = custom.region_metrics(cr, store, years=[start_year, year])
    end = m[m["year"] == year].set_index("category_id")["employment"]
    start = m[m["year"] == start_year].set_index("category_id")["employment"].reindex(end.index)
    ok = (start > 0) & end.notna()
    cagr = ((end / start.where(ok)) ** (1.0 / (year - start_year)) - 1.0).where(ok)
    return pd.DataFrame({"category_id": end.index, "emp_start": start.to_numpy(), "cagr": cagr.to_numpy()})


def member_employment(dataset: str, cc: custom.CustomCategory, year: int | None = None) -> tuple[pd.DataFrame, int]:
    """Member industries with their employment in the benchmark area (``year``, default the latest
    year with facts), and that year."""
    store = get_store(dataset)
    mem = custom.members(cc, store)
    f = store.facts(store.meta["benchmark_level"])
    if year is None:
        year = int(f["year"].max())
    f = f[(f["year"] == year) & f["industry"].isin(mem["industry"])]
    emp = f.groupby(f["industry"].astype(object))["employment"].sum(min_count=1)
    mem["employment"] = mem["industry"].map(emp).astype(float)
    total = mem["employment"].sum(min_count=1)
    mem["share"] = mem["employment"] / total if total and not np.isnan(total) else np.nan
    return mem, year


def member_level(dataset: str, cr: custom.CustomRegion) -> str:
    """The level most members are of (its regions are the custom region's peers for ranks)."""
    regions = get_store(dataset).regions.drop_duplicates("region_id").set_index("region_id")["level"]
    return regions[list(cr.members)].value_counts().index[0]


@lru_cache(maxsize=16)
def custom_region_indicators(dataset: str, creg: str) -> pd.DataFrame:
    """Indicator rows (region_id, level, year, total/traded/local employment) of a custom region,
    for its complete years, shaped like ``store.indicators``."""
    store = get_store(dataset)
    cr = parse_region(dataset, creg)
    _, totals, level = custom.region_facts(cr, store)
    return pd.DataFrame({"region_id": cr.region_id, "region_name": cr.name, "level": level, "year": totals["year"],
                         "total_employment": totals["total"], "traded_employment": totals["traded"],
                         "local_employment": totals["local"]})


def region_with_peers(dataset: str, creg: str, year: int, rules: str, denominator: str, start: int | None):
    """(table, indicators, level metrics) of the member level with the custom region added as one
    more region, so the profile functions (``analytics.serving.profiles``) work on it unchanged and its
    ranks say where it would rank among the level's regions."""
    store = get_store(dataset)
    cr = parse_region(dataset, creg)
    level = member_level(dataset, cr)
    base = store.table(level, year, rules, denominator, start)
    rows = custom_rows(dataset, level, year, rules, denominator, creg=creg)
    if start is not None and not rows.empty:
        rows = rows.merge(region_growth_table(dataset, creg, start, year), on="category_id", how="left")
    table = pd.concat([base, rows[[c for c in rows.columns if c in base.columns]]], ignore_index=True)
    indicators = pd.concat([store.indicators, custom_region_indicators(dataset, creg)], ignore_index=True)
    metrics = store.level_metrics(level)
    if start is not None:
        extra = custom.region_metrics(cr, store, years=[start])
        metrics = pd.concat([metrics, extra[[c for c in extra.columns if c in metrics.columns]]], ignore_index=True)
    return table, indicators, metrics, level, cr
