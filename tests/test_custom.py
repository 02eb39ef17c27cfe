"""Build your own: custom categories and cross-border custom regions (METHODOLOGY.md §1).

What a user relies on:

* a custom category is the union of its member industries, each counted once, and its metrics
  are recomputed from industry employment (sums first, ratios last); a custom copy of a
  built-in category therefore gives *identical* numbers and stars to the original;
* a custom region is the sum of its members (employment, totals), only for years in which
  every member has data, rated against the thresholds of its members' level, without moving
  anybody else's stars;
* a bad definition is refused with one clear sentence (UI and CLI alike).

All checks run on the real EU and US builds (``analytics.serving.store.get_store``), like the app.
"""
from __future__ import annotations

import csv
import io
import math
import re
import subprocess

import numpy as np
import pandas as pd
import pytest

from analytics import config
from analytics.metrics.stars import rate
from analytics.serving.custom import (
    ValidationError,
    category_metrics,
    custom_table,
    members,
    parse_category,
    parse_region,
    rate_category,
    region_table,
    years_complete,
)
from analytics.sources.eu import sources as eu_sources
from analytics.sources.us import sources as us_sources
from conftest import run_cli

ROOT = config.PROJECT_ROOT
RAW = config.raw_dir()
MISSING = [rel for rel in (*eu_sources.REQUIRED, *us_sources.REQUIRED) if not (RAW / rel).exists()]
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"raw data not available under {RAW}; set CLUSTER_RAW_DIR")

METRIC_COLUMNS = ["employment", "units", "payroll", "avg_wage", "rel_wage", "size_share", "focus", "lq_total",
                  "lq_type", "employment_rank", "lq_total_rank", "lq_type_rank", "size_share_rank", "focus_rank",
                  "rank_n"]
STAR_COLUMNS = {"eco2008": ["rated", "star_size", "star_specialisation", "star_focus", "stars"],
                "us-strong": ["rated", "star_size", "star_specialisation", "strong", "top_strong", "stars"]}
RULES = [(rules, den) for rules in ("eco2008", "us-strong") for den in ("total", "traded")]


@pytest.fixture(scope="module")
def eu():
    from analytics.serving.store import get_store
    return get_store("eu")  # builds once (both datasets) into $CLUSTER_BUILD_DIR


@pytest.fixture(scope="module")
def us():
    from analytics.serving.store import get_store
    return get_store("us")


def one_sentence(message: str) -> bool:
    """One line, one sentence: ends with a full stop and no '. X' sentence break inside."""
    return ("\n" not in message and message.endswith(".") and 15 < len(message) < 250
            and re.search(r"[.!?] [A-Z]", message) is None)


def same(a: pd.Series, b: pd.Series) -> bool:
    """Equal values (NaN = NaN), whatever the dtype (bool/Int8/float), up to the last bits of a
    float sum taken in another order (imputed US cells are fractional persons): rtol 1e-12."""
    a = pd.Series(a).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    b = pd.Series(b).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-12, atol=0.0, equal_nan=True))


# --- combination rules ---------------------------------------------------------------------

def test_fashion_is_the_union_of_nace_divisions_13_14_15(eu):
    cc = parse_category("Fashion=nace:13,14,15", eu)
    assert cc.name == "Fashion" and cc.category_id == "custom:fashion"
    # "13" is NACE division C13 (textiles), "14" C14 (apparel), "15" C15 (leather/footwear)
    assert sorted(members(cc, eu)["industry"]) == ["C13", "C14", "C15"]
    # the section letter may be given too, and the result is the same
    assert sorted(members(parse_category("Fashion=nace:C13,C14,C15", eu), eu)["industry"]) == ["C13", "C14", "C15"]


def test_category_plus_division_is_a_union_without_duplicates(eu):
    cc = parse_category("X=cat:apparel;nace:13", eu)
    mem = members(cc, eu)
    # apparel = {C14}; plus C13 → {C13, C14}, each once
    assert sorted(mem["industry"]) == ["C13", "C14"]
    assert mem["industry"].is_unique
    # C14 named twice (inside cat:apparel and as nace:14) still counts once
    twice = parse_category("X=cat:apparel;nace:14,13,C14", eu)
    assert sorted(members(twice, eu)["industry"]) == ["C13", "C14"]
    t = custom_table(eu, "nuts2", 2014, cc=twice).set_index("region_id")["employment"]
    b = eu.table("nuts2", 2014)
    b = b[b["category_id"].isin(["apparel", "textile_manufacturing"])]
    # employment = apparel + textiles (C14 + C13), never apparel twice
    want = b.groupby("region_id")["employment"].sum(min_count=1)
    for region in ("ITC4", "PT11", "DE11"):
        assert t[region] == pytest.approx(want[region], rel=1e-12)


def test_us_naics_prefix_takes_every_six_digit_code_in_every_vintage(us):
    cc = parse_category("Cars=naics:3361", us)
    got = set(members(cc, us)["industry"])
    # NAICS 3361 = 336111 automobiles, 336112 light trucks, 336120 heavy trucks, in each of the
    # four vintages used by the data (1997, 2002, 2007, 2017): 3 × 4 = 12 industry keys
    want = {f"{v}:{code}" for v in (1997, 2002, 2007, 2017) for code in ("336111", "336112", "336120")}
    assert got == want
    # every 6-digit code under 3361 in the definitions is taken, nothing else
    ind = us.industries
    assert got == set(ind.loc[ind["naics"].str.startswith("3361"), "industry"])
    # Michigan (26): employment = sum of the three codes in the vintage of the year
    f = us.facts("state")
    rows = custom_table(us, "state", 2005, cc=cc).set_index("region_id")
    mi = f[(f["region_id"] == "26") & (f["year"] == 2005) & f["industry"].astype(str).isin(want)]
    assert set(mi["industry"].astype(str)) <= {"2002:336111", "2002:336112", "2002:336120"}  # 2005 → 2002 vintage
    assert rows.loc["26", "employment"] == pytest.approx(mi["employment"].sum(), rel=1e-12)
    rows = custom_table(us, "state", 2019, cc=cc).set_index("region_id")
    mi = f[(f["region_id"] == "26") & (f["year"] == 2019) & f["industry"].astype(str).isin(want)]
    assert set(mi["industry"].astype(str)) <= {"2017:336111", "2017:336112", "2017:336120"}
    assert rows.loc["26", "employment"] == pytest.approx(mi["employment"].sum(), rel=1e-12)


# --- headline: a custom copy of a built-in category is the built-in category ----------------

COPIES = [
    ("eu", "automotive", "Auto=nace:29"),  # NACE C29 motor vehicles = the EU automotive category
    ("eu", "automotive", "Auto=cat:automotive"),
    ("us", "automotive", "Cars=cat:automotive"),
    ("us", "biopharmaceuticals", "Pharma=naics:3254"),  # 325411–325414 = the US biopharma cluster
]


@pytest.mark.parametrize("dataset,builtin,spec", COPIES, ids=[c[2] for c in COPIES])
def test_custom_copy_of_a_builtin_category_is_identical_everywhere(eu, us, dataset, builtin, spec):
    store = eu if dataset == "eu" else us
    cc = parse_category(spec, store)
    # the copy has exactly the built-in's industries
    ind = store.industries
    assert set(members(cc, store)["industry"]) == set(ind.loc[ind["category_id"] == builtin, "industry"])
    for level in store.levels:
        ref = store.level_metrics(level)
        is_b = (ref["category_id"] == builtin).to_numpy()
        b = ref[is_b].reset_index(drop=True)
        c = category_metrics(cc, store, (level,))
        c = c.set_index(["region_id", "year"]).loc[list(zip(b["region_id"], b["year"]))].reset_index()
        assert len(c) == len(b) > 0, level
        # every region-year of the built-in is there, and no other
        assert len(category_metrics(cc, store, (level,))) == len(b), level
        for col in METRIC_COLUMNS:
            assert same(c[col], b[col]), f"{spec} {level}: {col} differs"
        assert same(c["employment_imputed"], b["employment_imputed"]), level
        # stars under both rule sets and both LQ denominators, every year at once
        for rules, den in RULES:
            bs = rate(ref, rules, den)[is_b].reset_index(drop=True)  # the built-in rated as the store rates it
            cs = rate_category(c, store, level, rules, den)
            for col in STAR_COLUMNS[rules]:
                assert same(cs[col], bs[col]), f"{spec} {level} {rules}/{den}: {col} differs"
        # the UI path (custom_table, one level and year) gives the same rows as Store.table
        year = store.level_years(level)[-1]
        for rules, den in RULES:
            bt = store.table(level, year, rules, den)
            bt = bt[bt["category_id"] == builtin].set_index("region_id").sort_index()
            ct = custom_table(store, level, year, rules, den, cc=cc).set_index("region_id").sort_index()
            assert list(ct.index) == list(bt.index)
            for col in [*METRIC_COLUMNS, "lq", *STAR_COLUMNS[rules]]:
                assert same(ct[col], bt[col]), f"{spec} {level} {year} {rules}/{den}: {col} differs"


def test_custom_category_metrics_are_recomputed_from_industry_employment(eu):
    cc = parse_category("Fashion=nace:13,14,15", eu)
    rows = custom_table(eu, "nuts2", 2014, cc=cc).set_index("region_id")
    f = eu.facts("nuts2")
    f = f[(f["year"] == 2014) & f["industry"].isin(["C13", "C14", "C15"])]
    region = "ITC4"  # Lombardia, a fashion region
    mine = f[f["region_id"] == region].set_index("industry")["employment"]
    e_rc = mine["C13"] + mine["C14"] + mine["C15"]
    assert rows.loc[region, "employment"] == pytest.approx(e_rc, rel=1e-12)
    ind = eu.indicators
    e_r = ind.loc[(ind["region_id"] == region) & (ind["year"] == 2014), "total_employment"].iloc[0]
    e_c = f["employment"].sum()  # E(c): C13+C14+C15 over every NUTS 2 region (the benchmark area)
    nuts2 = ind[(ind["level"] == "nuts2") & (ind["year"] == 2014)]
    e = nuts2["total_employment"].sum()  # E: all employment of the NUTS 2 regions
    lq = (e_rc / e_r) / (e_c / e)
    assert rows.loc[region, "focus"] == pytest.approx(e_rc / e_r, rel=1e-9)
    assert rows.loc[region, "size_share"] == pytest.approx(e_rc / e_c, rel=1e-9)
    assert rows.loc[region, "lq_total"] == pytest.approx(lq, rel=1e-9)
    assert lq > 2  # Lombardia is specialised in fashion: the hand value is meaningful
    # ... and not the mean of the three built-in categories' LQs (textiles, apparel, footwear)
    b = eu.table("nuts2", 2014)
    parts = b[(b["region_id"] == region) & b["category_id"].isin(["textile_manufacturing", "apparel", "footwear"])]
    assert len(parts) == 3
    assert abs(rows.loc[region, "lq_total"] - parts["lq_total"].mean()) > 0.01
    # average wage = Σ payroll / Σ employment (of industries with both), not a mean of wages
    mine = f[f["region_id"] == region]
    both = mine.dropna(subset=["employment", "payroll"])
    assert rows.loc[region, "avg_wage"] == pytest.approx(both["payroll"].sum() / both["employment"].sum(), rel=1e-9)
    # a traded union (textiles, apparel, footwear are all traded) is rated like a traded category
    assert (rows["category_type"] == "traded").all()
    assert rows.loc[region, "star_specialisation"]


# --- custom regions ---------------------------------------------------------------------------

ORESUND = ("DK01", "DK02", "SE22")  # Hovedstaden + Sjælland + Sydsverige


def test_oresund_is_the_sum_of_its_members(eu):
    cr = parse_region("Oresund=DK01+DK02+SE22", eu)
    assert cr.members == ORESUND and cr.region_id == "custom:oresund"
    t = region_table(cr, eu, 2014).set_index("category_id")
    b = eu.table("nuts2", 2014)
    b = b[b["region_id"].isin(ORESUND)]
    emp = b.pivot(index="category_id", columns="region_id", values="employment")
    # hand check from the members' rows of Store.table (2014):
    # food processing: DK01 7,209 + DK02 7,080 + SE22 14,692 = 28,981
    assert emp.loc["food_processing_and_manufacturing"].tolist() == [7209, 7080, 14692]
    assert t.loc["food_processing_and_manufacturing", "employment"] == 28981
    # distribution & e-commerce and medical devices, the same way (members complete in 2014)
    for cat in ("distribution_and_electronic_commerce", "medical_devices", "plastics"):
        assert emp.loc[cat].notna().all()
        assert t.loc[cat, "employment"] == pytest.approx(emp.loc[cat].sum(), rel=1e-12)
    # E(r) = sum of the members' totals
    ind = eu.indicators
    tot = ind[(ind["year"] == 2014) & ind["region_id"].isin(ORESUND)].set_index("region_id")
    e_r = tot["total_employment"].sum()
    cat = "medical_devices"
    assert t.loc[cat, "focus"] == pytest.approx(t.loc[cat, "employment"] / e_r, rel=1e-9)
    # LQ from the sums: (E_rc / E_r) / (E_c / E), E_c and E over the benchmark area
    bc = eu.benchmark_categories
    e_c = bc.loc[(bc["category_id"] == cat) & (bc["year"] == 2014), "employment"].iloc[0]
    bt = eu.benchmark_totals
    e = bt.loc[bt["year"] == 2014, "total"].iloc[0]
    lq = (emp.loc[cat].sum() / e_r) / (e_c / e)
    assert t.loc[cat, "lq_total"] == pytest.approx(lq, rel=1e-9)
    # traded LQ: over the members' summed traded employment
    e_r_traded = tot["traded_employment"].sum()
    bench_traded = bt.loc[bt["year"] == 2014, "traded"].iloc[0]
    assert t.loc[cat, "lq_type"] == pytest.approx((emp.loc[cat].sum() / e_r_traded) / (e_c / bench_traded), rel=1e-9)
    # ... and not the mean of the members' LQs
    member_lqs = b[b["category_id"] == cat]["lq_total"]
    assert abs(t.loc[cat, "lq_total"] - member_lqs.mean()) > 0.01
    # every category's employment is the members' sum (missing cells flagged, never invented)
    for c, row in t.iterrows():
        have = emp.loc[c].dropna()
        if len(have) == 3:
            assert row["employment"] == pytest.approx(have.sum(), rel=1e-12), c
        else:
            assert row["missing_parts"] >= 3 - len(have), c


def test_custom_region_only_has_years_in_which_every_member_has_data(eu, us):
    ind = eu.indicators

    def years_of(region):
        return set(ind.loc[(ind["region_id"] == region) & ind["total_employment"].notna(), "year"].astype(int))

    # DK01 has 2008–2015, HR03 (Jadranska Hrvatska) only 2014–2015: the union has 2014–2015
    assert years_of("DK01") == set(range(2008, 2016))
    assert years_of("HR03") == {2014, 2015}
    cr = parse_region("Adriatic=DK01+HR03", eu)
    assert years_complete(cr, eu) == [2014, 2015]
    assert region_table(cr, eu, 2012).empty
    assert not region_table(cr, eu, 2014).empty
    # US: a state (2000–2011, 2017–2021) plus a county (2017–2021 only) → 2017–2021
    cr = parse_region("CA+King=06+53033", us)  # California + King County, WA
    assert years_complete(cr, us) == [2017, 2018, 2019, 2020, 2021]
    # a member without any data (Harris County, TX: Texas is not among the county states) → no year
    cr = parse_region("CA+Harris=06+48201", us)
    assert years_complete(cr, us) == []


def test_single_member_custom_region_equals_the_member(eu):
    # "Stuttgart" as a custom region of one member: same numbers and stars as DE11 itself
    cr = parse_region("Solo=DE11", eu)
    for rules, den in RULES:
        t = region_table(cr, eu, 2014, rules, den).set_index("category_id").sort_index()
        b = eu.table("nuts2", 2014, rules, den)
        b = b[b["region_id"] == "DE11"].set_index("category_id").sort_index()
        assert list(t.index) == list(b.index)
        for col in ["employment", "units", "avg_wage", "rel_wage", "size_share", "focus", "lq_total", "lq_type",
                    "lq", *STAR_COLUMNS[rules]]:
            assert np.allclose(t[col].astype(float), b[col].astype(float), rtol=1e-12, equal_nan=True), (rules, col)


def test_custom_region_stars_use_the_member_level_thresholds(eu):
    cr = parse_region("Oresund=DK01+DK02+SE22", eu)
    t = region_table(cr, eu, 2014, "eco2008", "total").set_index("category_id")
    m = eu.table("nuts2", 2014, "eco2008", "total")
    traded = m[(m["category_type"] == "traded") & (m["employment"] > 0)]
    # ECO 2008 focus threshold: 90th percentile of focus over all traded NUTS 2 regional clusters
    focus_thr = np.percentile(traded["focus"], 90)
    for cat in ("food_processing_and_manufacturing", "distribution_and_electronic_commerce", "medical_devices",
                "water_transportation", "plastics"):
        # size threshold: 90th percentile of the category's NUTS 2 employment (regions with E > 0)
        size_thr = np.percentile(traded.loc[traded["category_id"] == cat, "employment"], 90)
        row = t.loc[cat]
        assert row["size_threshold"] == pytest.approx(size_thr, rel=1e-9)
        assert row["focus_threshold"] == pytest.approx(focus_thr, rel=1e-9)
        want = int(row["employment"] >= size_thr) + int(row["lq_total"] >= 2) + int(row["focus"] >= focus_thr)
        assert row["stars"] == want, cat
    # e.g. food: 28,981 jobs ≥ the NUTS 2 90th percentile, LQ < 2, focus < threshold → exactly 1 star
    assert t.loc["food_processing_and_manufacturing", "stars"] == 1
    # local categories are background: not rated
    assert t.loc[t["category_type"] == "local", "stars"].isna().all()
    # US strong-cluster rules: thresholds are the NUTS 2 percentiles of the category too
    u = region_table(cr, eu, 2014, "us-strong", "traded").set_index("category_id")
    cat = "water_transportation"
    pos = traded[traded["category_id"] == cat]
    assert u.loc[cat, "lq_threshold"] == pytest.approx(np.percentile(pos["lq_type"], 75), rel=1e-9)
    assert u.loc[cat, "size_threshold"] == pytest.approx(np.percentile(pos["employment"], 25), rel=1e-9)


def test_adding_a_custom_region_changes_no_builtin_stars(eu):
    before = {(r, d): eu.table("nuts2", 2014, r, d)[["region_id", "category_id", "stars"]].copy() for r, d in RULES}
    for spec in ("Oresund=DK01+DK02+SE22", "Alps=AT3+DE14+ITC4", "Big=DE+FR1"):
        cr = parse_region(spec, eu)
        for rules, den in RULES:
            assert not region_table(cr, eu, 2014, rules, den).empty
    for (rules, den), b in before.items():
        after = eu.table("nuts2", 2014, rules, den)[["region_id", "category_id", "stars"]]
        pd.testing.assert_frame_equal(after.reset_index(drop=True), b.reset_index(drop=True))


def test_duplicate_members_count_once(eu):
    # documented (analytics/custom.py): a repeated member is dropped, never added twice
    twice = parse_region("O=DK01+DK01+DK02", eu)
    assert twice.members == ("DK01", "DK02")
    once = parse_region("O=DK01+DK02", eu)
    a = region_table(twice, eu, 2014).set_index("category_id")["employment"]
    b = region_table(once, eu, 2014).set_index("category_id")["employment"]
    pd.testing.assert_series_equal(a, b)
    cc = parse_category("F=nace:13,13,C13", eu)
    assert list(members(cc, eu)["industry"]) == ["C13"]


# --- validation -----------------------------------------------------------------------------

BAD = [
    # dataset, kind, spec, words the message must contain
    ("eu", "category", "Fashion=nace:13,99", ["99"]),  # unknown industry code
    ("us", "category", "Cars=naics:9999", ["9999"]),
    ("eu", "category", "X=cat:nosuch", ["nosuch"]),  # unknown category id
    ("eu", "region", "X=DK01+XX99", ["XX99"]),  # unknown region code
    ("us", "region", "X=06+DK01", ["DK01"]),  # a European region in the US dataset
    ("eu", "category", "=nace:13", ["name", "empty"]),  # empty name
    ("eu", "region", "   =DK01", ["name", "empty"]),
    ("eu", "category", "A" * 61 + "=nace:13", ["61", "60"]),  # over-long name (61 > 60 characters)
    ("eu", "category", "X=nace:" + ",".join(["13"] * 700), ["2106", "2000"]),  # 7 + 700×2 + 699 = 2106 chars
    ("eu", "region", "X=" + "+".join(["DK01"] * 500), ["2501", "2000"]),  # 2 + 500×4 + 499 "+" = 2501 chars
    ("us", "category", "X=nace:13", ["nace", "naics"]),  # NACE codes given to the US dataset
    ("eu", "category", "X=naics:3361", ["naics", "nace"]),
    ("eu", "region", "X=DE1+DE11", ["DE1", "DE11", "twice"]),  # NUTS 1 + one of its NUTS 2 regions
    ("eu", "region", "X=DK+DK01", ["DK", "DK01", "twice"]),  # a country + one of its regions
    ("us", "region", "X=06+06037", ["06", "06037", "twice"]),  # California + Los Angeles County
    ("us", "region", "X=EA001+38001", ["EA001", "38001", "twice"]),  # an economic area + one of its counties
    ("eu", "category", "nonsense", ["Name="]),
    ("eu", "region", "nonsense", ["Name="]),
    ("eu", "region", "=DK01", ["name", "empty"]),
    ("eu", "category", "X=", ["no members"]),
    ("eu", "region", "X=", ["no members"]),
    ("eu", "category", "X=foo:1", ["foo"]),
    ("eu", "region", "X=foo:1", ["foo:1"]),
    ("eu", "category", "X=13", ["13", "nace:"]),
]


@pytest.mark.parametrize("dataset,kind,spec,words", BAD, ids=[f"{b[0]}-{b[1]}-{b[2][:24]}" for b in BAD])
def test_bad_definitions_are_refused_with_one_clear_sentence(eu, us, dataset, kind, spec, words):
    store = eu if dataset == "eu" else us
    parse = parse_category if kind == "category" else parse_region
    with pytest.raises(ValidationError) as info:
        parse(spec, store)
    message = str(info.value)
    assert one_sentence(message), message
    for word in words:
        assert word in message, (word, message)


def test_limits_are_inclusive(eu):
    # exactly 60 characters is a valid name; a spec of exactly 2,000 characters is accepted
    assert parse_category("A" * 60 + "=nace:13", eu).name == "A" * 60
    body = "nace:13" + ",13" * 664  # 7 + 664 × 3 = 1,999 characters, + "X=" → 2,001: one too many
    with pytest.raises(ValidationError):
        parse_category("X=" + body, eu)
    spec = "X=" + "nace:13" + ",13" * 663 + ",1"  # 2 + 7 + 1,989 + 2 = 2,000 characters
    assert len(spec) == 2000
    with pytest.raises(ValidationError, match="division code"):  # length accepted; "1" is not a division
        parse_category(spec, eu)


# --- command line ---------------------------------------------------------------------------



def read_csv(proc: subprocess.CompletedProcess) -> pd.DataFrame:
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows and rows[0][0] == "region_id"
    return pd.read_csv(io.StringIO(proc.stdout))


def close(a, b) -> bool:
    """CSV numbers carry 10 significant digits (%.10g)."""
    if pd.isna(a) or pd.isna(b):
        return pd.isna(a) and pd.isna(b)
    return math.isclose(float(a), float(b), rel_tol=1e-5, abs_tol=1e-12)


def test_cli_custom_category_matches_what_the_ui_computes(eu):
    spec = "Fashion=nace:13,14,15"
    df = read_csv(run_cli("metrics", "--dataset", "eu", "--level", "nuts2", "--year", "2014", "--category", spec))
    want = custom_table(eu, "nuts2", 2014, cc=parse_category(spec, eu)).set_index("region_id")
    df = df.set_index("region_id")
    assert set(df.index) == set(want.index) and len(df) == len(want)
    assert (df["category_id"] == "custom:fashion").all() and (df["category_name"] == "Fashion").all()
    for region in df.index:
        for col in ("employment", "lq", "focus", "size_share", "avg_wage", "stars"):
            assert close(df.loc[region, col], want.loc[region, col]), (region, col)
    assert df.loc["ITC4", "lq"] == pytest.approx(want.loc["ITC4", "lq_total"], rel=1e-5)  # EU default: LQ over total


def test_cli_custom_region_matches_what_the_ui_computes(eu):
    spec = "Oresund=DK01+DK02+SE22"
    df = read_csv(run_cli("metrics", "--dataset", "eu", "--level", "nuts2", "--year", "2014", "--region", spec))
    want = region_table(parse_region(spec, eu), eu, 2014).set_index("category_id")
    df = df.set_index("category_id")
    assert (df["region_id"] == "custom:oresund").all()
    assert set(df.index) == set(want.index)
    for cat in df.index:
        for col in ("employment", "lq", "focus", "size_share", "avg_wage", "stars"):
            assert close(df.loc[cat, col], want.loc[cat, col]), (cat, col)
    assert df.loc["food_processing_and_manufacturing", "employment"] == 28981  # 7,209 + 7,080 + 14,692


@pytest.mark.parametrize("option,spec", [("--category", "Fashion=nace:13,99"), ("--category", "X=foo:1"),
                                         ("--region", "nonsense"), ("--region", "X=DE1+DE11")])
def test_cli_bad_spec_is_one_error_line_and_exit_code_2(eu, option, spec):
    proc = run_cli("metrics", "--dataset", "eu", "--level", "nuts2", "--year", "2014", option, spec)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_ids_of_custom_definitions_are_ascii_slugs():
    from analytics.serving.custom import slug

    assert slug("Øresund") == "oresund" and slug("Île-de-France") == "ile-de-france"
    assert slug("Łódź & Ærø") == "lodz-aero" and slug("???") == "custom"
