"""Region, category and methodology pages: browser tests (dash_duo) and CSV downloads.

The browser tests (marker ``browser``) open each page in headless Chromium at 1400×900,
check what a reader must see, assert that the console has no errors, and save a screenshot
to ``screenshots/`` (git-ignored). The CSV tests call the download callbacks directly: the
first line must be the source credit and the numbers must match the store.
"""
from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pandas as pd
import pytest

SHOTS = Path(__file__).resolve().parent.parent / "screenshots"
RANK = re.compile(r"^\d[\d,]*(st|nd|rd|th) of [\d,]+$")
browser = pytest.mark.browser
# dash_table.DataTable is deprecated in favour of dash-ag-grid but still ships with Dash 4.
pytestmark = pytest.mark.filterwarnings(r"ignore:\s*The dash_table.DataTable will be removed:DeprecationWarning")


@pytest.fixture(scope="module")
def built():
    """Build (or check) the data before a server starts, so no page waits for a build."""
    from analytics.build import ensure_built

    ensure_built()


def _open(dash_duo, path: str, wait_css: str, timeout: int = 60):
    from app import app

    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(1400, 900)
    dash_duo.wait_for_page(url=dash_duo.server_url + path, timeout=30)
    dash_duo.wait_for_element(wait_css, timeout=timeout)


def _shot(dash_duo, name: str, settle: float = 2.0):
    SHOTS.mkdir(exist_ok=True)
    time.sleep(settle)  # let plotly / maplibre finish drawing
    dash_duo.driver.execute_script("window.scrollTo(0, 0)")
    dash_duo.driver.save_screenshot(str(SHOTS / f"{name}.png"))


def _texts(dash_duo, css: str) -> list[str]:
    return [e.text for e in dash_duo.find_elements(css)]


# ---------------------------------------------------------------------------- region page


@browser
def test_region_page_renders_with_ranks(dash_duo, built):
    _open(dash_duo, "/region/eu/DE11", "#region-table td[data-dash-column='lq']")
    dash_duo.wait_for_element(".keyfig-rank")
    ranks = _texts(dash_duo, ".keyfig-rank")
    assert len(ranks) == 4, ranks
    assert all(" of " in r and RANK.match(r) for r in ranks), ranks
    assert "Stuttgart (DE11)" in dash_duo.find_element("h1").text
    crumbs = dash_duo.find_element("#region-breadcrumb").text
    assert "Deutschland" in crumbs and "Baden-Württemberg" in crumbs
    dash_duo.wait_for_element("#region-bubble .scatterlayer .trace")
    dash_duo.wait_for_element("#region-timeline .scatterlayer .trace")
    assert "Source: Eurostat" in dash_duo.find_element("#region-body").text
    _shot(dash_duo, "region_DE11")
    assert dash_duo.get_logs() == []


@browser
def test_region_url_query_restores_controls(dash_duo, built):
    _open(dash_duo, "/region/eu/DE11?year=2012&start_year=2009&rules=us-strong&denominator=traded",
          ".keyfig-rank")
    dash_duo.wait_for_text_to_equal("#region-year .dash-dropdown-value", "2012", timeout=10)
    dash_duo.wait_for_text_to_equal("#region-start-year .dash-dropdown-value", "2009", timeout=10)
    assert 'US "strong cluster"' in dash_duo.find_element("#region-rules").text
    assert "US portal" in dash_duo.find_element("#region-denominator").text
    assert "NUTS 2 regions, 2012" in dash_duo.find_element("#region-keyfigs").text
    assert dash_duo.get_logs() == []


@browser
def test_region_settings_written_to_url(dash_duo, built):
    _open(dash_duo, "/region/eu/DE12", ".keyfig-rank")
    dash_duo.wait_for_text_to_equal("#region-year .dash-dropdown-value", "2015", timeout=10)
    deadline = time.time() + 10
    while "year=2015" not in dash_duo.driver.current_url and time.time() < deadline:
        time.sleep(0.2)
    url = dash_duo.driver.current_url
    assert "year=2015" in url and "rules=eco2008" in url and "denominator=total" in url, url


@browser
def test_region_portfolio_table_sorts(dash_duo, built):
    _open(dash_duo, "/region/eu/DE11?year=2014&start_year=2010", "#region-table td[data-dash-column='lq']")

    def lqs():
        return [float(t.replace(",", "")) for t in _texts(dash_duo, "#region-table td[data-dash-column='lq']")]

    before = lqs()
    dash_duo.find_element("#region-table th[data-dash-column='lq'] .column-header--sort").click()
    time.sleep(0.5)
    first = lqs()
    dash_duo.find_element("#region-table th[data-dash-column='lq'] .column-header--sort").click()
    time.sleep(0.5)
    second = lqs()
    assert first != before
    ascending, descending = (first, second) if first[0] <= first[-1] else (second, first)
    assert ascending == sorted(ascending) and descending == sorted(descending, reverse=True)
    # the store's highest LQ in the region comes first when sorted descending
    from analytics.serving.store import get_store

    t = get_store("eu").table("nuts2", 2014)
    assert descending[0] == pytest.approx(round(t.loc[t["region_id"] == "DE11", "lq"].max(), 2), abs=0.006)
    assert dash_duo.get_logs() == []


@browser
def test_unknown_region_shows_message(dash_duo, built):
    _open(dash_duo, "/region/eu/XX99", "#region-message")
    text = dash_duo.find_element("#region-message").text
    assert "No region “XX99”" in text
    assert dash_duo.find_element("#region-message a[href='/map']")
    _shot(dash_duo, "region_unknown", settle=0.5)
    assert dash_duo.get_logs() == []


@browser
def test_region_year_without_data_lists_years(dash_duo, built):
    _open(dash_duo, "/region/eu/DED4?year=2008", "#region-message .alert")
    text = dash_duo.find_element("#region-message").text
    assert "No data for Chemnitz in 2008" in text and "2011" in text and "2015" in text
    assert dash_duo.get_logs() == []


# ---------------------------------------------------------------------------- category page


@browser
def test_category_page_renders(dash_duo, built):
    _open(dash_duo, "/category/eu/automotive", "#category-top-table td[data-dash-column='employment']")
    assert dash_duo.find_element("h1").text == "Automotive"
    dash_duo.wait_for_element("#category-top-chart .barlayer")
    dash_duo.wait_for_element("#category-map .js-plotly-plot")
    dash_duo.wait_for_element("#category-members td")
    dash_duo.wait_for_element("#category-related td")
    top = dash_duo.find_element("#category-top-table").text
    assert "Stuttgart" in top
    assert "✓" in dash_duo.find_element("#category-related").text
    assert "Delgado, Porter & Stern 2016" in dash_duo.find_element(".category-page").text
    _shot(dash_duo, "category_automotive", settle=3)
    assert dash_duo.get_logs() == []


@browser
def test_unknown_category_shows_message(dash_duo, built):
    _open(dash_duo, "/category/eu/nonsense", "#category-message")
    assert "No category “nonsense”" in dash_duo.find_element("#category-message").text
    assert dash_duo.get_logs() == []


# ---------------------------------------------------------------------------- methodology


@browser
def test_methodology_page_renders(dash_duo, built):
    from analytics.metrics.stars import RULE_SETS

    _open(dash_duo, "/methodology", "#method-quality table")
    text = dash_duo.find_element(".methodology-page").text
    for rules in RULE_SETS.values():
        for line in rules.describe():
            assert line in text, line
    assert "© EuroGeographics for the administrative boundaries" in text
    assert "sbs_r_nuts06_r2" in text and "County Business Patterns" in text
    assert "C29 Manufacture of motor vehicles" in text
    assert "lq_total" in text and "lq_type" in text
    _shot(dash_duo, "methodology", settle=1)
    assert dash_duo.get_logs() == []


# ---------------------------------------------------------------------------- CSV downloads


def _read_csv(payload: dict):
    """(first line, all lines, the table): the credit lines are '# …' comments above the table."""
    lines = payload["content"].splitlines()
    return lines[0], lines, pd.read_csv(io.StringIO(payload["content"]), comment="#")


def test_portfolio_csv_has_credit_and_store_numbers(built):
    import app  # noqa: F401  (registers the pages and callbacks)
    from analytics.serving.store import get_store
    from callbacks.region_callbacks import download_portfolio

    store = get_store("eu")
    payload = download_portfolio(1, 2014, 2010, "eco2008", "total", {"dataset": "eu", "region_id": "DE11"})
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


def test_category_csvs_have_credit_and_store_numbers(built):
    import app  # noqa: F401
    from analytics.serving.store import get_store
    from callbacks.category_callbacks import category_csv

    store = get_store("eu")
    credit, lines, top = _read_csv(category_csv("top", "eu", "automotive", 2014, "nuts2"))
    assert credit == "# " + store.meta["source"]
    t = store.table("nuts2", 2014)
    t = t[t["category_id"] == "automotive"].sort_values("employment", ascending=False).head(20)
    assert top["region_id"].tolist() == t["region_id"].tolist()
    assert top["employment"].tolist() == pytest.approx(t["employment"].tolist())
    credit, _, members = _read_csv(category_csv("members", "eu", "automotive", 2014, "nuts2"))
    assert credit == "# " + store.meta["source"]
    f = store.facts("nuts2")
    assert members.loc[0, "employment"] == pytest.approx(
        f[(f["year"] == 2014) & (f["industry"] == "C29")]["employment"].sum())
    credit, _, rel = _read_csv(category_csv("related", "eu", "automotive", 2014, "nuts2"))
    assert credit.startswith("# US 2014 relatedness (Delgado, Porter & Stern 2016)")
    assert rel.loc[0, "related_id"] == "metalworking_technology"


def test_imputed_share_csv(built):
    import app  # noqa: F401
    from analytics.serving.store import get_store
    from callbacks.methodology_callbacks import download_imputed

    credit, _, df = _read_csv(download_imputed(1, "eu"))
    assert credit == "# " + get_store("eu").meta["source"]
    q = pd.DataFrame(get_store("eu").quality["imputed_share"])
    at = q[(q["country"] == "AT") & (q["year"] == 2010)]["imputed_share"].iloc[0]
    assert df.set_index("country").loc["AT", "2010"] == pytest.approx(round(at * 100, 1))
