"""The named views that every page, export and CLI command draws from (memoized, no Dash).

Each derived figure is defined once in ``analytics.metrics``; the functions here select the
rows a view needs from the store, add custom categories (``ccats``: specs such as
``Fashion=nace:13,14,15``) and a custom region (``creg``: ``Oresund=DK01+DK02+SE22``), and
recombine them with those formulas:

* :func:`level_table`: regional clusters of a level and year with stars (and growth);
* :func:`region_indicators`: region-level measures (cluster strength in both variants, starred
  and strong counts, growth of total employment, GDP per capita …) with their ranks;
* :func:`map_values`: the value of one map view per region, ranked;
* :func:`suggest_peers`, :func:`comparison`, :func:`region_comparison`: peer benchmarking.

Arguments are plain values (strings, ints, tuples) so results are memoized in the one cache
(:mod:`analytics.serving.cache`) under keys that are the same in every process. Callers must
treat returned frames as read-only.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.metrics import peers as peer_engine
from analytics.metrics.core import rank_with_count, would_rank
from analytics.metrics.growth import benchmark_growth as _benchmark_growth
from analytics.metrics.growth import cagr, growth, industry_comparable, industry_note, window_note
from analytics.metrics.regions import region_measures
from analytics.serving import custom
from analytics.serving.cache import memoize
from analytics.serving.store import get_store

ALL = "all"  # "All categories": region-level measures
CUSTOM = "custom"  # the path id / picker value of a custom definition

# The value shown for a map metric: one category's column, or the region-level measure.
CATEGORY_MEASURES = {"employment": "employment", "size": "size_share", "lq": "lq", "focus": "focus",
                     "stars": "stars", "growth": "cagr", "wage": "avg_wage"}
REGION_MEASURES = {"employment": "total_employment", "size": "employment_share", "lq": "cluster_strength",
                   "focus": "traded_share", "stars": "n_starred", "growth": "total_growth", "wage": "avg_wage"}
GROWTH_COLUMNS = ["emp_start", "cagr", "abs_change", "national_growth", "expected_change",
                  "job_creation_vs_expected", "start_year"]


# ---------------------------------------------------------------------------- custom definitions


def parse_category(dataset: str, spec: str) -> custom.CustomCategory:
    """A custom category from its spec (raises ``custom.ValidationError`` with a clear message)."""
    return custom.parse_category(spec, get_store(dataset))


def parse_region(dataset: str, spec: str) -> custom.CustomRegion:
    return custom.parse_region(spec, get_store(dataset))


def try_category(dataset: str, spec) -> tuple[custom.CustomCategory | None, str | None]:
    """(definition, None), (None, message) for a bad spec, or (None, None) when there is none."""
    if spec in (None, ""):
        return None, None
    try:
        return parse_category(dataset, str(spec)), None
    except custom.ValidationError as exc:
        return None, f"The custom category “{spec}” could not be used: {exc}"


def try_region(dataset: str, spec) -> tuple[custom.CustomRegion | None, str | None]:
    if spec in (None, ""):
        return None, None
    try:
        return parse_region(dataset, str(spec)), None
    except custom.ValidationError as exc:
        return None, f"The custom region “{spec}” could not be used: {exc}"


def member_level(dataset: str, creg: str) -> str:
    """The level most of a custom region's members are of (its peers, its stars' reference)."""
    cr = parse_region(dataset, creg)
    return get_store(dataset).region_levels[list(cr.members)].value_counts().index[0]


@memoize
def region_years(dataset: str, creg: str) -> tuple[int, ...]:
    """Years in which every member of the custom region has data."""
    store = get_store(dataset)
    return tuple(custom.years_complete(parse_region(dataset, creg), store))


@memoize
def category_members(dataset: str, ccat: str, year: int | None = None) -> tuple[pd.DataFrame, int]:
    """A custom category's member industries with their benchmark-area employment in ``year``
    (default: the latest year with facts) and their share; and that year."""
    store = get_store(dataset)
    cc = parse_category(dataset, ccat)
    mem = custom.members(cc, store)
    f = store.facts(store.meta["benchmark_level"])
    if year is None:
        year = int(f["year"].max())
    f = f[(f["year"] == year) & f["industry"].isin(mem["industry"])]
    emp = f.groupby(f["industry"].astype(object))["employment"].sum(min_count=1)
    mem["employment"] = mem["industry"].map(emp).astype(float)
    total = mem["employment"].sum(min_count=1)
    mem["share"] = mem["employment"] / total if pd.notna(total) and total else np.nan
    return mem, int(year)


# ---------------------------------------------------------------------------- regional clusters


def level_table(dataset: str, level: str, year: int, rules: str | None = None, denominator: str | None = None,
                start_year: int | None = None, ccats=(), creg: str | None = None) -> pd.DataFrame:
    """Regional clusters of a level and year: every built-in category of every region, one row per
    custom category (``ccats``) for every region, and the custom region's rows (``creg``, rated
    against the thresholds of its members' level so it never shifts anyone else's stars).

    Columns as ``Store.table`` plus ``custom`` (a custom category or region row); growth since
    ``start_year`` (cagr, abs_change, expected_change, job_creation_vs_expected) for every row.
    """
    store = get_store(dataset)
    rules, denominator = store.rules_and_denominator(rules, denominator)
    start = int(start_year) if start_year is not None and int(start_year) < int(year) else None
    return _level_table(dataset, level, int(year), rules, denominator, start, _specs(ccats), creg or None)


def _specs(ccats) -> tuple[str, ...]:
    if not ccats:
        return ()
    if isinstance(ccats, str):
        ccats = [ccats]
    return tuple(dict.fromkeys(str(c) for c in ccats if c))


@memoize
def _level_table(dataset, level, year, rules, denominator, start, ccats, creg) -> pd.DataFrame:
    store = get_store(dataset)
    parts = [store.table(level, year, rules, denominator, start).assign(custom=False)]
    parts += [_category_rows(dataset, level, year, rules, denominator, start, spec) for spec in ccats]
    if creg:
        parts.append(_region_rows(dataset, year, rules, denominator, start, ccats, creg))
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)


@memoize
def _category_rows(dataset, level, year, rules, denominator, start, spec) -> pd.DataFrame:
    """A custom category in every region of the level (its own percentiles, as built-ins have)."""
    store = get_store(dataset)
    cc = parse_category(dataset, spec)
    rows = custom.custom_table(store, level, year, rules, denominator, cc=cc)
    if rows.empty:
        return rows
    rows = rows.assign(custom=True)
    if start is not None and _growth_computed(dataset, cc, start, year):
        m = custom.category_metrics(cc, store, (level,))
        g = growth(m[m["year"].isin([start, year])], start, year, store.nation_of())
        rows = rows.merge(g.drop(columns=["emp_end", "end_year", "category_id"]), on="region_id", how="left")
    return rows


@memoize
def _region_rows(dataset, year, rules, denominator, start, ccats, creg) -> pd.DataFrame:
    """The custom region's regional clusters: the built-in categories and each custom category."""
    store = get_store(dataset)
    cr = parse_region(dataset, creg)
    parts = [custom.custom_table(store, member_level(dataset, creg), year, rules, denominator, cr=cr)]
    for spec in ccats:
        parts.append(custom.custom_table(store, member_level(dataset, creg), year, rules, denominator,
                                         cc=parse_category(dataset, spec), cr=cr))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame()
    rows = pd.concat(parts, ignore_index=True).assign(custom=True, member_ids=", ".join(cr.members))
    if start is not None:
        rows = rows.merge(_region_growth(dataset, start, year, ccats, creg), on="category_id", how="left")
    return rows


def _growth_computed(dataset: str, cc, start: int, year: int) -> bool:
    """A custom category made of industry codes grows only within one classification vintage
    (``growth.industry_comparable``); categories made of built-in categories are cluster totals."""
    return not cc.industries or industry_comparable(dataset, start, year)


def growth_notes(dataset: str, start, year, ccats=()) -> list[str]:
    """The labels of a growth window ``start``→``year``, for every page, CSV and the CLI: the
    window across a series break or from a partial-coverage year (cluster totals only), and why a
    custom category of industry codes among ``ccats`` has no growth. [] within one series."""
    if start is None or year is None or int(start) >= int(year):
        return []
    notes = [window_note(dataset, start, year)]
    if any(parse_category(dataset, spec).industries for spec in _specs(ccats)):
        notes.append(industry_note(dataset, start, year))
    return [n for n in notes if n]


def _region_growth(dataset, start, year, ccats, creg) -> pd.DataFrame:
    """Growth of the custom region's clusters; the expected change uses the national growth of the
    category in the members' nation (none when they lie in several nations)."""
    store = get_store(dataset)
    cr = parse_region(dataset, creg)
    level = member_level(dataset, creg)
    frames = [custom.region_metrics(cr, store, years=[start, year])]
    for spec in ccats:
        cc = parse_category(dataset, spec)
        if _growth_computed(dataset, cc, start, year):
            frames.append(custom.region_metrics(cr, store, custom.category_definition(cc, store), years=[start, year]))
    m = pd.concat(frames, ignore_index=True)
    g = growth(m, start, year).drop(columns=["national_growth", "expected_change", "job_creation_vs_expected",
                                             "emp_end", "end_year", "region_id"])
    nation_of = store.nation_of()
    nations = {"ALL"} if nation_of is None else set(nation_of.reindex(list(cr.members)))
    if len(nations) == 1:
        ref = _level_table(dataset, level, year, *store.rules_and_denominator(None, None), start, ccats, None)
        nation = next(iter(nations))
        if nation_of is not None:
            ref = ref[ref["region_id"].map(nation_of) == nation]
        nat = ref.groupby("category_id")["national_growth"].first()
        g["national_growth"] = g["category_id"].map(nat)
    else:
        g["national_growth"] = np.nan
    g["expected_change"] = g["emp_start"] * g["national_growth"]
    g["job_creation_vs_expected"] = g["abs_change"] - g["expected_change"]
    return g


# ---------------------------------------------------------------------------- region indicators


def prosperity_column(dataset: str) -> str | None:
    return (get_store(dataset).meta.get("prosperity") or {}).get("column")


def innovation_column(dataset: str) -> str | None:
    return (get_store(dataset).meta.get("innovation") or {}).get("column")


def ranked_measures(dataset: str) -> list[str]:
    """Region-level measures that carry a rank (``<measure>_rank`` and ``<measure>_n``)."""
    cols = ["total_employment", "employment_share", "traded_share", "cluster_strength", "cluster_strength_us",
            "n_starred", "n_strong", "avg_wage", "total_growth", "traded_growth"]
    return cols + [c for c in (prosperity_column(dataset), innovation_column(dataset)) if c]


def region_indicators(dataset: str, level: str, year: int, rules: str | None = None, denominator: str | None = None,
                      start_year: int | None = None, creg: str | None = None) -> pd.DataFrame:
    """Region-level measures of every region of the level with data in the year (and the custom
    region, ranked where it would rank among them): one row per region.

    Columns: region_id, region_name, level, year, custom, total/traded/local employment,
    employment_share (of the benchmark area's employment), traded_share, cluster_strength (LQ > 2
    over traded categories ÷ total employment, LQ under ``denominator``), cluster_strength_us
    (strong traded clusters ÷ traded employment), n_starred (``rules``), n_strong, avg_wage,
    imputed/incomplete cluster counts, the dataset's GDP, population and patent indicators,
    total_growth / traded_growth (CAGR since ``start_year``), and ``<measure>_rank`` /
    ``<measure>_n`` for :func:`ranked_measures`.
    """
    store = get_store(dataset)
    rules, denominator = store.rules_and_denominator(rules, denominator)
    start = int(start_year) if start_year is not None and int(start_year) < int(year) else None
    return _region_indicators(dataset, level, int(year), rules, denominator, start, creg or None)


EXTERNAL_SUMS = ("population", "patents", "gdp_real_musd")


@memoize
def _region_indicators(dataset, level, year, rules, denominator, start, creg) -> pd.DataFrame:
    out = _measures(dataset, level, year, rules, denominator, creg)
    if start is not None:
        before = _measures(dataset, level, start, rules, denominator, creg).set_index("region_id")
        end = out.set_index("region_id")
        for col, new in (("total_employment", "total_growth"), ("traded_employment", "traded_growth")):
            out[new] = cagr(before[col].reindex(end.index), end[col], year - start).to_numpy()
        out["start_year"] = start
    else:
        out["total_growth"] = out["traded_growth"] = np.nan
    builtin = ~out["custom"]
    for col in ranked_measures(dataset):
        if col not in out:
            out[col] = np.nan
        rank, n = rank_with_count(out.loc[builtin, col])
        out[f"{col}_rank"] = rank.reindex(out.index)
        out[f"{col}_n"] = n
        for i in out.index[~builtin]:
            out.loc[i, f"{col}_rank"] = would_rank(out.at[i, col], out.loc[builtin, col])
            out.loc[i, f"{col}_n"] = n + 1
    return out.reset_index(drop=True)


@memoize
def _measures(dataset, level, year, rules, denominator, creg) -> pd.DataFrame:
    store = get_store(dataset)
    t = level_table(dataset, level, year, rules, denominator, creg=creg)
    us = level_table(dataset, level, year, "us-strong", "traded", creg=creg)
    builtin_cats = set(store.categories["category_id"])
    t = t[t["category_id"].isin(builtin_cats)]
    us = us[us["category_id"].isin(builtin_cats)]
    strong = t[["region_id", "category_id"]].merge(us[["region_id", "category_id", "strong"]],
                                                   on=["region_id", "category_id"], how="left")["strong"]
    strong = strong.fillna(False).astype(bool).set_axis(t.index)
    ind = store.indicators
    ind = ind[(ind["level"] == level) & (ind["year"] == year) & ind["total_employment"].notna()]
    totals = ind.rename(columns={"total_employment": "total", "traded_employment": "traded",
                                 "local_employment": "local"})[["region_id", "level", "year", "total", "traded",
                                                                "local"]]
    external = ind.drop(columns=[c for c in ("level", "year") if c in ind.columns])
    if creg:
        cr = parse_region(dataset, creg)
        ctot, cext = _custom_totals(dataset, creg, year)
        if ctot is not None:
            totals = pd.concat([totals, ctot.assign(level=level)], ignore_index=True)
            external = pd.concat([external, cext], ignore_index=True)
    rows = t.assign(level=level)
    out = region_measures(rows, strong, totals)
    # the external indicators (GDP, population, patents); the cluster measures are those just computed
    external = external[["region_id", *[c for c in external.columns if c not in out.columns]]]
    out = out.merge(external, on="region_id", how="left")
    names = store.region_names
    out.insert(1, "region_name", out["region_id"].map(names))
    out["custom"] = out["region_id"].str.startswith(custom.CUSTOM_PREFIX)
    if creg:
        cr = parse_region(dataset, creg)
        out.loc[out["region_id"] == cr.region_id, "region_name"] = cr.name
    bench_level = store.meta.get("benchmark_level", level)
    bi = store.indicators
    bench = bi.loc[(bi["level"] == bench_level) & (bi["year"] == year), "total_employment"].sum(min_count=1)
    out["employment_share"] = out["total_employment"] / bench
    return out


def _custom_totals(dataset: str, creg: str, year: int):
    """E(r) totals of the custom region in ``year`` (every member must have data) and its
    external indicators: sums of counts, per-capita values from the summed counts."""
    store = get_store(dataset)
    cr = parse_region(dataset, creg)
    ind = store.indicators
    mem = ind[(ind["year"] == year) & ind["region_id"].isin(cr.members)].drop_duplicates("region_id")
    if len(mem) != len(cr.members) or mem["total_employment"].isna().any():
        return None, None
    tot = pd.DataFrame([{"region_id": cr.region_id, "year": year, "total": mem["total_employment"].sum(),
                         "traded": mem["traded_employment"].sum(min_count=len(mem)),
                         "local": mem["local_employment"].sum(min_count=len(mem))}])
    ext = {"region_id": cr.region_id}
    for col in EXTERNAL_SUMS:
        if col in mem:
            ext[col] = mem[col].sum(min_count=len(mem))
    pop = ext.get("population", np.nan)
    if "gdp_pc_pps" in mem and pd.notna(pop) and mem["gdp_pc_pps"].notna().all():
        ext["gdp_pc_pps"] = float((mem["gdp_pc_pps"] * mem["population"]).sum() / pop)
    if "gdp_real_musd" in ext and pd.notna(pop):
        ext["gdp_pc_real"] = ext["gdp_real_musd"] * 1e6 / pop
    if "patents_per_million" in mem and pd.notna(pop):
        ext["patents_per_million"] = ext.get("patents", np.nan) / pop * 1e6
    if "patents_per_10k_emp" in mem:
        ext["patents_per_10k_emp"] = ext.get("patents", np.nan) / tot["total"].iloc[0] * 1e4
    return tot, pd.DataFrame([ext])


def benchmark_growth(dataset: str, level: str, start: int, year: int, column: str = "traded_employment") -> float:
    """CAGR of a region total (default: traded employment) summed over the level's regions with
    data in both years: the benchmark line of the portfolio chart."""
    ind = get_store(dataset).indicators
    ind = ind[ind["level"] == level]
    a = ind[ind["year"] == start].drop_duplicates("region_id").set_index("region_id")[column]
    b = ind[ind["year"] == year].drop_duplicates("region_id").set_index("region_id")[column]
    return _benchmark_growth(a, b, year - start)


def region_row(dataset: str, level: str, year: int, region_id: str, rules=None, denominator=None,
               start_year=None, creg=None) -> dict | None:
    """One region's indicators (a dict), or None when it has no data in the year."""
    ind = region_indicators(dataset, level, year, rules, denominator, start_year, creg)
    r = ind[ind["region_id"] == region_id]
    return None if r.empty else r.iloc[0].to_dict()


@memoize
def region_timeline(dataset: str, region_id: str, creg: str | None = None) -> pd.DataFrame:
    """year, total_employment, traded_employment of a region for every year from the dataset's
    first to its last (NaN = no data, so a chart shows gaps instead of bridging them)."""
    store = get_store(dataset)
    ind = store.indicators
    years = list(range(min(store.years), max(store.years) + 1))
    if creg:
        cr = parse_region(dataset, creg)
        _, totals, _ = custom.region_facts(cr, store)
        r = totals.set_index("year").rename(columns={"total": "total_employment", "traded": "traded_employment"})
    else:
        r = ind[ind["region_id"] == region_id].drop_duplicates("year").set_index("year")
    out = pd.DataFrame({"year": years})
    for col in ("total_employment", "traded_employment"):
        out[col] = out["year"].map(r[col]) if col in r else np.nan
    return out


def years_with_data(dataset: str, region_id: str, creg: str | None = None) -> list[int]:
    """Years in which the region (or every member of the custom region) has employment data."""
    if creg:
        return list(region_years(dataset, creg))
    ind = get_store(dataset).indicators
    r = ind[(ind["region_id"] == region_id) & (ind["total_employment"] > 0)]
    return sorted(int(y) for y in r["year"].unique())


# ---------------------------------------------------------------------------- the map


def map_values(dataset: str, level: str, category: str, metric: str, year: int, start_year: int | None = None,
               rules: str | None = None, denominator: str | None = None, ccat: str | None = None,
               creg: str | None = None) -> pd.DataFrame:
    """One row per map region (the geometry's order) with the view's value, rank and flags; the
    custom region, when given, as one more row at the end (``custom`` True, ranked where it
    would rank).

    ``category``: a category id, ``"all"`` (region-level measures, :data:`REGION_MEASURES`) or
    ``"custom"`` (the custom category ``ccat``). Columns: region_id, region_name, value, rank,
    rank_n, has_row (the region has data rows), not_published (one category: the region has data
    that year but no published cell for the category), custom, and the source columns
    (stars, rated, star_*, employment_imputed, missing_parts or the cluster counts).
    """
    store = get_store(dataset)
    rules, denominator = store.rules_and_denominator(rules, denominator)
    start = int(start_year) if metric == "growth" and start_year is not None and int(start_year) < int(year) \
        else None
    return _map_values(dataset, level, category, metric, int(year), start, rules, denominator,
                       ccat if category == CUSTOM else None, creg or None)


@memoize
def _map_values(dataset, level, category, metric, year, start, rules, denominator, ccat, creg) -> pd.DataFrame:
    store = get_store(dataset)
    ids, names = store.map_regions(level)
    frame = pd.DataFrame({"region_id": list(ids), "region_name": list(names)})
    cr = parse_region(dataset, creg) if creg else None
    if cr is not None:
        frame = pd.concat([frame, pd.DataFrame({"region_id": [cr.region_id], "region_name": [cr.name]})],
                          ignore_index=True)
    if category == ALL:
        if metric == "growth" and start is None:
            ind = region_indicators(dataset, level, year, rules, denominator, None, creg)
        else:
            ind = region_indicators(dataset, level, year, rules, denominator, start, creg)
        frame = frame.merge(ind.drop(columns=["region_name"]), on="region_id", how="left")
        frame["has_row"] = frame["total_employment"].notna()
        frame["value"] = frame[REGION_MEASURES[metric]].astype(float)
        frame["not_published"] = False
    else:
        t = level_table(dataset, level, year, rules, denominator, start, (ccat,) if ccat else (), creg)
        cid = parse_category(dataset, ccat).category_id if category == CUSTOM else category
        t = t[t["category_id"] == cid].drop(columns=["region_name"])
        frame = frame.merge(t, on="region_id", how="left")
        frame["has_row"] = frame["category_id"].notna()
        col = CATEGORY_MEASURES[metric]
        frame["value"] = pd.to_numeric(frame[col], errors="coerce").astype(float) if col in frame else np.nan
        if metric == "stars":  # unrated (local) categories have no stars: "not rated", not 0
            frame.loc[~frame["rated"].fillna(False).astype(bool), "value"] = np.nan
        ind = store.indicators
        with_totals = set(ind.loc[(ind["level"] == level) & (ind["year"] == year)
                                  & ind["total_employment"].notna(), "region_id"])
        frame["not_published"] = frame["value"].isna() & ~frame["has_row"] & frame["region_id"].isin(with_totals)
    frame["custom"] = frame["region_id"].str.startswith(custom.CUSTOM_PREFIX)
    builtin = ~frame["custom"]
    rank, n = rank_with_count(frame.loc[builtin, "value"])
    frame["rank"] = rank.reindex(frame.index)
    frame["rank_n"] = n
    for i in frame.index[~builtin]:
        frame.loc[i, "rank"] = would_rank(frame.at[i, "value"], frame.loc[builtin, "value"])
    return frame


# ---------------------------------------------------------------------------- peer benchmarking


def default_region(dataset: str, level: str, year: int) -> str | None:
    """The level's largest region by total employment in the year (a sensible first focal region)."""
    ind = get_store(dataset).indicators
    sel = ind[(ind["level"] == level) & (ind["year"] == year)].dropna(subset=["total_employment"])
    return None if sel.empty else str(sel.sort_values("total_employment", ascending=False)["region_id"].iloc[0])


def _focal(dataset, level, year, rules, denominator, start, focal, creg):
    """(focal id, focal name, the focal rows, members) — members empty for a built-in region."""
    store = get_store(dataset)
    if creg:
        cr = parse_region(dataset, creg)
        t = level_table(dataset, level, year, rules, denominator, start, creg=creg)
        return cr.region_id, cr.name, t[t["region_id"] == cr.region_id], set(cr.members)
    t = level_table(dataset, level, year, rules, denominator, start)
    return focal, str(store.region_names.get(focal, focal)), t[t["region_id"] == focal], set()


@memoize
def suggest_peers(dataset: str, level: str, year: int, rules: str, denominator: str, basis: str,
                  focal: str | None = None, creg: str | None = None, n: int = 8) -> pd.DataFrame:
    """Peers of the focal region (or custom region) on a stated basis: region_id, score, basis_value."""
    store = get_store(dataset)
    fid, _, rows, members = _focal(dataset, level, year, rules, denominator, None, focal, creg)
    if rows.empty:
        return pd.DataFrame(columns=["region_id", "score", "basis_value"])
    table = level_table(dataset, level, year, rules, denominator)
    ind = region_indicators(dataset, level, year, rules, denominator, None, creg)
    return peer_engine.suggest(basis, fid, table, ind, focal_table=rows if members else None,
                               neighbours=store.neighbours(level), exclude=members, members=members or None,
                               n=n, prosperity_col=prosperity_column(dataset) or "gdp_pc_pps")


COMPARISON_COLUMNS = ["region_id", "region_name", "category_id", "category_name", "category_type", "employment",
                      "lq", "stars", "cagr"]


def comparison(dataset: str, level: str, year: int, rules: str, denominator: str, start_year: int | None,
               focal: str | None, creg: str | None = None, peers=(), cpeers=(), ccats=()) -> pd.DataFrame:
    """Regional clusters of the focal region (first) and its peers (built-in ids ``peers`` and
    custom region specs ``cpeers``), every category (and the custom categories ``ccats``), with
    the peer-group ranks of employment, LQ and growth (``*_peer_rank``, ``peer_n``) and a
    ``focal`` flag."""
    start = int(start_year) if start_year is not None and int(start_year) < int(year) else None
    return _comparison(dataset, level, int(year), rules, denominator, start, focal, creg or None,
                       tuple(peers or ()), tuple(cpeers or ()), _specs(ccats))


@memoize
def _comparison(dataset, level, year, rules, denominator, start, focal, creg, peers, cpeers, ccats):
    fid, fname, rows, members = _focal(dataset, level, year, rules, denominator, start, focal, creg)
    table = level_table(dataset, level, year, rules, denominator, start, ccats)
    if ccats and creg:
        t = level_table(dataset, level, year, rules, denominator, start, ccats, creg)
        rows = t[t["region_id"] == fid]
    elif ccats:
        rows = table[table["region_id"] == fid]
    peers = [p for p in peers if p != fid and p not in members]
    parts = [rows.reindex(columns=COMPARISON_COLUMNS).assign(region_name=fname),
             table[table["region_id"].isin(peers)].reindex(columns=COMPARISON_COLUMNS)]
    order = [fid, *peers]
    for spec in cpeers:
        if spec == creg:
            continue
        cr = parse_region(dataset, spec)
        t = level_table(dataset, level, year, rules, denominator, start, ccats, spec)
        parts.append(t[t["region_id"] == cr.region_id].reindex(columns=COMPARISON_COLUMNS))
        order.append(cr.region_id)
    both = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(
        not p.empty for p in parts) else pd.DataFrame(columns=COMPARISON_COLUMNS)
    if both.empty:
        return both
    rank = {r: i for i, r in enumerate(dict.fromkeys(order))}
    both["order"] = both["region_id"].map(rank)
    card = peer_engine.scorecard(both, list(rank))
    ranks = [c for c in card.columns if c.endswith("_peer_rank")] + ["peer_n"]
    both = both.merge(card[["region_id", "category_id", *ranks]], on=["region_id", "category_id"], how="left")
    both.insert(2, "focal", both["region_id"] == fid)
    return both.sort_values(["order", "category_name"]).drop(columns="order").reset_index(drop=True)


REGION_COMPARISON_COLUMNS = ["total_employment", "traded_employment", "cluster_strength", "cluster_strength_us",
                             "n_starred", "total_growth"]


def region_comparison(dataset: str, level: str, year: int, rules: str, denominator: str, start_year: int | None,
                      focal: str | None, creg: str | None = None, peers=(), cpeers=()) -> pd.DataFrame:
    """Region-level measures of the focal region (first) and its peers with their rank in the
    peer group (``<measure>_peer_rank``, ``peer_n``): the same numbers as the map and the profile."""
    start = int(start_year) if start_year is not None and int(start_year) < int(year) else None
    parts = []
    focal_id = parse_region(dataset, creg).region_id if creg else focal
    ind = region_indicators(dataset, level, int(year), rules, denominator, start, creg)
    ids = [focal_id, *[p for p in peers or () if p != focal_id]]
    parts.append(ind[ind["region_id"].isin(set(ids))])
    for spec in cpeers or ():
        if spec == creg:
            continue
        ci = region_indicators(dataset, level, int(year), rules, denominator, start, spec)
        cid = parse_region(dataset, spec).region_id
        parts.append(ci[ci["region_id"] == cid])
        ids.append(cid)
    out = pd.concat(parts, ignore_index=True).drop_duplicates("region_id")
    present = set(out["region_id"])
    out = out.set_index("region_id").reindex([i for i in dict.fromkeys(ids) if i in present])
    for col in REGION_COMPARISON_COLUMNS:
        out[f"{col}_peer_rank"] = rank_with_count(out[col])[0]
    out["peer_n"] = len(out)
    out.insert(0, "focal", out.index == focal_id)
    return out.reset_index()

