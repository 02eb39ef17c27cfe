"""Custom definitions are first-class on every page: Fashion (NACE 13+14+15) and Øresund
(DK01+DK02+SE22) walked through the map, the region and category profiles, compare and the builder
in a browser, every number checked against the command line (``python -m analytics``).

Fashion is also saved in the library first: a saved custom category must appear in the map's
category list without being in the link.
"""
from __future__ import annotations

import contextlib
import io
from urllib.parse import quote

import pandas as pd
import pytest

from analytics import cli
from conftest import console_errors, grid_cells, grid_rows, open_page, query, shot, wait_for

FASHION = "Fashion=nace:13,14,15"
ORESUND = "Øresund=DK01+DK02+SE22"
GD = "document.querySelector('#map-graph .js-plotly-plot')"


def _cli(*argv) -> pd.DataFrame:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(list(argv)) == 0
    return pd.read_csv(io.StringIO(out.getvalue()), dtype={"region_id": str}).set_index("region_id")


@pytest.fixture(scope="module")
def numbers(dash_app):
    """The CLI's numbers for 2014 (start year 2010) that the pages must show."""
    base = ["--dataset", "eu", "--level", "nuts2", "--year", "2014"]
    return {
        "fashion": _cli("metrics", *base, "--category", FASHION),
        "fashion_oresund": _cli("metrics", *base, "--start-year", "2010", "--category", FASHION, "--region", ORESUND),
        "pharma_oresund": _cli("metrics", *base, "--category", "biopharmaceuticals", "--region", ORESUND),
        "regions": _cli("regions", *base, "--start-year", "2010", "--region", ORESUND),
    }


@pytest.fixture(scope="module")
def saved_fashion(dash_app):
    from analytics.serving.library import get_library

    lib = get_library()
    if not any(d.name == "Fashion" for d in lib.list(kind="category", dataset="eu")):
        lib.save("category", "eu", "Fashion", FASHION)
    return FASHION


def test_fashion_on_the_map_from_the_library_and_the_link(dash_duo, dash_app, numbers, saved_fashion):
    # saved in the library: in the category list of a plain map
    open_page(dash_duo, dash_app, "/map?dataset=eu&level=nuts2&year=2014", "#map-category")
    options = [o.text for o in dash_duo.driver.find_elements("css selector", "#map-category option")]
    assert "Fashion (custom)" in options
    # chosen from the list: the map and the table show its LQs
    from selenium.webdriver.support.ui import Select

    Select(dash_duo.find_element("#map-category")).select_by_visible_text("Fashion (custom)")
    wait_for(lambda: query(dash_duo).get("ccat") == FASHION and query(dash_duo).get("category") == "custom",
             message="ccat in the URL")
    Select(dash_duo.find_element("#map-metric")).select_by_value("lq")
    wait_for(lambda: query(dash_duo).get("metric") == "lq", message="metric lq")
    top = numbers["fashion"].sort_values("lq", ascending=False).iloc[0]
    wait_for(lambda: grid_cells(dash_duo, "map-table", "id")[:1] == [top.name], message="top region by LQ")
    assert grid_cells(dash_duo, "map-table", "v")[0] == f"{top['lq']:,.2f}"
    shot(dash_duo, "custom_map_fashion")
    assert console_errors(dash_duo) == []


def test_oresund_drawn_on_the_map_with_its_combined_value(dash_duo, dash_app, numbers):
    open_page(dash_duo, dash_app, "/map?dataset=eu&level=nuts2&category=all&metric=lq&year=2014&creg="
              + quote(ORESUND, safe=""), "#map-graph")
    wait_for(lambda: dash_duo.driver.execute_script(f"var g={GD}; return g && g.data && g.data.length > 1 && "
                                                    "g.data[1].locations.length;") == 3, message="3 outlined members")
    layer = dash_duo.driver.execute_script(f"var g={GD}; return [g.data[1].locations, g.data[1].customdata[0], "
                                           "g.data[1].hovertemplate];")
    assert sorted(layer[0]) == ["DK01", "DK02", "SE22"]
    strength = numbers["regions"].loc["custom:oresund", "cluster_strength"] * 100  # the hover's % of employment
    assert layer[1][0] == (f"{strength:,.1f}" if strength >= 10 else f"{strength:,.2f}"), layer[1]
    assert "would rank" in layer[1][1] and "Øresund" in layer[2]
    assert "Black outline = the custom region Øresund" in dash_duo.find_element("#map-legend").text
    shot(dash_duo, "custom_map_oresund")
    assert console_errors(dash_duo) == []


def test_oresund_profile_and_fashion_in_a_portfolio(dash_duo, dash_app, numbers):
    open_page(dash_duo, dash_app, "/region/eu/custom?year=2014&start_year=2010&creg=" + quote(ORESUND, safe="")
              + "&ccat=" + quote(FASHION, safe=""), ".keyfig-rank")
    r = numbers["regions"].loc["custom:oresund"]
    figs = dash_duo.find_element("#region-keyfigs").text
    assert f"{r['total_employment']:,.0f}" in figs and f"{r['cluster_strength'] * 100:,.1f} %" in figs
    assert "would rank" in figs
    # the portfolio has a Fashion row with the CLI's employment and growth for the custom region
    row = wait_for(lambda: next((r for r in grid_rows(dash_duo, "region-table") if r["category"].startswith(
        "[Fashion]")), None), message="Fashion row")
    f = numbers["fashion_oresund"].loc["custom:oresund"]
    assert row["employment"] == pytest.approx(f["employment"])
    # Øresund's Fashion sums every part in 2010 but misses 2 in 2014 (confidential cells): the two
    # sums cover different industries, so neither the CLI nor the page gives growth
    assert f["missing_parts"] == 2 and pd.isna(f["cagr"]) and row["cagr"] is None
    shot(dash_duo, "custom_region_profile")
    # a built-in region's portfolio shows the saved custom category too
    open_page(dash_duo, dash_app, "/region/eu/DE11?year=2014&ccat=" + quote(FASHION, safe=""), ".keyfig-rank")
    wait_for(lambda: any(r["category"].startswith("[Fashion]") for r in grid_rows(dash_duo, "region-table")),
             message="Fashion in DE11")
    assert console_errors(dash_duo) == []


def test_category_profiles_with_the_custom_category_and_region(dash_duo, dash_app, numbers):
    open_page(dash_duo, dash_app, "/category/eu/custom?year=2014&level=nuts2&ccat=" + quote(FASHION, safe=""),
              "#category-top-table .ag-cell[col-id='employment']")
    top = numbers["fashion"].sort_values("employment", ascending=False)
    wait_for(lambda: grid_cells(dash_duo, "category-top-table", "employment")[:1] == [f"{top['employment'].iloc[0]:,.0f}"],
             message="top Fashion region")
    # Øresund among the top regions of biopharmaceuticals, where it would rank
    open_page(dash_duo, dash_app, "/category/eu/biopharmaceuticals?year=2014&level=nuts2&creg="
              + quote(ORESUND, safe=""), "#category-top-table .ag-cell[col-id='employment']")
    wait_for(lambda: "Øresund" in dash_duo.find_element("#category-top-table").text, message="Øresund listed")
    emp = numbers["pharma_oresund"].loc["custom:oresund", "employment"]
    assert f"{emp:,.0f}" in dash_duo.find_element("#category-top-table").text
    shot(dash_duo, "custom_category_pharma_oresund")
    assert console_errors(dash_duo) == []


def test_compare_with_oresund_as_focal_and_as_peer(dash_duo, dash_app, numbers, saved_fashion):
    from analytics.serving.library import get_library

    lib = get_library()
    if not any(d.name == "Øresund" for d in lib.list(kind="region", dataset="eu")):
        lib.save("region", "eu", "Øresund", ORESUND)
    open_page(dash_duo, dash_app, "/compare?dataset=eu&year=2014&start_year=2010&creg=" + quote(ORESUND, safe="")
              + "&ccat=" + quote(FASHION, safe=""), "#compare-heatmap .heatmaplayer")
    r = numbers["regions"].loc["custom:oresund"]
    wait_for(lambda: "Øresund" in dash_duo.find_element("#compare-regions").text, message="region totals")
    text = dash_duo.find_element("#compare-regions").text
    assert f"{r['cluster_strength'] * 100:,.1f} %" in text and f"{r['total_employment']:,.0f}" in text
    wait_for(lambda: any(r["category"].startswith("[Fashion]") for r in grid_rows(dash_duo, "compare-scorecard")),
             message="Fashion scorecard row")
    # as a peer of a built-in region (a saved custom region in the peers picker)
    open_page(dash_duo, dash_app, "/compare?dataset=eu&region=SE11&year=2014&peers=DE21&cpeers="
              + quote(ORESUND, safe=""), "#compare-heatmap .heatmaplayer")
    wait_for(lambda: "Øresund" in dash_duo.find_element("#compare-regions").text, message="Øresund as a peer")
    assert query(dash_duo).get("cpeers") == ORESUND
    shot(dash_duo, "custom_compare")
    assert console_errors(dash_duo) == []


def test_builder_restores_both_and_links_to_every_page(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/build?dataset=eu&ccat=" + quote(FASHION, safe="") + "&creg="
              + quote(ORESUND, safe=""), "#build-cat-spec")
    wait_for(lambda: dash_duo.find_element("#build-cat-spec").text == FASHION, message="category spec")
    wait_for(lambda: dash_duo.find_element("#build-reg-spec").text == ORESUND, message="region spec")
    hrefs = {i: dash_duo.find_element(f"#{i}").get_attribute("href") for i in
             ("build-cat-map-link", "build-cat-profile-link", "build-reg-profile-link", "build-reg-compare-link",
              "build-reg-map-link")}
    assert all(h and h.endswith("#") is False for h in hrefs.values()), hrefs
    open_page(dash_duo, dash_app, hrefs["build-reg-compare-link"].split(dash_duo.server_url, 1)[1],
              "#compare-heatmap .heatmaplayer")
    assert "Some settings in the address were not used" not in dash_duo.find_element(".compare-page").text
    assert console_errors(dash_duo) == []
