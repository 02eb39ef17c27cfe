"""Cluster Observatory web app: `python app.py` serves on $HOST:$PORT (default 127.0.0.1:8050).

``app.server`` is the WSGI entry (``gunicorn app:server``), with response compression on. The
pages are registered in one place (``pages.register_all``); data are loaded lazily through the
analytics store (built on first use), so importing this module stays fast.
"""
from __future__ import annotations

import os

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_compress import Compress

from analytics.serving.cache import bind as bind_cache
from components import ids, shell
from pages import register_all
from web import init_app as init_web

app = dash.Dash(
    __name__,
    title="Cluster Observatory",
    use_pages=True,
    pages_folder="",
    suppress_callback_exceptions=True,
)
server = app.server
Compress(server)
bind_cache(server)
init_web(server)  # accounts, moderated profiles, the document library (Flask forms under /account, /library …)
register_all()

app.layout = html.Div([
    dcc.Location(id=ids.URL, refresh="callback-nav"),
    shell.navbar(),
    dbc.Container(dash.page_container, fluid=True, className="pb-5"),
])

if __name__ == "__main__":
    from analytics.build import ensure_built

    ensure_built()
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")), debug=False)
