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
                dbc.NavItem(dbc.NavLink("Methodology & sources", href="/methodology")),
            ], navbar=True, id=ids.NAV),
        ], fluid=True),
        color="primary", dark=True, className="mb-3",
    )
