"""Checks of the raw files before a build reads them: one line naming the file and what is wrong.

A build that meets a truncated gzip, JSON that does not parse, an empty table or a header that is
not the one the readers expect stops before writing anything, with :class:`RawFileError`
(``"<file>: <what is wrong>"``); the previous build stays in use. The header rule: the columns
before the first year column must be the ones below (later columns, e.g. more years, may vary).
"""
from __future__ import annotations

import gzip
import json
import re
import zlib
from pathlib import Path

# the identifying columns (before the first year column) of every raw table the build reads
HEADERS: dict[str, tuple[str, ...]] = {
    "us/clusters/related_clusters_2014_pairs.csv": ("pair_cluster", "cluster_name", "cluster_name_2", "clustera",
                                                    "clusterb"),
    "us/clusters/clusters_2014_list.csv": ("cluster_code", "cluster_name", "cluster_key", "short_name"),
    "eu/sbs_regional/sbs_r_nuts06_r2_2017vintage.tsv.gz": ("nace_r2", "indic_sb", "geo\\time"),
    "eu/sbs_regional/sbs_r_nuts06_r2_V16110_2015_marcon.csv": ("nace_r2", "geo", "n2015"),
    "eu/lfs_gdp_2017vintage/lfst_r_lfe2emp.tsv.gz": ("unit", "sex", "age", "geo\\time"),
    "eu/gdp_pop_2023download/estat_nama_10r_3gdp.tsv": ("freq", "unit", "geo"),
    "eu/gdp_pop_2023download/estat_tgs00096.tsv.gz": ("freq", "unit", "age", "sex", "geo\\TIME_PERIOD"),
    "eu/regional_indicators_2007_2018/eu_nuts2_indicators_2007_2018_long.csv": ("NUTS_ID", "CNTR_CODE", "NUTS_NAME",
                                                                                "LEVL_CODE", "year"),
    "eu/nuts_correspondence/nuts_changes.csv": ("typology", "start_year", "end_year", "code_1999"),
    "us/clusters/clusters_2014_naics_by_vintage.csv": ("cluster_code", "cluster_name", "type", "naics_vintage",
                                                       "naics"),
    "us/clusters/cluster_naics2012_subcluster_mapping.csv": ("cluster_code", "cluster_name", "type", "naics2012"),
    "us/clusters/cluster_naics2017_subcluster_mapping.csv": ("cluster_code", "cluster_name", "type", "naics2017"),
    "us/cbp/state_2000_2011/cbp_state_naics6_reconstructed_2000_2011.csv.gz": ("year", "fipstate"),
    "us/cbp/state_2000_2011/cbp_state_naics_2000_2011.csv.gz": ("year", "fipstate", "naics", "est", "emp"),
    "us/cbp/state_2017_2021/cbp_state_naics2017_2017_2021.csv.gz": ("year", "state_fips", "naics2017", "estab",
                                                                    "emp"),
    "us/cbp/county_2017_2021_38states/cbp_county_naics2017_2017_2021_38states.csv.gz": (
        "year", "county_fips", "naics2017", "estab", "emp"),
    "us/geo/fips/state_fips_names.csv": ("state_fips", "state_name", "state_postal"),
    "us/geo/fips/county_fips_names.csv": ("county_fips",),
    "us/geo/regions/bea_economic_areas_2004_county_definition.csv": ("FIPS", "County", "EA", "EA Name"),
    "us/indicators/gdp_bea/SAGDP9N__ALL_AREAS_1997_2021.csv": ("GeoFIPS", "GeoName"),
    "us/indicators/population/census_popest_state_2000_2011.tsv": ("fips", "name"),
    "us/indicators/population/census_popest_county_2010_2012.csv": ("FIPS", "STNAME", "CTYNAME"),
    "us/indicators/patents_uspto/USPTO_utility_patents_by_county_2000_2015.csv": ("FIPS Code",),
    "eu/organizations/eccp_cluster_organisations.csv": ("name", "country", "ecosystem", "city"),
    "eu/organizations/eccp_ecosystems.csv": ("id", "name"),
    "eu/organizations/eccp_region_aliases.csv": ("alias_lowercase", "region_name"),
    "us/organizations/cluster_organizations_clusters.csv": ("org_id", "org_title", "cluster_name", "cluster_code"),
}
_YEAR = re.compile(r"^\s*\d{4}\s*$")
_SPLIT = re.compile(r"[,;\t]")
_CHUNK = 1 << 20


class RawFileError(ValueError):
    """A raw file the build cannot use; ``str()`` is one line: ``<file>: <what is wrong>``."""

    def __init__(self, rel: str, what: str):
        super().__init__(f"{rel}: {what}")
        self.rel, self.what = rel, what


def _open(path: Path):
    return gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")


def _read_all(path: Path, rel: str) -> bytes | None:
    """The head of the file (first 64 kB), after reading it to the end (a gzip is checked whole)."""
    head = b""
    try:
        with _open(path) as f:
            while chunk := f.read(_CHUNK):
                if len(head) < 65536:
                    head += chunk[:65536 - len(head)]
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        what = "truncated gzip (ends before its end-of-stream marker)" if isinstance(exc, EOFError) \
            else f"not a readable gzip ({exc})" if path.name.endswith(".gz") else f"cannot be read ({exc})"
        raise RawFileError(rel, what) from None
    return head


def check_file(raw: Path, rel: str) -> None:
    """Raise :class:`RawFileError` when ``raw/rel`` is unusable (a missing file is the readers' concern)."""
    path = raw / rel
    if not path.exists():
        return
    if path.stat().st_size == 0:
        raise RawFileError(rel, "empty file (0 bytes)")
    head = _read_all(path, rel)
    if rel.endswith((".json", ".geojson")):
        try:
            with _open(path) as f:
                json.load(f)
        except (ValueError, UnicodeDecodeError) as exc:
            raise RawFileError(rel, f"not valid JSON ({exc})") from None
        return
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = head.decode("latin-1")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise RawFileError(rel, "empty table (no header)")
    if len(lines) < 2:
        raise RawFileError(rel, "empty table (a header and no rows)")
    expected = HEADERS.get(rel)
    if expected is None:
        return
    cols = [c.strip().strip('"') for c in _SPLIT.split(lines[0])]
    ids = []
    for c in cols:
        if _YEAR.match(c):
            break
        ids.append(c)
    if tuple(ids[:len(expected)]) != expected:
        raise RawFileError(rel, f"unexpected header: starts {', '.join(cols[:len(expected)]) or '(nothing)'}; "
                                f"expected {', '.join(expected)}")


def check_files(raw: Path, rels) -> None:
    """Check every file in ``rels`` (paths relative to ``raw``); the first problem raises."""
    for rel in rels:
        check_file(raw, rel)
