"""Register the Dash pages (paths and path templates) and import their callbacks.

Each page's layout function accepts the path variables and query-string parameters as
keyword arguments (Dash Pages), so a URL restores the exact view.
"""
from __future__ import annotations

import dash
from dash import html

from analytics.store import get_store
from callbacks import category_callbacks, map_callbacks, methodology_callbacks, region_callbacks  # noqa: F401
from layouts import category_page, map_page, methodology_page, region_page


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
dash.register_page("map", path="/map", layout=map_page.layout, title="Map explorer · Cluster Observatory")
dash.register_page("region", path_template="/region/<dataset>/<region_id>", layout=region_page.layout,
                   title="Region profile · Cluster Observatory")
dash.register_page("category", path_template="/category/<dataset>/<category_id>", layout=category_page.layout,
                   title="Category profile · Cluster Observatory")
dash.register_page("methodology", path="/methodology", layout=methodology_page.layout,
                   title="Methodology and sources · Cluster Observatory")
