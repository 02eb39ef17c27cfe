"""Cluster Observatory web app: `python app.py` serves on $HOST:$PORT (default 127.0.0.1:8050).

``app.server`` is the WSGI entry (``gunicorn -c gunicorn.conf.py app:server``; ``make run`` builds
first, then serves so), with response compression on. The pages are registered in one place
(``pages.register_all``); data are read from the build folder through the analytics store. A
request never builds: without a build the server refuses to start with one line; with a stale
one it serves the last good build and says so (log line, methodology page).
"""
from __future__ import annotations

import os
import sys

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_compress import Compress

from analytics.serving.cache import bind as bind_cache
from analytics.serving.store import serving_status
from components import ids, shell
from components.guard import alert as input_error_alert
from components.guard import init_app as init_guard
from components.guard import on_callback_error
from pages import register_all
from web import init_app as init_web
from web.api import init_app as init_api
from web.geo import init_app as init_geo
from web.health import init_app as init_health
from web.reports import init_app as init_reports
from web.security import Dash, harden
from web.static_compression import configure as configure_compression

_STATUS = serving_status()
if _STATUS == "missing":
    print("error: no build to serve: run `make build` (python -m analytics build) first; `make run` does both",
          file=sys.stderr)
    raise SystemExit(2)
if _STATUS == "stale":
    print("warning: the build is older than the raw files or the build code: serving it; rebuild with `make build`",
          file=sys.stderr)

app = Dash(
    __name__,
    title="Cluster Observatory",
    use_pages=True,
    pages_folder="",
    suppress_callback_exceptions=True,
    on_error=on_callback_error,  # components.guard: a callback that fails on its input changes nothing, says so
)
server = app.server
configure_compression(server)  # static files compressed once (web/static_compression.py)
Compress(server)
bind_cache(server)
init_web(server)  # accounts, moderated profiles, the document library (Flask forms under /account, /library …)
register_all()
init_health(server)  # /healthz, /readyz
init_geo(server)  # /geo/<build>/<dataset>/<level>.geojson, the maps' geometry as a cacheable file
init_reports(server)  # /region|category/<dataset>/<id>/report(.pdf): printable reports (web/reports.py)
init_api(server)  # /api/v1/...: the open read-only API, JSON and CSV (web/api.py)
init_guard(server)  # a callback request Dash cannot read: 400, not 500
harden(app)  # CSP (hashes of the inline scripts above), nosniff, frame-ancestors, the 1 MB body limit

app.layout = html.Div([
    dcc.Location(id=ids.URL, refresh="callback-nav"),
    shell.navbar(),
    input_error_alert(),
    dbc.Container(dash.page_container, fluid=True, className="pb-5"),
])

if __name__ == "__main__":  # Flask's development server (``make dev``); ``make run`` serves with gunicorn
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")), debug=False)
