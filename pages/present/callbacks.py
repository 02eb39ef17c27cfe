"""Callbacks of presenter mode (/present).

- ``show_slide``: ``present-index`` (set by ``assets/present.js`` on a key, a caption button or
  back/forward) or ``present-size`` (``compact`` on a small screen) → the slide's figure, the
  caption and the address (``i=``, written by the one URL writer, so a reload or a shared link
  keeps the slide). The deck is rebuilt from its canonical query (``present-query``) with the
  same checks as the address, so nothing the browser sends is trusted; the index is clamped.
  A map slide after a map slide of the same geometry is a ``dash.Patch`` of values, colours,
  colour bar and headline; any other change draws the whole figure.
"""
from __future__ import annotations

from dash import Input, Output, State, callback, ctx, no_update

from components.url_state import register_writer
from pages.present import figures as pf
from pages.present import ids
from pages.present import sequence as sq
from pages.present.layout import shown as shown_of

OUTPUTS = {"figure": Output(ids.GRAPH, "figure"), "shown": Output(ids.SHOWN, "data"),
           "count": Output(ids.COUNT, "children"), "label": Output(ids.LABEL, "children"),
           "source": Output(ids.SOURCE, "children"), "source_title": Output(ids.SOURCE, "title"),
           "exit": Output(ids.EXIT, "href"), "url": Output(ids.URL, "data")}


def slide_outputs(key, index, size=None, shown=None, resized: bool = False) -> dict:
    """The outputs for slide ``index`` of the deck ``key`` (its canonical query without i);
    every output unchanged when the key names no slide."""
    if not isinstance(key, str):
        return {k: no_update for k in OUTPUTS}
    d = sq.deck_from_search(key)
    if not d.slides:
        return {k: no_update for k in OUTPUTS}
    i = d.clamp(index)
    slide = d.slides[i - 1]
    size = "compact" if size == "compact" else "wide"
    figure = None
    if (not resized and slide.geo and isinstance(shown, dict) and shown.get("geo") == slide.geo
            and shown.get("size") == size):
        figure = pf.map_patch(slide.state, slide.title, size)
    if figure is None:
        figure = pf.slide_figure(slide, size)
    return {"figure": figure, "shown": shown_of(slide, size), "count": f"{i} / {len(d.slides)}",
            "label": slide.label, "source": slide.source, "source_title": slide.source, "exit": slide.href,
            "url": d.query(i)}


@callback(output=OUTPUTS,
          inputs={"index": Input(ids.INDEX, "data"), "size": Input(ids.SIZE, "data"),
                  "key": State(ids.QUERY, "data"), "shown": State(ids.SHOWN, "data")},
          prevent_initial_call=True)
def show_slide(index, size, key, shown):
    return slide_outputs(key, index, size, shown, resized=ctx.triggered_id == ids.SIZE)


register_writer(ids.PREFIX)
