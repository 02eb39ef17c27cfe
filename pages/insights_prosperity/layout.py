"""Cluster strength and prosperity ``/insights/prosperity?dataset=&level=&y=&year=&variant=&definitions=&region=``.

Each region's cluster strength (both variants, a picker) against GDP per capita (PPS per inhabitant in
Europe, real GDP per capita in the US, which the data have for 2000–2011 only) or patents, with the
least-squares quadratic (equation, R², n: the CLI's ``insights prosperity`` numbers), the seed report's
published curve for Europe's GDP chart, a highlighted region and a caption computed from R². The address
is parsed with ``route.PROSPERITY``; :func:`view` draws everything the state asks for (the layout and
the callback alike).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.insights.definitions import definition_sets
from analytics.insights.prosperity import VARIANTS, InsightError
from analytics.metrics.prosperity import ECO_REFERENCE
from analytics.serving.store import DATASETS, available_datasets, get_store
from components.figures import empty_figure, export_name, graph_config, svg_button
from components.labels import level_label
from components.messages import query_notes
from components.routes import METHODOLOGY, REGION
from components.url_state import url_store
from pages.insights_prosperity import data, ids
from pages.insights_prosperity import figures as pf
from pages.insights_prosperity.route import PROSPERITY

VARIANT_OPTIONS = [{"label": "Seed report's: traded employment with LQ > 2 ÷ total employment", "value": "lq2"},
                   {"label": "US portal's: employment in strong clusters ÷ traded employment", "value": "us-strong"}]
DEFINITION_LABELS = {"us-concorded": "US-derived (concorded to NACE), the build's",
                     "eu-colocation": "European co-location (derived)"}


def export_base(state: dict) -> str:
    return export_name("cluster_strength_vs", state["y"], state["dataset"], state["level"], state["year"],
                       state["variant"], data.engine_definitions(state))


def fit_text(state: dict, result) -> str:
    what, unit = data.y_label(state["dataset"], state["y"])
    if result is None:
        return "No fit: fewer than four regions with both values."
    unit_text = f"{unit}; " if unit else ""
    return (f"Fitted: {what} ≈ {signed(result.a, first=True)}·x² {signed(result.b)}·x {signed(result.c)} "
            f"({unit_text}x = cluster strength as a share 0–1), R² = {result.r2:.3f}, n = {result.n:,} regions.")


def signed(value: float, first: bool = False) -> str:
    """'−31,132' / '+ 17,245' with a true minus sign (the first term without a plus)."""
    text = f"{abs(value):,.0f}"
    if first:
        return ("−" if value < 0 else "") + text
    return ("− " if value < 0 else "+ ") + text


def source_text(state: dict) -> str:
    store = get_store(state["dataset"])
    defs = data.engine_definitions(state)
    return (f"{store.meta['source']} {data.SOURCES[(state['dataset'], state['y'])]} "
            f"{level_label(state['dataset'], state['level'])}, {state['year']}"
            + (f"; European categories: {defs}" if defs else "") + ".")


def title_text(state: dict) -> str:
    what = data.y_label(state["dataset"], state["y"])[0]
    area = DATASETS[state["dataset"]]["label"]
    return f"Cluster strength and {what}: {area}, {level_label(state['dataset'], state['level'])}, {state['year']}"


def view(state: dict) -> dict:
    """Everything the state draws: figure, caption, fit text, export names, profile link, points (records)."""
    out = {"config": graph_config(export_base(state)), "filename": export_base(state)}
    if state.get("level") is None or state.get("year") is None:
        msg = "No level of this dataset has both values."
        return {**out, "figure": empty_figure(msg), "caption": msg, "fit": "", "profile": None, "points": []}
    try:
        pts, result = data.points_and_fit(state)
    except InsightError as exc:
        msg = f"Nothing to draw: {exc}."
        return {**out, "figure": empty_figure(msg), "caption": msg, "fit": "", "profile": None, "points": []}
    what, unit = data.y_label(state["dataset"], state["y"])
    eco = state["dataset"] == "eu" and state["y"] == "gdp"
    fig = pf.scatter(pts, result, variant=state["variant"], y_what=what, y_unit=unit, title=title_text(state),
                     source=source_text(state), eco=eco, highlight=state.get("region"))
    profile = None
    if state.get("region"):
        name = get_store(state["dataset"]).region_names.get(state["region"], state["region"])
        profile = html.A(f"Open the profile of {name} →", id=ids.PROFILE_LINK,
                         href=REGION.href(dataset=state["dataset"], region_id=state["region"], year=state["year"]))
    return {**out, "figure": fig, "caption": data.caption(state, result), "fit": fit_text(state, result),
            "profile": profile, "points": pts.to_dict("records"), "result": result}


def region_options(state: dict) -> list[dict]:
    if state.get("level") is None or state.get("year") is None:
        return []
    return [{"label": f"{name} ({rid})", "value": rid}
            for rid, name in sorted(get_store(state["dataset"]).level_regions(state["level"], state["year"]),
                                    key=lambda t: str(t[1]))]


def year_help(state: dict) -> str:
    ys = data.years(state["dataset"], state["level"], state["y"]) if state.get("level") else []
    what = data.y_label(state["dataset"], state["y"])[0]
    text = f"Only years with both cluster strength and {what}: {data.spans(ys)}."
    if state["dataset"] == "us" and state["y"] == "gdp":
        text += " The US GDP per capita series in the data stops in 2011 (no 2017–2021 population)."
    return text


def options(state: dict) -> dict[str, list[dict]]:
    """Each control's options under the state (the layout and the callback alike)."""
    ds = state["dataset"]
    store = get_store(ds)
    ys = data.years(ds, state["level"], state["y"]) if state.get("level") else []
    return {
        "dataset": [{"label": DATASETS[k]["label"], "value": k} for k in available_datasets(bases_only=True)],
        "level": [{"label": store.meta.get("levels", {}).get(lv, lv), "value": lv} for lv in data.levels(ds, state["y"])],
        "y": [{"label": f"{data.y_label(ds, y)[0]} ({'prosperity' if y == 'gdp' else 'innovation'})", "value": y}
              for y in data.Y_AXES],
        "year": [{"label": str(y), "value": y} for y in ys],
        "variant": VARIANT_OPTIONS,
        "definitions": [{"label": DEFINITION_LABELS.get(k, k), "value": k} for k in definition_sets()]
        if ds == "eu" else [],
        "region": region_options(state),
    }


def controls(state: dict) -> dbc.Card:
    opts = options(state)

    def col(label, id_, name, md, **kw):
        control = dcc.Dropdown(id=id_, value=state.get(name), options=opts[name], **kw)
        return dbc.Col([dbc.Label(label, html_for=id_, className="fw-semibold small mb-1"), control],
                       xs=12, md=md, className="mb-2")

    return dbc.Card(dbc.CardBody([dbc.Row([
        col("Dataset", ids.DATASET, "dataset", 2, clearable=False),
        col("Level", ids.LEVEL, "level", 2, clearable=False),
        col("Against", ids.YAXIS, "y", 3, clearable=False),
        col("Year", ids.YEAR, "year", 1, clearable=False),
        col("Cluster strength", ids.VARIANT, "variant", 4, clearable=False),
    ], className="g-2"), dbc.Row([
        dbc.Col(html.Small(year_help(state), id=ids.YEAR_HELP, className="text-muted"), xs=12, md=5,
                className="mb-2"),
        col("European cluster definitions", ids.DEFINITIONS, "definitions", 3, clearable=False,
            disabled=state["dataset"] != "eu", placeholder="Europe only"),
        col("Highlight a region (type to search)", ids.REGION, "region", 4, searchable=True, clearable=True,
            placeholder="Type a region's name or code"),
    ], className="g-2")]), className="mb-3 bg-light border-0")


def layout(**kwargs):
    query, _path = PROSPERITY.split(kwargs)
    state, notes = PROSPERITY.parse(query)
    v = view(state)
    eco = ECO_REFERENCE
    return html.Div([
        *url_store(ids.PREFIX, PROSPERITY, state),
        dcc.Download(id=ids.DOWNLOAD),
        html.H1("Cluster strength and prosperity", className="h2 mb-1"),
        html.P(["The European Cluster Observatory's headline chart, “regions of Europe: level of clustering and "
                "prosperity”, recomputed on this observatory's data: each region's cluster strength against its GDP "
                "per capita (or patents), with a least-squares quadratic. Click a point to open the region's "
                "profile. ", html.A("Methodology and sources", href=METHODOLOGY.href())], className="text-muted"),
        query_notes(notes, id_=ids.NOTES),
        controls(state),
        dbc.Alert(v["caption"], id=ids.CAPTION, color="secondary", className="py-2 fw-semibold"),
        html.Div([
            html.Div(v["fit"], id=ids.FIT, className="small"),
            html.Div([svg_button(ids.GRAPH, v["filename"], ids.SVG, label="Chart as SVG"),
                      dbc.Button("Points as CSV", id=ids.CSV_BTN, color="secondary", outline=True, size="sm",
                                 title="The regions drawn (id, name, cluster strength, y) with the fit, as CSV")],
                     className="d-flex gap-2"),
        ], className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-1"),
        dcc.Loading(dcc.Graph(id=ids.GRAPH, figure=v["figure"], config=v["config"],
                              style={"height": f"{pf.HEIGHT}px"}), type="circle", delay_show=400),
        html.Div(v["profile"], id=f"{ids.PROFILE_LINK}-box", className="small mb-3"),
        html.Section([
            html.H2("How to read it", className="h5"),
            html.Ul([
                html.Li([html.Strong("Cluster strength, seed report's (lq2): "), VARIANTS["lq2"]["label"].split(": ", 1)[1],
                         ", LQ under the dataset's default denominator (Europe: total employment; US: traded)."]),
                html.Li([html.Strong("Cluster strength, US portal's (us-strong): "),
                         "employment in strong traded clusters ÷ the region's traded employment; strong = LQ (over "
                         "traded employment) at or above the 75th percentile and at least 1, employment and "
                         "establishments (Europe: local units) above their 25th percentile, within level, category "
                         "and year."]),
                html.Li([html.Strong("The fit: "), "y = a·x² + b·x + c by ordinary least squares over the regions "
                         "with both values (none imputed), x as a share 0–1; R² = 1 − SS_res / SS_tot. The same "
                         "numbers as ", html.Code("python -m analytics insights prosperity"), "."]),
                html.Li([html.Strong("ECO's published curve: "),
                         f"y = {eco['a']:,.0f}x² − {abs(eco['b']):,.0f}x + {eco['c']:,.0f}, R² = {eco['r2']:.2f}, "
                         "fitted by the European Cluster Observatory on its own data, regions and categories (GDP "
                         "per capita in PPS). It is drawn for comparison on the European GDP chart only; it is not "
                         "a fit to the points shown."]),
                html.Li("A weak fit says cluster strength alone explains little of the differences in prosperity "
                        "across regions; it does not say clusters do not matter (capital regions, sector mix and "
                        "commuting weigh on GDP per capita)."),
            ], className="small"),
        ]),
    ], className="prosperity-page")
