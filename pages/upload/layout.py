"""/upload: analyse your own data (docs/UPLOAD.md).

Step by step: the format and the templates; a file (``dcc.Upload``, sent to ``POST /upload/file``
by a clientside callback: ``endpoint.py``); its problems with their lines, or its preview (summary,
codes in no category, the first 20 rows); the benchmark (the file itself, Europe or the US, with the
year used); "Analyse" registers it and gives the links (region profiles, the map when the regions
are NUTS / state / county codes, /compare) and its delete token. The uploads of this browser are
listed with their delete buttons (tokens kept in localStorage). The address never holds a key.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics import config
from analytics.upload import MAX_BYTES, MAX_ROWS
from components.routes import BUILD, METHODOLOGY
from pages.upload import ids
from pages.upload.endpoint import FILE_PATH

COLUMNS = [
    ("region_id", "yes", "any id; NUTS codes (DE11), US state FIPS (06) or county FIPS (06037) get the map"),
    ("region_name", "no", "shown instead of the id"),
    ("industry_code", "yes", "NACE Rev. 2 (division 29, group 29.1 or class 29.10) or NAICS (2 to 6 digits); "
                             "TOTAL for a region's total employment"),
    ("year", "yes", "a whole number"),
    ("employment", "yes", "persons employed / employees, ≥ 0; an empty cell is missing, never 0"),
    ("establishments", "no", "local units / establishments, ≥ 0"),
    ("payroll", "no", "wages and salaries (EUR for Europe, USD for the US), ≥ 0"),
]


def _ttl_text() -> str:
    hours = config.upload_ttl_hours()
    return f"{hours:g} hours" if hours % 24 else f"{hours / 24:g} days ({hours:g} hours)"


def _format_card() -> dbc.Card:
    rows = [html.Tr([html.Td(html.Code(c)), html.Td(req), html.Td(text)]) for c, req, text in COLUMNS]
    return dbc.Card(dbc.CardBody([
        html.H2("1. The file", className="h5"),
        html.P(["A CSV (UTF-8, comma or semicolon) or an Excel workbook (XLSX), one header line, one row per "
                "region × industry × year. Download a template: ",
                html.A("CSV", href=dash.get_relative_path("/upload/template.csv"), id="upload-template-csv",
                       download="cluster-upload-template.csv"), " · ",
                html.A("XLSX", href=dash.get_relative_path("/upload/template.xlsx"), id="upload-template-xlsx",
                       download="cluster-upload-template.xlsx"), "."]),
        html.Div(dbc.Table([html.Thead(html.Tr([html.Th("Column"), html.Th("Required"), html.Th("Content")])),
                            html.Tbody(rows)], size="sm", bordered=False, className="small mb-2"),
                 className="table-responsive"),
        html.P(["Codes finer than a NACE division roll up to it; codes in no cluster category are listed. "
                "Without a TOTAL row a region's total is the sum of its rows. The file is checked as a whole: "
                "with any problem nothing of it is used. The analysis is the one of the built-in data (",
                html.A("methodology", href=METHODOLOGY.href()), ")."], className="small text-muted mb-0"),
    ]), className="mb-3")


def _privacy_note() -> html.P:
    return html.P([html.Strong("Private: "), "no account needed. An analysed file gets a random, unguessable "
                   "address: whoever has the link can view it (read only), nobody else finds it (it is in no list, "
                   f"search or log). It is deleted after {_ttl_text()}, or earlier by you with its delete token, "
                   "which this browser keeps."], className="small mb-3", id="upload-privacy")


def _drop_zone() -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.H2("2. Upload", className="h5"),
        dbc.Label("CSV or XLSX file", html_for=ids.FILE, className="fw-semibold"),
        dcc.Upload(id=ids.FILE, max_size=MAX_BYTES, multiple=False, accept=".csv,.xlsx,text/csv",
                   children=html.Div(["Drag and drop a file here, or ", html.A("choose a file", href="#"),
                                      html.Br(),
                                      html.Span(f"CSV or XLSX, at most {MAX_BYTES // 1024 // 1024} MB and "
                                                f"{MAX_ROWS:,} rows", className="small text-muted")]),
                   className="upload-drop", style={"border": "2px dashed #6c757d", "borderRadius": "0.5rem",
                                                   "padding": "1.5rem 1rem", "textAlign": "center",
                                                   "cursor": "pointer"}),
        html.Div(id=ids.SIZE_NOTE, hidden=True, role="alert", className="alert alert-danger mt-2 mb-0",
                 **{"data-max-bytes": str(MAX_BYTES)}),
        dcc.Loading(html.Div(id=ids.STATUS, className="mt-2", role="status", **{"aria-live": "polite"}),
                    type="dot"),
    ]), className="mb-3")


def _analyse_area() -> html.Div:
    return html.Div(id=ids.ANALYSE_AREA, hidden=True, children=dbc.Card(dbc.CardBody([
        html.H2("4. Analyse", className="h5"),
        dbc.Label("Benchmark (E(c) and E of the LQ)", html_for=ids.BENCHMARK, className="fw-semibold"),
        dbc.RadioItems(id=ids.BENCHMARK, options=[], value="self", className="mb-2"),
        dbc.Button("Analyse", id=ids.ANALYSE, color="primary"),
        dcc.Loading(html.Div(id=ids.RESULT, className="mt-3"), type="dot"),
    ]), className="mb-3"))


def layout(**_kwargs):
    return html.Div([
        dcc.Store(id=ids.ENDPOINT, data=dash.get_relative_path(FILE_PATH)),
        dcc.Store(id=ids.RECEIVED),
        dcc.Store(id=ids.TOKENS, storage_type="local"),
        html.H1("Analyse your own data", className="h2"),
        html.P(["Employment by region and industry from your own register, a finer classification or a later "
                "year: the same clusters, LQs, stars, growth, map and peer comparison as the built-in data. "
                "To group industries or regions of the built-in data instead, ",
                html.A("build your own", href=BUILD.href()), "."], className="lead"),
        _privacy_note(),
        dbc.Row([dbc.Col(_format_card(), lg=6), dbc.Col(_drop_zone(), lg=6)]),
        html.Div(id=ids.PREVIEW),
        _analyse_area(),
        html.Section([
            html.H2("Your uploads in this browser", className="h5"),
            html.Div(id=ids.MINE_MSG),
            html.Div(id=ids.MINE),
        ], className="mb-4"),
    ], className="upload-page")
