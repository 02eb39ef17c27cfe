"""The transatlantic numbers (analytics/insights/transatlantic.py): the Hoover concentration index and the
strong share against hand-worked tables, unknown cells left out (never read as 0), local categories without
a strong share, the year choices, and the real build's table covering every common category."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.insights import transatlantic as ta


def test_hoover_on_a_hand_worked_table():
    # e = 10, 0, 30 (E = 40) → shares .25, 0, .75; b = 100, 100, 200 (B = 400) → .25, .25, .5
    # ½ (|.25 − .25| + |0 − .25| + |.75 − .5|) = ½ (0 + .25 + .25) = 0.25
    assert ta.hoover([10, 0, 30], [100, 100, 200]) == pytest.approx(0.25)


def test_hoover_bounds_and_unknown_cells():
    assert ta.hoover([5, 10, 20], [50, 100, 200]) == pytest.approx(0.0)  # spread exactly like the benchmark
    # all in a region with a tiny share of the benchmark: ½ (|1 − 1/1001| + 1000/1001) = 1000/1001
    assert ta.hoover([7, 0], [1, 1000]) == pytest.approx(1000 / 1001)
    # an unknown cell is left out of both sums, not read as 0 (else the answer would be 0.25 + …)
    assert ta.hoover([10, np.nan, 30], [100, 100, 200]) == pytest.approx(ta.hoover([10, 30], [100, 200]))
    assert ta.hoover([10, 30], [100, 200]) == pytest.approx(0.5 * (abs(.25 - 1 / 3) + abs(.75 - 2 / 3)))
    assert math.isnan(ta.hoover([0, 0], [1, 2]))


def rows(emp, base, strong, rated=True, imputed=None):
    n = len(emp)
    return pd.DataFrame({"region_id": [f"R{i}" for i in range(n)], "region_name": [f"R{i}" for i in range(n)],
                         "employment": emp, "lq": [1.0] * n, "strong": strong, "rated": [rated] * n,
                         "employment_imputed": imputed or [False] * n, "base": base})


def test_summary_on_a_hand_worked_table():
    s = ta.summarise(rows([10, 0, 30, np.nan], [100, 100, 200, 50], [False, False, True, True],
                          imputed=[True, False, False, False]))
    assert s["n_regions"] == 3 and s["n_left_out"] == 1
    assert s["employment"] == 40
    assert s["hoover"] == pytest.approx(0.25)
    assert s["strong_share"] == pytest.approx(30 / 40)  # the unknown strong cell adds nothing
    assert s["n_strong"] == 1
    assert s["imputed_share"] == pytest.approx(10 / 40)


def test_a_category_the_rule_does_not_rate_has_no_strong_share():
    s = ta.summarise(rows([10, 30], [100, 200], [False, False], rated=False))
    assert math.isnan(s["strong_share"]) and s["hoover"] == pytest.approx(ta.hoover([10, 30], [100, 200]))


def test_more_clustered():
    assert ta.more_clustered(0.4, 0.3) == "Europe"
    assert ta.more_clustered(0.3, 0.4) == "United States"
    assert ta.more_clustered(0.300, 0.303) == "about equal"
    assert ta.more_clustered(float("nan"), 0.3) is None


def test_years():
    ys = ta.side_years()
    assert ys["common"] == sorted(set(ys["eu"]) & set(ys["us"])) and ys["common"]
    assert ta.years_for("latest") == {"eu": ys["eu"][-1], "us": ys["us"][-1]}
    assert ta.years_for(str(ys["common"][0])) == {"eu": ys["common"][0], "us": ys["common"][0]}
    with pytest.raises(ValueError):
        ta.years_for("1999")
    assert ta.default_year_choice() == str(ys["common"][-1])


def test_real_table_covers_every_common_category_and_matches_the_per_category_numbers():
    t = ta.concentration_table(ta.default_year_choice())
    assert list(t["category_id"]) == list(ta.common_categories()["category_id"])
    years = ta.years_for(ta.default_year_choice())
    row = t[t["category_id"] == "automotive"].iloc[0]
    eu = ta.category_rows("eu", "nuts2", years["eu"], "automotive")
    known = eu.dropna(subset=["employment", "base"])
    assert row["eu_hoover"] == pytest.approx(ta.hoover(known["employment"], known["base"]))
    assert row["eu_strong_share"] == pytest.approx(known.loc[known["strong"], "employment"].sum()
                                                   / known["employment"].sum())
    assert t.loc[t["category_type"] == "local", ["eu_strong_share", "us_strong_share"]].isna().all().all()
    assert 0 <= t["eu_hoover"].min() and t["us_hoover"].max() <= 1
