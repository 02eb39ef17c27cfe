"""Offline: no page of the app asks anything of a host other than its own (127.0.0.1 / localhost).

Each page is loaded fresh in headless Chromium with the DevTools network log on (performance
logging: every ``Network.requestWillBeSent`` and ``Network.webSocketCreated``), with host name
resolution switched off for every other host (``--host-resolver-rules``: what a laptop without a
network sees), and with Content-Security-Policy violations recorded (a request the page's CSP
refuses never reaches the network log, but it is still a request the page tried). After the
page has settled (no new request for two seconds), every URL must be on 127.0.0.1 / localhost,
or ``data:`` / ``blob:`` / ``about:``. A failure lists each external URL with its page.

Presenter mode is registered here as in ``tests/test_present.py`` (until ``pages/__init__.py``
lists it).
"""
from __future__ import annotations

import json
import shutil
import time
from urllib.parse import urlencode, urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from conftest import free_port, pytest_setup_options, wait_for

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob", "about"}
STORY = urlencode([("view", "/region/eu/DE11"), ("view", "/category/us/automotive")])
PAGES = [
    ("home", "/"),
    ("map eu", "/map"),
    ("map us", "/map?dataset=us"),
    ("region", "/region/eu/DE11"),
    ("category", "/category/eu/automotive"),
    ("compare", "/compare"),
    ("build", "/build"),
    ("methodology", "/methodology"),
    ("organisations", "/organisations"),
    ("partners", "/partners"),
    ("present carousel", "/present?dataset=eu&metric=lq&over=category&items=automotive,apparel"),
    ("present story", "/present?" + STORY),
]
RECORD_VIOLATIONS = """
window.__offlineViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
    window.__offlineViolations.push({url: String(e.blockedURI || ''), directive: e.violatedDirective});
});
"""


def external(url: str) -> bool:
    """A URL that leaves this machine (not 127.0.0.1 / localhost, not data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES or url in ("", "inline", "eval", "self"):
        return False
    return (parts.hostname or "") not in LOCAL_HOSTS


def test_the_external_check():
    assert not external("http://127.0.0.1:8050/_dash-layout")
    assert not external("http://localhost/assets/app.css")
    assert not external("data:image/png;base64,AAAA") and not external("blob:http://127.0.0.1:1/x")
    assert external("https://cdn.plot.ly/world_110m.json")
    assert external("https://fonts.googleapis.com/css?family=Lato")
    assert external("http://127.0.0.2/x") and external("wss://example.org/socket")


@pytest.fixture(scope="module")
def server(dash_app):
    from dash.testing.application_runners import ThreadedRunner

    runner = ThreadedRunner()
    port = free_port()
    runner.start(dash_app, port=port, start_timeout=30)
    yield f"http://127.0.0.1:{port}"
    runner.stop()


@pytest.fixture(scope="module")
def browser(server):
    options = pytest_setup_options()
    options.add_argument("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "chromedriver"), options=options)
    driver.set_window_size(1400, 900)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})
    yield driver
    driver.quit()


def network_urls(driver) -> list[str]:
    """The URLs requested since the last call (the performance log is read and emptied)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
        elif message["method"] == "Network.webSocketCreated":
            urls.append(message["params"]["url"])
    return urls


def settle(driver, quiet: float = 2.0, timeout: float = 60) -> list[str]:
    """Wait for the page to render and then for two seconds without a new request; every URL seen."""
    seen = network_urls(driver)
    wait_for(lambda: driver.execute_script(
        "var r = document.getElementById('react-entry-point');"
        "return document.readyState === 'complete' && r && r.children.length > 0 &&"
        " !document.querySelector('[data-dash-is-loading=\"true\"]');"), timeout=timeout, message="the page")
    last, end = time.time(), time.time() + timeout
    while time.time() < end and time.time() - last < quiet:
        time.sleep(0.3)
        new = network_urls(driver)
        if new:
            seen += new
            last = time.time()
    return seen


@pytest.mark.parametrize("name, page", PAGES, ids=[p[0] for p in PAGES])
def test_no_request_leaves_the_machine(browser, server, name, page):
    network_urls(browser)  # what an earlier page left in the log
    browser.get(server + page)
    urls = settle(browser)
    violations = browser.execute_script("return window.__offlineViolations || [];")
    assert any(u.startswith(server) for u in urls), f"{name}: the page itself was not requested? {urls[:5]}"
    found = sorted({u for u in urls if external(u)} | {v["url"] for v in violations if external(v["url"])})
    assert not found, f"{name} ({page}) asked other hosts for: " + "; ".join(found)
