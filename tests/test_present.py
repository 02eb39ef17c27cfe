"""Presenter mode (/present): the sequence an address stands for (carousel items and story views
checked, external addresses refused, the slide index clamped), the figures' type sizes, and in
headless Chromium the keys (→ ← space Home End Esc), the address's ``i``, the caption and plot text
sizes at 1920×1080, a phone at 390×844, back/forward, no console errors; screenshots at
1920×1080, 1400×900 and 390×844 (``screenshots/present-*.png``).

The page is registered here the way ``pages/__init__.py`` registers the others (until it lists
presenter mode itself), before the app's server starts.
"""
from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from dash import Patch
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from analytics.serving.store import get_store
from components.routes import MAP
from conftest import console_errors, open_page, path, query, shot, wait_for
from pages.present import figures as pf
from pages.present import ids
from pages.present import sequence as sq

CATS = ("automotive", "biopharmaceuticals", "apparel")
CAROUSEL = "/present?" + urlencode({"dataset": "eu", "level": "nuts2", "metric": "lq", "year": 2014,
                                    "over": "category", "items": ",".join(CATS), "i": 1})
STORY_VIEWS = ["/region/eu/DE11?year=2014", "https://example.org/map?dataset=eu", "/category/us/automotive?level=state"]
STORY = "/present?" + urlencode([("view", v) for v in STORY_VIEWS])
GD = f"document.querySelector('#{ids.GRAPH} .js-plotly-plot')"


# ---------------------------------------------------------------------------- the sequence


def test_carousel_keeps_known_categories_and_says_which_it_left_out():
    d = sq.deck({"dataset": "eu", "metric": "lq", "over": "category", "items": "automotive,no_such_cat,apparel"})
    assert [s.state["category"] for s in d.slides] == ["automotive", "apparel"]
    assert all(s.kind == "map" and s.state["metric"] == "lq" for s in d.slides)
    assert any("no_such_cat" in n for n in d.notes)
    assert "no_such_cat" not in d.query()


def test_carousel_over_years_and_regions_checks_each_item():
    years = get_store("eu").level_years("nuts2")
    d = sq.deck({"dataset": "eu", "over": "year", "items": f"{years[0]},1850,{years[-1]},soon"})
    assert [s.state["year"] for s in d.slides] == [years[0], years[-1]]
    assert any("1850" in n and "soon" in n for n in d.notes)
    d = sq.deck({"dataset": "eu", "over": "region", "items": "DE11,ZZ99,FR10"})
    assert [(s.kind, s.state["region_id"]) for s in d.slides] == [("region", "DE11"), ("region", "FR10")]
    assert any("ZZ99" in n for n in d.notes)


def test_carousel_without_valid_items_falls_back_to_the_default_sequence_with_a_note():
    d = sq.deck({"dataset": "eu", "over": "category", "items": "nope,nada"})
    traded = set(get_store("eu").categories.query("category_type == 'traded'")["category_id"])
    assert len(d.slides) >= 2 and {s.state["category"] for s in d.slides} >= traded
    assert any("nope" in n for n in d.notes)


def test_carousel_starts_at_the_map_views_own_item():
    d = sq.deck({"dataset": "eu", "category": "biopharmaceuticals", "over": "category", "items": ",".join(CATS)})
    assert d.index == 2 and d.slides[1].state["category"] == "biopharmaceuticals"


def test_regions_carousel_defaults_to_the_highest_values_of_the_map():
    d = sq.deck({"dataset": "us", "metric": "lq", "category": "automotive", "over": "region"})
    frame = sq.ch.view_frame(MAP.parse({"dataset": "us", "metric": "lq", "category": "automotive"})[0])
    values = frame.set_index("region_id")["value"]
    shown = [s.state["region_id"] for s in d.slides]
    assert 0 < len(shown) <= 10
    lowest_shown = min(values[r] for r in shown)
    assert (values.drop(shown).dropna() <= lowest_shown).all()  # no region left out has a higher value


@pytest.mark.parametrize("bad", [
    "https://example.org/map?dataset=eu", "http://127.0.0.1:8050/map", "//example.org/map", "javascript:alert(1)",
    "map?dataset=eu", "/compare?dataset=eu", "/region/eu/ZZ99", "/region/xx/DE11", "/category/eu/no_such",
    "/region/eu/custom?creg=A%3DDE11%2BDE12", "/map\\evil", "/map?" + "a" * 3000,
])
def test_a_story_refuses_what_is_not_a_view_of_this_app(bad):
    d = sq.deck({"view": ["/map?dataset=us", bad]})
    assert len(d.slides) == 1 and d.slides[0].state["dataset"] == "us"
    assert any("View 2" in n and "skipped" in n for n in d.notes), d.notes
    assert d.query().count("view=") == 1


def test_a_story_from_pipes_and_repeated_views_keeps_the_order():
    d = sq.deck({"story": "/region/eu/DE11?year=2014|/category/us/automotive|/map?dataset=eu&metric=stars"})
    assert [s.kind for s in d.slides] == ["region", "category", "map"]
    assert d.slides[0].state["year"] == 2014 and d.slides[2].state["metric"] == "stars"
    assert [s.href.split("?")[0] for s in d.slides] == ["/region/eu/DE11", "/category/us/automotive", "/map"]
    again = sq.deck_from_search(d.query())  # the canonical address names the same slides
    assert [s.href for s in again.slides] == [s.href for s in d.slides]


@pytest.mark.parametrize("raw, shown, noted", [("0", 1, True), ("-4", 1, True), ("99", 3, True), ("abc", 1, True),
                                               ("2", 2, False), (None, 1, False)])
def test_the_slide_index_is_clamped_to_the_sequence(raw, shown, noted):
    q = {"dataset": "eu", "over": "category", "items": ",".join(CATS)}
    d = sq.deck({**q, **({"i": raw} if raw is not None else {})})
    assert d.index == shown
    assert any(n.startswith("i=") for n in d.notes) == noted
    assert d.clamp(-3) == 1 and d.clamp(500) == 3 and d.clamp("x") == shown


@pytest.mark.parametrize("query", [{}, {"view": ""}, {"story": "|||"}, {"dataset": "zz", "over": "planet"},
                                   {"items": ["a", "b"], "i": ["1", "2"]}, {"view": ["/map"] * 3, "dataset": "eu"}])
def test_odd_addresses_never_raise(query):
    from pages.present import layout

    d = sq.deck(query)
    assert (1 <= d.index <= len(d.slides)) if d.slides else d.index == 0
    assert layout.layout(**query) is not None


def _font_sizes(node, inside_font=False):
    """Every font size set in a figure dict."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "size" and inside_font and isinstance(v, (int, float)):
                yield v
            else:
                yield from _font_sizes(v, inside_font or k in ("font", "tickfont", "textfont"))
    elif isinstance(node, list):
        for v in node:
            yield from _font_sizes(v, inside_font)


def test_every_text_of_a_wide_slide_is_at_least_20_px():
    d = sq.deck({"story": "/map?dataset=eu&metric=growth|/region/eu/DE11|/category/us/automotive"})
    for slide in d.slides:
        fig = pf.slide_figure(slide, "wide")
        found = list(_font_sizes(fig))
        assert found and min(found) >= pf.MIN_PX, (slide.kind, sorted(set(found)))
        assert fig["layout"]["title"]["text"]
    bar = pf.slide_figure(d.slides[1], "wide")["data"][0]
    assert bar["constraintext"] == "none"  # plotly would otherwise shrink the bar labels


def test_the_next_map_slide_of_the_same_geometry_is_a_patch():
    from pages.present.callbacks import slide_outputs

    d = sq.deck({"dataset": "eu", "over": "category", "items": ",".join(CATS)})
    first = slide_outputs(d.key, 1)
    assert isinstance(first["figure"], dict) and first["url"].endswith("i=1")
    second = slide_outputs(d.key, 2, "wide", first["shown"])
    assert isinstance(second["figure"], Patch)
    assert second["count"] == "2 / 3" and "category=biopharmaceuticals" in second["exit"]
    assert isinstance(slide_outputs(d.key, 2, "compact", first["shown"])["figure"], dict)  # new sizes: drawn anew
    story = sq.deck({"story": "/map?dataset=eu|/region/eu/DE11"})
    out = slide_outputs(story.key, 2, "wide", slide_outputs(story.key, 1)["shown"])
    assert isinstance(out["figure"], dict) and out["figure"]["data"][0]["type"] == "bar"
    assert slide_outputs(story.key, 40)["count"] == "2 / 2"  # clamped
    assert all(v is not None for v in slide_outputs(12345, 1).values())  # a bad key changes nothing


# ---------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def present_app(dash_app):
    """The app (``pages.register_all`` registers presenter mode)."""
    return dash_app


def drawn(dash_duo, title_part: str | None = None) -> bool:
    return dash_duo.driver.execute_script(
        f"var gd = {GD}; if (!gd || !gd._fullLayout || !gd._fullLayout.title) return false;"
        "var t = gd.querySelector('.gtitle'); return !!t && (!arguments[0] || t.textContent.indexOf(arguments[0]) >= 0);",
        title_part)


def press(dash_duo, key):
    ActionChains(dash_duo.driver).send_keys(key).perform()


def slide_is(dash_duo, i: int, n: int, title_part: str):
    wait_for(lambda: query(dash_duo).get("i") == str(i) and drawn(dash_duo, title_part)
             and dash_duo.find_element(f"#{ids.COUNT}").text == f"{i} / {n}", timeout=30,
             message=f"slide {i} ({title_part})")


def text_sizes(dash_duo) -> list[tuple[str, float]]:
    """(text, computed px) of every non-empty text of the plot's SVG."""
    return dash_duo.driver.execute_script(
        f"var gd = {GD}; return Array.from(gd.querySelectorAll('svg text'))"
        ".filter(function (t) { return t.textContent.trim() && t.getBoundingClientRect().width > 0; })"
        ".map(function (t) { return [t.textContent, parseFloat(getComputedStyle(t).fontSize)]; });")


def caption_px(dash_duo) -> float:
    return dash_duo.driver.execute_script(
        f"return parseFloat(getComputedStyle(document.getElementById('{ids.LABEL}')).fontSize);")


def test_keys_step_through_a_carousel_and_esc_opens_the_normal_view(dash_duo, present_app):
    names = [get_store("eu").category_names[c] for c in CATS]
    open_page(dash_duo, present_app, CAROUSEL, f"#{ids.GRAPH}", size="projector")
    slide_is(dash_duo, 1, 3, names[0])
    assert not dash_duo.driver.find_elements("css selector", ".navbar") or \
        not dash_duo.find_element(".navbar").is_displayed()  # no controls but the caption
    assert not dash_duo.driver.find_elements("css selector", "select, input")
    sizes = text_sizes(dash_duo)
    assert sizes and min(px for _, px in sizes) >= 20, sizes
    assert caption_px(dash_duo) >= 20
    shot(dash_duo, "present-1920", settle=1.5)
    press(dash_duo, Keys.ARROW_RIGHT)
    slide_is(dash_duo, 2, 3, names[1])
    press(dash_duo, Keys.SPACE)
    slide_is(dash_duo, 3, 3, names[2])
    press(dash_duo, Keys.ARROW_RIGHT)  # the last slide stays
    time.sleep(1)
    slide_is(dash_duo, 3, 3, names[2])
    press(dash_duo, Keys.ARROW_LEFT)
    slide_is(dash_duo, 2, 3, names[1])
    press(dash_duo, Keys.HOME)
    slide_is(dash_duo, 1, 3, names[0])
    press(dash_duo, Keys.END)
    slide_is(dash_duo, 3, 3, names[2])
    sizes = text_sizes(dash_duo)  # after Patches, still presenter size
    assert min(px for _, px in sizes) >= 20, sizes
    dash_duo.driver.back()  # back steps to the slide before, in place
    slide_is(dash_duo, 1, 3, names[0])
    dash_duo.driver.forward()
    slide_is(dash_duo, 3, 3, names[2])
    dash_duo.driver.refresh()  # a reload keeps the slide
    dash_duo.wait_for_element(f"#{ids.GRAPH}", timeout=30)
    slide_is(dash_duo, 3, 3, names[2])
    assert console_errors(dash_duo) == []
    press(dash_duo, Keys.ESCAPE)
    wait_for(lambda: path(dash_duo) == "/map" and query(dash_duo).get("category") == CATS[2], timeout=30,
             message="the map of the slide")
    q = query(dash_duo)
    assert (q["dataset"], q["level"], q["metric"], q["year"]) == ("eu", "nuts2", "lq", "2014")
    wait_for(lambda: dash_duo.find_element(".navbar").is_displayed(), message="the shell again")


def test_a_story_says_what_it_skipped_and_draws_big_bar_slides(dash_duo, present_app):
    open_page(dash_duo, present_app, STORY, f"#{ids.GRAPH}", size="projector")
    slide_is(dash_duo, 1, 2, "Stuttgart (DE11)")
    note = dash_duo.find_element(f"#{ids.NOTES}").text
    assert "example.org" in note and "skipped" in note
    assert "example.org" not in dash_duo.driver.current_url
    sizes = text_sizes(dash_duo)
    assert min(px for _, px in sizes) >= 20, sizes
    bars = dash_duo.driver.execute_script(f"return {GD}.data[0].y;")
    assert "Automotive" in bars
    press(dash_duo, " ")
    slide_is(dash_duo, 2, 2, "Automotive: top regions")
    assert "Michigan (26)" in dash_duo.driver.execute_script(f"return {GD}.data[0].y;")
    assert "/category/us/automotive" in dash_duo.find_element(f"#{ids.EXIT}").get_attribute("href")
    dash_duo.driver.set_window_size(1400, 900)
    shot(dash_duo, "present-1400-story", settle=2)
    assert console_errors(dash_duo) == []


def test_the_caption_buttons_and_a_desktop_window(dash_duo, present_app):
    open_page(dash_duo, present_app, CAROUSEL.replace("i=1", "i=2"), f"#{ids.GRAPH}", size="desktop")
    name = get_store("eu").category_names
    slide_is(dash_duo, 2, 3, name[CATS[1]])
    dash_duo.find_element(f"#{ids.NEXT}").click()
    slide_is(dash_duo, 3, 3, name[CATS[2]])
    dash_duo.find_element(f"#{ids.PREV}").click()
    slide_is(dash_duo, 2, 3, name[CATS[1]])
    shot(dash_duo, "present-1400", settle=1.5)
    fullscreen = "return !!document.fullscreenElement;"
    dash_duo.find_element(f"#{ids.FULLSCREEN}").click()  # a user gesture: the Fullscreen API allows it
    wait_for(lambda: dash_duo.driver.execute_script(fullscreen), message="full screen")
    assert dash_duo.find_element(f"#{ids.FULLSCREEN}").text == "Leave full screen"
    press(dash_duo, "f")
    wait_for(lambda: not dash_duo.driver.execute_script(fullscreen), message="full screen left")
    assert console_errors(dash_duo) == []


def test_a_phone_still_reads_the_slide(dash_duo, present_app):
    open_page(dash_duo, present_app, CAROUSEL, f"#{ids.GRAPH}", size="phone")
    slide_is(dash_duo, 1, 3, "Automotive")
    # compact sizes arrive once the page knows the screen is small: the title then wraps
    wait_for(lambda: dash_duo.driver.execute_script(f"return {GD}.layout.title.font.size;") == pf.SIZES["compact"][
        "title"], message="compact sizes")
    time.sleep(1)
    width = dash_duo.driver.execute_script("return window.innerWidth;")
    sizes = text_sizes(dash_duo)
    assert min(px for _, px in sizes) >= 12, sizes
    outside = dash_duo.driver.execute_script(
        f"var gd = {GD}, w = arguments[0]; return Array.from(gd.querySelectorAll('.gtitle, .cbtitle text'))"
        ".map(function (t) { var r = t.getBoundingClientRect(); return [t.textContent, r.left, r.right, r.top]; })"
        ".filter(function (x) { return x[1] < -1 || x[2] > w + 1 || x[3] < 0; });", width)
    assert not outside, outside
    caption = dash_duo.find_element(f"#{ids.CAPTION}")
    assert caption.is_displayed() and caption_px(dash_duo) >= 14
    assert dash_duo.find_element(f"#{ids.EXIT}").is_displayed()
    shot(dash_duo, "present-390", settle=1)
    dash_duo.find_element(f"#{ids.NEXT}").click()
    slide_is(dash_duo, 2, 3, "Biopharmaceuticals")
    assert console_errors(dash_duo) == []


def test_an_address_with_nothing_to_show_says_so(dash_duo, present_app):
    open_page(dash_duo, present_app, "/present?" + urlencode({"view": "https://example.org/"}), f"#{ids.NOTES}",
              size="desktop")
    text = dash_duo.find_element(f"#{ids.NOTES}").text
    assert "Nothing to present" in text and "example.org" in text
    assert console_errors(dash_duo) == []


def test_present_this_view_link_takes_the_maps_current_address(dash_duo, present_app):
    """The map explorer's link (``data-present-over``; added here as pages/map/layout.py would)."""
    open_page(dash_duo, present_app, "/map?dataset=eu&category=automotive&metric=lq&year=2014", "#map-graph",
              size="desktop")
    wait_for(lambda: query(dash_duo).get("level"), message="the map's full address")
    dash_duo.driver.execute_script(
        "var a = document.createElement('a'); a.id = 'probe-present'; a.textContent = 'Present this view';"
        "a.href = '/present'; a.setAttribute('data-present-over', 'category'); document.body.prepend(a);")
    dash_duo.find_element("#probe-present").click()
    wait_for(lambda: path(dash_duo) == "/present", message="presenter mode")
    dash_duo.wait_for_element(f"#{ids.GRAPH}", timeout=30)
    wait_for(lambda: drawn(dash_duo, "Automotive: Location quotient, NUTS 2 regions, 2014"), message="the slide")
    q = query(dash_duo)
    assert (q["dataset"], q["category"], q["metric"], q["year"], q["over"]) == ("eu", "automotive", "lq", "2014",
                                                                                "category")
    assert dash_duo.find_element(f"#{ids.LABEL}").text == "Automotive"
    assert console_errors(dash_duo) == []
