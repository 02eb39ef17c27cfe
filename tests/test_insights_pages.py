"""The three insight pages: /insights/prosperity, /insights/related, /transatlantic.

The prosperity page's fit text and caption carry ``prosperity_fit``'s numbers for the state (the CLI's
function); each page's layout renders for the European and US defaults and for hostile addresses
(unknown dataset, level, year, category, huge values) with a note instead of an exception; the callbacks'
outputs follow a change; the CSVs carry their source lines; and in headless Chromium at 1400×900 each
page loads without console errors and one interaction changes its figure (screenshots at 1400×900,
1920×1080 and 390×844 into ``screenshots/insights-*.png``).
"""
from __future__ import annotations

import io

import pandas as pd
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from analytics.insights.prosperity import prosperity_fit, prosperity_points
from analytics.insights.related import relatedness_density
from analytics.serving.store import get_store
from conftest import console_errors, open_page, query, shot, wait_for
from pages.insights_prosperity import callbacks as pcb
from pages.insights_prosperity import ids as pids
from pages.insights_prosperity import layout as playout
from pages.insights_prosperity.route import PROSPERITY
from pages.insights_related import callbacks as rcb
from pages.insights_related import ids as rids
from pages.insights_related import layout as rlayout
from pages.insights_related.route import RELATED
from pages.transatlantic import callbacks as tcb
from pages.transatlantic import ids as tids
from pages.transatlantic import layout as tlayout
from pages.transatlantic.route import TRANSATLANTIC

HOSTILE = [
    {"dataset": "mars", "level": "galaxy", "year": "99999999999999999999", "variant": "x", "region": "<b>x</b>"},
    {"dataset": "us", "year": "2021", "definitions": "eu-colocation", "y": "dreams"},
    {"dataset": "us", "level": "county", "region": "' OR 1=1 --", "lq": "1e308"},
    {"year": "-1", "lq": "nan", "region": "A" * 5000},
    {"category": "no_such_category", "year": "1999", "eu_level": "country"},
    {"category": "<script>alert(1)</script>", "year": "latest", "extra": "1"},
]


def text_of(component) -> str:
    """Every string inside a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


def find(component, id_):
    if getattr(component, "id", None) == id_:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            hit = find(child, id_)
            if hit is not None:
                return hit
    return None


# ---------------------------------------------------------------------------- /insights/prosperity


@pytest.mark.parametrize("query_", [{}, {"dataset": "us"}, {"variant": "us-strong"}, {"dataset": "us", "year": "2005"},
                                    {"level": "nuts1", "year": "2012"}])
def test_prosperity_fit_text_is_prosperity_fit_for_the_state(query_):
    state, notes = PROSPERITY.parse(query_)
    assert not notes
    fit = prosperity_fit(state["dataset"], state["level"], state["year"], state["variant"])
    v = playout.view(state)
    assert f"R² = {fit.r2:.3f}" in v["fit"] and f"n = {fit.n:,} regions" in v["fit"]
    for coef in (fit.a, fit.b, fit.c):
        assert f"{abs(coef):,.0f}" in v["fit"]
    assert f"{100 * fit.r2:.0f} %" in v["caption"] or "less than 1 %" in v["caption"]
    assert f"across {fit.n:,}" in v["caption"] and str(state["year"]) in v["caption"]
    drawn = v["figure"].data[0]
    assert len(drawn.x) == fit.n  # one point per region of the fit


def test_prosperity_default_caption_says_weak_for_europe():
    state, _ = PROSPERITY.parse({})
    fit = prosperity_fit("eu", state["level"], state["year"], "lq2")
    caption = playout.view(state)["caption"]
    assert fit.r2 < 0.1 and caption.startswith("Weak:")


def test_prosperity_seed_curve_only_for_european_gdp():
    names = lambda q: [t.name or "" for t in playout.view(PROSPERITY.parse(q)[0])["figure"].data]  # noqa: E731
    assert any("ECO" in n for n in names({}))
    assert not any("ECO" in n for n in names({"dataset": "us"}))
    assert not any("ECO" in n for n in names({"y": "patents"}))


def test_prosperity_us_years_stop_where_gdp_stops():
    state, notes = PROSPERITY.parse({"dataset": "us", "year": "2021"})
    assert state["year"] == 2011 and any("2021" in n for n in notes)
    assert "2011" in playout.year_help(state)


def test_prosperity_callback_and_csv_follow_the_controls():
    values = {"dataset": "us", "level": "state", "y": "gdp", "year": 2011, "variant": "us-strong",
              "definitions": None, "region": "06"}
    out = pcb.outputs(values)
    fit = prosperity_fit("us", "state", 2011, "us-strong")
    assert f"R² = {fit.r2:.3f}" in out["fit"] and "variant=us-strong" in out["url"] and "region=06" in out["url"]
    assert out["profile"] is not None and "/region/us/06" in out["profile"].href
    table, name, lines = pcb.points_csv(values)
    text = io.StringIO(__import__("components.tables", fromlist=["credit_csv"]).credit_csv(table, lines))
    assert text.getvalue().startswith("# ")
    back = pd.read_csv(text, comment="#")
    pts = prosperity_points("us", "state", 2011, "us-strong")
    assert list(back["region_id"].astype(str).str.zfill(2)) == list(pts["region_id"])
    assert name.endswith(".csv") and "us-strong" in name
    # a dataset switch with another dataset's level falls back to its default level
    out = pcb.outputs({**values, "dataset": "eu", "level": "state", "region": "06"})
    assert out["level_value"] == "nuts2" and out["region_value"] is None


def test_prosperity_click_opens_the_profile():
    assert pcb.open_profile({"points": [{"customdata": ["DE11", "Stuttgart"]}]}, "eu", 2015).startswith(
        "/region/eu/DE11")
    assert pcb.open_profile({"points": [{}]}, "eu", 2015) is pcb.no_update


# ---------------------------------------------------------------------------- /insights/related


def test_related_density_chart_is_relatedness_density_for_the_region():
    state, _ = RELATED.parse({"dataset": "us", "region": "06", "lq": "1.5"})
    v = rlayout.view(state)
    rows = rlayout.region_rows(state)
    d = relatedness_density(get_store("us").related, rows[["category_id", "category_name", "lq", "employment"]],
                            lq_threshold=1.5)
    drawn = sorted(y for t in v["density"].data for y in t.y)
    assert drawn == pytest.approx(sorted(d.dropna(subset=["density", "lq"])["density"] * 100))
    assert "LQ ≥ 1.5" in v["summary"]


def test_related_threshold_changes_the_density():
    base = {"dataset": "eu", "level": "nuts2", "year": 2015, "region": "DE11"}
    low, high = rcb.outputs({**base, "lq": 0.5}), rcb.outputs({**base, "lq": 3})
    assert low["url"] != high["url"] and "lq=3" in high["url"]
    ys = lambda out: sorted(float(y) for t in out["density"].data for y in t.y)  # noqa: E731
    assert ys(low) != ys(high) and max(ys(high)) <= max(ys(low))  # a higher bar: fewer specialised neighbours


def test_related_network_nodes_and_links():
    v = rlayout.view(RELATED.parse({"dataset": "eu"})[0])
    related = get_store("eu").related
    links = related[related["related_90"]]
    assert v["network"].data[0].name.startswith(f"Related pair ({len(links) // 2:,} links)")
    n_nodes = sum(len(t.x) for t in v["network"].data[1:])
    assert n_nodes == len(set(related["category_id"]))  # every US traded cluster, European or not


def test_related_csv_has_source_lines():
    table, name, lines = rcb.density_csv({"dataset": "eu", "level": "nuts2", "year": 2015, "region": "DE11", "lq": 1})
    assert any("Relatedness" in x for x in lines) and "relatedness_density_share" in table.columns


# ---------------------------------------------------------------------------- /transatlantic


def test_transatlantic_table_and_summary():
    state, _ = TRANSATLANTIC.parse({})
    v = tlayout.view(state)
    t = v["table"]
    counts = t["more_clustered"].value_counts()
    assert f"higher in Europe for {counts.get('Europe', 0):,}" in v["table_summary"]
    assert len(v["rows"]) == len(t)
    table, name, lines = tcb.table_csv({"category": "automotive", "year": state["year"], "eu_level": "nuts2"})
    assert any("Hoover" in x for x in lines) and len(table) == len(t)


def test_transatlantic_callback_follows_the_category():
    a = tcb.outputs({"category": "automotive", "year": "2011", "eu_level": "nuts2"})
    b = tcb.outputs({"category": "apparel", "year": "latest", "eu_level": "nuts1"})
    assert "Automotive" in a["summary"] and "Apparel" in b["summary"]
    assert "year=latest" in b["url"] and "eu_level=nuts1" in b["url"]


# ---------------------------------------------------------------------------- every page, hostile addresses


@pytest.mark.parametrize("layout_fn,ids_", [(playout.layout, pids), (rlayout.layout, rids),
                                            (tlayout.layout, tids)])
@pytest.mark.parametrize("query_", [{}, {"dataset": "us"}, *HOSTILE])
def test_layouts_render_for_defaults_and_hostile_addresses(layout_fn, ids_, query_):
    page = layout_fn(**query_)
    text = text_of(page)
    assert "Traceback" not in text
    unknown = [k for k in query_ if k not in ("dataset",)]
    if query_ and unknown:
        notes = find(page, ids_.NOTES)
        assert notes is not None and "not used" in text_of(notes)


# ---------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def insights_app(dash_app):
    return dash_app  # pages.register_all registers the three pages


def pick(dash_duo, dropdown_id: str, search: str, label_part: str):
    """Open a searchable dcc.Dropdown, type into its search box and click the option."""
    driver = dash_duo.driver
    driver.find_element(By.CSS_SELECTOR, f"#{dropdown_id}").click()
    box = wait_for(lambda: driver.find_element(By.CSS_SELECTOR, ".dash-dropdown-search"), message="search box")
    box.send_keys(search)

    def click_option():
        for o in driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option"):
            if label_part in o.text:
                o.click()
                return True
        return False
    wait_for(click_option, message=f"option {label_part}")
    try:
        driver.find_element(By.CSS_SELECTOR, ".dash-dropdown-search").send_keys(Keys.ESCAPE)
    except Exception:  # noqa: BLE001  (single dropdowns close on their own)
        pass


def graph_title(dash_duo, graph_id: str) -> str:
    return dash_duo.driver.execute_script(
        f"var t = document.querySelector('#{graph_id} .gtitle'); return t ? t.textContent : '';")


def x_title(dash_duo, graph_id: str) -> str:
    return dash_duo.driver.execute_script(
        f"var t = document.querySelector('#{graph_id} .xtitle'); return t ? t.textContent : '';")


def three_sizes(dash_duo, app, path, wait_css, name):
    for size in ("projector", "phone"):
        open_page(dash_duo, app, path, wait_css, size=size)
        wait_for(lambda: graph_title(dash_duo, wait_css.split()[0][1:]), timeout=60)
        shot(dash_duo, f"insights-{name}-{size}", settle=2)


def test_prosperity_in_the_browser(dash_duo, insights_app):
    open_page(dash_duo, insights_app, "/insights/prosperity?dataset=eu&region=DE11", f"#{pids.GRAPH} .gtitle")
    assert "Cluster strength and GDP per capita" in graph_title(dash_duo, pids.GRAPH)
    shot(dash_duo, "insights-prosperity-desktop", settle=2)
    before = x_title(dash_duo, pids.GRAPH)
    dash_duo.select_dcc_dropdown(f"#{pids.VARIANT}", index=1)
    wait_for(lambda: x_title(dash_duo, pids.GRAPH) != before and "US portal" in x_title(dash_duo, pids.GRAPH),
             message="x-axis of the other variant")
    wait_for(lambda: query(dash_duo).get("variant") == "us-strong", message="variant in the address")
    assert not console_errors(dash_duo)
    three_sizes(dash_duo, insights_app, "/insights/prosperity?dataset=us", f"#{pids.GRAPH} .gtitle", "prosperity")


def test_related_in_the_browser(dash_duo, insights_app):
    open_page(dash_duo, insights_app, "/insights/related?dataset=eu&region=DE11", f"#{rids.NETWORK} .gtitle")
    assert "Stuttgart" in graph_title(dash_duo, rids.NETWORK)
    shot(dash_duo, "insights-related-desktop", settle=2)
    pick(dash_duo, rids.REGION, "FR10", "Ile-de-France")
    wait_for(lambda: "Ile-de-France" in graph_title(dash_duo, rids.NETWORK)
             and "Ile-de-France" in graph_title(dash_duo, rids.DENSITY), message="the new region's charts")
    wait_for(lambda: query(dash_duo).get("region") == "FR10", message="region in the address")
    assert not console_errors(dash_duo)
    three_sizes(dash_duo, insights_app, "/insights/related?dataset=us", f"#{rids.NETWORK} .gtitle", "related")


def test_transatlantic_in_the_browser(dash_duo, insights_app):
    open_page(dash_duo, insights_app, "/transatlantic", f"#{tids.TOP} .gtitle")
    assert "Automotive" in graph_title(dash_duo, tids.TOP)
    shot(dash_duo, "insights-transatlantic-desktop", settle=2)
    dash_duo.select_dcc_dropdown(f"#{tids.CATEGORY}", "Apparel (traded)")
    wait_for(lambda: graph_title(dash_duo, tids.TOP).startswith("Apparel"), message="the new category's chart")
    wait_for(lambda: query(dash_duo).get("category") == "apparel", message="category in the address")
    assert not console_errors(dash_duo)
    three_sizes(dash_duo, insights_app, "/transatlantic?year=latest", f"#{tids.TOP} .gtitle", "transatlantic")


# ---------------------------------------------------------------------------- registration and labels


def test_insight_pages_are_registered_and_in_the_navbar(dash_app):
    import dash

    from components.shell import INSIGHTS, navbar

    paths = {p.get("path") for p in dash.page_registry.values()}
    assert {PROSPERITY.path, RELATED.path, TRANSATLANTIC.path} <= paths
    hrefs = []

    def walk(c):
        if getattr(c, "href", None):
            hrefs.append(c.href)
        kids = getattr(c, "children", None)
        for k in kids if isinstance(kids, (list, tuple)) else [kids]:
            if k is not None and not isinstance(k, str):
                walk(k)
    walk(navbar())
    assert [path for _, path in INSIGHTS] == [PROSPERITY.path, RELATED.path, TRANSATLANTIC.path]
    assert all(path in hrefs for _, path in INSIGHTS)


def test_labels_that_fit_drops_the_overlapping_ones_by_priority():
    from components.figures import labels_that_fit

    # "AAAA" at (0, 0) is 24.8 px wide (±12.4) at y 1…14; "BBBB" at (10, 5) overlaps it; "CC" at (40, 0)
    # does not (x 33.8…46.2); "DDDD" at (0, 20) sits above "AAAA" (y 21…34); "" is never drawn
    px, py = [0, 10, 40, 0, 5], [0, 5, 0, 20, 0]
    texts = ["AAAA", "BBBB", "CC", "DDDD", ""]
    assert list(labels_that_fit(px, py, texts, [0, 1, 2, 3, 4])) == [True, False, True, True, False]
    # the other priority keeps "BBBB" (x −2.4…22.4, y 6…19) and drops "AAAA"; "DDDD" (y 21…34) clears "BBBB"
    assert list(labels_that_fit(px, py, texts, [1, 0, 2, 3])) == [False, True, True, True, False]
    # a larger marker lifts the label: "DDDD" 10 px above its point (y 31…44) still clears, "AAAA" with
    # a 20 px radius (y 21…34) now collides with "DDDD" placed first
    assert list(labels_that_fit(px, py, texts, [3, 0], above_px=[20, 0, 0, 10, 0])) == [False, False, False, True,
                                                                                            False]
