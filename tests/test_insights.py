"""Insights: the quadratic fit of GDP per capita on cluster strength (hand-worked, and through the CLI
against an independent numpy fit of the CLI's own points on the real build), relatedness density on a
hand-worked 4×4 relatedness matrix, and the CLI's error cases."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from analytics import config
from analytics.insights.related import relatedness_density
from analytics.metrics.prosperity import fit
from conftest import run_cli

BUILD = config.build_dir()
needs_build = pytest.mark.skipif(not (BUILD / "manifest.json").exists(), reason="no build in data/build")


# -- the fit on a hand-worked table ------------------------------------------------------------------
def test_fit_matches_a_hand_worked_least_squares_table():
    """x = 0..4, y = 1, 2, 2, 4, 6. With t = x − 2 and the orthogonal polynomials 1, t, t² − 2:
    c0 = mean y = 3, c1 = Σty / Σt² = 12/10, c2 = Σ(t²−2)y / Σ(t²−2)² = 4/14, so
    y = 3 + 1.2t + (2/7)(t² − 2) = (2/7)x² + (2/35)x + 41/35; SS_tot = 16, SS_fit = 1.2²·10 + (2/7)²·14
    = 15.5428…, R² = 34/35. Rows missing either value are left out."""
    table = pd.DataFrame({"x": [0, 1, 2, 3, 4, np.nan, 0.5], "y": [1, 2, 2, 4, 6, 9.0, np.nan]})
    f = fit(table, x_col="x", y_col="y")
    assert f.n == 5
    assert f.a == pytest.approx(2 / 7)
    assert f.b == pytest.approx(2 / 35)
    assert f.c == pytest.approx(41 / 35)
    assert f.r2 == pytest.approx(34 / 35)


def test_fit_of_points_on_a_parabola_is_exact_and_needs_four_points():
    x = np.array([0.0, 0.1, 0.25, 0.4])
    table = pd.DataFrame({"x": x, "y": 83342 * x ** 2 - 16467 * x + 22886})
    f = fit(table, x_col="x", y_col="y")
    assert (f.a, f.b, f.c) == pytest.approx((83342, -16467, 22886))
    assert f.r2 == pytest.approx(1.0)
    assert fit(table.head(3), x_col="x", y_col="y") is None


# -- relatedness density on a hand-worked matrix -------------------------------------------------------
PERCENTILES = {("a", "b"): 80, ("a", "c"): 40, ("a", "d"): 20, ("b", "c"): 60, ("b", "d"): 10, ("c", "d"): 90}


def _related() -> pd.DataFrame:
    rows = []
    for (p, q), pc in PERCENTILES.items():
        rows += [(p, q, pc), (q, p, pc)]
    rows.append(("e", "a", 99))  # a category the region has no row for: not returned
    rows.append(("a", "e", 99))  # … and not counted for a (no known LQ)
    return pd.DataFrame(rows, columns=["category_id", "related_id", "percentile"])


def _region(lq_d=0.8) -> pd.DataFrame:
    return pd.DataFrame({"category_id": ["a", "b", "c", "d"], "category_name": ["A", "B", "C", "D"],
                         "lq": [2.5, 0.5, 1.2, lq_d], "employment": [100.0, 20.0, 300.0, 40.0]})


def test_relatedness_density_on_a_hand_worked_four_by_four_matrix():
    """φ = percentile / 100. LQ ≥ 1: a and c. density(a) = φac / (φab + φac + φad) = .4/1.4;
    b: (.8 + .6)/1.5; c: .4/(.4 + .6 + .9); d: (.2 + .9)/(.2 + .1 + .9)."""
    out = relatedness_density(_related(), _region(), lq_threshold=1.0).set_index("category_id")
    assert list(out.index) == ["b", "d", "a", "c"]  # highest density first
    assert out.loc["a", "density"] == pytest.approx(0.4 / 1.4)
    assert out.loc["b", "density"] == pytest.approx(1.4 / 1.5)
    assert out.loc["c", "density"] == pytest.approx(0.4 / 1.9)
    assert out.loc["d", "density"] == pytest.approx(1.1 / 1.2)
    assert out.loc["c", "lq"] == 1.2 and out.loc["c", "employment"] == 300.0 and out.loc["c", "category_name"] == "C"
    assert "e" not in out.index


def test_relatedness_density_follows_the_threshold_and_leaves_unknown_lq_out():
    two = relatedness_density(_related(), _region(), lq_threshold=2.0).set_index("category_id")
    assert two.loc["a", "density"] == 0.0  # only a itself is ≥ 2, and a is not its own neighbour
    assert two.loc["b", "density"] == pytest.approx(0.8 / 1.5)
    assert two.loc["d", "density"] == pytest.approx(0.2 / 1.2)
    unknown = relatedness_density(_related(), _region(lq_d=np.nan), lq_threshold=1.0).set_index("category_id")
    assert unknown.loc["a", "density"] == pytest.approx(0.4 / 1.2)  # d is out of both sums, not "not specialised"
    assert unknown.loc["b", "density"] == pytest.approx(1.4 / 1.4)
    assert unknown.loc["c", "density"] == pytest.approx(0.4 / 1.0)
    assert unknown.loc["d", "density"] == pytest.approx(1.1 / 1.2) and np.isnan(unknown.loc["d", "lq"])
    assert unknown.loc["a", "n_related"] == 2


# -- the CLI on the real build -----------------------------------------------------------------------
def _csv(proc) -> pd.DataFrame:
    assert proc.returncode == 0, proc.stderr
    return pd.read_csv(io.StringIO(proc.stdout), keep_default_na=True, dtype={"region_id": str})


CASES = [("eu", "nuts2", "2015", "lq2", "cluster_strength", "gdp_pc_pps"),
         ("eu", "nuts2", "2015", "us-strong", "cluster_strength_us", "gdp_pc_pps"),
         ("us", "state", "2011", "lq2", "cluster_strength", "gdp_pc_real"),
         ("us", "state", "2011", "us-strong", "cluster_strength_us", "gdp_pc_real")]


@needs_build
@pytest.mark.parametrize("dataset,level,year,variant,x_col,y_col", CASES)
def test_cli_fit_equals_an_independent_fit_of_its_points(dataset, level, year, variant, x_col, y_col):
    args = ["insights", "prosperity", "--dataset", dataset, "--level", level, "--year", year, "--variant", variant]
    row = _csv(run_cli(*args))
    assert list(row.columns) == ["a", "b", "c", "r2", "n"] and len(row) == 1
    pts = _csv(run_cli(*args, "--points"))
    assert list(pts.columns) == ["region_id", "region_name", "x", "y"]
    assert pts["region_id"].is_unique and pts[["x", "y"]].notna().all().all()
    assert ((pts["x"] >= 0) & (pts["x"] <= 1)).all(), "x is a share 0–1"
    coef = np.polyfit(pts["x"], pts["y"], 2)
    resid = pts["y"] - np.polyval(coef, pts["x"])
    r2 = 1 - (resid ** 2).sum() / ((pts["y"] - pts["y"].mean()) ** 2).sum()
    r = row.iloc[0]
    assert int(r["n"]) == len(pts)
    assert (r["a"], r["b"], r["c"]) == pytest.approx(tuple(coef), rel=1e-6, abs=1e-3)
    assert r["r2"] == pytest.approx(r2, rel=1e-6)
    # the same regions and values as the build's region indicators, read on their own
    ind = pd.read_parquet(BUILD / dataset / "region_indicators.parquet")
    ind = ind[(ind["level"] == level) & (ind["year"] == int(year))].dropna(subset=[x_col, y_col])
    assert set(ind["region_id"]) == set(pts["region_id"])
    merged = pts.merge(ind, on="region_id")
    assert np.allclose(merged["x"], merged[x_col], rtol=1e-8) and np.allclose(merged["y"], merged[y_col])


@needs_build
def test_cli_defaults_to_the_latest_year_with_gdp_per_capita():
    us = pd.read_parquet(BUILD / "us" / "region_indicators.parquet")
    latest = int(us.loc[(us["level"] == "state") & us["gdp_pc_real"].notna(), "year"].max())
    default = run_cli("insights", "prosperity", "--dataset", "us")
    explicit = run_cli("insights", "prosperity", "--dataset", "us", "--level", "state", "--year", str(latest))
    assert default.returncode == 0 and default.stdout == explicit.stdout
    assert f"us state {latest}" in default.stderr


@needs_build
@pytest.mark.parametrize("args,needle", [
    (["--dataset", "xx"], "--dataset"),
    (["--dataset", "eu", "--level", "state"], "nuts2"),
    (["--dataset", "eu", "--year", "1999"], "2008–2015"),
    (["--dataset", "us", "--year", "2021"], "2000–2011"),
    (["--dataset", "us", "--level", "county"], "no GDP per capita"),
    (["--dataset", "us", "--level", "nation"], "at least 4"),
    (["--dataset", "eu", "--variant", "lq3"], "lq2 or us-strong"),
    (["--dataset", "eu", "--year", "soon"], "--year"),
    ([], "--dataset"),
])
def test_cli_bad_arguments_give_one_line_and_exit_2(args, needle):
    proc = run_cli("insights", "prosperity", *args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
