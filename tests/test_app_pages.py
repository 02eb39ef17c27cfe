"""Region, category, methodology and home pages: browser tests (dash_duo) and CSV downloads.

The browser tests open each page in headless Chromium, check what a reader must see, restore the
view from its address, step back and forward through changes, assert that the console has no
errors and save screenshots to ``screenshots/`` (git-ignored). The CSV tests call the download
functions directly: the first line must be the source credit and the numbers must match the store.
"""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from conftest import console_errors, grid_cells, open_page, query, shot, wait_for

RANK = re.compile(r"^(would rank )?\d[\d,]*(st|nd|rd|th) of [\d,]+$")


def _texts(dash_duo, css: str) -> list[str]:
    return [e.text for e in dash_duo.find_elements(css)]


def dropdown_value(dash_duo, id_: str) -> str:
    return dash_duo.find_element(f"#{id_} .dash-dropdown-value").text


def pick(dash_duo, id_: str, label: str):
    """Choose an option of a dcc.Dropdown by its label."""
    dash_duo.find_element(f"#{id_}").click()
    wait_for(lambda: [o for o in dash_duo.driver.find_elements("css selector", ".dash-dropdown-option")
                      if o.text.strip() == label], message=f"option {label}")[0].click()


# ---------------------------------------------------------------------------- home


def test_home_renders_without_console_errors(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/", "h1")
    assert dash_duo.find_element("h1").text == "Cluster Observatory"
    links = [a.get_attribute("href") for a in dash_duo.driver.find_elements("css selector", "a.btn-primary")]
    assert any("/map?dataset=eu" in h for h in links) and any("/map?dataset=us" in h for h in links)
    # the landing page's US link opens the map with the US rules, as the dataset picker does
    assert any("rules=us-strong" in h and "denominator=traded" in h for h in links if "dataset=us" in h)
    for size in ("desktop", "phone"):
        open_page(dash_duo, dash_app, "/", "h1", size=size)
        shot(dash_duo, f"home_{size}")
    assert console_errors(dash_duo) == []


# ---------------------------------------------------------------------------- region page


def test_region_page_renders_with_ranks(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/region/eu/DE11", ".keyfig-rank")
    wait_for(lambda: len(_texts(dash_duo, "#region-keyfigs .keyfig-rank")) == 6, message="six key figures")
    ranks = _texts(dash_duo, "#region-keyfigs .keyfig-rank")
    assert all(RANK.match(r) for r in ranks), ranks
    assert "Stuttgart (DE11)" in dash_duo.find_element("h1").text
    crumbs = dash_duo.find_element("#region-breadcrumb").text
    assert "Deutschland" in crumbs and "Baden-Württemberg" in crumbs
    dash_duo.wait_for_element("#region-bubble .scatterlayer .trace")
    dash_duo.wait_for_element("#region-timeline .scatterlayer .trace")
    wait_for(lambda: grid_cells(dash_duo, "region-table", "lq"), message="portfolio rows")
    assert "Source: Eurostat" in dash_duo.find_element("#region-body").text
    for size in ("desktop", "projector", "phone"):
        open_page(dash_duo, dash_app, "/region/eu/DE11", ".keyfig-rank", size=size)
        shot(dash_duo, f"region_DE11_{size}", settle=2)
    assert console_errors(dash_duo) == []


def test_region_url_restores_controls_and_back_forward(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/region/eu/DE11?year=2012&start_year=2009&rules=us-strong&denominator=traded",
              ".keyfig-rank")
    dash_duo.wait_for_text_to_equal("#region-year .dash-dropdown-value", "2012", timeout=10)
    dash_duo.wait_for_text_to_equal("#region-start-year .dash-dropdown-value", "2009", timeout=10)
    assert 'US "strong cluster"' in dash_duo.find_element("#region-rules").text
    assert "US portal" in dash_duo.find_element("#region-denominator").text
    assert "NUTS 2 regions, 2012" in dash_duo.find_element("#region-keyfigs").text
    pick(dash_duo, "region-year", "2014")
    wait_for(lambda: query(dash_duo).get("year") == "2014", message="URL year=2014")
    wait_for(lambda: "NUTS 2 regions, 2014" in dash_duo.find_element("#region-keyfigs").text, message="2014 figures")
    dash_duo.driver.back()
    wait_for(lambda: dropdown_value(dash_duo, "region-year") == "2012", message="back: 2012")
    wait_for(lambda: "NUTS 2 regions, 2012" in dash_duo.find_element("#region-keyfigs").text, message="2012 again")
    assert query(dash_duo)["rules"] == "us-strong" and query(dash_duo)["start_year"] == "2009"
    dash_duo.driver.forward()
    wait_for(lambda: dropdown_value(dash_duo, "region-year") == "2014", message="forward: 2014")
    assert console_errors(dash_duo) == []


def test_region_settings_written_to_url(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/region/eu/DE12", ".keyfig-rank")
    wait_for(lambda: query(dash_duo).get("year") == "2015", message="year in the URL")
    q = query(dash_duo)
    assert q["rules"] == "eco2008" and q["denominator"] == "total" and q["start_year"] == "2008", q  # EU: the first year of the 2008–2015 series
    # clearing the start year is written as start_year=none and restores as "no growth"
    open_page(dash_duo, dash_app, "/region/eu/DE12?start_year=none", ".keyfig-rank")
    assert "Growth (pick a start year)" in dash_duo.find_element("#region-table").text
    assert query(dash_duo)["start_year"] == "none"


def test_region_portfolio_table_sorts(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/region/eu/DE11?year=2014&start_year=2010", "#region-table .ag-cell[col-id='lq']")

    def lqs():
        return [float(t.replace(",", "")) for t in grid_cells(dash_duo, "region-table", "lq") if t not in ("", "–")]

    header = "#region-table .ag-header-cell[col-id='lq'] .ag-header-cell-label"

    def click_header():
        dash_duo.driver.execute_script("document.querySelector(arguments[0]).click()", header)
    click_header()
    wait_for(lambda: lqs() == sorted(lqs()), message="ascending")
    click_header()
    wait_for(lambda: lqs() == sorted(lqs(), reverse=True), message="descending")
    from analytics.serving.store import get_store

    t = get_store("eu").table("nuts2", 2014)
    assert lqs()[0] == pytest.approx(round(t.loc[t["region_id"] == "DE11", "lq"].max(), 2), abs=0.006)
    assert console_errors(dash_duo) == []


def test_unknown_region_and_year_without_data(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/region/eu/XX99", "#region-message")
    assert "No region “XX99”" in dash_duo.find_element("#region-message").text
    assert dash_duo.find_element("#region-message a[href='/map']")
    open_page(dash_duo, dash_app, "/region/eu/DED4?year=2008", "#region-message .alert")
    text = dash_duo.find_element("#region-message").text
    assert "No data for Chemnitz in 2008" in text and "2011" in text and "2015" in text
    assert console_errors(dash_duo) == []


# ---------------------------------------------------------------------------- category page


def test_category_page_renders_and_back_forward(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/category/eu/automotive", "#category-top-table .ag-cell[col-id='employment']")
    assert dash_duo.find_element("h1").text == "Automotive"
    dash_duo.wait_for_element("#category-top-chart .barlayer")
    dash_duo.wait_for_element("#category-map .js-plotly-plot")
    wait_for(lambda: grid_cells(dash_duo, "category-members", "industry"), message="members")
    assert "Stuttgart" in dash_duo.find_element("#category-top-table").text
    assert "✓" in dash_duo.find_element("#category-related").text
    assert "Delgado, Porter & Stern 2016" in dash_duo.find_element(".category-page").text
    shot(dash_duo, "category_automotive", settle=3)
    pick(dash_duo, "category-level", "NUTS 1 regions")
    wait_for(lambda: query(dash_duo).get("level") == "nuts1", message="URL level=nuts1")
    dash_duo.driver.back()
    wait_for(lambda: dropdown_value(dash_duo, "category-level") == "NUTS 2 regions", message="back: NUTS 2")
    assert console_errors(dash_duo) == []


def test_unknown_category_shows_message(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/category/eu/nonsense", "#category-message")
    assert "No category “nonsense”" in dash_duo.find_element("#category-message").text
    assert console_errors(dash_duo) == []


# ---------------------------------------------------------------------------- methodology


def test_methodology_page_renders_and_back_forward(dash_duo, dash_app):
    from analytics.metrics.stars import RULE_SETS

    open_page(dash_duo, dash_app, "/methodology", "#method-quality table")
    text = dash_duo.find_element(".methodology-page").text
    for rules in RULE_SETS.values():
        for line in rules.describe():
            assert line in text, line
    assert "© EuroGeographics for the administrative boundaries" in text
    assert "sbs_r_nuts06_r2" in text and "County Business Patterns" in text
    assert "C29 Manufacture of motor vehicles" in text
    assert "lq_total" in text and "lq_type" in text
    from analytics.metrics.categories import near_ties, read_trace
    ties = dash_duo.find_element("#method-near-ties").text
    for code in near_ties(read_trace())["nace_code"]:
        assert f"{code} " in ties, code
    shot(dash_duo, "methodology")
    dash_duo.driver.execute_script("document.querySelector(\"#method-quality-dataset input[value='us']\").click()")
    wait_for(lambda: query(dash_duo).get("dataset") == "us", message="URL dataset=us")
    dash_duo.driver.back()
    wait_for(lambda: dash_duo.find_element("#method-quality-dataset input[value='eu']").is_selected(),
             message="back: Europe")
    assert console_errors(dash_duo) == []


# ---------------------------------------------------------------------------- CSV downloads


def _read_csv(payload: dict):
    """(first line, all lines, the table): the credit lines are '# …' comments above the table."""
    lines = payload["content"].splitlines()
    return lines[0], lines, pd.read_csv(io.StringIO(payload["content"]), comment="#")


REGION_CONTEXT = {"dataset": "eu", "region_id": "DE11", "path_id": "DE11", "level": "nuts2", "name": "Stuttgart",
                  "creg": None, "ccat": None, "ccats": []}


def test_portfolio_csv_has_credit_and_store_numbers(dash_app):
    from analytics.serving.store import get_store
    from pages.region.callbacks import download_portfolio

    store = get_store("eu")
    payload = download_portfolio(n_clicks=1, year=2014, start_year=2010, rules="eco2008", denominator="total",
                                 context=REGION_CONTEXT)
    credit, lines, df = _read_csv(payload)
    assert credit == "# " + store.meta["source"]
    assert lines[1].startswith("# Cluster portfolio of Stuttgart (DE11)") and "2010–2014" in lines[1]
    t = store.table("nuts2", 2014, "eco2008", "total", 2010)
    t = t[t["region_id"] == "DE11"].set_index("category_id")
    got = df.set_index("category_id")
    assert set(got.index) == set(t.index)
    for col in ("employment", "lq", "focus", "cagr"):
        pd.testing.assert_series_equal(got[col].sort_index(), t[col].astype(float).sort_index(),
                                       check_names=False, rtol=1e-9)
    assert got.loc["automotive", "stars"] == t.loc["automotive", "stars"]
    assert got.loc["automotive", "criteria_met"].startswith("LQ ")
    assert payload["filename"] == "portfolio_eu_DE11_2014.csv"


CATEGORY_CONTEXT = {"dataset": "eu", "category_id": "automotive", "path_id": "automotive", "name": "Automotive",
                    "ccat": None, "creg": None}


def test_category_csvs_have_credit_and_store_numbers(dash_app):
    from analytics.serving.store import get_store
    from pages.category.callbacks import category_csv

    store = get_store("eu")
    credit, lines, top = _read_csv(category_csv("top", CATEGORY_CONTEXT, 2014, "nuts2"))
    assert credit == "# " + store.meta["source"]
    t = store.table("nuts2", 2014)
    t = t[t["category_id"] == "automotive"].sort_values("employment", ascending=False).head(20)
    assert top["region_id"].tolist() == t["region_id"].tolist()
    assert top["employment"].tolist() == pytest.approx(t["employment"].tolist())
    credit, _, members = _read_csv(category_csv("members", CATEGORY_CONTEXT, 2014, "nuts2"))
    assert credit == "# " + store.meta["source"]
    f = store.facts("nuts2")
    assert members.loc[0, "employment"] == pytest.approx(
        f[(f["year"] == 2014) & (f["industry"] == "C29")]["employment"].sum())
    credit, _, rel = _read_csv(category_csv("related", CATEGORY_CONTEXT, 2014, "nuts2"))
    assert credit.startswith("# US 2014 relatedness (Delgado, Porter & Stern 2016)")
    assert rel.loc[0, "related_id"] == "metalworking_technology"


def test_methodology_near_ties_come_from_the_trace(dash_app):
    from analytics.metrics.categories import near_ties, read_trace
    from analytics.serving.store import get_store
    from pages.methodology.layout import near_ties_block

    cats = get_store("eu").categories.set_index("category_id")["category_name"]
    block = near_ties_block(cats)
    table = block.children[-1]
    body = table.children[-1].children
    ties = near_ties(read_trace())
    assert len(ties) and [row.children[0].children.split(" ")[0] for row in body] == ties["nace_code"].tolist()
    n82 = next(row for row in body if row.children[0].children.startswith("N82 "))
    assert [c.children for c in n82.children[1:3]] == ["type", "50.9 % / 49.1 %"]
    assert n82.children[3].children == "Business Services (traded, 36.4 %)"


def test_imputed_share_csv(dash_app):
    from analytics.serving.store import get_store
    from pages.methodology.callbacks import download_imputed

    credit, _, df = _read_csv(download_imputed(n_clicks=1, dataset="eu"))
    assert credit == "# " + get_store("eu").meta["source"]
    q = pd.DataFrame(get_store("eu").quality["imputed_share"])
    at = q[(q["country"] == "AT") & (q["year"] == 2010)]["imputed_share"].iloc[0]
    assert df.set_index("country").loc["AT", "2010"] == pytest.approx(round(at * 100, 1))
