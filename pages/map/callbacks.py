"""Callbacks of the map explorer (/map).

- ``change_view``: one round trip per change. It keeps the pickers' options and values valid
  (dataset → levels, categories, custom regions, and its default star rules and LQ denominator; level → years; year → start years; category →
  metric names; ``sync_state``), restores every picker from the address on back/forward
  (``map-url-pop``, set by ``assets/url_state.js``), and draws the map of the resulting view in
  the same response (``map_outputs``): the full figure only when the dataset or level differs
  from the geometry on the page (``map-state``), otherwise a ``dash.Patch`` of values, hover and
  colours, or of the cluster organisations layer (trace 2) alone when only its switch changed;
  and the state's canonical query for the one URL writer. (Pickers it corrects are its own
  inputs: Dash does not call a callback again for its own outputs.)
- ``update_table`` (the grid's rows), ``download_csv`` (``# Source`` lines + CSV): the
  organisations switch is not among their inputs (the table does not depend on it).
- Clientside: a click on an organisations bubble opens the directory of its region; any other
  click goes to ``map.open_region`` (``assets/map_click.js``), which opens the region's profile.
"""
from __future__ import annotations

from urllib.parse import parse_qs

from dash import MATCH, Input, Output, Patch, State, callback, clientside_callback, ctx, dcc, no_update

from analytics.metrics.growth import carried_start
from analytics.serving.store import get_store
from components import choropleth as ch
from components.figures import source_line
from components.routes import MAP
from components.url_state import register_writer
from pages.map import ids
from pages.map import layout as ml
from pages.map import table as mt

TABLE_PICKERS = {"dataset": ids.DATASET, "level": ids.LEVEL, "category": ids.CATEGORY, "metric": ids.METRIC,
                 "year": ids.YEAR, "start_year": ids.START_YEAR, "rules": ids.RULES, "denominator": ids.DENOMINATOR,
                 "creg": ids.CREG}
PICKERS = {**TABLE_PICKERS, "orgs": ids.ORGS}  # the map's inputs: the table's and the organisations switch


def state_of(pickers: dict) -> dict:
    """A valid state from the pickers' values (keys of ``PICKERS``)."""
    return MAP.parse(ml.query_from_pickers(**pickers))[0]


def _str(v):
    return None if v is None else str(v)


def picker_values(state: dict) -> dict:
    """What each picker shows for a state."""
    return {"dataset": state["dataset"], "level": state["level"], "category": ml.picker_category(state),
            "metric": state["metric"], "year": _str(state["year"]), "start_year": _str(state["start_year"]),
            "rules": state["rules"], "denominator": state["denominator"], "creg": state.get("creg") or "",
            "orgs": state.get("orgs") == "on"}


def _shown(key: str, value):
    """A picker's current value as :func:`picker_values` writes it (the switch is a boolean)."""
    return bool(value) if key == "orgs" else _str(value)


PICKER_OUTPUTS = {"dataset": Output(ids.DATASET, "value"),
                  "level_options": Output(ids.LEVEL, "options"), "level": Output(ids.LEVEL, "value"),
                  "category_options": Output(ids.CATEGORY, "options"), "category": Output(ids.CATEGORY, "value"),
                  "metric_options": Output(ids.METRIC, "options"), "metric": Output(ids.METRIC, "value"),
                  "year_options": Output(ids.YEAR, "options"), "year": Output(ids.YEAR, "value"),
                  "start_options": Output(ids.START_YEAR, "options"), "start_year": Output(ids.START_YEAR, "value"),
                  "start_disabled": Output(ids.START_YEAR, "disabled"),
                  "rules": Output(ids.RULES, "value"), "denominator": Output(ids.DENOMINATOR, "value"),
                  "creg_options": Output(ids.CREG, "options"), "creg": Output(ids.CREG, "value"),
                  "orgs": Output(ids.ORGS, "value")}
MAP_OUTPUTS = {"figure": Output(ids.GRAPH, "figure"), "page": Output(ids.STATE, "data"),
               "legend": Output(ids.LEGEND, "children"), "source": Output(ids.SOURCE, "children"),
               "url": Output(ids.URL, "data")}
SYNC_TRIGGERS = (ids.DATASET, ids.LEVEL, ids.CATEGORY, ids.METRIC, ids.YEAR, ids.URL_POP)


@callback(
    output={**PICKER_OUTPUTS, **MAP_OUTPUTS},
    inputs={"pickers": {k: Input(v, "value") for k, v in PICKERS.items()}, "pop": Input(ids.URL_POP, "data"),
            "page": State(ids.STATE, "data")},
    prevent_initial_call=True,
)
def change_view(pickers, pop=None, page=None):
    trigger = ctx.triggered_id
    if trigger in SYNC_TRIGGERS:
        state, pick = sync_state(trigger, pickers, pop)
        state = state_of(picker_values(state))  # the view the corrected pickers show
    else:  # start year, rules, denominator, custom region, organisations: nothing else to correct
        state, pick = state_of(pickers), {k: no_update for k in PICKER_OUTPUTS}
    page = page if isinstance(page, dict) else {}
    return {**pick, **map_outputs(state, page.get("geo"), page.get("state"))}


def sync_outputs(trigger, current: dict, pop: dict | None = None) -> dict:
    """The picker outputs of :func:`change_view` for the component that triggered it."""
    return sync_state(trigger, current, pop)[1]


def sync_state(trigger, current: dict, pop: dict | None = None) -> tuple[dict, dict]:
    """(the view's state, the picker outputs) after a change of ``trigger``."""
    if trigger == ids.URL_POP and pop:
        query = {k: (v[-1] if len(v) == 1 else v) for k, v in parse_qs(pop.get("search", "").lstrip("?")).items()}
        state = MAP.parse(query)[0]
    else:
        state = state_of(current)
        if trigger == ids.DATASET:  # a new dataset: its own default star rules and LQ denominator
            meta = get_store(state["dataset"]).meta
            state["rules"] = meta.get("default_rules", state["rules"])
            state["denominator"] = meta.get("default_denominator", state["denominator"])
        if trigger in (ids.YEAR, ids.LEVEL, ids.DATASET):  # a new end year: a start across a break is not carried
            state["start_year"] = carried_start(state["dataset"], get_store(state["dataset"]).level_years(state["level"]),
                                                state["start_year"], state["year"])
    new = picker_values(state)
    changed = {k for k in PICKERS if new[k] != _shown(k, current.get(k)) and not (k == "creg" and not new[k]
                                                                               and not current.get(k))}

    def value(key):
        return new[key] if key in changed else no_update

    everything = trigger in (ids.DATASET, ids.URL_POP) or "dataset" in changed
    years = everything or trigger == ids.LEVEL or bool(changed & {"level", "year"})
    starts = years or trigger == ids.YEAR
    metric_names = everything or trigger == ids.CATEGORY or "category" in changed
    ds, lv = state["dataset"], state["level"]
    return state, {
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
        "creg": value("creg"), "orgs": value("orgs"),
    }


def _without_orgs(state: dict) -> str:
    return MAP.query({**state, "orgs": "off"})


def map_outputs(state: dict, geo_on_page: str | None, shown: dict | None = None) -> dict:
    """Figure (full, or a Patch), page data, legend, source line, config and the address.

    ``shown``: the state of the figure on the page (``map-state``). The Patch carries the
    organisations layer only when the switch differs from it, and only the layer when nothing
    else does."""
    geo = f"{state['dataset']}/{state['level']}"
    shown = shown or {}
    if geo != geo_on_page:
        figure = ch.full_figure(state)
    else:
        same_view = bool(shown) and _without_orgs(shown) == _without_orgs(state)
        figure = Patch() if same_view else ch.patch_figure(state)
        if (state.get("orgs") == "on") != (shown.get("orgs") == "on"):
            ch.patch_orgs(figure, state)
    return {"figure": figure, "page": ml.page_data(state), "legend": ch.legend_note(state),
            "source": source_line(ml.source_text(state)), "url": MAP.query(state)}


@callback(
    output={"grid": Output(ids.TABLE, "children"), "title": Output(ids.TABLE_TITLE, "children")},
    inputs={"pickers": {k: Input(v, "value") for k, v in TABLE_PICKERS.items()}},
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
            "pickers": {k: State(v, "value") for k, v in TABLE_PICKERS.items()}},
    prevent_initial_call=True,
)
def download_csv(n_clicks, pickers):
    if not n_clicks:
        return no_update
    state = state_of(pickers)
    return dcc.send_string(mt.csv_text(state), mt.csv_filename(state), type="text/csv")


# The export file names follow the view, but not through the graph's ``config``: a changed config
# makes Plotly rebuild the whole map (a new MapLibre map: ~0.9 s in headless Chromium).
clientside_callback(
    f"""function (page) {{
        const name = page && page.filename;
        if (!name) {{ return window.dash_clientside.no_update; }}
        const gd = document.querySelector('#{ids.GRAPH} .js-plotly-plot');
        if (gd && gd._context && gd._context.toImageButtonOptions) {{ gd._context.toImageButtonOptions.filename = name; }}
        const svg = document.getElementById('{ids.SVG_BTN}');
        if (svg) {{ svg.setAttribute('data-filename', name); }}
        return window.dash_clientside.no_update;
    }}""",
    Output(ids.SVG_BTN, "title"),
    Input(ids.STATE, "data"),
    prevent_initial_call=True,
)

register_writer(ids.PREFIX)

# A bubble of the organisations layer (trace 2; its customdata is the region id) opens the directory
# of that region, navigating as map.open_region does; any other click is map.open_region's.
clientside_callback(
    """function (clickData, page) {
        var point = clickData && clickData.points && clickData.points[0];
        if (point && point.curveNumber === 2 && point.customdata && page && page.orgs_base) {
            window.history.pushState({}, '', page.orgs_base + encodeURIComponent(point.customdata));
            window.dispatchEvent(new PopStateEvent('popstate', {state: {clusterObservatoryClick: true}}));
            return null;
        }
        return window.dash_clientside.map.open_region(clickData, page);
    }""",
    Output(ids.GRAPH, "clickData"),
    Input(ids.GRAPH, "clickData"), State(ids.STATE, "data"),
    prevent_initial_call=True,
)
