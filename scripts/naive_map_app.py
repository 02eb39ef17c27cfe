"""A deliberately naive Dash map of the same data: the baseline of ``scripts/benchmark_browser.py``.

One page, four pickers (dataset/level, category, year) and ONE server callback that rebuilds the
whole ``plotly.express.choropleth_map`` figure, GeoJSON included, on every change. The values come
from the project's read layer (``analytics.serving.views.map_values``), so they are the app's:
the location quotient of a category, or total employment for "all". What a first Dash map usually
looks like: no Patch, no cached geometry file, no compression (unless ``--compress``), the Flask
development server (threaded).

    python scripts/naive_map_app.py --port 8060 [--compress]
    # then http://127.0.0.1:8060/?dataset=us&level=county&category=automotive&year=2020

The dataset/level picker reloads the page (clientside; the page is built from the address), so the
category and year options always belong to the dataset shown. Element ids: ``naive-geo``,
``naive-category``, ``naive-year``, ``naive-graph``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import flask  # noqa: E402
import plotly.express as px  # noqa: E402
from dash import Dash, Input, Output, clientside_callback, dcc, html  # noqa: E402

from analytics.serving import views  # noqa: E402
from analytics.serving.store import DATASETS, get_store  # noqa: E402

GEOS = {"eu/nuts2": "Europe — NUTS 2 regions", "us/county": "United States — counties"}
ALL = views.ALL


def category_options(dataset: str) -> list[dict]:
    cats = get_store(dataset).categories.sort_values("category_name")
    return [{"label": "All categories (total employment)", "value": ALL}] + [
        {"label": name, "value": cid} for cid, name in zip(cats["category_id"], cats["category_name"])]


def figure(dataset: str, level: str, category: str, year: int):
    """The whole figure: geometry, values, colour bar (metric: LQ of a category, employment for all)."""
    store = get_store(dataset)
    metric = "employment" if category == ALL else "lq"
    frame = views.map_values(dataset, level, category, metric, int(year))
    frame = frame[~frame["custom"]]
    meta = DATASETS[dataset]
    fig = px.choropleth_map(frame, geojson=store.geometry(level), locations="region_id", featureidkey="id",
                            color="value", hover_name="region_name", color_continuous_scale="Viridis",
                            map_style="white-bg", center=meta.get("map_center"), zoom=meta.get("map_zoom", 3),
                            labels={"value": "Employment" if metric == "employment" else "LQ"})
    fig.update_traces(marker_line_width=0.4, marker_line_color="#ffffff")
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return fig


def layout():
    """The page for the address: ``?dataset=&level=&category=&year=`` (bad values → defaults).

    Dash asks for the layout with ``/_dash-layout`` (no query): the page's address is its Referer."""
    args = {}
    if flask.has_request_context():
        args = flask.request.args or parse_qs(urlparse(flask.request.referrer or "").query)
        args = {k: (v[-1] if isinstance(v, list) else v) for k, v in args.items()}
    geo = f"{args.get('dataset', 'eu')}/{args.get('level', 'nuts2')}"
    geo = geo if geo in GEOS else "eu/nuts2"
    dataset, level = geo.split("/")
    cats = category_options(dataset)
    category = args.get("category") if args.get("category") in {c["value"] for c in cats} else ALL
    years = get_store(dataset).level_years(level)
    year = int(args["year"]) if str(args.get("year", "")).isdigit() and int(args["year"]) in years else years[-1]
    return html.Div([
        html.H1("Naive map", style={"fontSize": "1.4rem"}),
        html.Div([
            dcc.Dropdown(id="naive-geo", options=[{"label": v, "value": k} for k, v in GEOS.items()], value=geo,
                         clearable=False, style={"width": "300px"}),
            dcc.Dropdown(id="naive-category", options=cats, value=category, clearable=False,
                         style={"width": "360px"}),
            dcc.Dropdown(id="naive-year", options=[{"label": str(y), "value": y} for y in years], value=year,
                         clearable=False, style={"width": "120px"}),
        ], style={"display": "flex", "gap": "8px"}),
        dcc.Store(id="naive-geo-store", data=geo),
        html.Div(id="naive-nav", hidden=True),
        dcc.Graph(id="naive-graph", style={"height": "720px"}),
    ], style={"padding": "8px"})


app = Dash(__name__, title="Naive map")
app.layout = layout


@app.callback(Output("naive-graph", "figure"), Input("naive-category", "value"), Input("naive-year", "value"),
              Input("naive-geo-store", "data"))
def update(category, year, geo):
    dataset, level = geo.split("/")
    return figure(dataset, level, category, year)


# another dataset/level: load its page (options and values of the pickers belong to one dataset)
clientside_callback(
    """function (geo, shown) {
        if (geo && geo !== shown) {
            var p = geo.split('/');
            window.location.search = '?dataset=' + p[0] + '&level=' + p[1];
        }
        return window.dash_clientside.no_update;
    }""",
    Output("naive-nav", "children"), Input("naive-geo", "value"), Input("naive-geo-store", "data"),
    prevent_initial_call=True,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=8060)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--compress", action="store_true", help="gzip/brotli responses (Flask-Compress)")
    args = ap.parse_args()
    if args.compress:
        from flask_compress import Compress

        Compress(app.server)
    for ds, lv in (g.split("/") for g in GEOS):  # read the tables and geometry before the first request
        get_store(ds).geometry(lv)
        get_store(ds).map_regions(lv)
    app.run(host=args.host, port=args.port, debug=False, threaded=True)


if __name__ == "__main__":
    main()
