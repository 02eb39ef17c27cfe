"""Unit tests of the page shaping (analytics/serving/profiles.py), the formats, ranks, growth and the
region-level measures (analytics/metrics) on a small hand-made store-like fixture.

Three NUTS-2-like regions (XA1, XA2 in XA; XB1 in XB; all in country X), three categories
(auto and food traded, retail local). Every expected number below is worked out by hand
in the comments.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.metrics.core import rank_with_count, would_rank
from analytics.metrics.growth import benchmark_growth, cagr, default_start
from analytics.metrics.regions import region_measures
from analytics.metrics.stars import RULE_SETS
from analytics.serving import formats as F
from analytics.serving import profiles as P


@pytest.fixture()
def regions():
    return pd.DataFrame({
        "region_id": ["X", "XA", "XB", "XA1", "XA2", "XB1"],
        "name": ["Xland", "Alpha", "Beta", "Alpha One", "Alpha Two", "Beta One"],
        "level": ["country", "nuts1", "nuts1", "nuts2", "nuts2", "nuts2"],
        "country": ["X"] * 6,
        "parent_id": [np.nan, "X", "X", "XA", "XA", "XB"],
    })


def _row(region, cat, emp, lq, stars, **kw):
    name = {"XA1": "Alpha One", "XA2": "Alpha Two", "XB1": "Beta One"}[region]
    cname, ctype = {"auto": ("Automotive", "traded"), "food": ("Food Processing and Manufacturing", "traded"),
                    "retail": ("Local Retailing", "local")}[cat]
    row = {"region_id": region, "region_name": name, "category_id": cat, "category_name": cname,
           "category_type": ctype, "employment": emp, "lq": lq, "stars": stars, "rated": ctype == "traded",
           "star_size": False, "star_specialisation": False, "star_focus": False, "size_threshold": 250.0,
           "lq_threshold": 2.0, "focus_threshold": 0.35, "focus": np.nan, "size_share": np.nan,
           "employment_imputed": False, "missing_parts": 0, "avg_wage": 30000.0, "rel_wage": 1.0, "units": 10.0,
           "cagr": np.nan, "abs_change": np.nan}
    row.update(kw)
    return row


@pytest.fixture()
def table():
    """Store.table-like rows for 2014 (eco2008 stars already decided)."""
    rows = [
        # XA1: auto meets size (300 ≥ 250) and specialisation (2.5 ≥ 2) → 2 stars
        _row("XA1", "auto", 300.0, 2.5, 2, star_size=True, star_specialisation=True, focus=0.30, size_share=0.30,
             cagr=0.05),
        _row("XA1", "food", 100.0, 0.8, 0, focus=0.10, size_share=0.10, cagr=-0.02),
        _row("XA1", "retail", 600.0, 1.0, np.nan, employment_imputed=True, missing_parts=2),
        # XA2: food meets specialisation only → 1 star
        _row("XA2", "auto", 50.0, 0.5, 0),
        _row("XA2", "food", 400.0, 2.2, 1, star_specialisation=True),
        _row("XA2", "retail", 550.0, 1.1, np.nan),
        # XB1: nothing starred, no auto employment
        _row("XB1", "auto", 0.0, 0.0, 0),
        _row("XB1", "food", 100.0, 1.0, 0),
        _row("XB1", "retail", 1900.0, 1.2, np.nan),
    ]
    return pd.DataFrame(rows)


@pytest.fixture()
def indicators():
    return pd.DataFrame({
        "region_id": ["XA1", "XA2", "XB1", "XA1", "XA2", "XA1"],
        "level": ["nuts2"] * 6,
        "year": [2014, 2014, 2014, 2010, 2010, 2012],
        "total_employment": [1000.0, 1000.0, 2000.0, 900.0, 950.0, np.nan],
        "traded_employment": [121.0, np.nan, 500.0, 100.0, 200.0, np.nan],
        "gdp_pc_pps": [30000.0, np.nan, 20000.0, 28000.0, 27000.0, np.nan],
    })


# ---------------------------------------------------------------- formats and ranks


@pytest.mark.parametrize("k,text", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"),
                                    (13, "13th"), (21, "21st"), (22, "22nd"), (23, "23rd"), (101, "101st"),
                                    (111, "111th"), (112, "112th"), (1001, "1,001st")])
def test_ordinal(k, text):
    assert F.ordinal(k) == text


def test_rank_text():
    assert F.rank_text(12, 241) == "12th of 241"
    assert F.rank_text(3, 1500) == "3rd of 1,500"
    assert F.rank_text(None, 5) == "not ranked"
    assert F.rank_text(float("nan"), 5) == "not ranked"


def test_number_formats():
    assert F.fmt_int(1234567.4) == "1,234,567" and F.fmt_int(None) == "–" and F.fmt_int(np.nan, "no data") == "no data"
    assert F.fmt_pct(0.2191) == "21.9 %" and F.fmt_signed_pct(0.0213) == "+2.1 %" and F.fmt_signed_pct(-0.0) == "+0.0 %"
    assert F.fmt_num(1234.567) == "1,234.57" and F.fmt_stars(2) == "★★" and F.fmt_stars(np.nan) == ""
    assert F.year_runs([2000, 2001, 2002, 2017, 2018, 2021]) == "2000–2002, 2017–2018, 2021"


def test_rank_with_count_ties_and_missing():
    s = pd.Series({"a": 5.0, "b": 7.0, "c": 5.0, "d": np.nan})
    rank, n = rank_with_count(s)
    assert n == 3  # only values are counted
    assert rank["b"] == 1 and rank["a"] == rank["c"] == 2  # a tie shares the best rank
    assert math.isnan(rank["d"])  # no value → not ranked
    # a custom region is placed where it would rank, without moving anybody
    assert would_rank(6.0, s) == 2 and would_rank(9.0, s) == 1 and would_rank(5.0, s) == 2
    assert would_rank(np.nan, s) is None


def test_short_name():
    assert P.short_name("Information Technology and Analytical Instruments") == "Information Technology"
    assert P.short_name("Oil and Gas Production and Transportation") == "Oil and Gas Production"
    assert P.short_name("Local Hospitality Establishments") == "Hospitality Establishments"
    assert P.short_name("Marketing, Design, and Publishing") == "Marketing"
    assert P.short_name("Aerospace Vehicles and Defense", "Aerospace & Defense") == "Aerospace & Defense"
    assert P.short_name("Apparel", "0") == "Apparel"  # the US list's placeholder '0' means none


# ---------------------------------------------------------------- regions


def test_breadcrumbs_and_region_row(regions):
    assert [b["region_id"] for b in P.breadcrumbs(regions, "XA1")] == ["X", "XA"]
    assert P.breadcrumbs(regions, "X") == []
    assert P.region_row(regions, "XB1")["name"] == "Beta One"
    assert P.region_row(regions, "nope") is None


def test_region_measures_cluster_strength_both_variants_and_counts(table, indicators):
    """Hand-worked: cluster strength = traded employment with LQ > 2 ÷ total employment (local
    categories are background); the US variant = strong traded employment ÷ traded employment."""
    rows = table.assign(level="nuts2", year=2014)
    # the US rule marks XA1 auto and XA2 food strong (given here; its percentiles are tested in test_stars)
    strong = pd.Series([True, False, False, False, True, False, False, False, False], index=rows.index)
    totals = indicators[indicators["year"] == 2014].rename(columns={
        "total_employment": "total", "traded_employment": "traded"}).assign(local=np.nan)
    m = region_measures(rows, strong, totals).set_index("region_id")
    # XA1: auto 300 (LQ 2.5 > 2) / 1000; XA2: food 400 (LQ 2.2) / 1000; XB1: none → 0 of 2000
    assert m.loc["XA1", "cluster_strength"] == pytest.approx(0.3)
    assert m.loc["XA2", "cluster_strength"] == pytest.approx(0.4)
    assert m.loc["XB1", "cluster_strength"] == pytest.approx(0.0)
    # US variant: XA1 300 / 121 traded (the fixture's traded total is deliberately not the sum);
    # XA2 has no traded total → unknown, never 0; XB1 0 / 500
    assert m.loc["XA1", "cluster_strength_us"] == pytest.approx(300 / 121)
    assert math.isnan(m.loc["XA2", "cluster_strength_us"])
    assert m.loc["XB1", "cluster_strength_us"] == pytest.approx(0.0)
    # starred: XA1 auto (2 stars), XA2 food (1 star); retail is not rated
    assert m["n_starred"].to_dict() == {"XA1": 1, "XA2": 1, "XB1": 0}
    assert m["n_strong"].to_dict() == {"XA1": 1, "XA2": 1, "XB1": 0}
    # flags: XA1 retail imputed and incomplete
    assert m.loc["XA1", "imputed_clusters"] == 1 and m.loc["XA1", "incomplete_clusters"] == 1
    # average wage over the clusters with employment: 30,000 everywhere
    assert m.loc["XB1", "avg_wage"] == pytest.approx(30000.0)


def test_key_figures_rank_texts():
    row = {"total_employment": 1000.0, "total_employment_rank": 2, "total_employment_n": 3,
           "gdp_pc_pps": np.nan, "gdp_pc_pps_rank": np.nan, "gdp_pc_pps_n": 2,
           "cluster_strength": 0.3, "cluster_strength_rank": 2, "cluster_strength_n": 3,
           "cluster_strength_us": 0.5, "cluster_strength_us_rank": 1, "cluster_strength_us_n": 3,
           "n_starred": 1, "n_starred_rank": 1, "n_starred_n": 3,
           "total_growth": 0.02, "total_growth_rank": 1, "total_growth_n": 2, "start_year": 2010, "year": 2014}
    figs = {f["key"]: f for f in P.key_figures(row, ("gdp_pc_pps", "GDP per capita", "PPS per inhabitant"))}
    assert figs["total_employment"]["rank_text"] == "2nd of 3" and figs["total_employment"]["value"] == 1000.0
    assert figs["gdp"]["value"] is None and figs["gdp"]["rank_text"] == "not ranked"
    assert figs["gdp"]["label"] == "GDP per capita" and figs["gdp"]["unit"] == "PPS per inhabitant"
    assert figs["cluster_strength"]["rank_text"] == "2nd of 3"
    assert figs["total_growth"]["label"] == "Employment growth 2010–2014"
    no_gdp = P.key_figures(row, None)
    assert [f["key"] for f in no_gdp] == ["total_employment", "cluster_strength", "cluster_strength_us",
                                          "n_starred", "total_growth"]
    custom = P.key_figures(row, None, custom=True)
    assert custom[0]["rank_text"] == "would rank 2nd of 3"


# ---------------------------------------------------------------- portfolio


def test_criteria_eco2008(table):
    row = table.iloc[0]  # XA1 auto
    assert P.criteria_met(row, RULE_SETS["eco2008"]) == "LQ 2.50 ≥ 2; employment 300 ≥ 250 (top 10 %)"
    assert P.criteria_met(table.iloc[1], RULE_SETS["eco2008"]) == "none"
    assert P.criteria_met(table.iloc[2], RULE_SETS["eco2008"]) == "not rated (local category)"
    focus_row = dict(table.iloc[0], star_focus=True, focus=0.30, focus_threshold=0.25)
    assert P.criteria_met(focus_row, RULE_SETS["eco2008"]).endswith("focus 30.0 % ≥ 25.0 % (top 10 %)")


def test_criteria_us_strong():
    row = {"rated": True, "stars": 2, "lq": 2.5, "employment": 300.0, "units": 12.0, "star_specialisation": True,
           "lq_threshold": 1.5, "star_size": True, "size_threshold": 100.0, "units_threshold": 5.0,
           "star_focus": pd.NA, "top_strong": True, "top_lq_threshold": 2.0}
    assert P.criteria_met(row, RULE_SETS["us-strong"]) == (
        "LQ 2.50 ≥ 1.50 (75th percentile) and ≥ 1; employment 300 > 100 (25th percentile) and units 12 > 5; "
        "top strong: LQ ≥ 2.00 (90th percentile)")


def test_portfolio(table):
    pf = P.portfolio(table, "XA1", RULE_SETS["eco2008"])
    # starred first, then by employment; the local (unrated) category last
    assert pf["category_id"].tolist() == ["auto", "food", "retail"]
    assert pf["stars_text"].tolist() == ["★★", "", ""]
    assert pf.loc[2, "flags"] == "imputed, incomplete (2 industries missing)"
    assert pf.loc[0, "flags"] == ""
    assert pf.loc[0, "cagr"] == pytest.approx(0.05)
    assert list(pf.columns) == P.PORTFOLIO_COLUMNS


def test_flags_text_singular():
    assert P.flags_text({"employment_imputed": False, "missing_parts": 1}) == "incomplete (1 industry missing)"


def test_benchmark_growth(indicators):
    # Only XA1 has traded employment in both 2010 (100) and 2014 (121): (121/100)^(1/4) − 1 = √1.1 − 1
    i = indicators.set_index("region_id")
    a = i[i["year"] == 2010]["traded_employment"]
    b = i[i["year"] == 2014]["traded_employment"]
    assert benchmark_growth(a, b, 4) == pytest.approx(math.sqrt(1.1) - 1)


def test_cagr():
    assert cagr(100, 121, 2) == pytest.approx(0.1)
    assert math.isnan(cagr(0, 5, 2))
    assert math.isnan(cagr(100, np.nan, 2))
    with pytest.raises(ValueError):
        cagr(100, 121, 0)
    s = cagr(pd.Series([100.0, 0.0]), pd.Series([121.0, 5.0]), 2)
    assert s.iloc[0] == pytest.approx(0.1) and math.isnan(s.iloc[1])


def test_default_start_is_about_five_years_back():
    assert default_start([2008, 2009, 2010, 2011, 2012, 2013, 2014, 2015], 2015) == 2011
    assert default_start([2010, 2011, 2012], 2012) == 2010  # none 4 years back: the earliest before
    assert default_start([2015], 2015) is None
    assert default_start(list(range(2000, 2012)) + list(range(2017, 2022)), 2021) == 2017


def test_bubble_frame(table):
    metrics_level = pd.DataFrame({"region_id": ["XA1", "XA1"], "year": [2010, 2010],
                                  "category_id": ["auto", "retail"], "size_share": [0.25, 0.5]})
    cats = pd.DataFrame({"category_id": ["auto", "food"], "short_name": ["Auto", np.nan]})
    b = P.bubble_frame(table, metrics_level, "XA1", 2010, cats)
    # traded with employment > 0 only: auto, food (retail is local)
    assert b["category_id"].tolist() == ["auto", "food"]
    # auto: share 0.30 in 2014 vs 0.25 in 2010 → +5 percentage points; food has no 2010 share
    assert b.loc[0, "share_change"] == pytest.approx(5.0)
    assert math.isnan(b.loc[1, "share_change"])
    assert b["label"].tolist() == ["Auto", "Food Processing"]
    assert b["stars"].tolist() == [2, 0]


def test_diversification_opportunities(table):
    related = pd.DataFrame({
        "category_id": ["auto", "auto", "food"],
        "related_id": ["food", "chem", "auto"],
        "related_name": ["Food", "Chem", "Automotive"],
        "strength": [0.9, 0.8, 0.9],
        "percentile": [95, 92, 95],
        "related_90": [True, False, True],
    })
    d = P.diversification_opportunities(related, table, "XA1")
    # XA1's starred: {auto}. Related and not starred: food (95) and chem (92, ≥ 90th percentile), but
    # chem has no row in the region → only food; density = 95 / 1 starred category
    assert d["category_id"].tolist() == ["food"]
    assert d.loc[0, "density"] == pytest.approx(95.0)
    assert d.loc[0, "related_to"] == "Automotive"
    # XB1 has no starred category → empty
    assert P.diversification_opportunities(related, table, "XB1").empty


# ---------------------------------------------------------------- categories


def test_top_regions(table):
    top = P.top_regions(table, "food", n=2)
    # food: XA2 400, then XA1 and XB1 tie at 100 (region id breaks the tie for the cut)
    assert top["region_id"].tolist() == ["XA2", "XA1"]
    assert top["rank"].tolist() == [1, 2]
    all3 = P.top_regions(table, "food")
    assert all3["rank"].tolist() == [1, 2, 2]
    assert all3["stars_text"].tolist() == ["★", "", ""]
    # zero employment is not a "top region"
    assert P.top_regions(table, "auto")["region_id"].tolist() == ["XA1", "XA2"]


def test_member_industries():
    industries = pd.DataFrame({"industry": ["i1", "i2", "i3"], "industry_name": ["One", "Two", "Three"],
                               "category_id": ["auto", "auto", "food"]})
    facts = pd.DataFrame({"region_id": ["XA1", "XA2", "XA1", "XA2", "XA1"],
                          "industry": ["i1", "i1", "i2", "i2", "i1"],
                          "year": [2014, 2014, 2014, 2014, 2010],
                          "employment": [10.0, 20.0, np.nan, 5.0, 99.0]})
    m = P.member_industries(industries, facts, "auto", 2014)
    # i1: 10 + 20 = 30; i2: missing + 5 = 5 (missing is not zero, but the known part counts); shares of 35
    assert m["industry"].tolist() == ["i1", "i2"]
    assert m["employment"].tolist() == [30.0, 5.0]
    assert m["share"].tolist() == pytest.approx([30 / 35, 5 / 35])


def test_member_industries_with_vintages():
    industries = pd.DataFrame({"industry": ["2007:111", "2017:111"], "naics": ["111", "111"],
                               "vintage": ["2007", "2017"], "industry_name": ["Old", "New"],
                               "category_id": ["auto", "auto"]})
    facts = pd.DataFrame({"region_id": ["01"], "industry": ["2017:111"], "year": [2018], "employment": [7.0]})
    m = P.member_industries(industries, facts, "auto", 2018)
    assert m.to_dict("records") == [{"industry": "111", "industry_name": "New", "employment": 7.0, "share": 1.0}]


def test_related_table_and_subclusters():
    related = pd.DataFrame({"category_id": ["a", "a", "a"], "related_id": ["b", "c", "d"],
                            "related_name": ["B", "C", "D"], "strength": [0.9, 0.5, 0.4],
                            "percentile": [97, 80, 70], "related_90": [True, False, False]})
    r = P.related_table(related, "a", {"b", "d"})
    assert r["related_id"].tolist() == ["b", "d"]
    sub = pd.DataFrame({"category_id": ["a", "a", "a", "z"], "sub_code": ["10", "2", "2", "1"],
                        "sub_name": ["Ten", "Two", "Two", "Z"], "industry": ["3", "2", "1", "9"],
                        "industry_name": ["c", "b", "a", "z"], "inferred": [False, True, False, False]})
    s = P.category_subclusters(sub, "a")
    assert s["sub_code"].tolist() == ["2", "2", "10"]  # numeric order of codes
    assert s["industry"].tolist() == ["1", "2", "3"]


# ---------------------------------------------------------------- quality report


def test_quality_per_year():
    q = {"dataset": "x", "years": [2010, 2011], "regions_with_data": {"2010": 5, "2011": 6},
         "imputed_share_total": {"2010": 0.1, "2011": 0.2}, "unmatched": [], "recode_methods": {"identity": 3}}
    df = P.quality_per_year(q)
    assert df.columns.tolist() == ["year", "regions_with_data", "imputed_share_total"]
    assert df["year"].tolist() == [2010, 2011]
    assert df["regions_with_data"].tolist() == [5, 6]
    assert P.quality_per_year({"dataset": "x"}).empty


def test_imputed_share_frame():
    eu = {"imputed_share": [{"country": "AT", "year": 2010, "imputed_share": 0.0123},
                            {"country": "AT", "year": 2011, "imputed_share": 0.02},
                            {"country": "BE", "year": 2010, "imputed_share": 0.1}]}
    t = P.imputed_share_frame(eu)
    assert t.columns.tolist() == ["country", "2010", "2011"]
    assert t.set_index("country").loc["AT", "2010"] == pytest.approx(1.2)  # percent, 1 decimal
    assert math.isnan(t.set_index("country").loc["BE", "2011"])
    us = {"imputed_share": {"2000": 0.0771, "2001": 0.05}}
    assert P.imputed_share_frame(us).to_dict("records") == [{"year": 2000, "imputed share (%)": 7.71},
                                                           {"year": 2001, "imputed share (%)": 5.0}]
    assert P.imputed_share_frame({}).empty
