"""Directory `/organisations?dataset=&country=&region=&category=&ecosystem=&type=&located=&q=`.

Filters (each in the address), a sortable and filterable table of the published organisations
with links to their pages and regions, the count, and a CSV of what is shown. "Region unknown"
organisations are listed like the others (``located=no`` lists only them): their city could not
be placed in a region by the documented method, and no region is guessed.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.serving import organisations as orgs
from analytics.serving.store import BASE_DATASETS, DATASETS
from components.controls import labelled_control, value_options
from components.figures import source_line
from components.messages import query_notes
from components.orgs import NEW_HREF, credit, directory_columns, directory_rows
from components.routes import METHODOLOGY, ORGANISATIONS
from components.tables import grid
from components.url_state import url_store
from pages.organisations import ids

FILTERS = ("dataset", "country", "region", "category", "ecosystem", "type", "located", "q")


def selection(state: dict):
    return orgs.directory(dataset=state.get("dataset"), country=state.get("country"), region=state.get("region"),
                          category=state.get("category"), ecosystem=state.get("ecosystem"), type_=state.get("type"),
                          text=state.get("q"), located=state.get("located"))


def count_text(df, total: int) -> str:
    unknown = int(df["region_id"].isna().sum())
    return (f"{len(df):,} of {total:,} organisations shown; {len(df) - unknown:,} located in a region, "
            f"{unknown:,} with region unknown.")


def layout(**kwargs):
    query, _ = ORGANISATIONS.split(kwargs)
    state, notes = ORGANISATIONS.parse(query)
    everything = orgs.frame()
    df = selection(state)
    eco = orgs.ecosystems()
    names = orgs.category_names()
    used_cats = sorted({c for cs in everything["categories"] for c in cs.split(";") if c}, key=lambda c: names.get(c, c))
    regions = everything.dropna(subset=["region_id"]).drop_duplicates("region_id").sort_values("region_id")
    controls = dbc.Row([
        labelled_control("Dataset", dcc.Dropdown(id=ids.DATASET, value=state.get("dataset"), placeholder="Europe and US",
                                                 options=[{"label": DATASETS[k]["label"], "value": k} for k in BASE_DATASETS]),
                         ids.DATASET, md=2),
        labelled_control("Country", dcc.Dropdown(id=ids.COUNTRY, value=state.get("country"), placeholder="all",
                                                 options=value_options(orgs.countries())), ids.COUNTRY, md=2),
        labelled_control("Region", dcc.Dropdown(id=ids.REGION, value=state.get("region"), placeholder="all",
                                                options=[{"label": f"{r.region_id} {r.region_name or ''}".strip(),
                                                          "value": r.region_id} for r in regions.itertuples()]
                                                + ([{"label": state["region"], "value": state["region"]}]
                                                   if state.get("region") and state["region"] not in
                                                   set(regions["region_id"]) else [])),
                         ids.REGION, md=3),
        labelled_control("Category", dcc.Dropdown(id=ids.CATEGORY, value=state.get("category"), placeholder="all",
                                                  options=value_options(used_cats, names)), ids.CATEGORY, md=3),
        labelled_control("Located", dcc.Dropdown(id=ids.LOCATED, value=state.get("located"), placeholder="all",
                                                 options=[{"label": "located in a region", "value": "yes"},
                                                          {"label": "region unknown", "value": "no"}]),
                         ids.LOCATED, md=2),
        labelled_control("EU industrial ecosystem", dcc.Dropdown(
            id=ids.ECOSYSTEM, value=state.get("ecosystem"), placeholder="all",
            options=value_options(eco, eco)), ids.ECOSYSTEM, md=3),
        labelled_control("Type", dcc.Dropdown(id=ids.TYPE, value=state.get("type"), placeholder="all",
                                              options=value_options(orgs.types())),
                         ids.TYPE, md=2),
        labelled_control("Search name, city, region, description", dcc.Input(
            id=ids.TEXT, value=state.get("q") or "", type="search", debounce=True, className="form-control",
            maxLength=100, placeholder="e.g. Regensburg, photonics"), ids.TEXT, md=4),
    ], className="g-2")
    return html.Div([
        *url_store(ids.PREFIX, ORGANISATIONS, state),
        html.H1("Cluster organisations", className="h2 mb-1"),
        html.P(["Cluster organisations of the European Cluster Collaboration Platform and the U.S. Cluster Mapping "
                "Project, located in the regions of the statistics where their city allows it. ",
                html.A("How organisations are located", href=METHODOLOGY.href() + "#organisations"), " · ",
                html.A("Find partners", href="/partners"), " · ",
                html.A("Add your organisation", href=NEW_HREF)], className="text-muted"),
        query_notes(notes),
        dbc.Card(dbc.CardBody(controls), className="mb-3 bg-light border-0"),
        html.Div([
            html.P(count_text(df, len(everything)), id=ids.COUNT, className="mb-0", role="status",
                   **{"aria-live": "polite"}),
            dbc.Button("Download CSV", id=ids.DOWNLOAD_BTN, color="primary", outline=True, size="sm"),
        ], className="d-flex justify-content-between align-items-center mb-2"),
        grid(ids.GRID, directory_rows(df), directory_columns(), page_size=25),
        source_line(" ".join(credit(state.get("dataset")))),
        dcc.Download(id=ids.DOWNLOAD),
    ])
