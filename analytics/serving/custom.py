"""User-defined categories and regions, recomputed from industry × region employment.

Specs are short strings that fit in a URL and on a command line:

* category: ``Fashion=nace:13,14,15`` · ``Mobility=cat:automotive+aerospace_vehicles_and_defense``
  · both: ``X=cat:apparel;nace:13`` · US: ``Cars=naics:3361,3363`` (a NAICS prefix of 2–6 digits
  takes every 6-digit code under it, in every NAICS vintage).
* region: ``Oresund=DK01+DK02+SE22`` (any mix of levels, without overlaps).

A member given twice (``DK01+DK01``, ``nace:13,C13``, or a category plus one of its own
industries) counts once: repeats are dropped, never added twice.

Metrics of a custom category are computed from the member industries' employment exactly as
for built-in ones (sums first, ratios last, never averaged), against the same benchmark area.
A custom region is the sum of its members' industry facts and totals, for the years in which
every member has data; its stars use the thresholds of the member level's regions.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.metrics.core import add_ranks, compute_metrics
from analytics.metrics.stars import get_rules, lq_column, rate
from analytics.serving.store import base_of

MAX_NAME = 60
MAX_SPEC = 2000
MAX_MEMBERS = 300
CUSTOM_PREFIX = "custom:"


class ValidationError(ValueError):
    """Bad user input; the message is one clear sentence for the UI or the CLI."""


# letters NFKD does not decompose into an ASCII base letter
_TRANSLITERATE = str.maketrans({"Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "ß": "ss",
                                "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Þ": "Th", "þ": "th", "ı": "i"})


def slug(name: str) -> str:
    """'Øresund' → 'oresund', 'Île-de-France+' → 'ile-de-france' (the id part of a custom definition)."""
    text = unicodedata.normalize("NFKD", name.translate(_TRANSLITERATE)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text or "custom"


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("The name is empty: give the definition a name.")
    if len(name) > MAX_NAME:
        raise ValidationError(f"The name is {len(name)} characters long; at most {MAX_NAME} are allowed.")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ValidationError("The name contains control characters.")
    if "=" in name:
        raise ValidationError("The name may not contain '='.")
    return name


def _split_spec(spec: str, what: str) -> tuple[str, str]:
    if not isinstance(spec, str) or not spec.strip():
        raise ValidationError(f"The {what} definition is empty.")
    if len(spec) > MAX_SPEC:
        raise ValidationError(f"The {what} definition is {len(spec)} characters long; at most {MAX_SPEC} are allowed.")
    if "=" not in spec:
        example = "Fashion=nace:13,14,15" if what == "category" else "Oresund=DK01+DK02+SE22"
        raise ValidationError(f"A {what} definition looks like 'Name=…' (e.g. '{example}').")
    name, _, body = spec.partition("=")
    return check_name(name), body.strip()


@dataclass(frozen=True)
class CustomCategory:
    name: str
    dataset: str
    categories: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()  # as written by the user (e.g. "13", "C13", "3361")

    @property
    def category_id(self) -> str:
        return CUSTOM_PREFIX + slug(self.name)

    def spec(self) -> str:
        parts = []
        if self.categories:
            parts.append("cat:" + "+".join(self.categories))
        if self.industries:
            parts.append(("nace:" if base_of(self.dataset) == "eu" else "naics:") + ",".join(self.industries))
        return f"{self.name}=" + ";".join(parts)


@dataclass(frozen=True)
class CustomRegion:
    name: str
    dataset: str
    members: tuple[str, ...]

    @property
    def region_id(self) -> str:
        return CUSTOM_PREFIX + slug(self.name)

    def spec(self) -> str:
        return f"{self.name}=" + "+".join(self.members)


# --- parsing and validation -------------------------------------------------------------

def parse_category(spec: str, store) -> CustomCategory:
    name, body = _split_spec(spec, "category")
    cats: list[str] = []
    inds: list[str] = []
    for part in filter(None, (p.strip() for p in body.split(";"))):
        kind, sep, codes = part.partition(":")
        kind = kind.strip().lower()
        if not sep:
            raise ValidationError(f"'{part}': say what the codes are, e.g. 'cat:apparel' or 'nace:13'.")
        items = [c.strip() for c in re.split(r"[,+\s]+", codes) if c.strip()]
        if kind in ("cat", "category"):
            cats += items
        elif kind in ("nace", "naics", "ind", "industry"):
            expected = "nace" if store.base == "eu" else "naics"
            if kind in ("nace", "naics") and kind != expected:
                raise ValidationError(f"'{kind}' codes belong to the other dataset; {store.meta['label']} uses "
                                      f"{expected} codes.")
            inds += items
        else:
            raise ValidationError(f"Unknown member type '{kind}': use cat:, "
                                  + ("nace:" if store.base == "eu" else "naics:") + " codes.")
    cc = CustomCategory(name, store.dataset, tuple(dict.fromkeys(cats)), tuple(dict.fromkeys(inds)))
    validate_category(cc, store)
    return cc


def validate_category(cc: CustomCategory, store) -> None:
    if not cc.categories and not cc.industries:
        raise ValidationError("The category has no members: add categories or industry codes.")
    if len(cc.categories) + len(cc.industries) > MAX_MEMBERS:
        raise ValidationError(f"Too many members (at most {MAX_MEMBERS}).")
    known = set(store.categories["category_id"])
    unknown = [c for c in cc.categories if c not in known]
    if unknown:
        raise ValidationError(f"Unknown category id(s) in {store.meta['label']}: {', '.join(unknown[:10])}.")
    bad = [code for code in cc.industries if not _resolve_industry(code, store)]
    if bad:
        system = "NACE division" if store.base == "eu" else "NAICS"
        raise ValidationError(f"Unknown {system} code(s): {', '.join(bad[:10])}.")




def _resolve_industry(code: str, store) -> list[str]:
    """Industry keys of the facts tables that a user's code stands for."""
    code = code.strip().upper()
    keys = _industry_keys(store)
    if store.base == "eu":
        digits = code.lstrip("ABCDEFGHIJKLMNOPQRSTU").replace(".", "")
        hit = (keys == code) | ((keys.str[1:] == digits.zfill(2)) if digits.isdigit() else False)
        return list(keys[hit])
    if not (code.isdigit() and 2 <= len(code) <= 6):
        return []
    return list(keys[keys.str.split(":").str[1].str.startswith(code)])


def _industry_keys(store) -> pd.Series:
    """Every industry key of the dataset's definitions and facts (cached on the store)."""
    def load():
        keys = set(store.industries["industry"])
        for level in store.levels:
            keys |= set(store.facts(level)["industry"].cat.categories)
        return pd.Series(sorted(keys), dtype=object)
    return store._held(("industry_keys",), load)


def _members(cc: CustomCategory, store) -> pd.DataFrame:
    ind = store.industries
    names = ind.drop_duplicates("industry").set_index("industry")["industry_name"]
    frames = [pd.DataFrame({"industry": ind.loc[ind["category_id"].isin(cc.categories), "industry"]}).assign(
        via="cat:" + ind.loc[ind["category_id"].isin(cc.categories), "category_id"])]
    for code in cc.industries:
        frames.append(pd.DataFrame({"industry": _resolve_industry(code, store), "via": code}))
    out = pd.concat(frames, ignore_index=True).drop_duplicates("industry")
    out.insert(1, "industry_name", out["industry"].map(names).fillna(""))
    return out.reset_index(drop=True)


def members(cc: CustomCategory, store) -> pd.DataFrame:
    """Member industries: industry (facts key), industry_name, via (the category or code given)."""
    return _members(cc, store).copy()


def category_type(cc: CustomCategory, store) -> str:
    """traded / local when every member industry is of that type, else mixed."""
    ind = store.industries.drop_duplicates("industry")
    types = ind.set_index("industry")["category_type"].reindex(_members(cc, store)["industry"])
    kinds = set(types.fillna("none"))
    if kinds == {"traded"}:
        return "traded"
    if kinds == {"local"}:
        return "local"
    return "mixed"


def parse_region(spec: str, store) -> CustomRegion:
    name, body = _split_spec(spec, "region")
    items = [m.strip() for m in re.split(r"[+,\s]+", body) if m.strip()]
    cr = CustomRegion(name, store.dataset, tuple(dict.fromkeys(items)))
    validate_region(cr, store)
    return cr


def finest_units(region_id: str, store) -> set[str]:
    """The smallest regions a region covers (for overlap checks)."""
    regions = store.regions
    if store.base == "eu":
        n2 = regions.loc[regions["level"] == "nuts2", "region_id"]
        return set(n2[n2.str.startswith(region_id)]) or {region_id}
    level = regions.set_index("region_id")["level"].get(region_id)
    counties = regions.loc[regions["level"] == "county", "region_id"]
    if level == "nation":
        return set(counties)
    if level == "state":
        return set(counties[counties.str.startswith(region_id)])
    if level == "ea":
        em = store.ea_members
        return set(em.loc[em["ea"] == region_id, "county"])
    return {region_id}


def validate_region(cr: CustomRegion, store) -> None:
    if len(cr.members) < 1:
        raise ValidationError("The region has no members: add regions.")
    if len(cr.members) > MAX_MEMBERS:
        raise ValidationError(f"Too many members (at most {MAX_MEMBERS}).")
    known = set(store.regions["region_id"])
    unknown = [m for m in cr.members if m not in known]
    if unknown:
        raise ValidationError(f"Unknown region code(s) in {store.meta['label']}: {', '.join(unknown[:10])}.")
    units = {m: finest_units(m, store) for m in cr.members}
    for i, a in enumerate(cr.members):
        for b in cr.members[i + 1:]:
            if units[a] & units[b]:
                names = store.regions.drop_duplicates("region_id").set_index("region_id")["name"]
                raise ValidationError(f"{a} ({names.get(a, '')}) and {b} ({names.get(b, '')}) overlap, so part of "
                                      "the region would be counted twice: remove one of them.")


# --- metrics ---------------------------------------------------------------------------

def _totals(store) -> pd.DataFrame:
    """E(r) of every region-year (total, traded, local), cached on the store."""
    def load():
        ind = store.indicators
        return ind[["region_id", "year", "total_employment", "traded_employment", "local_employment"]].rename(
            columns={"total_employment": "total", "traded_employment": "traded", "local_employment": "local"})
    return store._held(("custom_totals",), load)


def _bench_for(store, cmap: pd.DataFrame) -> pd.DataFrame:
    f = store.facts(store.meta["benchmark_level"])
    f = f[f["industry"].isin(cmap["industry"])]
    f = f.merge(cmap, on="industry")
    f = f.assign(wage_employment=f["employment"].where(f["payroll"].notna()),
                 payroll=f["payroll"].where(f["employment"].notna()))
    return f.groupby(["category_id", "year"], observed=True)[["employment", "payroll", "wage_employment"]].sum(
        min_count=1).reset_index()


def category_definition(cc: CustomCategory, store) -> tuple[pd.DataFrame, pd.DataFrame]:
    mem = _members(cc, store)
    cmap = pd.DataFrame({"industry": mem["industry"], "category_id": cc.category_id})
    cats = pd.DataFrame([{"category_id": cc.category_id, "category_name": cc.name,
                          "category_type": category_type(cc, store)}])
    return cmap, cats


def category_metrics(cc: CustomCategory, store, levels: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Metrics of a custom category for the given levels (default all), same schema as built-ins."""
    cmap, cats = category_definition(cc, store)
    bc = _bench_for(store, cmap)
    totals = _totals(store)
    bt = store.benchmark_totals
    names = store.regions.drop_duplicates("region_id").set_index("region_id")["name"]
    out = []
    for level in levels or store.levels:
        f = store.facts(level)
        f = f[f["industry"].isin(cmap["industry"])]
        m = compute_metrics(f, cmap, cats, totals, bc, bt)
        m = add_ranks(m)
        m.insert(1, "level", level)
        m.insert(1, "region_name", m["region_id"].map(names))
        out.append(m)
    return pd.concat(out, ignore_index=True)


def region_facts(cr: CustomRegion, store, years: list[int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Summed industry facts and E(r) totals of a custom region (complete years only)."""
    lvl = store.regions.drop_duplicates("region_id").set_index("region_id")["level"]
    parts = []
    for level in dict.fromkeys(lvl[list(cr.members)]):
        mine = [m for m in cr.members if lvl[m] == level]
        rows = store.facts_rows(level)
        idx = np.concatenate([rows.get(m, np.array([], dtype=int)) for m in mine])
        f = store.facts(level).iloc[np.sort(idx)]
        if years is not None:
            f = f[f["year"].isin(years)]
        parts.append(f)
    facts = pd.concat(parts, ignore_index=True)
    facts["industry"] = facts["industry"].astype(object)  # a small subset: plain strings merge fastest
    totals = _totals(store)
    t = totals[totals["region_id"].isin(cr.members)]
    if years is not None:
        t = t[t["year"].isin(years)]
    n_have = t.dropna(subset=["total"]).groupby("year")["region_id"].nunique()
    complete = sorted(int(y) for y, n in n_have.items() if n == len(cr.members))
    facts = facts[facts["year"].isin(complete)]
    g = facts.groupby(["industry", "year"], observed=True)
    summed = g[["employment", "payroll", "units"]].sum(min_count=1)
    summed["employment_imputed"] = g["employment_imputed"].max().astype(bool)
    mc = g["missing_children"].sum() if "missing_children" in facts.columns else 0
    summed["missing_children"] = mc + (g["employment"].size() - g["employment"].count())
    summed = summed.reset_index()
    summed.insert(0, "region_id", cr.region_id)
    tt = t[t["year"].isin(complete)].groupby("year")[["total", "traded", "local"]].sum(min_count=1).reset_index()
    tt.insert(0, "region_id", cr.region_id)
    main_level = lvl[list(cr.members)].value_counts().index[0]
    return summed, tt, main_level


def region_metrics(cr: CustomRegion, store, defs: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                   years: list[int] | None = None) -> pd.DataFrame:
    """All categories × complete years for a custom region (built-in categories unless ``defs``)."""
    facts, totals, main_level = region_facts(cr, store, years)
    if defs is None:
        cmap, cats, bc = _builtin_map(store), store.categories, store.benchmark_categories
    else:
        cmap, cats = defs
        bc = _bench_for(store, cmap)
    m = compute_metrics(facts, cmap, cats, totals, bc, store.benchmark_totals)
    m.insert(1, "level", "custom")
    m.insert(1, "region_name", cr.name)
    m["member_level"] = main_level
    return m


def _builtin_map(store) -> pd.DataFrame:
    def load():
        ind = store.industries
        return ind.loc[ind["category_id"].fillna("") != "", ["industry", "category_id"]].astype(object)
    return store._held(("builtin_map",), load)


def rate_against_level(custom: pd.DataFrame, reference: pd.DataFrame, rules: str, denominator: str,
                       ref_stars: pd.DataFrame | None = None) -> pd.DataFrame:
    """Stars of custom rows, compared with the thresholds of the reference level's regions.

    Thresholds (percentiles) come from ``reference`` only (rated the usual way), so adding a
    custom region never shifts anybody else's stars. ``reference`` must contain the custom
    rows' categories (for a custom category, pass its metrics at the member level).
    """
    rs = get_rules(rules)
    if ref_stars is None:
        ref_stars = rate(reference, rules, denominator)
    thr = [c for c in ref_stars.columns if c.endswith("_threshold")]
    keyed = ref_stars[thr].assign(category_id=reference["category_id"].to_numpy(), year=reference["year"].to_numpy())
    per_cat = keyed.groupby(["category_id", "year"])[thr].first().reset_index()
    cm = custom.reset_index(drop=True)
    c = cm[["category_id", "year"]].merge(per_cat, on=["category_id", "year"], how="left")
    lq = cm[lq_column(denominator)]
    rated = cm["category_type"].isin(rs.rated_types)
    out = pd.DataFrame(index=cm.index)
    out["rated"] = rated
    for col in thr:
        out[col] = c[col]
    if rules == "eco2008":
        out["star_size"] = rated & (cm["employment"] > 0) & (cm["employment"] >= c["size_threshold"])
        out["star_specialisation"] = rated & (lq >= rs.lq_min)
        out["star_focus"] = rated & (cm["employment"] > 0) & (cm["focus"] >= c["focus_threshold"])
        stars = out[["star_size", "star_specialisation", "star_focus"]].sum(axis=1).astype("Int8")
    else:
        out["star_specialisation"] = rated & (lq >= c["lq_threshold"]) & (lq >= rs.lq_min)
        out["star_size"] = rated & (cm["employment"] > c["size_threshold"]) & (cm["units"] > c["units_threshold"])
        out["star_focus"] = pd.NA
        out["strong"] = out["star_specialisation"] & out["star_size"]
        out["top_strong"] = out["strong"] & (lq >= c["top_lq_threshold"])
        stars = (out["strong"].astype("int8") + out["top_strong"].astype("int8")).astype("Int8")
    out["stars"] = stars.where(rated & cm["employment"].notna())  # unknown employment: not rated
    return out


def region_table(cr: CustomRegion, store, year: int, rules: str | None = None,
                 denominator: str | None = None) -> pd.DataFrame:
    """A custom region's portfolio for one year with stars, like ``Store.table`` rows."""
    rules = rules or store.meta["default_rules"]
    denominator = denominator or store.meta["default_denominator"]
    m = region_metrics(cr, store, years=[year]).reset_index(drop=True)
    if m.empty:
        return m
    level = m["member_level"].iloc[0]
    ref = store.table(level, year, rules, denominator)
    stars = rate_against_level(m, ref, rules, denominator, ref)
    out = pd.concat([m, stars.drop(columns=[c for c in stars.columns if c in m.columns])], axis=1)
    out["lq"] = out["lq_total" if denominator == "total" else "lq_type"]
    return out


def years_complete(cr: CustomRegion, store) -> list[int]:
    _, totals, _ = region_facts(cr, store)
    return sorted(int(y) for y in totals["year"])




def rate_category(rows: pd.DataFrame, store, level: str, rules: str, denominator: str) -> pd.DataFrame:
    """Stars of a custom category's rows (one level): its own per-category percentiles, and for
    ECO 2008 the focus threshold of the level's built-in regional clusters (the usual pool), so
    a custom copy of a built-in category is rated exactly like the original."""
    own = rate(rows, rules, denominator)
    if rules != "eco2008":
        return own
    pool = store.level_metrics(level)
    thr = get_rules(rules).focus_thresholds(pool[pool["year"].isin(rows["year"].unique())])
    focus_thr = rows["year"].map(thr).to_numpy(dtype=float)
    rated = own["rated"]
    own["focus_threshold"] = focus_thr
    own["star_focus"] = rated & (rows["employment"] > 0) & (rows["focus"] >= focus_thr)
    stars = own[["star_size", "star_specialisation", "star_focus"]].sum(axis=1).astype("Int8")
    own["stars"] = stars.where(rated & rows["employment"].notna())
    return own


def custom_table(store, level: str, year: int, rules: str | None = None, denominator: str | None = None,
                 cc: CustomCategory | None = None, cr: CustomRegion | None = None) -> pd.DataFrame:
    """Rows like ``Store.table`` for a custom category (all regions of ``level``), a custom region
    (all built-in categories), or both (the custom region in the custom category)."""
    rules = rules or store.meta["default_rules"]
    denominator = denominator or store.meta["default_denominator"]
    if cr is None and cc is None:
        return store.table(level, year, rules, denominator)
    if cr is None:
        rows = category_metrics(cc, store, (level,))
        rows = rows[rows["year"] == year].reset_index(drop=True)
        stars = rate_category(rows, store, level, rules, denominator)
    else:
        if cc is None:
            return region_table(cr, store, year, rules, denominator)
        defs = category_definition(cc, store)
        rows = region_metrics(cr, store, defs, years=[year]).reset_index(drop=True)
        if rows.empty:
            return rows
        ref_level = rows["member_level"].iloc[0]
        ref = category_metrics(cc, store, (ref_level,))
        ref = ref[ref["year"] == year].reset_index(drop=True)
        ref_stars = rate_category(ref, store, ref_level, rules, denominator)
        stars = rate_against_level(rows, ref, rules, denominator, ref_stars)
    out = pd.concat([rows, stars.drop(columns=[c for c in stars.columns if c in rows.columns])], axis=1)
    out["lq"] = out[lq_column(denominator)]
    return out
