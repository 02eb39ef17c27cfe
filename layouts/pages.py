"""Register the Dash pages (path templates) and import their callbacks."""
from __future__ import annotations

import dash
from dash import html

from analytics.store import get_store


def home(**_kwargs):
    store = get_store("eu")
    q = store.quality
    return html.Div([
        html.H1("Cluster Observatory"),
        html.P("Where industries cluster: employment, specialisation and star ratings of regional "
               "clusters, with sources and caveats in view."),
        html.P(f"Europe: {len(store.categories)} cluster categories, {q['years'][0]}–{q['years'][-1]}."),
        html.A("Open the map explorer", href="/map", className="btn btn-primary"),
    ])


dash.register_page("home", path="/", layout=home, title="Cluster Observatory")
