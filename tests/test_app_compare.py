"""Peer benchmarking page (/compare): browser tests (dash_duo) and the CSV download.

The browser tests open the page in headless Chromium, check the peers, the heatmap rows and the
URL, step back and forward, assert that the console has no errors, and save screenshots to
``screenshots/compare_*.png``. The CSV test calls the download function directly: the first line
is the source credit and the numbers match ``Store.table``.
"""
from __future__ import annotations

import io
import time

import pandas as pd

from conftest import console_errors, open_page, query, shot, wait_for

HEATMAP_ROWS = ("var gd = document.querySelector('#compare-heatmap .js-plotly-plot');"
                "return gd && gd.data && gd.data.length && gd.data[0].y ? gd.data[0].y : null;")


def _open(dash_duo, app, path: str, wait_css: str = "#compare-heatmap .heatmaplayer", size: str = "desktop"):
    open_page(dash_duo, app, path, wait_css, size=size)


def _click(dash_duo, css: str):
    el = dash_duo.find_element(css)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    time.sleep(0.2)
    el.click()


def _heatmap_ids(dash_duo) -> list[str]:
    rows = dash_duo.driver.execute_script(HEATMAP_ROWS) or []
    return [r.rsplit("(", 1)[1].split(")")[0] for r in rows]


def _url_peers(dash_duo) -> list[str]:
    p = query(dash_duo).get("peers")
    return p.split(",") if p else []


def _expected(basis: str, region: str = "DE11", year: int = 2014) -> list[str]:
    from analytics.metrics import peers
    from analytics.serving.store import get_store

    store = get_store("eu")
    table = store.table("nuts2", year)
    ind = store.indicators
    ind = ind[(ind["level"] == "nuts2") & (ind["year"] == year)]
    return peers.suggest(basis, region, table, ind, neighbours=store.neighbours("nuts2"))["region_id"].tolist()


# ---------------------------------------------------------------------------- browser


def test_compare_smoke_structure_peers_and_neighbours(dash_duo, dash_app):
    _open(dash_duo, dash_app, "/compare?dataset=eu&region=DE11&year=2014")
    expected = _expected("structure")
    assert len(expected) == 8
    wait_for(lambda: _heatmap_ids(dash_duo) == ["DE11", *expected], message="heatmap rows = DE11 + suggested peers")
    wait_for(lambda: _url_peers(dash_duo) == expected, message="peers in the URL")
    listed = [e.get_attribute("data-region") for e in dash_duo.find_elements(".compare-suggested-peer")]
    assert listed == expected
    text = dash_duo.find_element("#compare-basis-text").text
    assert "Peers: the 8 NUTS 2 regions most similar in economic structure (cosine similarity of category " \
           "employment shares), 2014" in text
    assert "similarity 0." in text
    body = dash_duo.find_element("#compare-body").text
    assert "Source: Eurostat" in body and "2014" in body
    assert " of 9" in dash_duo.find_element("#compare-scorecard").text
    q = query(dash_duo)
    assert q["dataset"] == "eu" and q["region"] == "DE11" and q["year"] == "2014" and q["basis"] == "structure"
    dash_duo.wait_for_element("#compare-bars .barlayer .trace")
    dash_duo.wait_for_element("#compare-growth .barlayer .trace")
    shot(dash_duo, "compare_DE11_structure")
    dash_duo.driver.execute_script("window.scrollTo(0, 950)")
    shot(dash_duo, "compare_DE11_bars_scorecard", settle=0.3, top=False)
    assert console_errors(dash_duo) == []

    # basis → neighbours: the peers become the regions sharing a border with DE11
    _click(dash_duo, "#compare-basis input[value='neighbours']")
    from analytics.serving.store import get_store

    nb = get_store("eu").neighbours("nuts2")
    border = set(nb.loc[nb["region_id"] == "DE11", "neighbour_id"])
    expected_nb = _expected("neighbours")
    assert expected_nb and set(expected_nb) <= border
    wait_for(lambda: _heatmap_ids(dash_duo) == ["DE11", *expected_nb], message="heatmap rows = neighbours")
    wait_for(lambda: _url_peers(dash_duo) == expected_nb, message="neighbour peers in the URL")
    assert query(dash_duo)["basis"] == "neighbours"
    assert "sharing a border with Stuttgart" in dash_duo.find_element("#compare-basis-text").text
    assert console_errors(dash_duo) == []


def test_compare_remove_a_peer_by_hand_updates_heatmap(dash_duo, dash_app):
    _open(dash_duo, dash_app, "/compare?dataset=eu&region=DE11&year=2014")
    expected = _expected("structure")
    wait_for(lambda: _heatmap_ids(dash_duo) == ["DE11", *expected], message="suggested peers")
    dropped = expected[0]
    _remove_peer(dash_duo, dropped)
    wait_for(lambda: _heatmap_ids(dash_duo) == ["DE11", *expected[1:]], message=f"heatmap without {dropped}")
    wait_for(lambda: _url_peers(dash_duo) == expected[1:], message="URL without the dropped peer")
    assert console_errors(dash_duo) == []


def _remove_peer(dash_duo, region_id: str):
    """Untick one region in the peers multi-select, as a user does: open it, search, click the option."""
    from selenium.webdriver.common.keys import Keys

    _click(dash_duo, "#compare-peers .dash-dropdown-trigger")
    search = dash_duo.wait_for_element(".dash-dropdown-search", timeout=10)
    search.send_keys(region_id)
    option = wait_for(lambda: next((o for o in dash_duo.find_elements(".dash-dropdown-option")
                                 if f"({region_id})" in o.text), None), message=f"option {region_id}")
    option.click()
    search.send_keys(Keys.ESCAPE)


def test_compare_url_peers_are_restored(dash_duo, dash_app):
    _open(dash_duo, dash_app, "/compare?dataset=eu&region=DE11&year=2014&peers=DE21,ITC4")
    wait_for(lambda: _heatmap_ids(dash_duo) == ["DE11", "DE21", "ITC4"], message="exactly the URL's peers")
    time.sleep(1.0)  # nothing overwrites them afterwards
    assert _heatmap_ids(dash_duo) == ["DE11", "DE21", "ITC4"]
    assert _url_peers(dash_duo) == ["DE21", "ITC4"]
    assert " of 3" in dash_duo.find_element("#compare-scorecard").text
    assert console_errors(dash_duo) == []


def test_compare_custom_region_is_focal_and_members_are_not_peers(dash_duo, dash_app):
    _open(dash_duo, dash_app, "/compare?dataset=eu&creg=Oresund%3DDK01%2BDK02%2BSE22&year=2014")
    members = {"DK01", "DK02", "SE22"}
    rows = wait_for(lambda: (lambda r: r if len(r) > 1 else None)(
        dash_duo.driver.execute_script(HEATMAP_ROWS) or []), message="heatmap rows")
    assert "Oresund" in rows[0]
    peers = _heatmap_ids(dash_duo)[1:]
    assert peers and not set(peers) & members
    assert not set(_url_peers(dash_duo)) & members
    assert "Oresund" in dash_duo.find_element("#compare-focal").text
    q = query(dash_duo)
    assert q["creg"] == "Oresund=DK01+DK02+SE22" and "region" not in q
    # neighbours of a custom region: regions bordering any member, members excluded
    _click(dash_duo, "#compare-basis input[value='neighbours']")
    from analytics.serving.store import get_store

    nb = get_store("eu").neighbours("nuts2")
    border = set(nb.loc[nb["region_id"].isin(members), "neighbour_id"]) - members
    wait_for(lambda: (lambda ids: ids and set(ids) <= border)(_heatmap_ids(dash_duo)[1:]), message="custom neighbours")
    shot(dash_duo, "compare_custom_oresund")
    assert console_errors(dash_duo) == []


def test_compare_malformed_custom_region_shows_a_message(dash_duo, dash_app):
    _open(dash_duo, dash_app, "/compare?dataset=eu&creg=Oresund%3DDK01%2BXX99&year=2014&basis=colour",
          wait_css="#compare-creg-error")
    msg = dash_duo.find_element("#compare-creg-error").text
    assert "could not be used" in msg and "XX99" in msg
    assert "basis=colour" in dash_duo.find_element(".compare-page").text  # the bad basis is reported too
    dash_duo.wait_for_element("#compare-heatmap .heatmaplayer", timeout=60)  # defaults are shown
    wait_for(lambda: "creg" not in query(dash_duo) and query(dash_duo).get("region"), message="defaults in the URL")
    shot(dash_duo, "compare_bad_creg")
    assert console_errors(dash_duo) == []


# ---------------------------------------------------------------------------- CSV and timing


def test_comparison_csv_has_credit_and_matches_the_store(dash_app):
    from analytics.serving.store import get_store
    from pages.compare.callbacks import download_comparison

    context = {"dataset": "eu", "level": "nuts2", "url_peers": None, "creg": None, "ccat": None, "cpeers": []}
    peers = ["DE21", "ITC4"]
    out = download_comparison(n_clicks=1, region="DE11", year=2014, start_year=2010, rules="eco2008",
                              denominator="total", peers=peers, context=context)
    text = out["content"]
    assert text.splitlines()[0].startswith("# Source: Eurostat")
    assert out["filename"].endswith(".csv")
    df = pd.read_csv(io.StringIO(text), comment="#")
    assert list(df["region_id"].unique()) == ["DE11", *peers]
    t = get_store("eu").table("nuts2", 2014, "eco2008", "total", 2010)
    t = t[t["region_id"].isin(["DE11", *peers])].set_index(["region_id", "category_id"])
    d = df.set_index(["region_id", "category_id"])
    both = d.join(t[["employment", "lq", "cagr"]].add_suffix("_store"), how="inner")
    assert len(both) == len(d) == len(t)
    pd.testing.assert_series_equal(both["employment"], both["employment_store"], check_names=False)
    pd.testing.assert_series_equal(both["lq"], both["lq_store"], check_names=False, rtol=1e-9)
    pd.testing.assert_series_equal(both["cagr_2010_2014"], both["cagr_store"], check_names=False, rtol=1e-9)
    # the ranks are the peer group's
    emp = d.xs("automotive", level="category_id")["employment"]
    assert d.loc[("DE11", "automotive"), "employment_peer_rank"] == (emp > emp["DE11"]).sum() + 1


def test_compare_back_and_forward(dash_duo, dash_app):
    _open(dash_duo, dash_app, "/compare?dataset=eu&region=DE11&year=2014&peers=DE21,ITC4")
    wait_for(lambda: _heatmap_ids(dash_duo) == ["DE11", "DE21", "ITC4"], message="the URL's peers")
    _click(dash_duo, "#compare-basis input[value='size']")
    wait_for(lambda: query(dash_duo).get("basis") == "size", message="URL basis=size")
    wait_for(lambda: len(_heatmap_ids(dash_duo)) == 9, message="size peers")
    dash_duo.driver.back()
    wait_for(lambda: _heatmap_ids(dash_duo) == ["DE11", "DE21", "ITC4"], message="back: the URL's peers")
    assert query(dash_duo)["basis"] == "structure"
    dash_duo.driver.forward()
    wait_for(lambda: query(dash_duo).get("basis") == "size" and len(_heatmap_ids(dash_duo)) == 9,
             message="forward: size peers")
    for size in ("projector", "phone"):
        _open(dash_duo, dash_app, "/compare?dataset=eu&region=DE11&year=2014", size=size)
        shot(dash_duo, f"compare_{size}", settle=2)
    assert console_errors(dash_duo) == []
