"""Find my region: matching on a small hand-made table (codes, accents, ranking, counties with their
state), over the built data, and in the browser (type, choose, land on the profile)."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.serving.search import find_regions, make_index, normalise, search

TABLE = make_index(pd.DataFrame([
    # dataset, region_id, name, level, level_label, within, dataset_label, has_data
    ("eu", "DE", "Deutschland", "country", "country", "", "Europe", True),
    ("eu", "DE1", "Baden-Württemberg", "nuts1", "NUTS 1 region", "Deutschland", "Europe", True),
    ("eu", "DE11", "Stuttgart", "nuts2", "NUTS 2 region", "Deutschland", "Europe", True),
    ("eu", "DE12", "Karlsruhe", "nuts2", "NUTS 2 region", "Deutschland", "Europe", True),
    ("eu", "PL71", "Łódzkie", "nuts2", "NUTS 2 region", "Polska", "Europe", True),
    ("eu", "FR10", "Île-de-France", "nuts2", "NUTS 2 region", "France", "Europe", True),
    ("eu", "ES30", "Comunidad de Madrid", "nuts2", "NUTS 2 region", "España", "Europe", True),
    ("us", "26", "Michigan", "state", "state", "", "United States", True),
    ("us", "18", "Indiana", "state", "state", "", "United States", True),
    ("us", "26163", "Wayne County, MI", "county", "county", "Michigan", "United States", True),
    ("us", "18177", "Wayne County, IN", "county", "county", "Indiana", "United States", False),
    ("us", "26099", "Macomb County, MI", "county", "county", "Michigan", "United States", True),
    ("us", "EA060", "Fort Wayne-Huntington-Auburn, IN (EA)", "ea", "BEA economic area", "", "United States", True),
    ("us", "DE1X", "Debug County, XX", "county", "county", "Nowhere", "United States", True),
], columns=["dataset", "region_id", "name", "level", "level_label", "within", "dataset_label", "has_data"]))


def ids(query, **kw):
    return [m.region_id for m in search(query, TABLE, **kw)]


def test_normalise_drops_accents_case_and_punctuation():
    assert normalise("Île-de-France") == "ile de france"
    assert normalise("Łódzkie") == "lodzkie"
    assert normalise("  Baden-Württemberg ") == "baden wurttemberg"


def test_accent_insensitive_names_both_ways():
    assert ids("baden") == ["DE1"]
    assert ids("württemberg") == ["DE1"]
    assert ids("wurttemberg") == ["DE1"]
    assert ids("lodz") == ["PL71"]
    assert ids("ILE DE") == ["FR10"]


def test_code_prefix_and_exact_code_come_first_in_code_order():
    assert ids("DE11") == ["DE11"]
    assert ids("de11") == ["DE11"]
    # the exact code, then codes that start with it (in code order), then names containing it
    got = ids("de1")
    assert got[:4] == ["DE1", "DE11", "DE12", "DE1X"]
    assert ids("de")[0] == "DE"
    assert "ES30" in ids("de")  # "Comunidad de Madrid": a name match, after every code match
    assert ids("de").index("ES30") > ids("de").index("DE1X")


def test_counties_come_with_their_state_and_name_starts_rank_before_substrings():
    found = search("wayne", TABLE)
    assert [m.region_id for m in found][:2] == ["26163", "18177"]  # name starts; the one with data first
    assert found[-1].region_id == "EA060"  # "Fort Wayne…": a word of the name starts with it, ranked after
    wayne_mi = found[0]
    assert "Michigan" in wayne_mi.label and "county" in wayne_mi.label and wayne_mi.key == "us/26163"
    assert "no data" in found[1].label
    assert ids("wayne michigan") == ["26163"]  # a county also matches its state's name
    assert ids("mich") == ["26"]  # the state, not every county in it


def test_short_empty_and_unknown_queries():
    assert ids("") == [] and ids(None) == [] and ids("   ") == []
    assert ids("w") == []  # one letter: codes only
    assert ids("2") == ["26", "26099", "26163"]
    assert ids("zzzz") == []


def test_limit():
    assert len(ids("county", limit=2)) == 2
    assert len(ids("county")) == 4


def test_economic_area_label_says_its_level_once():
    ea = search("fort wayne", TABLE)[0]
    assert ea.label.startswith("Fort Wayne-Huntington-Auburn, IN (EA060) · BEA economic area")


def test_built_data_examples():
    """The examples the landing page promises, on the real build."""
    labels = {q: [m.label for m in find_regions(q)] for q in ("baden", "DE11", "wayne", "mich", "stutt")}
    assert labels["baden"][0].startswith("Baden-Württemberg (DE1)")
    assert labels["DE11"][0].startswith("Stuttgart (DE11)")
    assert labels["stutt"][0].startswith("Stuttgart (DE11)")
    assert labels["mich"][0].startswith("Michigan (26)")
    waynes = [x for x in labels["wayne"] if x.startswith("Wayne County")]
    assert len(waynes) > 5 and any("Wayne County, MI (26163) · county in Michigan" in x for x in waynes)
    one_letter = find_regions("a")  # one letter: codes only
    assert one_letter and all(m.region_id.upper().startswith("A") for m in one_letter)
    assert len(find_regions("county")) == 20


@pytest.mark.browser
def test_find_my_region_in_the_browser(dash_duo, dash_app):
    from tests.conftest import console_errors, open_page, path, shot, wait_for

    open_page(dash_duo, dash_app, "/", "#home-search")
    driver = dash_duo.driver
    label = driver.find_element("css selector", "label[for='home-search']")
    assert "region" in label.text.lower()
    dash_duo.find_element("#home-search").click()
    box = wait_for(lambda: driver.find_element("css selector", ".dash-dropdown-search"), message="search box")
    box.send_keys("stutt")
    option = wait_for(lambda: [o for o in driver.find_elements("css selector", ".dash-dropdown-option")
                               if "Stuttgart (DE11)" in o.text], message="the Stuttgart option")[0]
    shot(dash_duo, "home_search_stutt", settle=0.5, top=False)
    option.click()
    wait_for(lambda: path(dash_duo) == "/region/eu/DE11", message="the region's address")
    wait_for(lambda: "Stuttgart" in driver.find_element("css selector", "h1").text, message="the profile's title")
    assert console_errors(dash_duo) == []
