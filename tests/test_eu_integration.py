"""The European build on the real files (Eurostat SBS 2008–2015 on the NUTS 2021 map).

Uses the normal build through ``analytics.serving.store.get_store("eu")`` (built on first use into
$CLUSTER_BUILD_DIR or data/build, then cached for the session). Skipped when the raw files
are absent. Run with ``-s`` to see the figures the tests print.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import config
from analytics.sources.eu import sources as eu_sources

RAW = config.raw_dir()
MISSING = [rel for rel in eu_sources.REQUIRED if not (RAW / rel).exists()]
pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"raw data not available under {RAW} (missing {', '.join(MISSING[:3])}"
                          f"{' …' if len(MISSING) > 3 else ''}); set CLUSTER_RAW_DIR")


@pytest.fixture(scope="session")
def store():
    from analytics.serving.store import get_store
    return get_store("eu")  # builds once if missing or stale, then cached per process


@pytest.fixture(scope="session")
def nuts2(store) -> pd.DataFrame:
    return store.level_metrics("nuts2")


@pytest.fixture(scope="session")
def table2014(store) -> pd.DataFrame:
    return store.table("nuts2", 2014, "eco2008", "total")


def test_2014_has_at_least_250_nuts2_regions_on_the_2021_map(store, nuts2):
    with_data = nuts2[nuts2["employment"].notna()]
    per_year = with_data.groupby("year")["region_id"].nunique()
    print("\nNUTS 2 regions with data per year:", ", ".join(f"{y} {n}" for y, n in per_year.items()))
    assert per_year.loc[2014] >= 250
    map_ids = set(store.regions.loc[store.regions["level"] == "nuts2", "region_id"])
    assert set(with_data["region_id"]) <= map_ids  # every region joins the NUTS 2021 map
    assert nuts2["region_name"].notna().all()
    # the quality report states the same counts
    assert {int(y): n for y, n in store.quality["regions_with_data"].items()} == per_year.to_dict()


def test_every_unmatched_source_region_is_reported_with_a_reason(store, nuts2):
    from analytics.sources.eu.build import BLOCK
    from analytics.sources.eu.nuts import load_changes, recode_table

    sbs = eu_sources.read_sbs(RAW)
    src = sbs[(sbs["indicator"] == "employment") & (sbs["geo"].str.len() == 4) & sbs["value"].notna()
              & sbs["nace"].str.match(BLOCK)]
    src_years = src.groupby("geo")["year"].agg(set)
    q = store.quality
    unmatched = {u["code"]: u for u in q["unmatched"]}
    map_ids = set(store.regions.loc[store.regions["level"] == "nuts2", "region_id"])
    have = set(map(tuple, nuts2.loc[nuts2["employment"].notna(), ["region_id", "year"]].drop_duplicates().to_numpy()))
    without = {(r["region_id"], int(y)) for r in q["map_regions_without_data"] for y in r["years"].split(",") if y}
    recode = recode_table(list(src_years.index), map_ids, load_changes(RAW)).set_index("code")
    print(f"\nsource NUTS 2 codes with data: {len(src_years)}; unmatched and reported: "
          f"{sum(c in unmatched for c in src_years.index)}")
    silent = []
    for code, years in src_years.items():
        if code in unmatched:
            assert unmatched[code]["reason"].strip(), code
            assert code not in map_ids
            continue
        target = recode.loc[code, "target"]
        if not isinstance(target, str):
            silent.append(code)
            continue
        # matched: its data shows on the map, or the map region is reported as lacking data
        for y in years:
            if (target, y) not in have and (target, y) not in without:
                silent.append(f"{code}->{target} {y}")
    assert not silent, f"source regions dropped without a report: {silent}"
    # and nothing reported as unmatched appears on the map
    assert not set(unmatched) & set(nuts2["region_id"])


@pytest.mark.parametrize("country", ["AT", "DE"])
def test_nuts1_and_country_are_sums_of_their_nuts2_regions(store, country):
    f2, f1, f0 = store.facts("nuts2"), store.facts("nuts1"), store.facts("country")
    year = 2014
    n2 = f2[(f2["year"] == year) & f2["region_id"].str.startswith(country)].copy()
    map2 = store.regions[(store.regions["level"] == "nuts2") & (store.regions["country"] == country)]
    assert set(n2["region_id"]) == set(map2["region_id"]), f"{country} {year} is not complete"

    n2["nuts1"] = n2["region_id"].str[:3]
    by1 = n2.groupby(["nuts1", "industry"])["employment"].sum(min_count=1)
    got1 = f1[(f1["year"] == year) & f1["region_id"].str.startswith(country)].set_index(["region_id", "industry"])
    got1 = got1["employment"]
    got1.index = got1.index.set_names(["nuts1", "industry"])
    pd.testing.assert_series_equal(got1.sort_index(), by1.sort_index(), check_names=False, check_dtype=False)

    by0 = n2.groupby("industry")["employment"].sum(min_count=1)
    got0 = f0[(f0["year"] == year) & (f0["region_id"] == country)].set_index("industry")["employment"]
    pd.testing.assert_series_equal(got0.sort_index(), by0.sort_index(), check_names=False, check_dtype=False)

    # the same holds for category employment in the metrics
    m = store.metrics
    m2 = m[(m["level"] == "nuts2") & (m["year"] == year) & m["region_id"].str.startswith(country)]
    m0 = m[(m["level"] == "country") & (m["year"] == year) & (m["region_id"] == country)]
    want = m2.groupby("category_id")["employment"].sum(min_count=1)
    got = m0.set_index("category_id")["employment"]
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False, check_dtype=False)
    print(f"\n{country} {year}: {n2['nuts1'].nunique()} NUTS 1, {n2['region_id'].nunique()} NUTS 2, "
          f"employment {by0.sum():,.0f}")


def test_automotive_in_stuttgart_has_three_eco_stars(table2014):
    r = table2014[(table2014["region_id"] == "DE11") & (table2014["category_id"] == "automotive")]
    assert len(r) == 1
    r = r.iloc[0]
    print(f"\nDE11 automotive 2014: employment {r['employment']:,.0f}, LQ {r['lq']:.2f}, "
          f"focus {r['focus']:.3f}, stars {r['stars']}")
    assert r["stars"] == 3
    assert r["star_size"] and r["star_specialisation"] and r["star_focus"]


def test_aerospace_in_midi_pyrenees_is_starred(table2014):
    r = table2014[(table2014["region_id"] == "FRJ2")
                  & (table2014["category_id"] == "aerospace_vehicles_and_defense")]
    assert len(r) == 1
    r = r.iloc[0]
    print(f"\nFRJ2 aerospace 2014: employment {r['employment']:,.0f}, LQ {r['lq']:.2f}, stars {r['stars']}")
    assert r["stars"] >= 1
    assert r["star_specialisation"]  # Toulouse: LQ far above 2


def test_imputed_share_of_employment_is_small(store):
    f = store.facts("nuts2")
    imputed = f["employment"].where(f["employment_imputed"]).groupby(f["year"]).sum()
    total = f.groupby("year")["employment"].sum()
    share = imputed / total
    print("\nimputed share of NUTS 2 employment:", ", ".join(f"{y} {s:.1%}" for y, s in share.items()))
    assert ((share >= 0) & (share <= 0.10)).all(), share.to_dict()
    assert (share > 0).any()  # confidential cells exist and some are filled


def test_no_negative_employment(store):
    m = store.metrics
    assert not (m["employment"] < 0).any()
    for level in store.levels:
        f = store.facts(level)
        assert not (f["employment"] < 0).any(), level


def test_categories_are_the_committed_definitions(store):
    defs = pd.read_csv(config.DEFINITIONS_DIR / "eu_cluster_categories.csv", dtype=str, keep_default_na=False)
    defs = defs[defs["category_id"] != ""]
    names = defs.drop_duplicates("category_id").set_index("category_id")["category_name"]
    m = store.metrics
    assert set(m["category_id"]) <= set(names.index)
    pairs = m[["category_id", "category_name"]].drop_duplicates()
    assert (pairs["category_name"].to_numpy() == names.loc[pairs["category_id"]].to_numpy()).all()


def test_lq_equals_focus_over_the_benchmark_share(store, nuts2):
    # LQ = focus / (E(c)/E), so focus / LQ = E(c)/E for every region of a category-year,
    # with E(c) the sum of the NUTS 2 regions' category employment and E of their totals
    ind = store.indicators
    e_total = ind[ind["level"] == "nuts2"].groupby("year")["total_employment"].sum()
    e_cat = nuts2.groupby(["category_id", "year"])["employment"].sum()
    ok = nuts2[(nuts2["lq_total"] > 0) & nuts2["focus"].notna()]
    ratio = ok["focus"] / ok["lq_total"]
    expected = e_cat.reindex(pd.MultiIndex.from_frame(ok[["category_id", "year"]])).to_numpy() / \
        e_total.reindex(ok["year"]).to_numpy()
    assert len(ok) > 10_000
    np.testing.assert_allclose(ratio.to_numpy(), expected, rtol=1e-9)


def test_star_counts_2014_nuts2(store, table2014):
    eco = table2014["stars"].value_counts(dropna=False)
    us = store.table("nuts2", 2014, "us-strong", "traded")["stars"].value_counts(dropna=False)
    n = {k: int(eco.get(k, 0)) for k in (0, 1, 2, 3)}
    rated = sum(n.values())
    traded = table2014["category_type"] == "traded"
    unknown = int((traded & table2014["stars"].isna()).sum())
    print(f"\nECO 2008 stars, NUTS 2, 2014: 3★ {n[3]}, 2★ {n[2]}, 1★ {n[1]}, 0★ {n[0]} "
          f"of {rated} rated traded regional clusters; {unknown} traded with employment missing (not rated); "
          f"{int((~traded).sum())} local (not rated)")
    print(f"US strong, NUTS 2, 2014 (LQ over traded): top strong {int(us.get(2, 0))}, "
          f"strong {int(us.get(1, 0))}, neither {int(us.get(0, 0))}")
    # the shape the Observatory reported: few three-star, more two-star, more one-star
    assert 0 < n[3] < n[2] < n[1] < rated
    assert table2014.loc[~traded, "stars"].isna().all()
    # a traded regional cluster is unrated exactly when its employment is missing
    assert (table2014.loc[traded, "stars"].isna() == table2014.loc[traded, "employment"].isna()).all()
