"""Map geometry as a static, cacheable file: ``/geo/<build>/<dataset>/<level>.geojson``.

The map figures name this URL instead of carrying the GeoJSON (plotly.js fetches it itself), so
a page or a level change sends kilobytes, not the 1.5 MB of US counties, and the browser keeps
the geometry across pages and visits: the build id in the path changes with every build, so the
file is served ``immutable`` for a year. Compressed once per process (``/geo/`` is a static
prefix of ``web.static_compression``). An old build id (a page opened before a rebuild) gets the
current geometry, not cached.
"""
from __future__ import annotations

import functools
import re

from flask import Flask, Response, abort, request

SAFE = re.compile(r"^[a-z0-9_]{1,16}$")


def geo_url(dataset: str, level: str) -> str:
    from analytics.serving.store import build_id

    return f"/geo/{build_id()}/{dataset}/{level}.geojson"


@functools.lru_cache(maxsize=16)
def _body(dataset: str, level: str, _build: str) -> bytes:
    from analytics.serving.store import get_store

    return (get_store(dataset).dir / f"geometry_{level}.geojson").read_bytes()


def init_app(server: Flask) -> None:
    @server.get("/geo/<build>/<dataset>/<level>.geojson")
    def geometry(build: str, dataset: str, level: str):
        from analytics.serving.store import DATASETS, build_id, get_store

        if dataset not in DATASETS or not SAFE.match(level) or not get_store(dataset).has_geometry(level):
            abort(404)
        current = build_id()
        r = Response(_body(dataset, level, current), mimetype="application/json")
        r.headers["Cache-Control"] = ("public, max-age=31536000, immutable" if build == current else "no-cache")
        r.add_etag()
        return r.make_conditional(request)
