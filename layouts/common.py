"""Shared layout pieces: navbar, source credit, number formats, colour scales, figure config.

Numbers use thousands separators; every chart gets a source line; colour scales are
colour-blind safe (viridis / cividis for sequential, a diverging blue–orange for growth).
"""
from __future__ import annotations

import math

import dash_bootstrap_components as dbc
from dash import html

from . import ids

SEQUENTIAL = "Viridis"
DIVERGING = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#b35806"]]  # blue–white–orange (CVD-safe)
NO_DATA_COLOUR = "#d9d9d9"
NOT_PUBLISHED_COLOUR = "#f1ead6"  # a lighter sand: region with data, but no published cell for the category
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def fmt_int(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.0f}"


def fmt_num(x, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.{digits}f}"


def fmt_pct(x, digits: int = 1) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x * 100:,.{digits}f} %"


def ordinal_rank(rank, n) -> str:
    if rank is None or (isinstance(rank, float) and math.isnan(rank)):
        return "not ranked"
    return f"{int(rank):,} of {int(n):,}"


def source_line(text: str) -> html.Small:
    return html.Small(text, className="text-muted d-block mt-1 source-line")


def graph_config(filename: str) -> dict:
    """Plotly config: the modebar's own toImage button (PNG) plus an SVG button; no server browser."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        "modeBarButtonsToAdd": ["toImage"],
        "responsive": True,
    }


def navbar() -> dbc.Navbar:
    return dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand("Cluster Observatory", href="/"),
            dbc.Nav([
                dbc.NavItem(dbc.NavLink("Map", href="/map")),
                dbc.NavItem(dbc.NavLink("Build your own", href="/build")),
                dbc.NavItem(dbc.NavLink("Compare", href="/compare")),
                dbc.NavItem(dbc.NavLink("Methodology & sources", href="/methodology")),
            ], navbar=True, id=ids.NAV),
            html.Div([
                html.Span(id=ids.COPY_LINK_DONE, className="copy-link-done text-white small me-2",
                          role="status", **{"aria-live": "polite"}),
                dbc.Button("Copy link", id=ids.COPY_LINK, color="light", outline=True, size="sm",
                           title="Copy the address of this view (every setting is in the link)"),
            ], className="ms-auto d-flex align-items-center"),
        ], fluid=True),
        color="primary", dark=True, className="mb-3",
    )


def labelled_control(label: str, control, control_id: str, width: int | None = None, md: int = 3) -> dbc.Col:
    """A form column: a visible <label for=…> above the control (dropdown, radio items …)."""
    return dbc.Col([dbc.Label(label, html_for=control_id, className="fw-semibold small mb-1"), control],
                   xs=12, md=width or md, className="mb-2")


def datatable_style(**extra) -> dict:
    """Keyword arguments giving a ``dash_table.DataTable`` the FLATLY look (font, header, stripes)."""
    style = {
        "style_table": {"overflowX": "auto"},
        "style_cell": {"fontFamily": FONT, "fontSize": "0.875rem", "padding": "6px 8px", "textAlign": "left",
                       "whiteSpace": "normal", "height": "auto", "border": "1px solid #dee2e6"},
        "style_header": {"backgroundColor": "#ecf0f1", "fontWeight": "600", "color": "#2c3e50",
                         "whiteSpace": "normal", "height": "auto"},
        "style_filter": {"backgroundColor": "#fbfcfc"},
        "style_data_conditional": [{"if": {"row_index": "odd"}, "backgroundColor": "#f8f9fa"}],
        "css": [{"selector": ".dash-spreadsheet td div", "rule": "line-height: 1.3;"},
                {"selector": "p", "rule": "margin: 0;"}],
    }
    numeric = [{"if": {"column_type": "numeric"}, "textAlign": "right"}]
    style["style_cell_conditional"] = numeric + list(extra.pop("style_cell_conditional", []))
    style["style_header_conditional"] = numeric + list(extra.pop("style_header_conditional", []))
    style.update(extra)
    return style


def singular_level(label: str) -> str:
    """'NUTS 2 regions' → 'NUTS 2 region', 'Countries' → 'Country', 'States' → 'State'."""
    if label.endswith("ies"):
        return label[:-3] + "y"
    return label[:-1] if label.endswith("s") else label


def credit_csv(df, credit_lines: list[str]) -> str:
    """CSV text whose first lines are ``# Source: …`` comments, then the table (numbers unformatted).

    ``pandas.read_csv(path, comment="#")`` reads it back; spreadsheets show the credit on top.
    """
    head = "".join("# " + line.replace("\n", " ").strip() + "\n" for line in credit_lines if line)
    return head + df.to_csv(index=False, lineterminator="\n")


def send_credit_csv(df, filename: str, credit_lines: list[str]) -> dict:
    """A ``dcc.Download`` payload of :func:`credit_csv`."""
    from dash import dcc

    return dcc.send_string(credit_csv(df, credit_lines), filename, type="text/csv")


def svg_button(graph_id: str, filename: str, button_id: str | None = None, label: str = "SVG") -> html.Button:
    """A button that saves the graph as SVG with plotly's own ``Plotly.downloadImage`` (assets/shell.js).

    PNG is the modebar's camera button (``graph_config``); no server-side browser is involved.
    """
    kwargs = {"id": button_id} if button_id else {}
    return html.Button(
        label, type="button", className="btn btn-outline-secondary btn-sm js-svg-download",
        title="Download this chart as SVG", **{"data-graph": graph_id, "data-filename": filename}, **kwargs)

