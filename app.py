"""Cluster Observatory web app: `python app.py` serves on $HOST:$PORT (default 127.0.0.1:8050).

`app.server` is the WSGI entry (`gunicorn app:server`). Data are loaded lazily through the
analytics store (which builds on first use), so importing this module stays fast.
"""
from __future__ import annotations

import os

import dash
import dash_bootstrap_components as dbc
from dash import html

app = dash.Dash(__name__, title="Cluster Observatory", external_stylesheets=[dbc.themes.FLATLY])
server = app.server


def layout():
    from analytics.store import get_store

    store = get_store("eu")
    q = store.quality
    return dbc.Container([
        html.H1("Cluster Observatory"),
        html.P("Where industries cluster in Europe: employment, specialisation and star ratings "
               "of regional clusters, from Eurostat structural business statistics."),
        html.P(f"Europe: {len(store.categories)} cluster categories, years {q['years'][0]}–{q['years'][-1]}, "
               f"{q['regions_with_data'].get('2014', q['regions_with_data'].get(2014))} NUTS 2 regions with data in 2014."),
        html.Small("Source: Eurostat (sbs_r_nuts06_r2); © EuroGeographics for the administrative boundaries."),
    ], className="py-4")


app.layout = layout

if __name__ == "__main__":
    from analytics.build import ensure_built

    ensure_built()
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")), debug=False)
