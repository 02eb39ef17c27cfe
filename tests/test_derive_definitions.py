"""European cluster definitions from European co-location (analytics.metrics.colocation): the
adjusted Rand index on hand-worked examples, the derivation on a planted co-location fixture with a
known answer, the CLI's error cases, and on the real build: every NACE division exactly once, the ARI
printed, and the build's definitions file equal to what the command derives.

The fixture ``tests/fixtures/colocation/facts.csv``: 12 regions whose sizes grow as (1 + r)³, and six
divisions in two planted blocks (C10–C12 with a high share of employment in the even regions, C20–C22
in the odd ones), plus N99, published in 3 regions only (confidential, i.e. imputed, elsewhere).
Shares correlate ≈ +0.97 within a block and ≈ −0.98 across; employment *levels* correlate ≈ 0.33 across
blocks (the size effect), so a derivation on levels instead of shares would join the blocks.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import config
from analytics.metrics.colocation import (
    DeriveParams,
    adjusted_rand_index,
    definitions_files,
    derive,
    load_definitions_set,
    output_rows,
)
from conftest import run_cli

FIXTURE = Path(__file__).parent / "fixtures" / "colocation"
BUILD = config.build_dir()
needs_build = pytest.mark.skipif(not (BUILD / "manifest.json").exists(), reason="no build in data/build")
SMALL = DeriveParams(min_regions=6, min_pair_regions=6)


# -- the adjusted Rand index -------------------------------------------------------------------------
def test_ari_hand_worked_examples():
    """[0,0,1,1] vs [0,0,1,2]: Σ C(n_ij,2) = 1, Σ C(a_i,2) = 2, Σ C(b_j,2) = 1, C(4,2) = 6,
    E = 2·1/6 = 1/3, max = 1.5 → (1 − 1/3)/(1.5 − 1/3) = 4/7.
    [0,0,0,1,1,1] vs [0,0,1,1,2,2]: Σ = 2, 6, 3, C(6,2) = 15, E = 1.2, max = 4.5 → 0.8/3.3 = 8/33.
    [0,0,1,1] vs [0,1,0,1]: Σ = 0, 2, 2, E = 2/3, max = 2 → −(2/3)/(4/3) = −1/2."""
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(4 / 7)
    assert adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(8 / 33)
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)


def test_ari_ignores_label_names_and_is_symmetric():
    a, b = ["x", "x", "y", "y", "z"], ["p", "q", "q", "r", "r"]
    assert adjusted_rand_index(a, a) == 1.0
    assert adjusted_rand_index(a, ["k", "k", "m", "m", "n"]) == 1.0
    assert adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_index(b, a))
    with pytest.raises(ValueError):
        adjusted_rand_index([1, 2], [1])


# -- the derivation on the planted fixture -----------------------------------------------------------
@pytest.fixture(scope="module")
def fixture():
    facts = pd.read_csv(FIXTURE / "facts.csv", dtype={"region_id": str, "industry": str})
    industries = pd.read_csv(FIXTURE / "industries.csv", dtype=str)
    return facts, industries


def test_fixture_would_join_the_blocks_on_levels(fixture):
    """Guards the fixture: the planted blocks separate on shares only."""
    facts, _ = fixture
    levels = facts.pivot(index="region_id", columns="industry", values="employment")
    assert levels[["C10", "C11", "C12"]].corrwith(levels["C20"]).mean() > 0.3


def test_planted_blocks_give_exactly_two_categories(fixture):
    facts, industries = fixture
    d = derive(facts, industries, SMALL)
    t = d.table.set_index("nace_code")
    assert sorted(t.index) == sorted(industries["industry"])  # every division exactly once
    assigned = t[t["category_id"] != ""]
    groups = sorted(sorted(g.index) for _, g in assigned.groupby("category_id"))
    assert groups == [["C10", "C11", "C12"], ["C20", "C21", "C22"]]
    planted = industries.set_index("industry").loc[assigned.index, "category_id"]
    assert adjusted_rand_index(planted, assigned["category_id"]) == 1.0
    assert d.summary["comparison"]["ari"] == 1.0 and d.summary["comparison"]["moved"] == []
    assert d.summary["n_categories"] == 2 and d.summary["n_regions"] == 12 and d.summary["year"] == 2015
    # N99 is in no category, with the reason
    assert t.loc["N99", "category_id"] == "" and "3 regions" in t.loc["N99", "reason"]
    out = output_rows(d.table).set_index("nace_code")
    assert out.loc["N99", "category_id"] == "none" and "3 regions" in out.loc["N99", "category_name"]


def test_category_named_after_its_largest_division(fixture):
    facts, industries = fixture
    d = derive(facts, industries, SMALL)
    totals = facts.groupby("industry")["employment"].sum()
    names = industries.set_index("industry")["industry_name"]
    for block in (["C10", "C11", "C12"], ["C20", "C21", "C22"]):
        largest = totals[block].idxmax()
        rows = d.table[d.table["nace_code"].isin(block)]
        assert set(rows["category_id"]) == {f"eu_{largest.lower()}"}
        name = rows["category_name"].iloc[0]
        assert name.endswith("(3 divisions)")
        assert name.split(" & related")[0].lower() in names[largest].lower()


def test_trace_records_the_joins_and_the_refused_merge(fixture):
    facts, industries = fixture
    d = derive(facts, industries, SMALL)
    tr = d.trace
    for _, g in tr.groupby("category_id"):
        joins = g[g["kind"] == "join"]
        assert len(joins) == 2  # three divisions: two merges
        assert (joins["average_correlation"] >= SMALL.min_correlation).all()
        refused = g[g["kind"] == "nearest_refused"]
        assert len(refused) == 1 and refused["average_correlation"].iloc[0] < 0
    # the correlation of the first join is the pair's own correlation, recomputed here
    facts15 = facts[~facts["employment_imputed"]]
    shares = facts15.assign(s=facts15["employment"] / facts15["region_id"].map(
        facts.groupby("region_id")["employment"].sum())).pivot(index="region_id", columns="industry", values="s")
    first = tr[tr["kind"] == "join"].iloc[0]
    a, b = first["group_a"], first["group_b"]
    assert first["average_correlation"] == pytest.approx(shares[a].corr(shares[b]))


def test_derivation_is_deterministic_and_order_free(fixture):
    facts, industries = fixture
    one = derive(facts, industries, SMALL)
    shuffled = facts.sample(frac=1.0, random_state=7).reset_index(drop=True)
    two = derive(shuffled, industries.iloc[::-1], SMALL)
    pd.testing.assert_frame_equal(one.table, two.table)
    pd.testing.assert_frame_equal(one.trace, two.trace)


def test_cut_and_types(fixture):
    facts, industries = fixture
    strict = derive(facts, industries, DeriveParams(min_correlation=0.999, min_regions=6, min_pair_regions=6))
    assert strict.summary["n_categories"] == 6  # nothing correlates that much: six singletons
    local = industries.copy()
    local.loc[local["industry"].isin(["C20", "C21", "C22"]), "category_type"] = "local"
    d = derive(facts, local, SMALL)
    t = d.table.set_index("nace_code")
    assert set(t.loc[["C20", "C21", "C22"], "category_type"]) == {"local"}
    assert t.loc["C20", "category_name"].startswith("Local: ")
    with pytest.raises(ValueError):
        derive(facts, industries, DeriveParams(year=2001))


# -- the CLI -----------------------------------------------------------------------------------------
@needs_build
@pytest.mark.parametrize("args,needle", [
    (["--dataset", "us"], "only eu"),
    (["--dataset", "eu", "--year", "1999"], "2008–2015"),
    (["--dataset", "eu", "--min-correlation", "3"], "-1 to 1"),
    (["--dataset", "eu", "--method", "kendall"], "--method"),
    ([], "--dataset"),
])
def test_cli_errors_are_one_line_with_exit_2(args, needle):
    proc = run_cli("definitions", "derive", *args)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.fixture(scope="module")
def derived_cli():
    if not (BUILD / "manifest.json").exists():
        pytest.skip("no build")
    proc = run_cli("definitions", "derive", "--dataset", "eu")
    assert proc.returncode == 0, proc.stderr
    return proc


@needs_build
def test_cli_covers_every_nace_division_exactly_once(derived_cli):
    out = pd.read_csv(io.StringIO(derived_cli.stdout), dtype=str, keep_default_na=False)
    assert list(out.columns) == ["nace_code", "category_id", "category_name"]
    facts = pd.read_parquet(BUILD / "eu" / "facts_nuts2.parquet", columns=["industry"])
    assert sorted(out["nace_code"]) == sorted(facts["industry"].astype(str).unique())
    assert out["nace_code"].is_unique
    assert (out["category_id"] != "").all() and (out["category_name"] != "").all()
    none = out[out["category_id"] == "none"]
    assert none["category_name"].str.startswith("none: ").all()
    # each derived category has one name
    assert (out[out["category_id"] != "none"].groupby("category_id")["category_name"].nunique() == 1).all()


@needs_build
def test_cli_reports_the_ari_and_the_moved_divisions(derived_cli):
    err = derived_cli.stderr
    line = next(x for x in err.splitlines() if x.startswith("adjusted Rand index"))
    ari = float(line.split(":")[1].split()[0])
    assert -1.0 <= ari <= 1.0
    n_moved = int(line.split(";")[1].split()[0])
    moved = [x for x in err.splitlines() if x.startswith("  ") and "→" in x]
    assert len(moved) == n_moved
    # recompute the ARI from the printed CSV and the committed definitions
    out = pd.read_csv(io.StringIO(derived_cli.stdout), dtype=str, keep_default_na=False)
    ref = load_definitions_set("us-concorded").industry_map.set_index("industry")["category_id"]
    both = out[(out["category_id"] != "none") & out["nace_code"].isin(ref.index)]
    assert adjusted_rand_index(ref[both["nace_code"]], both["category_id"]) == pytest.approx(ari, abs=1e-4)


@needs_build
def test_build_wrote_the_same_set_with_its_trace(derived_cli):
    files = definitions_files(BUILD)
    if not files["definitions"].exists():
        pytest.fail(f"the build did not write {files['definitions']}")
    saved = pd.read_csv(files["definitions"], dtype=str, keep_default_na=False)
    out = pd.read_csv(io.StringIO(derived_cli.stdout), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(output_rows(saved).reset_index(drop=True), out)
    defs = load_definitions_set("eu-colocation")
    assert defs.industry_map["industry"].is_unique
    assert set(defs.categories["category_type"]) <= {"traded", "local"}
    trace = pd.read_csv(files["trace"], dtype={"category_id": str})
    sizes = defs.industry_map.groupby("category_id").size()
    joins = trace[trace["kind"] == "join"].groupby("category_id").size()
    assert joins.reindex(sizes.index, fill_value=0).equals(sizes - 1)  # k divisions: k − 1 joins
    import json

    summary = json.loads(files["summary"].read_text())
    assert summary["parameters"]["min_correlation"] == 0.3 and summary["n_regions"] > 200
    assert np.isfinite(summary["comparison"]["ari"])


# -- the sets for a page to select -------------------------------------------------------------------
@needs_build
def test_derived_dataset_is_the_engine_on_the_derived_definitions():
    """The build's eu-colocation dataset equals the engine run afresh on the derived definitions file
    (benchmark over NUTS 2, metrics per level, stars rated within the level), for NUTS 1 in 2013."""
    from analytics.metrics.regions import benchmark, level_metrics, rate_per_level
    from analytics.serving.store import get_store

    defs = load_definitions_set("eu-colocation")
    eu = BUILD / "eu"
    facts = {lv: pd.read_parquet(eu / f"facts_{lv}.parquet") for lv in ("nuts2", "nuts1")}
    regions = pd.read_parquet(eu / "regions.parquet")
    bc, bt = benchmark(facts["nuts2"], defs)
    m, _ = level_metrics(facts["nuts1"], defs, bc, bt, regions, "nuts1")
    m = m[m["year"] == 2013].reset_index(drop=True)
    m = m.join(rate_per_level(m, "eco2008", "total"))
    built = get_store("eu-colocation").table("nuts1", 2013, "eco2008", "total")
    both = m.merge(built, on=["region_id", "category_id"], suffixes=("", "_built"))
    assert len(both) == len(m) == len(built) > 1000
    assert set(built["category_id"]) == set(defs.categories["category_id"])
    for col in ("employment", "lq_total", "focus", "stars"):
        assert np.allclose(both[col].astype(float), both[f"{col}_built"].astype(float), equal_nan=True), col
    assert both["stars"].astype(float).sum() > 0


@needs_build
def test_derived_dataset_borrows_europe_s_regions_and_maps():
    """Facts, regions, geometry and context are Europe's (not copied); metrics, stars, categories and
    the region measures are the derived set's own; relatedness links (between US-derived categories)
    are absent rather than wrongly matched."""
    from analytics.serving.store import base_of, get_store

    eu, derived = get_store("eu"), get_store("eu-colocation")
    own = {f.name for f in derived.dir.iterdir()}
    assert "metrics.parquet" in own and "categories.parquet" in own
    assert not {f for f in own if f.startswith(("facts_", "geometry_", "regions", "region_context"))}
    assert derived.path("geometry_nuts2.geojson") == eu.path("geometry_nuts2.geojson")
    assert derived.map_levels == eu.map_levels and base_of("eu-colocation") == "eu"
    pd.testing.assert_frame_equal(derived.regions, eu.regions)
    assert set(derived.categories["category_id"]).isdisjoint(eu.categories["category_id"])
    assert derived.related.empty and not eu.related.empty
    a = derived.indicators.set_index(["region_id", "year"])
    b = eu.indicators.set_index(["region_id", "year"]).reindex(a.index)
    for col in ("total_employment", "gdp_pc_pps", "population"):  # the same regions, whatever the categories
        assert np.allclose(a[col].astype(float), b[col].astype(float), equal_nan=True), col
    assert not np.allclose(a["cluster_strength"].astype(float), b["cluster_strength"].astype(float),
                           equal_nan=True)  # but cluster strength is measured on the derived categories


@needs_build
def test_derived_set_keeps_every_persons_employed_once():
    from analytics.insights.definitions import set_metrics, set_table

    table = set_table("eu-colocation", "nuts2", 2015)
    saved = pd.read_csv(definitions_files(BUILD)["definitions"], dtype=str, keep_default_na=False)
    assert set(table["category_id"]) == set(saved.loc[saved["category_id"] != "", "category_id"])
    facts = pd.read_parquet(BUILD / "eu" / "facts_nuts2.parquet")
    facts = facts[(facts["year"] == 2015) & facts["industry"].isin(saved.loc[saved["category_id"] != "", "nace_code"])]
    by_region = table.groupby("region_id")["employment"].sum()
    want = facts.groupby("region_id")["employment"].sum()
    assert np.allclose(by_region.reindex(want.index), want)
    _, totals = set_metrics("eu-colocation", "nuts2")
    _, reference = set_metrics("us-concorded", "nuts2")
    pd.testing.assert_frame_equal(totals.reset_index(drop=True), reference.reset_index(drop=True))
    with pytest.raises(KeyError):
        set_metrics("no-such-set", "nuts2")


@needs_build
def test_prosperity_cli_under_the_derived_set():
    proc = run_cli("insights", "prosperity", "--dataset", "eu", "--year", "2015", "--definitions", "eu-colocation",
                   "--points")
    assert proc.returncode == 0, proc.stderr
    pts = pd.read_csv(io.StringIO(proc.stdout))
    assert len(pts) > 200 and pts["x"].between(0, 1).all()
    bad = run_cli("insights", "prosperity", "--dataset", "us", "--definitions", "eu-colocation")
    assert bad.returncode == 2 and "eu only" in bad.stderr and "Traceback" not in bad.stderr
