"""The look shared by every chart: font, colour-blind-safe palettes, figure style, export config.

Sequential scales are viridis / cividis, growth is a diverging blue–white–orange centred on 0,
and star counts are ColorBrewer Blues told apart by lightness. Every chart's toolbar saves PNG
(its camera button) and SVG (:func:`svg_button`, plotly's own ``downloadImage``): no cloud upload.
"""
from __future__ import annotations

import html as _html
import re
import textwrap

import numpy as np
import plotly.graph_objects as go
from dash import html

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
TEXT_COLOUR = "#2c3e50"
SEQUENTIAL = "Viridis"
DIVERGING = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#b35806"]]  # blue–white–orange (CVD-safe)
# no data / not published: ΔE2000 ≥ 12 from every colour of viridis, cividis, the diverging scale
# (its white middle included) and the star blues (tests/test_projections.py checks it)
NO_DATA_COLOUR = "#a8a8a8"
NOT_PUBLISHED_COLOUR = "#ece8b4"  # a light sand: region with data, but no published cell for the category
STAR_COLOURS = {0: "#deebf7", 1: "#9ecae1", 2: "#4292c6", 3: "#08306b"}  # ordered blues, 0 muted
STAR_NAMES = {0: "no star", 1: "★", 2: "★★", 3: "★★★"}
FOCAL_COLOUR = "#b35806"   # orange (the diverging scale's warm end)
PEER_COLOUR = "#2166ac"    # blue


#: every export is laid out at 1280 × 720 and written 1.5× (PNG: 1920 × 1080 px), so text that is
#: 12 px on screen is 18 px in the image: readable on a projector. SVG uses the same layout.
EXPORT_WIDTH, EXPORT_HEIGHT, EXPORT_SCALE = 1280, 720, 1.5


def graph_config(filename: str) -> dict:
    """Plotly config: PNG at presentation size from the toolbar's camera (file name saying what
    it holds), no logo, no link to a cloud service."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "width": EXPORT_WIDTH,
                                 "height": EXPORT_HEIGHT, "scale": EXPORT_SCALE},
        # no cloud: plotly.js's "Edit in Chart Studio" and its newer "Share chart…" both upload the chart
        "modeBarButtonsToRemove": ["sendDataToCloud", "sendChartToCloud"], "showSendToCloud": False,
        "plotlyServerURL": "",
        "responsive": True,
        "topojsonURL": "/basemap/",  # web/geo.py: an empty base map, so no map asks plotly's CDN for one
    }


MODEBAR_WIDTH = 270  # px of the chart toolbar at the top right


def add_title_and_source(fig: go.Figure, title: str, source: str, subtitle: str | None = None,
                         width: int = 600, source_width: int | None = None) -> go.Figure:
    """Put what the chart shows (what, where, when, against which benchmark) at its top and the
    source at its bottom, inside the figure, so that every PNG or SVG export carries them.

    ``title``, ``subtitle`` and ``source`` are plain text, escaped here (they may hold user-given
    names) and wrapped to lines that fit ``width`` px (the chart's narrowest on-screen width; the
    1280 px export then has room to spare); the source starts at the plot area's left edge and
    wraps to ``source_width`` px (default ``width``; less where labels sit left of the plot). The
    figure's own top and bottom margins (room for a legend above the plot, for the x-axis title
    below it) are kept: the title block goes above them and the source below them, so neither
    depends on the export's height. The title's lines leave room on the right for the toolbar
    (shown on hover over the chart's top right corner)."""
    title_lines = _wrap(title, (width - MODEBAR_WIDTH) / 8.6)
    sub_lines = _wrap(subtitle, width / 6.4) if subtitle else []
    source_lines = _wrap(source, (source_width or width) / 5.4)
    text = "<br>".join(f"<b>{plot_text(line)}</b>" for line in title_lines)
    text += "".join(f"<br><span style='font-size:12px;color:#5d6d7e'>{plot_text(line)}</span>" for line in sub_lines)
    header = 12 + 19 * (len(title_lines) + len(sub_lines)) + 8  # plotly spaces the lines by the title's size
    top, bottom = fig.layout.margin.t or 0, fig.layout.margin.b or 0
    footer = 13 * len(source_lines) + 10
    fig.update_layout(title={"text": text, "x": 0, "xref": "container", "xanchor": "left", "y": 1,
                             "yref": "container", "yanchor": "top", "pad": {"t": 24, "l": 10}, "font": {"size": 15}},
                      margin={"t": top + header, "b": bottom + footer})
    fig.add_annotation(text="<br>".join(plot_text(line) for line in source_lines), xref="paper", yref="paper",
                       x=0, y=0, xanchor="left", yanchor="top", yshift=-(bottom + 4), showarrow=False,
                       align="left", font={"size": 10, "color": "#5d6d7e"}, name="source")
    return fig


def export_name(*parts) -> str:
    """An export's file name (no extension) from what it holds: ``export_name("portfolio", "eu",
    "DE11", "2010-2015")`` → ``portfolio_eu_DE11_2010-2015``; anything but letters, digits, ``_``,
    ``.`` and ``-`` in a part (a custom id's ``:``, spaces, slashes) becomes ``-``; empty parts are left out."""
    clean = [re.sub(r"[^A-Za-z0-9_.-]+", "-", str(p)).strip("-.") for p in parts if p not in (None, "")]
    return "_".join(c for c in clean if c)[:150] or "chart"


def _wrap(text: str, chars: float) -> list[str]:
    """Lines of at most ``chars`` characters (words kept whole)."""
    return textwrap.wrap(" ".join(str(text).split()), max(int(chars), 20)) or [""]


def svg_button(graph_id: str, filename: str, button_id: str | None = None, label: str = "SVG") -> html.Button:
    """A button that saves the graph as SVG with plotly's ``Plotly.downloadImage`` (assets/shell.js)."""
    kwargs = {"id": button_id} if button_id else {}
    return html.Button(
        label, type="button", className="btn btn-outline-secondary btn-sm js-svg-download",
        title="Download this chart as SVG", **{"data-graph": graph_id, "data-filename": filename}, **kwargs)


def style_figure(fig: go.Figure, height: int = 420, legend_title: str | None = None) -> go.Figure:
    """White template, the page font, compact margins."""
    fig.update_layout(template="plotly_white", height=height, font={"family": FONT, "size": 12, "color": TEXT_COLOUR},
                      margin={"l": 60, "r": 20, "t": 40, "b": 50}, hoverlabel={"font": {"family": FONT}},
                      legend={"title": {"text": legend_title} if legend_title else None})
    return fig


def empty_figure(text: str, height: int = 420) -> go.Figure:
    """A blank chart that says why it is blank."""
    fig = go.Figure()
    fig.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": "#7b8a8b"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style_figure(fig, height=height)


def source_line(text: str, id_: str | None = None) -> html.Small:
    return html.Small(text, className="text-muted d-block mt-1 source-line", **({"id": id_} if id_ else {}))


def plot_text(value) -> str:
    """Text from the data or a user (region, category, custom-definition and organisation names) made
    safe for plotly labels, which render a subset of HTML: ``<b>x</b>`` is shown as typed, never as markup."""
    return _html.escape(str(value), quote=False)



def labels_that_fit(px, py, texts, order, *, char_px: float = 6.2, line_px: float = 13.0,
                    above_px=0.0) -> np.ndarray:
    """Which point labels to draw so that none overlaps another: greedy in ``order`` (most important
    first), each label a box ``len(text) × char_px`` wide and ``line_px`` high, centred above its point
    (``above_px``: the marker radius, scalar or per point) at pixel position (``px``, ``py``; y upwards).
    Labels that would overlap one already placed are dropped; their names stay in the hover and the
    table. Returns a boolean mask in the input order."""
    px, py = np.asarray(px, float), np.asarray(py, float)
    above = np.broadcast_to(np.asarray(above_px, float), px.shape)
    keep = np.zeros(len(px), bool)
    boxes: list[tuple[float, float, float, float]] = []
    for i in order:
        text = texts[i]
        if not text or not np.isfinite(px[i]) or not np.isfinite(py[i]):
            continue
        half = len(text) * char_px / 2
        x0, x1 = px[i] - half, px[i] + half
        y0 = py[i] + above[i] + 1
        y1 = y0 + line_px
        if all(x1 <= a0 or x0 >= a1 or y1 <= b0 or y0 >= b1 for a0, a1, b0, b1 in boxes):
            boxes.append((x0, x1, y0, y1))
            keep[i] = True
    return keep
