"""Map explorer (/map): URL state, Patch updates, region clicks, back/forward, CSV export, screenshots.

Browser tests drive the app in headless Chromium with dash_duo; the CSV, URL-validation and Patch
tests call the page's functions directly (outputs read by name, never by position).
Screenshots go to ``screenshots/`` (ignored by git).
"""
from __future__ import annotations

import io
import json
import time
from urllib.parse import parse_qs, urlparse

import pandas as pd
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from components import ids as shell_ids
from conftest import (
    console_errors,
    geo_fetches,
    geometry_bytes,
    open_page,
    query,
    shot,
    update_responses,
    wait_for,
)
from pages.map import ids

URL_LQ = "/map?dataset=eu&level=nuts2&category=automotive&metric=lq&year=2014&rules=eco2008&denominator=total"
PICKERS = {"dataset": ids.DATASET, "level": ids.LEVEL, "category": ids.CATEGORY, "metric": ids.METRIC,
           "year": ids.YEAR, "rules": ids.RULES, "denominator": ids.DENOMINATOR}
GD = "document.querySelector('#map-graph .js-plotly-plot')"


def map_z(dash_duo):
    return dash_duo.driver.execute_script(f"var gd = {GD}; return gd && gd.data ? gd.data[0].z : null;")


def map_ready(dash_duo):
    """The map is drawn (the geo subplot's region paths are in the page) and its data are in."""
    return dash_duo.driver.execute_script(
        f"var gd = {GD}; if (!gd || !gd._fullLayout || !gd._fullLayout.geo) return false;"
        "return !!(gd.querySelector('.geo .choroplethlayer path.choroplethlocation') && gd.data[0].z"
        " && gd.data[0].z.length);")


def open_map(dash_duo, app, path, size="desktop"):
    open_page(dash_duo, app, path, size=size)
    wait_for(lambda: map_ready(dash_duo), timeout=60, message="the map")


def pickers(dash_duo) -> dict:
    return {k: dash_duo.find_element(f"#{v}").get_attribute("value") for k, v in PICKERS.items()}


def choose(dash_duo, picker_id, value):
    Select(dash_duo.driver.find_element(By.ID, picker_id)).select_by_value(value)


def query_of(path: str) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(path).query).items()}


# --- browser tests ---------------------------------------------------------------------------------

def test_map_smoke_no_console_errors_no_network(dash_duo, dash_app):
    open_map(dash_duo, dash_app, "/map")
    # the URL now holds every picker (replaceState on the first render)
    q = query(dash_duo)
    assert set(PICKERS) <= set(q), q
    # every control has a visible label pointing at it
    for picker in (*PICKERS.values(), ids.START_YEAR, ids.CREG):
        labels = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"label[for='{picker}']")
        assert labels and labels[0].text.strip(), picker
    title = dash_duo.driver.execute_script(f"return {GD}.data[0].colorbar.title.text;")
    assert "(persons)" in title, title
    assert "Grey = no data" in dash_duo.find_element(f"#{ids.LEGEND}").text
    assert "Source:" in dash_duo.find_element(f"#{ids.SOURCE}").text
    # no request leaves the machine (no tiles, fonts or CDN)
    hosts = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).host);")
    own = urlparse(dash_duo.server_url).netloc
    assert all(h == own for h in hosts), hosts
    # the table shows the map's regions, sorted by rank
    wait_for(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.TABLE} .ag-cell[col-id='n'] a"),
             message="table links")
    shot(dash_duo, "map_default_1400x900")
    assert console_errors(dash_duo) == []


def test_category_change_patches_z_without_geometry(dash_duo, dash_app):
    open_map(dash_duo, dash_app, URL_LQ)
    z0 = map_z(dash_duo)
    before = update_responses(dash_duo)
    # the page render carries the full figure; its geometry comes once, as a file (/geo/…)
    full = max(r["decoded"] for r in before) + geometry_bytes("eu", "nuts2")
    assert [g["name"].rsplit("/", 2)[-2:] for g in geo_fetches(dash_duo)] == [["eu", "nuts2.geojson"]]
    choose(dash_duo, ids.CATEGORY, "biopharmaceuticals")
    wait_for(lambda: map_z(dash_duo) != z0, message="new z values")
    wait_for(lambda: query(dash_duo).get("category") == "biopharmaceuticals", message="URL update")
    time.sleep(1)
    after = update_responses(dash_duo)[len(before):]
    assert after, "no callback response"
    # the values (z, hover, scale) stay under 10 % of the full figure with its geometry; a view with
    # imputed regions adds their outlines as two per-region arrays (about 12 bytes a region; 334 regions)
    assert max(r["decoded"] for r in after) < 0.10 * full + 13 * 334, (after, full)
    assert dash_duo.driver.execute_script(f"return {GD}.data[0].geojson;").startswith("/geo/")
    assert len(geo_fetches(dash_duo)) == 1  # the geometry is not fetched again
    choose(dash_duo, ids.METRIC, "stars")
    wait_for(lambda: dash_duo.driver.execute_script(f"return {GD}.data[0].colorbar.tickvals;") == [-1, 0, 1, 2, 3],
             message="stepped colour bar")
    shot(dash_duo, "map_stars_biopharma")
    assert console_errors(dash_duo) == []


def test_url_restores_pickers_and_flags_bad_values(dash_duo, dash_app):
    open_map(dash_duo, dash_app, "/map?dataset=eu&level=nuts1&category=automotive&metric=growth&year=2013"
                                 "&start_year=2009&rules=us-strong&denominator=traded")
    assert pickers(dash_duo) == {"dataset": "eu", "level": "nuts1", "category": "automotive", "metric": "growth",
                                 "year": "2013", "rules": "us-strong", "denominator": "traded"}
    assert dash_duo.find_element(f"#{ids.START_YEAR}").get_attribute("value") == "2009"
    title = dash_duo.driver.execute_script(f"return {GD}.data[0].colorbar.title.text;")
    assert "CAGR 2009–2013 (% per year)" in title
    assert not dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.NOTE}")
    # bad values: defaults and a visible note
    open_map(dash_duo, dash_app, "/map?dataset=xx&metric=nonsense&year=1900&category=automotive")
    note = dash_duo.find_element(f"#{ids.NOTE}").text
    assert "dataset=xx" in note and "metric=nonsense" in note and "1900" in note
    assert pickers(dash_duo)["metric"] == "employment"
    assert query(dash_duo)["metric"] == "employment"  # the URL is normalised
    assert console_errors(dash_duo) == []


def test_back_and_forward_restore_pickers(dash_duo, dash_app):
    open_map(dash_duo, dash_app, URL_LQ)
    z_lq = map_z(dash_duo)
    dash_duo.driver.execute_script(f"{GD}.__sameGraph = true;")  # gone if Pages re-rendered the page
    choose(dash_duo, ids.METRIC, "employment")
    wait_for(lambda: query(dash_duo).get("metric") == "employment", message="URL metric=employment")
    wait_for(lambda: map_z(dash_duo) != z_lq, message="employment z")
    z_emp = map_z(dash_duo)
    choose(dash_duo, ids.YEAR, "2012")
    wait_for(lambda: query(dash_duo).get("year") == "2012", message="URL year=2012")
    wait_for(lambda: map_z(dash_duo) != z_emp, message="2012 z")

    dash_duo.driver.back()
    wait_for(lambda: pickers(dash_duo)["year"] == "2014", message="back: year 2014")
    assert pickers(dash_duo)["metric"] == "employment"
    wait_for(lambda: map_z(dash_duo) == z_emp, message="back: z of employment 2014")

    dash_duo.driver.back()
    wait_for(lambda: pickers(dash_duo)["metric"] == "lq", message="back: metric lq")
    wait_for(lambda: map_z(dash_duo) == z_lq, message="back: z of LQ")
    assert query(dash_duo) == query_of(URL_LQ)

    dash_duo.driver.forward()
    wait_for(lambda: pickers(dash_duo)["metric"] == "employment", message="forward: metric employment")
    assert pickers(dash_duo)["year"] == "2014"
    wait_for(lambda: map_z(dash_duo) == z_emp, message="forward: z")
    # back/forward between map views patched the map in place: no page re-render, no geometry resent
    assert dash_duo.driver.execute_script(f"return {GD}.__sameGraph === true;")
    assert console_errors(dash_duo) == []


def test_dataset_change_sends_geometry_once(dash_duo, dash_app):
    open_map(dash_duo, dash_app, URL_LQ)
    before = len(update_responses(dash_duo))
    history = dash_duo.driver.execute_script("return window.history.length;")
    choose(dash_duo, ids.DATASET, "us")
    wait_for(lambda: dash_duo.driver.execute_script(f"return {GD}.data[0].locations.length;") == 51
             and map_ready(dash_duo), message="US states on the map")
    assert pickers(dash_duo)["level"] == "state" and query(dash_duo)["dataset"] == "us"
    time.sleep(1)
    sizes = [r["decoded"] for r in update_responses(dash_duo)[before:]]
    assert max(sizes) < 50_000, sizes  # no geometry in any callback response
    fetched = [g["name"].rsplit("/", 2)[-2:] for g in geo_fetches(dash_duo)]
    assert fetched == [["eu", "nuts2.geojson"], ["us", "state.geojson"]], fetched  # the new geometry, once
    assert dash_duo.driver.execute_script("return window.history.length;") == history + 1  # one entry per change
    dash_duo.driver.back()
    wait_for(lambda: dash_duo.driver.execute_script(f"return {GD}.data[0].locations.length;") > 300,
             message="back to European NUTS 2")
    assert pickers(dash_duo)["dataset"] == "eu"
    assert console_errors(dash_duo) == []


def _inner_point(region_id: str) -> tuple[float, float]:
    from shapely.geometry import shape

    from analytics.serving.store import get_store

    feature = next(f for f in get_store("eu").geometry("nuts2")["features"] if f["id"] == region_id)
    p = shape(feature["geometry"]).representative_point()
    return p.x, p.y


def test_click_on_region_opens_profile(dash_duo, dash_app):
    open_map(dash_duo, dash_app, URL_LQ)
    lon, lat = _inner_point("ES41")  # Castilla y León: large, inland
    x, y = dash_duo.driver.execute_script(  # the projected point, in the page (plotly's geo projection)
        f"var gd = {GD}; var g = gd._fullLayout.geo._subplot; var p = g.projection([arguments[0], arguments[1]]);"
        "var r = gd.getBoundingClientRect(); return [r.left + p[0], r.top + p[1]];", lon, lat)
    actions = ActionChains(dash_duo.driver)
    actions.move_to_location(int(x), int(y)).pause(0.5).move_by_offset(1, 0).pause(0.5).click().perform()
    wait_for(lambda: "/region/eu/ES41" in dash_duo.driver.current_url, timeout=20, message="region URL")
    q = query(dash_duo)  # the map's settings travel with the link
    assert {k: q.get(k) for k in ("year", "rules", "denominator")} == \
        {"year": "2014", "rules": "eco2008", "denominator": "total"}, q
    wait_for(lambda: not dash_duo.driver.find_elements(By.ID, ids.GRAPH), message="map page replaced")
    wait_for(lambda: "Castilla" in dash_duo.find_element("h1").text, message="region profile heading")
    assert console_errors(dash_duo) == []
    dash_duo.driver.back()  # back returns to the same map view
    wait_for(lambda: map_ready(dash_duo), timeout=60, message="map again")
    assert pickers(dash_duo)["category"] == "automotive" and pickers(dash_duo)["metric"] == "lq"


def test_copy_link_and_exports_present(dash_duo, dash_app):
    open_map(dash_duo, dash_app, URL_LQ)
    dash_duo.find_element(f"#{shell_ids.COPY_LINK}").click()
    dash_duo.wait_for_text_to_equal(f"#{shell_ids.COPY_LINK_DONE}", "Link copied", timeout=10)
    config = dash_duo.driver.execute_script(f"return {GD}._context.toImageButtonOptions;")
    assert config["format"] == "png" and "automotive" in config["filename"]
    # a new view: the export names follow it, and the map is recoloured, not rebuilt (same geo subplot)
    dash_duo.driver.execute_script(f"{GD}._fullLayout.geo._subplot.__marker = 1;")
    choose(dash_duo, ids.CATEGORY, "biopharmaceuticals")
    wait_for(lambda: "biopharmaceuticals" in dash_duo.driver.execute_script(
        f"return {GD}._context.toImageButtonOptions.filename;"), message="PNG name follows the view")
    assert "biopharmaceuticals" in dash_duo.find_element(f"#{ids.SVG_BTN}").get_attribute("data-filename")
    assert dash_duo.driver.execute_script(f"return {GD}._fullLayout.geo._subplot.__marker;") == 1
    svg = dash_duo.find_element(f"#{ids.SVG_BTN}")
    assert svg.get_attribute("data-graph") == ids.GRAPH
    url = dash_duo.driver.execute_async_script(
        f"var done = arguments[0]; Plotly.toImage({GD}, {{format: 'svg', width: 800, height: 500}})"
        ".then(done, function (e) { done('error: ' + e); });")
    assert url.startswith("data:image/svg+xml"), url[:80]
    assert console_errors(dash_duo) == []


def test_screenshots_other_views(dash_duo, dash_app):
    open_map(dash_duo, dash_app, "/map?dataset=eu&category=all&metric=lq&year=2014")
    shot(dash_duo, "map_all_categories_strength")
    open_map(dash_duo, dash_app, "/map?dataset=eu&category=automotive&metric=growth&year=2015&start_year=2010")
    shot(dash_duo, "map_growth_automotive")
    dash_duo.driver.execute_script("window.scrollTo(0, document.body.scrollHeight);")
    shot(dash_duo, "map_table", top=False)
    open_map(dash_duo, dash_app, "/map?dataset=us&level=county&category=automotive&metric=lq")
    shot(dash_duo, "map_us_counties", settle=2)
    for size in ("projector", "phone"):
        open_map(dash_duo, dash_app, URL_LQ, size=size)
        shot(dash_duo, f"map_{size}")
    assert console_errors(dash_duo) == []


def test_county_map_marks_imputed_not_published_and_no_data(dash_duo, dash_app):
    open_map(dash_duo, dash_app, "/map?dataset=us&level=county&category=automotive&metric=employment&year=2017")
    legend = dash_duo.find_element(f"#{ids.LEGEND}").text
    assert "Magenta outline = imputed (withheld by CBP)" in legend and "Light sand = not published" in legend
    assert "No county data in the source for CA" in legend and "--geo county" in legend
    n = dash_duo.driver.execute_script(
        f"var c = {GD}.data[0].marker.line.color; return Array.isArray(c) ? c.filter(x => x === '#c51b7d').length : 0;")
    assert n > 20
    shot(dash_duo, "map_us_counties_imputed_2017", settle=2)
    open_map(dash_duo, dash_app, "/map?dataset=us&level=state&category=automotive&metric=growth&year=2017")
    assert "first year of its series" in dash_duo.find_element(f"#{ids.LEGEND}").text
    assert dash_duo.driver.execute_script(f"return {GD}.data[0].showscale;") is False
    assert "first year of its series" in dash_duo.driver.execute_script(f"return {GD}.layout.annotations[0].text;")
    shot(dash_duo, "map_us_growth_no_start_2017", settle=2)
    assert console_errors(dash_duo) == []


# --- without a browser -----------------------------------------------------------------------------

def _pickers(q: dict) -> dict:
    from pages.map.callbacks import PICKERS as KEYS

    return {k: q.get(k) for k in KEYS}


def test_csv_download_has_credit_and_store_numbers(dash_app):
    from analytics.serving.store import get_store
    from pages.map.callbacks import download_csv

    out = download_csv(n_clicks=1, pickers=_pickers(query_of(URL_LQ)))
    text = out["content"]
    lines = text.splitlines()
    assert lines[0].startswith("# Source: Eurostat"), lines[0]
    assert out["filename"] == "cluster-map-eu-nuts2-automotive-lq-2014.csv"
    df = pd.read_csv(io.StringIO(text), comment="#", dtype={"region_id": str})
    table = get_store("eu").table("nuts2", 2014, "eco2008", "total")
    auto = table[table["category_id"] == "automotive"].set_index("region_id")
    got = df.dropna(subset=["lq"]).set_index("region_id")
    assert len(got) == auto["lq"].notna().sum()
    pd.testing.assert_series_equal(got["lq"], auto.loc[got.index, "lq"], check_names=False, rtol=1e-12)
    assert (got["stars"] == auto.loc[got.index, "stars"].astype(int)).all()
    assert df["lq"].dtype.kind == "f"  # unformatted numbers: no thousands separators or percent signs


def test_csv_all_categories_matches_indicators(dash_app):
    from analytics.serving.store import get_store
    from pages.map.callbacks import download_csv

    out = download_csv(n_clicks=1, pickers=_pickers({"dataset": "eu", "level": "nuts2", "category": "all",
                                                     "metric": "employment", "year": "2014"}))
    df = pd.read_csv(io.StringIO(out["content"]), comment="#", dtype={"region_id": str}).dropna(
        subset=["total_employment"]).set_index("region_id")
    ind = get_store("eu").indicators
    ind = ind[(ind["level"] == "nuts2") & (ind["year"] == 2014)].set_index("region_id")
    pd.testing.assert_series_equal(df["total_employment"], ind.loc[df.index, "total_employment"],
                                   check_names=False, check_dtype=False)


def test_patch_is_small_and_full_figure_only_for_new_geometry(dash_app):
    from plotly.io.json import to_json_plotly

    from components.routes import MAP
    from pages.map.callbacks import map_outputs

    state, notes = MAP.parse(query_of(URL_LQ))
    assert notes == []
    figure = map_outputs(state, None)["figure"]
    assert figure["data"][0]["geojson"].startswith("/geo/")  # the geometry is a cacheable file
    full = to_json_plotly(figure) + " " * geometry_bytes("eu", "nuts2")  # what it weighed with the geometry in
    state2, _ = MAP.parse({**query_of(URL_LQ), "category": "biopharmaceuticals", "metric": "stars"})
    patch = map_outputs(state2, "eu/nuts2")["figure"]
    body = to_json_plotly(patch.to_plotly_json())
    ops = json.loads(body)["operations"]
    outline = sum(len(json.dumps(op, separators=(",", ":"))) for op in ops if op["location"][-1] == "marker")
    assert len(body) - outline < 0.1 * len(full), (len(body), outline, len(full))
    assert outline < 13 * 334  # imputed regions outlined: two short per-region arrays (about 12 bytes a region)
    locations = {tuple(op["location"]) for op in ops}
    assert {("data", 0, "z"), ("data", 0, "customdata")} <= locations
    assert ("data", 0, "geojson") not in locations
    state3, _ = MAP.parse({**query_of(URL_LQ), "level": "nuts1"})
    assert isinstance(map_outputs(state3, "eu/nuts2")["figure"], dict)  # new level → full figure


def test_stars_use_stepped_scale():
    from components.choropleth import stepped

    s = stepped(pd.Series([0, 1, 2, 3, float("nan")]).to_numpy(dtype=float), 3)
    assert s.z == [0, 1, 2, 3, -1] and s.tickvals == [-1, 0, 1, 2, 3]
    positions = [p for p, _ in s.colorscale]
    assert positions == sorted(positions) and len(positions) == 2 * len(set(c for _, c in s.colorscale))


def test_parse_and_query_round_trip(dash_app):
    from components.routes import MAP

    state, notes = MAP.parse(query_of(URL_LQ))
    assert MAP.query(state) == "?" + URL_LQ.split("?", 1)[1]
    state, notes = MAP.parse({"dataset": "eu", "level": "nuts9", "year": "abc", "start_year": "2015", "rules": "x",
                              "denominator": "y", "metric": "growth"})
    assert state["level"] == "nuts2" and state["year"] == 2015 and state["start_year"] == 2008
    assert len(notes) == 5, notes


def test_sync_restores_every_picker_from_a_popped_address(dash_app):
    from pages.map.callbacks import sync_outputs

    current = _pickers(query_of(URL_LQ))
    out = sync_outputs(ids.URL_POP, current, {"search": "?dataset=eu&level=nuts1&category=all&metric=growth"
                                                        "&year=2013&start_year=2009"})
    assert out["level"] == "nuts1" and out["category"] == "all" and out["metric"] == "growth"
    assert out["year"] == "2013" and out["start_year"] == "2009" and out["start_disabled"] is False


def test_star_texts_say_the_count_the_maximum_and_the_criteria_met():
    from components.choropleth import stars_texts

    frame = pd.DataFrame({
        "has_row": [True, True, True, False],
        "rated": [True, True, False, None],
        "stars": [2, 0, None, None],
        "star_size": [True, False, False, None],
        "star_specialisation": [True, False, False, None],
        "star_focus": [False, False, False, None],
    })
    assert stars_texts(frame, "eco2008").tolist() == ["2/3 (size, LQ)", "0/3", "not rated", ""]
    us = frame.assign(stars=[1, 0, None, None])
    assert stars_texts(us, "us-strong").tolist() == ["1/2 (size, LQ)", "0/2", "not rated", ""]


def test_a_picker_change_is_one_round_trip_with_pickers_and_map(dash_app):
    """A category change comes back with the corrected pickers (metric names) and the map's Patch
    in the same response: the map does not wait for a second callback."""
    from pages.map.callbacks import PICKERS

    client = dash_app.server.test_client()
    client.get("/")
    key = next(k for k, e in dash_app.callback_map.items() if "map-graph.figure" in k and "map-dataset.value" in k)
    entry = dash_app.callback_map[key]
    values = {"map-dataset": "eu", "map-level": "nuts2", "map-category": "biopharmaceuticals", "map-metric": "lq",
              "map-year": "2014", "map-start-year": None, "map-rules": "eco2008", "map-denominator": "total",
              "map-creg": "", "map-orgs": False, "map-url-pop": None,
              "map-state": {"geo": "eu/nuts2", "state": None}}
    assert set(PICKERS.values()) <= set(values)
    cells = [{"id": x["id"], "property": x["property"], "value": values[x["id"]]}
             for x in entry["inputs"] + entry["state"]]
    n = len(entry["inputs"])
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in key.strip(".").split("...")]
    r = client.post("/_dash-update-component", json={"output": key, "outputs": outputs, "inputs": cells[:n],
                                                     "state": cells[n:], "changedPropIds": ["map-category.value"]})
    assert r.status_code == 200
    response = r.get_json()["response"]
    assert "options" in response["map-metric"]  # the metric names of the new category
    assert "__dash_patch_update" in json.dumps(response["map-graph"]["figure"])  # and the map, as a Patch
    assert "biopharmaceuticals" in response["map-url"]["data"]
