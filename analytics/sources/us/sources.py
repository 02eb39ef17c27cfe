"""Read the raw US files: 2014 benchmark cluster definitions, County Business Patterns, regions.

CBP suppression (PROVENANCE.md, METHODOLOGY.md §5):
* 2000–2011 (state): a withheld cell has ``emp = 0`` and a size-class letter A–M. Its
  employment is estimated as the midpoint of the class range (M: its lower bound) and
  flagged ``employment_imputed``; its payroll is missing.
* 2017+ (state and county): a published 0 with establishments > 0 is withheld, never zero.
  The build imputes it within the NAICS hierarchy and the county → state geography
  (``imputation.py``; flagged ``employment_imputed``, payroll missing); a withheld cell no
  margin bounds stays missing. Cells with fewer than 3 establishments are absent altogether.
Region totals come from the all-industries row (``------`` / ``00``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analytics.sources.eu.sources import MissingRawFile  # noqa: F401  (re-exported)
from analytics.sources.eu.sources import require as _require

CLUSTER_LIST = "us/clusters/clusters_2014_list.csv"
CLUSTER_VINTAGES = "us/clusters/clusters_2014_naics_by_vintage.csv"
CLUSTER_2012_SUB = "us/clusters/cluster_naics2012_subcluster_mapping.csv"
CLUSTER_2017_SUB = "us/clusters/cluster_naics2017_subcluster_mapping.csv"
STATE_OLD_NAICS6 = "us/cbp/state_2000_2011/cbp_state_naics6_reconstructed_2000_2011.csv.gz"
STATE_OLD_ALL = "us/cbp/state_2000_2011/cbp_state_naics_2000_2011.csv.gz"
STATE_NEW = "us/cbp/state_2017_2021/cbp_state_naics2017_2017_2021.csv.gz"
COUNTY_NEW = "us/cbp/county_2017_2021_38states/cbp_county_naics2017_2017_2021_38states.csv.gz"
API_DIR = "us/cbp/census_api"  # written by `python -m analytics download --dataset us`
STATE_NAMES = "us/geo/fips/state_fips_names.csv"
COUNTY_NAMES = "us/geo/fips/county_fips_names.csv"
EA_COUNTIES = "us/geo/regions/bea_economic_areas_2004_county_definition.csv"
TOPO_ATLAS = "us/geo/us_atlas_3.0.1/counties-10m.json"
TOPO_CMP = "us/geo/cmp_topojson/countiesEasMsas.json"
GDP = "us/indicators/gdp_bea/SAGDP9N__ALL_AREAS_1997_2021.csv"
POP_STATE = "us/indicators/population/census_popest_state_2000_2011.tsv"
POP_COUNTY = "us/indicators/population/census_popest_county_2010_2012.csv"
PATENTS_COUNTY = "us/indicators/patents_uspto/USPTO_utility_patents_by_county_2000_2015.csv"
REQUIRED = [CLUSTER_LIST, CLUSTER_VINTAGES, CLUSTER_2012_SUB, CLUSTER_2017_SUB, STATE_OLD_NAICS6, STATE_OLD_ALL,
            STATE_NEW, COUNTY_NEW, STATE_NAMES, COUNTY_NAMES, EA_COUNTIES, TOPO_ATLAS, TOPO_CMP, GDP, POP_STATE,
            POP_COUNTY, PATENTS_COUNTY]

# CBP employment size classes of withheld cells (persons): estimate = midpoint (M: lower bound)
SIZE_CLASSES = {
    "A": (0, 19), "B": (20, 99), "C": (100, 249), "E": (250, 499), "F": (500, 999), "G": (1000, 2499),
    "H": (2500, 4999), "I": (5000, 9999), "J": (10000, 24999), "K": (25000, 49999), "L": (50000, 99999),
    "M": (100000, 100000),
}
SIZE_CLASS_ESTIMATE = {k: (lo + hi) / 2 for k, (lo, hi) in SIZE_CLASSES.items()}
# Old county codes in the BEA 2004 definitions → codes used by CBP 2017+ and the 2017 maps
COUNTY_RECODES = {"46113": "46102", "02270": "02158"}
# BEA 2004 members that were split, or that duplicate other members (old codes whose area is listed
# under its current code too) → successor codes; [] = drop. With these the membership equals the
# clustermapping.us EA membership (geo/regions/clustermapping_region_members.csv) for the 50 states + DC.
EA_MEMBER_SUCCESSORS = {
    "02201": ["02198"],  # Prince of Wales-Outer Ketchikan → Prince of Wales-Hyder (2008)
    "02232": ["02105", "02230"],  # Skagway-Hoonah-Angoon → Hoonah-Angoon + Skagway (2007)
    "02280": ["02195", "02275"],  # Wrangell-Petersburg → Petersburg + Wrangell (2008)
    "02010": [],  # Aleutian Islands: now 02013 + 02016, both listed
    "02231": [],  # Skagway-Yakutat-Angoon: now 02232 + 02282, both listed
    "12025": [],  # Dade: now Miami-Dade 12086, listed
    "51560": [],  # Clifton Forge city: part of Alleghany 51005 since 2001, listed
    "51780": [],  # South Boston city: part of Halifax 51083 since 1995, listed
    "11999": [],  # second code for DC beside 11001, listed
}


def require(raw: Path, rel: str) -> Path:
    return _require(raw, rel, "us")


def check_inputs(raw: Path) -> None:
    for rel in REQUIRED:
        require(raw, rel)


def vintage_of(year: int) -> str:
    """NAICS vintage CBP used in ``year`` (the benchmark codes are given per vintage)."""
    if year <= 2002:
        return "1997"
    if year <= 2007:
        return "2002"
    if year <= 2011:
        return "2007"
    if year >= 2017:
        return "2017"
    raise ValueError(f"no CBP data vintage for {year} (the source has 2000–2011 and 2017–2021)")


def read_definitions(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(categories, industry map, subclusters).

    industry map: ``industry`` (``<vintage>:<naics6>``), ``naics``, ``vintage``, ``category_id``,
    ``industry_name``, ``sub_code``, ``sub_name``, ``sub_inferred`` (subclusters only for 2017).
    """
    clusters = pd.read_csv(require(raw, CLUSTER_LIST), dtype=str)
    cats = pd.DataFrame({
        "category_id": clusters["cluster_key"], "category_name": clusters["cluster_name"],
        "category_type": clusters["type"], "cluster_code": clusters["cluster_code"].astype(int),
        "short_name": clusters["short_name"],
    }).sort_values("cluster_code").reset_index(drop=True)
    key = clusters.set_index("cluster_code")["cluster_key"]

    old = pd.read_csv(require(raw, CLUSTER_VINTAGES), dtype=str)
    old = old[old["naics_vintage"].isin(["1997", "2002", "2007"])]
    old_map = pd.DataFrame({
        "naics": old["naics"], "vintage": old["naics_vintage"], "category_id": old["cluster_code"].map(key),
        "industry_name": old["naics_label"], "sub_code": pd.NA, "sub_name": pd.NA, "sub_inferred": False,
    })
    m12 = pd.read_csv(require(raw, CLUSTER_2012_SUB), dtype=str)
    inferred12 = set(m12.loc[m12["subcluster_source"] == "inferred_by_name_unique_match", "naics2012"])
    m17 = pd.read_csv(require(raw, CLUSTER_2017_SUB), dtype=str)
    preds = m17["naics2012_predecessors"].fillna("").str.split(r"[;,+ ]+")
    new_map = pd.DataFrame({
        "naics": m17["naics2017"], "vintage": "2017", "category_id": m17["cluster_code"].map(key),
        "industry_name": m17["naics2017_label"], "sub_code": m17["sub_code"], "sub_name": m17["sub_name"],
        "sub_inferred": preds.apply(lambda ps: any(p in inferred12 for p in ps)),
    })
    imap = pd.concat([old_map, new_map], ignore_index=True)
    imap["industry"] = imap["vintage"] + ":" + imap["naics"]
    subs = new_map.dropna(subset=["sub_code"])[["category_id", "sub_code", "sub_name", "naics", "industry_name",
                                                 "sub_inferred"]].rename(columns={"naics": "industry", "sub_inferred": "inferred"})
    return cats, imap.reset_index(drop=True), subs.reset_index(drop=True)


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce")


def read_state_old(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """2000–2011 state facts (6-digit) and all-industry totals."""
    r = pd.read_csv(require(raw, STATE_OLD_NAICS6), dtype=str)
    r = r.loc[:, ~r.columns.duplicated()]
    emp = _num(r["emp"])
    flag = r["empflag"].fillna("")
    withheld = (emp == 0) & flag.isin(list(SIZE_CLASSES))
    est = flag.map(SIZE_CLASS_ESTIMATE)
    payroll = _num(r["ap"]) * 1000.0
    facts = pd.DataFrame({
        "region_id": r["fipstate"].str.zfill(2),
        "industry": r["naics_vintage"] + ":" + r["naics6"],
        "year": r["year"].astype(int),
        "employment": np.where(withheld, est, emp),
        "employment_imputed": withheld.to_numpy(),
        "employment_flag": np.where(withheld, "size class " + flag, r["emp_nf"].fillna("").replace("-", "")),
        "payroll": payroll.where(~withheld & (r["ap_nf"] != "D")),
        "units": _num(r["est"]),
    })
    a = pd.read_csv(require(raw, STATE_OLD_ALL), dtype=str, usecols=["year", "fipstate", "naics", "emp", "est", "ap"])
    a = a[a["naics"] == "------"]
    totals = pd.DataFrame({"region_id": a["fipstate"].str.zfill(2), "year": a["year"].astype(int),
                           "total": _num(a["emp"]), "total_units": _num(a["est"]),
                           "total_payroll": _num(a["ap"]) * 1000.0})
    return facts, totals


def _new_format(df: pd.DataFrame, region_col: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Facts (6-digit rows) and totals (``00``) of a 2017+ frame. With an ``imputed`` column (from
    ``imputation.impute``) withheld cells carry their imputed employment; without, they are NaN."""
    df = df.copy()
    df["naics2017"] = df["naics2017"].astype(str)
    if "imputed" not in df.columns:
        df["imputed"] = False
        df["emp"] = df["emp"].astype(float).where(~((df["emp"] == 0) & (df["estab"] > 0)))
    df["withheld"] = df["emp"].isna() | df["imputed"]
    df["emp_out"] = df["emp"].astype(float)  # imputed where withheld and bounded, else NaN
    df["pay_out"] = (df["payann_k"].astype(float) * 1000.0).where(~df["withheld"])  # never imputed
    six = df[df["naics2017"].str.fullmatch(r"\d{6}")]
    withheld = six["withheld"]
    facts = pd.DataFrame({
        "region_id": six[region_col].to_numpy(),
        "industry": ("2017:" + six["naics2017"]).to_numpy(),
        "year": six["year"].astype(int).to_numpy(),
        "employment": six["emp_out"].to_numpy(),
        "employment_imputed": six["imputed"].to_numpy(dtype=bool),
        "employment_flag": np.where(six["imputed"], "withheld, imputed", np.where(withheld, "withheld", "")),
        "payroll": six["pay_out"].to_numpy(),
        "units": six["estab"].astype(float).to_numpy(),
    })
    tot = df[df["naics2017"] == "00"]
    totals = pd.DataFrame({"region_id": tot[region_col].to_numpy(), "year": tot["year"].astype(int).to_numpy(),
                           "total": tot["emp_out"].to_numpy(),
                           "total_units": tot["estab"].astype(float).to_numpy(),
                           "total_payroll": tot["pay_out"].to_numpy()})
    return facts, totals


def _read_new(raw: Path, rel: str, region_col: str, width: int, api_glob: str) -> pd.DataFrame:
    df = pd.read_csv(require(raw, rel), dtype={region_col: str, "naics2017": str})
    extra = sorted((raw / API_DIR).glob(api_glob)) if (raw / API_DIR).exists() else []
    for path in extra:  # fresh Census API downloads add region-years the shipped file lacks
        more = pd.read_csv(path, dtype={region_col: str, "naics2017": str})
        have = set(zip(df[region_col], df["year"]))
        more = more[[(r, y) not in have for r, y in zip(more[region_col], more["year"])]]
        df = pd.concat([df, more], ignore_index=True)
    df[region_col] = df[region_col].str.zfill(width)
    return df


def read_state_new_raw(raw: Path) -> pd.DataFrame:
    """2017+ state rows at every NAICS depth (``00``, sectors, 3- to 6-digit), as published."""
    return _read_new(raw, STATE_NEW, "state_fips", 2, "cbp_state_*.csv.gz")


def read_county_new_raw(raw: Path) -> pd.DataFrame:
    return _read_new(raw, COUNTY_NEW, "county_fips", 5, "cbp_county_*.csv.gz")


def format_state_new(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _new_format(df, "state_fips")


def format_county_new(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _new_format(df, "county_fips")


def read_state_new(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """State facts and totals as published (withheld cells missing, nothing imputed)."""
    return format_state_new(read_state_new_raw(raw))


def read_county_new(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return format_county_new(read_county_new_raw(raw))


def read_regions(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(regions, ea_members): states, counties, economic areas and the nation."""
    st = pd.read_csv(require(raw, STATE_NAMES), dtype=str)
    st = st[st["state_fips"].astype(int) <= 56]
    st = st[~st["state_fips"].isin(["60", "66", "69", "72", "78"])]
    states = pd.DataFrame({"region_id": st["state_fips"], "name": st["state_name"], "level": "state",
                           "country": "US", "parent_id": "US", "state": st["state_postal"]})
    co = pd.read_csv(require(raw, COUNTY_NAMES), dtype=str)
    co = co[co["state_fips"].isin(set(states["region_id"]))]
    label = co["county_label_clustermapping"].fillna(co["county_name_usatlas2017"] + ", " + co["state_postal"])
    counties = pd.DataFrame({"region_id": co["county_fips"], "name": label, "level": "county", "country": "US",
                             "parent_id": co["state_fips"], "state": co["state_postal"]})
    ea = pd.read_csv(require(raw, EA_COUNTIES), dtype=str)
    ea["county"] = ea["FIPS"].str.zfill(5).replace(COUNTY_RECODES)
    ea["region_id"] = "EA" + ea["EA"].str.zfill(3)
    eas = ea.drop_duplicates("region_id")
    ea["county"] = ea["county"].map(lambda c: EA_MEMBER_SUCCESSORS.get(c, [c]))
    ea = ea.explode("county").dropna(subset=["county"]).drop_duplicates(["region_id", "county"])
    eas = pd.DataFrame({"region_id": eas["region_id"], "name": eas["EA Name"] + " (EA)", "level": "ea",
                        "country": "US", "parent_id": "US", "state": ""})
    nation = pd.DataFrame([{"region_id": "US", "name": "United States", "level": "nation", "country": "US",
                            "parent_id": None, "state": ""}])
    regions = pd.concat([nation, states, counties, eas], ignore_index=True)
    return regions, ea[["region_id", "county"]].rename(columns={"region_id": "ea"}).reset_index(drop=True)
