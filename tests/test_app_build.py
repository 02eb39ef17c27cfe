"""Builder (/build) and custom definitions on the map and the profiles.

Callback-level tests call the page and callback functions directly; browser tests (marker
``browser``) drive the app in headless Chromium with dash_duo. The library is a temporary
SQLite database (CLUSTER_LIBRARY_URL is set before the app is imported).
Screenshots go to ``screenshots/build_*.png``.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

_TMP = tempfile.mkdtemp(prefix="cluster-library-")
os.environ["CLUSTER_LIBRARY_URL"] = f"sqlite:///{_TMP}/library.sqlite"

from layouts import ids  # noqa: E402

SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
FASHION = "Fashion=nace:13,14,15"
ORESUND = "Øresund=DK01+DK02+SE22"


@pytest.fixture(scope="module")
def dash_app():
    from app import app

    return app


def fashion_sum(year=None) -> float:
    from analytics.serving.store import get_store

    store = get_store("eu")
    f = store.facts(store.meta["benchmark_level"])
    year = year or int(f["year"].max())
    return float(f[(f["year"] == year) & f["industry"].isin(["C13", "C14", "C15"])]["employment"].sum())


def oresund_sum(year=2015) -> float:
    from analytics.serving.store import get_store

    ind = get_store("eu").indicators
    return float(ind[ind["region_id"].isin(["DK01", "DK02", "SE22"]) & (ind["year"] == year)]["total_employment"].sum())


# --- callback level (no browser) ------------------------------------------------------------------

def test_category_preview_and_links(dash_app):
    from callbacks import build_callbacks as bc

    spec, problem, valid, total, rows = bc.category_preview("eu", "Fashion", [], ["13", "14", "15"])
    assert problem is None and valid == FASHION and len(rows) == 3
    assert abs(sum(r["employment"] for r in rows) - fashion_sum()) < 1e-6
    out = bc.update_category("eu", "Fashion", [], ["13", "14", "15"])
    assert out[7].startswith("/map?dataset=eu&category=custom&metric=lq&ccat=") and out[8] is False
    for name, inds, message in (("", ["13"], "name is empty"), ("X", ["99"], "Unknown NACE"),
                                ("x" * 80, ["13"], "at most 60")):
        _, problem, valid, _, _ = bc.category_preview("eu", name, [], inds)
        assert valid is None and message in problem


def test_region_preview_refuses_overlap(dash_app):
    from callbacks import build_callbacks as bc

    spec, problem, valid, summary = bc.region_preview("eu", "Øresund", ["DK01", "DK02", "SE22"])
    assert valid == ORESUND and problem is None
    _, problem, valid, _ = bc.region_preview("eu", "X", ["DK0", "DK01"])
    assert valid is None and "overlap" in problem and "DK0" in problem


def test_map_custom_category_values(dash_app):
    from analytics.serving import custom
    from analytics.serving.store import get_store
    from callbacks import map_figure as mf
    from callbacks import map_data as md
    from layouts import map_state as ms

    state, notes = ms.resolve({"dataset": "eu", "ccat": FASHION, "metric": "lq"})
    assert notes == [] and state["category"] == "custom" and state["ccat"] == FASHION
    assert "ccat=Fashion%3Dnace%3A13%2C14%2C15" in ms.to_query(state)
    frame = md.view_table(*[state[k] for k in ("dataset", "level", "category", "metric", "year")], None,
                          state["rules"], state["denominator"], state["ccat"])
    store = get_store("eu")
    rows = custom.custom_table(store, state["level"], state["year"], state["rules"], state["denominator"],
                               cc=custom.parse_category(FASHION, store)).set_index("region_id")["lq"]
    got = frame.set_index("region_id")["value"].dropna()
    assert len(got) > 200 and (got - rows.reindex(got.index)).abs().max() < 1e-9
    assert mf.full_figure(state)["data"][0]["z"]
    bad, notes = ms.resolve({"dataset": "eu", "ccat": "Fashion=nace:99"})
    assert bad["category"] == "all" and "Unknown NACE division code(s): 99" in notes[0]


def test_us_county_not_published(dash_app):
    from callbacks import map_figure as mf
    from layouts import map_state as ms

    state, _ = ms.resolve({"dataset": "us", "level": "county", "category": "automotive", "metric": "lq"})
    tu = mf.trace_update(state)
    assert "not publ." in tu["colorbar"]["ticktext"]
    assert any(c and c[0] == "not published" for c in tu["customdata"])
    assert "not published (fewer than 3 establishments, or none)" in mf.legend_note(state)


def test_custom_region_profile_callbacks(dash_app):
    from callbacks import region_callbacks as rc

    context = {"dataset": "eu", "region_id": "custom", "creg": ORESUND}
    out = rc.update_region(2015, 2011, "eco2008", "total", context)
    assert out[1] == {} and len(out[4]) > 30
    text = str(out[3])
    assert "would rank" in text and f"{oresund_sum():,.0f}" in text
    csv = rc.portfolio_csv("eu", "custom", 2015, 2011, "eco2008", "total", ORESUND)
    assert csv["content"].startswith("# Source")


def test_library_actions(dash_app):
    from callbacks import build_callbacks as bc

    lib = bc.library()
    assert lib.url.startswith("sqlite:///" + _TMP)
    msg, colour = bc.library_action(ids.BUILD_CAT_SAVE, "eu", "Lib=nace:13", None, None, None)
    assert colour == "success"
    msg, colour = bc.library_action(ids.BUILD_CAT_SAVE, "eu", "Lib=nace:13", None, None, None)
    assert colour == "danger" and "already saved" in msg
    d = [d for d in lib.list() if d.name == "Lib"][0]
    msg, colour = bc.library_action(ids.BUILD_LIB_RENAME, "eu", None, None, d.id, "")
    assert colour == "danger" and lib.get(d.id).name == "Lib"  # nothing lost on failure
    msg, colour = bc.library_action(ids.BUILD_LIB_CONFIRM, "eu", None, None, d.id, None)
    assert colour == "success" and all(x.id != d.id for x in lib.list())


# --- browser --------------------------------------------------------------------------------------

def wait_for(predicate, timeout=40, interval=0.2, message="condition"):
    end = time.time() + timeout
    while time.time() < end:
        try:
            value = predicate()
            if value:
                return value
        except Exception:  # noqa: BLE001
            pass
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")


def pick(dash_duo, dropdown_id: str, search: str, label_start: str):
    """Open a (multi) dcc.Dropdown, type into its search box and click the option."""
    driver = dash_duo.driver
    driver.find_element(By.CSS_SELECTOR, f"#{dropdown_id}").click()
    box = wait_for(lambda: driver.find_element(By.CSS_SELECTOR, ".dash-dropdown-search"), message="search box")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(search)

    def click_option():  # options may re-render while we look: find and click in one go, retried
        for o in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option"):
            if label_start in o.text:
                o.click()
                return True
        return False
    wait_for(click_option, message=f"option {label_start}")
    try:
        driver.find_element(By.CSS_SELECTOR, ".dash-dropdown-search").send_keys(Keys.ESCAPE)
    except Exception:  # noqa: BLE001  (single dropdowns close on their own)
        pass
    time.sleep(0.3)


def text_of(dash_duo, selector):
    return dash_duo.driver.find_element(By.CSS_SELECTOR, selector).text


def shot(dash_duo, name):
    SHOTS.mkdir(exist_ok=True)
    dash_duo.driver.set_window_size(1400, 900)
    time.sleep(0.8)
    dash_duo.driver.save_screenshot(str(SHOTS / f"build_{name}.png"))


def click(dash_duo, element_id):
    el = dash_duo.find_element(f"#{element_id}")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", el)


def type_name(dash_duo, input_id, name):
    el = dash_duo.find_element(f"#{input_id}")
    el.clear()
    el.send_keys(name, Keys.TAB)


@pytest.mark.browser
def test_build_fashion_then_map(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/build", timeout=40)
    dash_duo.wait_for_element(f"#{ids.BUILD_CAT_NAME}", timeout=40)
    assert dash_duo.get_logs() == []
    type_name(dash_duo, ids.BUILD_CAT_NAME, "Fashion")
    for code in ("13", "14", "15"):
        pick(dash_duo, ids.BUILD_CAT_INDUSTRIES, f"C{code}", f"C{code}")
    wait_for(lambda: text_of(dash_duo, f"#{ids.BUILD_CAT_SPEC}") == FASHION, message="spec")
    wait_for(lambda: "3 member industries" in text_of(dash_duo, f"#{ids.BUILD_CAT_TOTAL}"), message="preview")
    assert text_of(dash_duo, "#build-cat-total-value") == f"{fashion_sum():,.0f}"
    assert "ccat=Fashion" in dash_duo.driver.current_url
    shot(dash_duo, "category")
    click(dash_duo, ids.BUILD_CAT_MAP_LINK)
    wait_for(lambda: "/map" in dash_duo.driver.current_url, message="map page")
    gd = "document.querySelector('#map-graph .js-plotly-plot')"
    z = wait_for(lambda: dash_duo.driver.execute_script(f"var g={gd}; return g && g.data ? g.data[0].z : null;"),
                 timeout=60, message="map z")
    sel = dash_duo.find_element(f"#{ids.MAP_CATEGORY}")
    assert sel.get_attribute("value") == "custom"
    assert "Fashion (custom)" in sel.text
    # the figure's z encode the custom_table LQs: compare with the server's own trace for the state
    from callbacks import map_figure as mf
    from layouts import map_state as ms

    state, _ = ms.resolve({"dataset": "eu", "ccat": FASHION, "metric": "lq"})
    assert z == mf.trace_update(state)["z"]
    assert "ccat=Fashion" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


@pytest.mark.browser
def test_build_oresund_then_profile(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/build", timeout=40)
    dash_duo.wait_for_element(f"#{ids.BUILD_REG_NAME}", timeout=40)
    type_name(dash_duo, ids.BUILD_REG_NAME, "Øresund")
    for code in ("DK01", "DK02", "SE22"):
        pick(dash_duo, ids.BUILD_REG_MEMBERS, code, f"({code})")
    wait_for(lambda: text_of(dash_duo, f"#{ids.BUILD_REG_SPEC}") == ORESUND, message="region spec")
    wait_for(lambda: text_of(dash_duo, "#build-reg-total-value") == f"{oresund_sum():,.0f}", message="total")
    # one click on the map toggles a member (simulated clickData: the same path as a real click)
    dash_duo.driver.execute_script(
        "window.dash_clientside.set_props('build-reg-map', {clickData: {points: [{location: 'SE22'}]}});")
    wait_for(lambda: text_of(dash_duo, f"#{ids.BUILD_REG_SPEC}") == "Øresund=DK01+DK02", message="toggle off")
    dash_duo.driver.execute_script(
        "window.dash_clientside.set_props('build-reg-map', {clickData: {points: [{location: 'SE22'}]}});")
    wait_for(lambda: text_of(dash_duo, f"#{ids.BUILD_REG_SPEC}") == ORESUND, message="toggle on")
    shot(dash_duo, "region")
    click(dash_duo, ids.BUILD_REG_PROFILE_LINK)
    wait_for(lambda: "/region/eu/custom" in dash_duo.driver.current_url, message="profile")
    wait_for(lambda: "would rank" in text_of(dash_duo, f"#{ids.REGION_KEYFIGS}"), timeout=60, message="keyfigs")
    assert f"{oresund_sum():,.0f}" in text_of(dash_duo, f"#{ids.REGION_KEYFIGS}")
    shot(dash_duo, "region_profile")
    assert dash_duo.get_logs() == []


@pytest.mark.browser
def test_build_overlap_library_and_escaping(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    url = "/build?dataset=eu&creg=" + quote("X=DK0+DK01", safe="")
    dash_duo.wait_for_page(url=dash_duo.server_url + url, timeout=40)
    # a malformed spec in the link: message, empty builder
    wait_for(lambda: "overlap" in text_of(dash_duo, f"#{ids.BUILD_MESSAGE}"), message="link message")
    # refusing DK0 + DK01 in the builder itself
    type_name(dash_duo, ids.BUILD_REG_NAME, "Overlap")
    pick(dash_duo, ids.BUILD_REG_MEMBERS, "DK0", "(DK0)")
    pick(dash_duo, ids.BUILD_REG_MEMBERS, "DK01", "(DK01)")
    wait_for(lambda: "counted twice" in text_of(dash_duo, f"#{ids.BUILD_REG_FEEDBACK}"), message="overlap msg")
    assert dash_duo.find_element(f"#{ids.BUILD_REG_SAVE}").get_attribute("disabled") is not None
    # save a category named <b>x</b>: shown as literal text
    type_name(dash_duo, ids.BUILD_CAT_NAME, "<b>x</b>")
    pick(dash_duo, ids.BUILD_CAT_INDUSTRIES, "C13", "C13")
    wait_for(lambda: dash_duo.find_element(f"#{ids.BUILD_CAT_SAVE}").get_attribute("disabled") is None,
             message="save enabled")
    click(dash_duo, ids.BUILD_CAT_SAVE)
    wait_for(lambda: "Saved the category" in text_of(dash_duo, f"#{ids.BUILD_LIB_MESSAGE}"), message="saved")
    wait_for(lambda: "<b>x</b>" in text_of(dash_duo, f"#{ids.BUILD_LIB_TABLE}"), message="literal name")
    assert not dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.BUILD_LIB_TABLE} b")
    # rename
    pick(dash_duo, ids.BUILD_LIB_SELECT, "", "<b>x</b>")
    type_name(dash_duo, ids.BUILD_LIB_NEW_NAME, "Textiles")
    click(dash_duo, ids.BUILD_LIB_RENAME)
    wait_for(lambda: "Renamed" in text_of(dash_duo, f"#{ids.BUILD_LIB_MESSAGE}"), message="renamed")
    wait_for(lambda: "Textiles" in text_of(dash_duo, f"#{ids.BUILD_LIB_TABLE}"), message="renamed in list")
    shot(dash_duo, "library")
    # delete (confirm dialog → accept)
    pick(dash_duo, ids.BUILD_LIB_SELECT, "Textiles", "Textiles")
    click(dash_duo, ids.BUILD_LIB_DELETE)
    wait_for(lambda: dash_duo.driver.switch_to.alert, message="confirm").accept()
    wait_for(lambda: "Deleted" in text_of(dash_duo, f"#{ids.BUILD_LIB_MESSAGE}"), message="deleted")
    wait_for(lambda: "Textiles" not in text_of(dash_duo, f"#{ids.BUILD_LIB_TABLE}"), message="gone")


@pytest.mark.browser
def test_malformed_ccat_on_map_and_profile(dash_duo, dash_app):
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/map?dataset=eu&ccat=" + quote("Fashion", safe=""), timeout=40)
    wait_for(lambda: "Name=" in text_of(dash_duo, f"#{ids.MAP_NOTE}"), message="map note")
    assert dash_duo.find_element(f"#{ids.MAP_CATEGORY}").get_attribute("value") == "all"
    dash_duo.wait_for_page(url=dash_duo.server_url + "/category/eu/custom?ccat=" + quote(FASHION, safe=""),
                           timeout=40)
    wait_for(lambda: "Manufacture of textiles" in text_of(dash_duo, f"#{ids.CATEGORY_MEMBERS}"), timeout=60,
             message="members")
    shot(dash_duo, "category_profile")
    assert dash_duo.get_logs() == []
