"""The landing page: three starts for three kinds of users (explore a region's portfolio with "find
my region", present, benchmark), then one card per dataset (categories, levels, years, source)."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.serving.formats import year_runs
from analytics.serving.store import DATASETS, EU_DERIVED, available_datasets, get_store
from components.labels import level_label
from components.routes import BUILD, COMPARE, MAP, METHODOLOGY, REGION, UPLOAD
from pages.home import callbacks as _callbacks  # noqa: F401  (registers the search's callbacks)
from pages.home import ids

PRESENT_PATH = "/present"  # presenter mode (pages/present); linked by path, pages never import one another


def _dataset_card(key: str) -> dbc.Col:
    store, meta = get_store(key), DATASETS[key]
    levels = store.map_levels
    years = sorted({y for lv in levels for y in store.level_years(lv)})
    state, _ = MAP.parse({"dataset": key})
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.H3(meta["label"], className="h5"),
        html.P(f"{len(store.categories):,} cluster categories · "
               f"{', '.join(level_label(key, lv) for lv in levels)} · {year_runs(years)}", className="mb-2"),
        html.Small(meta["source"], className="text-muted d-block mb-3"),
        html.A(f"Map of {meta['label']}", href=MAP.href(**state), className="btn btn-primary btn-sm"),
        *([html.Div(html.A("… or with cluster categories derived from European co-location",
                           href=MAP.href(**MAP.parse({"dataset": EU_DERIVED})[0]), className="small"),
                    className="mt-2")] if key == "eu" and EU_DERIVED in available_datasets() else []),
    ])), md=6, className="mb-3")


def _examples() -> list:
    """Two profiles to try, one per dataset, linked (the search's own examples)."""
    out = []
    for dataset, region_id in (("eu", "DE11"), ("us", "26")):
        if dataset in available_datasets():
            names = get_store(dataset).region_names
            if region_id in names.index:
                out.append(html.A(f"{names[region_id]} ({region_id})",
                                  href=REGION.href(dataset=dataset, region_id=region_id)))
    return [x for a in out for x in (a, ", ")][:-1]


def _search_card() -> dbc.Col:
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.H2("Explore a region's portfolio", className="h5"),
        html.P("Its clusters, specialisation, stars, growth and cluster organisations.", className="mb-2"),
        dbc.Label("Find my region", html_for=ids.SEARCH, className="fw-semibold mb-1"),
        dcc.Dropdown(id=ids.SEARCH, options=[], searchable=True, clearable=True, search_order="original", maxHeight=320,
                     placeholder="Name or code: Stuttgart, DE11, Wayne County…",
                     labels={"search": "Type a name or a code (2 letters or more)",
                             "no_options_found": "No region found: try another spelling or a code"},
                     className="home-search"),
        dbc.FormText(["Any NUTS region or country of Europe, or US state, county or economic area. "
                      "Choosing one opens its profile. For example: ", *_examples(), "."],
                     id=ids.SEARCH_HELP, className="d-block mt-1"),
        html.A("Or start from the map explorer", href=MAP.href(), className="d-inline-block mt-2"),
    ]), className="h-100 border-primary"), xs=12, lg=5, className="mb-3")


def _start(title: str, text: str, links: list[tuple[str, str]]) -> dbc.Col:
    buttons = [html.A(label, href=href, className="btn btn-outline-primary btn-sm me-2 mb-1") for label, href in links]
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.H2(title, className="h5"), html.P(text, className="mb-2"), html.Div(buttons),
    ]), className="h-100"), xs=12, md=6, lg=True, className="mb-3")


def layout(**_kwargs):
    return html.Div([
        html.H1("Cluster Observatory"),
        html.P("Where industries cluster: employment, specialisation and star ratings of regional "
               "clusters, with sources and caveats in view.", className="lead"),
        dbc.Row([
            _search_card(),
            _start("Present", "Maps and profiles as full-screen slides for a meeting or a talk: one view "
                   "after another, every number with its source.",
                   [("Presenter mode", dash.get_relative_path(PRESENT_PATH))]),
            _start("Benchmark", "Compare a region with peers chosen on a stated basis, or build your own "
                   "category of industries or region of several.",
                   [("Compare regions", COMPARE.href()), ("Build your own", BUILD.href()),
                    ("Analyse your own data", UPLOAD.href())]),
        ], className="home-starts"),
        html.H2("The data", className="h4 mt-2"),
        dbc.Row([_dataset_card(k) for k in available_datasets(bases_only=True)]),
        html.P([html.A("Methodology and sources", href=METHODOLOGY.href()),
                ": how every number is made, its caveats and the data's quality."]),
    ])
