"""Map explorer (/map): labelled pickers, the choropleth (with the cluster organisations layer behind
the "Cluster organisations" switch, ``orgs=on``), notes and source, a sortable table with CSV.

``layout(**query)`` restores the exact view from the address (``components.routes.MAP``); bad
values fall back to defaults and are listed in a visible note. The first render carries the full
figure (with geometry); later changes are Patches (``callbacks.py``).
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.metrics.growth import start_label
from analytics.serving import views
from analytics.serving.library import saved_specs
from analytics.serving.store import DATASETS, available_datasets, get_store
from components import choropleth as ch
from components.controls import denominator_options, field, rules_options, select
from components.figures import graph_config, source_line, svg_button
from components.labels import level_label
from components.routes import ALL, CUSTOM, MAP, REGION
from components.url_state import pop_store, url_store
from pages.map import ids
from pages.map.table import grid_for

CCAT_PREFIX = "ccat:"  # a custom category's picker value: "ccat:<spec>"
FILTERS_BTN = "map-filters-btn"      # "Filters" (below 768 px): opens the settings panel
FILTERS_PANEL = "map-filters-panel"  # the settings column; a slide-in panel below 768 px


def picker_category(state: dict) -> str:
    return CCAT_PREFIX + state["ccat"] if state["category"] == CUSTOM and state.get("ccat") else state["category"]


def query_from_pickers(dataset, level, category, metric, year, start_year, rules, denominator, creg,
                       orgs=None) -> dict:
    """The query a set of picker values stands for (parsed with ``MAP`` like any address); ``orgs``
    is the organisations switch (True = ``orgs=on``)."""
    q = {"dataset": dataset, "level": level, "category": category, "metric": metric, "year": year,
         "start_year": start_year, "rules": rules, "denominator": denominator, "creg": creg or None,
         "orgs": "on" if orgs is True or orgs == "on" else None}
    if isinstance(category, str) and category.startswith(CCAT_PREFIX):
        q["category"], q["ccat"] = CUSTOM, category[len(CCAT_PREFIX):]
    return {k: v for k, v in q.items() if v not in (None, "")}


# --- options ----------------------------------------------------------------------------------

def dataset_options(current: str | None = None) -> list[dict]:
    """The built-in datasets; an uploaded one only on its own map (its key is never listed elsewhere)."""
    opts = [{"label": DATASETS[k]["label"], "value": k} for k in available_datasets()]
    if current is not None and current not in DATASETS:
        opts.append({"label": get_store(current).meta["label"], "value": current})
    return opts


def level_options(dataset: str) -> list[dict]:
    return [{"label": level_label(dataset, lv), "value": lv} for lv in get_store(dataset).map_levels]


def category_options(dataset: str, ccat: str | None = None) -> list[dict]:
    """All categories; the custom category of the address and the saved ones; the built-ins."""
    cats = get_store(dataset).categories.sort_values(["category_type", "category_name"], ascending=[False, True])
    opts = [{"label": "All categories (region totals)", "value": ALL}]
    for spec in dict.fromkeys([s for s in [ccat, *saved_specs("category", dataset)] if s]):
        cc, _problem = views.try_category(dataset, spec)
        if cc is not None:
            opts.append({"label": f"{cc.name} (custom)", "value": CCAT_PREFIX + cc.spec()})
    for row in cats.itertuples():
        suffix = " (local)" if row.category_type == "local" else ""
        opts.append({"label": f"{row.category_name}{suffix}", "value": row.category_id})
    return opts


def creg_options(dataset: str, creg: str | None = None) -> list[dict]:
    """No custom region, the one of the address and the saved ones."""
    opts = [{"label": "None", "value": ""}]
    for spec in dict.fromkeys([s for s in [creg, *saved_specs("region", dataset)] if s]):
        cr, _problem = views.try_region(dataset, spec)
        if cr is not None:
            opts.append({"label": f"{cr.name} ({' + '.join(cr.members)})", "value": cr.spec()})
    return opts


def metric_options(category: str) -> list[dict]:
    labels = {"employment": ("Employment", "Total employment"),
              "size": ("Size (share of the category)", "Share of the benchmark area's employment"),
              "lq": ("Specialisation (location quotient)", "Cluster strength (employment in clusters with LQ > 2)"),
              "focus": ("Focus (share of the region's employment)", "Traded share of employment"),
              "stars": ("Stars", "Starred clusters (count)"),
              "growth": ("Growth (CAGR of employment)", "Growth of total employment (CAGR)"),
              "wage": ("Average wage", "Average wage (all clusters)")}
    return [{"label": labels[m][1 if category == ALL else 0], "value": m} for m in views.CATEGORY_MEASURES]


def year_options(dataset: str, level: str) -> list[dict]:
    return [{"label": str(y), "value": str(y)} for y in get_store(dataset).level_years(level)]


def start_year_options(dataset: str, level: str, year: int) -> list[dict]:
    return [{"label": start_label(dataset, y, year), "value": str(y)}
            for y in get_store(dataset).level_years(level) if y < year]


# --- the page ---------------------------------------------------------------------------------

def controls(state: dict) -> html.Div:
    ds, level, year = state["dataset"], state["level"], state["year"]
    start = state["start_year"]
    return html.Div([
        field("Dataset", select(ids.DATASET, dataset_options(ds), ds), ids.DATASET),
        field("Region level", select(ids.LEVEL, level_options(ds), level), ids.LEVEL),
        field("Cluster category", select(ids.CATEGORY, category_options(ds, state.get("ccat")), picker_category(state)),
              ids.CATEGORY, "“All categories” maps region totals; the metric names say which."),
        field("Metric", select(ids.METRIC, metric_options(state["category"]), state["metric"]), ids.METRIC),
        dbc.Row([
            dbc.Col(field("Year", select(ids.YEAR, year_options(ds, level), str(year)), ids.YEAR)),
            dbc.Col(field("Start year (growth)",
                          select(ids.START_YEAR, start_year_options(ds, level, year),
                                 None if start is None else str(start), disabled=state["metric"] != "growth"),
                          ids.START_YEAR)),
        ], className="g-2"),
        field("Star rules", select(ids.RULES, rules_options(), state["rules"]), ids.RULES),
        field("LQ denominator", select(ids.DENOMINATOR, denominator_options(), state["denominator"]), ids.DENOMINATOR),
        field("Custom region (outlined)", select(ids.CREG, creg_options(ds, state.get("creg")), state.get("creg") or ""),
              ids.CREG, "Define one under “Build your own”."),
        html.Div([
            dbc.Switch(id=ids.ORGS, label="Cluster organisations", value=state.get("orgs") == "on",
                       label_class_name="fw-semibold small", class_name="mb-0", disabled=ds not in DATASETS),
            dbc.FormText("Bubbles: the organisations located in each region." if ds in DATASETS else
                         "Organisations are shown with the built-in data only, not an uploaded file.",
                         className="d-block"),
        ], className="mb-2 map-field"),
    ], className="map-controls", role="group", **{"aria-label": "Map settings"})


def page_data(state: dict) -> dict:
    """What the page keeps about the figure shown (``map-state``): its geometry, its state (the
    organisations layer included) and the parts of a region profile's and of the organisations
    directory's address (for clicks on the map)."""
    # the growth window travels with the click (the map's start year, growth shown or not)
    query = REGION.query({"year": state["year"], "rules": state["rules"], "denominator": state["denominator"],
                          "start_year": state["start_year"]})
    base = REGION.href(dataset=state["dataset"], region_id="REGION").split("REGION")[0]
    custom = REGION.href(dataset=state["dataset"], region_id=CUSTOM, year=state["year"], rules=state["rules"],
                         denominator=state["denominator"], start_year=state["start_year"],
                         creg=state["creg"]) if state.get("creg") else None
    return {"geo": f"{state['dataset']}/{state['level']}", "state": state, "region_base": base,
            "region_query": query, "custom_href": custom,
            "orgs_base": ch.directory_href(dataset=state["dataset"]) + "&region=", "filename": filename(state)}


def filename(state: dict) -> str:
    cat = "custom" if state["category"] == CUSTOM else state["category"]
    return f"cluster-map-{state['dataset']}-{state['level']}-{cat}-{state['metric']}-{state['year']}"


def source_text(state: dict) -> str:
    meta = get_store(state["dataset"]).meta
    when = f"{state['start_year']}–{state['year']}" if state["metric"] == "growth" and state["start_year"] \
        else str(state["year"])
    text = (f"{meta['source']} Year {when}; {level_label(state['dataset'], state['level'])}; benchmark area: "
            f"{meta['benchmark_area']}.")
    labels = views.growth_notes(state["dataset"], state["start_year"], state["year"],
                                (state.get("ccat"),) if state["category"] == CUSTOM else ()) \
        if state["metric"] == "growth" else []
    return " ".join([text, *labels])


def page(state: dict, notes: list[str]) -> html.Div:
    title, grid = grid_for(state)
    return html.Div([
        dcc.Store(id=ids.STATE, data=page_data(state)),
        *url_store(ids.PREFIX, MAP, state),
        *pop_store(ids.PREFIX, r"/map/?$"),
        html.Div([
            html.H1("Map explorer", className="h3 mb-2"),
            # below 768 px the settings are a slide-in panel (assets/responsive.css, small_screens.js)
            html.Button("Filters", id=FILTERS_BTN, type="button", n_clicks=0,
                        className="btn btn-primary btn-sm d-md-none ms-auto mb-2 js-panel-open",
                        **{"data-panel": FILTERS_PANEL, "aria-controls": FILTERS_PANEL, "aria-expanded": "false",
                           "aria-label": "Filters: open the map settings"}),
        ], className="d-flex align-items-center"),
        dbc.Alert([html.Strong("Some settings in the link were not valid: "), " ".join(notes)],
                  id=ids.NOTE, color="warning", is_open=bool(notes), dismissable=True, className="py-2"),
        dbc.Row([
            dbc.Col(html.Div([
                html.Div([
                    html.H2("Map settings", className="h5 mb-0", id=FILTERS_PANEL + "-title"),
                    html.Button(type="button", className="btn-close ms-auto js-panel-close",
                                **{"data-panel": FILTERS_PANEL, "aria-label": "Close the map settings"}),
                ], className="slide-panel-header d-flex align-items-center d-md-none mb-2"),
                controls(state),
            ], id=FILTERS_PANEL, className="slide-panel", **{"aria-labelledby": FILTERS_PANEL + "-title"}),
                xs=12, lg=3, className="mb-3"),
            dbc.Col([
                html.Div(dcc.Graph(id=ids.GRAPH, figure=ch.full_figure(state), config=graph_config(filename(state)),
                                   style={"height": "100%"}, clear_on_unhover=True),
                         className="map-graph-box"),
                html.Div([
                    html.Div(ch.legend_note(state), id=ids.LEGEND, className="small map-legend"),
                    html.Div([svg_button(ids.GRAPH, filename(state), ids.SVG_BTN, "Download SVG"),
                              # assets/present.js rewrites the link at the click to the map's current view
                              html.A("Present this view", href=dash.get_relative_path("/present")
                                     + (MAP.query(state) or "?") + "&over=category",
                                     className="btn btn-outline-secondary btn-sm ms-2",
                                     **{"data-present-over": "category"})],
                             className="ms-auto ps-2 text-nowrap"),
                ], className="d-flex align-items-start mt-1"),
                html.Div(source_line(source_text(state)), id=ids.SOURCE),
            ], xs=12, lg=9),
        ]),
        html.Div([
            html.H2(title, id=ids.TABLE_TITLE, className="h5 mb-0"),
            dbc.Button("Download CSV", id=ids.DOWNLOAD_BTN, color="primary", outline=True, size="sm",
                       className="ms-auto"),
            dcc.Download(id=ids.DOWNLOAD),
        ], className="d-flex align-items-center mt-4 mb-2"),
        html.Div(grid, id=ids.TABLE),
    ], className="map-page")


def layout(**kwargs):
    """The page for an address (Dash Pages passes the query values as keyword arguments)."""
    state, notes = MAP.parse(*MAP.split(kwargs))
    return page(state, notes)
