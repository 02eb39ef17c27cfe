"""Register the Dash pages (paths and path templates) and import their callbacks.

Each page's layout function accepts the path variables and query-string parameters as
keyword arguments (Dash Pages), so a URL restores the exact view.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from analytics.serving.store import DATASETS, get_store
from callbacks import category_callbacks, map_callbacks, methodology_callbacks, region_callbacks  # noqa: F401
from callbacks import build_callbacks  # noqa: F401
from callbacks import compare_callbacks  # noqa: F401
from layouts import build_page, category_page, map_page, methodology_page, region_page
from layouts import compare_page
from layouts import map_state


def _year_runs(years: list[int]) -> str:
    """[2000, 2001, 2002, 2017, 2018] → "2000–2002, 2017–2018"."""
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _dataset_card(key: str) -> dbc.Col:
    store, meta = get_store(key), DATASETS[key]
    levels = map_state.map_levels(key)
    years = sorted({y for lv in levels for y in map_state.level_years(key, lv)})
    state, _ = map_state.resolve({"dataset": key})
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.H2(meta["label"], className="h5"),
        html.P(f"{len(store.categories):,} cluster categories · "
               f"{', '.join(map_state.level_label(key, lv) for lv in levels)} · {_year_runs(years)}",
               className="mb-2"),
        html.Small(meta["source"], className="text-muted d-block mb-3"),
        html.A(f"Map of {meta['label']}", href="/map" + map_state.to_query(state), className="btn btn-primary btn-sm"),
    ])), md=6, className="mb-3")


def home(**_kwargs):
    datasets = map_state.available_datasets()
    return html.Div([
        html.H1("Cluster Observatory"),
        html.P("Where industries cluster: employment, specialisation and star ratings of regional "
               "clusters, with sources and caveats in view.", className="lead"),
        dbc.Row([_dataset_card(k) for k in datasets]),
        html.P([html.A("Open the map explorer", href="/map", className="me-3"),
                html.A("Methodology and sources", href="/methodology")]),
    ])


dash.register_page("home", path="/", layout=home, title="Cluster Observatory")
dash.register_page("map", path="/map", layout=map_page.layout, title="Map explorer · Cluster Observatory")
dash.register_page("region", path_template="/region/<dataset>/<region_id>", layout=region_page.layout,
                   title="Region profile · Cluster Observatory")
dash.register_page("category", path_template="/category/<dataset>/<category_id>", layout=category_page.layout,
                   title="Category profile · Cluster Observatory")
dash.register_page("methodology", path="/methodology", layout=methodology_page.layout,
                   title="Methodology and sources · Cluster Observatory")
dash.register_page("compare", path="/compare", layout=compare_page.layout,
                   title="Peer benchmarking · Cluster Observatory")
dash.register_page("build", path="/build", layout=build_page.layout, title="Build your own · Cluster Observatory")
