"""Star rules (METHODOLOGY.md §2) on hand-worked tables: edges, ties, interpolation, scope.

Percentiles use linear interpolation: for sorted values v0..v(n-1), the q-quantile sits at
position q*(n-1); e.g. 10, 20, 30, 40, 50 -> P90 at 0.9*4 = 3.6 -> 40 + 0.6*(50-40) = 46.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.metrics.stars import Eco2008, UsStrong, get_rules, lq_column, rate

N = np.nan


def _m(rows, cols=("region_id", "category_id", "category_type", "employment", "focus", "lq_total")):
    df = pd.DataFrame(rows, columns=list(cols))
    df["year"] = 2014
    if "lq_type" not in df.columns:
        df["lq_type"] = df["lq_total"]
    if "units" not in df.columns:
        df["units"] = 1.0
    return df


def _stars(df, out, region, cat):
    i = df.index[(df["region_id"] == region) & (df["category_id"] == cat)]
    assert len(i) == 1
    return out.loc[i[0]]


# ---------------------------------------------------------------------------------------------
# ECO 2008
#
# T1 (traded): R1..R5 employment 10, 20, 30, 40, 50 and R6 = 0
#   size P90 over employment > 0: 10..50 -> 46 (R6's 0 is not in the base; with it, P90 = 45)
# T2 (traded): R1..R5 employment 1, 2, 7, 7, 7 -> P90 at 3.6 -> 7 + 0.6*0 = 7: the three
#   tied regions at the percentile all meet size (>=)
# L (local): large focus values; not rated and not in the focus base
# focus over all traded clusters with employment > 0 (10 values 0.01..0.10):
#   P90 at 0.9*9 = 8.1 -> 0.09 + 0.1*(0.10-0.09) = 0.091 -> only T2/R5 (0.10)
#   (with R6's 0 it would be 0.09 at position 9 of 11, and T2/R4 would meet it)
# LQ: T1 R1..R6 = 1.0, 1.99, 2.0, 2.5, 0.5, 0; T2 R1..R5 = 0.1, 0.2, 0.3, 2.0, 3.0
# ---------------------------------------------------------------------------------------------
ECO = _m([
    ("R1", "T1", "traded", 10, 0.01, 1.0),
    ("R2", "T1", "traded", 20, 0.02, 1.99),
    ("R3", "T1", "traded", 30, 0.03, 2.0),
    ("R4", "T1", "traded", 40, 0.04, 2.5),
    ("R5", "T1", "traded", 50, 0.05, 0.5),
    ("R6", "T1", "traded", 0, 0.0, 0.0),
    ("R1", "T2", "traded", 1, 0.06, 0.1),
    ("R2", "T2", "traded", 2, 0.07, 0.2),
    ("R3", "T2", "traded", 7, 0.08, 0.3),
    ("R4", "T2", "traded", 7, 0.09, 2.0),
    ("R5", "T2", "traded", 7, 0.10, 3.0),
    ("R1", "L", "local", 500, 0.90, 5.0),
    ("R2", "L", "local", 400, 0.80, 4.0),
    ("R3", "L", "local", 300, 0.70, 3.0),
])


@pytest.fixture(scope="module")
def eco() -> pd.DataFrame:
    return rate(ECO, "eco2008", "total")


def test_eco_size_threshold_is_interpolated_over_positive_employment(eco):
    assert _stars(ECO, eco, "R1", "T1")["size_threshold"] == pytest.approx(46.0)  # 40 + 0.6*10
    assert _stars(ECO, eco, "R1", "T2")["size_threshold"] == pytest.approx(7.0)   # 7 + 0.6*0
    assert bool(_stars(ECO, eco, "R5", "T1")["star_size"])       # 50 >= 46
    assert not bool(_stars(ECO, eco, "R4", "T1")["star_size"])   # 40 < 46
    assert not bool(_stars(ECO, eco, "R6", "T1")["star_size"])   # employment 0


def test_eco_size_ties_at_the_percentile_all_meet(eco):
    # T2: 1, 2, 7, 7, 7 -> P90 = 7; the three 7s are exactly at the threshold and meet it
    assert [bool(_stars(ECO, eco, r, "T2")["star_size"]) for r in ("R1", "R2", "R3", "R4", "R5")] == [
        False, False, True, True, True]


def test_eco_size_exactly_at_p90_meets():
    # 11 regions, employment 10, 20, ..., 110 -> P90 at 0.9*10 = 9 -> exactly 100
    df = _m([(f"R{k}", "T", "traded", 10 * k, 0.0, 1.0) for k in range(1, 12)])
    out = rate(df, "eco2008")
    assert out["size_threshold"].iloc[0] == pytest.approx(100.0)
    assert out["star_size"].tolist() == [False] * 9 + [True, True]  # 100 (== P90) and 110


def test_eco_specialisation_lq_two_is_enough(eco):
    assert bool(_stars(ECO, eco, "R3", "T1")["star_specialisation"])      # LQ exactly 2.0
    assert not bool(_stars(ECO, eco, "R2", "T1")["star_specialisation"])  # 1.99
    assert bool(_stars(ECO, eco, "R4", "T1")["star_specialisation"])      # 2.5


def test_eco_focus_threshold_over_all_traded_categories(eco):
    assert _stars(ECO, eco, "R1", "T1")["focus_threshold"] == pytest.approx(0.091)  # 0.09 + 0.1*0.01
    assert _stars(ECO, eco, "R1", "T2")["focus_threshold"] == pytest.approx(0.091)  # same for all
    assert bool(_stars(ECO, eco, "R5", "T2")["star_focus"])        # 0.10 >= 0.091
    assert not bool(_stars(ECO, eco, "R4", "T2")["star_focus"])    # 0.09 < 0.091
    assert not bool(_stars(ECO, eco, "R5", "T1")["star_focus"])    # 0.05


def test_eco_star_counts(eco):
    # T1: R1 0; R2 0; R3 spec = 1; R4 spec = 1; R5 size = 1; R6 0
    # T2: R1 0; R2 0; R3 size = 1; R4 size + spec = 2; R5 size + spec + focus = 3
    expected = {("R1", "T1"): 0, ("R2", "T1"): 0, ("R3", "T1"): 1, ("R4", "T1"): 1, ("R5", "T1"): 1,
                ("R6", "T1"): 0, ("R1", "T2"): 0, ("R2", "T2"): 0, ("R3", "T2"): 1, ("R4", "T2"): 2,
                ("R5", "T2"): 3}
    got = {(r, c): int(_stars(ECO, eco, r, c)["stars"]) for r, c in expected}
    assert got == expected


def test_eco_local_categories_are_not_rated(eco):
    loc = eco[ECO["category_type"] == "local"]
    assert loc["stars"].isna().all()  # NA, not 0: "not rated" differs from "no star"
    assert not loc["rated"].any()
    assert not loc["star_specialisation"].any()  # LQ 3..5 but not rated
    traded = eco[ECO["category_type"] == "traded"]
    assert traded["stars"].notna().all()


def test_eco_percentiles_are_per_year():
    # same table for 2015 with employment x 10: the 2015 size P90 is 460, 2014's stays 46
    a = ECO[ECO["category_id"] == "T1"].copy()
    b = a.copy()
    b["year"], b["employment"] = 2015, b["employment"] * 10
    df = pd.concat([a, b], ignore_index=True)
    out = rate(df, "eco2008")
    assert out.loc[df["year"] == 2014, "size_threshold"].iloc[0] == pytest.approx(46.0)
    assert out.loc[df["year"] == 2015, "size_threshold"].iloc[0] == pytest.approx(460.0)


def test_eco_denominator_selects_the_lq_column():
    df = _m([("R1", "T", "traded", 10, 0.1, 2.5), ("R2", "T", "traded", 10, 0.1, 1.0)])
    df["lq_type"] = [1.5, 2.0]
    total = rate(df, "eco2008", "total")
    traded = rate(df, "eco2008", "traded")
    assert total["star_specialisation"].tolist() == [True, False]   # lq_total 2.5, 1.0
    assert traded["star_specialisation"].tolist() == [False, True]  # lq_type 1.5, 2.0


# ---------------------------------------------------------------------------------------------
# US "strong cluster": within category and year, over regions with employment > 0
#
# T: R1..R5 employment 10, 20, 30, 40, 50; units 1, 2, 3, 4, 5; LQ 0.5, 1.0, 1.5, 2.0, 3.0;
#    R6 employment 0 (out of the base)
#   employment P25 at 0.25*4 = 1 -> 20 (strict: R2's 20 does NOT meet; with R6's 0 in the
#   base the P25 would be 12.5 and R2 would meet)
#   units P25 -> 2;  LQ P75 at 3 -> 2.0;  LQ P90 at 3.6 -> 2.0 + 0.6*1.0 = 2.6
#   strong: LQ >= 2.0 and >= 1 and employment > 20 and units > 2 -> R4, R5
#   top strong: LQ >= 2.6 -> R5
# ---------------------------------------------------------------------------------------------
US = _m([
    ("R1", "T", "traded", 10, 0.1, 0.5),
    ("R2", "T", "traded", 20, 0.1, 1.0),
    ("R3", "T", "traded", 30, 0.1, 1.5),
    ("R4", "T", "traded", 40, 0.1, 2.0),
    ("R5", "T", "traded", 50, 0.1, 3.0),
    ("R6", "T", "traded", 0, 0.0, 0.0),
    ("R1", "L", "local", 10, 0.1, 9.0),
    ("R2", "L", "local", 20, 0.1, 9.0),
])
US["units"] = [1.0, 2, 3, 4, 5, 0, 1, 2]


@pytest.fixture(scope="module")
def us() -> pd.DataFrame:
    return rate(US, "us-strong", "total")


def test_us_thresholds(us):
    r = _stars(US, us, "R1", "T")
    assert r["size_threshold"] == pytest.approx(20.0)      # P25 of 10..50
    assert r["units_threshold"] == pytest.approx(2.0)      # P25 of 1..5
    assert r["lq_threshold"] == pytest.approx(2.0)         # P75 of 0.5, 1, 1.5, 2, 3
    assert r["top_lq_threshold"] == pytest.approx(2.6)     # P90: 2.0 + 0.6 * (3.0 - 2.0)


def test_us_size_is_strict(us):
    # R2: employment 20 == P25 -> does not meet "> 25th percentile"
    assert not bool(_stars(US, us, "R2", "T")["star_size"])
    assert bool(_stars(US, us, "R3", "T")["star_size"])    # 30 > 20 and 3 units > 2


def test_us_strong_and_top_strong(us):
    t = US["category_id"] == "T"
    assert us.loc[t, "strong"].astype(bool).tolist() == [False, False, False, True, True, False]
    assert us.loc[t, "top_strong"].astype(bool).tolist() == [False, False, False, False, True, False]
    # stars: 1 = strong, 2 = top strong
    assert us.loc[t, "stars"].astype(int).tolist() == [0, 0, 0, 1, 2, 0]


def test_us_local_not_rated(us):
    loc = us[US["category_id"] == "L"]
    assert loc["stars"].isna().all()
    assert not loc["strong"].astype(bool).any()  # LQ 9 but local


def test_us_lq_must_also_be_at_least_one():
    # all LQs below 1: 0.2, 0.4, 0.6, 0.8 -> P75 at 2.25 -> 0.6 + 0.25*0.2 = 0.65;
    # R4 (0.8) clears the percentile but not LQ >= 1, so nobody is strong
    df = _m([(f"R{k}", "T", "traded", 10 * k, 0.1, 0.2 * k) for k in range(1, 5)])
    out = rate(df, "us-strong")
    assert out["lq_threshold"].iloc[0] == pytest.approx(0.65)
    assert not out["star_specialisation"].astype(bool).any()
    assert not out["strong"].astype(bool).any()


def test_us_percentile_ties():
    # LQ 1, 3, 3, 3: P75 at 2.25 -> 3 + 0.25*0 = 3: all three tied regions meet it
    # employment 10, 20, 20, 20: P25 at 0.75 -> 10 + 0.75*10 = 17.5 -> the 20s meet (> 17.5)
    df = _m([("R1", "T", "traded", 10, 0.1, 1.0), ("R2", "T", "traded", 20, 0.1, 3.0),
             ("R3", "T", "traded", 20, 0.1, 3.0), ("R4", "T", "traded", 20, 0.1, 3.0)])
    df["units"] = [1.0, 5, 5, 5]  # P25 at 0.75 -> 1 + 0.75*4 = 4 -> 5 > 4
    out = rate(df, "us-strong")
    assert out["lq_threshold"].iloc[0] == pytest.approx(3.0)
    assert out["size_threshold"].iloc[0] == pytest.approx(17.5)
    assert out["strong"].astype(bool).tolist() == [False, True, True, True]


def test_us_all_tied_employment_nobody_meets_strict_size():
    # employment 30, 30, 30: P25 = 30 and "> 30" fails for all
    df = _m([(f"R{k}", "T", "traded", 30, 0.1, 2.0) for k in range(1, 4)])
    out = rate(df, "us-strong")
    assert not out["star_size"].astype(bool).any()


def test_us_denominator_selects_the_lq_column():
    # rate(..., "traded") uses lq_type: LQ 1.5 (type) vs 0.5 (total)
    df = _m([(f"R{k}", "T", "traded", 10 * k, 0.1, 0.5) for k in range(1, 5)])
    df["lq_type"] = [0.5, 0.5, 0.5, 1.5]
    df["units"] = [1.0, 2, 3, 4]
    # lq_type P75 at 2.25 -> 0.5 + 0.25*1.0 = 0.75 -> R4 (1.5 >= 0.75 and >= 1);
    # employment P25 at 0.75 -> 10 + 0.75*10 = 17.5 (R4 40 > 17.5); units P25 -> 1.75 (R4 4 > 1.75)
    assert rate(df, "us-strong", "traded")["strong"].astype(bool).tolist() == [False, False, False, True]
    assert not rate(df, "us-strong", "total")["strong"].astype(bool).any()


# ---------------------------------------------------------------------------------------------
# missing employment: unknown, not "no star"
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rules", ["eco2008", "us-strong"])
def test_missing_employment_is_not_rated_zero_stars(rules):
    # R3's employment is confidential (NaN): its stars are unknown (NA), not 0 (METHODOLOGY §5:
    # missing cells are never silently zero); it is also left out of the percentile base:
    # ECO size P90 of 10, 20, 40, 50 at 2.7 -> 40 + 0.7*10 = 47
    df = _m([("R1", "T", "traded", 10, 0.01, 0.5), ("R2", "T", "traded", 20, 0.02, 0.5),
             ("R3", "T", "traded", N, N, N), ("R4", "T", "traded", 40, 0.04, 0.5),
             ("R5", "T", "traded", 50, 0.05, 0.5)])
    df["units"] = [1.0, 2, N, 4, 5]
    out = rate(df, rules)
    assert pd.isna(out["stars"].iloc[2])
    assert out["stars"].drop(index=2).notna().all()
    assert not out[["star_size", "star_specialisation"]].iloc[2].astype(bool).any()
    if rules == "eco2008":
        assert out["size_threshold"].iloc[0] == pytest.approx(47.0)
        assert out["stars"].astype("float").tolist()[:2] == [0.0, 0.0]
        # R5: size 50 >= 47 and focus 0.05 >= P90 of 0.01, 0.02, 0.04, 0.05 = 0.04 + 0.7*0.01 = 0.047
        assert out["focus_threshold"].iloc[0] == pytest.approx(0.047)
        assert out["stars"].iloc[4] == 2


# ---------------------------------------------------------------------------------------------
# rule-set lookup
# ---------------------------------------------------------------------------------------------


def test_unknown_rule_set_raises_clear_error():
    with pytest.raises(ValueError, match=r"unknown rule set 'nope'.*eco2008.*us-strong"):
        rate(ECO, "nope")
    with pytest.raises(ValueError, match="unknown rule set"):
        get_rules("ECO2008")


def test_unknown_denominator_raises_clear_error():
    with pytest.raises(ValueError, match=r"unknown denominator 'local'.*total or traded"):
        rate(ECO, "eco2008", "local")
    with pytest.raises(ValueError, match="unknown denominator"):
        lq_column("")


def test_rule_sets_describe_their_thresholds():
    eco_text = " ".join(Eco2008().describe())
    assert "top 10%" in eco_text and "location quotient ≥ 2" in eco_text
    us_text = " ".join(UsStrong().describe())
    assert "75%" in us_text and "25%" in us_text and "90%" in us_text
