"""Imputation of confidential NUTS cells from the parent's remainder (METHODOLOGY.md §5).

Hand-made country XX: NUTS 1 XX1 (NUTS 2 XX11, XX12) and XX2 (XX21, XX22), plus the
extra-regio codes XXZ / XXZZ. NaN = confidential or missing.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.sources.eu.imputation import impute_from_parents

C = np.nan  # a confidential / missing cell


def _cells(rows):
    return pd.DataFrame(rows, columns=["geo", "nace", "year", "value"])


def _weights(rows):
    return pd.DataFrame(rows, columns=["geo", "year", "weight"])


def _get(out, geo, nace="C10", year=2014):
    sel = out[(out["geo"] == geo) & (out["nace"] == nace) & (out["year"] == year)]
    assert len(sel) == 1, (geo, nace, year)
    return sel.iloc[0]


def _assert_published_unchanged_and_flags_exact(before: pd.DataFrame, after: pd.DataFrame):
    assert len(after) == len(before)
    assert after[["geo", "nace", "year"]].reset_index(drop=True).equals(
        before[["geo", "nace", "year"]].reset_index(drop=True))
    was = before["value"].reset_index(drop=True)
    now = after["value"].reset_index(drop=True)
    published = was.notna()
    # published values never change
    assert (now[published] == was[published]).all()
    # imputed is True exactly on the cells that were missing and are now filled
    filled = was.isna() & now.notna()
    assert after["imputed"].reset_index(drop=True).astype(bool).equals(filled)


# C10, 2014:
#   XX  = 1000 (country)
#   XX1 = c,   XX2 = 400,   XXZ (extra-regio) = 100
#     -> XX1 = 1000 - 400 - 100 = 500 (the only missing NUTS 1 child takes the whole remainder)
#   XX11 = 200, XX12 = c
#     -> XX12 = 500 (imputed XX1, the cascade) - 200 = 300
#   XX21 = c, XX22 = c, LFS weights XX21 = 30, XX22 = 10
#     -> remainder 400 - 0 = 400; XX21 = 400 * 30/40 = 300, XX22 = 400 * 10/40 = 100
#   XXZZ = 100 (published extra-regio NUTS 2)
CASCADE = _cells([
    ("XX", "C10", 2014, 1000.0),
    ("XX1", "C10", 2014, C), ("XX2", "C10", 2014, 400.0), ("XXZ", "C10", 2014, 100.0),
    ("XX11", "C10", 2014, 200.0), ("XX12", "C10", 2014, C),
    ("XX21", "C10", 2014, C), ("XX22", "C10", 2014, C),
    ("XXZZ", "C10", 2014, 100.0),
    # other industries make every NUTS 2 region "covered" (it publishes something in 2014)
    ("XX11", "C20", 2014, 5.0), ("XX12", "C20", 2014, 6.0),
    ("XX21", "C20", 2014, 7.0), ("XX22", "C20", 2014, 8.0),
    ("XX1", "C20", 2014, 11.0), ("XX2", "C20", 2014, 15.0),
])
CASCADE_WEIGHTS = _weights([("XX1", 2014, 50.0), ("XX2", 2014, 50.0),
                            ("XX21", 2014, 30.0), ("XX22", 2014, 10.0),
                            ("XX11", 2014, 1.0), ("XX12", 2014, 1.0)])


def test_cascade_country_to_nuts1_to_nuts2_with_lfs_weights():
    out = impute_from_parents(CASCADE, CASCADE_WEIGHTS)
    assert _get(out, "XX1")["value"] == pytest.approx(500.0)   # 1000 - 400 - 100
    assert _get(out, "XX12")["value"] == pytest.approx(300.0)  # 500 - 200 (parent was imputed)
    assert _get(out, "XX21")["value"] == pytest.approx(300.0)  # 400 * 30/40
    assert _get(out, "XX22")["value"] == pytest.approx(100.0)  # 400 * 10/40
    for geo in ("XX1", "XX12", "XX21", "XX22"):
        assert bool(_get(out, geo)["imputed"]), geo
    for geo in ("XX", "XX2", "XXZ", "XX11", "XXZZ"):
        assert not bool(_get(out, geo)["imputed"]), geo
    _assert_published_unchanged_and_flags_exact(CASCADE, out)


def test_children_add_up_to_the_parent_after_imputation():
    out = impute_from_parents(CASCADE, CASCADE_WEIGHTS)
    c10 = out[out["nace"] == "C10"].set_index("geo")["value"]
    # XX1 + XX2 + XXZ = 500 + 400 + 100 = 1000 = XX
    assert c10["XX1"] + c10["XX2"] + c10["XXZ"] == pytest.approx(c10["XX"])
    # XX11 + XX12 = 200 + 300 = 500 = XX1; XX21 + XX22 = 300 + 100 = 400 = XX2
    assert c10["XX11"] + c10["XX12"] == pytest.approx(c10["XX1"])
    assert c10["XX21"] + c10["XX22"] == pytest.approx(c10["XX2"])


def test_input_table_is_not_modified():
    before = CASCADE.copy()
    impute_from_parents(CASCADE, CASCADE_WEIGHTS)
    pd.testing.assert_frame_equal(CASCADE, before)


def test_fallback_weights_when_an_lfs_weight_is_missing():
    # C10, 2014: XX1 = 600, XX11 = c, XX12 = c; LFS has XX11 only, so the whole group uses the
    # fallback weight = the region's sum of published values over all industries that year:
    #   XX11: C20 30 + C30 10 = 40;  XX12: C20 20  -> 60 in all
    #   XX11 = 600 * 40/60 = 400,  XX12 = 600 * 20/60 = 200
    cells = _cells([
        ("XX", "C10", 2014, 600.0), ("XX1", "C10", 2014, 600.0),
        ("XX11", "C10", 2014, C), ("XX12", "C10", 2014, C),
        ("XX11", "C20", 2014, 30.0), ("XX11", "C30", 2014, 10.0), ("XX12", "C20", 2014, 20.0),
    ])
    out = impute_from_parents(cells, _weights([("XX11", 2014, 5.0)]))
    assert _get(out, "XX11")["value"] == pytest.approx(400.0)
    assert _get(out, "XX12")["value"] == pytest.approx(200.0)
    _assert_published_unchanged_and_flags_exact(cells, out)


def test_fallback_weights_without_any_lfs_table():
    # same as above with weights=None: 600 * 40/60 = 400 and 600 * 20/60 = 200
    cells = _cells([
        ("XX1", "C10", 2014, 600.0),
        ("XX11", "C10", 2014, C), ("XX12", "C10", 2014, C),
        ("XX11", "C20", 2014, 30.0), ("XX11", "C30", 2014, 10.0), ("XX12", "C20", 2014, 20.0),
    ])
    out = impute_from_parents(cells)
    assert _get(out, "XX11")["value"] == pytest.approx(400.0)
    assert _get(out, "XX12")["value"] == pytest.approx(200.0)


def test_weights_are_per_year():
    # 2014: LFS XX11 = 1, XX12 = 3 -> 400 * 1/4 = 100 and 400 * 3/4 = 300
    # 2015: LFS XX11 = 3, XX12 = 1 -> 400 * 3/4 = 300 and 400 * 1/4 = 100
    rows = []
    for y in (2014, 2015):
        rows += [("XX1", "C10", y, 400.0), ("XX11", "C10", y, C), ("XX12", "C10", y, C),
                 ("XX11", "C20", y, 1.0), ("XX12", "C20", y, 1.0)]
    w = _weights([("XX11", 2014, 1.0), ("XX12", 2014, 3.0), ("XX11", 2015, 3.0), ("XX12", 2015, 1.0)])
    out = impute_from_parents(_cells(rows), w)
    assert _get(out, "XX11", year=2014)["value"] == pytest.approx(100.0)
    assert _get(out, "XX12", year=2014)["value"] == pytest.approx(300.0)
    assert _get(out, "XX11", year=2015)["value"] == pytest.approx(300.0)
    assert _get(out, "XX12", year=2015)["value"] == pytest.approx(100.0)


def test_uncovered_region_is_not_imputed():
    # 2014: XX1 = 100, XX11 = 40, XX12 = c (covered: publishes C20), XX21.. not involved,
    #       XX13 = c and publishes nothing at all in 2014 -> not covered, stays missing;
    #       the covered XX12 takes the remainder 100 - 40 = 60.
    # 2015: the same, but XX13 publishes C20 = 10 -> covered; LFS 1:1 -> 60/2 = 30 each.
    rows = []
    for y in (2014, 2015):
        rows += [("XX1", "C10", y, 100.0), ("XX11", "C10", y, 40.0), ("XX12", "C10", y, C),
                 ("XX13", "C10", y, C), ("XX12", "C20", y, 3.0)]
    rows += [("XX13", "C20", 2014, C), ("XX13", "C20", 2015, 10.0)]
    cells = _cells(rows)
    w = _weights([(g, y, 1.0) for g in ("XX11", "XX12", "XX13") for y in (2014, 2015)])
    out = impute_from_parents(cells, w)
    assert math.isnan(_get(out, "XX13", year=2014)["value"])
    assert not bool(_get(out, "XX13", year=2014)["imputed"])
    assert math.isnan(_get(out, "XX13", "C20", 2014)["value"])
    assert _get(out, "XX12", year=2014)["value"] == pytest.approx(60.0)  # 100 - 40
    assert _get(out, "XX12", year=2015)["value"] == pytest.approx(30.0)  # (100 - 40) * 1/2
    assert _get(out, "XX13", year=2015)["value"] == pytest.approx(30.0)  # (100 - 40) * 1/2
    _assert_published_unchanged_and_flags_exact(cells, out)


@pytest.mark.parametrize("parent, why", [
    (50.0, "remainder 50 - (30 + 25) = -5 < 0"),
    (55.0, "remainder 55 - (30 + 25) = 0, nothing left to spread"),
    (C, "parent itself missing"),
])
def test_non_positive_or_unknown_remainder_leaves_cells_missing(parent, why):
    cells = _cells([
        ("XX1", "C10", 2014, parent), ("XX11", "C10", 2014, 30.0), ("XX12", "C10", 2014, 25.0),
        ("XX13", "C10", 2014, C), ("XX13", "C20", 2014, 1.0),
    ])
    out = impute_from_parents(cells, _weights([("XX13", 2014, 1.0)]))
    assert math.isnan(_get(out, "XX13")["value"]), why
    assert not out["imputed"].any(), why
    _assert_published_unchanged_and_flags_exact(cells, out)


def test_published_zero_is_kept_and_counts_as_published():
    # XX1 = 100, XX11 = 0 (published zero), XX12 = c -> XX12 = 100 - 0 = 100; XX11 stays 0
    cells = _cells([("XX1", "C10", 2014, 100.0), ("XX11", "C10", 2014, 0.0),
                    ("XX12", "C10", 2014, C), ("XX12", "C20", 2014, 1.0)])
    out = impute_from_parents(cells)
    assert _get(out, "XX11")["value"] == 0.0 and not bool(_get(out, "XX11")["imputed"])
    assert _get(out, "XX12")["value"] == pytest.approx(100.0)


def test_extra_regio_counts_as_published_but_is_never_imputed():
    # C10: XX = 1000, XX1 = 300, XX2 = c, XXZ = 200 (published extra-regio)
    #      -> XX2 = 1000 - 300 - 200 = 500
    # C20: XX = 1000, XX1 = 300, XX2 = c, XXZ = c
    #      -> XXZ is never imputed; the remainder 1000 - 300 = 700 goes to XX2 alone
    # NUTS 2: XXZ = 200 in C10 and XXZZ = c -> XXZZ stays missing (extra-regio never imputed)
    cells = _cells([
        ("XX", "C10", 2014, 1000.0), ("XX1", "C10", 2014, 300.0), ("XX2", "C10", 2014, C),
        ("XXZ", "C10", 2014, 200.0), ("XXZZ", "C10", 2014, C),
        ("XX", "C20", 2014, 1000.0), ("XX1", "C20", 2014, 300.0), ("XX2", "C20", 2014, C),
        ("XXZ", "C20", 2014, C),
        ("XX2", "C30", 2014, 1.0), ("XXZ", "C30", 2014, 1.0), ("XXZZ", "C30", 2014, 1.0),
    ])
    out = impute_from_parents(cells)
    assert _get(out, "XX2")["value"] == pytest.approx(500.0)
    assert _get(out, "XX2", "C20")["value"] == pytest.approx(700.0)
    assert math.isnan(_get(out, "XXZ", "C20")["value"])
    assert not bool(_get(out, "XXZ", "C20")["imputed"])
    assert math.isnan(_get(out, "XXZZ")["value"])
    assert not bool(_get(out, "XXZZ")["imputed"])
    _assert_published_unchanged_and_flags_exact(cells, out)


def test_nothing_missing_means_nothing_imputed():
    cells = _cells([("XX1", "C10", 2014, 10.0), ("XX11", "C10", 2014, 4.0), ("XX12", "C10", 2014, 6.0)])
    out = impute_from_parents(cells)
    assert not out["imputed"].any()
    assert out["value"].tolist() == [10.0, 4.0, 6.0]
