"""Build the US dataset: CBP facts per level (nation, state, county, economic area) + quality.

States come from the state files (2000–2011 with DC; 2017–2021 without DC, which the source
lacks). Counties come from the county file (2017–2021, 38 states). The nation is the sum of
the states; an economic area (BEA 2004 definition) is the sum of its counties and is only
given for a year when every member county has data — otherwise it is "no data" and listed
in the quality report. The benchmark area for every level is the nation.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.sources.geometry import feature_collection, light_feature, topo_features
from analytics.sources.us import imputation
from analytics.sources.us import sources as src

LEVELS = ("state", "county", "ea", "nation")


def _aggregate(facts: pd.DataFrame, mapping: pd.Series) -> pd.DataFrame:
    """Sum facts of member regions into parents (``mapping``: member id → parent id)."""
    f = facts.assign(region_id=facts["region_id"].map(mapping)).dropna(subset=["region_id"])
    g = f.groupby(["region_id", "industry", "year"], sort=False, observed=True)
    out = g[["employment", "payroll", "units"]].sum(min_count=1)
    out["employment_imputed"] = g["employment_imputed"].max()
    out["missing_children"] = g["employment"].size() - g["employment"].count()
    return out.reset_index()


def _complete_parents(members: pd.DataFrame, have: pd.DataFrame, parent_col: str) -> pd.DataFrame:
    """Parent-years whose members all have data: columns region_id, year, n, n_with_data."""
    years = sorted(have["year"].unique())
    grid = members.merge(pd.DataFrame({"year": years}), how="cross")
    grid = grid.merge(have.assign(ok=True), left_on=["member", "year"], right_on=["region_id", "year"], how="left")
    grid["ok"] = grid["ok"].fillna(False).astype(bool)
    cov = grid.groupby([parent_col, "year"])["ok"].agg(["size", "sum"]).reset_index()
    cov.columns = ["region_id", "year", "n", "n_with_data"]
    return cov


def build_us(raw: Path, imap: pd.DataFrame, progress=print) -> dict:
    src.check_inputs(raw)
    progress("us: reading County Business Patterns (states 2000–2011, 2017–2021; counties 2017–2021)")
    s_old, t_old = src.read_state_old(raw)
    progress("us: imputing withheld 2017+ cells within the NAICS hierarchy and county → state")
    s_raw, c_raw, imputation_report = imputation.impute(src.read_state_new_raw(raw), src.read_county_new_raw(raw))
    s_new, t_new = src.format_state_new(s_raw)
    c_new, tc_new = src.format_county_new(c_raw)
    regions, ea_members = src.read_regions(raw)
    known = set(imap["industry"])
    state = pd.concat([s_old, s_new], ignore_index=True)
    state_totals = pd.concat([t_old, t_new], ignore_index=True)
    county = c_new
    county_totals = tc_new
    # only counties of known states; industries of any code are kept (custom categories)
    state = state[state["region_id"].isin(set(regions.loc[regions["level"] == "state", "region_id"]))]

    progress("us: economic areas and the nation as sums of their members")
    have_c = county_totals[["region_id", "year"]].drop_duplicates()
    ea_cov = _complete_parents(ea_members.rename(columns={"county": "member"}), have_c, "ea")
    ea_ok = ea_cov[ea_cov["n"] == ea_cov["n_with_data"]][["region_id", "year"]]
    ea_facts = _aggregate(county, ea_members.set_index("county")["ea"])
    ea_facts = ea_facts.merge(ea_ok, on=["region_id", "year"], how="inner")
    ct = county_totals.assign(region_id=county_totals["region_id"].map(ea_members.set_index("county")["ea"]))
    ea_totals = ct.dropna(subset=["region_id"]).groupby(["region_id", "year"])[["total", "total_units", "total_payroll"]].sum().reset_index()
    ea_totals = ea_totals.merge(ea_ok, on=["region_id", "year"], how="inner")

    to_nation = pd.Series("US", index=sorted(state["region_id"].unique()))
    nation = _aggregate(state, to_nation)
    nation_totals = state_totals.groupby("year")[["total", "total_units", "total_payroll"]].sum().reset_index()
    nation_totals.insert(0, "region_id", "US")

    facts = {"state": state, "county": county, "ea": ea_facts, "nation": nation}
    for f in facts.values():
        f["employment_imputed"] = f["employment_imputed"].astype(bool)
        if "missing_children" not in f.columns:
            f["missing_children"] = 0
    totals = {"state": state_totals, "county": county_totals, "ea": ea_totals, "nation": nation_totals}
    quality = _quality(facts, totals, regions, ea_cov, imap, known, ea_members)
    quality["imputation_2017"] = imputation_report
    return {"facts": facts, "totals": totals, "regions": regions, "quality": quality, "ea_members": ea_members}


CELL_KINDS = ("published", "imputed", "incomplete", "not published", "no data")


def cell_kinds(metrics: pd.DataFrame, totals: dict[str, pd.DataFrame], regions: pd.DataFrame,
               categories: pd.DataFrame, levels=("state", "county", "ea")) -> dict:
    """Region × category cells per level and year by kind, over every region of the level (the
    map's universe) and every category: published; imputed (some part imputed); incomplete (a
    withheld part that no margin bounds is missing); not published (the region has data that year, the source
    has no cell for the category); no data (the region is not in the source that year, e.g. a
    county of a state the county file lacks)."""
    out: dict = {}
    n_cat = len(categories)
    for level in levels:
        ids_ = set(regions.loc[regions["level"] == level, "region_id"])
        m = metrics[(metrics["level"] == level) & metrics["region_id"].isin(ids_)]
        t = totals[level]
        t = t[t["region_id"].isin(ids_)]
        per_year = {}
        for year in sorted(t["year"].unique()):
            my = m[m["year"] == year]
            n_regions = int(t.loc[t["year"] == year, "region_id"].nunique())
            imputed = int(my["employment_imputed"].astype(bool).sum())
            missing = int(((my["employment"].isna() | (my["missing_parts"].fillna(0) > 0))
                           & ~my["employment_imputed"].astype(bool)).sum())
            published = int(len(my) - imputed - missing)
            per_year[int(year)] = {
                "published": published, "imputed": imputed, "incomplete": missing,
                "not published": n_regions * n_cat - len(my), "no data": (len(ids_) - n_regions) * n_cat,
            }
        out[level] = per_year
    return out


def _ea_reason(members: list[str], have: set, years: list, county_states: list[str]) -> str:
    """Why an EA has no figure: members in states without county data, or absent counties (named)."""
    missing = sorted({c for c in members for y in years if (c, y) not in have})
    parts = []
    n_no_state = sum(c[:2] not in county_states for c in missing)
    if n_no_state:
        parts.append(f"member counties in states without county data ({n_no_state})")
    absent = [c for c in missing if c[:2] in county_states]
    if absent:
        parts.append("member counties without CBP county data: " + ", ".join(absent))
    return "; ".join(parts)


def _quality(facts, totals, regions, ea_cov, imap, known, ea_members) -> dict:
    st, co = facts["state"], facts["county"]
    in_clusters = st[st["industry"].isin(known)]
    by_year = in_clusters.groupby("year")
    imputed_share = (in_clusters["employment"].where(in_clusters["employment_imputed"]).groupby(in_clusters["year"]).sum()
                     / by_year["employment"].sum())
    # 2017+: withheld = a published 0 with establishments (imputed or, where no margin bounds it, missing)
    withheld = in_clusters["employment_flag"].astype(str).str.startswith("withheld")
    withheld_cells = withheld.groupby(in_clusters["year"]).sum()
    left_missing = (withheld & in_clusters["employment"].isna()).groupby(in_clusters["year"]).sum()
    withheld_units = in_clusters["units"].where(withheld).groupby(in_clusters["year"]).sum() / by_year["units"].sum()
    cluster_cover = by_year["employment"].sum() / totals["state"].groupby("year")["total"].sum()
    by_level = {}
    for level, f in facts.items():
        fi = f[f["industry"].isin(known)]
        share = (fi["employment"].where(fi["employment_imputed"]).groupby(fi["year"]).sum()
                 / fi["employment"].groupby(fi["year"]).sum())
        by_level[level] = {int(y): float(v) for y, v in share.items()}
    co_in = co[co["industry"].isin(known)]
    co_withheld = co_in["employment_flag"].astype(str).str.startswith("withheld").groupby(co_in["year"]).mean()
    state_ids = regions.loc[regions["level"] == "state"]
    county_states = sorted({c[:2] for c in co["region_id"].unique()})
    names = state_ids.set_index("region_id")["name"]
    no_county = [f"{names[s]} ({s})" for s in state_ids["region_id"] if s not in county_states]
    ea_names = regions.set_index("region_id")["name"]
    ea_missing = ea_cov[ea_cov["n"] != ea_cov["n_with_data"]]
    ea_missing = ea_missing.groupby("region_id").agg(n=("n", "max"), n_with_data=("n_with_data", "max"),
                                                     years=("year", lambda s: ",".join(map(str, sorted(s)))))
    have_c = set(zip(totals["county"]["region_id"], totals["county"]["year"]))
    years_c = sorted(totals["county"]["year"].unique())
    members = ea_members.groupby("ea")["county"].agg(list)
    return {
        "dataset": "us",
        "years": sorted(int(y) for y in st["year"].unique()),
        "states_per_year": {int(y): int(n) for y, n in st.groupby("year")["region_id"].nunique().items()},
        "counties_per_year": {int(y): int(n) for y, n in co.groupby("year")["region_id"].nunique().items()},
        "eas_per_year": {int(y): int(n) for y, n in facts["ea"].groupby("year")["region_id"].nunique().items()},
        "eas_total": int((regions["level"] == "ea").sum()),
        "states_without_county_data": no_county,
        "eas_without_data": [
            {"region_id": r, "name": ea_names.get(r, ""), "counties": int(row.n), "counties_with_data": int(row.n_with_data),
             "reason": _ea_reason(members.get(r, []), have_c, years_c, county_states), "years": row.years}
            for r, row in ea_missing.iterrows()
        ],
        "imputed_share": {int(y): float(v) for y, v in imputed_share.items()},
        "imputed_share_by_level": by_level,
        "withheld_cells_state": {int(y): int(v) for y, v in withheld_cells.items()},
        "withheld_left_missing_state": {int(y): int(v) for y, v in left_missing.items()},
        "withheld_establishment_share_state": {int(y): float(v) for y, v in withheld_units.items()},
        "withheld_cell_share_county": {int(y): float(v) for y, v in co_withheld.items()},
        "cluster_employment_coverage": {int(y): float(v) for y, v in cluster_cover.items()},
        "notes": [
            "2000–2011: withheld state cells estimated at the midpoint of their CBP employment size class "
            "(flagged imputed); payroll of those cells is missing.",
            "2017–2021: a published 0 with establishments > 0 is withheld. Withheld cells are imputed within the "
            "NAICS hierarchy (2- to 6-digit) and, for counties, within their state (iterative proportional "
            "fitting: each parent's remainder over its withheld children in proportion to establishments × the "
            "industry's typical size; docs/US_IMPUTATION.md) and flagged imputed; their payroll is missing. A "
            "withheld cell no published parent bounds stays missing. Cells with fewer than 3 establishments are "
            "absent from CBP (not published), so county sums still fall short of state totals.",
            "DC is missing from the 2017–2021 state file; the nation for those years is the 50 states.",
            "No CBP state data for 2012–2016 in the source: growth across the NAICS vintage break (2011→2017) is "
            "computed from cluster totals, never from individual industries.",
            "County data cover 38 states; the others show as no data.",
        ],
    }


def geometries(raw: Path, regions: pd.DataFrame) -> dict[str, dict]:
    atlas = json.loads(src.require(raw, src.TOPO_ATLAS).read_text())
    cmp = json.loads(src.require(raw, src.TOPO_CMP).read_text())
    names = regions.set_index("region_id")["name"]
    out = {}
    for level, topo, obj, tol in (("state", atlas, "states", 0.02), ("county", atlas, "counties", 0.01),
                                  ("nation", atlas, "nation", 0.05), ("ea", cmp, "eas", 0.02)):
        feats = []
        for f in topo_features(topo, obj):
            fid = f["id"]
            if level == "ea":
                fid = "EA" + str(fid)[-3:]
            elif level == "nation":
                fid = "US"
            if fid not in names.index:
                continue
            feats.append(light_feature(fid, str(names[fid]), f["geometry"], tol, 3))
        out[level] = feature_collection(feats)
    return out


def build_us_indicators(raw: Path, totals: dict[str, pd.DataFrame], regions: pd.DataFrame) -> pd.DataFrame:
    """region_id, year, population, gdp_real_musd, gdp_pc_real, patents, patents_per_10k_emp."""
    pop = pd.read_csv(src.require(raw, src.POP_STATE), sep="\t", dtype=str)
    pop = pop.melt(id_vars=["fips", "name"], var_name="year", value_name="population")
    pop = pd.DataFrame({"region_id": pop["fips"].str.zfill(2), "year": pop["year"].astype(int),
                        "population": pd.to_numeric(pop["population"], errors="coerce")})
    gdp = pd.read_csv(src.require(raw, src.GDP), dtype=str, skipinitialspace=True)
    gdp = gdp[gdp["LineCode"].str.strip() == "1"]
    gdp["fips"] = gdp["GeoFIPS"].str.strip().str.strip('"').str.strip()
    gdp = gdp[gdp["fips"].str.endswith("000") & (gdp["fips"].str[:2] <= "56")]
    ycols = [c for c in gdp.columns if c.isdigit()]
    gdp = gdp.melt(id_vars=["fips"], value_vars=ycols, var_name="year", value_name="gdp")
    gdp = pd.DataFrame({"region_id": np.where(gdp["fips"] == "00000", "US", gdp["fips"].str[:2]),
                        "year": gdp["year"].astype(int), "gdp_real_musd": pd.to_numeric(gdp["gdp"], errors="coerce")})
    pat = pd.read_csv(src.require(raw, src.PATENTS_COUNTY), dtype=str)
    pat = pat[pat["FIPS Code"] != "ALL"]
    ycols = [c for c in pat.columns if c.isdigit()]
    pat = pat.melt(id_vars=["FIPS Code"], value_vars=ycols, var_name="year", value_name="patents")
    pat = pd.DataFrame({"region_id": pat["FIPS Code"].str.zfill(5), "year": pat["year"].astype(int),
                        "patents": pd.to_numeric(pat["patents"], errors="coerce")})
    pat_state = pat.assign(region_id=pat["region_id"].str[:2]).groupby(["region_id", "year"])["patents"].sum().reset_index()
    pat_nation = pat.groupby("year")["patents"].sum().reset_index().assign(region_id="US")
    nation_pop = pop.groupby("year")["population"].sum().reset_index().assign(region_id="US")
    ind = pd.concat([pop, nation_pop]).merge(gdp, on=["region_id", "year"], how="outer")
    ind = ind.merge(pd.concat([pat_state, pat_nation, pat]), on=["region_id", "year"], how="outer")
    emp = pd.concat([t[["region_id", "year", "total"]] for t in totals.values()]).drop_duplicates(["region_id", "year"])
    ind = ind.merge(emp, on=["region_id", "year"], how="left")
    ind["gdp_pc_real"] = ind["gdp_real_musd"] * 1e6 / ind["population"]
    ind["patents_per_10k_emp"] = ind["patents"] / ind["total"] * 1e4
    ind = ind[ind["region_id"].isin(set(regions["region_id"]))]
    return ind.drop(columns=["total"]).reset_index(drop=True)


CONTEXT_COLUMNS = {"gdp_pc_real": "gdp_pc_real", "population": "population", "patents": "patents",
                   "gdp_real_musd": "gdp_real"}


def build_us_context(ind: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """The region context as a long table ``region_id, level, indicator, year, value`` over every
    year the sources hold, from :func:`build_us_indicators`' table: real GDP per capita (states and
    the nation, 2000–2011, the years with state population), population, utility patents (counties,
    states and the nation as sums of the counties), real GDP and real GDP growth (% on the previous
    year, BEA 1997–2021). Missing values are left out, never zero."""
    long = ind.melt(id_vars=["region_id", "year"], value_vars=list(CONTEXT_COLUMNS), var_name="indicator")
    long["indicator"] = long["indicator"].map(CONTEXT_COLUMNS)
    gdp = ind[["region_id", "year", "gdp_real_musd"]].dropna()
    prev = gdp.assign(year=gdp["year"] + 1).rename(columns={"gdp_real_musd": "prev"})
    growth = gdp.merge(prev, on=["region_id", "year"])
    growth = pd.DataFrame({"region_id": growth["region_id"], "year": growth["year"], "indicator": "gdp_growth",
                           "value": (growth["gdp_real_musd"] / growth["prev"] - 1) * 100})
    out = pd.concat([long, growth], ignore_index=True)
    out = out[np.isfinite(pd.to_numeric(out["value"], errors="coerce"))]
    levels = regions.drop_duplicates("region_id").set_index("region_id")["level"]
    out = out[out["region_id"].isin(levels.index)].copy()
    out["level"] = out["region_id"].map(levels)
    out["year"] = out["year"].astype(int)
    out["value"] = out["value"].astype(float)
    cols = ["region_id", "level", "indicator", "year", "value"]
    return out[cols].sort_values(["indicator", "level", "region_id", "year"]).reset_index(drop=True)
