"""What the printable region and category reports say (``/region/…/report``, ``/category/…/report``;
drawn and served by ``web/reports.py``), assembled from the same serving functions as the pages
(no Dash).

The region report takes the profile's numbers: key figures with ranks (``views.region_row`` →
``profiles.key_figures``, plus the traded share the profile's timeline shows), the portfolio with
stars and the criteria met (``views.level_table`` → ``profiles.portfolio``, the same custom
categories as the page), the portfolio chart's frame (``profiles.bubble_frame``,
``views.benchmark_growth``), employment over time (``views.region_timeline``) and the data-quality
notes (flags of the portfolio, categories not published, years without data, the growth window's
labels, the dataset's series). The category report takes the category page's: its top regions
(``profiles.top_regions`` with growth), member industries and the same growth labels.

The caller (the web layer) resolves the view first, as the pages do: the parsed route state, the
start year in use (``components.controls.window_start``) and the dataset's labels
(``components.labels.dataset_ui``) come in as plain values. Numbers stay numbers here; texts use
:mod:`analytics.serving.formats`, so "–" marks a missing value and nothing missing becomes zero.
"""
from __future__ import annotations

import pandas as pd

from analytics.metrics.growth import SERIES, no_growth_reason
from analytics.metrics.stars import RULE_SETS
from analytics.serving import custom, profiles, views
from analytics.serving.formats import fmt_int, fmt_num, fmt_pct, fmt_signed_pct, is_missing, rank_text, year_runs
from analytics.serving.store import get_store

TOP_CATEGORIES = 5  # the region's largest categories named in its summary
TOP_REGIONS = 20  # as many as the category page's top list
_SHOWN = {"pct": fmt_pct, "signed_pct": fmt_signed_pct}


def value_text(kind: str, value) -> str:
    """A key figure's value as the profile's cards show it."""
    return _SHOWN.get(kind, fmt_int)(value)


def growth_labels(dataset: str, year: int, start, start_year, have, ccats=()) -> str | None:
    """The profile's growth message: why there is no growth, or the window's labels (a break, a
    partial-coverage start, custom categories of industry codes); None within one series."""
    if start is None:
        return no_growth_reason(dataset, have, year, start_year)
    return " ".join(views.growth_notes(dataset, start, year, ccats)) or None


def series_note(dataset: str) -> str | None:
    """The dataset's continuous series, e.g. 'Series: 2000–2002 (CBP, NAICS 1997; partial …), …'."""
    runs = SERIES.get(dataset)
    if not runs:
        return None
    parts = [f"{s.span} ({s.label}{'; ' + s.partial if s.partial else ''})" for s in runs]
    text = "Continuous series: " + "; ".join(parts) + "."
    if len(runs) > 1:
        text += (" Growth across a break or gap compares cluster totals only and is labelled; "
                 "categories defined by industry codes are not computed across it.")
    return text


# ---------------------------------------------------------------------------- region


def region_report(dataset: str, region: dict, state: dict, start: int | None, ccats: tuple[str, ...],
                  ui: dict) -> dict:
    """Everything the region report shows for the parsed ``state`` (the REGION route's values).

    ``region``: region_id, name, level (a custom region: its ``custom:`` id and name); ``start``: the
    start year in use (None: no growth); ``ccats``: the custom categories the profile's portfolio
    shows (the link's and the library's); ``ui``: the dataset's labels (``dataset_ui``).
    """
    region_id, level = region["region_id"], region["level"]
    year, rules, denominator, creg = state["year"], state["rules"], state["denominator"], state.get("creg")
    store = get_store(dataset)
    have = views.years_with_data(dataset, region_id, creg)
    out = {"dataset": dataset, "region_id": region_id, "name": region["name"], "level": level, "year": year,
           "start": start, "rules": rules, "rules_label": RULE_SETS[rules].label, "denominator": denominator,
           "have": have, "has_data": year in have, "creg": creg, "ccats": list(ccats),
           "members": list(views.parse_region(dataset, creg).members) if creg else [],
           "breadcrumbs": [] if creg else profiles.breadcrumbs(store.regions, region_id),
           "timeline": views.region_timeline(dataset, region_id, creg),
           "growth_message": growth_labels(dataset, year, start, state.get("start_year"), have, ccats)}
    if not out["has_data"]:
        out.update(key_figures=[], portfolio=[], starred=[], top_categories=[], bubble=None, bench=None,
                   quality=region_quality(dataset, region_id, year, have, ui, None, store))
        return out
    row = views.region_row(dataset, level, year, region_id, rules, denominator, start, creg)
    gdp = (ui["gdp_column"], ui["gdp_label"], ui["gdp_unit"]) if ui.get("gdp_column") else None
    figs = profiles.key_figures(row, gdp, ui["employment_unit"], custom=bool(creg))
    traded = _traded_share(row or {}, bool(creg))
    figs.insert(1, traded)
    for f in figs:
        f["value_text"] = value_text(f["kind"], f["value"])
    table = views.level_table(dataset, level, year, rules, denominator, start, ccats, creg)
    pf = profiles.portfolio(table, region_id, RULE_SETS[rules])
    rows = [_portfolio_row(r) for r in pf.to_dict("records")]
    builtin = pf[pf["category_id"].isin(set(store.categories["category_id"]))]
    top = builtin.dropna(subset=["employment"]).sort_values(["employment", "category_id"], ascending=[False, True])
    out.update(key_figures=figs, portfolio=rows, starred=[r for r in rows if r["stars"]],
               top_categories=top["category_name"].head(TOP_CATEGORIES).tolist(),
               quality=region_quality(dataset, region_id, year, have, ui, pf, store))
    if start is not None:
        before = views.level_table(dataset, level, start, rules, denominator, None, ccats, creg)
        out["bubble"] = profiles.bubble_frame(table, before, region_id, start, store.categories)
        out["bench"] = views.benchmark_growth(dataset, level, start, year)
    else:
        out["bubble"], out["bench"] = None, None
    return out


def _traded_share(row: dict, custom_region: bool) -> dict:
    value, rank, n = row.get("traded_share"), row.get("traded_share_rank"), row.get("traded_share_n")
    rank = None if is_missing(rank) else int(rank)
    n = None if is_missing(n) else int(n)
    text = rank_text(rank, n)
    if custom_region and rank is not None:
        text = "would rank " + text
    return {"key": "traded_share", "label": "Traded share", "unit": "traded categories' share of employment",
            "value": None if is_missing(value) else float(value), "rank": rank, "n": n, "rank_text": text,
            "kind": "pct"}


def _portfolio_row(r: dict) -> dict:
    stars = None if is_missing(r["stars"]) else int(r["stars"])
    return {"category_id": r["category_id"], "category_name": r["category_name"], "type": r["category_type"],
            "custom": str(r["category_id"]).startswith(custom.CUSTOM_PREFIX),
            "employment": r["employment"], "employment_text": fmt_int(r["employment"]),
            "lq_text": fmt_num(r["lq"]), "focus_text": fmt_pct(r["focus"]), "size_text": fmt_pct(r["size_share"], 2),
            "cagr_text": fmt_signed_pct(r["cagr"]), "stars": stars or 0, "stars_text": r["stars_text"],
            "rated": stars is not None, "criteria": r["criteria"], "flags": r["flags"]}


def region_quality(dataset: str, region_id: str, year: int, have, ui: dict, pf: pd.DataFrame | None,
                   store=None) -> list[str]:
    """The data-quality notes of a region report: imputed and incomplete cells of the portfolio,
    categories without a published figure, years without data, the imputed share of the region's
    country (EU) or of the states (US) in the year, and the dataset's series."""
    store = store or get_store(dataset)
    notes = []
    if pf is not None and not pf.empty:
        imputed = pf.loc[pf["flags"].str.contains("imputed", na=False), "category_name"].tolist()
        incomplete = pf.loc[pf["flags"].str.contains("incomplete", na=False), "category_name"].tolist()
        if imputed:
            notes.append(f"Imputed ({len(imputed)} of {len(pf)} categories; the value includes an estimate): "
                         + ", ".join(imputed) + ".")
        if incomplete:
            notes.append(f"Incomplete ({len(incomplete)}; some member industries missing in the source): "
                         + ", ".join(incomplete) + ".")
        if not imputed and not incomplete:
            notes.append(f"No imputed or incomplete category in {year}.")
        shown = set(pf["category_id"])
        missing = store.categories[~store.categories["category_id"].isin(shown)]
        if len(missing):
            notes.append(f"Not published or no data in {year} ({len(missing)} categories): "
                         + ", ".join(missing["category_name"]) + ".")
    years = store.years
    without = [y for y in years if y not in set(have)]
    if without:
        notes.append(f"No employment data for this region in {year_runs(without)} (gaps in the chart).")
    share = _imputed_share(dataset, region_id, year, store)
    if share:
        notes.append(share)
    series = series_note(dataset)
    if series:
        notes.append(series)
    return notes


def _imputed_share(dataset: str, region_id: str, year: int, store) -> str | None:
    q = store.quality or {}
    v = q.get("imputed_share")
    if isinstance(v, list):  # EU: per country and year
        country = profiles.region_row(store.regions, region_id)
        country = country.get("country") if country else None
        hit = [e for e in v if e.get("country") == country and int(e.get("year", 0)) == int(year)]
        if hit and not is_missing(hit[0].get("imputed_share")):
            return (f"Share of NUTS 2 employment imputed in {country}, {year}: "
                    f"{fmt_pct(hit[0]['imputed_share'])} (data-quality report).")
    elif isinstance(v, dict):  # US: per year, states
        x = v.get(str(year), v.get(year))
        if x is not None and not is_missing(x):
            return f"Share of cluster employment imputed across the states, {year}: {fmt_pct(x)} (data-quality report)."
    return None


# ---------------------------------------------------------------------------- category


def category_report(dataset: str, category: dict, state: dict, start: int | None, ui: dict) -> dict:
    """Everything the category report shows for the parsed ``state`` (the CATEGORY route's values).

    ``category``: category_id (a custom category: its ``custom:`` id), name, type, n_members;
    the star rules and LQ denominator are the dataset's defaults, as on the category page.
    """
    cid, year, level = category["category_id"], state["year"], state["level"]
    ccat, creg = state.get("ccat"), state.get("creg")
    ccats = (ccat,) if ccat else ()
    rules, denominator = ui["default_rules"], ui["default_denominator"]
    table = views.level_table(dataset, level, year, rules, denominator, start, ccats=ccats, creg=creg)
    top = profiles.top_regions(table, cid, TOP_REGIONS)
    mine = table[table["category_id"] == cid].set_index("region_id")
    top["cagr"] = top["region_id"].map(mine["cagr"]) if "cagr" in mine else float("nan")
    store = get_store(dataset)
    cat_rows = table[(table["category_id"] == cid) & ~table["region_id"].astype(str).str.startswith(
        custom.CUSTOM_PREFIX)]
    stars = pd.to_numeric(cat_rows["stars"], errors="coerce")
    emp = cat_rows["employment"]
    with_emp = int((emp > 0).sum())
    n_regions = len(store.level_regions(level, year))
    total = emp.sum(min_count=1)
    figs = [
        {"label": "Employment", "value_text": fmt_int(total),
         "unit": f"{ui['employment_unit']}, sum over the regions of the level with data"},
        {"label": "Regions with employment", "value_text": f"{with_emp:,}", "unit": f"of {n_regions:,} with data"},
        {"label": "Starred regions", "value_text": f"{int((stars > 0).sum()):,}" if stars.notna().any() else "–",
         "unit": "at least one star" if stars.notna().any() else
         f"not rated: the rules rate {', '.join(RULE_SETS[rules].rated_types)} categories only"},
    ]
    for k in (3, 2):
        if stars.notna().any():
            figs.append({"label": "★" * k, "value_text": f"{int((stars >= k).sum()):,}",
                         "unit": f"regions with {k} stars or more" if k < 3 else "regions with 3 stars"})
    figs.append({"label": "Member industries", "value_text": f"{category['n_members']:,}",
                 "unit": ui["industry_system"]})
    top_rows = [{"rank": int(r["rank"]), "region_id": r["region_id"], "region_name": r["region_name"],
                 "custom": str(r["region_id"]).startswith(custom.CUSTOM_PREFIX),
                 "employment_text": fmt_int(r["employment"]), "lq_text": fmt_num(r["lq"]),
                 "size_text": fmt_pct(r["size_share"], 2), "cagr_text": fmt_signed_pct(r["cagr"]),
                 "stars": 0 if is_missing(r["stars"]) else int(r["stars"]), "stars_text": r["stars_text"]}
                for r in top.to_dict("records")]
    members = members_frame(dataset, cid, ccat, year)
    member_rows = [{"industry": str(r["industry"]), "industry_name": r["industry_name"],
                    "employment_text": fmt_int(r["employment"]), "share_text": fmt_pct(r["share"])}
                   for r in members.to_dict("records")]
    imputed = int(cat_rows["employment_imputed"].fillna(False).astype(bool).sum()) \
        if "employment_imputed" in cat_rows else 0
    quality = []
    if imputed:
        quality.append(f"{imputed:,} of {len(cat_rows):,} regions' values include an estimate (imputed) in {year}.")
    growth = growth_labels(dataset, year, start, state.get("start_year"), store.level_years(level), ccats)
    if growth:
        quality.append(growth)
    series = series_note(dataset)
    if series:
        quality.append(series)
    return {"dataset": dataset, "category_id": cid, "name": category["name"], "type": category["type"],
            "year": year, "level": level, "start": start, "rules": rules, "rules_label": RULE_SETS[rules].label,
            "denominator": denominator, "ccat": ccat, "creg": creg, "key_figures": figs, "top": top,
            "top_rows": top_rows, "members": member_rows, "quality": quality, "growth_message": growth}


def members_frame(dataset: str, category_id: str, ccat: str | None, year: int) -> pd.DataFrame:
    """industry, industry_name, employment, share: the category page's member-industry table."""
    if ccat:
        mem, _ = views.category_members(dataset, ccat, year)
        return mem[["industry", "industry_name", "employment", "share"]]
    store = get_store(dataset)
    return profiles.member_industries(store.industries, store.facts(store.meta["benchmark_level"]), category_id,
                                      year)


def member_count(dataset: str, category_id: str, cc: custom.CustomCategory | None = None) -> int:
    """The number of member industries the category page's header names."""
    store = get_store(dataset)
    if cc is not None:
        return len(custom.members(cc, store))
    if "vintage" in store.industries.columns:
        return int(store.industries.loc[store.industries["category_id"] == category_id, "naics"].nunique())
    return int((store.industries["category_id"] == category_id).sum())
