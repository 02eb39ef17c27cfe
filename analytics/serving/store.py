"""Data-manager façade: named, cached access to the built tables (build on first use).

The app and the CLI read everything through :class:`Store`; each table is read from parquet
once per process and kept in memory. Star ratings for a rule set and denominator are
computed on first request and cached.
"""
from __future__ import annotations

import json
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from analytics import config
from analytics.build import ensure_built
from analytics.metrics.core import growth
from analytics.metrics.stars import lq_column, rate

LEVELS = {"eu": ("nuts2", "nuts1", "country"), "us": ("state", "county", "ea", "nation")}

# What the UI needs to say about each dataset (labels, units, sources, benchmark area).
DATASETS = {
    "eu": {
        "label": "Europe",
        "levels": {"nuts2": "NUTS 2 regions", "nuts1": "NUTS 1 regions", "country": "Countries"},
        "default_level": "nuts2",
        "benchmark_area": "Europe (all NUTS 2 regions with data in the year)",
        "currency": "EUR",
        "units_label": "local units",
        "employment_unit": "persons employed",
        "industry_system": "NACE Rev. 2 division",
        "source": "Source: Eurostat, structural business statistics (sbs_r_nuts06_r2); "
                  "© EuroGeographics for the administrative boundaries.",
        "map_center": {"lat": 52.0, "lon": 12.0},
        "map_zoom": 2.6,
        "benchmark_level": "nuts2",
        "default_rules": "eco2008",
        "default_denominator": "total",
        "prosperity": {"column": "gdp_pc_pps", "label": "GDP per capita (PPS per inhabitant)"},
        "innovation": {"column": "patents_per_million", "label": "EPO patent applications per million inhabitants"},
    },
    "us": {
        "label": "United States",
        "levels": {"state": "States", "county": "Counties (38 states)", "ea": "BEA economic areas",
                   "nation": "Nation"},
        "default_level": "state",
        "benchmark_area": "United States (sum of the states; 2017–2021 without DC, which the source lacks)",
        "currency": "USD",
        "units_label": "establishments",
        "employment_unit": "employees",
        "industry_system": "NAICS 6-digit (vintage of the data year)",
        "source": "Source: U.S. Census Bureau, County Business Patterns; cluster definitions: Delgado, Porter & "
                  "Stern (2016), U.S. Cluster Mapping (clustermapping.us), Harvard Business School.",
        "map_center": {"lat": 38.5, "lon": -96.0},
        "map_zoom": 2.8,
        "benchmark_level": "state",
        "default_rules": "us-strong",
        "default_denominator": "traded",
        "prosperity": {"column": "gdp_pc_real", "label": "Real GDP per capita (chained 2012 USD)"},
        "innovation": {"column": "patents_per_10k_emp", "label": "Utility patents per 10,000 employees"},
    },
}


class Store:
    def __init__(self, build_dir: Path, dataset: str):
        self.dir = build_dir / dataset
        self.dataset = dataset
        self._stars: dict[tuple, pd.DataFrame] = {}

    def _read(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.dir / f"{name}.parquet")

    @cached_property
    def metrics(self) -> pd.DataFrame:
        return self._read("metrics")

    @cached_property
    def indicators(self) -> pd.DataFrame:
        return self._read("region_indicators")

    @cached_property
    def regions(self) -> pd.DataFrame:
        return self._read("regions")

    @cached_property
    def categories(self) -> pd.DataFrame:
        return self._read("categories")

    @cached_property
    def industries(self) -> pd.DataFrame:
        return self._read("industries")

    @cached_property
    def quality(self) -> dict:
        return json.loads((self.dir / "quality.json").read_text())

    @property
    def meta(self) -> dict:
        return DATASETS[self.dataset]

    @lru_cache(maxsize=8)
    def geometry(self, level: str) -> dict:
        """GeoJSON FeatureCollection of the level (feature ``id`` = region id)."""
        return json.loads((self.dir / f"geometry_{level}.geojson").read_text())

    @cached_property
    def related(self) -> pd.DataFrame:
        """Relatedness between categories (US 2014 table; ids are US cluster keys)."""
        return pd.read_parquet(self.dir.parent / "related.parquet")

    @cached_property
    def subclusters(self) -> pd.DataFrame | None:
        """US subclusters (category_id, sub_code, sub_name, industry, industry_name, inferred)."""
        path = self.dir / "subclusters.parquet"
        return pd.read_parquet(path) if path.exists() else None

    @lru_cache(maxsize=8)
    def facts(self, level: str) -> pd.DataFrame:
        """Industry-level facts of a level (read once, then kept in memory)."""
        f = pd.read_parquet(self.dir / f"facts_{level}.parquet")
        f["industry"] = f["industry"].astype("category")
        return f

    @cached_property
    def ea_members(self) -> pd.DataFrame:
        """US economic areas and their counties (ea, county)."""
        return self._read("ea_members")

    @cached_property
    def benchmark_categories(self) -> pd.DataFrame:
        """E(c) per category and year over the benchmark area (employment, payroll, wage_employment)."""
        return self._read("benchmark_categories")

    @cached_property
    def benchmark_totals(self) -> pd.DataFrame:
        """E per year over the benchmark area: total, traded, local."""
        return self._read("benchmark_totals")

    @property
    def levels(self) -> tuple[str, ...]:
        return LEVELS[self.dataset]

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.metrics["year"].unique())

    def level_years(self, level: str) -> list[int]:
        return sorted(int(y) for y in self.level_metrics(level)["year"].unique())

    @lru_cache(maxsize=16)
    def level_metrics(self, level: str) -> pd.DataFrame:
        """Metrics of one level (a cached slice; treat it as read-only)."""
        return self.metrics[self.metrics["level"] == level].reset_index(drop=True)

    @lru_cache(maxsize=8)
    def neighbours(self, level: str) -> pd.DataFrame:
        """Regions sharing a border (region_id, neighbour_id), both directions."""
        path = self.dir / f"neighbours_{level}.parquet"
        return pd.read_parquet(path) if path.exists() else pd.DataFrame(columns=["region_id", "neighbour_id"])

    @lru_cache(maxsize=16)
    def facts_rows(self, level: str) -> dict:
        """region_id → row positions in ``facts(level)`` (fast selection of a few regions)."""
        return self.facts(level).groupby("region_id", observed=True).indices

    def stars(self, level: str, rules: str | None = None, denominator: str | None = None) -> pd.DataFrame:
        """Star columns aligned with ``level_metrics(level)`` (computed once, then cached)."""
        rules = rules or self.meta["default_rules"]
        denominator = denominator or self.meta["default_denominator"]
        key = (level, rules, denominator)
        if key not in self._stars:
            self._stars[key] = rate(self.level_metrics(level), rules, denominator)
        return self._stars[key]

    def table(self, level: str, year: int, rules: str | None = None, denominator: str | None = None,
              start_year: int | None = None) -> pd.DataFrame:
        """Metrics of one level and year with stars (and growth since ``start_year``).

        ``rules`` and ``denominator`` default to the dataset's convention (Europe: ECO 2008
        stars, LQ over total employment; US: strong clusters, LQ over traded/local employment).
        """
        rules = rules or self.meta["default_rules"]
        denominator = denominator or self.meta["default_denominator"]
        m = self.level_metrics(level)
        s = self.stars(level, rules, denominator)
        sel = m["year"] == year
        out = m[sel].join(s[sel])
        out["lq"] = out[lq_column(denominator)]
        if start_year is not None:
            nation = None if self.dataset == "us" else (
                self.regions.drop_duplicates("region_id").set_index("region_id")["country"])
            g = growth(m, start_year, year, nation)
            out = out.merge(g.drop(columns=["emp_end"]), on=["region_id", "category_id"], how="left")
        return out


@lru_cache(maxsize=None)
def get_store(dataset: str = "eu", build_dir: str | None = None, raw: str | None = None) -> Store:
    if dataset not in LEVELS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(LEVELS)}")
    out = ensure_built(raw, build_dir)
    return Store(out, dataset)
