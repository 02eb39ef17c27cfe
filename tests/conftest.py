"""Shared test setup: headless Debian Chromium for dash_duo, browser helpers, the built data,
and a private saved-definitions library for the whole session.

Every test that uses ``dash_duo`` is marked ``browser`` automatically, so ``pytest -m "not
browser"`` runs the fast part. Browser helpers live here once: :func:`open_page` (start the app,
size the window, wait for an element), :func:`wait_for`, :func:`shot` (a screenshot at desktop,
projector or phone size into ``screenshots/``), :func:`query` (the address bar's query),
:func:`console_errors` and :func:`update_responses`.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.chrome.options import Options

SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
SIZES = {"desktop": (1400, 900), "projector": (1920, 1080), "phone": (390, 844)}


def pytest_setup_options():
    """Options for dash[testing]'s Chrome webdriver (Debian chromium + chromium-driver)."""
    options = Options()
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
                "--enable-unsafe-swiftshader"):  # software WebGL for the MapLibre map (headless, no GPU)
        options.add_argument(arg)
    return options


def pytest_collection_modifyitems(items):
    for item in items:
        if "dash_duo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def private_library():
    """A fresh SQLite library for the session (tests never touch data/library.sqlite); restored after."""
    old = os.environ.get("CLUSTER_LIBRARY_URL")
    tmp = tempfile.mkdtemp(prefix="cluster-library-")
    os.environ["CLUSTER_LIBRARY_URL"] = f"sqlite:///{tmp}/library.sqlite"
    yield os.environ["CLUSTER_LIBRARY_URL"]
    if old is None:
        os.environ.pop("CLUSTER_LIBRARY_URL", None)
    else:
        os.environ["CLUSTER_LIBRARY_URL"] = old
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def built():
    """Build (or check) the data once per test process, before any test: serving code never builds
    (``analytics.build.require_build``), so every test can read the store. Workers wait on the
    build lock while the first one builds."""
    from analytics.build import ensure_built

    ensure_built()


@pytest.fixture(scope="session")
def dash_app(built):
    from app import app

    return app


# ---------------------------------------------------------------------------- browser helpers


def wait_for(predicate, timeout: float = 40, interval: float = 0.2, message: str = "condition"):
    end = time.time() + timeout
    while time.time() < end:
        try:
            value = predicate()
            if value:
                return value
        except Exception:  # noqa: BLE001  (element not there yet)
            pass
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")


def free_port() -> int:
    """A port nobody listens on (tests run in parallel workers: each server gets its own)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_page(dash_duo, app, path: str, wait_css: str | None = None, size: str = "desktop", timeout: int = 60):
    """Start the app (once per test, on a free port), size the window and open ``path``; wait for ``wait_css``."""
    if not getattr(dash_duo, "_observatory_started", False):
        dash_duo.start_server(app, port=free_port())
        dash_duo._observatory_started = True
    dash_duo.driver.set_window_size(*SIZES[size])
    dash_duo.wait_for_page(url=dash_duo.server_url + path, timeout=30)
    if wait_css:
        dash_duo.wait_for_element(wait_css, timeout=timeout)


def shot(dash_duo, name: str, settle: float = 1.0, top: bool = True):
    SHOTS.mkdir(exist_ok=True)
    time.sleep(settle)  # let plotly / maplibre finish drawing
    if top:
        dash_duo.driver.execute_script("window.scrollTo(0, 0)")
    dash_duo.driver.save_screenshot(str(SHOTS / f"{name}.png"))


def query(dash_duo) -> dict:
    """The address bar's query (the last value of a repeated parameter)."""
    return {k: v[-1] for k, v in parse_qs(urlparse(dash_duo.driver.current_url).query).items()}


def path(dash_duo) -> str:
    return urlparse(dash_duo.driver.current_url).path


def console_errors(dash_duo) -> list:
    """Severe browser console entries (dash_duo's log reader)."""
    return dash_duo.get_logs() or []


def update_responses(dash_duo) -> list[dict]:
    """Sizes of the callback responses so far (Resource Timing, same origin)."""
    return dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource')"
        ".filter(e => e.name.indexOf('_dash-update-component') >= 0)"
        ".map(e => ({size: e.encodedBodySize, decoded: e.decodedBodySize}));")


def wait_healthy(proc, base: str, timeout: float = 180) -> None:
    """Wait until a server process started by a test answers /healthz; fail with its stderr if it exits."""
    import requests

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=2).ok:
                return
        except requests.RequestException:  # not listening yet, or no worker yet (the master prepares)
            time.sleep(0.5)
        if proc.poll() is not None:
            pytest.fail("the server exited: " + proc.stderr.read()[-2000:])
    pytest.fail(f"the server did not answer /healthz within {timeout:.0f} s")


def geo_fetches(dash_duo) -> list[dict]:
    """The map geometry files the browser fetched (``/geo/…``; a cached one has transfer size 0)."""
    return dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource')"
        ".filter(e => e.name.indexOf('/geo/') >= 0)"
        ".map(e => ({name: e.name, size: e.encodedBodySize, decoded: e.decodedBodySize}));")


def geometry_bytes(dataset: str, level: str) -> int:
    """Bytes of a level's GeoJSON: what a figure carrying its geometry would weigh more."""
    from analytics.serving.store import get_store

    return (get_store(dataset).dir / f"geometry_{level}.geojson").stat().st_size


def grid_cells(dash_duo, grid_id: str, col_id: str) -> list[str]:
    """The texts of a column's visible cells in an ag-grid."""
    return [e.text for e in dash_duo.driver.find_elements(
        "css selector", f"#{grid_id} .ag-center-cols-container .ag-cell[col-id='{col_id}'], "
                        f"#{grid_id} .ag-pinned-left-cols-container .ag-cell[col-id='{col_id}']")]


def value_of(dash_duo, css: str) -> str | None:
    """A control's value (select, input) or a dcc.Dropdown's shown value."""
    els = dash_duo.driver.find_elements("css selector", css)
    if not els:
        return None
    v = els[0].get_attribute("value")
    if v is not None:
        return v
    return els[0].text


def grid_rows(dash_duo, grid_id: str) -> list[dict]:
    """Every row of an ag-grid (all pages), through the grid's own API."""
    return dash_duo.driver.execute_script(
        "var api = window.dash_ag_grid && window.dash_ag_grid.getApi(arguments[0]); if (!api) return null;"
        "var out = []; api.forEachNode(function (n) { if (n.data) out.push(n.data); }); return out;", grid_id) or []


def run_cli(*args: str, env: dict | None = None):
    """``python -m analytics ARGS`` → (returncode, stdout, stderr) as a ``CompletedProcess``.

    In-process (``analytics.cli.main`` with stdout and stderr captured: the same code path as the
    command, without a new interpreter loading the data again); in a subprocess when ``env`` is
    given (a different environment) — ``tests/test_cli.py`` also runs the real entry point once.
    """
    import contextlib
    import io
    import subprocess
    import sys

    if env is not None:
        return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=Path(__file__).resolve().parents[1],
                              capture_output=True, text=True, env=env, timeout=900)
    from analytics import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return subprocess.CompletedProcess(["python", "-m", "analytics", *args], code, out.getvalue(), err.getvalue())


def pytest_sessionstart(session):
    """Build (or check) before collection: some tests parametrize over the store's contents."""
    from analytics import config
    from analytics.build import ensure_built

    if config.raw_dir().exists():
        ensure_built()


def walk_components(node):
    """Every Dash component in a layout tree (depth first, the node itself first)."""
    if node is None or isinstance(node, (str, int, float)):
        return
    if isinstance(node, (list, tuple)):
        for n in node:
            yield from walk_components(n)
        return
    yield node
    yield from walk_components(getattr(node, "children", None))
