"""The US build on the real files (County Business Patterns 2000–2011 and 2017–2021, the 2014
benchmark cluster definitions, BEA economic areas).

Uses the normal build through ``analytics.serving.store.get_store("us")`` (built on first use into
$CLUSTER_BUILD_DIR or data/build, then cached for the session). Skipped when the raw files are
absent. Expected counts come from PROVENANCE.md (the data's documentation), not from the code.
Run with ``-s`` to see the figures the tests print.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import config
from analytics.sources.us import sources as us_sources

RAW = config.raw_dir()
MISSING = [rel for rel in us_sources.REQUIRED if not (RAW / rel).exists()]
pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"US raw data not available under {RAW} (missing {', '.join(MISSING[:3])}"
                          f"{' …' if len(MISSING) > 3 else ''}); set CLUSTER_RAW_DIR")

OLD_YEARS = list(range(2000, 2012))
NEW_YEARS = list(range(2017, 2022))
# PROVENANCE.md, cbp/county_2017_2021_38states: the county file covers these 38 states only
COUNTY_STATES = set("AL AK AZ AR CO CT DE HI ID IA KS KY LA ME MD MA MN MS MO MT NE NV NH NJ NM ND OK OR RI SC SD "
                    "TN UT VT WA WV WI WY".split())
NO_COUNTY_STATES = set("CA FL GA IL IN MI NY NC OH PA TX VA DC".split())


@pytest.fixture(scope="session")
def store():
    from analytics.serving.store import get_store
    return get_store("us")  # builds once if missing or stale, then cached per process


@pytest.fixture(scope="session")
def postal(store) -> pd.Series:
    st = store.regions[store.regions["level"] == "state"]
    return st.set_index("region_id")["state"]


@pytest.fixture(scope="session")
def state_m(store) -> pd.DataFrame:
    return store.level_metrics("state")


@pytest.fixture(scope="session")
def tables(store) -> dict[int, pd.DataFrame]:
    return {y: store.table("state", y, "us-strong", "traded") for y in (2011, 2017)}


# ---------------------------------------------------------------------------------------------
# coverage
# ---------------------------------------------------------------------------------------------
def test_states_per_year(store, state_m, postal):
    with_data = state_m[state_m["employment"].notna()].groupby("year")["region_id"].unique()
    for y in OLD_YEARS:
        assert len(with_data[y]) == 51, y  # 50 states + DC
        assert "11" in set(with_data[y])
    for y in NEW_YEARS:
        assert len(with_data[y]) == 50, y  # the 2017–2021 state file lacks DC
        assert "11" not in set(with_data[y])
    assert store.quality["states_per_year"] == {str(y): (51 if y < 2012 else 50) for y in OLD_YEARS + NEW_YEARS}
    assert not set(state_m["year"]) & {2012, 2013, 2014, 2015, 2016}
    print(f"\nstates per year: {store.quality['states_per_year']}")


def test_counties_per_year_in_38_states(store, postal):
    co = store.level_metrics("county")
    per_year = co.groupby("year")["region_id"].nunique()
    print(f"\ncounties per year: {per_year.to_dict()}")
    assert sorted(per_year.index) == NEW_YEARS
    # PROVENANCE: 1875 counties over 2017–2021 in 38 states
    assert per_year.between(1800, 1875).all()
    assert co["region_id"].nunique() <= 1875
    states = {postal[c[:2]] for c in co["region_id"].unique()}
    assert states == COUNTY_STATES


def test_states_without_county_data_are_listed(store):
    listed = store.quality["states_without_county_data"]
    assert len(listed) == 13
    got = {item.rsplit("(", 1)[1].rstrip(")") for item in listed}
    fips = store.regions[store.regions["level"] == "state"].set_index("state")["region_id"]
    assert got == {fips[p] for p in NO_COUNTY_STATES}
    assert "Michigan (26)" in listed and "District of Columbia (11)" in listed


def test_eas_without_complete_data_are_listed_with_a_true_reason(store):
    q = store.quality
    listed = {e["region_id"]: e for e in q["eas_without_data"]}
    ea_ids = set(store.regions.loc[store.regions["level"] == "ea", "region_id"])
    with_data = set(store.level_metrics("ea")["region_id"])
    assert q["eas_total"] == len(ea_ids) == 179  # BEA 2004: 179 economic areas
    # every EA is either given or listed, never both
    assert with_data | set(listed) == ea_ids and not with_data & set(listed)
    postal = store.regions[store.regions["level"] == "state"].set_index("region_id")["state"]
    em = store.ea_members
    for ea, e in listed.items():
        assert e["counties_with_data"] < e["counties"], ea
        members = em.loc[em["ea"] == ea, "county"]
        assert e["counties"] == len(members), ea
        in_no_county_state = {postal.get(c[:2]) for c in members} & NO_COUNTY_STATES
        assert bool(in_no_county_state) == ("states without county data" in e["reason"]), (ea, e["reason"])
    print(f"\nEAs with data per year: {q['eas_per_year']} of {q['eas_total']}; "
          f"without complete data: {len(listed)}")
    others = {k: v["reason"] for k, v in listed.items() if "states without county data" not in v["reason"]}
    print(f"EAs missing for another reason: {others}")
    # Detroit (all of its counties in Michigan) has no figure; Honolulu lacks Kalawao (15005),
    # which has no CBP county data
    assert any("Detroit" in e["name"] for e in listed.values())
    assert "15005" in listed["EA074"]["reason"]


def test_ea_membership_matches_the_clustermapping_site(store):
    # the site's own EA → county membership (current county codes), 50 states + DC
    cm = pd.read_csv(RAW / "us/geo/regions/clustermapping_region_members.csv", dtype=str)
    cm = cm[(cm["region_type"] == "economic") & ~cm["member_county_fips"].str.startswith("72")].drop_duplicates()
    site = set(zip("EA" + cm["region_code"].str[-3:], cm["member_county_fips"].replace(us_sources.COUNTY_RECODES)))
    ours = set(zip(store.ea_members["ea"], store.ea_members["county"]))
    assert ours == site


def test_every_county_with_data_is_in_an_economic_area(store):
    counties = set(store.level_metrics("county")["region_id"])
    assert counties <= set(store.ea_members["county"])


def test_anchorage_ea_covers_all_of_alaska(store):
    # all Alaska county-equivalents have county data, so the Anchorage EA (all of Alaska) has a figure
    ea = store.level_metrics("ea")
    assert set(ea.loc[ea["region_id"] == "EA008", "year"]) == set(NEW_YEARS)
    t = pd.read_parquet(store.dir / "totals_county.parquet")
    ak = t[t["region_id"].str.startswith("02") & (t["year"] == 2017)]["total"].sum()
    te = pd.read_parquet(store.dir / "totals_ea.parquet").set_index(["region_id", "year"])
    assert te.loc[("EA008", 2017), "total"] == ak


def test_ea_is_the_sum_of_its_member_counties(store):
    em = store.ea_members
    co = store.level_metrics("county")
    ea = store.level_metrics("ea").set_index(["region_id", "category_id", "year"]).sort_index()
    for ea_id in ("EA001", "EA008", "EA022", "EA152", "EA155"):  # Aberdeen, Anchorage, Boston, Seattle, Sioux Falls
        assert ea_id in ea.index.get_level_values(0), ea_id
        members = set(em.loc[em["ea"] == ea_id, "county"])
        sums = co[co["region_id"].isin(members)].groupby(["category_id", "year"])["employment"].sum()
        got = ea.loc[ea_id, "employment"].fillna(0)
        pd.testing.assert_series_equal(got.sort_index(), sums.reindex(got.index).fillna(0).sort_index(),
                                       check_names=False, check_dtype=False)


# ---------------------------------------------------------------------------------------------
# arithmetic invariants
# ---------------------------------------------------------------------------------------------
def test_nation_is_the_sum_of_the_states(store, state_m):
    nation = store.level_metrics("nation").set_index(["category_id", "year"])["employment"]
    states = state_m.groupby(["category_id", "year"])["employment"].sum(min_count=1)
    pd.testing.assert_series_equal(nation.sort_index(), states.reindex(nation.index).sort_index(),
                                   check_names=False, check_dtype=False)
    tn = pd.read_parquet(store.dir / "totals_nation.parquet").set_index("year")["total"]
    ts = pd.read_parquet(store.dir / "totals_state.parquet").groupby("year")["total"].sum()
    assert (tn == ts.reindex(tn.index)).all()
    # PROVENANCE: the 2011 national total equals the published CBP total; 2017 = 128.06M (no DC)
    assert tn[2011] == 113_425_965
    assert tn[2017] == pytest.approx(128.06e6, abs=0.01e6)


def test_county_cluster_employment_never_exceeds_its_states(store, state_m):
    # suppression only removes: a county's cluster employment is at most its state's, wherever
    # the state's figure is complete (a withheld state cell can hide what a county publishes)
    co = store.level_metrics("county")
    co = co.assign(state=co["region_id"].str[:2])
    st = state_m.rename(columns={"region_id": "state", "employment": "st_emp", "missing_parts": "st_missing"})
    j = co.merge(st[["state", "category_id", "year", "st_emp", "st_missing"]], on=["state", "category_id", "year"])
    complete = j[j["st_missing"] == 0]
    assert len(complete) > 100_000
    over = complete[complete["employment"] > complete["st_emp"]]
    assert over.empty, over[["region_id", "category_id", "year", "employment", "st_emp"]].head()
    # and the counties of a state add up to no more than the state
    sums = co.groupby(["state", "category_id", "year"])["employment"].sum().rename("co_sum").reset_index()
    k = sums.merge(st[["state", "category_id", "year", "st_emp", "st_missing"]], on=["state", "category_id", "year"])
    k = k[k["st_missing"] == 0]
    assert (k["co_sum"] <= k["st_emp"]).all()
    tc = pd.read_parquet(store.dir / "totals_county.parquet")
    ts = pd.read_parquet(store.dir / "totals_state.parquet").set_index(["region_id", "year"])["total"]
    tsum = tc.assign(state=tc["region_id"].str[:2]).groupby(["state", "year"])["total"].sum()
    assert (tsum <= ts.reindex(tsum.index)).all()


def test_no_negative_employment_and_withheld_is_missing_not_zero(store):
    for level in store.levels:
        m = store.level_metrics(level)
        assert (m["employment"].dropna() >= 0).all(), level
    f = store.facts("state")
    new = f[f["year"] >= 2017]
    # a 2017+ cell with employment 0 never has establishments (those are withheld → imputed, or NaN
    # where no published parent bounds them), and an imputed cell says so
    assert not ((new["employment"] == 0) & (new["units"] > 0)).any()
    withheld = new["employment_flag"].str.startswith("withheld")
    assert withheld.sum() > 2000
    assert (new.loc[new["employment_imputed"], "employment_flag"] == "withheld, imputed").all()
    assert new.loc[withheld & ~new["employment_imputed"], "employment"].isna().all()
    assert new.loc[new["employment_imputed"], "payroll"].isna().all()


def test_lq_type_of_a_traded_cluster_uses_traded_employment(store, tables):
    ind = store.indicators.set_index(["region_id", "level", "year"])
    t = tables[2017].set_index(["region_id", "category_id"])
    nat = store.level_metrics("nation")
    nat = nat[nat["year"] == 2017].set_index("category_id")["employment"]
    r = t.loc[("26", "automotive")]
    traded_mi = ind.loc[("26", "state", 2017), "traded_employment"]
    traded_us = ind.loc[("US", "nation", 2017), "traded_employment"]
    total_mi = ind.loc[("26", "state", 2017), "total_employment"]
    total_us = ind.loc[("US", "nation", 2017), "total_employment"]
    assert r["lq_type"] == pytest.approx((r["employment"] / traded_mi) / (nat["automotive"] / traded_us))
    assert r["lq_total"] == pytest.approx((r["employment"] / total_mi) / (nat["automotive"] / total_us))
    assert r["lq"] == r["lq_type"]  # the traded denominator is the US convention


# ---------------------------------------------------------------------------------------------
# famous clusters under the US strong-cluster rule (traded denominator)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("year", [2011, 2017])
@pytest.mark.parametrize("states, category", [
    (("26",), "automotive"),                        # Michigan
    (("53",), "aerospace_vehicles_and_defense"),    # Washington
    (("34", "25"), "biopharmaceuticals"),           # New Jersey or Massachusetts
])
def test_famous_clusters_are_strong(tables, year, states, category):
    t = tables[year]
    rows = t[t["region_id"].isin(states) & (t["category_id"] == category)]
    assert len(rows) == len(states)
    assert rows["strong"].astype(bool).any(), rows[["region_id", "lq", "lq_threshold", "employment",
                                                    "size_threshold", "units", "units_threshold"]]


def test_strong_cluster_counts_per_year(store, state_m):
    counts = {}
    for y in sorted(state_m["year"].unique()):
        t = store.table("state", int(y), "us-strong", "traded")
        counts[int(y)] = (int(t["strong"].astype(bool).sum()), int(t["top_strong"].astype(bool).sum()))
        traded = t["category_type"] == "traded"
        assert not t.loc[~traded, "strong"].astype(bool).any()
        # P75 sits at position 0.75·(n − 1) of n sorted LQs, so (without ties) at most
        # ⌊0.25·(n − 1)⌋ + 1 regions of a cluster can have LQ ≥ P75, hence be strong
        per_cat = t[traded].groupby("category_id")["strong"].sum()
        n_regions = t[traded & (t["employment"] > 0)].groupby("category_id")["region_id"].nunique()
        assert (per_cat <= np.floor(0.25 * (n_regions.reindex(per_cat.index) - 1)) + 1).all()
    print("\nstrong / top-strong clusters, state level: "
          + ", ".join(f"{y} {s}/{ts}" for y, (s, ts) in counts.items()))
    assert all(s > 0 for s, _ in counts.values())


def test_region_indicator_strong_counts_match_the_level_tables(store):
    ind = store.indicators
    for level, year in (("state", 2017), ("state", 2011), ("county", 2017)):
        t = store.table(level, year, "us-strong", "traded")
        expected = t.groupby("region_id")["strong"].sum().astype(int)
        got = ind[(ind["level"] == level) & (ind["year"] == year)].set_index("region_id")["n_strong"]
        got = got.reindex(expected.index).fillna(0).astype(int)
        diff = (got != expected)
        assert not diff.any(), f"{level} {year}: {diff.sum()} regions differ, e.g. " \
                               f"{list(zip(expected[diff].index[:3], expected[diff][:3], got[diff][:3]))}"
    # a single region (the nation) cannot have employment above its own 25th percentile
    assert (ind.loc[ind["level"] == "nation", "n_strong"] == 0).all()


def test_cluster_strength_both_variants_present_and_between_0_and_1(store):
    ind = store.indicators
    st = ind[ind["level"] == "state"]
    for col in ("cluster_strength", "cluster_strength_us"):
        assert col in ind.columns
        vals = ind[col].dropna()
        assert ((vals >= 0) & (vals <= 1)).all(), col
        assert st[col].notna().all(), col
    mi = st[(st["region_id"] == "26") & (st["year"] == 2017)].iloc[0]
    assert mi["cluster_strength_us"] > 0  # Michigan has strong traded clusters (automotive)


# ---------------------------------------------------------------------------------------------
# related clusters
# ---------------------------------------------------------------------------------------------
def _pairs() -> pd.DataFrame:
    p = pd.read_csv(RAW / "us/clusters/related_clusters_2014_pairs.csv", dtype=str)
    keys = pd.read_csv(RAW / "us/clusters/clusters_2014_list.csv", dtype=str).set_index("cluster_code")["cluster_key"]
    p = p[p["clustera"] != p["clusterb"]]
    return pd.DataFrame({"a": p["clustera"].map(keys), "b": p["clusterb"].map(keys),
                         "pc": pd.to_numeric(p["cr_all_pc"]), "rel90": pd.to_numeric(p["rel_all_90_v3"]) == 1})


def test_automotive_is_related_to_metalworking(store):
    from analytics.metrics.related import related_categories
    r = related_categories(store.related, "automotive", set(store.categories["category_id"]), top=51)
    assert "metalworking_technology" in set(r["related_id"])
    row = r.set_index("related_id").loc["metalworking_technology"]
    assert bool(row["related_90"])
    # the relatedness file marks the pair Automotive (4) – Metalworking Technology (32) as related
    p = _pairs()
    assert p[(p["a"] == "automotive") & (p["b"] == "metalworking_technology")]["rel90"].all()


def test_michigan_2017_related_clusters_of_its_strong_clusters(store):
    from analytics.metrics.related import diversification
    t = store.table("state", 2017)
    mine = t[t["region_id"] == "26"]
    strong = set(mine.loc[mine["stars"].fillna(0) > 0, "category_id"])
    assert "automotive" in strong
    out = diversification(store.related, mine, strong, top=51)
    # expected from the pairs file: clusters related (90th-percentile flag or percentile ≥ 90) to
    # one of Michigan's strong clusters, not strong themselves
    p = _pairs()
    p = p[p["a"].isin(strong) & ~p["b"].isin(strong) & (p["rel90"] | (p["pc"] >= 90))]
    assert set(out["category_id"]) == set(p["b"]) & set(mine["category_id"])
    for _, row in out.iterrows():
        assert set(row["related_to"].split(", ")) <= strong
    print(f"\nMichigan 2017 strong clusters ({len(strong)}): {sorted(strong)}")
    print(f"related, not strong: {list(out['category_id'])}")


# ---------------------------------------------------------------------------------------------
# data quality figures
# ---------------------------------------------------------------------------------------------
def test_imputed_and_withheld_shares_per_year(store):
    q = store.quality
    imp = {int(y): v for y, v in q["imputed_share"].items()}
    wh = {int(y): v for y, v in q["withheld_cells_state"].items()}
    whe = {int(y): v for y, v in q["withheld_establishment_share_state"].items()}
    whc = {int(y): v for y, v in q["withheld_cell_share_county"].items()}
    cov = {int(y): v for y, v in q["cluster_employment_coverage"].items()}
    print("\nshare of state cluster employment imputed from size classes: "
          + ", ".join(f"{y} {v:.1%}" for y, v in imp.items()))
    print("withheld state cells (missing): " + ", ".join(f"{y} {v}" for y, v in wh.items()))
    print("share of state cluster establishments in withheld cells: "
          + ", ".join(f"{y} {v:.2%}" for y, v in whe.items()))
    print("share of county cluster cells withheld: " + ", ".join(f"{y} {v:.1%}" for y, v in whc.items()))
    print("cluster employment / all-industry employment: " + ", ".join(f"{y} {v:.1%}" for y, v in cov.items()))
    # 2000–2011 withheld cells are imputed (a few % of employment, never most of it)
    for y in OLD_YEARS:
        assert 0.01 < imp[y] < 0.25, y
        assert wh[y] == 0, y
    # 2017 still had D-suppression: its withheld cells are imputed from the hierarchy (about 1 % of
    # cluster employment at state level); 2018+ uses noise only: a handful of withheld cells
    assert 0.002 < imp[2017] < 0.05
    for y in NEW_YEARS[1:]:
        assert imp[y] < 0.001, y
    assert wh[2017] > 1000 > 50 > wh[2018]
    left = {int(y): v for y, v in q["withheld_left_missing_state"].items()}
    assert all(left[y] <= 0.01 * max(wh[y], 1) + 10 for y in NEW_YEARS)  # almost every withheld cell is bounded
    # PROVENANCE: 2003–2011 clusters cover about all CBP employment once withheld cells count
    for y in range(2003, 2012):
        assert 0.9 < cov[y] < 1.02, y
