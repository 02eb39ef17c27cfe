"""Cluster organisations as the pages, the CLI and the API see them (no Dash).

The published organisations come from the content database (:mod:`analytics.content`: the
imported seed plus moderated profiles); when that database cannot be read, from the build's seed
table, so browsing never breaks. The frame is held in the process per content version, so a
moderator's approval shows on the next request in every worker. Joined to the statistics here:
the regional cluster numbers of an organisation, the organisations of a region or category, the
per-region counts of the map layer, and the partner search (:mod:`analytics.serving.partners`).
"""
from __future__ import annotations

import logging

import pandas as pd

from analytics.serving import partners as partner_rules
from analytics.serving.formats import fmt_int, fmt_num, fmt_stars
from analytics.serving.store import available_datasets, base_of, build_id, get_store

log = logging.getLogger(__name__)

SEED_COLUMNS = ["id", "dataset", "name", "country", "city", "region_id", "region_name", "locate_status",
                "locate_method", "lat", "lon", "ecosystem", "ecosystem_name", "categories", "type", "website",
                "description", "source", "source_updated"]
STRENGTH_LEVEL = {"eu": "nuts2", "us": "state"}
ISO_TO_NUTS = {"GR": "EL"}  # ECCP uses ISO 3166 (GR); Eurostat's NUTS codes use EL for Greece
SOURCES = {"eu": "Source: European Cluster Collaboration Platform (clustercollaboration.eu); regions located by "
                 "the Observatory (GeoNames gazetteer, NUTS 2021).",
           "us": "Source: U.S. Cluster Mapping Project (clustermapping.us), cluster organisations and their clusters."}

_HELD: dict[str, object] = {}


class UnknownOrganisation(LookupError):
    """No published organisation with that id."""


# ---------------------------------------------------------------------------- the published frame

def content_version() -> str:
    """A cheap stamp that changes whenever published content changes ('' without a database)."""
    try:
        from analytics.content.organisations import content_version as db_version
    except ImportError:
        return ""
    try:
        return str(db_version())
    except Exception as exc:  # noqa: BLE001 - an unreachable database must not break browsing
        log.warning("content database not readable (%s); serving the seed organisations", type(exc).__name__)
        return "seed"


def frame() -> pd.DataFrame:
    """Every published organisation (seed columns; ``categories`` ';'-joined ids)."""
    key = f"{build_id()}:{content_version()}"
    if _HELD.get("key") != key:
        _HELD["frame"] = _normalise(_load())
        _HELD["key"] = key
    return _HELD["frame"].copy(deep=False)


def _load() -> pd.DataFrame:
    try:
        from analytics.content.organisations import published_organisations
        return published_organisations()
    except Exception as exc:  # noqa: BLE001
        log.warning("content database not readable (%s); serving the seed organisations", type(exc).__name__)
    return seed()


def seed() -> pd.DataFrame:
    """The build's seed table (located and categorised, before any user content)."""
    from analytics.build import require_build
    from analytics.sources.organisations import load_seed

    return load_seed(require_build())


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in SEED_COLUMNS:
        if c not in df.columns:
            df[c] = None
    df["categories"] = df["categories"].fillna("").astype(str)
    for c in ("region_id", "region_name", "ecosystem", "ecosystem_name", "website", "description", "city", "type"):
        df[c] = df[c].astype(object).where(df[c].notna() & (df[c].astype(str) != ""), None)
    df["nuts_country"] = df["country"].map(lambda c: ISO_TO_NUTS.get(c, c))
    return df.sort_values("name", key=lambda s: s.str.casefold()).reset_index(drop=True)


def get(org_id: str) -> dict:
    df = frame()
    row = df[df["id"] == org_id]
    if row.empty:
        raise UnknownOrganisation(f"No published organisation with id “{org_id}”.")
    return row.iloc[0].to_dict()


# ---------------------------------------------------------------------------- names and strengths

def category_names() -> dict[str, str]:
    """Category id → name over every available dataset (the ids are shared)."""
    out: dict[str, str] = {}
    for d in available_datasets():
        out.update(get_store(d).category_names)
    return out


def strengths() -> pd.DataFrame:
    """dataset, region_id, category_id, lq, stars, employment, year: the regional cluster numbers an
    organisation is matched with (latest year; NUTS 2 for Europe, states for the US; each
    dataset's default star rules and denominator)."""
    key = f"strengths:{build_id()}"
    if key not in _HELD:
        parts = []
        for d in available_datasets():
            store = get_store(d)
            level = STRENGTH_LEVEL.get(d)
            if level not in store.levels:
                continue
            year = store.level_years(level)[-1]
            t = store.table(level, year)
            parts.append(t[["region_id", "category_id", "lq", "stars", "employment"]].assign(dataset=d, year=year))
        _HELD[key] = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=["dataset", "region_id", "category_id", "lq", "stars", "employment", "year"])
    return _HELD[key]


# ---------------------------------------------------------------------------- selections

def directory(dataset: str | None = None, country: str | None = None, region: str | None = None,
              category: str | None = None, ecosystem: str | None = None, type_: str | None = None,
              text: str | None = None, located: str | None = None) -> pd.DataFrame:
    """The directory filtered; ``region`` matches a region and everything inside it (DE1 → DE11…);
    ``located``: 'yes' / 'no'; ``text`` is searched in name, city, region and description."""
    df = frame()
    if dataset:
        df = df[df["dataset"] == base_of(dataset)]
    if country:
        df = df[df["country"] == country]
    if region:
        df = df[df["region_id"].fillna("").str.startswith(region)]
    if category:
        df = df[df["categories"].str.split(";").map(lambda cs: category in cs)]
    if ecosystem:
        df = df[df["ecosystem"] == ecosystem]
    if type_:
        df = df[df["type"] == type_]
    if located == "yes":
        df = df[df["region_id"].notna()]
    elif located == "no":
        df = df[df["region_id"].isna()]
    if text:
        t = text.casefold()
        hay = (df["name"].fillna("") + " " + df["city"].fillna("") + " " + df["region_name"].fillna("") + " "
               + df["description"].fillna("")).str.casefold()
        df = df[hay.str.contains(t, regex=False)]
    return df.reset_index(drop=True)


def region_organisations(dataset: str, region_id: str) -> pd.DataFrame:
    """Organisations located in a region or inside it (a country or NUTS 1 region takes its NUTS 2
    regions; the US nation takes every state). US organisations are located to states at most,
    so a county or economic area lists none."""
    dataset = base_of(dataset)
    df = frame()
    df = df[df["dataset"] == dataset]
    if dataset == "us" and region_id == "US":
        return df[df["region_id"].notna()].reset_index(drop=True)
    return df[df["region_id"].fillna("").str.startswith(region_id)].reset_index(drop=True)


def category_organisations(dataset: str, category_id: str) -> pd.DataFrame:
    """Organisations of a dataset working in a category, by region (unknown regions last)."""
    df = directory(dataset=dataset, category=category_id)
    df = df.assign(_unknown=df["region_id"].isna())
    return df.sort_values(["_unknown", "region_id", "name"]).drop(columns="_unknown").reset_index(drop=True)


def organisation_clusters(org_id: str) -> pd.DataFrame:
    """The organisation's categories in its region: category_id, category_name, region_id,
    region_name, lq, stars, employment, year, text ("Automotive in Stuttgart: ★★★, LQ 5.17,
    160,445 employed, 2015")."""
    org = get(org_id)
    names = category_names()
    cats = [c for c in (org["categories"] or "").split(";") if c]
    rows = []
    st = strengths()
    for c in cats:
        rec = {"category_id": c, "category_name": names.get(c, c), "region_id": org["region_id"],
               "region_name": org["region_name"], "lq": None, "stars": None, "employment": None, "year": None}
        if org["region_id"]:
            hit = st[(st["dataset"] == org["dataset"]) & (st["region_id"] == org["region_id"])
                     & (st["category_id"] == c)]
            if not hit.empty:
                h = hit.iloc[0]
                rec.update(lq=float(h["lq"]), stars=int(h["stars"]) if pd.notna(h["stars"]) else None,
                           employment=float(h["employment"]), year=int(h["year"]))
        rec["text"] = cluster_text(rec)
        rows.append(rec)
    return pd.DataFrame(rows, columns=["category_id", "category_name", "region_id", "region_name", "lq", "stars",
                                       "employment", "year", "text"])


def cluster_text(rec: dict) -> str:
    where = rec.get("region_name") or rec.get("region_id")
    if not where:
        return f"{rec['category_name']}: region unknown, so no regional figures."
    if rec.get("lq") is None or pd.isna(rec.get("lq")):
        return f"{rec['category_name']} in {where}: no figure in the statistics."
    stars = fmt_stars(rec.get("stars")) or "no stars"
    return (f"{rec['category_name']} in {where}: {stars}, LQ {fmt_num(rec['lq'])}, "
            f"{fmt_int(rec['employment'])} employed, {rec['year']}")


def map_counts(dataset: str, level: str) -> pd.DataFrame:
    """region_id, count, names (first ten, '; '-joined) of the organisations located at ``level``
    (NUTS 2 ids cut to NUTS 1 or country; US states; nothing finer than where they are located)."""
    dataset = base_of(dataset)
    df = frame()
    df = df[(df["dataset"] == dataset) & df["region_id"].notna()]
    if dataset == "eu":
        cut = {"nuts2": 4, "nuts1": 3, "country": 2}.get(level)
        if cut is None:
            return pd.DataFrame(columns=["region_id", "count", "names"])
        key = df["region_id"].str[:cut]
    elif level == "state":
        key = df["region_id"]
    elif level == "nation":
        key = pd.Series("US", index=df.index)
    else:
        return pd.DataFrame(columns=["region_id", "count", "names"])
    g = df.assign(key=key).groupby("key")["name"]
    out = pd.DataFrame({"count": g.size(), "names": g.agg(lambda s: list(s))}).reset_index()
    return out.rename(columns={"key": "region_id"})


def countries() -> list[str]:
    return sorted(frame()["country"].dropna().unique())


def ecosystems() -> dict[str, str]:
    """Ecosystem id → name of the published organisations, ordered by name."""
    df = frame().dropna(subset=["ecosystem"]).drop_duplicates("ecosystem")
    return dict(sorted(zip(df["ecosystem"], df["ecosystem_name"].fillna(df["ecosystem"])), key=lambda kv: kv[1]))


def types() -> list[str]:
    return sorted(frame()["type"].dropna().unique())


# ---------------------------------------------------------------------------- partner search

def origin_of(org_id: str | None = None, dataset: str | None = None, region_id: str | None = None,
              category_id: str | None = None) -> dict:
    """What a search starts from: categories, country and the ids to leave out."""
    if org_id:
        org = get(org_id)
        return {"categories": [c for c in org["categories"].split(";") if c], "country": org["country"],
                "exclude": {org_id}, "label": org["name"], "dataset": org["dataset"], "region_id": org["region_id"]}
    country, dataset = None, base_of(dataset)
    if dataset == "eu" and region_id:
        nuts = region_id[:2]
        country = {v: k for k, v in ISO_TO_NUTS.items()}.get(nuts, nuts)
    elif dataset == "us":
        country = "US"
    return {"categories": [category_id] if category_id else [], "country": country, "exclude": set(),
            "label": None, "dataset": dataset, "region_id": region_id}


def partners(org_id: str | None = None, dataset: str | None = None, region_id: str | None = None,
             category_id: str | None = None, side: str | None = None, countries: tuple[str, ...] = (),
             ecosystem: str | None = None, type_: str | None = None, include_same_country: bool = False,
             limit: int | None = 50) -> pd.DataFrame:
    """Ranked partners (:func:`analytics.serving.partners.search`) from an organisation or from a
    region × category, filtered by side ('eu'/'us'), countries, ecosystem and type."""
    origin = origin_of(org_id, dataset, region_id, category_id)
    cand = prepared()
    if side in ("eu", "us"):
        cand = cand[cand["dataset"] == side]
    if countries:
        cand = cand[cand["country"].isin(countries)]
    if ecosystem:
        cand = cand[cand["ecosystem"] == ecosystem]
    if type_:
        cand = cand[cand["type"] == type_]
    return partner_rules.rank(cand, _related(), category_names(), origin["categories"], origin["country"],
                              origin["exclude"], include_same_country, limit)


def prepared() -> pd.DataFrame:
    """The published organisations × their categories with their regions' figures, held per
    build and content version (what every partner search filters)."""
    df = frame()
    key = _HELD.get("key")
    if _HELD.get("prepared_key") != key:
        _HELD["prepared"] = partner_rules.prepare(df, strengths())
        _HELD["prepared_key"] = key
    return _HELD["prepared"]


def _related() -> pd.DataFrame:
    key = f"related:{build_id()}"
    if key not in _HELD:
        for d in ("us", "eu"):
            if d in available_datasets():
                _HELD[key] = get_store(d).related
                break
        else:
            _HELD[key] = pd.DataFrame(columns=["category_id", "related_id", "percentile", "related_90"])
    return _HELD[key]


# ---------------------------------------------------------------------------- map layer and profiles
# Selections for the map's organisations layer and the region / category profiles
# (pages/map, pages/region, pages/category).

LOCATED_LEVELS = {"eu": ("nuts2", "nuts1", "country"), "us": ("state", "nation")}
LOCATED_TO = {"eu": "NUTS 2 regions", "us": "states"}  # the finest level organisations are located to


def map_placeable(dataset: str, level: str) -> bool:
    """Whether organisations can be counted per region at ``level`` (:func:`map_counts` gives rows)."""
    return level in LOCATED_LEVELS.get(base_of(dataset), ())


def located_summary(dataset: str) -> dict:
    """total and located (with a region) organisations of a dataset."""
    df = frame()
    df = df[df["dataset"] == base_of(dataset)]
    return {"total": len(df), "located": int(df["region_id"].notna().sum())}


def regions_organisations(dataset: str, region_ids) -> pd.DataFrame:
    """The union of :func:`region_organisations` over several regions (a custom region's members),
    each organisation once, by name."""
    parts = [region_organisations(dataset, r) for r in dict.fromkeys(region_ids)]
    if not parts:
        return frame().iloc[0:0]
    df = pd.concat(parts, ignore_index=True).drop_duplicates("id")
    return df.sort_values("name", key=lambda s: s.str.casefold()).reset_index(drop=True)


def categories_organisations(dataset: str, category_ids) -> pd.DataFrame:
    """The union of :func:`category_organisations` over several categories (a custom category's
    member categories), each organisation once, by region (unknown regions last)."""
    cats = set(category_ids)
    df = directory(dataset=dataset)
    df = df[df["categories"].str.split(";").map(lambda cs: bool(cats.intersection(cs)))]
    df = df.assign(_unknown=df["region_id"].isna())
    return df.sort_values(["_unknown", "region_id", "name"]).drop(columns="_unknown").reset_index(drop=True)


def directory_country(dataset: str, region_id: str | None) -> str | None:
    """The directory's country code (ISO 3166, as in ``country``) of a statistics region: its NUTS
    country (EL → GR) in Europe, US for every US region."""
    if base_of(dataset) == "us":
        return "US"
    if not region_id or region_id.startswith("custom"):
        return None
    nuts = region_id[:2]
    return {v: k for k, v in ISO_TO_NUTS.items()}.get(nuts, nuts)
