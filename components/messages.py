"""Messages a page shows instead of, or above, its content: not found, settings replaced, notes."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.routes import MAP


def not_found(title: str, detail=None, extra=None, id_: str | None = None) -> html.Div:
    """A clear message with a link back to the map (unknown ids and datasets, unusable links)."""
    return html.Div([
        dbc.Alert([
            html.H4(title, className="alert-heading"),
            html.P(detail) if detail else None,
            extra,
            html.Hr(),
            html.A("← Back to the map", href=MAP.href(), className="alert-link"),
        ], color="warning", **({"id": id_} if id_ else {})),
    ], className="my-4")


def query_notes(notes: list[str], id_: str | None = None):
    """A visible note listing the settings of the address that were replaced or ignored."""
    if not notes:
        return html.Div(id=id_) if id_ else None
    return dbc.Alert([html.Strong("Some settings in the address were not used: "),
                      html.Ul([html.Li(n) for n in notes], className="mb-0")],
                     color="info", className="py-2 small", dismissable=True, **({"id": id_} if id_ else {}))


def note(text, color: str = "info"):
    return dbc.Alert(text, color=color, className="py-2 small")


def join(items, sep=", "):
    """Components with a separator between them (for inline lists of links)."""
    out = []
    for i, it in enumerate(items):
        if i:
            out.append(sep)
        out.append(it)
    return out
