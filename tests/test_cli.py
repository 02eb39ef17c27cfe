"""The analysts' command line: ``python -m analytics ...`` (its ``main`` in-process, captured as a
subprocess would be; the real entry point in a subprocess once, and where the environment differs).

The build folder comes from the environment ($CLUSTER_BUILD_DIR, else data/build); the
session builds it once (in-process) before the first command, so the commands only read it.
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
import subprocess

import numpy as np
import pandas as pd
import pytest

from analytics import config
from analytics.sources.eu import sources as eu_sources
from conftest import run_cli

ROOT = config.PROJECT_ROOT
RAW = config.raw_dir()
MISSING = [rel for rel in eu_sources.REQUIRED if not (RAW / rel).exists()]
needs_data = pytest.mark.skipif(bool(MISSING), reason=f"raw data not available under {RAW}; set CLUSTER_RAW_DIR")

REQUIRED_COLUMNS = [
    "region_id", "region_name", "level", "year", "category_id", "category_name", "employment",
    "employment_imputed", "local_units", "avg_wage", "size_share", "lq", "focus", "stars", "star_size",
    "star_specialisation", "star_focus",
]


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return run_cli(*args, env=env)


@pytest.fixture(scope="session")
def store():
    if MISSING:
        pytest.skip(f"raw data not available under {RAW}")
    from analytics.serving.store import get_store
    return get_store("eu")  # shared with the integration tests: one build per session


def _csv(proc: subprocess.CompletedProcess) -> pd.DataFrame:
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows and rows[0][0] == "region_id", proc.stdout[:200]
    width = len(rows[0])
    bad = [i for i, r in enumerate(rows) if len(r) != width]
    assert not bad, f"stdout has non-CSV lines, e.g. line {bad[0] + 1}: {rows[bad[0]]!r}"
    return pd.read_csv(io.StringIO(proc.stdout), keep_default_na=True)


@pytest.fixture(scope="session")
def default_csv(store) -> pd.DataFrame:
    return _csv(run("metrics", "--dataset", "eu", "--level", "nuts2", "--year", "2014"))


@needs_data
def test_metrics_csv_has_the_required_columns_and_rows(store, default_csv):
    df = default_csv
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    assert not missing, f"missing columns: {missing}"
    assert (df["level"] == "nuts2").all() and (df["year"] == 2014).all()
    m = store.level_metrics("nuts2")
    m = m[m["year"] == 2014]
    assert len(df) == len(m)
    assert set(df["region_id"]) == set(m["region_id"])
    # a known row: automotive in Stuttgart
    r = df[(df["region_id"] == "DE11") & (df["category_id"] == "automotive")].iloc[0]
    want = m[(m["region_id"] == "DE11") & (m["category_id"] == "automotive")].iloc[0]
    assert r["employment"] == want["employment"]
    assert r["lq"] == pytest.approx(want["lq_total"], rel=1e-5)  # default: LQ over total employment
    assert r["stars"] == 3
    # local categories are not rated: empty stars in the CSV, never 0
    assert df.loc[df["category_type"] == "local", "stars"].isna().all()


@needs_data
def test_denominator_traded_changes_lq_of_traded_categories(store, default_csv):
    df = _csv(run("metrics", "--dataset", "eu", "--level", "nuts2", "--year", "2014", "--denominator", "traded"))
    key = ["region_id", "category_id"]
    both = default_csv.merge(df, on=key, suffixes=("_total", "_traded"))
    traded = both[(both["category_type_total"] == "traded") & both["lq_total"].notna() & (both["lq_total"] > 0)]
    assert len(traded) > 1000
    differs = ~np.isclose(traded["lq_total"], traded["lq_traded"], rtol=1e-4)
    assert differs.mean() > 0.9, "LQ over traded employment should differ from LQ over total employment"
    # and it is the traded-denominator LQ: (E(r,c) / traded E(r)) / (E(c) / traded E), with
    # E(c) the sum over all NUTS 2 regions and the traded totals from the region indicators
    ind = store.indicators
    ind = ind[(ind["level"] == "nuts2") & (ind["year"] == 2014)].set_index("region_id")
    e_c = df.groupby("category_id")["employment"].sum()
    t = df[df["category_type"] == "traded"].dropna(subset=["lq"])
    t = t[t["lq"] > 0]
    expected = (t["employment"] / t["region_id"].map(ind["traded_employment"]).to_numpy()) / (
        t["category_id"].map(e_c) / ind["traded_employment"].sum())
    np.testing.assert_allclose(t["lq"], expected, rtol=1e-4)  # CSV keeps 10 significant digits


@needs_data
def test_rules_us_strong_changes_the_stars_not_the_lq(default_csv):
    df = _csv(run("metrics", "--dataset", "eu", "--level", "nuts2", "--year", "2014", "--rules", "us-strong"))
    both = default_csv.merge(df, on=["region_id", "category_id"], suffixes=("_eco", "_us"))
    np.testing.assert_allclose(both["lq_eco"].fillna(-1), both["lq_us"].fillna(-1), rtol=1e-6)
    traded = both[both["category_type_eco"] == "traded"]
    assert set(traded["stars_us"].dropna().astype(int)) <= {0, 1, 2}  # 1 strong, 2 top strong
    assert (traded["stars_us"].fillna(-1) != traded["stars_eco"].fillna(-1)).any()
    assert both.loc[both["category_type_eco"] == "local", "stars_us"].isna().all()


@needs_data
@pytest.mark.parametrize("args, mentions", [
    (["metrics", "--dataset", "eu", "--level", "nuts9", "--year", "2014"], "nuts9"),
    (["metrics", "--dataset", "eu", "--level", "nuts2", "--year", "2030"], "2030"),
    (["metrics", "--dataset", "mars", "--year", "2014"], "mars"),
    (["metrics", "--dataset", "eu", "--level", "nuts2"], "--year"),
    (["metrics", "--dataset", "eu", "--year", "2014", "--rules", "eco2099"], "eco2099"),
    (["metrics", "--dataset", "eu", "--year", "2014", "--denominator", "local"], "local"),
    (["metrics", "--dataset", "eu", "--year", "twenty"], "twenty"),
])
def test_bad_arguments_give_one_error_line(store, args, mentions):
    proc = run(*args)
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error:")
    assert mentions in lines[0]
    assert "Traceback" not in proc.stderr


@needs_data
def test_quality_report(store):
    proc = run("quality", "--dataset", "eu")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    q = store.quality
    years = q["years"]
    assert f"Years covered: {years[0]}–{years[-1]}" in out
    # regions matched per year, and how source codes were matched
    assert "Regions with data per year" in out
    for y, n in q["regions_with_data"].items():
        assert f"{y}: {n} /" in out
    assert "identity" in out and "recoded" in out
    # regions unmatched, each with its reason
    assert f"Unmatched source regions ({len(q['unmatched'])})" in out
    for u in q["unmatched"]:
        assert f"{u['code']}: {u['reason']}" in out
    # imputed share per country and year
    assert "Share of employment imputed by country" in out
    table = out.split("Share of employment imputed by country")[1]
    for country in ("AT", "DE", "FR", "IT"):
        assert f"\n{country} " in table or f"\n{country}\t" in table, country
    for y in years:
        assert str(y) in table


def test_missing_raw_file_on_a_fresh_build_dir(tmp_path):
    env = os.environ.copy()
    env["CLUSTER_BUILD_DIR"] = str(tmp_path / "build")
    env.pop("CLUSTER_RAW_DIR", None)
    proc = run("metrics", "--raw", "/nonexistent", "--year", "2014", env=env)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    assert "missing raw file" in errors[0] and "/nonexistent" in errors[0]
    named = errors[0].split("missing raw file ", 1)[1].split(" ", 1)[0]
    assert named.endswith((".csv", ".tsv", ".gz", ".geojson", ".xlsx")), errors[0]
    assert not (tmp_path / "build" / "manifest.json").exists()  # nothing half-built left behind


def test_regions_prints_the_region_indicators_of_the_views(built):
    from analytics import cli
    from analytics.serving import views

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["regions", "--dataset", "eu", "--level", "nuts2", "--year", "2014", "--start-year",
                         "2010"]) == 0
    df = pd.read_csv(io.StringIO(out.getvalue()), dtype={"region_id": str}).set_index("region_id")
    for col in ("region_name", "level", "year", "total_employment", "traded_employment", "cluster_strength",
                "cluster_strength_us", "n_starred", "n_strong", "total_growth"):
        assert col in df.columns, col
    want = views.region_indicators("eu", "nuts2", 2014, "eco2008", "total", 2010).set_index("region_id")
    assert len(df) == len(want)
    np.testing.assert_allclose(df["cluster_strength"], want.loc[df.index, "cluster_strength"], rtol=1e-9)
    assert (df["n_starred"] == want.loc[df.index, "n_starred"]).all()
    # EL63: no traded category with LQ > 2 in 2014 (local categories never count)
    assert df.loc["EL63", "cluster_strength"] == 0


def test_regions_reports_bad_arguments_in_one_line(built):
    from analytics import cli

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert cli.main(["regions", "--dataset", "us", "--level", "nuts2", "--year", "2019"]) == 2
    assert err.getvalue().strip() == "error: --level 'nuts2': us has levels state, county, ea, nation"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert cli.main(["regions", "--dataset", "eu", "--year", "2014", "--region", "X=DK01+XX9"]) == 2
    assert "XX9" in err.getvalue() and err.getvalue().count("\n") == 1


def test_the_entry_point_runs_as_a_user_would(built):
    """``python -m analytics`` in a new interpreter: CSV on stdout, progress (if any) on stderr."""
    proc = run("regions", "--dataset", "eu", "--level", "country", "--year", "2014", env=os.environ.copy())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("region_id,region_name,level,year,total_employment")
