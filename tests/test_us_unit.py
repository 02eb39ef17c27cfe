"""US dataset on hand-made inputs: NAICS vintages, cluster definitions, CBP suppression, the
strong-cluster rule, the US LQ convention, growth across the vintage break, economic areas.

Every fixture is tiny and written in the raw-data layout the readers expect (or is a direct
DataFrame); every expected value is worked out by hand in the comment next to it.
Linear-interpolation percentiles: for sorted values v0..v(n-1) the q-quantile sits at
position q*(n-1), e.g. n = 6 → P25 at 1.25, P75 at 3.75, P90 at 4.5.
"""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.metrics.categories import Definitions
from analytics.metrics.growth import growth
from analytics.metrics.regions import benchmark, level_metrics, region_totals
from analytics.metrics.stars import UsStrong, rate
from analytics.sources.us import sources as src
from analytics.sources.us.build import _aggregate, _complete_parents, build_us


def _write(raw: Path, rel: str, text: str) -> None:
    path = raw / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.strip("\n") + "\n"
    if rel.endswith(".gz"):
        with gzip.open(path, "wt") as fh:
            fh.write(data)
    else:
        path.write_text(data)


def _touch_required(raw: Path) -> None:
    """Files the readers under test do not open still have to exist (check_inputs)."""
    for rel in src.REQUIRED:
        path = raw / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("")


# =============================================================================================
# NAICS vintage of each CBP year
# =============================================================================================
@pytest.mark.parametrize("year, vintage", [
    (2000, "1997"), (2002, "1997"),   # CBP 1998–2002 used NAICS 1997
    (2003, "2002"), (2007, "2002"),   # 2003–2007: NAICS 2002
    (2008, "2007"), (2011, "2007"),   # 2008–2011: NAICS 2007
    (2017, "2017"), (2021, "2017"),   # 2017–2021: NAICS 2017
])
def test_vintage_of_maps_each_cbp_year_to_its_naics_vintage(year, vintage):
    assert src.vintage_of(year) == vintage


def test_vintage_of_a_year_without_data_is_a_clear_error():
    with pytest.raises(ValueError, match="2014") as exc:
        src.vintage_of(2014)
    # the message tells the user which years exist
    assert "2000" in str(exc.value) and "2011" in str(exc.value) and "2017" in str(exc.value)


# =============================================================================================
# Cluster definitions: four files → categories, industry map (<vintage>:<naics>), subclusters
# =============================================================================================
CLUSTER_LIST = """
cluster_code,cluster_name,cluster_key,short_name,short_name2,icon,type,n_subclusters,n_naics2012,n_naics2007,n_naics2002,n_naics1997,api_timestamp
1,Aerospace Vehicles and Defense,aerospace_vehicles_and_defense,Aerospace & Defense,0,i,traded,1,1,1,1,1,t
8,Communications Equipment and Services,communications_equipment_and_services,Communications,0,i,traded,1,1,1,1,1,t
13,Education and Knowledge Creation,education_and_knowledge_creation,Education,0,i,traded,1,2,2,2,2,t
104,Local Utilities,local_utilities,Local Utilities,0,i,local,1,1,1,1,1,t
"""
# 517210 is in Communications (8) in 2002 and 2007 but, in this fixture, Local Utilities (104)
# in 1997: the same code maps to different clusters in different vintages.
CLUSTER_VINTAGES = """
cluster_code,cluster_name,type,naics_vintage,naics,naics_label
1,Aerospace Vehicles and Defense,traded,1997,336411,Aircraft Manufacturing
1,Aerospace Vehicles and Defense,traded,2002,336411,Aircraft Manufacturing
1,Aerospace Vehicles and Defense,traded,2007,336411,Aircraft Manufacturing
1,Aerospace Vehicles and Defense,traded,2012,336411,Aircraft Manufacturing
104,Local Utilities,local,1997,517210,Cellular and Other Wireless Telecommunications
8,Communications Equipment and Services,traded,2002,517210,Wireless Telecommunications Carriers
8,Communications Equipment and Services,traded,2007,517210,Wireless Telecommunications Carriers
8,Communications Equipment and Services,traded,2012,517210,Wireless Telecommunications Carriers
13,Education and Knowledge Creation,traded,2007,541711,R&D in Biotechnology
13,Education and Knowledge Creation,traded,2007,541712,R&D in the Physical Sciences
13,Education and Knowledge Creation,traded,2012,541711,R&D in Biotechnology
13,Education and Knowledge Creation,traded,2012,541712,R&D in the Physical Sciences
104,Local Utilities,local,2007,517110,Wired Telecommunications Carriers
104,Local Utilities,local,2012,517110,Wired Telecommunications Carriers
"""
CLUSTER_2012 = """
cluster_code,cluster_name,type,naics2012,naics2012_label,sub_code,sub_name,subcluster_source
1,Aerospace Vehicles and Defense,traded,336411,Aircraft Manufacturing,1,Aircraft,acr1_exact_naics
8,Communications Equipment and Services,traded,517210,Wireless Telecommunications Carriers,1,Communications Services,inferred_by_name_unique_match
13,Education and Knowledge Creation,traded,541711,R&D in Biotechnology,4,Research Organizations,inferred_by_name_unique_match
13,Education and Knowledge Creation,traded,541712,R&D in the Physical Sciences,4,Research Organizations,inferred_by_name_unique_match
104,Local Utilities,local,517110,Wired Telecommunications Carriers,1,Communications Services,acr1_exact_naics
"""
# 2017: 336411 unchanged (ACR1 subcluster); 517312 and 541713/4/5 inherit from inferred 2012
# codes; 517311 inherits from a non-inferred code; 999999 has no subcluster.
CLUSTER_2017 = """
cluster_code,cluster_name,type,naics2017,naics2017_label,sub_code,sub_name,naics2012_predecessors,mapping_source
1,Aerospace Vehicles and Defense,traded,336411,Aircraft Manufacturing,1,Aircraft,336411,unchanged code 2012=2017
8,Communications Equipment and Services,traded,517312,Wireless Telecommunications Carriers (except Satellite),1,Communications Services,517210,concordance
13,Education and Knowledge Creation,traded,541713,R&D in Nanotechnology,4,Research Organizations,541711;541712,concordance
13,Education and Knowledge Creation,traded,541714,R&D in Biotechnology,4,Research Organizations,541711,concordance
13,Education and Knowledge Creation,traded,541715,R&D in the Physical Sciences,4,Research Organizations,541712,concordance
104,Local Utilities,local,517311,Wired Telecommunications Carriers,1,Communications Services,517110,concordance
104,Local Utilities,local,999999,Unassigned code,,,999998,concordance
"""


@pytest.fixture()
def defs_raw(tmp_path) -> Path:
    _write(tmp_path, src.CLUSTER_LIST, CLUSTER_LIST)
    _write(tmp_path, src.CLUSTER_VINTAGES, CLUSTER_VINTAGES)
    _write(tmp_path, src.CLUSTER_2012_SUB, CLUSTER_2012)
    _write(tmp_path, src.CLUSTER_2017_SUB, CLUSTER_2017)
    return tmp_path


def test_definitions_categories_are_the_listed_clusters_with_their_type(defs_raw):
    cats, _, _ = src.read_definitions(defs_raw)
    assert list(cats["category_id"]) == ["aerospace_vehicles_and_defense", "communications_equipment_and_services",
                                         "education_and_knowledge_creation", "local_utilities"]
    assert dict(zip(cats["category_id"], cats["category_type"]))["local_utilities"] == "local"
    assert (cats.set_index("category_id").loc[["aerospace_vehicles_and_defense", "communications_equipment_and_services",
                                              "education_and_knowledge_creation"], "category_type"] == "traded").all()


def test_definitions_industry_keys_are_vintage_colon_naics(defs_raw):
    _, imap, _ = src.read_definitions(defs_raw)
    # vintage rows: 1997 {336411, 517210}, 2002 {336411, 517210}, 2007 {336411, 517210, 541711,
    # 541712, 517110}; the 2012 vintage has no CBP year and is not an industry; 2017: 7 codes
    expected = {"1997:336411", "1997:517210", "2002:336411", "2002:517210", "2007:336411", "2007:517210",
                "2007:541711", "2007:541712", "2007:517110", "2017:336411", "2017:517312", "2017:541713",
                "2017:541714", "2017:541715", "2017:517311", "2017:999999"}
    assert set(imap["industry"]) == expected
    assert not imap["industry"].duplicated().any()  # one category per industry (no double counting)
    assert (imap["industry"] == imap["vintage"] + ":" + imap["naics"]).all()


def test_same_naics_code_maps_to_different_clusters_in_different_vintages(defs_raw):
    _, imap, _ = src.read_definitions(defs_raw)
    cat = imap.set_index("industry")["category_id"]
    assert cat["1997:517210"] == "local_utilities"
    assert cat["2002:517210"] == "communications_equipment_and_services"
    assert cat["2007:517210"] == "communications_equipment_and_services"


def test_subclusters_only_for_2017_codes(defs_raw):
    _, imap, subs = src.read_definitions(defs_raw)
    old = imap[imap["vintage"] != "2017"]
    assert old["sub_code"].isna().all() and old["sub_name"].isna().all()
    # 2017: six codes with a subcluster; 999999 has none and is not in the subcluster table
    assert set(subs["industry"]) == {"336411", "517312", "541713", "541714", "541715", "517311"}
    row = subs.set_index("industry").loc["541714"]
    assert row["category_id"] == "education_and_knowledge_creation"
    assert row["sub_name"] == "Research Organizations"


def test_inferred_subcluster_links_are_marked_through_2012_predecessors(defs_raw):
    _, imap, subs = src.read_definitions(defs_raw)
    new = imap[imap["vintage"] == "2017"].set_index("naics")
    # inferred 2012 codes: 517210, 541711, 541712 → their 2017 successors 517312, 541713
    # (541711;541712), 541714 (541711), 541715 (541712); 336411 and 517311 came from ACR1
    assert set(new.index[new["sub_inferred"].astype(bool)]) == {"517312", "541713", "541714", "541715"}
    assert set(subs.loc[subs["inferred"].astype(bool), "industry"]) == {"517312", "541713", "541714", "541715"}
    assert not imap.loc[imap["vintage"] != "2017", "sub_inferred"].astype(bool).any()


def _real_raw() -> Path:
    from analytics import config
    raw = config.raw_dir()
    if not (raw / src.CLUSTER_2017_SUB).exists():
        pytest.skip(f"real cluster definition files not under {raw}; set CLUSTER_RAW_DIR")
    return raw


def test_real_definitions_counts_match_provenance():
    cats, imap, subs = src.read_definitions(_real_raw())
    # PROVENANCE.md: 51 traded + 16 local; 1082/1092/1088 codes in 1997/2002/2007, 970 in 2017,
    # 966 of which have a subcluster
    assert (cats["category_type"] == "traded").sum() == 51 and (cats["category_type"] == "local").sum() == 16
    assert imap.groupby("vintage").size().to_dict() == {"1997": 1082, "2002": 1092, "2007": 1088, "2017": 970}
    assert len(subs) == 966
    assert imap["category_id"].notna().all()


def test_real_inferred_subclusters_are_exactly_the_provenance_list():
    _, imap, subs = src.read_definitions(_real_raw())
    new = imap[imap["vintage"] == "2017"].set_index("naics")
    inferred = new[new["sub_inferred"].astype(bool)]
    # PROVENANCE.md lists the 10 inferred 2012 codes; their 2017 successors (concordance column of
    # cluster_naics2017_subcluster_mapping.csv): 517210→517312, 517110→517311,
    # 541711/541712→541713/541714/541715, 532291→532283, 532230→532282, 452111/452112→452210,
    # 452910→452311, 452990→452319
    expected = {
        "517312": ("communications_equipment_and_services", "Communications Services"),
        "517311": ("local_utilities", "Communications Services"),
        "541713": ("education_and_knowledge_creation", "Research Organizations"),
        "541714": ("education_and_knowledge_creation", "Research Organizations"),
        "541715": ("education_and_knowledge_creation", "Research Organizations"),
        "532283": ("local_health_services", "Medical Equipment Distribution and Rental"),
        "532282": ("local_entertainment_and_media", "Video Rental"),
        "452210": ("local_retailing_of_clothing_and_general_merchandise", "General Merchandise Retailing"),
        "452311": ("local_retailing_of_clothing_and_general_merchandise", "General Merchandise Retailing"),
        "452319": ("local_retailing_of_clothing_and_general_merchandise", "General Merchandise Retailing"),
    }
    got = {code: (row["category_id"], row["sub_name"]) for code, row in inferred.iterrows()}
    print(f"\ninferred subcluster links (2017 code: cluster, subcluster): {got}")
    assert got == expected
    assert int(subs["inferred"].astype(bool).sum()) == 10


# =============================================================================================
# CBP suppression
# =============================================================================================
# 2000–2011 state file, 6-digit (header has naics_vintage twice, as the real file does).
# Michigan (26), 2011, vintage 2007. One withheld cell per size class A–M (emp 0 + letter,
# payroll 0 flagged D), a withheld cell of 2000–2006 style (flags "-"), an "S" cell (emp 0 +
# letter; payroll published), a real published 0 (no letter) and a normal cell.
SIZE_ROWS = {  # letter → hand midpoint of the CBP size range (M: its lower bound, open class)
    "A": 9.5,        # (0 + 19) / 2
    "B": 59.5,       # (20 + 99) / 2
    "C": 174.5,      # (100 + 249) / 2
    "E": 374.5,      # (250 + 499) / 2
    "F": 749.5,      # (500 + 999) / 2
    "G": 1749.5,     # (1000 + 2499) / 2
    "H": 3749.5,     # (2500 + 4999) / 2
    "I": 7499.5,     # (5000 + 9999) / 2
    "J": 17499.5,    # (10000 + 24999) / 2
    "K": 37499.5,    # (25000 + 49999) / 2
    "L": 74999.5,    # (50000 + 99999) / 2
    "M": 100000.0,   # 100000 or more: lower bound
}
OLD_HEADER = "year,fipstate,naics_vintage,naics_vintage,naics6,source_code,est,emp,emp_nf,empflag,ap,ap_nf"


def _old_rows() -> str:
    rows = [OLD_HEADER]
    for i, letter in enumerate(SIZE_ROWS):
        code = f"3361{i:02d}"
        rows.append(f"2011,26,2007,2007,{code},{code},7,0,D,{letter},0,D")
    rows += [
        "2005,26,2002,2002,336411,336411,4,0,-,B,0,-",          # 2000–2006: withheld, flags "-"
        "2011,26,2007,2007,325412,325412,8,0,S,E,23430,H",      # S: emp withheld (E), payroll published
        "2011,26,2007,2007,512132,512132,3,0,G,,242,G",         # a real published 0: no size class
        "2011,26,2007,2007,332710,33271-,120,5000,H,,250000,H",  # normal cell
    ]
    return "\n".join(rows)


OLD_ALL = """
year,fipstate,naics,est,emp,emp_nf,empflag,ap,ap_nf,naics_vintage
2011,26,------,200000,3500000,G,,150000000,G,2007
2011,26,33----,9000,500000,G,,30000000,G,2007
2011,26,3361--,40,0,D,M,0,D,2007
2005,26,------,210000,3900000,-,,140000000,-,2002
"""


@pytest.fixture()
def old_raw(tmp_path) -> Path:
    _write(tmp_path, src.STATE_OLD_NAICS6, _old_rows())
    _write(tmp_path, src.STATE_OLD_ALL, OLD_ALL)
    return tmp_path


def _row(facts: pd.DataFrame, industry: str, region: str | None = None, year: int | None = None) -> pd.Series:
    sel = facts["industry"] == industry
    if region is not None:
        sel &= facts["region_id"] == region
    if year is not None:
        sel &= facts["year"] == year
    rows = facts[sel]
    assert len(rows) == 1, f"{industry} {region} {year}: {len(rows)} rows"
    return rows.iloc[0]


@pytest.mark.parametrize("letter", list(SIZE_ROWS))
def test_withheld_2000_2011_cell_gets_the_size_class_midpoint_flagged_imputed(old_raw, letter):
    facts, _ = src.read_state_old(old_raw)
    code = f"3361{list(SIZE_ROWS).index(letter):02d}"
    r = _row(facts, f"2007:{code}")
    assert r["employment"] == SIZE_ROWS[letter]
    assert bool(r["employment_imputed"]) is True
    assert pd.isna(r["payroll"])  # the published payroll 0 is withheld, never a real 0
    assert r["units"] == 7
    assert letter in r["employment_flag"]


def test_withheld_cell_with_dash_flags_2000_2006_is_also_imputed_and_payroll_missing(old_raw):
    facts, _ = src.read_state_old(old_raw)
    r = _row(facts, "2002:336411", "26", 2005)
    assert r["employment"] == 59.5  # B: (20 + 99) / 2
    assert bool(r["employment_imputed"]) and pd.isna(r["payroll"])


def test_s_flag_cell_is_imputed_from_its_size_class(old_raw):
    facts, _ = src.read_state_old(old_raw)
    r = _row(facts, "2007:325412")
    assert r["employment"] == 374.5  # E: (250 + 499) / 2
    assert bool(r["employment_imputed"])
    assert pd.isna(r["payroll"])  # payroll of imputed cells is missing (quality-report note)


def test_published_zero_without_size_class_stays_zero(old_raw):
    facts, _ = src.read_state_old(old_raw)
    r = _row(facts, "2007:512132")
    assert r["employment"] == 0 and not bool(r["employment_imputed"])
    assert r["payroll"] == 242_000  # $1000s → dollars: 242 × 1000


def test_published_cell_is_kept_with_payroll_in_dollars(old_raw):
    facts, _ = src.read_state_old(old_raw)
    r = _row(facts, "2007:332710")
    assert r["employment"] == 5000 and not bool(r["employment_imputed"])
    assert r["payroll"] == 250_000_000  # 250000 × $1000
    assert r["region_id"] == "26" and r["year"] == 2011


def test_old_region_totals_come_from_the_all_industries_row(old_raw):
    _, totals = src.read_state_old(old_raw)
    t = totals.set_index(["region_id", "year"])
    # "------" rows only: 3,500,000 in 2011 and 3,900,000 in 2005 (not the 33---- sector, not
    # a sum of industries: 12 imputed cells + 5000 ≠ 3.5M)
    assert len(t) == 2
    assert t.loc[("26", 2011), "total"] == 3_500_000
    assert t.loc[("26", 2011), "total_units"] == 200_000
    assert t.loc[("26", 2011), "total_payroll"] == 150_000_000 * 1000
    assert t.loc[("26", 2005), "total"] == 3_900_000


NEW_STATE = """
year,state_fips,naics2017,estab,emp,payann_k
2017,53,00,250000,3400000,230000000
2017,53,31-33,7000,290000,20000000
2017,53,3364,60,0,0
2017,53,336411,30,90000,9000000
2017,53,336412,5,0,0
2017,53,336413,0,0,0
2017,53,541713,12,400,40000
2018,53,00,255000,3450000,240000000
"""
NEW_COUNTY = """
year,county_fips,naics2017,estab,emp,payann_k
2017,53033,00,80000,1300000,100000000
2017,53033,336411,10,40000,4000000
2017,53033,336412,4,0,0
"""


@pytest.fixture()
def new_raw(tmp_path) -> Path:
    _write(tmp_path, src.STATE_NEW, NEW_STATE)
    _write(tmp_path, src.COUNTY_NEW, NEW_COUNTY)
    return tmp_path


def test_2017_zero_with_establishments_is_missing_not_zero(new_raw):
    facts, _ = src.read_state_new(new_raw)
    r = _row(facts, "2017:336412")
    assert pd.isna(r["employment"]) and pd.isna(r["payroll"])  # withheld: 5 establishments, emp 0
    assert r["units"] == 5
    assert not bool(r["employment_imputed"])
    c, _ = src.read_county_new(new_raw)
    assert pd.isna(_row(c, "2017:336412", "53033")["employment"])


def test_2017_zero_with_zero_establishments_stays_zero(new_raw):
    facts, _ = src.read_state_new(new_raw)
    r = _row(facts, "2017:336413")
    assert r["employment"] == 0 and r["units"] == 0


def test_2017_published_cells_only_six_digit_industries(new_raw):
    facts, _ = src.read_state_new(new_raw)
    # 00, 31-33 and 3364 are aggregates, not industries: 4 six-digit rows
    assert set(facts["industry"]) == {"2017:336411", "2017:336412", "2017:336413", "2017:541713"}
    r = _row(facts, "2017:336411")
    assert r["employment"] == 90000 and r["payroll"] == 9_000_000_000  # 9,000,000 × $1000
    assert r["region_id"] == "53"


def test_2017_region_totals_come_from_the_00_row(new_raw):
    _, totals = src.read_state_new(new_raw)
    t = totals.set_index(["region_id", "year"])
    assert t.loc[("53", 2017), "total"] == 3_400_000  # not 90000 + 400 (sum of industries)
    assert t.loc[("53", 2018), "total"] == 3_450_000
    assert t.loc[("53", 2017), "total_payroll"] == 230_000_000 * 1000
    _, ct = src.read_county_new(new_raw)
    assert ct.set_index("region_id").loc["53033", "total"] == 1_300_000


def test_engine_total_is_the_all_industries_row_and_traded_local_are_sums():
    # facts: region A, two clustered industries (traded 100, local 300) and one unclustered (50)
    facts = pd.DataFrame({"region_id": "A", "year": 2017, "industry": ["x:1", "x:2", "x:9"],
                          "employment": [100.0, 300.0, 50.0]})
    defs = _defs({"x:1": "T", "x:2": "L"}, {"T": "traded", "L": "local"})
    totals = pd.DataFrame({"region_id": ["A"], "year": [2017], "total": [2000.0]})
    rt = region_totals(facts, defs, totals).iloc[0]
    assert rt["total"] == 2000  # the all-industries row, not 100 + 300 + 50 = 450
    assert rt["traded"] == 100 and rt["local"] == 300


# =============================================================================================
# Strong-cluster rule (UsStrong)
# =============================================================================================
# Cluster T (traded), one region type, year 2017. R7 has E = 0: outside every percentile base.
#   region  emp  units  lq
#   R1      100    5    0.5
#   R2      300   30    1.5   LQ = P75 ✓, but emp 300 = P25 → not > P25 ✗
#   R3      300   20    0.8
#   R4      400   20    1.5   LQ ✓, emp ✓, units 20 = P25 → not > P25 ✗
#   R5      500   40    1.5   LQ exactly at P75 (≥) ✓, emp ✓, units ✓ → strong; 1.5 < P90 → not top
#   R6      600   50    3.0   strong, 3.0 ≥ P90 → top strong
#   R7        0    3    0.0   E = 0: not in the base, not strong
# Over R1..R6: LQ sorted 0.5 0.8 1.5 1.5 1.5 3.0 → P75 at 3.75 = 1.5 + 0.75·0 = 1.5;
#   P90 at 4.5 = 1.5 + 0.5·(3.0 − 1.5) = 2.25
# emp sorted 100 300 300 400 500 600 → P25 at 1.25 = 300 + 0.25·0 = 300
# units sorted 5 20 20 30 40 50 → P25 at 1.25 = 20 + 0.25·0 = 20
# (With R7 in the base: emp 0 100 300 … → P25 at 1.5 = 100 + 0.5·200 = 200 and units
#  3 5 20 … → P25 = 5 + 0.5·15 = 12.5, so R2 and R4 would wrongly become strong.)
#
# Cluster U (traded): LQ ≥ 1 rule and the top-strong edge.
#   emp 10 20 30 40 50 60 (P25 at 1.25 = 20 + 0.25·10 = 22.5), units 1..6 (P25 = 2.25)
#   LQ  R1 0.2, R2 0.3, R3 0.4, R4 0.6, R5 0.9, R6 1.0
#   P75 at 3.75 = 0.6 + 0.75·(0.9 − 0.6) = 0.825; P90 at 4.5 = 0.9 + 0.5·0.1 = 0.95
#   R5: LQ 0.9 ≥ P75 but < 1 → not strong. R6: LQ exactly 1 → strong; 1.0 ≥ 0.95 → top.
# Cluster V (traded): LQ 1 1 1 1 2 2 → P75 at 3.75 = 1 + 0.75·1 = 1.75, P90 at 4.5 = 2 + 0 = 2
#   R5 and R6 (LQ exactly at P90) are top strong; R1..R4 (1 < 1.75) are not strong.
# Cluster L (local): huge LQ, not rated.
def _us_table() -> pd.DataFrame:
    rows = []
    t = {"R1": (100, 5, 0.5), "R2": (300, 30, 1.5), "R3": (300, 20, 0.8), "R4": (400, 20, 1.5),
         "R5": (500, 40, 1.5), "R6": (600, 50, 3.0), "R7": (0, 3, 0.0)}
    for r, (e, u, lq) in t.items():
        rows.append((r, "T", "traded", e, u, lq))
    for i, lq in enumerate([0.2, 0.3, 0.4, 0.6, 0.9, 1.0], start=1):
        rows.append((f"R{i}", "U", "traded", 10 * i, i, lq))
    for i, lq in enumerate([1, 1, 1, 1, 2, 2], start=1):
        rows.append((f"R{i}", "V", "traded", 10 * i, i, float(lq)))
    for i in range(1, 7):
        rows.append((f"R{i}", "L", "local", 1000 * i, 100 * i, 5.0))
    df = pd.DataFrame(rows, columns=["region_id", "category_id", "category_type", "employment", "units", "lq_type"])
    df["employment"] = df["employment"].astype(float)
    df["units"] = df["units"].astype(float)
    df["lq_total"] = 0.1  # the traded denominator must read lq_type, not this
    df["year"] = 2017
    return df


def _pick(df, out, region, cat):
    i = df.index[(df["region_id"] == region) & (df["category_id"] == cat)]
    return out.loc[i[0]]


@pytest.fixture()
def strong():
    df = _us_table()
    return df, rate(df, "us-strong", "traded")


def test_strong_thresholds_are_linear_interpolation_over_regions_with_employment(strong):
    df, out = strong
    r = _pick(df, out, "R1", "T")
    assert r["lq_threshold"] == pytest.approx(1.5)
    assert r["top_lq_threshold"] == pytest.approx(2.25)
    assert r["size_threshold"] == pytest.approx(300)
    assert r["units_threshold"] == pytest.approx(20)
    u = _pick(df, out, "R1", "U")
    assert u["lq_threshold"] == pytest.approx(0.825)
    assert u["top_lq_threshold"] == pytest.approx(0.95)
    assert u["size_threshold"] == pytest.approx(22.5)
    assert u["units_threshold"] == pytest.approx(2.25)


def test_strong_clusters_of_t(strong):
    df, out = strong
    t = df["category_id"] == "T"
    got = dict(zip(df.loc[t, "region_id"], out.loc[t, "strong"].astype(bool)))
    assert got == {"R1": False, "R2": False, "R3": False, "R4": False, "R5": True, "R6": True, "R7": False}
    top = dict(zip(df.loc[t, "region_id"], out.loc[t, "top_strong"].astype(bool)))
    assert [r for r, v in top.items() if v] == ["R6"]


def test_employment_or_establishments_exactly_at_p25_is_not_enough(strong):
    df, out = strong
    r2 = _pick(df, out, "R2", "T")  # emp 300 = P25
    assert bool(r2["star_specialisation"]) and not bool(r2["star_size"]) and not bool(r2["strong"])
    r4 = _pick(df, out, "R4", "T")  # units 20 = P25
    assert bool(r4["star_specialisation"]) and not bool(r4["star_size"]) and not bool(r4["strong"])


def test_lq_exactly_at_p75_meets_the_specialisation_test(strong):
    df, out = strong
    r5 = _pick(df, out, "R5", "T")
    assert bool(r5["star_specialisation"]) and bool(r5["strong"]) and not bool(r5["top_strong"])
    assert r5["stars"] == 1
    assert _pick(df, out, "R6", "T")["stars"] == 2


def test_lq_must_also_be_at_least_one(strong):
    df, out = strong
    r5 = _pick(df, out, "R5", "U")  # 0.9 ≥ P75 0.825 but < 1
    assert not bool(r5["star_specialisation"]) and not bool(r5["strong"])
    r6 = _pick(df, out, "R6", "U")  # exactly 1.0
    assert bool(r6["strong"]) and bool(r6["top_strong"])


def test_top_strong_edge_at_p90(strong):
    df, out = strong
    v = df["category_id"] == "V"
    top = dict(zip(df.loc[v, "region_id"], out.loc[v, "top_strong"].astype(bool)))
    assert top == {"R1": False, "R2": False, "R3": False, "R4": False, "R5": True, "R6": True}
    assert _pick(df, out, "R5", "V")["top_lq_threshold"] == pytest.approx(2.0)


def test_region_without_employment_is_not_in_the_base_and_not_strong(strong):
    df, out = strong
    r7 = _pick(df, out, "R7", "T")
    assert not bool(r7["strong"])
    # dropping R7 from the table changes no threshold
    df2 = df[df["region_id"] != "R7"].reset_index(drop=True)
    out2 = rate(df2, "us-strong", "traded")
    assert _pick(df2, out2, "R1", "T")["size_threshold"] == pytest.approx(300)
    assert _pick(df2, out2, "R1", "T")["units_threshold"] == pytest.approx(20)


def test_local_clusters_are_not_rated(strong):
    df, out = strong
    loc = df["category_id"] == "L"
    assert not out.loc[loc, "strong"].astype(bool).any()
    assert not out.loc[loc, "rated"].astype(bool).any()
    assert out.loc[loc, "stars"].isna().all()


def test_us_strong_reads_the_lq_column_of_the_denominator(strong):
    df, _ = strong
    # with the total denominator every LQ is 0.1 < 1: nothing is strong
    assert not rate(df, "us-strong", "total")["strong"].astype(bool).any()
    assert UsStrong().rate(df, "lq_type")["strong"].astype(bool).sum() == 2 + 1 + 2  # T: R5 R6; U: R6; V: R5 R6


def test_region_indicators_rate_each_region_level_on_its_own():
    # The state table above plus three counties C1..C3 in T with LQ 5, emp 50, units 2.
    # Per level: states as above → n_strong R5 = 2 (T, V), R6 = 3 (T, U, V); counties: LQ P75 = 5,
    #   emp P25 = 50 → emp 50 is not > 50: none strong.
    # (Mixed into one base, T's LQ P75 over 0.5 0.8 1.5 1.5 1.5 3 5 5 5 at 0.75·8 = 6 → 5.0, so R5 and
    #  R6 would lose T.)
    from analytics.metrics.regions import region_indicators
    states = _us_table().assign(level="state")
    counties = pd.DataFrame({"region_id": ["C1", "C2", "C3"], "category_id": "T", "category_type": "traded",
                             "employment": 50.0, "units": 2.0, "lq_type": 5.0, "lq_total": 5.0, "year": 2017,
                             "level": "county"})
    m = pd.concat([states, counties], ignore_index=True)
    regions = sorted(set(m["region_id"]))
    totals = pd.DataFrame({"region_id": regions, "year": 2017, "total": 5000.0, "traded": 1000.0, "local": 4000.0,
                           "level": ["county" if r.startswith("C") else "state" for r in regions]})
    ind = region_indicators(m, totals, rules="us-strong", denominator="traded").set_index("region_id")
    assert ind.loc["R5", "n_strong"] == 2 and ind.loc["R6", "n_strong"] == 3
    assert ind.loc[["R1", "R2", "R3", "R4", "R7", "C1", "C2", "C3"], "n_strong"].eq(0).all()
    # strong traded employment ÷ traded employment: R6 (600 + 60 + 60) / 1000; R5 (500 + 50) / 1000
    assert ind.loc["R6", "cluster_strength_us"] == pytest.approx(0.72)
    assert ind.loc["R5", "cluster_strength_us"] == pytest.approx(0.55)


# =============================================================================================
# LQ: US convention (traded employment for traded clusters, local for local) vs total
# =============================================================================================
def _defs(ind_to_cat: dict[str, str], cat_types: dict[str, str]) -> Definitions:
    imap = pd.DataFrame({"industry": list(ind_to_cat), "category_id": list(ind_to_cat.values())})
    cats = pd.DataFrame({"category_id": list(cat_types), "category_name": [f"Cluster {c}" for c in cat_types],
                         "category_type": list(cat_types.values())})
    inds = imap.assign(category_type=imap["category_id"].map(cat_types), industry_name=imap["industry"])
    return Definitions(imap, cats, inds)


# Two states. Industries: 1 → T (traded), 2 → U (traded), 3 → L (local), 4 → L2 (local),
# 9 → no cluster. All-industries totals ("00" rows): A 2000, B 3000.
#            T    U    L    L2   none  | traded  local  total
#   A      100  100  300   100    50   |   200    400   2000
#   B      100  500  900   100   100   |   600   1000   3000
#   nation 200  600 1200   200   150   |   800   1400   5000
LQ_FACTS = pd.DataFrame(
    [(r, f"2017:{i}", e) for r, row in (("A", (100, 100, 300, 100, 50)), ("B", (100, 500, 900, 100, 100)))
     for i, e in zip((1, 2, 3, 4, 9), row)],
    columns=["region_id", "industry", "employment"],
).assign(year=2017, employment_imputed=False, payroll=np.nan, units=1.0)
LQ_TOTALS = pd.DataFrame({"region_id": ["A", "B"], "year": [2017, 2017], "total": [2000.0, 3000.0]})


@pytest.fixture()
def lq_metrics() -> pd.DataFrame:
    defs = _defs({"2017:1": "T", "2017:2": "U", "2017:3": "L", "2017:4": "L2"},
                 {"T": "traded", "U": "traded", "L": "local", "L2": "local"})
    bc, bt = benchmark(LQ_FACTS, defs, LQ_TOTALS)
    regions = pd.DataFrame({"region_id": ["A", "B"], "name": ["State A", "State B"]})
    m, _ = level_metrics(LQ_FACTS, defs, bc, bt, regions, "state", LQ_TOTALS)
    return m.set_index(["region_id", "category_id"])


def test_lq_type_uses_traded_employment_for_traded_clusters(lq_metrics):
    # A, T: (100 / 200) / (200 / 800) = 0.5 / 0.25 = 2.0
    assert lq_metrics.loc[("A", "T"), "lq_type"] == pytest.approx(2.0)
    # B, U: (500 / 600) / (600 / 800) = 0.8333 / 0.75 = 10/9
    assert lq_metrics.loc[("B", "U"), "lq_type"] == pytest.approx(10 / 9)


def test_lq_type_uses_local_employment_for_local_clusters(lq_metrics):
    # A, L: (300 / 400) / (1200 / 1400) = 0.75 · 1400/1200 = 0.875 (over traded it would be 1.0)
    assert lq_metrics.loc[("A", "L"), "lq_type"] == pytest.approx(0.875)


def test_lq_total_uses_the_all_industries_total(lq_metrics):
    # A, T: (100 / 2000) / (200 / 5000) = 0.05 / 0.04 = 1.25
    assert lq_metrics.loc[("A", "T"), "lq_total"] == pytest.approx(1.25)
    # A, L: (300 / 2000) / (1200 / 5000) = 0.15 / 0.24 = 0.625
    assert lq_metrics.loc[("A", "L"), "lq_total"] == pytest.approx(0.625)
    # focus A, T = 100 / 2000; size share = 100 / 200
    assert lq_metrics.loc[("A", "T"), "focus"] == pytest.approx(0.05)
    assert lq_metrics.loc[("A", "T"), "size_share"] == pytest.approx(0.5)


# =============================================================================================
# Growth across the NAICS vintage break (2011 → 2017): from cluster totals
# =============================================================================================
def test_growth_across_the_vintage_break_uses_cluster_totals():
    # Automotive is 2007:336111 + 2007:336112 in 2011 and 2017:336110 + 2017:336390 in 2017
    # (no industry exists in both years). Region 26: 600 + 400 = 1000 → 1500 + 500 = 2000;
    # region 39: 3000 → 2000 + 1000 = 3000.
    defs = _defs({"2007:336111": "auto", "2007:336112": "auto", "2017:336110": "auto", "2017:336390": "auto"},
                 {"auto": "traded"})
    facts = pd.DataFrame([
        ("26", "2007:336111", 2011, 600.0), ("26", "2007:336112", 2011, 400.0),
        ("26", "2017:336110", 2017, 1500.0), ("26", "2017:336390", 2017, 500.0),
        ("39", "2007:336111", 2011, 3000.0),
        ("39", "2017:336110", 2017, 2000.0), ("39", "2017:336390", 2017, 1000.0),
    ], columns=["region_id", "industry", "year", "employment"]).assign(employment_imputed=False, payroll=np.nan,
                                                                       units=1.0)
    totals = pd.DataFrame({"region_id": ["26", "39", "26", "39"], "year": [2011, 2011, 2017, 2017],
                           "total": [10_000.0, 20_000.0, 10_000.0, 20_000.0]})
    bc, bt = benchmark(facts, defs, totals)
    regions = pd.DataFrame({"region_id": ["26", "39"], "name": ["Michigan", "Ohio"]})
    m, _ = level_metrics(facts, defs, bc, bt, regions, "state", totals)
    g = growth(m, 2011, 2017).set_index("region_id")
    # 26: CAGR = (2000 / 1000)^(1/6) − 1 = 2^(1/6) − 1 ≈ 0.122462; change +1000
    assert g.loc["26", "cagr"] == pytest.approx(2 ** (1 / 6) - 1)
    assert g.loc["26", "abs_change"] == 1000
    # 39: (3000 / 3000)^(1/6) − 1 = 0
    assert g.loc["39", "cagr"] == pytest.approx(0.0)
    # nation 4000 → 5000: +25 %; expected change 26 = 1000 · 0.25 = 250 → 1000 − 250 = +750;
    # 39 = 3000 · 0.25 = 750 → 0 − 750 = −750
    assert g.loc["26", "expected_change"] == pytest.approx(250)
    assert g.loc["26", "job_creation_vs_expected"] == pytest.approx(750)
    assert g.loc["39", "job_creation_vs_expected"] == pytest.approx(-750)


def test_growth_over_the_break_with_the_metrics_table_directly():
    # cluster totals 2011 = 1000, 2017 = 1000 · 1.1^6 = 1771.561 → CAGR exactly 10 % over 6 years
    m = pd.DataFrame({"region_id": ["26", "26"], "category_id": ["auto", "auto"], "year": [2011, 2017],
                      "employment": [1000.0, 1771.561]})
    g = growth(m, 2011, 2017).iloc[0]
    assert g["cagr"] == pytest.approx(0.10)
    assert g["abs_change"] == pytest.approx(771.561)


# =============================================================================================
# Economic areas: sums of their counties, only when every member county has data
# =============================================================================================
def test_aggregate_sums_members_and_counts_missing_children():
    # EA1 = c1 + c2; EA2 = c3 (+ c4, which has no rows at all). x: c1 100 + c2 withheld (NaN)
    # → 100 with 1 missing child; y: 50 + 25 = 75; EA2 x: 10.
    facts = pd.DataFrame([
        ("c1", "x", 2017, 100.0, 1e6, 3.0, False), ("c2", "x", 2017, np.nan, np.nan, 4.0, False),
        ("c1", "y", 2017, 50.0, 2e6, 5.0, False), ("c2", "y", 2017, 25.0, 1e6, 6.0, True),
        ("c3", "x", 2017, 10.0, 1e5, 1.0, False),
    ], columns=["region_id", "industry", "year", "employment", "payroll", "units", "employment_imputed"])
    mapping = pd.Series({"c1": "EA1", "c2": "EA1", "c3": "EA2", "c4": "EA2"})
    out = _aggregate(facts, mapping).set_index(["region_id", "industry"])
    assert out.loc[("EA1", "x"), "employment"] == 100
    assert out.loc[("EA1", "x"), "missing_children"] == 1
    assert out.loc[("EA1", "x"), "units"] == 7  # 3 + 4: establishments of a withheld cell still count
    assert out.loc[("EA1", "y"), "employment"] == 75 and out.loc[("EA1", "y"), "missing_children"] == 0
    assert out.loc[("EA1", "y"), "payroll"] == 3e6
    assert bool(out.loc[("EA1", "y"), "employment_imputed"]) is True
    assert out.loc[("EA2", "x"), "employment"] == 10


def test_complete_parents_counts_members_with_data_per_year():
    members = pd.DataFrame({"ea": ["EA1", "EA1", "EA2", "EA2"], "member": ["c1", "c2", "c3", "c4"]})
    have = pd.DataFrame({"region_id": ["c1", "c2", "c3", "c1", "c3"], "year": [2017, 2017, 2017, 2018, 2018]})
    cov = _complete_parents(members, have, "ea").set_index(["region_id", "year"])
    # 2017: EA1 2 of 2, EA2 1 of 2 (c4 lacks data); 2018: EA1 1 of 2 (c2 lacks data), EA2 1 of 2
    assert tuple(cov.loc[("EA1", 2017), ["n", "n_with_data"]]) == (2, 2)
    assert tuple(cov.loc[("EA2", 2017), ["n", "n_with_data"]]) == (2, 1)
    assert tuple(cov.loc[("EA1", 2018), ["n", "n_with_data"]]) == (2, 1)
    assert tuple(cov.loc[("EA2", 2018), ["n", "n_with_data"]]) == (2, 1)


# ---------------------------------------------------------------------------------------------
# build_us on a tiny raw tree: states DC (11), MI (26), WA (53); counties only in WA.
#   2011 (vintage 2007, "------" totals): MI 336111 withheld J → 17499.5 (imputed), 332710 5000,
#     total 4,000,000; WA 336411 80000, 336111 300, total 3,000,000; DC 541711 2000, total 500,000.
#   2017 ("00" totals; DC absent): MI 336111 150000, 336411 withheld (NaN), total 4,300,000;
#     WA 336411 90000 (30 estab), 336111 1200, total 3,400,000.
#   Counties 2017 (WA): 53033 336411 40000 (10 estab), 336111 700, total 1,300,000;
#     53061 336411 45000 (12 estab), 336111 withheld (3 estab, NaN), total 300,000;
#     53063 336411 800, total 220,000.
#   EAs (BEA 2004 codes): EA001 = 53033 + 53061 (complete); EA002 = 53063 + 26163 (MI: no county
#     data → no EA figure); EA003 = 26125 (MI); EA004 = 53065 (WA, but absent from the county
#     file); EA008 = 02010 + 02013 + 02232 (old Alaska codes, see the last test).
# ---------------------------------------------------------------------------------------------
TINY_OLD6 = f"""
{OLD_HEADER}
2011,26,2007,2007,336111,336111,30,0,D,J,0,D
2011,26,2007,2007,332710,33271-,200,5000,G,,300000,G
2011,53,2007,2007,336411,336411,40,80000,G,,8000000,G
2011,53,2007,2007,336111,336111,3,300,G,,15000,G
2011,11,2007,2007,541711,541711,50,2000,G,,200000,G
"""
TINY_OLD_ALL = """
year,fipstate,naics,est,emp,emp_nf,empflag,ap,ap_nf,naics_vintage
2011,26,------,220000,4000000,G,,180000000,G,2007
2011,53,------,170000,3000000,G,,150000000,G,2007
2011,11,------,20000,500000,G,,40000000,G,2007
"""
TINY_NEW_STATE = """
year,state_fips,naics2017,estab,emp,payann_k
2017,26,00,230000,4300000,200000000
2017,26,336111,25,150000,15000000
2017,26,336411,6,0,0
2017,53,00,180000,3400000,230000000
2017,53,336411,30,90000,9000000
2017,53,336111,5,1200,60000
"""
TINY_COUNTY = """
year,county_fips,naics2017,estab,emp,payann_k
2017,53033,00,80000,1300000,100000000
2017,53033,336411,10,40000,4000000
2017,53033,336111,2,700,35000
2017,53061,00,15000,300000,20000000
2017,53061,336411,12,45000,4500000
2017,53061,336111,3,0,0
2017,53063,00,12000,220000,15000000
2017,53063,336411,3,800,50000
2017,02013,00,100,2000,100000
2017,02013,311710,5,900,40000
2017,02105,00,20,230,10000
2017,02105,311710,3,40,2000
2017,02230,00,30,330,15000
2017,02230,487990,4,60,3000
"""
TINY_STATES = """
state_fips,state_name,state_postal
02,Alaska,AK
11,District of Columbia,DC
26,Michigan,MI
53,Washington,WA
72,Puerto Rico,PR
"""
TINY_COUNTIES = """
county_fips,county_name_usatlas2017,county_name_clustermapping,county_label_clustermapping,clustermapping_ea_code,clustermapping_cbsa_code,state_fips,state_name,state_postal
53033,King,King County,"King County, WA",57001,,53,Washington,WA
53061,Snohomish,Snohomish County,"Snohomish County, WA",57001,,53,Washington,WA
53063,Spokane,Spokane County,"Spokane County, WA",57002,,53,Washington,WA
53065,Stevens,Stevens County,"Stevens County, WA",57004,,53,Washington,WA
26163,Wayne,Wayne County,"Wayne County, MI",57002,,26,Michigan,MI
26125,Oakland,Oakland County,"Oakland County, MI",57003,,26,Michigan,MI
02013,Aleutians East,Aleutians East Borough,"Aleutians East Borough, AK",57008,,02,Alaska,AK
02105,Hoonah-Angoon,Hoonah-Angoon Census Area,"Hoonah-Angoon Census Area, AK",57008,,02,Alaska,AK
02230,Skagway,Skagway Municipality,"Skagway Municipality, AK",57008,,02,Alaska,AK
"""
TINY_EA = """
FIPS,County,EA,EA Name
53033,"King County, WA",001,"Seattle, WA"
53061,"Snohomish County, WA",001,"Seattle, WA"
53063,"Spokane County, WA",002,"Spokane, WA"
26163,"Wayne County, MI",002,"Spokane, WA"
26125,"Oakland County, MI",003,"Detroit, MI"
53065,"Stevens County, WA",004,"Colville, WA"
02010,"Aleutian Islands Census Area, AK",008,"Anchorage, AK"
02013,"Aleutians East Borough, AK",008,"Anchorage, AK"
02232,"Skagway-Hoonah-Angoon Census Area, AK",008,"Anchorage, AK"
"""
TINY_KNOWN = ["2007:336111", "2007:336411", "2007:332710", "2007:541711", "2017:336111", "2017:336411"]


@pytest.fixture()
def tiny_us(tmp_path) -> dict:
    for rel, text in ((src.STATE_OLD_NAICS6, TINY_OLD6), (src.STATE_OLD_ALL, TINY_OLD_ALL),
                      (src.STATE_NEW, TINY_NEW_STATE), (src.COUNTY_NEW, TINY_COUNTY),
                      (src.STATE_NAMES, TINY_STATES), (src.COUNTY_NAMES, TINY_COUNTIES), (src.EA_COUNTIES, TINY_EA)):
        _write(tmp_path, rel, text)
    _touch_required(tmp_path)
    imap = pd.DataFrame({"industry": TINY_KNOWN, "category_id": "c"})
    out = build_us(tmp_path, imap, progress=lambda s: None)
    out["raw"] = tmp_path
    return out


def test_tiny_build_states_and_counties_per_year(tiny_us):
    q = tiny_us["quality"]
    assert q["states_per_year"] == {2011: 3, 2017: 2}  # DC only in 2011
    assert q["counties_per_year"] == {2017: 6}  # 53033 53061 53063 02013 02105 02230
    assert q["years"] == [2011, 2017]
    assert set(tiny_us["facts"]["state"]["region_id"]) == {"11", "26", "53"}  # Puerto Rico is not a state


def test_tiny_build_lists_states_without_county_data(tiny_us):
    assert tiny_us["quality"]["states_without_county_data"] == ["District of Columbia (11)", "Michigan (26)"]


def test_tiny_build_nation_is_the_sum_of_the_states(tiny_us):
    n, nt = tiny_us["facts"]["nation"], tiny_us["totals"]["nation"].set_index("year")
    # 2011: 336111 = 17499.5 (MI, J midpoint) + 300 (WA) = 17799.5, imputed
    r = _row(n, "2007:336111", "US", 2011)
    assert r["employment"] == 17799.5 and bool(r["employment_imputed"])
    # 2017: 336411 = MI withheld + WA 90000 → 90000 with one missing child
    r = _row(n, "2017:336411", "US", 2017)
    assert r["employment"] == 90000 and r["missing_children"] == 1
    # totals: 4,000,000 + 3,000,000 + 500,000 = 7,500,000; 2017: 4,300,000 + 3,400,000 = 7,700,000
    assert nt.loc[2011, "total"] == 7_500_000 and nt.loc[2017, "total"] == 7_700_000


def test_tiny_build_state_totals_are_the_all_industries_rows(tiny_us):
    t = tiny_us["totals"]["state"].set_index(["region_id", "year"])
    assert t.loc[("26", 2011), "total"] == 4_000_000 and t.loc[("53", 2017), "total"] == 3_400_000


def test_tiny_build_ea_given_only_when_every_member_county_has_data(tiny_us):
    ea, et = tiny_us["facts"]["ea"], tiny_us["totals"]["ea"]
    # EA001 = 53033 + 53061: 336411 40000 + 45000 = 85000 (22 establishments);
    # 336111: 700 + 53061 withheld. WA publishes 1200 for 336111 with 5 establishments, all of
    # them in the two counties (2 + 3): the state's remainder 1200 − 700 = 500 goes to 53061
    # (imputed) → 1200, imputed, no missing child
    r = _row(ea, "2017:336411", "EA001", 2017)
    assert r["employment"] == 85000 and r["units"] == 22 and r["missing_children"] == 0
    r = _row(ea, "2017:336111", "EA001", 2017)
    assert r["employment"] == 1200 and r["missing_children"] == 0 and bool(r["employment_imputed"])
    assert et.set_index("region_id").loc["EA001", "total"] == 1_600_000  # 1,300,000 + 300,000
    # EA002 has 53063 (800) but 26163 has no county data: no partial figure at all
    assert "EA002" not in set(ea["region_id"]) and "EA002" not in set(et["region_id"])
    assert "EA003" not in set(ea["region_id"]) and "EA004" not in set(ea["region_id"])
    assert tiny_us["quality"]["eas_per_year"][2017] == 2  # EA001 and EA008 (see the Alaska test)


def test_tiny_build_lists_eas_without_data_with_member_counts(tiny_us):
    listed = {e["region_id"]: e for e in tiny_us["quality"]["eas_without_data"]}
    assert set(listed) == {"EA002", "EA003", "EA004"}
    assert (listed["EA002"]["counties"], listed["EA002"]["counties_with_data"]) == (2, 1)
    assert (listed["EA003"]["counties"], listed["EA003"]["counties_with_data"]) == (1, 0)
    assert listed["EA002"]["name"] == "Spokane, WA (EA)"
    assert listed["EA002"]["years"] == "2017"


def test_tiny_build_reason_of_a_missing_ea_names_the_real_cause(tiny_us):
    listed = {e["region_id"]: e for e in tiny_us["quality"]["eas_without_data"]}
    # EA003's county is in Michigan, a state without county data
    assert "states without county data" in listed["EA003"]["reason"]
    # EA004's county is in Washington, which has county data: the county itself is absent
    assert "states without county data" not in listed["EA004"]["reason"]
    assert "53065" in listed["EA004"]["reason"]


def test_old_bea_county_codes_are_recoded_to_the_cbp_2017_counties(tiny_us):
    # BEA 2004 lists 02232 Skagway-Hoonah-Angoon (split in 2007 into 02105 Hoonah-Angoon and
    # 02230 Skagway) and 02010 Aleutian Islands (superseded by 02013/02016, already members):
    # EA008 = 02013 + 02105 + 02230, all with data → total 2000 + 230 + 330 = 2560
    _, members = src.read_regions(tiny_us["raw"])
    assert sorted(members.loc[members["ea"] == "EA008", "county"]) == ["02013", "02105", "02230"]
    et = tiny_us["totals"]["ea"].set_index("region_id")
    assert et.loc["EA008", "total"] == 2560
    # every county with data belongs to an economic area
    assert set(tiny_us["totals"]["county"]["region_id"]) <= set(members["county"])
