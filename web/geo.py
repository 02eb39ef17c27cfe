"""Map geometry as a static, cacheable file: ``/geo/<build>/<dataset>/<level>.geojson``.

The map figures name this URL instead of carrying the GeoJSON (plotly.js fetches it itself), so
a page or a level change sends kilobytes, not the 1.5 MB of US counties, and the browser keeps
the geometry across pages and visits: the build id in the path changes with every build, so the
file is served ``immutable`` for a year. Compressed once per process (``/geo/`` is a static
prefix of ``web.static_compression``). An old build id (a page opened before a rebuild) gets the
current geometry, not cached.

``/basemap/<name>.json`` answers plotly.js's request for a base map (it asks for one, e.g.
``world_110m.json`` or ``usa_110m.json``, whenever a geo trace has a ``locationmode``, even with
every base layer hidden): a valid, empty topology, so the maps make no request to plotly's CDN.
The graphs point ``topojsonURL`` at :data:`TOPOJSON_URL` (``components.figures.graph_config``, and
``assets/topojson/local_topojson.js`` for every graph).
"""
from __future__ import annotations

import functools
import json
import re

from flask import Flask, Response, abort, request

SAFE = re.compile(r"^[a-z0-9_]{1,16}$")
TOPOJSON_URL = "/basemap/"
TOPOJSON_NAME = re.compile(r"^[a-z_ -]{1,32}_(110|50)m$")
#: the layers plotly.js may read from a base topology; all empty (no base layer is drawn)
TOPOJSON_LAYERS = ("land", "ocean", "lakes", "rivers", "coastlines", "countries", "subunits")
EMPTY_TOPOLOGY = json.dumps({"type": "Topology", "arcs": [],
                             "objects": {k: {"type": "GeometryCollection", "geometries": []} for k in TOPOJSON_LAYERS}},
                            separators=(",", ":")).encode()


def geo_url(dataset: str, level: str) -> str:
    """The geometry file of a level; an uploaded data set (``upload-…``) draws on its built-in base
    dataset's geometry, so the address never carries the upload's private key."""
    from analytics.serving.store import DATASETS, base_of, build_id, get_store

    dataset = base_of(dataset)  # the European data under derived categories draw Europe's geometry
    if dataset not in DATASETS:
        dataset = getattr(get_store(dataset), "base", dataset)
    return f"/geo/{build_id()}/{dataset}/{level}.geojson"


@functools.lru_cache(maxsize=16)
def _body(dataset: str, level: str, _build: str) -> bytes:
    from analytics.serving.store import get_store

    return get_store(dataset).path(f"geometry_{level}.geojson").read_bytes()


def init_app(server: Flask) -> None:
    @server.get(TOPOJSON_URL + "<name>.json")
    def topojson(name: str):
        if not TOPOJSON_NAME.match(name):
            abort(404)
        r = Response(EMPTY_TOPOLOGY, mimetype="application/json")
        r.headers["Cache-Control"] = "public, max-age=86400"
        return r

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
