"""Europe and the US side by side: per category, how concentrated employment is on each side.

Both sides are read through the serving views (``views.level_table``, ``views.region_indicators``), with
one definition on both: the US portal's LQ (over traded employment for traded categories, local for
local ones: denominator ``traded``) and its "strong cluster" rule (``us-strong``: LQ ≥ the 75th
percentile and ≥ 1, employment and establishments/local units above their 25th percentile, within the
level, category and year).

**Concentration index** (Hoover's coefficient of localisation, Hoover 1936; the locational Gini's
simpler sibling, Krugman 1991):

    H(c) = ½ · Σ_r | E(r, c) / E(c)  −  B(r) / B |

with E(r, c) the category's employment in region r, E(c) = Σ_r E(r, c), B(r) the region's employment
of the category's type (traded or local, the LQ's denominator) and B = Σ_r B(r), over the regions of
the level with both values known (a region whose cell is unknown is left out of every sum, never read
as 0). H = 0: the category is spread exactly like the region's employment of its type; H → 1: it sits
in regions that hold almost none of that employment. H is the share of the category's employment that
would have to move to spread it like the benchmark. It grows with the number of units (more, smaller
regions resolve more concentration), so Europe's 260-odd NUTS 2 regions and 51 US states are not an
equal footing: the page states the units' sizes and offers NUTS 1.

**Strong share**: Σ_r E(r, c)·1[strong(r, c)] ÷ E(c), the share of the category's employment in regions
where it is a strong cluster.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

RULES, DENOMINATOR = "us-strong", "traded"
LEVELS = {"eu": ("nuts2", "nuts1"), "us": ("state",)}
SIDES = ("eu", "us")
SIDE_LABELS = {"eu": "Europe", "us": "United States"}
LATEST = "latest"
ROW_COLUMNS = ["region_id", "region_name", "employment", "lq", "strong", "rated", "employment_imputed", "base"]
SUMMARY_KEYS = ["n_regions", "n_left_out", "employment", "hoover", "strong_share", "n_strong", "imputed_share"]


def hoover(employment, base) -> float:
    """½ Σ |e_r/Σe − b_r/Σb| over the entries where both are known; NaN when either sum is not positive."""
    e = pd.to_numeric(pd.Series(employment), errors="coerce").to_numpy(float)
    b = pd.to_numeric(pd.Series(base), errors="coerce").to_numpy(float)
    ok = np.isfinite(e) & np.isfinite(b)
    e, b = e[ok], b[ok]
    if e.sum() <= 0 or b.sum() <= 0:
        return float("nan")
    return float(0.5 * np.abs(e / e.sum() - b / b.sum()).sum())


def side_years() -> dict:
    """Years with data: ``{"eu": [...], "us": [...], "common": [...]}`` (EU NUTS 2, US states)."""
    from analytics.serving.store import get_store

    eu, us = get_store("eu").level_years("nuts2"), get_store("us").level_years("state")
    return {"eu": list(eu), "us": list(us), "common": sorted(set(eu) & set(us))}


def year_choices() -> list[str]:
    """``latest`` (each side's latest year) and every common year, as strings, newest first after it."""
    return [LATEST] + [str(y) for y in reversed(side_years()["common"])]


def default_year_choice() -> str:
    common = side_years()["common"]
    return str(common[-1]) if common else LATEST


def years_for(choice: str) -> dict[str, int]:
    """The year each side uses: its latest (``latest``) or the common year given."""
    ys = side_years()
    if choice == LATEST:
        return {"eu": ys["eu"][-1], "us": ys["us"][-1]}
    year = int(choice)
    if year not in ys["common"]:
        raise ValueError(f"year {choice!r}: the common years are {', '.join(map(str, ys['common']))}")
    return {"eu": year, "us": year}


def common_categories() -> pd.DataFrame:
    """``category_id, category_name, category_type`` of the categories both datasets have (the EU's names)."""
    from analytics.serving.store import get_store

    eu, us = get_store("eu").categories, get_store("us").categories
    both = eu[eu["category_id"].isin(set(us["category_id"]))]
    return both[["category_id", "category_name", "category_type"]].sort_values("category_name").reset_index(drop=True)


def side_table(dataset: str, level: str, year: int) -> pd.DataFrame:
    """Every region × category of the level and year: :data:`ROW_COLUMNS` + category_id, category_type;
    ``base`` = the region's employment of the category's type (traded or local)."""
    from analytics.serving import views

    t = views.level_table(dataset, level, int(year), rules=RULES, denominator=DENOMINATOR)
    t = t[~t["custom"]] if "custom" in t else t
    ind = views.region_indicators(dataset, level, int(year), rules=RULES, denominator=DENOMINATOR)
    ind = ind[~ind["custom"]].set_index("region_id")
    base = np.where(t["category_type"].eq("local"), t["region_id"].map(ind["local_employment"]),
                    t["region_id"].map(ind["traded_employment"]))
    out = t.assign(base=pd.to_numeric(pd.Series(base, index=t.index), errors="coerce"))
    out["strong"] = out["strong"].fillna(False).astype(bool) if "strong" in out else False
    out["employment_imputed"] = out["employment_imputed"].fillna(False).astype(bool)
    out["rated"] = (out["rated"].fillna(False).astype(bool) if "rated" in out else True) & \
        out["category_type"].eq("traded")  # the strong rule rates traded clusters only
    return out[["category_id", "category_type", *ROW_COLUMNS]].reset_index(drop=True)


def category_rows(dataset: str, level: str, year: int, category_id: str) -> pd.DataFrame:
    """One category's regions (:data:`ROW_COLUMNS`), largest employment first."""
    t = side_table(dataset, level, year)
    rows = t[t["category_id"] == category_id][ROW_COLUMNS]
    return rows.sort_values(["employment", "region_id"], ascending=[False, True], na_position="last",
                            kind="stable").reset_index(drop=True)


def summarise(rows: pd.DataFrame) -> dict:
    """:data:`SUMMARY_KEYS` of one category's regions (``employment``, ``base``, ``strong``, ``rated``,
    ``employment_imputed``). ``imputed_share``: the share of the category's employment in cells with an
    imputed part (EU confidential cells; US withheld NAICS cells); ``strong_share`` is NaN for a category
    the strong rule does not rate (local)."""
    known = rows[rows["employment"].notna() & rows["base"].notna()]
    emp = known["employment"].astype(float)
    total = float(emp.sum())
    return {
        "n_regions": int(len(known)),
        "n_left_out": int(len(rows) - len(known)),
        "employment": total,
        "hoover": hoover(known["employment"], known["base"]),
        "strong_share": float(emp[known["strong"]].sum() / total) if total > 0 and known["rated"].any()
        else float("nan"),  # local categories are not rated: no strong share, not 0
        "n_strong": int(known["strong"].sum()),
        "imputed_share": float(emp[known["employment_imputed"]].sum() / total) if total > 0 else float("nan"),
    }


def category_summary(dataset: str, level: str, year: int, category_id: str) -> dict:
    return summarise(category_rows(dataset, level, year, category_id))


def more_clustered(eu_value: float, us_value: float, tolerance: float = 0.005) -> str | None:
    """"Europe", "United States" or "about equal" (difference under ``tolerance``); None when either is unknown."""
    if not (np.isfinite(eu_value) and np.isfinite(us_value)):
        return None
    if abs(eu_value - us_value) < tolerance:
        return "about equal"
    return SIDE_LABELS["eu"] if eu_value > us_value else SIDE_LABELS["us"]


def concentration_table(year_choice: str, eu_level: str = "nuts2") -> pd.DataFrame:
    """Per category of both datasets: ``eu_``/``us_`` + :data:`SUMMARY_KEYS`, ``more_clustered`` (by H,
    tolerance 0.005) and ``more_strong`` (by the strong share, tolerance 0.5 percentage points)."""
    years = years_for(year_choice)
    cats = common_categories()
    sides = {"eu": side_table("eu", eu_level, years["eu"]), "us": side_table("us", "state", years["us"])}
    rows = []
    for cid, name, ctype in zip(cats["category_id"], cats["category_name"], cats["category_type"]):
        row = {"category_id": cid, "category_name": name, "category_type": ctype}
        for side, t in sides.items():
            row.update({f"{side}_{k}": v for k, v in summarise(t[t["category_id"] == cid]).items()})
        row["more_clustered"] = more_clustered(row["eu_hoover"], row["us_hoover"])
        row["more_strong"] = more_clustered(row["eu_strong_share"], row["us_strong_share"])
        rows.append(row)
    return pd.DataFrame(rows)


def unit_sizes(dataset: str, level: str, year: int) -> dict:
    """Number of regions with employment in ``year``, their median total employment, and the median
    population of the level's regions in the latest year up to ``year`` that has population
    (``population_year``; None when no year has it)."""
    from analytics.serving import views
    from analytics.serving.store import get_store

    ind = views.region_indicators(dataset, level, int(year), rules=RULES, denominator=DENOMINATOR)
    ind = ind[~ind["custom"] & ind["total_employment"].notna()]
    allind = get_store(dataset).indicators
    pop = allind[(allind["level"] == level) & allind["population"].notna()] if "population" in allind else allind[:0]
    before = pop[pop["year"] <= int(year)]
    pop_year = int(before["year"].max()) if len(before) else (int(pop["year"].min()) if len(pop) else None)
    pops = pop[pop["year"] == pop_year]["population"].astype(float) if pop_year is not None else pd.Series(dtype=float)
    return {"n_units": int(len(ind)), "median_employment": float(ind["total_employment"].median()),
            "median_population": float(pops.median()) if len(pops) else float("nan"),
            "n_population": int(len(pops)), "population_year": pop_year}
