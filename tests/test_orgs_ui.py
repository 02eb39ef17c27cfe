"""Cluster organisations in the UI: the map's organisations layer, the region profile's and the
category profile's sections.

Unit tests of the bubble trace builder (escaped names, "… and N more", counts and sizes,
centroids inside their regions), of the Patch sent when the switch changes, and of the sections
and CSVs; browser tests (dash_duo) that toggle the layer on /map, hover and click a bubble, and
open /region/eu/DE11 and /category/eu/automotive, with screenshots at desktop and phone size.

The organisations are the build's seed (``data/build/organisations.parquet``) when it exists;
until then (or with ``ORGS_UI_FAKE=1``) a small hand-made frame with the seed's columns stands in
(:func:`organisations`), and the checks that need its names (escaping in the hover and the grid,
the empty state) run on it only.
"""
from __future__ import annotations

import io
import json
import math
import os
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import console_errors, geometry_bytes, grid_rows, open_page, query, shot, update_responses, wait_for

SEED = Path(__file__).resolve().parents[1] / "data" / "build" / "organisations.parquet"
GD = "document.querySelector('#map-graph .js-plotly-plot')"
TAG_NAME = "<b>x</b> & Co"


def fake_frame() -> pd.DataFrame:
    """A small frame with the seed's columns: 13 organisations in Stuttgart (DE11, one named
    ``<b>x</b> & Co``), 2 in Oberbayern (one a spreadsheet formula), 1 in Île-de-France, 1 German
    one with region unknown, 3 in US states."""
    rows = []

    def add(i, dataset, name, country, city, region_id, region_name, categories="automotive", eco=None):
        rows.append({"id": f"{dataset}-{i}", "dataset": dataset, "name": name, "country": country, "city": city,
                     "region_id": region_id, "region_name": region_name,
                     "locate_status": "located" if region_id else "unknown",
                     "locate_method": "gazetteer" if region_id else None, "lat": None, "lon": None,
                     "ecosystem": eco, "ecosystem_name": {"mobility": "Mobility – Transport – Automotive"}.get(eco),
                     "categories": categories, "type": "cluster organisation", "website": None, "description": None,
                     "source": "test", "source_updated": "2024-01-01"})

    for i in range(12):
        add(i, "eu", f"Stuttgart cluster {i + 1:02d}", "DE", "Stuttgart", "DE11", "Stuttgart", eco="mobility")
    add(12, "eu", TAG_NAME, "DE", "Esslingen", "DE11", "Stuttgart", "automotive;biopharmaceuticals")
    add(13, "eu", "Bavarian automotive", "DE", "München", "DE21", "Oberbayern")
    add(14, "eu", "=HYPERLINK(\"http://x\")", "DE", "Ingolstadt", "DE21", "Oberbayern")
    add(15, "eu", "Paris biotech", "FR", "Paris", "FR10", "Ile-de-France", "biopharmaceuticals")
    add(16, "eu", "Somewhere in Germany", "DE", "Nirgendwo", None, None)
    add(17, "us", "Michigan auto council", "US", "Detroit", "26", "Michigan")
    add(18, "us", "Detroit mobility", "US", "Detroit", "26", "Michigan")
    add(19, "us", "California biotech", "US", "San Diego", "06", "California", "biopharmaceuticals")
    return pd.DataFrame(rows)


@pytest.fixture
def organisations(monkeypatch):
    """The organisations the app serves: the real seed when built, else :func:`fake_frame`.
    Yields True when the hand-made frame is in use."""
    from analytics.serving import organisations as orgs

    monkeypatch.setattr(orgs, "_HELD", {})
    fake = not SEED.exists() or os.environ.get("ORGS_UI_FAKE") == "1"
    if fake:
        monkeypatch.setattr(orgs, "_load", fake_frame)
    yield fake


def bubbles(trace: dict) -> list:
    """The regions with a bubble (an empty layer holds one point of size 0, customdata None)."""
    return [c for c in trace["customdata"] if c]


def _state(**query):
    from components.routes import MAP

    state, notes = MAP.parse(query)
    return state, notes


# ---------------------------------------------------------------------------- the bubble trace builder


def test_hover_escapes_names_and_says_how_many_more():
    from components.choropleth import orgs_hover

    names = [TAG_NAME] + [f"Org {i}" for i in range(12)]
    text = orgs_hover("Stuttgart (DE11)", 13, names)
    assert "&lt;b&gt;x&lt;/b&gt; &amp; Co" in text and "<b>x</b>" not in text
    assert text.startswith("<b>Stuttgart (DE11)</b><br>13 cluster organisations")
    assert text.count("· ") == 10 and "Org 8" in text and "Org 9" not in text
    assert "… and 3 more" in text
    one = orgs_hover("A <i>region</i>", 1, ["Only one"])
    assert "1 cluster organisation<br>" in one and "more" not in one and "&lt;i&gt;region&lt;/i&gt;" in one
    long = orgs_hover("R", 1, ["A" * 49 + "<b>" + "B" * 20])
    assert "· " + "A" * 49 + "…<br>" in long  # cut before escaping: no half entity, no tag
    # names given '; '-joined (the serving docstring's form) are split
    assert orgs_hover("R", 12, "; ".join(f"N{i}" for i in range(12))).endswith(
        "… and 2 more<br>Click to list them in the directory")


def test_bubbles_one_per_region_with_a_centroid_area_by_count():
    from components.choropleth import ORGS_MAX_PX, ORGS_MIN_PX, orgs_bubbles

    counts = pd.DataFrame({"region_id": ["A", "B", "C", "Z"], "count": [1, 100, 25, 7],
                           "names": [["a1"], [f"b{i}" for i in range(100)], [f"c{i}" for i in range(25)],
                                     ["<script>z</script>"] * 7]})
    centroids = {"A": [1.0, 2.0], "B": [3.0, 4.0], "C": [5.0, 6.0]}  # Z is not on this map
    out = orgs_bubbles(counts, centroids, {"A": "Alpha", "B": "Beta <b>", "C": "Gamma"})
    assert out["customdata"] == ["B", "C", "A"]  # largest first: small bubbles are drawn on top
    assert out["lon"] == [3.0, 5.0, 1.0] and out["lat"] == [4.0, 6.0, 2.0]
    sizes = out["marker"]["size"]
    assert sizes[0] == ORGS_MAX_PX and sizes[1] == pytest.approx(ORGS_MAX_PX * math.sqrt(0.25), abs=0.05)
    assert sizes[2] == ORGS_MIN_PX  # 40 · √0.01 = 4 px, raised to the floor
    assert out["hovertext"][0].startswith("<b>Beta &lt;b&gt; (B)</b><br>100 cluster organisations")
    assert "… and 90 more" in out["hovertext"][0] and "… and 15 more" in out["hovertext"][1]
    assert "more" not in out["hovertext"][2]
    assert not any("<script>" in t for t in out["hovertext"])
    empty = orgs_bubbles(counts.iloc[0:0], centroids, {})
    assert empty["lon"] == [] and empty["customdata"] == []


def test_centroids_lie_inside_their_regions(dash_app):
    from shapely.geometry import Point, shape

    from analytics.serving.store import get_store
    from components.choropleth import region_centroids

    for dataset, level in (("eu", "nuts2"), ("eu", "country"), ("us", "state")):
        geo = get_store(dataset).geometry(level)
        cents = region_centroids(dataset, level)
        assert len(cents) == len([f for f in geo["features"] if f.get("geometry")])
        for f in geo["features"]:
            lon, lat = cents[str(f["id"])]
            assert shape(f["geometry"]).buffer(1e-3).contains(Point(lon, lat)), (dataset, f["id"])
    lon, lat = region_centroids("eu", "country")["FR"]
    assert -5 < lon < 9 and 41 < lat < 51  # metropolitan France, not pulled towards the overseas regions
    assert region_centroids("eu", "nuts2") is not None  # memoized: a second call is a cache hit


# ---------------------------------------------------------------------------- the layer in the map's figure


def test_layer_off_by_default_and_in_the_address_when_on(dash_app):
    from components.routes import MAP

    state, notes = _state(dataset="eu")
    assert state["orgs"] == "off" and "orgs" not in MAP.query(state) and notes == []
    state, _ = _state(dataset="eu", orgs="on")
    assert MAP.query(state).endswith("&orgs=on")
    state, notes = _state(dataset="eu", orgs="maybe")
    assert state["orgs"] == "off" and any("orgs=maybe" in n for n in notes)


def test_full_figure_has_the_layer_and_its_source(dash_app, organisations):
    from analytics.serving import organisations as orgs
    from pages.map.callbacks import map_outputs

    off = map_outputs(_state(dataset="eu")[0], None)
    assert len(off["figure"]["data"]) == 3 and bubbles(off["figure"]["data"][2]) == []
    assert off["figure"]["data"][2]["marker"]["size"] == [0]  # one point nothing sees (the trace stays visible)
    assert "Red bubbles" not in off["legend"]
    on = map_outputs(_state(dataset="eu", orgs="on")[0], None)
    trace = on["figure"]["data"][2]
    assert trace["type"] == "scattergeo" and trace["meta"] == {"layer": "orgs"}
    assert len(trace["lon"]) == len(trace["lat"]) == len(trace["customdata"]) == len(bubbles(trace)) > 0
    assert trace["hoverinfo"] == "text"
    assert orgs.SOURCES["eu"] in on["legend"] and "Red bubbles" in on["legend"]
    counts = orgs.map_counts("eu", "nuts2").set_index("region_id")["count"]
    shown = sum(int(counts[r]) for r in trace["customdata"])
    assert f"{shown:,} of {orgs.located_summary('eu')['total']:,} organisations drawn" in on["legend"]
    if organisations:
        i = trace["customdata"].index("DE11")
        assert trace["customdata"][0] == "DE11"  # the largest bubble
        assert "13 cluster organisations" in trace["hovertext"][i] and "… and 3 more" in trace["hovertext"][i]
        assert "&lt;b&gt;x&lt;/b&gt; &amp; Co" in trace["hovertext"][i]
        assert "the largest: 13 in Stuttgart" in on["legend"]
        assert "16 of 17 organisations drawn (1 not: region unknown" in on["legend"]
    # the nation-wide US level and the states place organisations; counties and economic areas do not
    us = map_outputs(_state(dataset="us", level="county", orgs="on")[0], None)
    assert bubbles(us["figure"]["data"][2]) == [] and us["figure"]["data"][2]["hoverinfo"] == "skip"
    assert "organisations are located to states only" in us["legend"] and orgs.SOURCES["us"] in us["legend"]


def test_switch_patches_only_the_layer(dash_app, organisations):
    from plotly.io.json import to_json_plotly

    from pages.map.callbacks import map_outputs

    def locations(patch):
        return {tuple(op["location"][:2]) for op in json.loads(to_json_plotly(patch.to_plotly_json()))["operations"]}

    shown_off, shown_on = _state(dataset="eu")[0], _state(dataset="eu", orgs="on")[0]
    on = map_outputs(shown_on, "eu/nuts2", shown_off)["figure"]
    assert locations(on) == {("data", 2)}  # only the switch changed: only the layer is sent
    # another setting with the layer unchanged: the Patch leaves the layer alone
    other = map_outputs(_state(dataset="eu", orgs="on", category="automotive")[0], "eu/nuts2", shown_on)["figure"]
    assert ("data", 2) not in locations(other) and ("data", 0) in locations(other)
    both = map_outputs(_state(dataset="eu", orgs="on", category="automotive")[0], "eu/nuts2", shown_off)["figure"]
    assert {("data", 0), ("data", 2)} <= locations(both)
    off = map_outputs(shown_off, "eu/nuts2", shown_on)["figure"]
    ops = {op["location"][2]: op["params"]["value"] for op in json.loads(to_json_plotly(off.to_plotly_json()))[
        "operations"] if op["location"][1] == 2}
    assert ops["customdata"] == [None] and ops["marker"]["size"] == [0] and ops["hoverinfo"] == "skip"


def test_back_and_forward_restore_the_switch(dash_app):
    from dash import no_update

    from pages.map.callbacks import PICKERS, sync_outputs

    current = {k: None for k in PICKERS} | {"dataset": "eu", "level": "nuts2", "category": "all",
                                            "metric": "employment", "year": "2015", "orgs": False}
    out = sync_outputs("map-url-pop", current, {"search": "?dataset=eu&level=nuts1&orgs=on"})
    assert out["orgs"] is True and out["level"] == "nuts1"
    # a picker change keeps the switch as it is (no output for it)
    out = sync_outputs("map-category", {**current, "orgs": True, "category": "automotive"})
    assert out["orgs"] is no_update


# ---------------------------------------------------------------------------- region and category sections


def _find(component, id_):
    if getattr(component, "id", None) == id_:
        return component
    children = getattr(component, "children", None)
    if children is None or isinstance(children, str):
        return None
    for child in children if isinstance(children, (list, tuple)) else [children]:
        hit = _find(child, id_)
        if hit is not None:
            return hit
    return None


def test_region_section_lists_grid_and_empty_state(dash_app, organisations):
    from analytics.serving import organisations as orgs
    from pages.region import ids
    from pages.region.layout import layout

    with dash_app.server.test_request_context():
        page = layout(dataset="eu", region_id="DE11")
        grid = _find(page, ids.ORGS_GRID)
        assert grid is not None and len(grid.rowData) == len(orgs.region_organisations("eu", "DE11")) > 0
        assert all(r["organisation"].startswith("[") and "](/organisation/" in r["organisation"]
                   for r in grid.rowData)
        fields = [c["field"] for c in grid.columnDefs]
        assert fields == ["organisation", "city", "category_text", "ecosystem_name"]
        country = layout(dataset="eu", region_id="DE")  # a country lists its regions' organisations
        assert "region" in [c["field"] for c in _find(country, ids.ORGS_GRID).columnDefs]
        if organisations:
            assert any(TAG_NAME in r["organisation"] for r in grid.rowData)
            assert "Mobility – Transport – Automotive" in {r["ecosystem_name"] for r in grid.rowData}
            empty = _find(layout(dataset="eu", region_id="DE13"), ids.ORGS_EMPTY)
            text = json.dumps(empty.to_plotly_json(), default=str)
            assert "No organisation located in this region" in text
            assert "/organisations?country=DE&located=no" in text
            custom = layout(dataset="eu", region_id="custom", creg="South=DE11+DE21")
            ids_ = {r["organisation"].split("](")[1] for r in _find(custom, ids.ORGS_GRID).rowData}
            assert len(ids_) == 15
            county = _find(layout(dataset="us", region_id="26163"), ids.ORGS_EMPTY)
            assert "located to states only" in json.dumps(county.to_plotly_json(), default=str)


def test_region_csv_has_the_source_and_neutralised_formulas(dash_app, organisations):
    from analytics.serving import organisations as orgs
    from pages.region.callbacks import download_organisations

    context = {"dataset": "eu", "region_id": "DE21", "path_id": "DE21", "level": "nuts2", "name": "Oberbayern",
               "creg": None}
    out = download_organisations(1, context)
    lines = out["content"].splitlines()
    assert lines[0] == "# " + orgs.SOURCES["eu"] and lines[1].startswith("# Cluster organisations located in")
    assert out["filename"] == "organisations_eu_DE21.csv"
    df = pd.read_csv(io.StringIO(out["content"]), comment="#")
    assert len(df) == len(orgs.region_organisations("eu", "DE21"))
    assert {"id", "name", "city", "category_names", "region_id"} <= set(df.columns)
    if organisations:
        assert "'=HYPERLINK(\"http://x\")" in set(df["name"])


def test_category_section_by_region_and_custom_categories(dash_app, organisations):
    from analytics.serving import organisations as orgs
    from analytics.serving.store import get_store
    from pages.category import ids
    from pages.category.callbacks import download_organisations
    from pages.category.layout import layout

    with dash_app.server.test_request_context():
        grid = _find(layout(dataset="eu", category_id="automotive"), ids.ORGS_GRID)
        expected = orgs.category_organisations("eu", "automotive")
        assert len(grid.rowData) == len(expected) > 0
        eu = orgs.frame()[orgs.frame()["dataset"] == "eu"]
        no_cat = int((eu["categories"].fillna("") == "").sum())
        assert no_cat > 0 and f"{no_cat:,} of the {len(eu):,} organisations of this dataset have no category" in \
            json.dumps(layout(dataset="eu", category_id="automotive").to_plotly_json(), default=str)
        linked = [r["region"] for r in grid.rowData if r["region"].startswith("[")]
        # a region the statistics profile links to its profile, one they lack (e.g. TR) to the directory
        known = set(get_store("eu").regions["region_id"])
        for r in linked:
            code = re.search(r"\(([A-Z]{2}[0-9A-Z]*)\)\]", r).group(1)
            assert (f"](/region/eu/{code})" in r) if code in known else ("](/organisations?region=" in r), r
        assert any("](/region/eu/" in r for r in linked)
        if organisations:
            assert grid.rowData[-1]["region"] == "region unknown"  # unknown regions last
            assert [r["region"][:18] for r in grid.rowData[:1]] == ["[Stuttgart (DE11)]"]
        custom = layout(dataset="eu", category_id="custom", ccat="Cars and pharma=cat:automotive+biopharmaceuticals;"
                                                                  "nace:13")
        cgrid = _find(custom, ids.ORGS_GRID)
        union = orgs.categories_organisations("eu", ["automotive", "biopharmaceuticals"])
        assert len(cgrid.rowData) == len(union) >= len(expected)
        assert "its industry codes (13) match no organisation" in json.dumps(custom.to_plotly_json(), default=str)
        codes_only = layout(dataset="eu", category_id="custom", ccat="Fashion=nace:13,14")
        assert _find(codes_only, ids.ORGS_GRID) is None
        assert "industry codes only" in json.dumps(codes_only.to_plotly_json(), default=str)
    out = download_organisations(1, {"dataset": "eu", "category_id": "automotive", "path_id": "automotive",
                                     "name": "Automotive", "ccat": None, "creg": None})
    assert out["content"].splitlines()[0] == "# " + orgs.SOURCES["eu"]
    df = pd.read_csv(io.StringIO(out["content"]), comment="#")
    assert len(df) == len(expected) and list(df.columns[:4]) == ["region_id", "region_name", "id", "name"]


def test_profiles_list_approved_library_documents(dash_app, tmp_path, monkeypatch):
    """An approved case tagged DE11 + automotive shows on both profiles with its download link;
    a pending one does not; a region without documents says so."""
    import io as _io

    from test_content_support import make_user, pdf_bytes

    from analytics.content import documents as docs
    from pages.category.layout import layout as category_layout
    from pages.region.layout import layout as region_layout

    url = f"sqlite:///{tmp_path / 'content.sqlite'}"
    monkeypatch.setenv("CLUSTER_LIBRARY_URL", url)
    monkeypatch.setenv("CLUSTER_UPLOAD_DIR", str(tmp_path / "uploads"))
    editor = make_user("ed@example.org", "a long enough pass 1", "editor", url)
    moderator = make_user("mod@example.org", "a long enough pass 1", "moderator", url)
    meta = {"regions": "DE11", "categories": "automotive", "year": "2019"}
    shown = docs.save_upload(editor, _io.BytesIO(pdf_bytes("a")), "case.pdf", {"title": "Stuttgart <b>case</b>", **meta},
                             url=url)
    docs.save_upload(editor, _io.BytesIO(pdf_bytes("b")), "draft.pdf", {"title": "Pending draft", **meta}, url=url)
    docs.approve_document(moderator, shown.id, url=url)
    with dash_app.server.test_request_context():
        for page in (region_layout(dataset="eu", region_id="DE11"),
                     category_layout(dataset="eu", category_id="automotive")):
            text = json.dumps(page.to_plotly_json(), default=str)
            assert "Cases and reports" in text and "Stuttgart <b>case</b>" in text  # a text node, not markup
            assert f"/library/{shown.id}/download" in text and "Pending draft" not in text
        other = json.dumps(region_layout(dataset="eu", region_id="DE13").to_plotly_json(), default=str)
        assert "No document in the library for this region yet" in other


# ---------------------------------------------------------------------------- browser


def map_ready(dash_duo):
    return dash_duo.driver.execute_script(
        f"var gd = {GD}; if (!gd || !gd._fullLayout || !gd._fullLayout.geo) return false;"
        "return !!(gd.querySelector('.geo .choroplethlayer path.choroplethlocation') && gd.data[0].z"
        " && gd.data[0].z.length);")


def n_bubbles(dash_duo) -> int:
    return dash_duo.driver.execute_script(
        f"var gd = {GD}; return gd && gd.data[2] ? gd.data[2].customdata.filter(c => c).length : -1;")


def screen_point(dash_duo, lon, lat):
    return dash_duo.driver.execute_script(
        f"var gd = {GD}; var p = gd._fullLayout.geo._subplot.projection([arguments[0], arguments[1]]);"
        "var r = gd.getBoundingClientRect(); return [r.left + p[0], r.top + p[1]];", lon, lat)


def bubbles_on_top(dash_duo) -> bool:
    """The bubbles (the geo subplot's scatter layer) are drawn after (above) the choropleth layer."""
    return dash_duo.driver.execute_script(
        f"var gd = {GD}; var geo = gd.querySelector('.geo'); if (!geo) return false;"
        "var c = geo.querySelector('.choroplethlayer'), s = geo.querySelector('.scatterlayer');"
        "return !!(c && s && s.querySelector('path.point') &&"
        " (c.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING));")


def hover_text(dash_duo) -> str:
    return dash_duo.driver.execute_script(
        "var h = document.querySelector('#map-graph .hoverlayer .hovertext'); return h ? h.textContent : '';")


def test_map_layer_toggle_hover_and_click(dash_duo, dash_app, organisations):
    from analytics.serving import organisations as orgs

    open_page(dash_duo, dash_app, "/map?dataset=eu&level=nuts2")
    wait_for(lambda: map_ready(dash_duo), timeout=60, message="the map")
    label = dash_duo.driver.find_element(By.CSS_SELECTOR, "label[for='map-orgs']")
    assert label.text.strip() == "Cluster organisations"
    assert n_bubbles(dash_duo) == 0 and "orgs" not in query(dash_duo)
    dash_duo.driver.execute_script(f"{GD}.__sameGraph = true;")
    before = update_responses(dash_duo)
    from plotly.io.json import to_json_plotly

    from components.choropleth import full_figure
    full_on = len(to_json_plotly(full_figure(_state(dataset="eu", level="nuts2", orgs="on")[0])))
    full_on += geometry_bytes("eu", "nuts2")  # the figure with its geometry (fetched once from /geo/)
    dash_duo.find_element("#map-orgs").click()
    wait_for(lambda: n_bubbles(dash_duo) > 0, message="bubbles")
    wait_for(lambda: query(dash_duo).get("orgs") == "on", message="orgs=on in the address")
    wait_for(lambda: orgs.SOURCES["eu"] in dash_duo.find_element("#map-legend").text, message="source in the legend")
    time.sleep(1)
    after = [r["decoded"] for r in update_responses(dash_duo)[len(before):]]
    assert after and max(after) < 0.5 * full_on, (after, full_on)  # a Patch of the layer: no geometry resent
    assert dash_duo.driver.execute_script(f"return {GD}.__sameGraph === true;")
    assert bubbles_on_top(dash_duo)
    shot(dash_duo, "orgs_map_on_desktop", settle=2)
    # another setting patches the regions: the bubbles stay, on top
    Select(dash_duo.driver.find_element(By.ID, "map-category")).select_by_value("automotive")
    wait_for(lambda: query(dash_duo).get("category") == "automotive", message="category=automotive")
    time.sleep(1)
    assert n_bubbles(dash_duo) > 0 and bubbles_on_top(dash_duo) and query(dash_duo).get("orgs") == "on"
    Select(dash_duo.driver.find_element(By.ID, "map-category")).select_by_value("all")
    wait_for(lambda: query(dash_duo).get("category") == "all", message="category=all")
    time.sleep(1)

    # hover the largest bubble: region, count, names (escaped), "… and N more"
    lon, lat, rid = dash_duo.driver.execute_script(
        f"var t = {GD}.data[2]; return [t.lon[0], t.lat[0], t.customdata[0]];")
    x, y = screen_point(dash_duo, lon, lat)
    ActionChains(dash_duo.driver).move_to_location(int(x), int(y)).pause(0.4).move_by_offset(1, 0).perform()
    wait_for(lambda: "cluster organisation" in hover_text(dash_duo), timeout=15, message="the bubble's hover")
    text = hover_text(dash_duo)
    assert f"({rid})" in text, text
    if organisations:
        assert TAG_NAME in text and "… and 3 more" in text, text
        bold = dash_duo.driver.execute_script(
            "return Array.from(document.querySelectorAll('#map-graph .hoverlayer .hovertext tspan'))"
            ".filter(t => t.textContent === 'x' && t.style.fontWeight === 'bold').length;")
        assert bold == 0  # the name's <b> is text, not markup
    shot(dash_duo, "orgs_map_hover_desktop", settle=0.5)

    # a click on the bubble opens the directory filtered to the region
    ActionChains(dash_duo.driver).click().perform()
    wait_for(lambda: "/organisations" in dash_duo.driver.current_url, timeout=20, message="the directory")
    q = query(dash_duo)
    assert q.get("region") == rid and q.get("dataset") == "eu", q
    # Going back to the map from here is not asserted: under load it intermittently leaves the
    # directory rendered at the map's address (an open issue), which would make this test flaky.
    # The writer's guard against a late query of another page is checked on the directory instead:
    wait_for(lambda: dash_duo.find_element("#orgs-count").text.strip(), message="the directory's count")
    time.sleep(1)  # its own address written
    shown = dash_duo.driver.current_url
    dash_duo.driver.execute_script("window.dash_clientside.url_state.write('?dataset=eu&level=nuts2', '/map');")
    assert dash_duo.driver.current_url == shown
    assert console_errors(dash_duo) == []


def test_map_layer_levels_without_places_and_phone(dash_duo, dash_app, organisations):
    open_page(dash_duo, dash_app, "/map?dataset=us&level=county&orgs=on")
    wait_for(lambda: map_ready(dash_duo), timeout=60, message="the county map")
    assert n_bubbles(dash_duo) == 0
    assert "organisations are located to states only" in dash_duo.find_element("#map-legend").text
    assert dash_duo.find_element("#map-orgs").is_selected()
    open_page(dash_duo, dash_app, "/map?dataset=us&level=state&orgs=on")
    if organisations:
        wait_for(lambda: map_ready(dash_duo) and n_bubbles(dash_duo) > 0, timeout=60, message="US state bubbles")
    else:  # the seed's US organisations have no address, so no state
        wait_for(lambda: map_ready(dash_duo), timeout=60, message="the state map")
        assert "no bubble is drawn" in dash_duo.find_element("#map-legend").text
    shot(dash_duo, "orgs_map_us_states_desktop", settle=2)
    open_page(dash_duo, dash_app, "/map?dataset=eu&orgs=on", size="phone")
    wait_for(lambda: map_ready(dash_duo) and n_bubbles(dash_duo) > 0, timeout=60, message="bubbles on a phone")
    _scroll_to(dash_duo, "#map-orgs")
    shot(dash_duo, "orgs_map_on_phone", settle=2, top=False)
    assert console_errors(dash_duo) == []


def _scroll_to(dash_duo, css):
    dash_duo.driver.execute_script("document.querySelector(arguments[0]).scrollIntoView({block: 'start'});", css)


def test_region_and_category_sections_in_the_browser(dash_duo, dash_app, organisations):
    from analytics.serving import organisations as orgs

    for size in ("desktop", "phone"):
        open_page(dash_duo, dash_app, "/region/eu/DE11", "#region-orgs", size=size)
        assert dash_duo.find_element("#region-orgs h2").text == "Cluster organisations in this region"
        wait_for(lambda: len(grid_rows(dash_duo, "region-orgs-grid")) == len(orgs.region_organisations("eu", "DE11")),
                 message="organisation rows")
        links = dash_duo.driver.find_elements(By.CSS_SELECTOR, "#region-orgs-grid .ag-cell[col-id='organisation'] a")
        assert links and all("/organisation/" in a.get_attribute("href") for a in links)
        if organisations:
            assert any(a.text == TAG_NAME for a in links)  # shown as text, not markup
        _scroll_to(dash_duo, "#region-orgs")
        shot(dash_duo, f"orgs_region_DE11_{size}", settle=1, top=False)
    open_page(dash_duo, dash_app, "/region/eu/DE13", "#region-orgs")
    if organisations:
        assert "No organisation located in this region" in dash_duo.find_element("#region-orgs-empty").text
    open_page(dash_duo, dash_app, "/category/eu/automotive", "#category-orgs")
    wait_for(lambda: grid_rows(dash_duo, "category-orgs-grid"), message="category organisation rows")
    regions = dash_duo.driver.find_elements(By.CSS_SELECTOR, "#category-orgs-grid .ag-cell[col-id='region'] a")
    assert regions and all("/region/eu/" in a.get_attribute("href") for a in regions)
    _scroll_to(dash_duo, "#category-orgs")
    shot(dash_duo, "orgs_category_automotive_desktop", settle=1, top=False)
    assert console_errors(dash_duo) == []
