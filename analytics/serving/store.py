"""Data-manager façade over the build: named tables, read once per process and held in memory.

The app and the CLI read everything through :class:`Store` (``get_store(dataset)``). The build
step precomputes the metrics; the store only loads them (lazily, on first use of each table) and
selects: :meth:`Store.table` gives one level and year with star ratings under a rule set and LQ
denominator (and growth since a start year). Tables are never evicted: this is the data the app
serves, not a cache. Derived results are memoized in :mod:`analytics.serving.cache`.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analytics import config
from analytics.build import require_build, stars_file
from analytics.metrics import colocation
from analytics.metrics.growth import growth
from analytics.metrics.stars import get_rules, lq_column

LEVELS = {"eu": ("nuts2", "nuts1", "country"), "us": ("state", "county", "ea", "nation")}
EU_DERIVED = colocation.SET_NAME  # the European data under the categories the build derives from co-location
LEVELS[EU_DERIVED] = LEVELS["eu"]

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


DATASETS[EU_DERIVED] = {
    **DATASETS["eu"],
    "label": "Europe, European co-location categories",
    "base": "eu",
    "source": DATASETS["eu"]["source"] + " Categories: derived from European co-location by this build.",
}


DATASETS = {k: DATASETS[k] for k in ("eu", EU_DERIVED, "us")}
BASE_DATASETS = tuple(k for k, m in DATASETS.items() if "base" not in m)  # the data sources: eu, us


def base_of(dataset: str) -> str:
    """The built-in dataset whose regions, industries and geography ``dataset`` has: itself, or ``eu``
    for the European data under derived categories. Other keys (uploads) are returned as given."""
    meta = DATASETS.get(dataset) if isinstance(dataset, str) else None
    return meta.get("base", dataset) if meta else dataset


class Store:
    """One dataset's built tables. Attribute access loads a table on first use (:meth:`_held`).

    A dataset with a ``base`` (``eu-colocation``) holds only the tables that depend on its definitions;
    the others (facts, regions, geometry, neighbours, context, quality) are read from the base's folder
    (:meth:`path`)."""

    def __init__(self, build_dir: Path, dataset: str):
        self.dir = build_dir / dataset
        self.dataset = dataset
        self.base = base_of(dataset)
        self._tables: dict[tuple, object] = {}

    def path(self, name: str) -> Path:
        """The build file ``name`` of this dataset: its own, else its base dataset's."""
        own = self.dir / name
        return own if own.exists() or self.base == self.dataset else self.dir.parent / self.base / name

    def _held(self, key: tuple, load: Callable[[], object]):
        """The table ``key``: loaded once by ``load``, then held for the life of the process."""
        if key not in self._tables:
            self._tables[key] = load()
        return self._tables[key]

    def _read(self, name: str) -> pd.DataFrame:
        return self._held((name,), lambda: pd.read_parquet(self.path(f"{name}.parquet")))

    # -- tables of the build ---------------------------------------------------------------
    @property
    def metrics(self) -> pd.DataFrame:
        """Region × category × year metrics of every level (read-only)."""
        return self._read("metrics")

    @property
    def indicators(self) -> pd.DataFrame:
        """Per region-year: E(r) totals, GDP, population, patents (and the dataset-default
        cluster measures of ``analytics.metrics.regions.region_indicators``)."""
        return self._read("region_indicators")

    @property
    def context(self) -> pd.DataFrame:
        """The region profile's context indicators, long: region_id, level, indicator, year, value
        (every year of their sources; no row for a missing value). Empty when the build has none."""
        path = self.path("region_context.parquet")
        empty = pd.DataFrame({"region_id": [], "level": [], "indicator": [], "year": [], "value": []})
        return self._held(("region_context",), lambda: pd.read_parquet(path) if path.exists() else empty)

    @property
    def regions(self) -> pd.DataFrame:
        return self._read("regions")

    @property
    def categories(self) -> pd.DataFrame:
        return self._read("categories")

    @property
    def industries(self) -> pd.DataFrame:
        return self._read("industries")

    @property
    def ea_members(self) -> pd.DataFrame:
        """US economic areas and their counties (ea, county)."""
        return self._read("ea_members")

    @property
    def benchmark_categories(self) -> pd.DataFrame:
        """E(c) per category and year over the benchmark area (employment, payroll, wage_employment)."""
        return self._read("benchmark_categories")

    @property
    def benchmark_totals(self) -> pd.DataFrame:
        """E per year over the benchmark area: total, traded, local."""
        return self._read("benchmark_totals")

    @property
    def quality(self) -> dict:
        return self._held(("quality",), lambda: json.loads(self.path("quality.json").read_text()))

    @property
    def related(self) -> pd.DataFrame:
        """Relatedness between categories (US 2014 table; ids are US cluster keys)."""
        return self._held(("related",), lambda: pd.read_parquet(
            self.dir / "related.parquet" if (self.dir / "related.parquet").exists() else self.dir.parent / "related.parquet"))

    @property
    def subclusters(self) -> pd.DataFrame | None:
        """US subclusters (category_id, sub_code, sub_name, industry, industry_name, inferred)."""
        path = self.path("subclusters.parquet")
        return self._held(("subclusters",), lambda: pd.read_parquet(path) if path.exists() else None)

    @property
    def meta(self) -> dict:
        return DATASETS[self.dataset]

    @property
    def levels(self) -> tuple[str, ...]:
        return LEVELS[self.dataset]

    def geometry(self, level: str) -> dict:
        """GeoJSON FeatureCollection of the level (feature ``id`` = region id)."""
        return self._held(("geometry", level),
                          lambda: json.loads(self.path(f"geometry_{level}.geojson").read_text()))

    def has_geometry(self, level: str) -> bool:
        return self.path(f"geometry_{level}.geojson").exists()

    def facts(self, level: str) -> pd.DataFrame:
        """Industry-level facts of a level (for custom categories and regions)."""
        def load():
            f = pd.read_parquet(self.path(f"facts_{level}.parquet"))
            f["industry"] = f["industry"].astype("category")
            return f
        return self._held(("facts", level), load)

    def facts_rows(self, level: str) -> dict:
        """region_id → row positions in ``facts(level)`` (fast selection of a few regions)."""
        return self._held(("facts_rows", level),
                          lambda: self.facts(level).groupby("region_id", observed=True).indices)

    def neighbours(self, level: str) -> pd.DataFrame:
        """Regions sharing a border (region_id, neighbour_id), both directions."""
        path = self.path(f"neighbours_{level}.parquet")
        return self._held(("neighbours", level), lambda: pd.read_parquet(path) if path.exists()
                          else pd.DataFrame(columns=["region_id", "neighbour_id"]))

    def level_metrics(self, level: str) -> pd.DataFrame:
        """Metrics of one level (read-only)."""
        return self._held(("level_metrics", level),
                          lambda: self.metrics[self.metrics["level"] == level].reset_index(drop=True))

    def stars(self, level: str, rules: str, denominator: str) -> pd.DataFrame:
        """Star columns of every regional cluster of the level under a rule set and LQ denominator,
        row for row with ``level_metrics(level)`` (rated by the build)."""
        def load():
            s = pd.read_parquet(self.path(stars_file(rules, denominator)))
            return s[(self.metrics["level"] == level).to_numpy()].reset_index(drop=True)
        lq_column(denominator)  # an unknown denominator is refused, as rating would
        get_rules(rules)
        return self._held(("stars", level, rules, denominator), load)

    def level_year_rows(self, level: str) -> dict:
        """year → row positions in ``level_metrics(level)``."""
        return self._held(("level_year_rows", level), lambda: self.level_metrics(level).groupby("year").indices)

    # -- what the data cover -----------------------------------------------------------------
    @property
    def years(self) -> list[int]:
        return self._held(("years",), lambda: sorted(int(y) for y in self.metrics["year"].unique()))

    def level_years(self, level: str) -> list[int]:
        return self._held(("level_years", level), lambda: sorted(int(y) for y in self.level_year_rows(level)))

    @property
    def map_levels(self) -> tuple[str, ...]:
        """Levels worth a map: with geometry and more than one region with data."""
        return self._held(("map_levels",), lambda: tuple(
            lv for lv in self.levels
            if self.has_geometry(lv) and self.level_metrics(lv)["region_id"].nunique() > 1))

    @property
    def region_names(self) -> pd.Series:
        return self._held(("region_names",), lambda: self.regions.drop_duplicates("region_id")
                          .set_index("region_id")["name"])

    @property
    def region_levels(self) -> pd.Series:
        return self._held(("region_levels",), lambda: self.regions.drop_duplicates("region_id")
                          .set_index("region_id")["level"])

    @property
    def category_names(self) -> dict[str, str]:
        return self._held(("category_names",), lambda: dict(zip(self.categories["category_id"],
                                                                 self.categories["category_name"])))

    def map_regions(self, level: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Feature ids of the level's geometry (the map's fixed order) and their names."""
        def load():
            feats = self.geometry(level)["features"]
            ids = tuple(str(f["id"]) for f in feats)
            names = self.region_names
            return ids, tuple(str(names.get(i, f["properties"].get("name", i))) for i, f in zip(ids, feats))
        return self._held(("map_regions", level), load)

    def level_regions(self, level: str, year: int) -> tuple[tuple[str, str], ...]:
        """(region_id, name) of the level's regions with total employment in ``year``, by id."""
        def load():
            ind = self.indicators
            have = ind.loc[(ind["level"] == level) & (ind["year"] == year) & ind["total_employment"].notna(),
                           "region_id"]
            names = self.region_names
            return tuple((rid, str(names.get(rid, rid))) for rid in sorted(set(have)))
        return self._held(("level_regions", level, int(year)), load)

    def nation_of(self) -> pd.Series | None:
        """The nation of each region for the expected-growth benchmark (Europe: its country; US: one)."""
        if self.base == "us":
            return None
        return self._held(("nation_of",), lambda: self.regions.drop_duplicates("region_id")
                          .set_index("region_id")["country"])

    # -- selection ---------------------------------------------------------------------------
    def rules_and_denominator(self, rules: str | None, denominator: str | None) -> tuple[str, str]:
        """The dataset's convention where not given (Europe: ECO 2008 stars, LQ over total
        employment; US: strong clusters, LQ over traded/local employment)."""
        return rules or self.meta["default_rules"], denominator or self.meta["default_denominator"]

    def year_metrics(self, level: str, year: int) -> pd.DataFrame:
        """Metrics of one level and year (a copy)."""
        rows = self.level_year_rows(level).get(int(year))
        m = self.level_metrics(level)
        return m.iloc[rows].reset_index(drop=True) if rows is not None else m.iloc[0:0].copy()

    def table(self, level: str, year: int, rules: str | None = None, denominator: str | None = None,
              start_year: int | None = None) -> pd.DataFrame:
        """Metrics of one level and year with stars (and growth since ``start_year``).

        The stars are the build's (``stars``), selected for the year.
        """
        rules, denominator = self.rules_and_denominator(rules, denominator)
        out = self.year_metrics(level, year)
        rows = self.level_year_rows(level).get(int(year))
        s = self.stars(level, rules, denominator)
        s = s.iloc[rows].reset_index(drop=True) if rows is not None else s.iloc[0:0].reset_index(drop=True)
        out = out.join(s)
        out["lq"] = out[lq_column(denominator)]
        if start_year is not None:
            both = pd.concat([self.year_metrics(level, start_year), out[self.metrics.columns]], ignore_index=True)
            g = growth(both, start_year, year, self.nation_of())
            out = out.merge(g.drop(columns=["emp_end"]), on=["region_id", "category_id"], how="left")
        return out


_STORES: dict[tuple, Store] = {}
_SOURCES: dict[str, tuple[Callable[[str], Store | None], str]] = {}


def register_source(prefix: str, find: Callable[[str], Store | None], what: str) -> None:
    """Datasets held outside the build, found by key: ``get_store(key)`` of a key starting with
    ``prefix`` is ``find(key)`` (None: unknown or expired). ``analytics.upload`` registers its
    uploads (``upload-…``) when imported, so this module never imports it."""
    _SOURCES[prefix] = (find, what)


def get_store(dataset: str = "eu", build_dir: str | None = None, raw: str | None = None) -> Store:
    """The store of ``dataset`` (one per dataset and build folder in a process); a key of a
    registered source (:func:`register_source`: an ``upload-…`` key) gives that dataset."""
    if isinstance(dataset, str):
        for prefix, (find, what) in _SOURCES.items():
            if dataset.startswith(prefix):
                found = find(dataset)
                if found is None:
                    raise ValueError(f"unknown or expired {what}")
                return found
    if dataset not in LEVELS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(LEVELS)}")
    key = (dataset, build_dir, raw)
    if key not in _STORES:
        out = require_build(build_dir)  # never builds: `make build` / `python -m analytics build` does
        _STORES[key] = Store(out, dataset)
    return _STORES[key]


def build_id() -> str:
    """A short id of the build in use (its manifest's fingerprint), for cache keys."""
    if "build_id" not in _BUILD:
        import hashlib

        manifest = config.build_dir() / "manifest.json"
        text = manifest.read_text() if manifest.exists() else "no-build"
        _BUILD["build_id"] = hashlib.sha256(text.encode()).hexdigest()[:12]
    return _BUILD["build_id"]


_BUILD: dict[str, str] = {}


def serving_status() -> str:
    """The build this process serves, checked once at start (``analytics.build.build_status``):
    ``"ok"`` or ``"stale"`` (raw files or build code changed since: the last good build is served
    and the methodology page says so); ``"missing"`` before a build exists."""
    if "status" not in _BUILD:
        from analytics.build import build_status

        _BUILD["status"] = build_status()
    return _BUILD["status"]


def preload() -> None:
    """Read the tables every page uses before the server forks its workers, so their memory is
    shared (copy-on-write) instead of read again by each worker."""
    for key in available_datasets():
        store = get_store(key)
        _ = store.metrics, store.regions, store.categories, store.indicators, store.industries
        for level in store.levels:
            store.level_metrics(level)
            if store.has_geometry(level):
                store.geometry(level)


def available_datasets(bases_only: bool = False) -> tuple[str, ...]:
    """Datasets whose build is present with at least one map level (``bases_only``: not the European
    data under derived categories, for pages about the sources themselves)."""
    out = []
    for key in BASE_DATASETS if bases_only else DATASETS:
        try:
            store = get_store(key)
        except (ValueError, FileNotFoundError):
            continue
        if (store.dir / "metrics.parquet").exists() and store.map_levels:
            out.append(key)
    return tuple(out)
