"""Map explorer (/map): labelled pickers, the choropleth, notes and source, a sortable table with CSV.

``layout(**query)`` restores the exact view from the query string (Dash Pages passes it as
keyword arguments); bad values fall back to defaults and are listed in a visible note. The
first render carries the full figure (with geometry); later changes are Patches
(``callbacks/map_callbacks.py``).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dash_table, dcc, html

from callbacks import map_figure as mf
from callbacks.map_data import source_text
from callbacks.map_table import table_page
from layouts import ids
from layouts import map_state as ms
from layouts.common import datatable_style, graph_config, source_line, svg_button


def _field(label: str, control, control_id: str, help_text: str | None = None) -> html.Div:
    children = [dbc.Label(label, html_for=control_id, className="fw-semibold small mb-1"), control]
    if help_text:
        children.append(dbc.FormText(help_text, className="d-block"))
    return html.Div(children, className="mb-2 map-field")


def _select(control_id: str, options: list[dict], value, **kwargs) -> dbc.Select:
    return dbc.Select(id=control_id, options=options, value=value, size="sm", **kwargs)


def controls(state: dict) -> html.Div:
    ds, level, year = state["dataset"], state["level"], state["year"]
    start = state["start_year"]
    return html.Div([
        _field("Dataset", _select(ids.MAP_DATASET, ms.dataset_options(), ds), ids.MAP_DATASET),
        _field("Region level", _select(ids.MAP_LEVEL, ms.level_options(ds), level), ids.MAP_LEVEL),
        _field("Cluster category", _select(ids.MAP_CATEGORY, ms.category_options(ds, state.get("ccat")),
                                           state["category"]),
               ids.MAP_CATEGORY, "“All categories” maps region totals; the metric names say which."),
        _field("Metric", _select(ids.MAP_METRIC, ms.metric_options(state["category"]), state["metric"]),
               ids.MAP_METRIC),
        dbc.Row([
            dbc.Col(_field("Year", _select(ids.MAP_YEAR, ms.year_options(ds, level), str(year)), ids.MAP_YEAR)),
            dbc.Col(_field("Start year (growth)",
                           _select(ids.MAP_START_YEAR, ms.start_year_options(ds, level, year),
                                   None if start is None else str(start), disabled=state["metric"] != "growth"),
                           ids.MAP_START_YEAR)),
        ], className="g-2"),
        _field("Star rules", _select(ids.MAP_RULES, ms.rules_options(), state["rules"]), ids.MAP_RULES),
        _field("LQ denominator", _select(ids.MAP_DENOMINATOR, ms.denominator_options(), state["denominator"]),
               ids.MAP_DENOMINATOR),
    ], className="map-controls", role="group", **{"aria-label": "Map settings"})


TABLE_PAGE_SIZE = 15


def table(state: dict) -> tuple[str, dash_table.DataTable]:
    data, columns, page_count, title = table_page(state, 0, [], TABLE_PAGE_SIZE)
    return title, dash_table.DataTable(
        id=ids.MAP_TABLE, data=data, columns=columns, page_action="custom", page_current=0,
        page_size=TABLE_PAGE_SIZE, page_count=page_count, sort_action="custom", sort_mode="single", sort_by=[],
        markdown_options={"link_target": "_self"},
        **datatable_style(style_cell_conditional=[
            {"if": {"column_id": c}, "textAlign": "right"} for c in ("rank", "value")]),
    )


def page(state: dict, notes: list[str]) -> html.Div:
    table_title, data_table = table(state)
    filename = f"cluster-map-{state['dataset']}-{state['level']}-{state['category']}-{state['metric']}-{state['year']}"
    return html.Div([
        dcc.Store(id=ids.MAP_STATE, data={"geo": f"{state['dataset']}/{state['level']}", "state": state}),
        dcc.Store(id=ids.MAP_POP),
        dcc.Store(id=ids.MAP_CCAT, data=state.get("ccat")),
        dcc.Store(id=ids.MAP_URL_SYNC),
        html.H1("Map explorer", className="h3 mb-2"),
        dbc.Alert([html.Strong("Some settings in the link were not valid: "), " ".join(notes)],
                  id=ids.MAP_NOTE, color="warning", is_open=bool(notes), dismissable=True, className="py-2"),
        dbc.Row([
            dbc.Col(controls(state), xs=12, lg=3, className="mb-3"),
            dbc.Col([
                html.Div(dcc.Graph(id=ids.MAP_GRAPH, figure=mf.full_figure(state), config=graph_config(filename),
                                   style={"height": "100%"}, clear_on_unhover=True),
                         className="map-graph-box"),
                html.Div([
                    html.Div(mf.legend_note(state), id=ids.MAP_LEGEND, className="small map-legend"),
                    html.Div([svg_button(ids.MAP_GRAPH, filename, ids.MAP_SVG_BTN, "Download SVG")],
                             className="ms-auto ps-2 text-nowrap"),
                ], className="d-flex align-items-start mt-1"),
                html.Div(source_line(source_text(state["dataset"], state["level"], state["year"],
                                                 state["category"], state["metric"], state["start_year"])),
                         id=ids.MAP_SOURCE),
            ], xs=12, lg=9),
        ]),
        html.Div([
            html.H2(table_title, id=ids.MAP_TABLE_TITLE, className="h5 mb-0"),
            dbc.Button("Download CSV", id=ids.MAP_DOWNLOAD_BTN, color="primary", outline=True, size="sm",
                       className="ms-auto"),
            dcc.Download(id=ids.MAP_DOWNLOAD),
        ], className="d-flex align-items-center mt-4 mb-2"),
        data_table,
    ], className="map-page")


def layout(**query):
    """The page for a URL's query values (Dash Pages passes them as keyword arguments)."""
    state, notes = ms.resolve(query)
    return page(state, notes)
