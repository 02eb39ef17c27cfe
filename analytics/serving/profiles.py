"""What the region, category and methodology pages show, shaped from the views (pure pandas, no Dash).

The numbers come from :mod:`analytics.serving.views` (and through it from ``analytics.metrics``);
the functions here select and arrange them: key figures with ranks, a region's portfolio with
the star criteria met, the bubble chart's frame, top regions, member industries, the
data-quality tables. Most take plain tables, so they are unit-tested on hand-made fixtures
(``tests/test_profiles.py``).

Ranks are 1 = highest, ties share the best rank (``method="min"``), and are taken among
the regions of the same level and year that have a value; the count of those regions is
always returned with the rank ("12th of 241").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.metrics.related import diversification, related_categories
from analytics.serving.formats import (
    fmt_int,
    fmt_num,
    fmt_pct,
    fmt_signed_pct,
    fmt_stars,
    is_missing,
    ordinal,
    rank_text,
)
from analytics.serving.store import base_of

# ---------------------------------------------------------------- ranks and small formats


def _isnan(x) -> bool:
    return is_missing(x)


def short_name(name: str, short: str | None = None) -> str:
    """A label for crowded charts: the dataset's short name if it has one, else a shortened name.

    'Information Technology and Analytical Instruments' → 'Information Technology';
    'Oil and Gas Production and Transportation' → 'Oil and Gas Production'; 'Local Hospitality
    Establishments' → 'Hospitality Establishments'.
    """
    if isinstance(short, str) and short.strip() and short.strip() != "0":
        return short.strip()
    s = re.sub(r"^Local ", "", str(name))
    parts = re.split(r",| and ", s)
    out = parts[0].strip()
    if len(out) < 6 and len(parts) > 1:
        out = f"{out} and {parts[1].strip()}"
    return out


# ---------------------------------------------------------------- regions


def region_row(regions: pd.DataFrame, region_id: str) -> dict | None:
    """The region's row (region_id, name, level, country, parent_id, …) as a dict, or None."""
    r = regions[regions["region_id"] == region_id]
    return None if r.empty else r.iloc[0].to_dict()


def breadcrumbs(regions: pd.DataFrame, region_id: str, max_depth: int = 10) -> list[dict]:
    """Ancestors of the region, top first (e.g. country → NUTS 1), without the region itself."""
    by_id = regions.drop_duplicates("region_id").set_index("region_id")
    out: list[dict] = []
    cur = region_id
    for _ in range(max_depth):
        if cur not in by_id.index:
            break
        parent = by_id.at[cur, "parent_id"]
        if not isinstance(parent, str) or not parent or parent == cur or parent not in by_id.index:
            break
        out.append({"region_id": parent, "name": by_id.at[parent, "name"], "level": by_id.at[parent, "level"]})
        cur = parent
    return out[::-1]


KEY_FIGURES = [  # (key, label, unit, kind); the GDP label and unit come from the dataset
    ("total_employment", "Employment", None, "int"),
    ("gdp", None, None, "money"),
    ("cluster_strength", "Cluster strength", "share of employment in traded categories with LQ > 2", "pct"),
    ("cluster_strength_us", "Cluster strength (US variant)", "strong traded clusters' share of traded employment",
     "pct"),
    ("n_starred", "Starred clusters", "regional clusters with at least one star", "int"),
    ("total_growth", "Employment growth", "CAGR of total employment, % per year", "signed_pct"),
]


def key_figures(row: dict | None, gdp: tuple[str, str, str] | None = None,
                employment_unit: str = "persons employed", custom: bool = False) -> list[dict]:
    """The region's headline numbers with their rank among regions of the same level and year.

    ``row``: the region's row of ``views.region_indicators`` (values and ``<measure>_rank`` /
    ``<measure>_n``). ``gdp``: (indicator column, label, unit) or None when the dataset has none.
    A custom region's rank says where it would rank. Returns dicts: key, label, value, unit,
    rank, n, rank_text, kind.
    """
    row = row or {}
    out = []
    for key, label, unit, kind in KEY_FIGURES:
        col = key
        if key == "gdp":
            if gdp is None:
                continue
            col, label, unit = gdp
        if key == "total_employment":
            unit = employment_unit
        if key == "total_growth" and row.get("start_year") is not None and not is_missing(row.get("start_year")):
            label = f"Employment growth {int(row['start_year'])}–{int(row['year'])}"
        value = row.get(col)
        rank, n = row.get(f"{col}_rank"), row.get(f"{col}_n")
        rank = None if is_missing(rank) else int(rank)
        n = None if is_missing(n) else int(n)
        text = rank_text(rank, n)
        if custom and rank is not None:
            text = "would rank " + text
        out.append({"key": key, "label": label, "value": None if is_missing(value) else float(value), "unit": unit,
                    "rank": rank, "n": n, "rank_text": text, "kind": kind})
    return out


# ---------------------------------------------------------------- the region's portfolio


def _fmt(x, digits=2) -> str:
    return fmt_num(x, digits)


def _pctf(x, digits=1) -> str:
    return fmt_pct(x, digits)


def _true(x) -> bool:
    """True for a set flag; False for False, None, NA and NaN."""
    return x is not None and x is not pd.NA and not _isnan(x) and bool(x)


def _pctile(q: float) -> str:
    return f"{ordinal(round(q * 100))} percentile"


def criteria_met(row, rules) -> str:
    """Which star criteria a regional cluster meets and by how much, e.g. 'LQ 5.25 ≥ 2'.

    ``row``: one row of ``Store.table`` (a Series or dict; the thresholds the cluster was
    compared with are columns); ``rules``: the rule-set object (``analytics.metrics.stars.RULE_SETS[name]``).
    """
    g = row.get
    if ("rated" in row and not _true(g("rated"))) or g("stars") is None or _isnan(g("stars")):
        return "not rated (local category)"
    parts = []
    pct = getattr(rules, "lq_pct", None)
    if _true(g("star_specialisation")):
        if pct is not None:
            parts.append(f"LQ {_fmt(g('lq'))} ≥ {_fmt(g('lq_threshold'))} ({_pctile(pct)}) "
                         f"and ≥ {rules.lq_min:g}")
        else:
            parts.append(f"LQ {_fmt(g('lq'))} ≥ {rules.lq_min:g}")
    if _true(g("star_size")):
        if getattr(rules, "size_pct", None) is not None:
            s = (f"employment {_fmt(g('employment'), 0)} > {_fmt(g('size_threshold'), 0)} "
                 f"({_pctile(rules.size_pct)})")
            if "units_threshold" in row and not _isnan(g("units_threshold")):
                s += f" and units {_fmt(g('units'), 0)} > {_fmt(g('units_threshold'), 0)}"
            parts.append(s)
        else:
            top = getattr(rules, "size_top_share", 0.1)
            parts.append(f"employment {_fmt(g('employment'), 0)} ≥ {_fmt(g('size_threshold'), 0)} "
                         f"(top {top * 100:g} %)")
    if _true(g("star_focus")):
        top = getattr(rules, "focus_top_share", 0.1)
        parts.append(f"focus {_pctf(g('focus'))} ≥ {_pctf(g('focus_threshold'))} (top {top * 100:g} %)")
    if _true(g("top_strong")) and pct is not None:
        parts.append(f"top strong: LQ ≥ {_fmt(g('top_lq_threshold'))} ({_pctile(rules.top_lq_pct)})")
    return "; ".join(parts) if parts else "none"


def flags_text(row) -> str:
    """'imputed', 'incomplete (2 industries missing)', both, or ''."""
    out = []
    if bool(row.get("employment_imputed", False)):
        out.append("imputed")
    mp = row.get("missing_parts", 0)
    if mp is not None and not _isnan(mp) and int(mp) > 0:
        out.append(f"incomplete ({int(mp)} {'industry' if int(mp) == 1 else 'industries'} missing)")
    return ", ".join(out)


def stars_text(stars) -> str:
    """'★★' for 2 stars, '' for 0 or not rated."""
    return fmt_stars(stars)


PORTFOLIO_COLUMNS = ["category_id", "category_name", "category_type", "employment", "lq", "focus", "size_share",
                     "avg_wage", "rel_wage", "cagr", "abs_change", "stars", "stars_text", "criteria", "flags"]


def portfolio(table: pd.DataFrame, region_id: str, rules) -> pd.DataFrame:
    """The region's categories: metrics, growth, stars and the criteria met, starred first.

    ``table``: ``Store.table(level, year, rules, denominator, start_year)``; ``cagr`` and
    ``abs_change`` are NaN when no start year was given.
    """
    r = table[table["region_id"] == region_id].copy()
    for col in ("cagr", "abs_change"):
        if col not in r:
            r[col] = np.nan
    r["criteria"] = [criteria_met(row, rules) for _, row in r.iterrows()]
    r["flags"] = [flags_text(row) for _, row in r.iterrows()]
    r["stars"] = pd.to_numeric(r["stars"], errors="coerce")
    r["stars_text"] = r["stars"].map(stars_text)
    r = r.sort_values(["stars", "employment"], ascending=[False, False], na_position="last")
    return r[PORTFOLIO_COLUMNS].reset_index(drop=True)


def bubble_frame(table: pd.DataFrame, metrics_level: pd.DataFrame, region_id: str, start: int,
                 categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """Traded categories of the region with employment > 0: LQ, CAGR, change in share, label.

    ``share_change`` is the change of the region's share of the category's benchmark-area
    employment (size share) between ``start`` and the table's year, in percentage points.
    """
    r = table[(table["region_id"] == region_id) & (table["category_type"] == "traded") & (table["employment"] > 0)]
    r = r.copy()
    s0 = metrics_level[(metrics_level["region_id"] == region_id) & (metrics_level["year"] == start)]
    r = r.merge(s0[["category_id", "size_share"]].rename(columns={"size_share": "share_start"}),
                on="category_id", how="left")
    r["share_change"] = (r["size_share"] - r["share_start"]) * 100
    shorts = {}
    if categories is not None and "short_name" in categories.columns:
        shorts = categories.set_index("category_id")["short_name"].to_dict()
    r["label"] = [short_name(n, shorts.get(c)) for c, n in zip(r["category_id"], r["category_name"])]
    r["stars"] = pd.to_numeric(r["stars"], errors="coerce").fillna(0).astype(int)
    if "cagr" not in r:
        r["cagr"] = np.nan
    return r[["category_id", "category_name", "label", "employment", "lq", "cagr", "share_change",
              "size_share", "stars"]].reset_index(drop=True)


def diversification_opportunities(related: pd.DataFrame, table: pd.DataFrame, region_id: str,
                                  top: int = 10) -> pd.DataFrame:
    """Categories related to the region's starred ones but not starred themselves.

    Uses :func:`analytics.metrics.related.diversification` (relatedness density, 0–100); the ids in
    ``related_to`` are replaced by category names.
    """

    r = table[table["region_id"] == region_id]
    stars = pd.to_numeric(r["stars"], errors="coerce").fillna(0)
    strong = set(r.loc[stars > 0, "category_id"])
    out = diversification(related, r, strong, top=top)
    names = table.drop_duplicates("category_id").set_index("category_id")["category_name"].to_dict()
    out["related_to"] = out["related_to"].map(
        lambda s: ", ".join(names.get(x.strip(), x.strip()) for x in str(s).split(",")) if isinstance(s, str) else s)
    return out


# ---------------------------------------------------------------- categories


def top_regions(table: pd.DataFrame, category_id: str, n: int = 20) -> pd.DataFrame:
    """The ``n`` regions with most employment in the category: rank, name, employment, LQ, stars."""
    c = table[(table["category_id"] == category_id) & (table["employment"] > 0)].copy()
    c = c.sort_values(["employment", "region_id"], ascending=[False, True]).head(n)
    c["rank"] = c["employment"].rank(ascending=False, method="min").astype(int)
    c["stars"] = pd.to_numeric(c["stars"], errors="coerce")
    c["stars_text"] = c["stars"].map(stars_text)
    cols = ["rank", "region_id", "region_name", "employment", "lq", "size_share", "focus", "stars", "stars_text"]
    return c[cols].reset_index(drop=True)


def industry_employment(bench_facts: pd.DataFrame, year: int) -> pd.Series:
    """Employment per industry in the benchmark area in ``year`` (sum over the regions; NaN = none known)."""
    f = bench_facts[bench_facts["year"] == year]
    return f.groupby("industry")["employment"].sum(min_count=1)


def member_industries(industries: pd.DataFrame, bench_facts: pd.DataFrame, category_id: str,
                      year: int) -> pd.DataFrame:
    """industry code, name, benchmark-area employment in ``year`` and share of the category.

    Datasets whose industry table lists several classification vintages (``vintage``
    column, US NAICS) keep only the codes present in that year's data.
    """
    ind = industries[industries["category_id"] == category_id].copy()
    emp = industry_employment(bench_facts, year)
    if "vintage" in ind.columns:
        ind = ind[ind["industry"].isin(emp.index)]
    ind["employment"] = ind["industry"].map(emp)
    total = ind["employment"].sum(min_count=1)
    ind["share"] = ind["employment"] / total if total and not _isnan(total) else np.nan
    code = ind["naics"] if "naics" in ind.columns else ind["industry"]
    out = pd.DataFrame({"industry": code.astype(str), "industry_name": ind["industry_name"],
                        "employment": ind["employment"], "share": ind["share"]})
    return out.sort_values("industry").reset_index(drop=True)


def category_subclusters(subclusters: pd.DataFrame, category_id: str) -> pd.DataFrame:
    """The category's subclusters with their member industries (US); 'inferred' marks helper inferences."""
    s = subclusters[subclusters["category_id"] == category_id].copy()
    s["sub_sort"] = pd.to_numeric(s["sub_code"], errors="coerce")
    s = s.sort_values(["sub_sort", "sub_code", "industry"])
    return s[["sub_code", "sub_name", "industry", "industry_name", "inferred"]].reset_index(drop=True)


def related_table(related: pd.DataFrame, category_id: str, available: set[str] | None = None,
                  top: int = 10) -> pd.DataFrame:
    """Related categories, strongest first: related_id, related_name, strength, percentile, related_90."""

    return related_categories(related, category_id, available, top=top)[
        ["related_id", "related_name", "strength", "percentile", "related_90"]]


# ---------------------------------------------------------------- data-quality report


def is_year_keyed(v) -> bool:
    return isinstance(v, dict) and bool(v) and all(str(k).isdigit() and len(str(k)) == 4 for k in v)


def quality_per_year(q: dict) -> pd.DataFrame:
    """Every year-keyed entry of the quality report side by side: year + one column per entry.

    EU: regions with data on the map / in the source file, imputed share of employment; US:
    states, counties and economic areas with data, imputed share, withheld cells, coverage.
    Shares stay fractions (0–1).
    """
    cols = {k: v for k, v in q.items() if is_year_keyed(v)}
    if not cols:
        return pd.DataFrame()
    df = pd.DataFrame({k: {int(y): x for y, x in v.items()} for k, v in cols.items()})
    return df.sort_index().rename_axis("year").reset_index()


def imputed_share_frame(q: dict) -> pd.DataFrame:
    """Share of employment imputed (%), per country × year (EU) or per year (US)."""
    v = q.get("imputed_share")
    if isinstance(v, list) and v:
        from analytics.serving.quality import imputed_share_table

        t = imputed_share_table(q)
        t.columns = [str(c) for c in t.columns]
        return t.reset_index()
    if isinstance(v, dict) and v:
        return pd.DataFrame({"year": [int(y) for y in v], "imputed share (%)": [round(x * 100, 2) for x in v.values()]})
    return pd.DataFrame()


# ---------------------------------------------------------------- region context


@dataclass(frozen=True)
class ContextIndicator:
    """One context indicator of a dataset: how it is labelled, formatted, ranked and credited.

    ``kind``: int | pct | signed_pct (values of pct kinds are percentages as published, 4.3 = 4.3 %);
    ranks are 1 = highest unless ``higher_is_better`` is False (then 1 = lowest)."""
    key: str
    label: str
    unit: str
    kind: str
    source: str
    digits: int = 1
    higher_is_better: bool = True


# The one declaration of the context indicators (keys as written by analytics/sources/*/…context).
CONTEXT_INDICATORS: dict[str, tuple[ContextIndicator, ...]] = {
    "eu": (
        ContextIndicator("gdp_pc_pps", "GDP per capita", "PPS per inhabitant (EU27 2020 purchasing power)", "int",
                         "Source: Eurostat, nama_10r_3gdp (GDP per inhabitant in PPS)"),
        ContextIndicator("gdp_growth", "Real GDP growth", "% change on the previous year (volume)", "signed_pct",
                         "Source: Eurostat, nama_10r_2gvagr (real GDP, index 2015 = 100)"),
        ContextIndicator("population", "Population", "persons on 1 January", "int",
                         "Source: Eurostat, tgs00096 (population on 1 January); 2008–2010 from the NUTS 2016 "
                         "extract; NUTS 1 and countries: sums of their NUTS 2 regions"),
        ContextIndicator("patents", "Patent applications", "EPO applications by priority year", "int",
                         "Source: Eurostat, tgs00040 (EPO patent applications; the regional series ends in 2012); "
                         "NUTS 1 and countries: sums of their NUTS 2 regions"),
        ContextIndicator("rd_intensity", "R&D intensity", "R&D expenditure (GERD, all sectors), % of GDP", "pct",
                         "Source: Eurostat, tgs00042 (GERD by NUTS 2 region, % of GDP)", digits=2),
        ContextIndicator("unemployment", "Unemployment rate", "% of the labour force", "pct",
                         "Source: Eurostat, tgs00010 (unemployment rate by NUTS 2 region)", higher_is_better=False),
    ),
    "us": (
        ContextIndicator("gdp_pc_real", "Real GDP per capita", "chained 2012 USD per inhabitant", "int",
                         "Source: BEA, SAGDP9N (real GDP by state) ÷ U.S. Census Bureau population estimates"),
        ContextIndicator("gdp_growth", "Real GDP growth", "% change on the previous year", "signed_pct",
                         "Source: BEA, SAGDP9N (real GDP by state, chained 2012 dollars)"),
        ContextIndicator("gdp_real", "Real GDP", "million chained 2012 USD", "int",
                         "Source: BEA, SAGDP9N (real GDP by state, all industry total)"),
        ContextIndicator("population", "Population", "persons (Census estimate)", "int",
                         "Source: U.S. Census Bureau, population estimates by state, 2000–2011"),
        ContextIndicator("patents", "Utility patents", "grants, by the first-named inventor's county", "int",
                         "Source: USPTO, Patenting by geographic area (utility patent grants by county; states "
                         "and the nation: sums of their counties)"),
    ),
}

# What the data do not hold, said once under the cards: dataset → level ("*": every level) → text.
_EU_RATES = ("R&D intensity and the unemployment rate are published for NUTS 2 regions only in these data: "
             "this level has no such cards (rates are not averaged from the regions).")
CONTEXT_ABSENT = {
    "eu": {"nuts1": _EU_RATES, "country": _EU_RATES},
    "us": {"*": "The US data hold no unemployment rate and no R&D spending, so those cards are absent; counties "
                "and economic areas: patents (counties) only, as the data hold no county GDP and no county or "
                "economic-area population series."},
}


def context_absent(dataset: str, level: str) -> str | None:
    """The one-line note on the context indicators the data do not hold for this level (or None)."""
    notes = CONTEXT_ABSENT.get(base_of(dataset), {})
    return notes.get(level, notes.get("*"))


def _context_text(kind: str, value, digits: int) -> str:
    if kind == "pct":
        return fmt_pct(None if is_missing(value) else value / 100, digits)
    if kind == "signed_pct":
        return fmt_signed_pct(None if is_missing(value) else value / 100, digits)
    return fmt_int(value)


def region_context(table: pd.DataFrame, dataset: str, region_id: str, year: int | None) -> list[dict]:
    """The region's context cards for ``year``: one dict per indicator the region has a value for.

    ``table``: ``Store.context`` (region_id, level, indicator, year, value; no row = missing).
    Each dict: key, label, unit, kind, value, value_text, value_year (``year`` when it has a value,
    else the latest earlier year with one, else the latest year), year_note (why another year, or
    None), range_text (the region's lowest to highest value), series {"years", "values"} over every year the indicator has in the table (None = gap,
    never 0), rank and n among the regions of the same level with a value in ``value_year``
    (1 = highest, or lowest where higher is not better), rank_text and source.
    """
    mine = table[table["region_id"] == region_id]
    if mine.empty:
        return []
    level = mine["level"].iloc[0]
    out = []
    for ind in CONTEXT_INDICATORS.get(base_of(dataset), ()):
        own = mine[mine["indicator"] == ind.key].set_index("year")["value"]
        if own.empty:
            continue
        all_years = table.loc[table["indicator"] == ind.key, "year"]
        years = list(range(int(all_years.min()), int(all_years.max()) + 1))
        have = sorted(int(y) for y in own.index)
        if year is not None and int(year) in have:
            vy, note = int(year), None
        else:
            earlier = [y for y in have if year is not None and y < int(year)]
            vy = earlier[-1] if earlier else have[-1]
            note = (f"{vy}: the latest year with a value" + (f" (none in {year})" if year is not None else "")
                    if earlier or year is None else f"{vy}: no value in {year} or before")
        peers = table[(table["indicator"] == ind.key) & (table["level"] == level) & (table["year"] == vy)]
        ranks = peers["value"].rank(ascending=not ind.higher_is_better, method="min")
        rank = int(ranks[peers["region_id"] == region_id].iloc[0])
        n = len(peers)
        text = rank_text(rank, n) + ("" if ind.higher_is_better else " (1 = lowest)")
        value = float(own.loc[vy])
        low, high = float(own.min()), float(own.max())
        out.append({"key": ind.key, "label": ind.label, "unit": ind.unit, "kind": ind.kind, "value": value,
                    "value_text": _context_text(ind.kind, value, ind.digits), "value_year": vy, "year_note": note,
                    "range_text": f"{_context_text(ind.kind, low, ind.digits)} to "
                                  f"{_context_text(ind.kind, high, ind.digits)}",
                    "series": {"years": years, "values": [float(own.loc[y]) if y in own.index else None
                                                          for y in years]},
                    "rank": rank, "n": n, "rank_text": text, "level": level, "source": ind.source})
    return out
