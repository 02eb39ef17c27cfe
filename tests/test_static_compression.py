"""Static files are compressed once at the highest level and served from memory; pages and
callbacks are compressed per request and never kept (web/static_compression.py)."""
from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import flask_compress.flask_compress as fc
import plotly
import pytest

PLOTLY = "/_dash-component-suites/plotly/package_data/plotly.min.js"


@pytest.fixture(scope="module")
def warmed(dash_app):
    from web.static_compression import warm

    dash_app.server.test_client().get(PLOTLY, headers={"Accept-Encoding": "br"})  # a request compressed it first
    assert warm(dash_app.server, best=True) >= 10  # the page's scripts and styles, plotly.js, the geometry
    return dash_app.server, dash_app.server.extensions["static_compression"]


def test_plotly_js_is_served_precompressed_without_compressing_again(warmed, monkeypatch):
    server, _ = warmed
    calls = []
    real = fc._compress_data
    monkeypatch.setattr(fc, "_compress_data", lambda *a, **k: calls.append(a) or real(*a, **k))
    c = server.test_client()
    original = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    r = c.get(PLOTLY, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})  # what Chrome sends
    assert r.headers["Content-Encoding"] == "br" and brotli.decompress(r.data) == original
    assert len(r.data) < 0.95 * len(brotli.compress(original, quality=5))  # smaller than per-request level
    g = c.get(PLOTLY, headers={"Accept-Encoding": "gzip"})
    assert g.headers["Content-Encoding"] == "gzip" and gzip.decompress(g.data) == original
    assert calls == []  # neither was compressed in the request
    plain = c.get(PLOTLY, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.data == original


def test_pages_and_callbacks_are_compressed_per_request_and_never_kept(warmed):
    server, cache = warmed
    before = set(cache.keys())
    c = server.test_client()
    page = c.get("/region/eu/DE11", headers={"Accept-Encoding": "br"})
    assert page.status_code == 200
    deps = c.get("/_dash-dependencies", headers={"Accept-Encoding": "br"})
    assert deps.headers.get("Content-Encoding") == "br" and deps.status_code == 200
    assert set(cache.keys()) == before
    assert all(k.partition(";")[2].startswith("static:") for k in cache.keys())


def test_map_geometry_is_a_cacheable_file_named_by_build(dash_app):
    from analytics.serving.store import build_id, get_store
    from web.geo import geo_url

    c = dash_app.server.test_client()
    url = geo_url("us", "county")
    assert url == f"/geo/{build_id()}/us/county.geojson"
    r = c.get(url, headers={"Accept-Encoding": "br"})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert brotli.decompress(r.data) == (get_store("us").dir / "geometry_county.geojson").read_bytes()
    again = c.get(url, headers={"If-None-Match": r.headers["ETag"].removesuffix(':br"').strip('"').join('""')})
    assert again.status_code == 304 and again.data == b""
    old = c.get("/geo/0123456789ab/us/county.geojson")  # a page from before a rebuild: current geometry, not kept
    assert old.status_code == 200 and old.headers["Cache-Control"] == "no-cache"
    for bad in ("/geo/x/zz/county.geojson", "/geo/x/us/nosuch.geojson", "/geo/x/eu/" + "n" * 40 + ".geojson"):
        assert c.get(bad).status_code == 404, bad
    escaped = c.get("/geo/x/us/..%2f..%2fapp.geojson")  # not a file of the build: the app's page shell at most
    assert escaped.mimetype == "text/html" and b"import " not in escaped.data
