"""Builder (/build) and the library: callback-level tests and browser tests.

Callback-level tests call the page's functions directly (outputs read by name); browser tests
drive the app in headless Chromium with dash_duo. The library is the session's private SQLite
database (``tests/conftest.py``). Screenshots go to ``screenshots/build_*.png``.
"""
from __future__ import annotations

import time
from urllib.parse import parse_qs, quote

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import console_errors, open_page, query, wait_for
from conftest import shot as page_shot
from pages.build import ids
from pages.category import ids as category_ids
from pages.map import ids as map_ids
from pages.region import ids as region_ids

FASHION = "Fashion=nace:13,14,15"
ORESUND = "Øresund=DK01+DK02+SE22"


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
    from pages.build import callbacks as bc

    p = bc.category_preview("eu", "Fashion", [], ["13", "14", "15"])
    assert p["problem"] is None and p["valid"] == FASHION and len(p["rows"]) == 3
    assert abs(sum(r["employment"] for r in p["rows"]) - fashion_sum()) < 1e-6
    out = bc.update_category("eu", "Fashion", [], ["13", "14", "15"])
    assert out["map_href"].startswith("/map?dataset=eu&category=custom&metric=lq&ccat=") and not out["map_disabled"]
    assert out["profile_href"] == "/category/eu/custom?ccat=" + quote(FASHION, safe="")
    for name, inds, message in (("", ["13"], "name is empty"), ("X", ["99"], "Unknown NACE"),
                                ("x" * 80, ["13"], "at most 60")):
        p = bc.category_preview("eu", name, [], inds)
        assert p["valid"] is None and message in p["problem"]


def test_region_preview_refuses_overlap_and_links_work(dash_app):
    from components.routes import COMPARE
    from pages.build import callbacks as bc

    p = bc.region_preview("eu", "Øresund", ["DK01", "DK02", "SE22"])
    assert p["valid"] == ORESUND and p["problem"] is None
    p = bc.region_preview("eu", "X", ["DK0", "DK01"])
    assert p["valid"] is None and "overlap" in p["problem"] and "DK0" in p["problem"]
    out = bc.update_region("eu", "Øresund", ["DK01", "DK02", "SE22"])
    # the builder's links open the pages without any "unknown setting" note
    state, notes = COMPARE.parse({k: v[0] for k, v in parse_qs(out["compare_href"].split("?", 1)[1]).items()})
    assert notes == [] and state["creg"] == ORESUND
    assert out["map_href"].startswith("/map?dataset=eu&level=nuts2&creg=")


def test_library_actions(dash_app, private_library):
    from analytics.serving.library import get_library
    from pages.build import callbacks as bc

    lib = get_library()
    assert lib.url == private_library
    msg, colour = bc.library_action(ids.CAT_SAVE, "eu", "Lib=nace:13", None, None, None)
    assert colour == "success"
    msg, colour = bc.library_action(ids.CAT_SAVE, "eu", "Lib=nace:13", None, None, None)
    assert colour == "danger" and "already saved" in msg
    d = [d for d in lib.list() if d.name == "Lib"][0]
    msg, colour = bc.library_action(ids.LIB_RENAME, "eu", None, None, d.id, "")
    assert colour == "danger" and lib.get(d.id).name == "Lib"  # nothing lost on failure
    msg, colour = bc.library_action(ids.LIB_CONFIRM, "eu", None, None, d.id, None)
    assert colour == "success" and all(x.id != d.id for x in lib.list())


# --- browser --------------------------------------------------------------------------------------

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
    page_shot(dash_duo, f"build_{name}", settle=0.8, top=False)


def click(dash_duo, element_id):
    el = dash_duo.find_element(f"#{element_id}")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", el)


def type_name(dash_duo, input_id, name):
    """Replace the text of a (debounced) input in one change, as a user selecting all and typing does."""
    el = dash_duo.find_element(f"#{input_id}")
    el.send_keys(Keys.CONTROL, "a")
    el.send_keys(name, Keys.TAB)


def test_build_fashion_then_map(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/build", f"#{ids.CAT_NAME}")
    assert console_errors(dash_duo) == []
    type_name(dash_duo, ids.CAT_NAME, "Fashion")
    for code in ("13", "14", "15"):
        pick(dash_duo, ids.CAT_INDUSTRIES, f"C{code}", f"C{code}")
    wait_for(lambda: text_of(dash_duo, f"#{ids.CAT_SPEC}") == FASHION, message="spec")
    wait_for(lambda: "3 member industries" in text_of(dash_duo, f"#{ids.CAT_TOTAL}"), message="preview")
    assert text_of(dash_duo, "#build-cat-total-value") == f"{fashion_sum():,.0f}"
    assert "ccat=Fashion" in dash_duo.driver.current_url
    shot(dash_duo, "category")
    click(dash_duo, ids.CAT_MAP_LINK)
    wait_for(lambda: "/map" in dash_duo.driver.current_url, message="map page")
    gd = "document.querySelector('#map-graph .js-plotly-plot')"
    z = wait_for(lambda: dash_duo.driver.execute_script(f"var g={gd}; return g && g.data ? g.data[0].z : null;"),
                 timeout=60, message="map z")
    sel = dash_duo.find_element(f"#{map_ids.CATEGORY}")
    assert sel.get_attribute("value") == "ccat:" + FASHION
    assert "Fashion (custom)" in sel.text
    # the figure's z encode the custom category's LQs: compare with the server's own trace for the state
    from components import choropleth as ch
    from components.routes import MAP

    state, _ = MAP.parse({"dataset": "eu", "ccat": FASHION, "metric": "lq"})
    assert z == ch.trace_update(state)["regions"]["z"]
    assert "ccat=Fashion" in dash_duo.driver.current_url
    assert console_errors(dash_duo) == []


def test_build_oresund_then_profile(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/build", f"#{ids.REG_NAME}")
    type_name(dash_duo, ids.REG_NAME, "Øresund")
    for code in ("DK01", "DK02", "SE22"):
        pick(dash_duo, ids.REG_MEMBERS, code, f"({code})")
    wait_for(lambda: text_of(dash_duo, f"#{ids.REG_SPEC}") == ORESUND, message="region spec")
    wait_for(lambda: text_of(dash_duo, "#build-reg-total-value") == f"{oresund_sum():,.0f}", message="total")
    # one click on the map toggles a member (simulated clickData: the same path as a real click)
    dash_duo.driver.execute_script(
        "window.dash_clientside.set_props('build-reg-map', {clickData: {points: [{location: 'SE22'}]}});")
    wait_for(lambda: text_of(dash_duo, f"#{ids.REG_SPEC}") == "Øresund=DK01+DK02", message="toggle off")
    dash_duo.driver.execute_script(
        "window.dash_clientside.set_props('build-reg-map', {clickData: {points: [{location: 'SE22'}]}});")
    wait_for(lambda: text_of(dash_duo, f"#{ids.REG_SPEC}") == ORESUND, message="toggle on")
    shot(dash_duo, "region")
    click(dash_duo, ids.REG_PROFILE_LINK)
    wait_for(lambda: "/region/eu/custom" in dash_duo.driver.current_url, message="profile")
    wait_for(lambda: "would rank" in text_of(dash_duo, f"#{region_ids.KEYFIGS}"), timeout=60, message="keyfigs")
    assert f"{oresund_sum():,.0f}" in text_of(dash_duo, f"#{region_ids.KEYFIGS}")
    shot(dash_duo, "region_profile")
    assert console_errors(dash_duo) == []


def test_build_overlap_library_and_escaping(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/build?dataset=eu&creg=" + quote("X=DK0+DK01", safe=""))
    # a malformed spec in the link: message, empty builder
    wait_for(lambda: "overlap" in text_of(dash_duo, f"#{ids.MESSAGE}"), message="link message")
    # refusing DK0 + DK01 in the builder itself
    type_name(dash_duo, ids.REG_NAME, "Overlap")
    pick(dash_duo, ids.REG_MEMBERS, "DK0", "(DK0)")
    pick(dash_duo, ids.REG_MEMBERS, "DK01", "(DK01)")
    wait_for(lambda: "counted twice" in text_of(dash_duo, f"#{ids.REG_FEEDBACK}"), message="overlap msg")
    assert dash_duo.find_element(f"#{ids.REG_SAVE}").get_attribute("disabled") is not None
    # save a category named <b>x</b>: shown as literal text
    type_name(dash_duo, ids.CAT_NAME, "<b>x</b>")
    pick(dash_duo, ids.CAT_INDUSTRIES, "C13", "C13")
    wait_for(lambda: dash_duo.find_element(f"#{ids.CAT_SAVE}").get_attribute("disabled") is None,
             message="save enabled")
    click(dash_duo, ids.CAT_SAVE)
    wait_for(lambda: "Saved the category" in text_of(dash_duo, f"#{ids.LIB_MESSAGE}"), message="saved")
    wait_for(lambda: "<b>x</b>" in text_of(dash_duo, f"#{ids.LIB_TABLE}"), message="literal name")
    assert not dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.LIB_TABLE} b")
    # rename
    pick(dash_duo, ids.LIB_SELECT, "", "<b>x</b>")
    type_name(dash_duo, ids.LIB_NEW_NAME, "Textiles")
    click(dash_duo, ids.LIB_RENAME)
    wait_for(lambda: "Renamed" in text_of(dash_duo, f"#{ids.LIB_MESSAGE}"), message="renamed")
    wait_for(lambda: "Textiles" in text_of(dash_duo, f"#{ids.LIB_TABLE}"), message="renamed in list")
    shot(dash_duo, "library")
    # delete (confirm dialog → accept)
    pick(dash_duo, ids.LIB_SELECT, "Textiles", "Textiles")
    click(dash_duo, ids.LIB_DELETE)
    wait_for(lambda: dash_duo.driver.switch_to.alert, message="confirm").accept()
    wait_for(lambda: "Deleted" in text_of(dash_duo, f"#{ids.LIB_MESSAGE}"), message="deleted")
    wait_for(lambda: "Textiles" not in text_of(dash_duo, f"#{ids.LIB_TABLE}"), message="gone")


def test_malformed_ccat_on_map_and_profile(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/map?dataset=eu&ccat=" + quote("Fashion", safe=""))
    wait_for(lambda: "Name=" in text_of(dash_duo, f"#{map_ids.NOTE}"), message="map note")
    assert dash_duo.find_element(f"#{map_ids.CATEGORY}").get_attribute("value") == "all"
    assert "ccat" not in query(dash_duo)
    open_page(dash_duo, dash_app, "/category/eu/custom?ccat=" + quote(FASHION, safe=""))
    wait_for(lambda: "Manufacture of textiles" in text_of(dash_duo, f"#{category_ids.MEMBERS}"), timeout=60,
             message="members")
    shot(dash_duo, "category_profile")
    assert console_errors(dash_duo) == []


def test_build_back_and_forward(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/build?dataset=eu&ccat=" + quote(FASHION, safe=""), f"#{ids.CAT_NAME}")
    wait_for(lambda: text_of(dash_duo, f"#{ids.CAT_SPEC}") == FASHION, message="restored spec")
    type_name(dash_duo, ids.CAT_NAME, "Apparel")
    wait_for(lambda: query(dash_duo).get("ccat", "").startswith("Apparel="), message="URL with the new name")
    dash_duo.driver.back()
    wait_for(lambda: dash_duo.find_element(f"#{ids.CAT_NAME}").get_attribute("value") == "Fashion",
             message="back: Fashion")
    wait_for(lambda: text_of(dash_duo, f"#{ids.CAT_SPEC}") == FASHION, message="back: spec")
    dash_duo.driver.forward()
    wait_for(lambda: dash_duo.find_element(f"#{ids.CAT_NAME}").get_attribute("value") == "Apparel",
             message="forward: Apparel")
    assert console_errors(dash_duo) == []
