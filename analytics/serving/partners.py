"""Partner search: organisations elsewhere that work in the same or a related category, ranked.

The score (0–100) of a candidate organisation for one origin category is

    score = 100 × (0.7 × link + 0.3 × strength)

* ``link`` = 1 when the candidate works in the origin category itself; for a related category
  (a pair the US 2014 relatedness table flags at the 90th-percentile threshold, the US portal's
  "related clusters"; European categories share the US ids through the concordance)
  ``link`` = 0.8 × relatedness percentile / 100, so a related category never counts as much as
  the same one; other categories do not match.
* ``strength`` = min(LQ, 3) / 3 of the candidate's region in the matched category (latest year
  of its dataset, its default denominator); 0 when the region is unknown or has no figure, and
  the reason says so.

A candidate with several categories keeps its best match. Candidates in the origin's country
are left out unless asked ("partners elsewhere"), and the origin organisation itself always is.
Everything here is pure pandas: the serving layer passes the published organisations, the
relatedness table and the regions' strengths.
"""
from __future__ import annotations

import pandas as pd

from analytics.serving.formats import fmt_int, fmt_num, fmt_stars, ordinal

W_LINK, W_STRENGTH = 0.7, 0.3
RELATED_WEIGHT = 0.8
LQ_CAP = 3.0
SCORE_TEXT = (f"Score (0–100) = 100 × ({W_LINK:g} × link + {W_STRENGTH:g} × strength). Link = 1 for the "
              f"same category; for a related category (related at the US portal's 90th-percentile threshold, US 2014 "
              f"relatedness, which European categories share through the concordance) {RELATED_WEIGHT:g} × its "
              f"relatedness percentile / 100. Strength = min(LQ, {LQ_CAP:g}) / {LQ_CAP:g} of the "
              "partner's region in that category (latest year; NUTS 2 in Europe, states in the US); 0 when the "
              "region is unknown. Organisations in the origin's own country are left out unless asked.")
COLUMNS = ["id", "name", "dataset", "country", "region_id", "region_name", "category_id", "category_name",
           "origin_category", "relation", "percentile", "lq", "stars", "employment", "year", "score", "reason"]


def links(related: pd.DataFrame, origin_categories: list[str]) -> pd.DataFrame:
    """origin_category, category_id, relation ('same'|'related'), percentile, link."""
    same = pd.DataFrame({"origin_category": origin_categories, "category_id": origin_categories,
                         "relation": "same", "percentile": float("nan"), "link": 1.0})
    r = related[related["category_id"].isin(origin_categories) & related["related_90"]
                & ~related["related_id"].isin(origin_categories)]
    rel = pd.DataFrame({"origin_category": r["category_id"].to_numpy(), "category_id": r["related_id"].to_numpy(),
                        "relation": "related", "percentile": r["percentile"].astype(float).to_numpy(),
                        "link": RELATED_WEIGHT * r["percentile"].astype(float).to_numpy() / 100.0})
    return pd.concat([same, rel], ignore_index=True) if len(rel) else same


def explode_categories(orgs: pd.DataFrame) -> pd.DataFrame:
    """One row per organisation × category (``categories`` is ';'-joined ids)."""
    cats = orgs["categories"].fillna("").astype(str).str.split(";")
    out = orgs.assign(category_id=cats).explode("category_id")
    out["category_id"] = out["category_id"].str.strip()
    return out[out["category_id"] != ""]


def prepare(orgs: pd.DataFrame, strengths: pd.DataFrame) -> pd.DataFrame:
    """Organisations × categories joined to their region's figure in that category: the part of a
    search that does not depend on its origin (the serving layer keeps it per content version)."""
    ex = explode_categories(orgs)
    return ex.merge(strengths[["dataset", "region_id", "category_id", "lq", "stars", "employment", "year"]],
                    on=["dataset", "region_id", "category_id"], how="left")


def search(orgs: pd.DataFrame, related: pd.DataFrame, strengths: pd.DataFrame, names: dict[str, str],
           origin_categories: list[str], origin_country: str | None = None, exclude_ids=(),
           include_same_country: bool = False, limit: int | None = 50) -> pd.DataFrame:
    """Ranked matches (columns :data:`COLUMNS`), best first; ties by name.

    ``strengths``: dataset, region_id, category_id, lq, stars, employment, year.
    ``names``: category id → name (both datasets). ``origin_country``: ISO 3166 alpha-2.
    """
    return rank(prepare(orgs, strengths), related, names, origin_categories, origin_country, exclude_ids,
                include_same_country, limit)


def rank(prepared: pd.DataFrame, related: pd.DataFrame, names: dict[str, str], origin_categories: list[str],
         origin_country: str | None = None, exclude_ids=(), include_same_country: bool = False,
         limit: int | None = 50) -> pd.DataFrame:
    """:func:`search` on a :func:`prepare`-d frame."""
    if not origin_categories or prepared.empty:
        return pd.DataFrame(columns=COLUMNS)
    link = links(related, list(origin_categories))
    m = prepared[prepared["category_id"].isin(set(link["category_id"]))]
    m = m[~m["id"].isin(set(exclude_ids))]
    if origin_country and not include_same_country:
        m = m[m["country"] != origin_country]
    m = m.merge(link, on="category_id", how="inner")
    if m.empty:
        return pd.DataFrame(columns=COLUMNS)
    strength = (m["lq"].clip(upper=LQ_CAP) / LQ_CAP).fillna(0.0)
    m["score"] = (100 * (W_LINK * m["link"] + W_STRENGTH * strength)).round(1)
    m = m.sort_values(["score", "link", "name"], ascending=[False, False, True])
    m = m.drop_duplicates("id", keep="first")
    if limit:
        m = m.head(limit)
    m = m.assign(category_name=m["category_id"].map(names).fillna(m["category_id"]))
    m["reason"] = [_reason(r, names) for r in m.itertuples(index=False)]
    return m[COLUMNS].reset_index(drop=True)


def _reason(r, names: dict[str, str]) -> str:
    cat = names.get(r.category_id, r.category_id)
    if r.relation == "same":
        what = f"Same category: {cat}."
    else:
        what = (f"Related to {names.get(r.origin_category, r.origin_category)}: {cat} "
                f"(relatedness {ordinal(int(r.percentile))} percentile).")
    if not isinstance(r.region_id, str) or not r.region_id:
        return what + " Region unknown, so its cluster strength is not counted."
    place = f"{r.region_name} ({r.region_id})" if isinstance(r.region_name, str) else r.region_id
    if pd.isna(r.lq):
        return what + f" {place}: no figure for {cat}."
    stars = fmt_stars(r.stars)
    return (what + f" {place}: LQ {fmt_num(r.lq)}{', ' + stars if stars else ''}, "
            f"{fmt_int(r.employment)} employed ({int(r.year)}).")
