"""Cluster Observatory web app: `python app.py` serves on $HOST:$PORT (default 127.0.0.1:8050).

`app.server` is the WSGI entry (`gunicorn app:server`), with response compression on. Data
are loaded lazily through the analytics store (built on first use), so importing this
module stays fast.
"""
from __future__ import annotations

import os

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_compress import Compress

from callbacks.caching import bind as bind_cache
from layouts import ids
from layouts.common import navbar

app = dash.Dash(
    __name__,
    title="Cluster Observatory",
    use_pages=True,
    pages_folder="",
    suppress_callback_exceptions=True,
)
server = app.server
Compress(server)
cache = bind_cache(server)  # callbacks memoize with callbacks.caching.cache

from callbacks import shell_callbacks  # noqa: E402,F401  (copy-link button)
from layouts import pages  # noqa: E402,F401  (registers the pages and their callbacks)

app.layout = html.Div([
    dcc.Location(id=ids.URL, refresh="callback-nav"),
    navbar(),
    dbc.Container(dash.page_container, fluid=True, className="pb-5"),
])

if __name__ == "__main__":
    from analytics.build import ensure_built

    ensure_built()
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")), debug=False)
