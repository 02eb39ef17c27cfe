"""Maps in equal-area projections framed to the data: Europe in azimuthal equal area (LAEA-like),
the US in Albers USA, the outermost regions left out of the frame by a stated rule; stars, growth
and the no-data shades as colour scales a reader can tell apart; no request leaves the machine.

Unit tests read the figures the app builds; the browser test measures the drawn regions against
the plot box at 1400×900 and 1920×1080, records every request Chromium makes (its performance
log) on /map (Europe, US), a category page and /build, and checks that a category change keeps
the same figure object (a Patch). Screenshots go to ``screenshots/``.
"""
from __future__ import annotations

import json
import math
import shutil
import time
from urllib.parse import urlparse

import numpy as np
import pytest
from plotly.colors import hex_to_rgb, sample_colorscale, unlabel_rgb
from plotly.colors import sequential as seq

from components import choropleth as ch
from components import figures as cf
from conftest import SHOTS, free_port, wait_for

EU_LQ = {"dataset": "eu", "level": "nuts2", "category": "automotive", "metric": "lq", "year": "2014"}


def _state(**query):
    from components.routes import MAP

    return MAP.parse(query)[0]


# --- colour difference (CIEDE2000, from sRGB) -----------------------------------------------------

def _lab(colour: str) -> np.ndarray:
    rgb = np.array(hex_to_rgb(colour) if colour.startswith("#") else unlabel_rgb(colour), float) / 255
    rgb = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(lab1, lab2) -> float:
    """CIEDE2000 of two CIELAB colours."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    cbar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(cbar ** 7 / (cbar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1 = math.degrees(math.atan2(b1, a1p)) % 360
    h2 = math.degrees(math.atan2(b2, a2p)) % 360
    dh = 0.0 if c1p * c2p == 0 else (h2 - h1 - 360 if h2 - h1 > 180 else h2 - h1 + 360 if h2 - h1 < -180 else h2 - h1)
    d_h = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    lbar, cbarp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbar = h1 + h2
    elif abs(h1 - h2) <= 180:
        hbar = (h1 + h2) / 2
    else:
        hbar = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hbar - 30)) + 0.24 * math.cos(math.radians(2 * hbar))
         + 0.32 * math.cos(math.radians(3 * hbar + 6)) - 0.20 * math.cos(math.radians(4 * hbar - 63)))
    dtheta = 30 * math.exp(-(((hbar - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cbarp ** 7 / (cbarp ** 7 + 25 ** 7))
    sl = 1 + 0.015 * (lbar - 50) ** 2 / math.sqrt(20 + (lbar - 50) ** 2)
    sc, sh = 1 + 0.045 * cbarp, 1 + 0.015 * cbarp * t
    rt = -math.sin(math.radians(2 * dtheta)) * rc
    return math.sqrt(((l2 - l1) / sl) ** 2 + ((c2p - c1p) / sc) ** 2 + (d_h / sh) ** 2
                     + rt * ((c2p - c1p) / sc) * (d_h / sh))


def de(c1: str, c2: str) -> float:
    return delta_e(_lab(c1), _lab(c2))


def test_delta_e_matches_published_pairs():
    # Sharma, Wu & Dalal (2005), the CIEDE2000 test data: pairs 1 and 17
    assert delta_e((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert delta_e((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)


def _scale_colours(stops, n: int = 101) -> list[str]:
    if isinstance(stops[0], str):
        stops = [[i / (len(stops) - 1), c] for i, c in enumerate(stops)]
    return sample_colorscale(stops, list(np.linspace(0, 1, n)))


def test_no_data_and_not_published_stand_apart_from_every_scale():
    scales = {"viridis": _scale_colours(seq.Viridis), "cividis": _scale_colours(seq.Cividis),
              "diverging": _scale_colours(cf.DIVERGING), "stars": list(cf.STAR_COLOURS.values())}
    named = {"viridis ends": [seq.Viridis[0], seq.Viridis[-1]], "cividis ends": [seq.Cividis[0], seq.Cividis[-1]],
             "diverging middle": ["#f7f7f7"]}
    for shade in (cf.NO_DATA_COLOUR, cf.NOT_PUBLISHED_COLOUR):
        for name, colours in {**scales, **named}.items():
            worst = min(de(shade, c) for c in colours)
            assert worst >= 10, (shade, name, round(worst, 1))
    assert de(cf.NO_DATA_COLOUR, cf.NOT_PUBLISHED_COLOUR) >= 20
    # and the map paints them: the colour bar's band holds exactly these two shades
    s = ch.continuous(np.array([1.0, np.nan, 2.0, np.nan]), "num", "viridis", not_published=np.array([0, 0, 0, 1], bool))
    band = [c for p, c in s.colorscale if p < ch.BAND]
    assert set(band) == {cf.NO_DATA_COLOUR, cf.NOT_PUBLISHED_COLOUR}


def test_stars_are_an_ordered_blue_scale_with_a_muted_zero_and_plain_labels():
    s = ch.stepped(np.array([0, 1, 2, 3, np.nan]), 3)
    colours = [s.colorscale[2 * i][1] for i in range(len(s.tickvals))]
    assert colours[0] == cf.NO_DATA_COLOUR and colours[1:] == [cf.STAR_COLOURS[k] for k in range(4)]
    lightness = [_lab(c)[0] for c in colours[1:]]
    assert lightness == sorted(lightness, reverse=True)  # more stars, darker: an ordered scale
    assert _lab(cf.STAR_COLOURS[0])[0] > 85 and math.hypot(*_lab(cf.STAR_COLOURS[0])[1:]) < 15  # 0: pale, muted
    assert de(cf.STAR_COLOURS[0], "#fde725") > 30  # not the bright yellow of viridis
    assert s.ticktext == ["no data / not rated", "no star", "★", "★★", "★★★"]
    assert not any("/" in t and t[0].isdigit() for t in s.ticktext)  # no "0/2"-like ticks


def test_growth_limits_are_symmetric_from_the_95th_percentile_and_clip_beyond():
    values = np.array([-0.40, -0.031, -0.012, 0.0, 0.004, 0.010, 0.018, 0.022, 0.027, 0.05] + [0.01] * 30 + [np.nan])
    lo, hi, step = ch.symmetric_limits(values)
    p95 = float(np.percentile(np.abs(values[np.isfinite(values)]), 95))
    assert lo == -hi and p95 <= hi < p95 + step
    s = ch.continuous(values, "signed_pct", "viridis", diverging=True)
    assert s.ticktext[-1].startswith("≥ ") and s.ticktext[ch.BAND and 1].startswith("≤ ")  # both ends clipped
    assert "symmetric limits ±" in s.note and "95th percentile of |value|" in s.note and "clipped" in s.note
    # the middle of the colour range is 0
    mid = [p for p, c in s.colorscale if c == "#f7f7f7"][0]
    enc = s.tickvals[s.ticktext.index("0 %")] / ch.RES
    assert enc == pytest.approx(mid, abs=0.002)


def test_figures_use_the_datasets_projections():
    eu = ch.full_figure(_state(**EU_LQ))
    us = ch.full_figure(_state(dataset="us", level="county"))
    for fig in (eu, us):
        assert "map" not in fig["layout"] and fig["layout"]["geo"]["visible"] is False
        assert [t["type"] for t in fig["data"]] == ["choropleth", "choropleth", "scattergeo"]
        assert fig["data"][0]["geojson"].startswith("/geo/") and fig["data"][0]["featureidkey"] == "id"
    proj = eu["layout"]["geo"]["projection"]
    assert proj["type"] == "azimuthal equal area" and (proj["rotation"]["lon"], proj["rotation"]["lat"]) == (10, 52)
    assert us["layout"]["geo"]["projection"]["type"] == "albers usa"
    picker = ch.picker_figure("eu", "nuts2", [0.0] * 334, 380)
    assert picker["layout"]["geo"]["projection"] == proj and picker["data"][0]["type"] == "choropleth"
    assert ch.picker_figure("us", "state", [0.0] * 51, 380)["layout"]["geo"]["projection"]["type"] == "albers usa"
    from pages.category.callbacks import category_outputs
    context = {"dataset": "eu", "category_id": "automotive", "name": "Automotive", "path_id": "automotive"}
    cat_map = category_outputs(context, 2014, "nuts2")["map"]
    assert cat_map["layout"]["geo"]["projection"] == proj and cat_map["layout"]["height"] > 0


def test_outermost_regions_and_regions_without_data_do_not_set_europes_frame():
    from analytics.serving.store import get_store

    store = get_store("eu")
    level, frame = ch.frame_regions("eu")
    assert level == "nuts2"
    with_data = set(store.level_metrics("nuts2")["region_id"])
    outermost = {"ES70", "PT20", "PT30", "FRY1", "FRY2", "FRY3", "FRY4", "FRY5"}
    assert not outermost & set(frame)
    assert set(frame) == {r for r in store.map_regions("nuts2")[0] if r in with_data} - outermost
    assert {"IS00", "CY00"} <= set(frame)  # Iceland and Cyprus have data: they set the frame
    view = ch.eu_view("eu")
    lon, lat = view["lonaxis"]["range"], view["lataxis"]["range"]
    feats = {f["id"]: f for f in store.geometry("nuts2")["features"]}
    # every framed region lies inside the box; every outermost region, and any region without data, that
    # lies outside it (Canarias, the Azores, Madeira, the French overseas regions, Svalbard, eastern Turkey)
    for rid in frame:
        pts = ch._points(feats[rid]["geometry"])
        assert lon[0] <= pts[:, 0].min() and pts[:, 0].max() <= lon[1], rid
        assert lat[0] <= pts[:, 1].min() and pts[:, 1].max() <= lat[1], rid
    for rid in outermost & set(feats):
        pts = ch._points(feats[rid]["geometry"])
        assert pts[:, 0].max() < lon[0] or pts[:, 1].max() < lat[0] or pts[:, 0].min() > lon[1], rid
    assert lat[1] < 76  # Svalbard (NO0B, no data) would take the frame to 80° N
    assert lon[1] < 40  # Turkey (no data) would take it to 45° E
    # the rule is said where the map is
    legend = ch.legend_note(_state(**EU_LQ))
    assert "outermost regions" in legend and "Canarias" in legend
    assert "Albers USA" in ch.legend_note(_state(dataset="us"))


def test_title_and_source_are_in_the_figure_and_the_title_follows_the_patch():
    state = _state(**EU_LQ)
    fig = ch.full_figure(state)
    title = fig["layout"]["title"]["text"]
    assert "Location quotient" in title and "Automotive" in title and "2014" in title and "NUTS 2" in title
    assert "Europe" in title and "benchmark" in title and "total employment" in title
    assert fig["layout"]["title"]["font"]["size"] >= 13
    source = [a for a in fig["layout"]["annotations"] if a.get("name") == "source"]
    assert source and "Eurostat" in source[0]["text"] and source[0]["font"]["size"] >= 13
    assert fig["data"][0]["colorbar"]["tickfont"]["size"] >= 13
    patch = ch.patch_figure(_state(**{**EU_LQ, "category": "biopharmaceuticals", "year": "2015"})).to_plotly_json()
    ops = {tuple(op["location"]): op for op in patch["operations"]}
    new_title = ops[("layout", "title", "text")]["params"]["value"]
    assert "Biopharmaceuticals" in new_title and "2015" in new_title
    assert any("Eurostat" in a["text"] for a in ops[("layout", "annotations")]["params"]["value"])


def test_a_dataset_switch_takes_its_default_rules_and_denominator(dash_app):
    from analytics.serving.store import get_store
    from components.routes import MAP
    from pages.map import ids
    from pages.map.callbacks import picker_values, sync_state

    eu = _state(dataset="eu", rules="eco2008", denominator="total")
    current = {**picker_values(eu), "dataset": "us"}
    state, out = sync_state(ids.DATASET, current)
    meta = get_store("us").meta
    assert (state["rules"], state["denominator"]) == (meta["default_rules"], meta["default_denominator"])
    assert (out["rules"], out["denominator"]) == (meta["default_rules"], meta["default_denominator"])
    back, out = sync_state(ids.DATASET, {**picker_values(state), "dataset": "eu"})
    assert (back["rules"], back["denominator"]) == (get_store("eu").meta["default_rules"],
                                                   get_store("eu").meta["default_denominator"])
    # another picker keeps the rules the reader chose; a link that sets them still wins on load
    kept, _ = sync_state(ids.YEAR, {**picker_values(state), "rules": "eco2008"})
    assert kept["rules"] == "eco2008"
    assert MAP.parse({"dataset": "us", "rules": "eco2008", "denominator": "total"})[0]["rules"] == "eco2008"


def test_an_empty_base_map_is_served_locally(dash_app):
    client = dash_app.server.test_client()
    r = client.get("/basemap/world_110m.json")
    body = json.loads(r.data)
    assert r.status_code == 200 and body["type"] == "Topology" and "land" in body["objects"]
    assert client.get("/basemap/usa_50m.json").status_code == 200
    assert client.get("/basemap/World$.json").status_code == 404
    assert b"Topology" not in client.get("/basemap/..%2fsecret.json").data  # no other file, no topology
    assert cf.graph_config("x")["topojsonURL"] == "/basemap/"


# --- in a browser -----------------------------------------------------------------------------------

FILL_JS = r"""
var gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
if (!gd || !gd._fullLayout || !gd._fullLayout.geo) return null;
// the plot box: the figure less its margins (title on top, source below), not the geo subplot's own
// frame, which plotly already fits to the projection's aspect
var trace = gd.querySelector('.geo .choroplethlayer .trace'), sz = gd._fullLayout._size;
if (!trace || !sz) return null;
var g = gd.getBoundingClientRect();
var b = {left: g.left + sz.l, top: g.top + sz.t, width: sz.w, height: sz.h};
b.right = b.left + b.width; b.bottom = b.top + b.height;
var x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9, n = 0;
trace.querySelectorAll('path.choroplethlocation').forEach(function (p) {
  var r = p.getBoundingClientRect();
  var l = Math.max(r.left, b.left), rt = Math.min(r.right, b.right), t = Math.max(r.top, b.top), bt = Math.min(r.bottom, b.bottom);
  if (rt <= l || bt <= t) return;
  n++; x0 = Math.min(x0, l); x1 = Math.max(x1, rt); y0 = Math.min(y0, t); y1 = Math.max(y1, bt);
});
return {n: n, w: (x1 - x0) / b.width, h: (y1 - y0) / b.height, box: [b.width, b.height]};
"""


def _driver(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    options = Options()
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", f"--window-size={width},{height}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options)
    driver.set_window_size(width, height)
    return driver


def _requested(driver) -> list[str]:
    """Every URL the page asked for since the last call (Chromium's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def _outside(urls: list[str]) -> list[str]:
    return [u for u in urls if not u.startswith(("data:", "blob:", "about:"))
            and urlparse(u).hostname not in ("127.0.0.1", "localhost")]


def _open(driver, url: str, graph: str = "#map-graph", timeout: float = 90) -> dict:
    driver.get(url)
    wait_for(lambda: driver.execute_script(FILL_JS, graph), timeout=timeout, message=f"regions drawn on {url}")
    time.sleep(1.5)  # let plotly finish (the colour bar, a second draw on resize)
    return driver.execute_script(FILL_JS, graph)


VIEWS = {"eu_nuts2": "/map?dataset=eu&level=nuts2", "us_states": "/map?dataset=us&level=state",
         "us_counties": "/map?dataset=us&level=county"}


@pytest.mark.browser
def test_default_views_fill_the_frame_and_nothing_leaves_the_machine(dash_duo, dash_app):
    dash_duo.start_server(dash_app, port=free_port())
    base = dash_duo.server_url
    SHOTS.mkdir(exist_ok=True)
    fills, outside = {}, []
    for (w, h) in ((1400, 900), (1920, 1080), (390, 844)):
        driver = _driver(w, h)
        try:
            for name, path in VIEWS.items():
                fill = _open(driver, base + path)
                driver.save_screenshot(str(SHOTS / f"projection_{name}_{w}x{h}.png"))
                outside += _outside(_requested(driver))
                if w >= 1400:
                    fills[f"{name}@{w}x{h}"] = fill
                    assert fill["n"] > 40, (name, fill)
                    # of the plot box (the figure less its margins), along the limiting dimension: the projection
                    # keeps its aspect, so a square-ish Europe in a landscape box fills its height
                    assert max(fill["w"], fill["h"]) >= 0.8, (name, w, h, fill)
            if w == 1400:
                _open(driver, base + "/category/eu/automotive", graph="#category-map")
                outside += _outside(_requested(driver))
                driver.get(base + "/build")
                wait_for(lambda d=driver: d.execute_script(FILL_JS, "#build-reg-map"), timeout=60, message="picker")
                time.sleep(1)
                outside += _outside(_requested(driver))
                assert driver.execute_script(
                    "return document.querySelector('#build-reg-map .js-plotly-plot')._fullLayout.geo.projection.type;"
                ) == "azimuthal equal area"
        finally:
            driver.quit()
    print(json.dumps(fills, indent=1))
    assert outside == [], outside


@pytest.mark.browser
def test_a_category_change_patches_the_same_geo_figure(dash_duo, dash_app):
    from conftest import open_page, update_responses

    open_page(dash_duo, dash_app, "/map?dataset=eu&level=nuts2&category=automotive&metric=lq&year=2014")
    wait_for(lambda: dash_duo.driver.execute_script(FILL_JS, "#map-graph"), timeout=60, message="the map")
    gd = "document.querySelector('#map-graph .js-plotly-plot')"
    dash_duo.driver.execute_script(f"var gd = {gd}; gd.__same = 1; gd._fullLayout.geo._subplot.__same = 1;")
    z0 = dash_duo.driver.execute_script(f"return {gd}.data[0].z;")
    before = len(update_responses(dash_duo))
    dash_duo.driver.execute_script("window.dash_clientside.set_props('map-category', {value: 'biopharmaceuticals'});")
    wait_for(lambda: dash_duo.driver.execute_script(f"return {gd}.data[0].z;") != z0, message="new values")
    wait_for(lambda: "Biopharmaceuticals" in dash_duo.driver.execute_script(
        f"return {gd}._fullLayout.title.text;"), message="the title follows")
    assert dash_duo.driver.execute_script(f"var gd = {gd}; return [gd.__same, gd._fullLayout.geo._subplot.__same];") \
        == [1, 1]  # the same graph and the same geo subplot: recoloured, not rebuilt
    after = update_responses(dash_duo)[before:]
    assert after and max(r["decoded"] for r in after) < 60_000, after
    title = dash_duo.driver.execute_script(f"return {gd}.querySelector('.gtitle').textContent;")
    assert "Biopharmaceuticals" in title
