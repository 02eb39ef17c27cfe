"""Peer benchmarking page (/compare): browser tests (dash_duo) and the CSV download.

The browser tests (marker ``browser``) open the page in headless Chromium at 1400×900, check
the peers, the heatmap rows and the URL, assert that the console has no errors, and save
screenshots to ``screenshots/compare_*.png``. The CSV test calls the download function
directly: the first line is the source credit and the numbers match ``Store.table``.
"""
from __future__ import annotations

import io
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

SHOTS = Path(__file__).resolve().parent.parent / "screenshots"
browser = pytest.mark.browser
pytestmark = pytest.mark.filterwarnings(r"ignore:\s*The dash_table.DataTable will be removed:DeprecationWarning")

HEATMAP_ROWS = ("var gd = document.querySelector('#compare-heatmap .js-plotly-plot');"
                "return gd && gd.data && gd.data.length && gd.data[0].y ? gd.data[0].y : null;")


@pytest.fixture(scope="module")
def built():
    from analytics.build import ensure_built

    ensure_built()


def _open(dash_duo, path: str, wait_css: str = "#compare-heatmap .heatmaplayer", timeout: int = 60):
    from app import app

    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(1400, 900)
    dash_duo.wait_for_page(url=dash_duo.server_url + path, timeout=30)
    dash_duo.wait_for_element(wait_css, timeout=timeout)


def _shot(dash_duo, name: str, settle: float = 1.5, scroll: int = 0):
    SHOTS.mkdir(exist_ok=True)
    time.sleep(settle)
    dash_duo.driver.execute_script(f"window.scrollTo(0, {scroll})")
    time.sleep(0.3)
    dash_duo.driver.save_screenshot(str(SHOTS / f"{name}.png"))


def _click(dash_duo, css: str):
    el = dash_duo.find_element(css)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    time.sleep(0.2)
    el.click()


def _query(dash_duo) -> dict:
    q = parse_qs(urlparse(dash_duo.driver.current_url).query)
    return {k: v[0] for k, v in q.items()}


def _wait(cond, timeout=20, what="condition"):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            last = cond()
            if last:
                return last
        except Exception as exc:  # noqa: BLE001 - retried until the timeout
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}: {last!r}")


def _heatmap_ids(dash_duo) -> list[str]:
    rows = dash_duo.driver.execute_script(HEATMAP_ROWS) or []
    return [r.rsplit("(", 1)[1].split(")")[0] for r in rows]


def _url_peers(dash_duo) -> list[str]:
    p = _query(dash_duo).get("peers")
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


@browser
def test_compare_smoke_structure_peers_and_neighbours(dash_duo, built):
    _open(dash_duo, "/compare?dataset=eu&region=DE11&year=2014")
    expected = _expected("structure")
    assert len(expected) == 8
    _wait(lambda: _heatmap_ids(dash_duo) == ["DE11", *expected], what="heatmap rows = DE11 + suggested peers")
    _wait(lambda: _url_peers(dash_duo) == expected, what="peers in the URL")
    listed = [e.get_attribute("data-region") for e in dash_duo.find_elements(".compare-suggested-peer")]
    assert listed == expected
    text = dash_duo.find_element("#compare-basis-text").text
    assert "Peers: the 8 NUTS 2 regions most similar in economic structure (cosine similarity of category " \
           "employment shares), 2014" in text
    assert "similarity 0." in text
    body = dash_duo.find_element("#compare-body").text
    assert "Source: Eurostat" in body and "2014" in body
    assert " of 9" in dash_duo.find_element("#compare-scorecard").text
    q = _query(dash_duo)
    assert q["dataset"] == "eu" and q["region"] == "DE11" and q["year"] == "2014" and q["basis"] == "structure"
    dash_duo.wait_for_element("#compare-bars .barlayer .trace")
    dash_duo.wait_for_element("#compare-growth .barlayer .trace")
    _shot(dash_duo, "compare_DE11_structure")
    _shot(dash_duo, "compare_DE11_bars_scorecard", settle=0.2, scroll=950)
    assert dash_duo.get_logs() == []

    # basis → neighbours: the peers become the regions sharing a border with DE11
    _click(dash_duo, "#compare-basis input[value='neighbours']")
    from analytics.serving.store import get_store

    nb = get_store("eu").neighbours("nuts2")
    border = set(nb.loc[nb["region_id"] == "DE11", "neighbour_id"])
    expected_nb = _expected("neighbours")
    assert expected_nb and set(expected_nb) <= border
    _wait(lambda: _heatmap_ids(dash_duo) == ["DE11", *expected_nb], what="heatmap rows = neighbours")
    _wait(lambda: _url_peers(dash_duo) == expected_nb, what="neighbour peers in the URL")
    assert _query(dash_duo)["basis"] == "neighbours"
    assert "sharing a border with Stuttgart" in dash_duo.find_element("#compare-basis-text").text
    assert dash_duo.get_logs() == []


@browser
def test_compare_remove_a_peer_by_hand_updates_heatmap(dash_duo, built):
    _open(dash_duo, "/compare?dataset=eu&region=DE11&year=2014")
    expected = _expected("structure")
    _wait(lambda: _heatmap_ids(dash_duo) == ["DE11", *expected], what="suggested peers")
    dropped = expected[0]
    _remove_peer(dash_duo, dropped)
    _wait(lambda: _heatmap_ids(dash_duo) == ["DE11", *expected[1:]], what=f"heatmap without {dropped}")
    _wait(lambda: _url_peers(dash_duo) == expected[1:], what="URL without the dropped peer")
    assert dash_duo.get_logs() == []


def _remove_peer(dash_duo, region_id: str):
    """Untick one region in the peers multi-select, as a user does: open it, search, click the option."""
    from selenium.webdriver.common.keys import Keys

    _click(dash_duo, "#compare-peers .dash-dropdown-trigger")
    search = dash_duo.wait_for_element(".dash-dropdown-search", timeout=10)
    search.send_keys(region_id)
    option = _wait(lambda: next((o for o in dash_duo.find_elements(".dash-dropdown-option")
                                 if f"({region_id})" in o.text), None), what=f"option {region_id}")
    option.click()
    search.send_keys(Keys.ESCAPE)


@browser
def test_compare_url_peers_are_restored(dash_duo, built):
    _open(dash_duo, "/compare?dataset=eu&region=DE11&year=2014&peers=DE21,ITC4")
    _wait(lambda: _heatmap_ids(dash_duo) == ["DE11", "DE21", "ITC4"], what="exactly the URL's peers")
    time.sleep(1.0)  # nothing overwrites them afterwards
    assert _heatmap_ids(dash_duo) == ["DE11", "DE21", "ITC4"]
    assert _url_peers(dash_duo) == ["DE21", "ITC4"]
    assert " of 3" in dash_duo.find_element("#compare-scorecard").text
    assert dash_duo.get_logs() == []


@browser
def test_compare_custom_region_is_focal_and_members_are_not_peers(dash_duo, built):
    _open(dash_duo, "/compare?dataset=eu&creg=Oresund%3DDK01%2BDK02%2BSE22&year=2014")
    members = {"DK01", "DK02", "SE22"}
    rows = _wait(lambda: (lambda r: r if len(r) > 1 else None)(
        dash_duo.driver.execute_script(HEATMAP_ROWS) or []), what="heatmap rows")
    assert "Oresund" in rows[0]
    peers = _heatmap_ids(dash_duo)[1:]
    assert peers and not set(peers) & members
    assert not set(_url_peers(dash_duo)) & members
    assert "Oresund" in dash_duo.find_element("#compare-focal").text
    q = _query(dash_duo)
    assert q["creg"] == "Oresund=DK01+DK02+SE22" and "region" not in q
    # neighbours of a custom region: regions bordering any member, members excluded
    _click(dash_duo, "#compare-basis input[value='neighbours']")
    from analytics.serving.store import get_store

    nb = get_store("eu").neighbours("nuts2")
    border = set(nb.loc[nb["region_id"].isin(members), "neighbour_id"]) - members
    _wait(lambda: (lambda ids: ids and set(ids) <= border)(_heatmap_ids(dash_duo)[1:]), what="custom neighbours")
    _shot(dash_duo, "compare_custom_oresund")
    assert dash_duo.get_logs() == []


@browser
def test_compare_malformed_custom_region_shows_a_message(dash_duo, built):
    _open(dash_duo, "/compare?dataset=eu&creg=Oresund%3DDK01%2BXX99&year=2014&basis=colour",
          wait_css="#compare-creg-error")
    msg = dash_duo.find_element("#compare-creg-error").text
    assert "cannot be used" in msg and "XX99" in msg
    assert "basis=colour" in dash_duo.find_element(".compare-page").text  # the bad basis is reported too
    dash_duo.wait_for_element("#compare-heatmap .heatmaplayer", timeout=60)  # defaults are shown
    _wait(lambda: "creg" not in _query(dash_duo) and _query(dash_duo).get("region"), what="defaults in the URL")
    _shot(dash_duo, "compare_bad_creg")
    assert dash_duo.get_logs() == []


# ---------------------------------------------------------------------------- CSV and timing


def test_comparison_csv_has_credit_and_matches_the_store(built):
    import app  # noqa: F401  (registers the pages and callbacks)
    from analytics.serving.store import get_store
    from callbacks import compare_callbacks as cc

    context = {"dataset": "eu", "level": "nuts2", "url_peers": None, "creg": None}
    peers = ["DE21", "ITC4"]
    out = cc.download_comparison(1, "DE11", 2014, 2010, "eco2008", "total", peers, context)
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


def test_peer_callback_time(built):
    """Server time of the peer suggestion callback (target ≤ 100 ms with the year table cached)."""
    import numpy as np

    import app  # noqa: F401
    from analytics.metrics.peers import BASES
    from callbacks import compare_callbacks as cc

    context = {"dataset": "eu", "level": "nuts2", "url_peers": None, "creg": None}
    cc.update_peers("DE11", 2014, "eco2008", "total", "structure", None, [], context)  # warm the table cache
    for basis in BASES:
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            cc.update_peers("DE11", 2014, "eco2008", "total", basis, None, [], context)
            runs.append((time.perf_counter() - t0) * 1000)
        print(f"update_peers({basis!r}) DE11 2014: median {np.median(runs):.1f} ms")
        assert np.median(runs) < 100, (basis, runs)
