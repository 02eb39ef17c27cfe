"""Imputation of withheld CBP 2017+ cells (analytics/sources/us/imputation.py): hand-worked
fixtures, then the masked validation and the build on the real files."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from analytics import config
from analytics.sources.us import imputation as im
from analytics.sources.us import sources as src

HEADER = "year,state_fips,naics2017,estab,emp,payann_k\n"
C_HEADER = "year,county_fips,naics2017,estab,emp,payann_k\n"


def _frame(text: str, header: str = HEADER) -> pd.DataFrame:
    col = "state_fips" if header == HEADER else "county_fips"
    return pd.read_csv(io.StringIO(header + text.strip() + "\n"), dtype={col: str, "naics2017": str})


def _emp(df: pd.DataFrame, region: str, code: str) -> float:
    col = "state_fips" if "state_fips" in df.columns else "county_fips"
    row = df[(df[col] == region) & (df["naics2017"] == code)]
    assert len(row) == 1
    return float(row["emp"].iloc[0])


# State 01 (2017): 3364 = 1000 persons in 10 establishments, all in its one 5-digit child
# 33641 (1000, 10). Its 6-digit children: 336411 published 600 (5 est), 336412 withheld
# (3 est), 336413 withheld (2 est): 5 + 3 + 2 = 10, nothing unpublished.
# State 02 publishes 336412: 800 persons in 4 establishments → typical size 200.
# 336413 is published nowhere → typical size of its parent 33641 = (1000 + 800) / (10 + 4).
#   priors: 336412 3 × 200 = 600; 336413 2 × 1800/14 = 257.142857
#   remainder 1000 − 600 = 400 → 336412 400 × 600/857.142857 = 280; 336413 = 120.
TWO_WITHHELD = """
2017,01,00,100,5000,200000
2017,01,31-33,20,2000,90000
2017,01,336,10,1000,50000
2017,01,3364,10,1000,50000
2017,01,33641,10,1000,50000
2017,01,336411,5,600,30000
2017,01,336412,3,0,0
2017,01,336413,2,0,0
2017,02,00,50,3000,100000
2017,02,31-33,10,1000,40000
2017,02,336,4,800,30000
2017,02,3364,4,800,30000
2017,02,33641,4,800,30000
2017,02,336412,4,800,30000
"""


def test_withheld_children_share_the_remainder_by_establishments_times_typical_size():
    out, _, report = im.impute(_frame(TWO_WITHHELD))
    assert _emp(out, "01", "336412") == pytest.approx(280)
    assert _emp(out, "01", "336413") == pytest.approx(120)
    # the imputed children and the published one add up to the published parent
    kids = out[(out["state_fips"] == "01") & out["naics2017"].str.fullmatch(r"33641\d")]
    assert kids["emp"].sum() == pytest.approx(1000)
    assert set(kids.loc[kids["imputed"], "naics2017"]) == {"336412", "336413"}
    assert not out.loc[out["naics2017"] == "336411", "imputed"].any()  # published cells are untouched
    assert _emp(out, "02", "336412") == 800
    assert report["state"]["withheld_cells"] == {2017: 2} and report["state"]["imputed_cells"] == {2017: 2}


def test_unpublished_establishments_take_their_share_and_are_not_written_out():
    # 33641 has 12 establishments but its rows hold 10: 2 sit in cells CBP does not publish.
    # typical(33641) = 1800 / 16 = 112.5; priors 336412 600, 336413 2 × 112.5 = 225, the
    # unpublished pseudo-child 2 × 112.5 = 225 → 400 × 600/1050, 400 × 225/1050 (and 85.71 unwritten)
    text = TWO_WITHHELD.replace("2017,01,33641,10,1000,50000", "2017,01,33641,12,1000,50000")
    out, _, _ = im.impute(_frame(text))
    assert _emp(out, "01", "336412") == pytest.approx(400 * 600 / 1050)
    assert _emp(out, "01", "336413") == pytest.approx(400 * 225 / 1050)
    kids = out[(out["state_fips"] == "01") & out["naics2017"].str.fullmatch(r"33641\d")]
    assert kids["emp"].sum() == pytest.approx(1000 - 400 * 225 / 1050)  # below the parent: the rest is unpublished
    assert len(out) == len(_frame(text))  # no row invented for the unpublished cells


def test_a_withheld_cell_between_published_siblings_gets_exactly_the_remainder():
    # 336411 600 and 336413 100 published, 336412 withheld, all 10 establishments accounted for:
    # the hierarchy fixes 336412 = 1000 − 700 = 300 whatever its typical size
    text = TWO_WITHHELD.replace("2017,01,336413,2,0,0", "2017,01,336413,2,100,4000")
    out, _, _ = im.impute(_frame(text))
    assert _emp(out, "01", "336412") == pytest.approx(300)


def test_a_withheld_parent_is_imputed_first_and_then_bounds_its_children():
    # 33641 itself withheld (10 est); 3364 = 1000 published with 10 establishments all in 33641
    # → 33641 = 1000, then it bounds its children. typical(33641) now comes from state 02 only
    # (800 / 4 = 200): priors 336412 600, 336413 2 × 200 = 400 → 400 × 600/1000 = 240, 160
    text = TWO_WITHHELD.replace("2017,01,33641,10,1000,50000", "2017,01,33641,10,0,0")
    out, _, _ = im.impute(_frame(text))
    assert _emp(out, "01", "33641") == pytest.approx(1000)
    assert _emp(out, "01", "336412") == pytest.approx(240)
    assert _emp(out, "01", "336413") == pytest.approx(160)


def test_no_remainder_leaves_the_cell_missing_not_zero():
    # published siblings already exceed the parent (noise infusion): nothing bounds 336412
    text = TWO_WITHHELD.replace("2017,01,336411,5,600,30000", "2017,01,336411,5,1100,30000")
    out, _, report = im.impute(_frame(text))
    assert np.isnan(_emp(out, "01", "336412"))
    assert not out.loc[(out["state_fips"] == "01") & (out["naics2017"] == "336412"), "imputed"].any()
    assert report["state"]["left_missing_cells"][2017] == 2


# Counties of state 53: the state publishes 336411 = 1000 persons, 20 establishments (typical
# size 50). 53001 publishes 600 (10 est); 53003 (6 est) and 53005 (2 est) are withheld; 2
# establishments sit outside the counties (statewide / unpublished).
#   priors 53003 6 × 50 = 300, 53005 2 × 50 = 100, pseudo-county 2 × 50 = 100; remainder 400
#   → 53003 400 × 300/500 = 240, 53005 80 (and 80 left with the pseudo-county).
STATE_53 = """
2017,53,00,500,20000,900000
2017,53,31-33,50,5000,300000
2017,53,336,20,1000,50000
2017,53,3364,20,1000,50000
2017,53,33641,20,1000,50000
2017,53,336411,20,1000,50000
"""
COUNTIES_53 = """
2017,53001,00,200,9000,400000
2017,53001,336411,10,600,30000
2017,53003,00,100,4000,200000
2017,53003,336411,6,0,0
2017,53005,00,50,2000,90000
2017,53005,336411,2,0,0
"""


def test_county_withheld_while_its_state_publishes_takes_the_states_remainder():
    st, co, report = im.impute(_frame(STATE_53), _frame(COUNTIES_53, C_HEADER))
    assert _emp(co, "53003", "336411") == pytest.approx(240, abs=0.01)
    assert _emp(co, "53005", "336411") == pytest.approx(80, abs=0.01)
    assert _emp(co, "53001", "336411") == 600
    assert _emp(st, "53", "336411") == 1000  # the published state is the margin, unchanged
    assert co.loc[co["naics2017"] == "336411", "emp"].sum() <= 1000
    assert report["county"]["over_state"] == 0


def test_county_cells_meet_both_margins_their_county_parent_and_their_state():
    # 53003 also publishes its 5-digit parent 33641 = 200 (6 est, all in 336411): the NAICS margin
    # fixes 53003 × 336411 = 200, so the state's remainder is shared 200 / rest between 53005 and
    # the pseudo-county (IPF over both margins)
    counties = COUNTIES_53 + "2017,53003,33641,6,200,10000\n"
    st, co, report = im.impute(_frame(STATE_53), _frame(counties, C_HEADER))
    assert _emp(co, "53003", "336411") == pytest.approx(200, abs=0.5)
    assert _emp(co, "53005", "336411") + _emp(co, "53003", "336411") <= 400 + 0.5
    assert report["county"]["parents_exceeded_by_children"] == 0 and report["county"]["over_state"] == 0


def test_formatted_facts_flag_imputed_cells_and_keep_their_payroll_missing():
    out, _, _ = im.impute(_frame(TWO_WITHHELD))
    facts, totals = src.format_state_new(out)
    r = facts[(facts["region_id"] == "01") & (facts["industry"] == "2017:336412")].iloc[0]
    assert r["employment"] == pytest.approx(280) and bool(r["employment_imputed"])
    assert r["employment_flag"] == "withheld, imputed" and pd.isna(r["payroll"]) and r["units"] == 3
    published = facts[(facts["region_id"] == "01") & (facts["industry"] == "2017:336411")].iloc[0]
    assert not bool(published["employment_imputed"]) and published["employment_flag"] == ""
    # without imputation a withheld cell is missing, never zero
    raw_facts, _ = src.format_state_new(_frame(TWO_WITHHELD))
    cell = raw_facts[(raw_facts["region_id"] == "01") & (raw_facts["industry"] == "2017:336412")]
    assert cell["employment"].isna().all() and cell["employment_flag"].eq("withheld").all()


def test_naics_parents_of_sectors_and_codes():
    codes = pd.Series(["00", "31-33", "11", "336", "441", "4411", "336411", "493"])
    assert im.parent_of(codes).tolist() == [None, "00", "00", "31-33", "44-45", "441", "33641", "48-49"]
    assert im.depth_of(codes).tolist() == [0, 2, 2, 3, 3, 4, 6, 3]


def test_size_bands():
    assert im.size_band([0, 19, 20, 99, 100, 2499, 2500]).tolist() == [
        "<20", "<20", "20–99", "20–99", "100–499", "500–2,499", "2,500+"]


# ---------------------------------------------------------------------------------------------
# real files
# ---------------------------------------------------------------------------------------------
RAW = config.raw_dir()
HAVE_RAW = (RAW / src.STATE_NEW).exists() and (RAW / src.COUNTY_NEW).exists()
real = pytest.mark.skipif(not HAVE_RAW, reason=f"US raw data not available under {RAW}")


@pytest.fixture(scope="module")
def raw_2017():
    s = src.read_state_new_raw(RAW)
    c = src.read_county_new_raw(RAW)
    return s[s["year"] == 2017].reset_index(drop=True), c[c["year"] == 2017].reset_index(drop=True)


@real
@pytest.mark.parametrize("level, floor_all, floor_open", [("state", 0.98, 0.96), ("county", 0.95, 0.91)])
def test_masked_cells_are_recovered_better_than_the_naive_estimate(raw_2017, level, floor_all, floor_open):
    # 10 % of the published 2017 cells per size band hidden and imputed as if withheld; the
    # floors are the levels reached (scripts/benchmark_imputation.py prints the full table)
    v = im.mask_validation(*raw_2017, level=level).set_index(["cells", "band"])
    print(f"\n{level} masked validation\n{v.round(3).to_string()}")
    assert v.loc[("all", "all"), "spearman"] >= floor_all
    assert v.loc[("open", "all"), "spearman"] >= floor_open
    assert v.loc[("all", "all"), "n"] > (5000 if level == "state" else 40000)
    # better than establishments × national typical size in every size band
    for band in [b[2] for b in im.SIZE_BANDS]:
        row = v.loc[("open", band)]
        assert row["median_ape"] < row["naive_median_ape"], band
        assert row["spearman"] > row["naive_spearman"], band


@real
def test_real_2017_margins_hold(raw_2017):
    st, co, report = im.impute(*raw_2017)
    r = report["state"]
    assert r["withheld_cells"][2017] > 3000 and r["left_missing_cells"][2017] <= 20
    assert r["parents_exceeded_by_children"] == 0
    assert report["county"]["over_state"] == 0
    # IPF over two margins: almost every county parent holds (within half a person)
    assert report["county"]["parents_exceeded_by_children"] <= 0.005 * report["county"]["parents_with_withheld_children"]
    # nation (sum of states) per 6-digit code never exceeds the all-industries total
    six = st[st["naics2017"].str.fullmatch(r"\d{6}")]
    assert six["emp"].sum() <= st.loc[st["naics2017"] == "00", "emp"].sum()
