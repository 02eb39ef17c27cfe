"""Builder (/build) and the library: callback-level tests and browser tests.

Callback-level tests call the page's functions directly (outputs read by name); browser tests
drive the app in headless Chromium with dash_duo. The library is the session's private SQLite
database (``tests/conftest.py``). Screenshots go to ``screenshots/build_*.png``.
"""
from __future__ import annotations

import time
from urllib.parse import parse_qs, quote

import pytest
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
    msg, colour, mine = bc.library_action(ids.CAT_SAVE, "eu", "Lib=nace:13", None, None, None, {})
    assert colour == "success"
    d = [d for d in lib.list() if d.name == "Lib"][0]
    assert set(mine) == {str(d.id)} and d.owned_by(mine[str(d.id)])  # this browser now holds its key
    msg, colour, again = bc.library_action(ids.CAT_SAVE, "eu", "Lib=nace:13", None, None, None, mine)
    assert colour == "danger" and "already saved" in msg and again == mine
    msg, colour, _ = bc.library_action(ids.LIB_RENAME, "eu", None, None, d.id, "", mine)
    assert colour == "danger" and lib.get(d.id).name == "Lib"  # nothing lost on failure
    msg, colour, _ = bc.library_action(ids.LIB_CONFIRM, "eu", None, None, d.id, None, mine)
    assert colour == "success" and all(x.id != d.id for x in lib.list())


def test_only_the_saving_browser_can_rename_or_delete(dash_app, private_library):
    from analytics.serving.library import get_library
    from pages.build import callbacks as bc

    lib = get_library()
    _, colour, mine = bc.library_action(ids.REG_SAVE, "eu", None, "Mine=DK01+DK02", None, None, {})
    d = [x for x in lib.list() if x.name == "Mine"][0]
    before = [(x.id, x.name, x.spec) for x in lib.list()]
    # another browser: no key, a guessed key, another definition's key, hostile shapes
    _, _, theirs = bc.library_action(ids.REG_SAVE, "eu", None, "Theirs=SE22", None, None, {})
    for tokens in ({}, {str(d.id): "guess"}, {str(d.id): next(iter(theirs.values()))}, [], "x" * 100, None):
        for trigger, name in ((ids.LIB_RENAME, "Stolen"), (ids.LIB_CONFIRM, None)):
            msg, colour, _ = bc.library_action(trigger, "eu", None, None, d.id, name, bc.owner_tokens(tokens))
            assert colour == "danger" and "Only the browser that saved “Mine”" in msg
    assert [(x.id, x.name, x.spec) for x in lib.list() if x.name != "Theirs"] == before
    # counting ids deletes nothing
    for guess in range(1, d.id + 5):
        bc.library_action(ids.LIB_CONFIRM, "eu", None, None, guess, None, {})
    assert {"Mine", "Theirs"} <= {x.name for x in lib.list()}
    msg, colour, _ = bc.library_action(ids.LIB_RENAME, "eu", None, None, d.id, "Still mine", mine)
    assert colour == "success" and lib.get(d.id).name == "Still mine"


@pytest.mark.parametrize("kind_trigger, dataset, spec, message", [
    (ids.CAT_SAVE, "eu", "Bad=nace:99", "99"),           # an unknown NACE division
    (ids.CAT_SAVE, "eu", "no equals sign", "="),
    (ids.REG_SAVE, "eu", "R=XX99", "XX99"),             # an unknown region
    (ids.REG_SAVE, "zz", "R=DK01", "Unknown dataset"),
    (ids.REG_SAVE, "e" * 10_000, "R=DK01", "Unknown dataset"),
    (ids.CAT_SAVE, "eu", "N\x00=nace:13", ""),
    (ids.CAT_SAVE, "eu", {"a": 1}, "empty"),
])
def test_saving_checks_the_definition_on_the_server(dash_app, private_library, kind_trigger, dataset, spec, message):
    """A hand-made callback body cannot store what the engine (and the CLI) would refuse."""
    from analytics.serving.library import get_library
    from pages.build import callbacks as bc

    before = [(x.id, x.spec) for x in get_library().list()]
    cat, reg = (spec, None) if kind_trigger == ids.CAT_SAVE else (None, spec)
    msg, colour, tokens = bc.library_action(kind_trigger, dataset, cat, reg, None, None, {})
    assert colour == "danger" and message in msg and tokens == {}
    assert [(x.id, x.spec) for x in get_library().list()] == before


def test_the_library_cli_administers_definitions_without_tokens(dash_app, private_library, capsys):
    from analytics.cli import main
    from analytics.serving.library import get_library

    d = get_library().save("category", "eu", "+Admin", "+Admin=nace:13")
    assert main(["library", "list"]) == 0
    out = capsys.readouterr().out
    assert f"{d.id},category,eu,yes,'+Admin,'+Admin=nace:13" in out  # formula cells neutralised
    assert main(["library", "rename", str(d.id), "Admin"]) == 0 and get_library().get(d.id).name == "Admin"
    assert main(["library", "delete", str(d.id)]) == 0
    assert main(["library", "delete", str(d.id)]) == 2
    assert f"No saved definition with id {d.id}" in capsys.readouterr().err


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
    assert "category eu Textiles yes" in text_of(dash_duo, f"#{ids.LIB_TABLE}").replace("\n", " ")  # "Saved here"
    # another browser (no key in localStorage) may load it but not delete it
    keys = dash_duo.driver.execute_script("return window.localStorage.getItem(arguments[0]);", ids.LIB_TOKENS)
    dash_duo.driver.execute_script("window.localStorage.removeItem(arguments[0]);", ids.LIB_TOKENS)
    open_page(dash_duo, dash_app, "/build?dataset=eu")
    wait_for(lambda: "Textiles" in text_of(dash_duo, f"#{ids.LIB_TABLE}"), message="listed for others")
    assert "yes" not in text_of(dash_duo, f"#{ids.LIB_TABLE}")
    pick(dash_duo, ids.LIB_SELECT, "Textiles", "Textiles")
    click(dash_duo, ids.LIB_DELETE)
    wait_for(lambda: dash_duo.driver.switch_to.alert, message="confirm").accept()
    wait_for(lambda: "Only the browser that saved" in text_of(dash_duo, f"#{ids.LIB_MESSAGE}"), message="refused")
    assert "Textiles" in text_of(dash_duo, f"#{ids.LIB_TABLE}")
    # back in the saving browser: delete (confirm dialog → accept)
    dash_duo.driver.execute_script("window.localStorage.setItem(arguments[0], arguments[1]);", ids.LIB_TOKENS, keys)
    open_page(dash_duo, dash_app, "/build?dataset=eu")
    wait_for(lambda: "yes" in text_of(dash_duo, f"#{ids.LIB_TABLE}"), message="owned again")
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
