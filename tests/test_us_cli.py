"""The command line on the US dataset: ``python -m analytics ...`` (its ``main``, in-process).

The build folder comes from the environment ($CLUSTER_BUILD_DIR, else data/build); the session
builds it once (in-process) before the first command, so the commands only read it.
"""
from __future__ import annotations

import csv
import io
import subprocess

import pandas as pd
import pytest

from analytics import config
from analytics.sources.us import sources as us_sources
from conftest import run_cli

ROOT = config.PROJECT_ROOT
RAW = config.raw_dir()
MISSING = [rel for rel in us_sources.REQUIRED if not (RAW / rel).exists()]
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"US raw data not available under {RAW}; set CLUSTER_RAW_DIR")

# the European metrics columns (tests/test_cli.py) with establishments in place of local units
EU_COLUMNS = ["region_id", "region_name", "level", "year", "category_id", "category_name", "employment",
              "employment_imputed", "avg_wage", "size_share", "lq", "focus", "stars", "star_size",
              "star_specialisation", "star_focus"]
US_EXTRA = ["establishments", "payroll", "cluster_type"]


def run(*args: str) -> subprocess.CompletedProcess:
    return run_cli(*args)


@pytest.fixture(scope="session")
def store():
    from analytics.serving.store import get_store
    return get_store("us")  # shared with the integration tests: one build per session


def _csv(proc: subprocess.CompletedProcess) -> pd.DataFrame:
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows and rows[0][0] in ("region_id", "category_id"), proc.stdout[:200]
    width = len(rows[0])
    bad = [i for i, r in enumerate(rows) if len(r) != width]
    assert not bad, f"stdout has non-CSV lines, e.g. line {bad[0] + 1}: {rows[bad[0]]!r}"
    return pd.read_csv(io.StringIO(proc.stdout), dtype={"region_id": str})


@pytest.mark.parametrize("level, n_min, n_max", [
    ("state", 50, 50),       # 2017: 50 states (no DC in the source)
    ("county", 1800, 1875),  # 38 states
    ("ea", 80, 179),         # economic areas with every member county
])
def test_metrics_csv_per_level(store, level, n_min, n_max):
    df = _csv(run("metrics", "--dataset", "us", "--level", level, "--year", "2017"))
    for col in EU_COLUMNS + US_EXTRA:
        assert col in df.columns, col
    assert "local_units" not in df.columns
    assert set(df["level"]) == {level} and set(df["year"]) == {2017}
    assert n_min <= df["region_id"].nunique() <= n_max
    assert df["category_id"].nunique() == 67  # 51 traded + 16 local clusters
    assert set(df["cluster_type"]) == {"traded", "local"}
    assert (df["cluster_type"] == df["category_type"]).all()
    # the US defaults: strong-cluster stars (0/1/2) only for traded clusters
    assert set(df.loc[df["cluster_type"] == "local", "stars"].dropna()) == set()
    assert set(df["stars"].dropna()) <= {0, 1, 2}
    # payroll is in dollars: the average wage is payroll / employment (where no part is imputed:
    # imputed cells have no payroll, and the wage is taken over the cells that have one)
    ok = df["payroll"].notna() & (df["employment"] > 0) & df["avg_wage"].notna()
    sample = df[ok & (df["missing_parts"] == 0) & ~df["employment_imputed"].astype(bool)]
    assert len(sample) > 500
    assert ((sample["payroll"] / sample["employment"]) / sample["avg_wage"]).between(0.999, 1.001).all()


def test_metrics_rules_and_denominator_options(store):
    default = _csv(run("metrics", "--dataset", "us", "--level", "state", "--year", "2017"))
    explicit = _csv(run("metrics", "--dataset", "us", "--level", "state", "--year", "2017",
                        "--rules", "us-strong", "--denominator", "traded"))
    pd.testing.assert_frame_equal(default, explicit)  # us-strong and traded are the US defaults
    mi = explicit[(explicit["region_id"] == "26") & (explicit["category_id"] == "automotive")].iloc[0]
    assert mi["stars"] >= 1 and bool(mi["star_size"]) and bool(mi["star_specialisation"])
    total = _csv(run("metrics", "--dataset", "us", "--level", "state", "--year", "2017", "--denominator", "total"))
    t = total.set_index(["region_id", "category_id"])["lq"]
    d = explicit.set_index(["region_id", "category_id"])["lq"]
    assert not (t - d).abs().lt(1e-9).all()  # a different LQ
    eco = _csv(run("metrics", "--dataset", "us", "--level", "state", "--year", "2017", "--rules", "eco2008"))
    assert set(eco["stars"].dropna()) <= {0, 1, 2, 3}
    assert eco["star_focus"].notna().any()  # ECO rates focus; us-strong has no focus criterion


def test_metrics_category_filter_and_growth_across_the_break(store):
    df = _csv(run("metrics", "--dataset", "us", "--level", "state", "--year", "2017", "--start-year", "2011",
                  "--category", "automotive"))
    assert set(df["category_id"]) == {"automotive"}
    mi = df[df["region_id"] == "26"].iloc[0]
    # growth from cluster totals: (E2017 / E2011)^(1/6) − 1
    assert mi["cagr"] == pytest.approx((mi["employment"] / mi["emp_start"]) ** (1 / 6) - 1, rel=1e-4)


def test_year_without_data_gives_one_line_error_naming_the_years(store):
    proc = run("metrics", "--dataset", "us", "--level", "ea", "--year", "2016")
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "2016" in lines[0] and "2017" in lines[0] and "2021" in lines[0]
    proc = run("metrics", "--dataset", "us", "--level", "state", "--year", "2014")
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1
    assert "2000" in proc.stderr and "2011" in proc.stderr and "2017" in proc.stderr


def test_unknown_level_gives_one_line_error(store):
    proc = run("metrics", "--dataset", "us", "--level", "nuts2", "--year", "2017")
    assert proc.returncode != 0 and len(proc.stderr.strip().splitlines()) == 1
    assert "state" in proc.stderr and "county" in proc.stderr


def test_quality_report_prints_coverage(store):
    proc = run("quality", "--dataset", "us")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    q = store.quality
    assert "States with data per year: 2000 51" in out and "2017 50" in out
    assert f"2017 {q['counties_per_year']['2017']}" in out
    assert "States without county data (13)" in out and "Michigan (26)" in out
    assert f"Economic areas without complete data ({len(q['eas_without_data'])})" in out
    assert "imputed" in out and "Withheld" in out


def test_related_by_category(store):
    df = _csv(run("related", "--dataset", "us", "--category", "automotive"))
    assert set(df["category_id"]) == {"automotive"}
    assert "metalworking_technology" in set(df["related_id"])
    assert len(df) == 50  # every other traded cluster, strongest first
    assert df["strength"].is_monotonic_decreasing


def test_related_by_region(store):
    df = _csv(run("related", "--dataset", "us", "--region", "26", "--year", "2017"))
    assert len(df) > 0
    assert {"category_id", "density", "related_to"} <= set(df.columns)
    # opportunities are related to Michigan's strong clusters, such as automotive
    assert df["related_to"].str.contains("automotive").any()
