"""The European categories derived from co-location (dataset ``eu-colocation``) are selectable on every
page a built-in dataset reaches: chosen on the map, then the region and category profiles (stars and
their reasons), a custom category made of derived categories, /compare, the region report and the API,
each number checked against the command line (``python -m analytics metrics --dataset eu-colocation``).
"""
from __future__ import annotations

import contextlib
import io
from urllib.parse import quote

import pandas as pd
import pytest

from analytics import cli
from conftest import console_errors, grid_cells, grid_rows, open_page, query, shot, wait_for

METAL = "Metal=cat:eu_c25+eu_c24"  # fabricated metal & related + basic metals & related (derived)
DERIVED = "eu-colocation"


def _cli(*argv) -> pd.DataFrame:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(list(argv)) == 0
    return pd.read_csv(io.StringIO(out.getvalue()), dtype={"region_id": str})


@pytest.fixture(scope="module")
def numbers(dash_app):
    base = ["--dataset", DERIVED, "--level", "nuts2", "--year", "2015"]
    return {"all": _cli("metrics", *base), "metal": _cli("metrics", *base, "--category", METAL)}


def test_api_and_cli_agree_on_the_derived_categories(dash_app, numbers):
    client = dash_app.server.test_client()
    r = client.get(f"/api/v1/metrics?dataset={DERIVED}&level=nuts2&year=2015&format=csv")
    assert r.status_code == 200
    api = pd.read_csv(io.BytesIO(r.data), dtype={"region_id": str})
    cli_rows = numbers["all"]
    assert len(api) == len(cli_rows) and set(api["category_id"]) == set(cli_rows["category_id"])
    assert api["category_id"].str.startswith("eu_").all()
    both = api.merge(cli_rows, on=["region_id", "category_id"], suffixes=("", "_cli"))
    assert (both["lq"] - both["lq_cli"]).abs().max() < 1e-9
    assert r.headers.get("ETag")
    bad = client.get("/api/v1/metrics?dataset=eu-colocatio&level=nuts2&year=2015")
    assert bad.status_code == 400 and "eu-colocation" in bad.get_json()["error"]


def test_region_report_under_the_derived_categories(dash_app):
    client = dash_app.server.test_client()
    r = client.get(f"/region/{DERIVED}/DE11/report.pdf?year=2015")
    assert r.status_code == 200 and r.data[:5] == b"%PDF-" and len(r.data) > 20_000
    html = client.get(f"/region/{DERIVED}/DE11/report.html?year=2015").get_data(as_text=True)
    assert "Fabricated metal products &amp; related (7 divisions)" in html
    assert "derived from European co-location" in html


def test_derived_categories_on_the_map_and_in_the_profiles(dash_duo, dash_app, numbers):
    from selenium.webdriver.support.ui import Select

    open_page(dash_duo, dash_app, "/map?dataset=eu&level=nuts2&year=2015", "#map-graph")
    Select(dash_duo.find_element("#map-dataset")).select_by_value(DERIVED)
    wait_for(lambda: query(dash_duo).get("dataset") == DERIVED, message="dataset in the URL")
    wait_for(lambda: "Fabricated metal products & related (7 divisions)" in
             [o.text for o in dash_duo.driver.find_elements("css selector", "#map-category option")],
             message="derived categories listed")
    Select(dash_duo.find_element("#map-category")).select_by_value("eu_c25")
    Select(dash_duo.find_element("#map-metric")).select_by_value("lq")
    wait_for(lambda: query(dash_duo).get("metric") == "lq" and query(dash_duo).get("category") == "eu_c25",
             message="category and metric in the URL")
    c25 = numbers["all"][numbers["all"]["category_id"] == "eu_c25"].sort_values("lq", ascending=False)
    top = c25.iloc[0]
    wait_for(lambda: grid_cells(dash_duo, "map-table", "id")[:1] == [top["region_id"]], message="top region")
    assert grid_cells(dash_duo, "map-table", "v")[0] == f"{top['lq']:,.2f}"
    assert "derived from European co-location" in dash_duo.find_element("#map-legend").text \
        or "derived from European co-location" in dash_duo.find_element("body").text
    shot(dash_duo, "derived_map_c25")

    # the region profile: the derived portfolio, its stars and the link to the derived category
    open_page(dash_duo, dash_app, f"/region/{DERIVED}/DE11?year=2015", ".keyfig-rank")
    de11 = numbers["all"].query("region_id == 'DE11' and category_id == 'eu_c25'").iloc[0]
    row = wait_for(lambda: next((r for r in grid_rows(dash_duo, "region-table")
                                 if "Fabricated metal products" in (r.get("category") or "")), None),
                   message="derived row in the portfolio")
    assert row["employment"] == pytest.approx(de11["employment"])
    assert f"/category/{DERIVED}/eu_c25" in row["category"]
    assert int(de11["stars"]) == 3 and "★★★" in (row.get("stars_text") or "")
    assert "derived from European co-location" in dash_duo.find_element("#region-body").text
    shot(dash_duo, "derived_region_DE11")

    # the category profile of a derived category: its members and its top regions
    open_page(dash_duo, dash_app, f"/category/{DERIVED}/eu_c25?year=2015&level=nuts2",
              "#category-top-table .ag-cell[col-id='employment']")
    first = c25.sort_values("employment", ascending=False).iloc[0]
    wait_for(lambda: grid_cells(dash_duo, "category-top-table", "employment")[:1] == [f"{first['employment']:,.0f}"],
             message="top region by employment")
    assert "7 member industries" in dash_duo.find_element("body").text
    assert console_errors(dash_duo) == []


def test_custom_category_of_derived_categories_and_compare(dash_duo, dash_app, numbers):
    open_page(dash_duo, dash_app, f"/map?dataset={DERIVED}&level=nuts2&year=2015&metric=lq&category=custom&ccat="
              + quote(METAL, safe=""), "#map-graph")
    top = numbers["metal"].sort_values("lq", ascending=False).iloc[0]
    wait_for(lambda: grid_cells(dash_duo, "map-table", "id")[:1] == [top["region_id"]], message="top Metal region")
    assert grid_cells(dash_duo, "map-table", "v")[0] == f"{top['lq']:,.2f}"
    open_page(dash_duo, dash_app, f"/compare?dataset={DERIVED}&region=DE11&year=2015", "#compare-heatmap .heatmaplayer")
    wait_for(lambda: "Stuttgart" in dash_duo.find_element("#compare-regions").text, message="compare regions")
    assert "& related" in dash_duo.find_element("#compare-heatmap").text
    shot(dash_duo, "derived_compare_DE11")
    assert console_errors(dash_duo) == []
