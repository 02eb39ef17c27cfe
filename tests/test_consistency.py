"""One figure, one number: the map, the region profile, the compare page and the CLI give the same
cluster strength and growth, for every level and year of both datasets.

Each page is asked through its own page function (the map's CSV table, the profile's key
figures, the compare page's region scorecard, ``python -m analytics regions`` / ``metrics``),
so a second implementation anywhere would show up here. The profile is checked for a spread of
regions per level and year (at most about ten regions by id, and EL63: the region whose cluster strength
once differed between the map and its profile).
"""
from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd
import pytest

from analytics import cli
from analytics.metrics.growth import default_start
from analytics.serving.store import get_store
from components.routes import MAP
from pages.compare.callbacks import region_table
from pages.map.table import csv_frame
from pages.region.callbacks import key_figures

LEVEL_YEARS = [(ds, level, year) for ds in ("eu", "us") for level in get_store(ds).levels
               for year in get_store(ds).level_years(level)]


def _cli(*argv) -> pd.DataFrame:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(list(argv)) == 0
    return pd.read_csv(io.StringIO(out.getvalue()), dtype={"region_id": str}).set_index("region_id")


def _close(a: pd.Series, b: pd.Series, what: str):
    a, b = a.astype(float), b.astype(float).reindex(a.index)
    both_nan = a.isna() & b.isna()
    ok = both_nan | np.isclose(a, b, rtol=1e-8, atol=1e-12)  # the CLI writes 10 significant digits
    assert ok.all(), f"{what}: {int((~ok).sum())} regions differ, e.g. {list(a.index[~ok][:5])}"


@pytest.mark.parametrize("dataset,level,year", LEVEL_YEARS, ids=[f"{d}-{lv}-{y}" for d, lv, y in LEVEL_YEARS])
def test_cluster_strength_and_growth_agree_across_pages(dash_app, dataset, level, year):
    store = get_store(dataset)
    rules, den = store.meta["default_rules"], store.meta["default_denominator"]
    years = store.level_years(level)
    start = default_start(years, year, dataset)
    regions = [rid for rid, _ in store.level_regions(level, year)]
    assert regions, f"no region with data in {dataset} {level} {year}"

    cli_args = ["regions", "--dataset", dataset, "--level", level, "--year", str(year), "--rules", rules,
                "--denominator", den] + (["--start-year", str(start)] if start else [])
    from_cli = _cli(*cli_args).loc[regions]

    # the compare page's region scorecard with every region of the level in the group
    context = {"dataset": dataset, "level": level, "creg": None, "ccat": None, "url_peers": None, "cpeers": []}
    from analytics.serving import views
    reg = views.region_comparison(dataset, level, year, rules, den, start, regions[0], None, tuple(regions[1:]))
    rows, _columns = region_table(reg, context, year, start, {"employment_unit": "", "label": ""})
    compare = pd.DataFrame(rows).assign(region_id=reg["region_id"].to_numpy()).set_index("region_id").loc[regions]
    _close(compare["cluster_strength"], from_cli["cluster_strength"], "compare vs CLI: cluster strength")
    _close(compare["cluster_strength_us"], from_cli["cluster_strength_us"], "compare vs CLI: US cluster strength")

    if level in store.map_levels:
        state, notes = MAP.parse({"dataset": dataset, "level": level, "category": "all", "metric": "lq",
                                  "year": str(year), "rules": rules, "denominator": den})
        assert notes == []
        on_map = csv_frame(state).set_index("region_id")
        _close(on_map.loc[regions, "cluster_strength"], from_cli["cluster_strength"], "map vs CLI: cluster strength")

    sample = sorted(set(regions[::max(40, len(regions) // 8)]) | ({"EL63"} & set(regions)))
    for rid in sample:
        ctx = {"dataset": dataset, "region_id": rid, "level": level, "creg": None}
        figs = {f["key"]: f for f in key_figures(ctx, year, start, rules, den)}
        _close(pd.Series([figs["cluster_strength"]["value"]], index=[rid]), from_cli.loc[[rid], "cluster_strength"],
               f"profile vs CLI: cluster strength of {rid}")
        rank = from_cli.loc[rid, "cluster_strength_rank"]
        assert figs["cluster_strength"]["rank"] == (None if pd.isna(rank) else int(rank)), rid

    if start is None:
        return
    _close(compare["total_growth"], from_cli["total_growth"], "compare vs CLI: growth")
    if level in store.map_levels:
        state, _ = MAP.parse({"dataset": dataset, "level": level, "category": "all", "metric": "growth",
                              "year": str(year), "start_year": str(start), "rules": rules, "denominator": den})
        on_map = csv_frame(state).set_index("region_id")
        _close(on_map.loc[regions, "total_growth"], from_cli["total_growth"], "map vs CLI: growth")
    for rid in sample:
        ctx = {"dataset": dataset, "region_id": rid, "level": level, "creg": None}
        figs = {f["key"]: f for f in key_figures(ctx, year, start, rules, den)}
        _close(pd.Series([figs["total_growth"]["value"]], index=[rid]), from_cli.loc[[rid], "total_growth"],
               f"profile vs CLI: growth of {rid}")


CATEGORY_CASES = [("eu", "nuts2", 2014, "automotive"), ("eu", "nuts1", 2012, "biopharmaceuticals"),
                  ("us", "state", 2019, "automotive"), ("us", "county", 2021, "distribution_and_electronic_commerce")]


@pytest.mark.parametrize("dataset,level,year,category", CATEGORY_CASES)
def test_category_growth_agrees_across_pages(dash_app, dataset, level, year, category):
    """A category's CAGR per region: the map, the profile's portfolio, the compare scorecard and
    ``python -m analytics metrics --start-year`` give the same number."""
    from analytics.metrics.stars import RULE_SETS
    from analytics.serving import profiles, views

    store = get_store(dataset)
    rules, den = store.meta["default_rules"], store.meta["default_denominator"]
    start = default_start(store.level_years(level), year, dataset)
    from_cli = _cli("metrics", "--dataset", dataset, "--level", level, "--year", str(year), "--start-year",
                    str(start), "--category", category)
    state, _ = MAP.parse({"dataset": dataset, "level": level, "category": category, "metric": "growth",
                          "year": str(year), "start_year": str(start)})
    on_map = csv_frame(state).set_index("region_id")["cagr"]
    regions = list(from_cli.index)
    _close(on_map.loc[regions], from_cli["cagr"], "map vs CLI: category growth")
    cmp = views.comparison(dataset, level, year, rules, den, start, regions[0], None, tuple(regions[1:]))
    cmp = cmp[cmp["category_id"] == category].set_index("region_id")["cagr"]
    _close(cmp.loc[regions], from_cli["cagr"], "compare vs CLI: category growth")
    table = views.level_table(dataset, level, year, rules, den, start)
    for rid in regions[::25]:
        pf = profiles.portfolio(table, rid, RULE_SETS[rules]).set_index("category_id")
        _close(pf.loc[[category], "cagr"].set_axis([rid]), from_cli.loc[[rid], "cagr"], f"profile vs CLI: {rid}")


WINDOW_CASES = [("us", "state", 2021, None, "automotive"),            # the series default: 2017
                ("us", "state", 2017, 2011, "automotive"),            # asked for: across the NAICS 2007→2017 break
                ("us", "state", 2008, 2000, "distribution_and_electronic_commerce"),  # from a partial year
                ("eu", "nuts2", 2015, None, "biopharmaceuticals")]    # the series default: 2008


@pytest.mark.parametrize("dataset,level,year,asked,category", WINDOW_CASES,
                         ids=[f"{d}-{y}-{a or 'default'}" for d, _lv, y, a, _c in WINDOW_CASES])
def test_growth_window_agrees_page_by_page_with_the_cli(dash_app, dataset, level, year, asked, category):
    """Every page opens with the same start year (the series default) or keeps the one asked for,
    and the map, the region profile, the category profile and the compare scorecard give the
    CAGR of ``python -m analytics metrics --start-year S`` (which notes a window across a break
    on stderr, as the pages label it)."""
    from components.routes import CATEGORY, COMPARE, REGION
    from pages.category.callbacks import category_outputs
    from pages.compare.callbacks import scorecard_rows
    from pages.region.callbacks import region_outputs

    store = get_store(dataset)
    rules, den = store.meta["default_rules"], store.meta["default_denominator"]
    query = {"year": str(year), **({"start_year": str(asked)} if asked else {})}
    state = MAP.parse({"dataset": dataset, "level": level, "category": category, "metric": "growth", **query})[0]
    start = state["start_year"]
    assert start == (asked or default_start(store.level_years(level), year, dataset)) and start is not None
    rid = store.level_regions(level, year)[0][0]
    assert REGION.parse(query, {"dataset": dataset, "region_id": rid})[0]["start_year"] == start
    assert CATEGORY.parse({**query, "level": level}, {"dataset": dataset, "category_id": category})[0][
        "start_year"] == start
    assert COMPARE.parse({"dataset": dataset, "level": level, **query})[0]["start_year"] == start

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert cli.main(["metrics", "--dataset", dataset, "--level", level, "--year", str(year), "--start-year",
                         str(start), "--category", category]) == 0
    from_cli = pd.read_csv(io.StringIO(out.getvalue()), dtype={"region_id": str}).set_index("region_id")["cagr"]
    crossing = asked is not None
    assert ("note: Growth" in err.getvalue()) == crossing, err.getvalue()

    on_map = csv_frame(state).set_index("region_id")["cagr"]
    _close(on_map.loc[from_cli.index], from_cli, "map vs CLI")

    ctx = {"dataset": dataset, "category_id": category, "path_id": category, "name": category, "ccat": None,
           "creg": None}
    page = category_outputs(ctx, year, level, start)
    top = pd.DataFrame(page["top_rows"])
    top.index = [str(r).split("/region/")[1].split("/")[1].split("?")[0] for r in top["region"]]
    _close(top["cagr"], from_cli, "category profile vs CLI")
    assert all(f"start_year={start}" in r for r in top["region"])  # its links carry the window
    assert ("crosses" in str(page["growth_note"])) == crossing

    regions = list(top.index[:6])
    for r in regions[:3]:
        rctx = {"dataset": dataset, "region_id": r, "path_id": r, "level": level, "name": r, "creg": None,
                "ccat": None}
        prof = region_outputs(rctx, year, start, rules, den)
        rows = pd.DataFrame(prof["rows"])
        mine = rows[rows["category"].str.contains(f"/category/{dataset}/{category}?", regex=False)]
        _close(pd.Series(mine["cagr"].to_numpy(), index=[r]), from_cli.loc[[r]], f"region profile vs CLI: {r}")
        assert ("crosses" in str(prof["message"])) == crossing
    from analytics.serving import views
    cmp = views.comparison(dataset, level, year, rules, den, start, regions[0], None, tuple(regions[1:]))
    card, _ = scorecard_rows(cmp, {"dataset": dataset, "level": level, "ccat": None}, year, start,
                             {"employment_unit": ""})
    card = pd.DataFrame(card)
    mine = card[card["category"].str.contains(f"/category/{dataset}/{category}?", regex=False)]
    _close(pd.Series(mine["cagr"].to_numpy(), index=[regions[0]]), from_cli.loc[[regions[0]]], "compare vs CLI")
