"""The analysts' queries shared by the CLI (``python -m analytics metrics|regions|related|organisations
list|partners``) and the open API (``/api/v1/...``, :mod:`web.api`): each checks its parameters
against the data and returns the table the command prints, so both give the same rows and
numbers (no Dash, no Flask).

A bad parameter raises :class:`QueryError` naming it: ``param`` is the parameter's name (``year``,
``start_year`` …) and the message spells it as the caller does (``name``: ``--start-year`` for the
CLI, :func:`cli_name`; ``start_year`` for the API). Notes a command prints on stderr (a growth
window across a series break …) go to ``note`` as they arise.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from analytics.serving.formats import csv_safe
from analytics.serving.store import base_of

METRIC_COLUMNS = [
    "region_id", "region_name", "level", "year", "category_id", "category_name", "category_type", "cluster_type",
    "employment", "employment_imputed", "missing_parts", "local_units", "establishments", "payroll", "avg_wage", "rel_wage",
    "size_share", "lq", "focus", "employment_rank", "lq_rank", "rank_n", "stars", "star_size",
    "star_specialisation", "star_focus",
]
GROWTH_COLUMNS = ["start_year", "emp_start", "cagr", "abs_change", "expected_change", "job_creation_vs_expected"]
REGION_COLUMNS = [
    "region_id", "region_name", "level", "year", "total_employment", "traded_employment", "local_employment",
    "cluster_strength", "cluster_strength_rank", "cluster_strength_us", "n_starred", "n_strong", "traded_share",
    "employment_share", "avg_wage",
]
REGION_GROWTH_COLUMNS = ["start_year", "total_growth", "traded_growth"]
ORGANISATION_COLUMNS = [
    "id", "dataset", "name", "country", "city", "region_id", "region_name", "locate_status", "categories", "ecosystem",
    "ecosystem_name", "type", "lat", "lon", "locate_method", "source", "source_updated",
]
PARTNER_COLUMNS = ["id", "name", "country", "region_id", "category", "score", "reason"]
REGION_LIST_COLUMNS = ["region_id", "region_name", "level", "country", "parent_id", "state"]
CATEGORY_LIST_COLUMNS = ["category_id", "category_name", "category_type", "short_name", "cluster_code"]


class QueryError(ValueError):
    """A parameter the data cannot answer; ``param`` names it (None: the combination)."""

    def __init__(self, param: str | None, message: str):
        super().__init__(message)
        self.param = param


Name = Callable[[str], str]
Note = Callable[[str], None]


def cli_name(param: str) -> str:
    """``start_year`` → ``--start-year`` (how the CLI spells a parameter)."""
    return "--" + param.replace("_", "-")


def _ignore(_note: str) -> None:
    pass


@dataclass
class Table:
    """A query's answer: the rows (columns in print order), the effective query (defaults filled
    in), the source line and how the CLI writes its floats."""

    frame: pd.DataFrame
    query: dict = field(default_factory=dict)
    source: str = ""
    float_format: str | None = "%.10g"
    notes: list[str] = field(default_factory=list)

    def to_csv(self, out=None):
        """The CSV the CLI prints (formula cells neutralised); a string when ``out`` is None."""
        return csv_safe(self.frame).to_csv(out, index=False, float_format=self.float_format)


def spans(years: list[int]) -> str:
    """2000–2011, 2017–2021 style list of year ranges."""
    out, start = [], years[0]
    for a, b in zip(years, years[1:] + [None]):
        if b != a + 1:
            out.append(f"{start}–{a}" if a != start else str(a))
            start = b
    return ", ".join(out)


def level_year(store, level, year, start_year, rules, denominator, name: Name = cli_name,
               note: Note = _ignore) -> tuple[str, str, str]:
    """Check level, year and start_year against the data; fill the dataset's defaults:
    (level, rules, denominator). A growth window across a series break gives a note."""
    if level is None:
        level = store.meta["default_level"]
    if level not in store.levels:
        raise QueryError("level", f"{name('level')} {level!r}: {store.dataset} has levels {', '.join(store.levels)}")
    rules = rules or store.meta["default_rules"]
    denominator = denominator or store.meta["default_denominator"]
    years = store.level_years(level)
    for param, value in (("year", year), ("start_year", start_year)):
        if value is not None and value not in years:
            raise QueryError(param, f"{name(param)} {value}: {store.dataset} {level} has data for {spans(years)}")
    if start_year is not None and start_year >= year:
        raise QueryError("start_year", f"{name('start_year')} {start_year} must be before {name('year')} {year}")
    if start_year is not None:
        from analytics.metrics.growth import window_note

        text = window_note(store.dataset, start_year, year)
        if text:
            note(text)
    return level, rules, denominator


def metrics(store, year: int, level: str | None = None, start_year: int | None = None, rules: str | None = None,
            denominator: str | None = None, category: str | None = None, region: str | None = None,
            name: Name = cli_name, note: Note = _ignore) -> Table:
    """``metrics``: regional clusters of a level and year (one category: ``category``, a built-in id
    or a custom spec; a custom region's portfolio: ``region``)."""
    from analytics.serving import views
    from analytics.serving.custom import ValidationError

    level, rules, denominator = level_year(store, level, year, start_year, rules, denominator, name, note)
    try:
        cc = views.parse_category(store.dataset, category) if category and "=" in category else None
    except ValidationError as exc:
        raise QueryError("category", str(exc)) from None
    try:
        cr = views.parse_region(store.dataset, region) if region else None
    except ValidationError as exc:
        raise QueryError("region", str(exc)) from None
    if cc is not None and cc.industries and start_year is not None:
        from analytics.metrics.growth import industry_note

        text = industry_note(store.dataset, start_year, year)
        if text:  # a category of industry codes: growth only within one classification vintage
            note(text)
    table = views.level_table(store.dataset, level, year, rules, denominator, start_year,
                              (cc.spec(),) if cc else (), cr.spec() if cr else None).copy()
    if cr is not None:
        table = table[table["region_id"] == cr.region_id]
    if cc is not None:
        table = table[table["category_id"] == cc.category_id]
    if (cc or cr) and table.empty:
        raise QueryError("region" if cr else "category", f"no data for {cr.name if cr else cc.name} in {year}")
    if category and cc is None:
        if category not in set(store.categories["category_id"]):
            raise QueryError("category", f"{name('category')} {category!r}: unknown; see the category_id column of "
                                         "the output")
        table = table[table["category_id"] == category]
    query = {"dataset": store.dataset, "level": level, "year": year, "start_year": start_year, "rules": rules,
             "denominator": denominator, "category": category, "region": region}
    return Table(metric_columns(table, store.dataset, denominator, start_year), query, store.meta["source"])


def metric_columns(table: pd.DataFrame, dataset: str, denominator: str, start_year) -> pd.DataFrame:
    """The metrics table in the CLI's columns (built-in datasets and uploads alike)."""
    table["cluster_type"] = table["category_type"]
    dataset = base_of(dataset)
    if dataset == "eu":
        table = table.drop(columns=["payroll"])  # wages and salaries: shown as avg_wage
    table = table.rename(columns={"units": "local_units" if dataset == "eu" else "establishments",
                                  "lq_total_rank" if denominator == "total" else "lq_type_rank": "lq_rank"})
    cols = [c for c in METRIC_COLUMNS if c in table.columns]
    if start_year is not None:
        cols += GROWTH_COLUMNS
    return table[cols]


def indicators(store, year: int, level: str | None = None, start_year: int | None = None, rules: str | None = None,
               denominator: str | None = None, region: str | None = None, name: Name = cli_name,
               note: Note = _ignore) -> Table:
    """``regions``: region indicators of a level and year (``region``: a custom region added,
    ranked where it would rank)."""
    from analytics.serving import views
    from analytics.serving.custom import ValidationError

    level, rules, denominator = level_year(store, level, year, start_year, rules, denominator, name, note)
    creg = None
    if region:
        try:
            creg = views.parse_region(store.dataset, region).spec()
        except ValidationError as exc:
            raise QueryError("region", str(exc)) from None
    ind = views.region_indicators(store.dataset, level, year, rules, denominator, start_year, creg)
    cols = [c for c in REGION_COLUMNS if c in ind.columns]
    cols += [c for c in (views.prosperity_column(store.dataset), views.innovation_column(store.dataset), "population")
             if c and c in ind.columns]
    if start_year is not None:
        cols += REGION_GROWTH_COLUMNS
    query = {"dataset": store.dataset, "level": level, "year": year, "start_year": start_year, "rules": rules,
             "denominator": denominator, "region": region}
    return Table(ind.sort_values("region_id")[cols], query, store.meta["source"])


def related(store, category: str | None = None, region: str | None = None, level: str | None = None,
            year: int | None = None, name: Name = cli_name) -> Table:
    """``related``: the related categories of a category, or of a region's starred categories."""
    from analytics.metrics.related import diversification, related_categories

    available = set(store.categories["category_id"])
    if bool(category) == bool(region):
        raise QueryError(None, f"give exactly one of {name('category')} or {name('region')}")
    query = {"dataset": store.dataset, "category": category, "region": region}
    if category:
        if category not in available:
            raise QueryError("category", f"{name('category')} {category!r}: unknown in {store.dataset}")
        out = related_categories(store.related, category, available, top=51)
    else:
        level = level or store.meta["default_level"]
        if level not in store.levels:
            raise QueryError("level", f"{name('level')} {level!r}: {store.dataset} has levels "
                                      f"{', '.join(store.levels)}")
        year = year or store.level_years(level)[-1]
        table = store.table(level, year)
        mine = table[table["region_id"] == region]
        if mine.empty:
            raise QueryError("region", f"{name('region')} {region!r}: no {level} data in {year}")
        strong = set(mine.loc[mine["stars"].fillna(0) > 0, "category_id"])
        out = diversification(store.related, mine, strong, top=51)
        query.update(level=level, year=year)
    return Table(out, query, store.meta["source"])


def organisations(dataset: str | None = None, country: str | None = None, region: str | None = None,
                  category: str | None = None, name: Name = cli_name) -> Table:
    """``organisations list``: the published organisations (the imported seed and approved
    profiles), filtered as the directory filters; a filter value that matches no organisation at
    all is an error."""
    from analytics.serving import organisations as orgs
    from analytics.sources.organisations import ISO_TO_NUTS

    df = orgs.frame()
    if dataset:
        df = df[df["dataset"] == dataset]
    code = prefix = None
    if country:
        code = country.strip().upper()
        code = {v: k for k, v in ISO_TO_NUTS.items()}.get(code, code)
        if code not in set(df["country"]):
            raise QueryError("country", f"{name('country')} {country!r}: no organisations; countries: "
                                        f"{', '.join(sorted(set(df['country'])))}")
    if region:
        prefix = region.strip().upper()
        if not prefix or not df["region_id"].fillna("").str.startswith(prefix).any():
            raise QueryError("region", f"{name('region')} {region!r}: no organisation is located in it (NUTS 2021 ids "
                                       "such as DE21 or a prefix such as DE2; US organisations have no region in the "
                                       "source)")
    if category and not df["categories"].str.split(";").map(lambda cs: category in cs).any():
        raise QueryError("category", f"{name('category')} {category!r}: no organisation has this category "
                                     "(category ids as in the metrics output, e.g. automotive)")
    df = orgs.directory(dataset=dataset, country=code, region=prefix, category=category)
    df = df.sort_values(["dataset", "country", "name"], key=lambda s: s.str.casefold())
    query = {"dataset": dataset, "country": country, "region": region, "category": category}
    source = " ".join(orgs.SOURCES[d] for d in ((dataset,) if dataset else ("eu", "us")) if d in orgs.SOURCES)
    return Table(df[ORGANISATION_COLUMNS], query, source, float_format="%.6f")


def partners(org: str | None = None, dataset: str = "eu", region: str | None = None, category: str | None = None,
             side: str | None = None, country: str | None = None, include_home: bool = False, limit: int = 20,
             name: Name = cli_name) -> Table:
    """``partners``: the partner search of /partners, from an organisation or a region × category."""
    from analytics.serving import organisations as orgs
    from analytics.serving.store import get_store

    if limit is not None and not 1 <= limit <= 1000:
        raise QueryError("limit", f"{name('limit')}: a number from 1 to 1000")
    if org:
        try:
            orgs.get(org)
        except orgs.UnknownOrganisation as exc:
            raise QueryError("org", f"{name('org')} {org!r}: {exc}") from None
    else:
        if not category:
            raise QueryError("category", f"give {name('org')} ID, or {name('category')} (with {name('region')}) to "
                                         "search from")
        store = get_store(dataset)
        if category not in set(store.categories["category_id"]):
            raise QueryError("category", f"{name('category')} {category!r}: not a category id of the {dataset} data "
                                         "(see `python -m analytics metrics`)")
        if region and region not in set(store.regions["region_id"]):
            raise QueryError("region", f"{name('region')} {region!r}: not a region id of the {dataset} data")
    countries = tuple(c.strip().upper() for c in (country or "").split(",") if c.strip())
    df = orgs.partners(org_id=org, dataset=dataset, region_id=region, category_id=category, side=side,
                       countries=countries, include_same_country=include_home, limit=limit)
    out = df.rename(columns={"category_id": "category"})
    query = {"org": org, "dataset": dataset, "region": region, "category": category, "side": side,
             "country": country, "include_home": include_home, "limit": limit}
    source = " ".join(orgs.SOURCES.values())
    return Table(out[PARTNER_COLUMNS + ["category_name", "dataset", "region_name"]], query, source)


def region_list(store, level: str | None = None, name: Name = cli_name) -> Table:
    """The regions of a dataset (of one level): id, name, level, country, parent (US: state)."""
    if level is not None and level not in store.levels:
        raise QueryError("level", f"{name('level')} {level!r}: {store.dataset} has levels {', '.join(store.levels)}")
    df = store.regions.drop_duplicates("region_id").rename(columns={"name": "region_name"})
    if level is not None:
        df = df[df["level"] == level]
    cols = [c for c in REGION_LIST_COLUMNS if c in df.columns]
    return Table(df.sort_values(["level", "region_id"])[cols], {"dataset": store.dataset, "level": level},
                 store.meta["source"])


def category_list(store) -> Table:
    """The categories of a dataset: id, name, type (traded/local), short name (US: cluster code)."""
    df = store.categories
    cols = [c for c in CATEGORY_LIST_COLUMNS if c in df.columns]
    return Table(df.sort_values("category_id")[cols], {"dataset": store.dataset}, store.meta["source"])


def region_indicators(store, region_id: str, year: int | None = None, start_year: int | None = None,
                      rules: str | None = None, denominator: str | None = None, name: Name = cli_name) -> Table:
    """One region's row of ``regions`` at its own level (``year`` default: the level's latest)."""
    levels = store.region_levels
    if region_id not in levels.index:
        raise QueryError("region_id", f"{name('region_id')} {region_id!r}: not a region id of the {store.dataset} data")
    level = levels[region_id]
    if year is None:
        year = store.level_years(level)[-1]
    t = indicators(store, year, level, start_year, rules, denominator, name=name)
    t.frame = t.frame[t.frame["region_id"] == region_id]
    if t.frame.empty:
        raise QueryError("year", f"{name('year')} {year}: no {level} data for {region_id} in {year}")
    t.query = {"dataset": store.dataset, "region_id": region_id, **{k: v for k, v in t.query.items()
                                                                    if k not in ("dataset", "region")}}
    return t
