"""Map explorer state: the pickers' options, defaults and validation, and the URL query.

A *state* is a dict with the query parameters ``PARAMS`` (dataset, level, category, metric,
year, start_year, rules, denominator). :func:`resolve` checks each value against the store and
falls back to a default — with a note saying what it changed — for anything it cannot use, so a
mistyped link still opens a map. Everything is dataset-generic: datasets, levels, years and
labels come from ``analytics.serving.store`` (``DATASETS``, ``store.meta``, ``store.levels``).
Pure Python (no Dash), shared by the layout, the callbacks, the tests and the benchmark.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from analytics.metrics.stars import RULE_SETS, get_rules
from analytics.serving.store import DATASETS, LEVELS, get_store

PARAMS = ("dataset", "level", "category", "metric", "year", "start_year", "rules", "denominator")
EXTRA = ("ccat",)  # a custom category spec (with category=custom), see callbacks/custom_views.py
ALL = "all"
CUSTOM = "custom"
DENOMINATORS = {
    "total": "Total employment of the region (ECO)",
    "traded": "Traded or local employment (US portal)",
}


@dataclass(frozen=True)
class Metric:
    key: str
    label: str  # picker label for one category
    all_label: str  # picker label for "All categories" (a region-level measure)


METRICS = {m.key: m for m in (
    Metric("employment", "Employment", "Total employment"),
    Metric("size", "Size (share of the category)", "Share of the benchmark area's employment"),
    Metric("lq", "Specialisation (location quotient)", "Cluster strength (employment in clusters with LQ > 2)"),
    Metric("focus", "Focus (share of the region's employment)", "Traded share of employment"),
    Metric("stars", "Stars", "Starred clusters (count)"),
    Metric("growth", "Growth (CAGR of employment)", "Growth of total employment (CAGR)"),
    Metric("wage", "Average wage", "Average wage (all clusters)"),
)}


@lru_cache(maxsize=None)
def available_datasets() -> tuple[str, ...]:
    """Datasets of ``DATASETS`` whose build is present (metrics and at least one map level)."""
    out = []
    for key in DATASETS:
        if key not in LEVELS:
            continue
        try:
            store = get_store(key)
            if (store.dir / "metrics.parquet").exists() and map_levels(key):
                out.append(key)
        except Exception:  # a dataset that does not build is simply not offered  # noqa: BLE001
            continue
    return tuple(out)


@lru_cache(maxsize=None)
def map_levels(dataset: str) -> tuple[str, ...]:
    """Levels worth a map: with geometry and more than one region with data."""
    store = get_store(dataset)
    out = []
    for level in store.levels:
        if not (store.dir / f"geometry_{level}.geojson").exists():
            continue
        if store.level_metrics(level)["region_id"].nunique() > 1:
            out.append(level)
    return tuple(out)


@lru_cache(maxsize=None)
def level_years(dataset: str, level: str) -> tuple[int, ...]:
    return tuple(sorted(int(y) for y in get_store(dataset).level_metrics(level)["year"].unique()))


def default_start(years: tuple[int, ...], year: int) -> int | None:
    """About five years before ``year`` (the latest year ≤ year − 4), else the earliest one before it."""
    before = [y for y in years if y < year]
    if not before:
        return None
    near = [y for y in before if y <= year - 4]
    return near[-1] if near else before[0]


def level_label(dataset: str, level: str) -> str:
    return DATASETS[dataset]["levels"].get(level, level)


def category_names(dataset: str) -> dict[str, str]:
    cats = get_store(dataset).categories
    return dict(zip(cats["category_id"], cats["category_name"]))


# --- options for the pickers ------------------------------------------------------------------

def dataset_options() -> list[dict]:
    return [{"label": DATASETS[k]["label"], "value": k} for k in available_datasets()]


def level_options(dataset: str) -> list[dict]:
    return [{"label": level_label(dataset, lv), "value": lv} for lv in map_levels(dataset)]


def category_options(dataset: str, ccat: str | None = None) -> list[dict]:
    """The categories of the dataset; a valid custom category spec adds the option "custom"."""
    cats = get_store(dataset).categories.sort_values(["category_type", "category_name"], ascending=[False, True])
    opts = [{"label": "All categories (region totals)", "value": ALL}]
    if ccat:
        from callbacks.custom_views import try_category

        cc, _problem = try_category(dataset, ccat)
        if cc is not None:
            opts.append({"label": f"{cc.name} (custom)", "value": CUSTOM})
    for row in cats.itertuples():
        suffix = " (local)" if row.category_type == "local" else ""
        opts.append({"label": f"{row.category_name}{suffix}", "value": row.category_id})
    return opts


def metric_options(category: str) -> list[dict]:
    return [{"label": m.all_label if category == ALL else m.label, "value": m.key} for m in METRICS.values()]


def year_options(dataset: str, level: str) -> list[dict]:
    return [{"label": str(y), "value": str(y)} for y in level_years(dataset, level)]


def start_year_options(dataset: str, level: str, year: int) -> list[dict]:
    return [{"label": str(y), "value": str(y)} for y in level_years(dataset, level) if y < year]


def rules_options() -> list[dict]:
    return [{"label": r.label, "value": key} for key, r in RULE_SETS.items()]


def denominator_options() -> list[dict]:
    return [{"label": label, "value": key} for key, label in DENOMINATORS.items()]


# --- validation ----------------------------------------------------------------------------------

def _one(value):
    """Query values may repeat (``?year=1&year=2`` → a list): the last one counts."""
    if isinstance(value, (list, tuple)):
        return value[-1] if value else None
    return value


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def resolve(query: dict | None) -> tuple[dict, list[str]]:
    """A valid state from query values (strings or None), and notes on every value replaced."""
    q = {k: _one(v) for k, v in (query or {}).items()}
    q = {k: (None if v in (None, "") else str(v)) for k, v in q.items()}
    notes: list[str] = []
    unknown = sorted(set(q) - set(PARAMS) - set(EXTRA))
    if unknown:
        notes.append("Ignored unknown setting(s): " + ", ".join(f"{k}={q[k]}" for k in unknown) + ".")

    datasets = available_datasets()
    if not datasets:
        raise RuntimeError("no dataset with a map is built")
    dataset = q.get("dataset")
    if dataset not in datasets:
        fallback = datasets[0]
        if dataset is not None:
            names = ", ".join(f"{k} ({DATASETS[k]['label']})" for k in datasets)
            notes.append(f'Unknown dataset "{dataset}": showing {DATASETS[fallback]["label"]}. Available: {names}.')
        dataset = fallback
    meta = DATASETS[dataset]

    levels = map_levels(dataset)
    level = q.get("level")
    if level not in levels:
        fallback = meta.get("default_level") if meta.get("default_level") in levels else levels[0]
        if level is not None:
            notes.append(f'Unknown region level "{level}" for {meta["label"]}: showing '
                         f'{level_label(dataset, fallback)}. Available: {", ".join(levels)}.')
        level = fallback

    category = q.get("category")
    names = category_names(dataset)
    ccat = None
    if q.get("ccat") is not None:
        from callbacks.custom_views import try_category

        cc, problem = try_category(dataset, q["ccat"])
        if problem:
            notes.append(problem)
        else:
            ccat = cc.spec()
            if category in (None, CUSTOM):
                category = CUSTOM
    if category == CUSTOM and ccat is not None:
        pass
    elif category != ALL and category not in names:
        if category is not None:
            notes.append(f'Unknown cluster category "{category}": showing all categories.')
        category = ALL

    metric = q.get("metric")
    if metric not in METRICS:
        if metric is not None:
            notes.append(f'Unknown metric "{metric}": showing employment. Available: {", ".join(METRICS)}.')
        metric = "employment"

    years = level_years(dataset, level)
    year = _int(q.get("year"))
    if year not in years:
        if q.get("year") is not None:
            notes.append(f'No data for year "{q["year"]}" at {level_label(dataset, level)}: showing {years[-1]} '
                         f"(data: {years[0]}–{years[-1]}).")
        year = years[-1]

    start_default = default_start(years, year)
    start_year = _int(q.get("start_year"))
    if q.get("start_year") is not None and (start_year not in years or start_year >= year):
        shown = f"showing {start_default}" if start_default is not None else "no earlier year to compare with"
        notes.append(f'Start year "{q["start_year"]}" is not a year with data before {year}: {shown}.')
        start_year = None
    if start_year is None:
        start_year = start_default
    if metric == "growth" and start_year is None:
        notes.append(f"Growth needs a start year before {year}; pick a later year.")

    rules = q.get("rules")
    if rules not in RULE_SETS:
        fallback = meta.get("default_rules", "eco2008")
        if rules is not None:
            notes.append(f'Unknown star rule set "{rules}": showing {get_rules(fallback).label}. '
                         f'Available: {", ".join(RULE_SETS)}.')
        rules = fallback

    denominator = q.get("denominator")
    if denominator not in DENOMINATORS:
        fallback = meta.get("default_denominator", "total")
        if denominator is not None:
            notes.append(f'Unknown LQ denominator "{denominator}": showing "{fallback}". '
                         f'Available: {", ".join(DENOMINATORS)}.')
        denominator = fallback

    state = {"dataset": dataset, "level": level, "category": category, "metric": metric, "year": year,
             "start_year": start_year, "rules": rules, "denominator": denominator}
    if category == CUSTOM:
        state["ccat"] = ccat
    return state, notes


def to_query(state: dict) -> str:
    """The canonical query string (``?dataset=…``); start_year only for growth.

    ``assets/map_url.js`` builds the same string in the browser; keep the order in step.
    """
    pairs = [(k, state[k]) for k in PARAMS
             if state.get(k) is not None and (k != "start_year" or state.get("metric") == "growth")]
    if state.get("category") == CUSTOM and state.get("ccat"):
        pairs.append(("ccat", state["ccat"]))
    return "?" + urlencode([(k, str(v)) for k, v in pairs])


def region_href(state: dict, region_id: str) -> str:
    """The region profile of ``region_id`` with the map's year, rules and denominator."""
    keys = ["year", "rules", "denominator"] + (["start_year"] if state.get("metric") == "growth" else [])
    query = urlencode([(k, str(state[k])) for k in keys if state.get(k) is not None])
    return f"/region/{state['dataset']}/{region_id}?{query}"
