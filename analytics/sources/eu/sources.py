"""Read the raw European files (Eurostat SBS, LFS, GDP, population, patents) into tidy tables.

Every function takes the raw-data directory and returns long tables keyed by the *original*
region codes; recoding to NUTS 2021 happens in :mod:`analytics.sources.eu.build`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics.sources.eu.eurostat import read_bulk_tsv
from analytics.sources.eu.flags import parse_series

SBS_FILE = "eu/sbs_regional/sbs_r_nuts06_r2_2017vintage.tsv.gz"
SBS_API_FILE = "eu/eurostat_api/sbs_r_nuts06_r2.tsv.gz"  # written by `python -m analytics download`
SBS_2015_FILE = "eu/sbs_regional/sbs_r_nuts06_r2_V16110_2015_marcon.csv"
LFS_EMP_FILE = "eu/lfs_gdp_2017vintage/lfst_r_lfe2emp.tsv.gz"
GDP_FILE = "eu/gdp_pop_2023download/estat_nama_10r_3gdp.tsv"
POP_FILE = "eu/gdp_pop_2023download/estat_tgs00096.tsv.gz"
INDICATORS_2016_FILE = "eu/regional_indicators_2007_2018/eu_nuts2_indicators_2007_2018_long.csv"
NUTS_CHANGES_FILE = "eu/nuts_correspondence/nuts_changes.csv"
GEO_FILES = {
    "country": "eu/nuts_geo/NUTS_RG_60M_2021_4326_LEVL_0.geojson",
    "nuts1": "eu/nuts_geo/NUTS_RG_60M_2021_4326_LEVL_1.geojson",
    "nuts2": "eu/nuts_geo/NUTS_RG_60M_2021_4326_LEVL_2.geojson",
}
REQUIRED = ["us/clusters/related_clusters_2014_pairs.csv", "us/clusters/clusters_2014_list.csv", SBS_FILE, SBS_2015_FILE, LFS_EMP_FILE, GDP_FILE, POP_FILE, INDICATORS_2016_FILE,
            NUTS_CHANGES_FILE, *GEO_FILES.values()]

INDICATORS = {"V16110": "employment", "V13320": "wages_meur", "V11210": "local_units"}
YEARS = list(range(2008, 2016))


class MissingRawFile(FileNotFoundError):
    """A raw input file is absent; the message names it and says where it was looked for."""


def require(raw: Path, rel: str, dataset: str = "eu") -> Path:
    """The raw file's path, or a one-line MissingRawFile naming it and how to get it."""
    path = raw / rel
    if not path.exists():
        raise MissingRawFile(
            f"missing raw file {rel} (looked in {raw}); set --raw DIR or CLUSTER_RAW_DIR, "
            f"or run `python -m analytics download --dataset {dataset} --raw DIR`"
        )
    return path


def check_inputs(raw: Path) -> list[Path]:
    return [require(raw, rel) for rel in REQUIRED]


def is_region_code(geo: pd.Series) -> pd.Series:
    """True for real region codes: drop EU/EA aggregates; keep extra-regio (ZZ) for sums."""
    return ~geo.str.match(r"^(EU|EA|EEA|EFTA)")


def read_sbs(raw: Path) -> pd.DataFrame:
    """SBS cells: ``indicator, nace, geo, year, value, flag`` (2008–2015, levels 0–2).

    Employment 2015 comes from the later vintage (France filled); blank there means
    missing or confidential without saying which, so its flag is ``:``. When a fresh download
    from Eurostat's API is present in the raw-data directory, it is used instead, whole.
    """
    api = raw / SBS_API_FILE
    if api.exists():
        sbs = read_bulk_tsv(api, {"indic_sb": set(INDICATORS)})
        sbs = sbs.rename(columns={"nace_r2": "nace", "indic_sb": "indicator"})
        sbs["indicator"] = sbs["indicator"].map(INDICATORS)
        sbs = sbs[is_region_code(sbs["geo"])]
        return sbs[["indicator", "nace", "geo", "year", "value", "flag"]].reset_index(drop=True)
    sbs = read_bulk_tsv(require(raw, SBS_FILE), {"indic_sb": set(INDICATORS)})
    sbs = sbs.rename(columns={"nace_r2": "nace", "indic_sb": "indicator"})
    sbs["indicator"] = sbs["indicator"].map(INDICATORS)
    sbs = sbs[is_region_code(sbs["geo"]) & sbs["year"].isin(YEARS)]
    later = pd.read_csv(require(raw, SBS_2015_FILE), sep=";", dtype=str, keep_default_na=False)
    later = later[is_region_code(later["geo"])]
    parsed = parse_series(later["n2015"])
    later = pd.DataFrame({
        "indicator": "employment", "nace": later["nace_r2"].str.strip(), "geo": later["geo"].str.strip(),
        "year": 2015, "value": parsed["value"].to_numpy(),
        "flag": parsed["flag"].where(parsed["value"].notna() | (parsed["flag"] != ""), ":").to_numpy(),
    })
    sbs = sbs[~((sbs["indicator"] == "employment") & (sbs["year"] == 2015))]
    out = pd.concat([sbs, later], ignore_index=True)
    return out[["indicator", "nace", "geo", "year", "value", "flag"]]


def read_lfs_employment(raw: Path) -> pd.DataFrame:
    """LFS total employment (thousands, age 15+) by region and year: weights for imputation."""
    lfs = read_bulk_tsv(require(raw, LFS_EMP_FILE))
    sel = lfs[(lfs["sex"] == "T") & (lfs["age"] == "Y_GE15") & (lfs["unit"] == "THS")]
    return sel[["geo", "year", "value"]].rename(columns={"value": "weight"}).dropna()
