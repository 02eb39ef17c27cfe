"""Build the European dataset: SBS cells → imputed, NUTS 2021 industry facts at every level.

Steps: read SBS (employment, wages, local units), impute confidential/missing NUTS 2 cells
from parent remainders (:mod:`analytics.sources.eu.imputation`), recode NUTS 2 codes to NUTS 2021
(:mod:`analytics.sources.eu.nuts`), keep the building-block industries (NACE divisions and S95), and sum
NUTS 2 into NUTS 1 and countries. A NUTS 1 or country total is only given for a year when
every one of its NUTS 2 regions (on the 2021 map, within the data's countries) has data;
otherwise it is reported as incomplete, never as a smaller total.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.sources.eu import sources as src
from analytics.sources.eu.imputation import impute_from_parents
from analytics.sources.eu.nuts import load_changes, recode_table

LEVELS = ("nuts2", "nuts1", "country")
BLOCK = r"^([B-N]\d\d|S95)$"  # NACE divisions of the business economy, plus S95


def read_geo_regions(raw: Path) -> pd.DataFrame:
    """NUTS 2021 regions of the map (levels 0–2): region_id, name, level, country, parent_id."""
    rows = []
    for level, rel in src.GEO_FILES.items():
        with open(src.require(raw, rel), encoding="utf-8") as fh:
            for f in json.load(fh)["features"]:
                p = f["properties"]
                rid = p["NUTS_ID"]
                parent = {"country": None, "nuts1": rid[:2], "nuts2": rid[:3]}[level]
                rows.append({"region_id": rid, "name": p.get("NAME_LATN") or p.get("NUTS_NAME"),
                             "level": level, "country": rid[:2], "parent_id": parent})
    return pd.DataFrame(rows)


def _impute_indicator(cells: pd.DataFrame, weights: pd.DataFrame) -> pd.DataFrame:
    imputed = impute_from_parents(cells[["geo", "nace", "year", "value"]], weights)
    imputed["flag"] = cells["flag"].to_numpy()
    return imputed


def build_eu(raw: Path, progress=print) -> dict[str, pd.DataFrame | dict]:
    """Return the European tables: facts per level, regions, totals, quality report."""
    src.check_inputs(raw)
    progress("eu: reading SBS (employment, wages, local units)")
    sbs = src.read_sbs(raw)
    sbs = sbs[sbs["nace"].str.match(BLOCK)]
    weights = src.read_lfs_employment(raw)
    progress("eu: imputing confidential cells from parent remainders")
    parts = {}
    for indicator, cells in sbs.groupby("indicator"):
        parts[indicator] = _impute_indicator(cells.reset_index(drop=True), weights)
    nuts2_codes = sorted({g for g in sbs["geo"].unique() if len(g) == 4})

    progress("eu: recoding NUTS 2 codes to NUTS 2021")
    geo = read_geo_regions(raw)
    data_countries = {c[:2] for c in nuts2_codes}
    targets = set(geo.loc[geo["level"] == "nuts2", "region_id"])
    recode = recode_table(nuts2_codes, targets, load_changes(raw))
    extra = recode["code"].str.endswith("Z")
    recode.loc[extra, ["target", "method", "reason"]] = [np.nan, "unmatched", "extra-regio (no territory)"]

    facts = _nuts2_facts(parts, recode)
    regions = geo[geo["country"].isin(data_countries)].reset_index(drop=True)
    coverage = _coverage(facts, regions)
    levels = {"nuts2": facts}
    for level in ("nuts1", "country"):
        levels[level] = _aggregate(facts, regions, level, coverage)
    quality = _quality(parts, recode, facts, regions, coverage, sbs)
    return {"facts": levels, "regions": regions, "recode": recode, "quality": quality}


def _nuts2_facts(parts: dict[str, pd.DataFrame], recode: pd.DataFrame) -> pd.DataFrame:
    emp = parts["employment"]
    base = emp[emp["geo"].str.len() == 4][["geo", "nace", "year", "value", "imputed", "flag"]]
    base = base.rename(columns={"value": "employment", "imputed": "employment_imputed", "flag": "employment_flag"})
    for ind, col in (("wages_meur", "payroll"), ("local_units", "units")):
        p = parts[ind]
        p = p[p["geo"].str.len() == 4][["geo", "nace", "year", "value", "imputed"]]
        p = p.rename(columns={"value": col, "imputed": f"{col}_imputed"})
        base = base.merge(p, on=["geo", "nace", "year"], how="left")
    base["payroll"] = base["payroll"] * 1e6  # million EUR → EUR
    base = base.merge(recode[["code", "target", "method"]], left_on="geo", right_on="code", how="inner")
    base = base[base["target"].notna()]
    # a region-year counts only when it has at least one value (published or imputed)
    has = base.groupby(["geo", "year"])["employment"].transform("count") > 0
    base = base[has]
    # merged old regions: the sum is exact only when every part has data that year
    parts_needed = recode[recode["method"] == "merged"].groupby("target")["code"].nunique()
    parts_have = base[base["method"] == "merged"].groupby(["target", "year"])["geo"].nunique()
    incomplete = [
        (t, y) for (t, y), n in parts_have.items() if n < parts_needed.get(t, 0)
    ]
    if incomplete:
        bad = pd.MultiIndex.from_tuples(incomplete, names=["target", "year"])
        base = base[~pd.MultiIndex.from_frame(base[["target", "year"]]).isin(bad)]
    for col in ("employment_imputed", "payroll_imputed", "units_imputed"):
        base[col] = base[col].fillna(False).astype(bool)
    cols = ["employment", "employment_imputed", "employment_flag", "payroll", "payroll_imputed",
            "units", "units_imputed"]
    single = base[base["method"] != "merged"][["target", "nace", "year", *cols]]
    merged = base[base["method"] == "merged"]
    if not merged.empty:
        g = merged.groupby(["target", "nace", "year"])
        sums = g[["employment", "payroll", "units"]].sum(min_count=1)
        complete = g[["employment", "payroll", "units"]].count().eq(g.size(), axis=0)
        sums = sums.where(complete)  # a merged total with a missing part is missing
        flags = g[["employment_imputed", "payroll_imputed", "units_imputed"]].max()
        flag_txt = g["employment_flag"].agg(lambda s: "".join(sorted(set("".join(s)))))
        merged = pd.concat([sums, flags, flag_txt], axis=1).reset_index()
        single = pd.concat([single, merged[single.columns]], ignore_index=True)
    agg = single.sort_values(["target", "nace", "year"]).reset_index(drop=True)
    agg = agg.rename(columns={"target": "region_id", "nace": "industry"})
    agg["year"] = agg["year"].astype("int16")
    return agg


def _coverage(facts: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """NUTS 2 regions of the map × years: has data or not."""
    years = sorted(facts["year"].unique())
    n2 = regions[regions["level"] == "nuts2"][["region_id", "country", "parent_id"]]
    grid = n2.merge(pd.DataFrame({"year": years}), how="cross")
    have = facts.groupby(["region_id", "year"])["employment"].count().gt(0).rename("has_data").reset_index()
    grid = grid.merge(have, on=["region_id", "year"], how="left")
    grid["has_data"] = grid["has_data"].fillna(False).astype(bool)
    return grid


def _aggregate(facts: pd.DataFrame, regions: pd.DataFrame, level: str, coverage: pd.DataFrame) -> pd.DataFrame:
    parent_col = "parent_id" if level == "nuts1" else "country"
    cov = coverage.groupby([parent_col, "year"])["has_data"].agg(["all", "size", "sum"]).reset_index()
    complete = cov[cov["all"]][[parent_col, "year"]].rename(columns={parent_col: "region_id"})
    f = facts.copy()
    f["region_id"] = f["region_id"].str[:3] if level == "nuts1" else f["region_id"].str[:2]
    g = f.groupby(["region_id", "industry", "year"], sort=True)
    out = g[["employment", "payroll", "units"]].sum(min_count=1)
    out = out.join(g[["employment_imputed", "payroll_imputed", "units_imputed"]].max())
    # cells of member regions still missing after imputation: the sum above is incomplete
    out["missing_children"] = g["employment"].size() - g["employment"].count()
    out = out.reset_index()
    return out.merge(complete, on=["region_id", "year"], how="inner")


def _quality(parts, recode, facts, regions, coverage, sbs) -> dict:
    emp = parts["employment"]
    n2 = emp[emp["geo"].str.len() == 4]
    imputed_share = (
        n2.assign(imp_val=n2["value"].where(n2["imputed"]), country=n2["geo"].str[:2])
        .groupby(["country", "year"])[["imp_val", "value"]].sum()
    )
    imputed_share = (imputed_share["imp_val"] / imputed_share["value"]).rename("imputed_share").reset_index()
    years = sorted(int(y) for y in facts["year"].unique())
    regions_with_data = facts.groupby("year")["region_id"].nunique()
    sbs_regions = (
        sbs[(sbs["indicator"] == "employment") & (sbs["geo"].str.len() == 4) & sbs["value"].notna()]
        .groupby("year")["geo"].nunique()
    )
    unmatched = recode[recode["method"] == "unmatched"].copy()
    have_years = (
        sbs[(sbs["geo"].str.len() == 4) & sbs["value"].notna()].groupby("geo")["year"]
        .agg(lambda s: ",".join(str(y) for y in sorted(set(s))))
    )
    unmatched["years_with_data"] = unmatched["code"].map(have_years).fillna("")
    map_no_data = coverage[~coverage["has_data"]].groupby("region_id")["year"].agg(
        lambda s: ",".join(str(y) for y in sorted(s)))
    names = regions.set_index("region_id")["name"]
    return {
        "dataset": "eu",
        "years": years,
        "regions_with_data": {int(y): int(n) for y, n in regions_with_data.items()},
        "source_regions_with_data": {int(y): int(n) for y, n in sbs_regions.items()},
        "map_regions": int((regions["level"] == "nuts2").sum()),
        "recode_methods": recode["method"].value_counts().to_dict(),
        "unmatched": unmatched[["code", "reason", "years_with_data"]].to_dict("records"),
        "map_regions_without_data": [
            {"region_id": r, "name": names.get(r, ""), "years": y} for r, y in map_no_data.items()
        ],
        "imputed_share": imputed_share.to_dict("records"),
        "imputed_share_total": {
            int(y): float(d.loc[d["imputed"], "value"].sum() / d["value"].sum())
            for y, d in n2.groupby("year")
        },
    }
