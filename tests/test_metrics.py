"""Every metric of METHODOLOGY.md §2 against a hand-worked table.

Regions A1, A2 (country A) and B1 (country B). Industries i1, i2 -> category T (traded),
i3 -> category L (local), i4 -> no category. Years 2014 and 2016. NaN = missing.

2014     employment (imputed?)   payroll            units
         i1   i2    i3   i4      i1   i2   i3  i4   i1 i2 i3 i4
  A1     30   10*   40   20*     900  100  800 400  3  1  4  2     (* imputed)
  A2     20   20    --   60      400  --   --  600  2  2  -- 6
  B1    120   --    60   20      3600 --  1500 200  12 -- 6  2

  E(r) total: A1 30+10+40+20 = 100, A2 20+20+60 = 100, B1 120+60+20 = 200 -> E = 400
  traded:     A1 40, A2 40, B1 120 -> 200;  local: A1 40, A2 missing, B1 60 -> 100
  E(T) = 40 + 40 + 120 = 200;  E(L) = 40 + 60 = 100
  Benchmark wage T = payroll where employment known / employment where payroll known
                   = (900 + 100 + 400 + 3600) / (30 + 10 + 20 + 120) = 5000 / 180
  Benchmark wage L = (800 + 1500) / (40 + 60) = 23

2016 (payroll = 10 x employment, 1 unit per known cell)
  A1: i1 70, i2 20, i3 50, i4 20  -> T 90, L 50
  A2: i1 5,  i2 5,  i3 30, i4 60  -> T 10, L 30
  B1: i1 120, i2 --, i3 60, i4 20 -> T 120, L 60
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.metrics.categories import Definitions
from analytics.metrics.core import add_ranks, category_facts, compute_metrics
from analytics.metrics.growth import growth
from analytics.metrics.regions import benchmark, region_totals

N = np.nan

DEFS = Definitions(
    industry_map=pd.DataFrame({"industry": ["i1", "i2", "i3"], "category_id": ["T", "T", "L"]}),
    categories=pd.DataFrame({"category_id": ["L", "T"], "category_name": ["Locals", "Tradables"],
                             "category_type": ["local", "traded"]}),
    industries=pd.DataFrame({"industry": ["i1", "i2", "i3", "i4"],
                             "industry_name": ["one", "two", "three", "four"],
                             "category_id": ["T", "T", "L", ""],
                             "category_type": ["traded", "traded", "local", "none"]}),
)

ROWS_2014 = [
    # region, industry, employment, imputed, payroll, units
    ("A1", "i1", 30, False, 900, 3), ("A1", "i2", 10, True, 100, 1),
    ("A1", "i3", 40, False, 800, 4), ("A1", "i4", 20, True, 400, 2),
    ("A2", "i1", 20, False, 400, 2), ("A2", "i2", 20, False, N, 2),
    ("A2", "i3", N, False, N, N), ("A2", "i4", 60, False, 600, 6),
    ("B1", "i1", 120, False, 3600, 12), ("B1", "i2", N, False, N, N),
    ("B1", "i3", 60, False, 1500, 6), ("B1", "i4", 20, False, 200, 2),
]
EMP_2016 = {("A1", "i1"): 70, ("A1", "i2"): 20, ("A1", "i3"): 50, ("A1", "i4"): 20,
            ("A2", "i1"): 5, ("A2", "i2"): 5, ("A2", "i3"): 30, ("A2", "i4"): 60,
            ("B1", "i1"): 120, ("B1", "i2"): N, ("B1", "i3"): 60, ("B1", "i4"): 20}


def _facts() -> pd.DataFrame:
    rows = [dict(region_id=r, industry=i, year=2014, employment=float(e), employment_imputed=imp,
                 payroll=float(p), units=float(u)) for r, i, e, imp, p, u in ROWS_2014]
    for (r, i), e in EMP_2016.items():
        rows.append(dict(region_id=r, industry=i, year=2016, employment=float(e), employment_imputed=False,
                         payroll=10.0 * e, units=1.0 if not math.isnan(e) else N))
    return pd.DataFrame(rows)


FACTS = _facts()
NATION = pd.Series({"A1": "A", "A2": "A", "B1": "B"})


@pytest.fixture(scope="module")
def metrics() -> pd.DataFrame:
    bc, bt = benchmark(FACTS, DEFS)
    rt = region_totals(FACTS, DEFS)
    return compute_metrics(FACTS, DEFS.industry_map, DEFS.categories, rt, bc, bt)


def _row(m: pd.DataFrame, region: str, cat: str, year: int = 2014) -> pd.Series:
    sel = m[(m["region_id"] == region) & (m["category_id"] == cat) & (m["year"] == year)]
    assert len(sel) == 1, (region, cat, year)
    return sel.iloc[0]


# --------------------------------------------------------------------------- denominators


def test_region_totals_by_hand():
    rt = region_totals(FACTS, DEFS).set_index(["region_id", "year"])
    assert rt.loc[("A1", 2014), "total"] == 100   # 30 + 10 + 40 + 20 (i4 counts in E(r))
    assert rt.loc[("A1", 2014), "traded"] == 40   # 30 + 10
    assert rt.loc[("A1", 2014), "local"] == 40
    assert rt.loc[("A2", 2014), "total"] == 100   # 20 + 20 + 60 (missing i3 is not zero, just absent)
    assert math.isnan(rt.loc[("A2", 2014), "local"])  # its only local industry is missing
    assert rt.loc[("B1", 2014), "total"] == 200   # 120 + 60 + 20
    assert rt.loc[("B1", 2014), "traded"] == 120
    assert rt.loc[("A1", 2016), "total"] == 160   # 70 + 20 + 50 + 20


def test_benchmark_by_hand():
    bc, bt = benchmark(FACTS, DEFS)
    bc = bc.set_index(["category_id", "year"])
    assert bc.loc[("T", 2014), "employment"] == 200        # 40 + 40 + 120
    assert bc.loc[("L", 2014), "employment"] == 100        # 40 + 60
    assert bc.loc[("T", 2014), "payroll"] == 5000          # 900 + 100 + 400 + 3600
    assert bc.loc[("T", 2014), "wage_employment"] == 180   # 30 + 10 + 20 + 120 (A2 i2 has no payroll)
    bt = bt.set_index("year")
    assert bt.loc[2014, "total"] == 400                    # 100 + 100 + 200
    assert bt.loc[2014, "traded"] == 200
    assert bt.loc[2014, "local"] == 100


# --------------------------------------------------------------------------- category facts


def test_category_facts_sums_and_flags():
    cf = category_facts(FACTS[FACTS["year"] == 2014], DEFS.industry_map)
    cf = cf.set_index(["region_id", "category_id"])
    assert len(cf) == 6  # 3 regions x 2 categories; i4 (no category) makes no row
    assert cf.loc[("A1", "T"), "employment"] == 40        # 30 + 10
    assert cf.loc[("B1", "T"), "employment"] == 120       # 120 + missing -> the known part
    assert cf.loc[("A1", "T"), "units"] == 4               # 3 + 1
    assert bool(cf.loc[("A1", "T"), "employment_imputed"])  # i2 is imputed
    assert not bool(cf.loc[("A1", "L"), "employment_imputed"])  # i4 is imputed but in no category
    assert not bool(cf.loc[("A2", "T"), "employment_imputed"])
    assert cf.loc[("A1", "T"), "missing_parts"] == 0
    assert cf.loc[("B1", "T"), "missing_parts"] == 1       # i2 missing
    assert cf.loc[("A2", "L"), "missing_parts"] == 1       # i3 missing
    # a category whose only industry is missing is missing, never 0
    assert math.isnan(cf.loc[("A2", "L"), "employment"])
    assert math.isnan(cf.loc[("A2", "L"), "units"])
    assert math.isnan(cf.loc[("A2", "L"), "payroll"])


def test_category_facts_counts_missing_children_of_aggregated_levels():
    # a country-level cell summed from NUTS 2 regions, 2 of which were missing
    facts = pd.DataFrame({"region_id": ["A", "A"], "industry": ["i1", "i2"], "year": [2014, 2014],
                          "employment": [50.0, 10.0], "employment_imputed": [False, False],
                          "payroll": [N, N], "units": [N, N], "missing_children": [2, 0]})
    cf = category_facts(facts, DEFS.industry_map).set_index("category_id")
    assert cf.loc["T", "employment"] == 60      # 50 + 10
    assert cf.loc["T", "missing_parts"] == 2    # 0 missing industries + 2 missing children


# --------------------------------------------------------------------------- metrics


def test_employment_and_flags(metrics):
    assert _row(metrics, "A1", "T")["employment"] == 40
    assert _row(metrics, "A2", "T")["employment"] == 40
    assert _row(metrics, "B1", "T")["employment"] == 120
    assert _row(metrics, "B1", "L")["employment"] == 60
    assert bool(_row(metrics, "A1", "T")["employment_imputed"])
    assert not bool(_row(metrics, "B1", "T")["employment_imputed"])
    assert _row(metrics, "B1", "T")["missing_parts"] == 1
    assert _row(metrics, "A1", "T")["units"] == 4  # 3 + 1
    assert _row(metrics, "A1", "T")["category_name"] == "Tradables"
    assert _row(metrics, "A1", "T")["category_type"] == "traded"


def test_missing_category_stays_missing_in_every_ratio(metrics):
    r = _row(metrics, "A2", "L")
    for col in ("employment", "avg_wage", "size_share", "focus", "lq_total", "lq_type"):
        assert math.isnan(r[col]), col


def test_average_wage_is_weighted_not_a_mean_of_ratios(metrics):
    # A1 T: (900 + 100) / (30 + 10) = 25; the mean of ratios would be (900/30 + 100/10) / 2 = 20
    assert _row(metrics, "A1", "T")["avg_wage"] == pytest.approx(25.0)
    # A2 T: i2 has employment but no payroll, so only i1 counts: 400 / 20 = 20 (not 400 / 40 = 10)
    assert _row(metrics, "A2", "T")["avg_wage"] == pytest.approx(20.0)
    assert _row(metrics, "B1", "T")["avg_wage"] == pytest.approx(30.0)   # 3600 / 120
    assert _row(metrics, "A1", "L")["avg_wage"] == pytest.approx(20.0)   # 800 / 40
    assert _row(metrics, "B1", "L")["avg_wage"] == pytest.approx(25.0)   # 1500 / 60


def test_relative_wage(metrics):
    # benchmark wage T = 5000 / 180; L = 2300 / 100 = 23
    assert _row(metrics, "A1", "T")["rel_wage"] == pytest.approx(25 * 180 / 5000)  # = 0.9
    assert _row(metrics, "A2", "T")["rel_wage"] == pytest.approx(20 * 180 / 5000)  # = 0.72
    assert _row(metrics, "B1", "T")["rel_wage"] == pytest.approx(30 * 180 / 5000)  # = 1.08
    assert _row(metrics, "A1", "L")["rel_wage"] == pytest.approx(20 / 23)
    assert _row(metrics, "B1", "L")["rel_wage"] == pytest.approx(25 / 23)


def test_size_share(metrics):
    assert _row(metrics, "A1", "T")["size_share"] == pytest.approx(0.2)   # 40 / 200
    assert _row(metrics, "B1", "T")["size_share"] == pytest.approx(0.6)   # 120 / 200
    assert _row(metrics, "A1", "L")["size_share"] == pytest.approx(0.4)   # 40 / 100
    assert _row(metrics, "B1", "L")["size_share"] == pytest.approx(0.6)   # 60 / 100


def test_focus(metrics):
    assert _row(metrics, "A1", "T")["focus"] == pytest.approx(0.4)   # 40 / 100
    assert _row(metrics, "B1", "T")["focus"] == pytest.approx(0.6)   # 120 / 200
    assert _row(metrics, "B1", "L")["focus"] == pytest.approx(0.3)   # 60 / 200


def test_lq_with_total_denominator(metrics):
    assert _row(metrics, "A1", "T")["lq_total"] == pytest.approx(0.8)  # (40/100) / (200/400)
    assert _row(metrics, "A2", "T")["lq_total"] == pytest.approx(0.8)  # (40/100) / (200/400)
    assert _row(metrics, "B1", "T")["lq_total"] == pytest.approx(1.2)  # (120/200) / (200/400)
    assert _row(metrics, "A1", "L")["lq_total"] == pytest.approx(1.6)  # (40/100) / (100/400)
    assert _row(metrics, "B1", "L")["lq_total"] == pytest.approx(1.2)  # (60/200) / (100/400)


def test_lq_with_type_denominator_single_traded_category(metrics):
    # with one traded category, E(r,T) = traded E(r) and E(T) = traded E: LQ = 1 everywhere
    assert _row(metrics, "A1", "T")["lq_type"] == pytest.approx(1.0)   # (40/40) / (200/200)
    assert _row(metrics, "B1", "T")["lq_type"] == pytest.approx(1.0)   # (120/120) / (200/200)
    assert _row(metrics, "B1", "L")["lq_type"] == pytest.approx(1.0)   # (60/60) / (100/100)


def test_lq_with_type_denominator_two_traded_categories():
    # Regions R1, R2; a -> T1 (traded), b -> T2 (traded), c -> L (local), d -> no category.
    #        a   b   c   d   total traded local
    #   R1  30  10  40  20    100    40    40
    #   R2  10  50  20  20    100    60    20
    #   E   40  60  60  40    200   100    60
    facts = pd.DataFrame({
        "region_id": ["R1"] * 4 + ["R2"] * 4, "industry": list("abcd") * 2, "year": 2014,
        "employment": [30.0, 10, 40, 20, 10, 50, 20, 20], "employment_imputed": False,
        "payroll": N, "units": N})
    cmap = pd.DataFrame({"industry": ["a", "b", "c"], "category_id": ["T1", "T2", "L"]})
    cats = pd.DataFrame({"category_id": ["T1", "T2", "L"], "category_name": ["T1", "T2", "L"],
                         "category_type": ["traded", "traded", "local"]})
    totals = pd.DataFrame({"region_id": ["R1", "R2"], "year": 2014, "total": [100.0, 100.0],
                           "traded": [40.0, 60.0], "local": [40.0, 20.0]})
    bc = pd.DataFrame({"category_id": ["T1", "T2", "L"], "year": 2014, "employment": [40.0, 60.0, 60.0],
                       "payroll": N, "wage_employment": N})
    bt = pd.DataFrame({"year": [2014], "total": [200.0], "traded": [100.0], "local": [60.0]})
    m = compute_metrics(facts, cmap, cats, totals, bc, bt)
    assert _row(m, "R1", "T1")["lq_type"] == pytest.approx((30 / 40) / (40 / 100))   # = 1.875
    assert _row(m, "R1", "T1")["lq_total"] == pytest.approx((30 / 100) / (40 / 200))  # = 1.5
    assert _row(m, "R2", "T2")["lq_type"] == pytest.approx((50 / 60) / (60 / 100))   # = 1.3889
    assert _row(m, "R2", "T2")["lq_total"] == pytest.approx((50 / 100) / (60 / 200))  # = 1.6667
    assert _row(m, "R1", "L")["lq_type"] == pytest.approx((40 / 40) / (60 / 60))     # = 1.0
    assert _row(m, "R1", "L")["lq_total"] == pytest.approx((40 / 100) / (60 / 200))  # = 1.3333
    assert math.isnan(_row(m, "R1", "T1")["avg_wage"])  # no payroll data: missing, not 0


# --------------------------------------------------------------------------- ranks


def test_ranks_with_ties_and_rank_n(metrics):
    r = add_ranks(metrics[metrics["year"] == 2014])
    # T employment: B1 120 -> 1; A1 40 and A2 40 tie -> both 2 (method "min"), of 3
    assert _row(r, "B1", "T")["employment_rank"] == 1
    assert _row(r, "A1", "T")["employment_rank"] == 2
    assert _row(r, "A2", "T")["employment_rank"] == 2
    assert _row(r, "A1", "T")["rank_n"] == 3
    # T LQ: B1 1.2 -> 1; A1 0.8 and A2 0.8 -> 2
    assert _row(r, "B1", "T")["lq_total_rank"] == 1
    assert _row(r, "A2", "T")["lq_total_rank"] == 2
    # L employment: B1 60 -> 1, A1 40 -> 2, A2 missing -> no rank; 2 regions ranked
    assert _row(r, "B1", "L")["employment_rank"] == 1
    assert _row(r, "A1", "L")["employment_rank"] == 2
    assert math.isnan(_row(r, "A2", "L")["employment_rank"])
    assert _row(r, "A1", "L")["rank_n"] == 2
    # L LQ: A1 1.6 -> 1, B1 1.2 -> 2 (ranked within the category, not against T)
    assert _row(r, "A1", "L")["lq_total_rank"] == 1
    assert _row(r, "B1", "L")["lq_total_rank"] == 2


def test_ranks_are_per_year(metrics):
    r = add_ranks(metrics)
    # 2016 T: B1 120 -> 1, A1 90 -> 2, A2 10 -> 3
    assert _row(r, "B1", "T", 2016)["employment_rank"] == 1
    assert _row(r, "A1", "T", 2016)["employment_rank"] == 2
    assert _row(r, "A2", "T", 2016)["employment_rank"] == 3
    assert _row(r, "A2", "T", 2014)["employment_rank"] == 2


# --------------------------------------------------------------------------- growth


@pytest.fixture(scope="module")
def grown(metrics) -> pd.DataFrame:
    return growth(metrics, 2014, 2016, NATION).set_index(["region_id", "category_id"])


def test_cagr_and_absolute_change(grown):
    assert grown.loc[("A1", "T"), "cagr"] == pytest.approx(0.5)        # (90/40)^(1/2) - 1 = 1.5 - 1
    assert grown.loc[("A2", "T"), "cagr"] == pytest.approx(-0.5)       # (10/40)^(1/2) - 1 = 0.5 - 1
    assert grown.loc[("B1", "T"), "cagr"] == pytest.approx(0.0)        # (120/120)^(1/2) - 1
    assert grown.loc[("A1", "L"), "cagr"] == pytest.approx((50 / 40) ** 0.5 - 1)  # = 0.1180
    assert grown.loc[("A1", "T"), "abs_change"] == 50                   # 90 - 40
    assert grown.loc[("A2", "T"), "abs_change"] == -30                  # 10 - 40
    assert (grown["start_year"] == 2014).all() and (grown["end_year"] == 2016).all()


def test_missing_start_gives_no_growth(grown):
    # A2 L is missing in 2014: no CAGR, no change, no expectation (never computed from 0)
    r = grown.loc[("A2", "L")]
    assert r["emp_end"] == 30
    for col in ("cagr", "abs_change", "expected_change", "job_creation_vs_expected"):
        assert math.isnan(r[col]), col


def test_expected_change_from_national_growth(grown):
    # Country A, T: (40 + 40) -> (90 + 10) = 80 -> 100, national growth 100/80 - 1 = 0.25
    assert grown.loc[("A1", "T"), "expected_change"] == pytest.approx(10.0)   # 40 * 0.25
    assert grown.loc[("A2", "T"), "expected_change"] == pytest.approx(10.0)   # 40 * 0.25
    # Country B, T: 120 -> 120, growth 0
    assert grown.loc[("B1", "T"), "expected_change"] == pytest.approx(0.0)
    # Country A, L: only A1 has both years: 40 -> 50, growth 0.25 -> 40 * 0.25 = 10
    assert grown.loc[("A1", "L"), "expected_change"] == pytest.approx(10.0)


def test_job_creation_vs_expected(grown):
    assert grown.loc[("A1", "T"), "job_creation_vs_expected"] == pytest.approx(40.0)   # 50 - 10
    assert grown.loc[("A2", "T"), "job_creation_vs_expected"] == pytest.approx(-40.0)  # -30 - 10
    assert grown.loc[("B1", "T"), "job_creation_vs_expected"] == pytest.approx(0.0)    # 0 - 0
    assert grown.loc[("A1", "L"), "job_creation_vs_expected"] == pytest.approx(0.0)    # 10 - 10


def test_expected_change_against_the_whole_area_when_no_nation_given(metrics):
    g = growth(metrics, 2014, 2016).set_index(["region_id", "category_id"])
    # whole area T: (40 + 40 + 120) -> (90 + 10 + 120) = 200 -> 220, growth 0.1
    assert g.loc[("A1", "T"), "expected_change"] == pytest.approx(4.0)                # 40 * 0.1
    assert g.loc[("B1", "T"), "expected_change"] == pytest.approx(12.0)               # 120 * 0.1
    assert g.loc[("B1", "T"), "job_creation_vs_expected"] == pytest.approx(-12.0)     # 0 - 12


def test_growth_only_between_sums_of_the_same_parts():
    # X1 sums 2 industries in 2014 but only 1 in 2016 (one withheld): 100 -> 60 is not a fall of 40
    # jobs, so no growth, and X1 stays out of country X's national growth (X2 alone: 50 -> 75, +50 %)
    m = pd.DataFrame({
        "region_id": ["X1", "X1", "X2", "X2", "X3", "X3"], "category_id": ["T"] * 6,
        "year": [2014, 2016] * 3, "employment": [100.0, 60.0, 50.0, 75.0, 80.0, 40.0],
        "missing_parts": [0, 1, 0, 0, 1, 1]})
    g = growth(m, 2014, 2016, pd.Series({"X1": "X", "X2": "X", "X3": "Y"})).set_index("region_id")
    for col in ("cagr", "abs_change", "expected_change", "job_creation_vs_expected"):
        assert math.isnan(g.loc["X1", col]), col
    assert g.loc["X2", "national_growth"] == pytest.approx(0.5)            # 75 / 50 - 1, without X1
    assert g.loc["X2", "job_creation_vs_expected"] == pytest.approx(0.0)   # 25 - 50 * 0.5
    # X3 misses one part at both ends: the same sum, compared (40/80)^(1/2) - 1
    assert g.loc["X3", "cagr"] == pytest.approx(0.5 ** 0.5 - 1)


@pytest.mark.parametrize("start, end", [(2016, 2014), (2014, 2014)])
def test_growth_needs_end_after_start(metrics, start, end):
    with pytest.raises(ValueError, match="must be after"):
        growth(metrics, start, end, NATION)


def test_ratios_do_not_depend_on_summation_order():
    # 0.1 + 0.2 + 0.3 summed in two orders differ in the last bit; an LQ built from either is
    # the same number, so LQ ≥ 1 and percentile ranks cannot flip on float noise
    from analytics.metrics.core import _significant
    a, b = (0.1 + 0.2) + 0.3, 0.1 + (0.2 + 0.3)
    assert a != b
    assert _significant(np.array([a / 0.6]), 12)[0] == _significant(np.array([b / 0.6]), 12)[0] == 1.0
    x = np.array([1.23456789012345e-7, -2.5, 0.0, np.nan, np.inf])
    out = _significant(x, 12)
    assert out[0] == pytest.approx(1.23456789012e-7, rel=1e-15) and out[1] == -2.5 and out[2] == 0.0
    assert np.isnan(out[3]) and np.isinf(out[4])
