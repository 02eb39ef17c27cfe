"""The landing page: one card per dataset (categories, levels, years, source) with a map link."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from analytics.serving.formats import year_runs
from analytics.serving.store import DATASETS, available_datasets, get_store
from components.labels import level_label
from components.routes import BUILD, COMPARE, MAP, METHODOLOGY


def _dataset_card(key: str) -> dbc.Col:
    store, meta = get_store(key), DATASETS[key]
    levels = store.map_levels
    years = sorted({y for lv in levels for y in store.level_years(lv)})
    state, _ = MAP.parse({"dataset": key})
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.H2(meta["label"], className="h5"),
        html.P(f"{len(store.categories):,} cluster categories · "
               f"{', '.join(level_label(key, lv) for lv in levels)} · {year_runs(years)}", className="mb-2"),
        html.Small(meta["source"], className="text-muted d-block mb-3"),
        html.A(f"Map of {meta['label']}", href=MAP.href(**state), className="btn btn-primary btn-sm"),
    ])), md=6, className="mb-3")


def layout(**_kwargs):
    return html.Div([
        html.H1("Cluster Observatory"),
        html.P("Where industries cluster: employment, specialisation and star ratings of regional "
               "clusters, with sources and caveats in view.", className="lead"),
        dbc.Row([_dataset_card(k) for k in available_datasets()]),
        html.P([html.A("Open the map explorer", href=MAP.href(), className="me-3"),
                html.A("Build your own category or region", href=BUILD.href(), className="me-3"),
                html.A("Compare regions", href=COMPARE.href(), className="me-3"),
                html.A("Methodology and sources", href=METHODOLOGY.href())]),
    ])
