"""The related-clusters network (nodes at the seeded spring layout, links above the portal's threshold,
colour = the region's LQ on a diverging log scale centred on 1, size = employment) and the
diversification chart (relatedness density against LQ, with quadrants)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.figures import (
    DIVERGING,
    FOCAL_COLOUR,
    NO_DATA_COLOUR,
    PEER_COLOUR,
    TEXT_COLOUR,
    add_title_and_source,
    labels_that_fit,
    plot_text,
    style_figure,
)

NETWORK_HEIGHT, DENSITY_HEIGHT = 640, 520
# the plot areas at the page's two-column desktop layout, in px, for keeping labels apart
NETWORK_PX_PER_UNIT, DENSITY_PLOT_PX = 150, (480, 330)  # (measured in Chromium at 1400 px wide)
MAX_NETWORK_LABELS, MAX_DENSITY_LABELS = 12, 6
LOG2_SPAN = 3  # colour scale: LQ 1/8 … 8 (log2 −3 … 3), beyond clipped
LINK_COLOUR = "rgba(93,109,126,0.28)"


def node_sizes(employment: pd.Series) -> np.ndarray:
    """Marker diameter 8–42 px by the square root of employment (area ∝ employment); 8 for none or unknown."""
    e = pd.to_numeric(employment, errors="coerce").fillna(0).clip(lower=0).to_numpy(float)
    top = np.sqrt(e.max()) if e.max() > 0 else 1.0
    return 8 + 34 * np.sqrt(e) / top


def network(nodes: pd.DataFrame, edges: pd.DataFrame, *, title: str, source: str, threshold: float,
            unit: str) -> go.Figure:
    """``nodes``: category_id, name, x, y, lq, employment, present (the dataset has the category)."""
    pos = nodes.set_index("category_id")
    ex, ey = [], []
    for s, t in zip(edges["source"], edges["target"]):
        if s in pos.index and t in pos.index:
            ex += [pos.at[s, "x"], pos.at[t, "x"], None]
            ey += [pos.at[s, "y"], pos.at[t, "y"], None]
    fig = go.Figure(go.Scatter(x=ex, y=ey, mode="lines", line={"color": LINK_COLOUR, "width": 1},
                               hoverinfo="skip", name=f"Related pair ({len(edges):,} links)"))
    absent = nodes[~nodes["present"]]
    if len(absent):
        fig.add_trace(go.Scatter(x=absent["x"], y=absent["y"], mode="markers", name="No category in this dataset",
                                 marker={"size": 8, "color": "white", "line": {"color": NO_DATA_COLOUR, "width": 1.5}},
                                 text=absent["name"].map(plot_text),
                                 hovertemplate="%{text}: no category in this dataset<extra></extra>"))
    here = nodes[nodes["present"]]
    lq = pd.to_numeric(here["lq"], errors="coerce")
    known = here[lq.notna()]
    unknown = here[lq.isna()]
    if len(unknown):
        fig.add_trace(go.Scatter(x=unknown["x"], y=unknown["y"], mode="markers", name="LQ unknown (not published)",
                                 marker={"size": 10, "color": NO_DATA_COLOUR}, text=unknown["name"].map(plot_text),
                                 hovertemplate="%{text}: LQ unknown<extra></extra>"))
    klq = lq[lq.notna()].astype(float)
    colour = np.clip(np.log2(klq.clip(lower=2 ** -LOG2_SPAN)), -LOG2_SPAN, LOG2_SPAN)
    emp = pd.to_numeric(known["employment"], errors="coerce").fillna(0)
    names = [plot_text(n) for n in known["short"]]
    spec = np.flatnonzero(klq.to_numpy() >= threshold)
    order = spec[np.argsort(-emp.to_numpy()[spec], kind="stable")]
    scale = NETWORK_PX_PER_UNIT
    fit = labels_that_fit(known["x"].to_numpy(float) * scale, known["y"].to_numpy(float) * scale, names, order,
                          above_px=node_sizes(known["employment"]) / 2)
    fit &= np.isin(np.arange(len(names)), [i for i in order if fit[i]][:MAX_NETWORK_LABELS])
    labels = [n if f else "" for n, f in zip(names, fit)]
    ticks = [-3, -2, -1, 0, 1, 2, 3]
    fig.add_trace(go.Scatter(
        x=known["x"], y=known["y"], mode="markers+text",
        name="Category (colour = LQ, size = employment)",  # the named ones: the caption says which
        text=labels, textposition="top center", textfont={"size": 10, "color": TEXT_COLOUR},
        customdata=np.column_stack([known["name"].map(plot_text), klq, known["employment"].fillna(0)]),
        hovertemplate="%{customdata[0]}<br>LQ %{customdata[1]:.2f}<br>employment %{customdata[2]:,.0f} "
                      f"{plot_text(unit)}<extra></extra>",
        marker={"size": node_sizes(known["employment"]), "color": colour, "colorscale": DIVERGING,
                "cmin": -LOG2_SPAN, "cmax": LOG2_SPAN, "line": {"width": 0.8, "color": TEXT_COLOUR},
                "colorbar": {"title": {"text": "LQ (log scale)"}, "tickvals": ticks,
                             "ticktext": [f"{2.0 ** t:g}" for t in ticks], "len": 0.7, "thickness": 14}}))
    style_figure(fig, height=NETWORK_HEIGHT)
    fig.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": 11}},
                      margin={"t": 70, "b": 10, "l": 10, "r": 10}, plot_bgcolor="white")
    fig.update_xaxes(visible=False, range=[-1.45, 1.45])
    fig.update_yaxes(visible=False, range=[-1.4, 1.4], scaleanchor="x", scaleratio=1)
    return add_title_and_source(fig, title, source, width=600)


def density_chart(d: pd.DataFrame, *, threshold: float, split: float, title: str, source: str) -> go.Figure:
    """``d``: relatedness_density's rows (category_name, short, density, lq, employment); x = LQ (log
    axis), y = density in %; lines at LQ = threshold and density = ``split`` (the region's median)."""
    d = d[pd.to_numeric(d["lq"], errors="coerce").notna() & d["density"].notna()].copy()
    fig = go.Figure()
    if d.empty:
        style_figure(fig, height=DENSITY_HEIGHT)
        return add_title_and_source(fig, title, source, width=560)
    d["lq_plot"] = d["lq"].astype(float).clip(lower=0.01)
    opp = (d["lq"] < threshold) & (d["density"] >= split)
    lo, hi = float(d["lq_plot"].min()), float(d["lq_plot"].max())
    xmin, xmax = min(lo, threshold) / 1.5, max(hi, threshold) * 1.5
    ylo, yhi = float(d["density"].min()) * 100, float(d["density"].max()) * 100
    pad = max((yhi - ylo) * 0.15, 2.0)
    yrange = [max(ylo - pad, -2), min(yhi + pad, 102)]
    d["label"] = [plot_text(s) for s in d["short"]]
    # label the densest opportunities, as many as fit without overlapping (at most MAX_DENSITY_LABELS)
    w, h = DENSITY_PLOT_PX
    px = (np.log10(d["lq_plot"].to_numpy(float)) - np.log10(xmin)) / (np.log10(xmax) - np.log10(xmin)) * w
    py = (d["density"].to_numpy(float) * 100 - yrange[0]) / (yrange[1] - yrange[0]) * h
    cand = np.flatnonzero(opp.to_numpy())
    order = cand[np.argsort(-d["density"].to_numpy(float)[cand], kind="stable")]
    fit = labels_that_fit(px, py, list(d["label"]), order, above_px=5)
    d["show"] = np.isin(np.arange(len(d)), [i for i in order if fit[i]][:MAX_DENSITY_LABELS])
    for mask, name, colour, symbol in ((opp, "Opportunity (close, not specialised)", FOCAL_COLOUR, "diamond"),
                                       (~opp, "Other categories", PEER_COLOUR, "circle")):
        part = d[mask]
        fig.add_trace(go.Scatter(
            x=part["lq_plot"], y=part["density"] * 100, mode="markers+text", name=name,
            text=part["label"].where(part["show"], ""),
            textposition="top center", textfont={"size": 10},
            marker={"color": colour, "size": 10, "symbol": symbol, "opacity": 0.85,
                    "line": {"width": 0.5, "color": "white"}},
            customdata=np.column_stack([part["category_name"].map(plot_text), part["lq"], part["employment"].fillna(0)]),
            hovertemplate="%{customdata[0]}<br>LQ %{customdata[1]:.2f}<br>relatedness density %{y:.1f} %"
                          "<br>employment %{customdata[2]:,.0f}<extra></extra>"))
    fig.add_vline(x=threshold, line={"color": TEXT_COLOUR, "dash": "dot", "width": 1})
    fig.add_hline(y=split * 100, line={"color": TEXT_COLOUR, "dash": "dot", "width": 1})
    for x, y, text, anchor in ((xmin, 1, "close, not yet specialised", "left"),
                               (xmax, 1, "specialised, well connected", "right"),
                               (xmin, 0, "distant", "left"), (xmax, 0, "specialised, isolated", "right")):
        # name "quadrant": on a phone assets/small_screens.js breaks them onto two lines
        fig.add_annotation(x=np.log10(x), y=y, xref="x", yref="paper", text=text, showarrow=False, xanchor=anchor,
                           name="quadrant",
                           yanchor="top" if y else "bottom", font={"size": 11, "color": "#5d6d7e"})
    style_figure(fig, height=DENSITY_HEIGHT)
    fig.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0}, margin={"t": 50})
    fig.update_xaxes(type="log", title_text="Location quotient of the category in the region (log scale)",
                     range=[np.log10(xmin), np.log10(xmax)], tickformat=",.2~f")
    fig.update_yaxes(title_text="Relatedness density (%)", ticksuffix=" %", range=yrange)
    return add_title_and_source(fig, title, source, width=560)
