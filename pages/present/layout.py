"""Presenter mode (/present): one slide over the whole window and a slim caption, nothing else.

``layout(**query)`` builds the deck of the address (``sequence.deck``: carousel or story, every
item checked, the slide index clamped) and draws the slide it names; the notes of what was left
out are a dismissable box over the slide. The caption: ‹ n / N › · the slide's label · its
source · full screen · exit (the normal view of the slide). Keys and buttons are handled in
``assets/present.js``; it asks ``callbacks.py`` for another slide by setting ``present-index``.
The shell's navbar is hidden while the page is shown (``assets/present.css``).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.routes import MAP
from components.url_state import url_store
from pages.present import figures as pf
from pages.present import ids
from pages.present import sequence as sq
from pages.present.route import CAROUSEL

GRAPH_CONFIG = {"displayModeBar": False, "scrollZoom": False, "responsive": True, "displaylogo": False}
NOTES_SHOWN_MS = 20000  # the box of skipped items closes by itself (or with its ✕) so the slide is clean


def shown(slide: sq.Slide, size: str | None) -> dict:
    """What the graph holds after drawing ``slide`` (``present-shown``): a next map slide with the
    same geometry is a Patch."""
    return {"kind": slide.kind, "geo": slide.geo, "size": "compact" if size == "compact" else "wide"}


def notes_box(notes: list[str]):
    if not notes:
        return html.Div(id=ids.NOTES)
    return dbc.Alert([html.Strong("Some items of the link were not used: "),
                      html.Ul([html.Li(n) for n in notes], className="mb-0")],
                     id=ids.NOTES, color="warning", dismissable=True, duration=NOTES_SHOWN_MS, className="present-notes")


def caption(d: sq.Deck, slide: sq.Slide) -> html.Div:
    return html.Div([
        html.Button("‹", id=ids.PREV, type="button", className="present-btn", title="Previous slide (←)",
                    **{"aria-label": "Previous slide"}),
        html.Span(f"{d.index} / {len(d.slides)}", id=ids.COUNT, className="present-count",
                  **{"aria-live": "polite"}),
        html.Button("›", id=ids.NEXT, type="button", className="present-btn", title="Next slide (→ or space)",
                    **{"aria-label": "Next slide"}),
        html.Span(slide.label, id=ids.LABEL, className="present-label"),
        html.Span(slide.source, id=ids.SOURCE, className="present-source", title=slide.source),
        html.Button("Full screen", id=ids.FULLSCREEN, type="button", className="present-btn present-fs",
                    title="Full screen (F)"),
        dcc.Link("✕ Exit", id=ids.EXIT, href=slide.href, className="present-exit",
                 title="Leave presenter mode for this view (Esc)"),
    ], id=ids.CAPTION, className="present-caption", role="navigation", **{"aria-label": "Slides"})


def empty_page(d: sq.Deck) -> html.Div:
    return html.Div([
        html.Div([
            html.H1("Nothing to present", className="present-empty-title"),
            html.P("The link names no view that can be shown."),
            html.Ul([html.Li(n) for n in d.notes]) if d.notes else None,
            html.P(["A carousel: ", html.Code("/present?dataset=eu&metric=lq&over=category"),
                    "; a story: ", html.Code("/present?view=%2Fmap%3Fdataset%3Dus&view=%2Fregion%2Feu%2FDE11"),
                    "."]),
            dcc.Link("← Back to the map", href=MAP.href(), className="present-back"),
        ], id=ids.NOTES, className="present-empty", role="alert"),
    ], id=ids.PAGE, className="present-page")


def page(d: sq.Deck) -> html.Div:
    if not d.slides:
        return empty_page(d)
    slide = d.slides[d.index - 1]
    return html.Div([
        dcc.Store(id=ids.INDEX, data=d.index),
        dcc.Store(id=ids.SIZE),
        dcc.Store(id=ids.SHOWN, data=shown(slide, None)),
        dcc.Store(id=ids.QUERY, data=d.key),
        *url_store(ids.PREFIX, d.route, {**d.state, "i": str(d.index)}),
        html.Div([
            dcc.Graph(id=ids.GRAPH, figure=pf.slide_figure(slide), config=GRAPH_CONFIG,
                      style={"height": "100%", "width": "100%"}),
            notes_box(d.notes),
        ], id=ids.DECK, className="present-deck",
            **{"data-n": str(len(d.slides)), "data-i": str(d.index), "data-key": d.key}),
        caption(d, slide),
    ], id=ids.PAGE, className="present-page")


def layout(**kwargs):
    """The page for an address (Dash Pages passes the query values as keyword arguments)."""
    query, _ = CAROUSEL.split(kwargs)
    return page(sq.deck(query))
