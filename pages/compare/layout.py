"""Peer benchmarking `/compare?dataset=&level=&region=|creg=&year=&start_year=&rules=&denominator=`
`&basis=&peers=&cpeers=&category=&ccat=`.

A focal region (a built-in region, or a custom region ``creg=Name=ID+ID`` whose peers come from
its members' level, its members excluded) is compared with peer regions suggested on a stated
basis (METHODOLOGY.md §4) and editable by hand, saved custom regions included (``cpeers``): the
region-level scorecard (cluster strength, growth …), a region × category LQ heatmap, employment
and growth bars, and the per-category scorecard. The query is parsed with
``components.routes.COMPARE``; ``callbacks.py`` fills the views and writes the state back.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.metrics.peers import BASES
from analytics.serving import views
from analytics.serving.library import saved_specs
from analytics.serving.store import DATASETS, available_datasets, get_store
from components.controls import labelled_control, settings_controls, start_year_options
from components.figures import graph_config, svg_button
from components.labels import dataset_ui
from components.messages import query_notes
from components.routes import ALL, COMPARE, CUSTOM, METHODOLOGY, TRADED
from components.tables import grid
from components.url_state import url_store
from pages.compare import ids
from pages.compare.figures import BARS_HEIGHT, HEATMAP_HEIGHT

BASIS_LABELS = {
    "structure": "Similar economic structure",
    "size": "Similar size",
    "prosperity": "Similar GDP per capita",
    "strong": "Same strong clusters",
    "neighbours": "Neighbours (shared border)",
}
N_PEERS = 8
MAX_PEERS = 30
CREG_PREFIX = "creg:"  # a custom region's value in the peers picker


def region_options(dataset: str, level: str, year: int) -> list[dict]:
    return [{"label": f"{name} ({rid})", "value": rid} for rid, name in get_store(dataset).level_regions(level, year)]


def custom_peer_options(dataset: str, level: str, creg: str | None, cpeers=()) -> list[dict]:
    """Saved custom regions (and those of the link) whose members are of ``level``, as peers."""
    opts = []
    for spec in dict.fromkeys([*cpeers, *saved_specs("region", dataset)]):
        cr, _problem = views.try_region(dataset, spec)
        if cr is None or cr.spec() == creg or views.member_level(dataset, cr.spec()) != level:
            continue
        opts.append({"label": f"{cr.name} (custom: {' + '.join(cr.members)})", "value": CREG_PREFIX + cr.spec()})
    return opts


def peer_options(dataset: str, level: str, year: int, focal: str | None, creg: str | None, cpeers=()) -> list[dict]:
    members = set(views.parse_region(dataset, creg).members) if creg else set()
    builtin = [o for o in region_options(dataset, level, year) if o["value"] != focal and o["value"] not in members]
    return custom_peer_options(dataset, level, creg, cpeers) + builtin


def category_options(dataset: str, ccat: str | None) -> list[dict]:
    cats = get_store(dataset).categories.sort_values("category_name")
    opts = [{"label": "All industries (total employment)", "value": ALL},
            {"label": "Traded categories (sum)", "value": TRADED}]
    if ccat:
        opts.append({"label": f"{views.parse_category(dataset, ccat).name} (custom)", "value": CUSTOM})
    return opts + [{"label": f"{n} ({t})", "value": c} for c, n, t in
                   zip(cats["category_id"], cats["category_name"], cats["category_type"])]


def layout(**kwargs):
    query, _path = COMPARE.split(kwargs)
    state, notes = COMPARE.parse(query)
    dataset = state["dataset"]
    store = get_store(dataset)
    creg_error = next((n for n in notes if n.startswith("creg=")), None)
    bad_creg = query.get("creg") if creg_error else None
    context = {"dataset": dataset, "level": state["level"], "creg": state["creg"], "ccat": state["ccat"],
               "url_peers": list(state["peers"]) if state["peers"] is not None else None,
               "cpeers": list(state["cpeers"]), "creg_shown": state["creg"] or bad_creg or ""}
    return html.Div([
        dcc.Store(id=ids.CONTEXT, data=context),
        *url_store(ids.PREFIX, COMPARE, state),
        dcc.Store(id=ids.SUGGESTED),
        html.H1("Peer benchmarking", className="h2 mb-1"),
        html.P(["Compare a region with peer regions chosen on a stated basis. ",
                html.A("Methodology and sources", href=METHODOLOGY.href())], className="text-muted"),
        query_notes([n for n in notes if n != creg_error]),
        dbc.Alert(creg_error + " Showing a built-in region instead.", color="warning", className="py-2 small",
                  id=ids.CREG_ERROR) if creg_error else None,
        _controls(store, state, bad_creg),
        _peer_controls(state, context),
        html.Div(id=ids.MESSAGE),
        html.Div(id=ids.BODY, children=[
            html.H2(id=ids.FOCAL, className="h4 mt-2"),
            _regions_section(),
            _heatmap_section(),
            _bars_section(dataset, state),
            _scorecard_section(),
        ]),
    ], className="compare-page")


def _controls(store, state, bad_creg=None) -> dbc.Card:
    ui = dataset_ui(store.dataset)
    years = store.level_years(state["level"])
    cr = views.parse_region(store.dataset, state["creg"]) if state["creg"] else None
    return dbc.Card(dbc.CardBody([
        dbc.Row([
            labelled_control("Dataset", dcc.Dropdown(id=ids.DATASET, clearable=False, value=store.dataset,
                                                     options=[{"label": DATASETS[k]["label"], "value": k}
                                                              for k in available_datasets()]
                                                     + ([] if store.dataset in DATASETS else  # an upload: its own only
                                                        [{"label": store.meta["label"], "value": store.dataset}])),
                             ids.DATASET, md=2),
            labelled_control("Level", dcc.Dropdown(id=ids.LEVEL, options=[{"label": lbl, "value": lv}
                                                                          for lv, lbl in ui["levels"].items()],
                                                   value=state["level"], clearable=False, disabled=cr is not None),
                             ids.LEVEL, md=2),
            labelled_control("Focal region (type to search)", dcc.Dropdown(
                id=ids.REGION, options=region_options(store.dataset, state["level"], state["year"]),
                value=state["region"], clearable=False, searchable=True, disabled=cr is not None,
                placeholder="a custom region is in use" if cr is not None else "Pick a region"), ids.REGION, md=4),
            labelled_control("…or a custom region (Name=ID+ID, Enter to apply)", dcc.Input(
                id=ids.CREG, type="text", debounce=True, value=cr.spec() if cr is not None else (bad_creg or ""),
                placeholder="e.g. Oresund=DK01+DK02+SE22", className="form-control form-control-sm"), ids.CREG, md=4),
        ], className="g-2"),
        dbc.Row(settings_controls(
            (ids.YEAR, ids.START_YEAR, ids.RULES, ids.DENOMINATOR), years, state["year"],
            start_year_options(years, state["year"], dataset=state["dataset"]), state["start_year"], state["rules"], state["denominator"]),
            className="g-2"),
    ]), className="mb-3 bg-light border-0")


def _peer_controls(state, context) -> dbc.Card:
    picked = list(state["peers"] or []) + [CREG_PREFIX + s for s in state["cpeers"]]
    return dbc.Card(dbc.CardBody([
        dbc.Row([
            dbc.Col([
                dbc.Label("Suggest peers by", html_for=ids.BASIS, className="fw-semibold small mb-1"),
                dbc.RadioItems(id=ids.BASIS, value=state["basis"], className="small",
                               options=[{"label": BASIS_LABELS[k], "value": k} if k != "prosperity"
                                        or state["dataset"] in DATASETS else  # an uploaded file has no GDP
                                        {"label": BASIS_LABELS[k] + " (not in an uploaded file)", "value": k,
                                         "disabled": True} for k in BASES]),
            ], xs=12, md=3),
            dbc.Col([
                html.Div(id=ids.BASIS_TEXT, className="small mb-2"),
                dbc.Label("Peer regions (add or remove any region of the level, or a saved custom region)",
                          html_for=ids.PEERS, className="fw-semibold small mb-1"),
                dcc.Dropdown(id=ids.PEERS, multi=True, value=picked, options=[], searchable=True,
                             placeholder="Pick peer regions"),
                dbc.Button("Use the suggested peers", id=ids.RESET_PEERS, color="secondary", outline=True,
                           size="sm", className="mt-2"),
            ], xs=12, md=9),
        ], className="g-2"),
    ]), className="mb-3 border-0 shadow-sm")


def _regions_section() -> html.Section:
    return html.Section([
        html.H2("Region totals: rank in the peer group", className="h5 mb-1"),
        html.P("Total employment, cluster strength (both variants), starred clusters and growth of total employment "
               "of each region of the comparison, with its rank among them (1 = highest): the same numbers as the "
               "map and the region profiles.", className="small text-muted mb-2"),
        grid(ids.REGIONS, pagination=False),
    ], className="mb-4")


def _heatmap_section() -> html.Section:
    return html.Section([
        html.Div([
            html.H2("Specialisation side by side (location quotient)", className="h5 mb-0"),
            html.Div([svg_button(ids.HEATMAP, "peer_heatmap", ids.HEATMAP_SVG, label="Chart as SVG"),
                      chart_csv_button(ids.HEATMAP_CSV_BTN, "Chart data as CSV")], className="d-flex gap-2"),
        ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-1"),
        dcc.Loading(dcc.Graph(id=ids.HEATMAP, config=graph_config("peer_heatmap"),
                              style={"height": f"{HEATMAP_HEIGHT}px"}), type="circle", delay_show=400),
        html.Div(id=ids.HEATMAP_NOTE, className="small text-muted"),
        html.Div(id=ids.SOURCE, className="text-muted small mt-1 source-line"),
    ], className="mb-4")


def _bars_section(dataset, state) -> html.Section:
    return html.Section([
        html.Div([
            html.H2("Employment and growth", className="h5 mb-0"),
            html.Div([
                dbc.Label("Category:", html_for=ids.CATEGORY, className="small me-2 mb-0"),
                html.Div(dcc.Dropdown(id=ids.CATEGORY, options=category_options(dataset, state["ccat"]),
                                      value=state["category"], clearable=False), style={"minWidth": "320px"}),
                svg_button(ids.BARS, "peer_employment", ids.BARS_SVG, label="Employment as SVG"),
                chart_csv_button(ids.BARS_CSV_BTN, "Employment as CSV"),
                svg_button(ids.GROWTH, "peer_growth", ids.GROWTH_SVG, label="Growth as SVG"),
                chart_csv_button(ids.GROWTH_CSV_BTN, "Growth as CSV"),
            ], className="d-flex flex-wrap align-items-center gap-2"),
        ], className="d-flex flex-wrap justify-content-between align-items-center mb-1"),
        dbc.Row([
            dbc.Col(dcc.Graph(id=ids.BARS, config=graph_config("peer_employment"),
                              style={"height": f"{BARS_HEIGHT}px"}), lg=6),
            dbc.Col(dcc.Graph(id=ids.GROWTH, config=graph_config("peer_growth"),
                              style={"height": f"{BARS_HEIGHT}px"}), lg=6),
        ]),
        html.Div(id=ids.BARS_SOURCE, className="text-muted small mt-1 source-line"),
        dcc.Download(id=ids.CHART_DOWNLOAD),
    ], className="mb-4")


def chart_csv_button(id_: str, label: str) -> dbc.Button:
    """The CSV of the numbers a chart draws (``callbacks.chart_csv``), next to its SVG button."""
    return dbc.Button(label, id=id_, color="secondary", outline=True, size="sm",
                      title="Download the numbers this chart draws as CSV")


def _scorecard_section() -> html.Section:
    return html.Section([
        html.Div([
            html.H2("Scorecard: rank in the peer group", className="h5 mb-0"),
            dbc.Button("Download CSV", id=ids.DOWNLOAD_BTN, color="primary", outline=True, size="sm"),
        ], className="d-flex justify-content-between align-items-center mb-2"),
        html.P("For each category, the focal region's rank among the focal region and its peers (1 = highest) in "
               "employment, location quotient and growth. Click a column header to sort. The CSV holds every "
               "region of the comparison with its values and ranks.", className="small text-muted mb-2"),
        grid(ids.SCORECARD, page_size=20),
        dcc.Download(id=ids.DOWNLOAD),
        html.Div(id=ids.SCORECARD_SOURCE, className="text-muted small mt-1 source-line"),
    ], className="mb-4")


def source_text(ui: dict, year: int, level_name: str, start=None) -> str:
    growth = f"; growth {start}–{year}" if start else ""
    return f"{ui['source']} {year}; {level_name}{growth}; benchmark area: {ui['benchmark_area']}."
