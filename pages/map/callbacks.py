"""Callbacks of the map explorer (/map).

- ``sync_pickers``: keeps the pickers' options and values valid (dataset → levels, categories,
  custom regions; level → years; year → start years; category → metric names), and restores
  every picker from the address on back/forward (``map-url-pop``, set by ``assets/url_state.js``).
- ``update_map``: the full figure only when the dataset or level differs from the geometry on
  the page (``map-state``), otherwise a ``dash.Patch`` of values, hover and colours; and the
  state's canonical query for the one URL writer.
- ``update_table`` (the grid's rows), ``download_csv`` (``# Source`` lines + CSV).
- Clientside: ``map.open_region`` opens the clicked region's profile.
"""
from __future__ import annotations

from urllib.parse import parse_qs

from dash import MATCH, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, no_update

from components import choropleth as ch
from components.figures import graph_config, source_line
from components.routes import MAP
from components.url_state import register_writer
from pages.map import ids
from pages.map import layout as ml
from pages.map import table as mt

PICKERS = {"dataset": ids.DATASET, "level": ids.LEVEL, "category": ids.CATEGORY, "metric": ids.METRIC,
           "year": ids.YEAR, "start_year": ids.START_YEAR, "rules": ids.RULES, "denominator": ids.DENOMINATOR,
           "creg": ids.CREG}


def state_of(pickers: dict) -> dict:
    """A valid state from the pickers' values (keys of ``PICKERS``)."""
    return MAP.parse(ml.query_from_pickers(**pickers))[0]


def _str(v):
    return None if v is None else str(v)


def picker_values(state: dict) -> dict:
    """What each picker shows for a state."""
    return {"dataset": state["dataset"], "level": state["level"], "category": ml.picker_category(state),
            "metric": state["metric"], "year": _str(state["year"]), "start_year": _str(state["start_year"]),
            "rules": state["rules"], "denominator": state["denominator"], "creg": state.get("creg") or ""}


@callback(
    output={"dataset": Output(ids.DATASET, "value"),
            "level_options": Output(ids.LEVEL, "options"), "level": Output(ids.LEVEL, "value"),
            "category_options": Output(ids.CATEGORY, "options"), "category": Output(ids.CATEGORY, "value"),
            "metric_options": Output(ids.METRIC, "options"), "metric": Output(ids.METRIC, "value"),
            "year_options": Output(ids.YEAR, "options"), "year": Output(ids.YEAR, "value"),
            "start_options": Output(ids.START_YEAR, "options"), "start_year": Output(ids.START_YEAR, "value"),
            "start_disabled": Output(ids.START_YEAR, "disabled"),
            "rules": Output(ids.RULES, "value"), "denominator": Output(ids.DENOMINATOR, "value"),
            "creg_options": Output(ids.CREG, "options"), "creg": Output(ids.CREG, "value")},
    inputs={"dataset": Input(ids.DATASET, "value"), "level": Input(ids.LEVEL, "value"),
            "category": Input(ids.CATEGORY, "value"), "metric": Input(ids.METRIC, "value"),
            "year": Input(ids.YEAR, "value"), "pop": Input(ids.URL_POP, "data"),
            "start_year": State(ids.START_YEAR, "value"), "rules": State(ids.RULES, "value"),
            "denominator": State(ids.DENOMINATOR, "value"), "creg": State(ids.CREG, "value")},
    prevent_initial_call=True,
)
def sync_pickers(pop=None, **current):
    return sync_outputs(ctx.triggered_id, current, pop)


def sync_outputs(trigger, current: dict, pop: dict | None = None) -> dict:
    """The outputs of :func:`sync_pickers` for the component that triggered it."""
    if trigger == ids.URL_POP and pop:
        query = {k: (v[-1] if len(v) == 1 else v) for k, v in parse_qs(pop.get("search", "").lstrip("?")).items()}
        state = MAP.parse(query)[0]
    else:
        state = state_of(current)
    new = picker_values(state)
    changed = {k for k in PICKERS if new[k] != _str(current.get(k)) and not (k == "creg" and not new[k]
                                                                          and not current.get(k))}

    def value(key):
        return new[key] if key in changed else no_update

    everything = trigger in (ids.DATASET, ids.URL_POP) or "dataset" in changed
    years = everything or trigger == ids.LEVEL or bool(changed & {"level", "year"})
    starts = years or trigger == ids.YEAR
    metric_names = everything or trigger == ids.CATEGORY or "category" in changed
    ds, lv = state["dataset"], state["level"]
    return {
        "dataset": value("dataset"),
        "level_options": ml.level_options(ds) if everything else no_update, "level": value("level"),
        "category_options": ml.category_options(ds, state.get("ccat")) if everything or "category" in changed
        else no_update,
        "category": value("category"),
        "metric_options": ml.metric_options(state["category"]) if metric_names else no_update,
        "metric": value("metric"),
        "year_options": ml.year_options(ds, lv) if years else no_update, "year": value("year"),
        "start_options": ml.start_year_options(ds, lv, state["year"]) if starts else no_update,
        "start_year": value("start_year"), "start_disabled": state["metric"] != "growth",
        "rules": value("rules"), "denominator": value("denominator"),
        "creg_options": ml.creg_options(ds, state.get("creg")) if everything else no_update,
        "creg": value("creg"),
    }


def map_outputs(state: dict, geo_on_page: str | None) -> dict:
    """Figure (full, or a Patch), page data, legend, source line, config and the address."""
    geo = f"{state['dataset']}/{state['level']}"
    figure = ch.full_figure(state) if geo != geo_on_page else ch.patch_figure(state)
    return {"figure": figure, "page": ml.page_data(state), "legend": ch.legend_note(state),
            "source": source_line(ml.source_text(state)), "config": graph_config(ml.filename(state)),
            "url": MAP.query(state)}


@callback(
    output={"figure": Output(ids.GRAPH, "figure"), "page": Output(ids.STATE, "data"),
            "legend": Output(ids.LEGEND, "children"), "source": Output(ids.SOURCE, "children"),
            "config": Output(ids.GRAPH, "config"), "url": Output(ids.URL, "data")},
    inputs={"pickers": {k: Input(v, "value") for k, v in PICKERS.items()}, "page": State(ids.STATE, "data")},
    prevent_initial_call=True,
)
def update_map(pickers, page):
    return map_outputs(state_of(pickers), (page or {}).get("geo"))


@callback(
    output={"grid": Output(ids.TABLE, "children"), "title": Output(ids.TABLE_TITLE, "children")},
    inputs={"pickers": {k: Input(v, "value") for k, v in PICKERS.items()}},
    prevent_initial_call=True,
)
def update_table(pickers):
    """A new view: a new grid (its id holds the view), which asks for its first page."""
    title, grid = mt.grid_for(state_of(pickers))
    return {"grid": grid, "title": title}


@callback(
    Output({"type": ids.TABLE_GRID, "view": MATCH}, "getRowsResponse"),
    inputs={"request": Input({"type": ids.TABLE_GRID, "view": MATCH}, "getRowsRequest"),
            "grid_id": State({"type": ids.TABLE_GRID, "view": MATCH}, "id")},
    prevent_initial_call=True,
)
def table_rows(request, grid_id):
    """One page of the table: the view is the grid's own id (the map's query)."""
    query = {k: (v[-1] if len(v) == 1 else v) for k, v in parse_qs((grid_id or {}).get("view", "").lstrip("?")).items()}
    state = MAP.parse(query)[0]
    return mt.page_rows(mt.rows(state), request)


@callback(
    Output(ids.DOWNLOAD, "data"),
    inputs={"n_clicks": Input(ids.DOWNLOAD_BTN, "n_clicks"),
            "pickers": {k: State(v, "value") for k, v in PICKERS.items()}},
    prevent_initial_call=True,
)
def download_csv(n_clicks, pickers):
    if not n_clicks:
        return no_update
    state = state_of(pickers)
    return dcc.send_string(mt.csv_text(state), mt.csv_filename(state), type="text/csv")


register_writer(ids.PREFIX)

clientside_callback(
    ClientsideFunction(namespace="map", function_name="open_region"),
    Output(ids.GRAPH, "clickData"),
    Input(ids.GRAPH, "clickData"), State(ids.STATE, "data"),
    prevent_initial_call=True,
)
