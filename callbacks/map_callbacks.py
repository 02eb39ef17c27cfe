"""Callbacks of the map explorer (/map).

- ``sync_pickers``: keeps the pickers' options and values valid (dataset → levels, categories;
  level → years; year → start years; category → metric names) and restores every picker from
  the URL on back/forward (``MAP_POP``, set by ``assets/map_url.js``).
- ``update_map``: the full figure only when the dataset or level differs from the geometry on
  the page (``MAP_STATE``), otherwise a ``dash.Patch`` of values, hover and colours.
- ``update_table`` (one sorted page of rows), ``download_csv`` (``# Source`` lines + CSV).
- Clientside: ``map.push_query`` writes the pickers into the query string with
  ``history.pushState`` when it differs (no Dash event, so Pages does not re-render), and
  ``map.open_region`` opens the clicked region's profile.
"""
from __future__ import annotations

from urllib.parse import parse_qs

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, no_update

from callbacks import map_figure as mf
from callbacks import map_table as mt
from callbacks.map_data import source_text
from layouts import ids
from layouts import map_state as ms
from layouts.common import send_credit_csv, source_line

PICKERS = [ids.MAP_DATASET, ids.MAP_LEVEL, ids.MAP_CATEGORY, ids.MAP_METRIC, ids.MAP_YEAR, ids.MAP_START_YEAR,
           ids.MAP_RULES, ids.MAP_DENOMINATOR]
PICKER_INPUTS = [Input(p, "value") for p in PICKERS]
PICKER_STATES = [State(p, "value") for p in PICKERS]
assert len(PICKERS) == len(ms.PARAMS)


def state_of(values, ccat: str | None = None) -> dict:
    """A valid state from the pickers' values (in ``ms.PARAMS`` order) and the custom category spec."""
    query = dict(zip(ms.PARAMS, values))
    if ccat and query.get("category") == ms.CUSTOM:
        query["ccat"] = ccat
    return ms.resolve(query)[0]


def _str(v):
    return None if v is None else str(v)


@callback(
    Output(ids.MAP_DATASET, "value"),
    Output(ids.MAP_LEVEL, "options"), Output(ids.MAP_LEVEL, "value"),
    Output(ids.MAP_CATEGORY, "options"), Output(ids.MAP_CATEGORY, "value"),
    Output(ids.MAP_METRIC, "options"), Output(ids.MAP_METRIC, "value"),
    Output(ids.MAP_YEAR, "options"), Output(ids.MAP_YEAR, "value"),
    Output(ids.MAP_START_YEAR, "options"), Output(ids.MAP_START_YEAR, "value"),
    Output(ids.MAP_START_YEAR, "disabled"),
    Output(ids.MAP_RULES, "value"), Output(ids.MAP_DENOMINATOR, "value"),
    Input(ids.MAP_DATASET, "value"), Input(ids.MAP_LEVEL, "value"), Input(ids.MAP_CATEGORY, "value"),
    Input(ids.MAP_METRIC, "value"), Input(ids.MAP_YEAR, "value"), Input(ids.MAP_POP, "data"),
    State(ids.MAP_START_YEAR, "value"), State(ids.MAP_RULES, "value"), State(ids.MAP_DENOMINATOR, "value"),
    State(ids.MAP_CCAT, "data"),
    prevent_initial_call=True,
)
def sync_pickers(dataset, level, category, metric, year, pop, start_year, rules, denominator, ccat=None):
    return sync_outputs(ctx.triggered_id, dataset, level, category, metric, year, pop, start_year, rules, denominator,
                        ccat)


def sync_outputs(trigger, dataset, level, category, metric, year, pop, start_year, rules, denominator, ccat=None):
    """The outputs of :func:`sync_pickers` for the component id that triggered it."""
    current = dict(zip(ms.PARAMS, (dataset, level, category, metric, year, start_year, rules, denominator)))
    if trigger == ids.MAP_POP and pop:
        query = {k: v[-1] for k, v in parse_qs(pop.get("search", "").lstrip("?")).items()}
        ccat = query.get("ccat") or ccat
    else:
        query = dict(current)
        if ccat and category == ms.CUSTOM:
            query["ccat"] = ccat
    state, _notes = ms.resolve(query)
    new = {k: _str(v) for k, v in state.items()}
    changed = {k for k in ms.PARAMS if new[k] != _str(current[k])}

    def value(key):
        return new[key] if key in changed else no_update

    everything = trigger in (ids.MAP_DATASET, ids.MAP_POP) or "dataset" in changed
    years = everything or trigger == ids.MAP_LEVEL or bool(changed & {"level", "year"})
    starts = years or trigger == ids.MAP_YEAR
    metric_names = everything or trigger == ids.MAP_CATEGORY or "category" in changed
    ds, lv = state["dataset"], state["level"]
    return (
        value("dataset"),
        ms.level_options(ds) if everything else no_update, value("level"),
        ms.category_options(ds, ccat) if everything else no_update, value("category"),
        ms.metric_options(state["category"]) if metric_names else no_update, value("metric"),
        ms.year_options(ds, lv) if years else no_update, value("year"),
        ms.start_year_options(ds, lv, state["year"]) if starts else no_update, value("start_year"),
        state["metric"] != "growth",
        value("rules"), value("denominator"),
    )


def map_outputs(state: dict, geo_on_page: str | None):
    """(figure or Patch, MAP_STATE data, legend note, source line) for a state."""
    geo = f"{state['dataset']}/{state['level']}"
    figure = mf.full_figure(state) if geo != geo_on_page else mf.patch_figure(state)
    source = source_line(source_text(state["dataset"], state["level"], state["year"], state["category"],
                                     state["metric"], state["start_year"]))
    return figure, {"geo": geo, "state": state}, mf.legend_note(state), source


@callback(
    Output(ids.MAP_GRAPH, "figure"), Output(ids.MAP_STATE, "data"), Output(ids.MAP_LEGEND, "children"),
    Output(ids.MAP_SOURCE, "children"),
    *PICKER_INPUTS, State(ids.MAP_STATE, "data"), State(ids.MAP_CCAT, "data"),
    prevent_initial_call=True,
)
def update_map(*args):
    *values, page, ccat = args
    return map_outputs(state_of(values, ccat), (page or {}).get("geo"))


@callback(
    Output(ids.MAP_TABLE, "data"), Output(ids.MAP_TABLE, "columns"), Output(ids.MAP_TABLE, "page_count"),
    Output(ids.MAP_TABLE, "page_current"), Output(ids.MAP_TABLE_TITLE, "children"),
    *PICKER_INPUTS, Input(ids.MAP_TABLE, "page_current"), Input(ids.MAP_TABLE, "sort_by"),
    State(ids.MAP_TABLE, "page_size"), State(ids.MAP_CCAT, "data"),
    prevent_initial_call=True,
)
def update_table(*args):
    *rest, ccat = args
    return table_outputs(ctx.triggered_id, *rest, ccat=ccat)


def table_outputs(trigger, *args, ccat=None):
    *values, page, sort_by, page_size = args
    if trigger in PICKERS:
        page = 0
    data, columns, n_pages, title = mt.table_page(state_of(values, ccat), page or 0, sort_by, page_size or 15)
    return data, columns, n_pages, min(page or 0, n_pages - 1), title


@callback(
    Output(ids.MAP_DOWNLOAD, "data"),
    Input(ids.MAP_DOWNLOAD_BTN, "n_clicks"), *PICKER_STATES, State(ids.MAP_CCAT, "data"),
    prevent_initial_call=True,
)
def download_csv(n_clicks, *values):
    if not n_clicks:
        return no_update
    *values, ccat = values
    state = state_of(values, ccat)
    return send_credit_csv(mt.csv_frame(state), mt.csv_filename(state), mt.csv_credit(state))


clientside_callback(
    ClientsideFunction(namespace="map", function_name="push_query"),
    Output(ids.MAP_URL_SYNC, "data"),
    *PICKER_INPUTS,
)

clientside_callback(
    ClientsideFunction(namespace="map", function_name="open_region"),
    Output(ids.MAP_GRAPH, "clickData"),
    Input(ids.MAP_GRAPH, "clickData"), State(ids.MAP_STATE, "data"),
    prevent_initial_call=True,
)
