"""Small screens (390×844, a phone): the navbar folds behind a labelled toggler, the map's settings
are a slide-in panel opened by "Filters" whose pickers still drive the map, no main page scrolls
sideways, and charts drop what a narrow chart cannot hold (heatmap numbers) — with no console error.
Screenshots of each page at phone size go to ``screenshots/phone_<page>.png``."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from components import ids as shell_ids
from pages.map import ids as map_ids
from pages.map.layout import FILTERS_BTN, FILTERS_PANEL
from tests.conftest import SIZES, console_errors, open_page, path, shot, wait_for

pytestmark = pytest.mark.browser

MAIN_PAGES = {
    "home": ("/", "#home-search"),
    "map": ("/map", "#map-graph .js-plotly-plot"),
    "region": ("/region/eu/DE11", "#region-table .ag-cell"),
    "category": ("/category/eu/automotive", "#category-top-table .ag-cell"),
    "compare": ("/compare", ".js-plotly-plot"),
    "build": ("/build", "label"),
    "organisations": ("/organisations", ".ag-cell"),
    "methodology": ("/methodology", "h1"),
}
GD = "document.querySelector('#map-graph .js-plotly-plot')"


def rect(dash_duo, css: str) -> dict:
    return dash_duo.driver.execute_script(
        "var e = document.querySelector(arguments[0]); if (!e) return null; var r = e.getBoundingClientRect();"
        "var s = getComputedStyle(e); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,"
        "width: r.width, height: r.height, shown: s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0,"
        "inner: window.innerWidth};", css)


def horizontal_overflow(dash_duo) -> dict:
    return dash_duo.driver.execute_script(
        "var se = document.scrollingElement; return {scroll: se.scrollWidth, inner: window.innerWidth};")


def test_navbar_folds_behind_a_labelled_toggler(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/", "#home-search", size="phone")
    nav = rect(dash_duo, "nav.navbar")
    assert nav["height"] < 80, nav
    toggler = dash_duo.find_element(f"#{shell_ids.NAV_TOGGLE}")
    assert toggler.is_displayed() and toggler.get_attribute("aria-label")
    assert toggler.get_attribute("aria-expanded") == "false"
    links = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{shell_ids.NAV} a.nav-link")
    assert links and not any(a.is_displayed() for a in links)
    shot(dash_duo, "phone_navbar_closed", settle=0.3)
    toggler.click()
    wait_for(lambda: all(a.is_displayed() for a in links), message="the menu's links")
    assert toggler.get_attribute("aria-expanded") == "true"
    shot(dash_duo, "phone_navbar_open", settle=0.5)
    [compare] = [a for a in links if a.text == "Compare"]
    compare.click()
    wait_for(lambda: path(dash_duo) == "/compare", message="the compare page")
    wait_for(lambda: not any(a.is_displayed() for a in dash_duo.driver.find_elements(
        By.CSS_SELECTOR, f"#{shell_ids.NAV} a.nav-link")), message="the menu closed on the new page")
    # on a wide screen the links are in the bar and there is no toggler
    dash_duo.driver.set_window_size(*SIZES["desktop"])
    wait_for(lambda: not dash_duo.find_element(f"#{shell_ids.NAV_TOGGLE}").is_displayed(), message="no toggler")
    assert all(a.is_displayed() for a in dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{shell_ids.NAV} a.nav-link"))
    assert console_errors(dash_duo) == []


def test_map_filters_panel_opens_and_its_pickers_drive_the_map(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/map?dataset=eu&level=nuts2&category=automotive&metric=lq", size="phone")
    wait_for(lambda: dash_duo.driver.execute_script(f"var gd = {GD}; return gd && gd.data && gd.data[0].z;"),
             message="the map")
    panel = f"#{FILTERS_PANEL}"
    assert not rect(dash_duo, panel)["shown"] or rect(dash_duo, panel)["right"] <= 0  # off screen
    assert not dash_duo.find_element(f"#{map_ids.CATEGORY}").is_displayed()
    button = dash_duo.find_element(f"#{FILTERS_BTN}")
    assert button.is_displayed() and button.text == "Filters" and button.get_attribute("aria-expanded") == "false"
    button.click()
    wait_for(lambda: rect(dash_duo, panel)["shown"] and rect(dash_duo, panel)["left"] >= -1
             and rect(dash_duo, panel)["right"] <= rect(dash_duo, panel)["inner"], message="the panel in view")
    assert button.get_attribute("aria-expanded") == "true"
    shot(dash_duo, "phone_map_filters_open", settle=0.5)
    z0 = dash_duo.driver.execute_script(f"return {GD}.data[0].z;")
    Select(dash_duo.driver.find_element(By.ID, map_ids.CATEGORY)).select_by_value("biopharmaceuticals")
    wait_for(lambda: dash_duo.driver.execute_script(f"return {GD}.data[0].z;") != z0, message="new z values")
    dash_duo.find_element(".js-panel-close").click()
    wait_for(lambda: rect(dash_duo, panel)["right"] <= 0 or not rect(dash_duo, panel)["shown"],
             message="the panel closed")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()  # Escape closes it too
    wait_for(lambda: rect(dash_duo, panel)["left"] >= -1, message="open again")
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_for(lambda: rect(dash_duo, panel)["right"] <= 0 or not rect(dash_duo, panel)["shown"], message="Escape")
    # a wide screen: the same pickers stand beside the map, no Filters button
    dash_duo.driver.set_window_size(*SIZES["desktop"])
    wait_for(lambda: dash_duo.find_element(f"#{map_ids.CATEGORY}").is_displayed(), message="pickers inline")
    assert not dash_duo.find_element(f"#{FILTERS_BTN}").is_displayed()
    assert rect(dash_duo, panel)["left"] >= 0
    assert len(dash_duo.driver.find_elements(By.ID, map_ids.CATEGORY)) == 1
    assert console_errors(dash_duo) == []


def test_no_main_page_scrolls_sideways_on_a_phone(dash_duo, dash_app):
    wide = {}
    for name, (url, ready) in MAIN_PAGES.items():
        open_page(dash_duo, dash_app, url, ready, size="phone")
        shot(dash_duo, f"phone_{name}", settle=2.5)
        o = horizontal_overflow(dash_duo)
        if o["scroll"] > o["inner"] + 1:
            wide[name] = o
        errors = console_errors(dash_duo)
        assert errors == [], (name, errors)
    assert wide == {}, wide


def test_heatmap_numbers_hidden_on_a_phone_and_back_on_a_wide_screen(dash_duo, dash_app):
    heat = ("var gd = [].slice.call(document.querySelectorAll('.js-plotly-plot')).filter(function (g) {"
            " return g.data && g.data.some(function (t) { return t.type === 'heatmap'; }); })[0];"
            "if (!gd) return null; var t = gd.data.filter(function (t) { return t.type === 'heatmap'; })[0];"
            "return t.texttemplate;")
    open_page(dash_duo, dash_app, "/compare", ".js-plotly-plot", size="desktop")
    wide = wait_for(lambda: dash_duo.driver.execute_script(heat), message="the heatmap")
    assert wide  # numbers in the cells on a wide screen
    dash_duo.driver.set_window_size(*SIZES["phone"])
    wait_for(lambda: dash_duo.driver.execute_script(heat) == "", message="numbers hidden on a phone")
    dash_duo.driver.set_window_size(*SIZES["desktop"])
    wait_for(lambda: dash_duo.driver.execute_script(heat) == wide, message="numbers back")
    assert console_errors(dash_duo) == []
